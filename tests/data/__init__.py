"""Where the test data lives in the repository (origins and licences in tests/data/README.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
EMAILS = DATA_DIR / "emails"
"""The 79 test mails, with MANIFEST.md (expected outcome of each) and ORIGINS.tsv."""
SALESFORCE_SAMPLES = DATA_DIR / "crm-samples" / "salesforce-lwc-recipes"
"""Salesforce `sf data tree` exports: accounts and contacts."""
