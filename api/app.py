"""``create_app(settings)``: the FastAPI service, its pack, plans and store loaded once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.errors import add_exception_handlers
from api.limits import BodyLimit
from api.routes import router
from api.services import Services, load_services
from api.settings import Settings
from web.pages import index_html

DESCRIPTION = """
reliefgis: 自然灾害救助空间决策支持 — population affected and displaced, the response
level a jurisdiction's 自然灾害救助应急预案 calls for (with its clauses), shelters and
supply. All geometries are GeoJSON in EPSG:4326 (CGCS2000 EPSG:4490 accepted as input).
Errors are `application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the service; the layer pack, plans and profiles are read here, once."""
    services = services or load_services(settings or Settings.from_env())
    app = FastAPI(
        title="reliefgis",
        version=services.version,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "service", "description": "Health"},
            {"name": "plans", "description": "Plan profiles and the response-level engine"},
            {"name": "assessments", "description": "Incident assessments and site checks"},
            {"name": "layers", "description": "The layer pack"},
        ],
    )
    app.state.services = services
    add_exception_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=services.settings.max_body_bytes)
    app.include_router(router, prefix="/api/v1")

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def index() -> str:
        return index_html(services.pack)

    return app
