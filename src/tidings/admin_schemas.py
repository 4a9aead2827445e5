"""Request shapes of the back office's users and groups (PRODUCT.md K1, K2; decision 0059)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from tidings.domain.accounts import Account, Nickname, Password
from tidings.domain.groups import JoinMode
from tidings.schemas import Id, Input

Position = Annotated[str, StringConstraints(max_length=64)]
Phone = Annotated[str, StringConstraints(max_length=32)]
Email = Annotated[str, StringConstraints(max_length=254)]


class DepartmentPlace(Input):
    department_id: Id
    position: Position = ""


# A user is in a few departments; the bound keeps one request small.
Departments = Annotated[list[DepartmentPlace], Field(max_length=50)]


class NewUserInput(Input):
    account: Account
    nickname: Nickname
    # Left out: a one-time password is made and returned once; it must be changed at the
    # first sign-in.
    password: Password | None = None
    phone: Phone = ""
    work_email: Email = ""
    departments: Departments = []


class UserChangesInput(Input):
    nickname: Nickname | None = None
    signature: Annotated[str, StringConstraints(max_length=200)] | None = None
    work_email: Email | None = None
    office_phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    desk: Annotated[str, StringConstraints(max_length=100)] | None = None
    phone: Phone | None = None
    # Given: exactly these departments (and positions); left out: unchanged.
    departments: Departments | None = None

    def profile_changes(self) -> dict[str, str]:
        return {
            k: v
            for k, v in self.model_dump(exclude={"departments"}, exclude_none=True).items()
            if isinstance(v, str)
        }

    def department_positions(self) -> dict[int, str] | None:
        if self.departments is None:
            return None
        return {d.department_id: d.position for d in self.departments}


class ChangeOwnerInput(Input):
    user_id: Id


class GroupLimitsInput(Input):
    # A number: the group's own limit; null: the server's limit again; left out: unchanged.
    size_limit: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    join_mode: Annotated[JoinMode, Field(strict=False)] | None = None
