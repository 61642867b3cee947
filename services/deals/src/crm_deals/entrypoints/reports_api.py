"""Stage history, state as of a date, forecast and reports."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["reports"])
