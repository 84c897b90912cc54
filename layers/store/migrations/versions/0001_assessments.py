"""Assessments: every assessment with its footprint and answer, insert-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from layers.store.geometry import GeometryColumn

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the assessments table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan", sa.String(64), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("hazard", sa.String(32), nullable=False),
        sa.Column("software_version", sa.String(32), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("footprint", GeometryColumn(), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_assessments_created", "assessments", ["created"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_assessments_footprint", "assessments", ["footprint"], postgresql_using="gist"
        )


def downgrade() -> None:
    """Drop the assessments table."""
    op.drop_index("ix_assessments_created", "assessments")
    op.drop_table("assessments")
