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
