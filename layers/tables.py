"""The incident store's tables (SQLAlchemy Core). Migrations in layers/migrations/ create them.

Rows are only ever inserted: an assessment, once stored, is never updated in place.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, Text

from layers.geometry import GeometryColumn

metadata = MetaData()

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created", DateTime(timezone=True), nullable=False, index=True),
    Column("plan", String(64), nullable=False),
    Column("plan_sha256", String(64), nullable=False),
    Column("hazard", String(32), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("requested_by", String(64), nullable=True),
    Column("footprint", GeometryColumn(), nullable=False),
    Column("request", JSON, nullable=False),
    Column("body", Text, nullable=False),
)
