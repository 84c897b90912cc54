"""Travel times, distances and routes between points and pack features (``/travel``, CLI).

The same engine as the assessment: the pack's road network built at start-up, roads
crossing a footprint (and hazard zones of kinds asked for) closed by
`geo.roads.closures`, points joined and times found by `geo.roads.travel`. A point is a
``[lon, lat]`` pair or a pack feature id: ``depot:D1``, ``shelter:S03``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from api.service.bootstrap import Services
from api.service.footprints import read_footprint
from geo._crs import LONLAT, transformer
from geo.errors import InputError
from geo.reasons import NO_PATH
from geo.roads.closures import ClosedEdges, closures
from geo.roads.travel import TravelMatrix, route, travel_matrix

#: Pack layers a point may name, ``layer:id``.
FEATURE_LAYERS = ("depot", "shelter")


def _feature(services: Services, text: str, where: str) -> tuple[float, float]:
    layer, _, ident = text.partition(":")
    if layer not in FEATURE_LAYERS or not ident:
        raise InputError(
            f"{where}: {text!r} is neither [lon, lat] nor a feature id such as depot:D1 or "
            "shelter:S03",
            field=where,
        )
    frame: gpd.GeoDataFrame = getattr(services.pack, f"{layer}s")
    match = frame[frame["id"].astype(str) == ident]
    if match.empty:
        raise InputError(f"{where}: no {layer} with id {ident!r} in the layer pack", field=where)
    point = match.to_crs(LONLAT).geometry.representative_point().iloc[0]
    return float(point.x), float(point.y)


def _lonlat(value: object, where: str) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not all(np.isfinite(v) for v in value)
    ):
        raise InputError(f"{where}: expected [lon, lat] or a feature id", field=where)
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"{where}: [{lon}, {lat}] is not a lon/lat point", field=where)
    return lon, lat


def resolve_points(
    services: Services, points: Sequence[object], name: str
) -> tuple[list[str], NDArray[np.float64]]:
    """Labels and lon/lat of the points of one side; each checked to lie in the pack."""
    limit = services.settings.travel_max_points
    if not points:
        raise InputError(f"{name}: expected at least one point", field=name)
    if len(points) > limit:
        raise InputError(
            f"{name}: {len(points)} points; at most {limit} per request (RELIEF_TRAVEL_MAX_POINTS)",
            field=name,
        )
    labels, coords = [], []
    for k, value in enumerate(points):
        where = f"{name}[{k}]"
        if isinstance(value, str):
            coords.append(_feature(services, value, where))
            labels.append(value)
        else:
            lon, lat = _lonlat(value, where)
            coords.append((lon, lat))
            labels.append(f"{lon:.6f},{lat:.6f}")
    array = np.array(coords, dtype=float)
    _check_inside(services, array, name)
    return labels, array


def _check_inside(services: Services, lonlat: NDArray[np.float64], name: str) -> None:
    """Refuse points farther than the snapping distance outside the road network's extent."""
    network = services.logistics.network
    x, y = transformer(LONLAT, network.crs).transform(lonlat[:, 0], lonlat[:, 1])
    pad = services.logistics.snap_max_m
    low, high = network.node_xy.min(axis=0) - pad, network.node_xy.max(axis=0) + pad
    outside = ~((x >= low[0]) & (x <= high[0]) & (y >= low[1]) & (y <= high[1]))
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise InputError(
            f"{name}[{k}]: [{lonlat[k, 0]:.6f}, {lonlat[k, 1]:.6f}] lies outside the layer "
            "pack's roads",
            field=f"{name}[{k}]",
        )


def _closed(
    services: Services, footprint: object | None, kinds: Sequence[str]
) -> ClosedEdges | None:
    if footprint is None and not kinds:
        return None
    known = set(services.pack.hazard_zones["kind"].astype(str))
    unknown = sorted(set(kinds) - known)
    if unknown:
        raise InputError(
            f"avoid_hazard_kinds: {unknown} are not kinds of the pack's hazard zones "
            f"({', '.join(sorted(known))})",
            field="avoid_hazard_kinds",
        )
    area = None
    if footprint is not None:
        area = read_footprint(
            services, footprint, jurisdiction="the layer pack's jurisdiction"
        ).features
    return closures(
        services.logistics.network,
        footprint=area,
        hazard_zones=services.pack.hazard_zones if kinds else None,
        closing_kinds=tuple(kinds),
    )


def _unreachable(
    matrix: TravelMatrix, sources: list[str], destinations: list[str]
) -> list[dict[str, str]]:
    out = []
    for i, j in zip(*np.nonzero(~matrix.reachable), strict=True):
        o, d = matrix.origins[int(i)], matrix.destinations[int(j)]
        why = o.reason if not o.attached else d.reason if not d.attached else None
        out.append(
            {
                "source": sources[int(i)],
                "destination": destinations[int(j)],
                "reason": why.code if why is not None else NO_PATH,
            }
        )
    return out


def _cells(values: NDArray[np.float64], digits: int) -> list[list[float | None]]:
    return [[round(float(v), digits) if np.isfinite(v) else None for v in row] for row in values]


def _routes(
    services: Services, matrix: TravelMatrix, sources: list[str], destinations: list[str]
) -> dict[str, Any]:
    features = []
    for i, j in zip(*np.nonzero(matrix.reachable), strict=True):
        line = route(services.logistics.network, matrix, int(i), int(j))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in line.coords]},
                "properties": {
                    "source": sources[int(i)],
                    "destination": destinations[int(j)],
                    "duration_s": round(float(matrix.durations_s[i, j]), 1),
                    "distance_m": round(float(matrix.distances_m[i, j]), 1),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def travel(
    services: Services,
    *,
    sources: Sequence[object],
    destinations: Sequence[object],
    footprint: object | None = None,
    avoid_hazard_kinds: Sequence[str] = (),
    routes: bool = False,
) -> dict[str, Any]:
    """Durations (s) and distances (m) from every source to every destination over open roads.

    Raises
    ------
    InputError
        A list is empty or too long, a point is malformed, names no pack feature or lies
        outside the pack's roads, or a hazard kind is not in the pack.
    GeometryError
        The footprint is not a usable GeoJSON area.
    """
    source_labels, source_xy = resolve_points(services, sources, "sources")
    destination_labels, destination_xy = resolve_points(services, destinations, "destinations")
    closed = _closed(services, footprint, avoid_hazard_kinds)
    matrix = travel_matrix(
        services.logistics.network,
        origins=source_xy,
        destinations=destination_xy,
        snap_max_m=services.logistics.snap_max_m,
        closed=closed,
    )
    answer: dict[str, Any] = {
        "sources": source_labels,
        "destinations": destination_labels,
        "durations": _cells(matrix.durations_s, 1),
        "distances": _cells(matrix.distances_m, 1),
        "unreachable": _unreachable(matrix, source_labels, destination_labels),
        "closed_edges": 0 if closed is None else closed.count,
    }
    if routes:
        answer["routes"] = _routes(services, matrix, source_labels, destination_labels)
    return answer
