"""A GeoJSON footprint in any CRS brought to lon/lat before it is parsed.

RFC 7946 GeoJSON is lon/lat only; the 2008 draft let an object name its CRS in a ``crs``
member (``{"type": "name", "properties": {"name": "EPSG:4547"}}``), and a request may
name it in a ``crs`` field beside the footprint. pyproj decides what the name means.
Positions are transformed vertex by vertex; edges longer than
`geo.incident.county_split.MAX_SEGMENT_M` (in the source CRS, when it is projected) are
densified first, so that a straight edge of a
Gauss-Krüger plot stays within millimetres of itself once drawn straight in lon/lat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from geo._crs import LONLAT, is_lonlat, transformer
from geo.errors import GeometryError
from geo.incident.county_split import MAX_SEGMENT_M


def named_crs(data: object) -> str | None:
    """The CRS name of a GeoJSON object's legacy ``crs`` member, if it has one."""
    if not isinstance(data, Mapping):
        return None
    member = data.get("crs")
    properties = member.get("properties") if isinstance(member, Mapping) else None
    name = properties.get("name") if isinstance(properties, Mapping) else None
    return name if isinstance(name, str) else None


def parse_crs(name: str, *, field: str = "crs") -> CRS:
    """The CRS pyproj reads from ``name`` (also upper-cased, as OGC URNs need).

    Raises
    ------
    GeometryError
        Naming ``field`` when pyproj cannot read it.
    """
    for spelling in (name.strip(), name.strip().upper()):
        try:
            return CRS.from_user_input(spelling)
        except CRSError:
            continue
    raise GeometryError(
        f"{field}: {name!r} is not a CRS pyproj can read; give e.g. 'EPSG:4547' or a WKT",
        field=field,
    )


def to_lonlat(data: object, *, crs: str | None = None) -> object:
    """The footprint with positions in lon/lat and no ``crs`` member; lon/lat passes as is.

    ``crs`` (a request's field) names the CRS when the object has no ``crs`` member; when
    both are given they must agree.

    Raises
    ------
    GeometryError
        A CRS pyproj cannot read (field ``crs``), or two CRSs that disagree.
    """
    if not isinstance(data, Mapping):
        return data
    member = named_crs(data)
    if member is not None and crs is not None and not parse_crs(member).equals(parse_crs(crs)):
        raise GeometryError(
            f"crs: {crs!r} disagrees with the footprint's own crs member {member!r}", field="crs"
        )
    name = member or crs
    if name is None or is_lonlat(name):
        return _without_crs(data) if name is not None else data
    source = parse_crs(name)
    try:
        return _without_crs(_transformed(data, source))
    except (CRSError, ProjError) as exc:
        raise GeometryError(
            f"crs: coordinates cannot be transformed from {name!r} to lon/lat ({exc})", field="crs"
        ) from exc


def _without_crs(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "crs"}


def _transformed(node: Any, source: CRS) -> Any:
    """Every ``coordinates`` array under ``node`` transformed; other members copied."""
    if isinstance(node, Mapping):
        return {
            key: _positions(value, source) if key == "coordinates" else _transformed(value, source)
            for key, value in node.items()
        }
    if isinstance(node, list | tuple):
        return [_transformed(item, source) for item in node]
    return node


def _positions(coordinates: Any, source: CRS) -> Any:
    """A ring (list of positions) densified and transformed; deeper nestings walked."""
    if not isinstance(coordinates, list | tuple) or not coordinates:
        return coordinates
    try:
        array = np.asarray(coordinates, dtype=float)
    except (TypeError, ValueError):  # ragged or not numbers: the parser will say so
        return [_positions(part, source) for part in coordinates]
    if array.ndim == 1:
        return _ring(array[None, :], source)[0].tolist()
    if array.ndim == 2:
        return _ring(array, source).tolist()
    return [_positions(part, source) for part in coordinates]


def _ring(points: np.ndarray, source: CRS) -> np.ndarray:
    if points.shape[1] < 2 or not np.isfinite(points[:, :2]).all():
        return points
    xy = points[:, :2]
    if source.is_projected and len(xy) > 1:
        xy = shapely.get_coordinates(shapely.segmentize(shapely.linestrings(xy), MAX_SEGMENT_M))
    lon, lat = transformer(source, LONLAT).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])
