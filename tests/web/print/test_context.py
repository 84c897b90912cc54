"""Rivers, towns and closed roads on the printed map: drawn, in the legend, never overlapping."""

from __future__ import annotations

import io
import itertools
import json

import geopandas as gpd
import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader
from shapely.geometry import LineString, Point

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.resources import demo_pack_dir
from web import labels
from web.print.context import draw_context
from web.print.page import Page
from web.print.render import render_pdf


def _boxes_overlap(texts) -> list[tuple[str, str]]:
    """Pairs of visible labels whose drawn boxes overlap (matplotlib's own extents)."""
    boxes = [(t.get_text(), t.get_window_extent()) for t in texts]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if a != b and box_a.overlaps(box_b)
    ]


def _axes() -> tuple[Figure, Page, object]:
    figure = Figure(figsize=(6, 4))
    page = Page(figure=figure, scale=1.0)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10_000)
    ax.set_ylim(0, 6_000)
    return figure, page, ax


def test_colliding_town_names_are_left_out_and_the_rest_never_overlap():
    _, page, ax = _axes()
    ax.text(5_000, 3_000, "County seat", fontsize=9, ha="center", va="center")  # already there
    places = gpd.GeoDataFrame(
        {"name": ["Jia", "Yi", "Bing", "Ding"], "rank": [1, 2, 3, 3]},
        geometry=[
            Point(2_000, 2_000),
            Point(2_050, 2_000),
            Point(4_950, 3_000),
            Point(8_000, 5_000),
        ],
    )
    water = gpd.GeoDataFrame(
        {"name": ["Wu He"]}, geometry=[LineString([(0, 1_000), (10_000, 1_200)])]
    )
    placed = draw_context(ax, page, {"water": water, "places": places})
    # Jia (rank 1) goes first; Yi sits 50 m away: its name goes left of its dot or is
    # left out; Bing would print over the name already there whichever side it takes.
    assert placed.placed[:2] == ["Wu He", "Jia"]
    assert "Bing" in placed.skipped
    assert "Ding" in placed.placed
    shown = [t for t in ax.texts if t.get_path_effects() == []]
    assert _boxes_overlap(shown) == []
    frame = ax.get_window_extent()
    for text in shown:
        box = text.get_window_extent()
        assert frame.x0 <= box.x0
        assert box.x1 <= frame.x1
        assert frame.y0 <= box.y0
        assert box.y1 <= frame.y1


@pytest.fixture(scope="module")
def flood_pdf() -> str:
    services = load_services(Settings(data_dir=demo_pack_dir()), with_store=False)
    path = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
    answer, _ = run_assessment(
        services, footprint=json.loads(path.read_text("utf-8")), hazard="flood"
    )
    pdf = render_pdf(answer, services.pack, paper="A3")
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_demo_flood_map_names_its_river_and_towns(flood_pdf):
    for name in ("桃河", "阳泉城区", "平坦镇", "义井镇"):
        assert name in flood_pdf
    assert labels.OVERLAYS["water"] in flood_pdf
    assert labels.OVERLAYS["places"] in flood_pdf


def test_the_demo_flood_map_shows_its_closed_roads_in_the_legend(flood_pdf):
    # 167 roads cross the demo flood (tests/api/test_closed_lines.py checks them by shapely).
    assert f"{labels.OVERLAYS['closed_roads']}（167 段）" in flood_pdf
