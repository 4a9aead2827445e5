"""contacts organization and group governance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
    )
    op.create_index("ix_departments_parent", "departments", ["parent_id"], unique=False)
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_table(
        "announcements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pinned", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("edited_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_announcements_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index("ix_announcements_group", "announcements", ["conversation_id"], unique=False)
    op.create_table(
        "blocks",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("blocked_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"], ["users.id"], name=op.f("fk_blocks_blocked_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_blocks_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "blocked_id", name=op.f("pk_blocks")),
    )
    op.create_table(
        "board_marks",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("marked_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_board_marks_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "seq", name=op.f("pk_board_marks")),
    )
    op.create_table(
        "contact_groups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contact_groups_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_groups")),
    )
    op.create_index("ix_contact_groups_user", "contact_groups", ["user_id"], unique=False)
    op.create_table(
        "department_members",
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_members_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_department_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("department_id", "user_id", name=op.f("pk_department_members")),
    )
    op.create_index("ix_department_members_user", "department_members", ["user_id"], unique=False)
    op.create_table(
        "department_partners",
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_partners_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["departments.id"],
            name=op.f("fk_department_partners_partner_id_departments"),
        ),
        sa.PrimaryKeyConstraint("department_id", "partner_id", name=op.f("pk_department_partners")),
    )
    op.create_table(
        "friend_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("from_user_id", sa.BigInteger(), nullable=False),
        sa.Column("to_user_id", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suppressed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_friend_requests_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_friend_requests_to_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_friend_requests")),
    )
    op.create_index(
        "ix_friend_requests_from", "friend_requests", ["from_user_id", "status"], unique=False
    )
    op.create_index(
        "ix_friend_requests_to", "friend_requests", ["to_user_id", "status"], unique=False
    )
    op.create_table(
        "group_blacklist",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_group_blacklist_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_blacklist_user_id_users")
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_group_blacklist")),
    )
    op.create_table(
        "group_settings",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("avatar", sa.String(length=512), server_default="", nullable=False),
        sa.Column("intro", sa.String(length=500), server_default="", nullable=False),
        sa.Column("size_limit", sa.Integer(), nullable=True),
        sa.Column("join_mode", sa.String(length=16), server_default="invite_code", nullable=False),
        sa.Column("mute_all", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("moderation", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("forbid_private_chat", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("keywords", sa.Text(), server_default="[]", nullable=False),
        sa.Column("rate_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rate_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("disbanded_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_group_settings_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_group_settings")),
    )
    op.create_table(
        "invites",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_invites_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code", name=op.f("uq_invites_code")),
    )
    op.create_index("ix_invites_user", "invites", ["user_id"], unique=False)
    op.create_table(
        "join_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_join_requests_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_join_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    op.create_index(
        "ix_join_requests_group", "join_requests", ["conversation_id", "status"], unique=False
    )
    op.create_table(
        "moderation_queue",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=False),
        sa.Column("client_msg_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_to_seq", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_moderation_queue_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_moderation_queue_sender_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_queue")),
        sa.UniqueConstraint(
            "sender_id", "client_msg_id", name=op.f("uq_moderation_queue_sender_id_client_msg_id")
        ),
    )
    op.create_index(
        "ix_moderation_queue_group", "moderation_queue", ["conversation_id", "status"], unique=False
    )
    op.create_table(
        "announcement_reads",
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_reads_announcement_id_announcements"),
        ),
        sa.PrimaryKeyConstraint("announcement_id", "user_id", name=op.f("pk_announcement_reads")),
    )
    op.add_column(
        "friendships", sa.Column("remark", sa.String(length=64), server_default="", nullable=False)
    )
    op.add_column("friendships", sa.Column("tags", sa.Text(), server_default="[]", nullable=False))
    op.add_column("friendships", sa.Column("contact_group_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "members", sa.Column("powers", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column("members", sa.Column("muted_until", sa.BigInteger(), nullable=True))
    op.add_column(
        "members",
        sa.Column("view_mode", sa.String(length=16), server_default="all", nullable=False),
    )
    op.add_column("users", sa.Column("is_admin", sa.Boolean(), server_default="0", nullable=False))
    op.add_column(
        "users", sa.Column("phone", sa.String(length=32), server_default="", nullable=False)
    )
    op.create_index("ix_users_phone", "users", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_phone", table_name="users")
    op.drop_column("users", "phone")
    op.drop_column("users", "is_admin")
    op.drop_column("members", "view_mode")
    op.drop_column("members", "muted_until")
    op.drop_column("members", "powers")
    op.drop_column("friendships", "contact_group_id")
    op.drop_column("friendships", "tags")
    op.drop_column("friendships", "remark")
    op.drop_table("announcement_reads")
    op.drop_index("ix_moderation_queue_group", table_name="moderation_queue")
    op.drop_table("moderation_queue")
    op.drop_index("ix_join_requests_group", table_name="join_requests")
    op.drop_table("join_requests")
    op.drop_index("ix_invites_user", table_name="invites")
    op.drop_table("invites")
    op.drop_table("group_settings")
    op.drop_table("group_blacklist")
    op.drop_index("ix_friend_requests_to", table_name="friend_requests")
    op.drop_index("ix_friend_requests_from", table_name="friend_requests")
    op.drop_table("friend_requests")
    op.drop_table("department_partners")
    op.drop_index("ix_department_members_user", table_name="department_members")
    op.drop_table("department_members")
    op.drop_index("ix_contact_groups_user", table_name="contact_groups")
    op.drop_table("contact_groups")
    op.drop_table("board_marks")
    op.drop_table("blocks")
    op.drop_index("ix_announcements_group", table_name="announcements")
    op.drop_table("announcements")
    op.drop_table("organization")
    op.drop_index("ix_departments_parent", table_name="departments")
    op.drop_table("departments")
