"""The browser app, the incident map, the printed map and the GeoPackage export.

``install_web(app, services)`` wires everything into an app made by ``create_app``:
the routes of this module under ``/api/v1``, the browser app (``web/static``) at ``/``
and Leaflet, taken from the XStatic-Leaflet package, at ``/vendor/leaflet/``. No page
loads anything from outside the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, store_of
from api.schemas.browser import WebConfigOut
from api.security import principal
from api.service.bootstrap import Services
from api.service.browser import web_config
from api.service.maps import assessment_export, checked_id, incident_map, situation_map
from api.service.products import ExportFile
from api.service.render_gate import GateLimits, RenderGate
from api.settings import Settings
from layers.exports.options import (
    CRSES,
    ENCODINGS,
    MEDIA_TYPES,
    SHORT_NAMES,
    export_crs,
    export_encoding,
    export_format,
)
from web.assets import LEAFLET_DIR, STATIC_DIR
from web.print.sheets import STANDARD_SCALES, parse_scale

router = APIRouter()


@router.get("/web-config", tags=["service"])
def get_web_config(request: Request) -> WebConfigOut:
    """Settings, Chinese names and colours for the browser app."""
    found: WebConfigOut = request.app.state.web_config
    return found


#: The answers a made product may also give, besides itself.
BUSY: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such assessment"},
    429: {"description": "Too many maps or files being made for this client; see Retry-After"},
}


def _client(request: Request) -> str:
    """Whose share a rendering counts against: the API key's name, else the address."""
    return principal(request.scope) or (request.client.host if request.client else "unknown")


async def _product(
    request: Request,
    svc: Services,
    assessment_id: str,
    task: Callable[..., ExportFile],
    **options: str,
) -> Response:
    """``task``'s product of a stored assessment, kept once made, rationed per client."""
    checked = checked_id(assessment_id)
    gate: RenderGate[ExportFile] = request.app.state.render_gate

    async def make() -> ExportFile:
        text = await run_in_threadpool(store_of(svc).assessment_json, checked)
        made: ExportFile = await svc.compute.run(task, text, **options)
        return made

    key = (checked, task.__name__, tuple(sorted(options.items())), svc.version)
    found = await gate.get(_client(request), key, make)
    disposition = "attachment" if task is assessment_export else "inline"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{found.filename}"'},
    )


@router.get(
    "/assessments/{assessment_id}/map.html",
    tags=["assessments"],
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "A self-contained page"}, **BUSY},
)
async def get_incident_map(assessment_id: str, request: Request, svc: ServicesDep) -> Response:
    """The incident map: one self-contained HTML page that opens offline from a file."""
    return await _product(request, svc, assessment_id, incident_map)


@router.get(
    "/assessments/{assessment_id}/map.pdf",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Situation map"}, **BUSY},
)
async def get_map_pdf(
    assessment_id: str,
    request: Request,
    svc: ServicesDep,
    paper: Annotated[Literal["A3", "A4"], Query(description="Paper size, landscape")] = "A3",
    scale: Annotated[
        str,
        Query(
            description="auto or 10000|25000|50000|100000|250000|500000: scale 1:N of the "
            "detail map (CGCS2000 3° Gauss-Krüger zone); auto: the largest that holds the "
            "footprint; a fixed one larger than a sheet adds an overview and one page per sheet",
            # Documented, not enforced here: parse_scale also reads 1:50,000 and refuses
            # the rest with a 400 naming the field.
            json_schema_extra={"enum": ["auto", *(str(s) for s in STANDARD_SCALES)]},
        ),
    ] = "auto",
) -> Response:
    """The printed situation map (PDF, landscape) of a stored assessment."""
    # a bad scale is refused before any work; "1:50,000" and "50000" are one map
    denominator = parse_scale(scale)
    chosen = "auto" if denominator is None else str(denominator)
    return await _product(request, svc, assessment_id, situation_map, paper=paper, scale=chosen)


@router.get(
    "/assessments/{assessment_id}/export.{fmt}",
    tags=["assessments"],
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "The assessment as a file",
        },
        **BUSY,
    },
)
async def get_export(  # noqa: PLR0917 (FastAPI passes the parameters by name)
    assessment_id: str,
    fmt: Annotated[
        str,
        Path(
            description="gpkg, shp.zip, kml, xlsx, csv (per county) or docx",
            json_schema_extra={"enum": sorted(SHORT_NAMES)},
        ),
    ],
    request: Request,
    svc: ServicesDep,
    crs: Annotated[
        str,
        Query(
            description="4326 (WGS84) or 4490 (CGCS2000)",
            json_schema_extra={"enum": sorted(CRSES)},
        ),
    ] = "4326",
    encoding: Annotated[
        str,
        Query(
            description="Shapefile/CSV text: utf-8 or gbk",
            json_schema_extra={"enum": sorted(ENCODINGS)},
        ),
    ] = "utf-8",
) -> Response:
    """The assessment as GeoPackage (QGIS-styled), Shapefile zip, KML, XLSX, CSV or DOCX."""
    options = {
        "fmt": export_format(fmt),  # bad options are refused before any work is queued
        "crs": export_crs(crs),
        "encoding": export_encoding(encoding),
    }
    return await _product(request, svc, assessment_id, assessment_export, **options)


def render_gate(settings: Settings) -> RenderGate[ExportFile]:
    """The gate every map and export of this app passes, by the settings' limits."""
    limits = GateLimits(
        per_client=settings.renders_per_client,
        queue=settings.render_queue,
        retry_after_s=settings.render_retry_s,
        cache_bytes=settings.map_cache_mb * 2**20,
    )
    return RenderGate(limits, size=lambda product: len(product.content))


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
    app.state.render_gate = render_gate(services.settings)
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/"]
    app.include_router(router, prefix="/api/v1")
    app.mount("/vendor/leaflet", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")
