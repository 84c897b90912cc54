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
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from geo.errors import NotFound, StoreError
from layers.store.assessment_record import AssessmentRecord
from layers.store.children import children, listed_decisions, listed_stages
from layers.store.migrate import MIGRATIONS, UnknownSchema, at_head, upgrade
from layers.store.records import (
    CountyResponseRecord,
    DecisionRecord,
    IncidentHistory,
    IncidentRecord,
    IncidentSummary,
    MeasureDoneRecord,
    ReportRecord,
    StageRecord,
    VerdictRecord,
    incident_from_row,
    report_from_row,
    verdict_from_row,
)
from layers.store.sqlite import sqlite_begin, sqlite_pragmas, sqlite_url
from layers.store.tables import (
    assessments,
    county_responses,
    decisions,
    incident_stages,
    incidents,
    reports,
    verdicts,
    warning_measures,
)
from layers.store.template import copy_template

__all__ = ["MIGRATIONS", "AssessmentRecord", "Store", "sqlite_url"]


class _Row(Protocol):
    def row(self) -> dict[str, Any]: ...


Child = TypeVar("Child", bound=_Row)


def _utc(moment: datetime | None) -> datetime | None:
    """An aggregate's time as an aware UTC time (SQLite gives naive UTC text back)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _create(url: str) -> None:
    """Create the store at ``url`` with the migrations, and close it (a template's maker)."""
    Store(url).engine.dispose()


class Store:
    """Open (creating or upgrading) the store at ``url``.

    ``template_dir``: a new SQLite store is a copy of an empty one made there once by the
    migrations (`layers.store.template`), instead of running them again.
    """

    def __init__(self, url: str, *, template_dir: Path | None = None) -> None:
        self.url = url
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
            if self.engine.dialect.name == "sqlite":
                database = self.engine.url.database
                if template_dir is not None and database and database != ":memory:":
                    copy_template(Path(database), template_dir, _create)
                event.listen(self.engine, "connect", sqlite_pragmas)
                event.listen(self.engine, "begin", sqlite_begin)
            self._writer = self.engine.execution_options(immediate=True)
            if not at_head(self.engine):  # one query when current: no Alembic then
                upgrade(self._writer)
        except SQLAlchemyError as exc:
            raise StoreError(f"store {self._safe_url()}: cannot be opened ({exc})") from exc
        except UnknownSchema as exc:  # e.g. a store migrated by a newer reliefgis
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
                    body=record.body_json,
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

    def add_incident(self, record: IncidentRecord, stage: StageRecord | None = None) -> None:
        """Insert an incident (with its first stage row, a forecast's); durable on return."""
        with self._available(), self._writer.begin() as connection:
            connection.execute(insert(incidents).values(**record.row()))
            if stage is not None:
                connection.execute(insert(incident_stages).values(**stage.row()))

    def _head(self, connection: Connection, incident_id: str, *, lock: bool) -> IncidentHistory:
        """The incident, its latest verdict, report count and the rows hanging off it (children).

        What grading a new report needs: a bounded read however long the history is.
        """
        query = select(incidents).where(incidents.c.id == incident_id)
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound(f"incident {incident_id!r} does not exist")
        latest = connection.execute(
            select(verdicts)
            .where(verdicts.c.incident_id == incident_id)
            .order_by(verdicts.c.seq.desc())
            .limit(1)
        ).first()
        return IncidentHistory(
            incident=incident_from_row(row),
            reports=(),
            verdicts=(),
            **children(connection, incident_id),
            latest=verdict_from_row(latest) if latest is not None else None,
            # A verdict is recorded with each report, under the report's number.
            total=int(latest.seq) if latest is not None else 0,
        )

    def _summary(self, connection: Connection, head: IncidentHistory) -> IncidentHistory:
        """The head with what is summed over all reports (for reading, not for grading)."""
        incident_id = head.incident.id
        stable_or_final = or_(reports.c.stable.is_(True), reports.c.kind == "final")
        stable, finals = connection.execute(
            select(
                func.min(reports.c.time).filter(stable_or_final),
                func.count(reports.c.id).filter(reports.c.kind == "final"),
            ).where(reports.c.incident_id == incident_id)
        ).one()
        escalations = connection.execute(
            select(func.count(verdicts.c.id)).where(
                verdicts.c.incident_id == incident_id, verdicts.c.escalation.is_(True)
            )
        ).scalar_one()
        return replace(
            head,
            reported_stable=_utc(stable),
            has_final=bool(finals),
            escalations=int(escalations),
        )

    def _history(
        self,
        connection: Connection,
        incident_id: str,
        *,
        limit: int | None = None,
        after: int = 0,
    ) -> IncidentHistory:
        head = self._summary(connection, self._head(connection, incident_id, lock=False))
        page_reports = select(reports).where(
            reports.c.incident_id == incident_id, reports.c.seq > after
        )
        page_verdicts = select(verdicts).where(
            verdicts.c.incident_id == incident_id, verdicts.c.seq > after
        )
        if limit is not None:
            page_reports = page_reports.where(reports.c.seq <= after + limit)
            page_verdicts = page_verdicts.where(verdicts.c.seq <= after + limit)
        found_reports = connection.execute(page_reports.order_by(reports.c.seq)).all()
        found_verdicts = connection.execute(page_verdicts.order_by(verdicts.c.seq)).all()
        return replace(
            head,
            reports=tuple(report_from_row(r) for r in found_reports),
            verdicts=tuple(verdict_from_row(v) for v in found_verdicts),
        )

    def incident(
        self, incident_id: str, *, limit: int | None = None, after: int = 0
    ) -> IncidentHistory:
        """An incident with its reports and verdicts in the order recorded.

        ``limit`` and ``after`` page the reports and verdicts: those with sequence numbers
        ``after + 1`` to ``after + limit`` (every one when ``limit`` is None).
        """
        with self._available(), self.engine.begin() as connection:
            return self._history(connection, incident_id, limit=limit, after=after)

    def add_report(
        self,
        incident_id: str,
        decide: Callable[[IncidentHistory, int], tuple[ReportRecord, VerdictRecord]],
    ) -> tuple[ReportRecord, VerdictRecord]:
        """Record a report and its verdict, decided on the incident as it stands.

        ``decide`` gets the incident's head (latest verdict with its running totals,
        report count, decisions; no report list) and the report's sequence number and
        returns the two rows; it runs while the incident is held, so concurrent reports
        are decided one after the other, each on the totals including the one before.
        """
        with self._available(), self._writer.begin() as connection:
            head = self._head(connection, incident_id, lock=True)
            report, verdict = decide(head, head.report_count + 1)
            connection.execute(insert(reports).values(**report.row()))
            connection.execute(insert(verdicts).values(**verdict.row()))
        return report, verdict

    def _add_child(
        self, incident_id: str, table: Table, make: Callable[[IncidentHistory, int], Child]
    ) -> Child:
        """Insert the row ``make`` returns from the incident's head while it is held.

        ``make`` gets the head and the row's sequence number among the table's rows of
        the incident; it checks the row against what is recorded (raising to refuse it).
        """
        with self._available(), self._writer.begin() as connection:
            head = self._head(connection, incident_id, lock=True)
            seq = connection.execute(
                select(func.count()).select_from(table).where(table.c.incident_id == incident_id)
            ).scalar_one()
            record = make(head, int(seq) + 1)
            connection.execute(insert(table).values(**record.row()))
        return record

    def add_decision(
        self, incident_id: str, decide: Callable[[IncidentHistory, int], DecisionRecord]
    ) -> DecisionRecord:
        """Record a decision, checked by ``decide`` against the decisions so far."""
        return self._add_child(incident_id, decisions, decide)

    def add_county_response(
        self, incident_id: str, make: Callable[[IncidentHistory, int], CountyResponseRecord]
    ) -> CountyResponseRecord:
        """Record a county-level response of an affected county (响应联动)."""
        return self._add_child(incident_id, county_responses, make)

    def add_stage(
        self, incident_id: str, make: Callable[[IncidentHistory, int], StageRecord]
    ) -> StageRecord:
        """Record a footprint that sets the stage (a forecast's, or the real one)."""
        return self._add_child(incident_id, incident_stages, make)

    def add_measure_done(
        self, incident_id: str, make: Callable[[IncidentHistory, int], MeasureDoneRecord]
    ) -> MeasureDoneRecord:
        """Record a warning measure as done."""
        return self._add_child(incident_id, warning_measures, make)

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
            ids = [r.id for r in rows]
            listed = listed_decisions(connection, ids)
            stages = listed_stages(connection, ids)
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
                decisions=listed.get(r.id, ()),
                stage=stages.get(r.id, "response"),
            )
            for r in rows
        ]

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
