import sys

from crm_cases.bootstrap import definition
from crm_shared.cli.service import run_service_cli


def main() -> None:
    sys.exit(run_service_cli(definition))


if __name__ == "__main__":
    main()
