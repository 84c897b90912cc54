"""POST /api/v1/earthquakes/intensity and assessments from an earthquake, on the tiny pack.

Expected values are hand arithmetic from the published relation quoted here (汪素云 et al.
2000, eastern China, ln form, as data/earthquake/attenuation.toml holds it), the PAGER
collapse shares and fatality parameters quoted from data/earthquake/*.toml, and the tiny
pack's known population (10 persons per km² in the west county).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from packs import TINY_CRS, X0, Y0, tiny_layers, write_pack
from pyproj import Geod, Transformer
from shapely.affinity import rotate
from shapely.geometry import Point, box

from api.app import create_app
from api.settings import Settings

# 汪素云 2000 east: long a=6.046 b=1.480 c=-2.08 r0=25; short a=2.617 b=1.435 c=-1.441 r0=7
M = 4.7
LONG_VI = math.exp((6 - 6.046 - 1.480 * M) / -2.08) - 25  # ≈ 3.97 km
SHORT_VI = math.exp((6 - 2.617 - 1.435 * M) / -1.441) - 7  # ≈ 3.31 km
WEST_DENSITY = 10.0  # persons per km² (tiny pack: 10 per 1 km cell)
TO_LONLAT = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True)


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    return TO_LONLAT.transform(X0 + x_m, Y0 + y_m)


def client_for(tmp_path, **layers) -> TestClient:
    base = tiny_layers()
    base.update(layers)
    pack = write_pack(tmp_path / "pack", base)
    settings = Settings(data_dir=pack, state_dir=tmp_path / "state", default_plan="yangquan-2026")
    return TestClient(create_app(settings))


def housing_points() -> gpd.GeoDataFrame:
    # Inside the Ⅵ ellipse (at the epicentre), outside it in the same county, and east.
    return gpd.GeoDataFrame(
        {
            "structure": ["砖木", "土木", "砖混"],
            "rooms": [1000.0, 1000.0, 1000.0],
            "households": [300.0, 300.0, 300.0],
        },
        geometry=[
            Point(X0 + 5_000, Y0 + 5_000),
            Point(X0 + 500, Y0 + 500),
            Point(X0 + 15_000, Y0 + 5_000),
        ],
        crs=TINY_CRS,
    )


@pytest.fixture
def client(tmp_path):
    return client_for(tmp_path, housing=housing_points())


def test_field_rings_follow_the_relation_by_hand(client):
    lon, lat = lonlat(5_000, 5_000)
    answer = client.post(
        "/api/v1/earthquakes/intensity", json={"magnitude": M, "lon": lon, "lat": lat}
    ).json()
    assert [f["properties"]["label"] for f in answer["features"]] == ["Ⅵ"]  # Ⅶ not reached
    props = answer["features"][0]["properties"]
    assert props["semi_major_km"] == pytest.approx(LONG_VI, abs=1e-3)
    assert props["semi_minor_km"] == pytest.approx(SHORT_VI, abs=1e-3)
    area = gpd.GeoDataFrame.from_features(answer["features"], crs=4326).to_crs(TINY_CRS).area
    assert float(area.iloc[0]) / 1e6 == pytest.approx(math.pi * LONG_VI * SHORT_VI, rel=0.003)
    assert answer["strike"]["kind"] == "default"
    assert answer["strike"]["degrees"] == 45.0  # attenuation.toml default_strike_deg


def test_magnitude_out_of_range_is_a_422_naming_magnitude(client):
    response = client.post(
        "/api/v1/earthquakes/intensity", json={"magnitude": 2.9, "lon": 113.0, "lat": 38.0}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "magnitude"


def test_a_field_that_misses_the_jurisdiction_says_how_far(client):
    lon, lat = lonlat(5_000, 60_000)  # 50 km north of the pack's top edge
    response = client.post(
        "/api/v1/earthquakes/intensity", json={"magnitude": M, "lon": lon, "lat": lat}
    )
    assert response.status_code == 422
    edge = lonlat(5_000, 10_000)
    _, _, metres = Geod(ellps="WGS84").inv(lon, lat, *edge)
    detail = response.json()["detail"]
    assert "does not reach" in detail
    km = float(detail.rsplit("lies ", 1)[1].split(" km")[0])
    assert km == pytest.approx(metres / 1000, rel=0.01)


@pytest.mark.parametrize(("lon", "lat"), [(30.0, 89.9), (179.9, 37.9)])
def test_a_field_over_a_pole_or_the_antimeridian_is_a_422_not_a_500(client, lon, lat):
    # An 8.0 drawn in lon/lat round the pole or across ±180° folds over itself
    # (shapely says the ring is invalid); overlaying it was a GEOS TopologyException.
    response = client.post(
        "/api/v1/earthquakes/intensity", json={"magnitude": 8.0, "lon": lon, "lat": lat}
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "epicentre"
    assert "pole or across the antimeridian" in response.json()["detail"]


def test_strike_comes_from_a_fault_zone_near_the_epicentre(tmp_path):
    strip = rotate(box(X0 + 2_000, Y0 + 4_900, X0 + 8_000, Y0 + 5_100), 30, origin="centroid")
    # box along east (azimuth 90°), turned 30° counter-clockwise: azimuth 60°
    zones = gpd.GeoDataFrame(
        {"id": ["F1"], "kind": ["fault"], "risk": ["high"]}, geometry=[strip], crs=TINY_CRS
    )
    client = client_for(tmp_path, hazard_zones=zones)
    lon, lat = lonlat(5_000, 5_000)
    answer = client.post(
        "/api/v1/earthquakes/intensity", json={"magnitude": M, "lon": lon, "lat": lat}
    ).json()
    assert answer["strike"]["kind"] == "fault_zone"
    # UTM grid north differs from true north by the meridian convergence (< 2° here)
    assert answer["strike"]["degrees"] == pytest.approx(60.0, abs=2.0)
    given = client.post(
        "/api/v1/earthquakes/intensity",
        json={"magnitude": M, "lon": lon, "lat": lat, "strike": 100},
    ).json()
    assert given["strike"] == {"degrees": 100.0, "kind": "given", "source": "given"}


def test_assessment_from_an_earthquake_by_hand(client):
    lon, lat = lonlat(5_000, 5_000)
    response = client.post(
        "/api/v1/assessments", json={"earthquake": {"magnitude": M, "lon": lon, "lat": lat}}
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    affected = WEST_DENSITY * math.pi * LONG_VI * SHORT_VI
    assert answer["hazard"] == "earthquake"
    assert answer["population"]["affected"] == pytest.approx(affected, rel=0.005)
    assert answer["population"]["displaced"] == answer["population"]["affected"]  # Ⅵ: 100 %
    houses = answer["earthquake"]["houses"]
    # 砖木 at Ⅵ: 0.020 (PAGER UFB1); the 土木 point lies outside Ⅵ, the 砖混 one in the east
    assert houses["collapsed_rooms"] == 20
    assert houses["collapsed_households"] == 6
    assert houses["by_county"] == [
        {
            "code": "140302",
            "name": "西县",
            "collapsed_rooms": 20,
            "collapsed_households": 6,
            "label": "估算",
        }
    ]
    criteria = {c["indicator"]: c for c in answer["response"]["criteria"]}
    assert criteria["collapsed_rooms"]["value"] == 20
    assert criteria["collapsed_rooms"]["source"] == "estimated"
    assert "dead_missing" not in criteria
    deaths = answer["earthquake"]["casualties"]
    rate = 0.5 * math.erfc(-math.log(6 / 10.328811) / 0.100058 / math.sqrt(2))
    assert deaths["central"] == round(affected * rate)
    assert deaths["caption"] == "估算参考：按死亡人数可能达到的级别"
    assert deaths["applied"] is False
    assert "未计入分级" in answer["response"]["notes"][-1]


def test_reported_houses_override_and_casualties_grade_only_when_asked(client):
    lon, lat = lonlat(5_000, 5_000)
    answer = client.post(
        "/api/v1/assessments",
        json={
            "earthquake": {"magnitude": M, "lon": lon, "lat": lat},
            "figures": {"collapsed_rooms": 7},
            "use_casualty_estimate": True,
        },
    ).json()
    criteria = {c["indicator"]: c for c in answer["response"]["criteria"]}
    assert criteria["collapsed_rooms"]["value"] == 7
    assert criteria["collapsed_rooms"]["source"] == "reported"
    assert criteria["dead_missing"]["source"] == "estimated"
    assert answer["earthquake"]["casualties"]["applied"] is True
    assert "已按请求" in answer["response"]["notes"][-1]


@pytest.mark.parametrize(
    "body",
    [
        {"hazard": "earthquake"},
        {"earthquake": {"magnitude": 5, "lon": 1, "lat": 1}, "hazard": "flood"},
        {"earthquake": {"magnitude": 9.7, "lon": 1, "lat": 1}},
    ],
)
def test_assessment_refuses_a_bad_earthquake_request(client, body):
    response = client.post("/api/v1/assessments", json=body)
    assert response.status_code == 422
