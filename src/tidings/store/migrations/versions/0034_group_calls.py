"""group calls through Janus (issue 16, G3, decision 0078): a call's kind, one live call per
group, how many are in it, and each participant's own keep-alive deadline

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=8), nullable=False, server_default="direct")
        )
        # 1 while a group call is live, NULL otherwise: unique with the conversation, so a
        # group has one live call whatever the nodes.
        batch.add_column(sa.Column("live", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("live_count", sa.Integer(), nullable=False, server_default="0"))
        batch.alter_column("callee_id", existing_type=sa.BigInteger(), nullable=True)
        batch.create_index(
            "ix_calls_conversation_id_live", ["conversation_id", "live"], unique=True
        )
    with op.batch_alter_table("call_participants") as batch:
        batch.add_column(sa.Column("joined_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("lost_deadline", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("host_muted", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("audio_mid", sa.String(length=16), nullable=True))
        batch.create_index("ix_call_participants_lost_deadline", ["lost_deadline"])


def downgrade() -> None:
    with op.batch_alter_table("call_participants") as batch:
        batch.drop_index("ix_call_participants_lost_deadline")
        batch.drop_column("audio_mid")
        batch.drop_column("host_muted")
        batch.drop_column("lost_deadline")
        batch.drop_column("joined_at")
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_conversation_id_live")
        batch.alter_column("callee_id", existing_type=sa.BigInteger(), nullable=False)
        batch.drop_column("live_count")
        batch.drop_column("live")
        batch.drop_column("kind")
