"""Word lists and mixes the seeded deals are drawn from: the agency's pipelines, owners, titles, tags."""

from itertools import combinations

from bench import leads_vocabulary as lead_words
from crm_shared.infra.demo import PIPELINES as DEMO_PIPELINES

OWNERS = lead_words.OWNERS
TEAMS = lead_words.TEAMS
"""50 owners in 6 teams (owner n is in team n % 6), as the leads suite's."""

PIPELINE_SHARES = {
    "Default": 20,
    "SALES SQUAD": 35,
    "CLIENTS SQUAD - CSM": 20,
    "CLIENTS SQUAD SUPPORT, ONE SHOT & MAINTENANCE": 12,
    "COLD LEADS": 8,
    "OLD PIPE": 5,
}
"""Percent of the deals in each pipeline: the default pipeline and the agency's demo set."""
STATUS_SHARES = {"open": 60, "won": 25, "lost": 15}

PROJECTS = (
    "Website redesign", "SEO audit", "Mobile app", "Brand campaign", "Maintenance contract",
    "E-shop migration", "Intranet", "Newsletter templates", "Analytics setup", "Hosting renewal",
    "Refonte du site", "Campagne social ads", "Application mobile", "Contrat de maintenance",
    "Audit d'accessibilité", "Formation CMS",
)  # fmt: skip
TAGS = (
    "hot", "upsell", "renewal", "public-tender", "partner", "budget-2027", "strategic", "quick-win",
    "référence", "churn-risk",
)  # fmt: skip
LOST_REASONS = lead_words.LOST_REASONS
DESCRIPTIONS = (
    "Brief received by email; kick-off planned next month.",
    "Second round after the pitch; waiting for their procurement.",
    "Cahier des charges envoyé, réponse attendue sous quinze jours.",
    "Upsell on the existing maintenance contract.",
)


def titles() -> list[str]:
    """'<company> - <project>': every company of the leads suite, one project each."""
    companies = [name for name, _ in lead_words.companies()]
    return [f"{name} - {PROJECTS[n % len(PROJECTS)]}" for n, name in enumerate(companies)]


def tag_sets() -> list[str]:
    """PostgreSQL array literals of 0 to 3 tags: a third of the deals have none, every pair occurs."""
    singles = [(tag,) for tag in TAGS]
    sets = [(), *singles, *singles, *combinations(TAGS, 2), *list(combinations(TAGS, 3))[::12]]
    sets += [()] * (len(sets) // 2 - 1)
    return ["{" + ",".join(f'"{tag}"' for tag in chosen) + "}" for chosen in sets]


def weighted(shares: dict[str, int]) -> list[str]:
    """100 draws (one per percent), for `array[1 + h % 100]` in SQL."""
    return [name for name, share in shares.items() for _ in range(share)]


def demo_pipelines() -> list[dict[str, object]]:
    """The agency's pipelines as crm_shared.infra.demo creates them through the API."""
    return list(DEMO_PIPELINES)
