"""customer service on a web site: agents, visitors' service chats, their cases and the
identity tokens of identified visitors (issue 14 J4, decision 0066)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "service_agents",
        sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_service_agents"),
    )
    op.create_table(
        "service_chats",
        sa.Column(
            "conversation_id", sa.BigInteger(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("visitor_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("waiting_since", sa.BigInteger(), nullable=True),
        sa.Column("page_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("page_title", sa.String(200), nullable=False, server_default=""),
        sa.Column("page_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("app_id", sa.BigInteger(), nullable=True),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_service_chats"),
        sa.UniqueConstraint("visitor_id", name="uq_service_chats_visitor_id"),
        sa.UniqueConstraint("app_id", "external_id", name="uq_service_chats_app_id_external_id"),
    )
    op.create_index("ix_service_chats_state_waiting", "service_chats", ["state", "waiting_since"])
    op.create_index("ix_service_chats_agent", "service_chats", ["agent_id", "state"])
    op.create_table(
        "service_cases",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.BigInteger(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("taken_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("page_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("page_title", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_service_cases_conversation", "service_cases", ["conversation_id", "id"])
    op.create_table(
        "service_identity_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("app_id", sa.BigInteger(), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("nickname", sa.String(64), nullable=False),
        sa.Column("avatar", sa.String(512), nullable=False, server_default=""),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_service_identity_tokens"),
    )
    op.create_index("ix_service_identity_tokens_expires", "service_identity_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_service_identity_tokens_expires", table_name="service_identity_tokens")
    op.drop_table("service_identity_tokens")
    op.drop_index("ix_service_cases_conversation", table_name="service_cases")
    op.drop_table("service_cases")
    op.drop_index("ix_service_chats_agent", table_name="service_chats")
    op.drop_index("ix_service_chats_state_waiting", table_name="service_chats")
    op.drop_table("service_chats")
    op.drop_table("service_agents")
