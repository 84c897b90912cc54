"""The incident store: the same tests on SQLite and on PostgreSQL/PostGIS."""

from __future__ import annotations

import json
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import psycopg
import pytest
from alembic import command
from alembic_runs import alembic_config, alembic_head
from postgres import fresh_database, plain_dsn
from shapely.geometry import Polygon
from sqlalchemy import create_engine, text

from geo.errors import NotFound, StoreError
from layers.store.assessment_record import stored_json
from layers.store.records import IncidentRecord, ReportRecord, VerdictRecord
from layers.store.store import AssessmentRecord, Store, sqlite_url


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database on the local PostgreSQL server, dropped afterwards."""
    with fresh_database() as url:
        yield url


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
        body_json=stored_json(
            {"id": assessment_id, "population": {"affected": 12}, "note": "估算值"}
        ),
    )


def test_the_stored_text_reads_back_as_json_dumps_wrote_it():
    """The stored form against the standard library's: numpy scalars, CJK, integer keys."""
    body = {"a": np.float64(0.1), "n": np.int64(3), "zh": "估算", "by": {7: [1.5, None, True]}}
    expected = {"a": 0.1, "n": 3, "zh": "估算", "by": {"7": [1.5, None, True]}}
    assert json.loads(stored_json(body)) == expected
    assert json.loads(stored_json(body)) == json.loads(json.dumps({**body, "n": 3}))


def test_an_assessment_reads_back_as_stored(store):
    assessment_id = uuid.uuid4().hex
    store.add_assessment(_record(assessment_id))
    assert store.assessment(assessment_id) == {
        "id": assessment_id,
        "population": {"affected": 12},
        "note": "估算值",
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
    with psycopg.connect(plain_dsn(postgres_url)) as conn:
        srid, kind = conn.execute(
            "SELECT ST_SRID(footprint), GeometryType(footprint) FROM assessments WHERE id='pg1'"
        ).fetchone()
    assert (srid, kind) == (4326, "POLYGON")


def test_unopenable_store_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(f"sqlite:///{blocker}/x/reliefgis.sqlite")


# ---------------------------------------------------------------- incidents, reports, verdicts
CST = timezone(timedelta(hours=8))
STARTED = datetime(2026, 7, 1, 8, 0, tzinfo=CST)


def _incident(incident_id: str, *, created: datetime | None = None) -> IncidentRecord:
    return IncidentRecord(
        id=incident_id,
        created=created or datetime(2026, 7, 1, 1, 0, tzinfo=UTC),
        started=STARTED,
        title="桃河洪水",
        hazard="flood",
        plan="yangquan-2026",
        plan_sha256="1" * 64,
        jurisdiction="阳泉市",
        jurisdiction_code="140300",
        software_version="0.1.0",
        requested_by="ops:analyst",
        footprint=FOOTPRINT,
        request={"hazard": "flood"},
    )


def _decider(level_of_seq=lambda seq: 4, *, seen: list | None = None):
    """A decide callback writing report ``seq`` with figures {dead_missing: seq}."""

    def decide(history, seq):
        if seen is not None:
            seen.append((seq, history.report_count, history.level))
        incident_id = history.incident.id
        report = ReportRecord(
            id=f"{incident_id[:24]}r{seq}",
            incident_id=incident_id,
            seq=seq,
            kind="initial" if seq == 1 else "update",
            time=STARTED + timedelta(hours=seq),
            recorded=datetime(2026, 7, 1, 2, seq % 60, tzinfo=UTC),
            reporter="平定县应急管理局",
            figures={"dead_missing": seq},
            estimates=("dead_missing",),
            stable=False,
            note=None,
            requested_by="ops:analyst",
        )
        verdict = VerdictRecord(
            id=f"{incident_id[:24]}v{seq}",
            incident_id=incident_id,
            report_id=report.id,
            seq=seq,
            created=report.recorded,
            plan="yangquan-2026",
            plan_sha256="1" * 64,
            software_version="0.1.0",
            requested_by="ops:analyst",
            level=level_of_seq(seq),
            previous_level=history.level,
            escalation=False,
            figures={"dead_missing": {"value": seq}},
            estimated=("dead_missing",),
            body={"seq": seq, "label": "四级"},
        )
        return report, verdict

    return decide


def test_an_incident_and_its_history_read_back(store):
    incident_id = uuid.uuid4().hex
    store.add_incident(_incident(incident_id))
    seen = []
    for _ in range(3):
        store.add_report(incident_id, _decider(lambda seq: 5 - seq, seen=seen))
    history = store.incident(incident_id)
    assert history.incident.started == STARTED
    assert history.incident.started.tzinfo is not None
    assert history.incident.footprint.equals(FOOTPRINT)
    assert [r.seq for r in history.reports] == [1, 2, 3]
    assert history.reports[1].time == datetime(2026, 7, 1, 10, 0, tzinfo=CST)
    assert history.reports[0].estimates == ("dead_missing",)
    assert [v.previous_level for v in history.verdicts] == [None, 4, 3]
    assert history.level == 2
    assert history.verdicts[2].body == {"seq": 3, "label": "四级"}
    assert seen == [(1, 0, None), (2, 1, 4), (3, 2, 3)]


def test_an_unknown_incident_is_not_found(store):
    with pytest.raises(NotFound, match="incident 'nope' does not exist"):
        store.incident("nope")
    with pytest.raises(NotFound, match="incident 'nope' does not exist"):
        store.add_report("nope", _decider())


def test_a_refused_decision_writes_nothing(store):
    incident_id = uuid.uuid4().hex
    store.add_incident(_incident(incident_id))

    def refuse(history, seq):
        raise ValueError("time: before the incident started")

    with pytest.raises(ValueError, match="before the incident started"):
        store.add_report(incident_id, refuse)
    assert store.incident(incident_id).reports == ()


def test_concurrent_reports_are_decided_one_after_the_other(store):
    incident_id = uuid.uuid4().hex
    store.add_incident(_incident(incident_id))
    seen = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [
            pool.submit(store.add_report, incident_id, _decider(seen=seen)) for _ in range(24)
        ]:
            future.result()
    history = store.incident(incident_id)
    assert [r.seq for r in history.reports] == list(range(1, 25))
    # Each decision saw every report before it: no two were decided on the same history.
    assert sorted((seq, n) for seq, n, _ in seen) == [(s, s - 1) for s in range(1, 25)]


@pytest.mark.parametrize("table", ["incidents", "reports", "verdicts", "assessments"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_history_is_never_rewritten(store, table, statement):
    incident_id = uuid.uuid4().hex
    store.add_incident(_incident(incident_id))
    store.add_report(incident_id, _decider())
    store.add_assessment(_record(uuid.uuid4().hex))
    with pytest.raises(Exception, match="insert-only"), store.engine.begin() as connection:
        connection.execute(text(statement.format(table=table)))


def test_incidents_are_listed_newest_first_with_their_level(store):
    ids = [uuid.uuid4().hex for _ in range(3)]
    for day, incident_id in enumerate(ids, start=1):
        store.add_incident(_incident(incident_id, created=datetime(2030, 1, day, tzinfo=UTC)))
    store.add_report(ids[0], _decider(lambda seq: 3))
    store.add_report(ids[0], _decider(lambda seq: 2))
    listed = store.incidents(limit=3)
    assert [s.id for s in listed] == ids[::-1]
    assert (listed[2].reports, listed[2].level) == (2, 2)
    assert (listed[0].reports, listed[0].level, listed[0].updated) == (0, None, None)
    assert [s.id for s in store.incidents(limit=1, offset=1)] == [ids[1]]


def test_a_store_made_by_revision_0001_is_upgraded(tmp_path):
    url = sqlite_url(tmp_path / "old")
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO assessments VALUES ('old', '2026-01-01', 'p', 's', 'flood', "
                "'0', NULL, 'POINT (1 1)', '{}', '{\"id\": \"old\"}')"
            )
        )
    engine.dispose()
    upgraded = Store(url)
    with upgraded.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == alembic_head()
    assert upgraded.assessment("old") == {"id": "old"}
    upgraded.add_incident(_incident("after-upgrade"))
    assert upgraded.incident("after-upgrade").incident.title == "桃河洪水"


def test_a_store_from_a_newer_reliefgis_is_refused_clearly(tmp_path):
    folder = tmp_path / "state"
    Store(sqlite_url(folder)).close()
    with sqlite3.connect(folder / "reliefgis.sqlite") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="schema is not one this reliefgis knows"):
        Store(sqlite_url(folder))


def test_a_store_busy_beyond_its_wait_is_a_store_error(tmp_path):
    folder = tmp_path / "state"
    opened = Store(sqlite_url(folder))
    with opened.engine.connect() as connection:  # the pooled connection waits 50 ms, not 10 s
        connection.exec_driver_sql("PRAGMA busy_timeout=50")
    with sqlite3.connect(folder / "reliefgis.sqlite") as other:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match="unavailable or busy"):
            opened.add_incident(_incident("blocked"))
        other.rollback()
    opened.add_incident(_incident("blocked"))
    assert opened.incident("blocked").incident.id == "blocked"
