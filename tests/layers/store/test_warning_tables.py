"""Stages and warning measures in the store: a store of revision 0003 upgraded with its
decisions kept (SQLite and PostGIS); both new tables insert-only on both."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from datetime import UTC, datetime

import psycopg
import pytest
from alembic_runs import upgraded_by_alembic
from postgres import fresh_database, plain_dsn
from shapely.geometry import box
from sqlalchemy import create_engine, insert
from test_decision_tables import _decision
from test_store import _incident

from layers.store.records import MeasureDoneRecord, StageRecord
from layers.store.store import Store, sqlite_url
from layers.store.tables import decisions, incidents

FORECAST = box(113.5, 37.8, 113.6, 37.9)


def _stage(incident_id: str, seq: int, stage: str) -> StageRecord:
    return StageRecord(
        id=f"{incident_id[:20]}s{seq}",
        incident_id=incident_id,
        seq=seq,
        stage=stage,
        time=datetime(2026, 6, 30, 12, tzinfo=UTC),
        recorded=datetime(2026, 6, 30, 12, 1, tzinfo=UTC),
        requested_by="ops:analyst",
        footprint=FORECAST,
        body={"exposure": {"affected": 90, "label": "估算"}},
    )


def _done(incident_id: str, seq: int) -> MeasureDoneRecord:
    return MeasureDoneRecord(
        id=f"{incident_id[:20]}m{seq}",
        incident_id=incident_id,
        seq=seq,
        measure="3",
        clause="阳泉2026 §3(3)",
        done_by="市应急管理局",
        time=datetime(2026, 6, 30, 13, tzinfo=UTC),
        recorded=datetime(2026, 6, 30, 13, 1, tzinfo=UTC),
        note=None,
        requested_by="ops:analyst",
    )


@pytest.fixture(params=["sqlite", "postgis"])
def old_store_url(request, tmp_path):
    """A store made by revision 0003 holding an incident with a decision."""
    url = sqlite_url(tmp_path / "old") if request.param == "sqlite" else None
    with fresh_database() if url is None else nullcontext(url) as found:
        upgraded_by_alembic(found, "0003")
        engine = create_engine(found)
        with engine.begin() as connection:
            connection.execute(insert(incidents).values(**_incident("w" * 32).row()))
            connection.execute(insert(decisions).values(**_decision("w" * 32, 1).row()))
        engine.dispose()
        yield found


def test_a_store_of_revision_0003_keeps_its_decisions_and_takes_stages(old_store_url):
    store = Store(old_store_url)
    head = store.incident("w" * 32)
    assert (len(head.decisions), head.stage, head.stages) == (1, "response", ())
    store.add_stage("w" * 32, lambda history, seq: _stage("w" * 32, seq, "warning"))
    store.add_measure_done("w" * 32, lambda history, seq: _done("w" * 32, seq))
    store.add_stage("w" * 32, lambda history, seq: _stage("w" * 32, seq, "response"))
    history = store.incident("w" * 32)
    assert [s.stage for s in history.stages] == ["warning", "response"]
    assert history.stages[0].body["exposure"] == {"affected": 90, "label": "估算"}
    assert history.stages[0].footprint.equals(FORECAST)
    assert [(m.seq, m.measure) for m in history.measures_done] == [(1, "3")]
    [listed] = store.incidents()
    assert (listed.stage, len(listed.decisions)) == ("response", 1)
    store.close()


def test_stages_and_measures_are_insert_only(tmp_path):
    store = Store(sqlite_url(tmp_path / "s"))
    store.add_incident(_incident("q" * 32), _stage("q" * 32, 1, "warning"))
    store.add_measure_done("q" * 32, lambda history, seq: _done("q" * 32, seq))
    store.close()
    with sqlite3.connect(tmp_path / "s" / "reliefgis.sqlite") as raw:
        for statement in ("UPDATE incident_stages SET stage = 'x'", "DELETE FROM warning_measures"):
            with pytest.raises(sqlite3.DatabaseError, match="insert-only"):
                raw.execute(statement)
    with fresh_database() as url:
        store = Store(url)
        store.add_incident(_incident("p" * 32), _stage("p" * 32, 1, "warning"))
        store.add_measure_done("p" * 32, lambda history, seq: _done("p" * 32, seq))
        store.close()
        for statement in ("UPDATE incident_stages SET stage = 'x'", "DELETE FROM warning_measures"):
            with (
                psycopg.connect(plain_dsn(url)) as raw,
                pytest.raises(psycopg.Error, match="insert-only"),
            ):
                raw.execute(statement)
