"""The incident map's layers: folium feature groups of the pack and the assessment.

Names, colours, widths and Leaflet styles come from `web.labels`, the table the browser
app draws with too, so both maps show a layer the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import folium
import geopandas as gpd
from shapely.geometry import mapping

from layers.pack import LayerPack
from web import footprint_style, labels, pack_notes, quake_text
from web.quake_text import quake_of


def tip(rows: Sequence[tuple[str, object]], title: str | None = None) -> str:
    """A small escaped HTML table for a tooltip or popup."""
    head = f"<b>{escape(title)}</b>" if title else ""
    body = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v != ""
    )
    return f'{head}<table class="rg-tip">{body}</table>'


def number(value: object) -> str:
    """A count with thousands separators, or — when there is none."""
    if isinstance(value, int | float) and math.isfinite(value):
        return f"{value:,.0f}"
    return "—"


def _population_breaks(populations: Sequence[float]) -> list[float]:
    """Equal-interval class limits over the counties' populations (display classes)."""
    low, high = min(populations), max(populations)
    n = len(labels.POPULATION_COLORS)
    return [low + (high - low) * i / n for i in range(1, n)]


def _population_color(value: float, breaks: Sequence[float]) -> str:
    index = sum(value > b for b in breaks)
    return labels.POPULATION_COLORS[index]


def features(frame: gpd.GeoDataFrame, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection of the frame's geometries with ``props`` as their properties.

    Each geometry as geopandas' ``to_json`` writes it (an empty one as null), without the
    JSON text and its parsing back: folium writes the same numbers from the same floats.
    """
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": p, "geometry": mapping(g) if g else None}
            for p, g in zip(props, frame.geometry, strict=True)
        ],
    }


def screen_style(layer: str, **more: str | float) -> dict[str, str | float]:
    """The Leaflet style of ``layer`` (`labels.SCREEN_STYLES`) with ``more`` on top."""
    return {**labels.SCREEN_STYLES[layer], **more}


def _style(key: str) -> Any:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = feature["properties"][key]
        return found

    return style


def geojson_group(
    data: dict[str, Any], *, name: str, tooltip: bool = True, show: bool = True
) -> folium.FeatureGroup:
    """A feature group drawing ``data`` by each feature's ``style``, with its ``tip``."""
    group = folium.FeatureGroup(name=name, show=show)
    folium.GeoJson(
        data,
        style_function=_style("style"),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)
        if tooltip
        else None,
        smooth_factor=0.5,
    ).add_to(group)
    return group


def counties(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup:
    """Counties shaded by population, named, with their affected and displaced people."""
    frame = pack.counties
    rows = {str(r["code"]): r for r in assessment.get("population", {}).get("by_county", [])}
    populations = [float(p) for p in frame["population"]]
    breaks = _population_breaks(populations)
    props = []
    for code, name, population in zip(frame["code"], frame["name"], populations, strict=True):
        row = rows.get(str(code), {})
        props.append(
            {
                "tip": tip(
                    [
                        ("常住人口", number(population)),
                        ("受灾人口（估算）", number(row.get("affected", 0))),
                        ("需转移安置（估算）", number(row.get("displaced", 0))),
                    ],
                    title=f"{name}（{code}）",
                ),
                "style": screen_style("counties", fillColor=_population_color(population, breaks)),
            }
        )
    group = geojson_group(features(frame, props), name=labels.OVERLAYS["counties"])
    for name, point in zip(frame["name"], frame.geometry.representative_point(), strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="rg-county">{escape(str(name))}</div>',
                icon_size=(80, 20),
                icon_anchor=(40, 10),
                class_name="rg-county-icon",
            ),
            interactive=False,
        ).add_to(group)
    return group


def hazard_zones(pack: LayerPack) -> folium.FeatureGroup:
    """Hazard zones in the four risk colours."""
    zones = pack.hazard_zones
    props = [
        {
            "tip": tip(
                [
                    ("编号", zone_id),
                    ("类型", labels.label(labels.ZONE_KINDS, kind)),
                    ("风险等级", labels.label(labels.RISKS, risk)),
                ],
                title=str(name) if isinstance(name, str) else None,
            ),
            "style": screen_style(
                "hazard_zones",
                color=labels.RISK_COLORS.get(str(risk), labels.OTHER_COLOR),
                fillColor=labels.RISK_COLORS.get(str(risk), labels.OTHER_COLOR),
            ),
        }
        for zone_id, kind, risk, name in zip(
            zones["id"],
            zones["kind"],
            zones["risk"],
            zones["name"] if "name" in zones else [None] * len(zones),
            strict=True,
        )
    ]
    return geojson_group(features(zones, props), name=labels.OVERLAYS["hazard_zones"])


def roads(pack: LayerPack) -> folium.FeatureGroup:
    """Roads, wider by OSM highway class."""
    frame = pack.roads
    props = [
        {
            "style": screen_style(
                "roads", weight=labels.ROAD_WIDTHS.get(str(highway), labels.ROAD_WIDTH_OTHER)
            )
        }
        for highway in frame["highway"]
    ]
    return geojson_group(features(frame, props), name=labels.OVERLAYS["roads"], tooltip=False)


def footprint(assessment: Mapping[str, Any]) -> folium.FeatureGroup:
    """The footprint's pieces, most severe darkest, with hazard and class."""
    pieces = (assessment.get("footprint") or {}).get("pieces") or {"features": []}
    hazard = labels.label(labels.HAZARDS, assessment.get("hazard", ""))
    features = []
    classes = [str((f.get("properties") or {}).get("class", "")) for f in pieces["features"]]
    colours = footprint_style.class_colours(classes)
    for feature, cls in zip(pieces.get("features", []), classes, strict=True):
        color = colours[cls]
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "tip": tip(
                        [("灾种", hazard), ("分级", labels.class_label(cls))], title="灾害范围"
                    ),
                    "style": screen_style("footprint", fillColor=color),
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return geojson_group(collection, name=labels.OVERLAYS["footprint"])


def shelters(assessment: Mapping[str, Any]) -> folium.FeatureGroup:
    """Shelters by status, ringed when no supply reaches them."""
    supply = assessment.get("supply") or {}
    unreachable = set(supply.get("unreachable", []))
    group = folium.FeatureGroup(name=labels.OVERLAYS["shelters"])
    for s in assessment.get("shelters", []):
        status = str(s.get("status"))
        conflicts = "；".join(
            f"{labels.zone_label(c.get('zone_id'))} "
            f"{labels.label(labels.ZONE_KINDS, c.get('kind'))} "
            f"{float(c.get('distance_m', 0)):.0f} 米"
            for c in s.get("conflicts", [])
        )
        rows: list[tuple[str, object]] = [
            ("类型", labels.label(labels.SHELTER_KINDS, s.get("kind"))),
            ("状态", labels.label(labels.SHELTER_STATUS, status)),
            ("安置 / 容量", f"{number(s.get('assigned'))} / {number(s.get('capacity'))}"),
            ("冲突隐患区", conflicts),
            ("物资", "无法送达（道路中断）" if s["id"] in unreachable else ""),
        ]
        html = tip(rows, title=f"{s.get('name')}（{s['id']}）")
        is_unreachable = s["id"] in unreachable
        edge = labels.SCREEN_STYLES["unreachable" if is_unreachable else "shelters"]
        folium.CircleMarker(
            [float(s["lat"]), float(s["lon"])],
            radius=labels.SHELTER_RADII.get(str(s.get("kind")), labels.SHELTER_RADIUS_OTHER),
            color=edge["color"],
            weight=edge["weight"],
            fill=True,
            fill_color=labels.STATUS_COLORS.get(status, labels.OTHER_COLOR),
            fill_opacity=labels.SCREEN_STYLES["shelters"]["fillOpacity"],
            tooltip=folium.Tooltip(html, sticky=True),
        ).add_to(group)
    return group


def items_text(quantities: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    """Items and quantities as shown, e.g. 帐篷（顶） 12、棉被（床） 40."""
    return "、".join(f"{names.get(k, k)} {number(v)}" for k, v in (quantities or {}).items() if v)


def depots(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup:
    """Depots with their status, the reason they hold back and what they send."""
    supply = assessment.get("supply") or {}
    names = pack_notes.item_names(pack)
    sent = {str(d.get("id")): d for d in supply.get("depots", [])}
    group = folium.FeatureGroup(name=labels.OVERLAYS["depots"])
    depots = pack.depots
    for depot_id, name, level, point in zip(
        depots["id"], depots["name"], depots["level"], depots.geometry, strict=True
    ):
        info = sent.get(str(depot_id), {})
        html = tip(
            [
                ("级别", labels.label(labels.DEPOT_LEVELS, level)),
                ("状态", labels.label(labels.DEPOT_STATUS, info["status"]) if info else ""),
                ("原因", labels.reason_label(info.get("reason")) if info else ""),
                ("本次调出", items_text(info.get("sent"), names)),
            ],
            title=f"{name}（{depot_id}）",
        )
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=f'<div class="rg-depot" style="background:{labels.DEPOT_COLOR}"></div>',
                icon_size=(14, 14),
                icon_anchor=(7, 7),
                class_name="rg-depot-icon",
            ),
            tooltip=folium.Tooltip(html),
        ).add_to(group)
    return group


def routes(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup | None:
    """Supply routes with distance, time and items, or None when there are none."""
    supply = assessment.get("supply") or {}
    names = pack_notes.item_names(pack)
    features = (supply.get("routes") or {}).get("features", [])
    if not features:
        return None
    out = []
    for feature in features:
        p = feature.get("properties") or {}
        out.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "tip": tip(
                        [
                            ("路程", f"{float(p.get('distance_m', 0)) / 1000:.1f} 公里"),
                            ("用时", f"{float(p.get('duration_s', 0)) / 60:.0f} 分钟"),
                            ("物资", items_text(p.get("items"), names)),
                        ],
                        title=f"{p.get('depot_id')} → {p.get('shelter_id')}",
                    ),
                    "style": screen_style("routes"),
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": out}
    return geojson_group(collection, name=labels.OVERLAYS["routes"])


def quake_marks(assessment: Mapping[str, Any]) -> folium.FeatureGroup | None:
    """An earthquake estimate's numerals (Ⅵ …) in their rings and its epicentre; else None."""
    quake = quake_of(assessment)
    if quake is None:
        return None
    group = folium.FeatureGroup(name=quake_text.QUAKE["rings"])
    style = f"color:{quake_text.QUAKE_COLOR};font-weight:bold;font-size:18px;"
    halo = "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;"
    for degree in quake.get("degrees") or []:
        lon, lat = degree["label_at"]
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f'<div class="rg-quake-degree" style="{style}{halo}">{degree["label"]}</div>',
                icon_size=(24, 24),
                icon_anchor=(12, 12),
            ),
            tooltip=f"估算烈度 {degree['label']} 度",
        ).add_to(group)
    epicentre = f"{quake_text.QUAKE['epicentre']} M{quake['magnitude']}（估算烈度圈中心）"
    folium.Marker(
        [quake["lat"], quake["lon"]],
        icon=folium.DivIcon(
            html=(
                f'<div class="rg-quake-epicentre" '
                f'style="color:{quake_text.QUAKE_COLOR};font-size:26px;{halo}">★</div>'
            ),
            icon_size=(26, 26),
            icon_anchor=(13, 13),
        ),
        tooltip=epicentre,
    ).add_to(group)
    return group
