"""OGC API – Features at /ogc, read by the clients analysts use against a real server.

GDAL's OAPIF driver (the one QGIS uses, here through pyogrio) and OWSLib's
``ogcapi.features`` client read a ``reliefgis serve`` subprocess on a loopback port.
The reference is the pack's own ``layers.gpkg`` read directly with GDAL, the
assessment's JSON from /api/v1, and the axis order pyproj gives for each CRS.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pandas as pd
import pyogrio
import pytest
import shapely
from owslib.ogcapi.features import Features
from pyproj import CRS

from layers.resources import demo_pack_dir

ROOT = Path(__file__).resolve().parents[2]
VIEWER, ANALYST = "ogc-viewer-key-0001", "ogc-analyst-key-0002"
PACK_LAYERS = {"counties": "code", "shelters": "id", "depots": "id", "hazard_zones": "id",
               "roads": "id"}  # fmt: skip
#: The demo pack's optional context layers, offered too (names may repeat).
CONTEXT_LAYERS = {"water": "name", "places": "name"}
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
FOOTPRINT = {
    "type": "Polygon",
    "coordinates": [[[113.55, 37.85], [113.6, 37.85], [113.6, 37.9], [113.55, 37.9],
                     [113.55, 37.85]]],
}  # fmt: skip


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``reliefgis serve`` with a viewer and an analyst key, in its own process.

    Its own process: GDAL's reads hold the interpreter, so a server thread would stall.
    """
    port = _free_port()
    script = Path(sys.executable).with_name("reliefgis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    env = {
        **os.environ,
        "RELIEF_STATE_DIR": str(tmp_path_factory.mktemp("ogc-state")),
        "RELIEF_API_KEYS": f"v={VIEWER}:viewer,a={ANALYST}:analyst",
        "RELIEF_COMPUTE_PROCESSES": "0",
        "RELIEF_OGC_MAX_LIMIT": "1000",
    }
    log = tmp_path_factory.mktemp("ogc-log") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--data", str(demo_pack_dir())],
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v1/health", headers=_auth(VIEWER)).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def assessment(server: str) -> dict[str, Any]:
    """An assessment stored by the analyst, as /api/v1 answers it."""
    answer = httpx.post(
        f"{server}/api/v1/assessments",
        json={"footprint": FOOTPRINT, "hazard": "flood"},
        headers=_auth(ANALYST),
        timeout=180,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def gdal_key() -> Iterator[None]:
    """GDAL sends the viewer's key on every request (GDAL_HTTP_AUTH=BEARER).

    GDAL_HTTP_HEADERS does not reach the OAPIF driver (GDAL 3.12): the driver passes its
    own Accept header list, which takes the place of the configured one.
    """
    options = {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": VIEWER}
    pyogrio.set_gdal_config_options(options)
    yield
    pyogrio.set_gdal_config_options(dict.fromkeys(options))


def _pack_layer(name: str) -> gpd.GeoDataFrame:
    """The layer as the pack's file holds it, read directly (the reference)."""
    frame = pyogrio.read_dataframe(demo_pack_dir() / "layers.gpkg", layer=name)
    return frame.to_crs("EPSG:4326")


def _get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server}/ogc{path}", params=params, headers=_auth(VIEWER), timeout=60)


def test_gdal_lists_pack_layers_incidents_and_the_assessment(
    server: str, assessment: dict[str, Any], gdal_key: None
) -> None:
    names = {str(row[0]) for row in pyogrio.list_layers(f"OAPIF:{server}/ogc")}
    parts = {f"assessment-{assessment['id']}-{p}" for p in ("footprint", "shelters", "routes",
                                                           "counties")}  # fmt: skip
    # The demo pack has both optional context layers (water, places): they are offered too.
    assert names == {*PACK_LAYERS, *CONTEXT_LAYERS, "incidents", *parts}


@pytest.mark.parametrize("name", sorted({**PACK_LAYERS, **CONTEXT_LAYERS}))
def test_gdal_reads_each_pack_layer_as_the_file_holds_it(
    server: str, name: str, gdal_key: None
) -> None:
    served = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer=name)
    direct = _pack_layer(name)
    assert len(served) == len(direct)
    assert CRS(served.crs).equals(CRS("EPSG:4326"), ignore_axis_order=True)
    key = {**PACK_LAYERS, **CONTEXT_LAYERS}[name]

    def ordered(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:  # names may repeat: then by x
        frame = frame.assign(_x=frame.geometry.representative_point().x.round(9))
        return frame.sort_values([key, "_x"]).drop(columns="_x").reset_index(drop=True)

    served, direct = ordered(served), ordered(direct)
    for column in (c for c in direct.columns if c != "geometry"):
        left, right = served[column], direct[column]
        both_null = left.isna() & right.isna()
        if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
            same = (left.astype(float) - right.astype(float)).abs() < 1e-9
        else:
            same = left.astype(str) == right.astype(str)
        assert (same | both_null).all(), f"{name}.{column} differs"
    # The service densifies county borders at pack load (the points added lie on the
    # stored edges), so the shapes are compared, not the vertex lists.
    gap = shapely.hausdorff_distance(served.geometry.to_numpy(), direct.geometry.to_numpy())
    assert (gap < 1e-9).all(), gap


def test_gdal_sends_the_key_from_a_header_file(server: str, tmp_path: Path) -> None:
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Bearer {VIEWER}\n")
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": str(headers)})
    try:
        served = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="depots")
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": None})
    assert len(served) == len(_pack_layer("depots"))


def test_gdal_without_a_key_is_refused_and_the_guard_answers_401(server: str) -> None:
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="shelters")
    answer = httpx.get(f"{server}/ogc/collections")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def _owslib_pages(client: Features, collection_id: str, limit: int) -> tuple[list[Any], int]:
    """Every feature id, page by page through limit/offset, and numberMatched."""
    ids: list[Any] = []
    offset, matched = 0, -1
    while True:
        page = client.collection_items(collection_id, limit=limit, offset=offset)
        matched = page["numberMatched"]
        assert page["numberReturned"] == len(page["features"])
        ids.extend(f["id"] for f in page["features"])
        if not page["features"]:
            return ids, matched
        offset += limit


def test_owslib_pages_through_every_collection(server: str, assessment: dict[str, Any]) -> None:
    client = Features(f"{server}/ogc", headers=_auth(VIEWER))
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (client.conformance()["conformsTo"])
    )
    expected = {name: len(_pack_layer(name)) for name in {**PACK_LAYERS, **CONTEXT_LAYERS}}
    aid = assessment["id"]
    expected |= {
        f"assessment-{aid}-footprint": 1,
        f"assessment-{aid}-shelters": len(assessment["shelters"]),
        f"assessment-{aid}-routes": len(assessment["supply"]["routes"]["features"]),
        f"assessment-{aid}-counties": len(assessment["population"]["by_county"]),
        "incidents": 0,
    }
    listed = {c["id"] for c in client.collections()["collections"]}
    assert listed == set(expected)
    for collection_id, count in expected.items():
        ids, matched = _owslib_pages(client, collection_id, limit=7 if count < 100 else 500)
        assert matched == count == len(ids) == len(set(ids)), collection_id


def test_assessment_shelters_carry_status_and_assigned(
    server: str, assessment: dict[str, Any]
) -> None:
    answer = _get(server, f"/collections/assessment-{assessment['id']}-shelters/items",
                  limit=1000)  # fmt: skip
    served = {f["id"]: f for f in answer.json()["features"]}
    for shelter in assessment["shelters"]:
        props = served[shelter["id"]]["properties"]
        assert (props["status"], props["assigned"]) == (shelter["status"], shelter["assigned"])
        assert served[shelter["id"]]["geometry"]["coordinates"] == [shelter["lon"], shelter["lat"]]
    used = _get(server, f"/collections/assessment-{assessment['id']}-shelters/items",
                status="usable", limit=1000).json()  # fmt: skip
    assert used["numberMatched"] == sum(s["status"] == "usable" for s in assessment["shelters"])


@pytest.mark.parametrize("uri", [CRS84, EPSG4326, EPSG4490])
def test_items_answer_in_the_axis_order_the_crs_defines(server: str, uri: str) -> None:
    answer = _get(server, "/collections/shelters/items", limit=100, crs=uri)
    assert answer.headers["Content-Crs"] == f"<{uri}>"
    # pyproj says which axis the CRS puts first; the file's points are x=lon, y=lat.
    first = CRS(uri if uri == CRS84 else f"EPSG:{uri.rsplit('/', 1)[1]}").axis_info[0]
    lat_first = first.direction == "north"
    direct = _pack_layer("shelters").set_index("id")
    for feature in answer.json()["features"]:
        point = direct.geometry[feature["id"]]
        expected = [point.y, point.x] if lat_first else [point.x, point.y]
        assert feature["geometry"]["coordinates"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("uri", [CRS84, EPSG4326])
def test_bbox_in_either_axis_order_selects_what_shapely_selects(server: str, uri: str) -> None:
    lon0, lat0, lon1, lat1 = 113.55, 37.84, 113.6, 37.87
    corners = (lon0, lat0, lon1, lat1) if uri == CRS84 else (lat0, lon0, lat1, lon1)
    answer = _get(server, "/collections/shelters/items", limit=100,
                  bbox=",".join(map(str, corners)), **{"bbox-crs": uri})  # fmt: skip
    direct = _pack_layer("shelters")
    inside = direct[direct.intersects(shapely.box(lon0, lat0, lon1, lat1))]
    assert len(inside) > 0
    assert sorted(f["id"] for f in answer.json()["features"]) == sorted(inside["id"])


def test_property_filters_select_equal_values(server: str) -> None:
    direct = _pack_layer("shelters")
    kind = _get(server, "/collections/shelters/items", kind="emergency", limit=100).json()
    assert sorted(f["id"] for f in kind["features"]) == sorted(
        direct.loc[direct["kind"] == "emergency", "id"]
    )
    capacity = int(direct["capacity"].iloc[0])
    same = _get(server, "/collections/shelters/items", capacity=capacity, limit=100).json()
    assert same["numberMatched"] == int((direct["capacity"] == capacity).sum())


def test_paging_links_and_counts(server: str) -> None:
    page = _get(server, "/collections/roads/items", limit=1000, offset=1000).json()
    rels = {link["rel"]: link["href"] for link in page["links"]}
    assert (page["numberMatched"], page["numberReturned"]) == (len(_pack_layer("roads")), 1000)
    assert "offset=2000" in rels["next"]
    assert "offset=0" in rels["prev"]
    default = _get(server, "/collections/roads/items").json()
    assert default["numberReturned"] == 10


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"crs": "EPSG:3857"}, "crs"),
        ({"bbox-crs": "urn:x"}, "bbox-crs"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    server: str, params: dict[str, str], field: str
) -> None:
    answer = _get(server, "/collections/shelters/items", **params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field


def test_unknown_collection_and_feature_are_404(server: str) -> None:
    assert _get(server, "/collections/rivers").status_code == 404
    assert _get(server, "/collections/assessment-nope-shelters/items").status_code == 404
    assert _get(server, "/collections/shelters/items/S999").status_code == 404
    one = _get(server, "/collections/shelters/items/S01").json()
    assert one["properties"]["name"] == _pack_layer("shelters").set_index("id").at["S01", "name"]


def test_landing_page_conformance_and_openapi(server: str) -> None:
    rels = {link["rel"] for link in _get(server, "").json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    classes = _get(server, "/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    document = _get(server, "/api").json()
    assert document["openapi"].startswith("3.0")
    items = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    limit = next(p for p in items if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 1000
    shelters = _get(server, "/collections/shelters").json()
    assert {EPSG4326, EPSG4490, CRS84} <= set(shelters["crs"])
    assert shelters["storageCrs"] == CRS84


def test_html_pages_are_plain_and_offline(server: str) -> None:
    answer = _get(server, "/collections/shelters/items", f="html", limit=5)
    assert answer.headers["content-type"].startswith("text/html")
    name = _pack_layer("shelters").sort_values("id")["name"].iloc[0]
    assert name in answer.text
    assert "<script" not in answer.text
    assert "https://" not in answer.text
