"""Houses an earthquake brings down: collapsed (and severely damaged) rooms and households.

The damage profile (``data/earthquake/damage.toml``, read by `layers`) gives, per structure
type (钢混 / 砖混 / 砖木 / 土木 / other), the share of rooms that collapse at each intensity,
with its source; `parse_damage` freezes it, naming every problem at once. A severe-damage
share is optional: it is estimated only when every structure of the profile carries one.

`estimate_house_damage` takes housing rows (county, structure, rooms, households and the
intensity each lies in) and answers per county, whole rooms and households rounded by
largest remainder so that the county rows add up to the totals. Everything it answers is an
estimate, labelled so (估算) with the profile's source.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import InputError, Problems, ProfileError
from geo.rounding import largest_remainder

DEGREES = range(1, 13)


def _normal(name: str) -> str:
    return "".join(name.split()).casefold()


@dataclass(frozen=True)
class StructureDamage:
    """Damage shares of one structure type, by intensity degree, with their source."""

    name: str
    aliases: tuple[str, ...]
    collapse: Mapping[int, float]
    severe: Mapping[int, float] | None
    source: str
    status: str


@dataclass(frozen=True)
class DamageProfile:
    """A parsed damage profile: structure types and the degrees their shares cover."""

    name: str
    label: str
    source: str
    structures: Mapping[str, StructureDamage]
    min_intensity: int
    max_intensity: int

    def structure(self, name: str) -> StructureDamage:
        """The structure a name or alias stands for (case and spaces ignored)."""
        wanted = _normal(name)
        for structure in self.structures.values():
            if wanted in {_normal(structure.name), *map(_normal, structure.aliases)}:
                return structure
        known = ", ".join(self.structures)
        raise InputError(f"structure: expected one of {known}, got {name!r}", field="structure")

    @property
    def estimates_severe(self) -> bool:
        """Whether every structure carries a severe-damage share."""
        return all(s.severe is not None for s in self.structures.values())

    def shares(self, structure: StructureDamage, intensity: int) -> tuple[float, float]:
        """(collapse, severe) shares at ``intensity``; 0 below the table, its top above it."""
        if intensity < self.min_intensity:
            return 0.0, 0.0
        degree = min(intensity, self.max_intensity)
        severe = structure.severe[degree] if structure.severe is not None else 0.0
        return structure.collapse[degree], severe


@dataclass(frozen=True)
class CountyDamage:
    """Estimated damage in one county; severe figures are None when not estimated."""

    county: str
    collapsed_rooms: int
    collapsed_households: int
    severe_rooms: int | None
    severe_households: int | None


@dataclass(frozen=True)
class HouseDamage:
    """Estimated house damage per county and in total, labelled as an estimate."""

    counties: tuple[CountyDamage, ...]
    collapsed_rooms: int
    collapsed_households: int
    severe_rooms: int | None
    severe_households: int | None
    label: str
    source: str


# ---------------------------------------------------------------- estimating


def _count(row: Mapping[str, Any], key: str, index: int) -> float:
    value = row.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InputError(
            f"housing row {index}: {key}: expected a non-negative number, got {value!r}",
            field=key,
        )
    return float(value)


def _row(
    profile: DamageProfile, row: Mapping[str, Any], index: int
) -> tuple[str, float, float, float, float]:
    """(county, collapsed rooms, collapsed households, severe rooms, severe households)."""
    county = row.get("county")
    if not isinstance(county, str) or not county.strip():
        raise InputError(f"housing row {index}: county: expected a name", field="county")
    structure_name = row.get("structure")
    if not isinstance(structure_name, str):
        raise InputError(
            f"housing row {index}: structure: expected text, got {structure_name!r}",
            field="structure",
        )
    structure = profile.structure(structure_name)
    rooms, households = _count(row, "rooms", index), _count(row, "households", index)
    intensity = row.get("intensity")
    if isinstance(intensity, bool) or not isinstance(intensity, int) or intensity not in DEGREES:
        raise InputError(
            f"housing row {index}: intensity: expected a whole degree 1–12, got {intensity!r}",
            field="intensity",
        )
    collapse, severe = profile.shares(structure, intensity)
    return (
        county.strip(),
        rooms * collapse,
        households * collapse,
        rooms * severe,
        households * severe,
    )


def _apportion(exact: Mapping[str, float]) -> tuple[dict[str, int], int]:
    """County figures in whole units adding up to the rounded exact total."""
    total = round(math.fsum(exact.values()))
    if total == 0:
        return dict.fromkeys(exact, 0), 0
    whole = largest_remainder(list(exact.values()), total)
    return dict(zip(exact, whole, strict=True)), total


def estimate_house_damage(profile: DamageProfile, rows: Iterable[Mapping[str, Any]]) -> HouseDamage:
    """Estimated collapsed (and severely damaged) rooms and households per county.

    Parameters
    ----------
    profile
        The parsed damage profile.
    rows
        Housing rows with ``county``, ``structure`` (a profile type or alias), ``rooms``,
        ``households`` and ``intensity`` (the whole degree the row lies in).

    Raises
    ------
    InputError
        A row with an unknown structure, negative rooms or households, no county or no
        whole intensity; ``field`` names the column.
    """
    sums: dict[str, list[float]] = {}
    for index, row in enumerate(rows):
        county, *figures = _row(profile, row, index)
        totals = sums.setdefault(county, [0.0, 0.0, 0.0, 0.0])
        for k, value in enumerate(figures):
            totals[k] += value
    columns = [_apportion({c: v[k] for c, v in sums.items()}) for k in range(4)]
    severe = profile.estimates_severe
    counties = tuple(
        CountyDamage(
            county=county,
            collapsed_rooms=columns[0][0][county],
            collapsed_households=columns[1][0][county],
            severe_rooms=columns[2][0][county] if severe else None,
            severe_households=columns[3][0][county] if severe else None,
        )
        for county in sums
    )
    return HouseDamage(
        counties=counties,
        collapsed_rooms=columns[0][1],
        collapsed_households=columns[1][1],
        severe_rooms=columns[2][1] if severe else None,
        severe_households=columns[3][1] if severe else None,
        label=profile.label,
        source=profile.source,
    )


# ---------------------------------------------------------------- parsing


def _shares(
    raw: object, where: str, low: int, high: int, problems: Problems
) -> dict[int, float] | None:
    if not isinstance(raw, Mapping):
        problems.add(where, f'expected a table of "degree" = share for {low}–{high}')
        return None
    shares: dict[int, float] = {}
    for degree in range(low, high + 1):
        value = raw.get(str(degree))
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            problems.add(f'{where}."{degree}"', "expected a share from 0 to 1")
            continue
        shares[degree] = float(value)
    previous = [shares[d] for d in sorted(shares)]
    if any(b < a for a, b in itertools.pairwise(previous)):
        problems.add(where, "expected shares that never fall as intensity rises")
    return shares


def _structure(
    name: str, raw: object, low: int, high: int, problems: Problems
) -> StructureDamage | None:
    where = f"structures.{name}"
    if not isinstance(raw, Mapping):
        problems.add(where, "expected a table")
        return None
    before = len(problems.items)
    collapse = _shares(raw.get("collapse"), f"{where}.collapse", low, high, problems)
    severe = (
        _shares(raw["severe"], f"{where}.severe", low, high, problems) if "severe" in raw else None
    )
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        problems.add(f"{where}.aliases", "expected a list of names")
        aliases = []
    texts = {}
    for key in ("source", "status"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add(f"{where}.{key}", "expected text")
        texts[key] = str(value)
    if len(problems.items) > before or collapse is None:
        return None
    return StructureDamage(name, tuple(aliases), collapse, severe, texts["source"], texts["status"])


def parse_damage(data: Mapping[str, Any], *, what: str = "damage profile") -> DamageProfile:
    """Freeze a damage profile mapping (the TOML as read), naming every problem at once.

    Raises
    ------
    ProfileError
        When a key is missing or malformed; the message lists every such key.
    """
    problems = Problems(what, error=ProfileError)
    low, high = data.get("min_intensity"), data.get("max_intensity")
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 12):
        problems.add("min_intensity", "expected whole degrees 1 ≤ min ≤ max ≤ 12")
        problems.raise_if_any()
        raise AssertionError  # unreachable: raise_if_any raised
    raw_structures = data.get("structures")
    if not isinstance(raw_structures, Mapping) or not raw_structures:
        problems.add("structures", "expected a table of structure types")
        raw_structures = {}
    structures: dict[str, StructureDamage] = {}
    for name, raw in raw_structures.items():
        structure = _structure(str(name), raw, low, high, problems)
        if structure is not None:
            structures[str(name)] = structure
    for key in ("label", "source"):
        if not isinstance(data.get(key), str):
            problems.add(key, "expected text")
    problems.raise_if_any()
    return DamageProfile(
        name=str(data.get("name", what)),
        label=str(data["label"]),
        source=str(data["source"]),
        structures=structures,
        min_intensity=low,
        max_intensity=high,
    )
