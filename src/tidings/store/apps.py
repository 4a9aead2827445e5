"""Apps and their client-credentials tokens (issue 14, decision 0065)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from tidings.domain.apps import App, AppCaller, AppScope, AppStatus, parse_scopes, scope_text
from tidings.store.database import Database
from tidings.store.schema import app_tokens, apps


def _app(row: Row[Any, *tuple[Any, ...]]) -> App:
    return App(
        id=row.id,
        name=row.name,
        description=row.description,
        client_id=row.client_id,
        scopes=parse_scopes(row.scopes),
        status=AppStatus(row.status),
        bot_user_id=row.bot_user_id,
        created_at=row.created_at,
        created_by=row.created_by,
        secret_rotated_at=row.secret_rotated_at,
    )


class AppStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        name: str,
        description: str,
        client_id: str,
        secret_hash: str,
        scopes: frozenset[AppScope],
        bot_user_id: int,
        created_by: int | None,
        now: int,
    ) -> App:
        async with self._db.write("create_app") as conn:
            app_id = (
                await conn.execute(
                    insert(apps)
                    .values(
                        name=name,
                        description=description,
                        client_id=client_id,
                        secret_hash=secret_hash,
                        scopes=scope_text(scopes),
                        status=AppStatus.ACTIVE.value,
                        bot_user_id=bot_user_id,
                        created_at=now,
                        created_by=created_by,
                        secret_rotated_at=now,
                    )
                    .returning(apps.c.id)
                )
            ).scalar_one()
            row = (await conn.execute(select(apps).where(apps.c.id == app_id))).one()
        return _app(row)

    async def get(self, app_id: int) -> App | None:
        async with self._db.read("app") as conn:
            row = (await conn.execute(select(apps).where(apps.c.id == app_id))).first()
        return _app(row) if row else None

    async def all(self) -> list[App]:
        async with self._db.read("apps") as conn:
            rows = (await conn.execute(select(apps).order_by(apps.c.id))).all()
        return [_app(row) for row in rows]

    async def credentials(self, client_id: str) -> tuple[App, str] | None:
        """The app of ``client_id`` and its secret's hash."""
        async with self._db.read("app_credentials") as conn:
            row = (await conn.execute(select(apps).where(apps.c.client_id == client_id))).first()
        return (_app(row), row.secret_hash) if row else None

    async def update(
        self, app_id: int, *, name: str, description: str, scopes: frozenset[AppScope]
    ) -> App | None:
        """Change what an app is called and may do (its tokens narrow at once: a token's
        scopes are always cut to the app's)."""
        async with self._db.write("update_app") as conn:
            changed = await conn.execute(
                update(apps)
                .where(apps.c.id == app_id)
                .values(name=name, description=description, scopes=scope_text(scopes))
            )
            if changed.rowcount == 0:
                return None
            row = (await conn.execute(select(apps).where(apps.c.id == app_id))).one()
        return _app(row)

    async def rotate_secret(self, app_id: int, secret_hash: str, now: int) -> App | None:
        """A new secret; the old one and every token it got stop at once."""
        async with self._db.write("rotate_app_secret") as conn:
            changed = await conn.execute(
                update(apps)
                .where(apps.c.id == app_id, apps.c.status == AppStatus.ACTIVE.value)
                .values(secret_hash=secret_hash, secret_rotated_at=now)
            )
            if changed.rowcount == 0:
                return None
            await conn.execute(delete(app_tokens).where(app_tokens.c.app_id == app_id))
            row = (await conn.execute(select(apps).where(apps.c.id == app_id))).one()
        return _app(row)

    async def revoke(self, app_id: int) -> App | None:
        """Revoked for good: its tokens stop at once and it gets no new ones."""
        async with self._db.write("revoke_app") as conn:
            changed = await conn.execute(
                update(apps).where(apps.c.id == app_id).values(status=AppStatus.REVOKED.value)
            )
            if changed.rowcount == 0:
                return None
            await conn.execute(delete(app_tokens).where(app_tokens.c.app_id == app_id))
            row = (await conn.execute(select(apps).where(apps.c.id == app_id))).one()
        return _app(row)

    async def add_token(
        self, app_id: int, token_hash: str, scopes: frozenset[AppScope], now: int, expires_at: int
    ) -> bool:
        """Store a token, only while the app is active (a revoke racing the grant wins)."""
        async with self._db.write("add_app_token") as conn:
            active = (
                await conn.execute(
                    select(apps.c.id).where(
                        apps.c.id == app_id, apps.c.status == AppStatus.ACTIVE.value
                    )
                )
            ).first()
            if active is None:
                return False
            # Expired tokens of this app go as new ones come: the table stays small.
            await conn.execute(
                delete(app_tokens).where(
                    app_tokens.c.app_id == app_id, app_tokens.c.expires_at <= now
                )
            )
            await conn.execute(
                insert(app_tokens).values(
                    app_id=app_id,
                    token_hash=token_hash,
                    scopes=scope_text(scopes),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return True

    async def revoke_token(self, app_id: int, token_hash: str) -> bool:
        """Delete one token of this app; whether there was one."""
        async with self._db.write("revoke_app_token") as conn:
            gone = await conn.execute(
                delete(app_tokens).where(
                    app_tokens.c.app_id == app_id, app_tokens.c.token_hash == token_hash
                )
            )
        return bool(gone.rowcount)

    async def caller(self, token_hash: str, now: int) -> AppCaller | None:
        """The app behind a live token of an active app, or None."""
        async with self._db.read("app_token") as conn:
            row = (
                await conn.execute(
                    select(
                        app_tokens.c.id.label("token_id"),
                        app_tokens.c.scopes,
                        apps.c.scopes.label("app_scopes"),
                        apps.c.id,
                        apps.c.name,
                        apps.c.client_id,
                        apps.c.bot_user_id,
                    )
                    .join(apps, apps.c.id == app_tokens.c.app_id)
                    .where(
                        app_tokens.c.token_hash == token_hash,
                        app_tokens.c.expires_at > now,
                        apps.c.status == AppStatus.ACTIVE.value,
                    )
                )
            ).first()
        if row is None:
            return None
        return AppCaller(
            app_id=row.id,
            name=row.name,
            client_id=row.client_id,
            scopes=parse_scopes(row.scopes) & parse_scopes(row.app_scopes),
            bot_user_id=row.bot_user_id,
            token_id=row.token_id,
        )
