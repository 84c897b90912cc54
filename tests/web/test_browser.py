"""The browser app as an analyst uses it: real server, real Chromium, nothing off the machine.

Screenshots go to ``$RELIEF_SCREENSHOTS`` when set (e.g. /tmp/rg-shots), else to the
test's tmp folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from localnet import TEST_KEY, is_local

from api.settings import Settings
from geo.errors import InputError
from geo.plans.model import INDICATORS
from layers.resources import demo_pack_dir
from web import labels

FLOOD = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: A square in 城区 (Yangquan's urban district), lon/lat, drawn clockwise.
CITY_SQUARE = [(113.565, 37.868), (113.600, 37.868), (113.600, 37.850), (113.565, 37.850)]
OUTSIDE = {
    "type": "Polygon",
    "coordinates": [[[116.30, 39.90], [116.40, 39.90], [116.40, 39.95], [116.30, 39.90]]],
}


def open_app(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def assert_stayed_local(page: Any) -> None:
    assert page.requests, "the page made no request at all"
    remote = [url for url in page.requests if not is_local(url)]
    assert remote == []
    assert page.errors == []


def rgb(color: str) -> str:
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def map_point(page: Any, lon: float, lat: float) -> tuple[float, float]:
    """The page pixel where the map shows lon/lat (through the display datum)."""
    x, y = page.evaluate(
        """([lon, lat]) => {
            const v = window.reliefgis.view;
            const p = v.map.latLngToContainerPoint(v.datum.toDisplay([lon, lat]));
            return [p.x, p.y];
        }""",
        [lon, lat],
    )
    box = page.locator("#map").bounding_box()
    return box["x"] + x, box["y"] + y


_WATCH_PROGRESS = """() => {
    const el = document.querySelector('#progress');
    window.progressShown = !el.hidden;
    new MutationObserver(() => { if (!el.hidden) window.progressShown = true; })
        .observe(el, {attributes: true, attributeFilter: ['hidden']});
}"""


def run_and_wait(page: Any) -> dict[str, Any]:
    # Whether the progress showed is recorded as it happens: a fast assessment shows and
    # hides it between two polls of wait_for_selector.
    page.evaluate(_WATCH_PROGRESS)
    page.click("#run")
    page.wait_for_selector("#level-banner", timeout=120_000)
    page.wait_for_selector("#progress", state="hidden", timeout=10_000)
    assert page.evaluate("window.progressShown"), "the progress indicator never showed"
    return page.evaluate("window.reliefgis.view.assessment")


def test_app_opens_offline_with_the_five_counties(page, live_server, shots):
    open_app(page, live_server)
    assert page.evaluate("window.reliefgis.view.countyLayer.getLayers().length") == 5
    # Drawn as SVG paths: five county outlines plus hazard zones.
    assert page.locator(".leaflet-overlay-pane svg path").count() >= 5
    for name in ("城区", "矿区", "郊区", "平定县", "盂县"):
        assert page.locator(".rg-county", has_text=name).count() == 1
    switcher = page.locator(".leaflet-control-layers").inner_text()
    for label in ("区县", "避难场所", "物资储备库", "隐患区", "道路"):
        assert label in switcher
    legend = page.locator("#legend").inner_text()
    assert "重大风险" in legend
    assert "低风险" in legend
    assert page.locator(".leaflet-control-scale").count() == 1
    assert "合成数据" in page.locator("#notice").inner_text()
    page.mouse.move(*map_point(page, 113.58, 37.86))
    found = re.search(r"([\d.]+)°E，([\d.]+)°N", page.locator("#coords").inner_text())
    assert found
    assert [float(found[1]), float(found[2])] == pytest.approx([113.58, 37.86], abs=0.01)
    assert page.locator(".leaflet-tile").count() == 0  # no basemap by default
    page.screenshot(path=str(shots / "app-start.png"))
    assert_stayed_local(page)


def test_uploaded_footprint_is_assessed(page, live_server, shots):
    open_app(page, live_server)
    page.set_input_files("#footprint-file", str(FLOOD))
    page.wait_for_selector("#footprint-status.ok")
    assert "flood_taohe.geojson" in page.locator("#footprint-status").inner_text()
    page.select_option("#hazard", "flood")
    page.click("#figures-box summary")
    page.fill("#fig-dead_missing", "25")
    assessment = run_and_wait(page)

    response = assessment["response"]
    banner = page.locator("#level-banner")
    assert page.locator("#level-text").inner_text() == f"{response['label']}响应"
    assert banner.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(response["color"])
    assert "阳泉2026 §5.2.1(1)" in page.locator("#criteria").inner_text()

    counties = page.locator("#county-table tbody tr")
    assert counties.count() == len(assessment["population"]["by_county"])
    assert "城区" in counties.first.inner_text()
    assert (
        page.locator("#county-table tfoot")
        .inner_text()
        .count(f"{assessment['population']['affected']:,}")
    )
    shelters = page.locator("#shelter-table tbody tr")
    assert shelters.count() == len(assessment["shelters"])
    table = page.locator("#shelter-table").inner_text()
    assert "位于灾害范围内" in table
    assert "可用" in table

    links = {
        key: page.locator(f"#link-{key}").get_attribute("href")
        for key in ("pdf", "html", "gpkg", "json")
    }
    assert links["pdf"].endswith(f"/assessments/{assessment['id']}/map.pdf?paper=A3")
    assert links["html"].endswith(f"/assessments/{assessment['id']}/map.html")
    assert links["gpkg"].endswith(f"/assessments/{assessment['id']}/export.gpkg")
    for suffix, text in labels.EXPORT_LINKS.items():
        link = page.locator(f"#link-{suffix.replace('.', '-')}")
        assert link.get_attribute("href").endswith(f"/export.{suffix}")
        assert text in link.inner_text()

    supply = assessment["supply"]
    has_routes = bool(supply and supply["routes"]["features"])
    assert page.evaluate("Boolean(window.reliefgis.view.overlays.routes)") is has_routes
    if has_routes:
        assert "物资调运路线" in page.locator(".leaflet-control-layers").inner_text()
        assert "物资调运路线" in page.locator("#legend").inner_text()
    if supply and supply["unreachable"]:
        assert page.locator("#unreachable-table tbody tr").count() == len(supply["unreachable"])
    if supply is None:
        assert page.locator("#supply-none").count() == 1
    page.screenshot(path=str(shots / "app-upload-result.png"))
    page.locator("#shelter-table tbody tr").first.click()
    page.screenshot(path=str(shots / "app-shelter-focus.png"))
    assert_stayed_local(page)


def test_drawn_polygon_with_class_is_assessed(page, live_server, shots):
    open_app(page, live_server)
    page.evaluate(
        "() => { window.reliefgis.view.map.setView([37.859, 113.583], 13, {animate: false}); }"
    )
    page.select_option("#hazard", "flood")
    page.select_option("#footprint-class", ">1.5m")
    page.click("#draw-start")
    for lon, lat in CITY_SQUARE[:3]:
        page.mouse.click(*map_point(page, lon, lat))
    page.mouse.click(*map_point(page, 113.58, 37.84))  # a wrong vertex …
    page.click("#draw-undo")  # … taken back
    assert "3 个顶点" in page.locator("#footprint-status").inner_text()
    page.mouse.dblclick(*map_point(page, *CITY_SQUARE[3]))
    assert "绘制的多边形（4 个顶点）" in page.locator("#footprint-status").inner_text()
    page.screenshot(path=str(shots / "app-drawn.png"))

    assessment = run_and_wait(page)
    pieces = assessment["footprint"]["pieces"]["features"]
    assert [p["properties"]["class"] for p in pieces] == [">1.5m"]
    ring = pieces[0]["geometry"]["coordinates"][0]
    lons = [x for x, _ in ring]
    assert min(lons) == pytest.approx(113.565, abs=0.002)
    assert max(lons) == pytest.approx(113.600, abs=0.002)
    assert assessment["population"]["affected"] > 0
    assert page.locator("#level-banner").count() == 1
    page.screenshot(path=str(shots / "app-drawn-result.png"))
    assert_stayed_local(page)


def test_footprint_outside_the_city_is_refused_in_chinese(page, live_server, shots):
    open_app(page, live_server)
    page.set_input_files(
        "#footprint-file",
        files=[
            {
                "name": "beijing.geojson",
                "mimeType": "application/geo+json",
                "buffer": json.dumps(OUTSIDE).encode(),
            }
        ],
    )
    # Refused when the file is checked, before anything is announced or run.
    error = page.locator("#error")
    error.wait_for(state="visible", timeout=60_000)
    text = error.inner_text()
    assert "灾害范围位于阳泉市辖区之外" in text
    assert CJK.match(text)
    assert "Traceback" not in text
    assert page.locator("#results").is_hidden()
    page.screenshot(path=str(shots / "app-error-outside.png"))
    assert_stayed_local(page)


def test_a_file_that_is_not_json_is_refused_in_chinese(page, live_server):
    open_app(page, live_server)
    page.set_input_files(
        "#footprint-file",
        files=[{"name": "broken.geojson", "mimeType": "application/json", "buffer": b"{oops"}],
    )
    page.locator("#error").wait_for(state="visible")
    text = page.locator("#error").inner_text()
    assert "不是有效的 GeoJSON" in text
    page.click("#run")
    assert "请先在地图上绘制灾害范围" in page.locator("#error").inner_text()
    assert_stayed_local(page)


def test_gcj02_transform_matches_the_published_reference(page, live_server):
    open_app(page, live_server)
    forward, back = page.evaluate(
        """async () => {
            const m = await import("./static/js/gcj02.js");
            const g = m.wgs84ToGcj02(116.404, 39.915);
            return [g, m.gcj02ToWgs84(g[0], g[1])];
        }"""
    )
    assert forward == pytest.approx([116.41024449916938, 39.91640428150164], abs=1e-9)
    assert back == pytest.approx([116.404, 39.915], abs=1e-8)
    assert page.evaluate(
        "import('./static/js/gcj02.js').then(m => m.wgs84ToGcj02(2.35, 48.85))"
    ) == [2.35, 48.85]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (None, "WGS84")),
        (
            {"RELIEF_TILES_URL": "http://10.0.0.5/tiles/{z}/{x}/{y}.png"},
            ("http://10.0.0.5/tiles/{z}/{x}/{y}.png", "WGS84"),
        ),
        (
            {"RELIEF_TILES_URL": "/tiles/{z}/{x}/{y}.png", "RELIEF_TILES_DATUM": "gcj-02"},
            ("/tiles/{z}/{x}/{y}.png", "GCJ-02"),
        ),
    ],
)
def test_browser_tile_settings_are_read_from_the_environment(env, expected):
    settings = Settings.from_env(env)
    assert (settings.tiles_url, settings.tiles_datum) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RELIEF_TILES_DATUM": "BD-09"}, "RELIEF_TILES_DATUM: expected WGS84 or GCJ-02"),
        ({"RELIEF_TILES_URL": "http://10.0.0.5/tiles/{z}/{x}.png"}, r"lacks \{y\}"),
        ({"RELIEF_TILES_URL": "ftp://x/{z}/{x}/{y}"}, "expected an http"),
    ],
)
def test_browser_tile_settings_refuse_what_cannot_work(env, message):
    with pytest.raises(InputError, match=message):
        Settings.from_env(env)


def test_browser_draws_with_the_label_table(page, live_server):
    # Road widths, shelter radii and layer names are the table's (web/labels.py), as on
    # the incident map: the browser keeps no copy of its own.
    open_app(page, live_server)
    drawn = page.evaluate(
        """() => {
            const v = window.reliefgis.view;
            const roads = {};
            v.overlays.roads.eachLayer((l) => {
                roads[l.feature.properties.highway] = l.options.weight;
            });
            const radii = {};
            v.overlays.shelters.eachLayer((l) => {
                radii[l.feature.properties.kind] = l.options.radius;
            });
            return { roads, radii };
        }"""
    )
    for highway, weight in drawn["roads"].items():
        assert weight == labels.ROAD_WIDTHS.get(highway, labels.ROAD_WIDTH_OTHER)
    assert "motorway" in drawn["roads"] or "trunk" in drawn["roads"]
    for kind, radius in drawn["radii"].items():
        assert radius == labels.SHELTER_RADII.get(kind, labels.SHELTER_RADIUS_OTHER)
    switcher = page.locator(".leaflet-control-layers").inner_text()
    assert labels.OVERLAYS["counties"] in switcher


def test_browser_config_names_hazards_figures_and_items(live_server):
    import httpx

    config = httpx.get(live_server + "/api/v1/web-config").json()
    assert config["default_plan"] == "yangquan-2026"
    assert config["jurisdiction"] == "阳泉市"
    assert config["tiles"] == {"url": None, "datum": "WGS84", "attribution": None}
    hazards = {h["id"]: h for h in config["hazards"]}
    assert set(hazards) == set(labels.HAZARDS)
    assert hazards["flood"]["label"] == "洪涝"
    assert [c["name"] for c in hazards["flood"]["classes"]] == [">1.5m", "0.7-1.5m", "0.1-0.7m"]
    assert [f["id"] for f in config["indicators"]] == list(INDICATORS)
    assert config["items"]["tent"] == "帐篷（顶）"
    assert "hazard_zones" in config["synthetic_layers"]
    assert config["labels"]["widths"]["roads"] == dict(labels.ROAD_WIDTHS)
    assert config["labels"]["styles"]["routes"] == dict(labels.SCREEN_STYLES["routes"])
    assert config["labels"]["colors"]["risks"] == {
        "extreme": "#d7191c",
        "high": "#fdae61",
        "medium": "#ffd700",
        "low": "#2b83ba",
    }


def test_browser_app_files_and_leaflet_are_served(live_server):
    import httpx

    index = httpx.get(live_server + "/")
    assert index.status_code == 200
    assert 'src="vendor/leaflet/leaflet.js"' in index.text
    for path in (
        "/vendor/leaflet/leaflet.js",
        "/vendor/leaflet/leaflet.css",
        "/vendor/leaflet/images/layers.png",
        "/static/js/main.js",
        "/static/app.css",
    ):
        assert httpx.get(live_server + path).status_code == 200, path
    static = Path(__file__).resolve().parents[2] / "web" / "static"
    text = "\n".join(p.read_text(encoding="utf-8") for p in static.rglob("*") if p.is_file())
    # Nothing of ours names another host: no CDN, no public tile server.
    assert "http://" not in text
    assert "https://" not in text
    assert "//" + "cdn" not in text


def test_browser_on_gcj02_tiles_shifts_data_and_draws_in_wgs84(page, gcj_server):
    open_app(page, gcj_server)
    assert "内网底图" in page.locator(".leaflet-control-layers").inner_text()
    assert page.locator(".leaflet-tile").count() > 0
    raw, shown, expected = page.evaluate(
        """async () => {
            const m = await import("./static/js/gcj02.js");
            const layer = window.reliefgis.view.countyLayer.getLayers()[0];
            let ring = layer.feature.geometry.coordinates[0];
            if (layer.feature.geometry.type === "MultiPolygon") ring = ring[0];
            let latlngs = layer.getLatLngs();
            while (Array.isArray(latlngs[0])) latlngs = latlngs[0];
            return [ring[0], [latlngs[0].lng, latlngs[0].lat], m.wgs84ToGcj02(...ring[0])];
        }"""
    )
    assert shown == pytest.approx(expected, abs=1e-9)
    assert abs(shown[0] - raw[0]) + abs(shown[1] - raw[1]) > 0.001  # about 100 m or more

    page.evaluate(
        "() => { window.reliefgis.view.map.setView([37.86, 113.583], 13, {animate: false}); }"
    )
    page.mouse.move(*map_point(page, 113.58, 37.86))
    found = re.search(r"([\d.]+)°E，([\d.]+)°N", page.locator("#coords").inner_text())
    assert [float(found[1]), float(found[2])] == pytest.approx([113.58, 37.86], abs=0.0005)

    page.click("#draw-start")
    for lon, lat in CITY_SQUARE[:3]:
        page.mouse.click(*map_point(page, lon, lat))
    page.mouse.dblclick(*map_point(page, *CITY_SQUARE[3]))
    assessment = run_and_wait(page)
    ring = assessment["footprint"]["pieces"]["features"][0]["geometry"]["coordinates"][0]
    for lon, lat in CITY_SQUARE:
        nearest = min(ring, key=lambda p: (p[0] - lon) ** 2 + (p[1] - lat) ** 2)
        assert nearest == pytest.approx([lon, lat], abs=0.0005)  # WGS84, not GCJ-02


def test_browser_with_api_keys_asks_for_one_and_sends_it(page, keyed_server, tmp_path):
    open_page = page.goto(keyed_server + "/")
    assert open_page.status == 200  # the app itself is open; the API is not
    page.locator("#auth").wait_for(state="visible")
    assert "API 密钥" in page.locator("#error").inner_text()

    page.fill("#api-key", "wrong-key")
    page.click("#auth button")
    page.locator("#auth-message").wait_for(state="visible")
    page.wait_for_function("document.getElementById('auth-message').textContent.length > 0")
    assert "API 密钥无效" in page.locator("#auth-message").inner_text()

    page.fill("#api-key", TEST_KEY)
    page.click("#auth button")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("window.reliefgis.view.countyLayer.getLayers().length") == 5
    page.set_input_files("#footprint-file", str(FLOOD))
    page.wait_for_selector("#footprint-status.ok")  # checked by the service, with the key
    assessment = run_and_wait(page)
    assert page.locator("#level-text").inner_text() == f"{assessment['response']['label']}响应"
    with page.expect_download() as download:
        page.click("#link-gpkg")
    assert download.value.suggested_filename == f"reliefgis-{assessment['id']}.gpkg"
    saved = tmp_path / "export.gpkg"
    download.value.save_as(saved)
    assert saved.read_bytes()[:16] == b"SQLite format 3\x00"
    # The header's 预案 link goes into the API too: it is fetched with the key.
    with page.context.expect_page() as opened:
        page.click("header nav a:has-text('预案')")
    plans = opened.value
    plans.wait_for_load_state()
    assert "yangquan-2026" in plans.content()
    assert "API key" not in plans.content()
    assert_stayed_local(page)


def test_api_documentation_opens_offline(page, live_server):
    response = page.goto(live_server + "/docs")
    assert response.status == 200
    page.locator(".swagger-ui .info .title", has_text="reliefgis").wait_for(timeout=30_000)
    assert page.get_by_text("/api/v1/assessments").count() >= 1
    assert_stayed_local(page)
