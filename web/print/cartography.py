"""Fixed symbology of the printed situation map: point symbols and footprint colours.

Colours, labels and widths come from `web.labels` (the one table); this module holds
what is drawing: marker shapes and sizes, dashes, and the rule that gives each footprint
class its shade (rapid-mapping practice, e.g. Copernicus EMS: one sequential palette per
hazard family, the most severe class darkest, a class the same colour on every map).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
COUNTY_DASH = (0, (6, 2, 1.5, 2))
FRAME_COLOUR = "#222222"

_ROMAN = {"I": 1, "V": 5, "X": 10}
_ROMAN_RE = re.compile(r"^[IVX]+$")


def roman(text: str) -> int | None:
    """The value of a Roman numeral (seismic intensity), or None when ``text`` is not one."""
    if not _ROMAN_RE.match(text):
        return None
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def palette(hazard: str) -> tuple[str, ...]:
    """The footprint palette of ``hazard``'s family, darkest first."""
    return labels.PRINT_PALETTES[labels.HAZARD_FAMILIES.get(hazard, "other")]


def class_colours(hazard: str, classes: Sequence[str]) -> dict[str, str]:
    """A fill colour per footprint class (``classes`` most severe first).

    Known classes (flood depth bands, intensities, generic high/medium/low) take a
    fixed shade; unknown ones are spread over the palette in the given order.
    """
    shades = palette(hazard)
    colours: dict[str, str] = {}
    for position, name in enumerate(classes):
        intensity = roman(name.strip())
        if intensity is not None:
            shade = 12 - intensity
        elif name in labels.CLASS_SHADES:
            shade = labels.CLASS_SHADES[name]
        else:
            shade = round(position * (len(shades) - 1) / max(len(classes) - 1, 1))
        colours[name] = shades[min(max(shade, 0), len(shades) - 1)]
    return colours


def outline_colour(hazard: str) -> str:
    """The footprint's outline: the darkest shade of the hazard's palette."""
    return palette(hazard)[0]
