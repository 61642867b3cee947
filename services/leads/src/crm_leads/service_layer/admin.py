"""Admin settings of leads: the status list and the reference lists. Everyone reads; admin edits."""

from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain.references import ReferenceKind, ReferenceValue
from crm_leads.domain.statuses import StatusBoard, StatusDefinition
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.text_keys import NameTaken

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)


@dataclass(frozen=True)
class StatusChange:
    label_en: str | None = None
    label_fr: str | None = None


async def list_statuses(*, uow: LeadsUnitOfWork, actor: Principal) -> StatusBoard:
    authorize(actor, *READERS)
    return await uow.statuses.board()


async def add_status(*, uow: LeadsUnitOfWork, actor: Principal, status: StatusDefinition) -> StatusDefinition:
    """A new status, placed at `position` (the others below it move down one)."""
    authorize(actor)
    board = await uow.statuses.lock()
    board.check_new(status)
    order = [s.key for s in board.statuses]
    order.insert(min(status.position, len(order)), status.key)
    status.position = order.index(status.key)
    await uow.statuses.add(status)
    await _save_order(uow, StatusBoard([*board.statuses, status]), order)
    return status


async def change_status(
    *, uow: LeadsUnitOfWork, actor: Principal, key: str, change: StatusChange
) -> StatusDefinition:
    """Labels change; whether a status is open does not (leads in it rely on it)."""
    authorize(actor)
    board = await uow.statuses.lock()
    status = board.get(key)
    status.label_en = change.label_en or status.label_en
    status.label_fr = change.label_fr or status.label_fr
    board.check_labels(status)
    await uow.statuses.save(status)
    return status


async def reorder_statuses(
    *, uow: LeadsUnitOfWork, actor: Principal, keys: list[str]
) -> list[StatusDefinition]:
    authorize(actor)
    board = await uow.statuses.lock()
    ordered = board.reordered(keys)  # every status, each once
    for status in ordered:
        await uow.statuses.save(status)
    return ordered


async def remove_status(*, uow: LeadsUnitOfWork, actor: Principal, key: str) -> None:
    authorize(actor)
    board = await uow.statuses.lock()
    board.check_removable(key, leads_in_it=await uow.statuses.leads_in(key))
    await uow.statuses.remove(key)
    await _save_order(uow, board, [s.key for s in board.statuses if s.key != key])


async def _save_order(uow: LeadsUnitOfWork, board: StatusBoard, keys: list[str]) -> list[StatusDefinition]:
    ordered = StatusBoard(s for s in board.statuses if s.key in keys).reordered(keys)
    for status in ordered:
        await uow.statuses.save(status)
    return ordered


async def list_references(
    *, uow: LeadsUnitOfWork, actor: Principal, kind: ReferenceKind | None, include_inactive: bool
) -> list[ReferenceValue]:
    authorize(actor, *READERS)
    return await uow.references.values(kind=kind, include_inactive=include_inactive)


async def add_reference(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    kind: ReferenceKind,
    value: str,
    label_en: str | None,
    label_fr: str | None,
) -> ReferenceValue:
    authorize(actor)
    new = ReferenceValue.new(kind, value, by=actor.user_id, label_en=label_en, label_fr=label_fr)
    if await uow.references.find(kind, value) is not None:
        raise NameTaken("value", f"{kind.value} {value!r} is already in the list", "reference_exists")
    return await uow.references.add(new)


async def change_reference(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    reference_id: UUID,
    label_en: str | None,
    label_fr: str | None,
    active: bool | None,
) -> ReferenceValue:
    """Labels and retirement; the value itself stays, since leads hold it."""
    authorize(actor)
    reference = await uow.references.get(reference_id)
    reference.label_en = label_en if label_en is not None else reference.label_en
    reference.label_fr = label_fr if label_fr is not None else reference.label_fr
    reference.active = active if active is not None else reference.active
    await uow.references.save(reference)
    return reference
