"""Word lists the seeded leads are drawn from, and the JSON values built from them.

Names carry accents, as a French and English CRM's do; their casefolded forms are computed in Python
(`casefold_key`, by leads_seed), as the service computes `search_text`, so that no database collation
is involved.
"""

import json
import unicodedata
from dataclasses import asdict

from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.values import CompanySize, Tag

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Marie", "Pierre", "Jean", "Chloé", "Élodie", "Jérôme", "François", "Léa",
    "Hélène", "Camille", "Nicolas", "Julie", "Thomas", "Sophie", "Antoine", "Manon", "Hugo", "Inès",
    "Lucas", "Emma", "Louis", "Zoé", "Gabriel", "Sarah", "Arthur", "Clément", "Anaïs", "Mathieu",
    "Aurélie", "Benoît", "Céline", "Damien", "Gaëlle", "Olivier", "Isabelle", "Stéphane", "Nathalie",
    "John", "Mary", "James", "Linda", "Robert", "Susan", "Michael", "Karen", "David", "Emily",
    "Daniel", "Laura", "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Ava",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier",
    "Robin", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
    "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts",
    "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy",
    "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Fernández",
    "González", "Rodríguez", "Sánchez", "Pérez", "Núñez", "Lovelace", "Hopper", "Turing", "Noether",
)  # fmt: skip
COMPANY_STEMS = (
    "Norv", "Alt", "Zen", "Quant", "Lum", "Ver", "Astr", "Orb", "Kel", "Mar", "Sol", "Tri", "Nex", "Hal",
    "Cor", "Vel", "Bor", "Cal", "Dyn", "Ev", "Fer", "Gal", "Hel", "Ion", "Jad", "Lex", "Mon", "Nov",
    "Oct", "Pol", "Rad", "Sig", "Tel", "Ul", "Vox", "Wel", "Xen", "Yor", "Zan", "Arc",
)  # fmt: skip
COMPANY_ENDINGS = ("ex", "ia", "on", "ara", "is", "eo", "ix", "um", "ova", "ane")
COMPANY_TRADES = (
    "Logistics", "Systems", "Foods", "Energy", "Pharma", "Consulting", "Retail", "Software", "Bank",
    "Industries", "Media", "Robotics", "Health", "Textiles", "Aero", "Labs",
)  # fmt: skip
LEGAL_FORMS = ("SAS", "SA", "SARL", "Ltd", "GmbH", "Inc.", "Group", "")
TLDS = ("fr", "com", "io", "de", "co.uk", "eu")
PERSONAL_DOMAINS = ("gmail.com", "outlook.fr", "orange.fr", "yahoo.com")
JOB_TITLES = (
    "CEO", "CTO", "CFO", "Head of Sales", "Purchasing Manager", "IT Director", "Marketing Manager",
    "Office Manager", "Operations Director", "Procurement Officer", "Sales Engineer", "Founder",
)  # fmt: skip
FUNCTIONS = ("Executive", "Finance", "IT", "Marketing", "Operations", "Purchasing", "Sales")
DEPARTMENTS = ("Board", "Finance", "Information Systems", "Marketing", "Logistics", "Procurement", "Sales")
INDUSTRY_SECTORS = (
    "Agriculture", "Banking", "Construction", "Energy", "Healthcare", "Manufacturing", "Public sector",
    "Retail", "Software", "Transport",
)  # fmt: skip
CATEGORIES = ("smb", "mid-market", "enterprise", "public")
TAGS = (
    ("hot", "#e53935"), ("vip", "#8e24aa"), ("newsletter", "#1e88e5"), ("partner", "#43a047"),
    ("webinar", "#fb8c00"), ("trade-show", "#6d4c41"), ("follow-up", "#00897b"), ("budget-2027", "#3949ab"),
    ("decision-maker", "#c0ca33"), ("churn-risk", "#d81b60"), ("upsell", "#5e35b1"), ("cold", "#90a4ae"),
)  # fmt: skip
CITIES = (
    ("Paris", "75008", "Île-de-France", "FR"), ("Lyon", "69002", "Auvergne-Rhône-Alpes", "FR"),
    ("Marseille", "13001", "Provence-Alpes-Côte d'Azur", "FR"), ("Toulouse", "31000", "Occitanie", "FR"),
    ("Nantes", "44000", "Pays de la Loire", "FR"), ("Lille", "59000", "Hauts-de-France", "FR"),
    ("Bordeaux", "33000", "Nouvelle-Aquitaine", "FR"), ("London", "EC1A 1BB", "England", "GB"),
    ("Manchester", "M1 1AE", "England", "GB"), ("Berlin", "10115", "Berlin", "DE"),
    ("Bruxelles", "1000", "Bruxelles-Capitale", "BE"), ("Genève", "1201", "Genève", "CH"),
)  # fmt: skip
STREETS = ("rue de la Paix", "avenue Victor Hugo", "High Street", "boulevard Haussmann", "Hauptstraße")
LOST_REASONS = ("No budget", "Chose a competitor", "No answer", "Project cancelled", "Duplicate")
DESCRIPTIONS = (
    "Met at the trade show; wants a demo in the spring.",
    "Asked for pricing of the enterprise plan.",
    "Downloaded the white paper twice.",
    "Referred by an existing customer.",
)
UTM_SOURCES = ("google", "linkedin", "newsletter", "partner-site")
UTM_MEDIUMS = ("cpc", "social", "email", "referral")
UTM_CAMPAIGNS = ("spring-2026", "webinar-ai", "black-friday", "retargeting")
OWNERS = tuple(f"sales-{n:02d}" for n in range(1, 51))
TEAMS = tuple(f"team-{n}" for n in range(1, 7))
COMPANY_SIZES = tuple(size.value for size in CompanySize)


def ascii_slug(text: str) -> str:
    """`Chloé Müller` -> `chloemuller`: what people type in an email address."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def companies() -> list[tuple[str, str]]:
    """(name, email domain) of every company: stems x endings, one trade and legal form each."""
    result = []
    for i, stem in enumerate(COMPANY_STEMS):
        for j, ending in enumerate(COMPANY_ENDINGS):
            brand = stem + ending
            trade = COMPANY_TRADES[(i * 7 + j) % len(COMPANY_TRADES)]
            form = LEGAL_FORMS[(i + j * 3) % len(LEGAL_FORMS)]
            name = " ".join(part for part in (brand, trade, form) if part)
            domain = f"{ascii_slug(brand + trade)}.{TLDS[(i + j) % len(TLDS)]}"
            result.append((name, domain))
    return result


def tag_sets() -> list[str]:
    """Every lead gets one of these JSON arrays (as the repository writes `tags`): 0 to 3 tags."""
    sets: list[str] = ["[]"] * 16
    for n in range(48):
        chosen = {TAGS[(n * k + k) % len(TAGS)] for k in range(1, 2 + n % 3)}
        sets.append(json.dumps([asdict(Tag(name, colour)) for name, colour in sorted(chosen)]))
    return sets


def addresses() -> list[str]:
    """JSON postal addresses, as the repository writes `address` (every key, None included)."""
    result = []
    for n, (city, postal_code, region, country) in enumerate(CITIES * 4):
        street = f"{n * 7 % 120 + 1} {STREETS[n % len(STREETS)]}"
        address = PostalAddress(
            line1=street, postal_code=postal_code, city=city, region=region, country=country
        )
        result.append(json.dumps(address.street_fields()))
    return result


def reference_values() -> dict[str, tuple[str, ...]]:
    """The inline reference lists the seeded leads use (their values are added to `reference_values`)."""
    return {"function": FUNCTIONS, "department": DEPARTMENTS, "industry_sector": INDUSTRY_SECTORS}
