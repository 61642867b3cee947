"""The users deals knows: learnt from the verified tokens of their writes, corrected by Admin.

Owners of deals are checked against this directory: an owner named by a user must be a known, active
user with a role of the deals context. Deals opened by events (conversions, renewals) skip the check:
the user behind the event was checked by the service that published it.
"""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from crm_deals.adapters.directories import KnownUser
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import SYSTEM, Principal, Role, authorize
from crm_shared.errors import InvalidInput, NotFound
from crm_shared.service_layer import Bus

R = TypeVar("R")
READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
DEALS_ROLES = frozenset(Role)  # admin, sales, csm and support all work with deals


async def list_users(*, uow: DealsUnitOfWork, actor: Principal) -> list[KnownUser]:
    authorize(actor, *READERS)
    return await uow.users.all()


async def get_user(*, uow: DealsUnitOfWork, actor: Principal, user_id: str) -> KnownUser:
    authorize(actor, *READERS)
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def put_user(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    user_id: str,
    team: str | None,
    roles: Iterable[Role],
    active: bool,
) -> KnownUser:
    """Admin registers a user before their first request, or deactivates one who left."""
    authorize(actor)  # admin only
    user = KnownUser(user_id, team, _role_names(roles), active)
    if await uow.users.get(user_id) != user:
        await uow.users.save(user)
    return user


async def remember(uow: DealsUnitOfWork, actor: Principal) -> None:
    """The caller as its token describes it; written only when new or changed (active is Admin's say)."""
    if actor.user_id == SYSTEM.user_id:
        return
    known = await uow.users.get(actor.user_id)
    seen = KnownUser(actor.user_id, actor.team, _role_names(actor.roles), known.active if known else True)
    if known is None or (known.team, tuple(sorted(known.roles))) != (seen.team, seen.roles):
        await uow.users.save(seen)


async def check_owner(uow: DealsUnitOfWork, owner_id: str, *, field: str = "owner_id") -> KnownUser:
    user = await uow.users.get(owner_id)
    if user is None or not user.active or not DEALS_ROLES & set(user.roles):
        raise InvalidInput(field, f"{owner_id!r} is not an active user of deals (sales, csm, support, admin)")
    return user


async def team_of(uow: DealsUnitOfWork, user_id: str) -> str | None:
    user = await uow.users.get(user_id)
    return user.team if user else None


class RecordingBus(Bus[DealsUnitOfWork]):
    """`execute` records the caller in the directory, in the use case's own transaction.

    A refused request rolls back with everything else, so it leaves no trace either.
    """

    async def execute(self, use_case: Callable[..., Awaitable[R]], /, **kwargs: Any) -> R:
        async def recorded(*, uow: DealsUnitOfWork, actor: Principal, **arguments: Any) -> R:
            await remember(uow, actor)
            return await use_case(uow=uow, actor=actor, **arguments)

        return await super().execute(recorded, **kwargs)


def _role_names(roles: Iterable[Role | str]) -> tuple[str, ...]:
    return tuple(sorted({Role(r).value for r in roles}))
