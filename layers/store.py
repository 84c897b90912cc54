"""The incident store: SQLite by default, PostgreSQL/PostGIS when a URL says so.

One code path (SQLAlchemy Core) for both; the schema is created and upgraded by the
Alembic migrations in ``layers/migrations``. Rows are inserted, never updated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from geo.errors import NotFound, ReliefError
from layers.tables import assessments

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(ReliefError, RuntimeError):
    """The store cannot be opened or written."""


def sqlite_url(folder: Path) -> str:
    """The URL of the embedded store's single SQLite file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'reliefgis.sqlite'}"


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    # WAL lets readers run beside the writer; synchronous=FULL makes every commit
    # durable before it is acknowledged.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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
            self._migrate()
        except SQLAlchemyError as exc:
            raise StoreError(f"store {self._safe_url()}: cannot be opened ({exc})") from exc

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True) if hasattr(
            self, "engine"
        ) else "(unparsed URL)"

    def _migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def add_assessment(self, record: AssessmentRecord) -> None:
        """Insert an assessment; the commit is durable when this returns."""
        with self.engine.begin() as connection:
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
        with self.engine.connect() as connection:
            row = connection.execute(
                select(assessments.c.body).where(assessments.c.id == assessment_id)
            ).first()
        if row is None:
            raise NotFound(f"assessment {assessment_id!r} does not exist")
        body: dict[str, Any] = json.loads(row.body)
        return body

    def assessment_footprint(self, assessment_id: str) -> BaseGeometry:
        """The stored footprint of an assessment, or `NotFound`."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(assessments.c.footprint).where(assessments.c.id == assessment_id)
            ).first()
        if row is None:
            raise NotFound(f"assessment {assessment_id!r} does not exist")
        geom: BaseGeometry = row.footprint
        return geom

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()
