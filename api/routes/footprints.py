"""Route of ``POST /api/v1/footprints``: a footprint file or a hazard raster uploaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.schemas.common import HazardName
from api.service.uploads import receive_upload

router = APIRouter(tags=["footprints"])


@router.post(
    "/footprints",
    responses={
        200: {"description": "The footprint as GeoJSON (EPSG:4326), each feature with its class"},
        201: {"description": "A hazard raster kept: its upload id for hazard_raster"},
    },
)
async def upload_footprint(
    svc: ServicesDep,
    file: Annotated[
        UploadFile,
        File(description="Zipped Shapefile, KML/KMZ, GeoPackage, GeoJSON, or a GeoTIFF raster"),
    ],
    layer: Annotated[str | None, Form(description="GeoPackage layer to read")] = None,
    class_field: Annotated[
        str | None, Form(description="Column holding each feature's class or value")
    ] = None,
    hazard: Annotated[
        HazardName | None, Form(description="Class each feature's depth_m or intensity")
    ] = None,
) -> JSONResponse:
    """A footprint file as lon/lat GeoJSON ready for /assessments, or a raster's upload id."""
    is_raster, answer = await run_in_threadpool(
        receive_upload,
        svc,
        file.file,
        name=file.filename or "upload",
        layer=layer,
        class_field=class_field,
        hazard=hazard,
    )
    return JSONResponse(answer, status_code=201 if is_raster else 200)
