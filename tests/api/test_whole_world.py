"""A footprint holding the whole jurisdiction counts everyone: clipped in lon/lat first.

The reference is the population raster itself, summed by rasterio and numpy (nodata left
out): a whole-world box, clipped to the box of the jurisdiction and the grid, covers every
cell, so the affected must be the raster's total, to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from fastapi.testclient import TestClient
from shapely.geometry import box, mapping

from api.app import create_app
from api.settings import Settings
from layers.resources import demo_pack_dir

WORLD = mapping(box(-180, -90, 180, 90))


def raster_total(path) -> float:
    with rasterio.open(path) as src:
        band = src.read(1, masked=True).astype("float64")
    return float(np.ma.sum(band))


@pytest.mark.parametrize("pack", ["tiny", "demo"])
def test_a_whole_world_box_counts_the_packs_whole_population(pack, tiny_pack, tmp_path):
    folder = tiny_pack if pack == "tiny" else demo_pack_dir()
    settings = Settings(
        data_dir=folder,
        state_dir=tmp_path / "state",
        default_plan="yangquan-2026",
        max_area_ratio=1e9,
    )
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/assessments", json={"footprint": WORLD, "hazard": "flood"})
    assert answer.status_code == 201, answer.text
    population = answer.json()["population"]
    expected = raster_total(folder / "population.tif")
    # affected counts the people in the pack's counties; outside_counties the rest of the grid
    whole = population["affected"] + population["outside_counties"]
    assert whole == pytest.approx(expected, abs=1.0)
    assert sum(row["affected"] for row in population["by_county"]) == population["affected"]


def test_by_default_a_whole_world_box_is_refused_naming_the_ratio(tiny_pack, tmp_path):
    settings = Settings(data_dir=tiny_pack, state_dir=tmp_path / "s", default_plan="yangquan-2026")
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/assessments", json={"footprint": WORLD, "hazard": "flood"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "footprint"
    assert "max_area_ratio = 10" in answer.json()["detail"]
