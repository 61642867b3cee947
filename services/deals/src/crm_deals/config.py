from pydantic_settings import SettingsConfigDict

from crm_shared.registry import service
from crm_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_DEALS_", extra="ignore")

    database_url: str = "postgresql+asyncpg://crm:crm@127.0.0.1:55432/crm_deals"
    http_port: int = service("deals").http_port
