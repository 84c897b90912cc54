"""The printed map's line layers: every line part drawn with its own vertices, in order."""

from __future__ import annotations

import geopandas as gpd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from shapely.geometry import GeometryCollection, LineString, MultiLineString, Point, Polygon

from web.print.layers import add_lines


def _drawn(geometries: list[object]) -> list[list[tuple[float, float]]]:
    ax = Figure().add_subplot()
    add_lines(ax, gpd.GeoSeries(geometries), colors="k")
    collections = [c for c in ax.collections if isinstance(c, LineCollection)]
    if not collections:
        return []
    (lines,) = collections
    return [[tuple(map(float, xy)) for xy in segment] for segment in lines.get_segments()]


def test_each_line_part_is_one_segment_with_its_own_vertices():
    road = [(0.0, 0.0), (1.0, 0.5), (2.0, 0.0)]
    split = [[(5.0, 5.0), (6.0, 6.0)], [(7.0, 7.0), (8.0, 7.5), (9.0, 7.0)]]
    drawn = _drawn([LineString(road), None, MultiLineString(split), LineString()])
    assert drawn == [road, *split]


def test_heights_are_dropped_and_other_shapes_left_out():
    area = Polygon([(0, 0), (1, 0), (1, 1)])
    mixed = GeometryCollection([Point(3, 3), LineString([(3, 3), (4, 4)]), area])
    drawn = _drawn([LineString([(0, 0, 9), (1, 1, 9)]), Point(1, 1), area, mixed])
    assert drawn == [[(0.0, 0.0), (1.0, 1.0)], [(3.0, 3.0), (4.0, 4.0)]]


def test_nothing_to_draw_adds_no_collection():
    assert _drawn([None, Point(0, 0), LineString()]) == []
