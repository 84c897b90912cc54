"""POST /api/v1/footprint-check: a footprint read as an assessment reads it, nothing stored."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from layers.resources import demo_pack_dir

FLOOD = demo_pack_dir() / "footprints" / "flood_taohe.geojson"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    return TestClient(create_app(settings))


def test_the_demo_flood_is_read_with_its_classes(client):
    geojson = json.loads(FLOOD.read_text(encoding="utf-8"))
    response = client.post(
        "/api/v1/footprint-check", json={"footprint": geojson, "hazard": "flood"}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    features = geojson["features"]
    assert answer["features"] == len(features)
    given = [f["properties"].get("class") for f in features]
    assert sum(answer["classes"].values()) == len(features)
    for cls in {c for c in given if c}:
        assert answer["classes"][cls] == given.count(cls)
    assert answer["classes_defaulted"] == given.count(None)


@pytest.mark.parametrize(
    ("footprint", "hazard", "field", "words"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 39.95], [116.3, 39.9]]],
            },
            "flood",
            "footprint",
            "outside",
        ),
        (
            {
                "type": "Feature",
                "properties": {"class": "IX"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[113.56, 37.85], [113.6, 37.85], [113.6, 37.87], [113.56, 37.85]]
                    ],
                },
            },
            "flood",
            "class",
            "not a flood class",
        ),
        ({"type": "Point", "coordinates": [113.58, 37.86]}, "flood", "footprint", "area"),
        ({"type": "FeatureCollection", "features": []}, "flood", "footprint", ""),
    ],
)
def test_a_footprint_an_assessment_would_refuse_is_refused_alike(
    client, footprint, hazard, field, words
):
    check = client.post("/api/v1/footprint-check", json={"footprint": footprint, "hazard": hazard})
    assess = client.post("/api/v1/assessments", json={"footprint": footprint, "hazard": hazard})
    assert check.status_code == assess.status_code
    assert check.status_code in (400, 422)
    assert check.headers["content-type"].startswith("application/problem+json")
    assert check.json()["detail"] == assess.json()["detail"]
    assert words in check.json()["detail"]
