"""A level verdict as text: each criterion, what could not be graded, what is left to judgement.

The command line prints it; shares read as percentages (web.shares).
"""

from __future__ import annotations

from collections.abc import Callable

from geo.plans.model import INDICATORS
from geo.response.levels import Criterion, Verdict
from web.labels import LEVELS
from web.shares import is_share, percent, point_gap

#: How a missing field is given on the command line.
OPTIONS = {
    "hazard": "--hazard",
    "figures.by_county": "--county CODE 或 --by-county CODE:drought_aid_persons=N",
}


def command_option(field: str) -> str:
    """How a field of the API is given to ``reliefgis level`` (``--dead-missing`` …)."""
    if field == "drought_aid_share":  # a county's own share: given per county
        field = "figures.by_county"
    if field in INDICATORS:
        return "--" + field.replace("_", "-")
    return OPTIONS.get(field, field)


def _value(c: Criterion) -> str:
    if c.value is None:
        return ""
    return percent(c.value) if is_share(c.indicator) else f"{c.value}"


def criterion_line(c: Criterion, *, option: Callable[[str], str] = command_option) -> str:
    """One criterion: county, name, value (a share in percent), level or what is missing."""
    where = f"{c.county_name}（{c.county}）" if c.county else ""
    if c.status == "not_evaluated":
        value = f" {_value(c)}" if c.value is not None else ""
        give = "、".join(option(m) for m in c.missing)
        return f"  {where}{c.name}{value} → {c.note}（给出 {give}）"
    reached = f"{c.label}（{c.clause}：{c.condition}）" if c.level else "未达到"
    source = "报告值" if c.source == "reported" else f"估算值，{c.basis}"
    line = f"  {where}{c.name} {_value(c)}（{source}）→ {reached}"
    if c.next:
        gap = (
            point_gap(c.next.gap, value=c.value or 0) if is_share(c.indicator) else f"{c.next.gap}"
        )
        line += f"；距{c.next.label}还差 {gap}（{c.next.clause}）"
    if c.note:
        line += f"；{c.note}"
    return line


def _headline(verdict: Verdict) -> str:
    title = f"{verdict.plan_name}（{verdict.plan}）："
    if not verdict.evaluated:
        return title + "未评估：没有可按本预案分级的数字，不能判定是否达到启动条件"
    if verdict.label:
        return title + f"{verdict.label}响应"
    return title + "未达到任何响应级别的启动条件（按已给出的数字）"


def verdict_text(verdict: Verdict, *, option: Callable[[str], str] = command_option) -> str:
    """The verdict as lines of text: headline, criteria, what was not given, judgement.

    ``option`` names how a missing field is given (a command-line option, an API field).
    """
    lines = [_headline(verdict)]
    lines += [criterion_line(c, option=option) for c in verdict.criteria]
    if verdict.not_given:
        lines.append(
            "未给出（未评估）："
            + "、".join(f"{INDICATORS[n][1]} {option(n)}" for n in verdict.not_given)
        )
    if verdict.decision:
        d = verdict.decision
        lines.append(f"启动程序（{d.procedure_clause}）：{d.decided_by}")
        lines.append(f"组织协调：{d.lead}")
        lines.append(f"响应措施（{d.measures_clause}）：")
        lines += [f"  {m.clause} {m.text} — {'、'.join(m.units)}" for m in d.measures]
    if verdict.work_groups:
        lines.append(
            "应急工作组：" + "、".join(f"{g.name}（{g.lead}）" for g in verdict.work_groups)
        )
    if verdict.judgement:
        lines.append("需会商研判（无数量标准，可据此启动相应级别）：")
        lines += [f"  {j.clause}（{LEVELS[j.level]}）：{j.text}" for j in verdict.judgement]
    if verdict.adjustment:
        lines.append(f"注：{verdict.adjustment}")
    return "\n".join(lines)
