"""The pack's context layers on the printed map: rivers and towns, labels that never collide.

Drawn only when the pack has them (``water``, ``places``; `layers.pack.CONTEXT_SPECS`).
Labels go on last, rivers first and then towns by ``rank``: each is measured where it was
drawn and taken off again when its box overlaps a label already on the map (county names,
shelter ids and depot names included), so no name prints over another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from web import labels
from web.print.layers import add_lines, add_polygons
from web.print.page import Page
from web.print.text import halo_text

#: Places by rank: dot size (pt) and label size (pt); ranks beyond take the last.
PLACE_SIZES: tuple[tuple[float, float], ...] = ((4.5, 8.5), (3.2, 7.0), (2.4, 6.2))
#: Where along a river its name is tried, in order (share of the drawn length).
RIVER_SPOTS = (0.5, 0.3, 0.7, 0.15, 0.85)
#: Room kept around every label (display units, i.e. points at 72 dpi).
PADDING = 1.5


@dataclass
class Labeller:
    """Labels placed so far, and those left out because they would collide."""

    frame: Bbox
    taken: list[Bbox] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def around(cls, ax: Axes) -> Labeller:
        """Start from every text already on the map: those are never covered."""
        texts = [_box(t) for t in ax.texts if t.get_visible() and t.get_text()]
        return cls(frame=ax.get_window_extent(), taken=texts)

    def keep(self, name: str, artists: Sequence[Text]) -> bool:
        """Keep ``artists`` when inside the map and clear of every label placed before."""
        box = _box(artists[-1])
        inside = self.frame.contains(box.x0, box.y0) and self.frame.contains(box.x1, box.y1)
        if not inside or any(box.overlaps(other) for other in self.taken):
            for artist in artists:
                artist.remove()
            return False
        self.taken.append(box)
        self.placed.append(name)
        return True


def _box(text: Text) -> Bbox:
    return text.get_window_extent().padded(PADDING)


def draw_context(ax: Axes, page: Page, frames: Mapping[str, gpd.GeoDataFrame]) -> Labeller:
    """Rivers and towns (already projected and clipped to the map) with their names."""
    labeller = Labeller.around(ax)
    water = frames.get("water")
    places = frames.get("places")
    if water is not None and len(water):
        _draw_water(ax, page, water, labeller)
    if places is not None and len(places):
        _draw_places(ax, page, places, labeller)
    return labeller


def _draw_water(ax: Axes, page: Page, water: gpd.GeoDataFrame, labeller: Labeller) -> None:
    style = labels.PRINT_STYLES["water"]
    areas = water[water.geom_type.isin(["Polygon", "MultiPolygon"])]
    lines = water[~water.index.isin(areas.index)]
    add_polygons(ax, areas.geometry, facecolor=labels.WATER_COLOR, edgecolor="none",
                 alpha=style["alpha"] * 0.5, zorder=3)  # fmt: skip
    add_lines(ax, lines.geometry, colors=labels.WATER_COLOR,
              linewidths=page.lw(style["width"]), alpha=style["alpha"], zorder=3)  # fmt: skip
    for name, geometry in zip(water["name"], water.geometry, strict=True):
        line = geometry.boundary if geometry.geom_type.endswith("Polygon") else geometry
        parts = sorted(shapely.get_parts(line), key=lambda p: -p.length)
        if not parts:
            continue
        for spot in RIVER_SPOTS:
            point = parts[0].interpolate(spot, normalized=True)
            artists = halo_text(ax, point.x, point.y, str(name), fontsize=page.pt(8),
                                color=labels.WATER_COLOR, style="italic", ha="center",
                                va="bottom", zorder=9, halo=page.lw(2.2))  # fmt: skip
            if labeller.keep(str(name), artists):
                break
        else:
            labeller.skipped.append(str(name))


def _draw_places(ax: Axes, page: Page, places: gpd.GeoDataFrame, labeller: Labeller) -> None:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    places = places.cx[min(x0, x1) : max(x0, x1), min(y0, y1) : max(y0, y1)]
    ordered = places.assign(_rank=places["rank"].astype(int)).sort_values(["_rank", "name"])
    for name, rank, point in zip(ordered["name"], ordered["_rank"], ordered.geometry, strict=True):
        dot, size = PLACE_SIZES[min(max(rank, 1), len(PLACE_SIZES)) - 1]
        ax.scatter([point.x], [point.y], s=page.marker(dot), marker="o",
                   facecolors=labels.PLACE_COLOR, edgecolors="white",
                   linewidths=page.lw(0.5), zorder=8.5)  # fmt: skip
        offset = page.pt(dot * 0.6 + 1.5)
        for dx, ha in ((offset, "left"), (-offset, "right")):
            artists = halo_text(ax, point.x, point.y, str(name), offset=(dx, 0),
                                fontsize=page.pt(size), color=labels.PLACE_COLOR, ha=ha,
                                va="center", zorder=9, halo=page.lw(2))  # fmt: skip
            if labeller.keep(str(name), artists):
                break
        else:
            labeller.skipped.append(str(name))
