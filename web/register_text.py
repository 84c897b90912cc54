"""The register's (台账) words: its header lines naming plan, clause and source, and its rows.

The register of transitional aid (阳泉2026 §6.1.2 「及时建立台账」) per county, for CSV and
XLSX (`layers.exports.register`). Estimates carry 估算 in the cell's column heading and
in the row's 估算项 column; a missing standard is written 未规定, never 0.
"""

from __future__ import annotations

from typing import Final

from geo.plans.model import Plan
from geo.response.transitional_aid import AidRow, TransitionalAid
from layers.exports.rows import Cell, Table

#: The label every estimate carries.
ESTIMATE: Final = "估算"
#: A standard or a need the plan does not state.
MISSING: Final = "未规定"

#: Column headings of the register, in order.
HEADERS: Final = (
    "区县代码",
    "区县",
    "倒塌和严重损坏房屋户数",
    "在外安置无法返家人数",
    "需过渡期生活救助户数（估算）",
    "需过渡期生活救助人数（估算）",
    "救助月数",
    "需求金额（元）",
    "估算项",
)


#: The figures of a row in Chinese: the 估算项 column, and the browser's timeline.
AID_FIGURES: Final = {
    "collapsed_households": "倒塌和严重损坏房屋户数",
    "in_shelters": "在外安置无法返家人数",
    "households": "需救助户数",
    "persons": "需救助人数",
    "need": "需求金额",
}


def _row(row: AidRow, months: int | None) -> tuple[Cell, ...]:
    return (
        row.code or "",
        row.name,
        row.collapsed_households if row.collapsed_households is not None else "",
        row.in_shelters if row.in_shelters is not None else "",
        row.households,
        row.persons,
        months if months is not None else MISSING,
        row.need if row.need is not None else MISSING,
        "、".join(AID_FIGURES[e] for e in row.estimated),
    )


def register_table(aid: TransitionalAid) -> Table:
    """The register's table: one row per county, then 合计."""
    rows = [_row(r, aid.months) for r in aid.rows]
    rows.append(_row(aid.total, aid.months))
    return Table(key="register", title="过渡期生活救助台账", headers=HEADERS, rows=tuple(rows))


def register_preamble(
    plan: Plan, aid: TransitionalAid, *, incident: str, title: str | None
) -> tuple[str, ...]:
    """The lines above the table: incident, plan, clauses, standards and their sources."""
    rules = plan.after_emergency
    assert rules is not None  # the service refuses a plan without [after_emergency]
    monthly = aid.monthly_per_person
    lines = [
        f"过渡期生活救助台账（{ESTIMATE}）：{title or incident}（事件 {incident}）",
        f"预案：{plan.name}（{plan.document or plan.issued}）",
        f"依据：{plan.cite(rules.transitional_clause)} {rules.transitional_text}",
        f"台账：{plan.cite(rules.register_clause)} {rules.register_text}",
        "救助月数：" + (f"{aid.months}（来源：{rules.months_source}）" if aid.months else MISSING),
        "救助标准（元/人·月）："
        + (f"{monthly}（来源：{rules.monthly_source}）" if monthly is not None else MISSING),
        f"户均人口：{aid.household_persons}（来源：{aid.household_source}）",
        f"{ESTIMATE}：需救助户数、人数由报告的倒塌和严重损坏房屋户数和在外安置人数按户均人口"
        f"换算，为{ESTIMATE}值；报告中标为估算的数字在“估算项”列注明。",
    ]
    if rules.standard_note and (aid.months is None or monthly is None):
        lines.append(f"说明：{rules.standard_note}")
    return tuple(lines)
