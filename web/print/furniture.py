"""Map furniture of the printed map: scale bar, north arrow and graticule.

Drawn in a projected CRS whose unit is the metre, so the scale bar measures the ground.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patches import Rectangle
from pyproj import CRS

from geo._crs import transformer
from web.print.map_crs import MAP_LONLAT
from web.print.page import Page
from web.print.text import halo_text, text_width


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


def _segments(
    ax: Axes, origin: tuple[float, float], *, step: float, height: float, count: int, scale: float
) -> None:
    """The bar itself: ``count`` segments, black and white in turn."""
    left, base = origin
    for i in range(count):
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
    _segments(ax, (left, base), step=step, height=height, count=segments, scale=scale)
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
    forward = transformer(MAP_LONLAT, crs)
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
    inverse = transformer(crs, MAP_LONLAT)
    forward = transformer(MAP_LONLAT, crs)
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


# ------------------------------------------------------------------- kilometre grid
#: The kilometre grid's colour (a blue apart from the graticule's grey, as on topographic maps).
KM_GRID_COLOUR = "#3b6ea8"
#: The overview's page index: sheet outlines and page numbers.
INDEX_COLOUR = "#d7191c"


def km_grid(ax: Axes, *, step_m: float, fontsize: float, scale: float = 1.0) -> list[float]:
    """The kilometre grid (方里网) of a Gauss-Krüger map, labelled in km at the top and right.

    Lines run at multiples of ``step_m`` of the map CRS's easting and northing; labels
    sit inside the frame along the top and right (the graticule labels the bottom and
    left outside it). Returns the eastings drawn, in metres.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    style: dict[str, Any] = {"color": KM_GRID_COLOUR, "linewidth": 0.45 * scale, "zorder": 3.5}
    label: dict[str, Any] = {
        "fontsize": fontsize,
        "color": KM_GRID_COLOUR,
        "zorder": 19,
        "halo": 1.6 * scale,
    }
    eastings = [float(x) for x in np.arange(math.ceil(x0 / step_m) * step_m, x1, step_m)]
    for x in eastings:
        ax.plot([x, x], [y0, y1], **style)
        halo_text(ax, x, y1, f"{x / 1000:g}", offset=(0, -2), ha="center", va="top", **label)
    for y in np.arange(math.ceil(y0 / step_m) * step_m, y1, step_m):
        ax.plot([x0, x1], [y, y], **style)
        text = f"{y / 1000:g}"
        halo_text(ax, x1, y, text, offset=(-2, 0), ha="right", va="center", rotation=90, **label)
    return eastings


def page_index(
    ax: Axes,
    sheets: list[tuple[tuple[float, float, float, float], str]],
    *,
    page: Page,
    metres_per_pt: float,
) -> None:
    """An overview's page index: each sheet's extent outlined in red with its label.

    The label is as large as the sheet's printed width allows (13 design points at most,
    never below the page's smallest type).
    """
    for (x0, y0, x1, y1), label in sheets:
        room = (x1 - x0) / metres_per_pt * 0.85 / text_width(label, 1.0)
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                facecolor="none",
                edgecolor=INDEX_COLOUR,
                linewidth=page.lw(1.2),
                zorder=13,
            )
        )
        halo_text(
            ax,
            (x0 + x1) / 2,
            (y0 + y1) / 2,
            label,
            fontsize=max(min(page.pt(13), room), page.pt(0)),
            color=INDEX_COLOUR,
            ha="center",
            va="center",
            zorder=14,
            halo=page.lw(2.5),
        )
