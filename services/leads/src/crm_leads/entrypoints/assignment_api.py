"""HTTP API of lead assignment: take charge, bulk assign, assignment rules."""

from fastapi import APIRouter

router = APIRouter(tags=["leads"])
