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
        sales = _headers("alice", Role.SALES)
        created = [
            http.post(f"{stack.url('leads')}/v1/leads", json=lead, headers=sales).raise_for_status().json()
            for lead in LEADS
        ]
        http.post(
            f"{stack.url('leads')}/v1/leads/{created[0]['id']}/convert",
            json={
                "deal": {
                    "title": "Analytical Engines - website",
                    "amount_minor": 1_500_000,
                    "currency": "EUR",
                }
            },
            headers=sales,
        ).raise_for_status()
    print(f"crm: demo data loaded ({len(LEADS)} leads, one converted; users {', '.join(USERS)})", flush=True)
