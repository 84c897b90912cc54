"""Routes of ``/api/v1/tiles``: the population grid and hazard rasters as XYZ PNG tiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.service.hazard_tiles import hazard_tile
from layers.tiles import MAX_ZOOM, MIN_ZOOM

router = APIRouter()

#: Tiles do not change while the service runs on one pack; browsers may keep them an hour.
CACHE_CONTROL = "public, max-age=3600"


@router.get(
    "/tiles/population/{z}/{x}/{y}.png",
    tags=["layers"],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "A 256×256 PNG tile"},
        404: {"description": "x or y outside the zoom's grid, or the raster does not reach"},
    },
)
async def population_tile(
    svc: ServicesDep,
    z: Annotated[int, Path(ge=MIN_ZOOM, le=MAX_ZOOM, description="zoom")],
    x: Annotated[int, Path(ge=0, description="column, 0 … 2^z − 1")],
    y: Annotated[int, Path(ge=0, description="row from the north, 0 … 2^z − 1")],
) -> Response:
    """The population grid's tile z/x/y, coloured by persons per km² (classes in web-config)."""
    png = await run_in_threadpool(svc.population_tiles.png, z, x, y)
    return Response(png, media_type="image/png", headers={"Cache-Control": CACHE_CONTROL})


@router.get(
    "/tiles/hazard/{raster}/{z}/{x}/{y}.png",
    tags=["layers"],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "A 256×256 PNG tile"},
        404: {"description": "x or y outside the zoom's grid, or the raster does not reach"},
    },
)
async def hazard_raster_tile(  # noqa: PLR0917 (FastAPI passes the parameters by name)
    svc: ServicesDep,
    raster: Annotated[str, Path(description="the upload id of POST /api/v1/footprints")],
    z: Annotated[int, Path(ge=MIN_ZOOM, le=MAX_ZOOM, description="zoom")],
    x: Annotated[int, Path(ge=0, description="column, 0 … 2^z − 1")],
    y: Annotated[int, Path(ge=0, description="row from the north, 0 … 2^z − 1")],
    hazard: Annotated[str, Query(description="flood (depth, m) or earthquake (intensity)")],
) -> Response:
    """An uploaded hazard raster's tile z/x/y, in the classes an assessment counts it in."""
    png = await run_in_threadpool(hazard_tile, svc, raster, hazard=hazard, tile=(z, x, y))
    return Response(png, media_type="image/png", headers={"Cache-Control": CACHE_CONTROL})
