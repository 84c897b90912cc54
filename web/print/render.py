"""The printed situation map (灾情态势图): one landscape PDF page per assessment.

Laid out after rapid-mapping practice (Copernicus EMS): a header with the title and
the response level in its colour, the detail map of the footprint with scale bar, north
arrow and graticule, and a side column with a locator map of the whole jurisdiction,
the legend, the key figures and the notes (sources, CRS, production, caution). The map is
drawn in the pack's UTM CRS so distances on the scale bar are metres. Everything is
vector; fonts are embedded as TrueType subsets. The same assessment gives the same bytes.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from shapely.geometry import box

from geo.errors import InputError
from layers.pack import LayerPack
from web import labels
from web.print import cartography as carto
from web.print.closures import closed_features, draw_closed_roads
from web.print.context import draw_context
from web.print.fonts import find_cjk_font
from web.print.furniture import convergence_deg, graticule, north_arrow, scale_bar
from web.print.intensity import draw_quake
from web.print.layers import MapLayers, fit_extent
from web.print.page import Page, draw_footer, draw_header
from web.print.panel import LegendContent, draw_panel

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
    font: Path | str | None = None,
    dpi: int | None = None,
) -> bytes:
    """The situation map of ``assessment`` as a one-page landscape PDF.

    Parameters
    ----------
    assessment
        An assessment as the API answers it (CONTRACT §4, `AssessmentOut`).
    pack
        The layer pack the assessment was made on (counties, shelters, depots,
        hazard zones, roads and their sources).
    paper
        ``"A3"`` or ``"A4"``, landscape.
    font
        A font file or installed face name with Chinese characters to use instead of searching.
    dpi
        When given, the page as a PNG at this resolution instead of a PDF.

    Raises
    ------
    InputError
        When ``paper`` is unknown or the assessment lacks a section the map needs.
    FontNotFound
        When no Chinese TrueType font is found (says what to install or set).
    """
    if paper not in PAPERS:
        raise InputError(f"paper: {paper!r} is not one of A3, A4", field="paper")
    missing = [key for key in REQUIRED if key not in assessment]
    if missing:
        raise InputError(
            f"assessment: missing {', '.join(missing)}; a situation map needs an assessment",
            field=missing[0],
        )
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
        figure = _draw(assessment, pack, paper=paper, created=created)
        out = io.BytesIO()
        if dpi:  # the same page as a picture, for documents that embed the map
            figure.savefig(out, format="png", dpi=dpi)
        else:
            figure.savefig(out, format="pdf", metadata=_metadata(assessment, created))
    return out.getvalue()


def render_png(
    assessment: Mapping[str, Any],
    pack: LayerPack,
    *,
    paper: Paper = "A4",
    font: Path | str | None = None,
    dpi: int = 150,
) -> bytes:
    """The situation map's page as a PNG at ``dpi`` (for the Word briefing); see `render_pdf`."""
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
        "Title": _title(assessment),
        "Subject": f"reliefgis assessment {assessment.get('id', '')}".strip(),
        "Creator": f"reliefgis {version}".strip(),
        "CreationDate": created,
        "ModDate": created,
    }


def _title(assessment: Mapping[str, Any]) -> str:
    """The map title: the incident name, else the hazard, then 灾情态势图."""
    hazard = labels.label(labels.HAZARDS, assessment["hazard"])
    name = assessment.get("title") or hazard
    return f"{name}灾情态势图"


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


def _draw(
    assessment: Mapping[str, Any], pack: LayerPack, *, paper: Paper, created: datetime
) -> Figure:
    """The whole page."""
    width_mm, height_mm = PAPERS[paper]
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    page = Page(figure=figure, scale=width_mm / PAPERS["A3"][0])
    crs = pack.metric_crs()
    layers = MapLayers.build(assessment, pack, crs)

    ax = _axes_at(figure, page, MAP_BOX)
    extent = fit_extent(layers.focus_bounds(), box_mm=MAP_BOX)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    metres_per_pt = (extent[2] - extent[0]) / (MAP_BOX[2] * page.scale * PT_PER_MM)
    layers.draw_detail(ax, page, box(*extent))
    draw_quake(ax, page, assessment, crs)
    _overlay(ax, page, layers, assessment, box(*extent))
    graticule(ax, crs=crs, fontsize=page.pt(6), scale=page.scale)
    scale_bar(
        ax,
        max_m=(extent[2] - extent[0]) * 0.22,
        metres_per_pt=metres_per_pt,
        fontsize=page.pt(7),
        scale=page.scale,
    )
    centre = layers.centre_lonlat(extent)
    north_arrow(ax, angle_deg=convergence_deg(crs, *centre), fontsize=page.pt(9))
    _frame(ax, page)

    locator = _axes_at(figure, page, LOCATOR_BOX)
    layers.draw_locator(locator, page, box(*extent), box_mm=LOCATOR_BOX)
    _frame(locator, page)
    ratio = (extent[2] - extent[0]) * 1000 / (MAP_BOX[2] * page.scale)
    draw_header(page, assessment, title=_title(assessment), created=created.astimezone(BEIJING))
    draw_panel(
        page,
        assessment,
        pack,
        legend=_legend_content(assessment, layers, pack),
        locator_box=LOCATOR_BOX,
        panel_box=PANEL_BOX,
    )
    draw_footer(
        page,
        assessment,
        pack,
        crs=crs,
        ratio=ratio,
        created=created.astimezone(BEIJING),
        box=FOOTER_BOX,
    )
    return figure


def _frame(ax: Axes, page: Page) -> None:
    """A dark map frame."""
    for spine in ax.spines.values():
        spine.set_linewidth(page.lw(0.9))
        spine.set_color(carto.FRAME_COLOUR)
        spine.set_zorder(30)
