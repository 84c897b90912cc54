"""Exact cell coverage: whole cells never lost or gained where vertices sit on grid nodes."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import CRS

from geo.incident import grid as grid_module
from geo.incident.grid import PopulationWindow, cell_coverage

LONLAT, UTM = CRS.from_epsg(4326), CRS.from_epsg(32649)
#: The polygon of the upstream report, with a reflex vertex on the node (10.90, 59.60).
NOTCHED = shapely.from_wkt(
    "POLYGON ((10.80 59.50, 11.00 59.50, 11.00 59.70, 10.80 59.70, 10.80 59.62, "
    "10.90 59.60, 10.80 59.58, 10.80 59.50))"
)


def from_bounds(west, south, east, north, *, cols, rows, crs) -> PopulationWindow:
    """A window of ones whose cell size is derived from its edges, as a reader derives it."""
    transform = Affine((east - west) / cols, 0, west, 0, -(north - south) / rows, north)
    return PopulationWindow(array=np.ones((rows, cols)), transform=transform, crs=crs)


def reference(geom, window: PopulationWindow) -> np.ndarray:
    """Covered share of every cell by shapely: the cell's box ∩ the polygon over its area."""
    rows, cols = window.array.shape
    t = window.transform
    r, c = np.divmod(np.arange(rows * cols), cols)
    boxes = shapely.box(t.c + c * t.a, t.f + (r + 1) * t.e, t.c + (c + 1) * t.a, t.f + r * t.e)
    return shapely.area(shapely.intersection(boxes, geom)) / shapely.area(boxes)


def shares(geom, window: PopulationWindow, *, redone=()) -> np.ndarray:
    coverage = cell_coverage(np.array([geom], dtype=object), window)
    if redone is not None:
        assert coverage.redone == redone
    out = np.zeros(window.array.size)
    np.add.at(out, coverage.cell, coverage.share)
    return out


@pytest.mark.parametrize(
    ("bounds", "cols", "rows"),
    [
        pytest.param((10.29, 59.44, 11.01, 59.87), 72, 43, id="window-of-the-report"),
        pytest.param((10.0, 58.0, 12.0, 60.0), 200, 200, id="whole-grid"),
    ],
)
def test_the_reported_polygon_covers_380_cells_in_every_window(bounds, cols, rows):
    # 0.2° × 0.2° less the notch (0.04° × 0.01° / 2): 0.038 deg², 380 cells of 0.01°.
    window = from_bounds(*bounds, cols=cols, rows=rows, crs=LONLAT)
    got = shares(NOTCHED, window)
    assert got.sum() == pytest.approx(380.0, abs=1e-4)
    assert np.abs(got - reference(NOTCHED, window)).max() < 1e-6


#: (grid origin, cell size, CRS): a 0.01° lon/lat grid and a 92.6 m UTM grid.
GRIDS = {
    "lonlat": ((10.0, 60.0), 0.01, LONLAT),
    "utm": ((700_000.0, 4_200_000.0), 92.6, UTM),
}


@st.composite
def polygons_on_nodes(draw):
    """A star-shaped polygon with every vertex on a node of a 40 × 40 block of the grid."""
    n = draw(st.integers(3, 9))
    nodes = draw(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=n, max_size=n)
    )
    centre = np.mean(np.array(nodes, dtype=float), axis=0)
    nodes.sort(key=lambda p: np.arctan2(p[1] - centre[1], p[0] - centre[0]))
    return nodes


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(sorted(GRIDS)),
    nodes=polygons_on_nodes(),
    block=st.tuples(st.integers(0, 150), st.integers(0, 150)),
    pad=st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)),
)
def test_vertices_on_grid_nodes_cover_what_shapely_says(kind, nodes, block, pad):
    (x0, y0), size, crs = GRIDS[kind]
    digits = 2 if crs.is_geographic else 1

    def node(i, j):  # a node written as a user writes it: decimal degrees or metres
        return round(x0 + i * size, digits), round(y0 - j * size, digits)

    bx, by = block
    polygon = shapely.Polygon([node(bx + i, by + j) for i, j in nodes])
    assume(polygon.is_valid and polygon.area > 0)
    west, north = node(bx - pad[0], by - pad[1])
    east, south = node(bx + 40 + pad[2], by + 40 + pad[3])
    cols, rows = 40 + pad[0] + pad[2], 40 + pad[1] + pad[3]
    window = from_bounds(west, south, east, north, cols=cols, rows=rows, crs=crs)
    # A polygon on nodes covers a multiple of half a cell; one with no area has its nodes
    # in a line, where exactextract may gain a whole cell and the area check steps in.
    flat = polygon.area < 0.25 * size**2
    got, expected = shares(polygon, window, redone=None if flat else ()), reference(polygon, window)
    assert np.abs(got - expected).max() < 1e-6
    assert got.sum() == pytest.approx(expected.sum(), rel=1e-6)


def test_three_nodes_in_a_line_cover_nothing():
    # exactextract 0.3.0 gives this flat triangle a whole cell (count 1.0). It has no area,
    # so it is dropped before exactextract is asked (without_zero_width_parts).
    flat = shapely.Polygon([(10.15, 59.85), (10.21, 59.94), (10.01, 59.64)])
    window = from_bounds(9.9, 59.5, 10.5, 60.1, cols=60, rows=60, crs=LONLAT)
    assert shares(flat, window, redone=()).sum() == pytest.approx(0.0, abs=1e-9)


def test_a_zone_whose_shares_miss_a_cell_is_measured_again_by_shapely(monkeypatch, caplog):
    window = from_bounds(10.29, 59.44, 11.01, 59.87, cols=72, rows=43, crs=LONLAT)
    real = grid_module.exact_extract

    def drops_a_cell(*args, **kwargs):  # exactextract as the upstream report saw it
        features = real(*args, **kwargs)
        props = features[0]["properties"]
        props["cell_id"], props["coverage"] = props["cell_id"][1:], props["coverage"][1:]
        return features

    monkeypatch.setattr(grid_module, "exact_extract", drops_a_cell)
    geoms = np.array([NOTCHED, shapely.box(10.5, 59.5, 10.6, 59.6)], dtype=object)
    with caplog.at_level(logging.WARNING, logger="geo.incident.grid"):
        coverage = cell_coverage(geoms, window)
    assert coverage.redone == (0,)
    assert "1 of 2 zones" in caplog.text
    first = np.zeros(window.array.size)
    np.add.at(first, coverage.cell[coverage.zone == 0], coverage.share[coverage.zone == 0])
    assert np.abs(first - reference(NOTCHED, window)).max() < 1e-9
    assert coverage.share[coverage.zone == 1].sum() == pytest.approx(100.0, abs=1e-4)


def test_a_zero_width_part_beside_a_part_leaving_the_window_is_measured_not_crashed():
    # Found by the county-rows property test (test_exposure.py): a footprint cut along a
    # county border left slivers that snapping put on the grid line x = 0; beside a part
    # reaching past the window's top edge they made exactextract 0.3.0 crash the process.
    # Run in a child process, so that a crash fails this test rather than the whole run.
    data = Path(__file__).parent / "data" / "exactextract_zero_width_part.wkt"
    code = f"""
import numpy as np, shapely
from affine import Affine
from pyproj import CRS
from geo.incident.grid import PopulationWindow, cell_coverage
window = PopulationWindow(array=np.ones((4, 4)), transform=Affine(1, 0, 0, 0, -1, 4),
                          crs=CRS.from_epsg(32649))
sliver = shapely.from_wkt(open({str(data)!r}).read())
coverage = cell_coverage(np.array([sliver, shapely.box(1, 1, 2.5, 2.5)], dtype=object), window)
print(repr([float(coverage.share[coverage.zone == z].sum()) for z in (0, 1)]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    sliver = shapely.from_wkt(data.read_text())
    assert not sliver.is_valid  # zero-width parts: the case itself
    window_box = shapely.box(0, 0, 4, 4)
    expected = [
        shapely.intersection(g, window_box).area
        for g in (shapely.make_valid(sliver), shapely.box(1, 1, 2.5, 2.5))
    ]
    assert ast.literal_eval(done.stdout.strip()) == pytest.approx(expected, abs=1e-6)


def test_zero_width_parts_are_dropped_and_the_area_kept():
    sliver = shapely.from_wkt(
        (Path(__file__).parent / "data" / "exactextract_zero_width_part.wkt").read_text()
    )
    cleaned = grid_module.without_zero_width_parts(np.array([sliver, NOTCHED], dtype=object))
    assert cleaned[0].is_valid
    assert cleaned[0].area == pytest.approx(sliver.area, rel=1e-12)
    assert all(part.area > 0 for part in shapely.get_parts(cleaned[0]))
    assert cleaned[1] is NOTCHED  # valid geometries pass as they are
