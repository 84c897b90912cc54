"""The roads an incident closes, on the printed map: dashed red, as on screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
from matplotlib.axes import Axes
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from web import labels
from web.print.layers import add_lines
from web.print.map_crs import MAP_LONLAT
from web.print.page import Page

#: Dash of a closed road (on, off in line widths), the screen's "6 4" in print.
CLOSED_DASH = (0, (3.0, 2.0))


def closed_features(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The assessment's closed roads (``supply.closed_lines``), none when it has none."""
    supply = assessment.get("supply") or {}
    features: list[dict[str, Any]] = (supply.get("closed_lines") or {}).get("features") or []
    return features


def draw_closed_roads(
    ax: Axes, page: Page, assessment: Mapping[str, Any], *, crs: CRS, area: BaseGeometry
) -> int:
    """Draw the closed roads inside ``area`` (map CRS); the number drawn."""
    features = closed_features(assessment)
    if not features:
        return 0
    frame = gpd.GeoDataFrame.from_features(features, crs=MAP_LONLAT).to_crs(crs)
    frame = frame[frame.intersects(area)]
    style = labels.PRINT_STYLES["closed_roads"]
    add_lines(ax, frame.geometry, colors=labels.CLOSED_ROAD_COLOR,
              linewidths=page.lw(style["width"]), alpha=style["alpha"],
              linestyles=[CLOSED_DASH], zorder=6.5)  # fmt: skip
    return len(frame)
