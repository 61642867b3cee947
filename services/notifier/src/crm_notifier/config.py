from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from crm_shared.registry import service
from crm_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_NOTIFIER_", extra="ignore")

    database_url: str = "postgresql+asyncpg://crm:crm@127.0.0.1:55432/crm_notifier"
    http_port: int = service("notifier").http_port

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(2526, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(15.0, gt=0)

    from_address: str = "CRM <no-reply@crm.local>"
    support_address: str = "support@crm.local"
    """From of case acknowledgements, so that customers' replies come back to the cases mailbox."""
    default_language: Literal["fr", "en"] = "en"

    scheduler_interval_s: float = Field(2.0, gt=0)
    """How often the sender and the reminder scheduler look for work."""
    send_max_attempts: int = Field(5, ge=1, le=50)
    send_retry_base_s: float = Field(30.0, ge=0)
    send_retry_max_s: float = Field(3600.0, ge=0)
