"""`crm`: helpers shared by all services (tokens, event schemas, generated files, the local system,
dead letters). Every command that concerns services reads them from `crm_shared.registry`."""

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from crm_shared.auth import DevelopmentOnly, Role, issue_dev_token
from crm_shared.events.schemas import SCHEMA_DIR, check_schemas, write_schemas
from crm_shared.registry import SERVICES, names
from crm_shared.settings import AuthSettings

ROOT = Path.cwd()
ASYNCAPI_DIR = Path("docs/asyncapi")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.ArgumentParser, argparse.Namespace], int] = COMMANDS[args.command]
    return command(parser, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a development JWT (CRM_ENVIRONMENT=development only)")
    token.add_argument("--user", required=True, help="user id (the token's subject)")
    token.add_argument("--roles", required=True, help=f"comma-separated, of: {', '.join(Role)}")
    token.add_argument("--team")
    token.add_argument("--email")
    schemas = commands.add_parser("schemas", help="write or check the events' JSON Schemas")
    schemas.add_argument("--check", action="store_true", help="fail if stale or incompatible")
    schemas.add_argument("--dir", type=Path, default=SCHEMA_DIR)
    commands.add_parser("services", help="the registry of services, one JSON object per line")
    render = commands.add_parser("render", help="write the deployment files (compose, Kubernetes, SQL)")
    render.add_argument("--check", action="store_true", help="fail if a generated file is stale")
    commands.add_parser("asyncapi", help="write every service's AsyncAPI document to docs/asyncapi/")
    dev = commands.add_parser("dev", help="run the whole system locally")
    dev.add_argument("action", choices=["up"])
    dev.add_argument("--demo", action="store_true", help="load demo data once the services are up")
    dev.add_argument("--data-dir", type=Path, default=Path(".crm"), help="where local data is kept")
    dlq = commands.add_parser(
        "dlq",
        help="dead letters of a service: crm dlq <service> list|show|replay|discard [selectors]",
        description="Same as `crm-<service> dlq ...`; see `crm dlq <service> --help`.",
    )
    dlq.add_argument("service", choices=names())
    dlq.add_argument("arguments", nargs=argparse.REMAINDER, help="action and selectors")
    return parser


def _token(_parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        roles = [Role(r.strip()) for r in args.roles.split(",") if r.strip()]
    except ValueError as exc:
        _parser.error(str(exc))
    try:
        token = issue_dev_token(
            AuthSettings(), user_id=args.user, roles=roles, team=args.team, email=args.email
        )
    except DevelopmentOnly as exc:
        print(f"crm token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _schemas(_parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.check:
        problems = check_schemas(args.dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for path in write_schemas(args.dir):
        print(path)
    return 0


def _services(_parser: argparse.ArgumentParser, _args: argparse.Namespace) -> int:
    for spec in SERVICES:
        print(json.dumps({**asdict(spec), "script": spec.script, "topic": spec.topic}))
    return 0


def _render(_parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from crm_shared.deploy.manifests import stale, write_all

    if args.check:
        for relative in stale(ROOT):
            print(f"{relative} is stale: run `crm render`", file=sys.stderr)
        return 1 if stale(ROOT) else 0
    for path in write_all(ROOT):
        print(path)
    return 0


def _asyncapi(_parser: argparse.ArgumentParser, _args: argparse.Namespace) -> int:
    from crm_shared.cli.service import asyncapi_document

    for spec in SERVICES:
        document = asyncio.run(asyncapi_document(spec.definition()))
        path = ASYNCAPI_DIR / f"{spec.name}.json"
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        print(path)
    return 0


def _dev(_parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from crm_shared.infra.devstack import up

    return up(data_dir=args.data_dir, demo=args.demo)


def _dlq(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from crm_shared.cli.service import run_service_cli

    try:
        bootstrap = importlib.import_module(f"crm_{args.service}.bootstrap")
    except ImportError:
        parser.error(f"the {args.service} service is not installed here")
    return run_service_cli(bootstrap.definition, ["dlq", *args.arguments])


COMMANDS: dict[str, Callable[[argparse.ArgumentParser, argparse.Namespace], int]] = {
    "token": _token,
    "schemas": _schemas,
    "services": _services,
    "render": _render,
    "asyncapi": _asyncapi,
    "dev": _dev,
    "dlq": _dlq,
}
