"""The incident map: one self-contained HTML page (folium) that opens offline from a file.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default. This map
uses none of folium's extras (no awesome markers, no jQuery): its map class links
nothing, and Leaflet's script and stylesheet, from the XStatic-Leaflet package, are
inlined with the stylesheet's images as data URIs. `render_html` refuses to return a
page that would still load anything over the network.
"""

from __future__ import annotations

import base64
import json
import math
import mimetypes
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import cache
from html import escape
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element, Figure

from geo.errors import OfflineError
from layers.pack import LayerPack
from web import labels, pack_notes
from web.assets import LEAFLET_DIR
from web.legend import PANEL_CSS, legend_html

BEIJING = timezone(timedelta(hours=8), "北京时间")
#: A script or stylesheet reference to another host; none may remain in the page.
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE
)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")
ROAD_WEIGHTS = {"motorway": 2.5, "trunk": 2.2, "primary": 2.0, "secondary": 1.6, "tertiary": 1.2}
SHELTER_RADIUS = {"emergency": 5, "short_term": 7, "medium_term": 8, "long_term": 9}


class _OfflineMap(folium.Map):
    """A folium map that links no CDN asset; Leaflet is inlined by `_inline_leaflet`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_js: list[tuple[str, str]] = []
        self.default_css: list[tuple[str, str]] = []


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the stylesheet's images as data URIs."""
    script = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = LEAFLET_DIR / match.group(2)
        mime = mimetypes.guess_type(image.name)[0] or "image/png"
        return f'url("data:{mime};base64,{base64.b64encode(image.read_bytes()).decode()}")'

    # "</" would close the inline element early; "<\/" means the same to JavaScript.
    return script.replace("</", "<\\/"), _CSS_URL.sub(data_uri, css)


def _figure(m: folium.Map) -> Figure:
    root = m.get_root()
    assert isinstance(root, Figure)  # a folium.Map always sits in a Figure
    return root


def _inline_leaflet(m: folium.Map) -> None:
    script, css = _leaflet_assets()
    header = _figure(m).header
    header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css", index=0)
    header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js", index=1)


def _tip(rows: Sequence[tuple[str, object]], title: str | None = None) -> str:
    """A small escaped HTML table for a tooltip or popup."""
    head = f"<b>{escape(title)}</b>" if title else ""
    body = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v != ""
    )
    return f'{head}<table class="rg-tip">{body}</table>'


def _number(value: object) -> str:
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


def _features(frame: gpd.GeoDataFrame, props: Sequence[dict[str, Any]]) -> dict[str, Any]:
    geometries = json.loads(frame.geometry.to_json(drop_id=True))["features"]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": p, "geometry": g["geometry"]}
            for p, g in zip(props, geometries, strict=True)
        ],
    }


def _style(key: str) -> Any:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = feature["properties"][key]
        return found

    return style


def _geojson(
    data: dict[str, Any], *, name: str, tooltip: bool = True, show: bool = True
) -> folium.FeatureGroup:
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


def _counties(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup:
    counties = pack.counties
    rows = {str(r["code"]): r for r in assessment.get("population", {}).get("by_county", [])}
    populations = [float(p) for p in counties["population"]]
    breaks = _population_breaks(populations)
    props = []
    for code, name, population in zip(counties["code"], counties["name"], populations, strict=True):
        row = rows.get(str(code), {})
        props.append(
            {
                "tip": _tip(
                    [
                        ("常住人口", _number(population)),
                        ("受灾人口（估算）", _number(row.get("affected", 0))),
                        ("需转移安置（估算）", _number(row.get("displaced", 0))),
                    ],
                    title=f"{name}（{code}）",
                ),
                "style": {
                    "color": "#4d4d4d",
                    "weight": 1.2,
                    "fillColor": _population_color(population, breaks),
                    "fillOpacity": 0.45,
                },
            }
        )
    group = _geojson(_features(counties, props), name="区县（人口）")
    for name, point in zip(counties["name"], counties.geometry.representative_point(), strict=True):
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


def _hazard_zones(pack: LayerPack) -> folium.FeatureGroup:
    zones = pack.hazard_zones
    props = [
        {
            "tip": _tip(
                [
                    ("编号", zone_id),
                    ("类型", labels.label(labels.ZONE_KINDS, kind)),
                    ("风险等级", labels.label(labels.RISKS, risk)),
                ],
                title=str(name) if isinstance(name, str) else None,
            ),
            "style": {
                "color": labels.RISK_COLORS.get(str(risk), "#999999"),
                "weight": 1,
                "fillColor": labels.RISK_COLORS.get(str(risk), "#999999"),
                "fillOpacity": 0.55,
            },
        }
        for zone_id, kind, risk, name in zip(
            zones["id"],
            zones["kind"],
            zones["risk"],
            zones["name"] if "name" in zones else [None] * len(zones),
            strict=True,
        )
    ]
    return _geojson(_features(zones, props), name="隐患区（风险四色）")


def _roads(pack: LayerPack) -> folium.FeatureGroup:
    roads = pack.roads
    props = [
        {
            "style": {
                "color": labels.ROAD_COLOR,
                "weight": ROAD_WEIGHTS.get(str(highway), 0.8),
                "opacity": 0.8,
            }
        }
        for highway in roads["highway"]
    ]
    return _geojson(_features(roads, props), name="道路", tooltip=False)


def _footprint(assessment: Mapping[str, Any]) -> folium.FeatureGroup:
    pieces = (assessment.get("footprint") or {}).get("pieces") or {"features": []}
    hazard = labels.label(labels.HAZARDS, assessment.get("hazard", ""))
    features = []
    for rank, feature in enumerate(pieces.get("features", [])):
        color = labels.FOOTPRINT_COLORS[min(rank, len(labels.FOOTPRINT_COLORS) - 1)]
        cls = str((feature.get("properties") or {}).get("class", ""))
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "tip": _tip(
                        [("灾种", hazard), ("分级", labels.class_label(cls))], title="灾害范围"
                    ),
                    "style": {
                        "color": labels.FOOTPRINT_COLORS[0],
                        "weight": 2,
                        "fillColor": color,
                        "fillOpacity": 0.45,
                    },
                },
            }
        )
    return _geojson({"type": "FeatureCollection", "features": features}, name="灾害范围")


def _shelters(assessment: Mapping[str, Any]) -> folium.FeatureGroup:
    supply = assessment.get("supply") or {}
    unreachable = set(supply.get("unreachable", []))
    group = folium.FeatureGroup(name="避难场所（状态）")
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
            ("安置 / 容量", f"{_number(s.get('assigned'))} / {_number(s.get('capacity'))}"),
            ("冲突隐患区", conflicts),
            ("物资", "无法送达（道路中断）" if s["id"] in unreachable else ""),
        ]
        html = _tip(rows, title=f"{s.get('name')}（{s['id']}）")
        is_unreachable = s["id"] in unreachable
        folium.CircleMarker(
            [float(s["lat"]), float(s["lon"])],
            radius=SHELTER_RADIUS.get(str(s.get("kind")), 6),
            color=labels.UNREACHABLE_COLOR if is_unreachable else "#ffffff",
            weight=3 if is_unreachable else 1.5,
            fill=True,
            fill_color=labels.STATUS_COLORS.get(status, "#777777"),
            fill_opacity=0.95,
            tooltip=folium.Tooltip(html, sticky=True),
        ).add_to(group)
    return group


def _items(quantities: Mapping[str, Any] | None, names: Mapping[str, str]) -> str:
    return "、".join(f"{names.get(k, k)} {_number(v)}" for k, v in (quantities or {}).items() if v)


def _depots(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup:
    supply = assessment.get("supply") or {}
    names = pack_notes.item_names(pack)
    sent = {str(d.get("id")): d for d in supply.get("depots", [])}
    group = folium.FeatureGroup(name="物资储备库")
    depots = pack.depots
    for depot_id, name, level, point in zip(
        depots["id"], depots["name"], depots["level"], depots.geometry, strict=True
    ):
        info = sent.get(str(depot_id), {})
        html = _tip(
            [
                ("级别", labels.label(labels.DEPOT_LEVELS, level)),
                ("状态", labels.label(labels.DEPOT_STATUS, info["status"]) if info else ""),
                ("原因", labels.reason_label(info.get("reason")) if info else ""),
                ("本次调出", _items(info.get("sent"), names)),
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


def _routes(assessment: Mapping[str, Any], pack: LayerPack) -> folium.FeatureGroup | None:
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
                    "tip": _tip(
                        [
                            ("路程", f"{float(p.get('distance_m', 0)) / 1000:.1f} 公里"),
                            ("用时", f"{float(p.get('duration_s', 0)) / 60:.0f} 分钟"),
                            ("物资", _items(p.get("items"), names)),
                        ],
                        title=f"{p.get('depot_id')} → {p.get('shelter_id')}",
                    ),
                    "style": {"color": labels.ROUTE_COLOR, "weight": 3.5, "opacity": 0.9},
                },
            }
        )
    return _geojson({"type": "FeatureCollection", "features": out}, name="物资调运路线")


def _created(assessment: Mapping[str, Any]) -> str:
    try:
        when = datetime.fromisoformat(str(assessment.get("created")))
    except ValueError:
        return str(assessment.get("created", ""))
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M（北京时间）")


def _supply_line(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    supply = assessment.get("supply")
    if not supply:
        return "物资调运：未计算"
    routes = len((supply.get("routes") or {}).get("features", []))
    shortfall = _items(supply.get("shortfall"), pack_notes.item_names(pack)) or "无"
    return (
        f"物资调运：路线 {routes} 条；物资无法送达的避难场所 "
        f"{len(supply.get('unreachable', []))} 处；缺口：{shortfall}"
    )


def _title_panel(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    response = assessment.get("response") or {}
    population = assessment.get("population") or {}
    hazard = labels.label(labels.HAZARDS, assessment.get("hazard", ""))
    title = assessment.get("title") or f"{hazard}灾害"
    level = response.get("level")
    color = response.get("color") or labels.LEVEL_COLORS.get(level or 0, "#e0e0e0")
    text_color = "#000000" if level in (2, 3) or level is None else "#ffffff"
    banner = f"{response.get('label')}响应" if level else "未达到启动条件"
    clauses = "；".join(
        f"{c.get('name')} {_number(c.get('value'))} → {c.get('label')}（{c.get('clause')}）"
        for c in response.get("criteria", [])
        if c.get("level")
    )
    return (
        '<div class="rg-panel rg-title">'
        f"<h1>{escape(str(title))} · 灾情评估图</h1>"
        f'<div class="rg-banner" style="background:{escape(color)};color:{text_color}">'
        f"{escape(banner)}</div>"
        f'<div class="rg-small">{escape(str(response.get("plan_name", "")))}'
        f"{'：' + escape(clauses) if clauses else ''}</div>"
        f"<div>受灾人口 <b>{_number(population.get('affected'))}</b> 人，"
        f"需转移安置 <b>{_number(population.get('displaced'))}</b> 人（估算）</div>"
        f"<div>{escape(_supply_line(assessment, pack))}</div>"
        "</div>"
    )


def _notes_panel(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    notice = labels.synthetic_notice(pack_notes.synthetic_layers(pack))
    lines = [
        f"制图时间：{_created(assessment)}；评估编号 {assessment.get('id', '')}",
        "坐标系：WGS84 经纬度（EPSG:4326；CGCS2000 视为等同）",
        f"数据：图层包 {pack.path.name}；预案 {assessment.get('plan', '')}",
        labels.ESTIMATE_CAUTION,
    ]
    if notice:
        lines.append(notice)
    body = "".join(f"<div>{escape(line)}</div>" for line in lines)
    return f'<div class="rg-panel rg-notes">{body}<div id="rg-coords">经纬度：—</div></div>'


_COORDS_JS = """
window.addEventListener("load", function () {
  var map = window[%s];
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  var out = document.getElementById("rg-coords");
  map.on("mousemove", function (e) {
    var ll = e.latlng;
    out.textContent = "经纬度：" + ll.lng.toFixed(5) + "°E，" + ll.lat.toFixed(5) + "°N";
  });
});
"""


def _bounds(assessment: Mapping[str, Any], pack: LayerPack) -> list[list[float]]:
    box = (assessment.get("footprint") or {}).get("bounds") or list(pack.bounds)
    minx, miny, maxx, maxy = (float(v) for v in box)
    return [[miny, minx], [maxy, maxx]]


def render_html(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    """The incident map of ``assessment`` (the contract's JSON) over ``pack``'s layers.

    One HTML page with every script and style inline: it opens from a file with no
    network. Raises `OfflineError` if folium ever slips a remote asset in.
    """
    bounds = _bounds(assessment, pack)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = _OfflineMap(
        location=center,
        zoom_start=11,
        tiles=None,
        control_scale=False,
        zoom_control="topright",
        attribution_control=False,
    )
    _inline_leaflet(m)
    root = _figure(m)
    root.header.add_child(Element(PANEL_CSS), name="reliefgis_css")
    for group in (
        _counties(assessment, pack),
        _hazard_zones(pack),
        _roads(pack),
        _footprint(assessment),
        _routes(assessment, pack),
        _depots(assessment, pack),
        _shelters(assessment),
    ):
        if group is not None:
            group.add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    m.fit_bounds(bounds, padding=(20, 20))
    root.html.add_child(Element(_title_panel(assessment, pack)))
    root.html.add_child(Element(legend_html(assessment)))
    root.html.add_child(Element(_notes_panel(assessment, pack)))
    root.script.add_child(Element(_COORDS_JS % json.dumps(m.get_name())))
    root.title = escape(f"{assessment.get('title') or '灾情评估图'} — reliefgis")
    html: str = root.render()
    found = REMOTE_ASSET.search(html)
    if found:
        raise OfflineError(f"the incident map refers to a remote asset: {found.group(0)!r}")
    return html
