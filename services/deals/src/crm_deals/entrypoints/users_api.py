"""Users known to the deals service (deal owners): listed by readers, registered by Admin."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from crm_deals.adapters.directories import KnownUser
from crm_deals.service_layer import users
from crm_shared.auth import Role
from crm_shared.runtime import BusDep

router = APIRouter(tags=["users"])
UserId = Annotated[str, Path(min_length=1, max_length=128)]


class UserPublic(BaseModel):
    id: str
    team: str | None
    roles: list[Role]
    active: bool = Field(description="Inactive users can no longer be given deals")

    @classmethod
    def of(cls, user: KnownUser) -> "UserPublic":
        return cls(id=user.id, team=user.team, roles=[Role(r) for r in user.roles], active=user.active)


class UserPut(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team: str | None = Field(max_length=128)
    roles: list[Role] = Field(max_length=4)
    active: bool


@router.get("", summary="Users known to deals: seen in requests, or registered by Admin")
async def list_users(bus: BusDep) -> list[UserPublic]:
    return [UserPublic.of(u) for u in await bus.read(users.list_users)]


@router.get("/{user_id}", summary="One known user")
async def get_user(user_id: UserId, bus: BusDep) -> UserPublic:
    return UserPublic.of(await bus.read(users.get_user, user_id=user_id))


@router.put(
    "/{user_id}",
    summary="Register or change a user (admin)",
    description="A user's own later requests refresh their team and roles from their token; "
    "`active: false` stays until Admin changes it, and keeps new deals from being given to them.",
    responses={403: {"description": "Only admin"}},
)
async def put_user(user_id: UserId, body: UserPut, bus: BusDep) -> UserPublic:
    user = await bus.execute(
        users.put_user, user_id=user_id, team=body.team, roles=body.roles, active=body.active
    )
    return UserPublic.of(user)
