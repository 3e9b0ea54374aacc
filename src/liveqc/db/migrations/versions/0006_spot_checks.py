"""spot checks, samples, lab results, objections, publications, jurisdictions

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spot_check_access_log",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reader_user_id", sa.Integer(), nullable=False),
        sa.Column("reader_organisation_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_access_log_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["reader_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_access_log_reader_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["reader_user_id"],
            ["users.id"],
            name=op.f("fk_spot_check_access_log_reader_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_access_log")),
    )
    with op.batch_alter_table("spot_check_access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spot_check_access_log_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_spot_check_access_log_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_access_log_reader_user_id"), ["reader_user_id"], unique=False
        )

    op.create_table(
        "spot_check_jurisdictions",
        sa.Column("region_prefix", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_jurisdictions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_jurisdictions")),
        sa.UniqueConstraint(
            "organisation_id",
            "region_prefix",
            "category",
            name=op.f("uq_spot_check_jurisdictions_organisation_id_region_prefix_category"),
        ),
    )
    with op.batch_alter_table("spot_check_jurisdictions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_jurisdictions_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "spot_check_plans",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("regions", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("organisation_ids", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("sample_count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("stratify_by", sa.String(length=32), nullable=False),
        sa.Column("weights", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("objection_period_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("candidates", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("selected_ids", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_plans_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_plans")),
    )
    with op.batch_alter_table("spot_check_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_plans_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "spot_checks",
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("subject_organisation_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sample_place", sa.String(length=200), nullable=False),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.Column("live_room", sa.String(length=200), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("sample_quantity", sa.String(length=64), nullable=False),
        sa.Column("lab_name", sa.String(length=200), nullable=False),
        sa.Column("report_number", sa.String(length=64), nullable=False),
        sa.Column("tested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("verdict_reasons", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("objection_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_checks_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["spot_check_plans.id"],
            name=op.f("fk_spot_checks_plan_id_spot_check_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_spot_checks_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["subject_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_checks_subject_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
    )
    with op.batch_alter_table("spot_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_checks_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_spot_checks_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spot_checks_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_spot_checks_subject_organisation_id"),
            ["subject_organisation_id"],
            unique=False,
        )

    op.create_table(
        "spot_check_custody",
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("held_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_custody_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_spot_check_custody_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
            name=op.f("fk_spot_check_custody_spot_check_id_spot_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_custody")),
    )
    with op.batch_alter_table("spot_check_custody", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_custody_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_custody_spot_check_id"), ["spot_check_id"], unique=False
        )

    op.create_table(
        "spot_check_notices",
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("regulator_organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_notices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["regulator_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_notices_regulator_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
            name=op.f("fk_spot_check_notices_spot_check_id_spot_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_notices")),
    )
    with op.batch_alter_table("spot_check_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_notices_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_notices_spot_check_id"), ["spot_check_id"], unique=False
        )

    op.create_table(
        "spot_check_objections",
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("regulator_organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["users.id"],
            name=op.f("fk_spot_check_objections_filed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_objections_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["regulator_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_objections_regulator_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
            name=op.f("fk_spot_check_objections_spot_check_id_spot_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_objections")),
    )
    with op.batch_alter_table("spot_check_objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_objections_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_objections_spot_check_id"), ["spot_check_id"], unique=False
        )

    op.create_table(
        "spot_check_publications",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("spot_check_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["spot_check_publications.id"],
            name=op.f("fk_spot_check_publications_corrects_id_spot_check_publications"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_publications_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
            name=op.f("fk_spot_check_publications_spot_check_id_spot_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_publications")),
    )
    with op.batch_alter_table("spot_check_publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_publications_corrects_id"), ["corrects_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_publications_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_publications_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_publications_spot_check_id"), ["spot_check_id"], unique=False
        )

    op.create_table(
        "spot_check_test_items",
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("limit_text", sa.String(length=200), nullable=False),
        sa.Column("result_text", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_test_items_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["spot_check_id"],
            ["spot_checks.id"],
            name=op.f("fk_spot_check_test_items_spot_check_id_spot_checks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_test_items")),
    )
    with op.batch_alter_table("spot_check_test_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_test_items_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_spot_check_test_items_spot_check_id"), ["spot_check_id"], unique=False
        )

    op.create_table(
        "spot_check_campaigns",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("codes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("categories", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_spot_check_campaigns_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_spot_check_campaigns_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_campaigns")),
    )
    with op.batch_alter_table("spot_check_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spot_check_campaigns_organisation_id"),
            ["organisation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("spot_check_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_campaigns_organisation_id"))

    op.drop_table("spot_check_campaigns")
    with op.batch_alter_table("spot_check_test_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_test_items_spot_check_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_test_items_organisation_id"))

    op.drop_table("spot_check_test_items")
    with op.batch_alter_table("spot_check_publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_publications_spot_check_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_publications_published_at"))
        batch_op.drop_index(batch_op.f("ix_spot_check_publications_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_publications_corrects_id"))

    op.drop_table("spot_check_publications")
    with op.batch_alter_table("spot_check_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_objections_spot_check_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_objections_organisation_id"))

    op.drop_table("spot_check_objections")
    with op.batch_alter_table("spot_check_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_notices_spot_check_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_notices_organisation_id"))

    op.drop_table("spot_check_notices")
    with op.batch_alter_table("spot_check_custody", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_custody_spot_check_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_custody_organisation_id"))

    op.drop_table("spot_check_custody")
    with op.batch_alter_table("spot_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_checks_subject_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_spot_checks_product_id"))
        batch_op.drop_index(batch_op.f("ix_spot_checks_plan_id"))
        batch_op.drop_index(batch_op.f("ix_spot_checks_organisation_id"))

    op.drop_table("spot_checks")
    with op.batch_alter_table("spot_check_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_plans_organisation_id"))

    op.drop_table("spot_check_plans")
    with op.batch_alter_table("spot_check_jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_jurisdictions_organisation_id"))

    op.drop_table("spot_check_jurisdictions")
    with op.batch_alter_table("spot_check_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spot_check_access_log_reader_user_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_access_log_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_spot_check_access_log_at"))

    op.drop_table("spot_check_access_log")
