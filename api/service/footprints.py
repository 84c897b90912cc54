"""A request's geometry, bounded and checked: the one path every endpoint taking one follows.

In the server process, before any work is queued, `precheck` counts what the GeoJSON
brings against the work limits (settings): nothing is parsed, repaired or pickled for a
worker until it passes. In the compute worker, `read_footprint` parses (repairing within
the limits), refuses an absurd extent (zero area, many jurisdictions large, outside) and
clips what is left to the box of the jurisdiction and the population grid, in lon/lat,
before anything is projected. `read_sites` does the same for reconstruction sites.
"""

from __future__ import annotations

import math
from dataclasses import replace

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from api.service.bootstrap import Services
from geo.errors import GeometryError
from geo.hazards.reconstruction_sites import parse_sites
from geo.incident.extent import check_extent, clip_to_box, counting_box
from geo.incident.footprint import Footprint, parse_footprint
from geo.incident.footprint_crs import to_lonlat
from geo.incident.limits import check_geojson


def precheck(services: Services, data: object | None, *, field: str = "footprint") -> None:
    """Refuse GeoJSON over the work limits, in the server process, before any work starts."""
    if data is not None:
        check_geojson(data, services.settings.geometry_limits, field=field)


def read_footprint(
    services: Services,
    data: object,
    *,
    jurisdiction: str,
    generated: bool = False,
    counted: bool = False,
) -> Footprint:
    """The footprint parsed, checked against the jurisdiction and clipped to what is counted.

    Parameters
    ----------
    services
        The process's services (the pack, the settings' limits).
    data
        GeoJSON as loaded from JSON.
    jurisdiction
        The jurisdiction's name, for messages.
    generated
        True for a footprint the service made itself (an earthquake's intensity field):
        its size and detail are the model's, so the area ratio and the vertex counts do
        not apply.
    counted
        True when the caller already counted the GeoJSON as it was sent (before a
        projected CRS was densified into lon/lat).

    Raises
    ------
    GeometryError
        As `parse_footprint` and `check_extent` do.
    """
    limits = services.settings.geometry_limits
    if not generated and not counted:  # again here: the command line comes this way too
        check_geojson(data, limits)
    # A legacy ``crs`` member names the footprint's CRS on every endpoint (lon/lat as is).
    parsed = parse_footprint(to_lonlat(data), limits=limits)
    pack = services.pack
    ratio = math.inf if generated else limits.max_area_ratio
    check_extent(parsed.features, pack.jurisdiction, max_area_ratio=ratio, name=jurisdiction)
    box = counting_box(pack.bounds, pack.population.bounds_wgs84)
    return replace(parsed, features=clip_to_box(parsed.features, box))


def footprint_area(services: Services, data: object, *, jurisdiction: str) -> BaseGeometry:
    """The checked footprint as one lon/lat geometry (a compute task: incidents store it)."""
    features = read_footprint(services, data, jurisdiction=jurisdiction).features
    return shapely.union_all(features.geometry.to_numpy())


def read_sites(services: Services, data: object) -> gpd.GeoDataFrame:
    """Candidate sites parsed; refused when a site lies outside the jurisdiction."""
    sites = parse_sites(data)
    inside = shapely.intersects(sites.geometry.to_numpy(), services.pack.jurisdiction)
    if not inside.all():
        k = int((~inside).nonzero()[0][0])
        raise GeometryError(
            f"sites: site {sites['id'].iloc[k]!r} lies outside the layer pack's jurisdiction",
            field="sites",
        )
    return sites
