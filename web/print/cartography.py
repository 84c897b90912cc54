"""Fixed symbology and map furniture of the printed situation map.

Colours and symbols are constants so every map reads the same (rapid-mapping practice,
e.g. Copernicus EMS): response levels and hazard-zone risks in the four Chinese warning
colours (STANDARDS.md), shelters by status with fixed shapes, the footprint in one
sequential palette per hazard family with the most severe class darkest. The furniture
(scale bar, north arrow, graticule) is drawn in a projected CRS whose unit is the metre.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patches import Rectangle
from pyproj import CRS, Transformer

from web import labels

# ---------------------------------------------------------------------------- colours
# One palette for everything people look at (web/labels.py): the printed map, the
# browser app and the incident map draw the same thing in the same colour.
LEVEL_COLOURS = dict(labels.LEVEL_COLORS)
NO_LEVEL_COLOUR = "#9e9e9e"
NO_LEVEL_LABEL = "未达到启动条件"
#: Text colour that reads on each level colour.
LEVEL_TEXT = {1: "white", 2: "black", 3: "black", 4: "white"}

#: 风险四色图: 重大 red, 较大 orange, 一般 yellow, 低 blue.
RISK_COLOURS = dict(labels.RISK_COLORS)
RISK_LABELS = {"extreme": "重大", "high": "较大", "medium": "一般", "low": "低"}
HAZARD_ZONE_ALPHA = 0.35


@dataclass(frozen=True)
class MarkerStyle:
    """A point symbol: matplotlib marker, fill, edge and legend label."""

    marker: str
    colour: str
    edge: str
    size: float
    label: str


SHELTER_STYLES = {
    "usable": MarkerStyle("o", labels.STATUS_COLORS["usable"], "white", 8.0, "可用避难场所"),
    "in_footprint": MarkerStyle(
        "X", labels.STATUS_COLORS["in_footprint"], "white", 9.5, "位于灾害范围内（不可用）"
    ),
    "hazard_conflict": MarkerStyle(
        "^", labels.STATUS_COLORS["hazard_conflict"], "white", 9.0, "邻近隐患区（不可用）"
    ),
}
DEPOT_STYLE = MarkerStyle("s", labels.DEPOT_COLOR, "white", 8.5, "救灾物资储备库")
DEPOT_HELD_STYLE = MarkerStyle("s", "white", labels.DEPOT_COLOR, 8.5, "不能调出的储备库")
DEPOT_STATUS_ZH = {
    "sending": "调出",
    "in_footprint": "位于灾害范围内",
    "cut_off": "道路中断",
    "no_stock": "无库存记录",
}
UNREACHABLE_RING = MarkerStyle("o", "none", "black", 13.0, "无法送达的避难场所")
ROUTE_COLOUR = labels.ROUTE_COLOR
COUNTY_EDGE = "#4d4d4d"
COUNTY_DASH = (0, (6, 2, 1.5, 2))
FRAME_COLOUR = "#222222"

#: Road classes (OSM highway) drawn thick, medium; everything else is thin.
MAJOR_ROADS = frozenset({"motorway", "trunk", "primary", "motorway_link", "trunk_link"})
MEDIUM_ROADS = frozenset({"secondary", "tertiary", "primary_link", "secondary_link"})
ROAD_STYLES = {"major": (1.1, "#6e6e6e"), "medium": (0.6, "#8f8f8f"), "minor": (0.3, "#b4b4b4")}

# ------------------------------------------------------------------ footprint palettes
#: Sequential palettes, darkest (most severe) first; one per hazard family.
PALETTES = {
    "water": ("#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef"),
    "quake": (
        "#49006a",
        "#7a0177",
        "#ae017e",
        "#c51b8a",
        "#dd3497",
        "#f768a1",
        "#fa9fb5",
        "#fcc5c0",
        "#fde0dd",
        "#fff0ee",
        "#fff7f3",
    ),
    "ground": ("#543005", "#8c510a", "#bf812d", "#dfc27d", "#f6e8c3"),
    "other": ("#3f007d", "#54278f", "#6a51a3", "#807dba", "#9e9ac8", "#bcbddc", "#dadaeb"),
}
HAZARD_FAMILY = {
    "flood": "water",
    "flash_flood": "water",
    "waterlogging": "water",
    "typhoon": "water",
    "earthquake": "quake",
    "landslide": "ground",
    "debris_flow": "ground",
    "collapse": "ground",
}
#: Fixed shade per class name, so a class has the same colour on every map.
FIXED_SHADES = {
    ">1.5m": 1,
    "0.7-1.5m": 3,
    "0.1-0.7m": 5,
    "extreme": 0,
    "high": 1,
    "medium": 3,
    "low": 5,
}
_ROMAN = {"I": 1, "V": 5, "X": 10}
_ROMAN_RE = re.compile(r"^[IVX]+$")
FOOTPRINT_ALPHA = 0.72

HAZARD_ZH = labels.HAZARDS
ZONE_KIND_ZH = labels.ZONE_KINDS
CLASS_ZH = {"extreme": "极高", "high": "高", "medium": "中", "low": "低"}


def roman(text: str) -> int | None:
    """The value of a Roman numeral (seismic intensity), or None when ``text`` is not one."""
    if not _ROMAN_RE.match(text):
        return None
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def class_colours(hazard: str, classes: Sequence[str]) -> dict[str, str]:
    """A fill colour per footprint class (``classes`` most severe first).

    Known classes (flood depth bands, intensities, generic high/medium/low) take a
    fixed shade; unknown ones are spread over the palette in the given order.
    """
    palette = PALETTES[HAZARD_FAMILY.get(hazard, "other")]
    colours: dict[str, str] = {}
    for position, name in enumerate(classes):
        intensity = roman(name.strip())
        if intensity is not None:
            shade = 12 - intensity
        elif name in FIXED_SHADES:
            shade = FIXED_SHADES[name]
        else:
            shade = round(position * (len(palette) - 1) / max(len(classes) - 1, 1))
        colours[name] = palette[min(max(shade, 0), len(palette) - 1)]
    return colours


def outline_colour(hazard: str) -> str:
    """The footprint's outline: the darkest shade of the hazard's palette."""
    return PALETTES[HAZARD_FAMILY.get(hazard, "other")][0]


def class_label(name: str) -> str:
    """A footprint class as printed in the legend."""
    if roman(name.strip()) is not None:
        return f"烈度 {name} 度"
    if name.endswith("m") and any(c.isdigit() for c in name):
        return f"水深 {name}"
    if name in CLASS_ZH:
        return f"危险程度：{CLASS_ZH[name]}"
    return name


# ---------------------------------------------------------------------------- text
HALO_WIDTH = 2.2


def halo_text(ax: Axes, x: float, y: float, text: str, **style: Any) -> None:
    """Text with a white halo that stays text in the PDF (searchable, copyable).

    matplotlib draws text with path effects as outlines, so the halo is a second,
    outlined copy under the real text.
    """
    offset = style.pop("offset", None)
    zorder = float(style.pop("zorder", 10))
    width = float(style.pop("halo", HALO_WIDTH))
    for layer, effects in (
        (0.0, [patheffects.Stroke(linewidth=width, foreground="white")]),
        (0.01, None),
    ):
        if offset is None:
            ax.text(x, y, text, path_effects=effects, zorder=zorder + layer, **style)
        else:
            ax.annotate(
                text,
                (x, y),
                xytext=offset,
                textcoords="offset points",
                path_effects=effects,
                zorder=zorder + layer,
                **style,
            )


_CLOSING = frozenset("）)。，、；：！？」』”’】〉》")
_TOKEN_RE = re.compile(r"[^\s\u2e80-\uffff]+|\s+|.", re.DOTALL)


def text_width(text: str, size_pt: float) -> float:
    """Approximate printed width of ``text`` in points (CJK one em, Latin about 0.62 em)."""
    em = sum(1.0 if ord(c) > 0x2E80 else 0.62 for c in text)
    return em * size_pt


def wrap(text: str, width_pt: float, size_pt: float) -> list[str]:
    """``text`` broken into lines no wider than ``width_pt``.

    Lines break between CJK characters or at spaces, never inside a Latin word or a
    number, and never before closing punctuation (which may overhang a little). A word
    longer than a whole line is cut.
    """
    lines: list[str] = []
    line = ""
    for token in _TOKEN_RE.findall(text):
        fits = text_width(line + token.rstrip(), size_pt) <= width_pt
        if line and not fits and token not in _CLOSING:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while token not in _CLOSING and text_width(line, size_pt) > width_pt and len(line) > 1:
            cut = max(int(len(line) * width_pt / text_width(line, size_pt)), 1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def thousands(value: float) -> str:
    """An integer with thousands separators."""
    return f"{round(value):,}"


# -------------------------------------------------------------------------- scale bar
def nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``max_m``."""
    exponent = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        length = step * 10.0**exponent
        if length <= max_m:
            return length
    return 10.0**exponent  # pragma: no cover - step 1 always fits


def distance_label(metres: float) -> str:
    """A scale-bar tick label without unit: km above 1 km, else metres."""
    value = metres / 1000 if metres >= 1000 else metres
    return f"{value:g}"


def scale_bar(
    ax: Axes, *, max_m: float, metres_per_pt: float, fontsize: float, scale: float = 1.0
) -> str:
    """An alternating black and white scale bar in the lower left, labelled "0 … n km".

    The axes must be in a projected CRS in metres with equal aspect; ``metres_per_pt``
    is the map's ground distance per printed point, ``scale`` the paper's size against
    A3 (the bar's padding shrinks with it). Returns the label, e.g. "0 1 2 km".
    """
    x0, _ = ax.get_xlim()
    y0, _ = ax.get_ylim()
    length = nice_length(max_m)
    unit = "km" if length >= 1000 else "m"
    segments = 4
    step = length / segments
    unit_m = metres_per_pt * scale  # one design point on the ground
    left = x0 + 14 * unit_m
    base = y0 + 12 * unit_m
    height = 3.2 * unit_m
    pad = 5 * unit_m
    ticks = (0, segments // 2, segments)
    labels = [distance_label(i * step) for i in ticks]
    labels[-1] += f" {unit}"
    tail = text_width(labels[-1], fontsize) / 2 * metres_per_pt
    ax.add_patch(
        Rectangle(
            (left - pad, base - pad),
            length + 2 * pad + tail,
            height + pad * 1.6 + fontsize * 1.2 * metres_per_pt,
            facecolor="white",
            edgecolor="#999999",
            linewidth=0.4 * scale,
            alpha=0.9,
            zorder=20,
        )
    )
    for i in range(segments):
        ax.add_patch(
            Rectangle(
                (left + i * step, base),
                step,
                height,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.5 * scale,
                zorder=21,
            )
        )
    for i, label in zip(ticks, labels, strict=True):
        x = left + i * step
        ha = "center"
        if i == segments:  # centre the number, not "n km", on the tick
            x -= text_width(distance_label(i * step), fontsize) / 2 * metres_per_pt
            ha = "left"
        ax.text(
            x,
            base + height + 1.5 * unit_m,
            label,
            ha=ha,
            va="bottom",
            fontsize=fontsize,
            zorder=22,
        )
    return " ".join(labels)


# ------------------------------------------------------------------------- north arrow
def convergence_deg(crs: CRS, lon: float, lat: float) -> float:
    """Grid convergence at (lon, lat): the angle from grid north to true north, degrees."""
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, y0 = forward.transform(lon, lat)
    x1, y1 = forward.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(x1 - x0, y1 - y0))


def north_arrow(ax: Axes, *, angle_deg: float, fontsize: float) -> None:
    """A north arrow in the upper right pointing at true north.

    ``angle_deg`` is the clockwise angle from grid north to true north (`convergence_deg`).
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    size = (y1 - y0) * 0.05
    cx = x1 - (x1 - x0) * 0.05
    cy = y1 - (y1 - y0) * 0.1
    theta = math.radians(angle_deg)
    c, s = math.cos(theta), math.sin(theta)

    def turn(dx: float, dy: float) -> tuple[float, float]:
        return cx + dx * c + dy * s, cy - dx * s + dy * c

    tip, left, right, tail = (
        turn(0, size),
        turn(-size * 0.38, -size * 0.5),
        turn(size * 0.38, -size * 0.5),
        turn(0, -size * 0.22),
    )
    pad = size * 0.55
    ax.add_patch(  # a backdrop so lines under the arrow do not run into it
        Rectangle(
            (cx - pad, cy - size * 0.5 - pad * 0.5),
            2 * pad,
            size * 2.15 + pad * 0.5,
            facecolor="white",
            edgecolor="#999999",
            linewidth=0.4,
            alpha=0.85,
            zorder=21,
        )
    )
    ax.add_patch(
        PolygonPatch(
            [tip, left, tail],
            closed=True,
            facecolor="white",
            edgecolor="black",
            linewidth=0.8,
            zorder=22,
        )
    )
    ax.add_patch(
        PolygonPatch(
            [tip, tail, right],
            closed=True,
            facecolor="black",
            edgecolor="black",
            linewidth=0.8,
            zorder=22,
        )
    )
    label_x, label_y = turn(0, size * 1.35)
    halo_text(ax, label_x, label_y, "北", ha="center", va="center", fontsize=fontsize, zorder=22)


# --------------------------------------------------------------------------- graticule
def _graticule_step(span_deg: float) -> float:
    """A graticule interval giving about three to six lines over ``span_deg``."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0):
        if span_deg / step <= 6:
            return step
    return 5.0


def dms(value: float, *, positive: str, negative: str) -> str:
    """Degrees and minutes, e.g. 113°30′E."""
    hemisphere = positive if value >= 0 else negative
    value = abs(value)
    degrees = math.floor(value + 1e-9)
    minutes = round((value - degrees) * 60, 1)
    if minutes >= 60:
        degrees, minutes = degrees + 1, 0.0
    text = f"{degrees}°{minutes:g}′" if minutes else f"{degrees}°"
    return text + hemisphere


def graticule(
    ax: Axes, *, crs: CRS, fontsize: float, scale: float = 1.0, samples: int = 32
) -> None:
    """Longitude and latitude lines over a projected map, labelled outside the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lons, lats = inverse.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    step = _graticule_step(max(lon1 - lon0, lat1 - lat0))
    style: dict[str, Any] = {
        "color": "#7a7a7a",
        "linewidth": 0.35 * scale,
        "linestyle": (0, (4, 3)),
        "zorder": 3,
    }
    label: dict[str, Any] = {"fontsize": fontsize, "color": "#333333", "clip_on": False}
    for lon in np.arange(math.ceil(lon0 / step) * step, lon1, step):
        xs, ys = forward.transform(np.full(samples, lon), np.linspace(lat0, lat1, samples))
        ax.plot(xs, ys, **style)
        bottom = float(np.interp(y0, ys, xs))
        if x0 < bottom < x1:
            text = dms(float(lon), positive="E", negative="W")
            ax.annotate(
                text,
                (bottom, y0),
                xytext=(0, -2),
                textcoords="offset points",
                ha="center",
                va="top",
                **label,
            )
    for lat in np.arange(math.ceil(lat0 / step) * step, lat1, step):
        xs, ys = forward.transform(np.linspace(lon0, lon1, samples), np.full(samples, lat))
        ax.plot(xs, ys, **style)
        left = float(np.interp(x0, xs, ys))
        if y0 < left < y1:
            text = dms(float(lat), positive="N", negative="S")
            ax.annotate(
                text,
                (x0, left),
                xytext=(-2, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                rotation=90,
                **label,
            )
