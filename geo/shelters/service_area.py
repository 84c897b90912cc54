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


def _within(
    xy: npt.NDArray[np.float64], sites: npt.NDArray[np.float64], radius: float
) -> npt.NDArray[np.bool_]:
    """Which points lie within ``radius`` metres of one of the sites."""
    if not len(sites) or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    # Points with no site within the radius stop searching early (distance inf).
    bound = np.nextafter(radius, np.inf)
    distance, _ = cKDTree(sites).query(xy, k=1, distance_upper_bound=bound)
    reached: npt.NDArray[np.bool_] = distance <= radius
    return reached


def service_coverage(
    cells: pd.DataFrame,
    shelters: gpd.GeoDataFrame,
    *,
    statuses: Sequence[ShelterStatus],
    radii: Mapping[str, float],
    metric_crs: CRS | str,
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
    """
    missing = [c for c in ("lon", "lat", "affected") if c not in cells.columns]
    if missing:
        raise InputError(f"cells: missing columns {missing}", field="cells")
    if len(statuses) != len(shelters):
        raise InputError(
            f"statuses: expected one per shelter ({len(shelters)}), got {len(statuses)}",
            field="statuses",
        )
    affected = cells["affected"].to_numpy(dtype=float)
    total = float(affected.sum())
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
