"""Close requests: a CSM or Support user asks Sales to win or lose a deal, with the signed offer.

Sales approves or rejects. A win is approved only while the signed amount is the deal's amount: when
they differ, Sales first corrects the deal (a change kept in its history), then approves. The signed
offer is checked on its bytes, not only on the type the client declared.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any, Literal
from uuid import UUID

from crm_deals.domain import events
from crm_deals.domain.model import Deal, DealStatus
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict, CrmError, InvalidInput
from crm_shared.ids import new_id

MAX_OFFER_BYTES = 10 * 1024 * 1024
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
OOXML_TYPES = {
    _OOXML + "wordprocessingml.document": "docx",
    _OOXML + "spreadsheetml.sheet": "xlsx",
    _OOXML + "presentationml.presentation": "pptx",
}
ODF_TYPES = {_ODF + "text": "odt", _ODF + "spreadsheet": "ods", _ODF + "presentation": "odp"}
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"} | OOXML_TYPES | ODF_TYPES
ACCEPTED_TYPES = frozenset(EXTENSIONS)
# Declared by clients that do not know better: the bytes then decide.
UNSPECIFIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
ACCEPTED_NAMES = "PDF, PNG, JPEG, Office Open XML (docx, xlsx, pptx) or OpenDocument (odt, ods, odp)"
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))


class CloseOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class CloseRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class SignedAmountMismatch(CrmError):
    def __init__(self, *, signed: int | None, currency: str, deal: Deal) -> None:
        super().__init__(
            f"the signed amount ({signed} {currency}) differs from the deal amount "
            f"({deal.amount_minor} {deal.currency}): correct the deal amount first, then approve",
            409,
            "Conflict",
            "signed_amount_mismatch",
            {
                "signed_amount_minor": signed,
                "signed_currency": currency,
                "deal_amount_minor": deal.amount_minor,
                "deal_currency": deal.currency,
            },
        )


class FileTooLarge(CrmError):
    def __init__(self, size: int | None = None) -> None:
        message = f"the signed offer is over {MAX_OFFER_BYTES // (1024 * 1024)} MB"
        extra: dict[str, object] = {"errors": [{"field": "file", "message": message}], "size": size}
        super().__init__(message, 413, "Content too large", "file_too_large", extra)


@dataclass(frozen=True)
class OfferInfo:
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SignedOffer(OfferInfo):
    content: bytes = field(repr=False)

    @classmethod
    def of(cls, *, filename: str | None, declared_type: str | None, content: bytes) -> "SignedOffer":
        """The offer as uploaded; refused when too big, empty, or not what its bytes say it is."""
        if len(content) > MAX_OFFER_BYTES:
            raise FileTooLarge(len(content))
        if not content:
            raise InvalidInput("file", "the signed offer is empty")
        declared = (declared_type or "").split(";")[0].strip().lower()
        if declared not in UNSPECIFIC_TYPES and declared not in ACCEPTED_TYPES:
            raise InvalidInput("file", f"{declared} is not accepted: {ACCEPTED_NAMES}")
        detected = detect_type(content)
        if detected is None or declared not in (*UNSPECIFIC_TYPES, detected):
            raise InvalidInput("file", f"the file's content is not a {declared or 'accepted'} document")
        return cls(
            filename=safe_filename(filename, detected),
            content_type=detected,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )


def detect_type(content: bytes) -> str | None:
    """The accepted type the bytes are, from their signature (and a zip's own declaration)."""
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return next((kind for magic, kind in _SIGNATURES if content.startswith(magic)), None)


def _office_type(content: bytes) -> str | None:
    """ODF names its type in a first `mimetype` entry; OOXML has its parts under word/, xl/ or ppt/."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
            if "[Content_Types].xml" in names:
                for office_type, extension in OOXML_TYPES.items():
                    if any(n.startswith(_OOXML_PARTS[extension]) for n in names):
                        return office_type
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


def safe_filename(name: str | None, content_type: str) -> str:
    """The last path component, without control characters, with the extension of its real type."""
    base = _UNSAFE.sub(" ", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = " ".join(unicodedata.normalize("NFC", base).split()).strip(". ")
    extension = EXTENSIONS[content_type]
    stem = PurePosixPath(base).stem if PurePosixPath(base).suffix else base
    stem = stem.strip(". ")[:200] or "signed-offer"
    return f"{stem}.{extension}"


@dataclass(eq=False, kw_only=True)
class CloseRequest(Aggregate):
    id: UUID
    deal_id: UUID
    outcome: CloseOutcome
    status: CloseRequestStatus = CloseRequestStatus.PENDING
    signed_amount_minor: int | None = None
    currency: str
    reason: str | None = None
    comment: str | None = None
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None

    @classmethod
    def submit(
        cls,
        *,
        deal: Deal,
        outcome: CloseOutcome,
        by: str,
        signed_amount_minor: int | None = None,
        currency: str | None = None,
        reason: str | None = None,
        comment: str | None = None,
    ) -> "CloseRequest":
        """A request on an open deal; a win needs the signed amount, a loss its reason."""
        _check_open(deal)
        reason = _text(reason)
        _check_asked(outcome, signed_amount_minor, reason)
        request = cls(
            id=new_id(),
            deal_id=deal.id,
            outcome=outcome,
            signed_amount_minor=signed_amount_minor,
            currency=currency or deal.currency,
            reason=reason,
            comment=_text(comment),
            requested_by=by,
            requested_at=datetime.now(UTC),
        )
        request.record(
            events.DealCloseRequested(
                **request._about(deal),
                reason=reason,
                requested_at=request.requested_at,
            )
        )
        return request

    @property
    def is_win(self) -> bool:
        return self.outcome is CloseOutcome.WON

    @property
    def outcome_name(self) -> Literal["won", "lost"]:
        return "won" if self.is_win else "lost"

    def matches(self, amount_minor: int, currency: str) -> bool:
        """Whether Sales may approve now: a loss always; a win when the signed amount is the deal's."""
        return not self.is_win or (self.signed_amount_minor, self.currency) == (amount_minor, currency)

    def approve(self, *, deal: Deal, by: str, note: str | None = None) -> None:
        """Sales agrees; the caller then wins or loses the deal in the same transaction."""
        self._check_pending()
        _check_open(deal)
        if not self.matches(deal.amount_minor, deal.currency):
            raise SignedAmountMismatch(signed=self.signed_amount_minor, currency=self.currency, deal=deal)
        self._decide(CloseRequestStatus.APPROVED, deal=deal, by=by, note=_text(note))

    def reject(self, *, deal: Deal, by: str, note: str | None) -> None:
        self._check_pending()
        note = _text(note)
        if note is None:
            raise InvalidInput("note", "say why the request is rejected")
        self._decide(CloseRequestStatus.REJECTED, deal=deal, by=by, note=note)

    def cancel(self, *, by: str) -> None:
        """Withdrawn by its requester; nobody else needs telling, so no event."""
        self._check_pending()
        self.status, self.decided_by, self.decided_at = CloseRequestStatus.CANCELLED, by, datetime.now(UTC)

    def _decide(self, status: CloseRequestStatus, *, deal: Deal, by: str, note: str | None) -> None:
        if deal.id != self.deal_id:
            raise ValueError(f"deal {deal.id} is not the deal of close request {self.id}")
        self.status, self.decided_by, self.decided_at = status, by, datetime.now(UTC)
        self.decision_note = note
        self.record(
            events.DealCloseRequestDecided(
                **self._about(deal),
                decision="approved" if status is CloseRequestStatus.APPROVED else "rejected",
                note=note,
                decided_by=by,
                decided_at=self.decided_at,
            )
        )

    def _about(self, deal: Deal) -> dict[str, Any]:
        """What both events say of the request and its deal."""
        return {
            "request_id": self.id,
            "deal_id": deal.id,
            "title": deal.title,
            "outcome": self.outcome_name,
            "amount_minor": deal.amount_minor,
            "signed_amount_minor": self.signed_amount_minor,
            "currency": self.currency,
            "owner_id": deal.owner_id,
            "account_id": deal.account_id,
            "requested_by": self.requested_by,
        }

    def _check_pending(self) -> None:
        if self.status is not CloseRequestStatus.PENDING:
            raise Conflict(f"close request {self.id} is {self.status.value}", code="close_request_decided")


def _check_asked(outcome: CloseOutcome, signed_amount_minor: int | None, reason: str | None) -> None:
    if signed_amount_minor is not None and signed_amount_minor < 0:
        raise InvalidInput("signed_amount_minor", "an amount cannot be negative")
    if outcome is CloseOutcome.WON and signed_amount_minor is None:
        raise InvalidInput("signed_amount_minor", "a win is requested with the signed amount")
    if outcome is CloseOutcome.WON and reason is not None:
        raise InvalidInput("reason", "only a loss has a reason")
    if outcome is CloseOutcome.LOST and reason is None:
        raise InvalidInput("reason", "a loss is requested with its reason")


def _check_open(deal: Deal) -> None:
    if deal.status is not DealStatus.OPEN:
        raise Conflict(f"deal {deal.id} is already {deal.status.value}", code="deal_closed")


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None
