"""The road graph: shared-vertex junctions, speeds, oneway, and the speeds profile."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from roadnets import UTM, X0, Y0, roads, speeds
from shapely.geometry import LineString, MultiLineString, Point

from geo.errors import InputError, ProfileError
from geo.roads.network import build_network
from geo.roads.speeds import parse_maxspeed, parse_oneway, parse_speeds
from layers.profiles import read_speeds


def test_interior_vertex_is_a_junction() -> None:
    net = build_network(
        roads([(0, 0), (1000, 0), (2000, 0)], [(1000, 0), (1000, 1000)]),
        speeds=speeds(),
        metric_crs=UTM,
    )
    assert (net.n_nodes, net.n_edges) == (4, 3)
    assert net.edge_length_m.tolist() == [1000.0, 1000.0, 1000.0]
    assert net.edge_time_s.tolist() == [100.0, 100.0, 100.0]
    assert net.edge_road.tolist() == [0, 0, 1]


def test_crossing_without_shared_vertex_adds_no_node() -> None:
    net = build_network(
        roads([(0, 0), (2000, 0)], [(1000, -1000), (1000, 1000)]), speeds=speeds(), metric_crs=UTM
    )
    assert (net.n_nodes, net.n_edges) == (4, 2)


def test_lonlat_vertices_match_after_float_noise() -> None:
    lonlat = roads([(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]).to_crs("EPSG:4326")
    second = list(lonlat.geometry.iloc[1].coords)
    second[0] = (second[0][0] + 3e-11, second[0][1] - 3e-11)  # reprojection noise
    lonlat = lonlat.set_geometry([lonlat.geometry.iloc[0], LineString(second)], crs="EPSG:4326")
    assert lonlat.geometry.iloc[1].coords[0] != lonlat.geometry.iloc[0].coords[-1]
    net = build_network(lonlat, speeds=speeds(), metric_crs=UTM)
    assert net.n_nodes == 3
    assert net.edge_length_m.sum() == pytest.approx(2000.0, abs=1e-3)


def test_multilinestring_parts_do_not_join() -> None:
    frame = gpd.GeoDataFrame(
        {"highway": ["residential"]},
        geometry=[
            MultiLineString(
                [[(X0, Y0), (X0 + 100, Y0)], [(X0 + 500, Y0), (X0 + 600, Y0)]],
            )
        ],
        crs=UTM,
    )
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    assert (net.n_nodes, net.n_edges) == (4, 2)


def test_maxspeed_overrides_and_unread_values_are_noted() -> None:
    frame = roads(
        [(0, 0), (1000, 0)],
        [(0, 100), (1000, 100)],
        [(0, 200), (1000, 200)],
        [(0, 300), (1000, 300)],
        highway=["residential", "primary", "primary", "track"],
        maxspeed=["60 km/h", "signals", None, 90.0],
    )
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    assert net.edge_speed_kmh.tolist() == [60.0, 72.0, 72.0, 90.0]
    assert net.edge_time_s.tolist() == pytest.approx([60.0, 50.0, 50.0, 40.0])
    assert any("['signals']" in note for note in net.notes)
    assert any("['track']" in note and "18 km/h" in note for note in net.notes)


@pytest.mark.parametrize(
    ("oneway", "forward", "backward"),
    [
        (True, True, False),
        (False, True, True),
        (None, True, True),
        ("yes", True, False),
        ("-1", False, True),
        ("reverse", False, True),
        ("no", True, True),
    ],
)
def test_oneway_directions(oneway: object, forward: bool, backward: bool) -> None:
    frame = roads([(0, 0), (1000, 0), (1000, 1000)], oneway=[oneway])
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    assert net.edge_forward.tolist() == [forward, forward]
    assert net.edge_backward.tolist() == [backward, backward]


def test_network_arrays_are_read_only() -> None:
    net = build_network(roads([(0, 0), (1000, 0)]), speeds=speeds(), metric_crs=UTM)
    with pytest.raises(ValueError, match="read-only"):
        net.edge_time_s[0] = 1.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60, 60.0),
        (60.5, 60.5),
        ("60", 60.0),
        (" 60 km/h", 60.0),
        ("50kmh", 50.0),
        ("30 mph", pytest.approx(48.28032)),
        ("none", None),
        ("CN:urban", None),
        ("60;40", None),
        (0, None),
        (float("nan"), None),
        (None, None),
        (True, None),
    ],
)
def test_parse_maxspeed(value: object, expected: object) -> None:
    assert parse_maxspeed(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, 1), ("1", 1), (-1, -1), ("FALSE", 0), (float("nan"), 0), ("reversible", None)],
)
def test_parse_oneway(value: object, expected: object) -> None:
    assert parse_oneway(value) == expected


def test_refusals() -> None:
    with pytest.raises(InputError, match="missing columns \\['highway'\\]"):
        build_network(
            roads([(0, 0), (1, 0)]).drop(columns="highway"), speeds=speeds(), metric_crs=UTM
        )
    points = gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[Point(X0, Y0)], crs=UTM)
    with pytest.raises(InputError, match="found \\['Point'\\]"):
        build_network(points, speeds=speeds(), metric_crs=UTM)
    with pytest.raises(InputError, match="not a projected CRS in metres"):
        build_network(roads([(0, 0), (1, 0)]), speeds=speeds(), metric_crs="EPSG:4326")
    with pytest.raises(InputError, match="no segment of positive length"):
        build_network(roads([(0, 0), (0, 0)]), speeds=speeds(), metric_crs=UTM)
    with pytest.raises(InputError, match="no CRS"):
        build_network(
            roads([(0, 0), (1, 0)]).set_crs(None, allow_override=True),
            speeds=speeds(),
            metric_crs=UTM,
        )


def test_embedded_speeds_profile_gives_every_class_a_source() -> None:
    profile = read_speeds()
    assert profile.km_h("motorway") == 80.0
    assert profile.km_h("secondary") == 30.0
    assert profile.km_h("no-such-class") == profile.default_km_h == 20.0
    assert all(entry.source for entry in profile.classes.values())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"highway": {"primary": {"km_h": 60, "source": "x"}}}, "default: missing"),
        ({"default": {"km_h": 0, "source": "x"}, "highway": {}}, "default.km_h"),
        (
            {"default": {"km_h": 20, "source": "x"}, "highway": {"primary": {"km_h": 60}}},
            "highway.primary.source",
        ),
        (
            {
                "default": {"km_h": 20, "source": "x"},
                "highway": {"primary": {"km_h": "fast", "source": "x"}},
            },
            "highway.primary.km_h",
        ),
        (
            {
                "default": {"km_h": 20, "source": "x"},
                "highway": {"primary": {"km_h": 6, "source": "x", "kmh": 1}},
            },
            "unknown keys \\['kmh'\\]",
        ),
    ],
)
def test_speeds_profile_refusals(data: dict, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_speeds(data, source="test")


def test_unknown_metric_crs_is_refused() -> None:
    with pytest.raises(InputError, match="is not a CRS"):
        build_network(roads([(0, 0), (1, 0)]), speeds=speeds(), metric_crs="EPSG:0")
    assert np.isfinite(
        build_network(roads([(0, 0), (1, 0)]), speeds=speeds(), metric_crs=UTM).edge_time_s
    ).all()
