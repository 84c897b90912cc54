"""Plan profiles: the thresholds, procedures and measures of one 自然灾害救助应急预案.

A profile is data (``data/plans/<id>.toml``); `layers.plans` reads the file and
`geo.plans.parse.parse_plan` turns the mapping into the frozen `Plan` defined here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from geo.plans.after_rules import AfterEmergency
from geo.plans.procedures import Procedures
from geo.plans.reporting_rules import Reporting
from geo.plans.warning import WarningResponse

#: The figures of CONTRACT §4 a plan may grade, with their kind and Chinese name.
INDICATORS: dict[str, tuple[str, str]] = {
    "dead_missing": ("count", "死亡和失踪人数"),
    "relocated": ("count", "紧急转移安置和需紧急生活救助人数"),
    "collapsed_rooms": ("count", "倒塌和严重损坏房屋间数"),
    "collapsed_or_severe_rooms": ("count", "房屋倒塌和严重损坏间数"),
    "collapsed_households": ("count", "倒塌和严重损坏房屋户数"),
    "drought_aid_persons": ("count", "干旱需政府救助人数"),
    "drought_aid_share": ("share", "干旱需救助人数占该县（区）农业人口比例"),
    "affected_share": ("share", "受灾人口占总人口比例"),
    "crop_failure_share": ("share", "农作物成灾面积占当季播种面积比例"),
    "quake_relocated_share": ("share", "地震紧急转移安置人数占总人口比例"),
}

HAZARDS: frozenset[str] = frozenset(
    {
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
    }
)

LEVEL_NUMBERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Threshold:
    """One graded condition: ``min <= value < max`` of an indicator reaches ``level``."""

    indicator: str
    level: int
    min: Decimal
    max: Decimal | None
    clause: str
    text: str
    hazards: frozenset[str] = frozenset()
    except_hazards: frozenset[str] = frozenset()

    def applies_to(self, hazard: str | None) -> bool:
        """Whether this threshold is in force for an incident of ``hazard``."""
        if self.hazards:
            return hazard in self.hazards
        return hazard not in self.except_hazards

    def contains(self, value: Decimal) -> bool:
        """以上含本数，以下不含本数: the lower bound is inclusive, the upper exclusive."""
        return value >= self.min and (self.max is None or value < self.max)


@dataclass(frozen=True)
class Measure:
    """One response measure a level sets in motion, with the units responsible."""

    text: str
    units: tuple[str, ...]
    clause: str


@dataclass(frozen=True)
class LevelSpec:
    """What one response level is: its label, who starts it and what it sets in motion."""

    level: int
    label: str
    plan_label: str
    color: str
    conditions_clause: str
    procedure_clause: str
    decided_by: str
    procedure: str
    measures_clause: str
    lead: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class WorkGroup:
    """An 应急工作组 of the plan (e.g. 阳泉 附件1), with its lead and duties."""

    name: str
    lead: str
    duties: str
    clause: str


@dataclass(frozen=True)
class Clause:
    """A rule of the plan quoted with its clause number."""

    clause: str
    text: str


@dataclass(frozen=True)
class Judgement:
    """A start condition with no number: a level may be started on consultation (会商研判)."""

    level: int
    clause: str
    text: str


@dataclass(frozen=True)
class Plan:
    """A parsed plan profile."""

    id: str
    name: str
    short: str
    issued: str
    document: str
    jurisdiction: str
    jurisdiction_code: str | None
    seed: str
    bounds_rule: Clause
    adjustment: Clause | None
    levels: tuple[LevelSpec, ...]
    thresholds: tuple[Threshold, ...]
    work_groups: tuple[WorkGroup, ...]
    notes: tuple[str, ...]
    #: 灾情报告 time limits (初报/续报/核报), each with its clause; None if not profiled.
    reporting: Reporting | None = None
    #: The plan's rule on raising a started response (e.g. 江苏 §5.7 响应提升).
    escalation: Clause | None = None
    #: Start conditions left to judgement (e.g. 阳泉 §5.x.1(5)), quoted with their clauses.
    judgement: tuple[Judgement, ...] = ()
    #: The plan's own name of an indicator where it differs (乐清 counts 倒塌房屋 only).
    indicator_names: tuple[tuple[str, str], ...] = ()
    #: Who starts, raises, lowers and ends each level (启动程序, 响应终止); None if not profiled.
    procedures: Procedures | None = None
    #: Relief after the emergency (过渡期生活救助, 冬春救助, 台账); None if not profiled.
    after_emergency: AfterEmergency | None = None
    #: Measures taken on a forecast (§3 灾害救助准备; 乐清 §5 预警响应); None if not profiled.
    warning: WarningResponse | None = None

    def cite(self, clause: str) -> str:
        """The clause as cited in a verdict, e.g. ``阳泉2026 §5.2.1(2)``."""
        return f"{self.short} {clause}"

    def level_spec(self, level: int) -> LevelSpec:
        """The specification of response level ``level`` (1 is the highest)."""
        for spec in self.levels:
            if spec.level == level:
                return spec
        raise KeyError(level)

    def indicator_name(self, indicator: str) -> str:
        """The indicator in Chinese as this plan words it."""
        return dict(self.indicator_names).get(indicator, INDICATORS[indicator][1])

    def indicators(self) -> tuple[str, ...]:
        """Indicators this plan grades, in the order of its clauses."""
        return tuple(dict.fromkeys(t.indicator for t in self.thresholds))


def to_decimal(value: object) -> Decimal:
    """A number as the decimal a person wrote (0.3 stays 0.3, not 0.29999…)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value))
        except InvalidOperation as exc:
            raise TypeError(f"{value!r} is not a number") from exc
        if not result.is_finite():
            raise TypeError(f"{value!r} is not a finite number")
        return result
    raise TypeError(f"{value!r} is not a number")
