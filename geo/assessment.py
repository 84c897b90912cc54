"""An incident assessment: exposure in, shelters, placement, coverage and the level out.

`assess` takes what `geo.incident.exposure.compute_exposure` found and the pack's layers, and
decides which shelters may open, where the displaced can go (by travel cost, never over
capacity), how much of the affected population a shelter serves, and the response level
the plan calls for from reported figures and estimates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from geo.hazards.setbacks import Setbacks
from geo.incident.exposure import Exposure
from geo.plans.model import Plan
from geo.response.figures import CountyFigures, Figure, drought_counties, estimated_figures
from geo.response.levels import Verdict, evaluate
from geo.shelters.demand import DemandPoints, cells_xy, demand_points
from geo.shelters.placement import Assignment, assign_displaced, straight_line_cost
from geo.shelters.service_area import Coverage, service_coverage
from geo.shelters.status import ShelterStatus, classify_shelters, representative_xy, shelter_xy
from geo.supply.plan import (
    Logistics,
    SupplyPlan,
    SupplyReach,
    evacuation_cost,
    plan_supply,
    supply_reach,
)

#: Added travel time (s) to shelters no depot can reach: filled only when others are full.
UNSUPPLIED_PENALTY = 1.0e6
#: A RESTRICTION for province-scale incidents: each demand point may go only to this many
#: of its cheapest usable shelters (`geo.shelters.placement.assign_displaced`), so the placement
#: problem stays sparse (points × 30 flows, not points × thousands of shelters) and the
#: evacuation searches may stop early (`geo.supply.plan.evacuation_cost`). With no more
#: usable shelters than this, as in a city pack, placement is unrestricted.
NEAREST_SHELTERS = 30


@dataclass(frozen=True)
class Assessment:
    """Everything an assessment decided, before serialisation."""

    exposure: Exposure
    shelters: tuple[ShelterStatus, ...]
    demand: DemandPoints
    assignment: Assignment
    coverage: Coverage
    figures: Mapping[str, Figure]
    verdict: Verdict
    travel: str
    supply: SupplyPlan | None


#: Incidents whose footprint is itself a hazard zone that shelters must keep away from.
GEOHAZARD_INCIDENTS = frozenset({"landslide", "collapse", "debris_flow", "flash_flood"})
INCIDENT_ZONE = "incident"


def with_incident_zone(
    hazard_zones: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame, *, hazard: str, setbacks: Setbacks
) -> gpd.GeoDataFrame:
    """The pack's hazard zones plus the incident itself where it is a geological hazard.

    A landslide, collapse, debris flow or flash flood that has just happened is a danger
    area like a mapped 隐患点: shelters within its setback are not opened either
    (阳泉2026 §5.1.3(6) “坚决避开山洪、地质灾害隐患点及其他危险区域”).
    """
    if hazard not in GEOHAZARD_INCIDENTS or hazard not in setbacks.kinds:
        return hazard_zones
    incident = gpd.GeoDataFrame(
        {"id": [INCIDENT_ZONE], "kind": [hazard], "risk": ["high"]},
        geometry=[pieces.geometry.union_all()],
        crs=pieces.crs,
    ).to_crs(hazard_zones.crs)
    frame = pd.concat(
        [hazard_zones[["id", "kind", "risk", "geometry"]], incident], ignore_index=True
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=hazard_zones.crs)


def _reach(
    logistics: Logistics | None,
    *,
    pieces: gpd.GeoDataFrame,
    shelters: gpd.GeoDataFrame,
    statuses: tuple[ShelterStatus, ...],
    zones: gpd.GeoDataFrame,
) -> tuple[SupplyReach | None, npt.NDArray[np.float64]]:
    """Which depots reach which usable shelters, and the placement penalty of the others.

    A shelter no depot can resupply is used only once the others are full
    (`UNSUPPLIED_PENALTY`); without logistics nothing is penalised.
    """
    if logistics is None:
        return None, np.zeros(len(statuses))
    reach = supply_reach(
        logistics.network,
        footprint=pieces.geometry.union_all(),
        depots=logistics.depots,
        stock=logistics.stock,
        shelters=shelters,
        statuses=statuses,
        snap_max_m=logistics.snap_max_m,
        hazard_zones=zones,
        closing_kinds=logistics.closing_kinds,
    )
    cut_off = {sid for sid, _ in reach.unreachable()}
    penalty = np.array([UNSUPPLIED_PENALTY if s.id in cut_off else 0.0 for s in statuses])
    return reach, penalty


def _supply(
    logistics: Logistics | None, reach: SupplyReach | None, *, assigned: Mapping[str, int]
) -> SupplyPlan | None:
    """The supply plan for the persons placed, when the roads and depots are known."""
    if logistics is None or reach is None:
        return None
    return plan_supply(
        logistics.network,
        reach,
        depots=logistics.depots,
        stock=logistics.stock,
        assigned=assigned,
        needs=logistics.needs,
        days=logistics.days,
    )


def _placement_cost(
    demand: DemandPoints,
    shelters: gpd.GeoDataFrame,
    statuses: tuple[ShelterStatus, ...],
    *,
    logistics: Logistics | None,
    penalty: npt.NDArray[np.float64],
    metric_crs: CRS,
) -> tuple[str, npt.NDArray[np.float64]]:
    """How placement measures the way to a shelter, and the (points × shelters) cost."""
    if logistics is None:
        cost = straight_line_cost(
            demand.frame[["x", "y"]].to_numpy(dtype=float),
            shelter_xy(shelters, metric_crs=metric_crs),
        )
        return "straight-line distance (m)", cost
    cost = evacuation_cost(
        logistics.network,
        demand.frame[["lon", "lat"]].to_numpy(dtype=float),
        representative_xy(shelters),  # lon/lat: the layer's own
        snap_max_m=logistics.evacuation_snap_m,
        nearest=NEAREST_SHELTERS,
        eligible=np.array([s.usable and s.capacity > 0 for s in statuses]) & (penalty == 0),
    )
    travel = "travel time by road (s); evacuees reach the road on foot or by boat"
    return travel, cost + penalty


def assess(
    exposure: Exposure,
    *,
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    shelters: gpd.GeoDataFrame,
    hazard_zones: gpd.GeoDataFrame,
    setbacks: Setbacks,
    plan: Plan,
    reported: Mapping[str, Figure],
    metric_crs: CRS,
    logistics: Logistics | None = None,
    by_county: Sequence[CountyFigures] = (),
) -> Assessment:
    """Shelters, placement, supply, coverage and the level for an exposure already computed.

    Parameters
    ----------
    logistics
        The road network, depots and needs: displaced people then travel to shelters by
        road and the supply plan is made; without it, placement is by straight-line
        distance and there is no supply plan. ``by_county``: figures per county.
    """
    # The steps in order: which shelters may open, who must move, which depots reach
    # which shelters, who goes where, what is sent, who is within reach, which level.
    zones = with_incident_zone(hazard_zones, pieces, hazard=exposure.hazard, setbacks=setbacks)
    statuses = classify_shelters(
        shelters, footprint=pieces, hazard_zones=zones, setbacks=setbacks, metric_crs=metric_crs
    )
    xy = cells_xy(exposure, metric_crs=metric_crs)  # once, for demand and coverage
    demand = demand_points(exposure, metric_crs=metric_crs, xy=xy)
    reach, penalty = _reach(
        logistics, pieces=pieces, shelters=shelters, statuses=statuses, zones=hazard_zones
    )
    travel, cost = _placement_cost(
        demand, shelters, statuses, logistics=logistics, penalty=penalty, metric_crs=metric_crs
    )
    assignment = assign_displaced(demand.frame, statuses, cost=cost, nearest=NEAREST_SHELTERS)
    supply = _supply(logistics, reach, assigned=assignment.assigned)
    radii = setbacks.service_radii()
    coverage = service_coverage(
        exposure.cells, shelters, statuses=statuses, radii=radii, metric_crs=metric_crs, xy=xy
    )
    population = int(counties["population"].sum())
    figures = estimated_figures(plan, reported, exposure, population=population, counties=counties)
    drought = drought_counties(plan, reported, exposure, counties=counties, by_county=by_county)
    verdict = evaluate(plan, figures, hazard=exposure.hazard, by_county=drought)
    return Assessment(
        exposure=exposure,
        shelters=statuses,
        demand=demand,
        assignment=assignment,
        coverage=coverage,
        figures=figures,
        verdict=verdict,
        travel=travel,
        supply=supply,
    )
