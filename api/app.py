"""``create_app(settings)``: the FastAPI service, its pack, plans and store loaded once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline

from api.disconnect import CancelOnDisconnect
from api.errors import add_exception_handlers, document_problems
from api.limits import BodyLimit
from api.routes import (
    assessments,
    earthquakes,
    footprints,
    incidents,
    layers,
    ogc,
    plans,
    tiles,
    travel,
)
from api.routes.maps import install_web
from api.security import ApiKeyGuard, redact_access_log
from api.service.bootstrap import Services, load_services
from api.service.compute import Compute
from api.service.view_warming import prepare_opening, start_warming
from api.settings import Settings

DESCRIPTION = """
reliefgis: 自然灾害救助空间决策支持 — population affected and displaced, the response
level a jurisdiction's 自然灾害救助应急预案 calls for (with its clauses), shelters and
supply. All geometries are GeoJSON in EPSG:4326 (CGCS2000 EPSG:4490 accepted as input).
Errors are `application/problem+json` (RFC 9457).

When the service has API keys, every `/api/v1` call needs `Authorization: Bearer KEY`:
`viewer` reads, `analyst` also creates assessments, incidents, reports and site checks,
`admin` may do everything.
"""


@asynccontextmanager
async def _lifespan(compute: Compute[Services], app: FastAPI) -> AsyncIterator[None]:
    """Start the compute workers and write the map's opening view before the first request.

    Both at once: the workers are other processes. Stop the workers on shutdown.
    """
    await asyncio.gather(compute.start(), asyncio.to_thread(prepare_opening, app.state.services))
    warming = start_warming(app.state.services)  # the map's views, in the background
    try:
        yield
    finally:
        warming.set()
        compute.close()


def _openapi(app: FastAPI, *, keys: bool) -> dict[str, Any]:
    """The OpenAPI document with the bearer-key scheme (required when keys are set)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key from RELIEF_API_KEYS (viewer, analyst or admin)",
            }
        }
        if keys:
            schema["security"] = [{"apiKey": []}]
        document_problems(schema)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the service; the layer pack, plans and profiles are read here, once.

    ``settings`` (default: the ``RELIEF_*`` environment variables) configure everything,
    the browser map's basemap included; ``services`` already built from them may be given
    instead.
    """
    services = services or load_services(settings or Settings.from_env())
    # FastAPIOffline: /docs (Swagger UI) from files of the fastapi-offline package, served
    # here; FastAPI's own page would load it from a CDN. No /redoc: ReDoc's page loads its
    # logo from cdn.redoc.ly whatever it is told.
    app = FastAPIOffline(
        redoc_url=None,
        lifespan=partial(_lifespan, services.compute),
        title="reliefgis",
        version=services.version,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "service", "description": "Health"},
            {"name": "plans", "description": "Plan profiles and the response-level engine"},
            {"name": "assessments", "description": "Incident assessments and site checks"},
            {"name": "layers", "description": "The layer pack"},
            {"name": "incidents", "description": "Incidents, 初报/续报/核报, verdicts, deadlines"},
        ],
    )
    app.state.services = services
    redact_access_log()
    settings = services.settings
    add_exception_handlers(app)
    # The last middleware added is the outermost: CORS answers preflights, a client that
    # disconnects cancels its request, the key guard refuses before a body is read, then
    # the body limit.
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_nesting=settings.max_nesting
    )
    app.add_middleware(ApiKeyGuard, keys=settings.api_keys)
    app.add_middleware(CancelOnDisconnect)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Location"],
        )
    for routes in (layers, tiles, plans, assessments, earthquakes, incidents, travel, footprints):
        app.include_router(routes.router, prefix="/api/v1")
    app.include_router(ogc.router)
    # install_web adds the web routes under /api/v1 (ApiKeyGuard covers them too) and the
    # browser app at /.
    install_web(app, services)
    app.openapi = lambda: _openapi(app, keys=bool(settings.api_keys))  # type: ignore[method-assign]
    return app
