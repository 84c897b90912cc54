"""Hostile and absurd input against a real server: every case a 4xx naming what is wrong.

Each case asserts the status, the problem's ``field`` (and ``limit`` for a 413), a phrase of
the message, and a wall-time ceiling: a generous bound that a refusal made before the
work starts keeps, and the unbounded work it replaces (minutes, gigabytes) does not.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import httpx
import pytest
from shapely.geometry import box, mapping

#: The most one hostile request may take, answered (a ceiling, not a benchmark).
CEILING_S = 30.0
PROBLEM = "application/problem+json"


def star(n: int, *, lon: float = 113.55, lat: float = 37.9) -> dict[str, Any]:
    """A closed star of ``n`` points in Yangquan; every seventh point flipped through the centre."""
    points = []
    for k in range(n):
        angle = 2 * math.pi * k / n + (math.pi if k % 7 == 0 else 0.0)
        radius = 0.1 if k % 2 == 0 else 0.04
        points.append([lon + radius * math.cos(angle), lat + radius * math.sin(angle)])
    return {"type": "Polygon", "coordinates": [[*points, points[0]]]}


def nested(depth: int) -> dict[str, Any]:
    geometry: dict[str, Any] = mapping(box(113.5, 37.85, 113.55, 37.9))
    for _ in range(depth):
        geometry = {"type": "GeometryCollection", "geometries": [geometry]}
    return geometry


ANTIMERIDIAN = {
    "type": "Polygon",
    "coordinates": [[[179, 37.5], [-179, 37.5], [-179, 38.5], [179, 38.5], [179, 37.5]]],
}
WORLD = mapping(box(-180, -90, 180, 90))
ZERO_AREA = {
    "type": "Polygon",
    "coordinates": [[[113.5, 37.8], [113.55, 37.85], [113.6, 37.9], [113.5, 37.8]]],
}
PARIS = mapping(box(2.25, 48.81, 2.42, 48.90))
UNCLOSED = {
    "type": "Polygon",
    "coordinates": [[[113.5, 37.85], [113.55, 37.85], [113.55, 37.9], [113.5, 37.9]]],
}
MANY = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {}, "geometry": mapping(box(113.5, 37.85, 113.51, 37.86))}
    ]
    * 5000,
}


def body(endpoint: str, footprint: dict[str, Any]) -> dict[str, Any]:
    """A request to ``endpoint`` whose only fault is ``footprint``."""
    if endpoint == "/api/v1/assessments":
        return {"footprint": footprint, "hazard": "flood"}
    if endpoint == "/api/v1/incidents":
        return {"footprint": footprint, "hazard": "flood", "plan": "yangquan-2026"}
    return {"sources": ["depot:D01"], "destinations": ["depot:D02"], "footprint": footprint}


GEOMETRY_ENDPOINTS = ["/api/v1/assessments", "/api/v1/incidents", "/api/v1/travel"]
#: (case, footprint, status, limit or None, phrase of the message)
FOOTPRINT_CASES = [
    ("star-10k", star(10_000), 413, "max_vertices_per_feature", "10001 is over the limit"),
    ("star-1000", star(1000), 413, "max_repair_vertices", "invalid (Self-intersection"),
    (
        "star-100k",
        star(100_000),
        413,
        "max_vertices_per_feature",
        "100001 is over the limit max_vertices_per_feature = 4000",
    ),
    ("nested-400", nested(400), 422, None, "max_nesting = 20"),
    ("antimeridian", ANTIMERIDIAN, 422, None, "crosses the antimeridian"),
    ("whole-world", WORLD, 422, None, "max_area_ratio = 10"),
    ("zero-area", ZERO_AREA, 422, None, "encloses no area"),
    ("paris", PARIS, 422, None, "outside"),
    ("unclosed", UNCLOSED, 422, None, "is not closed"),
    ("5000-features", MANY, 413, "max_features", "5000 is over the limit max_features = 1000"),
]


def post(server, path: str, payload: Any = None, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(
        f"{server.url}{path}",
        json=payload,
        headers={**server.headers(), **kwargs.pop("headers", {})},
        timeout=120,
        **kwargs,
    )
    return response, time.monotonic() - started


@pytest.mark.parametrize("endpoint", GEOMETRY_ENDPOINTS)
@pytest.mark.parametrize(
    ("footprint", "status", "limit", "phrase"),
    [pytest.param(*case[1:], id=case[0]) for case in FOOTPRINT_CASES],
)
def test_absurd_footprints_are_refused_naming_the_fault(
    hostile_server, endpoint, footprint, status, limit, phrase
):
    response, seconds = post(hostile_server, endpoint, body(endpoint, footprint))
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["field"] == "footprint"
    assert phrase in problem["detail"]
    assert problem.get("limit") == limit
    assert seconds < CEILING_S


def deep_text(depth: int, endpoint: str) -> str:
    """``endpoint``'s body, its footprint nested ``depth`` levels: written as text.

    Python's own JSON encoder and parser both recurse, so neither can make or read it.
    """
    inner = '{"type": "GeometryCollection", "geometries": ['
    footprint = inner * depth + json.dumps(mapping(box(113.5, 37.85, 113.55, 37.9))) + "]}" * depth
    return json.dumps(body(endpoint, {})).replace("{}", footprint, 1)


@pytest.mark.parametrize("endpoint", GEOMETRY_ENDPOINTS)
@pytest.mark.parametrize("depth", [400, 5000, 100_000])
def test_json_deeper_than_the_parser_takes_gets_the_same_422(hostile_server, endpoint, depth):
    started = time.monotonic()
    response = httpx.post(
        f"{hostile_server.url}{endpoint}",
        content=deep_text(depth, endpoint).encode(),
        headers={**hostile_server.headers(), "Content-Type": "application/json"},
        timeout=120,
    )
    seconds = time.monotonic() - started
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["field"] == "footprint"
    assert problem["detail"] == "footprint: nested more than 20 levels deep (max_nesting = 20)"
    assert seconds < CEILING_S


@pytest.mark.parametrize(("lon", "lat"), [(30.0, 89.9), (179.9, 37.9)])
def test_an_earthquake_field_over_a_pole_or_the_antimeridian_is_refused(hostile_server, lon, lat):
    quake = {"magnitude": 8.0, "lon": lon, "lat": lat}
    response, seconds = post(hostile_server, "/api/v1/earthquakes/intensity", quake)
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "epicentre"
    assert "pole or across the antimeridian" in response.json()["detail"]
    assert seconds < CEILING_S


def test_a_site_in_paris_is_refused(hostile_server):
    sites = {"type": "Point", "coordinates": [2.35, 48.86]}
    response, seconds = post(hostile_server, "/api/v1/site-check", {"sites": sites})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "sites"
    assert "outside" in response.json()["detail"]
    assert seconds < CEILING_S


@pytest.mark.parametrize("value", ["12", True, "NaN"])
def test_strings_and_booleans_are_not_figures(hostile_server, value):
    payload = {**body("/api/v1/assessments", mapping(box(113.5, 37.85, 113.55, 37.9)))}
    payload["figures"] = {"dead_missing": value}
    response, seconds = post(hostile_server, "/api/v1/assessments", payload)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "figures.dead_missing"
    assert seconds < CEILING_S


def test_broken_json_names_the_body_line_and_column(hostile_server):
    response, _ = post(
        hostile_server,
        "/api/v1/assessments",
        content=b'{"hazard": "flood",\n "footprint": {"type": "Polygon",,}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert "request body is not valid JSON at line 2 column 34" in response.json()["detail"]


def test_a_wrong_method_says_which_are_allowed(hostile_server):
    # an admin's key: the guard lets an admin try any method
    response = httpx.delete(
        f"{hostile_server.url}/api/v1/assessments", headers=hostile_server.headers("admin")
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == PROBLEM


def test_a_key_in_the_query_string_never_reaches_the_log(hostile_server):
    secret = "hostile-admin"
    httpx.get(f"{hostile_server.url}/api/v1/plans?key={secret}&token={secret}")
    httpx.get(f"{hostile_server.url}/api/v1/health", headers=hostile_server.headers("viewer"))
    time.sleep(0.5)
    text = hostile_server.log.read_text(errors="replace")
    assert "/api/v1/plans?[redacted]" in text
    assert secret not in text


def test_health_shows_the_packs_path_to_admins_only(hostile_server):
    def pack(role: str) -> str:
        answer = httpx.get(
            f"{hostile_server.url}/api/v1/health", headers=hostile_server.headers(role)
        )
        return str(answer.json()["pack"])

    assert pack("admin").startswith("/")
    assert "/" not in pack("viewer")
    assert "/" not in pack("analyst")


def test_the_server_still_answers_a_sound_assessment(hostile_server):
    sound = body("/api/v1/assessments", mapping(box(113.5, 37.85, 113.55, 37.9)))
    response, seconds = post(hostile_server, "/api/v1/assessments", sound)
    assert response.status_code == 201, response.text
    assert response.json()["population"]["affected"] > 0
    assert seconds < CEILING_S
