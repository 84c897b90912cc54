"""Request and answer of ``POST /api/v1/travel``: a duration and distance matrix."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Point = list[float] | str


class TravelRequest(BaseModel):
    """Sources and destinations, and what closes roads."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Point] = Field(
        description=(
            "Points to travel from: [lon, lat] or a pack feature id (depot:D1, shelter:S03)"
        ),
        # Documented; the service refuses an empty list itself, with a 400 naming the field.
        json_schema_extra={"minItems": 1},
    )
    destinations: list[Point] = Field(
        description="Points to travel to, as sources", json_schema_extra={"minItems": 1}
    )
    footprint: dict[str, Any] | None = Field(
        default=None,
        description="A GeoJSON area; roads crossing it are closed, as in an assessment",
    )
    avoid_hazard_kinds: list[str] = Field(
        default_factory=list,
        description="Hazard-zone kinds of the pack (landslide, …) whose zones close roads too",
    )
    routes: bool = Field(default=False, description="Also answer the route lines")


class UnreachableOut(BaseModel):
    """A pair with no way over open roads, and why."""

    source: str = Field(description="The source as given (feature id) or lon,lat")
    destination: str = Field(description="The destination as given (feature id) or lon,lat")
    reason: str = Field(description="A reason code: no_road_near, roads_near_closed, no_path")


class TravelOut(BaseModel):
    """Durations and distances as matrices [source][destination]; null where unreachable."""

    sources: list[str] = Field(description="Row labels: feature ids as given, points as lon,lat")
    destinations: list[str] = Field(description="Column labels, as sources")
    durations: list[list[float | None]] = Field(description="Seconds over open roads")
    distances: list[list[float | None]] = Field(description="Metres of each fastest route")
    unreachable: list[UnreachableOut] = Field(description="Pairs with no way, and why")
    closed_edges: int = Field(description="Road segments closed by the footprint and hazards")
    routes: dict[str, Any] | None = Field(
        default=None, description="With routes=true: a FeatureCollection of the route lines"
    )
