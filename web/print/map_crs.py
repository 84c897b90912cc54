"""The lon/lat the printed map projects from, and lon/lat frames projected onto the map.

The printed map is drawn in a CGCS2000 3° Gauss-Krüger zone (`geo._crs.gauss_kruger_3`);
the answers and the pack are WGS 84 lon/lat, equal to CGCS2000 lon/lat at map scale
(CONTRACT §2). PROJ joins the two datums by the same zero ("ballpark") offset, but only
after a search of its database of about 0.3 s per transformer, paid in every process
that prints. Naming the lon/lat CGCS2000 (EPSG:4490) gives the same map coordinates
at once: a projection alone, without that search.
"""

from __future__ import annotations

from typing import TypeVar

import geopandas as gpd
from pyproj import CRS

#: CGCS2000 geographic: the lon/lat of the printed map's Gauss-Krüger zones.
MAP_LONLAT = CRS.from_epsg(4490)
_WGS84 = CRS.from_epsg(4326)

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)


def to_map_crs(frame: Frame, crs: CRS) -> Frame:
    """``frame`` projected to the map CRS ``crs``; WGS 84 lon/lat read as CGCS2000's."""
    if frame.crs is not None and frame.crs.equals(_WGS84):
        frame = frame.set_crs(MAP_LONLAT, allow_override=True)
    return frame.to_crs(crs)
