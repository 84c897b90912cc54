"""The layer pack reader: a good pack loads once with indexes; a bad one is refused by name."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from packs import TINY_CRS, X0, Y0, tiny_layers
from shapely.geometry import LineString, Point, Polygon, box

from geo.errors import LayerError
from layers.pack import read_pack


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
