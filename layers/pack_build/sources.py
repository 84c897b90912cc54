"""The sources file (``SOURCES.toml``): per pack layer, which file to read and how.

Each ``[layers.<name>]`` table names a ``file`` (relative to the sources file) and, as
needed, the ``layer`` (GeoPackage layer, KML folder, XLSX sheet), the text ``encoding``
(Shapefile without ``.cpg``, CSV), the ``crs`` when the file has none, the ``datum`` of
lon/lat picked off a Chinese web map (`geo.chinese_datums.DATUMS`), the coordinate
columns ``x`` and ``y`` of a CSV or XLSX point list, ``rename`` (source column → pack
column), ``values`` (pack column → {source value → pack value}) and ``types`` (the kind
of an extra column read from CSV or XLSX, which are read as text). ``[population]``
names the population raster and its ``crs`` when it has none; ``[pack]`` may give the
pack's ``name`` for the report. Layers not in CONTRACT §2
(e.g. ``housing``) are copied as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.chinese_datums import DATUMS
from geo.errors import LayerError, Problems
from layers._toml import read_toml as _read_toml

LAYER_KEYS = frozenset(
    {"file", "layer", "encoding", "crs", "datum", "x", "y", "rename", "values", "types", "note"}
)
RASTER_KEYS = frozenset({"file", "crs", "note"})
#: Column kinds a ``types`` table may give (as in `layers.pack.LayerSpec`).
KINDS = frozenset({"text", "int", "number", "bool"})
_DATUM_KEYS = {d.upper().replace("-", ""): d for d in DATUMS}


@dataclass(frozen=True)
class LayerSource:
    """How one pack layer is read from a bureau's file."""

    name: str
    file: Path
    layer: str | None = None
    encoding: str | None = None
    crs: str | None = None
    datum: str = "WGS84"
    x: str | None = None
    y: str | None = None
    rename: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)

    def where(self) -> str:
        """The file and pack layer, for messages."""
        return f"{self.file.name} (layer {self.name!r})"


@dataclass(frozen=True)
class RasterSource:
    """The population raster and its CRS when the file has none."""

    file: Path
    crs: str | None = None


@dataclass(frozen=True)
class Sources:
    """A parsed sources file."""

    path: Path
    layers: tuple[LayerSource, ...]
    population: RasterSource
    name: str | None = None


def _crs(value: object, where: str, problems: Problems) -> str | None:
    if value is None:
        return None
    try:
        CRS.from_user_input(str(value))
    except CRSError:
        problems.add(f"{where}.crs", f"{value!r} is not a CRS pyproj knows (e.g. 'EPSG:4547')")
        return None
    return str(value)


def _mapping(value: object, where: str, problems: Problems) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(where, "expected a table")
        return {}
    return value


def _values(raw: object, where: str, problems: Problems) -> dict[str, dict[str, str]]:
    out = {}
    for column, table in _mapping(raw, f"{where}.values", problems).items():
        out[column] = {
            str(k): str(v) for k, v in _mapping(table, f"{where}.values.{column}", problems).items()
        }
    return out


def _types(raw: object, where: str, problems: Problems) -> dict[str, str]:
    out = {str(k): str(v) for k, v in _mapping(raw, f"{where}.types", problems).items()}
    for column, kind in out.items():
        if kind.rstrip("?") not in KINDS:
            problems.add(f"{where}.types.{column}", f"{kind!r}; expected one of {sorted(KINDS)}")
    return out


def _text(table: Mapping[str, Any], key: str, where: str, problems: Problems) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        problems.add(f"{where}.{key}", "expected text")
        return None
    return value


def _layer(name: str, table: object, base: Path, problems: Problems) -> LayerSource | None:
    where = f"layers.{name}"
    if not isinstance(table, dict):
        problems.add(where, "expected a table")
        return None
    for key in sorted(set(table) - LAYER_KEYS):
        problems.add(f"{where}.{key}", f"unknown key; expected one of {sorted(LAYER_KEYS)}")
    file = _text(table, "file", where, problems)
    if not file:
        problems.add(f"{where}.file", "missing; expected the path of the source file")
        return None
    datum = str(table.get("datum", "WGS84"))
    key = datum.upper().replace("-", "").replace("_", "")
    if key not in _DATUM_KEYS:
        problems.add(f"{where}.datum", f"{datum!r}; expected one of {', '.join(DATUMS)}")
    x, y = _text(table, "x", where, problems), _text(table, "y", where, problems)
    if (x is None) != (y is None):
        problems.add(where, "give both x and y (the coordinate columns) or neither")
    return LayerSource(
        name=name,
        file=(base / file),
        layer=_text(table, "layer", where, problems),
        encoding=_text(table, "encoding", where, problems),
        crs=_crs(table.get("crs"), where, problems),
        datum=_DATUM_KEYS.get(key, datum),
        x=x,
        y=y,
        rename={str(k): str(v) for k, v in _mapping(table.get("rename"), where, problems).items()},
        values=_values(table.get("values"), where, problems),
        types=_types(table.get("types"), where, problems),
    )


def read_sources(path: Path) -> Sources:
    """Read and check a sources file.

    Raises
    ------
    LayerError
        Naming the file and every key at fault.
    """
    data, _ = _read_toml(path, what="sources file", error=LayerError)
    problems = Problems(f"sources file {path}", error=LayerError)
    base = path.parent
    layers = []
    for name, table in _mapping(data.get("layers"), "layers", problems).items():
        source = _layer(name, table, base, problems)
        if source is not None:
            layers.append(source)
    if not layers:
        problems.add("layers", "no [layers.<name>] table; expected one per pack layer")
    raster = _mapping(data.get("population"), "population", problems)
    for key in sorted(set(raster) - RASTER_KEYS):
        problems.add(f"population.{key}", f"unknown key; expected one of {sorted(RASTER_KEYS)}")
    file = _text(raster, "file", "population", problems)
    if not file:
        problems.add("population.file", "missing; expected the population raster's path")
    population = RasterSource(base / (file or ""), _crs(raster.get("crs"), "population", problems))
    pack = _mapping(data.get("pack"), "pack", problems)
    for key in sorted(set(pack) - {"name", "note"}):
        problems.add(f"pack.{key}", "unknown key; expected name (and note)")
    for key in sorted(set(data) - {"layers", "population", "pack"}):
        problems.add(key, "unknown table; expected [pack], [layers.<name>] and [population]")
    problems.raise_if_any()
    pack_name = _text(pack, "name", "pack", problems)
    return Sources(path=path, layers=tuple(layers), population=population, name=pack_name)
