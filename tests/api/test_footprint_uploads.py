"""POST /api/v1/footprints and assessments of uploaded footprints and hazard rasters.

Done means (issue 14): the same area as a zipped Shapefile in EPSG:4547, as a KML, and as
a depth GeoTIFF gives the same affected totals as the GeoJSON in lon/lat (within 1e-6).
The area is a block of depth cells 0.005° square in lon/lat; the lon/lat GeoJSON is
drawn here from the cells' corners with shapely, and the other files are written from it
with GDAL (pyogrio, rasterio), the Shapefile in the Gauss-Krüger zone of 114°E.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient
from flood_files import BANDS, DEPTHS, lonlat_features, write_files, write_tif

from api.app import create_app
from api.service.exposing import expose
from api.settings import Settings
from geo.errors import UploadError, UploadTooLarge
from layers.footprint_files import UploadLimits, read_footprint_file


@pytest.fixture
def client(tiny_pack, tmp_path):
    settings = Settings(
        data_dir=tiny_pack, state_dir=tmp_path / "state", default_plan="yangquan-2026"
    )
    return TestClient(create_app(settings))


def upload(client, path: Path, **form):
    with path.open("rb") as handle:
        return client.post("/api/v1/footprints", files={"file": (path.name, handle)}, data=form)


def test_shapefile_kml_and_depth_raster_give_the_lonlat_totals(client, tmp_path):
    files = write_files(tmp_path)
    lonlat = json.loads(lonlat_features().to_json())
    bodies = {"geojson": {"footprint": lonlat, "hazard": "flood"}}
    for kind in ("shp", "kml"):
        answer = upload(client, files[kind], hazard="flood")
        assert answer.status_code == 200, answer.text
        assert sorted(f["properties"]["class"] for f in answer.json()["features"]) == sorted(BANDS)
        bodies[kind] = {"footprint": answer.json(), "hazard": "flood"}
    kept = upload(client, files["tif"], hazard="flood")
    assert kept.status_code == 201, kept.text
    assert kept.json()["cells_by_class"] == {">1.5m": 7, "0.7-1.5m": 10, "0.1-0.7m": 14}
    bodies["tif"] = {"hazard_raster": kept.json()["hazard_raster"], "hazard": "flood"}
    answers = {}
    for kind, body in bodies.items():
        response = client.post("/api/v1/assessments", json=body)
        assert response.status_code == 201, (kind, response.text)
        answers[kind] = response.json()["population"]
    reference = answers["geojson"]
    assert reference["affected"] > 0
    assert len(reference["by_county"]) == 2
    for kind in ("shp", "kml", "tif"):
        for key in ("affected", "displaced", "by_class", "by_county"):
            assert answers[kind][key] == reference[key], (kind, key)
    # the exact (unrounded) figures, through the same use case the routes call
    services = client.app.state.services
    plan = services.plans.get("yangquan-2026")
    exact = {
        "geojson": expose(services, lonlat, hazard="flood", plan=plan),
        "shp": expose(services, bodies["shp"]["footprint"], hazard="flood", plan=plan),
        "kml": expose(services, bodies["kml"]["footprint"], hazard="flood", plan=plan),
        "tif": expose(services, None, hazard="flood", plan=plan, hazard_raster=files["tif"]),
    }
    want = {c.name: c.affected_exact for c in exact["geojson"].exposure.by_class}
    for kind, exposed in exact.items():
        got = {c.name: c.affected_exact for c in exposed.exposure.by_class}
        assert got == pytest.approx(want, rel=1e-6), kind


def test_a_footprint_in_a_named_crs_is_the_lonlat_one(client):
    lonlat = json.loads(lonlat_features().to_json())
    projected = json.loads(lonlat_features().to_crs("EPSG:4547").to_json())
    del projected["crs"]  # geopandas may write one; the request's field names it here
    a = client.post("/api/v1/assessments", json={"footprint": lonlat, "hazard": "flood"})
    b = client.post(
        "/api/v1/assessments", json={"footprint": projected, "crs": "EPSG:4547", "hazard": "flood"}
    )
    member = {
        **projected,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
    }
    c = client.post("/api/v1/assessments", json={"footprint": member, "hazard": "flood"})
    assert a.status_code == b.status_code == c.status_code == 201, (b.text, c.text)
    assert a.json()["population"] == {**b.json()["population"]} == c.json()["population"]


def test_depth_values_select_the_class(client):
    frame = lonlat_features()
    frame["depth_m"] = [3.0, 1.2, 0.4]
    named = json.loads(frame.to_json())
    valued = json.loads(frame.drop(columns="class").to_json())
    a = client.post("/api/v1/assessments", json={"footprint": named, "hazard": "flood"})
    b = client.post("/api/v1/assessments", json={"footprint": valued, "hazard": "flood"})
    assert a.status_code == b.status_code == 201, b.text
    assert a.json()["population"]["by_class"] == b.json()["population"]["by_class"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"crs": "EPSG:999999"}, "crs", "is not a CRS pyproj can read"),
        ({"depth_m": 0.05}, "footprint", "0.1-0.7m (0.1 < v <= 0.7 m)"),
        ({"hazard_raster": "0" * 32}, "hazard_raster", "no uploaded raster has id"),
    ],
)
def test_bad_values_are_refused_naming_the_field(client, body, field, fragment):
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(
        lonlat_features().geometry.iloc[0])}  # fmt: skip
    request = {"footprint": feature, "hazard": "flood"}
    if "depth_m" in body:
        feature["properties"]["depth_m"] = body["depth_m"]
    elif "crs" in body:
        request["crs"] = body["crs"]
    else:
        request = {"hazard_raster": body["hazard_raster"], "hazard": "flood"}
    response = client.post("/api/v1/assessments", json=request)
    assert 400 <= response.status_code < 500
    problem = response.json()
    assert problem["field"] == field
    assert fragment in problem["detail"]


def test_bad_rasters_are_refused_naming_the_file(client, tmp_path):
    no_crs = upload(client, write_tif(tmp_path / "nocrs.tif", DEPTHS, None), hazard="flood")
    assert no_crs.status_code == 422
    assert "nocrs.tif: the raster has no CRS" in no_crs.json()["detail"]
    cm = upload(client, write_tif(tmp_path / "cm.tif", DEPTHS * 100, "EPSG:4326"), hazard="flood")
    assert cm.status_code == 422
    assert (
        "cm.tif: largest value 200 is above the plausible flood maximum 50 m" in cm.json()["detail"]
    )
    # nothing refused is kept
    assert not list((tmp_path / "state" / "uploads").glob("*"))


def test_upload_limits_name_the_limit(tiny_pack, tmp_path):
    small = TestClient(
        create_app(
            Settings(
                data_dir=tiny_pack,
                state_dir=tmp_path / "state",
                default_plan="yangquan-2026",
                max_body_bytes=2_000,
            )
        )
    )
    frame = lonlat_features()
    big = io.BytesIO(frame.to_json().encode() * 2)
    response = small.post("/api/v1/footprints", files={"file": ("big.geojson", big)})
    assert response.status_code == 413
    assert "2000 bytes" in response.json()["detail"]


def test_feature_and_vertex_limits(tmp_path):
    frame = lonlat_features()
    frame.to_file(tmp_path / "f.gpkg", layer="flood", engine="pyogrio")
    frame.to_file(tmp_path / "f.gpkg", layer="other", engine="pyogrio")
    with pytest.raises(UploadError, match="holds layers flood, other; name one with layer"):
        read_footprint_file(tmp_path / "f.gpkg", name="f.gpkg")
    read = read_footprint_file(tmp_path / "f.gpkg", name="f.gpkg", layer="flood")
    assert [f["properties"]["class"] for f in read["features"]] == list(BANDS)
    with pytest.raises(UploadTooLarge, match="3 features is over the limit of 2 features"):
        read_footprint_file(
            tmp_path / "f.gpkg", name="f.gpkg", layer="flood", limits=UploadLimits(max_features=2)
        )
    with pytest.raises(UploadTooLarge, match="vertices is over the limit of 10 vertices"):
        read_footprint_file(
            tmp_path / "f.gpkg", name="f.gpkg", layer="flood", limits=UploadLimits(max_vertices=10)
        )


def test_too_many_features_is_refused_naming_the_limit(client, tmp_path):
    squares = [
        shapely.box(113.3 + i * 1e-4, 37.8, 113.3 + i * 1e-4 + 5e-5, 37.80005)
        for i in range(10_001)
    ]
    frame = gpd.GeoDataFrame({"class": ["high"] * len(squares)}, geometry=squares, crs="EPSG:4326")
    frame.to_file(tmp_path / "many.geojson", engine="pyogrio")
    response = upload(client, tmp_path / "many.geojson")
    assert response.status_code == 413
    assert "10001 features is over the limit of 10000 features" in response.json()["detail"]


def test_an_intensity_raster_and_a_class_field(client, tmp_path):
    intensity = np.where(DEPTHS > 0, 5 + 2 * DEPTHS, -9999).astype(np.float32)
    kept = upload(
        client, write_tif(tmp_path / "mmi.tif", intensity, "EPSG:4326"), hazard="earthquake"
    )
    assert kept.status_code == 201, kept.text
    # 5 + 2·depth: 0.05 → 5.1 (V), 0.3 → 5.6 (VI), 1.0 → 7 (VII), 2.0 → 9 (IX)
    assert kept.json()["cells_by_class"] == {"IX": 7, "VII": 10, "VI": 14, "V": 8}
    frame = lonlat_features().rename(columns={"class": "烈度"})
    frame["烈度"] = ["IX", "VII", "VI"]
    frame.to_file(tmp_path / "quake.gpkg", layer="quake", engine="pyogrio")
    answer = upload(client, tmp_path / "quake.gpkg", class_field="烈度", hazard="earthquake")
    assert answer.status_code == 200, answer.text
    assert [f["properties"]["class"] for f in answer.json()["features"]] == ["IX", "VII", "VI"]
