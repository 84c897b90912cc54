"""Demand points: the displaced gathered into blocks, whole persons per block and county.

Placement (`geo.shelters.placement`) moves people block by block. Blocks are squares of
`MIN_BLOCK_M` metres doubled until at most `MAX_DEMAND_POINTS` (county, block) pairs
hold anyone; each block stands at the displaced-weighted centre of its cells, and each
county's displaced are split over its blocks by largest remainder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from geo._crs import LONLAT, lonlat_xy, transformer
from geo.incident.exposure import Exposure
from geo.incident.tiling import packed_key
from geo.rounding import largest_remainder

#: Demand is gathered into square blocks no finer than this (metres) ...
MIN_BLOCK_M = 250.0
#: ... and coarse enough that at most this many demand points go to the solver.
MAX_DEMAND_POINTS = 600


@dataclass(frozen=True)
class DemandPoints:
    """Displaced persons gathered into blocks: whole persons per block, per county."""

    frame: pd.DataFrame  # county, persons, x, y (metric CRS), lon, lat
    block_m: float


def demand_points(
    exposure: Exposure, *, metric_crs: CRS, xy: npt.NDArray[np.float64] | None = None
) -> DemandPoints:
    """Displaced persons per block, whole numbers that sum to each county's displaced.

    ``xy``: the cells' positions in ``metric_crs`` (`cells_xy`), when already known.
    """
    cells = exposure.cells
    columns = ["county", "persons", "x", "y", "lon", "lat"]
    if cells.empty or exposure.displaced == 0:
        return DemandPoints(pd.DataFrame(columns=columns), MIN_BLOCK_M)
    if xy is None:
        xy = cells_xy(exposure, metric_crs=metric_crs)
    keep = (cells["county"].notna() & (cells["displaced"] > 0)).to_numpy()
    xy = xy[keep]
    names, county = _county_codes(cells["county"][keep])
    # A cell's block of MIN_BLOCK_M·2^k is its MIN_BLOCK_M block shifted right by k bits:
    # x / (b·2^k) is exactly (x / b) / 2^k in floating point, and floor(v / 2^k) is
    # floor(v) >> k; so the finest blocks are found once and every coarser level from them.
    bx0 = np.floor(xy[:, 0] / MIN_BLOCK_M).astype(np.int64)
    by0 = np.floor(xy[:, 1] / MIN_BLOCK_M).astype(np.int64)
    level = _block_level(county, bx0, by0)
    bx, by = bx0 >> level, by0 >> level
    weights = cells["displaced"].to_numpy(dtype=float)[keep]
    blocks = _block_sums(county, bx, by, weights, xy)
    blocks = blocks[blocks["w"] > 0].reset_index(drop=True)
    blocks["county"] = names[blocks["c"].to_numpy()]
    blocks["x"] = blocks["wx"] / blocks["w"]
    blocks["y"] = blocks["wy"] / blocks["w"]
    persons = np.zeros(len(blocks), dtype=np.int64)
    for row in exposure.by_county:
        mine = np.flatnonzero(blocks["county"].to_numpy() == row.code)
        if len(mine) and row.displaced:
            persons[mine] = largest_remainder(blocks["w"].to_numpy()[mine].tolist(), row.displaced)
    lon, lat = _to_lonlat(blocks["x"].to_numpy(), blocks["y"].to_numpy(), metric_crs)
    frame = pd.DataFrame(
        {
            "county": blocks["county"],
            "persons": persons,
            "x": blocks["x"],
            "y": blocks["y"],
            "lon": lon,
            "lat": lat,
        }
    )
    return DemandPoints(frame[frame["persons"] > 0].reset_index(drop=True), MIN_BLOCK_M * 2**level)


def cells_xy(exposure: Exposure, *, metric_crs: CRS) -> npt.NDArray[np.float64]:
    """The exposure's cells (`Exposure.cells`, row by row) as ``(x, y)`` in ``metric_crs``."""
    cells = exposure.cells
    return lonlat_xy(cells["lon"], cells["lat"], metric_crs=metric_crs)


def _county_codes(county: pd.Series) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """The county codes as text, sorted, and each row's place among them."""
    codes, uniques = pd.factorize(county)
    names, inverse = np.unique(
        np.array([str(u) for u in uniques], dtype=object), return_inverse=True
    )
    rows: npt.NDArray[np.int64] = inverse.astype(np.int64)[codes]
    return names, rows


def _block_level(
    county: npt.NDArray[np.int64], bx0: npt.NDArray[np.int64], by0: npt.NDArray[np.int64]
) -> int:
    """The fewest halvings of the 250 m blocks that leave at most `MAX_DEMAND_POINTS` blocks."""
    # Distinct (county, block) rows of the finest level: every coarser level is counted on them.
    first = _first_rows(county, bx0, by0)
    c, x, y = county[first], bx0[first], by0[first]
    level = 0
    while _first_rows(c, x >> level, y >> level).size > MAX_DEMAND_POINTS:
        level += 1
    return level


def _packed(*columns: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
    """One integer per row, ordered as the rows are by the columns in turn; None if too large."""
    found = packed_key(*columns)
    return None if found is None else found[0]


def _first_rows(*columns: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """The first row of each distinct combination of the integer columns."""
    key = _packed(*columns)
    if key is None:
        frame = pd.DataFrame({f"c{i}": c for i, c in enumerate(columns)})
        return np.asarray(frame.drop_duplicates().index, dtype=np.intp)
    return np.flatnonzero(~pd.Series(key).duplicated().to_numpy())


def _block_sums(
    county: npt.NDArray[np.int64],
    bx: npt.NDArray[np.int64],
    by: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    xy: npt.NDArray[np.float64],
) -> pd.DataFrame:
    """Weight and weighted x, y per (county, bx, by), in that order: columns c, w, wx, wy."""
    sums = pd.DataFrame(
        {"c": county, "w": weights, "wx": weights * xy[:, 0], "wy": weights * xy[:, 1]}
    )
    key = _packed(county, bx, by)
    if key is None:
        groups = sums.assign(bx=bx, by=by).groupby(["c", "bx", "by"], sort=True)
        return groups[["w", "wx", "wy"]].sum().reset_index()[["c", "w", "wx", "wy"]]
    groups = sums.groupby(key, sort=True)
    blocks = groups[["w", "wx", "wy"]].sum().reset_index(drop=True)
    blocks.insert(0, "c", groups["c"].max().to_numpy())
    return blocks


def _to_lonlat(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], crs: CRS
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    lon, lat = transformer(crs, LONLAT).transform(x, y)
    return np.asarray(lon), np.asarray(lat)
