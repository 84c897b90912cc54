"""Decisions and county responses in the store: a store of revision 0002 upgraded with its
history kept (SQLite and PostGIS), rows insert-only, history paged."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from alembic_runs import alembic_head, upgraded_by_alembic
from postgres import fresh_database, plain_dsn
from sqlalchemy import create_engine, insert, text
from test_store import _decider, _incident

from layers.store.records import DecisionRecord
from layers.store.store import Store, sqlite_url
from layers.store.tables import incidents


def _decision(incident_id: str, seq: int) -> DecisionRecord:
    return DecisionRecord(
        id=f"{incident_id[:20]}d{seq}",
        incident_id=incident_id,
        seq=seq,
        action="start",
        level=3,
        decided_by="市防减救灾委分管副主任",
        time=datetime(2026, 7, 1, 2, tzinfo=UTC),
        recorded=datetime(2026, 7, 1, 2, 5, tzinfo=UTC),
        basis="市防减救灾办建议",
        stable=False,
        clause="阳泉2026 §5.3.2",
        requested_by="ops:analyst",
    )


@pytest.fixture(params=["sqlite", "postgis"])
def old_store_url(request, tmp_path):
    """A store made by revision 0002 holding an incident with two reports."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "old")
        upgraded_by_alembic(url, "0002")
        yield url
        return
    with fresh_database() as url:
        upgraded_by_alembic(url, "0002")
        yield url


def test_a_store_of_revision_0002_keeps_its_history_and_takes_decisions(old_store_url):
    engine = create_engine(old_store_url)
    with engine.begin() as connection:  # written while the store is still at 0002
        connection.execute(insert(incidents).values(**_incident("i" * 32).row()))
    engine.dispose()
    upgraded = Store(old_store_url)
    with upgraded.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == alembic_head()
    assert upgraded.incident("i" * 32).incident.title == "桃河洪水"
    upgraded.add_report("i" * 32, _decider())
    recorded = upgraded.add_decision("i" * 32, lambda head, seq: _decision("i" * 32, seq))
    history = upgraded.incident("i" * 32)
    assert (history.decisions, history.report_count) == ((recorded,), 1)
    upgraded.close()


def test_decisions_are_insert_only_on_postgis():
    with fresh_database() as url:
        store = Store(url)
        store.add_incident(_incident("p" * 32))
        store.add_decision("p" * 32, lambda head, seq: _decision("p" * 32, seq))
        store.close()
        with (
            psycopg.connect(plain_dsn(url)) as raw,
            pytest.raises(psycopg.Error, match="insert-only"),
        ):
            raw.execute("UPDATE decisions SET level = 1")


def test_history_is_paged_and_the_head_carries_the_latest_verdict(tmp_path):
    store = Store(sqlite_url(tmp_path / "state"))
    store.add_incident(_incident("h" * 32))
    for _ in range(5):
        store.add_report("h" * 32, _decider())
    page = store.incident("h" * 32, limit=2, after=2)
    assert [r.seq for r in page.reports] == [3, 4]
    assert [v.seq for v in page.verdicts] == [3, 4]
    assert (page.report_count, page.last_verdict.seq) == (5, 5)
    store.close()


def test_a_decision_before_a_started_incident_leaves_nothing(tmp_path):
    store = Store(sqlite_url(tmp_path / "state"))
    store.add_incident(_incident("r" * 32))

    def refuse(head, seq):
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.add_decision("r" * 32, refuse)
    assert store.incident("r" * 32).decisions == ()
    store.close()
