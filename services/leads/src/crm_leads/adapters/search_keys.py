"""The derived text columns that case-insensitive search and duplicate checks read (ADR 0006), and how
a LIKE pattern holds text literally.

They are computed here, in Python, by the repositories that write the rows (and by the migration that
backfilled them), never by SQL's `lower()`, which follows the cluster's locale.
"""

from collections.abc import Iterable

from crm_leads.domain.duplicates.matching import company_key
from crm_shared.text_keys import casefold_key


def account_keys(name: str) -> dict[str, str]:
    """`search_text`: the casefolded name, for text search and fuzzy duplicates (pg_trgm);
    `name_key`: the name as conversion compares companies (no case, accents nor legal form)."""
    return {"search_text": casefold_key(name), "name_key": company_key(name)}


def contact_search_text(first_name: str | None, last_name: str, emails: Iterable[str]) -> str:
    """Names and every address, casefolded: what text search and duplicate prefilters match."""
    return casefold_key(" ".join(p for p in (first_name, last_name, *emails) if p))


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
