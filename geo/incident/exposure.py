"""Exposure: people affected and displaced inside an incident footprint, by county and class.

People are counted on the population grid without resampling: each cell counts by the
exact share of its area inside the footprint (coverage fractions from exactextract).
The footprint's severity pieces (`geo.incident.footprint.dissolve_by_severity`) are split by
county in the raster's CRS, every (county, class) part is measured in one exactextract
pass, and the displacement profile's rate turns affected into displaced people. Whole
figures are apportioned by largest remainder so county rows add up exactly to the
totals, and no row displaces more people than it has affected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo._crs import LONLAT, transformer
from geo.errors import InputError
from geo.incident.displacement import DisplacementProfile
from geo.incident.grid import COVERAGE_NOISE, cell_coverage
from geo.rounding import largest_remainder

#: Grid an overlay GEOS cannot node is snap-rounded to: 0.1 mm, or about that in degrees.
SNAP_GRID_M = 1e-4
SNAP_GRID_DEG = 1e-9
#: Columns of `Exposure.cells`, one row per (cell, county, class) with people in it.
CELL_COLUMNS = ("x", "y", "lon", "lat", "county", "class", "affected", "displaced")
#: `Exposure.cell_parts` has the same rows without lon/lat.
PART_COLUMNS = ("x", "y", "county", "class", "affected", "displaced")
_POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
#: Longest lon/lat footprint edge projected as it is. GeoJSON edges are straight in
#: lon/lat (RFC 7946); densified to 0.005° (~500 m) they stay within 1 cm of that line
#: once projected to a metric grid, where a 0.1° edge would sag by 1–3 m.
MAX_SEGMENT_DEG = 0.005


@dataclass(frozen=True)
class PopulationWindow:
    """Persons per cell over a north-up window of the population grid; nodata cells hold 0."""

    array: npt.NDArray[np.float64]
    transform: Affine
    crs: CRS
    nodata: float | None = None

    def __post_init__(self) -> None:
        if self.array.ndim != 2:
            raise ValueError(f"expected a 2-D array, got shape {self.array.shape}")
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise ValueError(f"expected a north-up transform without rotation, got {t!r}")

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north edges in the raster's CRS."""
        rows, cols = self.array.shape
        t = self.transform
        return t.c, t.f + rows * t.e, t.c + cols * t.a, t.f


@dataclass(frozen=True)
class CountyExposure:
    """One county's row: whole persons (rows sum to the totals) and the exact figures."""

    code: str
    name: str
    affected: int
    displaced: int
    affected_exact: float
    displaced_exact: float
    by_class: Mapping[str, int]


@dataclass(frozen=True)
class ClassExposure:
    """People in one hazard class over the whole footprint, with the rate applied."""

    name: str
    rate: float
    affected: int
    displaced: int
    affected_exact: float
    displaced_exact: float


@dataclass(frozen=True)
class Exposure:
    """People affected and displaced inside the footprint (an estimate).

    ``outside_counties`` counts people of the grid inside the footprint but outside
    every county; they are not in the totals. ``cell_parts`` lists every contributing
    part of a cell (columns `PART_COLUMNS`; ``x``, ``y`` are cell centres in ``crs``,
    ``county`` and ``class`` are categoricals); `cells` adds each centre's lon/lat.
    """

    hazard: str
    profile: str
    affected: int
    displaced: int
    affected_exact: float
    displaced_exact: float
    by_county: tuple[CountyExposure, ...]
    by_class: tuple[ClassExposure, ...]
    outside_counties: int
    outside_counties_exact: float
    crs: CRS
    cell_parts: pd.DataFrame = field(repr=False, compare=False)

    @cached_property
    def cells(self) -> pd.DataFrame:
        """`cell_parts` with lon/lat of each cell centre (columns `CELL_COLUMNS`).

        Derived on first use: transforming a million centres takes ~0.1 s and the
        analysis itself works in the raster's CRS.
        """
        parts = self.cell_parts
        lon, lat = transformer(self.crs, LONLAT).transform(
            parts["x"].to_numpy(), parts["y"].to_numpy()
        )
        columns = {name: parts[name] for name in PART_COLUMNS}
        columns.update(lon=lon, lat=lat)
        return pd.DataFrame({name: columns[name] for name in CELL_COLUMNS}, copy=False)


@dataclass(frozen=True)
class Zones:
    """The pieces split by county, in the raster's CRS; ``code`` None marks the part
    outside every county.
    """

    code: list[str | None]
    cls: list[str]
    geometry: npt.NDArray[np.object_]


_EMPTY_WINDOW = PopulationWindow(
    array=np.zeros((0, 0)), transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, 0.0), crs=CRS(LONLAT)
)


def project_bounds(
    bounds: tuple[float, float, float, float], *, crs: CRS
) -> tuple[float, float, float, float]:
    """Lon/lat bounds as bounds in ``crs`` that still cover them (edges densified)."""
    west, south, east, north = transformer(LONLAT, crs).transform_bounds(*bounds, densify_pts=21)
    return float(west), float(south), float(east), float(north)


def compute_exposure(
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    window: PopulationWindow,
    *,
    profile: DisplacementProfile,
    hazard: str,
) -> Exposure:
    """People affected and displaced in the severity pieces, by county and class.

    Parameters
    ----------
    pieces
        Non-overlapping footprint pieces with a ``class`` column (EPSG:4326), as
        returned by `geo.incident.footprint.dissolve_by_severity`.
    counties
        County polygons with ``code`` and ``name`` columns (EPSG:4326).
    window
        The population grid over the pieces' extent (`layers.population.read_window`).
    profile, hazard
        The displacement profile and the incident's hazard, which give each class's rate.

    Raises
    ------
    InputError
        When a piece's class is not a class of ``hazard`` or a frame lacks a column or CRS.
    """
    order = profile.order(hazard)
    _check_inputs(pieces, counties, order)
    zones = _zones(pieces, counties, crs=window.crs)
    return exposure_of(
        zones,
        measure(zones.geometry, window),
        counties=counties,
        profile=profile,
        hazard=hazard,
        crs=window.crs,
    )


@dataclass(frozen=True)
class Parts:
    """Cell parts inside zones: zone number, cell centre (raster CRS) and persons in it."""

    zone: npt.NDArray[np.intp]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    persons: npt.NDArray[np.float64]

    @classmethod
    def concat(cls, parts: list[Parts]) -> Parts:
        """Parts of several tiles as one, in the order given."""
        if not parts:
            return measure(np.empty(0, dtype=object), _EMPTY_WINDOW)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _PART_FIELDS))


_PART_FIELDS = ("zone", "x", "y", "persons")


def split_zones(
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    crs: CRS,
    profile: DisplacementProfile,
    hazard: str,
) -> Zones:
    """Check the inputs and split the severity pieces by county, in ``crs`` (the raster's)."""
    _check_inputs(pieces, counties, profile.order(hazard))
    return _zones(pieces, counties, crs=crs)


def measure(geoms: npt.NDArray[np.object_], window: PopulationWindow) -> Parts:
    """Persons of every cell part inside each geometry, partial cells by covered share."""
    zone_index, cell_id, coverage = cell_coverage(geoms, window)
    persons = window.array.ravel()[cell_id] * coverage
    rows, cols = np.divmod(cell_id, max(window.array.shape[1], 1))
    t = window.transform
    return Parts(
        zone=zone_index,
        x=t.c + (cols + 0.5) * t.a,
        y=t.f + (rows + 0.5) * t.e,
        persons=persons,
    )


def exposure_of(
    zones: Zones,
    parts: Parts,
    *,
    counties: gpd.GeoDataFrame,
    profile: DisplacementProfile,
    hazard: str,
    crs: CRS,
    affected: npt.NDArray[np.float64] | None = None,
) -> Exposure:
    """The exposure from measured parts: exact sums per zone, then whole persons that add up.

    ``affected`` (persons per zone) is summed from ``parts`` unless given, e.g. as the
    sum of per-tile sums (`layers.distributed`).
    """
    order = profile.order(hazard)
    rates = {cls.name: cls.rate for cls in profile.classes(hazard)}
    if affected is None:
        affected = np.bincount(parts.zone, weights=parts.persons, minlength=len(zones.code)).astype(
            float
        )
    rate = np.array([rates[c] for c in zones.cls], dtype=np.float64)
    sums = _Sums(zones, affected, affected * rate)
    total_affected, total_displaced = sums.totals()
    outside_exact = sum(float(a) for c, a in zip(zones.code, affected, strict=True) if c is None)
    names = dict(zip(counties["code"], counties["name"], strict=True))
    return Exposure(
        hazard=hazard,
        profile=profile.id,
        affected=total_affected,
        displaced=total_displaced,
        affected_exact=sums.affected_exact,
        displaced_exact=sums.displaced_exact,
        by_county=sums.by_county(names, order),
        by_class=sums.by_class(order, rates),
        outside_counties=round(outside_exact),
        outside_counties_exact=outside_exact,
        crs=crs,
        cell_parts=_cell_parts(zones, parts, rate=rate, order=order),
    )


def _check_inputs(
    pieces: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, order: tuple[str, ...]
) -> None:
    problems = []
    needs = (("pieces", pieces, ("class",)), ("counties", counties, ("code", "name")))
    for label, frame, columns in needs:
        if frame.crs is None:
            problems.append(f"{label} have no CRS")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            problems.append(f"{label} lack columns {missing}")
    if "class" in pieces.columns:
        unknown = sorted(set(pieces["class"].astype(str)) - set(order))
        if unknown:
            problems.append(f"piece classes {unknown} are not among {list(order)}")
    if problems:
        raise InputError("exposure: " + "; ".join(problems), field="footprint")


def _zones(pieces: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, *, crs: CRS) -> Zones:
    """Each piece split by county, plus the part of it outside every county, in ``crs``.

    Pieces are taken apart into their polygons first: a polygon wholly inside one county
    (most of a fragmented flood map) is kept as it is, and only polygons crossing a
    county border go through an overlay.
    """
    if pieces.empty:
        return Zones(code=[], cls=[], geometry=np.empty(0, dtype=object))
    near = counties.iloc[np.sort(counties.sindex.query(shapely.box(*pieces.total_bounds)))]
    piece_geoms = _project(pieces, crs)
    county_geoms = near.to_crs(crs).geometry.to_numpy()  # as dense as the pack made them
    shapely.prepare(county_geoms)
    polygons, piece_of = shapely.get_parts(piece_geoms, return_index=True)
    at, county_at = shapely.STRtree(county_geoms).query(polygons, predicate="intersects")
    cut = polygons[at]
    crossing = ~shapely.contains_properly(county_geoms[county_at], cut)
    cut[crossing] = _robust(
        shapely.intersection, cut[crossing], county_geoms[county_at][crossing], crs
    )
    classes = [str(c) for c in pieces["class"]]
    codes: list[str | None] = []
    zone_classes: list[str] = []
    geoms: list[BaseGeometry] = []
    group = piece_of[at] * len(county_geoms) + county_at
    for key in np.unique(group):
        piece, county = divmod(int(key), len(county_geoms))
        codes.append(str(near["code"].iloc[county]))
        zone_classes.append(classes[piece])
        geoms.append(_polygonal(shapely.get_parts(cut[group == key])))
    # Only a piece whose county parts fall short of its own area reaches outside the
    # counties; the costly difference is computed for those alone.
    inside = np.bincount(piece_of[at], weights=shapely.area(cut), minlength=len(piece_geoms))
    outside = shapely.area(piece_geoms) * (1 - COVERAGE_NOISE) > inside
    if outside.any():
        covered = shapely.union_all(county_geoms)
        for piece in np.flatnonzero(outside).tolist():
            rest = _robust(shapely.difference, piece_geoms[piece], covered, crs)
            codes.append(None)
            zone_classes.append(classes[piece])
            geoms.append(_polygonal(shapely.get_parts(rest)))
    keep = [not g.is_empty for g in geoms]
    return Zones(
        code=[c for c, k in zip(codes, keep, strict=True) if k],
        cls=[c for c, k in zip(zone_classes, keep, strict=True) if k],
        geometry=np.array([g for g, k in zip(geoms, keep, strict=True) if k], dtype=object),
    )


def _robust(operation: Callable[..., Any], a: Any, b: Any, crs: CRS) -> Any:
    """An overlay, redone where GEOS cannot node nearly coincident edges.

    Pieces reprojected from lon/lat can run within float noise of a county edge and come
    out slightly invalid; GEOS then raises a TopologyException. Only those geometries
    are redone: first made valid, then, if GEOS still fails, snap-rounded to a grid of
    `SNAP_GRID_DEG` or `SNAP_GRID_M`. The others are untouched.
    """
    try:
        return operation(a, b)
    except shapely.errors.GEOSException:
        if isinstance(a, np.ndarray):
            return np.array(
                [_robust(operation, x, y, crs) for x, y in zip(a, b, strict=True)], dtype=object
            )
    a, b = shapely.make_valid(a), shapely.make_valid(b)
    try:
        return operation(a, b)
    except shapely.errors.GEOSException:
        grid = SNAP_GRID_DEG if crs.is_geographic else SNAP_GRID_M
        return operation(a, b, grid_size=grid)


def _project(frame: gpd.GeoDataFrame, crs: CRS) -> npt.NDArray[np.object_]:
    """The footprint's geometries in ``crs``, long lon/lat edges densified first."""
    geoms = frame.geometry
    if frame.crs.is_geographic:
        geoms = gpd.GeoSeries(shapely.segmentize(geoms.to_numpy(), MAX_SEGMENT_DEG), crs=frame.crs)
    projected: npt.NDArray[np.object_] = geoms.to_crs(crs).to_numpy()
    return projected


def _polygonal(parts: npt.NDArray[np.object_]) -> BaseGeometry:
    """The polygons among overlay output parts, as one (possibly empty) MultiPolygon."""
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polygons)


class _Sums:
    """Exact per-zone sums rolled up by county and class into whole persons that add up."""

    def __init__(
        self,
        zones: Zones,
        affected: npt.NDArray[np.float64],
        displaced: npt.NDArray[np.float64],
    ) -> None:
        self.county: dict[str, list[float]] = {}
        self.cls: dict[str, list[float]] = {}
        self.county_cls: dict[tuple[str, str], float] = {}
        for code, cls, a, d in zip(zones.code, zones.cls, affected, displaced, strict=True):
            if code is None:
                continue
            for table, key in ((self.county, code), (self.cls, cls)):
                sums = table.setdefault(key, [0.0, 0.0])
                sums[0] += float(a)
                sums[1] += float(d)
            self.county_cls[code, cls] = self.county_cls.get((code, cls), 0.0) + float(a)
        self.affected_exact = sum(a for a, _ in self.county.values())
        self.displaced_exact = sum(d for _, d in self.county.values())

    def totals(self) -> tuple[int, int]:
        """Affected and displaced rounded from their exact sums; displaced never above affected."""
        affected = round(self.affected_exact)
        return affected, min(round(self.displaced_exact), affected)

    def by_county(
        self, names: Mapping[str, str], order: tuple[str, ...]
    ) -> tuple[CountyExposure, ...]:
        """Whole persons per county adding up exactly to the totals; displaced ≤ affected."""
        codes = sorted(self.county)
        affected, displaced = self._apportion([self.county[c] for c in codes])
        rows = []
        for code, a, d in zip(codes, affected, displaced, strict=True):
            present = [cls for cls in order if (code, cls) in self.county_cls]
            split = largest_remainder([self.county_cls[code, cls] for cls in present], a)
            exact_a, exact_d = self.county[code]
            rows.append(
                CountyExposure(
                    code=code,
                    name=str(names[code]),
                    affected=a,
                    displaced=d,
                    affected_exact=exact_a,
                    displaced_exact=exact_d,
                    by_class=dict(zip(present, split, strict=True)),
                )
            )
        return tuple(rows)

    def by_class(
        self, order: tuple[str, ...], rates: Mapping[str, float]
    ) -> tuple[ClassExposure, ...]:
        """Whole persons per class adding up exactly to the totals; displaced ≤ affected."""
        present = [cls for cls in order if cls in self.cls]
        affected, displaced = self._apportion([self.cls[c] for c in present])
        return tuple(
            ClassExposure(cls, rates[cls], a, d, *self.cls[cls])
            for cls, a, d in zip(present, affected, displaced, strict=True)
        )

    def _apportion(self, exact: list[list[float]]) -> tuple[list[int], list[int]]:
        affected_total, displaced_total = self.totals()
        affected = largest_remainder([a for a, _ in exact], affected_total)
        displaced = largest_remainder([d for _, d in exact], displaced_total, caps=affected)
        return affected, displaced


def _cell_parts(
    zones: Zones,
    parts: Parts,
    *,
    rate: npt.NDArray[np.float64],
    order: tuple[str, ...],
) -> pd.DataFrame:
    """The contributing cell parts inside the counties, located by their centres."""
    counties = sorted({c for c in zones.code if c is not None})
    county_of_zone = np.array(
        [-1 if c is None else counties.index(c) for c in zones.code], dtype=np.intp
    )
    class_of_zone = np.array([order.index(c) for c in zones.cls], dtype=np.intp)
    zone_index, persons = parts.zone, parts.persons
    keep = persons > 0
    if len(county_of_zone):
        keep &= county_of_zone[zone_index] >= 0
    zone_index, persons = zone_index[keep], persons[keep]
    columns = {
        "x": parts.x[keep],
        "y": parts.y[keep],
        "county": pd.Categorical.from_codes(county_of_zone[zone_index], categories=counties),
        "class": pd.Categorical.from_codes(
            class_of_zone[zone_index], categories=list(order), ordered=True
        ),
        "affected": persons,
        "displaced": persons * rate[zone_index],
    }
    return pd.DataFrame(columns, copy=False)
