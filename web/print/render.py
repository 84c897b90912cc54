"""The printed situation map (灾情态势图): a landscape PDF per assessment.

Laid out after rapid-mapping practice (Copernicus EMS): a header with the title and
the response level in its colour, the detail map of the footprint with scale bar, north
arrow, graticule and kilometre grid, and a side column with a locator map of the whole
jurisdiction, the legend, the key figures and the notes (sources, CRS, production,
caution). The map is drawn in the CGCS2000 3° Gauss-Krüger zone of the footprint's
centre at a standard scale (`web.print.sheets`): at ``scale="auto"`` the largest one that
holds the footprint; at a fixed scale a footprint larger than a sheet gets an overview
page with the page index, then one detail page per sheet. What does not fit the map page
at 7 pt or more (A4) goes on a last page. Everything is vector; fonts are embedded as
TrueType subsets. The same assessment gives the same bytes.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pyproj import CRS
from shapely.geometry import box, shape

from geo._crs import gauss_kruger_3
from geo.errors import InputError
from layers.pack import LayerPack
from web.print import cartography as carto
from web.print import sheets as sheeting
from web.print.closures import closed_features, draw_closed_roads
from web.print.context import draw_context
from web.print.font_subsets import cached_subsets
from web.print.fonts import find_cjk_font
from web.print.footer import MapScale, draw_footer, footer_sections, scale_text
from web.print.furniture import (
    convergence_deg,
    graticule,
    km_grid,
    north_arrow,
    page_index,
    scale_bar,
)
from web.print.intensity import draw_quake
from web.print.layers import MapLayers, fit_extent
from web.print.page import Page, Section, draw_continuation, draw_header, map_title
from web.print.panel import LegendContent, draw_panel, panel_sections
from web.print.sheets import Extent, Sheet

__all__ = ["PAPERS", "render_pdf", "render_png"]

Paper = Literal["A3", "A4"]
#: Landscape page sizes in millimetres.
PAPERS: Mapping[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A4": (297.0, 210.0)}
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
BEIJING = timezone(timedelta(hours=8), "北京时间")
#: Layout boxes on the A3 design page (mm; x, y from the top left, width, height).
#: A4 is the same layout scaled down, fonts and line widths included.
MAP_BOX = (17.0, 38.0, 262.0, 227.0)
FOOTER_BOX = (8.0, 270.0, 271.0, 20.0)
LOCATOR_BOX = (290.0, 43.0, 122.0, 80.0)
PANEL_BOX = (290.0, 126.0, 122.0, 163.0)
REQUIRED = ("hazard", "created", "response", "footprint", "population", "shelters")

#: matplotlib's rcParams are process-wide: one render at a time.
_LOCK = threading.Lock()


def render_pdf(
    assessment: Mapping[str, Any],
    pack: LayerPack,
    *,
    paper: Paper = "A3",
    scale: str | int | None = "auto",
    font: Path | str | None = None,
    dpi: int | None = None,
    cache_dir: Path | None = None,
) -> bytes:
    """The situation map of ``assessment`` as a landscape PDF (one page or more).

    Parameters
    ----------
    assessment
        An assessment as the API answers it (CONTRACT §4, `AssessmentOut`).
    pack
        The layer pack the assessment was made on (counties, shelters, depots,
        hazard zones, roads and their sources).
    paper
        ``"A3"`` or ``"A4"``, landscape.
    scale
        ``"auto"`` or a standard scale denominator (`web.print.sheets.STANDARD_SCALES`).
    font
        A font file or installed face name with Chinese characters to use instead of searching.
    dpi
        When given, the page as a PNG at this resolution instead of a PDF.
    cache_dir
        Where the embedded font subsets are kept (`web.print.font_subsets`); None: nowhere.

    Raises
    ------
    InputError
        When ``paper`` or ``scale`` is unknown, a fixed scale needs too many sheets, or
        the assessment lacks a section the map needs.
    FontNotFound
        When no Chinese TrueType font is found (says what to install or set).
    """
    _check(assessment, paper)
    denominator = sheeting.parse_scale(scale)
    cjk = find_cjk_font(font)
    created = _created(str(assessment["created"]))
    with (
        _LOCK,
        mpl.rc_context(
            {
                "pdf.fonttype": 42,
                "pdf.compression": 6,
                "font.family": cjk.family,
                "axes.unicode_minus": False,
                "path.simplify": True,
            }
        ),
    ):
        figures = _draw(assessment, pack, paper=paper, denominator=denominator)
        return _save(figures, dpi=dpi, metadata=_metadata(assessment, created), cache=cache_dir)


def _check(assessment: Mapping[str, Any], paper: str) -> None:
    """Refuse an unknown paper, or an answer without a section the map needs."""
    if paper not in PAPERS:
        raise InputError(f"paper: {paper!r} is not one of A3, A4", field="paper")
    missing = [key for key in REQUIRED if key not in assessment]
    if missing:
        raise InputError(
            f"assessment: missing {', '.join(missing)}; a situation map needs an assessment",
            field=missing[0],
        )


def _save(
    figures: list[Figure], *, dpi: int | None, metadata: dict[str, Any], cache: Path | None
) -> bytes:
    """The pages as one PDF (font subsets kept in ``cache``), or the first page as a PNG."""
    out = io.BytesIO()
    if dpi:  # the first page as a picture, for documents that embed the map
        figures[0].savefig(out, format="png", dpi=dpi)
    else:
        with cached_subsets(cache), PdfPages(out, metadata=metadata) as pdf:
            for figure in figures:
                pdf.savefig(figure)
    return out.getvalue()


def render_png(
    assessment: Mapping[str, Any],
    pack: LayerPack,
    *,
    paper: Paper = "A4",
    font: Path | str | None = None,
    dpi: int = 150,
) -> bytes:
    """The situation map's first page as a PNG (for the Word briefing); see `render_pdf`."""
    return render_pdf(assessment, pack, paper=paper, font=font, dpi=dpi)


def _created(text: str) -> datetime:
    """The assessment's creation time, aware (UTC when it carries no offset)."""
    try:
        created = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"created: {text!r} is not an ISO 8601 time", field="created") from exc
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _metadata(assessment: Mapping[str, Any], created: datetime) -> dict[str, Any]:
    """PDF document information; dates from the assessment so output is reproducible."""
    version = (assessment.get("software") or {}).get("version", "")
    return {
        "Title": map_title(assessment),
        "Subject": f"reliefgis assessment {assessment.get('id', '')}".strip(),
        "Creator": f"reliefgis {version}".strip(),
        "CreationDate": created,
        "ModDate": created,
    }


@dataclass(frozen=True)
class View:
    """What one map page shows: its extent, and its scale when a standard one."""

    extent: Extent
    denominator: int | None = None  # a standard scale, exact; None: fitted to the page
    sheet: Sheet | None = None  # a detail page of a set of sheets
    index: tuple[Sheet, ...] = ()  # on the overview: the sheets, outlined and numbered
    detail: int | None = None  # on the overview: the sheets' scale


def zone_crs(assessment: Mapping[str, Any]) -> CRS:
    """The CGCS2000 3° Gauss-Krüger zone of the footprint's centre."""
    features = (assessment["footprint"].get("pieces") or {}).get("features") or []
    if not features:
        raise InputError("footprint.pieces: no footprint to map", field="footprint")
    minx, _, maxx, _ = shapely.union_all([shape(f["geometry"]) for f in features]).bounds
    return gauss_kruger_3((minx + maxx) / 2)


def plan_views(
    layers: MapLayers, *, box_mm: tuple[float, float], denominator: int | None
) -> list[View]:
    """The map pages: one at ``auto`` or when a sheet holds the footprint, else overview + sheets.

    ``box_mm`` is the detail map's size on the paper.
    """
    bounds = layers.focus_bounds()
    if denominator is None:
        chosen = sheeting.auto_scale(bounds, box_mm)
        if chosen is None:  # larger than a 1:500 000 sheet: fitted, scale stated as about
            return [View(fit_extent(bounds, box_mm=MAP_BOX))]
        return [View(sheeting.centred(bounds, box_mm, chosen), chosen)]
    footprint = shapely.union_all(layers.pieces.geometry.to_numpy())
    found = sheeting.cover(footprint, box_mm, denominator)
    if len(found) == 1:
        return [View(found[0].extent, denominator)]
    whole = shapely.union_all([box(*s.extent) for s in found]).bounds
    overview = View(fit_extent(whole, box_mm=MAP_BOX), index=tuple(found), detail=denominator)
    return [overview, *(View(s.extent, denominator, sheet=s) for s in found)]


def _facts(view: View, count: int) -> list[str]:
    """What the header says of the page's scale and sheet."""
    if view.index and view.detail:
        last = view.index[-1].number
        return ["总图", f"分幅详图 {scale_text(view.detail)} 共 {count} 幅（第 2–{last} 页）"]
    facts = [f"比例尺 {scale_text(view.denominator)}"] if view.denominator else []
    if view.sheet:
        facts.append(f"分幅详图 {view.sheet.label}（{view.sheet.number - 1}/{count}）")
    return facts


# ----------------------------------------------------------------------------- layout
def _axes_at(figure: Figure, page: Page, rect: tuple[float, float, float, float]) -> Axes:
    """Axes placed at a design-page rectangle (mm from the top left)."""
    x, y, w, h = rect
    ax = figure.add_axes(
        (x / page.width, 1 - (y + h) / page.height, w / page.width, h / page.height)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _legend_content(
    assessment: Mapping[str, Any], layers: MapLayers, pack: LayerPack
) -> LegendContent:
    """What the legend lists beyond its fixed entries."""
    return LegendContent(
        hazard=str(assessment["hazard"]),
        classes=layers.classes,
        colours=layers.colours,
        routes=not layers.routes.empty,
        unreachable=bool(layers.unreachable),
        held_depots=bool(layers.held_depots),
        context=tuple(pack.context),
        closed_roads=len(closed_features(assessment)),
    )


def _overlay(
    ax: Axes, page: Page, layers: MapLayers, assessment: Mapping[str, Any], area: Any
) -> None:
    """Closed roads over the footprint, then the context layers, whose names dodge the rest."""
    draw_closed_roads(ax, page, assessment, crs=layers.crs, area=area)
    draw_context(ax, page, layers.context_frames(area))


def _new_page(paper: Paper) -> Page:
    width_mm, height_mm = PAPERS[paper]
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    # Labels are measured (to dodge each other) before the page is saved. Without a
    # canvas of its own, matplotlib draws a whole page in memory to get a renderer for
    # every label measured; an Agg canvas at the figure's dpi keeps one renderer, the
    # same one those throwaway pages used, so every measure (and the PDF) is unchanged.
    FigureCanvasAgg(figure)
    return Page(figure=figure, scale=width_mm / PAPERS["A3"][0])


def _draw(
    assessment: Mapping[str, Any],
    pack: LayerPack,
    *,
    paper: Paper,
    denominator: int | None,
) -> list[Figure]:
    """Every page: the map page(s), then what did not fit on the first one."""
    paper_scale = PAPERS[paper][0] / PAPERS["A3"][0]
    layers = MapLayers.build(assessment, pack, zone_crs(assessment))
    box_mm = (MAP_BOX[2] * paper_scale, MAP_BOX[3] * paper_scale)
    views = plan_views(layers, box_mm=box_mm, denominator=denominator)
    figures: list[Figure] = []
    left: list[Section] = []
    for view in views:
        page = _new_page(paper)
        rest = _map_page(page, assessment, pack, layers, view, count=len(views) - 1)
        figures.append(page.figure)
        left += rest if not figures[1:] else []
    if left:
        page = _new_page(paper)
        draw_continuation(page, f"{map_title(assessment)}（续）", left)
        figures.append(page.figure)
    return figures


def _map_page(
    page: Page,
    assessment: Mapping[str, Any],
    pack: LayerPack,
    layers: MapLayers,
    view: View,
    *,
    count: int,
) -> list[Section]:
    """One map page; returns the panel and footer sections that did not fit."""
    extent = view.extent
    grid = sheeting.grid_step_m(view.denominator) if view.denominator else None
    _detail_map(page, layers, view, grid_m=grid, assessment=assessment)
    locator = _axes_at(page.figure, page, LOCATOR_BOX)
    layers.draw_locator(locator, page, box(*extent), box_mm=LOCATOR_BOX)
    _frame(locator, page)
    beijing = _created(str(assessment["created"])).astimezone(BEIJING)
    draw_header(
        page, assessment, title=map_title(assessment), created=beijing, extra=_facts(view, count)
    )
    legend = _legend_content(assessment, layers, pack)
    sections = panel_sections(assessment, pack, legend=legend, full=view.sheet is None)
    left = draw_panel(page, sections, locator_box=LOCATOR_BOX, panel_box=PANEL_BOX)
    fitted = (extent[2] - extent[0]) * 1000 / (MAP_BOX[2] * page.scale)
    note = f"；总图红框为 {scale_text(view.detail)} 分幅详图，框内数字为页码" if view.detail else ""
    scale = MapScale(
        crs=layers.crs,
        ratio=view.denominator or fitted,
        exact=view.denominator is not None,
        grid_m=grid,
        sheets=note,
    )
    footer = footer_sections(assessment, pack, scale=scale, created=beijing)
    return left + draw_footer(page, footer, box=FOOTER_BOX)


def _detail_map(
    page: Page,
    layers: MapLayers,
    view: View,
    *,
    grid_m: float | None,
    assessment: Mapping[str, Any],
) -> None:
    """The detail map with its furniture: graticule, km grid, page index, scale bar, north.

    An earthquake's numerals and epicentre go over the layers (`web.print.intensity`).
    """
    ax = _axes_at(page.figure, page, MAP_BOX)
    extent = view.extent
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    metres_per_pt = (extent[2] - extent[0]) / (MAP_BOX[2] * page.scale * PT_PER_MM)
    layers.draw_detail(ax, page, box(*extent))
    draw_quake(ax, page, assessment, layers.crs)
    _overlay(ax, page, layers, assessment, box(*extent))
    graticule(ax, crs=layers.crs, fontsize=page.pt(6), scale=page.scale)
    if grid_m:
        km_grid(ax, step_m=grid_m, fontsize=page.pt(6), scale=page.scale)
    sheets = [(s.extent, f"第{s.number}页") for s in view.index]
    page_index(ax, sheets, page=page, metres_per_pt=metres_per_pt)
    scale_bar(
        ax,
        max_m=(extent[2] - extent[0]) * 0.22,
        metres_per_pt=metres_per_pt,
        fontsize=page.pt(7),
        scale=page.scale,
    )
    centre = layers.centre_lonlat(extent)
    north_arrow(ax, angle_deg=convergence_deg(layers.crs, *centre), fontsize=page.pt(9))
    _frame(ax, page)


def _frame(ax: Axes, page: Page) -> None:
    """A dark map frame."""
    for spine in ax.spines.values():
        spine.set_linewidth(page.lw(0.9))
        spine.set_color(carto.FRAME_COLOUR)
        spine.set_zorder(30)
