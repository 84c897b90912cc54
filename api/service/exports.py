"""A stored or fresh assessment as the files a bureau passes on (use cases for HTTP and CLI).

``export_file`` writes one format: GeoPackage (styled for QGIS), zipped Shapefile, KML,
XLSX, the county CSV or the Word briefing, in EPSG:4326 or EPSG:4490. The label table
(`web.labels`) gives the Chinese names and the colours; `layers.exports` writes.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from tqdm import tqdm

from api.service.bootstrap import Services
from api.service.products import ExportFile
from layers.export import write_assessment_gpkg
from layers.exports.features import Symbology
from layers.exports.kml import write_kml
from layers.exports.options import MEDIA_TYPES, export_crs, export_encoding, export_format
from layers.exports.qgis_styles import add_layer_styles, layer_qml
from layers.exports.shapefile import write_shapefile_zip
from web import labels, pack_notes, served_labels
from web.drawn_bounds import bounded_for_maps


def symbology() -> Symbology:
    """The colours and widths of the screen maps, for the styled exports."""
    return Symbology(
        status_colors=labels.STATUS_COLORS,
        footprint_colors=labels.FOOTPRINT_COLORS,
        footprint_opacity=float(labels.SCREEN_STYLES["footprint"]["fillOpacity"]),
        route_color=labels.ROUTE_COLOR,
        route_width_px=float(labels.SCREEN_STYLES["routes"]["weight"]),
        depot_color=labels.DEPOT_COLOR,
        county_edge_color=labels.COUNTY_EDGE_COLOR,
        shelter_edge_color=labels.SHELTER_EDGE_COLOR,
    )


def _names(services: Services) -> dict[str, Mapping[str, str]]:
    return {**served_labels.export_names(), "item": pack_notes.item_names(services.pack)}


def _gpkg(services: Services, body: Mapping[str, Any], crs: str) -> bytes:
    pack = services.pack
    with tempfile.TemporaryDirectory(prefix="reliefgis-export-") as folder:
        path = write_assessment_gpkg(
            body,
            counties=pack.counties,
            depots=pack.depots,
            path=Path(folder) / "assessment.gpkg",
            names=_names(services),
            crs=crs,
        )
        add_layer_styles(path, layer_qml(symbology(), dict(labels.SHELTER_STATUS)))
        return path.read_bytes()


def export_file(
    services: Services,
    body: Mapping[str, Any],
    *,
    fmt: str,
    crs: str = "4326",
    encoding: str = "utf-8",
) -> ExportFile:
    """The assessment ``body`` in format ``fmt``; bad ``fmt``, ``crs`` or ``encoding`` → 4xx."""
    suffix, crs, encoding = export_format(fmt), export_crs(crs), export_encoding(encoding)
    pack, names = services.pack, _names(services)
    if suffix == "gpkg":
        content = _gpkg(services, body, crs)
    elif suffix == "shp.zip":
        content = write_shapefile_zip(
            body,
            counties=pack.counties,
            depots=pack.depots,
            names=names,
            crs=crs,
            encoding=encoding,
        )
    elif suffix == "kml":
        content = write_kml(
            body, counties=pack.counties, depots=pack.depots, names=names, symbology=symbology()
        )
    elif suffix == "xlsx":
        from layers.exports.workbook import write_xlsx  # start-up: openpyxl, only for xlsx

        content = write_xlsx(body, names=names, crs=crs)
    elif suffix == "csv":
        from layers.exports.workbook import write_county_csv  # start-up: as above

        content = write_county_csv(body, encoding=encoding)
    else:
        from layers.exports.briefing import write_briefing  # start-up: python-docx, only here
        from web.print.render import render_png  # start-up: matplotlib, only for a map

        drawn = bounded_for_maps(body, max_vertices=services.settings.map_max_vertices)
        png = render_png(drawn, pack, paper="A4", font=services.settings.font)
        content = write_briefing(body, names=names, map_png=png)
    media = MEDIA_TYPES[suffix]
    if suffix == "csv" and encoding != "UTF-8":
        media = f"text/csv; charset={encoding.casefold()}"
    return ExportFile(content, media, f"reliefgis-{body.get('id', 'assessment')}.{suffix}")


def write_results(
    services: Services,
    body: Mapping[str, Any],
    out: Path,
    *,
    formats: Sequence[str],
    paper: Literal["A3", "A4"] = "A3",
    scale: str = "auto",
    crs: str = "4326",
    encoding: str = "utf-8",
    pdf: bool = True,
    html: bool = True,
) -> list[Path]:
    """Write map.pdf, map.html and each export into ``out``, with a progress bar on stderr.

    ``pdf``, ``html``: False when that map is written elsewhere (api/cli_outputs.py).
    """
    # start-up: matplotlib is imported only by the process that prints (api/cli_outputs.py)
    from api.service.printing import printed_pdf

    suffixes = [export_format(f) for f in formats]
    export_crs(crs), export_encoding(encoding)  # refuse bad options before any work
    written = []
    maps = [name for name, wanted in (("map.pdf", pdf), ("map.html", html)) if wanted]
    steps = [*maps, *(f"assessment.{s}" for s in suffixes)]
    with tqdm(steps, desc="reliefgis", unit="file", file=sys.stderr, leave=True) as bar:
        for name in bar:
            bar.set_postfix_str(name)
            target = out / name
            if name == "map.pdf":
                target.write_bytes(printed_pdf(services, body, paper=paper, scale=scale))
            elif name == "map.html":
                write_incident_map(services, body, target)
            else:
                fmt = name.removeprefix("assessment.")
                found = export_file(services, body, fmt=fmt, crs=crs, encoding=encoding)
                target.write_bytes(found.content)
            written.append(target)
    return written


def write_incident_map(services: Services, body: Mapping[str, Any], target: Path) -> Path:
    """Write the incident map of ``body`` (one self-contained HTML page) to ``target``."""
    from web.incident_map import render_html  # start-up: folium, only for the map

    target.write_text(render_html(body, services.pack), encoding="utf-8")
    return target
