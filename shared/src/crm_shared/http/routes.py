"""Where a service's routes live: each router mounted under its full prefix, all in `bootstrap.py`.

Routers themselves carry no prefix and include no other router, so one list tells every path a
service answers (an architecture test holds every service to it).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI


@dataclass(frozen=True)
class Mount:
    prefix: str
    """The full prefix, starting with the API version: `/v1/leads`, `/v1`."""
    router: APIRouter


def mount_all(app: FastAPI, mounts: Sequence[Mount | APIRouter]) -> None:
    for mount in mounts:
        if isinstance(mount, Mount):
            app.include_router(mount.router, prefix=mount.prefix)
        else:
            app.include_router(mount)
