"""The assessment as tables: the one source of every tabular export (XLSX, CSV, DOCX).

Each table has Chinese column headers and rows whose numbers stay numbers, so a
spreadsheet can add them up. The workbook, the county CSV and the Word briefing all read
these tables, so a figure reads the same in every format. Chinese names of codes come in
``names`` (`layers.export.Names`, from the label table), as for the GeoPackage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from layers.export import Names

Cell = str | int | float | None

#: Shown for an assessment whose figures reach no level of the plan.
NO_LEVEL = "未达到启动条件"
SOURCES = {"reported": "报告值", "estimated": "估算值"}


@dataclass(frozen=True)
class Table:
    """One table of an export: a sheet of the workbook, a table of the briefing."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _name(names: Names, table: str, code: object) -> str:
    text = "" if code is None else str(code)
    return names.get(table, {}).get(text, text)


def _number(value: Any) -> int | float:
    number = float(value or 0)
    return int(number) if number.is_integer() else number


def level_text(assessment: Mapping[str, Any]) -> str:
    """The response level the figures call for, or 未达到启动条件."""
    response = assessment.get("response") or {}
    return f"{response['label']}响应" if response.get("label") else NO_LEVEL


def summary_table(assessment: Mapping[str, Any], names: Names, *, crs: str) -> Table:
    """概况: the incident, the totals, the level and each criterion with its clause."""
    population = assessment.get("population") or {}
    placement = assessment.get("placement") or {}
    response = assessment.get("response") or {}
    decision = response.get("decision") or {}
    rows: list[tuple[Cell, ...]] = [
        ("评估编号", assessment.get("id"), None, None),
        ("灾害名称", assessment.get("title") or _name(names, "hazard", assessment.get("hazard"))),
        ("灾种", _name(names, "hazard", assessment.get("hazard")), None, None),
        ("评估时间（UTC）", assessment.get("created"), None, None),
        ("预案", response.get("plan_name") or assessment.get("plan"), None, assessment.get("plan")),
        ("受灾人口（估算）", _number(population.get("affected")), None, None),
        ("需转移安置人口（估算）", _number(population.get("displaced")), None, None),
        ("无处安置人数", _number(placement.get("unplaced")), None, None),
        ("响应级别", level_text(assessment), decision.get("conditions_clause"), None),
    ]
    if decision:
        rows.append(
            ("启动程序", decision.get("decided_by"), decision.get("procedure_clause"), None)
        )
    for c in response.get("criteria", []):
        source = SOURCES.get(str(c.get("source")), str(c.get("source") or ""))
        reached = c.get("label") or "未达到"
        value = _number(c.get("value"))
        rows.append((c.get("name"), value, c.get("clause"), f"{source}，{reached}"))
    rows.append(("坐标系", crs, None, None))
    rows.append(("注意", population.get("notice"), None, None))
    headers = ("项目", "内容", "条款", "说明")
    return Table("summary", "概况", headers, tuple(_pad(r, len(headers)) for r in rows))


def _pad(row: Sequence[Cell], width: int) -> tuple[Cell, ...]:
    return tuple(row) + (None,) * (width - len(row))


def county_table(assessment: Mapping[str, Any]) -> Table:
    """各区县: affected, displaced and unplaced people per county, with a 合计 row."""
    rows: list[tuple[Cell, ...]] = []
    totals = [0, 0, 0]
    for r in (assessment.get("population") or {}).get("by_county", []):
        figures = [int(r.get(key) or 0) for key in ("affected", "displaced", "unplaced")]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        rows.append((str(r.get("code")), str(r.get("name")), *figures))
    rows.append(("合计", None, *totals))
    headers = ("区县代码", "区县", "受灾人口", "需转移安置", "无处安置")
    return Table("counties", "各区县", headers, tuple(rows))


def shelter_table(assessment: Mapping[str, Any], names: Names) -> Table:
    """避难场所: every shelter with its status, capacity and the people assigned."""
    rows = [
        (
            s.get("id"),
            s.get("name"),
            _name(names, "shelter_kind", s.get("kind")),
            _name(names, "shelter_status", s.get("status")),
            int(s.get("capacity") or 0),
            int(s.get("assigned") or 0),
            s.get("lon"),
            s.get("lat"),
            "；".join(
                f"{c.get('zone_id')} {_name(names, 'zone_kind', c.get('kind'))}"
                f" {float(c.get('distance_m') or 0):.0f} m"
                for c in s.get("conflicts", [])
            ),
        )
        for s in assessment.get("shelters", [])
    ]
    headers: tuple[str, ...] = ("编号", "名称", "类型", "状态", "容量（人）", "安置人数")
    headers += ("经度", "纬度", "冲突隐患区")
    return Table("shelters", "避难场所", headers, tuple(rows))


def shipment_table(assessment: Mapping[str, Any], names: Names) -> Table:
    """物资调运: one row per route and item, with distance and driving time."""
    supply = assessment.get("supply") or {}
    units = supply.get("units") or {}
    rows: list[tuple[Cell, ...]] = []
    for feature in (supply.get("routes") or {}).get("features", []):
        p = feature.get("properties") or {}
        km = round(float(p.get("distance_m") or 0) / 1000, 2)
        minutes = round(float(p.get("duration_s") or 0) / 60, 1)
        for item, quantity in (p.get("items") or {}).items():
            rows.append(
                (
                    p.get("depot_id"),
                    p.get("shelter_id"),
                    _name(names, "item", item),
                    _number(quantity),
                    units.get(item, ""),
                    km,
                    minutes,
                )
            )
    headers = ("储备库", "避难场所", "物资", "数量", "单位", "路程（千米）", "行驶时间（分钟）")
    return Table("shipments", "物资调运", headers, tuple(rows))


def shortfall_table(assessment: Mapping[str, Any], names: Names) -> Table:
    """物资缺口: demand no stock could meet, per item, and shelters no depot reaches."""
    supply = assessment.get("supply") or {}
    units = supply.get("units") or {}
    rows: list[tuple[Cell, ...]] = [
        (item, _name(names, "item", item), _number(quantity), units.get(item, ""))
        for item, quantity in (supply.get("shortfall") or {}).items()
        if quantity
    ]
    headers = ("物资代码", "物资", "缺口数量", "单位")
    return Table("shortfall", "物资缺口", headers, tuple(rows))


def assessment_tables(assessment: Mapping[str, Any], names: Names, *, crs: str) -> list[Table]:
    """Every table, in the order of the workbook's sheets and the briefing's sections."""
    return [
        summary_table(assessment, names, crs=crs),
        county_table(assessment),
        shelter_table(assessment, names),
        shipment_table(assessment, names),
        shortfall_table(assessment, names),
    ]
