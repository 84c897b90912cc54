"""The shelters and supply sections of an assessment's answer (CONTRACT §4)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from api.service.closed_roads import closed_lines, line_geometries
from geo._kept import derived
from geo.assessment import Assessment
from geo.shelters.status import representative_xy
from geo.supply.plan import SupplyPlan
from web.labels import reason_text


def _rounded_lonlat(shelters: gpd.GeoDataFrame) -> tuple[list[float], list[float]]:
    """The shelters' representative lon/lat to 6 decimals, worked out once per layer."""

    def rounded() -> tuple[list[float], list[float]]:
        xy = representative_xy(shelters)
        return [round(x, 6) for x in xy[:, 0].tolist()], [round(y, 6) for y in xy[:, 1].tolist()]

    return derived((shelters,), "rounded lon/lat", rounded)


def shelters_section(result: Assessment, shelters: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Every shelter of the pack: its state, conflicts, persons assigned and place."""
    xs, ys = _rounded_lonlat(shelters)
    assigned = result.assignment.assigned
    return [
        {
            "id": status.id,
            "name": status.name,
            "kind": status.kind,
            "capacity": status.capacity,
            "status": status.status,
            "conflicts": [dict(vars(c)) for c in status.conflicts],  # flat: as asdict gives
            "assigned": assigned.get(status.id, 0),
            "lon": x,
            "lat": y,
        }
        for status, x, y in zip(result.shelters, xs, ys, strict=True)
    ]


def quantity(value: float) -> float | int:
    """A quantity as the answer gives it: whole pieces as int, else to 3 decimals."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def shortfalls(plan: SupplyPlan) -> dict[str, Any]:
    """What is short, per item and per shelter (items short only)."""
    return {
        "shortfall": {item: quantity(q) for item, q in plan.shortfall.items() if q > 0},
        "shortfall_by_shelter": {
            sid: {item: quantity(q) for item, q in items.items()}
            for sid, items in plan.shortfall_by_shelter.items()
        },
    }


def supply_section(plan: SupplyPlan, roads: gpd.GeoDataFrame) -> dict[str, Any]:
    """Routes as GeoJSON, what is unreachable or short, each depot's state, closed roads."""
    lines = line_geometries([r.line for r in plan.routes])
    routes = [
        {
            "type": "Feature",
            "geometry": line,
            "properties": {
                "depot_id": r.depot_id,
                "shelter_id": r.shelter_id,
                "distance_m": round(r.distance_m, 1),
                "duration_s": round(r.duration_s, 1),
                "items": {item: quantity(q) for item, q in r.items.items()},
            },
        }
        for r, line in zip(plan.routes, lines, strict=True)
    ]
    return {
        "routes": {"type": "FeatureCollection", "features": routes},
        "unreachable": [sid for sid, _ in plan.unreachable],
        "unreachable_detail": [
            {"shelter_id": s, "reason": reason_text(r)} for s, r in plan.unreachable
        ],
        **shortfalls(plan),
        "depots": [
            {
                "id": d.id,
                "name": d.name,
                "status": d.status,
                "reason": reason_text(d.reason) if d.reason else None,
                "sent": {item: quantity(q) for item, q in d.sent.items()},
            }
            for d in plan.depots
        ],
        "closed_roads": len(plan.closed.roads),
        "closed_lines": closed_lines(plan.closed, roads),
        "days": plan.days,
        "units": dict(plan.units),
    }
