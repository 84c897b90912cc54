"""The assessment's closed roads as lines: every one crosses the footprint, none left out."""

from __future__ import annotations

import json

import geopandas as gpd
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from api.app import create_app
from api.settings import Settings
from layers.resources import demo_pack_dir


def test_closed_lines_are_the_roads_crossing_the_footprint(tmp_path):
    pack = demo_pack_dir()
    client = TestClient(create_app(Settings(data_dir=pack, state_dir=tmp_path / "state")))
    footprint = json.loads((pack / "footprints" / "flood_taohe.geojson").read_text("utf-8"))
    answer = client.post("/api/v1/assessments", json={"footprint": footprint, "hazard": "flood"})
    assert answer.status_code == 201, answer.text
    supply = answer.json()["supply"]
    lines = supply["closed_lines"]["features"]
    assert len(lines) == supply["closed_roads"] == 167  # the count for the demo flood
    # Reference: shapely over the pack's roads as stored (no hazard zone closes roads here).
    area = shapely.union_all([shape(f["geometry"]) for f in footprint["features"]])
    roads = gpd.read_file(pack / "layers.gpkg", layer="roads").to_crs(4326)
    crossing = set(roads.loc[roads.intersects(area), "id"].astype(str))
    assert {f["properties"]["road_id"] for f in lines} == crossing
    for feature in lines:
        assert feature["geometry"]["type"] in ("LineString", "MultiLineString")
        assert feature["properties"]["reasons"] == ["crosses the footprint"]
