from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from crm_shared.registry import service
from crm_shared.settings import ServiceSettings


class ImapMailbox(BaseModel):
    """One mailbox the IMAP poller reads; `address` names the mailbox (and its team) in the intake."""

    address: str
    host: str
    port: int = Field(993, ge=1, le=65535)
    tls: bool = True
    username: str
    password: SecretStr
    folder: str = "INBOX"
    processed_folder: str | None = None
    """Move processed mail there; when unset it is flagged \\Seen and left in place."""


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_CASES_", extra="ignore")

    database_url: str = "postgresql+asyncpg://crm:crm@127.0.0.1:55432/crm_cases"
    http_port: int = service("cases").http_port
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(2525, ge=1, le=65535)
    smtp_hostname: str = "crm-cases.local"
    """Name the SMTP server gives in its greeting."""
    smtp_max_message_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    """Larger messages are refused with 552 (advertised with the ESMTP SIZE extension); the webhook
    answers 413 above the same size."""
    smtp_accept_bare_lf: bool = True
    """Read mail lines ended by a bare LF as if ended by CRLF (as Postfix's `smtpd_forbid_bare_newline =
    normalize`); the data still ends only at CRLF.CRLF. When false, a bare-LF mail over 1000 bytes is
    refused with `500 Line too long`, as RFC 5321 allows."""
    reopen_window_days: int = Field(14, ge=0, le=3650)
    """A customer's reply to a case closed more recently than this reopens it; later, it opens a new case."""
    system_addresses: list[str] = Field(default_factory=list)
    """The helpdesk's own addresses: mail from them never opens a case nor gets an acknowledgement."""
    sender_rate_limit: int = Field(20, ge=1)
    """Mails one sender may open or add per hour before the rest are held as a suspected loop."""
    attachment_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    webhook_secret: SecretStr | None = None
    """Shared key of the inbound-mail webhook (`POST /v1/inbound/mail`), set with
    `CRM_CASES_WEBHOOK_SECRET`. The mail provider signs each request with it: `X-Timestamp: <unix
    seconds>` and `X-Signature: sha256=<hex of HMAC-SHA256(key, "<timestamp>.<raw body>")>`. A missing
    or wrong signature, or a timestamp more than 5 minutes from the server's clock, gets 401. Unset
    (the default), the webhook is off and answers 503. Use a long random value (32 bytes or more);
    it is never logged nor shown."""
    imap_mailboxes: list[ImapMailbox] = Field(default_factory=list)
    imap_poll_interval_s: float = Field(30.0, gt=0)
