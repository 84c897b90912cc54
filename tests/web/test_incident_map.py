"""GET /api/v1/assessments/{id}/map.html: one self-contained page that opens offline."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pytest
from branca.element import JavascriptLink
from fastapi.testclient import TestClient
from localnet import is_local

from api.app import create_app
from api.service.bootstrap import load_services
from api.settings import Settings
from geo.errors import OfflineError
from layers.resources import demo_pack_dir
from web import incident_map
from web.incident_map import REMOTE_ASSET, render_html


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    return load_services(settings)


@pytest.fixture(scope="module")
def client(services):
    return TestClient(create_app(services=services))


@pytest.fixture(scope="module")
def flood(client):
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    response = client.post(
        "/api/v1/assessments",
        json={"footprint": footprint, "hazard": "flood", "figures": {"dead_missing": 25}},
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def page_html(client, flood):
    response = client.get(f"/api/v1/assessments/{flood['id']}/map.html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_page_loads_nothing_from_the_network(page_html):
    assert REMOTE_ASSET.search(page_html) is None
    sources = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?([^\"' >]+)", page_html)
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    assert "bootstrap" not in page_html.lower()
    assert "$(" not in page_html  # folium's jQuery helpers are not used


def test_leaflet_is_inlined_with_its_images(page_html):
    assert "L.map(" in page_html
    assert "leaflet-container" in page_html  # the stylesheet
    assert 'url("data:image/png;base64,' in page_html  # layers.png of the layer switcher
    assert "images/layers.png" not in page_html


def test_the_page_carries_level_figures_legend_and_notes(page_html, flood):
    assert f"{flood['response']['label']}响应" in page_html
    assert f"{flood['population']['affected']:,}" in page_html
    for text in ("响应级别", "隐患区（风险四色）", "重大风险", "避难场所", "位于灾害范围内"):
        assert text in page_html
    assert "WGS84" in page_html
    assert "估算值" in page_html
    assert "合成数据" in page_html  # the demo pack's notice


def test_unknown_assessment_is_a_404_problem(client):
    response = client.get("/api/v1/assessments/0123456789abcdef/map.html")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "does not exist" in response.json()["detail"]


@pytest.mark.parametrize("with_routes", [False, True])
def test_routes_are_drawn_only_when_supply_has_some(services, flood, with_routes):
    body = copy.deepcopy(flood)
    if with_routes:
        line = {"type": "LineString", "coordinates": [[113.56, 37.91], [113.58, 37.86]]}
        body["supply"] = {
            "routes": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": line,
                        "properties": {
                            "depot_id": "D01",
                            "shelter_id": "S01",
                            "distance_m": 6000.0,
                            "duration_s": 600.0,
                            "items": {"tent": 12},
                        },
                    }
                ],
            },
            "unreachable": ["S02"],
            "unreachable_detail": [{"shelter_id": "S02", "reason": "no road within 500 m"}],
            "shortfall": {"quilt": 40},
            "depots": [{"id": "D01", "name": "市库", "status": "sending", "sent": {"tent": 12}}],
            "closed_roads": 3,
            "days": 3,
        }
    else:
        body["supply"] = None
    html = render_html(body, services.pack)
    assert ("物资调运路线" in html) is with_routes
    assert ("物资无法送达" in html) is with_routes
    assert ("帐篷（顶） 12" in html) is with_routes
    assert ("缺口：棉被（床） 40" in html) is with_routes


def test_a_remote_asset_is_refused(services, flood, monkeypatch):
    def link_leaflet_from_a_cdn(m):
        url = "https://cdn.example.org/leaflet@1.9.3/dist/leaflet.js"
        m.get_root().header.add_child(JavascriptLink(url), name="leaflet")

    monkeypatch.setattr(incident_map, "_inline_leaflet", link_leaflet_from_a_cdn)
    with pytest.raises(OfflineError, match="remote asset"):
        render_html(flood, services.pack)


def test_user_text_is_escaped(services, flood):
    body = {**flood, "title": "<script>alert(1)</script>桃河"}
    html = render_html(body, services.pack)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;桃河" in html


def test_the_incident_map_opens_from_a_file_with_no_network(page, page_html, flood, tmp_path):
    tmp_path = Path(os.environ.get("RELIEF_SCREENSHOTS") or tmp_path)
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane svg path")
    assert page.errors == []
    assert [url for url in page.requests if not is_local(url)] == []
    assert page.locator("#rg-legend").is_visible()
    assert page.locator(".leaflet-control-layers").is_visible()
    assert page.locator(".leaflet-control-scale").count() == 1
    layers = page.locator(".leaflet-control-layers").inner_text()
    for name in ("区县", "隐患区", "道路", "灾害范围", "避难场所", "物资储备库", "因灾中断道路"):
        assert name in layers
    closed = flood["supply"]["closed_roads"]
    assert page.locator("path.leaflet-interactive[stroke-dasharray='6 4']").count() == closed
    shown = page.locator(".rg-water-label, .rg-place-label").evaluate_all(
        "els => els.filter((e) => getComputedStyle(e).visibility === 'visible').length"
    )
    assert shown > 0  # some names have room at the incident's zoom; the rest wait for it
    page.screenshot(path=str(tmp_path / "incident-map.png"))


def embedded_collections(html: str) -> list[dict]:
    """Every GeoJSON FeatureCollection the folium page draws, decoded from its script."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"_add\(\s*(?=\{)", html):
        data, _ = decoder.raw_decode(html, match.end())
        if data.get("type") == "FeatureCollection":
            found.append(data)
    return found


def icon_htmls(html: str) -> list[str]:
    """The HTML of every marker icon on the page, decoded from the script's JSON strings."""
    return [json.loads(s) for s in re.findall(r'"html":\s*("(?:[^"\\]|\\.)*")', html)]


def test_closed_roads_are_drawn_dashed_red_with_their_count(page_html, flood):
    # Issue 16 §4: "closed roads drawn (dashed red) and in the legend", as the browser and
    # the print draw them; the reference is the API's own answer for the assessment.
    closed = flood["supply"]["closed_lines"]["features"]
    assert len(closed) == flood["supply"]["closed_roads"] > 0
    dashed = [
        f
        for c in embedded_collections(page_html)
        for f in c["features"]
        if f["properties"].get("style", {}).get("dashArray") == "6 4"
    ]
    assert sorted(f["properties"]["road_id"] for f in dashed) == sorted(
        f["properties"]["road_id"] for f in closed
    )
    assert {f["properties"]["style"]["color"].lower() for f in dashed} == {"#e31a1c"}
    assert [f["geometry"] for f in dashed] == [f["geometry"] for f in closed]
    legend = page_html[page_html.index('id="rg-legend"') :]
    assert f"因灾中断道路（{flood['supply']['closed_roads']} 段）" in legend
    assert 'class="dashed"' in legend


def test_rivers_and_towns_are_drawn_with_their_names(page_html):
    # The names as GDAL reads them from the pack's file, not through the service.
    gpkg = demo_pack_dir() / "layers.gpkg"
    rivers = gpd.read_file(gpkg, layer="water")["name"].tolist()
    towns = gpd.read_file(gpkg, layer="places")["name"].tolist()
    assert {"桃河", "温河"} <= set(rivers)
    icons = "".join(icon_htmls(page_html))
    shown_rivers = re.findall(r'class="rg-water-label">([^<]+)<', icons)
    shown_towns = re.findall(r'class="rg-place-label rank-\d">([^<]+)<', icons)
    assert sorted(shown_rivers) == sorted(rivers)
    assert sorted(shown_towns) == sorted(towns)
    legend = page_html[page_html.index('id="rg-legend"') :]
    assert "河流水系" in legend
    assert "城镇" in legend


def test_a_pack_without_context_layers_draws_none(services, flood):
    bare = dataclasses.replace(services.pack, context={})
    icons = "".join(icon_htmls(render_html(flood, bare)))
    assert "rg-county" in icons
    assert "rg-water-label" not in icons
    assert "rg-place-label" not in icons
