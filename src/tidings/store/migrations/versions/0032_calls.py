"""one-to-one calls: calls and who is in them (issue 16, G1, decision 0074)

Revision ID: 0032
Revises: 0033
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0033"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("caller_id", sa.BigInteger(), nullable=False),
        sa.Column("callee_id", sa.BigInteger(), nullable=False),
        sa.Column("media", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("ring_deadline", sa.BigInteger(), nullable=False),
        sa.Column("accepted_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("lost_deadline", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_calls_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(["caller_id"], ["users.id"], name=op.f("fk_calls_caller_id_users")),
        sa.ForeignKeyConstraint(["callee_id"], ["users.id"], name=op.f("fk_calls_callee_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index("ix_calls_state_ring_deadline", "calls", ["state", "ring_deadline"])
    op.create_index("ix_calls_lost_deadline", "calls", ["lost_deadline"])
    op.create_table(
        "call_participants",
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("audio", sa.Boolean(), nullable=False),
        sa.Column("video", sa.Boolean(), nullable=False),
        sa.Column("screen", sa.Boolean(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_participants_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_call_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("call_id", "user_id", name=op.f("pk_call_participants")),
    )
    op.create_index(
        "ix_call_participants_user_id_line",
        "call_participants",
        ["user_id", "line"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_call_participants_user_id_line", table_name="call_participants")
    op.drop_table("call_participants")
    op.drop_index("ix_calls_lost_deadline", table_name="calls")
    op.drop_index("ix_calls_state_ring_deadline", table_name="calls")
    op.drop_table("calls")
