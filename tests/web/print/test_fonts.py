"""The printed map's Chinese font found on a machine that is not Debian.

The Debian paths and fontconfig are hidden (no ``fc-list`` on PATH) and the system's
font folder holds one ``.ttc`` collection, as on Windows (``C:\\Windows\\Fonts\\msyh.ttc``):
its first face has no Chinese characters, its second does. matplotlib's own font-folder
search is the only third-party call replaced, by the listing of that folder.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTCollection, TTFont
from matplotlib import font_manager
from pypdf import PdfReader

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from geo.errors import FontNotFound
from layers.resources import demo_pack_dir
from web.print import fonts
from web.print.render import render_pdf

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture
def windows_fonts(tmp_path, monkeypatch):
    """A font folder with a two-face collection; Debian paths and fc-list hidden."""
    if not fonts.FONT_PACKAGE_FILE.is_file():
        pytest.skip(f"{fonts.FONT_PACKAGE_FILE} (the face put into the collection) is missing")
    collection = TTCollection()
    collection.fonts = [TTFont(str(DEJAVU)), TTFont(str(fonts.FONT_PACKAGE_FILE))]
    folder = tmp_path / "Fonts"
    folder.mkdir()
    ttc = folder / "msyh.ttc"
    collection.save(str(ttc))
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list here
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [str(ttc)])
    fonts.find_cjk_font.cache_clear()
    yield ttc
    fonts.find_cjk_font.cache_clear()


@pytest.fixture(scope="module")
def flood():
    services = load_services(Settings(), with_store=False)
    path = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
    answer, _ = run_assessment(
        services, footprint=json.loads(path.read_text()), hazard="flood", title="桃河洪水"
    )
    return answer, services.pack


def test_the_chinese_face_of_a_collection_is_found_and_copied_out(windows_fonts):
    found = fonts.find_cjk_font()
    assert found.name == "Droid Sans Fallback"
    assert found.path.suffix == ".ttf"
    assert found.path.parent.name == "reliefgis-fonts"
    assert "glyf" in TTFont(str(found.path))


def test_a_pdf_is_made_with_the_font_embedded(windows_fonts, flood):
    answer, pack = flood
    pdf = PdfReader(io.BytesIO(render_pdf(answer, pack, paper="A4")))
    embedded = {
        str(font["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DroidSansFallback" in name for name in embedded), embedded
    assert "灾情" in pdf.pages[0].extract_text()


def test_a_face_is_chosen_by_name(windows_fonts):
    assert fonts.find_cjk_font("droid sans fallback").name == "Droid Sans Fallback"


def test_an_unknown_face_name_is_refused_naming_it(windows_fonts):
    with pytest.raises(FontNotFound, match="named 'SimHei'"):
        fonts.find_cjk_font("SimHei")


def test_a_face_without_chinese_is_not_taken(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "KNOWN_PATHS", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [str(DEJAVU)])
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(FontNotFound, match="RELIEF_FONT or --font"):
            fonts.find_cjk_font()
    finally:
        fonts.find_cjk_font.cache_clear()
