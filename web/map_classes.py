"""What the browser map draws at which scale: population grid classes, roads by zoom.

Display tables only, beside `web.labels` (which holds every other colour and name): the
classes of the population grid tiles (persons per km², the legend shows them) and the
least zoom at which each road class and shelter kind is sent to the browser, so that a
province's first view stays small. Both are cartographic choices, not figures of any standard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: Population grid classes: (lower bound, upper bound or None, colour), persons per km².
#: Lower bounds inclusive, upper exclusive; cells of 0 persons and nodata stay transparent.
#: Bounds follow the common density breaks of census maps (100 / 500 / 1000 / 5000 /
#: 10000 per km²: rural, dense rural, town, city, city centre); colours ColorBrewer YlOrBr.
POPULATION_GRID_CLASSES: Final[tuple[tuple[float, float | None, str], ...]] = (
    (0.0, 100.0, "#ffffd4"),
    (100.0, 500.0, "#fee391"),
    (500.0, 1000.0, "#fec44f"),
    (1000.0, 5000.0, "#fe9929"),
    (5000.0, 10000.0, "#d95f0e"),
    (10000.0, None, "#993404"),
)
#: Opacity of the population tiles (0–255): the layers below still read through.
POPULATION_GRID_ALPHA: Final = 200
POPULATION_GRID_NAME: Final = "人口格网（人/平方公里）"

#: The least zoom at which a road of an OSM highway class is sent for a view; classes not
#: listed come from ROAD_MIN_ZOOM_OTHER. Whole-layer downloads keep every road.
ROAD_MIN_ZOOM: Final[Mapping[str, int]] = {
    "motorway": 0,
    "trunk": 0,
    "motorway_link": 10,
    "trunk_link": 10,
    "primary": 8,
    "primary_link": 11,
    "secondary": 9,
    "secondary_link": 12,
    "tertiary": 11,
}
ROAD_MIN_ZOOM_OTHER: Final = 12
#: The least zoom at which a shelter of a kind is sent for a view (other kinds: always).
#: An emergency shelter serves about 500 m (GB 50413-2007): a town's scale, not a province's.
SHELTER_MIN_ZOOM: Final[Mapping[str, int]] = {"emergency": 9, "short_term": 8}
#: The note the map shows below the greatest of these zooms.
ZOOM_IN_NOTE: Final = "放大地图可显示更多道路和避难场所"
#: Per layer: the column whose value sets a feature's least zoom, the table, the default.
MIN_ZOOM_BY: Final[Mapping[str, tuple[str, Mapping[str, int], int]]] = {
    "roads": ("highway", ROAD_MIN_ZOOM, ROAD_MIN_ZOOM_OTHER),
    "shelters": ("kind", SHELTER_MIN_ZOOM, 0),
}


def road_min_zoom(highway: str) -> int:
    """The least zoom at which roads of OSM class ``highway`` are drawn."""
    return ROAD_MIN_ZOOM.get(highway, ROAD_MIN_ZOOM_OTHER)


def full_detail_zoom() -> int:
    """The zoom from which every feature of every layer is drawn."""
    return max(max(*table.values(), default) for _, table, default in MIN_ZOOM_BY.values())


def as_json() -> dict[str, object]:
    """The tables as the browser's web-config holds them (legend of the grid tiles)."""
    return {
        "population_grid": {
            "name": POPULATION_GRID_NAME,
            "opacity": round(POPULATION_GRID_ALPHA / 255, 3),
            "classes": [
                {"from": low, "to": high, "color": color}
                for low, high, color in POPULATION_GRID_CLASSES
            ],
        },
        "road_min_zoom": dict(ROAD_MIN_ZOOM),
        "road_min_zoom_other": ROAD_MIN_ZOOM_OTHER,
        "shelter_min_zoom": dict(SHELTER_MIN_ZOOM),
        "full_detail_zoom": full_detail_zoom(),
        "zoom_in_note": ZOOM_IN_NOTE,
    }
