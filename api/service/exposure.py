"""Where an incident's exposure is counted: in this process, or on a Dask cluster.

With a Dask scheduler configured (``RELIEF_DASK_SCHEDULER=tcp://host:8786``, or
``--dask`` on ``reliefgis serve`` and ``assess``), a footprint whose population window
holds more than ``dask_min_cells`` cells (``RELIEF_DASK_MIN_CELLS``) is counted on the
cluster in tiles of ``dask_tile_cells`` × ``dask_tile_cells`` cells
(`layers.distributed.distributed_exposure`): the workers read the raster by window from
the pack's path, which they must reach (a shared mount). Smaller footprints, and every
footprint without a scheduler, are counted in this process as before. Both paths give the
same persons: tiles never share a cell, and the same largest-remainder rounding follows.
"""

from __future__ import annotations

import geopandas as gpd

from api.service.bootstrap import Services
from geo.incident.exposure import Exposure, compute_exposure
from geo.incident.grid import project_bounds
from layers.distributed import assessment_needs, client_for, distributed_exposure
from layers.population import read_window, window_for


def window_cells(services: Services, pieces: gpd.GeoDataFrame) -> int:
    """How many population cells the pieces' window holds (what decides the path)."""
    grid = services.pack.population
    window = window_for(grid, project_bounds(tuple(pieces.total_bounds), crs=grid.crs))
    return int(window.width) * int(window.height)


def on_cluster(services: Services, pieces: gpd.GeoDataFrame) -> bool:
    """Whether these pieces are counted on the Dask cluster."""
    settings = services.settings
    if not settings.dask_scheduler:
        return False
    return window_cells(services, pieces) > settings.dask_min_cells


def count_exposure(services: Services, pieces: gpd.GeoDataFrame, *, hazard: str) -> Exposure:
    """People affected and displaced in the severity pieces, on the path the settings choose."""
    pack = services.pack
    settings = services.settings
    address = settings.dask_scheduler
    if address and on_cluster(services, pieces):
        return distributed_exposure(
            pieces,
            pack.counties,
            pack.population,
            profile=services.displacement,
            hazard=hazard,
            client=client_for(address),
            tile_cells=settings.dask_tile_cells,
            needs=assessment_needs(
                pack.shelters, services.setbacks.service_radii(), metric_crs=services.metric_crs
            ),
        )
    bounds = project_bounds(tuple(pieces.total_bounds), crs=pack.population.crs)
    return compute_exposure(
        pieces,
        pack.counties,
        read_window(pack.population, bounds),
        profile=services.displacement,
        hazard=hazard,
    )
