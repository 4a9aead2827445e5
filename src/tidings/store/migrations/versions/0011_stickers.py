"""a user's own sticker collection (issue 12)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stickers",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_stickers_file_id_files")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_stickers_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "file_id", name=op.f("pk_stickers")),
    )
    op.create_index("ix_stickers_user_created", "stickers", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stickers_user_created", table_name="stickers")
    op.drop_table("stickers")
