"""Fixed symbology of the printed situation map: point symbols and dashes.

Colours, labels and widths come from `web.labels` (the one table); this module holds
what is drawing: marker shapes and sizes and dashes. Footprint colours are the screen's
(`web.footprint_style`).
"""

from __future__ import annotations

from dataclasses import dataclass

from web import labels


@dataclass(frozen=True)
class MarkerStyle:
    """A point symbol: matplotlib marker, fill, edge and legend label."""

    marker: str
    colour: str
    edge: str
    size: float
    label: str


#: Shelters by status: a fixed shape (and size) each, so the map reads in black and white.
SHELTER_SHAPES = {"usable": ("o", 8.0), "in_footprint": ("X", 9.5), "hazard_conflict": ("^", 9.0)}
SHELTER_STYLES = {
    status: MarkerStyle(
        marker, labels.STATUS_COLORS[status], "white", size, labels.SHELTER_LEGEND[status]
    )
    for status, (marker, size) in SHELTER_SHAPES.items()
}
DEPOT_STYLE = MarkerStyle("s", labels.DEPOT_COLOR, "white", 8.5, labels.OVERLAYS["depots"])
DEPOT_HELD_STYLE = MarkerStyle("s", "white", labels.DEPOT_COLOR, 8.5, labels.LEGEND["held_depots"])
UNREACHABLE_RING = MarkerStyle("o", "none", "black", 13.0, labels.LEGEND["unreachable"])
PLACE_STYLE = MarkerStyle("o", labels.PLACE_COLOR, "white", 4.5, labels.OVERLAYS["places"])
COUNTY_DASH = (0, (6, 2, 1.5, 2))
FRAME_COLOUR = "#222222"
