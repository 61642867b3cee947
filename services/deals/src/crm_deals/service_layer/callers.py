"""Callers remembered in the users directory: each command's actor, as its verified token describes it.

The deals unit of work runs `remember` before every command, in the command's own transaction, so a
refused request rolls back with everything else and leaves no trace.
"""

from collections.abc import Iterable

from crm_deals.adapters.directories import KnownUser, UserDirectory
from crm_shared.auth import SYSTEM, Principal, Role


async def remember(users: UserDirectory, actor: Principal) -> None:
    """Written only when new or changed (whether a user is active is Admin's say, kept as it is)."""
    if actor.user_id == SYSTEM.user_id:
        return
    known = await users.get(actor.user_id)
    seen = KnownUser(actor.user_id, actor.team, role_names(actor.roles), known.active if known else True)
    if known is None or (known.team, tuple(sorted(known.roles))) != (seen.team, seen.roles):
        await users.save(seen)


def role_names(roles: Iterable[Role | str]) -> tuple[str, ...]:
    return tuple(sorted({Role(r).value for r in roles}))
