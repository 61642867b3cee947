"""The users deals knows: learnt from the verified tokens of their writes, corrected by Admin.

Owners of deals are checked against this directory: an owner named by a user must be a known, active
user with a role of the deals context. Deals opened by events (conversions, renewals) skip the check:
the user behind the event was checked by the service that published it.
"""

from collections.abc import Iterable

from crm_deals.adapters.directories import KnownUser
from crm_deals.service_layer.callers import role_names
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import InvalidInput, NotFound

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
    user = KnownUser(user_id, team, role_names(roles), active)
    if await uow.users.get(user_id) != user:
        await uow.users.save(user)
    return user


async def check_owner(uow: DealsUnitOfWork, owner_id: str, *, field: str = "owner_id") -> KnownUser:
    user = await uow.users.get(owner_id)
    if user is None or not user.active or not DEALS_ROLES & set(user.roles):
        raise InvalidInput(field, f"{owner_id!r} is not an active user of deals (sales, csm, support, admin)")
    return user


async def team_of(uow: DealsUnitOfWork, user_id: str) -> str | None:
    user = await uow.users.get(user_id)
    return user.team if user else None
