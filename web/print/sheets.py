"""Map sheets at a standard scale: which scale fits, and the sheets that cover a footprint.

A sheet is the detail map's extent on the ground: the map box on paper (millimetres)
times the scale denominator. At ``scale="auto"`` the largest standard scale whose sheet
holds the footprint with its margin is chosen; at a fixed scale a footprint larger than
one sheet is cut into a grid of sheets (only those touching the footprint are printed),
each a detail page, and an overview page shows the whole with the page index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError

#: The standard scales of China's basic scale series (国家基本比例尺地形图, GB/T 13989
#: and GB/T 20257): the scales ``scale=`` accepts besides ``auto``.
STANDARD_SCALES = (10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
#: A fixed scale may need many sheets; beyond this the request is refused (the PDF would
#: take minutes and a smaller scale serves better).
MAX_SHEETS = 24
#: Share of a sheet's width and height kept free around the footprint at ``auto``.
MARGIN_SHARE = 0.08
#: Kilometre-grid intervals tried in turn; the first at least `MIN_GRID_MM` apart on paper.
GRID_STEPS_KM = (1, 2, 5, 10, 20, 50)
MIN_GRID_MM = 20.0

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class Sheet:
    """One detail page: its extent in the map CRS, its number and grid position."""

    extent: Extent
    number: int
    row: int
    column: int

    @property
    def label(self) -> str:
        """The sheet's name on the page index, e.g. "2-3" (row-column, from the top left)."""
        return f"{self.row}-{self.column}"


def parse_scale(value: str | int | None) -> int | None:
    """``"auto"`` (or None) as None, else a standard scale denominator.

    Raises
    ------
    InputError
        ``value`` is neither ``auto`` nor a standard scale (field ``scale``).
    """
    if value is None or str(value).strip().lower() == "auto":
        return None
    text = str(value).strip().removeprefix("1:").replace(",", "").replace("_", "")
    if text.isdigit() and int(text) in STANDARD_SCALES:
        return int(text)
    choices = "|".join(str(s) for s in STANDARD_SCALES)
    raise InputError(f"scale: {value!r} is not one of auto|{choices}", field="scale")


def sheet_size_m(box_mm: tuple[float, float], denominator: int) -> tuple[float, float]:
    """The ground width and height (m) of a map box ``box_mm`` on paper at 1:denominator."""
    return box_mm[0] * denominator / 1000, box_mm[1] * denominator / 1000


def auto_scale(bounds: Extent, box_mm: tuple[float, float]) -> int | None:
    """The largest standard scale whose sheet holds ``bounds`` with a margin, or None."""
    span_x, span_y = bounds[2] - bounds[0], bounds[3] - bounds[1]
    for denominator in STANDARD_SCALES:
        width, height = sheet_size_m(box_mm, denominator)
        free = 1 - 2 * MARGIN_SHARE
        if span_x <= width * free and span_y <= height * free:
            return denominator
    return None


def centred(bounds: Extent, box_mm: tuple[float, float], denominator: int) -> Extent:
    """A sheet at 1:denominator centred on ``bounds``."""
    width, height = sheet_size_m(box_mm, denominator)
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def cover(footprint: BaseGeometry, box_mm: tuple[float, float], denominator: int) -> list[Sheet]:
    """The sheets at 1:denominator covering ``footprint``: a grid centred on it.

    Raises
    ------
    InputError
        More than `MAX_SHEETS` sheets would be needed (field ``scale``).
    """
    minx, miny, maxx, maxy = footprint.bounds
    width, height = sheet_size_m(box_mm, denominator)
    columns = max(math.ceil((maxx - minx) / width), 1)
    rows = max(math.ceil((maxy - miny) / height), 1)
    left = (minx + maxx) / 2 - columns * width / 2
    top = (miny + maxy) / 2 + rows * height / 2
    sheets: list[Sheet] = []
    for row in range(rows):
        for column in range(columns):
            x0, y1 = left + column * width, top - row * height
            extent = (x0, y1 - height, x0 + width, y1)
            sheet = box(*extent)
            if footprint.intersects(sheet) and not footprint.touches(sheet):
                sheets.append(Sheet(extent, len(sheets) + 2, row + 1, column + 1))
    if len(sheets) > MAX_SHEETS:
        raise InputError(
            f"scale: 1:{denominator} needs {len(sheets)} sheets for this footprint, "
            f"at most {MAX_SHEETS}; choose a smaller scale or auto",
            field="scale",
        )
    return sheets


def grid_step_m(denominator: int) -> float:
    """The kilometre-grid interval (m) for 1:denominator: lines at least 20 mm apart."""
    for step in GRID_STEPS_KM:
        if step * 1_000_000 / denominator >= MIN_GRID_MM:
            return step * 1000.0
    return GRID_STEPS_KM[-1] * 1000.0
