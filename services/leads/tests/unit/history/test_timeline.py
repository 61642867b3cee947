"""The timeline projection files any domain event under every record it names."""

from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain import events
from crm_leads.domain.history.timeline import entries_of, event_type_name
from crm_leads.service_layer.history.timeline import history_entries
from crm_shared.ids import new_id


@dataclass(frozen=True)
class ContactsMerged:
    survivor_id: UUID
    merged_ids: tuple[UUID, ...]
    merged_by: str


def test_field_changes_keep_old_and_new_values_and_the_actor():
    lead_id = new_id()
    [entry] = history_entries([events.LeadUpdated(lead_id, {"score": (1, 4)}, "alice")])
    assert (entry.subject_id, entry.subject_field, entry.event_type, entry.actor) == (
        lead_id,
        "lead_id",
        "lead_updated",
        "alice",
    )
    assert entry.data == {"lead_id": str(lead_id), "changed": {"score": [1, 4]}, "updated_by": "alice"}


def test_an_event_about_several_records_lands_in_each_timeline():
    lead_id, account_id, contact_id = new_id(), new_id(), new_id()
    event = events.LeadConverted(lead_id, account_id, contact_id, None, "bob")
    assert {e.subject_id for e in history_entries([event])} == {lead_id, account_id, contact_id}


def test_events_of_other_modules_are_projected_without_knowing_them():
    survivor, merged = new_id(), (new_id(), new_id())
    found = history_entries([ContactsMerged(survivor, merged, "carol")])
    assert [(e.subject_id, e.subject_field) for e in found] == [
        (survivor, "survivor_id"),
        (merged[0], "merged_ids"),
        (merged[1], "merged_ids"),
    ]
    assert {e.actor for e in found} == {"carol"}
    assert event_type_name(ContactsMerged(survivor, merged, "c")) == "contacts_merged"


@dataclass(frozen=True)
class SettingsReloaded:
    by: str


def test_events_that_name_no_record_are_not_kept():
    assert entries_of(object(), {}) == []
    assert history_entries([SettingsReloaded("admin")]) == []
