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
from sqlalchemy.dialects.postgresql import TSVECTOR

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
    # A server admin's role (domain/admin.py AdminRole), NULL for everyone else.
    Column("admin_role", String(16), nullable=True),
    # Found only by an exact match: substrings would let anyone enumerate numbers.
    Column("phone", String(32), nullable=False, server_default=""),
    # The last seq of the user's private log.
    Column("private_seq", BigInteger, nullable=False, server_default="0"),
    Column("system_conversation_id", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # Set by an admin's password reset: the one-time password signs in only to change itself.
    Column("password_change_required", Boolean, nullable=False, server_default="0"),
    # The newest sign-in (0: never), its address and device: the console lists, filters and
    # sorts users by it (migration 0019).
    Column("last_sign_in_at", BigInteger, nullable=False, server_default="0"),
    Column("last_sign_in_ip", String(64), nullable=False, server_default=""),
    Column("last_sign_in_device", String(100), nullable=False, server_default=""),
    # domain/accounts.py UserKind: a person, an app's bot, a customer-service visitor
    # (migration 0022). Only people sign in with a password and appear in the directory.
    Column("kind", String(16), nullable=False, server_default="person"),
    # The host system's own id of the user (issue 14): unique, taken wherever an app names a
    # user.
    Column("external_id", String(128), nullable=True),
    Index("ix_users_phone", "phone"),
    Index("ix_users_external_id", "external_id", unique=True),
    # Keyset paging of the console's user list by each of its sorts.
    Index("ix_users_last_sign_in", "last_sign_in_at", "id"),
    Index("ix_users_nickname", "nickname", "id"),
    Index("ix_users_work_email", "work_email", "id"),
)

# Append-only (PRODUCT.md K6, decision 0052): each entry is written in the transaction of the
# change it records; nothing in the product updates or deletes a row.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("action", String(64), nullable=False),
    # NULL: the system or the command line. The account is copied: the entry keeps the name.
    Column("actor_id", BigInteger, nullable=True),
    Column("actor_account", String(64), nullable=False, server_default=""),
    Column("target_type", String(32), nullable=False, server_default=""),
    Column("target_id", String(128), nullable=False, server_default=""),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("user_agent", String(256), nullable=False, server_default=""),
    Index("ix_audit_log_action_id", "action", "id"),
    Index("ix_audit_log_actor_id", "actor_id", "id"),
    Index("ix_audit_log_target", "target_type", "target_id", "id"),
    Index("ix_audit_log_at", "at"),
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

# Devices that signed in to an account before (issue 11): a sign-in that presents one's
# token skips the per-account lock-out. The token is opaque; only its sha256 is stored.
known_devices = Table(
    "known_devices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("device_name", String(100), nullable=False, server_default=""),
    Column("platform", String(16), nullable=False),
    Column("first_used_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger, nullable=False),
    Column("last_ip", String(64), nullable=False, server_default=""),
    Index("ix_known_devices_user_last_used", "user_id", "last_used_at"),
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
    # Bumped by every change to the members or the rules a send meets (leave, removal,
    # disband, mutes, roles, settings, joins). Membership changes take the row's lock with
    # this update; a send is appended only while it still holds the version the send was
    # checked against (decision 12).
    Column("roster_version", BigInteger, nullable=False, server_default="0"),
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
    # A former member's last readable seq: the entry that took them out (history before it
    # stays theirs to read and search); null while a member, or for those who left before
    # migration 0033.
    Column("left_seq", BigInteger, nullable=True),
    Column("pinned", Boolean, nullable=False, server_default="0"),
    Column("muted", Boolean, nullable=False, server_default="0"),
    Column("draft", Text, nullable=False, server_default=""),
    Column("joined_at", BigInteger, nullable=False),
    # Group governance: an admin's powers (comma-separated), a member's mute (ms; -1 is
    # forever) and their view mode (all, do_not_disturb, admins_only).
    Column("powers", String(200), nullable=False, server_default=""),
    Column("muted_until", BigInteger, nullable=True),
    Column("view_mode", String(16), nullable=False, server_default="all"),
    Index("ix_members_user", "user_id", "active"),
    # Groups found by their owner (the console's group list).
    Index("ix_members_role", "role", "user_id"),
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
    # The user's own notes about this friend: a remark, tags (a JSON list) and a contact group.
    Column("remark", String(64), nullable=False, server_default=""),
    Column("tags", Text, nullable=False, server_default="[]"),
    Column("contact_group_id", BigInteger, nullable=True),
)

# Files (issue 4, PRODUCT.md F). A file's id is also its tus upload id (/files/<id>).

files = Table(
    "files",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("uploader_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("mime", String(100), nullable=False, server_default=""),
    # image, video, voice or file: what the uploader claimed, confirmed when it completed.
    Column("kind", String(16), nullable=False),
    # Upload-Length, and Upload-Offset: the bytes durably stored so far.
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False, server_default="0"),
    # uploading, complete, or purged (expired and its bytes removed; the row answers 410).
    Column("state", String(16), nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("duration_ms", BigInteger, nullable=True),
    Column("animated", Boolean, nullable=False, server_default="0"),
    Column("thumbnail_mime", String(32), nullable=True),
    # A copy without the EXIF location exists: what everyone but the uploader downloads.
    Column("has_shared_copy", Boolean, nullable=False, server_default="0"),
    Column("expiry_days", Integer, nullable=True),
    Column("expires_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("completed_at", BigInteger, nullable=True),
    # Bytes of the server's copies (thumbnail, copy without the location), charged to the
    # uploader's quota with the file.
    Column("derived_bytes", BigInteger, nullable=False, server_default="0"),
    # Upload-Metadata as the client sent it (HEAD echoes it), at most 4 KiB.
    Column("upload_metadata", Text, nullable=True),
    # tus concatenation: "partial", or "final;<partial upload URLs>".
    Column("concat", Text, nullable=True),
    Index("ix_files_uploader", "uploader_id", "state"),
    Index("ix_files_state_updated", "state", "updated_at"),
    Index("ix_files_expires", "expires_at"),
)

# Where a file was sent: members of the conversation who can see that entry may read it.
file_refs = Table(
    "file_refs",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("file_id", String(32), ForeignKey("files.id"), primary_key=True),
    Column("sender_id", BigInteger, nullable=False),
    # A video's poster image rides along with it; group file lists show only attachments.
    Column("is_poster", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_file_refs_file", "file_id"),
)

# A user's saved files, independent of chat history: saving keeps the right to read.
favorite_files = Table(
    "favorite_files",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("file_id", String(32), ForeignKey("files.id"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_favorite_files_user_created", "user_id", "created_at"),
)

# A user's own stickers (issue 12, h/compose): images saved from chats or uploaded, in the
# order saved. Like a favorite, saving needs the right to read and then is that right.
stickers = Table(
    "stickers",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("file_id", String(32), ForeignKey("files.id"), primary_key=True),
    Column("emoji", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_stickers_user_created", "user_id", "created_at"),
)

# Server-wide secrets shared by every node (e.g. the key that signs download links).
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("secret", String(128), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# Contacts (issue 3, PRODUCT.md B)

friend_requests = Table(
    "friend_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("from_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("to_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("message", String(200), nullable=False, server_default=""),
    # pending, accepted, rejected, ignored
    Column("status", String(16), nullable=False),
    # Sent to someone who blocked the sender: it looks pending to the sender and is never
    # delivered, so a block cannot be detected by sending requests.
    Column("suppressed", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger, nullable=True),
    Index("ix_friend_requests_to", "to_user_id", "status"),
    Index("ix_friend_requests_from", "from_user_id", "status"),
)

# A user's own contact groups, nested to any depth (parent_id null: top level).
contact_groups = Table(
    "contact_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("parent_id", BigInteger, nullable=True),
    Column("name", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_contact_groups_user", "user_id"),
)

# The blacklist: blocked users cannot message, add or watch the presence of the blocker.
blocks = Table(
    "blocks",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("blocked_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

# Invite links and QR codes: add a friend (kind "friend") or join a group (kind "group").
invites = Table(
    "invites",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("conversation_id", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    Column("revoked_at", BigInteger, nullable=True),
    Index("ix_invites_user", "user_id"),
)

# The organization (issue 3, PRODUCT.md C): one company, departments to any depth.

organization = Table(
    "organization",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, server_default=""),
    # Bumped by every change to the tree; clients refetch the tree when it moves.
    Column("version", BigInteger, nullable=False, server_default="0"),
)

departments = Table(
    "departments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("parent_id", BigInteger, nullable=True),
    Column("name", String(100), nullable=False),
    # Hidden departments are seen by admins and their own members only.
    Column("hidden", Boolean, nullable=False, server_default="0"),
    Column("sort_order", Integer, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    # The host system's own id of the department (issue 14), for idempotent tree syncs.
    Column("external_id", String(128), nullable=True),
    Index("ix_departments_parent", "parent_id"),
    Index("ix_departments_external_id", "external_id", unique=True),
)

department_members = Table(
    "department_members",
    metadata,
    Column("department_id", BigInteger, ForeignKey("departments.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("position", String(64), nullable=False, server_default=""),
    Index("ix_department_members_user", "user_id"),
)

# Collaborating departments see each other; stored once per direction.
department_partners = Table(
    "department_partners",
    metadata,
    Column("department_id", BigInteger, ForeignKey("departments.id"), primary_key=True),
    Column("partner_id", BigInteger, ForeignKey("departments.id"), primary_key=True),
)

# Group governance (issue 3, PRODUCT.md E). A group without a row has the defaults.

group_settings = Table(
    "group_settings",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("avatar", String(512), nullable=False, server_default=""),
    Column("intro", String(500), nullable=False, server_default=""),
    # Null: the server's group_size_limit.
    Column("size_limit", Integer, nullable=True),
    Column("join_mode", String(16), nullable=False, server_default="invite_code"),
    Column("mute_all", Boolean, nullable=False, server_default="0"),
    Column("moderation", Boolean, nullable=False, server_default="0"),
    Column("forbid_private_chat", Boolean, nullable=False, server_default="0"),
    # Automatic blocking: keywords (a JSON list) and at most rate_count messages per
    # rate_seconds per member (0: off).
    Column("keywords", Text, nullable=False, server_default="[]"),
    Column("rate_count", Integer, nullable=False, server_default="0"),
    Column("rate_seconds", Integer, nullable=False, server_default="0"),
    Column("disbanded_at", BigInteger, nullable=True),
)

group_blacklist = Table(
    "group_blacklist",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("added_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

join_requests = Table(
    "join_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("message", String(200), nullable=False, server_default=""),
    # pending, approved, rejected
    Column("status", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger, nullable=True),
    Column("decided_by", BigInteger, nullable=True),
    # The member whose invite became this request (approval groups); null: the user asked.
    Column("invited_by", BigInteger, nullable=True),
    Index("ix_join_requests_group", "conversation_id", "status"),
)

# Messages waiting for a moderator: they get their seq only when approved.
moderation_queue = Table(
    "moderation_queue",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("sender_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("client_msg_id", String(64), nullable=False),
    Column("type", String(24), nullable=False),
    Column("body", Text, nullable=False),
    Column("reply_to_seq", BigInteger, nullable=True),
    # pending, approved, rejected
    Column("status", String(16), nullable=False),
    Column("reason", String(200), nullable=False, server_default=""),
    Column("seq", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger, nullable=True),
    Column("decided_by", BigInteger, nullable=True),
    # A retried send finds its queued copy.
    UniqueConstraint("sender_id", "client_msg_id"),
    Index("ix_moderation_queue_group", "conversation_id", "status"),
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("pinned", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("edited_at", BigInteger, nullable=True),
    Index("ix_announcements_group", "conversation_id"),
)

announcement_reads = Table(
    "announcement_reads",
    metadata,
    Column("announcement_id", BigInteger, ForeignKey("announcements.id"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    Column("read_at", BigInteger, nullable=False),
)

# Messages an admin marked important (the board also lists @all messages, found in the log).
board_marks = Table(
    "board_marks",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("marked_by", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# Codes a server admin hands out so people can register when registration is invite_only.
registration_invites = Table(
    "registration_invites",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("created_by", BigInteger, nullable=True),  # None: made with the CLI
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=True),
    Column("max_uses", Integer, nullable=False),
    # Counted in the registering transaction, only while below max_uses.
    Column("uses", Integer, nullable=False, server_default="0"),
)

# Account security (migration 0006): codes, bound e-mail/phone, TOTP, the second step.

# Every code sent: sign-in, password reset, binding, new-device confirmation. Only an HMAC of
# the code is kept (keyed by a per-row salt). A code asked for an unbound destination gets a
# row too (never sent, so never matched): both cases do the same work. Rows a day past their
# expiry are pruned as new ones are written.
verification_codes = Table(
    "verification_codes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # login, reset_password, bind, device
    Column("purpose", String(16), nullable=False),
    # email, sms
    Column("channel", String(8), nullable=False),
    Column("destination", String(254), nullable=False),
    # The binding user (bind, device) or the destination's owner when it has one.
    Column("user_id", BigInteger, nullable=True),
    Column("salt", String(32), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_verification_codes_destination", "channel", "destination", "created_at"),
    Index("ix_verification_codes_expires", "expires_at"),
)

# Verified e-mail addresses and phone numbers only (a pending one lives in its code row), so
# "unique among verified ones" is a plain unique constraint: of two users verifying the same
# address at once, one insert wins.
account_bindings = Table(
    "account_bindings",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("channel", String(8), primary_key=True),
    Column("destination", String(254), nullable=False),
    Column("verified_at", BigInteger, nullable=False),
    UniqueConstraint("channel", "destination"),
)

# RFC 6238 secrets. The secret must be readable to check codes (it is not a hash).
# last_step is the newest 30-second step a code was accepted for: a code is accepted only for
# a later step, in one conditional UPDATE, so a code is never used twice even at once.
totp_secrets = Table(
    "totp_secrets",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("enabled_at", BigInteger, nullable=True),
    Column("last_step", BigInteger, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    # sha256 of a random 48-bit code.
    Column("code_hash", String(64), nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_recovery_codes_user", "user_id"),
)

# The second step of a sign-in: the password (or code) was right, a TOTP code or a device
# confirmation code is still wanted. The client holds an opaque token; its sha256 is here.
sign_in_challenges = Table(
    "sign_in_challenges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    # second_factor, device_confirmation
    Column("kind", String(32), nullable=False),
    # The device confirmation code now valid (a resend replaces it).
    Column("code_id", BigInteger, nullable=True),
    Column("platform", String(16), nullable=False),
    Column("device_name", String(100), nullable=False, server_default=""),
    Column("remember", Boolean, nullable=False, server_default="0"),
    # Whether the password came from a device known to the user (no "new device" notice).
    Column("device_known", Boolean, nullable=False, server_default="0"),
    Column("ip", String(64), nullable=False, server_default=""),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_sign_in_challenges_expires", "expires_at"),
)

# A sign-in with OpenID Connect in flight (decision 0064). Started: the browser went to the
# provider with ``state`` (its sha256 here), bound to that browser by a cookie (sha256 here)
# and carrying the nonce and the PKCE verifier kept here. Called back (once): the provider
# vouched for ``user_id``, and the browser got a one-time handoff (sha256 here) that the web
# client spends for a session (once). Rows are pruned a while after they expire.
oidc_sign_ins = Table(
    "oidc_sign_ins",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("state_hash", String(64), nullable=False, unique=True),
    Column("browser_hash", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("redirect_uri", String(2048), nullable=False),
    Column("next_path", String(2048), nullable=False, server_default="/"),
    Column("remember", Boolean, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("called_back_at", BigInteger, nullable=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("handoff_hash", String(64), nullable=True, unique=True),
    Column("handoff_expires_at", BigInteger, nullable=True),
    Column("finished_at", BigInteger, nullable=True),
    Index("ix_oidc_sign_ins_expires", "expires_at"),
)

# Favourites of messages (issue 12, h/select; decision 0036). A favourite is the user's copy
# of one message: it stays when the source is deleted for them, cleared or recalled.
favorite_messages = Table(
    "favorite_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=True),
    # The sender's name when saved: the list shows it even once the sender is out of sight.
    Column("sender_name", String(100), nullable=False, server_default=""),
    Column("sent_at", BigInteger, nullable=False),
    Column("type", String(32), nullable=False),
    # The message body as it was (JSON).
    Column("body", Text, nullable=False),
    # Lower-cased words of the message (text, file name, place, record lines) for search.
    Column("search_text", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("user_id", "conversation_id", "seq"),
    Index("ix_favorite_messages_user_id", "user_id", "id"),
)

# The files a favourite carries (nested chat records too): saving keeps the right to read.
favorite_message_files = Table(
    "favorite_message_files",
    metadata,
    Column("favorite_id", BigInteger, ForeignKey("favorite_messages.id"), primary_key=True),
    Column("file_id", String(32), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Index("ix_favorite_message_files_user_file", "user_id", "file_id"),
)

# Burn after reading (PRODUCT.md D10, decision 0038). A row is written when the recipient
# opens a burn message: the durable time it burns, so the sweep wipes it even after a
# restart or when the reader's client is gone. burned_at: when it was wiped.
burns = Table(
    "burns",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("reader_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("burn_at", BigInteger, nullable=False),
    Column("burned_at", BigInteger, nullable=True),
    Index("ix_burns_due", "burned_at", "burn_at"),
)

# Members of direct chats who turned the chat's burn mode on: everything they send there
# burns after reading until they turn it off.
burn_modes = Table(
    "burn_modes",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("since", BigInteger, nullable=False),
)

# Settings kept on the server (issue 12, docs/protocol.md "Settings kept on the server"):
# one sparse JSON document per user; ``version`` counts its changes (optimistic concurrency).
user_settings = Table(
    "user_settings",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("data", Text, nullable=False, server_default="{}"),
    Column("updated_at", BigInteger, nullable=False),
)

# Web Push subscriptions (RFC 8030): one per browser and session; they die with the session.
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("session_id", BigInteger, ForeignKey("sessions.id"), nullable=False),
    Column("endpoint", String(2048), nullable=False),
    # The browser's P-256 public key and auth secret (RFC 8291), base64url.
    Column("p256dh", String(128), nullable=False),
    Column("auth", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("session_id", "endpoint"),
    Index("ix_push_subscriptions_user", "user_id"),
)


# Privacy and the password lock (issue 12, h/me; docs/decisions/0048).
# A user's privacy choices; no row means the defaults (tidings.domain.privacy).
user_privacy = Table(
    "user_privacy",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    # everyone, friends, nobody
    Column("find_by_phone", String(16), nullable=False, server_default="everyone"),
    Column("find_by_account", String(16), nullable=False, server_default="everyone"),
    # everyone, verify, nobody
    Column("add_me", String(16), nullable=False, server_default="verify"),
    Column("show_online", Boolean, nullable=False, server_default="1"),
    Column("send_read_receipts", Boolean, nullable=False, server_default="1"),
    Column("updated_at", BigInteger, nullable=False),
)

# The password lock: its code as an argon2id hash (never the code), the idle minutes after
# which the whole app locks (0: never) and the locked chats (a JSON list of ids).
chat_locks = Table(
    "chat_locks",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("code_hash", String(255), nullable=True),
    Column("idle_minutes", Integer, nullable=False, server_default="0"),
    Column("conversation_ids", Text, nullable=False, server_default="[]"),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", BigInteger, nullable=False),
)

# Whose avatar a file is: any signed-in user may read a file that is someone's avatar.
Index("ix_users_avatar", users.c.avatar)

# The dashboard (PRODUCT.md K6, decision 0061). Days are numbered from 1970-01-01 in the
# statistics' time zone (domain/statistics.py). Counters kept as things happen, added to by
# every node (messages sent, users active), so no chart scans the log.
daily_counts = Table(
    "daily_counts",
    metadata,
    Column("metric", String(32), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False, server_default="0"),
)

# Who was active on which day: one row per user and day, written once (the first activity
# of the day seen by any node; the insert that makes the row also counts it).
user_activity = Table(
    "user_activity",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
)

# New users and groups per day are counted from their own rows.
Index("ix_users_created_at", users.c.created_at)
Index("ix_conversations_type_created_at", conversations.c.type, conversations.c.created_at)

# Site settings (K4, decision 0057): one row (id 1), a sparse JSON document of what the
# administrators changed (tidings.domain.site_settings) and a version every change bumps.
site_settings = Table(
    "site_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("data", Text, nullable=False, server_default="{}"),
    Column("updated_at", BigInteger, nullable=False),
)

# Broadcasts (PRODUCT.md K5, D1; decision 0058): a notice to many people's system-notices
# conversations. ``body`` is the stored notice (JSON); ``audience`` what was chosen (JSON).
broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("body", Text, nullable=False),
    Column("audience", Text, nullable=False),
    # scheduled -> sending -> sent, or scheduled -> cancelled (domain.broadcasts).
    Column("state", String(16), nullable=False),
    Column("send_at", BigInteger, nullable=False),
    # The image of the notice, for the check that a recipient may download it.
    Column("image_file_id", String(32), nullable=True),
    Column("recipient_count", BigInteger, nullable=False, server_default="0"),
    Column("delivered_count", BigInteger, nullable=False, server_default="0"),
    # Fan-out progress: every recipient with a user id up to this one has the entry.
    Column("fanned_out_to", BigInteger, nullable=False, server_default="0"),
    # Which node is fanning it out, and until when that claim holds without renewal.
    Column("lease_owner", String(64), nullable=False, server_default=""),
    Column("lease_until", BigInteger, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("started_at", BigInteger, nullable=True),
    Column("finished_at", BigInteger, nullable=True),
    Column("cancelled_at", BigInteger, nullable=True),
    Index("ix_broadcasts_state_send_at", "state", "send_at"),
    Index("ix_broadcasts_image_file_id", "image_file_id"),
)

# One row per person a broadcast reaches, written when sending starts; ``seq`` is the entry's
# seq in their system conversation once it is stored (NULL until then). The primary key makes
# each person a recipient once; the entry and its seq commit together.
broadcast_recipients = Table(
    "broadcast_recipients",
    metadata,
    Column("broadcast_id", BigInteger, ForeignKey("broadcasts.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("conversation_id", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=True),
    Index("ix_broadcast_recipients_user_id", "user_id"),
)

# Content moderation (K7, docs/decisions/0056): the server-wide word list, its version (every
# change bumps it in the same transaction; nodes compile the list again when it moves) and the
# review queue: users' reports and what the word list flagged.
moderation_words = Table(
    "moderation_words",
    metadata,
    # Folded (tidings.domain.moderation.fold): one row per word however it was typed.
    Column("word", String(64), primary_key=True),
    Column("action", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

moderation_state = Table(
    "moderation_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("words_version", BigInteger, nullable=False, server_default="0"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # NULL: flagged by the word list, not reported by a person.
    Column("reporter_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("target_type", String(16), nullable=False),  # message, user, group
    # The person concerned: the reported user, the message's sender, the group's owner.
    Column("target_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("conversation_id", BigInteger, nullable=True),
    Column("seq", BigInteger, nullable=True),
    # "<reporter or words>|<target>": one report per reporter and target (idempotent).
    Column("dedupe", String(100), nullable=False, unique=True),
    Column("reason", String(16), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    # What was reported as it was then (message text, nickname, group name), for the reviewer.
    Column("excerpt", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("resolution", String(16), nullable=True),
    Column("resolution_note", Text, nullable=False, server_default=""),
    Column("resolved_by", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("resolved_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_reports_status_id", "status", "id"),
    Index("ix_reports_target", "target_type", "conversation_id", "seq", "target_user_id"),
)

# Customer service on a web site (PRODUCT.md J4, decision 0066; tidings.domain.service).
# The people an administrator chose to serve visitors.
service_agents = Table(
    "service_agents",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("added_at", BigInteger, nullable=False),
)

# One row per visitor: their service conversation and where it stands. ``state`` moves
# waiting -> taken -> closed -> waiting...; taking is one conditional UPDATE on it, so of
# agents taking at once exactly one gets the chat. ``app_id``/``external_id``: the host's id
# of an identified visitor (unique per app), NULL for an anonymous one.
service_chats = Table(
    "service_chats",
    metadata,
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), primary_key=True),
    Column("visitor_id", BigInteger, ForeignKey("users.id"), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("agent_id", BigInteger, ForeignKey("users.id"), nullable=True),
    # The open case (service_cases.id), NULL while closed.
    Column("case_id", BigInteger, nullable=True),
    Column("waiting_since", BigInteger, nullable=True),
    # The host page the visitor is on now, as the widget reports it.
    Column("page_url", String(2000), nullable=False, server_default=""),
    Column("page_title", String(200), nullable=False, server_default=""),
    Column("page_at", BigInteger, nullable=False, server_default="0"),
    Column("app_id", BigInteger, nullable=True),
    Column("external_id", String(128), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # When the retention forgot the visitor (no activity for
    # TIDINGS_SERVICE_VISITOR_RETENTION_SECONDS): their name, page and the host's id are gone,
    # their sessions deleted; the log stays, the company's record (migration 0030).
    Column("forgotten_at", BigInteger, nullable=True),
    UniqueConstraint("app_id", "external_id"),
    Index("ix_service_chats_state_waiting", "state", "waiting_since"),
    Index("ix_service_chats_agent", "agent_id", "state"),
    # The retention's sweep: closed chats not forgotten yet.
    Index("ix_service_chats_retention", "state", "forgotten_at"),
)

# One row per case: a stint of a visitor's chat from its first message to its close.
service_cases = Table(
    "service_cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    # The seq of the message that opened it.
    Column("first_seq", BigInteger, nullable=False),
    Column("agent_id", BigInteger, nullable=True),
    Column("taken_at", BigInteger, nullable=True),
    Column("closed_at", BigInteger, nullable=True),
    Column("page_url", String(2000), nullable=False, server_default=""),
    Column("page_title", String(200), nullable=False, server_default=""),
    Index("ix_service_cases_conversation", "conversation_id", "id"),
)

# Tokens a host's backend got for its signed-in users (the app API), exchanged once by the
# widget for a visitor session. Only the sha256 is kept.
service_identity_tokens = Table(
    "service_identity_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("app_id", BigInteger, nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("nickname", String(64), nullable=False),
    Column("avatar", String(512), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_service_identity_tokens_expires", "expires_at"),
)

# Apps of the company's own systems (issue 14, decision 0065). The secret is stored as a
# sha256 (it is 256 random bits, like a session token); rotating it ends the app's tokens.
apps = Table(
    "apps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("description", String(500), nullable=False, server_default=""),
    Column("client_id", String(40), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    # Space-separated AppScope values (RFC 6749's form).
    Column("scopes", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="active"),
    # The app's bot account (a user of kind "bot").
    Column("bot_user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("secret_rotated_at", BigInteger, nullable=False),
)

# Bearer tokens of the client-credentials grant; the token itself is never stored.
app_tokens = Table(
    "app_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app_id", BigInteger, ForeignKey("apps.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_app_tokens_app", "app_id", "expires_at"),
)

# Webhooks (issue 14, J2; decision 0068). An app's subscriptions; the secret signs every
# delivery, so it is kept as it is (like the VAPID key), shown to the app when made.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("app_id", BigInteger, ForeignKey("apps.id"), nullable=False),
    Column("url", String(2000), nullable=False),
    # Space-separated EventType values.
    Column("event_types", Text, nullable=False),
    Column("description", String(500), nullable=False, server_default=""),
    Column("secret", String(64), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("paused_at", BigInteger, nullable=True),
    # Since when every attempt failed (None after a success), and how many in a row.
    Column("failing_since", BigInteger, nullable=True),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Index("ix_webhooks_app", "app_id"),
)

# The outbox: each event written in the transaction of its change; ``dispatched`` once the
# dispatcher has made its deliveries. ``data`` is the JSON of the event's data.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("type", String(32), nullable=False),
    Column("conversation_id", BigInteger, nullable=True),
    Column("data", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("dispatched", Boolean, nullable=False, server_default="0"),
    Index("ix_webhook_events_waiting", "dispatched", "id"),
    Index("ix_webhook_events_created", "created_at"),
)

# One event for one subscription, posted until it succeeds or its schedule is spent. A node
# holds a lease on the deliveries it is posting (lease_until): no other node posts them.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("webhook_id", BigInteger, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", BigInteger, ForeignKey("webhook_events.id"), nullable=False),
    # The webhook-id header: the same on every attempt and replay.
    Column("msg_id", String(40), nullable=False, unique=True),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", BigInteger, nullable=True),
    Column("last_attempt_at", BigInteger, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", String(300), nullable=False, server_default=""),
    Column("lease_owner", String(64), nullable=False, server_default=""),
    Column("lease_until", BigInteger, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("succeeded_at", BigInteger, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    # Pruning: finished deliveries by their last attempt; whether an event has any left.
    Index("ix_webhook_deliveries_done", "status", "last_attempt_at"),
    Index("ix_webhook_deliveries_event", "event_id"),
)

# Workbench apps (J6, decision 0069): H5 pages opened in the client. ``audience`` is JSON
# {"everyone", "department_ids", "user_ids"} (domain.workbench.Audience): a handful of apps,
# each read whole, so no table of its own.
workbench_apps = Table(
    "workbench_apps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("icon_url", String(2000), nullable=True),
    Column("description", String(500), nullable=False, server_default=""),
    # The registered app (J1) whose backend exchanges this app's tickets.
    Column("app_id", BigInteger, ForeignKey("apps.id"), nullable=True),
    Column("audience", Text, nullable=False),
    Column("sort_order", Integer, nullable=False, server_default="0"),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("updated_at", BigInteger, nullable=False),
)

# One-time tickets a user's client hands to a workbench app (valid a minute); the ticket
# itself is never stored. Exchanging one deletes it.
workbench_tickets = Table(
    "workbench_tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_hash", String(64), nullable=False, unique=True),
    Column("workbench_app_id", BigInteger, ForeignKey("workbench_apps.id"), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_workbench_tickets_expires_at", "expires_at"),
)

# One-time sign-in tickets an app asks for a user (A6, decision 0067); the ticket itself is
# never stored. ``used_at`` is set once, by the request that spends it.
sso_tickets = Table(
    "sso_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    Column("app_id", BigInteger, ForeignKey("apps.id"), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("next_path", String(512), nullable=False, server_default="/"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index("ix_sso_tickets_expires", "expires_at"),
)

# System notices an app sent, by the client_msg_id it gave: a retry finds the first one
# (a notice has no sender, so the entries' (sender, client_msg_id) key cannot dedupe it).
app_notices = Table(
    "app_notices",
    metadata,
    Column("app_id", BigInteger, ForeignKey("apps.id"), primary_key=True),
    Column("client_msg_id", String(64), primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("conversation_id", BigInteger, nullable=True),
    Column("seq", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

# Message search (issue 15, decision 0072): derived data, built from the log by the indexer
# (actions/search.py) and rebuilt by `tidings search reindex`. On PostgreSQL the index lives
# here: one row per indexed message, its terms a tsvector under a GIN index (lexemes and
# positions are written by store/search_pg.py, never by a text-search parser). On SQLite it
# lives in a file of its own (search.db, FTS5; store/search_sqlite.py) so that indexing never
# holds the log's one writer; these two tables stay empty there.
search_docs = Table(
    "search_docs",
    metadata,
    Column("entry_id", BigInteger, primary_key=True, autoincrement=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("terms", TSVECTOR().with_variant(Text(), "sqlite"), nullable=False),
    Index("ix_search_docs_conversation_id_seq", "conversation_id", "seq", unique=True),
    Index("ix_search_docs_terms", "terms", postgresql_using="gin"),
)

# The indexer's progress: ``watermark`` (every entry id up to it is indexed), ``format``
# (the tokenizer the index was built with) and ``generation`` (moved on by a reindex).
search_state = Table(
    "search_state",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

# One-to-one calls (PRODUCT.md G1, decision 0074). A call moves ringing -> active -> ended
# only by conditional updates (``WHERE state = ...``): of two devices or nodes racing, one
# wins. ``ring_deadline`` and ``lost_deadline`` are swept by every node.
calls = Table(
    "calls",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversation_id", BigInteger, ForeignKey("conversations.id"), nullable=False),
    Column("caller_id", BigInteger, ForeignKey("users.id"), nullable=False),
    # NULL for a group call (decision 0078).
    Column("callee_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("media", String(8), nullable=False),
    Column("state", String(8), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("ring_deadline", BigInteger, nullable=False),
    Column("accepted_at", BigInteger, nullable=True),
    Column("ended_at", BigInteger, nullable=True),
    Column("end_reason", String(16), nullable=True),
    Column("lost_deadline", BigInteger, nullable=True),
    # "direct" or "group" (decision 0078). A group call's ``live`` is 1 while it runs and NULL
    # after: unique with the conversation, so a group has one live call, and two members
    # starting at once end up in the same one. ``live_count`` is how many are in it: joins
    # move it with a conditional UPDATE, which holds the size limit under concurrency.
    Column("kind", String(8), nullable=False, server_default="direct"),
    Column("live", Integer, nullable=True),
    Column("live_count", Integer, nullable=False, server_default="0"),
    Index("ix_calls_state_ring_deadline", "state", "ring_deadline"),
    Index("ix_calls_lost_deadline", "lost_deadline"),
    Index("ix_calls_conversation_id_live", "conversation_id", "live", unique=True),
)

# Who is in a call, with which device and media. ``line`` is 1 while the call is live and
# NULL after: the unique (user_id, line) makes "busy" one insert, whatever the nodes (NULLs
# never collide, so a user keeps every ended call's row).
call_participants = Table(
    "call_participants",
    metadata,
    Column("call_id", BigInteger, ForeignKey("calls.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("session_id", BigInteger, nullable=True),
    Column("line", Integer, nullable=True),
    Column("audio", Boolean, nullable=False),
    Column("video", Boolean, nullable=False),
    Column("screen", Boolean, nullable=False, server_default="0"),
    # Group calls (decision 0078): when this member (last) joined, until when they stay
    # without reporting that their media flows, whether a host muted them, and the mid of
    # their published audio (what Janus's "moderate" mutes).
    Column("joined_at", BigInteger, nullable=True),
    Column("lost_deadline", BigInteger, nullable=True),
    Column("host_muted", Boolean, nullable=False, server_default="0"),
    Column("audio_mid", String(16), nullable=True),
    Index("ix_call_participants_user_id_line", "user_id", "line", unique=True),
    Index("ix_call_participants_lost_deadline", "lost_deadline"),
)
