"""A map an analyst trusts (issue 16 §4): real server, Debian's Chromium, nothing off the machine.

No stale verdict, a file checked before it is announced, the legend clear of the map, closed
roads drawn, tables that sort and filter, one footprint symbology, counties by affected
persons, and the pack's rivers and towns.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_browser import FLOOD, OUTSIDE, assert_stayed_local, open_app, rgb, run_and_wait

from web import footprint_style, labels, shares


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("RELIEF_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload(page: Any, name: str, body: object) -> None:
    page.set_input_files(
        "#footprint-file",
        files=[
            {"name": name, "mimeType": "application/geo+json", "buffer": json.dumps(body).encode()}
        ],
    )


def flood_result(page: Any, live_server: str) -> dict[str, Any]:
    open_app(page, live_server)
    page.set_input_files("#footprint-file", str(FLOOD))
    page.wait_for_selector("#footprint-status.ok")
    return run_and_wait(page)


def test_a_failed_run_leaves_no_old_verdict(page, live_server, shots):
    flood_result(page, live_server)
    assert page.locator("#level-banner").is_visible()
    upload(page, "beijing.geojson", OUTSIDE)
    # The server refuses the file: no green announcement, the old result gone at once.
    page.locator("#error").wait_for(state="visible", timeout=30_000)
    assert "未能通过检查" in page.locator("#error").inner_text()
    assert "辖区之外" in page.locator("#error").inner_text()
    assert page.locator("#level-banner").count() == 0
    assert page.locator("#results").is_hidden()
    assert "ok" not in (page.locator("#footprint-status").get_attribute("class") or "")
    assert page.evaluate("window.reliefgis.view.assessment") is None
    assert page.evaluate("Boolean(window.reliefgis.view.overlays.footprint)") is False
    page.click("#run")
    assert "请先在地图上绘制灾害范围" in page.locator("#error").inner_text()
    assert page.locator("#level-banner").count() == 0
    assert any(url.endswith("/api/v1/footprint-check") for url in page.requests)
    page.screenshot(path=str(shots / "trust-failed-run.png"))
    assert_stayed_local(page)


def test_the_result_goes_the_moment_the_footprint_changes(page, live_server):
    flood_result(page, live_server)
    assert page.locator("#level-banner").is_visible()
    page.click("#draw-start")
    assert page.locator("#results").is_hidden()
    assert page.locator("#level-banner").count() == 0
    assert page.evaluate("location.hash") == ""
    assert_stayed_local(page)


def test_a_file_is_announced_only_after_the_server_read_it(page, live_server):
    open_app(page, live_server)
    page.route(
        "**/api/v1/footprint-check", lambda route: page.wait_for_timeout(800) or route.continue_()
    )
    page.set_input_files("#footprint-file", str(FLOOD))
    page.wait_for_function(
        "document.getElementById('footprint-status').textContent.includes('正在检查')"
    )
    assert "ok" not in (page.locator("#footprint-status").get_attribute("class") or "")
    page.wait_for_selector("#footprint-status.ok", timeout=30_000)
    text = page.locator("#footprint-status").inner_text()
    features = json.loads(FLOOD.read_text(encoding="utf-8"))["features"]
    assert f"{len(features)} 个要素" in text
    assert_stayed_local(page)


def _intersects(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000)])
def test_the_legend_is_never_over_the_map_nor_clipped(page, live_server, shots, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    flood_result(page, live_server)
    legend = page.locator("#legend")
    legend.scroll_into_view_if_needed()
    box = legend.bounding_box()
    map_box = page.locator("#map").bounding_box()
    assert box["width"] > 0
    assert box["height"] > 0
    assert not _intersects(box, map_box)
    # Not clipped: every row of the legend can be scrolled to and is inside the viewport then.
    last = page.locator("#legend > div").last
    last.scroll_into_view_if_needed()
    row = last.bounding_box()
    assert row["y"] >= 0
    assert row["y"] + row["height"] <= size[1]
    assert legend.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    # Collapsible: folded, it takes no room.
    page.click("#legend-box summary")
    assert legend.is_hidden()
    page.click("#legend-box summary")
    assert legend.is_visible()
    page.screenshot(path=str(shots / f"trust-legend-{size[0]}x{size[1]}.png"))
    assert_stayed_local(page)


def test_closed_roads_are_drawn_dashed_red_and_in_the_legend(page, live_server, shots):
    assessment = flood_result(page, live_server)
    closed = assessment["supply"]["closed_lines"]["features"]
    assert len(closed) == assessment["supply"]["closed_roads"] == 167
    drawn = page.evaluate(
        """() => {
            const layer = window.reliefgis.view.overlays.closed_roads;
            const out = [];
            layer.eachLayer((l) => out.push(
                [l.feature.properties.road_id, l.options.color, l.options.dashArray]));
            return out;
        }"""
    )
    assert sorted(d[0] for d in drawn) == sorted(f["properties"]["road_id"] for f in closed)
    style = labels.SCREEN_STYLES["closed_roads"]
    assert {(d[1], d[2]) for d in drawn} == {(style["color"], style["dashArray"])}
    assert page.locator("path.leaflet-interactive[stroke-dasharray='6 4']").count() == len(closed)
    legend = page.locator("#legend")
    assert f"{labels.OVERLAYS['closed_roads']}（167 段）" in legend.inner_text()
    swatch = legend.locator("i.dashed")
    assert swatch.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert swatch.evaluate("e => getComputedStyle(e).borderTopColor") == rgb(
        labels.CLOSED_ROAD_COLOR
    )
    assert labels.OVERLAYS["closed_roads"] in page.locator(".leaflet-control-layers").inner_text()
    page.screenshot(path=str(shots / "trust-closed-roads.png"))
    assert_stayed_local(page)


def _column(page: Any, table: str, index: int) -> list[str]:
    return page.locator(f"{table} tbody tr:visible td:nth-child({index})").all_inner_texts()


def test_route_table_lists_every_route_and_sorts(page, live_server):
    assessment = flood_result(page, live_server)
    routes = assessment["supply"]["routes"]["features"]
    assert page.locator("#route-table tbody tr").count() == len(routes) == 10
    page.click("#route-table th:has-text('路程')")
    km = [float(t) for t in _column(page, "#route-table", 3)]
    expected = sorted(round(f["properties"]["distance_m"] / 1000, 1) for f in routes)
    assert km == pytest.approx(expected, abs=0.051)
    page.click("#route-table th:has-text('路程')")
    assert [float(t) for t in _column(page, "#route-table", 3)] == pytest.approx(
        expected[::-1], abs=0.051
    )
    page.click("#route-table th:has-text('用时')")
    minutes = [int(t) for t in _column(page, "#route-table", 4)]
    assert minutes == sorted(minutes)
    depots = {d["id"]: d["name"] for d in assessment["supply"]["depots"]}
    shelters = {s["id"]: s["name"] for s in assessment["shelters"]}
    pairs = set(
        zip(_column(page, "#route-table", 1), _column(page, "#route-table", 2), strict=True)
    )
    assert pairs == {
        (depots[f["properties"]["depot_id"]], shelters[f["properties"]["shelter_id"]])
        for f in routes
    }
    assert_stayed_local(page)


def test_shelter_table_sorts_and_filters_used_usable_refused(page, live_server, shots):
    assessment = flood_result(page, live_server)
    shelters = assessment["shelters"]
    groups = {
        "used": [s for s in shelters if s["assigned"] > 0],
        "usable": [s for s in shelters if s["status"] == "usable"],
        "refused": [s for s in shelters if s["status"] != "usable"],
    }
    assert all(groups.values())
    for key, expected in groups.items():
        page.click(f"#shelter-filter button[data-filter={key}]")
        shown = page.locator("#shelter-table tbody tr:visible")
        assert sorted(shown.evaluate_all("rows => rows.map(r => r.dataset.shelter)")) == sorted(
            s["id"] for s in expected
        )
    page.click("#shelter-filter button[data-filter=all]")
    assert page.locator("#shelter-table tbody tr:visible").count() == len(shelters) == 32
    page.click("#shelter-table th:has-text('容量')")
    page.click("#shelter-table th:has-text('容量')")  # largest first
    capacity = [int(t.replace(",", "")) for t in _column(page, "#shelter-table", 4)]
    assert capacity == sorted((s["capacity"] for s in shelters), reverse=True)
    page.click("#shelter-table th:has-text('安置')")
    assigned = [int(t.replace(",", "")) for t in _column(page, "#shelter-table", 3)]
    assert assigned == sorted(s["assigned"] for s in shelters)
    page.screenshot(path=str(shots / "trust-shelters.png"))
    assert_stayed_local(page)


def test_the_result_title_stays_in_view_when_the_panel_scrolls(page, live_server):
    assessment = flood_result(page, live_server)
    page.locator("#links").scroll_into_view_if_needed()
    head = page.locator("#result-head").bounding_box()
    side = page.locator("#side").bounding_box()
    assert page.locator("#side").evaluate("e => e.scrollTop") > 300
    assert side["y"] - 1 <= head["y"] <= side["y"] + 20
    text = page.locator("#result-head").inner_text()
    assert "评估结果" in text
    assert f"{assessment['response']['label']}响应" in text
    assert_stayed_local(page)


@pytest.mark.parametrize("value", [0.195, 0.25, 0.0049, 0.3333333, 0.00001, 0.0, 1.0, 0.12345])
def test_shares_read_as_percentages_as_the_python_rule_says(page, live_server, value):
    open_app(page, live_server)
    shown, gap = page.evaluate(
        """async (v) => {
            const m = await import('./static/js/tables.js');
            return [m.percent(v), m.pointGap(v / 3, v)];
        }""",
        value,
    )
    assert shown == shares.percent(value)
    assert gap == shares.point_gap(value / 3, value=value)


def test_a_share_criterion_is_shown_in_percent(page, live_server):
    # 阳泉2026 grades drought by the share of the agricultural population aided: 12.5 %
    # reported, 2.5 percentage points short of 四级 (15 %, §5.4.1(4)).
    open_app(page, live_server)
    page.select_option("#hazard", "drought")
    square = [
        [113.565, 37.868],
        [113.6, 37.868],
        [113.6, 37.85],
        [113.565, 37.85],
        [113.565, 37.868],
    ]
    upload(page, "square.geojson", {"type": "Polygon", "coordinates": [square]})
    page.wait_for_selector("#footprint-status.ok")
    page.click("#figures-box summary")
    page.fill("#fig-drought_aid_share", "12.5")
    assessment = run_and_wait(page)
    criterion = next(
        c for c in assessment["response"]["criteria"] if c["indicator"] == "drought_aid_share"
    )
    assert criterion["value"] == pytest.approx(0.125)
    item = page.locator("#criteria li[data-indicator=drought_aid_share]")
    assert item.locator("b").inner_text() == "12.5%"
    assert "还差 2.5 个百分点" in item.inner_text()
    assert_stayed_local(page)


def test_footprint_and_counties_are_drawn_as_printed(page, live_server, shots):
    assessment = flood_result(page, live_server)
    classes = [f["properties"]["class"] for f in assessment["footprint"]["pieces"]["features"]]
    expected = footprint_style.class_colours(classes)
    drawn = page.evaluate(
        """() => {
            const out = {};
            window.reliefgis.view.overlays.footprint.eachLayer((l) => {
                out[l.feature.properties.class] = [l.options.fillColor, l.options.fillOpacity];
            });
            return out;
        }"""
    )
    assert drawn == {c: [expected[c], labels.FOOTPRINT_ALPHA] for c in classes}
    assert not set(expected.values()) & set(labels.RISK_COLORS.values())
    # Counties by affected persons: graduated classes, round limits, a legend row each.
    by_county = {r["code"]: r["affected"] for r in assessment["population"]["by_county"]}
    fills = page.evaluate(
        """() => {
            const out = {};
            window.reliefgis.view.countyLayer.eachLayer((l) => {
                out[l.feature.properties.code] = [l.options.fillColor, l.options.fillOpacity];
            });
            return out;
        }"""
    )
    legend = page.locator("#legend").inner_text()
    assert labels.LEGEND["affected"] in legend
    ramp = labels.POPULATION_COLORS
    order = sorted((v, code) for code, v in by_county.items() if v > 0)
    shades = [ramp.index(fills[code][0]) for _, code in order]
    assert shades == sorted(shades)  # more affected, darker
    assert len(set(shades)) >= 2
    for code, (_, opacity) in fills.items():
        if by_county.get(code, 0) == 0:
            assert opacity == 0
    page.screenshot(path=str(shots / "trust-footprint-counties.png"))
    assert_stayed_local(page)


SWITCHER_OVERLAYS = """() => [...document.querySelectorAll(
    '.leaflet-control-layers-overlays label')].map((e) => e.textContent.trim())"""


def test_the_switcher_names_what_the_county_fill_shows(page, live_server):
    # Issue 16 §4: "county choropleth by affected persons after an assessment"; the
    # switcher must say so, not keep naming the population classes.
    open_app(page, live_server)
    before = page.evaluate(SWITCHER_OVERLAYS)
    assert "区县（人口分级）" in before
    page.set_input_files("#footprint-file", str(FLOOD))
    page.wait_for_selector("#footprint-status.ok")
    run_and_wait(page)
    after = page.evaluate(SWITCHER_OVERLAYS)
    assert "区县（受灾人口分级）" in after
    assert "区县（人口分级）" not in after
    # Renamed where it stood: the switcher's order of the pack's layers is unchanged.
    assert after.index("区县（受灾人口分级）") == before.index("区县（人口分级）")
    page.click("#draw-start")  # the footprint changes: the result and its colouring go
    assert "区县（人口分级）" in page.evaluate(SWITCHER_OVERLAYS)
    assert_stayed_local(page)


LABEL_BOXES = """() => {
    const frame = document.getElementById('map').getBoundingClientRect();
    return [...document.querySelectorAll('.rg-county, .rg-water-label, .rg-place-label')]
        .map((e) => { const r = e.getBoundingClientRect();
                      const inside = r.left >= frame.left && r.right <= frame.right
                          && r.top >= frame.top && r.bottom <= frame.bottom;
                      return [e.textContent, r.left, r.top, r.right, r.bottom,
                              getComputedStyle(e).visibility === 'visible', inside]; });
}"""


def _overlap(a: list, b: list) -> bool:
    return not (a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2])


def test_rivers_and_towns_are_drawn_with_names_that_never_collide(page, live_server, shots):
    open_app(page, live_server)
    switcher = page.locator(".leaflet-control-layers").inner_text()
    assert labels.OVERLAYS["water"] in switcher
    assert labels.OVERLAYS["places"] in switcher
    legend = page.locator("#legend").inner_text()
    assert labels.OVERLAYS["water"] in legend
    counts = page.evaluate(
        """() => {
            const o = window.reliefgis.view.overlays;
            let water = 0, places = 0;
            o.water.eachLayer((l) => { if (l.feature) water += 1; });
            o.places.eachLayer((l) => { if (l.feature) places += 1; });
            return [water, places];
        }"""
    )
    assert counts == [3, 29]
    for zoom in (10, 11, 13):
        page.evaluate(
            "(z) => { window.reliefgis.view.map.setView([37.86, 113.58], z, {animate: false}); }",
            zoom,
        )
        page.screenshot(path=str(shots / f"trust-context-z{zoom}.png"))
        boxes = page.evaluate(LABEL_BOXES)
        shown = [b for b in boxes if b[5] and b[6]]
        hidden = [b for b in boxes if not b[5] and b[6]]
        # No two names shown over each other …
        assert [
            (a[0], b[0]) for i, a in enumerate(shown) for b in shown[i + 1 :] if _overlap(a, b)
        ] == []
        # … and a name inside the map is hidden only when it would collide with one shown.
        assert [h[0] for h in hidden if not any(_overlap(h, b) for b in shown)] == []
        if zoom == 13:
            assert "桃河" in {b[0] for b in shown}
            assert len([b for b in shown if b[0] not in ("城区", "矿区", "郊区")]) >= 3
    assert_stayed_local(page)
