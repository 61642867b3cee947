"""HTTP API of the notifier service, mounted at `/v1`: the recipients directory and, for inspection, what
was sent."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from crm_notifier.domain.model import NotificationStatus, Recipient
from crm_notifier.entrypoints.schemas import (
    NotificationPublic,
    RecipientPublic,
    RecipientPut,
    ReminderPublic,
)
from crm_notifier.service_layer import use_cases
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["notifier"])
UserId = Annotated[str, Path(min_length=1, max_length=128)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
ADMIN_ONLY: dict[int | str, dict[str, str]] = {403: {"description": "Administrators only"}}


@router.put("/recipients/{user_id}", responses=ADMIN_ONLY)
async def put_recipient(user_id: UserId, body: RecipientPut, bus: BusDep) -> RecipientPublic:
    recipient = Recipient(user_id=user_id, email=body.email, name=body.name, language=body.language)
    return RecipientPublic.of(await bus.execute(use_cases.put_recipient, recipient=recipient))


@router.get("/recipients/{user_id}", responses=ADMIN_ONLY)
async def get_recipient(user_id: UserId, bus: BusDep) -> RecipientPublic:
    return RecipientPublic.of(await bus.read(use_cases.get_recipient, user_id=user_id))


@router.get("/notifications", responses=ADMIN_ONLY)
async def list_notifications(
    bus: BusDep,
    *,
    notification_status: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    template: Annotated[str | None, Query(max_length=64)] = None,
    recipient: Annotated[str | None, Query(max_length=320)] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[NotificationPublic]:
    found = await bus.read(
        use_cases.list_notifications,
        status=notification_status,
        template=template,
        recipient=recipient,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return page_of(found, limit=limit, public=NotificationPublic.of)


@router.get("/notifications/{notification_id}", responses=ADMIN_ONLY)
async def get_notification(notification_id: UUID, bus: BusDep) -> NotificationPublic:
    return NotificationPublic.of(await bus.read(use_cases.get_notification, notification_id=notification_id))


@router.get("/reminders", responses=ADMIN_ONLY)
async def list_reminders(
    bus: BusDep, contract_id: UUID | None = None, cursor: str | None = None, limit: Limit = 50
) -> Page[ReminderPublic]:
    found = await bus.read(
        use_cases.list_reminders, contract_id=contract_id, after=decode_cursor(cursor), limit=limit
    )
    return page_of(found, limit=limit, public=ReminderPublic.of)
