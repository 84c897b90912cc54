"""An earthquake estimated from magnitude and epicentre, on the printed map.

The footprint's rings are already drawn as classes; this adds what a Chinese intensity
map shows besides: each ring's outline and Roman numeral (placed by
`geo.hazards.intensity_labels`, carried in the answer as ``label_at``), the epicentre, the
estimated collapsed houses per county and the death range in the side column, and the
sources of all three estimates under the map. Nothing is drawn for other hazards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
from matplotlib.axes import Axes
from pyproj import CRS
from shapely.geometry import Point

from web import labels, quake_text
from web.print import cartography as carto
from web.print.map_crs import MAP_LONLAT
from web.print.page import CAUTION, MUTED, Flow, Page
from web.print.text import halo_text, thousands
from web.quake_text import quake_of

EPICENTRE = carto.MarkerStyle(
    "*", quake_text.QUAKE_COLOR, "white", 16.0, quake_text.QUAKE["epicentre"]
)


def draw_quake(ax: Axes, page: Page, assessment: Mapping[str, Any], crs: CRS) -> None:
    """Ring outlines, the numerals and the epicentre on the detail map (``crs``)."""
    quake = quake_of(assessment)
    if quake is None:
        return
    pieces = (assessment["footprint"].get("pieces") or {}).get("features") or []
    if pieces:
        rings = gpd.GeoDataFrame.from_features(pieces, crs=MAP_LONLAT).to_crs(crs)
        rings.boundary.plot(
            ax=ax, color=quake_text.QUAKE_COLOR, linewidth=page.lw(0.6), linestyle="--", zorder=6.5
        )
    degrees: Sequence[Mapping[str, Any]] = quake.get("degrees") or []
    spots = [Point(d["label_at"]) for d in degrees] + [Point(quake["lon"], quake["lat"])]
    projected = gpd.GeoSeries(spots, crs=MAP_LONLAT).to_crs(crs)
    for degree, spot in zip(degrees, projected.iloc[:-1], strict=True):
        halo_text(
            ax,
            spot.x,
            spot.y,
            str(degree["label"]),
            fontsize=page.pt(12),
            fontweight="bold",
            color=quake_text.QUAKE_COLOR,
            ha="center",
            va="center",
            zorder=13,
            halo=page.lw(2.5),
        )
    centre = projected.iloc[-1]
    ax.scatter(
        [centre.x],
        [centre.y],
        marker=EPICENTRE.marker,
        s=page.marker(EPICENTRE.size),
        c=EPICENTRE.colour,
        edgecolors=EPICENTRE.edge,
        linewidths=page.lw(0.6),
        zorder=14,
    )


def quake_panel(flow: Flow, assessment: Mapping[str, Any]) -> None:
    """The side column's earthquake block: collapsed houses per county and the death range."""
    quake = quake_of(assessment)
    if quake is None:
        return
    flow.heading(quake_text.QUAKE["heading"])
    flow.paragraph(_parameters(quake), size=7.4)
    houses = quake.get("houses")
    if houses:
        stops = ((0.0, "left"), (70.0, "right"), (flow.width, "right"))
        rooms, households = quake_text.QUAKE["rooms"], quake_text.QUAKE["households"]
        header = ("县（区）", f"倒塌（{rooms}）", f"倒塌（{households}）")
        flow.row([(v, dx, ha) for v, (dx, ha) in zip(header, stops, strict=True)], color=MUTED)
        for row in houses["by_county"]:
            values = (
                str(row["name"]),
                thousands(row["collapsed_rooms"]),
                thousands(row["collapsed_households"]),
            )
            flow.row([(v, dx, ha) for v, (dx, ha) in zip(values, stops, strict=True)])
    deaths = quake["casualties"]
    level = (deaths.get("level") or {}).get("label") or labels.NO_LEVEL_LABEL
    flow.paragraph(
        f"{quake_text.QUAKE['deaths']} {thousands(deaths['low'])}–{thousands(deaths['high'])} 人"
        f"（中值 {thousands(deaths['central'])}）；{deaths['caption']}：{level}；"
        + ("已计入分级。" if deaths.get("applied") else "未计入分级。"),
        size=7.4,
        color=CAUTION,
    )
    flow.gap(1.0)


def _parameters(quake: Mapping[str, Any]) -> str:
    """M, epicentre, strike and where it came from."""
    return (
        f"M{quake['magnitude']}，{quake_text.QUAKE['epicentre']} {quake['lon']:.3f}°E "
        f"{quake['lat']:.3f}°N，长轴走向 {quake['strike']}°"
        f"（{labels.label(quake_text.STRIKE_KINDS, str(quake['strike_kind']))}）。"
    )
