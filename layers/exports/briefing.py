"""The 灾情评估简报 as a Word document, in the order a 续报 is written.

Incident, figures per county, the response level with its clauses and who decides,
shelters, supply and shortfalls, then the caution that the figures are estimates; the
situation map (a PNG the caller renders) sits after the incident paragraph.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.shared import Mm

from layers.export import Names
from layers.exports.rows import (
    Table,
    county_table,
    level_text,
    shelter_table,
    shipment_table,
    shortfall_table,
)

TITLE = "灾情评估简报"
MAP_WIDTH_MM = 160


def _table(document: Any, table: Table, columns: tuple[int, ...] | None = None) -> None:
    keep = columns or tuple(range(len(table.headers)))
    grid = document.add_table(rows=1, cols=len(keep))
    grid.style = "Table Grid"
    for cell, i in zip(grid.rows[0].cells, keep, strict=True):
        cell.text = table.headers[i]
    for row in table.rows:
        for cell, i in zip(grid.add_row().cells, keep, strict=True):
            cell.text = "" if row[i] is None else str(row[i])


def _incident(document: Any, assessment: Mapping[str, Any], names: Names) -> None:
    code = str(assessment.get("hazard"))
    hazard = names.get("hazard", {}).get(code, code)
    population = assessment.get("population") or {}
    document.add_heading("一、灾情概况", level=1)
    document.add_paragraph(
        f"{assessment.get('title') or hazard}（灾种：{hazard}），评估时间"
        f" {assessment.get('created')}（UTC），评估编号 {assessment.get('id')}。"
        f"估算受灾人口 {population.get('affected', 0)} 人，"
        f"需转移安置 {population.get('displaced', 0)} 人。"
    )


def _criterion(c: Mapping[str, Any]) -> str:
    if not c.get("level"):
        return f"{c.get('name')} {c.get('value')}：未达到启动条件"
    basis = f"{c.get('clause')}：{c.get('condition')}"
    return f"{c.get('name')} {c.get('value')}：达到{c.get('label')}（{basis}）"


def _level(document: Any, assessment: Mapping[str, Any]) -> None:
    response = assessment.get("response") or {}
    document.add_heading("三、响应级别", level=1)
    document.add_paragraph(f"依据《{response.get('plan_name', '')}》：{level_text(assessment)}。")
    for c in response.get("criteria", []):
        document.add_paragraph(_criterion(c), style="List Bullet")
    decision = response.get("decision")
    if decision:
        document.add_paragraph(
            f"启动程序（{decision.get('procedure_clause')}）：{decision.get('decided_by')}。"
        )


def write_briefing(
    assessment: Mapping[str, Any],
    *,
    names: Names | None = None,
    map_png: bytes | None = None,
) -> bytes:
    """The briefing as DOCX bytes; ``map_png`` is the situation map to embed."""
    names = names or {}
    document = Document()
    document.add_heading(TITLE, level=0)
    _incident(document, assessment, names)
    if map_png:
        document.add_picture(io.BytesIO(map_png), width=Mm(MAP_WIDTH_MM))
    document.add_heading("二、分区县受灾情况", level=1)
    _table(document, county_table(assessment))
    _level(document, assessment)
    document.add_heading("四、避难场所", level=1)
    _table(document, shelter_table(assessment, names), (1, 3, 4, 5))
    document.add_heading("五、物资保障与缺口", level=1)
    _table(document, shipment_table(assessment, names), (0, 1, 2, 3, 4))
    shortfall = shortfall_table(assessment, names)
    if shortfall.rows:
        _table(document, shortfall, (1, 2, 3))
    else:
        document.add_paragraph("各类物资均可满足需求。")
    document.add_heading("六、说明", level=1)
    notice = (assessment.get("population") or {}).get("notice")
    for note in [notice, *assessment.get("notes", [])]:
        if note:
            document.add_paragraph(str(note))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
