import uuid

import pytest

from crm_leads.domain.merge import merged_changes
from crm_shared.errors import InvalidInput

S, D1, D2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
FIELDS = ["email", "phone", "company_name", "job_title"]
RECORDS = {
    S: {"email": "a@x.example", "phone": None, "company_name": "X", "job_title": ""},
    D1: {"email": "b@x.example", "phone": "+33612345678", "company_name": "X SAS", "job_title": None},
    D2: {"email": None, "phone": "+33700000000", "company_name": None, "job_title": "CTO"},
}


def test_survivor_keeps_its_values_and_fills_gaps_from_duplicates():
    changes = merged_changes(survivor_id=S, records=RECORDS, mergeable=FIELDS, choices={})
    assert changes == {"phone": (None, "+33612345678"), "job_title": ("", "CTO")}


def test_explicit_choices_win_field_by_field():
    changes = merged_changes(
        survivor_id=S, records=RECORDS, mergeable=FIELDS, choices={"email": D1, "phone": D2}
    )
    assert changes["email"] == ("a@x.example", "b@x.example")
    assert changes["phone"] == (None, "+33700000000")
    assert "company_name" not in changes


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"survivor_id": uuid.uuid4()}, "survivor_id"),
        ({"choices": {"id": D1}}, "choices.id"),
        ({"choices": {"email": uuid.uuid4()}}, "choices.email"),
        ({"records": {S: RECORDS[S]}}, "ids"),
    ],
)
def test_invalid_merges_name_the_field(kwargs, field):
    arguments = {"survivor_id": S, "records": RECORDS, "mergeable": FIELDS, "choices": {}} | kwargs
    with pytest.raises(InvalidInput) as raised:
        merged_changes(**arguments)
    assert raised.value.extra["errors"][0]["field"] == field
