"""Routes of ``/api/v1/layers`` and ``/api/v1/health``: the layer pack the service reads."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from api.deps import ServicesDep
from api.schemas.common import Health, LayerInfo, RoadNetworkHealth
from api.security import sees_paths
from api.service.viewport import MAX_VIEW_FEATURES, MAX_VIEW_ZOOM, MIN_VIEW_ZOOM
from api.service.views import layer_geojson, parse_bbox

router = APIRouter()

GEOJSON = "application/geo+json"
#: zlib level for view answers: most of level 9's gain at a fraction of its time.
GZIP_LEVEL = 5
#: A view answer's header: how many of its features were simplified for it (0 when the
#: zoom was prepared ahead, `api.service.view_warming`).
WRITTEN_HEADER = "X-View-Written"


@router.get("/health", tags=["service"])
def health(svc: ServicesDep, request: Request) -> Health:
    """Service status, the pack in use and what it holds (its full path to admins only)."""
    path = svc.pack.path
    return Health(
        status="ok",
        version=svc.version,
        pack=str(path) if sees_paths(request.scope, svc.settings.api_keys) else path.name,
        plans=svc.plans.ids(),
        layers={
            ("population_cells" if info.kind == "raster" else info.name): info.count
            for info in svc.layer_infos
        },
        population_persons=round(svc.pack.population.total),
        repairs=list(svc.pack.repairs),
        compute_processes=svc.compute.ready,
        default_plan=svc.default_plan,
        notes=[]
        if svc.default_plan
        else [
            "no plan profile covers this layer pack's counties: every request must name its "
            f"plan ({', '.join(svc.plans.ids())})"
        ],
        road_network=RoadNetworkHealth(
            components=svc.connectivity.components,
            largest_share=svc.connectivity.largest_share,
            isolated_shelters=list(svc.connectivity.isolated_shelters),
            isolated_depots=list(svc.connectivity.isolated_depots),
        ),
    )


@router.get("/layers", tags=["layers"])
def list_layers(svc: ServicesDep) -> list[LayerInfo]:
    """The layers of the pack with counts, geometry types and CRS."""
    return list(svc.layer_infos)


@router.get(
    "/layers/{name}",
    tags=["layers"],
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "FeatureCollection",
            "headers": {
                WRITTEN_HEADER: {
                    "description": "with zoom: features simplified for this answer (0: all "
                    "were prepared ahead)",
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
        }
    },
)
def get_layer(
    name: str,
    svc: ServicesDep,
    *,
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in EPSG:4326; only features intersecting it",
            max_length=200,
        ),
    ] = None,
    zoom: Annotated[
        int | None,
        Query(
            ge=MIN_VIEW_ZOOM,
            le=MAX_VIEW_ZOOM,
            description=(
                "the map's zoom: features simplified to about a pixel at it, roads of classes "
                "drawn from a higher zoom left out, at most "
                f"{MAX_VIEW_FEATURES} features (more is a 413)"
            ),
        ),
    ] = None,
    properties: Annotated[
        str | None,
        Query(
            description="with zoom: the comma-separated properties to send (all by default)",
            max_length=500,
        ),
    ] = None,
    accept_encoding: Annotated[str, Header(include_in_schema=False)] = "",
) -> Response:
    """A vector layer as a GeoJSON FeatureCollection (EPSG:4326), optionally for a map view.

    Without ``zoom`` every feature keeps every vertex (within ``bbox`` when given); with
    ``zoom`` the answer is for a map view at that zoom (see the parameter).
    """
    box = None if bbox is None else parse_bbox(bbox)
    if zoom is not None:
        columns = None if properties is None else tuple(p for p in properties.split(",") if p)
        view = svc.view_layers.view(name, zoom=zoom, box=box, columns=columns)
        headers = {WRITTEN_HEADER: str(view.written)}
        if "gzip" not in accept_encoding:
            return Response(view.text, media_type=GEOJSON, headers=headers)
        # A view is asked for on every pan: send it compressed (GeoJSON shrinks ~5×).
        body = gzip.compress(view.text.encode(), compresslevel=GZIP_LEVEL)
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(body, media_type=GEOJSON, headers=headers)
    text = svc.layer_text(name) if box is None else layer_geojson(svc.pack, name, box)
    return Response(text, media_type=GEOJSON)
