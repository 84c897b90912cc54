"""The validation report of a layer pack as Markdown: per layer, what was found, and a verdict."""

from __future__ import annotations

from layers.pack_build.check import Finding, PackReport

_HEAD = "| 图层 layer | 数量 count | 几何 geometry | 源坐标系 CRS | 范围 bounds (lon/lat) |"


def _bounds(b: tuple[float, float, float, float] | None) -> str:
    return "-" if b is None else f"{b[0]:.4f}, {b[1]:.4f} – {b[2]:.4f}, {b[3]:.4f}"


def _items(title: str, findings: list[Finding]) -> list[str]:
    return [f"- {title}: {f.text}" for f in findings]


def verdict(report: PackReport) -> str:
    """One line: usable or refused, with the counts of errors and warnings."""
    if report.usable:
        return (
            f"结论 Verdict: **可用 usable** — {len(report.warnings)} 项提示 warnings, "
            f"{len(report.repairs)} 项修复 repairs"
        )
    return f"结论 Verdict: **不可用 refused** — {len(report.errors)} 项错误 errors"


def _network(report: PackReport) -> list[str]:
    found = report.connectivity
    if found is None:
        return ["路网未检查 (the road network was not checked; see the errors)"]
    return [
        f"- 连通分量 connected parts: {found.components} "
        f"(largest holds {found.largest_share:.1%} of the nodes)",
        f"- 孤立避难场所 shelters cut off: {', '.join(found.isolated_shelters) or '无 none'}",
        f"- 孤立储备库 depots cut off: {', '.join(found.isolated_depots) or '无 none'}",
    ]


def to_markdown(report: PackReport, *, title: str = "图层包检查报告 Layer pack validation") -> str:
    """The report as Markdown: the verdict, a table of layers, the findings per layer."""
    lines = [f"# {title}", "", f"图层包 pack: `{report.folder}`", "", verdict(report), ""]
    lines += [_HEAD, "|---|---:|---|---|---|"]
    for layer in report.layers:
        lines.append(
            f"| {layer.name} | {layer.count} | {layer.geometry or '-'} | {layer.crs or '-'} "
            f"| {_bounds(layer.bounds)} |"
        )
    if report.population_total is not None:
        lines += ["", f"人口栅格合计 population raster total: {report.population_total:,.0f}"]
    lines += ["", "## 路网 Road network", "", *_network(report), "", "## 各图层问题 Per layer", ""]
    names = [layer.name for layer in report.layers]
    for finding in (*report.errors, *report.warnings, *report.repairs):
        if finding.layer not in names:
            names.append(finding.layer)
    for name in names:
        found = [
            *_items("错误 error", [f for f in report.errors if f.layer == name]),
            *_items("提示 warning", [f for f in report.warnings if f.layer == name]),
            *_items("已修复 repaired", [f for f in report.repairs if f.layer == name]),
        ]
        lines += [f"### {name}", "", *(found or ["- 无问题 no problems"]), ""]
    return "\n".join(lines)
