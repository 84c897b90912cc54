"""Exposure: exact partial-cell counts by county and class, rows adding up to the totals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely.geometry import Polygon, box

from geo.errors import InputError
from geo.incident.exposure import CELL_COLUMNS, compute_exposure
from geo.incident.footprint import dissolve_by_severity
from geo.incident.grid import PopulationWindow, project_bounds
from layers.profiles import read_displacement

UTM = CRS.from_epsg(32649)
X0, Y0, CELL = 700_000.0, 4_190_000.0, 1000.0
#: 4 × 4 cells of 1 km; row 0 is the northern row (Y0 + 3 km .. Y0 + 4 km).
GRID = np.arange(10.0, 170.0, 10.0).reshape(4, 4)
WEST, EAST = "140302", "140303"


@pytest.fixture(scope="module")
def profile():
    return read_displacement()


def window(array=GRID) -> PopulationWindow:
    top = Y0 + array.shape[0] * CELL
    return PopulationWindow(array=array, transform=Affine(CELL, 0, X0, 0, -CELL, top), crs=UTM)


def km(x0, y0, x1, y1):
    """A box given in km from the grid's south-west corner."""
    return box(X0 + x0 * CELL, Y0 + y0 * CELL, X0 + x1 * CELL, Y0 + y1 * CELL)


def lonlat(*items, crs=UTM):
    """A (class, geometry) frame drawn in metres, handed over in lon/lat as the API does.

    Edges are densified to 10 m first, so the lon/lat polygon (straight in lon/lat,
    RFC 7946) follows the metric one to well under a millimetre.
    """
    geoms = shapely.segmentize(np.array([g for _, g in items], dtype=object), 10.0)
    frame = gpd.GeoDataFrame({"class": [c for c, _ in items]}, geometry=geoms, crs=crs)
    return frame.to_crs("EPSG:4326")


def counties(*, east=True):
    items = [(WEST, "西县", km(0, 0, 2, 4))]
    if east:
        items.append((EAST, "东县", km(2, 0, 4, 4)))
    items.append(("140399", "远县", km(40, 40, 50, 50)))  # far away, never touched
    return gpd.GeoDataFrame(
        {"code": [c for c, _, _ in items], "name": [n for _, n, _ in items]},
        geometry=shapely.segmentize(np.array([g for _, _, g in items], dtype=object), 10.0),
        crs=UTM,
    ).to_crs("EPSG:4326")


def exposure(pieces, *, hazard="landslide", grid=GRID, east=True, profile=None):
    profile = profile or read_displacement()
    return compute_exposure(
        pieces, counties(east=east), window(grid), profile=profile, hazard=hazard
    )


def test_half_a_cell_counts_half():
    result = exposure(lonlat(("high", km(0, 3, 0.5, 4))))  # west half of the NW cell (10)
    assert result.affected_exact == pytest.approx(5.0, abs=1e-6)
    assert result.affected == 5
    assert result.displaced == 5  # generic 'high' displaces everyone


def test_partial_cells_split_by_county_with_literal_figures():
    # x 0.5–2.5 km, y 2.5–4 km: row 0 whole, row 1 half; col 0 and col 2 half.
    result = exposure(lonlat(("high", km(0.5, 2.5, 2.5, 4))))
    west, east = result.by_county
    assert (west.code, west.name, east.code) == (WEST, "西县", EAST)
    assert west.affected_exact == pytest.approx(5 + 20 + 0.5 * (25 + 60), abs=1e-6)  # 67.5
    assert east.affected_exact == pytest.approx(15 + 0.5 * 35, abs=1e-6)  # 32.5
    assert result.affected_exact == pytest.approx(100.0, abs=1e-6)
    # 67.5 / 32.5 → 67 / 32 and one unit left: equal remainders, the first county takes it.
    assert (result.affected, west.affected, east.affected) == (100, 68, 32)
    assert (result.displaced, west.displaced, east.displaced) == (100, 68, 32)
    assert west.by_class == {"high": 68}
    assert result.outside_counties == 0


def test_overlapping_features_count_once_at_the_most_severe_class():
    footprint = lonlat(("low", km(0, 2, 2, 4)), ("high", km(1, 2, 3, 4)))
    pieces = dissolve_by_severity(footprint, order=("high", "medium", "low"))
    result = exposure(pieces)
    # Union: cols 0-2 of rows 0-1 = 10+20+30+50+60+70 = 240; 'high' owns cols 1-2 = 180.
    assert result.affected_exact == pytest.approx(240.0, abs=1e-6)
    assert result.displaced_exact == pytest.approx(180.0, abs=1e-6)  # low displaces 0
    by_class = {row.name: row for row in result.by_class}
    assert by_class["high"].affected == 180
    assert by_class["low"].affected == 60
    assert by_class["low"].displaced == 0
    assert [c.name for c in result.by_class] == ["high", "low"]  # severity order
    west, east = result.by_county
    assert west.by_class == {"high": 80, "low": 60}
    assert east.by_class == {"high": 100}


def test_flood_rates_and_rounding(profile):
    pieces = lonlat((">1.5m", km(0, 0, 4, 1)), ("0.1-0.7m", km(0, 1, 4, 2)))
    result = exposure(pieces, hazard="flood", profile=profile)
    # bottom row 130+140+150+160 = 580 at 5%; next row 90..120 = 420 at 1%
    assert result.affected == 1000
    assert result.displaced_exact == pytest.approx(580 * 0.05 + 420 * 0.01)  # 33.2
    assert result.displaced == 33
    assert sum(row.displaced for row in result.by_county) == 33
    assert result.profile == "default"
    assert result.hazard == "flood"


def test_people_outside_every_county_are_counted_apart():
    result = exposure(lonlat(("high", km(1, 3, 3, 4))), east=False)  # 20 west, 30 outside
    assert result.affected == 20
    assert result.outside_counties_exact == pytest.approx(30.0, abs=1e-6)
    assert result.outside_counties == 30
    assert [row.code for row in result.by_county] == [WEST]


def test_cells_table_locates_every_contributing_cell_part():
    result = exposure(lonlat(("high", km(0.5, 3, 2.5, 4))))
    cells = result.cells
    assert tuple(cells.columns) == CELL_COLUMNS
    assert len(cells) == 3
    assert cells["affected"].sum() == pytest.approx(result.affected_exact)
    assert sorted(cells["affected"].round(6)) == [5.0, 15.0, 20.0]
    assert sorted(cells["x"]) == [X0 + 500, X0 + 1500, X0 + 2500]
    assert set(cells["y"]) == {Y0 + 3500}
    assert list(cells["county"].cat.categories) == [WEST, EAST]
    assert cells["class"].cat.ordered
    assert (cells["displaced"] == cells["affected"]).all()
    lon, lat = shapely.get_coordinates(
        gpd.GeoSeries(gpd.points_from_xy(cells["x"], cells["y"]), crs=UTM).to_crs(4326)
    ).T
    np.testing.assert_allclose(cells["lon"], lon, atol=1e-9)
    np.testing.assert_allclose(cells["lat"], lat, atol=1e-9)
    assert "lon" not in result.cell_parts


def test_nodata_cells_stay_empty_and_only_people_make_cells():
    grid = GRID.copy()
    grid[0, 0] = 0.0  # a window reads nodata as 0
    result = exposure(lonlat(("high", km(0, 3, 2, 4))), grid=grid)
    assert result.affected == 20
    assert len(result.cells) == 1


@pytest.mark.parametrize(
    ("pieces", "grid"),
    [
        pytest.param(lonlat(("high", km(0, 0, 1, 1))).iloc[:0], GRID, id="no-pieces"),
        pytest.param(lonlat(("high", km(0, 0, 1, 1))), np.zeros((0, 0)), id="empty-window"),
    ],
)
def test_nothing_to_count_gives_zeros(pieces, grid):
    result = exposure(pieces, grid=grid)
    assert (result.affected, result.displaced, result.outside_counties) == (0, 0, 0)
    assert all(row.affected == 0 for row in result.by_county)
    assert result.cells.empty
    assert tuple(result.cells.columns) == CELL_COLUMNS


def _exact_by_shapely(polygon, grid):
    """Each cell's value times the share of its box inside ``polygon``, summed."""
    rows, cols = np.indices(grid.shape)
    top = Y0 + grid.shape[0] * CELL
    boxes = shapely.box(
        X0 + cols * CELL, top - (rows + 1) * CELL, X0 + (cols + 1) * CELL, top - rows * CELL
    )
    shares = shapely.area(shapely.intersection(boxes, polygon)) / CELL**2
    return float((shares * grid).sum())


def test_random_polygon_agrees_with_an_independent_computation():
    rng = np.random.default_rng(42)
    grid = rng.gamma(2.0, 40.0, size=(50, 50))
    angles = np.sort(rng.uniform(0, 2 * np.pi, 40))
    radii = rng.uniform(6, 24, 40) * CELL
    centre = (X0 + 25 * CELL, Y0 + 25 * CELL)
    polygon = Polygon(
        np.column_stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)])
    )
    assert polygon.is_valid
    everything = gpd.GeoDataFrame(
        {"code": [WEST], "name": ["西县"]}, geometry=[km(-10, -10, 60, 60)], crs=UTM
    ).to_crs("EPSG:4326")
    result = compute_exposure(
        lonlat(("high", polygon)),
        everything,
        window(grid),
        profile=read_displacement(),
        hazard="landslide",
    )
    expected = _exact_by_shapely(polygon, grid)
    assert result.affected_exact == pytest.approx(expected, rel=0.005)
    assert result.affected_exact == pytest.approx(expected, rel=1e-7)  # in fact exact


_boxes = st.lists(
    st.tuples(
        st.sampled_from(["VIII", "VI", "V", "III"]),
        st.floats(0, 3.5),
        st.floats(0, 3.5),
        st.floats(0.2, 3),
        st.floats(0.2, 3),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(boxes=_boxes, seed=st.integers(0, 2**16))
def test_county_rows_add_up_and_never_displace_more_than_affected(boxes, seed):
    rng = np.random.default_rng(seed)
    grid = np.round(rng.gamma(1.5, 7.0, size=(4, 4)), 1)
    profile = read_displacement()
    footprint = lonlat(*[(cls, km(x, y, x + w, y + h)) for cls, x, y, w, h in boxes])
    pieces = dissolve_by_severity(footprint, order=profile.order("earthquake"))
    result = exposure(pieces, hazard="earthquake", grid=grid, profile=profile)
    rows = result.by_county
    assert sum(r.affected for r in rows) == result.affected
    assert sum(r.displaced for r in rows) == result.displaced
    assert all(0 <= r.displaced <= r.affected for r in rows)
    assert all(sum(r.by_class.values()) == r.affected for r in rows)
    assert sum(c.affected for c in result.by_class) == result.affected
    assert sum(c.displaced for c in result.by_class) == result.displaced
    assert all(c.displaced <= c.affected for c in result.by_class)
    assert result.affected == round(result.affected_exact)
    assert result.cells["affected"].sum() == pytest.approx(result.affected_exact, abs=1e-6)


@pytest.mark.parametrize(
    ("pieces", "frame", "message"),
    [
        pytest.param(
            lonlat(("deep", km(0, 0, 1, 1))),
            counties(),
            r"piece classes \['deep'\] are not among \['high', 'medium', 'low'\]",
            id="unknown-class",
        ),
        pytest.param(
            lonlat(("high", km(0, 0, 1, 1))),
            counties().drop(columns="name"),
            r"counties lack columns \['name'\]",
            id="county-without-name",
        ),
        pytest.param(
            lonlat(("high", km(0, 0, 1, 1))).set_crs(None, allow_override=True),
            counties(),
            r"pieces have no CRS",
            id="pieces-without-crs",
        ),
        pytest.param(
            pd.DataFrame({"geometry": [km(0, 0, 1, 1)]}).pipe(gpd.GeoDataFrame, crs=UTM),
            counties(),
            r"pieces lack columns \['class'\]",
            id="pieces-without-class",
        ),
    ],
)
def test_refusals(profile, pieces, frame, message):
    with pytest.raises(InputError, match=r"^exposure: .*" + message):
        compute_exposure(pieces, frame, window(), profile=profile, hazard="landslide")


def test_unknown_hazard_is_refused(profile):
    with pytest.raises(InputError, match=r"hazard: 'tsunami' is not one of"):
        compute_exposure(
            lonlat(("high", km(0, 0, 1, 1))),
            counties(),
            window(),
            profile=profile,
            hazard="tsunami",
        )


@pytest.mark.parametrize(
    ("array", "transform", "message"),
    [
        (np.zeros(4), Affine(CELL, 0, X0, 0, -CELL, Y0), r"expected a 2-D array"),
        (GRID, Affine(CELL, 0, X0, 0, CELL, Y0), r"expected a north-up transform"),
        (GRID, Affine.rotation(5), r"expected a north-up transform"),
    ],
)
def test_population_window_refuses_what_exactextract_cannot_read(array, transform, message):
    with pytest.raises(ValueError, match=message):
        PopulationWindow(array=array, transform=transform, crs=UTM)


def test_project_bounds_cover_the_lonlat_box():
    lonlat_box = lonlat(("high", km(0, 0, 4, 4))).total_bounds
    west, south, east, north = project_bounds(tuple(lonlat_box), crs=UTM)
    assert west <= X0 + 1e-6
    assert south <= Y0 + 1e-6
    assert east >= X0 + 4 * CELL - 1e-6
    assert north >= Y0 + 4 * CELL - 1e-6
