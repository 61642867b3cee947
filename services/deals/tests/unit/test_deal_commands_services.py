"""The users directory (callers remembered, owners checked) on the fake unit of work, and the command
schemas."""

import uuid

import pytest
from pydantic import ValidationError

from crm_deals.adapters.directories import KnownUser
from crm_deals.entrypoints.schemas import DealCreate, DealLose, DealUpdate
from crm_deals.service_layer import callers, users
from crm_shared.auth import SYSTEM, Principal, Role
from crm_shared.errors import InvalidInput
from services.deals.tests.unit.fakes import FakeDealsUnitOfWork


async def test_callers_are_recorded_once_and_again_only_when_their_token_differs():
    uow = FakeDealsUnitOfWork()
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
    uow = FakeDealsUnitOfWork(users=[KnownUser("carol", "a", ("sales",), False)])
    await callers.remember(uow.users, Principal(user_id="carol", roles=frozenset({Role.SALES}), team="b"))
    assert uow.users.rows["carol"] == KnownUser("carol", "b", ("sales",), False)
    with pytest.raises(InvalidInput) as refused:
        await users.check_owner(uow, "carol")
    assert refused.value.extra["errors"][0]["field"] == "owner_id"


async def test_owners_must_be_known_users_with_a_deals_role():
    uow = FakeDealsUnitOfWork(
        users=[KnownUser("dave", None, (), True), KnownUser("erin", None, ("support",), True)]
    )
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
