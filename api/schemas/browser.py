"""What the browser app is told besides the layers: basemap, hazards, figures, labels."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.settings import Datum


class TilesOut(BaseModel):
    """The basemap the browser app may show."""

    url: str | None = Field(description="XYZ tile URL template; null: no basemap")
    datum: Datum = Field(description="Datum of the tiles; GCJ-02 makes the app shift the data")
    attribution: str | None = Field(description="Credit line of the tile provider")


class HazardClassOut(BaseModel):
    """A hazard class a drawn footprint may be given."""

    name: str = Field(description="Class name as sent in properties.class")
    rate: float = Field(description="Share of affected people displaced (estimate)")
    color: str = Field(description="Fill colour of the class on every map (web.footprint_style)")


class HazardOut(BaseModel):
    """A hazard kind of CONTRACT §4 with its Chinese name and classes."""

    id: str = Field(description="Hazard id, e.g. flood")
    label: str = Field(description="Chinese name")
    classes: list[HazardClassOut] = Field(description="Classes, most severe first")
    default_class: str = Field(description="Class of a feature that names none")


class IndicatorOut(BaseModel):
    """A reported figure the plans grade."""

    id: str = Field(description="Figure name, e.g. dead_missing")
    label: str = Field(description="Chinese name")
    kind: Literal["count", "share"] = Field(description="count: persons etc.; share: 0–1")


class WebConfigOut(BaseModel):
    """What the browser app needs besides the layers: settings, names and colours."""

    jurisdiction: str = Field(
        description="Jurisdiction of the pack's default plan, else the pack's county names"
    )
    default_plan: str | None = Field(
        description="Plan used when a request names none; null when no plan profile covers "
        "the pack's counties (each request then names its plan)"
    )
    bounds: list[float] = Field(description="minx, miny, maxx, maxy of the pack (EPSG:4326)")
    tiles: TilesOut = Field(description="Optional internal basemap")
    hazards: list[HazardOut] = Field(description="Hazard kinds with Chinese names and classes")
    indicators: list[IndicatorOut] = Field(description="Reported figures, in form order")
    items: dict[str, str] = Field(description="Relief items: code → Chinese name and unit")
    synthetic_layers: list[str] = Field(description="Layers whose source says synthetic")
    context_layers: list[str] = Field(
        default_factory=list, description="Optional context layers of the pack (water, places)"
    )
    notice: str | None = Field(description="Demo-data notice to show, if any")
    estimate_caution: str = Field(description="Caution that figures are estimates")
    labels: dict[str, object] = Field(description="Chinese names and colours of codes")
