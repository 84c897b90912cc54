"""The assessment's closed roads as lines: every one crosses the footprint, none left out."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import mapping, shape

from api.app import create_app
from api.service.closed_roads import line_geometries
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


def test_line_geometries_are_shapely_mappings_rounded_to_the_grid():
    """Made in bulk, each is what shapely's mapping of the line on the 1e-6° grid gives."""
    rng = np.random.default_rng(5)
    lines = [
        shapely.LineString(rng.uniform(113, 114, size=(int(rng.integers(2, 9)), 2)))
        for _ in range(200)
    ]
    lines[3] = shapely.MultiLineString(
        [[(113.1, 37.1), (113.2, 37.2)], [(113.3, 37.3), (113.4, 37.4)]]
    )
    lines[7] = shapely.LineString([(113.0, 37.0, 5.0), (113.5, 37.5, 6.0)])
    lines[9] = shapely.LineString()
    lines[11] = shapely.LineString([(113.0000001, 37.0), (113.0000002, 37.0)])  # collapses
    expected = [
        json.loads(json.dumps(mapping(shapely.set_precision(line, 1e-6)))) for line in lines
    ]
    made = line_geometries(lines)
    assert json.loads(json.dumps(made)) == expected
    assert line_geometries([]) == []
