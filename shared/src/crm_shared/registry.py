"""The services of the system, in one place: read by the CLI, the local stack, the tests, and the
generators of the compose file, the Kubernetes manifests and the database init script.

Adding a service is adding it here (after writing its package under `services/`); every file that
lists services is generated from, or checked against, this registry (docs/adding-a-service.md).
"""

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Listener:
    """A port the service listens on besides HTTP (the cases SMTP intake, say)."""

    name: str
    port: int
    role: str
    """The process role that opens it: its Kubernetes Deployment gets the port and a Service."""
    host_setting: str
    port_setting: str


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    http_port: int
    summary: str
    roles: tuple[str, ...] = ("api", "consumers", "relay")
    """Process roles deployed apart (`crm-<name> serve --role <role>`)."""
    listeners: tuple[Listener, ...] = ()
    sends_mail: bool = False
    """Deployed with the SMTP relay's address (the notifier)."""

    @property
    def package(self) -> str:
        return f"crm_{self.name}"

    @property
    def script(self) -> str:
        return f"crm-{self.name}"

    @property
    def env_prefix(self) -> str:
        return f"CRM_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"crm_{self.name}"

    @property
    def topic(self) -> str:
        return f"crm.{self.name}.events"

    def definition(self) -> Any:
        """The service's `ServiceDefinition`, from its package (imported only when asked for)."""
        return import_module(f"{self.package}.bootstrap").definition()


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("leads", 8001, "leads, accounts and contacts, conversion, lifecycle status"),
    ServiceSpec("deals", 8002, "pipelines, stages, deals, won and lost, forecast and reports"),
    ServiceSpec("quotes", 8003, "contracts (later: catalogue, quotes, orders, invoices)"),
    ServiceSpec(
        "cases",
        8004,
        "support cases, their messages, the mail intake",
        roles=("api", "consumers", "relay", "ingest"),
        listeners=(Listener("smtp", 2525, "ingest", "smtp_host", "smtp_port"),),
    ),
    ServiceSpec("notifier", 8005, "outgoing mail, reminders, notification log", sends_mail=True),
)


def service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(f"no service {name!r}; the services are {', '.join(names())}")


def names() -> tuple[str, ...]:
    return tuple(spec.name for spec in SERVICES)
