"""Travel times between depots, shelters and demand points, and the routes between them.

`build_network` (from `geo.roads.network`) turns the roads layer into a graph once. Per
incident, `closures` (`geo.roads.closures`) closes every edge that crosses the footprint (and,
optionally, hazard zones of listed kinds). `travel_matrix` attaches each origin and
destination to the nearest OPEN edge within ``snap_max_m`` by projecting it onto the
edge, then runs ONE multi-source Dijkstra (`scipy.sparse.csgraph.dijkstra` with
``indices``) over the open graph, from whichever side has fewer points: the origins over
the graph, or the destinations over the reversed graph. The graph searched is that of
the junctions, each chain of shape points one arc (`geo.roads.chains`); two points on
one chain may also go straight along it. `route` (and `TravelMatrix.ways`, for many
routes at once) follows the predecessors of that search along the road geometry, each
chain expanded into its edges, partial edges at both ends included. `travel_times`
gives the same times without the routes, optionally only up to a time limit (the
search stops there), and `reachable` says which points reach any point of the other
side at the cost of two searches whatever the number of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from shapely.geometry import LineString

from geo._crs import LONLAT
from geo.errors import InputError
from geo.reasons import NO_PATH, NO_PATH_FROM_ANY, Reason
from geo.roads._dijkstra import (
    VIA_CHAIN,
    VIA_DIRECT,
    Search,
    Snaps,
    attach,
    best_times,
    direct,
    reached_each_way,
    times_between,
)
from geo.roads._times import Way
from geo.roads.closures import FOOTPRINT, ClosedEdges, ClosedRoad, closures
from geo.roads.network import RoadNetwork, build_network
from geo.roads.routes import Legs
from geo.roads.snapping import Attachment, attachments, why_not_attached

__all__ = [
    "FOOTPRINT",
    "Attachment",
    "ClosedEdges",
    "ClosedRoad",
    "RoadNetwork",
    "TravelMatrix",
    "build_network",
    "closures",
    "reachable",
    "route",
    "travel_matrix",
    "travel_times",
]


# ---------------------------------------------------------------- the search


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Travel times (s) from each origin to each destination over open roads; inf: no way.

    ``durations_s`` is (origins × destinations) and may be used directly as the
    ``cost`` of `geo.shelters.placement.assign_displaced` or `geo.supply.allocation.allocate`.
    ``distances_m`` (the length of each fastest route) is computed on first use; `ways`
    gives the lengths and lines of many routes at once.
    """

    durations_s: NDArray[np.float64]
    origins: tuple[Attachment, ...]
    destinations: tuple[Attachment, ...]
    origin_reasons: tuple[Reason | None, ...]
    destination_reasons: tuple[Reason | None, ...]
    snap_max_m: float
    _legs: Legs = field(repr=False)
    _known: dict[tuple[int, int], tuple[float, LineString]] = field(
        default_factory=dict, repr=False
    )

    @property
    def reachable(self) -> NDArray[np.bool_]:
        """(origins × destinations): whether a way over open roads exists."""
        return np.isfinite(self.durations_s)

    @cached_property
    def distances_m(self) -> NDArray[np.float64]:
        """(origins × destinations) length in metres of each fastest route; inf: no way."""
        out = np.full(self.durations_s.shape, np.inf)
        i, j = np.nonzero(self.reachable)
        out[i, j] = self._legs.lengths(i, j)
        out.flags.writeable = False
        return out

    def ways(self, i: ArrayLike, j: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
        """Length (m) and lon/lat line of each fastest route from origins ``i`` to ``j``.

        Every pair must be reachable. Many routes are expanded at once, which is much
        faster than one `route` after another.
        """
        rows, cols = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        lengths, lines = self._legs.expand(rows, cols)
        for r, c, m, line in zip(
            rows.tolist(), cols.tolist(), lengths.tolist(), lines.tolist(), strict=True
        ):
            self._known[(r, c)] = (m, line)
        return lengths, lines

    def _way(self, i: int, j: int) -> tuple[float, LineString]:
        if (i, j) not in self._known:
            self.ways([i], [j])
        return self._known[(i, j)]

    def distance_m(self, i: int, j: int) -> float:
        """Length in metres of the fastest route from origin ``i`` to destination ``j``.

        The same value as ``distances_m[i, j]``, expanding only this route: what a few
        shipments need, without the lengths of every pair.
        """
        if not np.isfinite(self.durations_s[i, j]):
            return float(np.inf)
        return self._way(i, j)[0]


def _reasons(
    unattached: Sequence[Reason | None], reached: NDArray[np.bool_], other: str
) -> tuple[Reason | None, ...]:
    """Each point's reason: why it is not attached, else whether it reaches the other side."""
    unreached = Reason(NO_PATH_FROM_ANY[other])
    return tuple(
        why if why is not None else None if ok else unreached
        for why, ok in zip(unattached, reached.tolist(), strict=True)
    )


def _check_roles(*roles: str) -> None:
    for role in roles:
        if role not in NO_PATH_FROM_ANY:
            raise InputError(
                f"label: {role!r} is not one of {', '.join(NO_PATH_FROM_ANY)}", field="label"
            )


def travel_matrix(
    network: RoadNetwork,
    *,
    origins: ArrayLike,
    destinations: ArrayLike,
    snap_max_m: float,
    closed: ClosedEdges | ArrayLike | None = None,
    points_crs: CRS | str = LONLAT,
    origin_label: str = "origin",
    destination_label: str = "destination",
) -> TravelMatrix:
    """Fastest travel times over open roads from every origin to every destination.

    Parameters
    ----------
    origins, destinations
        (n, 2) coordinates in ``points_crs`` (lon/lat by default; pass
        ``network.crs`` for metric x/y such as `geo.shelters.status.shelter_xy`).
    snap_max_m
        A point joins the nearest open edge within this distance, at its projection on
        the edge; a point with none is not attached and reaches nothing.
    closed
        `closures` output, or one boolean per edge; nothing closed when None.
    origin_label, destination_label
        The role of each side's points, which names the reason code of a point that
        reaches nothing (`geo.reasons.NO_PATH_FROM_ANY`: ``"depot"``, ``"shelter"`` …).
    """
    _check_roles(origin_label, destination_label)
    snaps = attach(
        network,
        origins,
        destinations,
        snap_max_m=snap_max_m,
        closed=closed,
        points_crs=points_crs,
    )
    o_snap, d_snap = snaps.origins, snaps.destinations
    search, durations, via, direct_m = _fastest(network, snaps)
    durations.flags.writeable = False
    o_att = attachments(network, o_snap, snap_max_m=snaps.snap_m)
    d_att = attachments(network, d_snap, snap_max_m=snaps.snap_m)
    reach = np.isfinite(durations)
    return TravelMatrix(
        durations_s=durations,
        origins=o_att,
        destinations=d_att,
        origin_reasons=_reasons(
            [a.reason for a in o_att], np.asarray(reach.any(axis=1)), destination_label
        ),
        destination_reasons=_reasons(
            [a.reason for a in d_att], np.asarray(reach.any(axis=0)), origin_label
        ),
        snap_max_m=snaps.snap_m,
        _legs=Legs(
            network=network, chains=snaps.chains, search=search, origins=snaps.origin_places,
            destinations=snaps.destination_places, via=via, direct_m=direct_m,
            start=_lonlat(o_att), end=_lonlat(d_att),
        ),
    )  # fmt: skip


def _lonlat(points: Sequence[Attachment]) -> NDArray[np.float64]:
    """Where each point joins the roads, lon/lat (nan when not attached)."""
    return np.array([(a.lon, a.lat) for a in points], dtype=float).reshape(-1, 2)


def _fastest(
    network: RoadNetwork, snaps: Snaps
) -> tuple[Search, NDArray[np.float64], NDArray[np.int8], NDArray[np.float64]]:
    """The search over the junctions, then straight along a shared chain or edge if faster.

    Returns the search, the best times and which way each came (origins × destinations)
    and the lengths along shared edges.
    """
    search, best, via = best_times(snaps)
    best, via = best.copy(), via.copy()
    i, j, along = snaps.along_chain()
    faster = along < best[i, j]
    best[i[faster], j[faster]] = along[faster]
    via[i[faster], j[faster]] = VIA_CHAIN
    direct_s, direct_m = direct(network, snaps.origins, snaps.destinations)
    shorter = direct_s < best
    durations = np.where(shorter, direct_s, best)
    return search, durations, np.where(shorter, np.int8(VIA_DIRECT), via).astype(np.int8), direct_m


def travel_times(
    network: RoadNetwork,
    *,
    origins: ArrayLike,
    destinations: ArrayLike,
    snap_max_m: float,
    closed: ClosedEdges | ArrayLike | None = None,
    points_crs: CRS | str = LONLAT,
    limit_s: float = np.inf,
) -> NDArray[np.float64]:
    """The ``durations_s`` of `travel_matrix` without routes; inf above ``limit_s``.

    No predecessor table is kept, so many points cost no memory per road node, and a
    finite ``limit_s`` stops each search there: every time at or under the limit is the
    exact fastest time, every time above it is reported as inf.
    """
    if np.isnan(limit_s) or limit_s < 0:
        raise InputError("limit_s: expected a non-negative number of seconds", field="limit_s")
    snaps = attach(
        network,
        origins,
        destinations,
        snap_max_m=snap_max_m,
        closed=closed,
        points_crs=points_crs,
    )
    return limited_times(network, snaps, float(limit_s))


def limited_times(
    network: RoadNetwork, snaps: Snaps, limit: float, way: Way | None = None
) -> NDArray[np.float64]:
    """`travel_times` of points already attached: exact up to ``limit``, inf above.

    The same times as `travel_matrix` (in the last bit they may differ: see
    `geo.roads._times`), straight along a shared chain or edge when faster. ``way``:
    that of a larger set these points are part of (`geo.roads._dijkstra.way_of`).
    """
    durations = times_between(snaps, limit, way)  # inf above the limit
    i, j, along = snaps.shortcuts(network)
    np.minimum.at(durations, (i, j), np.where(along > limit, np.inf, along))
    return durations


def reachable(
    network: RoadNetwork,
    *,
    origins: ArrayLike,
    destinations: ArrayLike,
    snap_max_m: float,
    closed: ClosedEdges | ArrayLike | None = None,
    points_crs: CRS | str = LONLAT,
    origin_label: str = "origin",
    destination_label: str = "destination",
) -> tuple[tuple[Reason | None, ...], tuple[Reason | None, ...]]:
    """The ``origin_reasons`` and ``destination_reasons`` of `travel_matrix`, cheaply.

    None where an origin reaches some destination (a destination is reached from some
    origin), else why not. Answered over the strongly connected parts of the open roads
    (`geo.roads._dijkstra.reached_each_way`), whatever the number of points.
    """
    _check_roles(origin_label, destination_label)
    snaps = attach(
        network,
        origins,
        destinations,
        snap_max_m=snap_max_m,
        closed=closed,
        points_crs=points_crs,
    )
    o_snap, d_snap = snaps.origins, snaps.destinations
    origin_ok, destination_ok = reached_each_way(snaps)
    # Pairs on one edge or chain may reach each other without any junction.
    i, j, along = snaps.shortcuts(network)
    way = np.isfinite(along)
    origin_ok[i[way]] = True
    destination_ok[j[way]] = True
    o_why = why_not_attached(o_snap, snap_max_m=snaps.snap_m)
    d_why = why_not_attached(d_snap, snap_max_m=snaps.snap_m)
    return (
        _reasons(o_why, origin_ok, destination_label),
        _reasons(d_why, destination_ok, origin_label),
    )


def route(network: RoadNetwork, matrix: TravelMatrix, i: int, j: int) -> LineString:
    """The fastest route from origin ``i`` to destination ``j`` along the roads, in lon/lat.

    It starts and ends where the two points join the roads (partial edges included).

    Raises
    ------
    InputError
        ``i`` or ``j`` is out of range, or no way over open roads joins them.
    """
    n_o, n_d = matrix.durations_s.shape
    if not (0 <= i < n_o and 0 <= j < n_d):
        raise InputError(f"route: ({i}, {j}) is outside the {n_o} × {n_d} matrix", field="route")
    if not np.isfinite(matrix.durations_s[i, j]):
        why = matrix.destination_reasons[j] or matrix.origin_reasons[i] or Reason(NO_PATH)
        raise InputError(
            f"route: destination {j} is unreachable from origin {i} ({why.code})", field="route"
        )
    line: LineString = matrix._way(i, j)[1]
    return line
