"""The browser app, the incident map, the printed map and the GeoPackage export.

``install_web(app, services)`` wires everything into an app made by ``create_app``:
the routes of this module under ``/api/v1``, the browser app (``web/static``) at ``/``
and Leaflet, taken from the XStatic-Leaflet package, at ``/vendor/leaflet/``. No page
loads anything from outside the service.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, store_of
from api.schemas.browser import WebConfigOut
from api.service.bootstrap import Services
from api.service.browser import web_config
from api.service.maps import assessment_export, incident_map, situation_map
from layers.exports.options import MEDIA_TYPES
from web.assets import LEAFLET_DIR, STATIC_DIR
from web.print.sheets import parse_scale

router = APIRouter()


@router.get("/web-config", tags=["service"])
def get_web_config(request: Request) -> WebConfigOut:
    """Settings, Chinese names and colours for the browser app."""
    found: WebConfigOut = request.app.state.web_config
    return found


@router.get(
    "/assessments/{assessment_id}/map.html",
    tags=["assessments"],
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "A self-contained page"}},
)
def get_incident_map(assessment_id: str, svc: ServicesDep) -> HTMLResponse:
    """The incident map: one self-contained HTML page that opens offline from a file."""
    return HTMLResponse(
        incident_map(svc, store_of(svc), assessment_id),
        headers={"Content-Disposition": f'inline; filename="reliefgis-{assessment_id}.html"'},
    )


@router.get(
    "/assessments/{assessment_id}/map.pdf",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Situation map"}},
)
async def get_map_pdf(
    assessment_id: str,
    svc: ServicesDep,
    paper: Annotated[Literal["A3", "A4"], Query(description="Paper size, landscape")] = "A3",
    scale: Annotated[
        str,
        Query(
            description="auto or 10000|25000|50000|100000|250000|500000: scale 1:N of the "
            "detail map (CGCS2000 3° Gauss-Krüger zone); auto: the largest that holds the "
            "footprint; a fixed one larger than a sheet adds an overview and one page per sheet"
        ),
    ] = "auto",
) -> Response:
    """The printed situation map (PDF, landscape) of a stored assessment."""
    parse_scale(scale)  # a bad scale is a 422 before any work
    text = await run_in_threadpool(store_of(svc).assessment_json, assessment_id)
    pdf = await svc.compute.run(situation_map, text, paper=paper, scale=scale)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{assessment_id}-{paper}.pdf"'},
    )


@router.get(
    "/assessments/{assessment_id}/export.{fmt}",
    tags=["assessments"],
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "The assessment as a file",
        }
    },
)
def get_export(
    assessment_id: str,
    fmt: Annotated[str, Path(description="gpkg, shp.zip, kml, xlsx, csv (per county) or docx")],
    svc: ServicesDep,
    crs: Annotated[str, Query(description="4326 (WGS84) or 4490 (CGCS2000)")] = "4326",
    encoding: Annotated[str, Query(description="Shapefile/CSV text: utf-8 or gbk")] = "utf-8",
) -> Response:
    """The assessment as GeoPackage (QGIS-styled), Shapefile zip, KML, XLSX, CSV or DOCX."""
    found = assessment_export(
        svc, store_of(svc), assessment_id, fmt=fmt, crs=crs, encoding=encoding
    )
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


def install_web(app: FastAPI, services: Services) -> None:
    """Add the browser app, Leaflet, the incident map, the export and ``/api/v1/web-config``.

    The configuration served at ``/api/v1/web-config`` is built here, once, from
    ``services`` and their settings.
    Replaces any landing page already routed at ``/``; a second call does nothing.
    """
    if getattr(app.state, "web_installed", False):
        return
    app.state.web_installed = True
    app.state.web_config = web_config(services)
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/"]
    app.include_router(router, prefix="/api/v1")
    app.mount("/vendor/leaflet", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")
