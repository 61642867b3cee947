"""Deal lists, my deals, the board of a pipeline and CSV exports."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["deals"])
