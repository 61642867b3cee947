"""Every field a deal can change reaches its typed `.v2` update event: a field added or renamed in the
domain without its contract fails here, not in a consumer."""

import uuid
from dataclasses import replace
from datetime import date

import pytest

from crm_deals.domain import events
from crm_deals.domain.deal_values import EDITABLE
from crm_deals.domain.model import Deal, Pipeline, Stage, StageKind
from crm_deals.service_layer.integration_events import translate
from crm_shared.events import Change, IntegrationEvent, UnpublishedChange
from crm_shared.events.deals import DealUpdated, DealUpdatedV2

STAGES = (("Prospecting", 10, StageKind.OPEN), ("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST))
ACCOUNT, PRIMARY, SECONDARY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
VALUES = {
    "title": "Refonte du site", "description": "Six pages", "amount_minor": 1_200_000, "currency": "USD",
    "best_case_minor": 1_500_000, "worst_case_minor": 900_000, "probability": 40, "score": 3,
    "expected_close_date": date(2026, 6, 30), "owner_id": "bob", "team": "north", "account_id": ACCOUNT,
    "contact_id": PRIMARY, "contact_ids": [SECONDARY], "tags": ["web", "urgent"],
    "recontact_on": date(2026, 9, 1), "needs_review": False,
}  # fmt: skip
DERIVED = {"probability_overridden", "review_reason"}
"""Fields a change of others moves too: an own probability, a cleared review."""


def pipeline() -> Pipeline:
    stages = tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(STAGES))
    return Pipeline(id=uuid.uuid4(), name="Sales", currency="EUR", stages=stages)


def deal_to_review(p: Pipeline) -> Deal:
    deal = Deal.open(pipeline=p, by="alice", title="Site", amount_minor=1000, owner_id="alice")
    deal.needs_review, deal.review_reason = True, "the account became a customer"
    deal.pull_events()
    return deal


def published(domain_event: object, kind: type[IntegrationEvent]) -> IntegrationEvent:
    [found] = [e for e in translate(domain_event) if isinstance(e, kind)]
    return found


def test_the_sample_covers_every_editable_field():
    assert set(VALUES) == EDITABLE


def test_every_changeable_field_of_a_deal_is_published_typed():
    p = pipeline()
    deal = deal_to_review(p)
    assert deal.update(VALUES, by="bob", stage=p.stages[0])
    [event] = deal.pull_events()
    v2 = published(event, DealUpdatedV2)
    assert isinstance(v2, DealUpdatedV2)
    assert v2.changes.changed_fields() == EDITABLE | DERIVED
    assert v2.changes.expected_close_date == Change(before=None, after=date(2026, 6, 30))
    assert v2.changes.account_id == Change(before=None, after=ACCOUNT)
    assert v2.changes.contact_ids == Change(before=[], after=[SECONDARY])
    assert v2.changes.needs_review == Change(before=True, after=False)
    assert v2.changes.review_reason == Change(before="the account became a customer", after=None)
    assert (v2.title, v2.owner_id, v2.account_id) == ("Refonte du site", "bob", ACCOUNT)
    assert set(published(event, DealUpdated).changed) == EDITABLE | DERIVED  # v1 is still published


def test_a_reorder_in_the_column_is_published_typed():
    p = pipeline()
    deal = deal_to_review(p)
    before = deal.rank
    deal.move(pipeline=p, stage=p.stages[0], by="bob", rank=before - 1)
    [event] = deal.pull_events()
    v2 = published(event, DealUpdatedV2)
    assert isinstance(v2, DealUpdatedV2)
    assert v2.changes.rank == Change(before=before, after=before - 1)
    assert v2.changes.changed_fields() == {"rank"}


def test_a_field_the_deal_contract_lacks_cannot_be_published():
    p = pipeline()
    deal = deal_to_review(p)
    deal.update({"title": "Audit"}, by="bob")
    [event] = deal.pull_events()
    assert isinstance(event, events.DealUpdated)
    renamed = replace(event, changed={"headline": ("Site", "Audit")})
    with pytest.raises(UnpublishedChange, match="DealChanges has no field headline"):
        translate(renamed)
