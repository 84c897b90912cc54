"""API keys and roles (CONTRACT §4 Security), CORS, and keys that never leak."""

from __future__ import annotations

import hmac
import logging

import pytest
import shapely
from fastapi.testclient import TestClient
from packs import TINY_CRS, X0, Y0, lonlat_box
from pyproj import Transformer
from shapely.geometry import box, mapping
from sqlalchemy import select

from api.app import create_app
from api.security import identify, parse_api_keys
from api.settings import Settings
from geo.errors import InputError
from layers.store.tables import assessments

VIEWER, ANALYST, ADMIN = "v1ewer-secret-0001", "analyst-secret-0002", "adm1n-secret-0003"
KEYS = f"{VIEWER}:viewer,ops={ANALYST}:analyst,chief={ADMIN}:admin"
PROBLEM = "application/problem+json"
#: Inside the tiny pack: an incident outside the jurisdiction is refused.
FOOTPRINT = lonlat_box(1_000, 1_000, 4_000, 4_000)
INCIDENT = {"footprint": FOOTPRINT, "hazard": "flood", "plan": "yangquan-2026"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def settings(tiny_pack, tmp_path, **env: str) -> Settings:
    base = Settings.from_env({"RELIEF_API_KEYS": KEYS, **env})
    return Settings(
        data_dir=tiny_pack,
        state_dir=tmp_path / "state",
        api_keys=base.api_keys,
        cors_origins=base.cors_origins,
        max_body_bytes=50_000,
    )


@pytest.fixture
def client(tiny_pack, tmp_path):
    return TestClient(create_app(settings(tiny_pack, tmp_path)))


# ---------------------------------------------------------------- parsing keys
def test_keys_parse_with_names_and_roles():
    keys = parse_api_keys(KEYS)
    assert [(k.name, k.role) for k in keys] == [
        ("key1", "viewer"),
        ("ops", "analyst"),
        ("chief", "admin"),
    ]
    assert identify(keys, ANALYST).principal == "ops:analyst"
    assert identify(keys, "guess") is None


def test_a_key_with_base64_padding_is_a_key_not_a_name():
    [plain] = parse_api_keys("c2VjcmV0a2V5==:viewer")
    [named] = parse_api_keys("desk=c2VjcmV0a2V5==:viewer")
    assert plain.name == "key1"
    assert identify((plain,), "c2VjcmV0a2V5==") is plain
    assert identify((named,), "c2VjcmV0a2V5==").name == "desk"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("s3cret-value:superuser", "entry 1: expected KEY:ROLE or NAME=KEY:ROLE"),
        ("s3cret-value", "entry 1: expected KEY:ROLE"),
        ("a:viewer,:analyst", "entry 2: the key is empty"),
        ("s3cret-value:viewer,s3cret-value:admin", "entry 2: the same key as key1"),
        ("x=aaaa:viewer,x=bbbb:admin", "entry 2: the name 'x' is used twice"),
    ],
)
def test_bad_key_lists_are_refused_without_quoting_the_key(text, message):
    with pytest.raises(InputError, match=message) as refused:
        parse_api_keys(text)
    assert "s3cret-value" not in str(refused.value)


def test_every_key_is_compared_even_after_a_match(monkeypatch):
    keys = parse_api_keys(KEYS)
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert identify(keys, VIEWER).role == "viewer"
    assert len(calls) == 3


def test_settings_never_show_keys():
    shown = repr(Settings.from_env({"RELIEF_API_KEYS": KEYS}))
    assert all(key not in shown for key in (VIEWER, ANALYST, ADMIN))


# ---------------------------------------------------------------- 401, 403 and who may do what
@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong-key"), {"Authorization": VIEWER}, {"Authorization": f"Basic {VIEWER}"}],
)
def test_without_a_valid_key_every_api_call_is_401(client, headers):
    for method, path in [("GET", "/api/v1/health"), ("POST", "/api/v1/incidents")]:
        response = client.request(method, path, headers=headers, json=INCIDENT)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="reliefgis"')
        assert VIEWER not in response.text


def test_the_browser_app_and_the_api_description_stay_open(client):
    assert client.get("/").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["security"] == [{"apiKey": []}]
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_a_viewer_reads_but_creates_nothing(client):
    viewer = bearer(VIEWER)
    assert client.get("/api/v1/health", headers=viewer).status_code == 200
    assert (
        client.get("/api/v1/incidents", headers={"authorization": f"bearer {VIEWER}"}).status_code
        == 200
    )
    level = client.post(
        "/api/v1/response-level", headers=viewer, json={"plan": "yangquan-2026", "figures": {}}
    )
    assert level.status_code == 200  # computes, stores nothing
    incident = client.post("/api/v1/incidents", headers=bearer(ANALYST), json=INCIDENT).json()
    refused = [
        ("/api/v1/incidents", INCIDENT),
        (f"/api/v1/incidents/{incident['id']}/reports", {"kind": "初报"}),
        ("/api/v1/assessments", {"footprint": FOOTPRINT, "hazard": "flood"}),
        ("/api/v1/site-check", {"sites": {"type": "Point", "coordinates": [113.5, 37.8]}}),
    ]
    for path, body in refused:
        response = client.post(path, headers=viewer, json=body)
        assert response.status_code == 403, path
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"] == f"key1 has role viewer; POST {path} needs analyst"
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=viewer).json()["reports"] == []


@pytest.mark.parametrize(("key", "who"), [(ANALYST, "ops:analyst"), (ADMIN, "chief:admin")])
def test_analysts_and_admins_create_and_are_recorded(client, key, who):
    headers = bearer(key)
    incident = client.post("/api/v1/incidents", headers=headers, json=INCIDENT)
    assert incident.status_code == 201
    assert incident.json()["requested_by"] == who
    path = f"/api/v1/incidents/{incident.json()['id']}/reports"
    answer = client.post(
        path, headers=headers, json={"kind": "初报", "figures": {"dead_missing": 3}}
    )
    assert answer.status_code == 201
    assert answer.json()["report"]["requested_by"] == who
    assert answer.json()["verdict"]["requested_by"] == who


def test_an_assessment_records_who_asked(client):
    to_lonlat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform
    area = box(X0 + 1000, Y0 + 1000, X0 + 4000, Y0 + 4000)
    footprint = mapping(shapely.transform(area, to_lonlat, interleaved=False))
    response = client.post(
        "/api/v1/assessments",
        headers=bearer(ANALYST),
        json={"footprint": footprint, "hazard": "flood"},
    )
    assert response.status_code == 201, response.text
    store = client.app.state.services.store
    with store.engine.connect() as connection:
        who = connection.execute(
            select(assessments.c.requested_by).where(assessments.c.id == response.json()["id"])
        ).scalar()
    assert who == "ops:analyst"


def test_an_oversized_body_is_413_after_the_key_check(client):
    big = {**INCIDENT, "title": "x" * 60_000}
    assert client.post("/api/v1/incidents", json=big).status_code == 401
    response = client.post("/api/v1/incidents", headers=bearer(ANALYST), json=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_keys_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    for key in (VIEWER, ANALYST, ADMIN, "wrong-key-0004"):
        client.get("/api/v1/incidents", headers=bearer(key))
        client.post("/api/v1/incidents", headers=bearer(key), json=INCIDENT)
    client.post("/api/v1/incidents", headers=bearer(ANALYST), json={"hazard": "nope"})
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for key in (VIEWER, ANALYST, ADMIN, "wrong-key-0004"):
        assert key not in text


# ---------------------------------------------------------------- CORS
def test_cors_is_closed_unless_configured(client):
    response = client.get(
        "/api/v1/health", headers={**bearer(VIEWER), "Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_configured_origins_may_call_with_a_key(tiny_pack, tmp_path):
    app = create_app(settings(tiny_pack, tmp_path, RELIEF_CORS_ORIGINS="https://ops.example"))
    client = TestClient(app)
    preflight = client.options(
        "/api/v1/incidents",
        headers={
            "Origin": "https://ops.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://ops.example"
    other = client.get(
        "/api/v1/health", headers={**bearer(VIEWER), "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_without_keys_the_api_is_open_and_records_nobody(tiny_pack, tmp_path):
    client = TestClient(create_app(Settings(data_dir=tiny_pack, state_dir=tmp_path / "s")))
    response = client.post("/api/v1/incidents", json=INCIDENT)
    assert response.status_code == 201
    assert response.json()["requested_by"] is None
    assert "security" not in client.get("/openapi.json").json()
