"""Decisions on the response and county-level (linked) responses, both insert-only.

An existing store keeps its incidents, reports and verdicts; the two tables are added
beside them. Only a decision changes the level in force (阳泉2026 §5.x.2, §5.7); the
counties' own responses are recorded for 响应联动 (§5.6).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The tables this revision adds: rows are inserted, never updated or deleted.
INSERT_ONLY = ("decisions", "county_responses")


def _create_tables() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("level", sa.Integer, nullable=True),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("stable", sa.Boolean, nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("incident_id", "seq", name="uq_decisions_incident_seq"),
    )
    op.create_index("ix_decisions_incident_id", "decisions", ["incident_id"])
    op.create_table(
        "county_responses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("code", sa.String(12), nullable=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("incident_id", "seq", name="uq_county_responses_incident_seq"),
    )
    op.create_index("ix_county_responses_incident_id", "county_responses", ["incident_id"])


def upgrade() -> None:
    """Add the decisions and county_responses tables, insert-only like the others."""
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        # reliefgis_insert_only() was created by revision 0002.
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


def downgrade() -> None:
    """Drop the triggers and the two tables."""
    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    for table in ("county_responses", "decisions"):
        op.drop_table(table)
