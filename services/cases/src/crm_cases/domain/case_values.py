"""Values of the cases context: statuses, priorities, channels, message directions and visibility."""

from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"


REOPENED_BY_CUSTOMER_REPLY = frozenset({CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED})
FINISHED = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})
CUSTOMER = "customer"
"""Who changed a status when the customer's reply reopened the case."""


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseType(StrEnum):
    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    REQUEST = "request"


class Channel(StrEnum):
    EMAIL = "email"
    WEB = "web"
    API = "api"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    """Internal notes (and bounces of our mail): never sent nor shown to customers."""


class LinkKind(StrEnum):
    RELATED = "related"
    FOLLOW_UP = "follow_up"
    DUPLICATE = "duplicate"


class AssignmentRule(StrEnum):
    ACCOUNT_CSM = "account_csm"
    ROUND_ROBIN = "round_robin"
    MANUAL = "manual"


class IntakeOutcome(StrEnum):
    CASE_OPENED = "case_opened"
    APPENDED = "appended"
    IGNORED_AUTO_REPLY = "ignored_auto_reply"
    IGNORED_BOUNCE = "ignored_bounce"
    REJECTED = "rejected"
