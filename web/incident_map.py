"""The incident map: one self-contained HTML page (folium) that opens offline from a file.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default. This map
uses none of folium's extras (no awesome markers, no jQuery): its map class links
nothing, and Leaflet's script and stylesheet, from the XStatic-Leaflet package, are
inlined with the stylesheet's images as data URIs. `render_html` refuses to return a
page that would still load anything over the network.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import cache
from html import escape
from typing import Any

import folium
from branca import element as branca_element
from branca.element import Element, Figure

from geo.errors import OfflineError
from layers.pack import LayerPack
from web import incident_overlays, labels, pack_notes
from web.assets import LEAFLET_DIR
from web.incident_layers import items_text, number
from web.incident_legend import PANEL_CSS, legend_html
from web.shares import is_share, percent

BEIJING = timezone(timedelta(hours=8), "北京时间")
#: A script or stylesheet reference to another host; none may remain in the page.
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE
)
#: branca's `Element` is one name per process: one map rendered at a time.
_RENDER_LOCK = threading.Lock()
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


#: Where Jinja would read a tag in a text; a text without one renders as itself.
_JINJA_TAG = re.compile(r"\{[{%#]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Text(Element):
    """branca's `Element` for a finished text, without compiling the text as a template.

    branca hands each macro's output (a layer's script with all its GeoJSON) back to
    ``Element(text)``, which compiles it as a Jinja template, then renders it to the same
    text: a third of the map's time. A text with no Jinja tag gives what Jinja gives (each
    line break as a newline, one final line break dropped) without compiling; any other
    is compiled as before.
    """

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        self._text: str | None = None
        if template is not None and not _JINJA_TAG.search(template):
            self._text, template = _NEWLINE.sub("\n", template).removesuffix("\n"), None
        super().__init__(template, template_name)

    def render(self, **kwargs: Any) -> str:
        """The text, or the template rendered as branca renders it."""
        return self._text if self._text is not None else str(super().render(**kwargs))


@contextmanager
def _plain_texts() -> Iterator[None]:
    """Within it, branca wraps finished texts in `_Text` (the map is rendered under a lock)."""
    with _RENDER_LOCK:
        original = branca_element.Element
        branca_element.Element = _Text  # type: ignore[misc]
        try:
            yield
        finally:
            branca_element.Element = original  # type: ignore[misc]


class _OfflineMap(folium.Map):
    """A folium map that links no CDN asset; Leaflet is inlined by `_inline_leaflet`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_js: list[tuple[str, str]] = []
        self.default_css: list[tuple[str, str]] = []


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet, the stylesheet's images as data URIs."""
    script = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        image = LEAFLET_DIR / match.group(2)
        mime = mimetypes.guess_type(image.name)[0] or "image/png"
        return f'url("data:{mime};base64,{base64.b64encode(image.read_bytes()).decode()}")'

    # "</" would close the inline element early; "<\/" means the same to JavaScript.
    return script.replace("</", "<\\/"), _CSS_URL.sub(data_uri, css)


def _figure(m: folium.Map) -> Figure:
    root = m.get_root()
    assert isinstance(root, Figure)  # a folium.Map always sits in a Figure
    return root


def _inline_leaflet(m: folium.Map) -> None:
    script, css = _leaflet_assets()
    header = _figure(m).header
    header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css", index=0)
    header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js", index=1)


def _created(assessment: Mapping[str, Any]) -> str:
    try:
        when = datetime.fromisoformat(str(assessment.get("created")))
    except ValueError:
        return str(assessment.get("created", ""))
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M（北京时间）")


def _supply_line(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    supply = assessment.get("supply")
    if not supply:
        return "物资调运：未计算"
    routes = len((supply.get("routes") or {}).get("features", []))
    shortfall = items_text(supply.get("shortfall"), pack_notes.item_names(pack)) or "无"
    return (
        f"物资调运：路线 {routes} 条；物资无法送达的避难场所 "
        f"{len(supply.get('unreachable', []))} 处；缺口：{shortfall}"
    )


def _value(criterion: Mapping[str, Any]) -> str:
    """A criterion's value as people read it: a share in percent."""
    value = criterion.get("value")
    if is_share(criterion.get("indicator")) and isinstance(value, int | float):
        return percent(value)
    return number(value)


def _title_panel(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    response = assessment.get("response") or {}
    population = assessment.get("population") or {}
    hazard = labels.label(labels.HAZARDS, assessment.get("hazard", ""))
    title = assessment.get("title") or f"{hazard}灾害"
    level = response.get("level")
    color = response.get("color") or labels.LEVEL_COLORS.get(level or 0, labels.NO_LEVEL_COLOR)
    text_color = labels.LEVEL_TEXT_COLORS.get(level or 0, labels.NO_LEVEL_TEXT_COLOR)
    banner = f"{response.get('label')}响应" if level else labels.NO_LEVEL_LABEL
    clauses = "；".join(
        f"{c.get('name')} {_value(c)} → {c.get('label')}（{c.get('clause')}）"
        for c in response.get("criteria", [])
        if c.get("level")
    )
    return (
        '<div class="rg-panel rg-title">'
        f"<h1>{escape(str(title))} · 灾情评估图</h1>"
        f'<div class="rg-banner" style="background:{escape(color)};color:{text_color}">'
        f"{escape(banner)}</div>"
        f'<div class="rg-small">{escape(str(response.get("plan_name", "")))}'
        f"{'：' + escape(clauses) if clauses else ''}</div>"
        f"<div>受灾人口 <b>{number(population.get('affected'))}</b> 人，"
        f"需转移安置 <b>{number(population.get('displaced'))}</b> 人（估算）</div>"
        f"<div>{escape(_supply_line(assessment, pack))}</div>"
        "</div>"
    )


def _notes_panel(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    notice = labels.synthetic_notice(pack_notes.synthetic_layers(pack))
    lines = [
        f"制图时间：{_created(assessment)}；评估编号 {assessment.get('id', '')}",
        "坐标系：WGS84 经纬度（EPSG:4326；CGCS2000 视为等同）",
        f"数据：图层包 {pack.path.name}；预案 {assessment.get('plan', '')}",
        labels.ESTIMATE_CAUTION,
    ]
    if notice:
        lines.append(notice)
    body = "".join(f"<div>{escape(line)}</div>" for line in lines)
    return f'<div class="rg-panel rg-notes">{body}<div id="rg-coords">经纬度：—</div></div>'


_COORDS_JS = """
window.addEventListener("load", function () {
  var map = window[%s];
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  var out = document.getElementById("rg-coords");
  map.on("mousemove", function (e) {
    var ll = e.latlng;
    out.textContent = "经纬度：" + ll.lng.toFixed(5) + "°E，" + ll.lat.toFixed(5) + "°N";
  });
});
"""


def _bounds(assessment: Mapping[str, Any], pack: LayerPack) -> list[list[float]]:
    box = (assessment.get("footprint") or {}).get("bounds") or list(pack.bounds)
    minx, miny, maxx, maxy = (float(v) for v in box)
    return [[miny, minx], [maxy, maxx]]


def render_html(assessment: Mapping[str, Any], pack: LayerPack) -> str:
    """The incident map of ``assessment`` (the contract's JSON) over ``pack``'s layers.

    One HTML page with every script and style inline: it opens from a file with no
    network. Raises `OfflineError` if folium ever slips a remote asset in.
    """
    bounds = _bounds(assessment, pack)
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = _OfflineMap(
        location=center,
        zoom_start=11,
        tiles=None,
        control_scale=False,
        zoom_control="topright",
        attribution_control=False,
    )
    _inline_leaflet(m)
    root = _figure(m)
    root.header.add_child(Element(PANEL_CSS), name="reliefgis_css")
    for group in incident_overlays.groups(assessment, pack):
        group.add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    m.fit_bounds(bounds, padding=(20, 20))
    root.html.add_child(Element(_title_panel(assessment, pack)))
    root.html.add_child(Element(legend_html(assessment, pack)))
    root.html.add_child(Element(_notes_panel(assessment, pack)))
    root.script.add_child(Element(_COORDS_JS % json.dumps(m.get_name())))
    root.script.add_child(Element(incident_overlays.DECLUTTER_JS % json.dumps(m.get_name())))
    root.title = escape(f"{assessment.get('title') or '灾情评估图'} — reliefgis")
    with _plain_texts():
        html: str = root.render()
    found = REMOTE_ASSET.search(html)
    if found:
        raise OfflineError(f"the incident map refers to a remote asset: {found.group(0)!r}")
    return html
