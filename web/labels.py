"""Chinese names, map colours and line widths of everything reliefgis shows.

The one table for everything people look at: the browser app reads it through
``GET /api/v1/web-config`` (`web.served_labels`), the incident map, the printed situation map and
the exports import it. A label, colour or width is written here once and nowhere else.
Colours follow STANDARDS.md: response levels and the 风险四色图 use red, orange, yellow
and blue. Symbol drawing (marker shapes, dashes, layout) stays with the product that draws.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from geo import reasons
from geo.reasons import Reason

LAYERS: Final[Mapping[str, str]] = {
    "counties": "区县边界",
    "shelters": "避难场所",
    "depots": "物资储备库",
    "depot_stock": "储备物资",
    "hazard_zones": "隐患区",
    "roads": "道路",
    "population": "人口格网",
}
VECTOR_LAYERS: Final = ("counties", "shelters", "depots", "depot_stock", "hazard_zones", "roads")

HAZARDS: Final[Mapping[str, str]] = {
    "flood": "洪涝",
    "flash_flood": "山洪",
    "waterlogging": "城市内涝",
    "earthquake": "地震",
    "landslide": "滑坡",
    "debris_flow": "泥石流",
    "collapse": "崩塌",
    "drought": "干旱",
    "typhoon": "台风",
    "hail": "风雹",
    "snow": "雪灾",
    "low_temperature": "低温冷冻",
    "forest_fire": "森林火灾",
    "other": "其他灾害",
}

SHELTER_STATUS: Final[Mapping[str, str]] = {
    "usable": "可用",
    "in_footprint": "位于灾害范围内",
    "hazard_conflict": "临近隐患区，不宜启用",
}

SHELTER_KINDS: Final[Mapping[str, str]] = {
    "emergency": "紧急避难场所",
    "short_term": "短期固定避难场所",
    "medium_term": "中期固定避难场所",
    "long_term": "长期固定避难场所",
    "central": "中心避难场所",
}

ZONE_KINDS: Final[Mapping[str, str]] = {
    "flash_flood": "山洪危险区",
    "landslide": "滑坡隐患点",
    "debris_flow": "泥石流隐患点",
    "collapse": "崩塌隐患点",
    "fault": "活动断层带",
    "flood_risk": "洪涝风险区",
    "floodway": "行洪区",
}

#: Generic hazard classes of the displacement profile (its other classes, e.g. depth bands
#: and intensities, read the same in Chinese).
HAZARD_CLASSES: Final[Mapping[str, str]] = {
    "extreme": "极高",
    "high": "高",
    "medium": "中",
    "low": "低",
}
#: The zone id geo/ gives the incident itself when it is a geological hazard.
INCIDENT_ZONE: Final = "incident"
INCIDENT_ZONE_LABEL: Final = "本次灾害范围"

#: The 风险四色图 classes (STANDARDS.md: 重大 red, 较大 orange, 一般 yellow, 低 blue).
RISKS: Final[Mapping[str, str]] = {
    "extreme": "重大风险",
    "high": "较大风险",
    "medium": "一般风险",
    "low": "低风险",
}

DEPOT_LEVELS: Final[Mapping[str, str]] = {
    "city": "市级",
    "county": "县级",
    "township": "乡镇级",
}

HIGHWAYS: Final[Mapping[str, str]] = {
    "motorway": "高速公路",
    "trunk": "国道干线",
    "primary": "主要公路",
    "secondary": "次要公路",
    "tertiary": "县乡道路",
    "unclassified": "乡村道路",
    "residential": "街巷",
}

DEPOT_STATUS: Final[Mapping[str, str]] = {
    "sending": "调出物资",
    "in_footprint": "位于灾害范围内，不调出",
    "no_stock": "无库存记录",
    "cut_off": "道路中断，无法调出",
}

#: Reasons the supply plan gives (English, from geo/), as (regular expression, Chinese
#: with $1 for the first group). The browser app applies the same table.
#: Why a point is off the roads, a depot sends nothing or a shelter is not reached, by the
#: code geo/ gives (`geo.reasons`): the English the API answers with and the Chinese
#: people read. ``{metres}`` stands for the reason's distance.
REASONS: Final[Mapping[str, tuple[str, str]]] = {
    reasons.NO_ROAD_NEAR: ("no road within {metres} m", "{metres} m 内无道路"),
    reasons.ROADS_NEAR_CLOSED: ("all roads within {metres} m closed", "{metres} m 内道路全部中断"),
    reasons.NO_PATH: ("no path over open roads", "开放道路不连通"),
    reasons.NO_PATH_FROM_ANY_DEPOT: (
        "no path over open roads from any depot",
        "开放道路无法从任一储备库到达",
    ),
    reasons.NO_PATH_FROM_ANY_SHELTER: (
        "no path over open roads from any shelter",
        "开放道路无法到达任一避难场所",
    ),
    reasons.NO_PATH_FROM_ANY_ORIGIN: (
        "no path over open roads from any origin",
        "开放道路无法从任一起点到达",
    ),
    reasons.NO_PATH_FROM_ANY_DESTINATION: (
        "no path over open roads from any destination",
        "开放道路无法到达任一终点",
    ),
    reasons.NO_DEPOT_CAN_SEND: ("no depot with stock can send", "无有库存的储备库可调出"),
    reasons.DEPOT_IN_FOOTPRINT: ("the depot lies in the footprint", "储备库位于灾害范围内"),
    reasons.NO_STOCK: ("no stock recorded", "无库存记录"),
}
_METRES = "{metres}"

LEVELS: Final[Mapping[int, str]] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
NO_LEVEL_LABEL: Final = "未达到启动条件"

#: Names of the map layers in layer switchers and legends (browser, incident map, print).
OVERLAYS: Final[Mapping[str, str]] = {
    "counties": "区县（人口分级）",
    # The same layer once an assessment colours it by affected persons.
    "counties_affected": "区县（受灾人口分级）",
    "hazard_zones": "隐患区（风险四色）",
    "roads": "道路",
    "depots": "物资储备库",
    "shelters": "避难场所",
    "footprint": "灾害范围",
    "routes": "物资调运路线",
    "closed_roads": "因灾中断道路",
    "water": "河流水系（示意）",
    "places": "城镇（位置近似）",
}
#: Legend headings and captions that are not a code's name.
LEGEND: Final[Mapping[str, str]] = {
    "levels": "响应级别",
    "footprint": "灾害范围（分级）",
    "shelters": "避难场所（状态）",
    "shelter_kinds": "避难场所（类型）",
    "supply": "救灾物资与基础信息",
    "population": "区县常住人口",
    "affected": "区县受灾人口（估算）",
    "no_affected": "无受灾人口",
    "unreachable": "物资无法送达的避难场所",
    "held_depots": "不能调出的储备库",
    "major_roads": "高速、国道、主干道路",
    "minor_roads": "其他道路",
    "county_border": "县（区）界",
}
#: The browser's download links, by the suffix of ``export.{suffix}``.
EXPORT_LINKS: Final[Mapping[str, str]] = {
    "gpkg": "GeoPackage（QGIS 打开即带样式）",
    "shp.zip": "Shapefile（zip，ArcGIS/QGIS）",
    "kml": "KML（奥维、Google Earth）",
    "xlsx": "Excel 统计表",
    "csv": "各区县 CSV",
    "docx": "Word 灾情评估简报",
}
#: A shelter symbol explained on its own (legends), by status.
SHELTER_LEGEND: Final[Mapping[str, str]] = {
    "usable": "可用避难场所",
    "in_footprint": "位于灾害范围内（不可用）",
    "hazard_conflict": "邻近隐患区（不可用）",
}

LEVEL_COLORS: Final[Mapping[int, str]] = {1: "#d7191c", 2: "#fdae61", 3: "#ffd700", 4: "#2b83ba"}
#: Text that reads on each level colour.
LEVEL_TEXT_COLORS: Final[Mapping[int, str]] = {
    1: "#ffffff",
    2: "#000000",
    3: "#000000",
    4: "#ffffff",
}
NO_LEVEL_COLOR: Final = "#e0e0e0"
NO_LEVEL_TEXT_COLOR: Final = "#000000"
#: A code the tables do not know.
OTHER_COLOR: Final = "#999999"
RISK_COLORS: Final[Mapping[str, str]] = {
    "extreme": "#d7191c",
    "high": "#fdae61",
    "medium": "#ffd700",
    "low": "#2b83ba",
}
STATUS_COLORS: Final[Mapping[str, str]] = {
    "usable": "#1a9641",
    "in_footprint": "#404040",
    "hazard_conflict": "#c51b7d",
}
KIND_COLORS: Final[Mapping[str, str]] = {
    "emergency": "#35978f",
    "short_term": "#8073ac",
    "medium_term": "#b35806",
    "long_term": "#542788",
}
#: The footprint on every map (web.footprint_style), darkest most severe: ColorBrewer
#: Purples, no colour of the 风险四色图, so a footprint never reads as a hazard zone.
FOOTPRINT_PALETTE: Final[tuple[str, ...]] = (
    "#3f007d", "#54278f", "#6a51a3", "#807dba", "#9e9ac8", "#bcbddc", "#dadaeb",
)  # fmt: skip
#: Footprint fill opacity, the same on screen and on paper.
FOOTPRINT_ALPHA: Final = 0.55
#: Footprint pieces by rank (exports' QGIS style): shades of the same palette.
FOOTPRINT_COLORS: Final[tuple[str, ...]] = FOOTPRINT_PALETTE[1::2]
#: Counties by population, then by affected persons after an assessment: ColorBrewer YlGn,
#: five classes that tell apart, under every other layer.
POPULATION_COLORS: Final[tuple[str, ...]] = ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837")
#: Closed roads: dashed red on screen and in the legend.
CLOSED_ROAD_COLOR: Final = "#e31a1c"
#: Context layers: rivers (line, area fill, label) and places (dot, label), every map.
WATER_COLOR: Final = "#4f8fc0"
PLACE_COLOR: Final = "#333333"
ROUTE_COLOR: Final = "#00838f"
UNREACHABLE_COLOR: Final = "#d7191c"
DEPOT_COLOR: Final = "#8c510a"
ROAD_COLOR: Final = "#8a8a8a"
COUNTY_EDGE_COLOR: Final = "#4d4d4d"
SHELTER_EDGE_COLOR: Final = "#ffffff"

# ------------------------------------------------------------------- screen widths
#: Screen line widths (px) of roads by OSM highway class; other classes ROAD_WIDTH_OTHER.
ROAD_WIDTHS: Final[Mapping[str, float]] = {
    "motorway": 2.5,
    "trunk": 2.2,
    "primary": 2.0,
    "secondary": 1.6,
    "tertiary": 1.2,
}
ROAD_WIDTH_OTHER: Final = 0.8
#: Shelter circle radius (px) by kind; other kinds SHELTER_RADIUS_OTHER.
SHELTER_RADII: Final[Mapping[str, float]] = {
    "emergency": 5,
    "short_term": 7,
    "medium_term": 8,
    "long_term": 9,
}
SHELTER_RADIUS_OTHER: Final = 6
#: Leaflet path options of each layer on the screen maps (browser and incident map).
SCREEN_STYLES: Final[Mapping[str, Mapping[str, str | float]]] = {
    "counties": {"color": COUNTY_EDGE_COLOR, "weight": 1.2, "fillOpacity": 0.45},
    "hazard_zones": {"weight": 1, "fillOpacity": 0.55},
    "roads": {"color": ROAD_COLOR, "opacity": 0.8},
    "footprint": {"color": FOOTPRINT_PALETTE[0], "weight": 2, "fillOpacity": FOOTPRINT_ALPHA},
    "closed_roads": {"color": CLOSED_ROAD_COLOR, "weight": 3, "opacity": 0.95, "dashArray": "6 4"},
    "water": {"color": WATER_COLOR, "weight": 2, "opacity": 0.9, "fillOpacity": 0.35},
    "places": {"color": "#ffffff", "fillColor": PLACE_COLOR, "weight": 1, "fillOpacity": 1},
    "routes": {"color": ROUTE_COLOR, "weight": 3.5, "opacity": 0.9},
    "shelters": {"color": SHELTER_EDGE_COLOR, "weight": 1.5, "fillOpacity": 0.95},
    "unreachable": {"color": UNREACHABLE_COLOR, "weight": 3},
}

# -------------------------------------------------------------------- print symbology
#: Printed road tiers by OSM highway class; other classes are "minor".
ROAD_TIERS: Final[Mapping[str, str]] = {
    "motorway": "major",
    "trunk": "major",
    "primary": "major",
    "motorway_link": "major",
    "trunk_link": "major",
    "secondary": "medium",
    "tertiary": "medium",
    "primary_link": "medium",
    "secondary_link": "medium",
}
#: Printed road (width in pt on A3, grey) by tier, thinnest first.
PRINT_ROADS: Final[Mapping[str, tuple[float, str]]] = {
    "minor": (0.3, "#b4b4b4"),
    "medium": (0.6, "#8f8f8f"),
    "major": (1.1, "#6e6e6e"),
}
#: Printed line widths (pt on A3) and opacities of the map's layers.
PRINT_STYLES: Final[Mapping[str, Mapping[str, float]]] = {
    "counties": {"width": 1.1},
    "hazard_zones": {"width": 0.6, "alpha": 0.35},
    "footprint": {"width": 0.7, "alpha": FOOTPRINT_ALPHA},
    "routes": {"width": 1.5, "alpha": 0.85},
    "water": {"width": 1.2, "alpha": 0.9},
    "closed_roads": {"width": 1.3, "alpha": 0.95},
}
#: Fixed shade (palette position) per footprint class, so a class keeps its colour.
CLASS_SHADES: Final[Mapping[str, int]] = {
    ">1.5m": 1,
    "0.7-1.5m": 3,
    "0.1-0.7m": 5,
    "extreme": 0,
    "high": 1,
    "medium": 3,
    "low": 5,
}

ESTIMATE_CAUTION: Final = "图中人数为依据人口格网和转移比例的估算值，须经实地核查。"


def reason_text(reason: Reason) -> str:
    """The English sentence of a reason, as the API answers with it (`REASONS`)."""
    english = REASONS[reason.code][0]
    return english.replace(_METRES, f"{reason.metres:g}") if reason.metres is not None else english


def _pattern(english: str) -> str:
    """A regular expression matching the English sentence, its distance captured.

    Only letters, digits, spaces and the placeholder occur in the sentences, so the
    pattern reads the same in Python and in the browser's JavaScript.
    """
    parts = [re.sub(r"[.*+?^${}()|\[\]\\]", r"\\\g<0>", p) for p in english.split(_METRES)]
    return "^" + r"([0-9.]+)".join(parts) + "$"


#: (pattern, Chinese with ``$1`` for the distance, code) generated from `REASONS`: a stored
#: answer carries the English only, and its reader recovers the code from it.
REASON_PATTERNS: Final[tuple[tuple[str, str, str], ...]] = tuple(
    (_pattern(english), chinese.replace(_METRES, "$1"), code)
    for code, (english, chinese) in REASONS.items()
)


def reason_code(text: object) -> Reason | None:
    """The reason an English sentence of `REASONS` stands for, or None for other text."""
    for pattern, _, code in REASON_PATTERNS:
        found = re.match(pattern, str(text or ""))
        if found:
            return Reason(code, float(found.group(1)) if found.groups() else None)
    return None


def reason_label(reason: object) -> str:
    """A reason in Chinese: a `Reason`, or its English sentence from a stored answer.

    Text that is no reason of `REASONS` is returned as given.
    """
    found = reason if isinstance(reason, Reason) else reason_code(reason)
    if found is None:
        return str(reason or "")
    chinese = REASONS[found.code][1]
    return chinese.replace(_METRES, f"{found.metres:g}") if found.metres is not None else chinese


_ROMAN = re.compile(r"^[IVX]+$")
_DEPTH = re.compile(r"\d.*m$")


def class_label(name: object) -> str:
    """A footprint class as shown: 烈度 VIII 度, 水深 0.7-1.5m, 危险程度：高, else as named."""
    text = str(name).strip()
    if _ROMAN.match(text):
        return f"烈度 {text} 度"
    if _DEPTH.search(text):
        return f"水深 {text}"
    if text in HAZARD_CLASSES:
        return f"危险程度：{HAZARD_CLASSES[text]}"
    return text


def zone_label(zone_id: object) -> str:
    """A conflicting zone's id as shown; the incident itself reads 本次灾害范围."""
    return INCIDENT_ZONE_LABEL if zone_id == INCIDENT_ZONE else str(zone_id)


def label(table: Mapping[str, str], code: object) -> str:
    """The Chinese name of ``code`` in ``table``, or the code itself when it has none."""
    text = str(code)
    return table.get(text, text)


def synthetic_notice(names: list[str]) -> str | None:
    """The notice a map carries when some of its layers are synthetic, else None."""
    if not names:
        return None
    listed = "、".join(LAYERS.get(n, n) for n in names)
    return f"演示数据：{listed}为合成数据，仅供演示和培训，不得用于实际救灾决策。"
