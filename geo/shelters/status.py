"""Shelters: which may be opened, who goes where, and who is within reach of one.

A shelter is ``in_footprint`` when its ground touches the footprint and
``hazard_conflict`` when it lies in a hazard zone or within the zone's setback
(GB 21734-2008 §5.2; 阳泉2026 §5.x(6), §7.4.3 “坚决避开山洪、地质灾害隐患点及其他危险区域”);
neither receives anyone (CONTRACT §4). Displaced people are assigned to usable
shelters by least total travel without ever exceeding a capacity: a transportation
problem solved by HiGHS, with an "unplaced" sink so it is always feasible. For
province-scale incidents the problem can be restricted to each point's ``nearest``
cheapest shelters (`assign_displaced`), which keeps it sparse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.optimize import linprog
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from geo.errors import GeometryError, InputError, InternalError
from geo.hazards.setbacks import Setbacks, ZoneConflict, metric, require_frame, zone_conflicts
from geo.incident.footprint import footprint_series

ShelterState = Literal["usable", "in_footprint", "hazard_conflict"]
#: Shelters, demand cells and API geometries are lon/lat (CONTRACT §2).
LONLAT = "EPSG:4326"
#: Rounding slack allowed between HiGHS's vertex solution and the integers it stands for.
INTEGRALITY_TOLERANCE = 1e-6

Conflict = ZoneConflict
"""A hazard zone a shelter lies in (distance 0) or within the setback of."""


@dataclass(frozen=True)
class ShelterStatus:
    """Whether a shelter may be opened, and the hazard zones it is too close to."""

    id: str
    name: str
    kind: str
    capacity: int
    status: ShelterState
    conflicts: tuple[Conflict, ...]

    @property
    def usable(self) -> bool:
        """Whether the shelter may receive people and supplies."""
        return self.status == "usable"


@dataclass(frozen=True)
class Flow:
    """Persons sent from one demand point to one shelter, at ``cost`` per person."""

    point: int
    shelter: str
    persons: int
    cost: float


@dataclass(frozen=True)
class Assignment:
    """Who goes where: persons per shelter, persons left without a place per county."""

    assigned: Mapping[str, int]
    unplaced: Mapping[str, int]
    flows: tuple[Flow, ...]
    total_cost: float

    @property
    def placed_total(self) -> int:
        """Persons given a place."""
        return sum(self.assigned.values())

    @property
    def unplaced_total(self) -> int:
        """Persons left without a place."""
        return sum(self.unplaced.values())


@dataclass(frozen=True)
class KindCoverage:
    """Affected persons within the service radius of a usable shelter of one kind."""

    kind: str
    radius_m: float
    shelters: int
    covered: float
    share: float | None


@dataclass(frozen=True)
class Coverage:
    """Service coverage of the affected population, per shelter kind and overall."""

    affected: float
    covered: float
    share: float | None
    by_kind: tuple[KindCoverage, ...]


# ---------------------------------------------------------------- which shelters may open


def _footprint_union(footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry) -> gpd.GeoSeries:
    footprint = footprint_series(footprint)
    union = shapely.union_all(footprint.dropna().to_numpy())
    if union.is_empty:
        raise GeometryError("footprint: the geometry is empty", field="footprint")
    return gpd.GeoSeries([union], crs=footprint.crs)


def classify_shelters(
    shelters: gpd.GeoDataFrame,
    *,
    footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    hazard_zones: gpd.GeoDataFrame,
    setbacks: Setbacks,
    metric_crs: CRS | str,
) -> tuple[ShelterStatus, ...]:
    """Mark each shelter ``usable``, ``in_footprint`` or ``hazard_conflict``, in row order.

    A shelter in the footprint is ``in_footprint`` and still lists its hazard conflicts.
    Both tests use the shelter's own ground (point or polygon), so a park that only
    partly reaches a setback is in conflict.

    Parameters
    ----------
    shelters
        ``id``, ``name``, ``capacity``, ``kind``; Points or Polygons, any defined CRS.
    footprint
        The disaster footprint; a bare shapely geometry is taken as EPSG:4326.
    hazard_zones
        ``id``, ``kind``, ``risk``; any geometry, any defined CRS.
    metric_crs
        A projected CRS in metres; every distance is measured in it.
    """
    crs = metric(metric_crs)
    require_frame(shelters, "shelters", ("id", "name", "capacity", "kind"))
    ground = shelters.to_crs(crs).geometry.to_numpy()
    area = _footprint_union(footprint).to_crs(crs).iloc[0]
    shapely.prepare(area)
    inside = shapely.intersects(area, ground)
    conflicts = zone_conflicts(ground, hazard_zones, setbacks=setbacks, metric_crs=crs)
    statuses = []
    for i, row in enumerate(shelters.itertuples(index=False)):
        state: ShelterState = (
            "in_footprint" if inside[i] else "hazard_conflict" if conflicts[i] else "usable"
        )
        statuses.append(
            ShelterStatus(
                id=str(row.id),
                name=str(row.name),
                kind=str(row.kind),
                capacity=int(row.capacity),
                status=state,
                conflicts=conflicts[i],
            )
        )
    return tuple(statuses)


# ---------------------------------------------------------------- coordinates and costs


def shelter_xy(shelters: gpd.GeoDataFrame, *, metric_crs: CRS | str) -> NDArray[np.float64]:
    """Each shelter's representative point as ``(x, y)`` metres in ``metric_crs``."""
    require_frame(shelters, "shelters", ())
    points = shelters.to_crs(metric(metric_crs)).geometry.representative_point()
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()]).astype(np.float64)


def lonlat_xy(lon: ArrayLike, lat: ArrayLike, *, metric_crs: CRS | str) -> NDArray[np.float64]:
    """Lon/lat (EPSG:4326) positions as ``(x, y)`` metres in ``metric_crs``."""
    to_metric = Transformer.from_crs(LONLAT, metric(metric_crs), always_xy=True)
    x, y = to_metric.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).astype(np.float64)


def straight_line_cost(points_xy: ArrayLike, shelters_xy: ArrayLike) -> NDArray[np.float64]:
    """The (points × shelters) matrix of straight-line distances in metres (metric CRS)."""
    points = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    targets = np.asarray(shelters_xy, dtype=float).reshape(-1, 2)
    distance: NDArray[np.float64] = np.hypot(
        points[:, None, 0] - targets[None, :, 0], points[:, None, 1] - targets[None, :, 1]
    )
    return distance


# ---------------------------------------------------------------- who goes where


def _integers(values: ArrayLike, name: str) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.size and (
        not np.issubdtype(array.dtype, np.number)
        or np.issubdtype(array.dtype, np.complexfloating)
        or not np.isfinite(array).all()
        or (array != np.round(array)).any()
        or (array < 0).any()
    ):
        raise InputError(f"{name}: expected non-negative whole numbers of persons", field=name)
    return array.astype(np.int64)


def _check_assignment_input(
    demand: pd.DataFrame, shelters: Sequence[ShelterStatus], cost: ArrayLike, capacity: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    missing = [c for c in ("county", "persons") if c not in demand.columns]
    if missing:
        raise InputError(f"demand: missing columns {missing}", field="demand")
    persons = _integers(demand["persons"].to_numpy(), "demand.persons")
    matrix = np.asarray(cost, dtype=float)
    if matrix.shape != (len(demand), len(shelters)):
        raise InputError(
            f"cost: expected a {len(demand)} × {len(shelters)} matrix (points × shelters), "
            f"got shape {matrix.shape}",
            field="cost",
        )
    if (matrix < 0).any() or np.isnan(matrix).any():
        raise InputError("cost: expected non-negative costs (inf for unreachable)", field="cost")
    seats = _integers(capacity, "capacity")
    if seats.shape != (len(shelters),):
        raise InputError(
            f"capacity: expected one value per shelter ({len(shelters)}), got {seats.shape}",
            field="capacity",
        )
    return persons, matrix, seats


def _nearest_pairs(
    points: NDArray[np.intp], targets: NDArray[np.intp], unit: NDArray[np.float64], nearest: int
) -> NDArray[np.bool_]:
    """Which candidate pairs are among their point's ``nearest`` cheapest (ties: lower index)."""
    order = np.lexsort((targets, unit, points))
    first = np.r_[0, np.flatnonzero(points[order][1:] != points[order][:-1]) + 1]
    rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
    keep = np.zeros(order.size, dtype=bool)
    keep[order[rank < nearest]] = True
    return keep


def _solve(
    persons: NDArray[np.int64],
    cost: NDArray[np.float64],
    seats: NDArray[np.int64],
    nearest: int | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """Flows (point, shelter, persons) of the least-cost plan, and the unplaced per point."""
    points, targets = np.nonzero(np.isfinite(cost) & (seats > 0)[None, :] & (persons > 0)[:, None])
    if nearest is not None and points.size:
        keep = _nearest_pairs(points, targets, cost[points, targets], nearest)
        points, targets = points[keep], targets[keep]
    if points.size == 0:
        return points, targets, np.zeros(0, dtype=np.int64), persons.copy()
    unit = cost[points, targets]
    scale = max(float(unit.max()), 1.0)
    # Leaving one person unplaced must cost more than any chain of moves that makes room
    # for them (at most min(points, shelters) paid legs), so the sink takes only the excess.
    sink = float(min(cost.shape) + 1)
    n_flow, n_points = points.size, persons.size
    c = np.concatenate([unit / scale, np.full(n_points, sink)])
    flow_cols = np.arange(n_flow)
    a_eq = sparse.coo_matrix(
        (
            np.ones(n_flow + n_points),
            (np.concatenate([points, np.arange(n_points)]), np.arange(n_flow + n_points)),
        ),
        shape=(n_points, n_flow + n_points),
    ).tocsr()
    a_ub = sparse.coo_matrix(
        (np.ones(n_flow), (targets, flow_cols)), shape=(cost.shape[1], n_flow + n_points)
    ).tocsr()
    result = linprog(
        c,
        A_ub=a_ub,
        b_ub=seats.astype(float),
        A_eq=a_eq,
        b_eq=persons.astype(float),
        bounds=(0, None),
        method="highs-ds",  # dual simplex: a vertex, integral for this unimodular matrix
    )
    if result.status != 0:
        raise InternalError(f"shelter assignment: HiGHS failed ({result.message})")
    x = np.asarray(result.x)
    rounded = np.round(x)
    if np.abs(x - rounded).max(initial=0.0) > INTEGRALITY_TOLERANCE * max(1, persons.max()):
        raise InternalError("shelter assignment: HiGHS returned a fractional plan")
    whole = rounded.astype(np.int64)
    return points, targets, whole[:n_flow], whole[n_flow:]


def assign_displaced(
    demand: pd.DataFrame,
    shelters: Sequence[ShelterStatus],
    *,
    cost: ArrayLike,
    capacity: ArrayLike | None = None,
    nearest: int | None = None,
) -> Assignment:
    """Send displaced persons to usable shelters by least total cost, never over capacity.

    Parameters
    ----------
    demand
        One row per demand point: ``county`` (code) and ``persons`` (whole numbers; the
        caller rounds).
    shelters
        The statuses from `classify_shelters`; only ``usable`` ones receive anyone.
    cost
        (points × shelters) cost per person: straight-line metres (`straight_line_cost`),
        or a travel time; ``inf`` marks a pair with no way between them.
    capacity
        Places per shelter; each shelter's ``capacity`` when not given.
    nearest
        A RESTRICTION for large problems: each demand point may go only to its
        ``nearest`` cheapest usable shelters with places (ties to the lower shelter
        index); the rest of its people stay unplaced, never sent farther. None (the
        default), or a number at least the count of such shelters, gives the
        unrestricted least-cost plan. It keeps the problem sparse: points × ``nearest``
        flows instead of points × shelters.

    Raises
    ------
    InternalError
        If the solved plan does not add up exactly (a bug, never bad input).
    """
    seats_in = [s.capacity for s in shelters] if capacity is None else capacity
    persons, matrix, seats = _check_assignment_input(demand, shelters, cost, seats_in)
    usable = np.array([s.usable for s in shelters], dtype=bool)
    if nearest is not None and (isinstance(nearest, bool) or nearest < 1):
        raise InputError(
            "nearest: expected a whole number of shelters, at least 1", field="nearest"
        )
    points, targets, sent, left = _solve(persons, matrix, np.where(usable, seats, 0), nearest)
    ids = [s.id for s in shelters]
    assigned = np.bincount(targets, weights=sent, minlength=len(ids)).astype(np.int64)
    placed = np.bincount(points, weights=sent, minlength=persons.size).astype(np.int64)
    counties = demand["county"].astype(str).to_numpy()
    unplaced = pd.Series(left).groupby(counties, sort=True).sum()
    wanted = pd.Series(persons).groupby(counties, sort=True).sum()
    got = pd.Series(placed).groupby(counties, sort=True).sum()
    if (
        (assigned > seats).any()
        or (assigned[~usable] != 0).any()
        or (sent < 0).any()
        or (left < 0).any()
        or (placed + left != persons).any()
        or not (got + unplaced).equals(wanted)
    ):
        raise InternalError("shelter assignment: the plan does not add up; this is a bug")
    positive = sent > 0
    flows = tuple(
        Flow(point=int(i), shelter=ids[j], persons=int(n), cost=float(matrix[i, j]))
        for i, j, n in zip(points[positive], targets[positive], sent[positive], strict=True)
    )
    return Assignment(
        assigned={sid: int(n) for sid, n in zip(ids, assigned, strict=True)},
        unplaced={str(code): int(n) for code, n in unplaced.items()},
        flows=flows,
        total_cost=float(sum(f.persons * f.cost for f in flows)),
    )


# ---------------------------------------------------------------- who is within reach


def service_coverage(
    cells: pd.DataFrame,
    shelters: gpd.GeoDataFrame,
    *,
    statuses: Sequence[ShelterStatus],
    radii: Mapping[str, float],
    metric_crs: CRS | str,
) -> Coverage:
    """Share of the affected population within each kind's service radius of a usable shelter.

    Distances run from each cell's centre to the shelter's representative point. Shelter
    kinds without a radius (e.g. ``central``; GB 50413-2007 gives none) are left out.

    Parameters
    ----------
    cells
        ``lon``, ``lat`` (EPSG:4326) and ``affected`` persons (may be fractional).
    shelters
        The shelters layer, rows in the order of ``statuses``.
    radii
        Shelter kind to service radius in metres (`Setbacks.service_radii`).
    """
    missing = [c for c in ("lon", "lat", "affected") if c not in cells.columns]
    if missing:
        raise InputError(f"cells: missing columns {missing}", field="cells")
    if len(statuses) != len(shelters):
        raise InputError(
            f"statuses: expected one per shelter ({len(shelters)}), got {len(statuses)}",
            field="statuses",
        )
    affected = cells["affected"].to_numpy(dtype=float)
    total = float(affected.sum())
    xy = lonlat_xy(cells["lon"], cells["lat"], metric_crs=metric_crs)
    sites = shelter_xy(shelters, metric_crs=metric_crs) if len(shelters) else np.zeros((0, 2))
    usable = np.array([s.usable for s in statuses], dtype=bool)
    kinds = np.array([s.kind for s in statuses], dtype=object)
    anywhere = np.zeros(len(cells), dtype=bool)
    by_kind = []
    for kind, radius in radii.items():
        chosen = usable & (kinds == kind)
        reached = np.zeros(len(cells), dtype=bool)
        if chosen.any() and len(cells):
            # Cells with no site within the radius stop searching early (distance inf).
            bound = np.nextafter(float(radius), np.inf)
            distance, _ = cKDTree(sites[chosen]).query(xy, k=1, distance_upper_bound=bound)
            reached = distance <= radius
        anywhere |= reached
        covered = float(affected[reached].sum())
        by_kind.append(
            KindCoverage(
                kind=kind,
                radius_m=float(radius),
                shelters=int(chosen.sum()),
                covered=covered,
                share=covered / total if total > 0 else None,
            )
        )
    covered = float(affected[anywhere].sum())
    return Coverage(
        affected=total,
        covered=covered,
        share=covered / total if total > 0 else None,
        by_kind=tuple(by_kind),
    )
