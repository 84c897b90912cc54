"""Coordinate reference systems: lon/lat, the metric CRS to measure in, cached transformers.

Every layer and API geometry is lon/lat (CONTRACT §2); distances and areas are measured in
a projected CRS in metres chosen on purpose (`metric`). Building a PROJ transformer takes
tens of milliseconds, so `transformer` keeps them for the life of the process.

pyproj (3.1 and later) makes a shared `Transformer` safe to use from several threads: it
keeps one PROJ object per thread and builds it the first time a thread uses it. One cache
for the process is therefore correct; the per-thread cost is paid once per long-lived
thread (the server's compute threads live as long as the process).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.errors import InputError

#: Longitude/latitude on WGS 84: every layer and API geometry (CONTRACT §2).
LONLAT = "EPSG:4326"


def metric(crs: CRS | str | int) -> CRS:
    """Return the CRS to measure in, refused unless it is projected with metre units.

    Raises
    ------
    InputError
        ``crs`` is not a CRS, or not a projected one in metres (field ``metric_crs``).
    """
    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"metric_crs: {crs!r} is not a CRS ({exc})", field="metric_crs") from exc
    units = {axis.unit_name for axis in parsed.axis_info}
    if not parsed.is_projected or units != {"metre"}:
        raise InputError(
            f"metric_crs: {parsed.name} is not a projected CRS in metres; "
            "measure in e.g. the layer pack's UTM zone",
            field="metric_crs",
        )
    return parsed


def transformer(source: CRS | str, target: CRS | str) -> Transformer:
    """Return a transformer from ``source`` to ``target`` in x/y (lon/lat) order, built once.

    Between WGS 84 lon/lat and a CRS on CGCS2000 (a Gauss-Krüger zone), PROJ finds no
    published transformation and applies a zero "ballpark" offset, after searching its
    database for 60-90 ms per pair; read as CGCS2000 lon/lat (`_on_one_datum`), the same
    coordinates come out (tested) with no search. A new process (``reliefgis assess``, a
    compute worker's first request) paid that for three pairs per assessment.

    Kept by each CRS's definition as given (`pyproj.CRS.srs`, what it was made from):
    hashing a CRS writes its WKT, a tenth of a millisecond per call.
    """
    return _transformer(_given(source), _given(target))


def _given(crs: CRS | str) -> str:
    return crs if isinstance(crs, str) else crs.srs


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(*_on_one_datum(source, target), always_xy=True)


def _on_one_datum(source: CRS | str, target: CRS | str) -> tuple[CRS | str, CRS | str]:
    """``source`` and ``target``, WGS 84 lon/lat read as CGCS2000's where the other is on it."""
    wgs84, cgcs2000 = _LONLAT_EQUIVALENTS
    parsed = CRS.from_user_input(source), CRS.from_user_input(target)
    on_cgcs2000 = [c.geodetic_crs is not None and c.geodetic_crs == cgcs2000 for c in parsed]
    if parsed[0] == wgs84 and on_cgcs2000[1]:
        return cgcs2000, target
    if parsed[1] == wgs84 and on_cgcs2000[0]:
        return source, cgcs2000
    return source, target


def projected(geoms: ArrayLike, source: CRS | str, target: CRS | str) -> NDArray[np.object_]:
    """2-D geometries in ``source`` as they are in ``target``, through `transformer`.

    What GeoSeries.to_crs gives, coordinate for coordinate (tested), without its own
    transformer search (see `transformer`).
    """
    to_target = transformer(source, target)

    def move(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = to_target.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    moved: NDArray[np.object_] = shapely.transform(np.asarray(geoms, dtype=object), move)
    return moved


def lonlat_xy(lon: ArrayLike, lat: ArrayLike, *, metric_crs: CRS | str) -> NDArray[np.float64]:
    """Lon/lat (EPSG:4326) positions as ``(x, y)`` metres in ``metric_crs``."""
    to_metric = transformer(LONLAT, metric(metric_crs))
    # Transformed where they lie, in one (2, n) array read as (n, 2): for a million cells,
    # the copies pyproj would make and the stacking cost a third of the transform itself.
    xy = np.empty((2, np.size(lon)), dtype=np.float64)
    xy[0], xy[1] = np.ravel(lon), np.ravel(lat)
    to_metric.transform(xy[0], xy[1], inplace=True)
    return xy.T


#: CGCS2000 geographic, treated as equal to WGS 84 lon/lat at map scale (CONTRACT §2).
_LONLAT_EQUIVALENTS = (CRS.from_epsg(4326), CRS.from_epsg(4490))


def is_lonlat(name: str) -> bool:
    """Whether pyproj reads ``name`` as WGS 84 or CGCS2000 geographic, in either axis order.

    Authority names are read as written and, failing that, upper-cased (pyproj reads
    ``urn:ogc:def:crs:OGC:1.3:CRS84`` but not its lower-case spelling).
    """
    for spelling in (name.strip(), name.strip().upper()):
        try:
            crs = CRS.from_user_input(spelling)
        except CRSError:
            continue
        return any(crs.equals(e, ignore_axis_order=True) for e in _LONLAT_EQUIVALENTS)
    return False


def refused_geojson_crs(data: Mapping[str, Any]) -> object | None:
    """The ``crs`` member of a GeoJSON object, if it names anything but lon/lat.

    GeoJSON (RFC 7946) has no ``crs`` member; the 2008 draft's named form
    ``{"type": "name", "properties": {"name": ...}}`` is accepted when `is_lonlat`
    holds for the name. Returns None when the member is absent or accepted, else the
    name (or the member itself when it has no name) to show in the refusal.
    """
    crs: object = data.get("crs")
    if crs is None:
        return None
    properties = crs.get("properties") if isinstance(crs, Mapping) else None
    name = properties.get("name") if isinstance(properties, Mapping) else None
    if isinstance(name, str):
        return None if is_lonlat(name) else name
    return crs


#: CGCS2000 3-degree Gauss-Krüger zones with the central meridian as false origin
#: ("CGCS2000 / 3-degree Gauss-Kruger CM 75E" … "CM 135E") are EPSG:4534 … 4554, in order.
_GK3_FIRST_EPSG, _GK3_FIRST_CM, _GK3_LAST_CM = 4534, 75, 135
_GK3_ZONE_WIDTH = 3


def gauss_kruger_3(lon: float) -> CRS:
    """The CGCS2000 3° Gauss-Krüger CRS (EPSG:4534–4554) of the zone holding ``lon``.

    The zone's central meridian is the multiple of 3° nearest ``lon``; its EPSG code is
    counted from CM 75°E (EPSG:4534) in steps of one per zone.

    Raises
    ------
    InputError
        ``lon`` lies outside the zones China uses (CM 75°E … 135°E).
    """
    central = _GK3_ZONE_WIDTH * round(lon / _GK3_ZONE_WIDTH)
    if not _GK3_FIRST_CM <= central <= _GK3_LAST_CM:
        raise InputError(
            f"footprint: longitude {lon:.3f} is outside the CGCS2000 3° zones (73.5°E–136.5°E)",
            field="footprint",
        )
    return CRS.from_epsg(_GK3_FIRST_EPSG + (central - _GK3_FIRST_CM) // _GK3_ZONE_WIDTH)
