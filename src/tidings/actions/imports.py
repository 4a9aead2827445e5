"""Importing from and exporting to CSV and Excel (B6, C3, K1): contacts, users, the tree.

A file that cannot be read, or whose columns are wrong, is refused whole before anything is
written (``bad_file``). Otherwise every row is checked and reported: what was added or
updated, and why a row was rejected; the rows that pass are written.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.contacts import Contacts
from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.notices import Notices
from tidings.actions.organization import Directory, OrgCache
from tidings.actions.publisher import Publisher
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.domain.accounts import ACCOUNT_PATTERN
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.errors import TidingsError
from tidings.domain.organization import split_path
from tidings.domain.tables import (
    MAX_TABLE_BYTES,
    XLSX_MIME,
    Row,
    TableFormat,
    format_of_file,
    read_table,
    write_table,
)
from tidings.store.accounts import AccountStore, AccountTaken
from tidings.store.organization import OrgStore

_ACCOUNT = re.compile(ACCOUNT_PATTERN)
ORG_COLUMNS = ("department", "account", "nickname", "position")


def _report(added: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    rejected = sum(1 for r in rows if r["status"] == "rejected")
    return {"added": added, "rejected": rejected, "rows": rows}


class Imports:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        passwords: Passwords,
        policy: PasswordPolicy,
        notices: Notices,
        org: OrgStore,
        org_cache: OrgCache,
        directory: Directory,
        contacts: Contacts,
        publisher: Publisher,
        files: Files,
        gate: AdminGate,
    ) -> None:
        self._gate = gate
        self._files = files
        self._accounts = accounts
        self._passwords = passwords
        self._policy = policy
        self._notices = notices
        self._org = org
        self._org_cache = org_cache
        self._directory = directory
        self._contacts = contacts
        self._publisher = publisher

    async def do_import_contacts(
        self, actor: Actor, data: bytes, fmt: TableFormat
    ) -> dict[str, Any]:
        """Each row names a user by account (or phone): a friend request goes to them; for
        friends already, the remark and tags are updated."""
        rows = read_table(
            data, fmt, required=("account",), optional=("phone", "remark", "tags", "message")
        )
        by_account = await self._org.users_by_account(
            [r.cells["account"].lower() for r in rows if r.cells["account"]]
        )
        by_phone = await self._org.users_by_phone(
            [r.cells.get("phone", "") for r in rows if r.cells.get("phone")]
        )
        seen: set[int] = set()
        report: list[dict[str, Any]] = []
        added = 0
        # Read once, not per row: each user may appear in one row only (duplicates are
        # refused), so no row changes whether another row's user is a friend.
        friend_ids = {c["user_id"] for c in (await self._contacts.friends(actor))["friends"]}
        for row in rows:
            account, phone = row.cells["account"].lower(), row.cells.get("phone", "")
            user = by_account.get(account) if account else by_phone.get(phone)
            outcome = {"row": row.number, "account": account or phone}
            if not account and not phone:
                report.append({**outcome, "status": "rejected", "reason": "no account or phone"})
                continue
            if user is None or user.disabled or not await self._directory.may_see(actor, user.id):
                report.append({**outcome, "status": "rejected", "reason": "no such user"})
                continue
            remark, message = row.cells.get("remark", ""), row.cells.get("message", "")
            # Too long is refused, as the same request is refused (never cut short unseen).
            too_long = (
                "remarks are at most 64 characters"
                if len(remark) > 64
                else "messages are at most 200 characters"
                if len(message) > 200
                else None
            )
            if too_long is not None:
                report.append({**outcome, "status": "rejected", "reason": too_long})
                continue
            if user.id in seen:
                report.append({**outcome, "status": "rejected", "reason": "a duplicate row"})
                continue
            seen.add(user.id)
            tags = [t for t in row.cells.get("tags", "").split(";") if t.strip()]
            try:
                if user.id == actor.user_id:
                    report.append({**outcome, "status": "rejected", "reason": "that is you"})
                    continue
                if user.id in friend_ids:
                    changes: dict[str, Any] = {}
                    if remark:
                        changes["remark"] = remark
                    if tags:
                        changes["tags"] = tags
                    if changes:
                        await self._contacts.do_update_contact(actor, user.id, changes)
                    report.append({**outcome, "status": "updated"})
                    continue
                result = await self._contacts.do_request(actor, user.id, message)
            except TidingsError as error:
                report.append({**outcome, "status": "rejected", "reason": error.message})
                continue
            added += 1
            report.append({**outcome, "status": "requested", "request_id": result["request_id"]})
        return _report(added, report)

    async def do_import_users(self, actor: Actor, data: bytes, fmt: TableFormat) -> dict[str, Any]:
        """Admins create users; an empty password cell gets a generated one, reported once."""
        await self._directory.check_admin(actor)
        rows = read_table(
            data,
            fmt,
            required=("account", "nickname"),
            optional=("password", "phone", "work_email", "department", "position"),
        )
        checked: list[tuple[Row, str, str, list[str] | None]] = []
        report: list[dict[str, Any]] = []
        accounts_in_file: set[str] = set()
        existing = await self._org.users_by_account([r.cells["account"].lower() for r in rows])
        for row in rows:
            account = row.cells["account"].lower()
            reason = None
            path: list[str] | None = None
            password = row.cells.get("password", "")
            if not _ACCOUNT.match(account):
                reason = "the account must be 3 to 64 letters, digits or . _ - @"
            elif account in accounts_in_file:
                reason = "a duplicate row"
            elif account in existing:
                reason = "this account is taken"
            elif not 1 <= len(row.cells["nickname"]) <= 64:
                reason = "the nickname must be 1 to 64 characters"
            elif len(password) > 256:
                reason = "the password must be at most 256 characters"
            elif password and (
                weak := await self._policy.reasons(
                    password, account=account, other_inputs=(row.cells["nickname"],)
                )
            ):
                reason = "weak password: " + ", ".join(weak)
            elif len(row.cells.get("phone", "")) > 32 or len(row.cells.get("work_email", "")) > 254:
                reason = "the phone or e-mail is too long"
            elif len(row.cells.get("position", "")) > 64:
                reason = "positions are at most 64 characters"
            elif row.cells.get("department"):
                try:
                    path = split_path(row.cells["department"])
                except TidingsError as error:
                    reason = error.message
            accounts_in_file.add(account)
            if reason is not None:
                report.append(
                    {"row": row.number, "account": account, "status": "rejected", "reason": reason}
                )
                continue
            checked.append((row, account, password, path))
        added = 0
        placements: list[tuple[list[str], int, str]] = []
        for row, account, password, path in checked:
            # At least 12 characters of 64 (72 bits), longer if the policy asks.
            generated = None if password else secrets.token_urlsafe(max(9, self._policy.min_length))
            try:
                user, system_id = await self._accounts.create_user(
                    account=account,
                    password_hash=await self._passwords.hash(password or generated or ""),
                    nickname=row.cells["nickname"],
                    now=now_ms(),
                )
            except AccountTaken:
                report.append(
                    {
                        "row": row.number,
                        "account": account,
                        "status": "rejected",
                        "reason": "this account is taken",
                    }
                )
                continue
            added += 1
            profile = {k: row.cells[k] for k in ("work_email",) if row.cells.get(k)}
            if profile:
                await self._accounts.update_profile(user.id, profile, now_ms())
            if row.cells.get("phone"):
                await self._org.set_phones({user.id: row.cells["phone"]})
            if path is not None:
                placements.append((path, user.id, row.cells.get("position", "")))
            await self._notices.do_post_notice(
                system_id,
                user.id,
                title="Welcome to Tidings",
                text="Your messages sync to every device you sign in on.",
            )
            outcome: dict[str, Any] = {
                "row": row.number,
                "account": account,
                "status": "added",
                "user_id": user.id,
            }
            if generated is not None:
                outcome["password"] = generated
            report.append(outcome)
        if placements:
            await self._place(placements)
        if added:
            self._directory.users_changed()
        report.sort(key=lambda r: int(r["row"]))
        return _report(added, report)

    async def do_import_org(self, actor: Actor, data: bytes, fmt: TableFormat) -> dict[str, Any]:
        """Departments (created as needed, by path) and who belongs where with which
        position, added to what is there; in one transaction, after every row is checked.
        (The console's import previews and can also move and remove: actions/org_import.py.)"""
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.import",
            target_type="organization",
            details={"mode": "add", "format": fmt.value},
        ) as note:
            report = await self._import_org(data, fmt)
            note.details.update(added=report["added"], rejected=report["rejected"])
        return report

    async def _import_org(self, data: bytes, fmt: TableFormat) -> dict[str, Any]:
        rows = read_table(
            data, fmt, required=("department",), optional=("account", "nickname", "position")
        )
        users = await self._org.users_by_account(
            [r.cells["account"].lower() for r in rows if r.cells.get("account")]
        )
        report: list[dict[str, Any]] = []
        placements: list[tuple[list[str], int, str]] = []
        paths: list[list[str]] = []
        seen: set[tuple[str, int]] = set()
        for row in rows:
            account = row.cells.get("account", "").lower()
            outcome = {"row": row.number, "department": row.cells["department"], "account": account}
            try:
                path = split_path(row.cells["department"])
            except TidingsError as error:
                report.append({**outcome, "status": "rejected", "reason": error.message})
                continue
            if len(row.cells.get("position", "")) > 64:
                report.append(
                    {
                        **outcome,
                        "status": "rejected",
                        "reason": "positions are at most 64 characters",
                    }
                )
                continue
            if not account:
                paths.append(path)
                report.append({**outcome, "status": "added"})
                continue
            user = users.get(account)
            if user is None:
                report.append({**outcome, "status": "rejected", "reason": "no such user"})
                continue
            key = ("/".join(path), user.id)
            if key in seen:
                report.append({**outcome, "status": "rejected", "reason": "a duplicate row"})
                continue
            seen.add(key)
            placements.append((path, user.id, row.cells.get("position", "")))
            report.append({**outcome, "status": "added"})
        await self._place(placements, extra_paths=paths)
        return _report(sum(1 for r in report if r["status"] == "added"), report)

    async def export_org(self, actor: Actor, fmt: TableFormat) -> bytes:
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.export",
            target_type="organization",
            details={"format": fmt.value},
        ):
            tree = await self._org_cache.tree()
            people = await self._accounts.users(sorted(tree.memberships))
        rows: list[list[str]] = []
        for dept_id in sorted(tree.departments, key=tree.path):
            path = tree.path(dept_id)
            members = tree.members.get(dept_id, {})
            if not members:
                rows.append([path, "", "", ""])
            for user_id, position in sorted(members.items()):
                user = people.get(user_id)
                if user is not None:
                    rows.append([path, user.account, user.nickname, position])
        return write_table(ORG_COLUMNS, rows, fmt)

    # The same over the WebSocket: a file uploaded first (tus, /files/) instead of a request
    # body, and an export written as a file of the caller's with a signed link.

    async def do_import_contacts_file(
        self, actor: Actor, file_id: str, fmt: TableFormat | None
    ) -> dict[str, Any]:
        data, fmt = await self._table_file(actor, file_id, fmt)
        return await self.do_import_contacts(actor, data, fmt)

    async def do_import_users_file(
        self, actor: Actor, file_id: str, fmt: TableFormat | None
    ) -> dict[str, Any]:
        await self._directory.check_admin(actor)
        data, fmt = await self._table_file(actor, file_id, fmt)
        return await self.do_import_users(actor, data, fmt)

    async def do_import_org_file(
        self, actor: Actor, file_id: str, fmt: TableFormat | None
    ) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.ORG)
        data, fmt = await self._table_file(actor, file_id, fmt)
        return await self.do_import_org(actor, data, fmt)

    async def do_export_org_file(self, actor: Actor, fmt: TableFormat) -> dict[str, Any]:
        """The tree as a file of the admin's own (kept a day), with a signed link to it."""
        data = await self.export_org(actor, fmt)
        mime = XLSX_MIME if fmt is TableFormat.XLSX else "text/csv"
        stored = await self._files.do_store_generated(
            actor, name=f"organization.{fmt.value}", mime=mime, data=data
        )
        return await self._files.generated_reply(actor, stored)

    async def _table_file(
        self, actor: Actor, file_id: str, fmt: TableFormat | None
    ) -> tuple[bytes, TableFormat]:
        file = await self._files.read_whole(actor, file_id, max_bytes=MAX_TABLE_BYTES)
        data = await self._files.whole_bytes(actor, file)
        return data, fmt or format_of_file(file.name, file.mime)

    async def _place(
        self,
        placements: list[tuple[list[str], int, str]],
        *,
        extra_paths: list[list[str]] | None = None,
    ) -> None:
        tree = await self._org_cache.tree()
        _, told = await self._org.import_placements(
            paths=[p for p, _, _ in placements] + (extra_paths or []),
            placements=placements,
            now=now_ms(),
        )
        await self._publisher.private(told.values())
        await self._directory.changed(tree, {u for _, u, _ in placements})
