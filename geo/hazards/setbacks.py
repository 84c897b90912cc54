"""Setbacks from hazard zones: the settings profile and the search for zones too close.

The standards (GB 21734-2008 §5.2, GB 50413-2007) and the plans (阳泉2026 §5.x(6),
§7.4.3, §6.2.3) name the ground to avoid but not how far; the distances are settings
with documented defaults (``data/setbacks.toml``, read by `layers.profiles.read_setbacks`).
`parse_setbacks` turns the mapping into a frozen `Setbacks`, refusing a malformed one
with every problem named at once. `zone_conflicts` finds, for each geometry, the hazard
zones it lies in or within the setback of, using the zones' spatial index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo._validate import require_frame
from geo.errors import InputError, ProfileError

#: The risk grades of a hazard zone (CONTRACT §2), highest first.
RISKS: tuple[str, ...] = ("extreme", "high", "medium", "low")
#: The setback entry used for a zone kind the profile does not list.
DEFAULT_KIND = "default"
#: Distances are reported to this many decimals (0.1 m).
DISTANCE_DECIMALS = 1


@dataclass(frozen=True)
class KindSetback:
    """The setback, in metres, from zones of one kind at each risk grade, with its basis."""

    kind: str
    metres: Mapping[str, float]
    basis: str
    rationale: str


@dataclass(frozen=True)
class ServiceRadius:
    """How far a shelter of one kind serves (GB 50413-2007), in metres."""

    kind: str
    metres: float
    source: str


@dataclass(frozen=True)
class SiteRule:
    """A plan rule for reconstruction siting: avoid zones of these kinds (and risks)."""

    kinds: frozenset[str]
    risks: frozenset[str]
    clause: str
    text: str

    def applies_to(self, kind: str, risk: str) -> bool:
        """Whether a zone of ``kind`` and ``risk`` falls under this rule."""
        return kind in self.kinds and risk in self.risks

    def cite(self) -> str:
        """The rule as cited in a result, e.g. ``阳泉2026 §6.2.3：避开地震断裂带``."""
        return f"{self.clause}：{self.text}"


@dataclass(frozen=True)
class Setbacks:
    """A parsed setbacks profile: setbacks per zone kind, service radii, siting rules."""

    name: str
    kinds: Mapping[str, KindSetback]
    radii: Mapping[str, ServiceRadius]
    site_rules: tuple[SiteRule, ...]

    def setback(self, kind: str, risk: str) -> float:
        """Metres to keep from a zone of ``kind`` and ``risk``; unknown kinds take the default."""
        entry = self.kinds.get(kind, self.kinds[DEFAULT_KIND])
        return entry.metres[risk]

    def service_radii(self) -> dict[str, float]:
        """Shelter kind to service radius in metres."""
        return {kind: radius.metres for kind, radius in self.radii.items()}

    def site_rule(self, kind: str, risk: str) -> SiteRule | None:
        """The first siting rule that covers a zone of ``kind`` and ``risk``, if any."""
        return next((r for r in self.site_rules if r.applies_to(kind, risk)), None)


@dataclass(frozen=True)
class ZoneConflict:
    """A hazard zone a geometry lies in (distance 0) or within the setback of."""

    zone_id: str
    kind: str
    risk: str
    distance_m: float
    setback_m: float


# ---------------------------------------------------------------- parsing the profile


def _metres(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if np.isfinite(number) and number >= 0 else None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _kind_setback(kind: str, raw: object, problems: list[str]) -> KindSetback | None:
    where = f"setbacks.{kind}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a table")
        return None
    metres: dict[str, float] = {}
    for risk in RISKS:
        value = _metres(raw.get(risk))
        if value is None:
            problems.append(f"{where}.{risk}: expected a non-negative number of metres")
        else:
            metres[risk] = value
    unknown = sorted(set(raw) - {*RISKS, "basis", "rationale"})
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    basis, rationale = _text(raw.get("basis")), _text(raw.get("rationale"))
    for key, text in (("basis", basis), ("rationale", rationale)):
        if text is None:
            problems.append(f"{where}.{key}: expected text saying where the figures come from")
    if len(metres) < len(RISKS) or basis is None or rationale is None:
        return None
    return KindSetback(kind=kind, metres=metres, basis=basis, rationale=rationale)


def _radius(kind: str, raw: object, problems: list[str]) -> ServiceRadius | None:
    where = f"service_radius.{kind}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a table")
        return None
    metres, source = _metres(raw.get("metres")), _text(raw.get("source"))
    if metres is None or metres == 0:
        problems.append(f"{where}.metres: expected a positive number of metres")
    if source is None:
        problems.append(f"{where}.source: expected text naming the source")
    if metres is None or metres == 0 or source is None:
        return None
    return ServiceRadius(kind=kind, metres=metres, source=source)


def _names(value: object) -> frozenset[str] | None:
    if not isinstance(value, list) or not value:
        return None
    names = [_text(v) for v in value]
    return None if any(n is None for n in names) else frozenset(n for n in names if n)


def _site_rule(index: int, raw: object, problems: list[str]) -> SiteRule | None:
    where = f"site_rules[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a table")
        return None
    kinds = _names(raw.get("kinds"))
    risks = _names(raw["risks"]) if "risks" in raw else frozenset(RISKS)
    clause, text = _text(raw.get("clause")), _text(raw.get("text"))
    if kinds is None:
        problems.append(f"{where}.kinds: expected a non-empty list of zone kinds")
    if risks is None or not risks <= set(RISKS):
        problems.append(f"{where}.risks: expected a non-empty list of {', '.join(RISKS)}")
    if clause is None or text is None:
        problems.append(f"{where}: expected the plan's clause and text")
    if kinds is None or risks is None or not risks <= set(RISKS) or not clause or not text:
        return None
    return SiteRule(kinds=kinds, risks=risks, clause=clause, text=text)


def _table(data: Mapping[str, Any], key: str, problems: list[str]) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        problems.append(f"{key}: expected a table")
        return {}
    return value


def parse_setbacks(data: Mapping[str, Any], *, source: str) -> Setbacks:
    """Check a setbacks profile mapping and freeze it.

    Raises
    ------
    ProfileError
        Naming ``source`` and every key that is missing or malformed.
    """
    problems: list[str] = []
    raw_kinds = _table(data, "setbacks", problems)
    if raw_kinds and DEFAULT_KIND not in raw_kinds:
        problems.append(f"setbacks.{DEFAULT_KIND}: missing; it applies to zone kinds not listed")
    elif not raw_kinds and not problems:
        problems.append("setbacks: missing; expected one table per hazard-zone kind")
    kinds = {k: _kind_setback(k, v, problems) for k, v in raw_kinds.items()}
    radii = {
        k: _radius(k, v, problems) for k, v in _table(data, "service_radius", problems).items()
    }
    raw_rules = data.get("site_rules", [])
    if not isinstance(raw_rules, list):
        problems.append("site_rules: expected an array of tables")
        raw_rules = []
    rules = [_site_rule(i, raw, problems) for i, raw in enumerate(raw_rules)]
    if problems:
        raise ProfileError(f"setbacks profile {source} refused — " + "; ".join(problems))
    return Setbacks(
        name=_text(data.get("name")) or source,
        kinds={k: v for k, v in kinds.items() if v is not None},
        radii={k: v for k, v in radii.items() if v is not None},
        site_rules=tuple(r for r in rules if r is not None),
    )


# ---------------------------------------------------------------- measuring


def require_zones(zones: object) -> gpd.GeoDataFrame:
    """Refuse hazard zones without ``id``, ``kind``, ``risk`` or with an unknown risk grade."""
    frame = require_frame(zones, "hazard_zones", ("id", "kind", "risk"))
    unknown = sorted(set(frame["risk"].astype(str)) - set(RISKS))
    if unknown:
        raise InputError(
            f"hazard_zones: risk values {unknown} not in {', '.join(RISKS)}", field="hazard_zones"
        )
    return frame


def zone_conflicts(
    geometries: np.ndarray,
    zones: gpd.GeoDataFrame,
    *,
    setbacks: Setbacks,
    metric_crs: CRS,
) -> list[tuple[ZoneConflict, ...]]:
    """For each geometry, the hazard zones it lies in or within the setback of, nearest first.

    Parameters
    ----------
    geometries
        Shapely geometries already in ``metric_crs``.
    zones
        Hazard zones (``id``, ``kind``, ``risk``) in any defined CRS.
    """
    require_zones(zones)
    found: list[list[ZoneConflict]] = [[] for _ in range(len(geometries))]
    if len(zones) == 0 or len(geometries) == 0:
        return [()] * len(geometries)
    zones_m = zones.to_crs(metric_crs)
    kinds = zones_m["kind"].astype(str).to_numpy()
    risks = zones_m["risk"].astype(str).to_numpy()
    limits = np.array([setbacks.setback(k, r) for k, r in zip(kinds, risks, strict=True)])
    # One index query at the widest setback, then each pair is held to its own zone's.
    near, zone = zones_m.sindex.query(geometries, predicate="dwithin", distance=limits.max())
    distance = shapely.distance(geometries[near], zones_m.geometry.to_numpy()[zone])
    keep = distance <= limits[zone]
    ids = zones_m["id"].astype(str).to_numpy()
    for i, j, d in zip(near[keep], zone[keep], distance[keep], strict=True):
        found[i].append(
            ZoneConflict(
                zone_id=str(ids[j]),
                kind=str(kinds[j]),
                risk=str(risks[j]),
                distance_m=round(float(d), DISTANCE_DECIMALS),
                setback_m=float(limits[j]),
            )
        )
    return [tuple(sorted(items, key=lambda c: (c.distance_m, c.zone_id))) for items in found]
