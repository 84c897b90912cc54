"""GET /api/v1/assessments/{id}/export.gpkg: a valid GeoPackage, read back with pyogrio."""

from __future__ import annotations

import json
import sqlite3

import pyogrio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.export import FIELD_DESCRIPTIONS, write_assessment_gpkg
from layers.resources import demo_pack_dir
from web import labels

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG", GeoPackage 1.2+


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    return load_services(settings)


@pytest.fixture(scope="module")
def client(services):
    return TestClient(create_app(services=services))


@pytest.fixture(scope="module")
def flood(client):
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    response = client.post("/api/v1/assessments", json={"footprint": footprint, "hazard": "flood"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def gpkg(client, flood, tmp_path_factory):
    response = client.get(f"/api/v1/assessments/{flood['id']}/export.gpkg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="reliefgis-{flood["id"]}.gpkg"'
    )
    path = tmp_path_factory.mktemp("export") / "export.gpkg"
    path.write_bytes(response.content)
    return path


def test_it_is_a_geopackage_with_the_layers(gpkg):
    assert gpkg.read_bytes()[:16] == b"SQLite format 3\x00"
    with sqlite3.connect(gpkg) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == GPKG_APPLICATION_ID
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        contents = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers == {
        "footprint": "MultiPolygon",
        "shelters": "Point",
        "routes": "LineString",
        "counties": "MultiPolygon",
        "depots": "Point",
        "assessment": None,
        "readme": None,
    }
    assert contents["shelters"].startswith("避难场所")
    for name in ("footprint", "shelters", "routes", "counties", "depots"):
        assert pyogrio.read_info(gpkg, layer=name)["crs"] == "EPSG:4326"


def test_shelters_carry_status_assigned_capacity_and_conflicts(gpkg, flood):
    shelters = pyogrio.read_dataframe(gpkg, layer="shelters")
    assert len(shelters) == len(flood["shelters"])
    by_id = shelters.set_index("shelter_id")
    for s in flood["shelters"]:
        row = by_id.loc[s["id"]]
        assert row["status"] == s["status"]
        assert row["status_zh"] == labels.SHELTER_STATUS[s["status"]]
        assert row["assigned"] == s["assigned"] <= row["capacity"] == s["capacity"]
        assert row["conflict_count"] == len(s["conflicts"])
        for conflict in s["conflicts"]:
            assert conflict["zone_id"] in row["conflicts"]
    assert by_id.geometry.x.loc[flood["shelters"][0]["id"]] == pytest.approx(
        flood["shelters"][0]["lon"]
    )


def test_counties_and_footprint_match_the_assessment(gpkg, flood):
    counties = pyogrio.read_dataframe(gpkg, layer="counties")
    assert len(counties) == 5
    assert counties["affected"].sum() == flood["population"]["affected"]
    assert counties["displaced"].sum() == flood["population"]["displaced"]
    footprint = pyogrio.read_dataframe(gpkg, layer="footprint")
    pieces = flood["footprint"]["pieces"]["features"]
    assert footprint["hazard_class"].tolist() == [p["properties"]["class"] for p in pieces]
    assert footprint["severity_rank"].tolist() == list(range(1, len(pieces) + 1))


def test_routes_have_one_readable_column_per_item(gpkg, flood):
    routes = pyogrio.read_dataframe(gpkg, layer="routes")
    supply = flood["supply"]
    features = supply["routes"]["features"] if supply else []
    assert len(routes) == len(features)
    items = {item for f in features for item in f["properties"]["items"]}
    assert {c for c in routes.columns if c.startswith("item_")} == {f"item_{i}" for i in items}
    for row, feature in zip(routes.itertuples(), features, strict=True):
        assert row.depot_id == feature["properties"]["depot_id"]
        for item, quantity in feature["properties"]["items"].items():
            assert getattr(row, f"item_{item}") == pytest.approx(quantity)


def test_readme_describes_every_field_in_chinese(gpkg):
    readme = pyogrio.read_dataframe(gpkg, layer="readme")
    for layer, _ in pyogrio.list_layers(gpkg):
        fields = pyogrio.read_info(gpkg, layer=layer)["fields"]
        described = readme[readme["layer"] == layer]
        assert set(fields) <= set(described["field"]), layer
        assert described["description"].str.len().gt(0).all(), layer
    summary = pyogrio.read_dataframe(gpkg, layer="assessment")
    assert list(summary.columns) == list(FIELD_DESCRIPTIONS["assessment"])


def test_without_supply_the_routes_layer_is_empty(services, flood, tmp_path):
    body = {**flood, "supply": None}
    path = write_assessment_gpkg(
        body, counties=services.pack.counties, path=tmp_path / "a.gpkg", depots=None
    )
    assert pyogrio.read_info(path, layer="routes")["features"] == 0
    shelters = pyogrio.read_dataframe(path, layer="shelters")
    assert shelters["unreachable"].isna().all()
    assert "depots" not in dict(pyogrio.list_layers(path))


def test_unknown_assessment_is_a_404_problem(client):
    response = client.get("/api/v1/assessments/0123456789abcdef/export.gpkg")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
