"""HTTP API of CSV/JSON import and CSV export of leads, contacts and accounts."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["leads"])
