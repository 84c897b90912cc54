"""The warning response: an incident's stages (forecast, then response) and ticked measures.

An incident may start as a forecast (stage ``warning``, 阳泉2026/攀枝花2024/江苏 §3 灾害救助
准备; 乐清2016 §5 预警响应): its stage rows keep each footprint with what it was found to
expose (the warning record), and the row of the real footprint that turned it into a response.
The warning measures done are recorded one row each, with who and when. Both insert-only.

Revision ID: 0004_warning
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from layers.store.geometry import GeometryColumn

revision = "0004_warning"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The tables this revision adds: rows are inserted, never updated or deleted.
INSERT_ONLY = ("incident_stages", "warning_measures")


def _create_tables() -> None:
    op.create_table(
        "incident_stages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("footprint", GeometryColumn(), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("incident_id", "seq", name="uq_incident_stages_incident_seq"),
    )
    op.create_index("ix_incident_stages_incident_id", "incident_stages", ["incident_id"])
    op.create_table(
        "warning_measures",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("incident_id", sa.String(32), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("done_by", sa.Text, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("incident_id", "seq", name="uq_warning_measures_incident_seq"),
    )
    op.create_index("ix_warning_measures_incident_id", "warning_measures", ["incident_id"])


def upgrade() -> None:
    """Add the incident_stages and warning_measures tables, insert-only like the others."""
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
    for table in ("warning_measures", "incident_stages"):
        op.drop_table(table)
