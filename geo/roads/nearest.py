"""Times from many points to their nearest destinations, each searched only as far as needed.

A point's row is exact up to the first limit of a ladder (e.g. 30, 60, 120 min, then no
limit) within which it reaches ``nearest`` wanted destinations, and inf beyond it: what
searching every point to the first limit, the points still short to the next, and so on
gives (`ladder_times`). A point searched at a higher limit than its own gives that same
row, masked at its own limit: every time at or under a limit is exact whatever the
limit searched. So each point is searched once at a level no higher than its own, read
down to its own, and searched again only if short: the level it starts at is that of a
group of nearby points searched together (`start_levels`), which never reaches more
destinations, no sooner, than any point of the group. Points that share the junctions
they leave by are searched once per junction (`geo.roads._times`), so cheaply that they
simply climb the ladder (`ladder_times`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra

from geo._crs import LONLAT
from geo.roads._dijkstra import Snaps, attach, closed_arcs, way_of
from geo.roads._graph import Neighbourhood, open_graph
from geo.roads.network import RoadNetwork
from geo.roads.travel import limited_times

#: Points searched together to pick where each starts on the ladder: about this many,
#: split along the longer side of their extent in turn (a k-d tree's leaves).
GROUP_POINTS = 16


def _groups(xy: NDArray[np.float64], rows: NDArray[np.int64]) -> list[NDArray[np.int64]]:
    """``rows`` split into groups of at most `GROUP_POINTS` nearby points."""
    if rows.size <= GROUP_POINTS:
        return [rows]
    span = np.ptp(xy[rows], axis=0)
    order = rows[np.argsort(xy[rows, int(np.argmax(span))], kind="stable")]
    half = order.size // 2
    return _groups(xy, order[:half]) + _groups(xy, order[half:])


def _group_arrival(
    dist: NDArray[np.float64],
    column: NDArray[np.int64],
    entry_time: NDArray[np.float64],
    inside: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Each target's arrival over its two slots from a group's search (inf: not reached)."""
    arrive = np.full(column.shape[0], np.inf)
    arrive[inside] = (dist[column[inside]] + entry_time[inside]).min(axis=1)
    return arrive


def _shortcut_pairs(
    network: RoadNetwork, snaps: Snaps, usable: NDArray[np.int64], targets: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Pairs on one edge or chain, which arrive without the junctions, and their time.

    As positions in ``usable`` (origins) and ``targets`` (destinations).
    """
    row = np.full(snaps.origins.edge.size, -1)
    row[usable] = np.arange(usable.size)
    where = np.full(snaps.destinations.edge.size, -1)
    where[targets] = np.arange(targets.size)
    i, j, along = snaps.shortcuts(network)
    keep = (row[i] >= 0) & (where[j] >= 0)
    return row[i[keep]], where[j[keep]], along[keep]


def start_levels(
    network: RoadNetwork,
    snaps: Snaps,
    *,
    limits: tuple[float, ...],
    wanted: NDArray[np.bool_],
    nearest: int,
) -> NDArray[np.int64]:
    """Per origin, the first level worth searching it at: its group's own level.

    A group of nearby points is searched at once (one Dijkstra, the least time from any
    of them), level after level, until together they reach ``nearest`` wanted
    destinations; no point of the group reaches them at a lower level. Each level's
    searches run on the `Neighbourhood` of all the points within its limit. Points not
    attached start at the last level.
    """
    last = len(limits) - 1
    start = np.full(snaps.origins.edge.size, last, dtype=np.int64)
    exits, entries = snaps.slots()
    usable = np.flatnonzero(np.isfinite(exits[1]).any(axis=1))
    if last == 0 or not usable.size:
        return start
    chains, n = snaps.chains, snaps.chains.n_junctions
    graph, _ = open_graph(
        chains.arcs, closed_arcs(chains, snaps.mask), n, (exits[0][usable], exits[1][usable])
    )
    targets = np.flatnonzero(wanted)
    entry_node, entry_time = entries[0][targets], entries[1][targets]
    pairs = _shortcut_pairs(network, snaps, usable, targets)
    pending = _groups(snaps.origins.xy[usable], np.arange(usable.size))
    for level, limit in enumerate(limits[:last]):
        if not pending:
            break
        near = Neighbourhood.of(graph, n + np.arange(usable.size), limit)
        column = near.column(entry_node)
        inside = np.flatnonzero((column < near.graph.shape[0]).any(axis=1))
        later = []
        for group in pending:
            dist = dijkstra(
                near.graph, directed=True, indices=near.index[n + group], min_only=True,
                limit=limit,
            )  # fmt: skip
            arrive = _group_arrival(np.append(dist, np.inf), column, entry_time, inside)
            mine = np.isin(pairs[0], group)  # pairs on one edge or chain: counted too
            np.minimum.at(arrive, pairs[1][mine], pairs[2][mine])
            if int((arrive <= limit).sum()) >= nearest:
                start[usable[group]] = level
            else:
                later.append(group)
        pending = later
    return start


def nearest_times(
    network: RoadNetwork,
    *,
    origins: ArrayLike,
    destinations: ArrayLike,
    snap_max_m: float,
    limits: tuple[float, ...],
    wanted: NDArray[np.bool_],
    nearest: int,
    points_crs: CRS | str = LONLAT,
) -> NDArray[np.float64]:
    """The rows of `ladder_times`: each point from its group's level on, or up the ladder.

    Up the ladder when the search runs from the destinations or from junctions the
    points share; every step searches the way the whole set would (`way_of`).
    """
    snaps = attach(
        network, origins, destinations, snap_max_m=snap_max_m, closed=None, points_crs=points_crs
    )
    way = way_of(snaps)  # every step searches as the whole set would
    if way.reverse or way.from_junctions:
        # Each step searches from the destinations, or once per junction the points share:
        # cheap enough that searching groups first, to skip steps, would cost more.
        return ladder_times(network, snaps, limits=limits, wanted=wanted, nearest=nearest)
    start = start_levels(network, snaps, limits=limits, wanted=wanted, nearest=nearest)
    cost = np.full((snaps.origins.edge.size, snaps.destinations.edge.size), np.inf)
    done = np.zeros(cost.shape[0], dtype=bool)
    for level, limit in enumerate(limits):
        rows = np.flatnonzero(~done & (start <= level))
        if not rows.size:
            continue
        part = limited_times(network, snaps.of_origins(rows), limit, way)
        # Each row's own level: the lowest within which it has enough, skipped ones too.
        own = np.full(rows.size, level if level == len(limits) - 1 else -1)
        reached = part[:, wanted]
        for lower in range(level, -1, -1):
            enough = (reached <= limits[lower]).sum(axis=1) >= nearest
            own[enough] = lower
        has = own >= 0
        bound = np.asarray(limits)[own[has], None]
        cost[rows[has]] = np.where(part[has] <= bound, part[has], np.inf)
        done[rows[has]] = True
    return cost


def ladder_times(
    network: RoadNetwork,
    snaps: Snaps,
    *,
    limits: tuple[float, ...],
    wanted: NDArray[np.bool_],
    nearest: int,
) -> NDArray[np.float64]:
    """Every point searched at the first limit, those still short at the next, and so on."""
    cost = np.full((snaps.origins.edge.size, snaps.destinations.edge.size), np.inf)
    todo = np.arange(cost.shape[0])
    way = way_of(snaps)  # every step searches as the whole set would
    for limit in limits:
        part = limited_times(network, snaps.of_origins(todo), limit, way)
        cost[todo] = part
        todo = todo[np.count_nonzero(np.isfinite(part) & wanted, axis=1) < nearest]
        if not todo.size:
            break
    return cost
