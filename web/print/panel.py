"""The side column of the printed situation map: legend, key figures, supply, the level's basis.

Laid out with `web.print.page.Flow` on the A3 design page (millimetres, y down) and fitted
into its box with `web.print.page.fit`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from layers.pack import LayerPack
from web import labels, pack_notes
from web.print import cartography as carto
from web.print.closures import CLOSED_DASH
from web.print.intensity import EPICENTRE, quake_panel
from web.print.page import CAUTION, MUTED, Box, Flow, Page, Section, fit_sections, listing
from web.print.text import thousands
from web.shares import is_share, percent, point_gap

#: Legend rows: (kind, style, label); kinds: title, patch, line, marker, ring.
LegendRow = tuple[str, Any, str]


@dataclass(frozen=True)
class LegendContent:
    """What the legend lists beyond the fixed entries."""

    hazard: str
    classes: Sequence[str]
    colours: Mapping[str, str]
    routes: bool = False
    unreachable: bool = False
    held_depots: bool = False
    #: The pack's context layers drawn on the map (``water``, ``places``).
    context: Sequence[str] = ()
    #: Closed roads drawn (dashed red), 0 for none.
    closed_roads: int = 0


def panel_sections(
    assessment: Mapping[str, Any], pack: LayerPack, *, legend: LegendContent, full: bool = True
) -> list[Section]:
    """The side column's sections in order: legend, then (``full``) figures, supply, basis."""
    sections: list[Section] = [lambda flow: _legend(flow, legend)]
    if full:
        sections += [
            lambda flow: _population(flow, assessment),
            lambda flow: quake_panel(flow, assessment),
            lambda flow: _shelters(flow, assessment),
            lambda flow: _supply(flow, assessment, pack),
            lambda flow: _criteria(flow, assessment["response"]),
        ]
    return sections


def draw_panel(
    page: Page, sections: Sequence[Section], *, locator_box: Box, panel_box: Box
) -> list[Section]:
    """The side column: locator caption and ``sections``; returns those that did not fit."""
    lx, ly, _, _ = locator_box
    page.text(lx, ly - 1.5, "位置示意（全辖区，红框为主图范围）", size=6.8, color=MUTED)
    return fit_sections(page, panel_box, sections)


# ----------------------------------------------------------------------------- legend
def legend_rows(content: LegendContent) -> tuple[list[LegendRow], list[LegendRow]]:
    """The legend's two columns."""
    zones = labels.PRINT_STYLES["hazard_zones"]["alpha"]
    footprint = labels.PRINT_STYLES["footprint"]["alpha"]
    hazard = labels.label(labels.HAZARDS, content.hazard)
    left: list[LegendRow] = [("title", None, f"{labels.OVERLAYS['footprint']}（{hazard}）")]
    left += [
        ("patch", (content.colours[c], footprint), labels.class_label(c)) for c in content.classes
    ]
    if content.hazard == "earthquake":
        left.append(("marker", EPICENTRE, EPICENTRE.label))
    left.append(("title", None, labels.OVERLAYS["hazard_zones"]))
    left += [
        ("patch", (labels.RISK_COLORS[risk], zones), name) for risk, name in labels.RISKS.items()
    ]
    right: list[LegendRow] = [("title", None, labels.LEGEND["shelters"])]
    right += [("marker", style, style.label) for style in carto.SHELTER_STYLES.values()]
    if content.unreachable:
        right.append(("ring", carto.UNREACHABLE_RING, carto.UNREACHABLE_RING.label))
    right.append(("title", None, labels.LEGEND["supply"]))
    right.append(("marker", carto.DEPOT_STYLE, carto.DEPOT_STYLE.label))
    if content.held_depots:
        right.append(("marker", carto.DEPOT_HELD_STYLE, carto.DEPOT_HELD_STYLE.label))
    if content.routes:
        route = (labels.ROUTE_COLOR, labels.PRINT_STYLES["routes"]["width"], "-")
        right.append(("line", route, labels.OVERLAYS["routes"]))
    if content.closed_roads:
        width = labels.PRINT_STYLES["closed_roads"]["width"]
        closed = (labels.CLOSED_ROAD_COLOR, width, CLOSED_DASH)
        right.append(
            ("line", closed, f"{labels.OVERLAYS['closed_roads']}（{content.closed_roads} 段）")
        )
    if "water" in content.context:
        water = (labels.WATER_COLOR, labels.PRINT_STYLES["water"]["width"], "-")
        right.append(("line", water, labels.OVERLAYS["water"]))
    if "places" in content.context:
        right.append(("marker", carto.PLACE_STYLE, carto.PLACE_STYLE.label))
    major, minor = labels.PRINT_ROADS["major"], labels.PRINT_ROADS["minor"]
    county = (labels.COUNTY_EDGE_COLOR, labels.PRINT_STYLES["counties"]["width"], carto.COUNTY_DASH)
    right += [
        ("line", (major[1], major[0], "-"), labels.LEGEND["major_roads"]),
        ("line", (minor[1], 0.6, "-"), labels.LEGEND["minor_roads"]),
        ("line", county, labels.LEGEND["county_border"]),
    ]
    return left, right


def _legend(flow: Flow, content: LegendContent) -> None:
    flow.heading("图例")
    top = flow.y
    bottoms = []
    for column, rows in enumerate(legend_rows(content)):
        flow.y = top
        x = flow.x + column * flow.width / 2
        for kind, style, label in rows:
            size = 7.6 if kind == "title" else 7.5
            flow.advance(size)
            flow.gap(0.8 if kind == "title" else 0.4)
            if kind == "title":
                flow.text(x, flow.y, label, size=size, color=MUTED)
                continue
            if flow.draw:
                _symbol(flow.page, kind, style, x + 3.5, flow.y - 1.1 * flow.shrink)
            flow.text(x + 8.5, flow.y, label, size=size)
        bottoms.append(flow.y)
    flow.y = max(bottoms)
    flow.gap(1.0)


def _symbol(page: Page, kind: str, style: Any, x: float, y: float) -> None:
    """A legend symbol centred at (x, y) mm."""
    ax = page.ax
    if kind == "patch":
        colour, alpha = style
        ax.add_patch(
            Rectangle(
                (x - 3, y - 1.4),
                6,
                2.8,
                facecolor=colour,
                alpha=alpha,
                edgecolor=colour,
                linewidth=page.lw(0.5),
            )
        )
    elif kind == "line":
        colour, width, dash = style
        ax.add_line(
            Line2D([x - 3, x + 3], [y, y], color=colour, linewidth=page.lw(width), linestyle=dash)
        )
    else:
        marker: carto.MarkerStyle = style
        ring = kind == "ring"
        ax.scatter(
            [x],
            [y],
            marker=marker.marker,
            s=page.marker(marker.size),
            c="none" if ring else marker.colour,
            edgecolors=marker.edge,
            linewidths=page.lw(1.0 if ring else 0.6),
        )


# ------------------------------------------------------------------------ key figures
def _population(flow: Flow, assessment: Mapping[str, Any]) -> None:
    population = assessment["population"]
    placement = assessment.get("placement") or {}
    flow.heading("受灾与转移安置人数（估算）")
    stops = ((0.0, "left"), (58.0, "right"), (88.0, "right"), (flow.width, "right"))

    def row(values: Sequence[str], **style: Any) -> None:
        flow.row([(v, dx, ha) for v, (dx, ha) in zip(values, stops, strict=True)], **style)

    row(("县（区）", "受灾人口", "需转移安置", "未安置"), color=MUTED)
    unplaced = {r["code"]: r["unplaced"] for r in placement.get("unplaced_by_county", [])}
    for county in population.get("by_county", []):
        if not county.get("affected") and not county.get("displaced"):
            continue
        left = county.get("unplaced", unplaced.get(county["code"], 0))
        row(
            (
                str(county["name"]),
                thousands(county["affected"]),
                thousands(county["displaced"]),
                thousands(left),
            ),
            color=CAUTION if left else None,
        )
    outside = int(population.get("outside_counties") or 0)
    if outside:
        row(("辖区外", thousands(outside), "—", "—"), color=MUTED)
    flow.gap(0.8)
    flow.rule(width=0.3)
    row(
        (
            "合计",
            thousands(population.get("affected", 0)),
            thousands(population.get("displaced", 0)),
            thousands(placement.get("unplaced", 0)),
        )
    )


def _shelters(flow: Flow, assessment: Mapping[str, Any]) -> None:
    rows = assessment["shelters"]
    unplaced = (assessment.get("placement") or {}).get("unplaced", 0)
    flow.heading("避难场所")
    count = {s: sum(1 for r in rows if r["status"] == s) for s in carto.SHELTER_STYLES}
    capacity = sum(int(r["capacity"]) for r in rows if r["status"] == "usable")
    assigned = sum(int(r.get("assigned", 0)) for r in rows)
    flow.paragraph(
        f"可用 {count['usable']} 处；位于灾害范围内 {count['in_footprint']} 处；"
        f"邻近隐患区 {count['hazard_conflict']} 处（共 {len(rows)} 处）。"
        f"已安置 {thousands(assigned)} 人 / 可用容量 {thousands(capacity)} 人；"
        f"未安置 {thousands(unplaced)} 人。",
        color=CAUTION if unplaced else None,
    )
    blocked = [f"{r['id']} {r['name']}" for r in rows if r["status"] == "in_footprint"]
    if blocked:
        flow.paragraph(f"位于灾害范围内：{listing(blocked)}", color=MUTED)
    near = [
        f"{r['id']}（{_zone(r['conflicts'][0])}）" if r.get("conflicts") else str(r["id"])
        for r in rows
        if r["status"] == "hazard_conflict"
    ]
    if near:
        flow.paragraph(f"邻近隐患区：{listing(near, limit=8)}", color=MUTED)
    used = sorted((r for r in rows if r.get("assigned")), key=lambda r: -int(r["assigned"]))
    if used:
        parts = [f"{r['id']} {thousands(r['assigned'])}/{thousands(r['capacity'])}" for r in used]
        flow.paragraph(f"主要安置点（已安置/容量）：{listing(parts, limit=5)}", color=MUTED)


def _zone(conflict: Mapping[str, Any]) -> str:
    kind = str(conflict.get("kind", ""))
    if conflict.get("zone_id") == labels.INCIDENT_ZONE:  # the incident's own footprint and setback
        return f"本次{labels.label(labels.HAZARDS, kind)}"
    return f"{conflict.get('zone_id', '')} {labels.label(labels.ZONE_KINDS, kind)}".strip()


# ----------------------------------------------------------------------------- supply
def _item_names(pack: LayerPack, units: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Item id → (printed name, unit): the pack's stock table, the supply's own units first."""
    found = {
        item: (name, str(units.get(item, unit)))
        for item, (name, unit) in pack_notes.items(pack).items()
    }
    for item, unit in units.items():
        found.setdefault(str(item), (str(item), str(unit)))
    return found


def _quantity(value: float) -> str:
    return thousands(value) if float(value).is_integer() else f"{value:,.1f}"


def _supply(flow: Flow, assessment: Mapping[str, Any], pack: LayerPack) -> None:
    supply = assessment.get("supply")
    flow.heading("物资调运")
    if not supply:
        flow.paragraph("本评估未计算物资调运（无道路网络分析结果）。", color=MUTED)
        return
    names = _item_names(pack, supply.get("units") or {})
    routes = (supply.get("routes") or {}).get("features") or []
    depots = supply.get("depots") or []
    sending = [d for d in depots if d.get("status", "sending") == "sending" and d.get("sent")]
    days = supply.get("days")
    flow.paragraph(
        (f"按 {days} 天需求，" if days else "")
        + f"{len(sending)} 个储备库调出，调运路线 {len(routes)} 条；"
        f"灾害范围内中断道路 {supply.get('closed_roads', 0)} 段。"
    )
    shortfall = {k: v for k, v in (supply.get("shortfall") or {}).items() if v}
    if shortfall:
        parts = []
        for item, qty in shortfall.items():
            name, unit = names.get(str(item), (str(item), ""))
            parts.append(f"{name} {_quantity(qty)} {unit}".rstrip())
        flow.paragraph("缺口：" + "；".join(parts), color=CAUTION)
    else:
        flow.paragraph("缺口：无（库存与可达道路满足需求）")
    held = [
        f"{d['id']} {d.get('name', '')}（{labels.label(labels.DEPOT_STATUS, d['status'])}）"
        for d in depots
        if d.get("status", "sending") != "sending"
    ]
    if held:
        flow.paragraph(f"不能调出：{listing(held, unit='个')}", color=MUTED)
    _unreachable(flow, supply, assessment)


def _unreachable(flow: Flow, supply: Mapping[str, Any], assessment: Mapping[str, Any]) -> None:
    """Unreachable shelters, grouped by reason."""
    reasons = {
        str(d["shelter_id"]): labels.reason_label(d.get("reason"))
        for d in supply.get("unreachable_detail") or []
    }
    names = {str(r["id"]): str(r["name"]) for r in assessment["shelters"]}
    grouped: dict[str, list[str]] = {}
    for sid in (str(s) for s in supply.get("unreachable") or []):
        grouped.setdefault(reasons.get(sid, ""), []).append(f"{sid} {names.get(sid, '')}".strip())
    for reason, shelters in grouped.items():
        suffix = f"（{reason}）" if reason else ""
        flow.paragraph(f"无法送达：{listing(shelters)}{suffix}", color=CAUTION)


# ------------------------------------------------------------------------------ level
def _criteria(flow: Flow, response: Mapping[str, Any]) -> None:
    flow.heading("响应级别判定依据")
    criteria = response.get("criteria") or []
    if not criteria:
        flow.paragraph("无可判定的指标。", color=MUTED)
    for criterion in criteria:
        flow.paragraph(criterion_text(criterion))
    judgement = response.get("judgement") or []
    if judgement:
        clauses = "、".join(str(j.get("clause")) for j in judgement)
        flow.paragraph(f"需会商研判（无数量标准，可据此启动响应）：{clauses}", color=MUTED)


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return thousands(value) if abs(value) >= 1 or value == 0 else f"{value:.0%}"


def criterion_text(criterion: Mapping[str, Any]) -> str:
    """One criterion: indicator, value and source, the level reached and its clause."""
    name = criterion.get("name") or criterion.get("indicator")
    if criterion.get("county_name"):
        name = f"{criterion['county_name']} {name}"
    if criterion.get("status") == "not_evaluated":
        return f"{name}：{criterion.get('note') or '未评估'}"
    share = is_share(criterion.get("indicator"))
    value = criterion.get("value")
    source = "报告" if criterion.get("source") == "reported" else "估算"
    shown = percent(value) if share and isinstance(value, int | float) else _number(value)
    text = f"{name}：{shown}（{source}）→ "
    if criterion.get("level") is not None:
        text += f"{criterion.get('label') or criterion['level']}，{criterion.get('clause') or ''}"
    else:
        text += "未达到启动条件"
    following = criterion.get("next") or {}
    if following.get("label") and following.get("gap") is not None:
        gap = following["gap"]
        gap_text = point_gap(gap, value=value or 0) if share else _number(gap)
        text += f"；距{following['label']}差 {gap_text}"
        text += f"（{following['clause']}）" if following.get("clause") else ""
    return text
