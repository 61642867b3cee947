"""Merging records: the survivor keeps its values except where the user picked another record's.

The choice is field by field. A field left unchosen keeps the survivor's value, or takes the first
non-empty value among the merged records when the survivor has none, so a merge never loses data
that only a duplicate held. The result lists each change as (old, new), for the history.
"""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from crm_shared.errors import InvalidInput

Values = Mapping[str, Any]


def merged_changes(
    *,
    survivor_id: UUID,
    records: Mapping[UUID, Values],
    mergeable: Sequence[str],
    choices: Mapping[str, UUID],
) -> dict[str, tuple[Any, Any]]:
    """The survivor's field changes: {field: (old, new)} for every value that changes."""
    if survivor_id not in records:
        raise InvalidInput("survivor_id", "the survivor must be one of the merged records")
    if len(records) < 2:
        raise InvalidInput("ids", "a merge needs at least two records")
    for field, source in choices.items():
        if field not in mergeable:
            raise InvalidInput(f"choices.{field}", "this field cannot be chosen in a merge")
        if source not in records:
            raise InvalidInput(f"choices.{field}", "the chosen record is not part of the merge")
    survivor = records[survivor_id]
    others = [values for ident, values in records.items() if ident != survivor_id]
    changes: dict[str, tuple[Any, Any]] = {}
    for field in mergeable:
        current = survivor.get(field)
        if field in choices:
            new = records[choices[field]].get(field)
        elif _empty(current):
            new = next((v.get(field) for v in others if not _empty(v.get(field))), current)
        else:
            new = current
        if new != current:
            changes[field] = (current, new)
    return changes


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | tuple | list) and len(value) == 0)
