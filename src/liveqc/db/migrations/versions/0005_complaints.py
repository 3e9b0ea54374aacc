"""complaints, attachments, deadlines, signals

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_policies",
        sa.Column("first_response_working_days", sa.Integer(), nullable=False),
        sa.Column("resolution_working_days", sa.Integer(), nullable=False),
        sa.Column("revetting_threshold", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_complaint_policies_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_policies")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_complaint_policies_organisation_id")),
    )
    with op.batch_alter_table("complaint_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_policies_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "complaints",
        sa.Column("tracking_code", sa.String(length=32), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.Column("room_reference", sa.String(length=200), nullable=False),
        sa.Column("host_name", sa.String(length=100), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("price_paid", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("desired_remedy", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("is_urgent", sa.Boolean(), nullable=False),
        sa.Column("category_source", sa.String(length=16), nullable=False),
        sa.Column("classifier_reasons", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("is_safety_confirmed", sa.Boolean(), nullable=False),
        sa.Column("claims", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("first_response_due", sa.Date(), nullable=False),
        sa.Column("resolution_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remedy", sa.String(length=32), nullable=True),
        sa.Column("remedy_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("escalated_to_id", sa.Integer(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["complaints.id"],
            name=op.f("fk_complaints_duplicate_of_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["escalated_to_id"],
            ["organisations.id"],
            name=op.f("fk_complaints_escalated_to_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_complaints_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_complaints_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_complaints_tracking_code")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_escalated_to_id"), ["escalated_to_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_live_session_id"), ["live_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_order_number"), ["order_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaints_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)

    op.create_table(
        "complaint_alerts",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("complaint_count", sa.Integer(), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("is_revetting_opened", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_alerts_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_complaint_alerts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_complaint_alerts_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_alerts")),
    )
    with op.batch_alter_table("complaint_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_alerts_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_alerts_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_alerts_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_alerts_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "complaint_attachments",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_attachments_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_complaint_attachments_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_attachments")),
    )
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_attachments_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_attachments_organisation_id"),
            ["organisation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_attachments_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_attachments_complaint_id"))

    op.drop_table("complaint_attachments")
    with op.batch_alter_table("complaint_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_alerts_product_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_alerts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_alerts_created_at"))
        batch_op.drop_index(batch_op.f("ix_complaint_alerts_complaint_id"))

    op.drop_table("complaint_alerts")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_received_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_product_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_order_number"))
        batch_op.drop_index(batch_op.f("ix_complaints_live_session_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_escalated_to_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_duplicate_of_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("complaint_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_policies_organisation_id"))

    op.drop_table("complaint_policies")
