"""The HTTP API over a tiny pack: contract shapes and problem+json errors."""

from __future__ import annotations

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture
def client(tiny_pack):
    return TestClient(create_app(Settings(data_dir=tiny_pack, max_body_bytes=20_000)))


def test_health(client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert "yangquan-2026" in body["plans"]
    assert body["layers"]["counties"] == 2


def test_plans_list_and_detail(client):
    plans = client.get("/api/v1/plans").json()
    ids = [p["id"] for p in plans]
    assert "yangquan-2026" in ids
    entry = next(p for p in plans if p["id"] == "yangquan-2026")
    assert entry["name"] == "阳泉市自然灾害救助应急预案"
    assert entry["issued"] == "2026-05-08"
    detail = client.get("/api/v1/plans/yangquan-2026").json()
    relocated_2 = next(
        t for t in detail["thresholds"] if t["indicator"] == "relocated" and t["level"] == 2
    )
    assert relocated_2 == {
        "indicator": "relocated",
        "level": 2,
        "min": 40000.0,
        "max": 200000.0,
        "clause": "阳泉2026 §5.2.1(2)",
        "text": "紧急转移安置和需紧急生活救助 4 万人以上 20 万人以下",
        "hazards": [],
        "except_hazards": [],
    }
    assert detail["levels"][3]["decided_by"].startswith("市防减救灾办主要负责人")


def test_unknown_plan_is_404_problem(client):
    response = client.get("/api/v1/plans/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert "plan 'atlantis' is not known" in response.json()["detail"]


def test_response_level_dead_missing_25_is_level_2(client):
    response = client.post(
        "/api/v1/response-level", json={"plan": "yangquan-2026", "figures": {"dead_missing": 25}}
    )
    assert response.status_code == 200
    verdict = response.json()
    assert (verdict["level"], verdict["label"]) == (2, "二级")
    [criterion] = verdict["criteria"]
    assert criterion["indicator"] == "dead_missing"
    assert criterion["value"] == 25
    assert criterion["level"] == 2
    assert criterion["clause"] == "阳泉2026 §5.2.1(1)"
    assert criterion["source"] == "reported"
    assert criterion["next"] == {
        "level": 1,
        "label": "一级",
        "threshold": 50,
        "gap": 25,
        "clause": "阳泉2026 §5.1.1(1)",
    }
    assert verdict["decision"]["procedure_clause"] == "§5.2.2"


def test_no_threshold_met_gives_null_level(client):
    verdict = client.post(
        "/api/v1/response-level", json={"plan": "yangquan-2026", "figures": {"dead_missing": 2}}
    ).json()
    assert verdict["level"] is None
    assert verdict["label"] is None
    assert verdict["criteria"][0]["next"]["level"] == 4


def test_drought_persons_graded_as_share_of_county_agri_population(client):
    verdict = client.post(
        "/api/v1/response-level",
        json={"plan": "yangquan-2026", "county": "140302", "figures": {"drought_aid_persons": 100}},
    ).json()
    share = next(c for c in verdict["criteria"] if c["indicator"] == "drought_aid_share")
    assert share["value"] == 0.25  # 100 of the tiny county's 400 agricultural people
    assert share["source"] == "estimated"
    assert share["clause"] == "阳泉2026 §5.2.1(4)"
    assert verdict["level"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan": "yangquan-2026", "figures": {"dead_missing": -1}}, "figures.dead_missing"),
        ({"plan": "yangquan-2026", "figures": {"affected_share": 1.5}}, "figures.affected_share"),
        ({"plan": "yangquan-2026", "figures": {"deaths": 3}}, "figures.deaths"),
        ({"plan": "yangquan-2026", "hazard": "meteor"}, "hazard"),
        ({"figures": {}}, "plan"),
    ],
)
def test_bad_figures_are_422_naming_the_field(client, body, field):
    response = client.post("/api/v1/response-level", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in response.json()["errors"]]


def test_unknown_county_is_400(client):
    response = client.post(
        "/api/v1/response-level",
        json={"plan": "yangquan-2026", "county": "999999", "figures": {"dead_missing": 1}},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "county"


def test_broken_json_is_422(client):
    response = client.post(
        "/api/v1/response-level",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_oversized_body_is_413(client):
    response = client.post(
        "/api/v1/response-level",
        content=b"x" * 30_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_layers_list(client):
    layers = {info["name"]: info for info in client.get("/api/v1/layers").json()}
    assert set(layers) == {
        "counties",
        "shelters",
        "depots",
        "depot_stock",
        "hazard_zones",
        "roads",
        "population",
    }
    assert layers["counties"]["geometry_type"] == "Polygon"
    assert layers["counties"]["source_crs"] == "EPSG:32649"
    assert layers["population"]["kind"] == "raster"
    assert layers["population"]["total"] == 3000.0
    assert layers["depot_stock"]["kind"] == "table"


def test_layer_as_geojson_with_bbox(client):
    everything = client.get("/api/v1/layers/shelters")
    assert everything.headers["content-type"] == "application/geo+json"
    assert [f["properties"]["id"] for f in everything.json()["features"]] == ["S1", "S2", "S3"]
    west = client.get("/api/v1/layers/shelters", params={"bbox": "113.0,37.0,113.4,38.5"})
    assert [f["properties"]["id"] for f in west.json()["features"]] == ["S1", "S2"]
    stock = client.get("/api/v1/layers/depot_stock").json()
    assert stock["features"][0]["geometry"] is None
    assert stock["features"][0]["properties"]["item"] == "tent"


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,10,5,20", "0,0,200,10", "nan,0,1,1"])
def test_bad_bbox_is_400(client, bbox):
    response = client.get("/api/v1/layers/counties", params={"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["field"] == "bbox"


def test_unknown_layer_is_404(client):
    assert client.get("/api/v1/layers/rivers").status_code == 404
    assert client.get("/api/v1/layers/population").status_code == 400


def test_the_browser_app_is_served_offline(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "自然灾害救助" in page.text
    assert "vendor/leaflet/leaflet.js" in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text
    leaflet = client.get("/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200
    assert "Leaflet" in leaflet.text[:2000]


def test_openapi_describes_fields(client):
    spec = client.get("/openapi.json").json()
    for name in ("GradedFigures", "ReportFigures"):  # assessments and levels; reports
        figures = spec["components"]["schemas"][name]["properties"]
        assert "relocated" in figures
        assert all(prop.get("description") for prop in figures.values())
    assert "/api/v1/response-level" in spec["paths"]


def test_openapi_describes_every_field(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    undescribed = [
        f"{name}.{field}"
        for name, schema in schemas.items()
        if not name.startswith(("HTTPValidationError", "ValidationError"))
        for field, prop in schema.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undescribed == []


def test_every_list_of_hazards_agrees():
    from typing import get_args

    from api.schemas.common import HazardName
    from geo.plans.model import HAZARDS
    from web.labels import HAZARDS as HAZARD_NAMES

    assert set(get_args(HazardName)) == HAZARDS == set(HAZARD_NAMES)


def test_health_names_the_raster_cells_and_its_persons(client):
    body = client.get("/api/v1/health").json()
    assert "population" not in body["layers"]
    assert body["layers"]["population_cells"] > 0
    assert body["population_persons"] == 3000  # the tiny pack's raster sums to 3000 persons


def test_truncated_json_names_the_body_and_the_position(client):
    response = client.post(
        "/api/v1/response-level",
        content=b'{"plan": "yangquan-2026", "figures": {"dead',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body"
    assert error["message"].startswith("request body is not valid JSON at line 1 column 39")
    two_lines = client.post(
        "/api/v1/response-level",
        content=b'{"plan": "yangquan-2026",\n "figures": {"dead": }}',
        headers={"content-type": "application/json"},
    )
    assert "body: request body is not valid JSON at line 2 column 22" in two_lines.json()["detail"]


@pytest.mark.parametrize("value", ["12", True, "1e3"])
def test_figures_are_json_numbers_not_strings_or_booleans(client, value):
    response = client.post(
        "/api/v1/response-level",
        json={"plan": "yangquan-2026", "figures": {"dead_missing": value}},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "figures.dead_missing"


def test_a_whole_figure_written_with_a_fraction_is_a_count(client):
    # JSON Schema, the OpenAPI document's language, counts 12000.0 as an integer.
    assert jsonschema_rs.is_valid({"type": "integer"}, 12000.0)
    answers = [
        client.post(
            "/api/v1/response-level",
            json={"plan": "yangquan-2026", "figures": {"relocated": value}},
        )
        for value in (12000, 12000.0)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    fraction = client.post(
        "/api/v1/response-level",
        json={"plan": "yangquan-2026", "figures": {"relocated": 12000.5}},
    )
    assert fraction.status_code == 422
    assert fraction.json()["errors"][0]["field"] == "figures.relocated"


def test_a_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_missing_figure_is_not_evaluated_not_below(client):
    verdict = client.post(
        "/api/v1/response-level",
        json={"plan": "yangquan-2026", "figures": {"drought_aid_persons": 30000}},
    ).json()
    assert (verdict["level"], verdict["evaluated"]) == (None, False)
    (criterion,) = verdict["criteria"]
    assert (criterion["status"], criterion["missing"]) == ("not_evaluated", ["figures.by_county"])
    # 阳泉 §5.3.1(5): 市防减救灾委认为其他符合启动三级响应的情形。
    assert {
        "text": "市防减救灾委认为其他符合启动三级响应的情形。",
        "clause": "阳泉2026 §5.3.1(5)",
        "level": 3,
    } in verdict["judgement"]


def test_drought_by_county_in_the_request(client):
    # 阳泉 §5.1.1(4): 需政府救助人数占该县（区）农业人口 30%以上 → 一级; 120 of 400 is 30%.
    verdict = client.post(
        "/api/v1/response-level",
        json={
            "plan": "yangquan-2026",
            "figures": {"by_county": {"140302": {"drought_aid_persons": 120}}},
        },
    ).json()
    (criterion,) = verdict["criteria"]
    assert (criterion["county"], criterion["value"], criterion["level"]) == ("140302", 0.3, 1)
    assert verdict["level"] == 1


def test_drought_above_the_county_farm_population_is_refused(client):
    response = client.post(
        "/api/v1/response-level",
        json={
            "plan": "yangquan-2026",
            "figures": {"by_county": {"140302": {"drought_aid_persons": 401}}},
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "figures.by_county.140302.drought_aid_persons"


def test_collapsed_rooms_still_accepted_next_to_the_quake_count(client):
    # 乐清 §6.2.1(2): 房屋倒塌和严重损房1500间以上、2000间以下 → Ⅱ级 (earthquake).
    verdict = client.post(
        "/api/v1/response-level",
        json={
            "plan": "yueqing-2016",
            "hazard": "earthquake",
            "figures": {"collapsed_rooms": 900, "collapsed_or_severe_rooms": 1600},
        },
    ).json()
    assert verdict["level"] == 2
    by_name = {c["indicator"]: c for c in verdict["criteria"]}
    assert by_name["collapsed_or_severe_rooms"]["clause"] == "乐清2016 §6.2.1(2)"
    assert by_name["collapsed_rooms"]["status"] == "not_graded"


def test_an_unknown_county_in_by_county_is_named(client):
    response = client.post(
        "/api/v1/response-level",
        json={
            "plan": "yangquan-2026",
            "figures": {"by_county": {"999999": {"drought_aid_persons": 1}}},
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "figures.by_county.999999"
