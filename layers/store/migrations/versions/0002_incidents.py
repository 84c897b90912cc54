"""Incidents, their reports and the verdict of each report; every table insert-only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from layers.store.geometry import GeometryColumn

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Every table of the store: rows are inserted, never updated or deleted.
INSERT_ONLY = ("assessments", "incidents", "reports", "verdicts")


def _time(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _create_tables() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        _time("created"),
        _time("started"),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("hazard", sa.String(32), nullable=False),
        sa.Column("plan", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=True),
        sa.Column("software_version", sa.String(32), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("footprint", GeometryColumn(), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
    )
    op.create_index("ix_incidents_created", "incidents", ["created"])
    op.create_table(
        "reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        _time("time"),
        _time("recorded"),
        sa.Column("reporter", sa.Text, nullable=True),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("estimates", sa.JSON, nullable=False),
        sa.Column("stable", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("incident_id", "seq", name="uq_reports_incident_seq"),
    )
    op.create_index("ix_reports_incident_id", "reports", ["incident_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column(
            "report_id", sa.String(32), sa.ForeignKey("reports.id"), nullable=False, unique=True
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        _time("created"),
        sa.Column("plan", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("software_version", sa.String(32), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("level", sa.Integer, nullable=True),
        sa.Column("previous_level", sa.Integer, nullable=True),
        sa.Column("escalation", sa.Boolean, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("estimated", sa.JSON, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("incident_id", "seq", name="uq_verdicts_incident_seq"),
    )
    op.create_index("ix_verdicts_incident_id", "verdicts", ["incident_id"])


def _forbid_changes(dialect: str) -> None:
    """Triggers refusing UPDATE and DELETE: history is never rewritten."""
    if dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION reliefgis_insert_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'reliefgis: % is insert-only (% refused)', TG_TABLE_NAME, TG_OP; "
            "END $$"
        )
        for table in INSERT_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reliefgis_insert_only()"
            )
        return
    for table in INSERT_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'reliefgis: {table} is insert-only "
                f"({action} refused)'); END"
            )


def upgrade() -> None:
    """Create incidents, reports and verdicts; make every table insert-only."""
    dialect = op.get_bind().dialect.name
    _create_tables()
    if dialect == "postgresql":
        op.create_index(
            "ix_incidents_footprint", "incidents", ["footprint"], postgresql_using="gist"
        )
    _forbid_changes(dialect)


def downgrade() -> None:
    """Drop the triggers and the three tables."""
    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS reliefgis_insert_only()")
    for table in ("verdicts", "reports", "incidents"):
        op.drop_table(table)
