"""Close requests: CSM and Support ask Sales to win or lose a deal, with the signed offer."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["close requests"])
