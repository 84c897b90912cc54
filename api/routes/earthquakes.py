"""Routes of ``/api/v1/earthquakes``: an earthquake's estimated intensity field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas.earthquake import EarthquakeIn, IntensityOut
from api.service.quake import field_geojson, quake_field

router = APIRouter(tags=["earthquakes"])


@router.post("/earthquakes/intensity", response_model=IntensityOut)
def post_intensity(body: EarthquakeIn, svc: ServicesDep) -> dict[str, Any]:
    """The intensity field from magnitude and epicentre: one ring per degree, Ⅵ and above."""
    return field_geojson(quake_field(svc, **body.model_dump()))
