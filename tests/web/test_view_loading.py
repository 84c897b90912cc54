"""The browser loads the pack by view: real server, Debian's Chromium, nothing off the machine.

The first view asks only for bbox- and zoom-bounded layers (never a whole layer); a pan to
new ground asks again for the new view, a pan back is answered from the page's cache; the
population grid comes as the service's PNG tiles with its classes in the legend.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from localnet import is_local
from shapely.geometry import box, shape

from web.map_classes import POPULATION_GRID_NAME

VIEW_LAYERS = {"counties", "hazard_zones", "roads", "depots", "shelters"}


def open_app(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def layer_requests(page: Any, start: int = 0) -> list[tuple[str, dict[str, list[str]]]]:
    """(layer name, query) of every /api/v1/layers/{name} request from index ``start``."""
    found = []
    for url in page.requests[start:]:
        parts = urlparse(url)
        if parts.path.startswith("/api/v1/layers/"):
            found.append((parts.path.rsplit("/", 1)[1], parse_qs(parts.query)))
    return found


def test_first_view_asks_only_for_bounded_layers_and_stays_local(page, live_server):
    open_app(page, live_server)
    asked = layer_requests(page)
    context = set(page.evaluate("window.reliefgis.config.context_layers"))
    assert context == {"water", "places"}  # the demo pack has both: asked for bounded too
    assert {name for name, _ in asked} == VIEW_LAYERS | context
    for name, query in asked:
        assert set(query) == {"bbox", "zoom", "properties"}, (name, query)
        minx, miny, maxx, maxy = map(float, query["bbox"][0].split(","))
        assert minx < maxx
        assert miny < maxy
        assert 0 <= int(query["zoom"][0]) <= 22
    assert len(asked) == len(VIEW_LAYERS | context)  # one request per layer, nothing whole
    assert [url for url in page.requests if not is_local(url)] == []
    assert page.errors == []
    # The demo's five counties and its roads are drawn from those answers.
    assert page.evaluate("window.reliefgis.view.countyLayer.getLayers().length") == 5
    assert page.evaluate("window.reliefgis.view.overlays.roads.getLayers().length") > 0


def test_a_pan_asks_for_the_new_view_and_a_pan_back_is_cached(page, live_server):
    open_app(page, live_server)
    settled = "window.reliefgis.view.loader.settled().then(() => true)"
    # 城区 at zoom 13: the demo's roads are thick there.
    page.evaluate("void window.reliefgis.view.map.setView([37.86, 113.58], 13, { animate: false })")
    page.evaluate(settled)
    page.evaluate("void window.reliefgis.view.overlays.roads.eachLayer((l) => { l.rgOld = true; })")
    before = len(page.requests)
    page.evaluate("void window.reliefgis.view.map.panBy([500, 0], { animate: false })")
    page.evaluate(settled)
    kept, drawn = page.evaluate(
        """() => { const ls = window.reliefgis.view.overlays.roads.getLayers();
                  return [ls.filter((l) => l.rgOld).length, ls.length]; }"""
    )
    assert 0 < kept < drawn  # roads still in view kept as drawn, the new ones added
    moved = layer_requests(page, before)
    assert {name for name, _ in moved} == VIEW_LAYERS
    assert {q["zoom"][0] for _, q in moved} == {"13"}
    back = len(page.requests)
    page.evaluate("void window.reliefgis.view.map.panBy([-500, 0], { animate: false })")
    page.evaluate(settled)
    assert layer_requests(page, back) == []  # the view seen before is kept in the page
    assert page.errors == []
    assert [url for url in page.requests if not is_local(url)] == []


def test_population_grid_tiles_draw_with_their_legend(page, live_server):
    open_app(page, live_server)
    before = len(page.requests)
    page.evaluate("(() => { const v = window.reliefgis.view; v.map.addLayer(v.gridLayer); })()")
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-rgGrid-pane img.leaflet-tile-loaded').length > 0",
        timeout=30_000,
    )
    tiles = [url for url in page.requests[before:] if "/api/v1/tiles/population/" in url]
    assert tiles
    assert all(urlparse(url).path.endswith(".png") for url in tiles)
    legend = page.locator("#legend").inner_text()
    assert POPULATION_GRID_NAME in legend
    assert "≥ 10,000" in legend
    assert [url for url in page.requests if not is_local(url)] == []
    assert page.errors == []


def _drawn_counties(page: Any) -> tuple[list[str], int]:
    """Codes of the county shapes drawn and the number of county names drawn."""
    codes: list[str] = page.evaluate(
        """() => window.reliefgis.view.countyLayer.getLayers()
                  .map((l) => l.toGeoJSON().properties.code)"""
    )
    names: int = page.evaluate("window.reliefgis.view.countyNames.getLayers().length")
    return codes, names


def test_a_pan_keeps_one_shape_per_county_and_the_roads_of_the_answer(page, live_server):
    open_app(page, live_server)
    settled = "window.reliefgis.view.loader.settled().then(() => true)"
    expected = page.evaluate(
        "fetch('/api/v1/layers/counties?properties=code').then((r) => r.json())"
        ".then((d) => d.features.map((f) => f.properties.code))"
    )
    codes, names = _drawn_counties(page)
    assert sorted(codes) == sorted(expected)  # the demo's five counties, all in view
    assert names == len(expected)
    for step in ([150, 0], [0, 120], [-150, -120]):  # pans at the same zoom
        page.evaluate(f"void window.reliefgis.view.map.panBy({step}, {{ animate: false }})")
        page.evaluate(settled)
        codes, names = _drawn_counties(page)
        assert sorted(codes) == sorted(expected)  # the same shapes, none twice
        assert names == len(expected)
    # 城区 at zoom 13, then a pan: the roads drawn are those of the service's answer.
    page.evaluate("void window.reliefgis.view.map.setView([37.86, 113.58], 13, { animate: false })")
    page.evaluate(settled)
    before = len(page.requests)
    page.evaluate("void window.reliefgis.view.map.panBy([300, 200], { animate: false })")
    page.evaluate(settled)
    [(_, query)] = [(n, q) for n, q in layer_requests(page, before) if n == "roads"]
    answer = page.evaluate(
        "(q) => fetch(`/api/v1/layers/roads?bbox=${q.bbox}&zoom=${q.zoom}&properties=highway`)"
        ".then((r) => r.json()).then((d) => d.features.map((f) => f.id))",
        {"bbox": query["bbox"][0], "zoom": query["zoom"][0]},
    )
    drawn, view, others = page.evaluate(
        """(answer) => { const v = window.reliefgis.view; const ids = new Set(answer);
            const ls = v.overlays.roads.getLayers(); const b = v.map.getBounds();
            return [ls.map((l) => l.feature.id),
                    [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
                    ls.filter((l) => !ids.has(l.feature.id))
                      .map((l) => l.toGeoJSON().geometry)]; }""",
        answer,
    )
    assert answer
    assert len(drawn) == len(set(drawn))  # no road drawn twice
    assert set(answer) <= set(drawn)
    assert len(set(drawn) & set(answer)) == len(answer)
    # Roads kept from before the pan lie outside the view now (shapely, not the page).
    assert not any(shape(g).intersects(box(*view)) for g in others)
    assert page.errors == []
