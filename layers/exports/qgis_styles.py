"""QGIS styles inside the GeoPackage (``layer_styles``), so the export opens styled.

QGIS reads a layer's default style from the ``layer_styles`` table of the GeoPackage
(the schema QGIS itself writes). Shelters are coloured by status, routes drawn in the
route colour and width, the footprint filled by severity, as on the screen maps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from geo.errors import ExportError
from layers.exports.features import Symbology

LAYER_STYLES_SQL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT CURRENT_TIMESTAMP
)"""
STYLE_NAME = "reliefgis"


def _rgba(color: str, alpha: float = 1.0) -> str:
    h = color.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{round(alpha * 255)}"


def _options(values: dict[str, str]) -> str:
    rows = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
        for k, v in values.items()
    )
    return f'<Option type="Map">{rows}</Option>'


def _symbol(index: int, kind: str, layer_class: str, values: dict[str, str]) -> str:
    return (
        f'<symbol type="{kind}" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{layer_class}" enabled="1" locked="0" pass="0">{_options(values)}'
        "</layer></symbol>"
    )


def _marker(index: int, color: str, edge: str, shape: str = "circle") -> str:
    values = {"color": _rgba(color), "outline_color": _rgba(edge), "name": shape, "size": "3"}
    return _symbol(index, "marker", "SimpleMarker", values)


def _fill(index: int, color: str, alpha: float, edge: str) -> str:
    values = {"color": _rgba(color, alpha), "outline_color": _rgba(edge), "style": "solid"}
    return _symbol(index, "fill", "SimpleFill", {**values, "outline_width": "0.5"})


def _qml(renderer: str) -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}</qgis>'
    )


def _categorized(attr: str, categories: Iterable[tuple[str, str, str]]) -> str:
    """A categorized renderer from (value, label, symbol XML) triples."""
    cats, symbols = [], []
    for i, (value, label, symbol) in enumerate(categories):
        cats.append(
            f'<category render="true" symbol="{i}" value={quoteattr(value)} '
            f"label={quoteattr(label)}/>"
        )
        symbols.append(symbol)
    return _qml(
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attr)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{"".join(cats)}</categories>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
    )


def _single(symbol: str) -> str:
    return _qml(
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{symbol}</symbols></renderer-v2>"
    )


def layer_qml(symbology: Symbology, status_labels: dict[str, str]) -> dict[str, str]:
    """The QML style of each styled layer of the GeoPackage export."""
    s = symbology
    route = {
        "line_color": _rgba(s.route_color),
        "line_width": str(s.route_width_px),
        "line_width_unit": "Pixel",
    }
    return {
        "shelters": _categorized(
            "status",
            (
                (code, status_labels.get(code, code), _marker(i, color, s.shelter_edge_color))
                for i, (code, color) in enumerate(s.status_colors.items())
            ),
        ),
        "routes": _single(_symbol(0, "line", "SimpleLine", route)),
        "footprint": _categorized(
            "severity_rank",
            (
                (str(rank), f"{rank}", _fill(rank - 1, color, s.footprint_opacity, color))
                for rank, color in enumerate(s.footprint_colors, start=1)
            ),
        ),
        "counties": _single(_fill(0, "#ffffff", 0.0, s.county_edge_color)),
        "depots": _single(_marker(0, s.depot_color, s.shelter_edge_color, "square")),
    }


def add_layer_styles(path: Path, styles: dict[str, str]) -> None:
    """Write ``styles`` (layer → QML) as the default QGIS styles of the GeoPackage at ``path``."""
    try:
        with sqlite3.connect(path) as db:
            db.execute(LAYER_STYLES_SQL)
            layers = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
            columns = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
            db.executemany(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
                " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
                " owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
                [
                    (layer, columns.get(layer, "geom"), STYLE_NAME, qml, "reliefgis 默认样式")
                    for layer, qml in styles.items()
                    if layer in layers
                ],
            )
        db.close()
    except sqlite3.Error as exc:
        raise ExportError(f"GeoPackage {path.name}: styles cannot be written ({exc})") from exc
