"""POST/GET /api/v1/assessments and /site-check, on the tiny pack and on the demo pack."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from packs import lonlat_box
from pypdf import PdfReader
from shapely.geometry import shape
from shapely.ops import unary_union

from api.app import create_app
from api.settings import Settings
from layers.resources import demo_pack_dir


@pytest.fixture
def tiny_client(tiny_pack, tmp_path):
    settings = Settings(
        data_dir=tiny_pack, state_dir=tmp_path / "state", default_plan="yangquan-2026"
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def demo_client(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    return TestClient(create_app(settings))


def footprint(name: str) -> dict:
    return json.loads((demo_pack_dir() / "footprints" / f"{name}.geojson").read_text())


def test_affected_agrees_with_an_independent_answer_and_counties_sum(tiny_client):
    # 5 km × 5 km in the west county (10 persons per km²) and as much in the east (20):
    # 250 + 500 people, computed by hand.
    body = {
        "footprint": {
            "type": "Feature",
            "properties": {"class": "high"},
            "geometry": lonlat_box(5_000, 2_500, 15_000, 7_500),
        },
        "hazard": "landslide",
    }
    response = tiny_client.post("/api/v1/assessments", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    population = answer["population"]
    assert population["affected"] == pytest.approx(750, rel=0.005)
    rows = {row["code"]: row for row in population["by_county"]}
    assert rows["140302"]["affected"] == pytest.approx(250, rel=0.005)
    assert rows["140303"]["affected"] == pytest.approx(500, rel=0.005)
    assert sum(r["affected"] for r in rows.values()) == population["affected"]
    assert sum(r["displaced"] for r in rows.values()) == population["displaced"]
    assert population["estimate"] is True
    assert response.headers["location"] == f"/api/v1/assessments/{answer['id']}"


def test_shelters_in_the_footprint_get_no_one_and_capacity_holds(tiny_client):
    body = {
        "footprint": lonlat_box(5_000, 2_500, 15_000, 7_500),
        "hazard": "landslide",
        "figures": {"dead_missing": 25},
    }
    answer = tiny_client.post("/api/v1/assessments", json=body).json()
    shelters = {s["id"]: s for s in answer["shelters"]}
    assert shelters["S3"]["status"] == "in_footprint"
    assert shelters["S3"]["assigned"] == 0
    assert all(s["assigned"] <= s["capacity"] for s in shelters.values())
    placed = sum(s["assigned"] for s in shelters.values())
    assert placed + answer["placement"]["unplaced"] == answer["population"]["displaced"]
    verdict = answer["response"]
    assert (verdict["level"], verdict["label"]) == (2, "二级")
    dead = next(c for c in verdict["criteria"] if c["indicator"] == "dead_missing")
    assert (dead["source"], dead["clause"]) == ("reported", "阳泉2026 §5.2.1(1)")
    relocated = next(c for c in verdict["criteria"] if c["indicator"] == "relocated")
    assert relocated["source"] == "estimated"
    assert relocated["value"] == answer["population"]["displaced"]


def test_reported_relocated_overrides_the_estimate(tiny_client):
    body = {
        "footprint": lonlat_box(5_000, 2_500, 15_000, 7_500),
        "hazard": "landslide",
        "figures": {"relocated": 40_000},
    }
    verdict = tiny_client.post("/api/v1/assessments", json=body).json()["response"]
    relocated = next(c for c in verdict["criteria"] if c["indicator"] == "relocated")
    assert (relocated["value"], relocated["source"], relocated["level"]) == (40_000, "reported", 2)


def test_an_assessment_reads_back(tiny_client):
    body = {"footprint": lonlat_box(1_000, 1_000, 4_000, 4_000), "hazard": "flood"}
    created = tiny_client.post("/api/v1/assessments", json=body)
    again = tiny_client.get(created.headers["location"])
    assert again.status_code == 200
    assert again.json() == created.json()
    assert tiny_client.get("/api/v1/assessments/unknown").status_code == 404


@pytest.mark.parametrize(
    ("footprint_json", "status", "fragment"),
    [
        ({"type": "Point", "coordinates": [113.3, 37.9]}, 422, "footprint"),
        ({"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]}, 422, "outside"),
        (
            {"type": "Polygon", "coordinates": [[[500, 1], [2, 1], [2, 2], [500, 1]]]},
            422,
            "footprint",
        ),
        ({"type": "Banana"}, 422, "footprint"),
    ],
)
def test_bad_footprints_are_refused_with_a_sentence(tiny_client, footprint_json, status, fragment):
    response = tiny_client.post(
        "/api/v1/assessments", json={"footprint": footprint_json, "hazard": "flood"}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in response.json()["detail"]


def test_unknown_class_is_refused_naming_the_allowed_ones(tiny_client):
    feature = {
        "type": "Feature",
        "properties": {"class": "knee-deep"},
        "geometry": lonlat_box(1_000, 1_000, 4_000, 4_000),
    }
    response = tiny_client.post(
        "/api/v1/assessments", json={"footprint": feature, "hazard": "flood"}
    )
    assert response.status_code == 400
    assert "knee-deep" in response.json()["detail"]
    assert "0.7-1.5m" in response.json()["detail"]


def test_demo_flood_shows_every_shelter_status(demo_client):
    answer = demo_client.post(
        "/api/v1/assessments", json={"footprint": footprint("flood_taohe"), "hazard": "flood"}
    ).json()
    statuses = {s["status"] for s in answer["shelters"]}
    assert statuses == {"usable", "in_footprint", "hazard_conflict"}
    for shelter in answer["shelters"]:
        if shelter["status"] != "usable":
            assert shelter["assigned"] == 0
        if shelter["status"] == "hazard_conflict":
            assert shelter["conflicts"]
    rows = answer["population"]["by_county"]
    assert sum(r["affected"] for r in rows) == answer["population"]["affected"] > 0
    assert answer["response"]["level"] is not None


def test_demo_earthquake_uses_intensity_classes_and_reaches_level_2(demo_client):
    answer = demo_client.post(
        "/api/v1/assessments",
        json={"footprint": footprint("earthquake_pingding"), "hazard": "earthquake"},
    ).json()
    classes = {c["class"] for c in answer["population"]["by_class"]}
    assert {"VI", "VII", "VIII"} <= classes
    # 40,000 or more relocated (estimated from intensity ≥ VI) is 阳泉2026 level II.
    assert answer["population"]["displaced"] >= 40_000
    assert (answer["response"]["level"], answer["response"]["label"]) == (2, "二级")


def test_site_check_names_conflicts_with_distance(demo_client):
    zones = demo_client.get("/api/v1/layers/hazard_zones").json()["features"]
    fault = next(z for z in zones if z["properties"]["kind"] == "fault")
    inside = fault["geometry"]
    response = demo_client.post("/api/v1/site-check", json={"sites": inside})
    assert response.status_code == 200
    [site] = response.json()
    assert site["ok"] is False
    conflict = next(c for c in site["conflicts"] if c["kind"] == "fault")
    assert conflict["distance_m"] == 0
    assert "§6.2.3" in conflict["rule"]
    bad = demo_client.post("/api/v1/site-check", json={"sites": {"type": "Nope"}})
    assert bad.status_code == 422


def test_demo_landslide_keeps_shelters_out_of_its_setback(demo_client):
    answer = demo_client.post(
        "/api/v1/assessments",
        json={"footprint": footprint("landslide_yuxian"), "hazard": "landslide"},
    ).json()
    s27 = next(s for s in answer["shelters"] if s["id"] == "S27")
    assert s27["status"] == "hazard_conflict"
    assert s27["assigned"] == 0
    [conflict] = s27["conflicts"]
    assert (conflict["zone_id"], conflict["kind"]) == ("incident", "landslide")
    assert conflict["distance_m"] < conflict["setback_m"]
    # An unclassified landslide footprint is the danger area: everyone in it must leave.
    assert answer["population"]["displaced"] == answer["population"]["affected"] > 0


def test_demo_flood_supply_avoids_the_footprint_and_names_cut_off_shelters(demo_client):
    answer = demo_client.post(
        "/api/v1/assessments", json={"footprint": footprint("flood_taohe"), "hazard": "flood"}
    ).json()
    supply = answer["supply"]
    flooded = unary_union([shape(f["geometry"]) for f in answer["footprint"]["pieces"]["features"]])
    inner = flooded.buffer(-1e-5)  # about a metre inside: coordinates are rounded to 1e-6°
    assert supply["routes"]["features"]
    for feature in supply["routes"]["features"]:
        assert not shape(feature["geometry"]).intersects(inner)
        assert feature["properties"]["distance_m"] > 0
    assert set(supply["unreachable"]) == {"S01", "S04"}
    assert all(d["reason"] for d in supply["unreachable_detail"])
    shelters = {s["id"]: s for s in answer["shelters"]}
    for sid in supply["unreachable"]:
        assert shelters[sid]["status"] == "usable"
    # Displaced people go first to shelters that can be resupplied.
    assert all(shelters[sid]["assigned"] == 0 for sid in supply["unreachable"])
    stock = demo_client.get("/api/v1/layers/depot_stock").json()["features"]
    held = {
        (f["properties"]["depot_id"], f["properties"]["item"]): f["properties"]["quantity"]
        for f in stock
    }
    for depot in supply["depots"]:
        for item, quantity in depot["sent"].items():
            assert quantity <= held[(depot["id"], item)] + 1e-9
    assert supply["closed_roads"] > 0


@pytest.mark.parametrize(("paper", "width"), [("A3", 1190.55), ("A4", 841.89)])
def test_situation_map_pdf_of_a_stored_assessment(demo_client, paper, width):
    created = demo_client.post(
        "/api/v1/assessments",
        json={"footprint": footprint("landslide_yuxian"), "hazard": "landslide"},
    ).json()
    response = demo_client.get(
        f"/api/v1/assessments/{created['id']}/map.pdf", params={"paper": paper}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(width, abs=1)
    assert (
        demo_client.get(f"/api/v1/assessments/{created['id']}/map.pdf?paper=B5").status_code == 422
    )


def test_situation_map_at_a_standard_scale_in_the_gauss_kruger_zone(demo_client):
    created = demo_client.post(
        "/api/v1/assessments",
        json={"footprint": footprint("landslide_yuxian"), "hazard": "landslide"},
    ).json()
    url = f"/api/v1/assessments/{created['id']}/map.pdf"
    response = demo_client.get(url, params={"paper": "A4", "scale": "25000"})
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "比例尺 1:25 000" in text
    assert "EPSG:4547" in text  # 盂县 lies in the zone of CM 114°E
    refused = demo_client.get(url, params={"scale": "12345"})
    assert refused.status_code == 400
    assert "scale" in refused.json()["detail"]


def _drought(tiny_client, x0: float, x1: float, figures: dict) -> dict:
    body = {
        "footprint": lonlat_box(x0, 2_500, x1, 7_500),
        "hazard": "drought",
        "plan": "yangquan-2026",
        "figures": figures,
    }
    response = tiny_client.post("/api/v1/assessments", json=body)
    assert response.status_code == 201, response.text
    return response.json()["response"]


def test_drought_in_one_county_is_that_countys_share(tiny_client):
    # 阳泉 §5.2.1(4): 占该县（区）农业人口 25%以上 30%以下 → 二级; 100 of 西县's 400 is 25%.
    verdict = _drought(tiny_client, 1_000, 4_000, {"drought_aid_persons": 100})
    share = next(c for c in verdict["criteria"] if c["indicator"] == "drought_aid_share")
    assert (share["county"], share["value"], share["level"]) == ("140302", 0.25, 2)


def test_drought_over_two_counties_is_not_divided_by_one_of_them(tiny_client):
    verdict = _drought(tiny_client, 5_000, 15_000, {"drought_aid_persons": 100})
    persons = next(c for c in verdict["criteria"] if c["indicator"] == "drought_aid_persons")
    assert (persons["status"], persons["missing"]) == ("not_evaluated", ["figures.by_county"])
    assert not any(c["indicator"] == "drought_aid_share" for c in verdict["criteria"])
    by_county = {"by_county": {"140302": {"drought_aid_persons": 120}}}
    verdict = _drought(tiny_client, 5_000, 15_000, by_county)
    share = next(c for c in verdict["criteria"] if c["indicator"] == "drought_aid_share")
    assert (share["county"], share["value"], share["level"]) == ("140302", 0.3, 1)
