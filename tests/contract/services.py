"""A service's definition for the contract tests, on the given database and broker."""

import importlib

from crm_shared.runtime import ServiceDefinition
from crm_shared.settings import KafkaSettings


def definition(service: str, database_url: str, kafka_bootstrap: str) -> ServiceDefinition:
    settings = importlib.import_module(f"crm_{service}.config").Settings(
        database_url=database_url, kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    return importlib.import_module(f"crm_{service}.bootstrap").definition(settings)
