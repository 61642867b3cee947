import uuid

import pytest

from crm_shared.errors import InvalidInput
from crm_shared.ids import new_id
from crm_shared.pagination import decode_cursor, encode_cursor


def test_cursor_round_trip():
    ident = new_id()
    assert decode_cursor(encode_cursor(ident)) == ident
    assert decode_cursor(None) is None


@pytest.mark.parametrize("cursor", ["***", "abc", "AAAA"])
def test_malformed_cursor_names_the_field(cursor):
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor)
    assert raised.value.extra["errors"][0]["field"] == "cursor"


def test_ids_are_time_ordered():
    first, second = new_id(), new_id()
    assert first < second
    assert isinstance(first, uuid.UUID)


@pytest.mark.parametrize(
    ("header", "version"), [('"3"', 3), ('W/"3"', 3), ("3", 3), ("*", None), (None, None)]
)
def test_if_match_forms(header, version):
    from crm_shared.http.conditional import expected_version

    assert expected_version(header) == version


def test_malformed_if_match_names_the_header():
    from crm_shared.http.conditional import expected_version

    with pytest.raises(InvalidInput) as raised:
        expected_version('"three"')
    assert raised.value.extra["errors"][0]["field"] == "header.If-Match"


def test_stale_versions_are_refused():
    from crm_shared.domain import Aggregate
    from crm_shared.errors import PreconditionFailed

    aggregate = Aggregate(version=4)
    aggregate.check_version(4)
    aggregate.check_version(None)
    with pytest.raises(PreconditionFailed):
        aggregate.check_version(3)
