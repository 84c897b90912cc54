"""The browser app, the incident map and the GeoPackage export: routes and static files.

``install_web(app, services)`` wires everything into an app made by ``create_app``:
the routes of this module under ``/api/v1``, the browser app (``web/static``) at ``/``
and Leaflet, taken from the XStatic-Leaflet package, at ``/vendor/leaflet/``. No page
loads anything from outside the service.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from api.deps import ServicesDep, store_of
from geo.errors import InputError, NotFound
from geo.plans.model import INDICATORS
from layers.export import write_assessment_gpkg
from web import labels, pack_notes
from web.assets import LEAFLET_DIR, STATIC_DIR
from web.incident_map import render_html
from web.print.render import render_pdf

if TYPE_CHECKING:
    from api.service.bootstrap import Services

GPKG_MEDIA_TYPE = "application/geopackage+sqlite3"

Datum = Literal["WGS84", "GCJ-02"]
_DATUMS: dict[str, Datum] = {
    "WGS84": "WGS84",
    "WGS-84": "WGS84",
    "GCJ-02": "GCJ-02",
    "GCJ02": "GCJ-02",
}
_TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")

router = APIRouter()


@dataclass(frozen=True)
class WebSettings:
    """The browser app's settings: an optional internal tile server and its datum.

    Environment variables:

    - ``RELIEF_TILES_URL``: an XYZ tile URL template (``{z}/{x}/{y}``) of a tile server
      the analysts' machines reach; unset (the default) means no basemap at all
    - ``RELIEF_TILES_DATUM``: ``WGS84`` (default) or ``GCJ-02`` (AMap- and Tencent-style
      tiles; the app then shifts the WGS84 data onto them). BD-09 tiles are refused.
    - ``RELIEF_TILES_ATTRIBUTION``: the credit line the tile provider asks for
    """

    tiles_url: str | None = None
    tiles_datum: Datum = "WGS84"
    tiles_attribution: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Read and check the ``RELIEF_TILES_*`` variables."""
        env = os.environ if env is None else env
        url = env.get("RELIEF_TILES_URL") or None
        raw_datum = (env.get("RELIEF_TILES_DATUM") or "WGS84").strip().upper()
        datum = _DATUMS.get(raw_datum)
        if datum is None:
            raise InputError(
                f"RELIEF_TILES_DATUM: expected WGS84 or GCJ-02, got {raw_datum!r} "
                "(BD-09 tiles cannot be shifted and are not supported)",
                field="RELIEF_TILES_DATUM",
            )
        if url is not None:
            if not url.startswith(("http://", "https://", "/")):
                raise InputError(
                    f"RELIEF_TILES_URL: expected an http(s) URL or a path, got {url!r}",
                    field="RELIEF_TILES_URL",
                )
            missing = [p for p in _TILE_PLACEHOLDERS if p not in url]
            if missing:
                raise InputError(
                    f"RELIEF_TILES_URL: the template lacks {', '.join(missing)}",
                    field="RELIEF_TILES_URL",
                )
        return cls(
            tiles_url=url,
            tiles_datum=datum,
            tiles_attribution=env.get("RELIEF_TILES_ATTRIBUTION") or None,
        )


class TilesOut(BaseModel):
    """The basemap the browser app may show."""

    url: str | None = Field(description="XYZ tile URL template; null: no basemap")
    datum: Datum = Field(description="Datum of the tiles; GCJ-02 makes the app shift the data")
    attribution: str | None = Field(description="Credit line of the tile provider")


class HazardClassOut(BaseModel):
    """A hazard class a drawn footprint may be given."""

    name: str = Field(description="Class name as sent in properties.class")
    rate: float = Field(description="Share of affected people displaced (estimate)")


class HazardOut(BaseModel):
    """A hazard kind of CONTRACT §4 with its Chinese name and classes."""

    id: str = Field(description="Hazard id, e.g. flood")
    label: str = Field(description="Chinese name")
    classes: list[HazardClassOut] = Field(description="Classes, most severe first")
    default_class: str = Field(description="Class of a feature that names none")


class IndicatorOut(BaseModel):
    """A reported figure the plans grade."""

    id: str = Field(description="Figure name, e.g. dead_missing")
    label: str = Field(description="Chinese name")
    kind: Literal["count", "share"] = Field(description="count: persons etc.; share: 0–1")


class WebConfigOut(BaseModel):
    """What the browser app needs besides the layers: settings, names and colours."""

    jurisdiction: str = Field(description="Jurisdiction of the pack's default plan")
    default_plan: str = Field(description="Plan used when a request names none")
    bounds: list[float] = Field(description="minx, miny, maxx, maxy of the pack (EPSG:4326)")
    tiles: TilesOut = Field(description="Optional internal basemap")
    hazards: list[HazardOut] = Field(description="Hazard kinds with Chinese names and classes")
    indicators: list[IndicatorOut] = Field(description="Reported figures, in form order")
    items: dict[str, str] = Field(description="Relief items: code → Chinese name and unit")
    synthetic_layers: list[str] = Field(description="Layers whose source says synthetic")
    notice: str | None = Field(description="Demo-data notice to show, if any")
    estimate_caution: str = Field(description="Caution that figures are estimates")
    labels: dict[str, object] = Field(description="Chinese names and colours of codes")


def web_config(svc: Services, web: WebSettings) -> WebConfigOut:
    """The browser app's configuration for this service."""
    profile = svc.displacement
    hazards = [
        HazardOut(
            id=hazard,
            label=labels.HAZARDS.get(hazard, hazard),
            classes=[HazardClassOut(name=c.name, rate=c.rate) for c in profile.classes(hazard)],
            default_class=profile.default_class(hazard),
        )
        for hazard in labels.HAZARDS
        if hazard in profile.hazards
    ]
    synthetic = pack_notes.synthetic_layers(svc.pack)
    return WebConfigOut(
        jurisdiction=svc.plans.get(svc.default_plan).jurisdiction,
        default_plan=svc.default_plan,
        bounds=list(svc.pack.bounds),
        tiles=TilesOut(url=web.tiles_url, datum=web.tiles_datum, attribution=web.tiles_attribution),
        hazards=hazards,
        indicators=[
            IndicatorOut(id=name, label=label, kind="share" if kind == "share" else "count")
            for name, (kind, label) in INDICATORS.items()
        ],
        items=pack_notes.item_names(svc.pack),
        synthetic_layers=synthetic,
        notice=labels.synthetic_notice(synthetic),
        estimate_caution=labels.ESTIMATE_CAUTION,
        labels=labels.as_json(),
    )


@router.get("/web-config", tags=["service"])
def get_web_config(request: Request) -> WebConfigOut:
    """Settings, Chinese names and colours for the browser app."""
    found: WebConfigOut = request.app.state.web_config
    return found


def situation_map(services: Services, answer: str, *, paper: Literal["A3", "A4"]) -> bytes:
    """The printed situation map (PDF) of an answer stored as JSON text (a compute task)."""
    return render_pdf(json.loads(answer), services.pack, paper=paper)


def _checked_id(assessment_id: str) -> str:
    # Ids become file names in Content-Disposition; refuse anything else outright.
    if not _ID.match(assessment_id):
        raise NotFound(f"assessment {assessment_id!r} does not exist")
    return assessment_id


@router.get(
    "/assessments/{assessment_id}/map.html",
    tags=["assessments"],
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "A self-contained page"}},
)
def get_incident_map(assessment_id: str, svc: ServicesDep) -> HTMLResponse:
    """The incident map: one self-contained HTML page that opens offline from a file."""
    body = store_of(svc).assessment(_checked_id(assessment_id))
    return HTMLResponse(
        render_html(body, svc.pack),
        headers={"Content-Disposition": f'inline; filename="reliefgis-{assessment_id}.html"'},
    )


@router.get(
    "/assessments/{assessment_id}/export.gpkg",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {GPKG_MEDIA_TYPE: {}}, "description": "A GeoPackage file"}},
)
def get_export(assessment_id: str, svc: ServicesDep) -> Response:
    """The assessment as a GeoPackage: footprint, shelters, routes, counties and a readme."""
    body = store_of(svc).assessment(_checked_id(assessment_id))
    with tempfile.TemporaryDirectory(prefix="reliefgis-export-") as folder:
        path = write_assessment_gpkg(
            body,
            counties=svc.pack.counties,
            depots=svc.pack.depots,
            path=Path(folder) / "assessment.gpkg",
            names={**labels.export_names(), "item": pack_notes.item_names(svc.pack)},
        )
        content = path.read_bytes()
    return Response(
        content,
        media_type=GPKG_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="reliefgis-{assessment_id}.gpkg"'},
    )


def install_web(app: FastAPI, services: Services, *, web: WebSettings | None = None) -> None:
    """Add the browser app, Leaflet, the incident map, the export and ``/api/v1/web-config``.

    The configuration served at ``/api/v1/web-config`` is built here, once, from
    ``services`` and ``web`` (default: the ``RELIEF_TILES_*`` environment variables).
    Replaces any landing page already routed at ``/``; a second call does nothing.
    """
    if getattr(app.state, "web_installed", False):
        return
    app.state.web_installed = True
    app.state.web_config = web_config(services, web or WebSettings.from_env())
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/"]
    app.include_router(router, prefix="/api/v1")
    app.mount("/vendor/leaflet", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")
