"""Displacement profiles: which share of affected people a hazard class displaces.

A profile is data (``data/displacement/default.toml``); `layers.profiles.read_displacement`
reads the file and `parse_profile` turns the mapping into a frozen `DisplacementProfile`,
refusing a malformed one with every problem named at once. Each hazard of CONTRACT §4 uses
one class table whose classes run from the most to the least severe; that order decides
which class an overlap of footprint features counts at. The rates are estimates and every
figure computed from them is labelled so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import InputError, Problems
from geo.plans.model import HAZARDS

#: The footprint column holding each feature's hazard class.
CLASS_COLUMN = "class"
#: The footprint column saying whether the class was given (False: the default was used).
GIVEN_COLUMN = "class_given"

_SPACE = re.compile(r"\s+")


def normalise(label: str) -> str:
    """A class label as matched: case and spaces do not count (``"> 1.5 M"`` is ``">1.5m"``)."""
    return _SPACE.sub("", label).casefold()


@dataclass(frozen=True)
class HazardClass:
    """One class of a table: the share of affected people it displaces, and why."""

    name: str
    rate: float
    source: str
    aliases: tuple[str, ...] = ()
    #: Numeric bounds: a value v is in the class when ``min < v <= max`` (InaSAFE's rule).
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class ClassTable:
    """The classes of one kind of hazard measure, from the most to the least severe."""

    name: str
    classes: tuple[HazardClass, ...]
    default_class: str
    #: What the bounds measure (``m`` of depth, ``degree`` of intensity), where they come
    #: from, and the largest value a hazard raster may plausibly hold.
    unit: str = ""
    bounds_source: str = ""
    plausible_max: float | None = None

    @property
    def has_bounds(self) -> bool:
        """Whether the classes carry numeric bounds (a value can select a class)."""
        return bool(self.classes) and all(c.min is not None for c in self.classes)

    def order(self) -> tuple[str, ...]:
        """Class names from the most to the least severe."""
        return tuple(c.name for c in self.classes)

    def find(self, label: str) -> HazardClass | None:
        """The class named ``label`` or having it as an alias, else None."""
        key = normalise(label)
        for cls in self.classes:
            if key in {normalise(n) for n in (cls.name, *cls.aliases)}:
                return cls
        return None


@dataclass(frozen=True)
class DisplacementProfile:
    """A parsed displacement profile: a class table for every hazard of CONTRACT §4."""

    id: str
    name: str
    note: str
    source: str
    tables: Mapping[str, ClassTable]
    hazards: Mapping[str, str]

    def table(self, hazard: str) -> ClassTable:
        """The class table ``hazard`` uses, or an `InputError` naming ``hazard``."""
        try:
            return self.tables[self.hazards[hazard]]
        except KeyError:
            raise InputError(
                f"hazard: {hazard!r} is not one of {', '.join(sorted(self.hazards))}",
                field="hazard",
            ) from None

    def classes(self, hazard: str) -> tuple[HazardClass, ...]:
        """The classes of ``hazard`` from the most to the least severe."""
        return self.table(hazard).classes

    def order(self, hazard: str) -> tuple[str, ...]:
        """The class names of ``hazard`` from the most to the least severe."""
        return self.table(hazard).order()

    def default_class(self, hazard: str) -> str:
        """Return the class a footprint feature without one is given.

        The default profile gives the least severe class.
        """
        return self.table(hazard).default_class

    def rate(self, hazard: str, cls: str) -> float:
        """The share (0–1) of affected people displaced in class ``cls`` of ``hazard``."""
        found = self.table(hazard).find(cls)
        if found is None:
            raise InputError(
                f"class {cls!r} is not a {hazard} class; allowed: {', '.join(self.order(hazard))}",
                field="footprint",
            )
        return found.rate


def assign_classes(
    footprint: gpd.GeoDataFrame, profile: DisplacementProfile, *, hazard: str
) -> gpd.GeoDataFrame:
    """Replace each feature's class by the profile's name for it; give the default where none.

    Returns a new frame whose ``class`` column holds canonical class names and whose
    ``class_given`` column is False where the hazard's default class was used.

    Raises
    ------
    InputError
        Naming the first feature whose class the profile does not know, and the
        classes allowed for ``hazard``.
    """
    table = profile.table(hazard)
    labels = footprint[CLASS_COLUMN] if CLASS_COLUMN in footprint else [None] * len(footprint)
    known: dict[str, str] = {}  # a footprint repeats few labels over many features
    names: list[str] = []
    given: list[bool] = []
    for position, label in enumerate(labels):
        if label is None or pd.isna(label):
            names.append(table.default_class)
            given.append(False)
            continue
        text = str(label)
        if text not in known:
            found = table.find(text)
            if found is None:
                index = footprint["feature"].iloc[position] if "feature" in footprint else position
                raise InputError(
                    f"footprint feature {index}: class {label!r} is not a {hazard} class of "
                    f"displacement profile {profile.id!r}; allowed (most to least severe): "
                    f"{', '.join(table.order())}",
                    field="footprint",
                )
            known[text] = found.name
        names.append(known[text])
        given.append(True)
    result = footprint.copy()
    result[CLASS_COLUMN] = names
    result[GIVEN_COLUMN] = given
    return result


def _text(raw: Mapping[str, Any], key: str, where: str, problems: Problems) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(where + key, "expected a non-empty string")
        return ""
    return value


def _parse_class(raw: Any, where: str, problems: Problems) -> HazardClass | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "expected a table with name, rate and source")
        return None
    name = _text(raw, "name", where, problems)
    source = _text(raw, "source", where, problems)
    rate = raw.get("rate")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        problems.add(where + "rate", "expected a share between 0 and 1 (0.05 for 5%)")
        rate = None
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.add(where + "aliases", "expected a list of non-empty strings")
        aliases = []
    low, high = _bounds(raw, where, problems)
    if not name or rate is None:
        return None
    return HazardClass(
        name=name, rate=float(rate), source=source, aliases=tuple(aliases), min=low, max=high
    )


def _bounds(
    raw: Mapping[str, Any], where: str, problems: Problems
) -> tuple[float | None, float | None]:
    """A class's ``min`` and ``max`` (both or neither; min < max), else (None, None)."""
    low, high = raw.get("min"), raw.get("max")
    if low is None and high is None:
        return None, None
    numbers = all(isinstance(b, int | float) and not isinstance(b, bool) for b in (low, high))
    if not numbers or not float(low) < float(high):  # type: ignore[arg-type]
        problems.add(where + "min", "expected numbers min < max (max = inf for no upper bound)")
        return None, None
    return float(low), float(high)  # type: ignore[arg-type]


def _check_bounds(table: ClassTable, raw: Mapping[str, Any], problems: Problems) -> ClassTable:
    """Bounds on every class or none, without overlaps, with a source; the table with them."""
    where = f"tables.{table.name}."
    given = [c.min is not None for c in table.classes]
    if not any(given):
        return table
    if not all(given):
        problems.add(where + "classes", "give min and max on every class or on none")
    spans = sorted((c.min, c.max, c.name) for c in table.classes if c.min is not None)
    for (_, high, name), (low, _, other) in pairwise(spans):
        if low is not None and high is not None and low < high:
            problems.add(where + "classes", f"bounds of {name!r} and {other!r} overlap")
    source = raw.get("bounds_source")
    if not isinstance(source, str) or not source.strip():
        problems.add(where + "bounds_source", "expected where the bounds come from")
    unit = raw.get("unit", "")
    plausible = raw.get("plausible_max")
    if plausible is not None and (
        isinstance(plausible, bool) or not isinstance(plausible, int | float)
    ):
        problems.add(where + "plausible_max", "expected a number")
        plausible = None
    return ClassTable(
        name=table.name,
        classes=table.classes,
        default_class=table.default_class,
        unit=str(unit),
        bounds_source=str(source or ""),
        plausible_max=None if plausible is None else float(plausible),
    )


def _parse_table(name: str, raw: Any, problems: Problems) -> ClassTable | None:
    where = f"tables.{name}."
    if not isinstance(raw, Mapping):
        problems.add(f"tables.{name}", "expected a table with default_class and classes")
        return None
    entries = raw.get("classes")
    if not isinstance(entries, list) or not entries:
        problems.add(where + "classes", "expected a non-empty array of tables ([[…classes]])")
        return None
    classes = [
        c
        for i, entry in enumerate(entries)
        if (c := _parse_class(entry, f"{where}classes[{i}].", problems)) is not None
    ]
    seen: dict[str, str] = {}
    for cls in classes:
        for key in {normalise(label) for label in (cls.name, *cls.aliases)}:
            if seen.setdefault(key, cls.name) != cls.name:
                problems.add(
                    where + "classes", f"label {key!r} names both {seen[key]!r} and {cls.name!r}"
                )
    for more, less in pairwise(classes):
        if less.rate > more.rate:
            problems.add(
                where + "classes",
                f"{less.name!r} (rate {less.rate}) is listed as less severe than {more.name!r} "
                f"(rate {more.rate}) but displaces more; list classes from most to least severe",
            )
    default = _text(raw, "default_class", where, problems)
    table = ClassTable(name=name, classes=tuple(classes), default_class=default)
    found = table.find(default) if default else None
    if default and found is None:
        problems.add(where + "default_class", f"{default!r} is not one of {list(table.order())}")
    if found is not None:
        table = ClassTable(name=name, classes=table.classes, default_class=found.name)
    return _check_bounds(table, raw, problems)


def parse_profile(data: Mapping[str, Any], *, source: str) -> DisplacementProfile:
    """Turn a displacement profile mapping (parsed TOML) into a `DisplacementProfile`.

    Parameters
    ----------
    data
        The profile as read from its file.
    source
        The file name, quoted in error messages.

    Raises
    ------
    PlanError
        Naming every malformed key at once.
    """
    problems = Problems(f"displacement profile {source}")
    raw_tables = data.get("tables")
    tables: dict[str, ClassTable] = {}
    if not isinstance(raw_tables, Mapping) or not raw_tables:
        problems.add("tables", "expected at least one class table ([tables.<name>])")
    else:
        for name, raw in raw_tables.items():
            if (table := _parse_table(name, raw, problems)) is not None:
                tables[name] = table
    raw_hazards = data.get("hazards")
    hazards: dict[str, str] = {}
    if not isinstance(raw_hazards, Mapping):
        problems.add("hazards", "expected a table mapping each hazard to { uses = <table> }")
        raw_hazards = {}
    for hazard, entry in raw_hazards.items():
        uses = entry.get("uses") if isinstance(entry, Mapping) else None
        if hazard not in HAZARDS:
            problems.add(f"hazards.{hazard}", f"unknown hazard; expected one of {sorted(HAZARDS)}")
        elif not isinstance(uses, str) or uses not in (raw_tables or {}):
            problems.add(
                f"hazards.{hazard}.uses", f"expected the name of a table, one of {sorted(tables)}"
            )
        else:
            hazards[hazard] = uses
    missing = sorted(HAZARDS - set(raw_hazards))
    if missing:
        problems.add("hazards", f"no class table for {missing}")
    profile_id = _text(data, "id", "", problems)
    name = _text(data, "name", "", problems)
    if data.get("estimate") is not True:
        problems.add("estimate", "expected true: displacement rates are estimates")
    problems.raise_if_any()
    return DisplacementProfile(
        id=profile_id,
        name=name,
        note=str(data.get("note", "")),
        source=source,
        tables=tables,
        hazards=hazards,
    )
