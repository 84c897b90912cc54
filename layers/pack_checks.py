"""How one layer of a pack is read and checked: columns and their kinds, geometry, counties.

`layers.pack` reads every layer through `_read_vector`, which files each fault it finds
(missing or mistyped columns, values outside the allowed kinds, duplicate keys, invalid or
wrongly typed geometries, county codes and overlaps) with `Problems`, repairing what can
be repaired and saying so. The housing layer is read the same way (`layers.housing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import Problems
from geo.incident.county_overlaps import SLIVER_SHARE, check_overlaps
from geo.incident.county_split import densify
from layers.population import OUTPUT_CRS

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
LINEAR = frozenset({"LineString", "MultiLineString"})
ANY_GEOMETRY = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)

#: Column kinds: text, int, number, bool, and the "?" suffix for nullable columns.
_Columns = Mapping[str, str]


@dataclass(frozen=True)
class LayerSpec:
    """What CONTRACT §2 requires of one layer."""

    name: str
    geometry: frozenset[str] | None
    required: _Columns
    optional: _Columns = field(default_factory=dict)
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)
    key: str | None = None




def _where(layer: str, column: str | None) -> str:
    """The key a pack problem is filed under: the layer, and the column when there is one."""
    return f"layer {layer!r}" + (f", column {column!r}" if column else "")


def _is_text(series: pd.Series) -> bool:
    return bool(series.map(lambda v: isinstance(v, str) and v.strip() != "").all())


def _is_int(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_integer_dtype(series):
        return True
    if not pd.api.types.is_numeric_dtype(series):
        return False
    values = series.to_numpy(dtype=float)
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _is_number(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return False
    return bool(np.all(np.isfinite(series.to_numpy(dtype=float))))


def _is_bool(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    return bool(series.map(lambda v: v in (0, 1, True, False)).all())


_KIND_CHECKS: dict[str, tuple[Callable[[pd.Series], bool], str]] = {
    "text": (_is_text, "non-empty text in every row"),
    "int": (_is_int, "whole numbers"),
    "number": (_is_number, "finite numbers"),
    "bool": (_is_bool, "true/false values"),
}


def _check_kind(
    frame: pd.DataFrame, spec: LayerSpec, column: str, kind: str, problems: Problems
) -> None:
    """Check one present column against its kind: emptiness, type, sign."""
    base = kind.rstrip("?")
    series = frame[column]
    present = series.dropna()
    if not kind.endswith("?") and len(present) < len(series):
        problems.add(_where(spec.name, column), f"{len(series) - len(present)} empty values")
    check, expected = _KIND_CHECKS[base]
    if len(present) and not check(present):
        problems.add(_where(spec.name, column), f"expected {expected}")
    elif base in ("int", "number") and len(present) and (present < 0).any():
        problems.add(_where(spec.name, column), "expected non-negative values")


def _check_columns(frame: pd.DataFrame, spec: LayerSpec, problems: Problems) -> None:
    """Check the layer's columns: required ones present, kinds, allowed values, unique keys."""
    for columns, required in ((spec.required, True), (spec.optional, False)):
        for column, kind in columns.items():
            if column in frame.columns:
                _check_kind(frame, spec, column, kind, problems)
            elif required:
                expected = kind.rstrip("?")
                problems.add(_where(spec.name, column), f"missing; expected {expected} values")
    for column, allowed in spec.choices.items():
        if column in frame.columns:
            bad = sorted(set(frame[column].dropna().astype(str)) - allowed)
            if bad:
                problems.add(_where(spec.name, column), f"values {bad} not in {sorted(allowed)}")
    if spec.key and spec.key in frame.columns:
        duplicated = frame[spec.key][frame[spec.key].duplicated()].astype(str).tolist()
        if duplicated:
            problems.add(
                _where(spec.name, spec.key), f"expected unique ids, repeated: {duplicated[:5]}"
            )


def _row_label(frame: pd.DataFrame, spec: LayerSpec, index: int) -> str:
    if spec.key and spec.key in frame.columns:
        return f"row {index} ({spec.key} {frame[spec.key].iloc[index]})"
    return f"row {index}"


def _check_geometry(
    frame: gpd.GeoDataFrame, spec: LayerSpec, problems: Problems, repairs: list[str]
) -> gpd.GeoDataFrame:
    """Refuse missing or wrongly typed geometries; repair invalid ones and say so."""
    if frame.crs is None:
        problems.add(
            _where(spec.name, "geometry"), "no CRS is defined; expected a layer with a CRS"
        )
        return frame
    geoms = frame.geometry.to_numpy()
    missing = [i for i, g in enumerate(geoms) if g is None or g.is_empty]
    for i in missing[:5]:
        problems.add(_where(spec.name, "geometry"), f"{_row_label(frame, spec, i)} has no geometry")
    invalid = np.flatnonzero(~shapely.is_valid(geoms) & ~np.isin(np.arange(len(geoms)), missing))
    repaired = geoms.copy()
    for i in invalid.tolist():
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i], method="structure", keep_collapsed=False)
        if fixed.geom_type == "GeometryCollection" and spec.geometry == POLYGONAL:
            fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type in POLYGONAL])
        if fixed.is_empty:
            problems.add(
                _where(spec.name, "geometry"),
                f"{_row_label(frame, spec, i)} is invalid ({reason}) and cannot be repaired",
            )
            continue
        repaired[i] = fixed
        repairs.append(
            f"{spec.name} {_row_label(frame, spec, i)}: invalid geometry ({reason}) repaired"
        )
    frame = frame.set_geometry(gpd.GeoSeries(repaired, index=frame.index, crs=frame.crs))
    if spec.geometry is not None:
        types = {g.geom_type for g in repaired if g is not None and not g.is_empty}
        wrong = sorted(types - spec.geometry)
        if wrong:
            problems.add(
                _where(spec.name, "geometry"), f"found {wrong}; expected {sorted(spec.geometry)}"
            )
    return frame


def _check_counties(
    frame: gpd.GeoDataFrame, problems: Problems, repairs: list[str]
) -> gpd.GeoDataFrame:
    """County borders densified as footprints are, then in lon/lat, overlaps checked.

    Borders are densified in the CRS they were drawn in, once, so that they keep their
    line when projected to the population grid's CRS. Slivers of overlap go to the
    lower code and are reported with the repairs; larger overlaps refuse the pack.
    """
    frame = densify(frame).to_crs(OUTPUT_CRS)
    geoms = frame.geometry.to_numpy()
    if "code" not in frame.columns or not all(g is not None and g.is_valid for g in geoms):
        return frame  # already refused by the column and geometry checks
    found = check_overlaps(frame, metric_crs=frame.estimate_utm_crs())
    for o in found.overlaps:
        problems.add(
            _where("counties", "geometry"),
            f"counties {o.codes[0]} and {o.codes[1]} overlap by {o.area_m2:,.0f} m² "
            f"({o.share:.2%} of the smaller); expected counties that do not overlap "
            f"(overlaps under {SLIVER_SHARE:.2%} of the smaller are taken as slivers)",
        )
    for o in found.slivers:
        repairs.append(
            f"counties {o.codes[0]} and {o.codes[1]}: overlap of {o.area_m2:,.1f} m² "
            f"({o.share:.1e} of the smaller) assigned to {o.codes[0]}, the lower code"
        )
    return frame.set_geometry(gpd.GeoSeries(found.geometry, index=frame.index, crs=frame.crs))


def _read_vector(
    gpkg: Path, spec: LayerSpec, problems: Problems, repairs: list[str]
) -> tuple[gpd.GeoDataFrame | pd.DataFrame | None, str | None]:
    try:
        if spec.geometry is None:
            table = pyogrio.read_dataframe(gpkg, layer=spec.name, read_geometry=False)
            _check_columns(table, spec, problems)
            return pd.DataFrame(table), None
        frame = gpd.read_file(gpkg, layer=spec.name, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        problems.add(_where(spec.name, None), f"cannot be read ({exc})")
        return None, None
    _check_columns(frame, spec, problems)
    frame = _check_geometry(frame, spec, problems, repairs)
    if frame.crs is None:
        return frame, None
    source = frame.crs.to_string()
    if spec.name == "counties":
        frame = _check_counties(frame, problems, repairs)
    frame = frame.to_crs(OUTPUT_CRS)
    frame.sindex  # noqa: B018 - build the spatial index once, at load
    return frame, source
