"""stored scans, findings, organisation dictionaries

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _owned(table: str) -> list[sa.SchemaItem]:
    """The id, organisation and timestamp columns every compliance table has."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f(f"fk_{table}_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "compliance_dictionary_entries",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        *_owned("compliance_dictionary_entries"),
        sa.UniqueConstraint(
            "organisation_id",
            "kind",
            "phrase",
            name=op.f("uq_compliance_dictionary_entries_organisation_id_kind_phrase"),
        ),
    )
    _indexes("compliance_dictionary_entries", "organisation_id")
    op.create_table(
        "compliance_dictionary_states",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        *_owned("compliance_dictionary_states"),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_compliance_dictionary_states_organisation_id")
        ),
    )
    _indexes("compliance_dictionary_states", "organisation_id")
    op.create_table(
        "compliance_disabled_rules",
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        *_owned("compliance_disabled_rules"),
        sa.UniqueConstraint(
            "organisation_id",
            "rule",
            name=op.f("uq_compliance_disabled_rules_organisation_id_rule"),
        ),
    )
    _indexes("compliance_disabled_rules", "organisation_id")
    op.create_table(
        "compliance_scans",
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("scene", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("facts", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("catalogue_version", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        *_owned("compliance_scans"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_compliance_scans_created_by_id_users")
        ),
    )
    _indexes("compliance_scans", "created_by_id", "organisation_id", "source_type")
    op.create_table(
        "compliance_findings",
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("match", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("catalogue_version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("status_by_id", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        *_owned("compliance_findings"),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["compliance_scans.id"],
            name=op.f("fk_compliance_findings_scan_id_compliance_scans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_by_id"], ["users.id"], name=op.f("fk_compliance_findings_status_by_id_users")
        ),
    )
    _indexes("compliance_findings", "code", "organisation_id", "scan_id", "severity", "status")


def downgrade() -> None:
    for table in (
        "compliance_findings",
        "compliance_scans",
        "compliance_disabled_rules",
        "compliance_dictionary_states",
        "compliance_dictionary_entries",
    ):
        op.drop_table(table)
