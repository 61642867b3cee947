"""Demo data loaded through the public HTTP APIs, as a user would create it (idempotent enough)."""

from __future__ import annotations

import httpx

from crm_shared.auth import Role, issue_dev_token
from crm_shared.infra.stack import LocalStack
from crm_shared.settings import AuthSettings

USERS = {
    "alice": ("alice@agency.example", "fr", [Role.SALES]),
    "bruno": ("bruno@agency.example", "fr", [Role.CSM]),
    "carla": ("carla@agency.example", "en", [Role.SUPPORT]),
}
LEADS = [
    {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company_name": "Analytical Engines",
        "email": "ada@analytical.example",
    },
    {
        "first_name": "Grace",
        "last_name": "Hopper",
        "company_name": "Cobol & Co",
        "email": "grace@cobol.example",
        "language": "en",
    },
    {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company_name": "Boulangerie Dupont",
        "email": "jean@dupont.example",
        "language": "fr",
    },
]


def _stages(*open_stages: tuple[str, int]) -> list[dict[str, object]]:
    return [
        *({"name": name, "probability": probability} for name, probability in open_stages),
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]


def _pipeline(name: str, team: str, stages: list[dict[str, object]], **settings: object) -> dict[str, object]:
    proposal = "Offer send" if any(s["name"] == "Offer send" for s in stages) else None
    return {
        "name": name,
        "team": team,
        "stages": stages,
        "settings": {"proposal_stage": proposal, **settings},
    }


PIPELINES = [
    _pipeline(
        "SALES SQUAD",
        "sales",
        _stages(("À contacter", 10), ("En contact", 25), ("Offer send", 50)),
        win_when_order_confirmed=True,
        title_date_prefix=True,
    ),
    _pipeline(
        "CLIENTS SQUAD - CSM",
        "csm",
        _stages(("En cours et à prolonger", 30), ("En contact", 50), ("Offer send", 70)),
        win_when_order_confirmed=True,
        is_renewal_pipeline=True,
        title_date_prefix=True,
    ),
    _pipeline(
        "CLIENTS SQUAD SUPPORT, ONE SHOT & MAINTENANCE",
        "support",
        _stages(("Demande reçue", 20), ("Chiffrage", 40), ("Offer send", 60)),
        win_when_order_confirmed=True,
    ),
    _pipeline(
        "COLD LEADS", "sales", _stages(("À recontacter", 5), ("Recontacté", 15)), is_cold_leads_pipeline=True
    ),
    _pipeline("OLD PIPE", "sales", _stages(("À contacter", 10), ("Offer send", 50))),
]
ARCHIVED = {"OLD PIPE"}


def load_demo_pipelines(http: httpx.Client, url: str, admin: dict[str, str]) -> int:
    """Created through the deals API; names that already exist are skipped, so a reload adds nothing."""
    existing = http.get(f"{url}/v1/pipelines", params={"include_archived": "true"}, headers=admin)
    names = {p["name"] for p in existing.raise_for_status().json()}
    created = 0
    for pipeline in PIPELINES:
        if pipeline["name"] in names:
            continue
        made = http.post(f"{url}/v1/pipelines", json=pipeline, headers=admin).raise_for_status().json()
        if made["name"] in ARCHIVED:
            http.post(f"{url}/v1/pipelines/{made['id']}/archive", headers=admin).raise_for_status()
        created += 1
    return created


def _headers(user: str, *roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(AuthSettings(), user_id=user, roles=list(roles))}"}


def load_demo_data(stack: LocalStack) -> None:
    admin = _headers("demo-admin", Role.ADMIN)
    with httpx.Client(timeout=10) as http:
        for user, (address, language, _roles) in USERS.items():
            http.put(
                f"{stack.url('notifier')}/v1/recipients/{user}",
                json={"email": address, "name": user.title(), "language": language},
                headers=admin,
            ).raise_for_status()
        pipelines = load_demo_pipelines(http, stack.url("deals"), admin)
        leads = _load_demo_leads(http, stack.url("leads"), _headers("alice", Role.SALES))
    print(
        f"crm: demo data loaded ({leads} new leads; {pipelines} new pipelines; users {', '.join(USERS)})",
        flush=True,
    )


def _load_demo_leads(http: httpx.Client, leads_url: str, sales: dict[str, str]) -> int:
    """The demo leads once: a later run finds them (by email) and leaves the data as it is."""
    first = LEADS[0]["email"]
    found = http.get(f"{leads_url}/v1/leads", params={"q": first}, headers=sales).raise_for_status()
    if found.json()["items"]:
        return 0
    created = [
        http.post(f"{leads_url}/v1/leads", json=lead, headers=sales).raise_for_status().json()
        for lead in LEADS
    ]
    deal = {"title": "Analytical Engines - website", "amount_minor": 1_500_000, "currency": "EUR"}
    http.post(
        f"{leads_url}/v1/leads/{created[0]['id']}/convert",
        json={"deal": deal, "account": {"confirm_new": True}},
        headers=sales,
    ).raise_for_status()
    return len(created)
