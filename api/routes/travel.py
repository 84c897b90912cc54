"""Route of ``POST /api/v1/travel``: travel times and distances over open roads."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas.travel import TravelOut, TravelRequest
from api.service.footprints import precheck
from api.service.travel import travel

router = APIRouter(tags=["travel"])


@router.post("/travel", response_model_exclude_none=True)
async def travel_matrix(body: TravelRequest, svc: ServicesDep) -> TravelOut:
    """Duration and distance matrix (and routes) from sources to destinations, as ORS does."""
    precheck(svc, body.footprint)
    answer = await svc.compute.run(
        travel,
        sources=body.sources,
        destinations=body.destinations,
        footprint=body.footprint,
        avoid_hazard_kinds=body.avoid_hazard_kinds,
        routes=body.routes,
    )
    return TravelOut.model_validate(answer)
