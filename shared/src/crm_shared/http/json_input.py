"""Checks of a parsed JSON document, walked without recursion: nesting depth and forbidden characters
in every key and string, each error naming its path (`body.contacts.0.name`)."""

from collections.abc import Iterator
from typing import Any

from crm_shared.http.characters import FieldError, field_error, forbidden_in, printable


def json_errors(document: Any, *, root: str, max_depth: int, max_errors: int) -> list[FieldError]:
    errors: list[FieldError] = []
    for error in _walk(document, root, max_depth):
        errors.append(error)
        if len(errors) > max_errors:  # one more than shown, so the answer can say some were left out
            break
    return errors


def _walk(document: Any, root: str, max_depth: int) -> Iterator[FieldError]:
    if isinstance(document, str) and (message := forbidden_in(document)):
        yield field_error(root, message)
    if not isinstance(document, dict | list):
        return
    stack: list[tuple[str, dict[str, Any] | list[Any], int]] = [(root, document, 1)]
    while stack:
        path, container, depth = stack.pop()
        if depth > max_depth:
            yield field_error(path, f"nested deeper than {max_depth} levels", "too_deep")
            return
        nested = []
        # Paths are built only for what is reported or descended into: a body may have many members.
        for key, value in container.items() if isinstance(container, dict) else enumerate(container):
            if isinstance(key, str) and (message := forbidden_in(key)):
                yield field_error(f"{path}.{printable(key)}", f"the name {message}")
            if isinstance(value, str):
                if message := forbidden_in(value):
                    yield field_error(f"{path}.{printable(str(key))}", message)
            elif isinstance(value, dict | list):
                nested.append((f"{path}.{printable(str(key))}", value, depth + 1))
        stack.extend(reversed(nested))
