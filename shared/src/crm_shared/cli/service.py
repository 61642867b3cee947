"""The command line every service has: `crm-<name> serve|migrate|revision|asyncapi|dlq ...`."""

import argparse
import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from crm_shared.cli.dlq import add_dlq_parser, dead_letters
from crm_shared.db.migrations import revision, upgrade
from crm_shared.runtime import ALL_ROLES, ProcessRole, ServiceDefinition, ServiceRuntime

DefinitionFactory = Callable[[], ServiceDefinition[Any]]


def run_service_cli(make_definition: DefinitionFactory, argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    definition = make_definition()
    if args.command == "serve":
        roles = _roles(parser, args.role)
        # A factory: the runtime's Kafka clients must be made inside uvicorn's event loop.
        uvicorn.run(
            lambda: ServiceRuntime(definition, roles).app(),
            factory=True,
            host=args.host or definition.settings.http_host,
            port=args.port or definition.settings.http_port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
        )
        return 0
    if args.command == "migrate":
        if definition.migrations is None:
            parser.error("this service has no migrations")
        upgrade(database_url=definition.settings.database_url, script_location=definition.migrations)
        return 0
    if args.command == "revision":
        if definition.migrations is None:
            parser.error("this service has no migrations")
        _revision(definition.migrations, args.message)
        return 0
    if args.command == "asyncapi":
        document = asyncio.run(asyncapi_document(definition))
        print(json.dumps(document, indent=2, sort_keys=True))
        return 0
    return asyncio.run(dead_letters(definition, args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="One CRM service: run, migrate, tend its dead letters.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument(
        "--role",
        default="all",
        help="comma-separated of api,consumers,relay (default: all in one process)",
    )
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    commands.add_parser("migrate", help="apply the database migrations")
    revision = commands.add_parser("revision", help="autogenerate a migration (throwaway database)")
    revision.add_argument("message")
    commands.add_parser("asyncapi", help="print the AsyncAPI document of the consumers")
    add_dlq_parser(commands)
    return parser


def _roles(parser: argparse.ArgumentParser, value: str) -> frozenset[ProcessRole]:
    if value == "all":
        return ALL_ROLES
    try:
        return frozenset(ProcessRole(v.strip()) for v in value.split(","))
    except ValueError as exc:
        parser.error(str(exc))


def _revision(script_location: Path, message: str) -> None:
    from crm_shared.infra import create_database, ensure_postgres

    server = ensure_postgres()
    try:
        url = create_database(server.admin_url, "crm_revision")
        revision(database_url=url, script_location=script_location, message=message)
    finally:
        server.stop()


async def asyncapi_document(definition: ServiceDefinition[Any]) -> dict[str, Any]:
    """The AsyncAPI document of a service: what it consumes and what it publishes."""
    from faststream.specification import AsyncAPI

    runtime = ServiceRuntime(definition, ALL_ROLES)
    try:
        spec = AsyncAPI(runtime.broker, title=f"CRM {definition.name}", version="1")
        document: dict[str, Any] = spec.to_specification().to_jsonable()
        return document
    finally:
        await runtime.producer.stop()
        await runtime.engine.dispose()
