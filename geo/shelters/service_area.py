"""Who is within reach: the share of the affected within a service radius of a shelter.

Service radii per shelter kind come from the setbacks profile (GB 50413-2007); shelter
kinds without a radius are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS
from scipy.spatial import cKDTree

from geo._crs import lonlat_xy
from geo.errors import InputError
from geo.shelters.status import ShelterStatus, shelter_xy


@dataclass(frozen=True)
class KindCoverage:
    """Affected persons within the service radius of a usable shelter of one kind."""

    kind: str
    radius_m: float
    shelters: int
    covered: float
    share: float | None


@dataclass(frozen=True)
class Coverage:
    """Service coverage of the affected population, per shelter kind and overall."""

    affected: float
    covered: float
    share: float | None
    by_kind: tuple[KindCoverage, ...]


#: Margin (m) added to a radius to size the squares of `_near`, far above rounding.
SQUARE_MARGIN_M = 1.0
#: Above this many squares `_near` passes every point on (the sieve would cost more).
MAX_SQUARES = 50_000_000


def _near(
    xy: npt.NDArray[np.float64],
    sites: npt.NDArray[np.float64],
    radius: float,
    *,
    extent: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> npt.NDArray[np.bool_]:
    """Points that may lie within ``radius`` metres of a site; every point that does is one.

    The points' ``extent`` (least x and y, greatest x and y) is cut into squares a little
    wider than the radius: a point within the radius of a site lies in the site's square
    or in one of its eight neighbours, so the points in no such square are out of reach.
    """
    size = radius + SQUARE_MARGIN_M
    origin, top = extent
    shape = np.floor((top - origin) / size).astype(np.int64) + 3  # a spare square each side
    if int(shape[0]) * int(shape[1]) > MAX_SQUARES:
        return np.ones(len(xy), dtype=bool)
    site_square = np.floor((sites - origin) / size)
    inside = np.all((site_square >= -1) & (site_square <= shape - 2), axis=1)
    site_square = site_square[inside].astype(np.int64) + 1
    marked = np.zeros((int(shape[0]), int(shape[1])), dtype=bool)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            column, row = site_square[:, 0] + dx, site_square[:, 1] + dy
            fits = (column >= 0) & (column < shape[0]) & (row >= 0) & (row < shape[1])
            marked[column[fits], row[fits]] = True
    column = np.floor((xy[:, 0] - origin[0]) / size).astype(np.int64) + 1
    row = np.floor((xy[:, 1] - origin[1]) / size).astype(np.int64) + 1
    near: npt.NDArray[np.bool_] = marked[column, row]
    return near


def _within(
    xy: npt.NDArray[np.float64], sites: npt.NDArray[np.float64], radius: float
) -> npt.NDArray[np.bool_]:
    """Which points lie within ``radius`` metres of one of the sites.

    Only the points `_near` a site are measured: the others are out of reach.
    """
    reached = np.zeros(len(xy), dtype=bool)
    if not len(sites) or not len(xy):
        return reached
    # Column by column: a reduction along the first axis of an (n, 2) array is slow.
    extent = (
        np.array([xy[:, 0].min(), xy[:, 1].min()]),
        np.array([xy[:, 0].max(), xy[:, 1].max()]),
    )
    candidates = np.flatnonzero(_near(xy, sites, radius, extent=extent))
    if not candidates.size:
        return reached
    # Points with no site within the radius stop searching early (distance inf).
    bound = np.nextafter(radius, np.inf)
    distance, _ = cKDTree(sites).query(xy[candidates], k=1, distance_upper_bound=bound)
    reached[candidates] = distance <= radius
    return reached


def _check(
    cells: pd.DataFrame,
    shelters: gpd.GeoDataFrame,
    *,
    statuses: Sequence[ShelterStatus],
    xy: npt.NDArray[np.float64] | None,
) -> None:
    """Refuse cells without their columns, or statuses or positions not one per row."""
    missing = [c for c in ("lon", "lat", "affected") if c not in cells.columns]
    if missing:
        raise InputError(f"cells: missing columns {missing}", field="cells")
    if len(statuses) != len(shelters):
        raise InputError(
            f"statuses: expected one per shelter ({len(shelters)}), got {len(statuses)}",
            field="statuses",
        )
    if xy is not None and len(xy) != len(cells):
        raise InputError(f"xy: expected one per cell ({len(cells)}), got {len(xy)}", field="xy")


def service_coverage(
    cells: pd.DataFrame,
    shelters: gpd.GeoDataFrame,
    *,
    statuses: Sequence[ShelterStatus],
    radii: Mapping[str, float],
    metric_crs: CRS | str,
    xy: npt.NDArray[np.float64] | None = None,
) -> Coverage:
    """Share of the affected population within each kind's service radius of a usable shelter.

    Distances run from each cell's centre to the shelter's representative point. Shelter
    kinds without a radius (e.g. ``central``; GB 50413-2007 gives none) are left out.

    Parameters
    ----------
    cells
        ``lon``, ``lat`` (EPSG:4326) and ``affected`` persons (may be fractional).
    shelters
        The shelters layer, rows in the order of ``statuses``.
    radii
        Shelter kind to service radius in metres (`Setbacks.service_radii`).
    xy
        The cells' ``(x, y)`` in ``metric_crs``, row by row, when already known.
    """
    _check(cells, shelters, statuses=statuses, xy=xy)
    affected = cells["affected"].to_numpy(dtype=float)
    total = float(affected.sum())
    if xy is None:
        xy = lonlat_xy(cells["lon"], cells["lat"], metric_crs=metric_crs)
    sites = shelter_xy(shelters, metric_crs=metric_crs) if len(shelters) else np.zeros((0, 2))
    usable = np.array([s.usable for s in statuses], dtype=bool)
    kinds = np.array([s.kind for s in statuses], dtype=object)
    anywhere = np.zeros(len(cells), dtype=bool)
    by_kind = []
    for kind, radius in radii.items():
        chosen = usable & (kinds == kind)
        reached = _within(xy, sites[chosen], float(radius))
        anywhere |= reached
        covered = float(affected[reached].sum())
        by_kind.append(
            KindCoverage(
                kind=kind,
                radius_m=float(radius),
                shelters=int(chosen.sum()),
                covered=covered,
                share=covered / total if total > 0 else None,
            )
        )
    covered = float(affected[anywhere].sum())
    return Coverage(
        affected=total,
        covered=covered,
        share=covered / total if total > 0 else None,
        by_kind=tuple(by_kind),
    )
