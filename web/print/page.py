"""The page of the printed situation map: layout primitives, header and footer notes.

Everything is laid out on the A3 design page in millimetres (x right, y down); `Page`
scales sizes for smaller paper, but never sets type below `MIN_PT` on the paper (A4 is
the A3 design at 0.71, where the design's smallest type would print at 4.9 pt). Text
flows down a box with a cursor (`Flow`); `fit` runs a box's content dry first and
shrinks the type until it fits (down to `MIN_PT`), and `fit_sections` leaves the
sections that still do not fit for a continuation page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from web import labels
from web.print.text import text_width, thousands, wrap

DESIGN_WIDTH_MM, DESIGN_HEIGHT_MM = 420.0, 297.0
PT_TO_MM = 25.4 / 72
LINE_SPACING = 1.38
#: The smallest type printed on any paper (points on the sheet).
MIN_PT = 7.0
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
        """A font size (design points) on this paper, never below `MIN_PT`."""
        return max(size * self.scale, MIN_PT)

    def design(self, size: float) -> float:
        """The design-page size of type asked at ``size`` once `pt`'s floor applies."""
        return self.pt(size) / self.scale

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
        self.y += self.page.design(size * self.shrink) * PT_TO_MM * LINE_SPACING
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
        for line in wrap(text, self.width / PT_TO_MM, self.page.design(size * self.shrink)):
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


Section = Callable[[Flow], None]


def fit_sections(page: Page, box: Box, sections: Sequence[Section]) -> list[Section]:
    """Draw ``sections`` in ``box`` as `fit` does; return those left over for another page.

    When all of them fit at some type scale they are drawn at the largest such; else, at
    the smallest scale, the leading sections that fit are drawn and the rest returned.
    """
    x, y, width, height = box
    for step in SHRINK_STEPS:
        trial = Flow(page, x=x, y=y, width=width, shrink=step, draw=False)
        for section in sections:
            section(trial)
        if trial.y <= y + height:
            _draw_all(Flow(page, x=x, y=y, width=width, shrink=step), sections)
            return []
    trial = Flow(page, x=x, y=y, width=width, shrink=SHRINK_STEPS[-1], draw=False)
    kept = 0
    for section in sections:
        section(trial)
        if trial.y > y + height:
            break
        kept += 1
    _draw_all(Flow(page, x=x, y=y, width=width, shrink=SHRINK_STEPS[-1]), sections[:kept])
    return list(sections[kept:])


def _draw_all(flow: Flow, sections: Sequence[Section]) -> None:
    for section in sections:
        section(flow)


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
    page: Page,
    assessment: Mapping[str, Any],
    *,
    title: str,
    created: datetime,
    extra: Sequence[str] = (),
) -> None:
    """Title, hazard, time, ``extra`` facts (scale, sheet), key figures and the level box."""
    x, y, width, height = HEADER_BOX
    hazard = str(assessment["hazard"])
    page.text(x + 2, y + 12.5, title, size=21)
    if extra:  # beside the title: the scale and, on a detail sheet, which one
        after = x + 8 + text_width(title, 21) * PT_TO_MM
        page.text(after, y + 12.5, "　".join(extra), size=10, color=MUTED)
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
def draw_continuation(page: Page, title: str, sections: Sequence[Section]) -> None:
    """A page of the sections that did not fit the map page, flowed down three columns."""
    page.text(8, 20, title, size=16)
    page.rule(8, 412, 25, width=1.0)
    left = list(sections)
    columns = 3
    width = (404 - 2 * 8) / columns
    for column in range(columns):
        if not left:
            break
        area = (8 + column * (width + 8), 30.0, width, 259.0)
        rest = fit_sections(page, area, left)
        if len(rest) == len(left):  # one section taller than a column: print it anyway
            _draw_all(Flow(page, x=area[0], y=area[1], width=width), left[:1])
            rest = left[1:]
        left = rest


def map_title(assessment: Mapping[str, Any]) -> str:
    """The map title: the incident name, else the hazard, then 灾情态势图."""
    hazard = labels.label(labels.HAZARDS, assessment["hazard"])
    name = assessment.get("title") or hazard
    return f"{name}灾情态势图"
