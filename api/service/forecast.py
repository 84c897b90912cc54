"""The warning record of a forecast footprint: exposure, shelters to open, stock to send ahead.

An incident may start as a forecast (阳泉2026/攀枝花2024/江苏 §3 灾害救助准备 「对可能出现的
灾情进行预评估」「做好救灾物资准备，紧急情况下提前调拨」; 乐清2016 §5.3(3) 「开放应急避灾疏散
场所」, (4) 「做好救灾物资准备工作…紧急情况下提前调拨」). The forecast footprint takes the one
path every footprint takes (`api.service.exposing.expose`, in a compute worker), then the
assessment's own steps (`api.service.assess.assess_exposed`: shelter status, placement, the
supply plan): the shelters to open are the usable ones the placement fills, the stock to
pre-position the supply plan's depot → shelter shipments. Every figure is an estimate (估算).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from api.service.answer_sections import quantity, shortfalls
from api.service.assess import ESTIMATE_NOTICE, assess_exposed
from api.service.bootstrap import Services
from api.service.exposing import expose
from api.service.footprints import footprint_area
from geo.assessment import Assessment
from geo.supply.plan import SupplyPlan
from web.decision_text import ESTIMATED
from web.pack_notes import item_names

#: What the stock to pre-position is, in words (the persons are estimates).
STOCK_NOTICE = "预置物资按估算的需转移安置人数和物资需求标准测算，须随灾情核实调整。"


@dataclass(frozen=True)
class Forecast:
    """A forecast footprint as stored (one lon/lat geometry) and its warning record."""

    area: BaseGeometry
    record: dict[str, Any]


def _exposure(result: Assessment, names: dict[str, str]) -> dict[str, Any]:
    exposure = result.exposure
    return {
        "affected": exposure.affected,
        "displaced": exposure.displaced,
        "estimate": True,
        "label": ESTIMATED,
        "notice": ESTIMATE_NOTICE,
        "by_county": [
            {
                "code": row.code,
                "name": names.get(row.code, row.name),
                "affected": row.affected,
                "displaced": row.displaced,
            }
            for row in exposure.by_county
        ],
    }


def _shelters(result: Assessment, services: Services) -> dict[str, Any]:
    """The usable shelters the placement fills, with capacity and the persons each takes."""
    assigned = result.assignment.assigned
    points = services.pack.shelters.geometry.representative_point()
    opened = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "capacity": s.capacity,
            "persons": assigned[s.id],
            "lon": round(float(p.x), 6),
            "lat": round(float(p.y), 6),
        }
        for s, p in zip(result.shelters, points, strict=True)
        if s.usable and assigned.get(s.id, 0) > 0
    ]
    return {
        "placed": result.assignment.placed_total,
        "unplaced": result.assignment.unplaced_total,
        "travel": result.travel,
        "estimate": True,
        "label": ESTIMATED,
        "items": sorted(opened, key=lambda s: (-s["persons"], s["id"])),
    }


def _stock(
    plan: SupplyPlan | None, result: Assessment, names: dict[str, str]
) -> dict[str, Any] | None:
    """The supply plan's depot → shelter shipments, run ahead of time; None without roads."""
    if plan is None:
        return None
    shelters = {s.id: s.name for s in result.shelters}
    depots = {d.id: d.name for d in plan.depots}
    return {
        "days": plan.days,
        "units": dict(plan.units),
        "names": names,
        "estimate": True,
        "label": ESTIMATED,
        "notice": STOCK_NOTICE,
        **shortfalls(plan),
        "items": [
            {
                "depot_id": r.depot_id,
                "depot_name": depots.get(r.depot_id, r.depot_id),
                "shelter_id": r.shelter_id,
                "shelter_name": shelters.get(r.shelter_id, r.shelter_id),
                "distance_m": round(r.distance_m, 1),
                "duration_s": round(r.duration_s, 1),
                "items": {item: quantity(q) for item, q in r.items.items()},
            }
            for r in plan.routes
        ],
    }


def forecast(services: Services, data: object, *, hazard: str, plan: str) -> Forecast:
    """The forecast footprint read like any footprint and its warning record (a compute task)."""
    chosen = services.plans.file(plan)
    exposed = expose(services, data, hazard=hazard, plan=chosen.plan)
    result = assess_exposed(services, exposed, plan=chosen.plan, reported={})
    counties = services.pack.counties
    names = {str(c): str(n) for c, n in zip(counties["code"], counties["name"], strict=True)}
    record = {
        "hazard": hazard,
        "plan": chosen.plan.id,
        "plan_sha256": chosen.sha256,
        "software_version": services.version,
        "exposure": _exposure(result, names),
        "shelters": _shelters(result, services),
        "stock": _stock(result.supply, result, item_names(services.pack)),
    }
    area = shapely.union_all(exposed.parsed.features.geometry.to_numpy())
    return Forecast(area=area, record=record)


def stage_footprint(
    services: Services, data: object, *, stage: str, hazard: str, plan: str
) -> Forecast:
    """A footprint checked (a compute task): a forecast's with its record, else the disaster's."""
    if stage == "warning":
        return forecast(services, data, hazard=hazard, plan=plan)
    jurisdiction = services.plans.get(plan).jurisdiction
    return Forecast(area=footprint_area(services, data, jurisdiction=jurisdiction), record={})
