"""Reply shapes of the organization's admin API (api/admin_org.py; decision 0060): what the
console and scripts read, documented in the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class AdminDepartment(BaseModel):
    id: int
    parent_id: int | None
    name: str
    hidden: bool
    sort_order: int = 0


class AdminTreeDepartment(AdminDepartment):
    member_count: int
    # Departments marked as collaborating with this one (they see each other).
    partners: list[int]


class AdminOrgTree(BaseModel):
    version: int
    company: str
    departments: list[AdminTreeDepartment]


class PlanPlace(BaseModel):
    department: str
    position: str


class PlanPerson(BaseModel):
    user_id: int | None
    account: str
    nickname: str
    new_nickname: str | None = None
    before: list[PlanPlace]
    after: list[PlanPlace]


class PlanDisable(BaseModel):
    user_id: int
    account: str
    nickname: str


class PlanPath(BaseModel):
    path: str


class PlanRename(BaseModel):
    id: int
    path: str
    name: str


class PlanMove(BaseModel):
    id: int
    path: str
    to: str


class PlanRemove(BaseModel):
    id: int
    path: str


class PlanKept(PlanRemove):
    reason: str


class PlanDepartments(BaseModel):
    create: list[PlanPath]
    rename: list[PlanRename]
    move: list[PlanMove]
    remove: list[PlanRemove]
    # What sync would remove but keeps, and why (people stay there).
    kept: list[PlanKept]


class PlanPeople(BaseModel):
    create: list[PlanPerson]
    update: list[PlanPerson]
    move: list[PlanPerson]
    disable: list[PlanDisable]


class PlanRejectedRow(BaseModel):
    row: int
    department: str
    account: str
    reason: str


class CreatedPassword(BaseModel):
    account: str
    user_id: int
    password: str


class OrgImportPlan(BaseModel):
    """A preview (``dry_run``) or what was applied: the same plan either way."""

    dry_run: bool
    applied: bool
    plan_id: str
    mode: Literal["merge", "sync"]
    version: int
    rows: int
    changes: int
    departments: PlanDepartments
    people: PlanPeople
    rejected: list[PlanRejectedRow]
    # The one-time passwords of the people an applied import created, shown once.
    passwords: list[CreatedPassword] = []
