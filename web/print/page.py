"""The page of the printed situation map: layout primitives, header and footer notes.

Everything is laid out on the A3 design page in millimetres (x right, y down); `Page`
scales sizes for smaller paper. Text flows down a box with a cursor (`Flow`); `fit`
runs a box's content dry first and shrinks the type until it fits, so sections never
run off the page however long the lists get.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from pyproj import CRS

from layers.pack import LayerPack
from web import labels, pack_notes
from web.print.text import thousands, wrap
from web.quake_text import quake_sources

DESIGN_WIDTH_MM, DESIGN_HEIGHT_MM = 420.0, 297.0
PT_TO_MM = 25.4 / 72
LINE_SPACING = 1.38
#: Type scales tried in turn until a box's content fits.
SHRINK_STEPS = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68)
INK = "#1a1a1a"
MUTED = "#555555"
CAUTION = "#a50f15"
HEADER_BOX = (8.0, 7.0, 404.0, 28.0)
LEVEL_BOX = (290.0, 7.0, 122.0, 28.0)
#: The pack's layers whose sources the footer names, in this order.
SOURCE_LAYERS = ("counties", "shelters", "depots", "hazard_zones", "roads")
CAUTION_TEXT = (
    "注意：图中受灾、转移安置人数与安置方案均为模型估算值，仅供会商研判参考，须经实地核查后使用。"
)
PLAN_CAUTION = "避难场所安置与物资调运为模型方案，须经实地核查后使用。"

Box = tuple[float, float, float, float]


class Page:
    """A figure with a full-page axes in design millimetres, and the scale to apply."""

    def __init__(self, *, figure: Figure, scale: float) -> None:
        self.figure = figure
        self.scale = scale
        self.width = DESIGN_WIDTH_MM
        self.height = DESIGN_HEIGHT_MM
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.set_axis_off()
        self.ax = ax

    def pt(self, size: float) -> float:
        """A font size (design points) on this paper."""
        return size * self.scale

    def lw(self, width: float) -> float:
        """A line width (design points) on this paper."""
        return width * self.scale

    def marker(self, size: float) -> float:
        """A scatter marker area for a marker ``size`` design points across."""
        return (size * self.scale) ** 2

    def text(self, x: float, y: float, text: str, *, size: float, **style: Any) -> None:
        """Text at design-page millimetres."""
        if style.get("color") is None:
            style["color"] = INK
        style.setdefault("va", "baseline")
        self.ax.text(x, y, text, fontsize=self.pt(size), **style)

    def rule(self, x0: float, x1: float, y: float, *, width: float = 0.5) -> None:
        """A horizontal rule."""
        self.ax.plot([x0, x1], [y, y], color=INK, linewidth=self.lw(width))


class Flow:
    """A text cursor running down a box of the page; with ``draw=False`` it only measures."""

    def __init__(
        self,
        page: Page,
        *,
        x: float,
        y: float,
        width: float,
        shrink: float = 1.0,
        draw: bool = True,
    ) -> None:
        self.page = page
        self.x = x
        self.y = y
        self.width = width
        self.shrink = shrink
        self.draw = draw

    def advance(self, size: float) -> float:
        """Move down one line of ``size`` points (before shrinking); the new baseline."""
        self.y += size * self.shrink * PT_TO_MM * LINE_SPACING
        return self.y

    def gap(self, mm: float) -> None:
        """Blank space."""
        self.y += mm * self.shrink

    def text(self, x: float, y: float, text: str, *, size: float, **style: Any) -> None:
        """Text at (x, y) mm, shrunk with the box."""
        if self.draw:
            self.page.text(x, y, text, size=size * self.shrink, **style)

    def rule(self, *, width: float = 0.4) -> None:
        """A rule across the box at the cursor."""
        if self.draw:
            self.page.rule(self.x, self.x + self.width, self.y, width=width)

    def heading(self, text: str, *, size: float = 9.5) -> None:
        """A section heading with a rule under it."""
        self.gap(1.2)
        self.text(self.x, self.advance(size), text, size=size, color=INK)
        self.gap(1.0)
        self.rule()
        self.gap(0.6)

    def paragraph(self, text: str, *, size: float = 7.4, **style: Any) -> None:
        """Text wrapped to the box."""
        for line in wrap(text, self.width / PT_TO_MM, size * self.shrink):
            self.text(self.x, self.advance(size), line, size=size, **style)

    def row(self, cells: list[tuple[str, float, str]], *, size: float = 7.6, **style: Any) -> None:
        """One table row: (text, x offset mm, horizontal alignment) per cell."""
        y = self.advance(size)
        for text, dx, ha in cells:
            self.text(self.x + dx, y, text, size=size, ha=ha, **style)


def fit(page: Page, box: Box, content: Callable[[Flow], None]) -> float:
    """Draw ``content`` in ``box`` at the largest type scale that fits; return the scale."""
    x, y, width, height = box
    shrink = SHRINK_STEPS[-1]
    for step in SHRINK_STEPS:
        trial = Flow(page, x=x, y=y, width=width, shrink=step, draw=False)
        content(trial)
        if trial.y <= y + height:
            shrink = step
            break
    content(Flow(page, x=x, y=y, width=width, shrink=shrink))
    return shrink


def listing(items: list[str], *, limit: int = 6, unit: str = "处") -> str:
    """Items joined with 、, the tail summarised as "等 n 处" beyond ``limit``."""
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + f" 等 {len(items)} {unit}"


# ----------------------------------------------------------------------------- header
def level_of(response: Mapping[str, Any]) -> tuple[int | None, str, str]:
    """The verdict's level, label and colour (grey "未达到启动条件" when none is met)."""
    level = response.get("level")
    if level is None:
        return None, labels.NO_LEVEL_LABEL, labels.NO_LEVEL_COLOR
    label = str(response.get("label") or labels.LEVELS.get(int(level), f"{level}级"))
    return int(level), label, labels.LEVEL_COLORS.get(int(level), labels.NO_LEVEL_COLOR)


def deciding_clauses(response: Mapping[str, Any]) -> list[str]:
    """The clauses of the criteria that reach the verdict's level."""
    level = response.get("level")
    clauses = [
        str(c["clause"])
        for c in response.get("criteria") or []
        if level is not None and c.get("level") == level and c.get("clause")
    ]
    return list(dict.fromkeys(clauses))


def draw_header(
    page: Page, assessment: Mapping[str, Any], *, title: str, created: datetime
) -> None:
    """Title, hazard, time, key figures and the response level box."""
    x, y, width, height = HEADER_BOX
    hazard = str(assessment["hazard"])
    page.text(x + 2, y + 12.5, title, size=21)
    facts = [
        f"灾种：{labels.label(labels.HAZARDS, hazard)}",
        f"评估时间：{created:%Y年%m月%d日 %H:%M}（北京时间）",
    ]
    if assessment.get("id"):
        facts.append(f"评估编号：{str(assessment['id'])[:8]}")
    page.text(x + 2, y + 21, "　　".join(facts), size=8, color=MUTED)
    population = assessment["population"]
    figures = (
        ("受灾人口（估算）", population.get("affected", 0)),
        ("需转移安置（估算）", population.get("displaced", 0)),
    )
    for i, (label, value) in enumerate(figures):
        fx = 190 + i * 48
        page.text(fx, y + 9, label, size=7, color=MUTED)
        page.text(fx, y + 20, f"{thousands(value)} 人", size=15)
    _level_box(page, assessment["response"])
    page.rule(x, x + width, y + height + 1.5, width=1.2)


def _level_box(page: Page, response: Mapping[str, Any]) -> None:
    x, y, w, h = LEVEL_BOX
    level, label, colour = level_of(response)
    ink = labels.LEVEL_TEXT_COLORS.get(level or 0, labels.NO_LEVEL_TEXT_COLOR)
    page.ax.add_patch(
        Rectangle((x, y), w, h, facecolor=colour, edgecolor=INK, linewidth=page.lw(0.8))
    )
    headline = f"{label}应急响应" if level is not None else label
    page.text(x + 4, y + 11, headline, size=18, color=ink)
    plan = str(response.get("plan_name") or response.get("plan") or "")
    page.text(x + 4, y + 18.5, plan, size=7.5, color=ink)
    clauses = "、".join(deciding_clauses(response))
    basis = f"依据：{clauses}" if clauses else "依据：无指标达到预案启动条件"
    page.text(x + 4, y + 24.5, basis, size=7.5, color=ink)


# ----------------------------------------------------------------------------- footer
def layer_sources(pack: LayerPack) -> tuple[list[str], list[str]]:
    """Sources the pack states, and the layers it marks as synthetic."""
    stated: list[str] = []
    synthetic: list[str] = []
    for name in SOURCE_LAYERS:
        label = labels.LAYERS[name]
        values = pack_notes.distinct(getattr(pack, name))
        if any(pack_notes.says_synthetic(v) for v in values):
            synthetic.append(label)
        elif values:
            stated.append(f"{label}：{'；'.join(values)}")
        else:
            stated.append(f"{label}：未注明来源")
    population = pack_notes.distinct(pack.counties, "population_source")
    if population:
        stated.append(f"人口：{'；'.join(population)}")
    if pack_notes.grid_is_synthetic(pack):
        synthetic.append(labels.LAYERS["population"])
    elif pack.population.tags.get("source"):
        stated.append(f"{labels.LAYERS['population']}：{pack.population.tags['source']}")
    return stated, synthetic


def round_ratio(ratio: float) -> int:
    """A scale denominator rounded to two significant digits."""
    digits = max(len(str(int(ratio))) - 2, 0)
    return int(round(ratio, -digits))


def draw_footer(
    page: Page,
    assessment: Mapping[str, Any],
    pack: LayerPack,
    *,
    crs: CRS,
    ratio: float,
    created: datetime,
    box: Box,
) -> None:
    """The notes under the map: sources, synthetic data, CRS, production and the caution."""
    x, y, width, height = box
    page.rule(x, x + width, y, width=0.4)
    stated, synthetic = layer_sources(pack)
    epsg = crs.to_epsg()
    software = assessment.get("software") or {}
    notice = str((assessment.get("population") or {}).get("notice") or "")

    def content(flow: Flow) -> None:
        flow.paragraph("数据来源：" + "；".join(stated) + "。", size=6.8)
        for line in quake_sources(assessment):
            flow.paragraph(line, size=6.8)
        for note in assessment.get("map_notes") or []:  # e.g. outlines simplified to draw
            flow.paragraph(str(note), size=6.8, color=CAUTION)
        if synthetic:
            flow.paragraph(
                f"{'、'.join(synthetic)}为合成演示数据，不代表实际情况。", size=6.8, color=CAUTION
            )
        flow.paragraph(
            f"坐标系：{crs.name}{f' (EPSG:{epsg})' if epsg else ''}；数据 EPSG:4326（WGS 84，"
            f"CGCS2000 视为等同）；比例尺约 1:{round_ratio(ratio):,}（按所选纸张打印）。"
            f"制图：reliefgis {software.get('version', '')}，{created:%Y-%m-%d %H:%M} 北京时间；"
            f"评估编号 {assessment.get('id', '—')}；预案 {assessment.get('plan', '—')}。",
            size=6.8,
        )
        caution = f"注意：{notice}{PLAN_CAUTION}" if notice else CAUTION_TEXT
        flow.paragraph(caution, size=7.4, color=CAUTION)

    fit(page, (x, y + 0.3, width, height - 0.3), content)
