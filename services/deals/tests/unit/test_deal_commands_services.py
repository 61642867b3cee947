"""Loss with potential, the users directory and the command schemas, with fakes instead of a database."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from pydantic import ValidationError

from crm_deals.adapters.directories import KnownUser
from crm_deals.domain import events
from crm_deals.domain.model import Deal, DealStatus, Pipeline, Stage, StageKind
from crm_deals.domain.pipelines import PipelineSettings
from crm_deals.entrypoints.schemas import DealCreate, DealLose, DealUpdate
from crm_deals.service_layer import callers, closing, users
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import SYSTEM, Principal, Role
from crm_shared.errors import InvalidInput


def pipeline(name: str, *, cold: bool = False) -> Pipeline:
    kinds = [("Open", 10, StageKind.OPEN), ("Won", 100, StageKind.WON), ("Lost", 0, StageKind.LOST)]
    stages = tuple(Stage(uuid.uuid4(), n, i, p, k) for i, (n, p, k) in enumerate(kinds))
    settings = PipelineSettings(is_cold_leads_pipeline=cold)
    return Pipeline(id=uuid.uuid4(), name=name, currency="EUR", stages=stages, settings=settings)


class FakePipelines:
    def __init__(self, *pipelines: Pipeline) -> None:
        self.by_id = {p.id: p for p in pipelines}

    async def get(self, pipeline_id: uuid.UUID) -> Pipeline:
        return self.by_id[pipeline_id]

    async def cold_leads(self) -> Pipeline:
        return next(p for p in self.by_id.values() if p.settings.is_cold_leads_pipeline)


class FakeDeals:
    def __init__(self) -> None:
        self.added: list[Deal] = []
        self.updated: list[Deal] = []

    async def add(self, deal: Deal) -> None:
        self.added.append(deal)

    async def update(self, deal: Deal) -> None:
        self.updated.append(deal)


class FakeUsers:
    def __init__(self, *known: KnownUser) -> None:
        self.rows = {u.id: u for u in known}
        self.saves = 0

    async def get(self, user_id: str) -> KnownUser | None:
        return self.rows.get(user_id)

    async def save(self, user: KnownUser) -> None:
        self.rows[user.id] = user
        self.saves += 1


class FakeUnitOfWork:
    def __init__(self, *pipelines: Pipeline, known: tuple[KnownUser, ...] = ()) -> None:
        self.pipelines = FakePipelines(*pipelines)
        self.deals = FakeDeals()
        self.users = FakeUsers(*known)


def fake(*pipelines: Pipeline, known: tuple[KnownUser, ...] = ()) -> Any:
    return cast(DealsUnitOfWork, FakeUnitOfWork(*pipelines, known=known))


def open_deal(p: Pipeline) -> Deal:
    deal = Deal.open(pipeline=p, by="alice", title="Site", amount_minor=5000, owner_id="alice", team="a")
    deal.pull_events()
    return deal


async def test_a_loss_with_potential_opens_a_linked_follow_up_in_cold_leads():
    sales, cold = pipeline("SALES SQUAD"), pipeline("COLD LEADS", cold=True)
    uow, deal = fake(sales, cold), open_deal(sales)
    later = datetime.now(UTC).date() + timedelta(days=90)
    potential = closing.Potential(recontact_on=later, amount_minor=3000)
    follow_up = await closing.lose(uow, deal, reason="timing", by="bob", potential=potential)
    assert follow_up is not None
    assert uow.deals.added == [follow_up]
    assert (follow_up.pipeline_id, follow_up.follow_up_of, follow_up.recontact_on) == (
        cold.id,
        deal.id,
        later,
    )
    assert (follow_up.title, follow_up.amount_minor, follow_up.owner_id) == ("Site", 3000, "alice")
    assert (deal.status, deal.recontact_on) == (DealStatus.LOST, later)
    [lost] = deal.pull_events()
    assert isinstance(lost, events.DealLost)
    assert (lost.follow_up_deal_id, lost.recontact_on) == (follow_up.id, later)


async def test_a_recontact_date_in_the_past_is_refused_and_nothing_changes():
    sales, cold = pipeline("SALES SQUAD"), pipeline("COLD LEADS", cold=True)
    uow, deal = fake(sales, cold), open_deal(sales)
    potential = closing.Potential(recontact_on=date(2020, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        await closing.lose(uow, deal, reason="timing", by="bob", potential=potential)
    assert refused.value.extra["errors"] == [
        {"field": "potential.recontact_on", "message": "a recontact date is in the future"}
    ]
    assert (deal.status, uow.deals.added, uow.deals.updated) == (DealStatus.OPEN, [], [])


async def test_callers_are_recorded_once_and_again_only_when_their_token_differs():
    uow = fake()
    alice = Principal(user_id="alice", roles=frozenset({Role.SALES, Role.CSM}), team="a")
    await callers.remember(uow.users, alice)
    await callers.remember(uow.users, alice)
    assert uow.users.saves == 1
    assert uow.users.rows["alice"] == KnownUser("alice", "a", ("csm", "sales"), True)
    await callers.remember(uow.users, alice.model_copy(update={"team": "b"}))
    assert (uow.users.saves, uow.users.rows["alice"].team) == (2, "b")
    await callers.remember(uow.users, SYSTEM)
    assert "system" not in uow.users.rows


async def test_a_deactivated_user_stays_inactive_when_seen_again_and_cannot_own_deals():
    uow = fake(known=(KnownUser("carol", "a", ("sales",), False),))
    await callers.remember(uow.users, Principal(user_id="carol", roles=frozenset({Role.SALES}), team="b"))
    assert uow.users.rows["carol"] == KnownUser("carol", "b", ("sales",), False)
    with pytest.raises(InvalidInput) as refused:
        await users.check_owner(uow, "carol")
    assert refused.value.extra["errors"][0]["field"] == "owner_id"


async def test_owners_must_be_known_users_with_a_deals_role():
    uow = fake(known=(KnownUser("dave", None, (), True), KnownUser("erin", None, ("support",), True)))
    for unknown in ("nobody", "dave"):
        with pytest.raises(InvalidInput):
            await users.check_owner(uow, unknown, field="potential.owner_id")
    assert (await users.check_owner(uow, "erin")).id == "erin"


def test_an_update_tells_absent_fields_from_nulls():
    update = DealUpdate.model_validate({"probability": None, "description": None, "score": 3})
    assert update.values() == {"probability": None, "description": None, "score": 3}
    assert DealUpdate.model_validate({}).values() == {}


@pytest.mark.parametrize("field", ["title", "amount_minor", "owner_id", "tags", "currency"])
def test_fields_that_always_hold_a_value_cannot_be_nulled(field: str):
    with pytest.raises(ValidationError) as refused:
        DealUpdate.model_validate({field: None})
    assert refused.value.errors()[0]["loc"] == (field,)


def test_inputs_refuse_unknown_fields_and_bad_values():
    for body, field in (
        ({"status": "won"}, "status"),
        ({"score": 6}, "score"),
        ({"amount_minor": -1}, "amount_minor"),
        ({"needs_review": True}, "needs_review"),
        ({"currency": "euro"}, "currency"),
    ):
        with pytest.raises(ValidationError) as refused:
            DealUpdate.model_validate(body)
        assert refused.value.errors()[0]["loc"][0] == field
    with pytest.raises(ValidationError):
        DealLose.model_validate({"reason": "x", "potential": {"title": "later"}})


def test_a_creation_leaves_owner_and_team_to_their_defaults_unless_given():
    body = DealCreate.model_validate(
        {"title": " Site ", "amount_minor": 10, "pipeline_id": str(uuid.uuid4())}
    )
    assert body.values() == {"title": "Site", "amount_minor": 10}
    assert DealCreate.model_validate({"title": "x", "amount_minor": 1, "team": None}).values()["team"] is None
