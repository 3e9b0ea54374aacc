"""product quality control: brands, documents, test reports, lots, vetting

Revision ID: 0002
Revises: 0001
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
        "brands",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("trademark_number", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_brands_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_brands_organisation_id_name")),
    )
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brands_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "brand_authorizations",
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("grantor", sa.String(length=200), nullable=False),
        sa.Column("grantee", sa.String(length=200), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_authorizations_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_brand_authorizations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["brand_authorizations.id"],
            name=op.f("fk_brand_authorizations_parent_id_brand_authorizations"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_brand_authorizations_supplier_id_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_authorizations")),
    )
    with op.batch_alter_table("brand_authorizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brand_authorizations_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_brand_authorizations_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_brand_authorizations_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "aql_switching_states",
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("defect_class", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_aql_switching_states_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_aql_switching_states_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_aql_switching_states_supplier_id_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aql_switching_states")),
        sa.UniqueConstraint(
            "organisation_id",
            "supplier_id",
            "product_id",
            "defect_class",
            name=op.f(
                "uq_aql_switching_states_organisation_id_supplier_id_product_id_defect_class"
            ),
        ),
    )
    with op.batch_alter_table("aql_switching_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aql_switching_states_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aql_switching_states_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "inspection_lots",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=64), nullable=False),
        sa.Column("lot_size", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("nominal_quantity", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("quantity_unit", sa.String(length=8), nullable=False),
        sa.Column("unit_quantities", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("netcontent_passed", sa.Boolean(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_inspection_lots_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_inspection_lots_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_inspection_lots_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_inspection_lots_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_lots")),
    )
    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_lots_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_lots_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_lots_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "product_images",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_product_images_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_images_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_images")),
    )
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_images_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_images_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "product_prices",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_product_prices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_prices_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_prices")),
    )
    with op.batch_alter_table("product_prices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_prices_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_prices_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "qualification_documents",
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("claims", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_qualification_documents_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_qualification_documents_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_qualification_documents_supplier_id_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_documents")),
    )
    with op.batch_alter_table("qualification_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualification_documents_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_qualification_documents_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qualification_documents_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "test_reports",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("report_number", sa.String(length=64), nullable=False),
        sa.Column("lab", sa.String(length=200), nullable=False),
        sa.Column("cma_number", sa.String(length=32), nullable=False),
        sa.Column("cnas_number", sa.String(length=32), nullable=False),
        sa.Column("sample_name", sa.String(length=200), nullable=False),
        sa.Column("tested_on", sa.Date(), nullable=True),
        sa.Column("standard", sa.String(length=200), nullable=False),
        sa.Column("efficacy_claims", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_test_reports_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_test_reports_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_reports")),
    )
    with op.batch_alter_table("test_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_test_reports_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_test_reports_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "vetting_events",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=False),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_vetting_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_vetting_events_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_vetting_events_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vetting_events")),
    )
    with op.batch_alter_table("vetting_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vetting_events_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vetting_events_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "inspection_lot_classes",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("defect_class", sa.String(length=32), nullable=False),
        sa.Column("aql", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("code_letter", sa.String(length=2), nullable=False),
        sa.Column("plan_code_letter", sa.String(length=2), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("accept", sa.Integer(), nullable=False),
        sa.Column("reject", sa.Integer(), nullable=False),
        sa.Column("inspect_all", sa.Boolean(), nullable=False),
        sa.Column("nonconforming", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.Column("defects", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["inspection_lots.id"],
            name=op.f("fk_inspection_lot_classes_lot_id_inspection_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_inspection_lot_classes_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_lot_classes")),
    )
    with op.batch_alter_table("inspection_lot_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_lot_classes_lot_id"), ["lot_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_lot_classes_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "test_report_items",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("limit", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_test_report_items_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["test_reports.id"],
            name=op.f("fk_test_report_items_report_id_test_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_report_items")),
    )
    with op.batch_alter_table("test_report_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_test_report_items_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_test_report_items_report_id"), ["report_id"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("brand_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("gtin", sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column("shelf_life_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("list_price", sa.Numeric(precision=12, scale=2), nullable=True)
        )
        batch_op.add_column(sa.Column("stock_remaining", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_imported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("made_to_order", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("conditions", sa.JSON(none_as_null=True), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("target_age_min_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_age_max_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("submitted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_products_submitted_by_id_users"), "users", ["submitted_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_products_brand_id_brands"), "brands", ["brand_id"], ["id"]
        )

    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licence_valid_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_column("licence_valid_to")

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_products_brand_id_brands"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_products_submitted_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("submitted_by_id")
        batch_op.drop_column("target_age_max_months")
        batch_op.drop_column("target_age_min_months")
        batch_op.drop_column("conditions")
        batch_op.drop_column("made_to_order")
        batch_op.drop_column("is_imported")
        batch_op.drop_column("stock_remaining")
        batch_op.drop_column("list_price")
        batch_op.drop_column("shelf_life_days")
        batch_op.drop_column("gtin")
        batch_op.drop_column("brand_id")

    with op.batch_alter_table("test_report_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_report_items_report_id"))
        batch_op.drop_index(batch_op.f("ix_test_report_items_organisation_id"))

    op.drop_table("test_report_items")
    with op.batch_alter_table("inspection_lot_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_lot_classes_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_lot_classes_lot_id"))

    op.drop_table("inspection_lot_classes")
    with op.batch_alter_table("vetting_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vetting_events_product_id"))
        batch_op.drop_index(batch_op.f("ix_vetting_events_organisation_id"))

    op.drop_table("vetting_events")
    with op.batch_alter_table("test_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_reports_product_id"))
        batch_op.drop_index(batch_op.f("ix_test_reports_organisation_id"))

    op.drop_table("test_reports")
    with op.batch_alter_table("qualification_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualification_documents_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_qualification_documents_product_id"))
        batch_op.drop_index(batch_op.f("ix_qualification_documents_organisation_id"))

    op.drop_table("qualification_documents")
    with op.batch_alter_table("product_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_prices_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_prices_organisation_id"))

    op.drop_table("product_prices")
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_images_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_images_organisation_id"))

    op.drop_table("product_images")
    with op.batch_alter_table("inspection_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_lots_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_lots_product_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_lots_organisation_id"))

    op.drop_table("inspection_lots")
    with op.batch_alter_table("aql_switching_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aql_switching_states_product_id"))
        batch_op.drop_index(batch_op.f("ix_aql_switching_states_organisation_id"))

    op.drop_table("aql_switching_states")
    with op.batch_alter_table("brand_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_authorizations_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_brand_authorizations_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_brand_authorizations_brand_id"))

    op.drop_table("brand_authorizations")
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brands_organisation_id"))

    op.drop_table("brands")
