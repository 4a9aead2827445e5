"""The organization tree and who may see whom in it (PRODUCT.md C1, C2).

A member sees:
- every department they belong to, and the departments below it (except hidden ones);
- the direct members of each ancestor of those departments (not the ancestors' other
  branches);
- departments marked as collaborating with one of theirs, and the departments below them.

Hidden departments (and everything below them) are seen only by admins and by their own
members. People who belong to no department are outside the tree and visible to everyone.
The tree is small enough to keep in memory (2,000 departments, 50,000 memberships), so all
of this is computed there, never with a recursive query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tidings.domain.errors import ErrorCode, TidingsError

# Separates department names in a path: "Acme/Engineering/Backend".
PATH_SEPARATOR = "/"
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Department:
    id: int
    parent_id: int | None
    name: str
    hidden: bool
    sort_order: int = 0


@dataclass(slots=True)
class OrgTree:
    """A snapshot of the tree; rebuilt whenever the organization changes."""

    version: int
    company: str
    departments: dict[int, Department]
    # department -> {user_id: position}
    members: dict[int, dict[int, str]]
    partners: dict[int, set[int]]
    children: dict[int | None, list[int]] = field(default_factory=dict)
    # user -> departments they belong to
    memberships: dict[int, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.children = {}
        for dept in sorted(self.departments.values(), key=lambda d: (d.sort_order, d.name, d.id)):
            self.children.setdefault(dept.parent_id, []).append(dept.id)
        self.memberships = {}
        for dept_id, people in self.members.items():
            for user_id in people:
                self.memberships.setdefault(user_id, set()).add(dept_id)

    def ancestors(self, dept_id: int) -> list[int]:
        """From the parent up to the root."""
        out: list[int] = []
        current = self.departments.get(dept_id)
        while current is not None and current.parent_id is not None and len(out) < MAX_DEPTH:
            out.append(current.parent_id)
            current = self.departments.get(current.parent_id)
        return out

    def subtree(self, dept_id: int, *, skip_hidden: bool) -> list[int]:
        """The department and everything below it; hidden branches cut when asked."""
        out: list[int] = []
        stack = [dept_id]
        while stack:
            current = stack.pop()
            dept = self.departments.get(current)
            if dept is None:
                continue
            if skip_hidden and dept.hidden and current != dept_id:
                continue
            out.append(current)
            stack.extend(self.children.get(current, ()))
        return out

    def path(self, dept_id: int) -> str:
        names = [self.departments[d].name for d in reversed(self.ancestors(dept_id))]
        names.append(self.departments[dept_id].name)
        return PATH_SEPARATOR.join(names)

    def path_items(self, dept_id: int) -> list[dict[str, int | str]]:
        """The path as ``[{"id", "name"}]`` from the top: names may contain the separator."""
        chain = [*reversed(self.ancestors(dept_id)), dept_id]
        return [{"id": d, "name": self.departments[d].name} for d in chain]

    def hidden_within(self, dept_id: int) -> bool:
        """Whether the department or one of its ancestors is hidden."""
        dept = self.departments.get(dept_id)
        if dept is None:
            return False
        return dept.hidden or any(self.departments[a].hidden for a in self.ancestors(dept_id))

    def would_cycle(self, dept_id: int, new_parent_id: int | None) -> bool:
        return new_parent_id is not None and (
            new_parent_id == dept_id or dept_id in self.ancestors(new_parent_id)
        )


@dataclass(frozen=True, slots=True)
class Visibility:
    """What one viewer may see: departments whose direct members are visible to them."""

    everything: bool
    departments: frozenset[int]

    def sees_department(self, dept_id: int) -> bool:
        return self.everything or dept_id in self.departments


def visibility_for(tree: OrgTree, user_id: int, *, is_admin: bool) -> Visibility:
    if is_admin:
        return Visibility(True, frozenset())
    own = tree.memberships.get(user_id, set())
    seen: set[int] = set()
    for dept_id in own:
        # One's own hidden department is still one's own.
        seen.update(tree.subtree(dept_id, skip_hidden=True))
        # Ancestors are one's own line, hidden or not.
        seen.update(tree.ancestors(dept_id))
        for partner in tree.partners.get(dept_id, ()):
            if not tree.hidden_within(partner):
                seen.update(tree.subtree(partner, skip_hidden=True))
    return Visibility(False, frozenset(seen))


def user_visible(tree: OrgTree, visibility: Visibility, user_id: int, viewer_id: int) -> bool:
    """Whether the viewer may see this user at all (friendship is checked by the caller)."""
    if visibility.everything or user_id == viewer_id:
        return True
    belongs = tree.memberships.get(user_id)
    if not belongs:
        return True
    return any(d in visibility.departments for d in belongs)


def split_path(path: str) -> list[str]:
    """Department names of "A/B/C"; refuse empty parts and overlong names."""
    parts = [p.strip() for p in path.split(PATH_SEPARATOR)]
    if not parts or any(not p for p in parts):
        raise TidingsError(ErrorCode.INVALID_INPUT, "a department path like Company/Sales")
    if any(len(p) > 100 for p in parts) or len(parts) > MAX_DEPTH:
        raise TidingsError(ErrorCode.INVALID_INPUT, "department names are 1 to 100 characters")
    return parts


def child_named(tree: OrgTree, parent_id: int | None, name: str) -> int | None:
    for child in tree.children.get(parent_id, ()):
        if tree.departments[child].name == name:
            return child
    return None


def positions_of(tree: OrgTree, user_id: int) -> Mapping[int, str]:
    return {d: tree.members[d][user_id] for d in tree.memberships.get(user_id, ())}


def visible_departments(tree: OrgTree, visibility: Visibility) -> Iterable[Department]:
    return (d for d in tree.departments.values() if visibility.sees_department(d.id))
