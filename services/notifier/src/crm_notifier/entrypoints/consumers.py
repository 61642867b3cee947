"""Integration events the notifier consumes, and the use case each one runs."""

from collections.abc import Mapping
from functools import partial

from crm_notifier.service_layer import case_notifications, close_requests, use_cases
from crm_notifier.service_layer.notifications import MailDefaults
from crm_shared.events import IntegrationEvent
from crm_shared.events.cases import CaseMessageAdded, CaseOpened, CaseStatusChanged, MailAddressBounced
from crm_shared.events.deals import DealCloseRequestDecided, DealCloseRequested, DealWon
from crm_shared.events.quotes import ContractCreated
from crm_shared.messaging.consumer import Handler


def handlers(defaults: MailDefaults) -> Mapping[type[IntegrationEvent], Handler]:
    return {
        DealWon: partial(use_cases.notify_deal_won, defaults=defaults),
        DealCloseRequested: partial(close_requests.notify_close_requested, defaults=defaults),
        DealCloseRequestDecided: partial(close_requests.notify_close_request_decided, defaults=defaults),
        CaseOpened: partial(case_notifications.acknowledge_case, defaults=defaults),
        CaseMessageAdded: partial(case_notifications.send_case_reply, defaults=defaults),
        CaseStatusChanged: partial(case_notifications.notify_case_resolved, defaults=defaults),
        MailAddressBounced: case_notifications.record_bounced_address,
        ContractCreated: use_cases.schedule_contract_renewal,
    }
