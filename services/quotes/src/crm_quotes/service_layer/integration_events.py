"""Which domain events other services hear about, and in which published shapes: the service's whole
table, in one place."""

from crm_quotes.domain import events
from crm_shared.events import Translations, field_for_field, quotes

TRANSLATIONS = Translations("quotes").publish(events.ContractCreated, field_for_field(quotes.ContractCreated))
translate = TRANSLATIONS.translate
