"""Read and validate a layer pack (CONTRACT §2): ``layers.gpkg`` + ``population.tif``.

A pack is read once per process. Every vector layer is checked (CRS present, required
columns and their types, geometry types), invalid geometries are repaired and the
repair is reported, then the layer is brought to EPSG:4326 with its spatial index
built. A bad pack is refused with one `LayerError` naming each layer, column and
expectation that failed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, LayerError, LayerNotFound, Problems
from geo.incident.county_overlaps import SLIVER_SHARE, check_overlaps
from geo.incident.county_split import densify
from layers.population import OUTPUT_CRS, PopulationGrid, read_population

GEOPACKAGE = "layers.gpkg"
POPULATION = "population.tif"

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


SPECS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "counties",
        POLYGONAL,
        {"code": "text", "name": "text", "population": "int", "agri_population": "int?"},
        key="code",
    ),
    LayerSpec(
        "shelters",
        POLYGONAL | {"Point"},
        {"id": "text", "name": "text", "capacity": "int", "kind": "text"},
        key="id",
    ),
    LayerSpec(
        "depots",
        frozenset({"Point"}),
        {"id": "text", "name": "text", "level": "text"},
        choices={"level": frozenset({"city", "county", "township"})},
        key="id",
    ),
    LayerSpec(
        "depot_stock",
        None,
        {"depot_id": "text", "item": "text", "quantity": "number", "unit": "text"},
    ),
    LayerSpec(
        "hazard_zones",
        ANY_GEOMETRY,
        {"id": "text", "kind": "text", "risk": "text"},
        choices={"risk": frozenset({"extreme", "high", "medium", "low"})},
        key="id",
    ),
    LayerSpec(
        "roads",
        LINEAR,
        {"highway": "text"},
        optional={"maxspeed": "number?", "oneway": "bool?"},
    ),
)
#: Optional context layers: drawn on the maps, used by no analysis; checked when present.
#: ``water``: rivers (lines) and lakes or reservoirs (areas) with a ``name``; ``places``:
#: towns and villages with a ``name`` and a ``rank`` (1 the most important, labelled first).
CONTEXT_SPECS: tuple[LayerSpec, ...] = (
    LayerSpec("water", LINEAR | POLYGONAL, {"name": "text"}),
    LayerSpec("places", frozenset({"Point"}), {"name": "text", "rank": "int"}),
)
SPEC_BY_NAME = {spec.name: spec for spec in (*SPECS, *CONTEXT_SPECS)}


@dataclass(frozen=True)
class LayerPack:
    """A validated layer pack, vector layers in EPSG:4326 with spatial indexes built."""

    path: Path
    counties: gpd.GeoDataFrame
    shelters: gpd.GeoDataFrame
    depots: gpd.GeoDataFrame
    depot_stock: pd.DataFrame
    hazard_zones: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    population: PopulationGrid
    source_crs: Mapping[str, str]
    repairs: tuple[str, ...]
    jurisdiction: BaseGeometry
    #: The optional context layers present (CONTEXT_SPECS), by name.
    context: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def vector(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        """A layer by name, or `LayerNotFound` listing the names there are."""
        if name in self.context:
            return self.context[name]
        if name not in {spec.name for spec in SPECS}:
            names = [spec.name for spec in SPECS] + list(self.context)
            raise LayerNotFound(
                f"layer {name!r} does not exist; layers: {', '.join(names)}, population"
            )
        frame: gpd.GeoDataFrame | pd.DataFrame = getattr(self, name)
        return frame

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The jurisdiction's lon/lat bounds (the counties' extent)."""
        minx, miny, maxx, maxy = self.counties.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)

    def county(self, code: str) -> pd.Series:
        """The county row with this GB/T 2260 code, or an `InputError` naming ``county``."""
        rows = self.counties[self.counties["code"] == code]
        if rows.empty:
            raise InputError(
                f"county: {code!r} is not a county code of the layer pack "
                f"({', '.join(self.counties['code'])})",
                field="county",
            )
        row: pd.Series = rows.iloc[0]
        return row

    def agri_population(self, code: str) -> tuple[str, int | None]:
        """The county's name and agricultural population (None where the pack has none)."""
        row = self.county(code)
        value = row["agri_population"]
        return str(row["name"]), None if pd.isna(value) else int(value)

    def metric_crs(self) -> CRS:
        """A UTM CRS fit for measuring metres and square metres over this pack."""
        crs: CRS = self.counties.estimate_utm_crs()
        return crs


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


def read_pack(folder: Path) -> LayerPack:
    """Read and validate the layer pack in ``folder``.

    Raises
    ------
    LayerError
        Naming every layer, column and expectation that failed.
    """
    gpkg = folder / GEOPACKAGE
    if not gpkg.is_file():
        raise LayerError(f"layer pack {folder}: {GEOPACKAGE} not found")
    if not (folder / POPULATION).is_file():
        raise LayerError(f"layer pack {folder}: {POPULATION} not found")
    try:
        present = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    except pyogrio.errors.DataSourceError as exc:
        raise LayerError(f"layer pack {folder}: {GEOPACKAGE} cannot be read ({exc})") from exc
    problems = Problems(f"layer pack {folder} refused", error=LayerError, lead=" — ")
    repairs: list[str] = []
    frames: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for spec in SPECS:
        if spec.name not in present:
            problems.add(_where(spec.name, None), f"missing from {GEOPACKAGE}")
            continue
        frames[spec.name], source = _read_vector(gpkg, spec, problems, repairs)
        if source:
            sources[spec.name] = source
    context: dict[str, gpd.GeoDataFrame] = {}
    for spec in CONTEXT_SPECS:
        if spec.name in present:
            frame, source = _read_vector(gpkg, spec, problems, repairs)
            if isinstance(frame, gpd.GeoDataFrame) and source:
                context[spec.name], sources[spec.name] = frame, source
    if "depot_stock" in frames and "depots" in frames and frames["depots"] is not None:
        unknown = set(frames["depot_stock"].get("depot_id", [])) - set(
            frames["depots"].get("id", [])
        )
        if unknown:
            problems.add(
                _where("depot_stock", "depot_id"), f"ids {sorted(unknown)[:5]} not in depots"
            )
    problems.raise_if_any()
    population = read_population(folder / POPULATION)
    sources["population"] = population.crs.to_string()
    return LayerPack(
        path=folder,
        population=population,
        source_crs=sources,
        repairs=tuple(repairs),
        jurisdiction=shapely.union_all(frames["counties"].geometry.to_numpy()),
        context=context,
        **frames,
    )
