"""HTTP API of duplicates: checks, fuzzy search and merges of leads, contacts and accounts."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["leads"])
