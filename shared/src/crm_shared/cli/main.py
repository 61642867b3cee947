"""`crm`: helpers shared by all services (tokens, event schemas, the local system, dead letters)."""

import argparse
import importlib
import sys
from pathlib import Path

from crm_shared.auth import DevelopmentOnly, Role, issue_dev_token
from crm_shared.events.schemas import SCHEMA_DIR, check_schemas, write_schemas
from crm_shared.infra.stack import SERVICES
from crm_shared.settings import AuthSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="print a development JWT (CRM_ENVIRONMENT=development only)")
    token.add_argument("--user", required=True, help="user id (the token's subject)")
    token.add_argument(
        "--roles", required=True, help=f"comma-separated, of: {', '.join(r.value for r in Role)}"
    )
    token.add_argument("--team")
    token.add_argument("--email")

    schemas = commands.add_parser("schemas", help="write or check the events' JSON Schemas")
    schemas.add_argument("--check", action="store_true", help="fail if stale or incompatible")
    schemas.add_argument("--dir", type=Path, default=SCHEMA_DIR)

    dev = commands.add_parser("dev", help="run the whole system locally")
    dev.add_argument("action", choices=["up"])
    dev.add_argument("--demo", action="store_true", help="load demo data once the services are up")
    dev.add_argument("--data-dir", type=Path, default=Path(".crm"), help="where local data is kept")

    dlq = commands.add_parser(
        "dlq",
        help="dead letters of a service: crm dlq <service> list|show|replay|discard [selectors]",
        description="Same as `crm-<service> dlq ...`; see `crm dlq <service> --help`.",
    )
    dlq.add_argument("service", choices=SERVICES)
    dlq.add_argument("arguments", nargs=argparse.REMAINDER, help="action and selectors")

    args = parser.parse_args(argv)
    if args.command == "dlq":
        return _service_dlq(parser, args.service, args.arguments)
    if args.command == "dev":
        from crm_shared.infra.devstack import up

        return up(data_dir=args.data_dir, demo=args.demo)
    if args.command == "token":
        try:
            roles = [Role(r.strip()) for r in args.roles.split(",") if r.strip()]
        except ValueError as exc:
            parser.error(str(exc))
        try:
            jwt_token = issue_dev_token(
                AuthSettings(), user_id=args.user, roles=roles, team=args.team, email=args.email
            )
        except DevelopmentOnly as exc:
            print(f"crm token: {exc}", file=sys.stderr)
            return 2
        print(jwt_token)
        return 0
    if args.check:
        problems = check_schemas(args.dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for path in write_schemas(args.dir):
        print(path)
    return 0


def _service_dlq(parser: argparse.ArgumentParser, service: str, arguments: list[str]) -> int:
    from crm_shared.cli.service import run_service_cli

    try:
        bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    except ImportError:
        parser.error(f"the {service} service is not installed here")
    return run_service_cli(bootstrap.definition, ["dlq", *arguments])
