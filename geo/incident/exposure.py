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

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from geo._crs import LONLAT, transformer
from geo.incident.county_split import Zones, split_zones
from geo.incident.displacement import DisplacementProfile
from geo.incident.grid import Parts, PopulationWindow, measure
from geo.rounding import largest_remainder

#: Columns of `Exposure.cells`, one row per (cell, county, class) with people in it.
CELL_COLUMNS = ("x", "y", "lon", "lat", "county", "class", "affected", "displaced")
#: `Exposure.cell_parts` has the same rows without lon/lat.
PART_COLUMNS = ("x", "y", "county", "class", "affected", "displaced")


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
    zones = split_zones(pieces, counties, crs=window.crs, profile=profile, hazard=hazard)
    return exposure_of(
        zones,
        measure(zones.geometry, window),
        counties=counties,
        profile=profile,
        hazard=hazard,
        crs=window.crs,
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
