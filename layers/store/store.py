"""The incident store: SQLite by default, PostgreSQL/PostGIS when a URL says so.

One code path (SQLAlchemy Core) for both; the schema is created and upgraded by the
Alembic migrations in ``layers/store/migrations``. Rows are inserted, never updated (triggers
refuse UPDATE and DELETE). A report and its verdict are written in one transaction that
holds the incident: on SQLite ``BEGIN IMMEDIATE``, on PostgreSQL a row lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, and_, create_engine, event, func, insert, select
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from geo.errors import NotFound, StoreError
from layers.store.records import (
    IncidentHistory,
    IncidentRecord,
    IncidentSummary,
    ReportRecord,
    VerdictRecord,
    incident_from_row,
    report_from_row,
    verdict_from_row,
)
from layers.store.tables import assessments, incidents, reports, verdicts

MIGRATIONS = Path(__file__).parent / "migrations"
#: PostgreSQL advisory lock key held while migrating (any constant unique to reliefgis).
MIGRATION_LOCK = 7_336_170_101


def sqlite_url(folder: Path) -> str:
    """The URL of the embedded store's single SQLite file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'reliefgis.sqlite'}"


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    # WAL lets readers run beside the writer; synchronous=FULL makes every commit
    # durable before it is acknowledged.
    # The store issues BEGIN itself (``_sqlite_begin``), so pysqlite must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writer takes the write lock when it begins, so two writers never both read the
    # old history and then collide; readers get a consistent WAL snapshot.
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass(frozen=True)
class AssessmentRecord:
    """One assessment as stored: its answer (JSON) with what produced it."""

    id: str
    created: datetime
    plan: str
    plan_sha256: str
    hazard: str
    software_version: str
    requested_by: str | None
    footprint: BaseGeometry
    request: dict[str, Any]
    body: dict[str, Any]


class Store:
    """Open (creating or upgrading) the store at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            self._writer = self.engine.execution_options(immediate=True)
            self._migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"store {self._safe_url()}: cannot be opened ({exc})") from exc
        except CommandError as exc:  # e.g. a store migrated by a newer reliefgis
            raise StoreError(
                f"store {self._safe_url()}: its schema is not one this reliefgis knows ({exc}); "
                "use a matching reliefgis version or another RELIEF_STATE_DIR"
            ) from exc

    def _safe_url(self) -> str:
        return (
            self.engine.url.render_as_string(hide_password=True)
            if hasattr(self, "engine")
            else "(unparsed URL)"
        )

    @contextmanager
    def _available(self) -> Iterator[None]:
        """A store that is down or busy beyond the wait is a `StoreError` (503), not a crash."""
        try:
            yield
        except OperationalError as exc:
            reason = type(exc.orig).__name__ if exc.orig is not None else "error"
            raise StoreError(
                f"store {self._safe_url()}: unavailable or busy ({reason}); try again"
            ) from exc

    def _migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # Several server processes may open one store at once: the upgrade runs while
        # holding the write lock (SQLite) or an advisory lock (PostgreSQL), so the second
        # process finds the schema current instead of racing to create it.
        with self._writer.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def add_assessment(self, record: AssessmentRecord) -> None:
        """Insert an assessment; the commit is durable when this returns."""
        with self._available(), self.engine.begin() as connection:
            connection.execute(
                insert(assessments).values(
                    id=record.id,
                    created=record.created,
                    plan=record.plan,
                    plan_sha256=record.plan_sha256,
                    hazard=record.hazard,
                    software_version=record.software_version,
                    requested_by=record.requested_by,
                    footprint=record.footprint,
                    request=record.request,
                    body=json.dumps(record.body, ensure_ascii=False),
                )
            )

    def assessment(self, assessment_id: str) -> dict[str, Any]:
        """The stored answer of an assessment, or `NotFound`."""
        body: dict[str, Any] = json.loads(self.assessment_json(assessment_id))
        return body

    def _assessment_value(self, assessment_id: str, column: str) -> Any:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(assessments.c[column]).where(assessments.c.id == assessment_id)
            ).scalar_one_or_none()
        if value is None:
            raise NotFound(f"assessment {assessment_id!r} does not exist")
        return value

    def assessment_json(self, assessment_id: str) -> str:
        """The stored answer of an assessment as the JSON text it was stored as."""
        text: str = self._assessment_value(assessment_id, "body")
        return text

    def assessment_footprint(self, assessment_id: str) -> BaseGeometry:
        """The stored footprint of an assessment, or `NotFound`."""
        geom: BaseGeometry = self._assessment_value(assessment_id, "footprint")
        return geom

    def assessment_ids(self) -> list[str]:
        """The ids of the stored assessments, oldest first."""
        query = select(assessments.c.id).order_by(assessments.c.created, assessments.c.id)
        with self._available(), self.engine.connect() as connection:
            return [str(v) for v in connection.execute(query).scalars()]

    def add_incident(self, record: IncidentRecord) -> None:
        """Insert an incident; the commit is durable when this returns."""
        with self._available(), self._writer.begin() as connection:
            connection.execute(insert(incidents).values(**record.row()))

    def _history(self, connection: Connection, incident_id: str, *, lock: bool) -> IncidentHistory:
        query = select(incidents).where(incidents.c.id == incident_id)
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(f"incident {incident_id!r} does not exist")
        found_reports = connection.execute(
            select(reports).where(reports.c.incident_id == incident_id).order_by(reports.c.seq)
        ).all()
        found_verdicts = connection.execute(
            select(verdicts).where(verdicts.c.incident_id == incident_id).order_by(verdicts.c.seq)
        ).all()
        return IncidentHistory(
            incident=incident_from_row(row),
            reports=tuple(report_from_row(r) for r in found_reports),
            verdicts=tuple(verdict_from_row(v) for v in found_verdicts),
        )

    def incident(self, incident_id: str) -> IncidentHistory:
        """An incident with its reports and verdicts in the order they were recorded."""
        with self._available(), self.engine.begin() as connection:
            return self._history(connection, incident_id, lock=False)

    def add_report(
        self,
        incident_id: str,
        decide: Callable[[IncidentHistory, int], tuple[ReportRecord, VerdictRecord]],
    ) -> tuple[ReportRecord, VerdictRecord]:
        """Record a report and its verdict, decided on the history as it stands.

        ``decide`` gets the history and the report's sequence number and returns the two
        rows; it runs while the incident is held, so concurrent reports are decided one
        after the other, each on the history including the one before.
        """
        with self._available(), self._writer.begin() as connection:
            history = self._history(connection, incident_id, lock=True)
            report, verdict = decide(history, len(history.reports) + 1)
            connection.execute(insert(reports).values(**report.row()))
            connection.execute(insert(verdicts).values(**verdict.row()))
        return report, verdict

    def incidents(self, *, limit: int = 100, offset: int = 0) -> list[IncidentSummary]:
        """Incidents, newest first, each with its report count and active level."""
        latest = (
            select(verdicts.c.incident_id, func.max(verdicts.c.seq).label("seq"))
            .group_by(verdicts.c.incident_id)
            .subquery()
        )
        last = verdicts.alias("last")
        columns = [c for c in incidents.c if c.name not in ("footprint", "request")]
        query = (
            select(*columns, latest.c.seq, last.c.level, last.c.created.label("updated"))
            .outerjoin(latest, latest.c.incident_id == incidents.c.id)
            .outerjoin(
                last, and_(last.c.incident_id == latest.c.incident_id, last.c.seq == latest.c.seq)
            )
            .order_by(incidents.c.created.desc(), incidents.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self._available(), self.engine.begin() as connection:
            rows = connection.execute(query).all()
        return [
            IncidentSummary(
                id=r.id,
                created=r.created,
                started=r.started,
                title=r.title,
                hazard=r.hazard,
                plan=r.plan,
                jurisdiction=r.jurisdiction,
                reports=r.seq or 0,
                level=r.level,
                updated=r.updated,
            )
            for r in rows
        ]

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
