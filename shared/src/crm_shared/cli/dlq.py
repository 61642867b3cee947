"""`crm-<name> dlq list|show|replay|discard`: the dead letters of a service's consumer.

Output is JSON, one object per line, on stdout; logs go to stderr, so the output pipes into `jq`.
Letters are selected by event id, letter id, event type, failure time (`--since`/`--until`, ISO 8601,
UTC unless an offset is given) or a substring of the error; criteria combine (all must hold).
`replay` and `discard` record what they did in the service's database: a letter replayed or discarded
once is left alone afterwards unless `--again` is given.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from crm_shared.logging import configure_logging
from crm_shared.messaging.dead_letter_log import Status
from crm_shared.messaging.replay import (
    Selection,
    discard_dead_letters,
    replay_dead_letters,
    select_letters,
)
from crm_shared.runtime import ProcessRole, ServiceDefinition, ServiceRuntime

EXIT_RETRY_LATER = 3


def add_dlq_parser(commands: Any) -> None:
    _add_arguments(
        commands.add_parser(
            "dlq",
            help="dead letters of this service's consumer: list, show, replay, discard",
            description=__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )


def parse(argv: list[str]) -> argparse.Namespace:
    """The arguments of `dlq` alone (for callers already in an event loop, such as tests)."""
    parser = argparse.ArgumentParser(prog="dlq")
    _add_arguments(parser)
    return parser.parse_args(argv)


def _add_arguments(dlq: argparse.ArgumentParser) -> None:
    dlq.add_argument("action", choices=["list", "show", "replay", "discard"])
    dlq.add_argument("--event-id", action="append", default=[], help="the event's ce_id (repeatable)")
    dlq.add_argument("--letter", action="append", default=[], help="a letter id as listed (repeatable)")
    dlq.add_argument("--type", action="append", default=[], help="the event's ce_type (repeatable)")
    dlq.add_argument("--since", type=timestamp, help="failed at or after (ISO 8601)")
    dlq.add_argument("--until", type=timestamp, help="failed before (ISO 8601)")
    dlq.add_argument("--error", help="a piece of the failure's reason (case-insensitive)")
    dlq.add_argument(
        "--status", action="append", default=[], choices=[s.value for s in Status], help="list only these"
    )
    dlq.add_argument("--again", action="store_true", help="replay letters already replayed or discarded")


def timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def selection_of(args: argparse.Namespace) -> Selection:
    return Selection(
        event_ids=frozenset(args.event_id),
        letters=frozenset(args.letter),
        types=frozenset(args.type),
        since=args.since,
        until=args.until,
        error=args.error,
        statuses=frozenset(Status(s) for s in args.status),
    )


async def dead_letters(definition: ServiceDefinition[Any], args: argparse.Namespace) -> int:
    settings = definition.settings
    configure_logging(service=definition.name, log_format=settings.log_format, level=settings.log_level)
    selection = selection_of(args)
    if args.action in {"show", "discard"} and not selection.narrowed:
        print(
            f"dlq {args.action}: select letters (--event-id, --letter, --type, --since, --until, --error)",
            file=sys.stderr,
        )
        return 2
    runtime = ServiceRuntime(definition, frozenset({ProcessRole.CONSUMERS}))
    try:
        results = await _run(runtime, args.action, selection, again=args.again)
    finally:
        await runtime.producer.stop()
        await runtime.engine.dispose()
    for result in results:
        print(json.dumps(result, default=str), flush=True)
    return EXIT_RETRY_LATER if any(r.get("outcome") == "retry_later" for r in results) else 0


async def _run(
    runtime: ServiceRuntime[Any], action: str, selection: Selection, *, again: bool
) -> list[dict[str, Any]]:
    if action == "replay":
        return await replay_dead_letters(runtime, selection, again=again)
    if action == "discard":
        return await discard_dead_letters(runtime, selection)
    chosen = await select_letters(runtime, selection)
    if action == "show":
        return [letter.details() | {"status": status.value} for letter, status in chosen]
    return [letter.summary() | {"status": status.value} for letter, status in chosen]
