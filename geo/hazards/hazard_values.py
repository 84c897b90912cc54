"""Numeric hazard values: a flood depth or a seismic intensity selects its profile class.

A class table with numeric bounds (`geo.incident.displacement.ClassTable.has_bounds`)
takes a value v into the class whose bounds hold ``min < v <= max`` (InaSAFE's rule).
A footprint feature may carry the value as ``properties.depth_m`` (tables in metres),
``properties.intensity`` (tables in degrees; Roman or Arabic) or a numeric
``properties.class``; `classify_values` writes the class name into ``properties.class``
so that the footprint reads as if the class had been named. A hazard raster's cells are
classed the same way by `class_codes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from geo.errors import HazardValueError, InputError
from geo.incident.displacement import ClassTable

#: The feature properties that carry a value, and the unit of table each belongs to.
VALUE_FIELDS = {"depth_m": "m", "intensity": "degree"}
#: Code of a raster cell in no class: nodata, or below the least severe class.
NO_CLASS = -1
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def bounds_text(table: ClassTable) -> str:
    """The classes with their bounds, e.g. ``>1.5m (1.5 < v <= inf), …``."""
    unit = f" {table.unit}" if table.unit else ""
    return ", ".join(f"{c.name} ({c.min:g} < v <= {c.max:g}{unit})" for c in table.classes)


def class_of_value(table: ClassTable, value: float, *, where: str, hazard: str) -> str:
    """The name of the class whose bounds hold ``value`` (``min < value <= max``).

    Raises
    ------
    HazardValueError
        When no class holds it, naming every class's bounds.
    """
    for cls in table.classes:
        if cls.min is not None and cls.max is not None and cls.min < value <= cls.max:
            return cls.name
    raise HazardValueError(
        f"{where}: value {value:g} is outside every {hazard} class; bounds "
        f"(min < v <= max): {bounds_text(table)}",
        field="footprint",
    )


def number(value: object) -> float | None:
    """A finite number from a JSON number or Arabic numeral text, else None (Roman: None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().removesuffix("度").removesuffix("m").strip()
        return float(text) if _NUMBER.match(text) else None
    return None


def classify_values(data: object, table: ClassTable, *, hazard: str) -> object:
    """The footprint with each feature's value turned into its class name; else unchanged.

    A feature's ``class`` naming a class (or alias) wins; a numeric ``class``, a
    ``depth_m`` or an ``intensity`` is classed by the table's bounds. Anything not a
    Feature or FeatureCollection is handed back unchanged for the footprint parser to judge.

    Raises
    ------
    HazardValueError
        A value outside every class (naming the bounds).
    InputError
        A value field the hazard does not use, or a value that is not a number.
    """
    if not isinstance(data, Mapping):
        return data
    if data.get("type") == "Feature":
        return _classify_feature(data, table, hazard=hazard, where="feature")
    features = data.get("features")
    if data.get("type") != "FeatureCollection" or not isinstance(features, list | tuple):
        return data
    classified = [
        _classify_feature(f, table, hazard=hazard, where=f"feature {i}")
        for i, f in enumerate(features)
    ]
    return {**data, "features": classified}


def _classify_feature(feature: object, table: ClassTable, *, hazard: str, where: str) -> object:
    if not isinstance(feature, Mapping) or not isinstance(feature.get("properties"), Mapping):
        return feature
    properties: Mapping[str, Any] = feature["properties"]
    label = properties.get("class")
    if isinstance(label, str) and table.find(label) is not None:
        return feature
    field, raw = _value_field(properties, table, hazard=hazard, where=where)
    if field is None:
        return feature
    if isinstance(raw, str) and table.find(raw) is not None:  # intensity "VIII", "Ⅷ度"
        name = str(getattr(table.find(raw), "name", raw))
    else:
        value = number(raw)
        if value is None:
            raise InputError(
                f"footprint {where}: properties.{field} must be a number, got {raw!r}",
                field="footprint",
            )
        name = class_of_value(table, value, where=f"footprint {where} {field}", hazard=hazard)
    return {**feature, "properties": {**properties, "class": name}}


def _value_field(
    properties: Mapping[str, Any], table: ClassTable, *, hazard: str, where: str
) -> tuple[str | None, object]:
    """Which property carries the value (``class`` if numeric), and the value."""
    label = properties.get("class")
    if table.has_bounds and label is not None and number(label) is not None:
        return "class", label
    for field, unit in VALUE_FIELDS.items():
        raw = properties.get(field)
        if raw is None:
            continue
        if not table.has_bounds or table.unit != unit:
            raise InputError(
                f"footprint {where}: properties.{field} does not grade a {hazard} footprint; "
                f"give properties.class, one of {', '.join(table.order())}",
                field="footprint",
            )
        return field, raw
    return None, None


def class_codes(
    values: npt.NDArray[np.floating[Any]], valid: npt.NDArray[np.bool_], table: ClassTable
) -> npt.NDArray[np.int8]:
    """Each value's class as its index in ``table.classes``; `NO_CLASS` where none or invalid.

    Values at or below the least severe class's minimum are in no class (not affected);
    a value above every maximum is in no class either (`check_plausible` refuses those).
    """
    codes = np.full(values.shape, NO_CLASS, dtype=np.int8)
    for index, cls in enumerate(table.classes):
        if cls.min is None or cls.max is None:
            continue
        inside = valid & (values > cls.min) & (values <= cls.max)
        codes[inside] = index
    return codes


def check_plausible(largest: float, table: ClassTable, *, hazard: str, where: str) -> None:
    """Refuse a raster whose largest value is above the table's ``plausible_max``.

    Raises
    ------
    HazardValueError
        Naming the value, the limit and the likely cause (centimetres for metres).
    """
    limit = table.plausible_max
    if limit is not None and largest > limit:
        unit = table.unit or "units"
        hint = " (centimetres? give metres)" if table.unit == "m" else ""
        raise HazardValueError(
            f"{where}: largest value {largest:g} is above the plausible {hazard} maximum "
            f"{limit:g} {unit}{hint}",
            field="hazard_raster",
        )


def require_bounds(table: ClassTable, *, hazard: str, field: str) -> None:
    """Refuse a numeric value or raster for a hazard whose classes have no bounds.

    Raises
    ------
    InputError
        Naming ``field`` and the classes to name instead.
    """
    if not table.has_bounds:
        raise InputError(
            f"{field}: {hazard} classes have no numeric bounds in the displacement profile; "
            f"name a class instead ({', '.join(table.order())})",
            field=field,
        )
