"""Travel times between depots, shelters and demand points, and the routes between them.

`build_network` (from `geo.roads.network`) turns the roads layer into a graph once. Per
incident, `closures` (`geo.roads.closures`) closes every edge that crosses the footprint (and,
optionally, hazard zones of listed kinds). `travel_matrix` attaches each origin and
destination to the nearest OPEN edge within ``snap_max_m`` by projecting it onto the
edge, then runs ONE multi-source Dijkstra (`scipy.sparse.csgraph.dijkstra` with
``indices``) over the open graph, from whichever side has fewer points: the origins over
the graph, or the destinations over the reversed graph. `route` follows the
predecessors of that search along the road geometry, partial edges at both ends
included. `travel_times` gives the same times without the routes, optionally only up
to a time limit (the search stops there), and `reachable` says which points reach any
point of the other side at the cost of two searches whatever the number of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy.sparse.csgraph import reconstruct_path
from shapely.geometry import LineString

from geo._crs import LONLAT
from geo.errors import InputError
from geo.reasons import NO_PATH, NO_PATH_FROM_ANY, Reason
from geo.roads._dijkstra import (
    VIA_DIRECT,
    Search,
    attach,
    best_times,
    direct,
    reached_from,
)
from geo.roads.closures import FOOTPRINT, ClosedEdges, ClosedRoad, closures
from geo.roads.network import RoadNetwork, build_network
from geo.roads.snapping import Attachment, attachments

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
    ``distances_m`` (the length of each fastest route) is computed on first use.
    """

    durations_s: NDArray[np.float64]
    origins: tuple[Attachment, ...]
    destinations: tuple[Attachment, ...]
    origin_reasons: tuple[Reason | None, ...]
    destination_reasons: tuple[Reason | None, ...]
    snap_max_m: float
    _search: Search = field(repr=False)
    _via: NDArray[np.int8] = field(repr=False)
    _direct_m: NDArray[np.float64] = field(repr=False)

    @property
    def reachable(self) -> NDArray[np.bool_]:
        """(origins × destinations): whether a way over open roads exists."""
        return np.isfinite(self.durations_s)

    @cached_property
    def distances_m(self) -> NDArray[np.float64]:
        """(origins × destinations) length in metres of each fastest route; inf: no way."""
        out = np.where(self._via == VIA_DIRECT, self._direct_m, np.inf)
        i, j = np.nonzero((self._via >= 0) & (self._via != VIA_DIRECT))
        search = self._search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        slot = self._via[i, j].astype(np.int64)
        rows = search.rows[s_pt]
        ends = search.target_node[t_pt, slot]
        out[i, j] = _tree_lengths(search, rows, ends) + search.target_length[t_pt, slot]
        out.flags.writeable = False
        return out

    def distance_m(self, i: int, j: int) -> float:
        """Length in metres of the fastest route from origin ``i`` to destination ``j``.

        The same value as ``distances_m[i, j]``, walking only this route's predecessors:
        what a few shipments need, without the lengths of every pair.
        """
        via = int(self._via[i, j])
        if via == VIA_DIRECT:
            return float(self._direct_m[i, j])
        if via < 0:
            return float(np.inf)
        search = self._search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        row, node = int(search.rows[s_pt]), int(search.target_node[t_pt, via])
        heads, tails = [], []
        while (up := int(search.pred[row, node])) >= 0:
            heads.append(node)
            tails.append(up)
            node = up
        total = 0.0
        # the tree arc into each node, added from the end upwards as `distances_m` does
        for step in np.asarray(search.lengths[tails, heads]).ravel().tolist():
            total += step
        return total + float(search.target_length[t_pt, via])


def _tree_lengths(
    search: Search, rows: NDArray[np.int64], ends: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Length from each row's source to each end node along the shortest-path tree."""
    step = np.zeros((search.pred.shape[0], search.pred.shape[1]))
    for r in np.unique(rows).tolist():
        tree = reconstruct_path(search.lengths, search.pred[r], directed=True)
        step[r] = np.asarray(tree.sum(axis=0)).ravel()
    total = np.zeros(ends.size)
    cur = ends.copy()
    live = np.flatnonzero(search.pred[rows, cur] >= 0)
    while live.size:
        r, c = rows[live], cur[live]
        total[live] += step[r, c]
        cur[live] = up = search.pred[r, c]
        live = live[search.pred[r, up] >= 0]
    return total


def _reasons(
    attachments: Sequence[Attachment], reached: NDArray[np.bool_], other: str
) -> tuple[Reason | None, ...]:
    unreached = Reason(NO_PATH_FROM_ANY[other])
    return tuple(
        a.reason if not a.attached else None if ok else unreached
        for a, ok in zip(attachments, reached.tolist(), strict=True)
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
    search, best, via = best_times(network, snaps, paths=True)
    direct_s, direct_m = direct(network, o_snap, d_snap)
    shorter = direct_s < best
    durations = np.where(shorter, direct_s, best)
    via = np.where(shorter, np.int8(VIA_DIRECT), via).astype(np.int8)
    durations.flags.writeable = False
    o_att = attachments(network, o_snap, snap_max_m=snaps.snap_m)
    d_att = attachments(network, d_snap, snap_max_m=snaps.snap_m)
    reach = np.isfinite(durations)
    return TravelMatrix(
        durations_s=durations,
        origins=o_att,
        destinations=d_att,
        origin_reasons=_reasons(o_att, np.asarray(reach.any(axis=1)), destination_label),
        destination_reasons=_reasons(d_att, np.asarray(reach.any(axis=0)), origin_label),
        snap_max_m=snaps.snap_m,
        _search=search,
        _via=via,
        _direct_m=direct_m,
    )


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
    _, best, _ = best_times(network, snaps, paths=False, limit=float(limit_s))
    direct_s, _ = direct(network, snaps.origins, snaps.destinations)
    durations = np.where(direct_s < best, direct_s, best)
    durations[durations > limit_s] = np.inf
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
    origin), else why not. Two searches, one from all origins at once and one from all
    destinations over the reversed graph, whatever the number of points.
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
    exits = o_snap.slots(network, leaving=True)
    entries = d_snap.slots(network, leaving=False)
    same_edge = np.isfinite(direct(network, o_snap, d_snap)[0])
    destination_ok = reached_from(network, snaps.mask, exits, entries, reverse=False)
    origin_ok = reached_from(network, snaps.mask, entries, exits, reverse=True)
    o_att = attachments(network, o_snap, snap_max_m=snaps.snap_m)
    d_att = attachments(network, d_snap, snap_max_m=snaps.snap_m)
    return (
        _reasons(o_att, origin_ok | same_edge.any(axis=1), destination_label),
        _reasons(d_att, destination_ok | same_edge.any(axis=0), origin_label),
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
    o, d = matrix.origins[i], matrix.destinations[j]
    start, end = (o.lon, o.lat), (d.lon, d.lat)
    via = int(matrix._via[i, j])
    coords: list[tuple[float | None, float | None]] = [start]
    if via != VIA_DIRECT:
        search = matrix._search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        row, node = int(search.rows[s_pt]), int(search.target_node[t_pt, via])
        nodes = [node]
        while (up := int(search.pred[row, node])) >= 0 and up < search.n_nodes:
            nodes.append(up)
            node = up
        if not search.reverse:
            nodes.reverse()
        coords.extend(map(tuple, network.node_lonlat[nodes].tolist()))
    coords.append(end)
    kept = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
    return LineString(kept if len(kept) > 1 else kept * 2)
