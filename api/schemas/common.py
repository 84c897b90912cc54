"""Request and response models: they validate input and describe every field in /docs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

HazardName = Literal[
    "flood",
    "flash_flood",
    "waterlogging",
    "earthquake",
    "landslide",
    "debris_flow",
    "collapse",
    "drought",
    "typhoon",
    "hail",
    "snow",
    "low_temperature",
    "forest_fire",
    "other",
]


def _json_number(value: object) -> object:
    """Refuse anything but a JSON number (``"12"``, ``true``) before an int is read."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a JSON number")  # pydantic turns a ValueError into a 422
    return value


#: The largest count a figure may give.
MAX_COUNT = 10**9
#: A count: a JSON number without a fraction (``12`` or ``12.0``, as JSON Schema's
#: ``integer`` is), 0 to `MAX_COUNT`, never a string or a boolean.
WholeNumber = Annotated[
    int, Strict(False), Field(ge=0, le=MAX_COUNT), BeforeValidator(_json_number)
]


class Figures(BaseModel):
    """Reported disaster figures (CONTRACT §4); all optional, all non-negative.

    Strict: a figure is a JSON number; ``"12"`` and ``true`` are refused, not converted;
    a count is a whole number (``12.0`` is one, as in JSON Schema; ``12.5`` is not).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    dead_missing: WholeNumber | None = Field(
        default=None, description="死亡和失踪人数 (persons dead or missing)"
    )
    relocated: WholeNumber | None = Field(
        default=None,
        description="紧急转移安置和需紧急生活救助人数 (persons relocated or needing emergency aid)",
    )
    collapsed_rooms: WholeNumber | None = Field(
        default=None, description="倒塌和严重损坏房屋间数 (rooms)"
    )
    collapsed_or_severe_rooms: WholeNumber | None = Field(
        default=None,
        description="房屋倒塌和严重损坏间数 (rooms); 乐清's earthquake rule counts these, its "
        "general rule collapsed_rooms (倒塌房屋) only",
    )
    collapsed_households: WholeNumber | None = Field(
        default=None, description="倒塌和严重损坏房屋户数 (households)"
    )
    drought_aid_persons: WholeNumber | None = Field(
        default=None, description="干旱需政府救助人数 (persons)"
    )
    drought_aid_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="干旱需救助人数占该县（区）农业人口比例, 0–1 (0.3 for 30%)",
    )
    affected_share: float | None = Field(
        default=None, ge=0, le=1, description="受灾人口占辖区总人口比例, 0–1"
    )
    crop_failure_share: float | None = Field(
        default=None, ge=0, le=1, description="农作物成灾面积占当季播种面积比例, 0–1"
    )
    quake_relocated_share: float | None = Field(
        default=None, ge=0, le=1, description="地震紧急转移安置人数占总人口比例, 0–1"
    )


class CountyFiguresIn(BaseModel):
    """Figures reported for one county."""

    model_config = ConfigDict(extra="forbid", strict=True)

    drought_aid_persons: WholeNumber | None = Field(
        default=None, description="干旱需政府救助人数 in this county (persons)"
    )
    drought_aid_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="干旱需救助人数占该县（区）农业人口比例, 0–1",
    )


def split_by_county(
    figures: BaseModel, by_county: Mapping[str, BaseModel] | None
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """A figures model's event figures and its ``by_county`` figures, as plain mappings."""
    event = figures.model_dump(exclude_none=True, exclude={"by_county"})
    counties = {
        code: county.model_dump(exclude_none=True) for code, county in (by_county or {}).items()
    }
    return event, counties


class GradedFigures(Figures):
    """Reported figures, and figures per county where a plan grades a county's own share."""

    by_county: dict[str, CountyFiguresIn] | None = Field(
        default=None,
        max_length=500,
        description=(
            "Figures per GB/T 2260 county code of the layer pack, e.g. "
            '{"140302": {"drought_aid_persons": 12000}}: 阳泉 §5.x.1(4) grades drought as a '
            "share of THAT county's agricultural population, county by county; plans that "
            "count the whole jurisdiction grade the counties' sum"
        ),
    )

    def split(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """The event figures and the per-county figures given, as plain mappings."""
        return split_by_county(self, self.by_county)


class ResponseLevelRequest(BaseModel):
    """Ask which response level a plan calls for, given reported figures."""

    model_config = ConfigDict(extra="forbid")

    plan: str = Field(description="Plan profile id, e.g. yangquan-2026 (GET /api/v1/plans)")
    figures: GradedFigures = Field(default_factory=GradedFigures, description="Reported figures")
    hazard: HazardName | None = Field(
        default=None, description="Hazard kind; selects hazard-specific rules (乐清 earthquake)"
    )
    county: str | None = Field(
        default=None,
        max_length=12,
        description=(
            "GB/T 2260 code of the affected county in the layer pack; lets drought_aid_persons "
            "be graded as a share of its agri_population where the plan grades the share "
            "(older form of figures.by_county with one county)"
        ),
    )


class NextLevelOut(BaseModel):
    """The nearest level above the one reached, and how far the value is from it."""

    level: int = Field(description="The next level up (1 is the highest)")
    label: str = Field(description="Its label, e.g. 一级")
    threshold: int | float = Field(description="The value at which it starts (inclusive)")
    gap: int | float = Field(description="How much the value must still grow to reach it")
    clause: str = Field(description="The clause that sets the threshold")


class CriterionOut(BaseModel):
    """How one indicator grades under the plan."""

    indicator: str = Field(description="Figure name, e.g. dead_missing")
    name: str = Field(description="The indicator in Chinese")
    value: int | float | None = Field(
        description="The figure graded (a share as a fraction, 0.195 for 19.5%); null when missing"
    )
    source: Literal["reported", "estimated"] = Field(
        description="reported by the user or estimated by reliefgis"
    )
    basis: str | None = Field(default=None, description="How an estimate was made")
    level: int | None = Field(description="Level this figure reaches, null if none")
    label: str | None = Field(description="Label of that level")
    clause: str | None = Field(description="Clause of the plan applied, e.g. 阳泉2026 §5.2.1(2)")
    condition: str | None = Field(description="The plan's wording of the condition met")
    next: NextLevelOut | None = Field(description="Distance to the next level up (cf. §5.5)")
    note: str | None = Field(default=None, description="Why a figure is not graded")
    status: Literal["graded", "not_evaluated", "not_graded"] = Field(
        default="graded",
        description=(
            "graded: compared with the plan's thresholds; not_evaluated: a figure the plan "
            "needs is missing (see missing) — NOT below the threshold; not_graded: the plan "
            "does not grade this figure (for this hazard)"
        ),
    )
    missing: list[str] = Field(
        default_factory=list, description="Fields to give so that the criterion can be graded"
    )
    county: str | None = Field(default=None, description="County code of a per-county criterion")
    county_name: str | None = Field(default=None, description="Its name")
    lower_bound: bool = Field(
        default=False,
        description=(
            "true when the estimate counts only part of what the plan's figure names (e.g. "
            "collapsed rooms for 倒塌和严重损坏房屋): a level it reaches is reached, a level it "
            "misses may still be reached"
        ),
    )


class JudgementOut(BaseModel):
    """A start condition with no number, left to 会商研判."""

    text: str = Field(description="The plan's wording")
    clause: str = Field(description="Clause cited, e.g. 阳泉2026 §5.2.1(5)")
    level: int = Field(description="The level it may start, 1 (highest) … 4")


class MeasureOut(BaseModel):
    """One response measure the level sets in motion."""

    clause: str = Field(description="Clause of the measure, e.g. §5.2.3(4)")
    text: str = Field(description="The measure as the plan words it (summarised)")
    units: list[str] = Field(description="Units responsible")


class DecisionOut(BaseModel):
    """Who starts the level and what it sets in motion (启动程序 and 响应措施)."""

    level: int = Field(description="Response level, 1 (highest) … 4")
    label: str = Field(description="一级 … 四级")
    plan_label: str = Field(description="The level as the plan names it, e.g. Ⅰ级（特别严重灾害）")
    color: str = Field(description="Map colour of the level")
    conditions_clause: str = Field(description="Clause of the level's start conditions (启动条件)")
    procedure_clause: str = Field(description="Clause of the start procedure (启动程序)")
    decided_by: str = Field(description="Who decides to start this level")
    procedure: str = Field(description="The start procedure as the plan words it")
    measures_clause: str = Field(description="Clause of the response measures (响应措施)")
    lead: str = Field(description="Who leads the response at this level")
    measures: list[MeasureOut] = Field(description="Checklist of actions with responsible units")


class WorkGroupOut(BaseModel):
    """An 应急工作组 of the plan."""

    name: str = Field(description="Name of the work group")
    lead: str = Field(description="Its leader")
    duties: str = Field(description="Its duties (summarised)")
    clause: str = Field(description="Where the plan sets it up")


class VerdictOut(BaseModel):
    """A level verdict (CONTRACT §4): the highest level any criterion reaches."""

    plan: str = Field(description="Plan profile id")
    plan_name: str = Field(description="The plan's title")
    hazard: str | None = Field(description="Hazard the figures were graded for, if given")
    level: int | None = Field(
        description="1 (highest) … 4, or null when no threshold is met or nothing was graded"
    )
    evaluated: bool = Field(
        default=True,
        description="false when no criterion could be graded: then a null level does not mean "
        "'not reached'",
    )
    label: str | None = Field(description="一级 … 四级, or null")
    color: str | None = Field(
        description="Map colour of the level (1 red, 2 orange, 3 yellow, 4 blue)"
    )
    criteria: list[CriterionOut] = Field(description="One criterion per figure given")
    decision: DecisionOut | None = Field(description="Start procedure and measures of the level")
    bounds_rule: str = Field(description="The plan's rule on 以上/以下")
    adjustment: str | None = Field(description="The plan's clause on lowering the conditions")
    notes: list[str] = Field(description="The plan's notes on criteria reliefgis does not grade")
    work_groups: list[WorkGroupOut] = Field(
        description="Work groups a started response sets up, with leads and duties"
    )
    judgement: list[JudgementOut] = Field(
        default_factory=list,
        description="需会商研判: the plan's start conditions with no number; a level may be "
        "started on them whatever the figures",
    )
    not_given: list[str] = Field(
        default_factory=list, description="Figures the plan grades for this hazard not given"
    )


class PlanSummary(BaseModel):
    """A plan profile in the list."""

    id: str = Field(description="Plan profile id (the file name)")
    name: str = Field(description="The plan's title")
    issued: str = Field(description="Date issued (ISO 8601)")
    document: str = Field(description="Document number, e.g. 阳政办发〔2026〕16号")
    jurisdiction: str = Field(description="The jurisdiction the plan governs")
    jurisdiction_code: str | None = Field(description="Its GB/T 2260 code")
    short: str = Field(description="Short name used in clause citations")
    indicators: list[str] = Field(description="Figures this plan grades")
    sha256: str = Field(description="Hash of the profile file")


class ThresholdOut(BaseModel):
    """One threshold of a plan."""

    indicator: str = Field(description="Figure graded")
    level: int = Field(description="Level reached, 1 (highest) … 4")
    min: int | float = Field(description="Inclusive lower bound (以上含本数)")
    max: int | float | None = Field(description="Exclusive upper bound (以下不含本数)")
    clause: str = Field(description="Clause cited, e.g. 阳泉2026 §5.2.1(2)")
    text: str = Field(description="The plan's wording")
    hazards: list[str] = Field(description="Only for these hazards (empty: all)")
    except_hazards: list[str] = Field(description="Not for these hazards")


class PlanDetail(PlanSummary):
    """A plan profile with every threshold, level and work group."""

    bounds_rule: str = Field(description="The plan's rule on 以上/以下, with its clause")
    adjustment: str | None = Field(description="The plan's clause on lowering the conditions")
    thresholds: list[ThresholdOut] = Field(description="Every threshold with its clause")
    levels: list[DecisionOut] = Field(description="Start procedure and measures of each level")
    work_groups: list[WorkGroupOut] = Field(description="The plan's 应急工作组")
    notes: list[str] = Field(description="Notes on how the profile encodes the plan")


class LayerInfo(BaseModel):
    """A layer of the pack."""

    name: str = Field(description="Layer name")
    kind: Literal["vector", "table", "raster"] = Field(
        description="vector layer, attribute table or raster"
    )
    count: int = Field(description="Features, rows or cells")
    geometry_type: str | None = Field(description="Geometry types present, e.g. MultiPolygon")
    source_crs: str | None = Field(description="CRS of the layer as stored in the pack")
    bounds: list[float] | None = Field(description="minx, miny, maxx, maxy in EPSG:4326")
    columns: list[str] = Field(description="Attribute columns")
    total: float | None = Field(default=None, description="Sum of the raster (persons)")


class RoadNetworkHealth(BaseModel):
    """Whether the pack's road network holds together (checked once, at load)."""

    components: int = Field(description="Connected parts of the road network (1 when whole)")
    largest_share: float = Field(description="Share of the network's nodes in its largest part")
    isolated_shelters: list[str] = Field(
        description="Shelters joined to no road within the snap distance, or to a part no "
        "depot joins: they can receive no supplies"
    )
    isolated_depots: list[str] = Field(
        description="Depots joined to no road, or to a part no shelter joins"
    )


class Health(BaseModel):
    """Service status."""

    status: Literal["ok"] = Field(description="Always ok when the service answers")
    version: str = Field(description="reliefgis version")
    pack: str = Field(
        description="Folder of the layer pack in use: its absolute path to admin keys (and "
        "on a service without keys), its name only to others"
    )
    plans: list[str] = Field(description="Ids of the plan profiles loaded")
    layers: dict[str, int] = Field(
        description="Feature counts per layer; the population raster as population_cells"
    )
    population_persons: int = Field(description="Persons on the population raster (its sum)")
    repairs: list[str] = Field(description="Invalid geometries repaired at load")
    default_plan: str | None = Field(
        default=None,
        description="Plan used when a request names none; null when no plan profile covers "
        "the pack's counties",
    )
    notes: list[str] = Field(
        default_factory=list, description="What a caller should know about this service"
    )
    road_network: RoadNetworkHealth | None = Field(
        default=None, description="The road network's connected parts, found at load"
    )
    compute_processes: int = Field(
        description="Worker processes for assessments and printed maps that have read the "
        "pack and are ready; 0 when that work runs on threads of the server process "
        "(RELIEF_COMPUTE_PROCESSES=0), and until fresh workers start after one died"
    )
