"""The printed map at standard scales in CGCS2000: measured on the PDF with pdfplumber.

The scale is checked on the paper, not in our code: pdfplumber reads the kilometre grid's
lines (by their colour) and the km numbers printed beside them, and 1 km must be 20 mm at
1:50,000. The zone is checked against pyproj's own projection of the footprint.
"""

from __future__ import annotations

import io
import itertools
import json

import pdfplumber
import pytest
from matplotlib.colors import to_rgb
from pyproj import Transformer
from shapely.geometry import box, shape
from shapely.ops import unary_union

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from geo.errors import InputError
from layers.resources import demo_pack_dir
from web.print.furniture import KM_GRID_COLOUR
from web.print.render import render_pdf
from web.print.sheets import MAX_SHEETS, auto_scale, cover, parse_scale

MM_PER_PT = 25.4 / 72
GRID_RGB = tuple(round(c, 3) for c in to_rgb(KM_GRID_COLOUR))
A4_PT = (841.89, 595.28)


@pytest.fixture(scope="module")
def services():
    return load_services(Settings(), with_store=False)


@pytest.fixture(scope="module")
def flood(services):
    path = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
    answer, _ = run_assessment(
        services, footprint=json.loads(path.read_text()), hazard="flood", title="桃河洪水"
    )
    return answer


@pytest.fixture(scope="module")
def a3_50k(flood, services):
    return pdfplumber.open(io.BytesIO(render_pdf(flood, services.pack, paper="A3", scale=50000)))


@pytest.fixture(scope="module")
def a4_50k(flood, services):
    return pdfplumber.open(io.BytesIO(render_pdf(flood, services.pack, paper="A4", scale="50000")))


@pytest.fixture(scope="module")
def a4_auto(flood, services):
    return pdfplumber.open(io.BytesIO(render_pdf(flood, services.pack, paper="A4")))


def grid_lines(page) -> tuple[list[float], list[float]]:
    """x of the vertical and y of the horizontal km-grid lines on a page, in points."""
    xs, ys = [], []
    for line in page.lines:
        colour = line.get("stroking_color")
        if not isinstance(colour, tuple | list) or tuple(round(c, 3) for c in colour) != GRID_RGB:
            continue
        if abs(line["x0"] - line["x1"]) < 0.01:
            xs.append(line["x0"])
        elif abs(line["top"] - line["bottom"]) < 0.01:
            ys.append(line["top"])
    return sorted(xs), sorted(ys)


def top_labels(page, xs: list[float]) -> dict[float, int]:
    """The km numbers printed at the top of the vertical grid lines: line x → km."""
    found = {}
    words = page.extract_words(extra_attrs=["upright"])
    for x in xs:
        near = [
            w
            for w in words
            if w["upright"] and w["text"].isdigit() and abs((w["x0"] + w["x1"]) / 2 - x) < 2
        ]
        if near:
            found[x] = int(min(near, key=lambda w: w["top"])["text"])
    return found


def footprint_of(assessment):
    return unary_union(
        [shape(f["geometry"]) for f in assessment["footprint"]["pieces"]["features"]]
    )


def text_of(pdf) -> str:
    return "\n".join(page.extract_text() or "" for page in pdf.pages)


def glyph_size(char) -> float:
    """A glyph's font size: pdfminer gives a rotated glyph's advance as its size, so read
    the extent across the baseline instead."""
    return char["size"] if char["upright"] else char["x1"] - char["x0"]


# ---------------------------------------------------------------- done means (issue 17)
def test_1_to_50000_of_the_demo_flood_is_in_epsg_4547_with_a_km_grid_of_20_mm(a3_50k, flood):
    text = text_of(a3_50k)
    assert "EPSG:4547" in text
    assert "高斯-克吕格投影 3°分带，中央经线 114°E" in text
    assert "比例尺 1:50 000" in text
    measured = 0
    for page in a3_50k.pages:
        xs, ys = grid_lines(page)
        if not xs:
            continue
        labels = top_labels(page, xs)
        assert len(labels) >= 3, "the km grid is labelled"
        pairs = sorted(labels.items())
        for (x0, km0), (x1, km1) in itertools.pairwise(pairs):
            mm_per_km = (x1 - x0) * MM_PER_PT / (km1 - km0)
            assert mm_per_km == pytest.approx(20.0, abs=0.5)
            measured += 1
        for y0, y1 in itertools.pairwise(ys):
            assert (y1 - y0) * MM_PER_PT == pytest.approx(20.0, abs=0.5)
    assert measured >= 5
    # The labels are eastings of EPSG:4547 (CM 114°E, false easting 500 km): pyproj puts the
    # footprint at the same easting as the numbers printed over it.
    footprint = footprint_of(flood)
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    east_km = to_gk.transform(footprint.centroid.x, footprint.centroid.y)[0] / 1000
    printed = [km for page in a3_50k.pages for km in top_labels(page, grid_lines(page)[0]).values()]
    assert min(printed) < east_km < max(printed)


def test_a_fixed_scale_larger_than_a_sheet_has_an_overview_with_a_page_index(a4_50k):
    overview = a4_50k.pages[0].extract_text()
    assert "总图" in overview
    details = [p for p in a4_50k.pages[1:] if "分幅详图" in (p.extract_text() or "")]
    assert len(details) >= 2
    for number, page in enumerate(details, start=2):
        assert f"第{number}页" in overview  # the index names every detail page
        assert page.page_number == number
        assert "比例尺 1:50 000" in page.extract_text()
        xs, _ = grid_lines(page)
        assert (xs[1] - xs[0]) * MM_PER_PT == pytest.approx(20.0, abs=0.5)
    assert not grid_lines(a4_50k.pages[0])[0]  # the overview is not at the standard scale


def test_auto_is_the_largest_standard_scale_holding_the_footprint(a4_auto, flood):
    text = text_of(a4_auto)
    [chosen] = [
        s
        for s in ("10 000", "25 000", "50 000", "100 000", "250 000", "500 000")
        if f"比例尺 1:{s}" in text
    ]
    denominator = int(chosen.replace(" ", ""))
    # Independently: the footprint's extent in EPSG:4547 against the A4 map box at each scale.
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    minx, miny, maxx, maxy = footprint_of(flood).bounds
    xs, ys = to_gk.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    page = a4_auto.pages[0]
    xs_grid, _ = grid_lines(page)
    assert xs_grid, "an auto map at a standard scale has its km grid"
    box_w_mm, box_h_mm = 262 * 297 / 420, 227 * 297 / 420
    span = (max(xs) - min(xs), max(ys) - min(ys))
    assert span[0] <= box_w_mm * denominator / 1000
    assert span[1] <= box_h_mm * denominator / 1000
    smaller = {
        10_000: None,
        25_000: 10_000,
        50_000: 25_000,
        100_000: 50_000,
        250_000: 100_000,
        500_000: 250_000,
    }[denominator]
    if smaller:
        assert (
            span[0] > box_w_mm * smaller / 1000 * 0.84 or span[1] > box_h_mm * smaller / 1000 * 0.84
        )


# ------------------------------------------------------------------- type on A4 ≥ 7 pt
@pytest.mark.parametrize("pdf", ["a4_auto", "a4_50k"])
def test_no_glyph_on_a4_is_below_7_pt(pdf, request):
    document = request.getfixturevalue(pdf)
    sizes = []
    for page in document.pages:
        assert (float(page.width), float(page.height)) == pytest.approx(A4_PT, abs=1)
        sizes += [(glyph_size(c), c["text"], page.page_number) for c in page.chars]
    assert len(sizes) > 500
    small = [s for s in sizes if s[0] < 7.0 - 0.05]
    assert not small, small[:10]


def test_what_does_not_fit_a4_goes_to_a_last_page_not_off_the_paper(a4_auto, flood):
    text = text_of(a4_auto)
    for word in ("响应级别判定依据", "物资调运", "数据来源", "实地核查"):
        assert word in text
    last = a4_auto.pages[-1]
    assert "（续）" in last.extract_text()
    for page in a4_auto.pages:
        for char in page.chars:
            assert char["x0"] >= 0
            assert char["x1"] <= float(page.width)
            assert char["top"] >= 0
            assert char["bottom"] <= float(page.height)


# ------------------------------------------------------------------------ sheets
@pytest.mark.parametrize("value", ["12000", "1:30000", "big", "0", "-50000"])
def test_a_scale_outside_the_standard_series_is_refused_naming_it(value):
    with pytest.raises(InputError, match="scale") as caught:
        parse_scale(value)
    assert caught.value.field == "scale"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("auto", None), (None, None), ("1:50,000", 50_000), (25000, 25_000), ("500000", 500_000)],
)
def test_standard_scales_are_read(value, expected):
    assert parse_scale(value) == expected


def test_auto_scale_picks_the_largest_that_holds_a_box():
    box_mm = (200.0, 150.0)  # at 1:25 000 a sheet is 5 km × 3.75 km
    assert auto_scale((0, 0, 4_000, 3_000), box_mm) == 25_000
    assert auto_scale((0, 0, 4_700, 3_000), box_mm) == 50_000  # no margin left at 25 000
    assert auto_scale((0, 0, 1_000, 1_000), box_mm) == 10_000
    assert auto_scale((0, 0, 500_000, 10), box_mm) is None


def test_sheets_cover_the_footprint_and_only_where_it_is():
    # An L of two 4 km squares at 1:10 000 on a 200 × 200 mm box (2 km sheets).
    shape_ = box(0, 0, 8_000, 4_000).union(box(0, 4_000, 4_000, 8_000))
    sheets = cover(shape_, (200.0, 200.0), 10_000)
    assert len(sheets) == 16 - 4  # the empty quarter has no sheets
    assert [s.number for s in sheets] == list(range(2, 14))
    covered = box(0, 0, 0, 0)
    for sheet in sheets:
        covered = covered.union(box(*sheet.extent))
        assert sheet.extent[2] - sheet.extent[0] == pytest.approx(2_000)
    assert covered.contains(shape_)


def test_too_many_sheets_are_refused_naming_the_scale():
    with pytest.raises(InputError, match=f"at most {MAX_SHEETS}") as caught:
        cover(box(0, 0, 50_000, 50_000), (200.0, 150.0), 10_000)
    assert caught.value.field == "scale"
