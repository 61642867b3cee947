"""Every field of a case agents can change reaches its typed `.v2` update event: a field added or renamed
in the domain without its contract fails here, not in a consumer."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from crm_cases.domain import events
from crm_cases.domain.case_values import CaseType, Priority
from crm_cases.domain.case_work import EDITABLE
from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import Case, Profile
from crm_cases.domain.sla import DueTimes, SlaTarget
from crm_cases.service_layer.integration_events import translate
from crm_shared.events import Change, UnpublishedChange
from crm_shared.events.cases import CaseUpdated, CaseUpdatedV2

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
VALUES = {
    "subject": "Broken invoice",
    "description": "The PDF is empty",
    "priority": Priority.URGENT,
    "type": CaseType.INCIDENT,
    "tags": ("billing", "pdf"),
    "team": "tier-2",
}
DUE_TIMES = {"first_response_due_at", "resolution_due_at"}
"""A new priority moves the SLA due times with it."""


def opened() -> Case:
    mail = InboundMail(sender_email="ann@customer.example", sender_name="Ann", subject="Broken", text="Help")
    case = Case.open_from_email(
        number="CASE-7", mail=mail, message_id="<m1@x>", mailbox="help@us.example", raw_message_id=uuid4(),
        at=T0, profile=Profile(due=DueTimes.of(SlaTarget("normal", 60, 600), T0)),
    )  # fmt: skip
    case.pull_events()
    return case


def test_the_sample_covers_every_editable_field():
    assert set(VALUES) == EDITABLE


def test_every_changeable_field_of_a_case_is_published_typed():
    case = opened()
    due = DueTimes.of(SlaTarget("urgent", 15, 120), T0)
    case.update(dict(VALUES), by="agent-1", at=T0 + timedelta(minutes=5), due=due)
    [event] = case.pull_events()
    [v1, v2] = translate(event)
    assert isinstance(v1, CaseUpdated)
    assert isinstance(v2, CaseUpdatedV2)
    assert v2.changes.changed_fields() == EDITABLE | DUE_TIMES
    assert v2.changes.priority == Change(before="normal", after="urgent")
    assert v2.changes.type == Change(before=None, after="incident")
    assert v2.changes.tags == Change(before=[], after=["billing", "pdf"])
    assert v2.changes.first_response_due_at == Change(
        before=T0 + timedelta(minutes=60), after=T0 + timedelta(minutes=15)
    )
    assert (v2.number, v2.updated_by) == ("CASE-7", "agent-1")
    assert set(v1.changed) == EDITABLE | DUE_TIMES


def test_a_field_the_case_contract_lacks_cannot_be_published():
    case = opened()
    case.update({"subject": "Broken invoice"}, by="agent-1", at=T0)
    [event] = case.pull_events()
    assert isinstance(event, events.CaseUpdated)
    renamed = replace(event, changed={"title": ("Broken", "Broken invoice")})
    with pytest.raises(UnpublishedChange, match="CaseChanges has no field title"):
        translate(renamed)
