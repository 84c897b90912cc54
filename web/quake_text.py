"""What every product says about an earthquake estimate: its labels, colour and sources.

The earthquake's own entries of the label table (`web.labels` holds the rest): the
printed map, the incident map, the browser (through `web.served_labels`) and the command
line all take them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: An earthquake estimated from magnitude and epicentre, on every map (all 估算).
QUAKE: Final[Mapping[str, str]] = {
    "epicentre": "震中",
    "rings": "估算烈度圈（罗马数字为烈度）",
    "heading": "地震估算（须以核实数字替换）",
    "houses": "倒塌房屋（估算）",
    "rooms": "间",
    "households": "户",
    "deaths": "死亡人数估算",
    "relation": "烈度衰减关系",
    "damage": "房屋倒塌比例",
    "casualty_model": "死亡人数模型",
    "lower_bound": "仅含倒塌，严重损坏未估算（损失矩阵无严重损坏比例），为下限",
}
#: Where an earthquake's long axis came from (``strike_kind``).
STRIKE_KINDS: Final[Mapping[str, str]] = {
    "given": "按给定走向",
    "fault_zone": "按震中附近断层走向",
    "default": "按默认走向",
}
QUAKE_COLOR: Final = "#b2182b"


def quake_of(assessment: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The assessment's earthquake section, or None when it was not estimated from one."""
    quake = assessment.get("earthquake")
    return quake if isinstance(quake, Mapping) else None


def quake_sources(assessment: Mapping[str, Any]) -> list[str]:
    """The sources of the earthquake's estimates, one line each (empty for other hazards)."""
    quake = quake_of(assessment)
    if quake is None:
        return []
    lines = [f"{QUAKE['relation']}：{quake['relation']}（{quake['relation_source']}）"]
    houses = quake.get("houses")
    if houses:
        lines.append(f"{QUAKE['damage']}：{houses['source']}")
    deaths = quake["casualties"]
    lines.append(f"{QUAKE['casualty_model']}：{deaths['model']}（{deaths['source']}）")
    return [f"估算依据 — {line}" for line in lines]
