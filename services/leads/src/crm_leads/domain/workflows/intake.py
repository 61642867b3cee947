"""Web-to-lead forms: how a public submission maps to lead fields, spam traps, consents, rate limits."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from email_validator import EmailNotValidError, validate_email

from crm_leads.domain.model import Lead
from crm_shared.domain import Aggregate, DomainEvent
from crm_shared.errors import Forbidden, InvalidInput
from crm_shared.ids import new_id
from crm_shared.text_keys import address_key

MAPPABLE_FIELDS = frozenset(
    {
        "first_name", "last_name", "company_name", "job_title", "email", "phone", "language",
        "description", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    }
)  # fmt: skip
"""Lead fields a form may fill: free text (reference-list fields are left to the sales team)."""
REQUIRED_FIELDS = frozenset({"last_name", "email"})
LANGUAGES = frozenset({"fr", "en"})
MAX_VALUE_LENGTH = 2000


@dataclass(frozen=True)
class FormSubmitted(DomainEvent):
    """A public form reached a lead: it created it, or completed the empty fields of an open one."""

    lead_id: UUID
    form_key: str
    submission_id: UUID
    created: bool
    filled: dict[str, tuple[Any, Any]]
    consents: dict[str, bool]
    by: str


@dataclass(frozen=True)
class FormEntry:
    values: dict[str, str]
    """Lead field -> submitted value."""
    consents: dict[str, bool]
    spam: bool


@dataclass(eq=False, kw_only=True)
class IntakeForm(Aggregate):
    id: UUID
    form_key: str
    name: str
    team: str | None = None
    source: str | None = None
    field_mapping: dict[str, str]
    """Form field name -> lead field name."""
    consent_fields: list[str] = field(default_factory=list)
    honeypot_field: str = "website_url"
    allowed_origins: list[str] = field(default_factory=list)
    active: bool = True
    created_at: datetime

    @classmethod
    def create(cls, **values: Any) -> "IntakeForm":
        form = cls(id=new_id(), created_at=datetime.now(UTC), **values)
        form.check()
        return form

    def check(self) -> None:
        unknown = sorted(set(self.field_mapping.values()) - MAPPABLE_FIELDS)
        if unknown:
            raise InvalidInput("field_mapping", f"not lead fields: {', '.join(unknown)}")
        missing = sorted(REQUIRED_FIELDS - set(self.field_mapping.values()))
        if missing:
            raise InvalidInput("field_mapping", f"the form must provide: {', '.join(missing)}")
        if len(set(self.field_mapping.values())) != len(self.field_mapping):
            raise InvalidInput("field_mapping", "two form fields map to the same lead field")
        clash = {self.honeypot_field, *self.consent_fields} & set(self.field_mapping)
        if clash or self.honeypot_field in self.consent_fields:
            raise InvalidInput("honeypot_field", "the honeypot and consent fields must be distinct")

    def admit(self, origin: str | None) -> None:
        if not self.active:
            raise Forbidden(f"form {self.form_key} is closed")
        if self.allowed_origins and origin not in self.allowed_origins:
            raise Forbidden(f"origin {origin} may not post to form {self.form_key}")

    def read(self, submission: Mapping[str, object]) -> FormEntry:
        """Validate a submission; a filled honeypot marks it as spam (answered as if accepted)."""
        spam = bool(submission.get(self.honeypot_field))
        unknown = set(submission) - {*self.field_mapping, *self.consent_fields, self.honeypot_field}
        if unknown:
            raise InvalidInput(f"body.{sorted(unknown)[0]}", "this form has no such field")
        values = {
            self.field_mapping[name]: _text(name, value)
            for name, value in submission.items()
            if name in self.field_mapping and value not in (None, "")
        }
        consents = {name: _flag(name, submission.get(name, False)) for name in self.consent_fields}
        if not spam:
            self._validate(values)
        return FormEntry(values, consents, spam)

    def _validate(self, values: dict[str, str]) -> None:
        by_lead_field = {lead_field: name for name, lead_field in self.field_mapping.items()}
        for required in sorted(REQUIRED_FIELDS):
            if required not in values:
                raise InvalidInput(f"body.{by_lead_field[required]}", "required")
        try:
            checked = validate_email(values["email"], check_deliverability=False)
        except EmailNotValidError as exc:
            raise InvalidInput(f"body.{by_lead_field['email']}", "not an email address") from exc
        values["email"] = address_key(checked.normalized)
        if "language" in values and values["language"] not in LANGUAGES:
            raise InvalidInput(f"body.{by_lead_field['language']}", "fr or en")


def _text(name: str, value: object) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput(f"body.{name}", "must be text")
    text = str(value).strip()
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidInput(f"body.{name}", f"at most {MAX_VALUE_LENGTH} characters")
    return text


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("", "off", "false", "0", "no", None):
        return False
    raise InvalidInput(f"body.{name}", "a consent is true or false")


def fill_empty(lead: Lead, values: Mapping[str, str]) -> dict[str, tuple[Any, Any]]:
    """Complete the lead with submitted values for the fields it lacks; never overwrite what it has."""
    filled: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        if getattr(lead, name, None) in (None, ""):
            filled[name] = (getattr(lead, name, None), value)
            setattr(lead, name, value)
    if filled:
        lead.updated_at = datetime.now(UTC)
    return filled


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` submissions per client address in each fixed window of `window_s` seconds."""

    limit: int = 10
    window_s: int = 60

    def window(self, now: datetime) -> datetime:
        start = int(now.timestamp()) // self.window_s * self.window_s
        return datetime.fromtimestamp(start, UTC)

    def retry_after(self, now: datetime) -> int:
        end = self.window(now) + timedelta(seconds=self.window_s)
        return max(1, int((end - now).total_seconds() + 0.999))
