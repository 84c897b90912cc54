"""Request and response models of earthquakes: the intensity field, houses, a death range."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo.hazards.intensity import MAGNITUDE_RANGE

StrikeKind = Literal["given", "fault_zone", "default"]


class EarthquakeIn(BaseModel):
    """An earthquake as CENC first reports it: magnitude and epicentre."""

    model_config = ConfigDict(extra="forbid")

    magnitude: float = Field(
        ge=MAGNITUDE_RANGE[0], le=MAGNITUDE_RANGE[1], description="Magnitude (CENC, Ms)"
    )
    lon: float = Field(ge=-180, le=180, description="Epicentre longitude (EPSG:4326/4490)")
    lat: float = Field(ge=-90, le=90, description="Epicentre latitude")
    strike: float | None = Field(
        default=None,
        description="Azimuth of the long axis (degrees from north); else the nearest fault "
        "zone's trend, else the attenuation profile's default",
    )
    region: str | None = Field(
        default=None, description="east or west (汪素云 2000), or a relation id of the profile"
    )


class StrikeOut(BaseModel):
    """The strike the long axis was laid on, and why."""

    degrees: float = Field(description="Azimuth, degrees clockwise from north")
    kind: StrikeKind = Field(description="given, fault_zone or default")
    source: str = Field(description="Where the strike came from")


class RelationOut(BaseModel):
    """The attenuation relation used."""

    id: str = Field(description="Relation id in the attenuation profile")
    label: str = Field(description="Its name")
    source: str = Field(description="Citation")
    status: str = Field(description="checked or unchecked")


class IntensityOut(BaseModel):
    """The intensity field: a FeatureCollection, one ring per degree, and how it was drawn."""

    type: Literal["FeatureCollection"] = Field(description="GeoJSON type")
    features: list[dict[str, Any]] = Field(
        description="One Polygon ring per degree (Ⅵ and above), lowest first, not overlapping; "
        "properties intensity, label (Ⅵ …), class, semi_major_km, semi_minor_km"
    )
    magnitude: float = Field(description="Magnitude")
    epicentre: dict[str, float] = Field(description="lon, lat")
    strike: StrikeOut = Field(description="The long axis's strike and its origin")
    relation: RelationOut = Field(description="The attenuation relation")
    estimate: bool = Field(description="Always true: the surveyed map replaces it")


class DegreeOut(BaseModel):
    """One isoseismal of the field."""

    intensity: int = Field(description="Degree")
    label: str = Field(description="Roman numeral, Ⅵ …")
    semi_major_km: float = Field(description="Long semi-axis (km)")
    semi_minor_km: float = Field(description="Short semi-axis (km)")
    label_at: list[float] = Field(
        description="[lon, lat] where maps write the numeral: mid-ring on the long axis"
    )


class HouseCountyOut(BaseModel):
    """Estimated collapsed houses in one county (rows sum to the totals)."""

    code: str = Field(description="County code")
    name: str = Field(description="County name")
    collapsed_rooms: int = Field(description="Collapsed rooms (估算)")
    collapsed_households: int = Field(description="Households whose house collapsed (估算)")
    label: str = Field(description="估算")


class HousesOut(BaseModel):
    """Estimated collapsed houses from the housing layer and the damage profile."""

    label: str = Field(description="估算")
    estimate: bool = Field(description="Always true")
    source: str = Field(description="The damage profile's source")
    collapsed_rooms: int = Field(description="Total collapsed rooms")
    collapsed_households: int = Field(description="Total households")
    severe_rooms: int | None = Field(description="Severely damaged rooms, when estimated")
    severe_households: int | None = Field(description="Severely damaged households")
    by_county: list[HouseCountyOut] = Field(description="Per county")


class CasualtyLevelOut(BaseModel):
    """The level a number of deaths would reach under the plan."""

    level: int | None = Field(description="1 … 4 or null")
    label: str | None = Field(description="一级 … or null")
    clause: str | None = Field(description="The clause reached")


class CasualtiesOut(BaseModel):
    """A death range for reference beside the verdict (估算参考)."""

    caption: str = Field(description="估算参考：按死亡人数可能达到的级别")
    label: str = Field(description="估算")
    low: int = Field(description="Low end of the range")
    central: int = Field(description="Central estimate")
    high: int = Field(description="High end of the range")
    model: str = Field(description="The model named")
    source: str = Field(description="Its parameters' source")
    by_intensity: dict[str, float] = Field(description="Expected deaths per degree")
    level: CasualtyLevelOut = Field(description="Level the central estimate would reach")
    level_at_high: CasualtyLevelOut = Field(description="Level the high end would reach")
    applied: bool = Field(description="Whether the estimate graded the level")


class EarthquakeOut(BaseModel):
    """What the earthquake's field added to the assessment."""

    magnitude: float = Field(description="Magnitude")
    lon: float = Field(description="Epicentre longitude")
    lat: float = Field(description="Epicentre latitude")
    strike: float = Field(description="Strike used (degrees)")
    strike_kind: StrikeKind = Field(description="given, fault_zone or default")
    strike_source: str = Field(description="Where the strike came from")
    relation: str = Field(description="Attenuation relation")
    relation_source: str = Field(description="Its citation")
    degrees: list[DegreeOut] = Field(description="The isoseismals drawn")
    houses: HousesOut | None = Field(description="Collapsed houses; null without housing")
    casualties: CasualtiesOut = Field(description="Death range for reference")
