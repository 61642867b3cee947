"""Typed changes of `*Updated` events (their `.v2` types): one optional `Change` per changeable field.

A v1 `*Updated` event carries `changed: {field: [before, after]}`, which no schema can describe. Its v2
carries a `<Thing>Changes` model instead: the JSON Schema lists every field that can change with its
type, and a consumer reads `event.changes.name.after` rather than guessing shapes. A field that did not
change is absent (null when read). The producer builds the model with `Changes.of`, which refuses a
field the contract lacks, so renaming a field in a domain without its contract fails a test.
"""

from collections.abc import Mapping
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer
from pydantic_core import to_jsonable_python

T = TypeVar("T")


class Change(BaseModel, Generic[T]):
    """A field's value before and after the change; null where the field was or became empty."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    before: T | None
    after: T | None


class UnpublishedChange(ValueError):
    """A producer changed a field its event's contract does not have: add it to the contract first."""


class Changes(BaseModel):
    """Base of the `<Thing>Changes` models; consumers ignore fields they do not know yet."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def of(cls, changed: Mapping[str, tuple[Any, Any]]) -> Self:
        """The typed form of a domain event's `{field: (before, after)}`; a field unknown here raises."""
        unknown = sorted(set(changed) - set(cls.model_fields))
        if unknown:
            raise UnpublishedChange(
                f"{cls.__name__} has no field {', '.join(unknown)}: add it to the contract"
            )
        plain: dict[str, list[Any]] = to_jsonable_python(dict(changed))
        return cls.model_validate({name: {"before": b, "after": a} for name, (b, a) in plain.items()})

    def changed_fields(self) -> set[str]:
        return {name for name in type(self).model_fields if getattr(self, name) is not None}

    @model_serializer(mode="wrap")
    def _changed_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Published without the fields that did not change."""
        return {name: value for name, value in handler(self).items() if value is not None}
