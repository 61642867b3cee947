"""Settings shared by every service; each service subclasses with its own env prefix (CRM_<NAME>_)."""

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "crm-local-development-signing-key-change-me"  # noqa: S105 - local dev default only


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"))
    topic_partitions: int = Field(3, ge=1, validation_alias=AliasChoices("KAFKA_TOPIC_PARTITIONS"))
    replication_factor: int = Field(1, ge=1, validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR"))
    retry_backoff_ms: int = Field(
        500,
        ge=10,
        le=60_000,
        validation_alias=AliasChoices("KAFKA_RETRY_BACKOFF_MS"),
        description="Pause of every Kafka client before retrying a failed request or connection: "
        "what an outage costs in CPU (aiokafka's default, 100 ms, spins through reconnections)",
    )
    producer_request_timeout_ms: int = Field(
        40_000,
        ge=1_000,
        validation_alias=AliasChoices("KAFKA_PRODUCER_REQUEST_TIMEOUT_MS"),
        description="How long a producer waits for the broker before a send fails "
        "(the relay then replaces its producer and publishes the rows again)",
    )


class AuthSettings(BaseSettings):
    """JWT verification: HS256 with a local key in development, JWKS (RS256/ES256) in production."""

    model_config = SettingsConfigDict(env_prefix="CRM_JWT_", extra="ignore")

    secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwks_url: str | None = None
    issuer: str = "crm-local"
    audience: str = "crm"


class ServiceSettings(BaseSettings):
    """Base of every service's settings. Subclasses set `env_prefix` and the database default."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    log_format: Literal["json", "console"] = Field(
        "console", validation_alias=AliasChoices("CRM_LOG_FORMAT", "log_format")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("CRM_LOG_LEVEL", "log_level"))
    environment: Literal["development", "production", "test"] = Field(
        "development", validation_alias=AliasChoices("CRM_ENVIRONMENT", "environment")
    )
    relay_poll_interval_s: float = Field(2.0, gt=0)
    consumer_max_attempts: int = Field(4, ge=1, le=20)
    consumer_retry_base_s: float = Field(0.2, ge=0)
    consumer_transient_backoff_base_s: float = Field(
        0.5, gt=0, description="First pause of a partition whose record met a transient fault"
    )
    consumer_transient_backoff_cap_s: float = Field(
        10.0, gt=0, description="Longest pause between retries of a transient fault (retried forever)"
    )
    relay_backoff_base_s: float = Field(0.5, gt=0, description="First pause after a failed publication")
    relay_backoff_cap_s: float = Field(10.0, gt=0, description="Longest pause between publication attempts")
    relay_max_outbox_age_s: float = Field(
        60.0, gt=0, description="The relay is unready once the oldest unpublished outbox row is older"
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
