"""Demo data loaded through the public HTTP APIs, as a user would create it (idempotent enough)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from crm_shared.auth import Role, issue_dev_token
from crm_shared.infra.stack import LocalStack
from crm_shared.settings import AuthSettings

USERS = {
    "alice": ("alice@agency.example", "fr", [Role.SALES]),
    "bruno": ("bruno@agency.example", "fr", [Role.CSM]),
    "carla": ("carla@agency.example", "en", [Role.SUPPORT]),
}
TEAMS = {"alice": "sales", "bruno": "csm", "carla": "support"}
# Deals on the agency's boards: (pipeline, stage, title, amount in cents, owner).
DEALS = [
    ("SALES SQUAD", "À contacter", "Boulangerie Dupont - site vitrine", 450_000, "alice"),
    ("SALES SQUAD", "En contact", "Cobol & Co - refonte intranet", 1_200_000, "alice"),
    ("SALES SQUAD", "Offer send", "Analytical Engines - campagne SEA", 800_000, "alice"),
    ("CLIENTS SQUAD - CSM", "En cours et à prolonger", "Cobol & Co - maintenance 2027", 600_000, "bruno"),
    ("CLIENTS SQUAD SUPPORT, ONE SHOT & MAINTENANCE", "Chiffrage", "Dupont - correctif", 90_000, "carla"),
]
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
            http.put(
                f"{stack.url('deals')}/v1/users/{user}",
                json={"team": TEAMS[user], "roles": [r.value for r in _roles], "active": True},
                headers=admin,
            ).raise_for_status()
        pipelines = load_demo_pipelines(http, stack.url("deals"), admin)
        leads = _load_demo_leads(http, stack.url("leads"), _headers("alice", Role.SALES))
        deals = _load_demo_deals(http, stack.url("deals"), admin)
    print(
        f"crm: demo data loaded ({leads} new leads; {pipelines} new pipelines; {deals} new deals;"
        f" users {', '.join(USERS)})",
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


def _load_demo_deals(http: httpx.Client, deals_url: str, admin: dict[str, str]) -> int:
    """The demo deals once, tagged `demo`: a later run finds them and adds nothing."""
    found = http.get(f"{deals_url}/v1/deals", params={"tags": "demo", "limit": 1}, headers=admin)
    if found.raise_for_status().json()["items"]:
        return 0
    listed = http.get(f"{deals_url}/v1/pipelines", headers=admin).raise_for_status().json()
    pipelines = {p["name"]: p for p in listed}
    for months, (pipeline_name, stage_name, title, amount, owner) in enumerate(DEALS, start=1):
        pipeline = pipelines[pipeline_name]
        stage = next(s["id"] for s in pipeline["stages"] if s["name"] == stage_name)
        body = {
            "title": title,
            "amount_minor": amount,
            "pipeline_id": pipeline["id"],
            "stage_id": stage,
            "owner_id": owner,
            "expected_close_date": (date.today() + timedelta(days=30 * months)).isoformat(),
            "tags": ["demo"],
        }
        http.post(f"{deals_url}/v1/deals", json=body, headers=admin).raise_for_status()
    return len(DEALS)
