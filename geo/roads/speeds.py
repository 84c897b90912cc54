"""Travel speeds by road class, and the reading of OSM ``maxspeed`` and ``oneway`` values.

The speeds are a settings profile (``data/speeds.toml``, read by
`layers.profiles.read_speeds`), each class with its source. `parse_speeds` freezes the
profile, refusing a malformed one with every problem named at once. `parse_maxspeed` and
`parse_oneway` read the values OSM and hand-made layers carry (numbers, ``"60 km/h"``,
``"40 mph"``; booleans, ``"yes"``, ``"-1"``), answering ``None`` for what they cannot read so the
caller can say so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from geo.errors import ProfileError

#: Kilometres per mile (international mile).
KM_PER_MILE = 1.609344
#: ``1`` along the digitised direction only, ``-1`` against it only, ``0`` both ways.
Direction = Literal[-1, 0, 1]

_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
_ONEWAY_TEXT: dict[str, Direction] = {
    **dict.fromkeys(("yes", "true", "1"), 1),
    **dict.fromkeys(("-1", "reverse"), -1),
    **dict.fromkeys(("no", "false", "0", ""), 0),
}
_ONEWAY_NUMBERS: dict[float, Direction] = {1.0: 1, -1.0: -1, 0.0: 0}


@dataclass(frozen=True)
class ClassSpeed:
    """The default speed of one OSM ``highway`` class, with where it comes from."""

    highway: str
    km_h: float
    source: str
    grade: str | None = None
    mapping: str | None = None


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds per ``highway`` class and the speed of classes not listed."""

    name: str
    classes: Mapping[str, ClassSpeed]
    default_km_h: float
    default_source: str

    def km_h(self, highway: str) -> float:
        """The speed of a class; the default for a class not listed."""
        entry = self.classes.get(highway)
        return entry.km_h if entry is not None else self.default_km_h


# ---------------------------------------------------------------- the profile


def _speed(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _class_speed(highway: str, raw: object, problems: list[str]) -> ClassSpeed | None:
    where = f"highway.{highway}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a table")
        return None
    km_h, source = _speed(raw.get("km_h")), _text(raw.get("source"))
    if km_h is None:
        problems.append(f"{where}.km_h: expected a positive number of km/h")
    if source is None:
        problems.append(f"{where}.source: expected text saying where the speed comes from")
    unknown = sorted(set(raw) - {"km_h", "source", "grade", "mapping"})
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    if km_h is None or source is None:
        return None
    return ClassSpeed(
        highway=highway,
        km_h=km_h,
        source=source,
        grade=_text(raw.get("grade")),
        mapping=_text(raw.get("mapping")),
    )


def parse_speeds(data: Mapping[str, Any], *, source: str) -> SpeedProfile:
    """Check a speeds profile mapping and freeze it.

    Raises
    ------
    ProfileError
        Naming ``source`` and every key that is missing or malformed.
    """
    problems: list[str] = []
    default = data.get("default")
    default_km_h = default_source = None
    if not isinstance(default, Mapping):
        problems.append("default: missing; expected a table with km_h and source")
    else:
        default_km_h, default_source = _speed(default.get("km_h")), _text(default.get("source"))
        if default_km_h is None:
            problems.append("default.km_h: expected a positive number of km/h")
        if default_source is None:
            problems.append("default.source: expected text saying where the speed comes from")
    raw = data.get("highway", {})
    if not isinstance(raw, Mapping) or not raw:
        problems.append("highway: expected one table per OSM highway class")
        raw = {}
    classes = {name: _class_speed(name, entry, problems) for name, entry in raw.items()}
    if problems or default_km_h is None or default_source is None:
        raise ProfileError(f"speeds profile {source} refused — " + "; ".join(problems))
    return SpeedProfile(
        name=_text(data.get("name")) or source,
        classes={k: v for k, v in classes.items() if v is not None},
        default_km_h=default_km_h,
        default_source=default_source,
    )


# ---------------------------------------------------------------- segment values


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_maxspeed(value: object) -> float | None:
    """A ``maxspeed`` value in km/h, or ``None`` when it is missing or cannot be read.

    Numbers are km/h; text may carry ``km/h``, ``kmh``, ``kph`` or ``mph``. Symbolic
    values (``"none"``, ``"signals"``, ``"CN:urban"``), several values (``"60;40"``)
    and non-positive numbers are not read.
    """
    if _is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) and number > 0 else None
    match = _MAXSPEED.match(str(value))
    if match is None:
        return None
    number = float(match.group(1))
    if (match.group(2) or "").lower() == "mph":
        number *= KM_PER_MILE
    return number if number > 0 else None


def maxspeed_given(value: object) -> bool:
    """Whether a ``maxspeed`` cell holds anything at all (so an unread value is worth a note)."""
    return not _is_missing(value) and not (isinstance(value, str) and not value.strip())


def parse_oneway(value: object) -> Direction | None:
    """A ``oneway`` value as a `Direction`, or ``None`` when it cannot be read.

    ``True``, ``"yes"``, ``"true"``, ``"1"``: along the digitised direction; ``"-1"``,
    ``"reverse"``: against it; ``False``, ``"no"``, ``"false"``, ``"0"`` or missing: both
    ways. Anything else (``"reversible"``, ``"alternating"``) is ``None``.
    """
    if _is_missing(value):
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return _ONEWAY_NUMBERS.get(float(value))
    return _ONEWAY_TEXT.get(str(value).strip().lower())
