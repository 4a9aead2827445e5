"""the dashboard's counters and who was active on which day (decision 0061)

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_counts",
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("metric", "day", name=op.f("pk_daily_counts")),
    )
    op.create_table(
        "user_activity",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_user_activity")),
    )
    op.create_index("ix_users_created_at", "users", ["created_at"])
    op.create_index("ix_conversations_type_created_at", "conversations", ["type", "created_at"])
    # What happened before: counted once here, by UTC days (86,400,000 ms) (the server's time zone setting
    # is not known to a migration; from now on days are the configured zone's).
    op.execute(
        sa.text(
            "INSERT INTO daily_counts (metric, day, count) "
            "SELECT 'messages', created_at / 86400000, COUNT(*) FROM entries "
            "WHERE kind = 'message' AND sender_id IS NOT NULL "
            "GROUP BY created_at / 86400000"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO user_activity (day, user_id) "
            "SELECT created_at / 86400000, user_id FROM sessions "
            "UNION SELECT last_seen_at / 86400000, user_id FROM sessions "
            "UNION SELECT created_at / 86400000, sender_id FROM entries "
            "WHERE kind = 'message' AND sender_id IS NOT NULL"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO daily_counts (metric, day, count) "
            "SELECT 'active_users', day, COUNT(*) FROM user_activity GROUP BY day"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_type_created_at", table_name="conversations")
    op.drop_index("ix_users_created_at", table_name="users")
    op.drop_table("user_activity")
    op.drop_table("daily_counts")
