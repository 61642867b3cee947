"""Web-to-lead intake: admin-managed forms and the public submissions that create or complete leads."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog

from crm_leads.domain.model import Lead
from crm_leads.domain.references import ReferenceKind
from crm_leads.domain.workflows.intake import FormEntry, FormSubmitted, IntakeForm, RateLimit, fill_empty
from crm_leads.service_layer.inputs import reference_value
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_leads.service_layer.workflows.assignment import assign_by_rules
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict
from crm_shared.ids import new_id

log = structlog.get_logger()
READERS = (Role.SALES, Role.CSM, Role.SUPPORT)


def form_principal(form_key: str) -> Principal:
    """Who acts for a public submission: the form itself (its key is the credential), with no role."""
    return Principal(user_id=f"web-form:{form_key}")


async def count_request(
    *, uow: LeadsUnitOfWork, actor: Principal, client: str, limit: RateLimit, now: datetime
) -> int | None:
    """Count the request in its window (its own transaction); seconds to wait when over the limit."""
    window = limit.window(now)
    hits = await uow.rate_windows.hit(client=client, window_start=window)
    await uow.rate_windows.forget_before(window - timedelta(seconds=limit.window_s))
    return limit.retry_after(now) if hits > limit.limit else None


async def submit_form(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    form_key: str,
    submission: Mapping[str, object],
    origin: str | None,
    client: str | None,
) -> UUID | None:
    """The lead the submission created or completed; None for spam (stored nowhere)."""
    form = await uow.forms.by_key(form_key)
    form.admit(origin)
    entry = form.read(submission)
    if entry.spam:
        log.info("leads.form_submission.trapped", form_key=form_key)
        return None
    email = entry.values["email"]
    # Two submissions of one address at once must not both miss the other's new lead.
    await uow.locks.acquire(f"intake-email:{email}")
    # The most recent open lead with this address (ids are time-ordered).
    open_lead = max((lead.id for lead in await uow.leads.find_open_by_email(email)), default=None)
    submission_id = new_id()
    if open_lead is not None:
        lead = await _complete(
            uow, lead_id=open_lead, form=form, entry=entry, submission_id=submission_id, by=actor
        )
    else:
        lead = await _create(uow, form=form, entry=entry, submission_id=submission_id, by=actor)
    await uow.form_submissions.add(
        id=submission_id,
        form_id=form.id,
        lead_id=lead.id,
        outcome="updated" if open_lead else "created",
        fields=entry.values,
        consents=entry.consents,
        client_address=client,
        received_at=datetime.now(UTC),
    )
    return lead.id


async def _complete(
    uow: LeadsUnitOfWork,
    *,
    lead_id: UUID,
    form: IntakeForm,
    entry: FormEntry,
    submission_id: UUID,
    by: Principal,
) -> Lead:
    lead = await uow.leads.get(lead_id, for_update=True)
    filled = fill_empty(lead, entry.values)
    lead.record(
        FormSubmitted(lead.id, form.form_key, submission_id, False, filled, entry.consents, by.user_id)
    )
    if filled:
        await uow.leads.update(lead)
    else:
        uow.track(lead)  # nothing to write, but the submission still reaches the timeline
    return lead


async def _create(
    uow: LeadsUnitOfWork, *, form: IntakeForm, entry: FormEntry, submission_id: UUID, by: Principal
) -> Lead:
    values = dict(entry.values)
    first = (await uow.statuses.board()).first_open()
    lead = Lead.create(
        last_name=values.pop("last_name"),
        language=values.pop("language", "en"),
        source=form.source,
        team=form.team,
        owner_id=None,
        created_by=by.user_id,
        status=first.key,
        **values,
    )
    await assign_by_rules(uow=uow, lead=lead, team=form.team, by=by.user_id)
    lead.record(FormSubmitted(lead.id, form.form_key, submission_id, True, {}, entry.consents, by.user_id))
    await uow.leads.add(lead)
    return lead


async def create_form(*, uow: LeadsUnitOfWork, actor: Principal, values: dict[str, Any]) -> IntakeForm:
    authorize(actor)  # admin only
    values = await _known_source(uow, actor, values)
    if await uow.forms.key_taken(values["form_key"]):
        raise Conflict(f"form key {values['form_key']} is taken", code="form_key_taken")
    form = IntakeForm.create(**values)
    await uow.forms.add(form)
    return form


async def change_form(
    *, uow: LeadsUnitOfWork, actor: Principal, form_key: str, version: int | None, changes: dict[str, Any]
) -> IntakeForm:
    authorize(actor)
    changes = await _known_source(uow, actor, changes)
    form = await uow.forms.by_key(form_key)
    form.check_version(version)
    for name, value in changes.items():
        setattr(form, name, value)
    form.check()
    await uow.forms.update(form)
    return form


async def get_form(*, uow: LeadsUnitOfWork, actor: Principal, form_key: str) -> IntakeForm:
    authorize(actor, *READERS)
    return await uow.forms.by_key(form_key)


async def list_forms(
    *, uow: LeadsUnitOfWork, actor: Principal, after: UUID | None, limit: int
) -> list[IntakeForm]:
    authorize(actor, *READERS)
    return await uow.forms.page(after=after, limit=limit)


async def list_submissions(
    *, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID, after: UUID | None, limit: int
) -> list[dict[str, Any]]:
    authorize(actor, *READERS)
    await uow.leads.get(lead_id)
    return await uow.form_submissions.of_lead(lead_id, after=after, limit=limit)


async def _known_source(uow: LeadsUnitOfWork, actor: Principal, values: dict[str, Any]) -> dict[str, Any]:
    """A form's source must be one of the admin-managed sources, in the list's spelling."""
    if not values.get("source"):
        return values
    return values | {"source": await reference_value(uow, actor, ReferenceKind.SOURCE, values["source"])}
