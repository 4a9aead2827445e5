"""burn after reading: when opened messages burn, and who burns everything they send

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "burns",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("reader_id", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("burn_at", sa.BigInteger(), nullable=False),
        sa.Column("burned_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_burns_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(["reader_id"], ["users.id"], name=op.f("fk_burns_reader_id_users")),
        sa.PrimaryKeyConstraint("conversation_id", "seq", name=op.f("pk_burns")),
    )
    op.create_index("ix_burns_due", "burns", ["burned_at", "burn_at"])
    op.create_table(
        "burn_modes",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_burn_modes_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_burn_modes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_burn_modes")),
    )


def downgrade() -> None:
    op.drop_table("burn_modes")
    op.drop_index("ix_burns_due", table_name="burns")
    op.drop_table("burns")
