"""What an incident exposes: a footprint (any CRS, classes or values) or a hazard raster.

Shared by `api.service.assess` (HTTP and the CLI). A GeoJSON footprint is brought to
lon/lat (`geo.incident.footprint_crs`), its depth or intensity values turned into class
names (`geo.hazards.hazard_values`), parsed, classed and dissolved by severity; a hazard
raster is classed cell by cell and polygonised (`geo.incident.hazard_raster`). Both then
take the one exact exposure path (`api.service.exposure`: in this process or on Dask).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from api.service.bootstrap import Services
from api.service.exposure import count_exposure
from api.service.footprints import read_footprint
from api.service.uploads import raster_path
from geo.hazards.hazard_values import classify_values
from geo.incident.displacement import assign_classes
from geo.incident.exposure import Exposure
from geo.incident.footprint import Footprint, check_within, dissolve_by_severity
from geo.incident.footprint_crs import to_lonlat
from geo.incident.hazard_raster import RasterPieces, raster_pieces
from geo.incident.limits import check_geojson
from geo.plans.model import Plan
from layers.footprint_files import LOCAL_LIMITS, read_hazard_raster


@dataclass(frozen=True)
class Exposed:
    """A parsed footprint, classed and dissolved by severity, and what the pieces expose.

    ``raster`` says, for a hazard raster, how many cells each class held.
    """

    parsed: Footprint
    classed: gpd.GeoDataFrame
    pieces: gpd.GeoDataFrame
    exposure: Exposure
    raster: RasterPieces | None = None


def lonlat_footprint(
    services: Services, footprint: object, *, hazard: str, crs: str | None = None
) -> object:
    """The GeoJSON footprint in lon/lat with every depth or intensity value given its class."""
    lonlat = to_lonlat(footprint, crs=crs)
    return classify_values(lonlat, services.displacement.table(hazard), hazard=hazard)


def read_classed(
    services: Services,
    footprint: object,
    *,
    hazard: str,
    plan: Plan,
    crs: str | None = None,
    generated: bool = False,
) -> tuple[Footprint, gpd.GeoDataFrame]:
    """A GeoJSON footprint read as every request reads one: limits, CRS, values, extent, classes.

    Counted as sent (densifying a projected CRS adds vertices), brought to lon/lat with its
    depth or intensity values classed, parsed and checked against the jurisdiction
    (`api.service.footprints.read_footprint`), then each feature given its class.
    """
    if not generated:
        check_geojson(footprint, services.settings.geometry_limits)
    parsed = read_footprint(
        services,
        lonlat_footprint(services, footprint, hazard=hazard, crs=crs),
        jurisdiction=plan.jurisdiction,
        generated=generated,
        counted=True,
    )
    return parsed, assign_classes(parsed.features, services.displacement, hazard=hazard)


def expose(
    services: Services,
    footprint: object,
    *,
    hazard: str,
    plan: Plan,
    crs: str | None = None,
    hazard_raster: str | Path | None = None,
    generated: bool = False,
) -> Exposed:
    """Parse the footprint (or class the raster), class its features, count the people.

    The footprint is held to the work limits (`api.service.footprints`) unless
    ``generated`` (an earthquake's field, which the service made itself).
    """
    pack = services.pack
    raster = None
    if hazard_raster is not None:
        path = raster_path(services, hazard_raster)
        grid = read_hazard_raster(path, name=Path(hazard_raster).name, limits=LOCAL_LIMITS)
        raster = raster_pieces(grid, services.displacement.table(hazard), hazard=hazard)
        parsed = Footprint(
            features=raster.pieces.assign(feature=range(len(raster.pieces))), repairs=()
        )
        check_within(parsed.features, pack.jurisdiction, name=plan.jurisdiction)
        classed = pieces = raster.pieces
    else:
        parsed, classed = read_classed(
            services, footprint, hazard=hazard, plan=plan, crs=crs, generated=generated
        )
        pieces = dissolve_by_severity(classed, order=services.displacement.order(hazard))
    exposure = count_exposure(services, pieces[["class", "geometry"]], hazard=hazard)
    return Exposed(parsed=parsed, classed=classed, pieces=pieces, exposure=exposure, raster=raster)
