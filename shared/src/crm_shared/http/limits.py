"""Bounds of the HTTP edge, the same for every service (env `CRM_HTTP_*`).

Uploads (imports, signed offers, raw mail) keep their own limits, set by the routes that read them.
"""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class HttpLimits(BaseSettings):
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
