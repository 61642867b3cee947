"""Settings shared by every service; each service subclasses with its own env prefix (CRM_<NAME>_).

`CRM_ENVIRONMENT` says where a service runs:
- `development`: a developer's machine, `make up`, the automated test suite. The shipped development
  signing key and placeholder secrets are accepted, and `crm token` prints tokens.
- `test`: a shared deployment for testing (staging, acceptance), reachable by other people. It holds
  to the same rules as `production`: with data and users that are not the developer's own, a key
  published in this repository would let anyone in.
- `production`: the real system.
Outside development a service refuses to start while any of its secrets is a placeholder (empty,
`change-me`, `secret`, the development key...), and tokens signed with the development key are refused.
"""

from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_shared.secret_checks import weak_secrets

DEV_JWT_SECRET = "crm-local-development-signing-key-change-me"  # noqa: S105 - local dev default only
MIN_JWT_SECRET_BYTES = 32
"""An HS256 key at least as long as the hash (RFC 7518, 3.2)."""

Environment = Literal["development", "test", "production"]


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
    environment: Environment = Field(
        "development", validation_alias=AliasChoices("CRM_ENVIRONMENT", "environment")
    )
    """Set from the service's own `environment`; only `development` accepts the development key."""

    @property
    def accepts_development_key(self) -> bool:
        return self.environment == "development"

    def unused_secrets(self) -> frozenset[str]:
        """With a JWKS URL, tokens are verified against the identity provider's keys, never the secret."""
        return frozenset({"secret"}) if self.jwks_url else frozenset()

    def problems(self) -> list[str]:
        """What makes this configuration unsafe outside development."""
        if self.jwks_url or self.accepts_development_key:
            return []
        key = self.secret.get_secret_value()
        if key == DEV_JWT_SECRET:
            return ["CRM_JWT_SECRET is the development signing key (set another key, or CRM_JWT_JWKS_URL)"]
        if len(key.encode()) < MIN_JWT_SECRET_BYTES:
            return [f"CRM_JWT_SECRET is shorter than {MIN_JWT_SECRET_BYTES} bytes"]
        return []


class LogSettings(BaseSettings):
    """How much a process may log: see `crm_shared.logging`."""

    model_config = SettingsConfigDict(env_prefix="CRM_LOG_", extra="ignore")

    repeat_interval_s: float = Field(30.0, ge=0)
    """A warning or error repeated within this interval is counted, not written (0 writes them all)."""
    queue_size: int = Field(10_000, ge=10)
    """Lines waiting for the writer thread; past this, lines are dropped and counted, never waited for."""
    max_record_bytes: int = Field(16_384, ge=2_048)
    """Upper bound of one rendered record, traceback included."""


class HttpLimits(BaseSettings):
    """Bounds of the HTTP edge, the same for every service. Uploads (imports, signed offers, raw mail)
    keep their own limits, set by the routes that read them."""

    model_config = SettingsConfigDict(env_prefix="CRM_HTTP_", extra="ignore")

    max_json_body_bytes: int = Field(1024 * 1024, ge=1024)
    """A JSON (or urlencoded) request body over this is refused with 413 before it is parsed."""
    max_json_depth: int = Field(32, ge=2, le=1000)
    """Deeper nesting of objects and arrays is refused with 422."""
    max_field_errors: int = Field(20, ge=1, le=1000)
    """An error answer lists at most this many fields; `errors_omitted` counts the rest."""
    max_request_id_chars: int = Field(128, ge=16, le=1024)
    """A longer `X-Request-ID` is refused with 422 (it is logged and written with every event)."""
    retry_after_s: int = Field(5, ge=1, le=3600)
    """`Retry-After` of the 503 answered while the database cannot be reached."""


class ServiceSettings(BaseSettings):
    """Base of every service's settings. Subclasses set `env_prefix` and the database default."""

    # A failed validation must not echo the secrets it was given.
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    database_url: str
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    log_format: Literal["json", "console"] = Field(
        "console", validation_alias=AliasChoices("CRM_LOG_FORMAT", "log_format")
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("CRM_LOG_LEVEL", "log_level"))
    environment: Environment = Field(
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
    logs: LogSettings = Field(default_factory=LogSettings)
    http: HttpLimits = Field(default_factory=HttpLimits)

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Self:
        """The environment decides what the token verifier accepts; outside development, a service
        with a placeholder secret refuses to start, naming the setting to change."""
        if self.auth.environment != self.environment:
            self.auth = self.auth.model_copy(update={"environment": self.environment})
        if self.environment == "development":
            return self
        problems = self.auth.problems()
        reported = {"CRM_JWT_SECRET"} if problems else set()
        weak = weak_secrets(self, known=frozenset({DEV_JWT_SECRET}))
        problems += [f"{name} holds a placeholder value" for name in weak if name not in reported]
        if problems:
            raise ValueError(f"unsafe settings for CRM_ENVIRONMENT={self.environment}: {'; '.join(problems)}")
        return self
