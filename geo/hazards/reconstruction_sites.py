"""Reconstruction sites: whether a candidate site keeps clear of the ground the plan rules out.

阳泉2026 §6.2.3 (攀枝花2024 §6.2.3 alike): 科学安排项目选址，避开地震断裂带、洪涝灾害高风险区、
地质灾害隐患点等，避让地质灾害极高和高风险区. Which zone kinds and risks each rule covers
is data (``site_rules`` in ``data/setbacks.toml``); a site conflicts with such a zone
when it lies in it or within the zone's setback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo._crs import LONLAT, metric, refused_geojson_crs
from geo._validate import require_frame
from geo.errors import GeometryError
from geo.hazards.setbacks import Setbacks, require_zones, zone_conflicts

#: Site geometries the check accepts.
SITE_TYPES = frozenset({"Point", "Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class SiteConflict:
    """A ruled-out zone a site lies in (distance 0) or within the setback of."""

    zone_id: str
    kind: str
    risk: str
    distance_m: float
    setback_m: float
    rule: str


@dataclass(frozen=True)
class SiteCheck:
    """One candidate site: ``ok`` when no plan rule rules it out."""

    id: str
    ok: bool
    conflicts: tuple[SiteConflict, ...]


# ---------------------------------------------------------------- parsing candidate sites


def _features(data: object) -> list[tuple[object, object]]:
    """(geometry, id) pairs of a GeoJSON Geometry, Feature or FeatureCollection."""
    if not isinstance(data, Mapping):
        raise GeometryError("sites: expected a GeoJSON object", field="sites")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise GeometryError("sites: the FeatureCollection has no features", field="sites")
        return [_feature(f, i) for i, f in enumerate(features)]
    if kind == "Feature":
        return [_feature(data, 0)]
    if kind in SITE_TYPES or isinstance(data.get("coordinates"), list):
        return [(data, None)]
    raise GeometryError(
        f"sites: GeoJSON type {kind!r} is not a Geometry, Feature or FeatureCollection",
        field="sites",
    )


def _feature(raw: object, index: int) -> tuple[object, object]:
    if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
        raise GeometryError(f"sites: feature {index} is not a GeoJSON Feature", field="sites")
    properties = raw.get("properties")
    given = properties.get("id") if isinstance(properties, Mapping) else None
    return raw.get("geometry"), given if given is not None else raw.get("id")


def _geometry(raw: object, index: int) -> BaseGeometry:
    where = f"sites: feature {index}"
    if not isinstance(raw, Mapping):
        raise GeometryError(f"{where} has no geometry", field="sites")
    kind = raw.get("type")
    if kind not in SITE_TYPES:
        raise GeometryError(
            f"{where}: geometry type {kind!r} is not one of {', '.join(sorted(SITE_TYPES))}",
            field="sites",
        )
    try:
        geometry = shape(raw)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise GeometryError(
            f"{where}: malformed {kind} coordinates ({exc})", field="sites"
        ) from exc
    if geometry.is_empty:
        raise GeometryError(f"{where}: the {kind} is empty", field="sites")
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError(
            f"{where}: coordinates are not lon/lat degrees (bounds {geometry.bounds}); "
            "expected EPSG:4326 or EPSG:4490",
            field="sites",
        )
    if not geometry.is_valid:
        raise GeometryError(
            f"{where}: the {kind} is invalid ({shapely.is_valid_reason(geometry)})",
            field="sites",
        )
    return geometry


def parse_sites(data: object) -> gpd.GeoDataFrame:
    """Candidate sites from GeoJSON: Points or Polygons in EPSG:4326/4490, ids kept or given.

    A feature's ``properties.id`` (else its ``id``) names the site; ``site-1``, ``site-2`` …
    (by position) otherwise.

    Raises
    ------
    GeometryError
        Naming the feature index and what is wrong with it.
    """
    if isinstance(data, Mapping):
        crs = refused_geojson_crs(data)
        if crs is not None:
            raise GeometryError(
                f"sites: CRS {crs!r} is not accepted; expected EPSG:4326 or EPSG:4490 lon/lat",
                field="sites",
            )
    pairs = _features(data)
    geometries = [_geometry(raw, i) for i, (raw, _) in enumerate(pairs)]
    ids = [
        str(given) if given is not None else f"site-{i + 1}" for i, (_, given) in enumerate(pairs)
    ]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise GeometryError(f"sites: site ids {repeated} are repeated", field="sites")
    return gpd.GeoDataFrame({"id": ids}, geometry=geometries, crs=LONLAT)


# ---------------------------------------------------------------- checking them


def check_sites(
    sites: gpd.GeoDataFrame,
    *,
    hazard_zones: gpd.GeoDataFrame,
    setbacks: Setbacks,
    metric_crs: CRS | str,
) -> tuple[SiteCheck, ...]:
    """Check each candidate site against the plan's siting rules, in row order.

    Only zones some rule covers count (fault zones, flood high-risk areas, floodways,
    geological hazard points); each conflict cites the first rule covering its zone.
    Distances run from the site's own ground (point or polygon), in ``metric_crs``.
    """
    crs = metric(metric_crs)
    require_frame(sites, "sites", ())
    ids: Sequence[str] = (
        sites["id"].astype(str).tolist()
        if "id" in sites.columns
        else [f"site-{i + 1}" for i in range(len(sites))]
    )
    require_zones(hazard_zones)
    covered = np.array(
        [
            setbacks.site_rule(str(k), str(r)) is not None
            for k, r in zip(hazard_zones["kind"], hazard_zones["risk"], strict=True)
        ],
        dtype=bool,
    )
    ground = sites.to_crs(crs).geometry.to_numpy()
    found = zone_conflicts(ground, hazard_zones[covered], setbacks=setbacks, metric_crs=crs)
    checks = []
    for site_id, conflicts in zip(ids, found, strict=True):
        cited = tuple(
            SiteConflict(
                zone_id=c.zone_id,
                kind=c.kind,
                risk=c.risk,
                distance_m=c.distance_m,
                setback_m=c.setback_m,
                rule=rule.cite(),
            )
            for c in conflicts
            if (rule := setbacks.site_rule(c.kind, c.risk)) is not None
        )
        checks.append(SiteCheck(id=site_id, ok=not cited, conflicts=cited))
    return tuple(checks)
