"""Finds the secrets of a settings model that still hold a placeholder, named as operators set them.

Every `SecretStr` of the model is visited, in nested settings, models, lists and dicts too, so a new
service or a new secret is checked without being listed anywhere. A model may say which of its secrets
its configuration does not use (the HS256 key when tokens are verified against a JWKS URL).
"""

from collections.abc import Iterator
from typing import Any

from pydantic import AliasChoices, BaseModel, SecretStr
from pydantic_settings import BaseSettings

PLACEHOLDERS = frozenset(
    {
        "",
        "change-me",
        "changeme",
        "change_me",
        "changeit",
        "secret",
        "password",
        "passwd",
        "default",
        "example",
        "test",
        "dev",
        "development",
        "todo",
        "none",
        "null",
        "admin",
        "crm",
    }
)


def is_placeholder(value: str, known: frozenset[str] = frozenset()) -> bool:
    """Empty, a well-known stand-in, one of `known` (shipped defaults), or made of x's and stars."""
    normalized = value.strip().lower()
    return (
        normalized in PLACEHOLDERS
        or value in known
        or any(word in normalized for word in ("change-me", "changeme", "change_me"))
        or set(normalized) <= {"x", "*"}
    )


def secret_settings(model: BaseModel, label: str = "") -> Iterator[tuple[str, SecretStr]]:
    """(setting name, value) of every secret in use in `model`, e.g. ("CRM_JWT_SECRET", ...) or
    ("CRM_CASES_IMAP_MAILBOXES[0].password", ...)."""
    unused = getattr(model, "unused_secrets", None)
    skipped: frozenset[str] = unused() if callable(unused) else frozenset()
    for name in type(model).model_fields:
        if name not in skipped:
            yield from _walk(getattr(model, name), _setting_name(model, name, label))


def _walk(value: Any, label: str) -> Iterator[tuple[str, SecretStr]]:
    if isinstance(value, SecretStr):
        yield label, value
    elif isinstance(value, BaseModel):
        yield from secret_settings(value, label)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{label}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{label}[{key}]")


def _setting_name(model: BaseModel, field: str, label: str) -> str:
    """The environment variable for a field of a settings class; a dotted path inside plain models."""
    if not isinstance(model, BaseSettings):
        return f"{label}.{field}" if label else field
    alias = type(model).model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        alias = next((choice for choice in alias.choices if isinstance(choice, str)), None)
    if isinstance(alias, str):
        return alias.upper()
    return f"{model.model_config.get('env_prefix', '')}{field}".upper()


def weak_secrets(model: BaseModel, known: frozenset[str] = frozenset()) -> list[str]:
    """Names of the secrets of `model` that hold a placeholder (None means unset, which is allowed:
    the feature it guards stays off)."""
    return [name for name, value in secret_settings(model) if is_placeholder(value.get_secret_value(), known)]
