"""Request and response models of assessments and site checks (CONTRACT §4)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import GradedFigures, HazardName, VerdictOut
from api.schemas.earthquake import EarthquakeIn, EarthquakeOut


class AssessmentRequest(BaseModel):
    """An incident footprint to assess, or an earthquake whose estimated field is one."""

    model_config = ConfigDict(extra="forbid")

    footprint: dict[str, Any] | None = Field(
        default=None,
        description=(
            "GeoJSON Geometry, Feature or FeatureCollection of (Multi)Polygons in EPSG:4326 "
            "(EPSG:4490 accepted), or in the CRS its legacy crs member or the crs field names; "
            "a feature's properties.class is its hazard class, e.g. flood depth band "
            '"0.7-1.5m" or seismic intensity "VIII", or a number: properties.depth_m (flood), '
            "properties.intensity (Roman or Arabic) or a numeric class selects the class whose "
            "bounds (min < v <= max) hold it"
        ),
    )
    crs: str | None = Field(
        default=None,
        max_length=20000,
        description="CRS of the footprint's coordinates (EPSG code, URN or WKT, as pyproj "
        "reads it) when it has no crs member; lon/lat when omitted",
    )
    hazard_raster: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{32}$",
        description="Upload id of a GeoTIFF of flood depth (m) or seismic intensity from "
        "POST /api/v1/footprints, instead of a footprint: cells are classed by the profile's "
        "bounds, cells below the least severe class affect nobody",
    )
    hazard: HazardName | None = Field(
        default=None,
        description="Hazard kind; selects the class table and rates (earthquake with an "
        "earthquake; required with a footprint)",
    )
    earthquake: EarthquakeIn | None = Field(
        default=None,
        description="Magnitude and epicentre instead of a footprint: the estimated intensity "
        "field (Ⅵ and above) becomes the footprint, and the answer adds collapsed houses and "
        "a death range",
    )
    use_casualty_estimate: bool = Field(
        default=False,
        description="Grade the level on the estimated deaths too (else shown for reference)",
    )
    plan: str | None = Field(
        default=None, description="Plan profile id; the layer pack's own plan when omitted"
    )
    figures: GradedFigures = Field(
        default_factory=GradedFigures,
        description="Reported figures; they override estimates",
    )
    title: str | None = Field(default=None, max_length=200, description="Incident name")

    @model_validator(mode="after")
    def _one_source(self) -> AssessmentRequest:
        given = [self.footprint, self.earthquake, self.hazard_raster]
        if sum(g is not None for g in given) != 1:
            raise ValueError(
                "give one of footprint, earthquake or hazard_raster, not several and not none"
            )
        if self.earthquake is None and self.hazard is None:
            raise ValueError("hazard: required with a footprint or hazard_raster")
        if self.earthquake is not None and self.hazard not in (None, "earthquake"):
            raise ValueError(f"hazard: an earthquake is assessed as earthquake, not {self.hazard}")
        return self


class CountyRow(BaseModel):
    """People affected and displaced in one county (rows sum exactly to the totals)."""

    code: str = Field(description="GB/T 2260 county code")
    name: str = Field(description="County name")
    population: int | None = Field(description="The county's population in the pack")
    affected: int = Field(description="People inside the footprint (estimate)")
    displaced: int = Field(description="People needing relocation (estimate)")
    unplaced: int = Field(description="Displaced people no usable shelter could take")
    by_class: dict[str, int] = Field(description="Affected people per hazard class")


class ClassRow(BaseModel):
    """People in one hazard class over the whole footprint."""

    model_config = ConfigDict(populate_by_name=True)

    hazard_class: str = Field(alias="class", description="Hazard class name")
    rate: float = Field(description="Share of affected people displaced in this class")
    affected: int = Field(description="People affected in this class")
    displaced: int = Field(description="People displaced in this class")


class PopulationOut(BaseModel):
    """People affected and displaced (estimates)."""

    affected: int = Field(description="People on the grid inside the footprint")
    displaced: int = Field(description="People needing relocation (displacement rates)")
    estimate: bool = Field(description="Always true: these are estimates")
    notice: str = Field(description="Caution to check the figures on the ground")
    method: str = Field(description="How the figures were estimated")
    outside_counties: int = Field(description="People inside the footprint but outside the pack")
    by_county: list[CountyRow] = Field(description="Per county; rows sum to the totals")
    by_class: list[ClassRow] = Field(description="Per hazard class")


class ConflictOut(BaseModel):
    """A hazard zone a shelter lies in (distance 0) or within the setback of."""

    zone_id: str = Field(description="Hazard zone id")
    kind: str = Field(description="Hazard zone kind")
    risk: str = Field(description="Hazard zone risk")
    distance_m: float = Field(description="Distance from the shelter to the zone (m)")
    setback_m: float = Field(description="Setback that applied (m)")


class ShelterOut(BaseModel):
    """A shelter's status and how many displaced people it takes."""

    id: str = Field(description="Shelter id")
    name: str = Field(description="Shelter name")
    kind: str = Field(description="emergency, short_term, long_term …")
    capacity: int = Field(description="Places")
    status: Literal["usable", "in_footprint", "hazard_conflict"] = Field(
        description="Whether it may receive people"
    )
    conflicts: list[ConflictOut] = Field(description="Hazard zones too close, nearest first")
    assigned: int = Field(description="Displaced people assigned (never above capacity)")
    lon: float = Field(description="Longitude of its representative point")
    lat: float = Field(description="Latitude of its representative point")


class UnplacedRow(BaseModel):
    """Displaced people left without a place in one county."""

    code: str = Field(description="County code")
    name: str = Field(description="County name")
    unplaced: int = Field(description="People without a place")


class PlacementOut(BaseModel):
    """How displaced people were assigned to shelters."""

    travel: str = Field(description="The travel measure minimised")
    placed: int = Field(description="People given a place")
    unplaced: int = Field(description="People left without a place")
    unplaced_by_county: list[UnplacedRow] = Field(description="Unplaced people per county")
    demand_points: int = Field(description="Blocks the displaced were gathered into")
    block_m: float = Field(description="Block size (m)")


class KindCoverageOut(BaseModel):
    """Affected people within one shelter kind's service radius."""

    kind: str = Field(description="Shelter kind")
    radius_m: float = Field(description="Service radius (GB 50413-2007)")
    shelters: int = Field(description="Usable shelters of this kind")
    covered: float = Field(description="Affected people within the radius")
    share: float | None = Field(description="Share of the affected population")


class CoverageOut(BaseModel):
    """Service-radius coverage of the affected population by usable shelters."""

    share: float | None = Field(description="Share within any kind's radius")
    covered: int = Field(description="Affected people covered")
    affected: int = Field(description="Affected people")
    by_kind: list[KindCoverageOut] = Field(description="Per shelter kind")


class UnreachableOut(BaseModel):
    """A usable shelter no depot reaches over open roads."""

    shelter_id: str = Field(description="Shelter id")
    reason: str = Field(description="Why no depot reaches it")


class DepotOut(BaseModel):
    """A depot's state in the supply plan."""

    id: str = Field(description="Depot id")
    name: str = Field(description="Depot name")
    status: Literal["sending", "in_footprint", "cut_off", "no_stock"] = Field(
        description="sending; in_footprint and cut_off send nothing"
    )
    reason: str | None = Field(description="Why it sends nothing")
    sent: dict[str, float] = Field(description="Quantities sent per item")


class SupplyOut(BaseModel):
    """The supply plan: routes over open roads, unreachable shelters, shortfalls."""

    routes: dict[str, Any] = Field(
        description="FeatureCollection of LineStrings along the roads, properties depot_id, "
        "shelter_id, distance_m, duration_s, items {item: quantity}"
    )
    unreachable: list[str] = Field(description="Usable shelters no depot reaches")
    unreachable_detail: list[UnreachableOut] = Field(description="The same, with reasons")
    shortfall: dict[str, float] = Field(description="Demand no stock could meet, per item")
    shortfall_by_shelter: dict[str, dict[str, float]] = Field(
        description="Unmet demand per shelter and item"
    )
    depots: list[DepotOut] = Field(description="Every depot with its state")
    closed_roads: int = Field(description="Road segments closed by the incident")
    closed_lines: dict[str, Any] | None = Field(
        default=None,
        description="FeatureCollection of the closed roads (LineStrings), properties road_id, "
        "highway, name, reasons; absent in assessments stored before it was added",
    )
    days: int = Field(description="Planning days the needs cover")
    units: dict[str, str] = Field(description="Unit of each item")


class FootprintOut(BaseModel):
    """What was read from the footprint."""

    hazard_raster: dict[str, Any] | None = Field(
        default=None,
        description="For a hazard raster: cells per class, nodata cells, cells below every class",
    )
    features: int = Field(description="Polygonal features read")
    repairs: list[str] = Field(description="Invalid geometries repaired")
    classes_defaulted: int = Field(description="Features without a class, given the default")
    bounds: list[float] = Field(description="minx, miny, maxx, maxy (EPSG:4326)")
    pieces: dict[str, Any] = Field(
        description="FeatureCollection: the footprint dissolved by class, most severe first "
        "(overlaps count once, at their most severe class)"
    )


class SoftwareOut(BaseModel):
    """What produced the assessment, for the audit trail."""

    version: str = Field(description="reliefgis version")
    plan_sha256: str = Field(description="Hash of the plan profile file")
    displacement_profile: str = Field(description="Displacement profile id")
    setbacks: str = Field(description="Setbacks profile name")


class AssessmentOut(BaseModel):
    """An incident assessment (CONTRACT §4)."""

    id: str = Field(description="Assessment id")
    plan: str = Field(description="Plan profile id")
    hazard: str = Field(description="Hazard kind")
    created: str = Field(description="When it was made (ISO 8601, UTC)")
    title: str | None = Field(description="Incident name")
    population: PopulationOut = Field(description="People affected and displaced")
    shelters: list[ShelterOut] = Field(description="Every shelter of the pack with its status")
    placement: PlacementOut = Field(description="Assignment of displaced people")
    coverage: CoverageOut = Field(description="Service-radius coverage")
    supply: SupplyOut | None = Field(description="Routes, unreachable shelters, shortfall")
    response: VerdictOut = Field(description="Level from reported figures and estimates")
    footprint: FootprintOut = Field(description="What was read from the footprint")
    software: SoftwareOut = Field(description="Versions and hashes")
    notes: list[str] = Field(description="Cautions")


class SiteCheckRequest(BaseModel):
    """Candidate reconstruction sites (plans §6.2.3)."""

    model_config = ConfigDict(extra="forbid")

    sites: dict[str, Any] = Field(
        description="GeoJSON Geometry, Feature or FeatureCollection of Points or Polygons"
    )


class SiteConflictOut(BaseModel):
    """A hazard zone a site must avoid."""

    zone_id: str = Field(description="Hazard zone id")
    kind: str = Field(description="Hazard zone kind")
    risk: str = Field(description="Hazard zone risk")
    distance_m: float = Field(description="Distance from the site (m); 0 inside")
    setback_m: float = Field(description="Setback that applied (m)")
    rule: str = Field(description="The plan's rule, with its clause")


class SiteCheckOut(BaseModel):
    """One candidate site's verdict."""

    id: str = Field(description="Site id")
    ok: bool = Field(description="True when no conflict was found")
    conflicts: list[SiteConflictOut] = Field(description="Conflicts, nearest first")


class ItemReadinessOut(BaseModel):
    """Stock of one item against the needs of a level-II response."""

    item: str = Field(description="Item id (depot_stock.item)")
    unit: str = Field(description="Unit")
    stock: float = Field(description="Stock held by every depot of the pack")
    need: float = Field(description="Needs of the persons over the days")
    required: float = Field(description="Need times (1 + margin)")
    shortfall: float = Field(description="Required minus stock, when short")
    ratio: float | None = Field(description="Stock over required")
    ready: bool = Field(description="Stock covers the required quantity")
    source: str = Field(description="Source of the per-person figure")


class ReadinessOut(BaseModel):
    """Depot readiness (plans §7.2.2): stock against a level-II response with a margin."""

    plan: str = Field(description="Plan profile id")
    persons: int = Field(description="The plan's level-II relocated threshold (persons)")
    clause: str = Field(description="Clause of that threshold")
    days: int = Field(description="Planning days")
    margin: float = Field(description="Safety margin (0.2 = 20%)")
    ready: bool = Field(description="Every item is ready")
    items: list[ItemReadinessOut] = Field(description="Per item")


class QuakeAssessmentOut(AssessmentOut):
    """An assessment of an earthquake's estimated field (CONTRACT §4 plus ``earthquake``)."""

    earthquake: EarthquakeOut = Field(description="Field, houses and death range (估算)")


class FootprintCheckRequest(BaseModel):
    """A footprint to check before assessing it (``POST /api/v1/footprint-check``)."""

    model_config = ConfigDict(extra="forbid")

    footprint: dict[str, Any] = Field(description="GeoJSON, as an assessment takes it")
    hazard: HazardName = Field(description="Hazard kind; its classes are checked")
    plan: str | None = Field(default=None, description="Plan id (its jurisdiction)")


class FootprintCheckOut(BaseModel):
    """What an assessment would read from the footprint."""

    features: int = Field(description="Polygonal features read")
    classes: dict[str, int] = Field(description="Features per hazard class")
    classes_defaulted: int = Field(description="Features without a class, given the default")
    bounds: list[float] = Field(description="minx, miny, maxx, maxy (EPSG:4326)")
    repairs: list[str] = Field(description="Invalid geometries repaired")
