"""Demand points: the displaced gathered into blocks, checked against a plain pandas groupby."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS, Transformer

from geo.incident.exposure import CountyExposure, Exposure
from geo.shelters.demand import MAX_DEMAND_POINTS, MIN_BLOCK_M, demand_points

UTM = CRS.from_epsg(32650)
X0, Y0 = 600_000.0, 3_500_000.0


def _exposure(x: np.ndarray, y: np.ndarray, county: list, displaced: np.ndarray) -> Exposure:
    codes = sorted({c for c in county if c is not None})
    rows = []
    for code in codes:
        mine = np.array([c == code for c in county])
        rows.append(CountyExposure(code, code, 0, round(displaced[mine].sum()), 0.0, 0.0, {}))
    parts = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "county": pd.Categorical(county, categories=codes),
            "class": pd.Categorical(["a"] * len(x)),
            "affected": displaced * 2,
            "displaced": displaced,
        }
    )
    total = sum(r.displaced for r in rows)
    return Exposure("flood", "test", total, total, 0.0, 0.0, tuple(rows), (), 0, 0.0, UTM, parts)


def _reference(xy: np.ndarray, county: list, displaced: np.ndarray) -> tuple[float, pd.DataFrame]:
    """The plan's rule written out: the finest block of 250 m × 2^k with at most 600 blocks."""
    frame = pd.DataFrame({"county": county, "w": displaced, "x": xy[:, 0], "y": xy[:, 1]})
    frame = frame[frame["county"].notna() & (frame["w"] > 0)]
    block = 250.0
    while True:
        frame["bx"] = np.floor(frame["x"] / block)
        frame["by"] = np.floor(frame["y"] / block)
        if len(frame.groupby(["county", "bx", "by"])) <= 600:
            break
        block *= 2
    frame["wx"], frame["wy"] = frame["w"] * frame["x"], frame["w"] * frame["y"]
    sums = frame.groupby(["county", "bx", "by"])[["w", "wx", "wy"]].sum().reset_index()
    sums["x"], sums["y"] = sums["wx"] / sums["w"], sums["wy"] / sums["w"]
    return block, sums


@pytest.mark.parametrize(("scale", "far"), [(1.0, 0.0), (40.0, 0.0), (1e9, 0.0), (1.0, 1e15)])
def test_demand_points_match_a_groupby(scale: float, far: float) -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    xy = rng.uniform(0, 30_000 * scale, size=(n, 2)) + np.array([X0, Y0])
    xy[: n // 10] += far  # a tenth of the cells very far away: the blocks span too much to pack
    county = list(rng.choice(["320102", "320104", "320211"], size=n).astype(object))
    county[:50] = [None] * 50  # outside every county: left out
    displaced = rng.uniform(0, 3, size=n)
    displaced[50:300] = 0.0  # nobody displaced: left out
    exposure = _exposure(xy[:, 0], xy[:, 1], county, displaced)
    # Positions given directly (scale 1e9 and far cells overflow a packed key).
    demand = demand_points(exposure, metric_crs=UTM, xy=xy)
    block, expected = _reference(xy, county, displaced)
    assert demand.block_m == block
    assert block >= MIN_BLOCK_M
    frame = demand.frame
    assert len(frame) == len(expected) <= MAX_DEMAND_POINTS
    assert list(frame["county"]) == list(expected["county"])
    assert np.allclose(frame["x"], expected["x"], rtol=1e-12, atol=1e-6 * scale)
    assert np.allclose(frame["y"], expected["y"], rtol=1e-12, atol=1e-6 * scale)
    for row in exposure.by_county:
        mine = (frame["county"] == row.code).to_numpy()
        assert frame.loc[mine, "persons"].sum() == row.displaced
        share = expected.loc[mine, "w"] / expected.loc[mine, "w"].sum() * row.displaced
        assert (np.abs(frame.loc[mine, "persons"] - share) < 1).all()
    lon, lat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(
        frame["x"].to_numpy(), frame["y"].to_numpy()
    )
    assert np.allclose(frame["lon"], lon)
    assert np.allclose(frame["lat"], lat)


def test_demand_points_transform_lonlat_when_no_positions_are_given() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5_000, size=(500, 2)) + np.array([X0, Y0])
    county = ["320102"] * len(xy)
    exposure = _exposure(xy[:, 0], xy[:, 1], county, np.ones(len(xy)))
    demand = demand_points(exposure, metric_crs=UTM)
    block, expected = _reference(xy, county, np.ones(len(xy)))
    assert demand.block_m == block
    assert np.allclose(demand.frame["x"], expected["x"], atol=1e-3)
    assert demand.frame["persons"].sum() == 500
    assert math.isclose(demand.frame["lon"].mean(), exposure.cells["lon"].mean(), rel_tol=1e-4)
