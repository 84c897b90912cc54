"""The assessment's answer goes out as the bytes encoded where it was computed.

``POST /api/v1/assessments`` sends the bytes the compute task encoded, without decoding
or encoding them again in the server: they must be what the stdlib writes for the same
answer (compact UTF-8 JSON, Chinese unescaped) and what FastAPI's own path (the model
validated, then ``model_dump_json``) would have sent.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas.assessment import AssessmentOut, QuakeAssessmentOut
from api.settings import Settings
from layers.resources import demo_pack_dir


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    with TestClient(create_app(settings)) as client:
        yield client


def _flood() -> dict:
    path = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
    return {"footprint": json.loads(path.read_text(encoding="utf-8")), "hazard": "flood"}


@pytest.mark.parametrize(
    ("request_body", "model"),
    [
        ({"earthquake": {"magnitude": 6.0, "lon": 113.41, "lat": 38.09}}, QuakeAssessmentOut),
        (_flood(), AssessmentOut),
    ],
    ids=["quake", "flood"],
)
def test_answer_bytes_are_the_stdlib_and_the_models_json(client, request_body, model):
    response = client.post("/api/v1/assessments", json=request_body)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    sent = response.content
    answer = json.loads(sent)
    assert "救助" in sent.decode("utf-8")  # Chinese written as itself, not \u escapes
    stdlib = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert sent == stdlib
    validated = model.model_validate(answer).model_dump_json(by_alias=True).encode("utf-8")
    assert sent == validated
    assert int(response.headers["content-length"]) == len(sent)
