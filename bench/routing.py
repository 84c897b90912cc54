"""Benchmark the depot × shelter travel-time matrix against networkx on the same graph.

Run on demand: ``python -m bench.routing``. Writes
``bench/results/routing.md``. networkx is a benchmark-only dependency
(``pip install networkx``); without it that column is skipped.

The network is a jittered grid of about 200,000 edges (100 m blocks, EPSG:32649, handed
over in lon/lat as a layer pack gives it): one LineString per street running the whole
grid, so every junction is an interior shared vertex; every tenth street is primary,
every fifth secondary, the rest residential; every seventh street is oneway. A disc of
3 km radius in the middle is the footprint; its edges are closed.

- ours: `geo.roads.travel.travel_matrix` for 20 depots × 500 shelters (snap, CSR of the open
  graph, one multi-source Dijkstra); and the same plus `distances_m` (route lengths);
- networkx: `single_source_dijkstra` from each depot over a DiGraph of the same open
  arcs, with the same attachment arcs (ours) for depots and shelters; and
  `single_source_dijkstra_path_length` (times only, no paths).

Both must give the same times. Times are the median of several runs after one warm-up.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point

from bench.common import Headline, machine, median_s, write_headlines
from geo.roads.network import RoadNetwork
from geo.roads.snapping import Snapped, snap
from geo.roads.travel import TravelMatrix, build_network, closures, travel_matrix
from layers.profiles import read_speeds

try:
    import networkx as nx
except ImportError:  # benchmark-only dependency
    nx = None

RESULTS = Path(__file__).resolve().parent / "results" / "routing.md"
METRIC = "EPSG:32649"
X0, Y0 = 700_000.0, 4_150_000.0
SIDE = 317  # 317 × 317 vertices: 2 × 317 × 316 = 200,344 edges
BLOCK = 100.0
JITTER = 20.0
FOOTPRINT_RADIUS = 3_000.0
DEPOTS, SHELTERS = 20, 500
SNAP_M = 500.0
OURS_REPEATS, NX_REPEATS = 7, 3
TARGET_S, TARGET_SPEEDUP = 0.5, 20


def grid_roads(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """One LineString per street across the whole grid, in lon/lat."""
    x = X0 + BLOCK * np.arange(SIDE)[None, :] + rng.uniform(-JITTER, JITTER, (SIDE, SIDE))
    y = Y0 + BLOCK * np.arange(SIDE)[:, None] + rng.uniform(-JITTER, JITTER, (SIDE, SIDE))
    lines, highway, oneway = [], [], []
    for k in range(SIDE):
        for coords in (np.c_[x[k], y[k]], np.c_[x[:, k], y[:, k]]):  # a row, then a column
            lines.append(LineString(coords))
            highway.append(
                "primary" if k % 10 == 0 else "secondary" if k % 5 == 0 else "residential"
            )
            oneway.append(k % 7 == 3)
    frame = gpd.GeoDataFrame({"highway": highway, "oneway": oneway}, geometry=lines, crs=METRIC)
    return frame.to_crs("EPSG:4326")


def points(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random lon/lat points over the grid, off the roads."""
    span = BLOCK * (SIDE - 1)
    xy = np.c_[X0 + rng.uniform(0, span, n), Y0 + rng.uniform(0, span, n)]
    lonlat = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC).to_crs("EPSG:4326")
    return np.c_[lonlat.x, lonlat.y]


def networkx_graph(net: RoadNetwork, closed: np.ndarray, depots: Snapped, shelters: Snapped):
    """The open arcs plus one node per depot (out-arcs) and per shelter (in-arcs)."""
    graph = nx.DiGraph()
    arcs = net.arcs
    for t, h, w, e in zip(arcs.tail, arcs.head, arcs.time_s, arcs.edge, strict=True):
        if not closed[e] and (not graph.has_edge(t, h) or graph[t][h]["weight"] > w):
            graph.add_edge(int(t), int(h), weight=float(w))
    for k, (node, cost, _) in enumerate(zip(*depots.slots(net, leaving=True), strict=True)):
        for n, c in zip(node, cost, strict=True):
            if np.isfinite(c):
                graph.add_edge(("depot", k), int(n), weight=float(c))
    for k, (node, cost, _) in enumerate(zip(*shelters.slots(net, leaving=False), strict=True)):
        for n, c in zip(node, cost, strict=True):
            if np.isfinite(c):
                graph.add_edge(int(n), ("shelter", k), weight=float(c))
    return graph


def networkx_times(graph, n_depots: int, n_shelters: int, *, paths: bool) -> np.ndarray:
    times = np.full((n_depots, n_shelters), np.inf)
    for k in range(n_depots):
        if ("depot", k) not in graph:
            continue
        if paths:
            found, _ = nx.single_source_dijkstra(graph, ("depot", k), weight="weight")
        else:
            found = nx.single_source_dijkstra_path_length(graph, ("depot", k), weight="weight")
        for j in range(n_shelters):
            times[k, j] = found.get(("shelter", j), np.inf)
    return times


def machine_lines() -> list[str]:
    return machine(["numpy", "scipy", "shapely", "geopandas", "pyproj", "networkx"])


def main() -> None:
    rng = np.random.default_rng(20261125)
    roads = grid_roads(rng)
    start = time.perf_counter()
    net = build_network(roads, speeds=read_speeds(), metric_crs=METRIC)
    build_s = time.perf_counter() - start
    centre = Point(X0 + BLOCK * SIDE / 2, Y0 + BLOCK * SIDE / 2).buffer(FOOTPRINT_RADIUS)
    footprint = gpd.GeoSeries([centre], crs=METRIC).to_crs("EPSG:4326")
    start = time.perf_counter()
    closed = closures(net, footprint=footprint)
    close_s = time.perf_counter() - start
    depots, shelters = points(rng, DEPOTS), points(rng, SHELTERS)
    print(f"network: {net.n_nodes:,} nodes, {net.n_edges:,} edges, {closed.count:,} closed")

    def ours() -> TravelMatrix:
        return travel_matrix(
            net, origins=depots, destinations=shelters, snap_max_m=SNAP_M, closed=closed
        )

    result = ours()
    ours_s = median_s(ours, OURS_REPEATS)
    with_lengths_s = median_s(lambda: ours().distances_m, OURS_REPEATS)
    print(f"ours: {ours_s * 1000:.1f} ms; with route lengths {with_lengths_s * 1000:.1f} ms")
    reachable = int(np.isfinite(result.durations_s).sum())
    rows = [("ours: travel_matrix (times)", ours_s), ("ours: + distances_m", with_lengths_s)]
    check = "networkx not installed: no cross-check"
    if nx is None:
        print("networkx is not installed (pip install networkx): its column is skipped")
    else:
        mask = closed.mask
        d_snap = snap(net, _metric(depots), closed=mask, snap_max_m=SNAP_M)
        s_snap = snap(net, _metric(shelters), closed=mask, snap_max_m=SNAP_M)
        start = time.perf_counter()
        graph = networkx_graph(net, mask, d_snap, s_snap)
        graph_s = time.perf_counter() - start
        theirs = networkx_times(graph, DEPOTS, SHELTERS, paths=True)
        same = np.array_equal(np.isinf(theirs), np.isinf(result.durations_s))
        finite = np.isfinite(theirs)
        worst = float(np.abs(theirs[finite] - result.durations_s[finite]).max(initial=0.0))
        check = f"same reachability: {same}; largest time difference {worst:.2e} s"
        print(check)
        nx_s = median_s(lambda: networkx_times(graph, DEPOTS, SHELTERS, paths=True), NX_REPEATS)
        nx_len_s = median_s(
            lambda: networkx_times(graph, DEPOTS, SHELTERS, paths=False), NX_REPEATS
        )
        print(f"networkx: {nx_s:.2f} s with paths, {nx_len_s:.2f} s times only")
        rows += [
            ("networkx: single_source_dijkstra × 20 (times + paths)", nx_s),
            ("networkx: single_source_dijkstra_path_length × 20 (times)", nx_len_s),
        ]
        check += (
            f"; networkx graph built in {graph_s:.1f} s (not timed below); "
            f"speed-up {nx_s / ours_s:.0f}× (paths) and {nx_len_s / ours_s:.0f}× (times only)"
        )
    write(net, closed.count, reachable, build_s, close_s, rows, check)
    headlines = [
        Headline(
            "travel matrix 20 depots × 500 shelters, 200k edges",
            f"{ours_s * 1000:.0f} ms",
            "under 0.5 s",
            ours_s < TARGET_S,
        )
    ]
    if nx is not None:
        speedup = nx_len_s / ours_s
        headlines.append(
            Headline(
                "same matrix vs networkx Dijkstra from each depot",
                f"{speedup:.0f}× faster (times only); {nx_s / ours_s:.0f}× (with paths)",
                f"at least {TARGET_SPEEDUP}×",
                speedup >= TARGET_SPEEDUP,
            )
        )
    write_headlines("routing", headlines)


def _metric(lonlat: np.ndarray) -> np.ndarray:
    series = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs="EPSG:4326")
    metric = series.to_crs(METRIC)
    return np.c_[metric.x, metric.y]


def write(net, n_closed, reachable, build_s, close_s, rows, check) -> None:
    lines = [
        "# Routing benchmark: 20 depots × 500 shelters",
        "",
        "Produced by `bench/routing.py`. Network: jittered grid of 100 m blocks (EPSG:32649, "
        "read from lon/lat), one LineString per street so every junction is an interior "
        "shared vertex; primary / secondary / residential speeds from `data/speeds.toml`; "
        "every seventh street oneway. Footprint: a 3 km disc in the middle; its edges closed. "
        f"Snap distance {SNAP_M:g} m.",
        "",
        *machine_lines(),
        "",
        f"- network: {net.n_nodes:,} nodes, {net.n_edges:,} edges; {n_closed:,} edges closed; "
        f"{reachable:,} of {DEPOTS * SHELTERS:,} pairs reachable",
        f"- build_network (once per pack): {build_s:.2f} s; closures: {close_s * 1000:.0f} ms",
        f"- cross-check: {check}",
        "",
        "| method | median time | repeats |",
        "|---|---:|---:|",
    ]
    for name, seconds in rows:
        repeats = OURS_REPEATS if name.startswith("ours") else NX_REPEATS
        lines.append(f"| {name} | {seconds * 1000:,.1f} ms | {repeats} |")
    lines += [
        "",
        "Targets: under 0.5 s for the 20 × 500 matrix, at least 20× faster than networkx. "
        "Ours = snap both point sets onto the open edges (STRtree + projection), build the "
        "CSR of the open graph with one virtual node per depot, one "
        "`scipy.sparse.csgraph.dijkstra(indices=depots, return_predecessors=True)`, read "
        "each shelter's best edge end. `distances_m` adds the length of every fastest route "
        "along the predecessor tree.",
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
