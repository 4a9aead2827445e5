"""The one schema, for SQLite and PostgreSQL alike. Alembic migrations create it.

Times are integer milliseconds since the epoch. JSON payloads are stored as text so both
engines treat them alike; the store encodes and decodes them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (auto-increment) when the type
# is exactly INTEGER; PostgreSQL gets BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("nickname", String(64), nullable=False),
    Column("avatar", String(512), nullable=False, server_default=""),
    Column("signature", String(200), nullable=False, server_default=""),
    Column("work_email", String(254), nullable=False, server_default=""),
    Column("office_phone", String(40), nullable=False, server_default=""),
    Column("desk", String(100), nullable=False, server_default=""),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    # The last seq of the user's private log.
    Column("private_seq", BigInteger, nullable=False, server_default="0"),
    Column("system_conversation_id", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    # sha256 of the opaque token; the token itself is never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("device_credential_hash", String(64), nullable=True, unique=True),
    Column("device_credential_expires_at", BigInteger, nullable=True),
    Column("platform", String(16), nullable=False),
    Column("device_name", String(100), nullable=False, server_default=""),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    Column("revoke_reason", String(32), nullable=True),
    Index("ix_sessions_user_live", "user_id", "revoked_at"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("type", String(16), nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    # "low:high" user ids for direct chats, so there is one per pair.
    Column("direct_key", String(64), nullable=True, unique=True),
    Column("created_by", BigInteger, nullable=True),
    # The seq of the newest entry; the next append takes last_seq + 1.
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_activity_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("visible_from_seq", BigInteger, nullable=False, server_default="1"),
    Column("read_seq", BigInteger, nullable=False, server_default="0"),
    Column("delivered_seq", BigInteger, nullable=False, server_default="0"),
    Column("cleared_seq", BigInteger, nullable=False, server_default="0"),
    Column("pinned", Boolean, nullable=False, server_default="0"),
    Column("muted", Boolean, nullable=False, server_default="0"),
    Column("draft", Text, nullable=False, server_default=""),
    Column("joined_at", BigInteger, nullable=False),
    Index("ix_members_user", "user_id", "active"),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=True),
    Column("kind", String(24), nullable=False),
    Column("type", String(24), nullable=True),
    Column("body", Text, nullable=False),
    Column("client_msg_id", String(64), nullable=True),
    Column("reply_to_seq", BigInteger, nullable=True),
    Column("recalled", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("conversation_id", "seq"),
    # A retried send finds its first attempt here: never a second copy.
    UniqueConstraint("sender_id", "client_msg_id"),
)

private_entries = Table(
    "private_entries",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("data", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# "Delete for me": entries one user no longer sees.
hidden_entries = Table(
    "hidden_entries",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("conversation_id", BigInteger, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
)

friendships = Table(
    "friendships",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("friend_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)
