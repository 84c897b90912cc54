"""The layer pack reader: a good pack loads once with indexes; a bad one is refused by name."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
from exposure_reference import persons_by_county
from packs import TINY_CRS, X0, Y0, tiny_layers, write_pack
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

from geo.errors import LayerError
from geo.incident.exposure import compute_exposure
from geo.incident.grid import project_bounds
from layers.pack import read_pack
from layers.population import read_window
from layers.profiles import read_displacement


def test_tiny_pack_loads_in_wgs84_with_indexes(tiny_pack):
    pack = read_pack(tiny_pack)
    assert pack.counties.crs.to_epsg() == 4326
    assert list(pack.counties["code"]) == ["140302", "140303"]
    assert pack.source_crs["counties"] == TINY_CRS
    assert pack.population.total == 3000.0
    assert pack.counties.has_sindex
    assert pack.roads.has_sindex
    assert pack.repairs == ()
    assert pack.metric_crs().to_epsg() == 32649


def _counties(**columns):
    frame = tiny_layers()["counties"]
    for name, values in columns.items():
        if values is None:
            frame = frame.drop(columns=name)
        else:
            frame[name] = values
    return frame


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"counties": _counties(population=None)},
            r"layer 'counties', column 'population': missing; expected int values",
            id="missing-column",
        ),
        pytest.param(
            {"counties": _counties(population=[10.5, 20.0])},
            r"layer 'counties', column 'population': expected whole numbers",
            id="fractional-int",
        ),
        pytest.param(
            {"counties": _counties(population=[-1, 20])},
            r"layer 'counties', column 'population': expected non-negative values",
            id="negative",
        ),
        pytest.param(
            {"counties": _counties(code=["140302", "140302"])},
            r"layer 'counties', column 'code': expected unique ids",
            id="duplicate-id",
        ),
        pytest.param(
            {"counties": tiny_layers()["counties"].set_crs(None, allow_override=True)},
            r"layer 'counties', column 'geometry': no CRS is defined",
            id="no-crs",
        ),
        pytest.param(
            {"counties": None},
            r"layer 'counties': missing from layers.gpkg",
            id="missing-layer",
        ),
        pytest.param(
            {
                "depots": gpd.GeoDataFrame(
                    {"id": ["D1", "D2"], "name": ["a", "b"], "level": ["city", "village"]},
                    geometry=[Point(X0, Y0), Point(X0 + 1, Y0)],
                    crs=TINY_CRS,
                )
            },
            r"layer 'depots', column 'level': values \['village'\] not in",
            id="bad-choice",
        ),
        pytest.param(
            {
                "roads": gpd.GeoDataFrame(
                    {"highway": ["primary"]}, geometry=[Point(X0, Y0)], crs=TINY_CRS
                )
            },
            r"layer 'roads', column 'geometry': found \['Point'\]; expected",
            id="wrong-geometry-type",
        ),
        pytest.param(
            {
                "hazard_zones": gpd.GeoDataFrame(
                    {"id": ["H1"], "kind": ["fault"], "risk": ["severe"]},
                    geometry=[box(X0, Y0, X0 + 5, Y0 + 5)],
                    crs=TINY_CRS,
                )
            },
            r"layer 'hazard_zones', column 'risk': values \['severe'\]",
            id="bad-risk",
        ),
    ],
)
def test_bad_pack_is_refused_naming_layer_and_column(make_pack, overrides, message):
    folder = make_pack(**overrides)
    with pytest.raises(LayerError, match=message):
        read_pack(folder)


def test_all_problems_are_named_at_once(make_pack):
    folder = make_pack(
        counties=_counties(population=None),
        roads=gpd.GeoDataFrame(
            {"name": ["x"]}, geometry=[LineString([(X0, Y0), (X0 + 1, Y0)])], crs=TINY_CRS
        ),
    )
    with pytest.raises(LayerError) as caught:
        read_pack(folder)
    assert "'counties', column 'population'" in str(caught.value)
    assert "'roads', column 'highway'" in str(caught.value)


def test_stock_of_unknown_depot_is_refused(make_pack):
    stock = tiny_layers()["depot_stock"]
    stock.loc[0, "depot_id"] = "D9"
    with pytest.raises(LayerError, match=r"'depot_stock', column 'depot_id': ids \['D9'\]"):
        read_pack(make_pack(depot_stock=stock))


def test_self_intersecting_polygon_is_repaired_and_reported(make_pack):
    bowtie = Polygon([(X0, Y0), (X0 + 10_000, Y0 + 10_000), (X0 + 10_000, Y0), (X0, Y0 + 10_000)])
    counties = tiny_layers()["counties"]
    counties.loc[0, "geometry"] = bowtie
    pack = read_pack(make_pack(counties=counties))
    assert len(pack.repairs) == 1
    assert "counties row 0 (code 140302): invalid geometry (Self-intersection" in pack.repairs[0]
    assert pack.counties.geometry.iloc[0].is_valid
    assert pack.counties.geometry.iloc[0].geom_type in {"Polygon", "MultiPolygon"}


def test_raster_without_crs_is_refused(make_pack):
    with pytest.raises(LayerError, match=r"layer 'population' \(population.tif\): no CRS"):
        read_pack(make_pack(raster_crs=None))


def test_negative_population_cells_are_refused(make_pack):
    grid = np.full((10, 20), 3, dtype="int32")
    grid[0, 0] = -5
    with pytest.raises(LayerError, match="non-negative persons per cell"):
        read_pack(make_pack(population=grid))


def test_nodata_cells_are_not_counted(make_pack):
    grid = np.full((10, 20), 3, dtype="int32")
    grid[0, :] = -1  # nodata
    assert read_pack(make_pack(population=grid)).population.total == 3 * 9 * 20


def test_missing_files_are_named(tmp_path):
    with pytest.raises(LayerError, match=r"layers\.gpkg not found"):
        read_pack(tmp_path)
    (tmp_path / "layers.gpkg").write_bytes(b"not a geopackage")
    (tmp_path / "population.tif").write_bytes(b"")
    with pytest.raises(LayerError, match=r"layers\.gpkg cannot be read"):
        read_pack(tmp_path)


def test_an_all_nodata_raster_totals_zero(make_pack):
    grid = np.full((10, 20), -1, dtype="int32")
    assert read_pack(make_pack(population=grid)).population.total == 0.0


def _with_east_county_from(x: float, tmp_path):
    layers = tiny_layers()
    counties = layers["counties"].copy()
    counties.loc[1, "geometry"] = box(X0 + x, Y0, X0 + 20_000, Y0 + 10_000)
    layers["counties"] = counties
    return write_pack(tmp_path / "pack", layers=layers)


def test_counties_overlapping_by_more_than_a_sliver_are_refused_by_code_and_area(tmp_path):
    folder = _with_east_county_from(8_000, tmp_path)  # 2 km × 10 km in common
    with pytest.raises(
        LayerError,
        match=r"layer 'counties', column 'geometry'.*counties 140302 and 140303 overlap by "
        r"(19,99\d|20,00\d),\d{3} m² \(20\.00% of the smaller\)",
    ):
        read_pack(folder)


def test_a_sliver_of_overlap_goes_to_the_lower_code_and_is_reported(tmp_path):
    pack = read_pack(_with_east_county_from(10_000 - 0.05, tmp_path))  # 0.05 m × 10 km
    (repair,) = pack.repairs
    assert re.fullmatch(
        r"counties 140302 and 140303: overlap of 5\d\d\.\d m² \(5\.\de-06 of the smaller\) "
        r"assigned to 140302, the lower code",
        repair,
    ), repair
    utm = pack.counties.to_crs(TINY_CRS).set_index("code").geometry
    assert utm["140302"].intersection(utm["140303"]).area < 1e-3
    assert utm["140302"].area == pytest.approx(1e8, rel=1e-9)
    assert utm["140303"].area == pytest.approx(1e8, rel=1e-7)


def test_a_long_straight_lonlat_border_keeps_its_line_over_a_utm_grid(tmp_path):
    # Two counties drawn in lon/lat, split by one straight lon/lat edge ~12 km long,
    # over the tiny pack's 1 km UTM grid of uneven people.
    to_lonlat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True)
    (w, e), (s, n) = to_lonlat.transform([X0 + 1_000, X0 + 19_000], [Y0 + 1_000, Y0 + 9_000])
    a, b = w + 0.3 * (e - w), w + 0.7 * (e - w)
    layers = tiny_layers()
    drawn = gpd.GeoDataFrame(
        {"code": ["140302", "140303"], "name": ["西县", "东县"], "population": [1, 2]},
        geometry=[
            Polygon([(w, s), (a, s), (b, n), (w, n)]),
            Polygon([(a, s), (e, s), (e, n), (b, n)]),
        ],
        crs="EPSG:4326",
    )
    layers["counties"] = drawn.assign(agri_population=[None, None])
    people = np.random.default_rng(7).gamma(2.0, 50.0, size=(10, 20)).round(1)
    pack = read_pack(write_pack(tmp_path / "pack", layers=layers, population=people))
    footprint = gpd.GeoDataFrame({"class": ["high"]}, geometry=[box(w, s, e, n)], crs="EPSG:4326")
    window = read_window(pack.population, project_bounds((w, s, e, n), crs=pack.population.crs))
    result = compute_exposure(
        footprint, pack.counties, window, profile=read_displacement(), hazard="landslide"
    )
    expected = persons_by_county(box(w, s, e, n), drawn, window)
    assert {r.code for r in result.by_county} == set(expected)
    for row in result.by_county:
        assert row.affected_exact == pytest.approx(expected[row.code], rel=1e-6)
