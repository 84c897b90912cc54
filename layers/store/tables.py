"""The incident store's tables (SQLAlchemy Core), made by the migrations in store/migrations/.

Rows are only ever inserted (the migrations add triggers refusing UPDATE and DELETE):
an incident's current state is derived from its reports and verdicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from layers.store.geometry import GeometryColumn

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite keeps no offset, so it is restored on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive times; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the store keeps only times with a UTC offset")
        converted = value.astimezone(UTC)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """An aware UTC datetime."""
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


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

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created", UTCDateTime(), nullable=False, index=True),
    Column("started", UTCDateTime(), nullable=False),
    Column("title", Text, nullable=True),
    Column("hazard", String(32), nullable=False),
    Column("plan", String(64), nullable=False),
    Column("plan_sha256", String(64), nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("jurisdiction_code", String(12), nullable=True),
    Column("software_version", String(32), nullable=False),
    Column("requested_by", String(64), nullable=True),
    Column("footprint", GeometryColumn(), nullable=False),
    Column("request", JSON, nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("recorded", UTCDateTime(), nullable=False),
    Column("reporter", Text, nullable=True),
    Column("figures", JSON, nullable=False),
    Column("estimates", JSON, nullable=False),
    Column("stable", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("requested_by", String(64), nullable=True),
    UniqueConstraint("incident_id", "seq", name="uq_reports_incident_seq"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("report_id", String(32), ForeignKey("reports.id"), nullable=False, unique=True),
    Column("seq", Integer, nullable=False),
    Column("created", UTCDateTime(), nullable=False),
    Column("plan", String(64), nullable=False),
    Column("plan_sha256", String(64), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("requested_by", String(64), nullable=True),
    Column("level", Integer, nullable=True),
    Column("previous_level", Integer, nullable=True),
    Column("escalation", Boolean, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("estimated", JSON, nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("incident_id", "seq", name="uq_verdicts_incident_seq"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("action", String(8), nullable=False),
    Column("level", Integer, nullable=True),
    Column("decided_by", Text, nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("recorded", UTCDateTime(), nullable=False),
    Column("basis", Text, nullable=False),
    Column("stable", Boolean, nullable=False),
    Column("clause", Text, nullable=False),
    Column("requested_by", String(64), nullable=True),
    UniqueConstraint("incident_id", "seq", name="uq_decisions_incident_seq"),
)

county_responses = Table(
    "county_responses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("county", Text, nullable=False),
    Column("code", String(12), nullable=True),
    Column("level", Integer, nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("recorded", UTCDateTime(), nullable=False),
    Column("requested_by", String(64), nullable=True),
    UniqueConstraint("incident_id", "seq", name="uq_county_responses_incident_seq"),
)

incident_stages = Table(
    "incident_stages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("stage", String(8), nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("recorded", UTCDateTime(), nullable=False),
    Column("requested_by", String(64), nullable=True),
    Column("footprint", GeometryColumn(), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("incident_id", "seq", name="uq_incident_stages_incident_seq"),
)

warning_measures = Table(
    "warning_measures",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("incident_id", String(32), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("measure", String(16), nullable=False),
    Column("clause", Text, nullable=False),
    Column("done_by", Text, nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("recorded", UTCDateTime(), nullable=False),
    Column("note", Text, nullable=True),
    Column("requested_by", String(64), nullable=True),
    UniqueConstraint("incident_id", "seq", name="uq_warning_measures_incident_seq"),
)
