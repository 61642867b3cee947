-- Run once by the postgres image on an empty data directory (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d). One database per service; each service migrates its own.
CREATE DATABASE crm_leads;
CREATE DATABASE crm_deals;
CREATE DATABASE crm_quotes;
CREATE DATABASE crm_cases;
CREATE DATABASE crm_notifier;
