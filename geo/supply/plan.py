"""Relief logistics over the road network: evacuation travel and the supply plan.

Displaced people leave the footprint on foot or by rescue boat to the nearest open
road, so their travel to shelters uses the network without closures. Relief stock
moves by truck: supply routes use only roads the footprint (and any closing hazard
zones) did not cut; a depot in the footprint or cut off from every open road sends
nothing, and a usable shelter that no depot reaches is named with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.reasons import (
    DEPOT_IN_FOOTPRINT,
    NO_DEPOT_CAN_SEND,
    NO_PATH_FROM_ANY_DEPOT,
    NO_STOCK,
    Reason,
)
from geo.roads.nearest import nearest_times
from geo.roads.network import RoadNetwork
from geo.roads.travel import (
    ClosedEdges,
    TravelMatrix,
    closures,
    reachable,
    route,
    travel_matrix,
)
from geo.shelters.status import ShelterStatus, representative_xy
from geo.supply.allocation import Allocation, Demand, allocate, demand
from geo.supply.needs import NeedsProfile

DepotState = str  # "sending", "in_footprint", "cut_off", "no_stock"
#: Evacuation searches stop at these travel times (s) in turn; a point goes on to the next
#: only while fewer than the wanted number of shelters lie within the current limit.
#: Doubling keeps the wasted work under about a third of the last search's. Four hours
#: before no limit: on a province's roads a point short at two hours (an earthquake's,
#: most shelters nearby unusable) would otherwise search all of them.
EVACUATION_LIMITS_S = (1800.0, 3600.0, 7200.0, 14400.0, np.inf)


@dataclass(frozen=True)
class Logistics:
    """What supply planning needs besides the incident: the network, depots, needs, settings."""

    network: RoadNetwork
    depots: gpd.GeoDataFrame
    stock: pd.DataFrame
    needs: NeedsProfile
    days: int
    snap_max_m: float
    evacuation_snap_m: float
    closing_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class DepotStatus:
    """Whether a depot can send, and what it sent."""

    id: str
    name: str
    status: DepotState
    reason: Reason | None
    sent: Mapping[str, float]


@dataclass(frozen=True)
class Route:
    """One shipment along the roads, from a depot to a shelter."""

    depot_id: str
    shelter_id: str
    distance_m: float
    duration_s: float
    items: Mapping[str, float]
    line: LineString


@dataclass(frozen=True)
class SupplyPlan:
    """Routes, unreachable shelters with reasons, shortfalls and depot states."""

    routes: tuple[Route, ...]
    unreachable: tuple[tuple[str, Reason], ...]
    shortfall: Mapping[str, float]
    shortfall_by_shelter: Mapping[str, Mapping[str, float]]
    depots: tuple[DepotStatus, ...]
    closed: ClosedEdges
    days: int
    units: Mapping[str, str]


def evacuation_cost(
    network: RoadNetwork,
    points_lonlat: npt.NDArray[np.float64],
    shelters_lonlat: npt.NDArray[np.float64],
    *,
    snap_max_m: float,
    nearest: int | None = None,
    eligible: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """Travel time (s) from demand points to shelters over the whole network (no closures).

    With ``nearest`` (and ``eligible``, one flag per shelter), a point's row need only be
    exact for its ``nearest`` fastest eligible shelters: each search stops at the first
    of `EVACUATION_LIMITS_S` within which the point reaches that many eligible shelters,
    and times beyond it are inf. Any shelter faster than those is then exact too, so the
    ``nearest`` cheapest entries of a row are those of the full matrix as long as
    ineligible shelters cost more than the limit (the unsupplied penalty of
    `geo.assessment`). Without ``nearest`` every entry is exact.
    """
    if len(points_lonlat) == 0 or len(shelters_lonlat) == 0:
        return np.zeros((len(points_lonlat), len(shelters_lonlat)))
    wanted = np.ones(len(shelters_lonlat), dtype=bool) if eligible is None else eligible
    limits: tuple[float, ...] = (np.inf,)
    if nearest is not None and int(wanted.sum()) > nearest:
        limits = EVACUATION_LIMITS_S
    return nearest_times(
        network,
        origins=points_lonlat,
        destinations=shelters_lonlat,
        snap_max_m=snap_max_m,
        limits=limits,
        wanted=wanted,
        nearest=nearest or 0,
    )


@dataclass(frozen=True)
class SupplyReach:
    """Which depots can send and which usable shelters they reach over open roads.

    ``depot_reasons`` (one per candidate depot) and ``shelter_reasons`` (one per usable
    shelter) are None where the depot reaches some usable shelter (the shelter is
    reached from some depot), else why not; the travel times themselves are computed
    by `plan_supply` for the shelters that receive people.
    """

    closed: ClosedEdges
    candidates: tuple[int, ...]
    inside: npt.NDArray[np.bool_]
    with_stock: frozenset[str]
    usable_ids: tuple[str, ...]
    depot_reasons: tuple[Reason | None, ...]
    shelter_reasons: tuple[Reason | None, ...]
    depots_lonlat: npt.NDArray[np.float64]
    shelters_lonlat: npt.NDArray[np.float64]
    snap_max_m: float

    def unreachable(self) -> tuple[tuple[str, Reason], ...]:
        """Usable shelters no depot reaches, each with the reason."""
        return tuple(
            (
                sid,
                reason
                or Reason(NO_DEPOT_CAN_SEND if not self.candidates else NO_PATH_FROM_ANY_DEPOT),
            )
            for sid, reason in zip(self.usable_ids, self.shelter_reasons, strict=True)
            if reason is not None
        )


def supply_reach(
    network: RoadNetwork,
    *,
    footprint: BaseGeometry,
    depots: gpd.GeoDataFrame,
    stock: pd.DataFrame,
    shelters: gpd.GeoDataFrame,
    statuses: Sequence[ShelterStatus],
    snap_max_m: float,
    hazard_zones: gpd.GeoDataFrame | None = None,
    closing_kinds: Sequence[str] = (),
) -> SupplyReach:
    """Close the roads the incident cuts and find which depots reach which usable shelters.

    A depot in the footprint or without stock is no candidate; a candidate with no open
    road within ``snap_max_m`` is cut off.
    """
    closed = closures(
        network, footprint=footprint, hazard_zones=hazard_zones, closing_kinds=tuple(closing_kinds)
    )
    usable = [i for i, s in enumerate(statuses) if s.usable]
    inside = shapely.intersects(depots.geometry.to_numpy(), footprint)
    with_stock = frozenset(stock.loc[stock["quantity"] > 0, "depot_id"].astype(str))
    ids = depots["id"].astype(str).tolist()
    candidates = tuple(i for i in range(len(depots)) if not inside[i] and ids[i] in with_stock)
    # Lon/lat layers: their representative points, found once per layer.
    origins = representative_xy(depots)[list(candidates)].reshape(-1, 2)
    destinations = representative_xy(shelters)[usable].reshape(-1, 2)
    depot_reasons, shelter_reasons = reachable(
        network,
        origins=origins,
        destinations=destinations,
        snap_max_m=snap_max_m,
        closed=closed,
        origin_label="depot",
        destination_label="shelter",
    )
    return SupplyReach(
        closed=closed,
        candidates=candidates,
        inside=np.asarray(inside, dtype=bool),
        with_stock=with_stock,
        usable_ids=tuple(statuses[i].id for i in usable),
        depot_reasons=depot_reasons,
        shelter_reasons=shelter_reasons,
        depots_lonlat=origins,
        shelters_lonlat=destinations,
        snap_max_m=snap_max_m,
    )


def plan_supply(
    network: RoadNetwork,
    reach: SupplyReach,
    *,
    depots: gpd.GeoDataFrame,
    stock: pd.DataFrame,
    assigned: Mapping[str, int],
    needs: NeedsProfile,
    days: int,
) -> SupplyPlan:
    """Which depot sends what to which usable shelter, by which open road, and what is short.

    ``assigned`` (displaced persons per shelter id) times the needs over ``days`` is the
    demand; stock goes at least total travel time, never more than a depot holds. Travel
    times are searched only between the depots that can send and the reachable shelters
    that receive people: a shelter nobody goes to needs nothing.
    """
    sending = [k for k in range(len(reach.candidates)) if reach.depot_reasons[k] is None]
    ids = depots["id"].astype(str).tolist()
    rows_of = {ids[reach.candidates[k]]: r for r, k in enumerate(sending)}
    need = _need(reach, assigned, needs=needs, days=days)
    receiving = [
        j
        for j, sid in enumerate(reach.usable_ids)
        if assigned.get(sid, 0) > 0 and reach.shelter_reasons[j] is None
    ]
    matrix = _depot_times(network, reach, sending=sending, receiving=receiving)
    cost = np.full((len(sending), len(reach.usable_ids)), np.inf)
    cost[:, receiving] = matrix.durations_s
    column_of = {sid: j for j, sid in enumerate(reach.usable_ids)}
    columns = [column_of[sid] for sid in need.shelters]
    allocation = allocate(
        stock[stock["depot_id"].astype(str).isin(rows_of)],
        need,
        cost=cost[:, columns],
        depots=list(rows_of),
    )
    return SupplyPlan(
        routes=_routes(
            network,
            matrix,
            allocation,
            rows=rows_of,
            columns=[reach.usable_ids[j] for j in receiving],
        ),
        unreachable=reach.unreachable(),
        shortfall=allocation.shortfall,
        shortfall_by_shelter=allocation.shortfall_by_shelter,
        depots=_depot_states(
            depots,
            inside=reach.inside,
            with_stock=set(reach.with_stock),
            rows={ids[d]: k for k, d in enumerate(reach.candidates)},
            reasons=reach.depot_reasons,
            allocation=allocation,
        ),
        closed=reach.closed,
        days=days,
        units=need.units,
    )


def _need(
    reach: SupplyReach, assigned: Mapping[str, int], *, needs: NeedsProfile, days: int
) -> Demand:
    """What the usable shelters people go to need.

    The others (most of a province's) would only add all-zero columns to every item's arrays.
    """
    wanted = {sid: assigned[sid] for sid in reach.usable_ids if assigned.get(sid, 0) > 0}
    return demand(wanted, needs=needs, days=days)


def _depot_times(
    network: RoadNetwork, reach: SupplyReach, *, sending: list[int], receiving: list[int]
) -> TravelMatrix:
    """Travel times over open roads from the depots that send to the shelters that receive."""
    return travel_matrix(
        network,
        origins=reach.depots_lonlat[sending] if sending else np.zeros((0, 2)),
        destinations=reach.shelters_lonlat[receiving] if receiving else np.zeros((0, 2)),
        snap_max_m=reach.snap_max_m,
        closed=reach.closed,
        origin_label="depot",
        destination_label="shelter",
    )


def _routes(
    network: RoadNetwork,
    matrix: TravelMatrix,
    allocation: Allocation,
    *,
    rows: Mapping[str, int],
    columns: Sequence[str],
) -> tuple[Route, ...]:
    """Each shipment as a line along the roads; ``rows`` maps depot ids to matrix rows."""
    result = []
    column_of = {sid: j for j, sid in enumerate(columns)}
    pairs = [(rows[s.depot], column_of[s.shelter]) for s in allocation.shipments]
    if pairs:  # every route expanded in one batch; the calls below read them back
        matrix.ways([i for i, _ in pairs], [j for _, j in pairs])
    for shipment, (i, j) in zip(allocation.shipments, pairs, strict=True):
        result.append(
            Route(
                depot_id=shipment.depot,
                shelter_id=shipment.shelter,
                distance_m=matrix.distance_m(i, j),
                duration_s=float(matrix.durations_s[i, j]),
                items=dict(shipment.items),
                line=route(network, matrix, i, j),
            )
        )
    return tuple(result)


def _depot_states(
    depots: gpd.GeoDataFrame,
    *,
    inside: npt.NDArray[np.bool_],
    with_stock: set[str],
    rows: Mapping[str, int],
    reasons: Sequence[Reason | None],
    allocation: Allocation,
) -> tuple[DepotStatus, ...]:
    """Each depot's state: sending, in the footprint, cut off or without stock."""
    states = []
    names = depots["name"].astype(str).tolist()
    for d, depot_id in enumerate(depots["id"].astype(str)):
        reason: Reason | None = None
        if inside[d]:
            status, reason = "in_footprint", Reason(DEPOT_IN_FOOTPRINT)
        elif depot_id not in with_stock:
            status, reason = "no_stock", Reason(NO_STOCK)
        elif (cut := reasons[rows[depot_id]]) is not None:
            status, reason = "cut_off", cut
        else:
            status = "sending"
        states.append(
            DepotStatus(
                id=depot_id,
                name=names[d],
                status=status,
                reason=reason,
                sent=dict(allocation.sent.get(depot_id, {})),
            )
        )
    return tuple(states)
