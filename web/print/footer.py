"""The notes under the printed map: caution, CRS and scale, synthetic data, production, sources.

Laid out as sections (`web.print.page.Section`) most needed first; what does not fit
under the map goes to the continuation page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyproj import CRS

from layers.pack import LayerPack
from web import labels, pack_notes
from web.print.page import (
    CAUTION,
    CAUTION_TEXT,
    PLAN_CAUTION,
    SOURCE_LAYERS,
    Box,
    Flow,
    Page,
    Section,
    fit_sections,
)
from web.quake_text import quake_sources


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


def scale_text(denominator: int) -> str:
    """A scale as printed on Chinese maps, e.g. 1:50 000."""
    return f"1:{denominator:,}".replace(",", " ")


def projection_text(crs: CRS) -> str:
    """The map CRS in words: a CGCS2000 Gauss-Krüger zone in Chinese, else its name."""
    epsg = crs.to_epsg()
    code = f"（EPSG:{epsg}）" if epsg else ""
    operation = crs.coordinate_operation
    if operation is None or "Gauss-Kruger" not in crs.name:
        return f"{crs.name}{code}"
    centre = next(p.value for p in operation.params if p.name == "Longitude of natural origin")
    return f"2000国家大地坐标系（CGCS2000），高斯-克吕格投影 3°分带，中央经线 {centre:g}°E{code}"


@dataclass(frozen=True)
class MapScale:
    """The detail map's CRS and scale as the footer states them."""

    crs: CRS
    ratio: float
    exact: bool = False
    grid_m: float | None = None
    sheets: str = ""


def footer_sections(
    assessment: Mapping[str, Any], pack: LayerPack, *, scale: MapScale, created: datetime
) -> list[Section]:
    """The notes under the map, most needed first.

    Caution, CRS and scale, synthetic data, production, sources: what does not fit goes
    to the continuation page.
    """
    stated, synthetic = layer_sources(pack)
    software = assessment.get("software") or {}
    notice = str((assessment.get("population") or {}).get("notice") or "")
    shown = scale_text(int(scale.ratio))
    if not scale.exact:
        shown = f"约 {scale_text(round_ratio(scale.ratio))}"
    grid = f"；方里网间隔 {scale.grid_m / 1000:g} km" if scale.grid_m else ""

    def caution(flow: Flow) -> None:
        text = f"注意：{notice}{PLAN_CAUTION}" if notice else CAUTION_TEXT
        flow.paragraph(text, size=7.4, color=CAUTION)
        for note in assessment.get("map_notes") or []:  # e.g. outlines simplified to draw
            flow.paragraph(str(note), size=6.8, color=CAUTION)

    def projection(flow: Flow) -> None:
        flow.paragraph(
            f"坐标系：{projection_text(scale.crs)}；比例尺 {shown}{grid}{scale.sheets}。", size=6.8
        )

    def synthetic_data(flow: Flow) -> None:
        if synthetic:
            flow.paragraph(
                f"{'、'.join(synthetic)}为合成演示数据，不代表实际情况。", size=6.8, color=CAUTION
            )

    def production(flow: Flow) -> None:
        flow.paragraph(
            f"数据 EPSG:4326（WGS 84，CGCS2000 视为等同），按所选纸张打印方合比例尺。"
            f"制图：reliefgis {software.get('version', '')}，{created:%Y-%m-%d %H:%M} 北京时间；"
            f"评估编号 {assessment.get('id', '—')}；预案 {assessment.get('plan', '—')}。",
            size=6.8,
        )

    def sources(flow: Flow) -> None:
        flow.paragraph("数据来源：" + "；".join(stated) + "。", size=6.8)
        for line in quake_sources(assessment):
            flow.paragraph(line, size=6.8)

    return [caution, projection, synthetic_data, production, sources]


def draw_footer(page: Page, sections: Sequence[Section], *, box: Box) -> list[Section]:
    """The notes under the map; returns the sections left for a continuation page."""
    x, y, width, height = box
    page.rule(x, x + width, y, width=0.4)
    return fit_sections(page, (x, y + 0.3, width, height - 0.3), sections)
