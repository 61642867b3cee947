"""Lead field values as the domain keeps them: normalised contact details, reference-list values."""

from typing import TYPE_CHECKING, Any

from crm_leads.domain import values as field_values
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.references import INLINE_KINDS, ReferenceKind, ReferenceValue
from crm_shared.auth import Principal, Role
from crm_shared.errors import InvalidInput

if TYPE_CHECKING:  # the unit of work imports the service layer's projection
    from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork


async def prepare(
    uow: "LeadsUnitOfWork",
    actor: Principal,
    values: dict[str, Any],
    *,
    address: PostalAddress | None,
    language: str,
) -> dict[str, Any]:
    """Normalise `values` (a subset of the editable fields); `address`/`language` are the lead's
    current ones, used to read national phone numbers when the change does not set them."""
    out = dict(values)
    if "emails" in out:
        out["emails"] = field_values.emails(out["emails"])
    if "phones" in out:
        region = field_values.phone_region(out.get("address", address), out.get("language", language))
        out["phones"] = field_values.phones(out["phones"], region=region)
    if "tags" in out:
        out["tags"] = field_values.tags(out["tags"])
    for kind in ReferenceKind:
        if out.get(kind) is not None:
            out[kind] = await reference_value(uow, actor, kind, out[kind])
    return out


async def reference_value(uow: "LeadsUnitOfWork", actor: Principal, kind: ReferenceKind, value: str) -> str:
    """The list's spelling of `value`; salespeople add new functions, departments and sectors."""
    found = await uow.references.find(kind, value)
    if found is not None:
        if not found.active:
            raise InvalidInput(kind.value, f"{found.value!r} is no longer in use")
        return found.value
    if kind not in INLINE_KINDS:
        raise InvalidInput(kind.value, f"{value!r} is not in the list of {kind.value} values")
    if not actor.has_any(Role.ADMIN, Role.SALES):
        raise InvalidInput(kind.value, f"{value!r} is not in the list")
    created = await uow.references.add(ReferenceValue.new(kind, value, by=actor.user_id))
    return created.value
