from crm_cases.adapters.tables import metadata
from crm_shared.db.migrations import run_env

run_env(metadata)
