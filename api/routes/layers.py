"""Routes of ``/api/v1/layers`` and ``/api/v1/health``: the layer pack the service reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import ServicesDep
from api.schemas.common import Health, LayerInfo, RoadNetworkHealth
from api.security import sees_paths
from api.service.views import layer_geojson, parse_bbox

router = APIRouter()


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
    responses={200: {"content": {"application/geo+json": {}}, "description": "FeatureCollection"}},
)
def get_layer(
    name: str,
    svc: ServicesDep,
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in EPSG:4326; only features intersecting it",
            max_length=200,
        ),
    ] = None,
) -> Response:
    """A vector layer as a GeoJSON FeatureCollection (EPSG:4326), optionally within a bbox."""
    box = None if bbox is None else parse_bbox(bbox)
    text = svc.layer_text(name) if box is None else layer_geojson(svc.pack, name, box)
    return Response(text, media_type="application/geo+json")
