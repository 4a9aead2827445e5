"""sign-ins with OpenID Connect in flight (issue 14, decision 0064)

Revision ID: 0023
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0025"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "oidc_sign_ins",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("next_path", sa.String(length=2048), server_default="/", nullable=False),
        sa.Column("remember", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("called_back_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("handoff_hash", sa.String(length=64), nullable=True),
        sa.Column("handoff_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oidc_sign_ins_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_sign_ins")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oidc_sign_ins_state_hash")),
        sa.UniqueConstraint("handoff_hash", name=op.f("uq_oidc_sign_ins_handoff_hash")),
    )
    op.create_index("ix_oidc_sign_ins_expires", "oidc_sign_ins", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_oidc_sign_ins_expires", table_name="oidc_sign_ins")
    op.drop_table("oidc_sign_ins")
