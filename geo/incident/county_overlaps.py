"""Counties that overlap: slivers given to one county, real overlaps named.

People in an overlap of two counties would be counted in both. A digitising sliver
(two borders drawn a little apart) is removed from the county with the higher code,
so the lower code keeps it; a larger overlap is not a drawing slip and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

#: An overlap below this share of the smaller county is a sliver: at even density it
#: moves at most 0.01 % of that county's people from one row to the other.
SLIVER_SHARE = 1e-4
#: Counties that only share a border overlap by float rounding (1e-14 of a county in
#: the demo pack): below this share the overlap is no overlap.
BORDER_NOISE = 1e-9


@dataclass(frozen=True)
class Overlap:
    """Two counties' common area, in m² and as a share of the smaller of them."""

    codes: tuple[str, str]
    area_m2: float
    share: float


@dataclass(frozen=True)
class OverlapCheck:
    """County geometries with slivers removed, the slivers assigned and the overlaps refused."""

    geometry: npt.NDArray[np.object_]
    slivers: tuple[Overlap, ...]
    overlaps: tuple[Overlap, ...]


def check_overlaps(
    counties: gpd.GeoDataFrame, *, metric_crs: CRS, sliver_share: float = SLIVER_SHARE
) -> OverlapCheck:
    """Find overlapping counties; give each sliver to the lower code, list the rest.

    Parameters
    ----------
    counties
        County polygons with a ``code`` column, valid and non-empty.
    metric_crs
        The CRS the overlaps are measured in (metres).
    sliver_share
        Overlaps below this share of the smaller county are slivers.
    """
    codes = [str(c) for c in counties["code"]]
    geoms = counties.geometry.to_numpy().copy()
    metric = counties.geometry.to_crs(metric_crs).to_numpy()
    first, second = shapely.STRtree(metric).query(metric, predicate="intersects")
    pairs = first < second
    first, second = first[pairs], second[pairs]
    common = shapely.area(shapely.intersection(metric[first], metric[second]))
    smaller = np.minimum(shapely.area(metric[first]), shapely.area(metric[second]))
    slivers, overlaps = [], []
    for a, b, area, least in zip(first, second, common, smaller, strict=True):
        if area <= BORDER_NOISE * least:
            continue
        keep, lose = sorted((int(a), int(b)), key=lambda i: codes[i])
        found = Overlap((codes[keep], codes[lose]), float(area), float(area / least))
        if found.share >= sliver_share:
            overlaps.append(found)
            continue
        slivers.append(found)
        geoms[lose] = _polygonal(shapely.difference(geoms[lose], geoms[keep]))
    return OverlapCheck(geometry=geoms, slivers=tuple(slivers), overlaps=tuple(overlaps))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of an overlay result (a difference may leave lines behind)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)
