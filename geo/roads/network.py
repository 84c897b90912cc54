"""The road network as a directed graph: nodes at shared vertices, one edge per vertex pair.

Junctions are SHARED VERTICES, interior as well as end vertices, as in OpenStreetMap
and in hand-digitised layers that are not split at junctions. Two lines that merely
cross without a shared vertex (a bridge, an overpass) do not connect.

Vertices are matched on their coordinates in the roads layer's own CRS: vertices closer
than `GEOGRAPHIC_TOLERANCE_DEG` (1e-9°, about 0.1 mm) in a lon/lat layer, or
`PROJECTED_TOLERANCE_M` (0.1 mm) in a projected one, are one node. That absorbs float
noise from reprojection without joining vertices that are meant to be apart.

Each consecutive vertex pair of a line is an edge, with its length in metres (measured
in the metric CRS given), its travel time from the segment's ``maxspeed`` or its class
speed (`geo.roads.speeds`), the row of the road it belongs to, and the directions it may be
travelled (``oneway`` honoured: ``True``/``"yes"`` along the digitised direction,
``"-1"``/``"reverse"`` against it).

Points join the network in `geo.roads.snapping`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components, reverse_cuthill_mckee
from scipy.spatial import cKDTree

from geo._crs import LONLAT, metric, transformer
from geo._validate import require_frame
from geo.errors import InputError
from geo.roads.speeds import SpeedProfile, maxspeed_given, parse_maxspeed, parse_oneway

#: Vertices of a lon/lat layer closer than this many degrees (about 0.1 mm) are one node.
GEOGRAPHIC_TOLERANCE_DEG = 1e-9
#: Vertices of a projected layer closer than this many metres are one node.
PROJECTED_TOLERANCE_M = 1e-4
#: Metres per second in one km/h.
KMH = 1000.0 / 3600.0
#: How many distinct unread values a note quotes.
NOTE_EXAMPLES = 5

_LINEAR = frozenset({"LineString", "MultiLineString"})


_T = TypeVar("_T", bound=np.generic)


def _frozen(array: NDArray[_T]) -> NDArray[_T]:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Arcs:
    """Directed arcs sorted by (tail, head, time, length), one or two per edge."""

    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    time_s: NDArray[np.float64]
    length_m: NDArray[np.float64]
    edge: NDArray[np.int64]

    @classmethod
    def of(
        cls,
        tail: NDArray[np.int64],
        head: NDArray[np.int64],
        time_s: NDArray[np.float64],
        length_m: NDArray[np.float64],
        edge: NDArray[np.int64],
    ) -> Arcs:
        """Sort and freeze arcs."""
        order = np.lexsort((length_m, time_s, head, tail))
        return cls(
            tail=_frozen(tail[order]),
            head=_frozen(head[order]),
            time_s=_frozen(time_s[order]),
            length_m=_frozen(length_m[order]),
            edge=_frozen(edge[order]),
        )

    def reversed(self) -> Arcs:
        """The same arcs pointing the other way (for searches from the destinations)."""
        return Arcs.of(self.head, self.tail, self.time_s, self.length_m, self.edge)


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A road graph built once per layer: arrays are read-only, lengths in ``crs`` metres."""

    crs: CRS
    node_xy: NDArray[np.float64]
    node_lonlat: NDArray[np.float64]
    edge_nodes: NDArray[np.int64]
    edge_length_m: NDArray[np.float64]
    edge_time_s: NDArray[np.float64]
    edge_speed_kmh: NDArray[np.float64]
    edge_road: NDArray[np.int64]
    edge_forward: NDArray[np.bool_]
    edge_backward: NDArray[np.bool_]
    road_ids: tuple[str, ...]
    notes: tuple[str, ...]
    segments: NDArray[np.object_] = field(repr=False)
    tree: shapely.STRtree = field(repr=False)
    arcs: Arcs = field(repr=False)
    reverse_arcs: Arcs = field(repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of junctions and shape points."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of vertex-pair edges."""
        return int(self.edge_nodes.shape[0])


def _lines(roads: gpd.GeoDataFrame) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Every vertex in the layer's CRS, and the road row each belongs to, part by part."""
    types = set(roads.geometry.geom_type)
    if not types <= _LINEAR:
        raise InputError(
            f"roads: found {sorted(types - _LINEAR)}; expected LineString or MultiLineString",
            field="roads",
        )
    parts, row = shapely.get_parts(roads.geometry.to_numpy(), return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    # Vertices of different parts must not pair up: number parts, keep the row apart.
    return coords, np.stack([row[part], part], axis=1).astype(np.int64)


def _speeds(
    roads: gpd.GeoDataFrame, profile: SpeedProfile, notes: list[str]
) -> NDArray[np.float64]:
    highway = roads["highway"].astype(str).tolist()
    class_speed = np.array([profile.km_h(h) for h in highway], dtype=float)
    unknown = Counter(h for h in highway if h not in profile.classes)
    if unknown:
        notes.append(
            f"highway classes {sorted(unknown)} are not in the speeds profile; "
            f"{profile.default_km_h:g} km/h used for {sum(unknown.values())} roads"
        )
    if "maxspeed" not in roads.columns:
        return class_speed
    raw = roads["maxspeed"].tolist()
    parsed = [parse_maxspeed(v) for v in raw]
    unread = Counter(
        str(v) for v, p in zip(raw, parsed, strict=True) if p is None and maxspeed_given(v)
    )
    if unread:
        examples = sorted(unread)[:NOTE_EXAMPLES]
        notes.append(
            f"maxspeed values {examples} on {sum(unread.values())} roads cannot be read as "
            "km/h; those roads take their class speed"
        )
    return np.array(
        [c if p is None else p for c, p in zip(class_speed, parsed, strict=True)], dtype=float
    )


def _directions(roads: gpd.GeoDataFrame, notes: list[str]) -> NDArray[np.int64]:
    if "oneway" not in roads.columns:
        return np.zeros(len(roads), dtype=np.int64)
    raw = roads["oneway"].tolist()
    parsed = [parse_oneway(v) for v in raw]
    unread = Counter(str(v) for v, p in zip(raw, parsed, strict=True) if p is None)
    if unread:
        notes.append(
            f"oneway values {sorted(unread)[:NOTE_EXAMPLES]} on {sum(unread.values())} roads "
            "cannot be read; those roads are taken as two-way"
        )
    return np.array([0 if p is None else p for p in parsed], dtype=np.int64)


def _nodes(coords: NDArray[np.float64], crs: CRS) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Node id of every vertex, and each node's coordinates in the layer's CRS.

    Vertices closer than the tolerance are one node, whatever grid they fall on (a
    rounding grid would split a pair that straddles one of its lines).
    """
    tolerance = GEOGRAPHIC_TOLERANCE_DEG if crs.is_geographic else PROJECTED_TOLERANCE_M
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    pairs = cKDTree(unique).query_pairs(r=tolerance, output_type="ndarray")
    if pairs.size == 0:
        return inverse.ravel().astype(np.int64), unique
    near = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(unique), len(unique))
    )
    _, label = connected_components(near, directed=False)
    _, first = np.unique(label, return_index=True)
    return label[inverse.ravel()].astype(np.int64), unique[first]


def _local_order(
    tail: NDArray[np.int64], head: NDArray[np.int64], nodes: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Renumber the nodes so that road neighbours get nearby numbers (reverse Cuthill–McKee).

    A shortest-path search then reads memory that lies close together; the graph and
    every time and length are unchanged.
    """
    n = len(nodes)
    adjacency = sparse.csr_matrix((np.ones(tail.size), (tail, head)), shape=(n, n))
    order = reverse_cuthill_mckee(adjacency, symmetric_mode=False)  # new number -> old
    renumber = np.empty(n, dtype=np.int64)
    renumber[order] = np.arange(n)
    return renumber[tail], renumber[head], nodes[order]


def _segments(
    roads: gpd.GeoDataFrame, notes: list[str]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Tail and head node and road row of every segment, and each node's source position."""
    coords, owner = _lines(roads)
    node_of_vertex, node_src = _nodes(coords, CRS.from_user_input(roads.crs))
    pair = np.flatnonzero(owner[1:, 1] == owner[:-1, 1])
    tail, head = node_of_vertex[pair], node_of_vertex[pair + 1]
    keep = tail != head
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} zero-length segments (repeated vertices) skipped")
    tail, head, edge_road = tail[keep], head[keep], owner[pair[keep], 0]
    if tail.size == 0:
        raise InputError("roads: no segment of positive length", field="roads")
    tail, head, node_src = _local_order(tail, head, node_src)
    return tail, head, edge_road, node_src


def _positions(
    roads: gpd.GeoDataFrame, node_src: NDArray[np.float64], crs: CRS
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Node positions as metric x/y in ``crs`` and as lon/lat, refused when not finite."""
    to_metric = transformer(roads.crs, crs)
    to_lonlat = transformer(roads.crs, LONLAT)
    node_xy = np.column_stack(to_metric.transform(node_src[:, 0], node_src[:, 1]))
    node_lonlat = np.column_stack(to_lonlat.transform(node_src[:, 0], node_src[:, 1]))
    if not (np.isfinite(node_xy).all() and np.isfinite(node_lonlat).all()):
        raise InputError(f"roads: some vertices cannot be projected to {crs.name}", field="roads")
    return node_xy, node_lonlat


def build_network(
    roads: gpd.GeoDataFrame, *, speeds: SpeedProfile, metric_crs: CRS | str
) -> RoadNetwork:
    """Build the road graph of a ``roads`` layer (CONTRACT §2).

    Parameters
    ----------
    roads
        (Multi)LineStrings with ``highway``; optional ``maxspeed`` (km/h or OSM text),
        ``oneway`` (bool or OSM text) and ``id``. Any defined CRS.
    speeds
        Speed per ``highway`` class (`layers.profiles.read_speeds`).
    metric_crs
        A projected CRS in metres; every length is measured in it.

    Raises
    ------
    InputError
        The layer is not a GeoDataFrame with a CRS and ``highway``, has empty or
        non-linear geometries, or holds no segment of positive length.
    """
    crs = metric(metric_crs)
    require_frame(roads, "roads", ("highway",))
    notes: list[str] = []
    tail, head, edge_road, node_src = _segments(roads, notes)
    node_xy, node_lonlat = _positions(roads, node_src, crs)
    edge_nodes = np.stack([tail, head], axis=1)
    length = np.hypot(*(node_xy[head] - node_xy[tail]).T)
    speed = _speeds(roads, speeds, notes)[edge_road]
    time = length / (speed * KMH)
    direction = _directions(roads, notes)[edge_road]
    forward, backward = direction >= 0, direction <= 0
    edge = np.arange(tail.size, dtype=np.int64)
    arcs = Arcs.of(
        np.concatenate([tail[forward], head[backward]]),
        np.concatenate([head[forward], tail[backward]]),
        np.concatenate([time[forward], time[backward]]),
        np.concatenate([length[forward], length[backward]]),
        np.concatenate([edge[forward], edge[backward]]),
    )
    segments = shapely.linestrings(node_xy[edge_nodes])
    ids = roads["id"] if "id" in roads.columns else roads.index.to_series()
    return RoadNetwork(
        crs=crs,
        node_xy=_frozen(node_xy.astype(np.float64)),
        node_lonlat=_frozen(node_lonlat.astype(np.float64)),
        edge_nodes=_frozen(edge_nodes),
        edge_length_m=_frozen(length),
        edge_time_s=_frozen(time),
        edge_speed_kmh=_frozen(speed),
        edge_road=_frozen(edge_road),
        edge_forward=_frozen(forward),
        edge_backward=_frozen(backward),
        road_ids=tuple(str(i) for i in ids.tolist()),
        notes=tuple(notes),
        segments=_frozen(segments),
        tree=shapely.STRtree(segments),
        arcs=arcs,
        reverse_arcs=arcs.reversed(),
    )


#: The arrays of a `RoadNetwork` kept by a cache (`layers.graph_cache`), by attribute.
NETWORK_ARRAYS = (
    "node_xy",
    "node_lonlat",
    "edge_nodes",
    "edge_length_m",
    "edge_time_s",
    "edge_speed_kmh",
    "edge_road",
    "edge_forward",
    "edge_backward",
)
ARC_ARRAYS = ("tail", "head", "time_s", "length_m", "edge")
ARC_SETS = ("arcs", "reverse_arcs")


def named_arrays(holder: Any, names: Sequence[str]) -> dict[str, NDArray[Any]]:
    """The arrays ``names`` of ``holder`` and of both its arc sets (``arcs.tail`` …) by name."""
    found: dict[str, NDArray[Any]] = {name: getattr(holder, name) for name in names}
    for arc_set in ARC_SETS:
        arcs = getattr(holder, arc_set)
        found.update({f"{arc_set}.{name}": getattr(arcs, name) for name in ARC_ARRAYS})
    return found


def stored_arcs(arrays: Mapping[str, NDArray[Any]]) -> dict[str, Arcs]:
    """Both arc sets back from `named_arrays`' names."""
    return {
        arc_set: Arcs(**{name: arrays[f"{arc_set}.{name}"] for name in ARC_ARRAYS})
        for arc_set in ARC_SETS
    }


def network_arrays(network: RoadNetwork) -> dict[str, NDArray[Any]]:
    """Every array of a built network by name (``arcs.tail`` …): what a cache stores."""
    return named_arrays(network, NETWORK_ARRAYS)


def restore_network(
    arrays: Mapping[str, NDArray[Any]],
    *,
    crs: CRS,
    road_ids: Sequence[str],
    notes: Sequence[str],
) -> RoadNetwork:
    """The network `build_network` made, from its `network_arrays` (read-only, e.g. mmapped).

    The segments and their spatial index are made again from the node positions, exactly
    as `build_network` makes them; the arcs are taken as stored (already sorted).

    Raises
    ------
    KeyError
        An array is missing.
    """
    arc_sets = stored_arcs(arrays)
    fields = {name: _frozen(arrays[name]) for name in NETWORK_ARRAYS}
    segments = shapely.linestrings(fields["node_xy"][fields["edge_nodes"]])
    return RoadNetwork(
        crs=crs,
        road_ids=tuple(road_ids),
        notes=tuple(notes),
        segments=_frozen(segments),
        tree=shapely.STRtree(segments),
        arcs=arc_sets["arcs"],
        reverse_arcs=arc_sets["reverse_arcs"],
        **fields,
    )
