# The README's two commands are `make up` and `make test`; both set up a fresh machine first.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PYTEST_ARGS ?=

.PHONY: bootstrap up test lint format unit schemas asyncapi render bench

bootstrap:
	@scripts/bootstrap.sh

up: bootstrap  ## run the whole system (infrastructure included) with demo data; Ctrl-C stops it
	$(UV) run crm dev up --demo

test: bootstrap lint  ## lint, type-check, then the whole test suite on real Kafka and PostgreSQL
	$(UV) run pytest $(PYTEST_ARGS)

unit: bootstrap  ## only the tests that need no infrastructure
	$(UV) run pytest -m "not integration and not e2e and not reliability" $(PYTEST_ARGS)

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

format:
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

schemas:  ## regenerate the events' JSON Schemas (refuses a breaking change)
	$(UV) run crm schemas

asyncapi:  ## regenerate the checked-in AsyncAPI documents of the services
	$(UV) run crm asyncapi

render:  ## regenerate the deployment files (compose, Kubernetes, SQL) from the registry of services
	$(UV) run crm render

bench: bootstrap  ## benchmarks; results in bench/results/
	$(UV) run python -m bench.run
