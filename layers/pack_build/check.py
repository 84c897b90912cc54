"""Check a layer pack for the validation report: what refuses it and what merely needs a look.

Faults that refuse the pack are those `layers.pack.read_layers` finds (missing or
mistyped columns, values outside the allowed ones, duplicate ids, geometries that cannot
be repaired, overlapping counties). Findings that do not refuse it: county codes that are
not GB/T 2260 county codes, shelters and depots outside every county, kinds the setbacks
profile does not know, a population raster whose total differs from the county table's
by more than `POPULATION_TOLERANCE`, and a road network in pieces with the shelters and
depots cut off from each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import ReliefError
from geo.hazards.setbacks import Setbacks
from geo.roads.components import Connectivity, connectivity
from geo.roads.network import build_network
from geo.roads.speeds import SpeedProfile
from layers.pack import POPULATION, SPECS, read_layers
from layers.population import PopulationGrid, read_population

#: The county table and the raster may differ by rounding, not by whole villages: 1 %.
POPULATION_TOLERANCE = 0.01
#: A GB/T 2260 county-level code: six digits, a province digit first, not ending in 00.
COUNTY_CODE = re.compile(r"^[1-9]\d{3}(?!00)\d{2}$")
_LAYER_KEY = re.compile(r"^layer '([^']+)'")


@dataclass(frozen=True)
class LayerSummary:
    """One layer as found: feature count, geometry types, CRS and lon/lat bounds."""

    name: str
    count: int
    geometry: str | None
    crs: str | None
    bounds: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Finding:
    """One fault: the layer it concerns and what is wrong."""

    layer: str
    text: str


@dataclass(frozen=True)
class PackReport:
    """What a check found; the pack is usable when there are no errors."""

    folder: Path
    layers: tuple[LayerSummary, ...]
    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    repairs: tuple[Finding, ...]
    population_total: float | None
    connectivity: Connectivity | None

    @property
    def usable(self) -> bool:
        """Whether `layers.pack.read_pack` accepts the pack."""
        return not self.errors


def _layer_of(text: str) -> str:
    match = _LAYER_KEY.match(text)
    return match.group(1) if match else text.split(" ", 1)[0]


def _summary(name: str, frame: Any, crs: str | None) -> LayerSummary:
    if not isinstance(frame, gpd.GeoDataFrame):
        return LayerSummary(name, len(frame), None, None, None)
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    types = ", ".join(sorted(set(frame.geom_type.dropna())))
    return LayerSummary(name, len(frame), types or None, crs, (minx, miny, maxx, maxy))


def _codes(frames: dict[str, Any]) -> list[Finding]:
    codes = [str(c) for c in frames["counties"]["code"]]
    bad = [c for c in codes if not COUNTY_CODE.match(c)]
    if not bad:
        return []
    return [
        Finding(
            "counties",
            f"column 'code': {bad[:5]} are not 6-digit GB/T 2260 county codes "
            "(e.g. 140302: province 14, city 03, county 02)",
        )
    ]


def _outside(frames: dict[str, Any]) -> list[Finding]:
    land = shapely.union_all(frames["counties"].geometry.to_numpy())
    found = []
    for name in ("shelters", "depots"):
        frame = frames[name]
        points = frame.geometry.representative_point().to_numpy()
        out = [str(i) for i, p in zip(frame["id"], points, strict=True) if not land.covers(p)]
        if out:
            found.append(Finding(name, f"{len(out)} outside every county: {out[:10]}"))
    return found


def _kinds(frames: dict[str, Any], setbacks: Setbacks) -> list[Finding]:
    found = []
    known = {
        "shelters": (set(setbacks.radii), "has no service radius in the setbacks profile"),
        "hazard_zones": (set(setbacks.kinds) - {"default"}, "takes the default setback"),
    }
    for name, (allowed, consequence) in known.items():
        unknown = sorted(set(frames[name]["kind"].dropna().astype(str)) - allowed)
        if unknown:
            found.append(
                Finding(
                    name,
                    f"column 'kind': {unknown} not among the kinds {sorted(allowed)}; "
                    f"such a row {consequence}",
                )
            )
    return found


def _population(frames: dict[str, Any], grid: PopulationGrid) -> list[Finding]:
    table = float(pd.to_numeric(frames["counties"]["population"]).sum())
    if table <= 0:
        return []
    gap = (grid.total - table) / table
    if abs(gap) <= POPULATION_TOLERANCE:
        return []
    return [
        Finding(
            "population",
            f"raster total {grid.total:,.0f} differs from the counties' population "
            f"{table:,.0f} by {gap:+.1%} (more than {POPULATION_TOLERANCE:.0%})",
        )
    ]


def _roads(
    frames: dict[str, Any], speeds: SpeedProfile, snap_max_m: float
) -> tuple[Connectivity, list[Finding]]:
    metric = frames["counties"].estimate_utm_crs()
    network = build_network(frames["roads"], speeds=speeds, metric_crs=metric)
    found = connectivity(
        network, shelters=frames["shelters"], depots=frames["depots"], snap_max_m=snap_max_m
    )
    notes = []
    if found.components > 1:
        notes.append(
            Finding(
                "roads",
                f"the network falls into {found.components} unconnected parts (nodes per part, "
                f"largest first: {list(found.sizes[:5])}); routes cannot cross between them",
            )
        )
    for name, ids, other in (
        ("shelters", found.isolated_shelters, "no depot"),
        ("depots", found.isolated_depots, "no shelter"),
    ):
        if ids:
            notes.append(
                Finding(
                    name,
                    f"{len(ids)} cut off: no road within {snap_max_m:g} m or on a part of the "
                    f"network {other} joins: {list(ids[:10])}",
                )
            )
    return found, notes


def _guarded(check: Callable[[], list[Finding]], name: str) -> list[Finding]:
    """Run one check; a layer too broken for it gets a note instead (its errors say why)."""
    try:
        return check()
    except (ReliefError, KeyError, ValueError, TypeError) as exc:
        return [Finding(name, f"not checked: {exc}")]


def check_pack(
    folder: Path, *, speeds: SpeedProfile, setbacks: Setbacks, snap_max_m: float
) -> PackReport:
    """Check the pack in ``folder`` and collect everything the report says."""
    found = read_layers(folder)
    frames = {k: v for k, v in found.frames.items() if v is not None}
    errors = [Finding(_layer_of(t), t) for t in found.problems.items]
    failed = {f.layer for f in errors}
    summaries = [
        _summary(spec.name, frames[spec.name], found.sources.get(spec.name))
        for spec in SPECS
        if spec.name in frames
    ]
    grid = None
    try:
        grid = read_population(folder / POPULATION)
        summaries.append(
            LayerSummary(
                "population",
                grid.width * grid.height,
                "raster",
                grid.crs.to_string(),
                grid.bounds_wgs84,
            )
        )
    except ReliefError as exc:
        errors.append(Finding("population", str(exc)))
    warnings: list[Finding] = []
    connected = None
    if not failed & {"counties"}:
        warnings += _guarded(lambda: _codes(frames), "counties")
        if grid is not None:
            warnings += _guarded(lambda: _population(frames, grid), "population")
        if not failed & {"shelters", "depots"}:
            warnings += _guarded(lambda: _outside(frames), "shelters")
        if not failed & {"shelters", "depots", "roads"}:
            try:
                connected, notes = _roads(frames, speeds, snap_max_m)
                warnings += notes
            except ReliefError as exc:
                warnings.append(Finding("roads", f"network not checked: {exc}"))
    if not failed & {"shelters", "hazard_zones"}:
        warnings += _guarded(lambda: _kinds(frames, setbacks), "hazard_zones")
    return PackReport(
        folder=folder,
        layers=tuple(summaries),
        errors=tuple(errors),
        warnings=tuple(warnings),
        repairs=tuple(Finding(r.split(" ", 1)[0], r) for r in found.repairs),
        population_total=None if grid is None else grid.total,
        connectivity=connected,
    )
