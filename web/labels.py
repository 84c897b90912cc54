"""Chinese names and map colours of the codes reliefgis answers with.

One table for everything people look at: the browser app reads it through
``GET /api/v1/web-config``, the incident map and the exports import it. Colours follow
STANDARDS.md: response levels and the 风险四色图 use red, orange, yellow and blue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from geo import reasons
from geo.reasons import Reason
from layers.pack import LayerPack

LAYERS: Final[Mapping[str, str]] = {
    "counties": "区县",
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
HAZARD_CLASSES: Final[Mapping[str, str]] = {"high": "高", "medium": "中", "low": "低"}
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

LEVEL_COLORS: Final[Mapping[int, str]] = {1: "#d7191c", 2: "#fdae61", 3: "#ffd700", 4: "#2b83ba"}
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
#: Footprint classes, most severe first (a purple ramp: it must not read as a risk colour).
FOOTPRINT_COLORS: Final[tuple[str, ...]] = ("#3f007d", "#6a51a3", "#9e9ac8", "#cbc9e2")
#: Counties by population: a light green ramp under every other layer.
POPULATION_COLORS: Final[tuple[str, ...]] = ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476")
ROUTE_COLOR: Final = "#00838f"
UNREACHABLE_COLOR: Final = "#d7191c"
DEPOT_COLOR: Final = "#8c510a"
ROAD_COLOR: Final = "#8a8a8a"

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


def as_json() -> dict[str, object]:
    """Every table above, for the browser app."""
    return {
        "layers": dict(LAYERS),
        "hazards": dict(HAZARDS),
        "hazard_classes": dict(HAZARD_CLASSES),
        "incident_zone": [INCIDENT_ZONE, INCIDENT_ZONE_LABEL],
        "shelter_status": dict(SHELTER_STATUS),
        "shelter_kinds": dict(SHELTER_KINDS),
        "zone_kinds": dict(ZONE_KINDS),
        "risks": dict(RISKS),
        "depot_levels": dict(DEPOT_LEVELS),
        "highways": dict(HIGHWAYS),
        "depot_status": dict(DEPOT_STATUS),
        "supply_reasons": [[pattern, chinese] for pattern, chinese, _ in REASON_PATTERNS],
        "colors": {
            "levels": {str(k): v for k, v in LEVEL_COLORS.items()},
            "risks": dict(RISK_COLORS),
            "status": dict(STATUS_COLORS),
            "kinds": dict(KIND_COLORS),
            "footprint": list(FOOTPRINT_COLORS),
            "population": list(POPULATION_COLORS),
            "route": ROUTE_COLOR,
            "unreachable": UNREACHABLE_COLOR,
            "depot": DEPOT_COLOR,
            "road": ROAD_COLOR,
        },
    }


def synthetic_layers(pack: LayerPack) -> list[str]:
    """The pack's layers whose stated source calls them synthetic (for the demo notice)."""
    found = [
        name
        for name in VECTOR_LAYERS
        if "source" in (frame := pack.vector(name)).columns
        and frame["source"].astype(str).str.contains("synthetic", case=False).any()
    ]
    tags = pack.population.tags
    if "synthetic" in f"{tags.get('source', '')} {tags.get('synthetic', '')}".casefold():
        found.append("population")
    return found


def item_names(pack: LayerPack) -> dict[str, str]:
    """Relief items of the pack's stock table: code → "帐篷（顶）" (its ``item_name`` column
    where the pack has one, else the code)."""
    stock = pack.depot_stock
    names: dict[str, str] = {}
    for row in stock.drop_duplicates("item").itertuples(index=False):
        text = getattr(row, "item_name", None)
        names[str(row.item)] = (
            f"{text if isinstance(text, str) and text else row.item}（{row.unit}）"
        )
    return names


def synthetic_notice(names: list[str]) -> str | None:
    """The notice a map carries when some of its layers are synthetic, else None."""
    if not names:
        return None
    listed = "、".join(LAYERS.get(n, n) for n in names)
    return f"演示数据：{listed}为合成数据，仅供演示和培训，不得用于实际救灾决策。"


def export_names() -> dict[str, Mapping[str, str]]:
    """The tables `layers.export` writes Chinese names from (``*_zh`` fields)."""
    return {
        "hazard": HAZARDS,
        "shelter_kind": SHELTER_KINDS,
        "shelter_status": SHELTER_STATUS,
        "zone_kind": ZONE_KINDS,
        "risk": RISKS,
        "depot_status": DEPOT_STATUS,
        "zone_id": {INCIDENT_ZONE: INCIDENT_ZONE_LABEL},
    }
