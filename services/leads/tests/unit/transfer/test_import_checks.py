"""Import rows read from their cells, then checked with the HTTP API's schemas; errors name the
file's columns."""

from uuid import uuid4

from crm_leads.adapters.transfer.reading import account_values, contact_values, lead_values
from crm_leads.domain.transfer.rows import ImportRow, RowError
from crm_leads.entrypoints.transfer.checks import checked


def lead_row(row: int, raw: dict[str, str], *, phone_region: str | None) -> ImportRow:
    return checked(lead_values(row, raw, phone_region=phone_region))


def contact_row(row: int, raw: dict[str, str], *, phone_region: str | None) -> ImportRow:
    return checked(contact_values(row, raw, phone_region=phone_region))


def account_row(row: int, raw: dict[str, str]) -> ImportRow:
    return checked(account_values(row, raw))


def test_a_lead_row_becomes_the_create_and_update_inputs() -> None:
    row = lead_row(
        3,
        {
            "last_name": "Hopper",
            "first_name": "Grace",
            "emails": "Grace@Navy.mil; g.hopper@example.org",
            "phones": "'+33 1 23 45 67 89",
            "tags": "vip:#ff0000; navy",
            "key_account": "oui",
            "score": "4",
            "city": "Arlington",
            "country": "US",
            "owner_id": "sales-2",
            "external_id": "X-1",
        },
        phone_region=None,
    )
    assert row.create_errors == ()
    assert row.update_errors == ()
    assert row.create.last_name == "Hopper"
    assert row.create.owner_id == "sales-2"
    details = row.create.details
    assert [e.address for e in details["emails"]] == ["Grace@navy.mil", "g.hopper@example.org"]
    assert details["phones"][0].number == "+33 1 23 45 67 89"
    assert [(t.name, t.colour) for t in details["tags"]] == [("vip", "#ff0000"), ("navy", "#9e9e9e")]
    assert details["key_account"] is True
    assert details["score"] == 4
    assert details["address"].city == "Arlington"
    assert "owner_id" not in row.changes  # owners change through assignment
    assert row.changes["score"] == 4
    assert (row.external_id, row.email) == ("X-1", "grace@navy.mil")


def test_every_bad_cell_of_a_lead_row_is_reported_on_its_column() -> None:
    row = lead_row(
        7,
        {
            "emails": "not-an-email",
            "score": "9",
            "country": "France",
            "language": "de",
            "key_account": "peut-être",
        },
        phone_region=None,
    )
    assert row.create is None
    assert row.changes is None
    columns = {e.column for e in row.create_errors}
    assert columns == {"last_name", "emails", "score", "country", "language", "key_account"}
    assert all(e.row == 7 for e in row.create_errors)
    assert "last_name" not in {e.column for e in row.update_errors}  # an update may leave it out


def test_national_phone_numbers_are_read_in_the_imports_region() -> None:
    row = contact_row(2, {"last_name": "Taylor", "phone": "4152568563"}, phone_region="US")
    assert row.create["phones"] == ["+14152568563"]
    as_given = contact_row(2, {"last_name": "T", "phone": "4152568563"}, phone_region=None)
    assert as_given.create["phones"] == ["4152568563"]  # the use case reads it as the API does


def test_a_contact_row_links_an_account_by_id_or_external_id() -> None:
    account = uuid4()
    by_id = contact_row(
        2, {"last_name": "Wu", "account_id": str(account), "account_role": "CEO"}, phone_region=None
    )
    assert by_id.accounts[0].account_id == account
    assert by_id.accounts[0].role == "CEO"
    by_key = contact_row(3, {"last_name": "Wu", "account_external_id": "ACME"}, phone_region=None)
    assert by_key.accounts[0].external_id == "ACME"
    broken = contact_row(4, {"last_name": "Wu", "account_id": "acme"}, phone_region=None)
    assert broken.create_errors == (RowError(4, "account_id", "not an account id (a UUID)"),)


def test_account_address_errors_name_the_address_columns() -> None:
    row = account_row(
        5,
        {"name": "Acme", "delivery_line1": "1 Main St", "delivery_country": "USA", "billing_city": "Paris"},
    )
    columns = {e.column for e in row.create_errors}
    assert columns == {"delivery_country", "billing_line1", "billing_country"}


def test_an_account_is_keyed_by_its_email_domain_or_website() -> None:
    row = account_row(2, {"name": "Acme", "website": "https://www.Acme.example/about", "tags": "a; b"})
    assert row.email == "acme.example"
    assert row.create["tags"] == ("a", "b")
    assert account_row(2, {"name": "Acme", "email_domain": "ACME.fr"}).email == "acme.fr"
