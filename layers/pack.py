"""Read and validate a layer pack (CONTRACT §2): ``layers.gpkg`` + ``population.tif``.

A pack is read once per process. Every vector layer is checked (CRS present, required
columns and their types, geometry types), invalid geometries are repaired and the
repair is reported, then the layer is brought to EPSG:4326 with its spatial index
built. A bad pack is refused with one `LayerError` naming each layer, column and
expectation that failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, LayerError, LayerNotFound, Problems
from layers.pack_checks import (
    ANY_GEOMETRY,
    LINEAR,
    POLYGONAL,
    LayerSpec,
    _read_vector,
    _where,
)
from layers.population import PopulationGrid, read_population

GEOPACKAGE = "layers.gpkg"
POPULATION = "population.tif"

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
    #: The EPSG code of `metric_crs`, when already found (the pack cache keeps it).
    metric_epsg: int | None = None

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
        if self.metric_epsg is not None:
            # As estimate_utm_crs makes it, without its search of every UTM zone (0.15 s).
            return CRS.from_epsg(self.metric_epsg)
        crs: CRS = self.counties.estimate_utm_crs()
        return crs


@dataclass(frozen=True)
class PackLayers:
    """A pack's vector layers as read (EPSG:4326), their source CRS and every fault found."""

    frames: dict[str, Any]
    sources: dict[str, str]
    problems: Problems
    repairs: tuple[str, ...]
    context: dict[str, gpd.GeoDataFrame]


def read_layers(folder: Path) -> PackLayers:
    """Read and check the vector layers of the pack in ``folder``, collecting every fault.

    Raises
    ------
    LayerError
        Only when ``layers.gpkg`` or ``population.tif`` is missing or unreadable.
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
    return PackLayers(frames, sources, problems, tuple(repairs), context)


def read_pack(folder: Path) -> LayerPack:
    """Read and validate the layer pack in ``folder``.

    Raises
    ------
    LayerError
        Naming every layer, column and expectation that failed.
    """
    found = read_layers(folder)
    found.problems.raise_if_any()
    population = read_population(folder / POPULATION)
    return LayerPack(
        path=folder,
        population=population,
        source_crs={**found.sources, "population": population.crs.to_string()},
        repairs=found.repairs,
        jurisdiction=shapely.union_all(found.frames["counties"].geometry.to_numpy()),
        context=found.context,
        **found.frames,
    )
