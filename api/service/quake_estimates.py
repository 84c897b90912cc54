"""What an earthquake's field adds to an assessment: collapsed houses and a death range.

Collapsed rooms and households per county come from the pack's ``housing`` layer and the
damage profile; they feed the level as estimated ``collapsed_rooms`` /
``collapsed_households`` unless reported. The death range (PAGER) is shown beside the
verdict for reference and grades the level only when the request asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from api.service.bootstrap import Services
from api.service.quake import Quake
from geo.hazards.house_damage import HouseDamage, estimate_house_damage
from geo.hazards.intensity_labels import label_points
from geo.incident.exposure import Exposure
from geo.plans.model import Plan
from geo.response.casualties import CasualtyRange, estimate_deaths
from geo.response.figures import Figure
from geo.response.levels import evaluate
from layers.housing import Housing
from web import quake_text

CASUALTY_CAPTION = "估算参考：按死亡人数可能达到的级别"
APPLIED_NOTE = (
    "死亡人数估算（{model}）已按请求（use_casualty_estimate）计入分级，须以核实数字替换。"
)
REFERENCE_NOTE = "死亡人数估算（{model}）仅供参考，未计入分级；请求 use_casualty_estimate 可计入。"


@dataclass(frozen=True)
class QuakeEstimate:
    """The figures to grade on (reported, completed with estimates) and the answer's section."""

    figures: dict[str, Figure]
    section: dict[str, Any]
    note: str


def class_degrees(services: Services, quake: Quake) -> dict[str, int]:
    """The displacement profile's earthquake class name of each drawn degree (VI → 6 …)."""
    table = services.displacement.table("earthquake")
    found = {}
    for degree, label in quake.degrees().items():
        match = table.find(label)
        if match is not None:
            found[match.name] = degree
    return found


def _located_rows(
    housing: Housing, quake: Quake, counties: gpd.GeoDataFrame
) -> list[dict[str, Any]]:
    frame = housing.frame
    points = gpd.GeoDataFrame(
        frame[["structure", "rooms", "households"]].reset_index(drop=True),
        geometry=frame.geometry.representative_point().to_numpy(),
        crs=frame.crs,
    )
    joined = points.sjoin(counties[["code", "geometry"]], how="inner", predicate="within")
    joined = joined.drop(columns="index_right")
    rings = quake.field.rings[["intensity", "geometry"]]
    joined = joined.sjoin(rings, how="inner", predicate="within")
    return [
        {
            "county": str(row.code),
            "structure": str(row.structure),
            "rooms": float(row.rooms),
            "households": float(row.households),
            "intensity": int(row.intensity),
        }
        for row in joined.itertuples()
    ]


def _county_rows(
    housing: Housing, exposure: Exposure, degrees: Mapping[str, int], populations: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Per-county housing spread over the degrees like the county's population."""
    by_county = {row.code: row.by_class for row in exposure.by_county}
    rows = []
    for row in housing.frame.itertuples():
        code = str(row.county)
        population = populations.get(code, 0)
        for name, affected in by_county.get(code, {}).items():
            if name not in degrees or not population or not affected:
                continue
            share = min(affected / population, 1.0)
            rows.append(
                {
                    "county": code,
                    "structure": str(row.structure),
                    "rooms": float(row.rooms) * share,
                    "households": float(row.households) * share,
                    "intensity": degrees[name],
                }
            )
    return rows


def house_damage(
    services: Services, quake: Quake, exposure: Exposure, degrees: Mapping[str, int]
) -> HouseDamage | None:
    """Estimated collapsed rooms and households per county; None when the pack has no housing."""
    housing = services.housing
    if housing is None:
        return None
    counties = services.pack.counties
    if housing.located:
        rows = _located_rows(housing, quake, counties)
    else:
        rows = _county_rows(housing, exposure, degrees, county_population(counties))
    return estimate_house_damage(services.damage, rows)


def house_figures(damage: HouseDamage, plan: Plan) -> dict[str, Figure]:
    """The estimated house figures a plan may grade on, each saying what it counts.

    ``collapsed_or_severe_rooms`` (乐清's earthquake rule) is collapsed plus severely damaged
    rooms. Where the damage profile gives no severe-damage shares, a figure whose plan name
    counts severe damage too (阳泉's 倒塌和严重损坏房屋) holds collapsed rooms only and says
    that it is a lower bound: a level it reaches is reached; one it misses may not be.
    """
    severe_known = damage.severe_rooms is not None
    values = {
        "collapsed_rooms": damage.collapsed_rooms,
        "collapsed_households": damage.collapsed_households,
        "collapsed_or_severe_rooms": damage.collapsed_rooms + (damage.severe_rooms or 0),
    }
    figures = {}
    for name, value in values.items():
        if name == "collapsed_or_severe_rooms" and name not in plan.indicators():
            continue
        basis = f"估算 {damage.source}"
        lower_bound = not severe_known and "严重" in plan.indicator_name(name)
        if lower_bound:
            basis += "；" + quake_text.QUAKE["lower_bound"]
        figures[name] = Figure(value, "estimated", basis, lower_bound=lower_bound)
    return figures


def _houses_section(damage: HouseDamage, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "label": damage.label,
        "estimate": True,
        "source": damage.source,
        "collapsed_rooms": damage.collapsed_rooms,
        "collapsed_households": damage.collapsed_households,
        "severe_rooms": damage.severe_rooms,
        "severe_households": damage.severe_households,
        "by_county": [
            {
                "code": c.county,
                "name": names.get(c.county, c.county),
                "collapsed_rooms": c.collapsed_rooms,
                "collapsed_households": c.collapsed_households,
                "label": damage.label,
            }
            for c in damage.counties
        ],
    }


def _casualty_section(deaths: CasualtyRange, plan: Plan, *, applied: bool) -> dict[str, Any]:
    basis = f"估算 {deaths.model}: {deaths.source}"
    levels = {}
    for end in ("central", "high"):
        value = getattr(deaths, end)
        verdict = evaluate(
            plan,
            {"dead_missing": Figure(value=value, source="estimated", basis=basis)},
            hazard="earthquake",
        )
        clause = next((c.clause for c in verdict.criteria if c.level == verdict.level), None)
        levels[end] = {"level": verdict.level, "label": verdict.label, "clause": clause}
    return {
        "caption": CASUALTY_CAPTION,
        "label": "估算",
        "low": deaths.low,
        "central": deaths.central,
        "high": deaths.high,
        "model": deaths.model,
        "source": deaths.source,
        "by_intensity": {str(k): round(v, 3) for k, v in sorted(deaths.by_intensity.items())},
        "level": levels["central"],
        "level_at_high": levels["high"],
        "applied": applied,
    }


def estimate_quake(
    services: Services,
    quake: Quake,
    exposure: Exposure,
    *,
    plan: Plan,
    reported: Mapping[str, Figure],
    use_casualty_estimate: bool,
) -> QuakeEstimate:
    """Houses and deaths from the field; reported figures always override the estimates."""
    degrees = class_degrees(services, quake)
    names = dict(zip(services.pack.counties["code"], services.pack.counties["name"], strict=True))
    figures = dict(reported)
    damage = house_damage(services, quake, exposure, degrees)
    if damage is not None:
        for name, figure in house_figures(damage, plan).items():
            figures.setdefault(name, figure)
    exposed = {degrees[c.name]: float(c.affected) for c in exposure.by_class if c.name in degrees}
    deaths = estimate_deaths(services.fatality, exposed)
    if use_casualty_estimate and "dead_missing" not in figures:
        figures["dead_missing"] = Figure(
            deaths.central,
            "estimated",
            f"估算 {deaths.model} (central of {deaths.low}–{deaths.high})",
        )
    section = {
        **quake_summary(quake),
        "houses": _houses_section(damage, names) if damage is not None else None,
        "casualties": _casualty_section(deaths, plan, applied=use_casualty_estimate),
    }
    template = APPLIED_NOTE if use_casualty_estimate else REFERENCE_NOTE
    return QuakeEstimate(figures=figures, section=section, note=template.format(model=deaths.model))


def quake_summary(quake: Quake) -> dict[str, Any]:
    """The earthquake's parameters, its strike and relation, its degrees with semi-axes."""
    field = quake.field
    return {
        "magnitude": field.magnitude,
        "lon": field.lon,
        "lat": field.lat,
        "strike": round(field.strike_deg, 1),
        "strike_kind": quake.strike_kind,
        "strike_source": field.strike_source,
        "relation": field.relation.label,
        "relation_source": field.relation.source,
        "degrees": [
            {
                "intensity": i.intensity,
                "label": i.label,
                "semi_major_km": round(i.semi_major_km, 3),
                "semi_minor_km": round(i.semi_minor_km, 3),
                "label_at": list(at),
            }
            for i, at in zip(field.isoseismals, label_points(field), strict=True)
        ],
    }


def county_population(counties: pd.DataFrame) -> dict[str, int]:
    """County code to population, as the pack holds it."""
    return {str(c): int(p) for c, p in zip(counties["code"], counties["population"], strict=True)}
