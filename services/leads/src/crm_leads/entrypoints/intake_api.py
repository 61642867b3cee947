"""Public web-to-lead intake (`/v1/forms/{form_key}/submissions`), keyed per form, no JWT."""

from fastapi import APIRouter

router = APIRouter(tags=["leads"])
