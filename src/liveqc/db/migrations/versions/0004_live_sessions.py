"""live sessions, lineup, segments, alerts, price records

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_retention_policies",
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_retention_policies_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_retention_policies")),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_live_retention_policies_organisation_id")
        ),
    )
    with op.batch_alter_table("live_retention_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_retention_policies_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "live_sessions",
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("has_virtual_host", sa.Boolean(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_segment_id", sa.String(length=64), nullable=True),
        sa.Column("current_lineup_item_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_sessions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_sessions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_live_sessions_status"), ["status"], unique=False)

    op.create_table(
        "live_segments",
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=100), nullable=False),
        sa.Column("lineup_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_segments_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_segments_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_segments")),
        sa.UniqueConstraint(
            "live_session_id",
            "segment_id",
            name=op.f("uq_live_segments_live_session_id_segment_id"),
        ),
    )
    with op.batch_alter_table("live_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_segments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_live_segments_session_seq", ["live_session_id", "seq"], unique=False
        )

    op.create_table(
        "live_session_hosts",
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("is_virtual", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_session_hosts_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_session_hosts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_session_hosts")),
    )
    with op.batch_alter_table("live_session_hosts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_session_hosts_live_session_id"), ["live_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_session_hosts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "live_alerts",
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("segment_pk", sa.Integer(), nullable=True),
        sa.Column("lineup_item_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("match", sa.String(length=500), nullable=False),
        sa.Column("basis", sa.String(length=500), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("at_ms", sa.Integer(), nullable=True),
        sa.Column("disposition", sa.String(length=32), nullable=False),
        sa.Column("corrected_at_ms", sa.Integer(), nullable=True),
        sa.Column("correction_segment_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("disposed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposed_by_user_id"],
            ["users.id"],
            name=op.f("fk_live_alerts_disposed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_alerts_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_alerts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["segment_pk"],
            ["live_segments.id"],
            name=op.f("fk_live_alerts_segment_pk_live_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_alerts")),
    )
    with op.batch_alter_table("live_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_alerts_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_live_alerts_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_live_alerts_segment_pk"), ["segment_pk"], unique=False)
        batch_op.create_index("ix_live_alerts_session_id", ["live_session_id", "id"], unique=False)

    op.create_table(
        "live_lineup_items",
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_lineup_items_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_lineup_items_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_live_lineup_items_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_lineup_items")),
        sa.UniqueConstraint(
            "live_session_id",
            "position",
            name=op.f("uq_live_lineup_items_live_session_id_position"),
        ),
    )
    with op.batch_alter_table("live_lineup_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_lineup_items_live_session_id"), ["live_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_lineup_items_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_lineup_items_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "live_price_records",
        sa.Column("live_session_id", sa.Integer(), nullable=False),
        sa.Column("lineup_item_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("segment_pk", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("match", sa.String(length=100), nullable=False),
        sa.Column("at_ms", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_price_records_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_live_price_records_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["segment_pk"],
            ["live_segments.id"],
            name=op.f("fk_live_price_records_segment_pk_live_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_price_records")),
    )
    with op.batch_alter_table("live_price_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_price_records_live_session_id"), ["live_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_price_records_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_price_records_segment_pk"), ["segment_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("live_price_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_price_records_segment_pk"))
        batch_op.drop_index(batch_op.f("ix_live_price_records_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_live_price_records_live_session_id"))

    op.drop_table("live_price_records")
    with op.batch_alter_table("live_lineup_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_lineup_items_product_id"))
        batch_op.drop_index(batch_op.f("ix_live_lineup_items_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_live_lineup_items_live_session_id"))

    op.drop_table("live_lineup_items")
    with op.batch_alter_table("live_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_live_alerts_session_id")
        batch_op.drop_index(batch_op.f("ix_live_alerts_segment_pk"))
        batch_op.drop_index(batch_op.f("ix_live_alerts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_live_alerts_code"))

    op.drop_table("live_alerts")
    with op.batch_alter_table("live_session_hosts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_session_hosts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_live_session_hosts_live_session_id"))

    op.drop_table("live_session_hosts")
    with op.batch_alter_table("live_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_live_segments_session_seq")
        batch_op.drop_index(batch_op.f("ix_live_segments_organisation_id"))

    op.drop_table("live_segments")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_live_sessions_organisation_id"))

    op.drop_table("live_sessions")
    with op.batch_alter_table("live_retention_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_retention_policies_organisation_id"))

    op.drop_table("live_retention_policies")
