"""JSON Schemas of the integration events, checked in beside this file, one per CloudEvents type.

Other systems subscribe from these files without reading Python. Within a version an event may only
gain optional fields: `check_schemas` reports a checked-in schema that is stale (the class changed) or
a class change that would break readers (a field removed, retyped or newly required); `write_schemas`
refuses to overwrite a schema with an incompatible one: publish a `.v2` type beside it instead.
"""

import json
from pathlib import Path
from typing import Any

from crm_shared.events.base import registered_events

SCHEMA_DIR = Path(__file__).parent
_DOC_KEYS = {"description", "title", "examples", "default"}


def generated_schemas() -> dict[str, dict[str, Any]]:
    schemas = {}
    for event_type, cls in registered_events().items():
        schema = cls.model_json_schema()
        schema["$id"] = f"https://schemas.crm.local/events/{event_type}.json"
        schema["x-ce-type"] = event_type
        schemas[event_type] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def incompatibilities(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Changes from `old` to `new` that a reader of `old` would not survive."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
        elif _strip_docs(old_prop) != _strip_docs(new_props[name]):
            problems.append(f"{where}: type changed")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"{path}{name}: newly required")
    for name, old_def in old.get("$defs", {}).items():
        new_def = new.get("$defs", {}).get(name)
        if new_def is None:
            problems.append(f"$defs.{name}: removed")
        else:
            problems.extend(incompatibilities(old_def, new_def, f"{name}."))
    return problems


def _strip_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_docs(v) for k, v in node.items() if k not in _DOC_KEYS}
    if isinstance(node, list):
        return [_strip_docs(v) for v in node]
    return node


def check_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    problems: list[str] = []
    generated = generated_schemas()
    for event_type, schema in generated.items():
        path = directory / f"{event_type}.json"
        if not path.exists():
            problems.append(f"{event_type}: no checked-in schema (run `crm schemas`)")
            continue
        old = json.loads(path.read_text())
        breaking = incompatibilities(old, schema)
        problems.extend(f"{event_type}: not backward compatible: {b}" for b in breaking)
        if not breaking and path.read_text() != render(schema):
            problems.append(f"{event_type}: checked-in schema is stale (run `crm schemas`)")
    for path in sorted(directory.glob("crm.*.json")):
        if path.stem not in generated:
            problems.append(f"{path.stem}: schema of an event type that no longer exists")
    return problems


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    written = []
    for event_type, schema in generated_schemas().items():
        path = directory / f"{event_type}.json"
        if path.exists():
            breaking = incompatibilities(json.loads(path.read_text()), schema)
            if breaking:
                raise ValueError(f"{event_type} would break readers: {breaking}; add a .v2 type")
        path.write_text(render(schema))
        written.append(path)
    return written
