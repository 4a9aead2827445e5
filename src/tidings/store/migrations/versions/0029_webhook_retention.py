"""indexes for pruning old webhook deliveries and events (issue 14, J2, decision 0068)

Revision ID: 0029
Revises: 0030
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Finished deliveries by when they were last tried (succeeded or failed for good).
    op.create_index(
        "ix_webhook_deliveries_done",
        "webhook_deliveries",
        ["status", "last_attempt_at"],
        unique=False,
    )
    # An event's deliveries: whether any is left, and PostgreSQL's foreign-key check when
    # an event is deleted.
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"], unique=False)
    op.create_index("ix_webhook_events_created", "webhook_events", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_events_created", table_name="webhook_events")
    op.drop_index("ix_webhook_deliveries_event", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_done", table_name="webhook_deliveries")
