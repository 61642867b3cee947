"""HTTP API of lead conversion (`POST /v1/leads/{id}/convert`)."""

from uuid import UUID

from fastapi import APIRouter

from crm_leads.domain.events import DealRequest
from crm_leads.entrypoints.account_schemas import AccountPublic, ContactPublic
from crm_leads.entrypoints.conversion_schemas import ConversionPublic, LeadConvert
from crm_leads.entrypoints.schemas import LeadPublic
from crm_leads.service_layer import conversion
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1/leads", tags=["leads"])


@router.post("/{lead_id}/convert", responses={409: {"description": "Already converted or lost"}})
async def convert_lead(lead_id: UUID, body: LeadConvert, bus: BusDep) -> ConversionPublic:
    deal = (
        DealRequest(
            title=body.deal.title,
            amount_minor=body.deal.amount_minor,
            currency=body.deal.currency,
            owner_id=body.deal.owner_id or bus.actor.user_id,
        )
        if body.deal
        else None
    )
    result = await bus.execute(
        conversion.convert_lead, lead_id=lead_id, deal=deal, create_contact=body.create_contact
    )
    return ConversionPublic(
        lead=LeadPublic.of(result.lead),
        account=AccountPublic.of(result.account),
        contact=ContactPublic.of(result.contact) if result.contact else None,
    )
