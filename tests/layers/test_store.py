"""The incident store: the same tests on SQLite and on PostgreSQL/PostGIS."""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from shapely.geometry import Polygon

from geo.errors import NotFound
from layers.store import AssessmentRecord, Store, StoreError, sqlite_url

#: Where the PostgreSQL server of the test machine listens (trust auth).
ADMIN_DSN = os.environ.get("RELIEF_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database on the local PostgreSQL server, dropped afterwards."""
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {ADMIN_DSN} in CI")
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_DSN}")
    name = f"reliefgis_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = Store(sqlite_url(tmp_path / "state"))
    else:
        opened = Store(request.getfixturevalue("postgres_url"))
    yield opened
    opened.close()


FOOTPRINT = Polygon([(113.5, 37.8), (113.6, 37.8), (113.6, 37.9), (113.5, 37.8)])


def _record(assessment_id: str) -> AssessmentRecord:
    return AssessmentRecord(
        id=assessment_id,
        created=datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
        plan="yangquan-2026",
        plan_sha256="0" * 64,
        hazard="flood",
        software_version="0.1.0",
        requested_by=None,
        footprint=FOOTPRINT,
        request={"hazard": "flood"},
        body={"id": assessment_id, "population": {"affected": 12}, "note": "估算值"},
    )


def test_an_assessment_reads_back_as_stored(store):
    assessment_id = uuid.uuid4().hex
    store.add_assessment(_record(assessment_id))
    assert store.assessment(assessment_id) == {
        "id": assessment_id, "population": {"affected": 12}, "note": "估算值"
    }
    assert store.assessment_footprint(assessment_id).equals(FOOTPRINT)


def test_unknown_assessment_is_not_found(store):
    with pytest.raises(NotFound, match="assessment 'nope' does not exist"):
        store.assessment("nope")


def test_an_id_cannot_be_written_twice(store):
    assessment_id = uuid.uuid4().hex
    store.add_assessment(_record(assessment_id))
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        store.add_assessment(_record(assessment_id))
    assert store.assessment(assessment_id)["population"] == {"affected": 12}


def test_sqlite_store_uses_wal_and_reopens(tmp_path):
    folder = tmp_path / "state"
    Store(sqlite_url(folder)).add_assessment(_record("kept"))
    with sqlite3.connect(folder / "reliefgis.sqlite") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert Store(sqlite_url(folder)).assessment("kept")["id"] == "kept"


def test_postgis_column_is_a_real_geometry(postgres_url):
    opened = Store(postgres_url)
    opened.add_assessment(_record("pg1"))
    opened.close()
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        srid, kind = conn.execute(
            "SELECT ST_SRID(footprint), GeometryType(footprint) FROM assessments WHERE id='pg1'"
        ).fetchone()
    assert (srid, kind) == (4326, "POLYGON")


def test_unopenable_store_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(f"sqlite:///{blocker}/x/reliefgis.sqlite")
