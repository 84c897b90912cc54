"""What hangs off an incident besides its reports: decisions, county responses, stages, measures.

Read whole (each is short: a handful of rows per incident), in the order recorded, by the
store's head read (`layers.store.store.Store`) and, for the list, for many incidents at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypedDict

from sqlalchemy import Connection, Table, select

from layers.store.records import (
    CountyResponseRecord,
    DecisionRecord,
    MeasureDoneRecord,
    StageRecord,
    county_response_from_row,
    decision_from_row,
    measure_done_from_row,
    stage_from_row,
)
from layers.store.tables import county_responses, decisions, incident_stages, warning_measures


class Children(TypedDict):
    """The rows hanging off one incident, keyed by the `IncidentHistory` field each fills."""

    decisions: tuple[DecisionRecord, ...]
    county_responses: tuple[CountyResponseRecord, ...]
    stages: tuple[StageRecord, ...]
    measures_done: tuple[MeasureDoneRecord, ...]


def _rows(connection: Connection, table: Table, incident_id: str) -> Sequence[Any]:
    return connection.execute(
        select(table).where(table.c.incident_id == incident_id).order_by(table.c.seq)
    ).all()


def children(connection: Connection, incident_id: str) -> Children:
    """The incident's decisions, county responses, stages and measures done, as records."""
    return {
        "decisions": tuple(decision_from_row(r) for r in _rows(connection, decisions, incident_id)),
        "county_responses": tuple(
            county_response_from_row(r) for r in _rows(connection, county_responses, incident_id)
        ),
        "stages": tuple(stage_from_row(r) for r in _rows(connection, incident_stages, incident_id)),
        "measures_done": tuple(
            measure_done_from_row(r) for r in _rows(connection, warning_measures, incident_id)
        ),
    }


def listed_decisions(
    connection: Connection, ids: Sequence[str]
) -> dict[str, tuple[DecisionRecord, ...]]:
    """The decisions of each listed incident, in order (one query for the page)."""
    found: dict[str, list[DecisionRecord]] = defaultdict(list)
    query = (
        select(decisions)
        .where(decisions.c.incident_id.in_(list(ids)))
        .order_by(decisions.c.incident_id, decisions.c.seq)
    )
    for row in connection.execute(query).all():
        found[row.incident_id].append(decision_from_row(row))
    return {k: tuple(v) for k, v in found.items()}


def listed_stages(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The stage each listed incident is in (its latest stage row; none: ``response``)."""
    query = (
        select(incident_stages.c.incident_id, incident_stages.c.stage)
        .where(incident_stages.c.incident_id.in_(list(ids)))
        .order_by(incident_stages.c.incident_id, incident_stages.c.seq)
    )
    return {row.incident_id: row.stage for row in connection.execute(query).all()}
