from pydantic import Field
from pydantic_settings import SettingsConfigDict

from crm_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_CASES_", extra="ignore")

    database_url: str = "postgresql+asyncpg://crm:crm@127.0.0.1:55432/crm_cases"
    http_port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(2525, ge=1, le=65535)
    smtp_hostname: str = "crm-cases.local"
    """Name the SMTP server gives in its greeting."""
    smtp_max_message_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    """Larger messages are refused with 552 (advertised with the ESMTP SIZE extension)."""
