"""An earthquake in the browser: magnitude and epicentre in, numerals and epicentre drawn.

Real server, real Chromium (fixtures in conftest.py); where each mark sits is checked
against Leaflet's own projection of the service's coordinates, and the numerals against
the answer's degrees.
"""

from __future__ import annotations

from typing import Any

from test_browser import assert_stayed_local, map_point, open_app, run_and_wait

YUXIAN = (113.41, 38.09)  # a point inside 盂县 (140322)


def _centre(page: Any, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_quake_form_draws_numerals_in_their_rings_and_the_epicentre(page, live_server, shots):
    open_app(page, live_server)
    page.click("#quake-box summary")
    page.fill("#quake-magnitude", "6.0")
    page.fill("#quake-lon", str(YUXIAN[0]))
    page.fill("#quake-lat", str(YUXIAN[1]))
    assessment = run_and_wait(page)
    assert assessment["hazard"] == "earthquake"
    degrees = assessment["earthquake"]["degrees"]
    marks = page.locator(".rg-quake-degree")
    assert marks.all_inner_texts() == [d["label"] for d in degrees] == ["Ⅵ", "Ⅶ", "Ⅷ"]
    for index, degree in enumerate(degrees):
        icon = f".leaflet-marker-icon:has(.rg-quake-degree) >> nth={index}"
        x, y = _centre(page, icon)
        want = map_point(page, *degree["label_at"])
        assert abs(x - want[0]) <= 2
        assert abs(y - want[1]) <= 2
    x, y = _centre(page, ".leaflet-marker-icon:has(.rg-quake-epicentre)")
    want = map_point(page, *YUXIAN)
    assert abs(x - want[0]) <= 2
    assert abs(y - want[1]) <= 2
    assert "估算烈度圈" in page.locator(".leaflet-control-layers").inner_text()
    page.screenshot(path=str(shots / "app-quake.png"))
    assert_stayed_local(page)


def test_a_half_filled_quake_form_names_what_is_missing(page, live_server):
    open_app(page, live_server)
    page.click("#quake-box summary")
    page.fill("#quake-magnitude", "6.0")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "震中经度" in error.inner_text()
    assert "震中纬度" in error.inner_text()
    assert page.locator("#results").is_hidden()
    assert_stayed_local(page)
