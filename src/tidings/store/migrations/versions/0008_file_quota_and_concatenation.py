"""files: derived copies charged to the quota, the client's Upload-Metadata, tus concatenation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Issue 11: thumbnails and location-stripped copies count against the quota; HEAD echoes
    # the client's Upload-Metadata; parallel uploads (tus concatenation).
    op.add_column(
        "files", sa.Column("derived_bytes", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column("files", sa.Column("upload_metadata", sa.Text(), nullable=True))
    op.add_column("files", sa.Column("concat", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("files", "concat")
    op.drop_column("files", "upload_metadata")
    op.drop_column("files", "derived_bytes")
