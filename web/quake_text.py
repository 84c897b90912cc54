"""What every product says about an earthquake estimate, as text: its sources.

Shared by the printed map's footer and any other product that cites the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web import labels


def quake_of(assessment: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The assessment's earthquake section, or None when it was not estimated from one."""
    quake = assessment.get("earthquake")
    return quake if isinstance(quake, Mapping) else None


def quake_sources(assessment: Mapping[str, Any]) -> list[str]:
    """The sources of the earthquake's estimates, one line each (empty for other hazards)."""
    quake = quake_of(assessment)
    if quake is None:
        return []
    lines = [f"{labels.QUAKE['relation']}：{quake['relation']}（{quake['relation_source']}）"]
    houses = quake.get("houses")
    if houses:
        lines.append(f"{labels.QUAKE['damage']}：{houses['source']}")
    deaths = quake["casualties"]
    lines.append(f"{labels.QUAKE['casualty_model']}：{deaths['model']}（{deaths['source']}）")
    return [f"估算依据 — {line}" for line in lines]
