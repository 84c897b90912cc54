"""The incident map's legend (what each colour and symbol means) and its panels' style."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from layers.pack import LayerPack
from web import footprint_style, labels

#: Style of the incident map's title, notes and legend panels and of its tooltips.
PANEL_CSS = """
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.rg-panel { position: fixed; z-index: 1000; background: rgba(255,255,255,.94);
  border: 1px solid #bbb; border-radius: 4px; padding: 6px 10px; font-size: 12px;
  line-height: 1.5; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.rg-title { top: 10px; left: 54px; max-width: 480px; }
.rg-title h1 { font-size: 16px; margin: 0 0 4px; }
.rg-banner { font-size: 18px; font-weight: bold; padding: 2px 8px; border-radius: 3px;
  display: inline-block; margin-bottom: 4px; }
.rg-small { color: #333; }
.rg-notes { bottom: 58px; left: 10px; max-width: 520px; color: #333; font-size: 11px; }
.rg-legend { bottom: 24px; right: 10px; max-height: 70vh; overflow-y: auto; }
.rg-legend h4 { margin: 6px 0 2px; font-size: 12px; }
.rg-legend i { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: middle; border: 1px solid #666; }
.rg-legend i.dot { border-radius: 50%; }
.rg-legend i.line { height: 0; border: 0; border-top: 3px solid; }
.rg-legend i.dashed { height: 0; border: 0; border-top: 3px dashed; }
.rg-water-label, .rg-place-label { white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; transform: translate(6px, -50%); }
.rg-water-label { color: #2c6c9c; font-style: italic; font-size: 12px;
  transform: translate(-50%, -120%); }
.rg-place-label { color: #333; font-size: 11.5px; }
.rg-place-label.rank-1 { font-size: 13px; font-weight: 700; }
.rg-place-label.rank-3 { font-size: 10.5px; color: #555; }
.rg-tip th { text-align: left; padding-right: 8px; font-weight: normal; color: #555; }
.rg-county { font-size: 13px; font-weight: bold; color: #333; text-align: center;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }
.rg-depot { width: 10px; height: 10px; border: 2px solid #fff; box-shadow: 0 0 2px #000; }
.leaflet-control-layers { font-size: 12px; }
</style>
"""


def _row(swatch: str, text: str) -> str:
    return f"<div>{swatch}{escape(text)}</div>"


def _fill(color: str, *, dot: bool = False) -> str:
    cls = ' class="dot"' if dot else ""
    return f'<i{cls} style="background:{escape(color)}"></i>'


def _line(color: str, *, dashed: bool = False) -> str:
    cls = "dashed" if dashed else "line"
    return f'<i class="{cls}" style="border-top-color:{escape(color)}"></i>'


def _closed_and_context(assessment: Mapping[str, Any], pack: LayerPack) -> list[str]:
    """Legend rows of the closed roads (with their count) and of the pack's context layers."""
    supply = assessment.get("supply") or {}
    closed = (supply.get("closed_lines") or {}).get("features") or []
    rows = []
    if closed:
        count = supply.get("closed_roads", len(closed))
        text = f"{labels.OVERLAYS['closed_roads']}（{count} 段）"
        rows.append(_row(_line(labels.CLOSED_ROAD_COLOR, dashed=True), text))
    if "water" in pack.context:
        rows.append(_row(_line(labels.WATER_COLOR), labels.OVERLAYS["water"]))
    if "places" in pack.context:
        rows.append(_row(_fill(labels.PLACE_COLOR, dot=True), labels.OVERLAYS["places"]))
    return rows


def _unreachable() -> str:
    """A usable shelter's dot in the unreachable ring."""
    ring = labels.SCREEN_STYLES["unreachable"]
    return (
        f'<i class="dot" style="background:{labels.STATUS_COLORS["usable"]};'
        f'border:{ring["weight"]}px solid {ring["color"]}"></i>'
    )


def legend_html(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    """The legend panel of the incident map of ``assessment`` over ``pack``."""
    response = assessment.get("response") or {}
    pieces = ((assessment.get("footprint") or {}).get("pieces") or {}).get("features", [])
    supply = assessment.get("supply") or {}
    legend = labels.LEGEND
    parts = [f'<div class="rg-panel rg-legend" id="rg-legend"><h4>{legend["levels"]}</h4>']
    parts += [
        _row(_fill(labels.LEVEL_COLORS[level]), f"{name}响应")
        for level, name in labels.LEVELS.items()
    ]
    if response.get("level") is None:
        parts.append(_row(_fill(labels.NO_LEVEL_COLOR), labels.NO_LEVEL_LABEL))
    parts.append(f"<h4>{legend['footprint']}</h4>")
    classes = [str((f.get("properties") or {}).get("class", "")) for f in pieces]
    colours = footprint_style.class_colours(classes)
    parts += [_row(_fill(colours[c]), labels.class_label(c)) for c in classes]
    parts.append(f"<h4>{labels.OVERLAYS['hazard_zones']}</h4>")
    parts += [_row(_fill(labels.RISK_COLORS[risk]), name) for risk, name in labels.RISKS.items()]
    parts.append(f"<h4>{legend['shelters']}</h4>")
    parts += [
        _row(_fill(labels.STATUS_COLORS[status], dot=True), name)
        for status, name in labels.SHELTER_STATUS.items()
    ]
    if supply:
        parts.append(_row(_unreachable(), legend["unreachable"]))
    parts.append(f"<h4>{legend['supply']}</h4>")
    parts.append(_row(_fill(labels.DEPOT_COLOR), labels.OVERLAYS["depots"]))
    if (supply.get("routes") or {}).get("features"):
        parts.append(_row(_line(labels.ROUTE_COLOR), labels.OVERLAYS["routes"]))
    parts.append(_row(_line(labels.ROAD_COLOR), labels.OVERLAYS["roads"]))
    parts += _closed_and_context(assessment, pack)
    parts.append(
        _row(_fill(labels.POPULATION_COLORS[-1]), f"{legend['population']}（颜色越深人口越多）")
    )
    parts.append("</div>")
    return "".join(parts)
