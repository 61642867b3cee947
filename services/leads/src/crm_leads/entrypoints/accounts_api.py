"""HTTP API of accounts and contacts (`/v1/accounts`, `/v1/contacts`)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["accounts and contacts"])
