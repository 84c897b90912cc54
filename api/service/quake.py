"""An earthquake from its magnitude and epicentre: the intensity field, houses, a death range.

Shared by ``POST /api/v1/earthquakes/intensity``, ``POST /api/v1/assessments`` with an
``earthquake`` instead of a footprint, and ``reliefgis quake``. The field's strike is the
one given, else the dominant orientation of a ``fault`` zone near the epicentre, else the
attenuation profile's default; the answer says which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Literal

import geopandas as gpd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from api.service.bootstrap import Services
from geo.errors import GeometryError
from geo.hazards.fault_strike import nearest_fault_strike
from geo.hazards.intensity import IntensityField, check_magnitude, intensity_field, local_crs

StrikeKind = Literal["given", "fault_zone", "default"]


@dataclass(frozen=True)
class Quake:
    """An earthquake's estimated intensity field and how its strike was chosen."""

    field: IntensityField
    strike_kind: StrikeKind

    def degrees(self) -> dict[int, str]:
        """Each drawn degree and its label (Ⅵ …), lowest first."""
        return {iso.intensity: iso.label for iso in self.field.isoseismals}


def _check_reach(field: IntensityField, area: BaseGeometry, *, name: str) -> None:
    """Refuse a field that does not reach the jurisdiction, saying how far off it lies.

    Raises
    ------
    GeometryError
        Naming the outer degree, its long semi-axis and the epicentre's distance (km).
    """
    rings = field.rings.geometry.to_numpy()
    if len(rings) and shapely.intersects(shapely.union_all(rings), area):
        return
    local = gpd.GeoSeries([area], crs="EPSG:4326").to_crs(local_crs(field.lon, field.lat))
    distance_km = float(local.iloc[0].distance(Point(0.0, 0.0))) / 1000.0
    if not field.isoseismals:
        reach = "no degree of the field is reached at this magnitude"
    else:
        outer = field.isoseismals[0]
        reach = f"its outer degree {outer.label} reaches {outer.semi_major_km:.1f} km"
    raise GeometryError(
        f"earthquake: the intensity field does not reach {name} ({reach}); "
        f"the epicentre lies {distance_km:.1f} km from it",
        field="epicentre",
    )


def quake_field(
    services: Services,
    *,
    magnitude: float,
    lon: float,
    lat: float,
    strike: float | None = None,
    region: str | None = None,
    plan: str | None = None,
) -> Quake:
    """The intensity field of an earthquake over the pack, its strike chosen and stated.

    Raises
    ------
    InputError
        A magnitude outside 3.0–9.5 (``field="magnitude"``), an unknown region, a bad
        epicentre or strike.
    GeometryError
        The field does not reach the jurisdiction (``field="epicentre"``), with the distance.
    """
    magnitude = check_magnitude(magnitude)
    kind: StrikeKind = "given" if strike is not None else "default"
    from_fault = None
    if strike is None:
        from_fault = nearest_fault_strike(
            services.pack.hazard_zones,
            lon=lon,
            lat=lat,
            within_km=services.settings.fault_strike_km,
        )
    if from_fault is not None:
        strike, kind = from_fault.strike_deg, "fault_zone"
    field = intensity_field(
        services.attenuation,
        magnitude=magnitude,
        lon=lon,
        lat=lat,
        strike=strike,
        region=region,
    )
    if from_fault is not None:
        field = replace(field, strike_source=from_fault.source)
    name = services.plans.file(services.plan_id(plan)).plan.jurisdiction
    _check_reach(field, services.pack.jurisdiction, name=name)
    return Quake(field=field, strike_kind=kind)


def field_geojson(quake: Quake) -> dict[str, Any]:
    """The field as a GeoJSON FeatureCollection: one ring per degree, with how it was drawn.

    Each feature carries ``intensity``, ``label`` and ``class`` (the label, which the
    displacement profile knows as an earthquake class), so the collection is a footprint.
    """
    field = quake.field
    rings = field.rings.copy()
    rings["class"] = rings["label"]
    rings["semi_major_km"] = [round(i.semi_major_km, 3) for i in field.isoseismals]
    rings["semi_minor_km"] = [round(i.semi_minor_km, 3) for i in field.isoseismals]
    collection: dict[str, Any] = json.loads(rings.to_json(drop_id=True, ensure_ascii=False))
    collection.update(
        {
            "magnitude": field.magnitude,
            "epicentre": {"lon": field.lon, "lat": field.lat},
            "strike": {
                "degrees": round(field.strike_deg, 1),
                "kind": quake.strike_kind,
                "source": field.strike_source,
            },
            "relation": {
                "id": field.relation.id,
                "label": field.relation.label,
                "source": field.relation.source,
                "status": field.relation.status,
            },
            "estimate": True,
        }
    )
    return collection
