"""``POST /api/v1/travel`` on the tiny pack, with times worked out by hand from its roads.

The tiny pack's roads (tests/packs.py): a two-way primary at 60 km/h from D1 (500, 500)
to the junction J (10 000, 5 000), then a one-way secondary (30 km/h, the speeds
profile) from J to D2 (19 500, 9 500). J is where the one-way street starts: a point on
J must be able to go back to D1 although the nearest edge may be the one-way one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from packs import TINY_CRS, X0, Y0
from pyproj import Transformer

from api.app import create_app
from api.cli import main
from api.settings import Settings

LEG = math.hypot(9_500, 4_500)  # both roads are this long
PRIMARY_S, SECONDARY_S = LEG / (60 / 3.6), LEG / (30 / 3.6)
TO_LONLAT = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> list[float]:
    lon, lat = TO_LONLAT.transform(X0 + x, Y0 + y)
    return [lon, lat]


def square(x: float, y: float, half: float) -> dict[str, object]:
    corners = [
        (x - half, y - half),
        (x + half, y - half),
        (x + half, y + half),
        (x - half, y + half),
    ]
    ring = [lonlat(*c) for c in [*corners, corners[0]]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def client(tiny_pack: Path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tiny_pack, travel_max_points=3)))


def test_matrix_over_the_one_way_junction(client: TestClient) -> None:
    junction = lonlat(10_000, 5_000)
    body = {"sources": ["depot:D1", junction, "depot:D2"], "destinations": ["depot:D2", "depot:D1"]}
    answer = client.post("/api/v1/travel", json=body).json()
    assert answer["durations"] == [
        [pytest.approx(PRIMARY_S + SECONDARY_S, abs=0.1), 0.0],
        [pytest.approx(SECONDARY_S, abs=0.1), pytest.approx(PRIMARY_S, abs=0.1)],
        [0.0, None],  # D2 is where the one-way street ends
    ]
    assert answer["distances"][0][0] == pytest.approx(2 * LEG, abs=0.1)
    assert answer["distances"][1] == [pytest.approx(LEG, abs=0.1)] * 2
    assert answer["unreachable"] == [
        {"source": "depot:D2", "destination": "depot:D1", "reason": "no_path"}
    ]
    assert "routes" not in answer


def test_routes_and_a_footprint_closing_the_primary(client: TestClient) -> None:
    body = {"sources": ["depot:D1"], "destinations": ["depot:D2", lonlat(5_000, 2_631.6)]}
    routes = client.post("/api/v1/travel", json={**body, "routes": True}).json()["routes"]
    assert len(routes["features"]) == 2
    first = routes["features"][0]
    assert first["geometry"]["coordinates"][0] == pytest.approx(lonlat(500, 500))
    assert first["geometry"]["coordinates"][-1] == pytest.approx(lonlat(19_500, 9_500))
    assert first["properties"]["distance_m"] == pytest.approx(2 * LEG, abs=0.1)
    closed = client.post("/api/v1/travel", json={**body, "footprint": square(3_000, 1_684, 300)})
    answer = closed.json()
    assert answer["durations"] == [[None, None]]
    assert answer["closed_edges"] == 1
    # D1's only road is closed along its whole single segment.
    assert {u["reason"] for u in answer["unreachable"]} == {"roads_near_closed"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sources": []}, "sources", "at least one point"),
        ({"sources": ["depot:D9"]}, "sources[0]", "no depot with id 'D9'"),
        ({"destinations": ["road:R1"]}, "destinations[0]", "neither"),
        ({"sources": [[10.0, 50.0]]}, "sources[0]", "outside the layer pack's roads"),
        ({"sources": ["depot:D1"] * 4}, "sources", "at most 3"),
        ({"avoid_hazard_kinds": ["tsunami"]}, "avoid_hazard_kinds", "tsunami"),
    ],
)
def test_bad_input_names_the_field(
    client: TestClient, change: dict[str, object], field: str, message: str
) -> None:
    body = {"sources": ["depot:D1"], "destinations": ["shelter:S3"], **change}
    response = client.post("/api/v1/travel", json=body)
    assert response.status_code in (400, 422)
    problem = response.json()
    assert problem["field"] == field
    assert message in problem["detail"]


def test_the_command_line_gives_the_same_matrix(
    tiny_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junction = ",".join(f"{v:.9f}" for v in lonlat(10_000, 5_000))
    argv = ["travel", "--from", junction, "--to", "depot:D1", "--to", "depot:D2"]
    assert main([*argv, "--data", str(tiny_pack), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["durations"] == [
        [pytest.approx(PRIMARY_S, abs=0.1), pytest.approx(SECONDARY_S, abs=0.1)]
    ]
    assert main([*argv, "--data", str(tiny_pack)]) == 0
    assert f"→ depot:D1: {PRIMARY_S / 60:.1f} 分钟" in capsys.readouterr().out
    assert main(["travel", "--from", "depot:D7", "--to", "depot:D1", "--data", str(tiny_pack)]) == 2
    assert "sources[0]: no depot with id 'D7'" in capsys.readouterr().err
