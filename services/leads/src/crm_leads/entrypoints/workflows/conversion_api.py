"""HTTP API of lead conversion (`POST /v1/leads/{id}/convert`)."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi import Response as HttpResponse

from crm_leads.adapters.workflows.tables import idempotency_keys
from crm_leads.entrypoints.accounts.schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.entrypoints.workflows.conversion_schemas import (
    ConversionPublic,
    ConversionRecordPublic,
    LeadConvert,
)
from crm_leads.service_layer.workflows import conversion
from crm_leads.service_layer.workflows.conversion import AccountChoice, ContactChoice, ContactMode
from crm_shared.http.idempotency import IdempotencyKey, Response, execute_idempotent
from crm_shared.runtime import BusDep

router = APIRouter(tags=["leads"])


@router.post(
    "/{lead_id}/convert",
    response_model=ConversionPublic,
    summary="Convert a lead into an account, a contact and a deal",
    description="One transaction: opens or links the account, opens, links or skips the contact, and "
    "publishes one LeadConverted (the deals service opens the deal). The lead stays, read-only, linked "
    "to what it became. A retry with the same `Idempotency-Key` replays the first response "
    "(header `Idempotent-Replayed: true`); a concurrent second conversion is answered 409.",
    responses={
        409: {"description": "Already converted, lost, or likely duplicate accounts (`candidates`)"},
        422: {"description": "Invalid input, or an `Idempotency-Key` reused for another request"},
    },
)
async def convert_lead(
    lead_id: UUID, body: LeadConvert, bus: BusDep, request: Request, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    response = await execute_idempotent(
        bus,
        conversion.convert_lead,
        table=idempotency_keys,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        request=body.model_dump(mode="json"),
        render=_render,
        lead_id=lead_id,
        account=AccountChoice(existing_id=body.account.id, confirm_new=body.account.confirm_new),
        contact=ContactChoice(mode=ContactMode(body.contact.mode), existing_id=body.contact.id),
        deal=body.deal.request(bus.actor.user_id) if body.deal else None,
    )
    return response.as_http()


def _render(result: conversion.Conversion) -> Response:
    public = ConversionPublic(
        lead=LeadPublic.of(result.lead),
        account=AccountPublic.of(result.account),
        contact=ContactPublic.of(result.contact) if result.contact else None,
        conversion=ConversionRecordPublic.of(result.record),
    )
    return Response.json(200, public.model_dump(mode="json"))


@router.get(
    "/{lead_id}/conversion",
    summary="What a converted lead became",
    description="The account, contact and requested deal of a converted lead; 404 if not converted.",
)
async def get_conversion(lead_id: UUID, bus: BusDep) -> ConversionRecordPublic:
    return ConversionRecordPublic.of(await bus.read(conversion.get_conversion, lead_id=lead_id))
