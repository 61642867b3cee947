"""Users known to the deals service (deal owners)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["users"])
