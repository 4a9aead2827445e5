"""files

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uploader_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=100), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("animated", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("thumbnail_mime", sa.String(length=32), nullable=True),
        sa.Column("has_shared_copy", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("expiry_days", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("completed_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["users.id"], name=op.f("fk_files_uploader_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
    )
    op.create_index("ix_files_uploader", "files", ["uploader_id", "state"], unique=False)
    op.create_index("ix_files_state_updated", "files", ["state", "updated_at"], unique=False)
    op.create_index("ix_files_expires", "files", ["expires_at"], unique=False)
    op.create_table(
        "file_refs",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=False),
        sa.Column("is_poster", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_file_refs_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_refs_file_id_files")),
        sa.PrimaryKeyConstraint("conversation_id", "seq", "file_id", name=op.f("pk_file_refs")),
    )
    op.create_index("ix_file_refs_file", "file_refs", ["file_id"], unique=False)
    op.create_table(
        "favorite_files",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_favorite_files_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favorite_files_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "file_id", name=op.f("pk_favorite_files")),
    )
    op.create_index(
        "ix_favorite_files_user_created",
        "favorite_files",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "signing_keys",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_signing_keys")),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_index("ix_favorite_files_user_created", table_name="favorite_files")
    op.drop_table("favorite_files")
    op.drop_index("ix_file_refs_file", table_name="file_refs")
    op.drop_table("file_refs")
    op.drop_index("ix_files_expires", table_name="files")
    op.drop_index("ix_files_state_updated", table_name="files")
    op.drop_index("ix_files_uploader", table_name="files")
    op.drop_table("files")
