"""Layers by map view (``?bbox=…&zoom=…``) against geopandas reading the pack's file itself.

The reference is the demo pack's ``layers.gpkg`` read by geopandas (pyogrio/GDAL) and
selected with ``.cx`` (intersection with the box); the service's answer must hold the same
features, each simplified by no more than a pixel at the zoom, and refuse with a 413 naming
``bbox`` when a view holds more features than one answer may.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from api.service.bootstrap import load_services
from api.service.viewport import ViewLayers
from api.settings import Settings
from geo.errors import TooLarge
from layers.pack import read_pack
from layers.resources import demo_pack_dir

GPKG = demo_pack_dir() / "layers.gpkg"
LAYERS = ["counties", "shelters", "depots", "hazard_zones", "roads"]
#: Road classes a view shows from zoom 8 (the display table says so; quoted, not imported).
ROADS_AT_ZOOM_8 = {"motorway", "trunk", "primary"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    state = str(tmp_path_factory.mktemp("state"))
    settings = Settings.from_env({"RELIEF_DATA": str(demo_pack_dir()), "RELIEF_STATE_DIR": state})
    return TestClient(create_app(services=load_services(settings)))


@pytest.fixture(scope="module")
def reference():
    return {name: gpd.read_file(GPKG, layer=name).to_crs(4326) for name in LAYERS}


def boxes(frame: gpd.GeoDataFrame, count: int, seed: int) -> list[tuple[float, ...]]:
    """Random boxes over the layer's extent, from a tenth to half of its width."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = frame.total_bounds
    out = []
    for _ in range(count):
        w, h = rng.uniform(0.1, 0.5) * (maxx - minx), rng.uniform(0.1, 0.5) * (maxy - miny)
        x, y = rng.uniform(minx, maxx - w), rng.uniform(miny, maxy - h)
        out.append((round(x, 5), round(y, 5), round(x + w, 5), round(y + h, 5)))
    return out


def view(client, name, box, zoom):
    response = client.get(
        f"/api/v1/layers/{name}", params={"bbox": ",".join(map(str, box)), "zoom": zoom}
    )
    assert response.status_code == 200, response.text
    return response.json()["features"]


@pytest.mark.parametrize("name", LAYERS)
def test_counts_per_bbox_equal_geopandas_cx(client, reference, name):
    frame = reference[name]
    for box in boxes(frame, 6, seed=len(name)):
        want = frame.cx[box[0] : box[2], box[1] : box[3]]
        got = view(client, name, box, 13)
        assert len(got) == len(want), (name, box)
        assert len({f["id"] for f in got}) == len(got)  # a feature's row: one id each
        key = "code" if name == "counties" else "id" if "id" in frame else None
        if key:
            assert sorted(f["properties"][key] for f in got) == sorted(want[key]), box


def test_roads_at_a_low_zoom_are_the_major_classes_only(client, reference):
    roads = reference["roads"]
    box = tuple(roads.total_bounds)
    got = view(client, "roads", box, 8)
    assert {f["properties"]["highway"] for f in got} <= ROADS_AT_ZOOM_8
    assert len(got) == roads["highway"].isin(ROADS_AT_ZOOM_8).sum()
    assert len(view(client, "roads", box, 14)) == len(roads)


def test_shelters_at_a_low_zoom_leave_out_the_local_kinds(client, reference):
    # The display table: emergency shelters from zoom 9, short-term from 8 (quoted).
    shelters = reference["shelters"]
    box = tuple(shelters.total_bounds)
    for zoom, hidden in [(7, {"emergency", "short_term"}), (8, {"emergency"}), (9, set())]:
        got = view(client, "shelters", box, zoom)
        assert len(got) == (~shelters["kind"].isin(hidden)).sum(), zoom
        assert not {f["properties"]["kind"] for f in got} & hidden


@pytest.mark.parametrize(("name", "zoom"), [("counties", 8), ("counties", 11), ("roads", 12)])
def test_simplified_shapes_stay_within_a_pixel(client, reference, name, zoom):
    frame = reference[name]
    got = view(client, name, tuple(frame.total_bounds), zoom)
    assert len(got) == len(frame)
    pixel = 360 / (256 * 2**zoom)  # a pixel's width in degrees of longitude
    sent = [shapely.geometry.shape(f["geometry"]) for f in got]
    if name == "counties":
        by_code = dict(zip(frame["code"], frame.geometry, strict=True))
        originals = [by_code[f["properties"]["code"]] for f in got]
    else:  # roads have no id: the answer keeps the file's order
        originals = list(frame.geometry)
    assert sum(shapely.get_num_coordinates(sent)) < sum(shapely.get_num_coordinates(originals))
    for shape, original in zip(sent, originals, strict=True):
        assert shapely.hausdorff_distance(shape, original) <= pixel


def test_the_answer_is_smaller_than_the_whole_layer(client):
    whole = client.get("/api/v1/layers/roads").content
    params = {"bbox": "113.5,37.8,113.7,37.95", "zoom": 11}
    first_view = client.get("/api/v1/layers/roads", params=params).content
    assert len(first_view) < len(whole) / 3


def test_a_view_over_the_cap_is_refused_naming_bbox():
    views = ViewLayers(read_pack(demo_pack_dir()), max_features=100)
    with pytest.raises(TooLarge, match=r"bbox: \d+ features of roads .* more than the 100"):
        views.geojson("roads", zoom=14, box=shapely.box(112, 37, 115, 39))
    assert views.geojson("depots", zoom=14, box=shapely.box(112, 37, 115, 39))


def test_view_refusals_are_problems(client):
    cases = [
        ({"bbox": "113,37,114,38", "zoom": 23}, 422, "zoom"),
        ({"bbox": "113,37,114,38", "zoom": -1}, 422, "zoom"),
        ({"bbox": "113,38,114,37", "zoom": 10}, 400, "bbox"),
    ]
    for params, status, field in cases:
        response = client.get("/api/v1/layers/roads", params=params)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.json()["detail"]
    table = client.get("/api/v1/layers/depot_stock", params={"zoom": 10})
    assert table.status_code == 400
    assert "zoom" in table.json()["detail"]


def test_tile_route_answers_png_and_refuses_bad_addresses(client):
    lon, lat = 113.58, 37.86
    z = 12
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    ok = client.get(f"/api/v1/tiles/population/{z}/{x}/{y}.png")
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "image/png"
    assert ok.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/api/v1/tiles/population/19/0/0.png").status_code == 422
    assert client.get("/api/v1/tiles/population/3/8/0.png").status_code == 404
    assert client.get("/api/v1/tiles/population/3/0/0.png").status_code == 404
    assert client.get("/api/v1/tiles/population/3/a/0.png").status_code == 422


def test_a_view_sends_only_the_properties_asked_for(client, reference):
    box = ",".join(map(str, reference["shelters"].total_bounds))
    params = {"bbox": box, "zoom": 12, "properties": "id,kind"}
    got = client.get("/api/v1/layers/shelters", params=params).json()["features"]
    assert len(got) == len(reference["shelters"])
    assert all(set(f["properties"]) == {"id", "kind"} for f in got)
    assert sorted(f["properties"]["id"] for f in got) == sorted(reference["shelters"]["id"])
    bad = client.get("/api/v1/layers/shelters", params={**params, "properties": "id,colour"})
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("properties: colour not in the layer")


def test_a_view_is_sent_gzipped_to_clients_that_accept_it(client):
    params = {"bbox": "113.5,37.8,113.7,37.95", "zoom": 12}
    zipped = client.get("/api/v1/layers/roads", params=params)  # httpx asks for gzip
    assert zipped.headers["content-encoding"] == "gzip"
    plain = client.get("/api/v1/layers/roads", params=params, headers={"Accept-Encoding": ""})
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json()
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3


def test_no_properties_asked_gives_every_feature_with_empty_properties(client, reference):
    # properties= (empty) was a 500: pandas writes no records for a table of no columns.
    got = client.get("/api/v1/layers/counties", params={"zoom": 13, "properties": ""})
    assert got.status_code == 200, got.text
    features = got.json()["features"]
    assert len(features) == len(reference["counties"])
    assert all(f["properties"] == {} for f in features)
