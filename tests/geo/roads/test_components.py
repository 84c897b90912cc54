"""Connected parts of the road network and the shelters and depots cut off (networkx reference)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
from roadnets import UTM, X0, Y0, roads, speeds
from shapely.geometry import Point

from geo.roads.components import connectivity
from geo.roads.network import build_network


def points(ids: list[str], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ids}, geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=UTM
    ).to_crs("EPSG:4326")


def reference_parts(layer: gpd.GeoDataFrame) -> int:
    """Parts counted by networkx over the lines' vertices, one node per coordinate."""
    graph = nx.Graph()
    for line in layer.geometry:
        coords = [tuple(round(c, 3) for c in xy) for xy in line.coords]
        graph.add_edges_from(itertools.pairwise(coords))
    return nx.number_connected_components(graph)


def test_two_parts_and_who_is_cut_off():
    # a main road with a branch, and an island road 5 km away that touches neither
    layer = roads(
        [(0, 0), (1000, 0), (2000, 0)],
        [(1000, 0), (1000, 1000)],
        [(5000, 5000), (6000, 5000)],
    )
    network = build_network(layer, speeds=speeds(), metric_crs=UTM)
    shelters = points(["S1", "S2", "S3"], [(1500, 50), (5500, 5050), (9000, 9000)])
    depots = points(["D1", "D2"], [(0, 20), (20_000, 0)])
    found = connectivity(network, shelters=shelters, depots=depots, snap_max_m=500)
    assert found.components == reference_parts(layer) == 2
    assert found.sizes == (4, 2)
    assert found.largest_share == 4 / 6
    # S2 is on the island no depot joins, S3 near no road; D2 near no road
    assert found.isolated_shelters == ("S2", "S3")
    assert found.isolated_depots == ("D2",)


def test_a_whole_network_cuts_nothing_off():
    layer = roads([(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)])
    network = build_network(layer, speeds=speeds(), metric_crs=UTM)
    found = connectivity(
        network,
        shelters=points(["S1"], [(1000, 900)]),
        depots=points(["D1"], [(0, 0)]),
        snap_max_m=100,
    )
    assert (found.components, found.isolated_shelters, found.isolated_depots) == (1, (), ())
    assert found.largest_share == 1.0
