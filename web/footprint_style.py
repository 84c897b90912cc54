"""One footprint symbology for every map: the browser, the incident map and the print.

Each footprint class takes a fixed shade of one purple palette (`web.labels.FOOTPRINT_PALETTE`),
the most severe darkest (rapid-mapping practice, e.g. Copernicus EMS: a class keeps its
colour on every map). Purple is no colour of the 风险四色图 (red, orange, yellow, blue), so
the footprint never reads as a hazard zone, on screen or on paper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from web import labels

_ROMAN = {"I": 1, "V": 5, "X": 10}
_ROMAN_RE = re.compile(r"^[IVX]+$")
#: Intensity XII takes the darkest shade, one degree less the next.
_TOP_INTENSITY = 12


def roman(text: str) -> int | None:
    """The value of a Roman numeral (seismic intensity), or None when ``text`` is not one."""
    if not _ROMAN_RE.match(text):
        return None
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def class_colours(classes: Sequence[str]) -> dict[str, str]:
    """A fill colour per footprint class (``classes`` most severe first).

    Known classes (flood depth bands, intensities, generic high/medium/low) take a
    fixed shade; unknown ones are spread over the palette in the given order.
    """
    shades = labels.FOOTPRINT_PALETTE
    colours: dict[str, str] = {}
    for position, name in enumerate(classes):
        intensity = roman(name.strip())
        if intensity is not None:
            shade = _TOP_INTENSITY - intensity
        elif name in labels.CLASS_SHADES:
            shade = labels.CLASS_SHADES[name]
        else:
            shade = round(position * (len(shades) - 1) / max(len(classes) - 1, 1))
        colours[name] = shades[min(max(shade, 0), len(shades) - 1)]
    return colours


def outline_colour() -> str:
    """The footprint's outline: the darkest shade of the palette."""
    return labels.FOOTPRINT_PALETTE[0]


def fill_alpha_byte() -> int:
    """The footprint fill's opacity (`web.labels.FOOTPRINT_ALPHA`) as a PNG alpha, 0 to 255."""
    return round(labels.FOOTPRINT_ALPHA * 255)
