"""message search: the PostgreSQL index and the indexer's progress (issue 15, decision 0072)

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0031"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite the index lives in search.db (store/search_sqlite.py); these stay empty.
    op.create_table(
        "search_docs",
        sa.Column("entry_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("terms", TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_search_docs")),
    )
    op.create_index(
        "ix_search_docs_conversation_id_seq",
        "search_docs",
        ["conversation_id", "seq"],
        unique=True,
    )
    op.create_index("ix_search_docs_terms", "search_docs", ["terms"], postgresql_using="gin")
    op.create_table(
        "search_state",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_state")),
    )


def downgrade() -> None:
    op.drop_table("search_state")
    op.drop_index("ix_search_docs_terms", table_name="search_docs")
    op.drop_index("ix_search_docs_conversation_id_seq", table_name="search_docs")
    op.drop_table("search_docs")
