"""Font subsets kept between printed maps: the same PDF content, never another font's subset.

The reference is matplotlib's own subsetting (``render_pdf`` without a cache folder),
read back with poppler's ``pdftotext`` and ``pdffonts``; the fast path is ``reliefgis
assess`` run twice on one cache folder, the second taking its subsets from the cache.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from test_render import poppler, run

from api.cli import main
from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.resources import demo_pack_dir
from web.print import fonts
from web.print.font_subsets import FOLDER
from web.print.render import render_pdf

FOOTPRINT = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
#: A family name no installed font has: the renamed copy of the Chinese font.
RENAMED = "Relief Test Song"


@pytest.fixture(scope="module")
def services():
    return load_services(Settings(), with_store=False)


@pytest.fixture(scope="module")
def pack(services):
    return services.pack


def pdf_text(path) -> str:
    return run(poppler("pdftotext"), "-layout", str(path), "-")


def pdf_fonts(path) -> list[tuple[str, ...]]:
    """``pdffonts`` rows without the random subset tag and the object numbers."""
    lines = run(poppler("pdffonts"), str(path)).splitlines()[2:]
    rows = [re.sub(r"^[A-Z]{6}\+", "", line).split()[:-2] for line in lines]
    return sorted(tuple(row) for row in rows)


def test_assess_with_cached_subsets_prints_what_matplotlib_prints(tmp_path, monkeypatch, pack):
    cache = tmp_path / "cache"
    monkeypatch.setenv("RELIEF_CACHE_DIR", str(cache))
    for out in ("first", "second"):
        argv = ["assess", str(FOOTPRINT), "--hazard", "flood", "--out", str(tmp_path / out)]
        assert main(argv) == 0
        assert any((cache / FOLDER).glob("*.ttf"))  # the second run reads these
    second = tmp_path / "second"
    answer = json.loads((second / "assessment.json").read_text(encoding="utf-8"))
    reference = tmp_path / "reference.pdf"
    reference.write_bytes(render_pdf(answer, pack, paper="A3"))  # no cache: matplotlib's own
    assert pdf_text(second / "map.pdf") == pdf_text(reference)
    assert "灾情" in pdf_text(reference)
    found = pdf_fonts(second / "map.pdf")
    assert found == pdf_fonts(reference)
    cjk = fonts.find_cjk_font().name.replace(" ", "")
    assert any(row[0] == cjk and row[1:3] == ("CID", "TrueType") for row in found), found
    assert all(row[-3:] == ("yes", "yes", "yes") for row in found), found  # emb sub uni


def _renamed_copy(source, target) -> None:
    font = TTFont(str(source))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = RENAMED
        elif record.nameID == 6:
            record.string = RENAMED.replace(" ", "")
    font.save(str(target))


def _embedded_families(pdf: bytes) -> set[str]:
    """The family names inside the embedded font programs (not the PDF's own labels)."""
    families = set()
    for ref in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            program = descriptor["/FontFile2"].get_object().get_data()
            families.add(TTFont(io.BytesIO(program))["name"].getDebugName(1))
    return families


def test_a_subset_of_another_font_file_is_not_reused(tmp_path, services, pack):
    cache = tmp_path / "cache"
    original = fonts.find_cjk_font()
    footprint = json.loads(FOOTPRINT.read_text(encoding="utf-8"))
    body, _ = run_assessment(services, footprint=footprint, hazard="flood")
    first = render_pdf(body, pack, font=original.path, cache_dir=cache)
    assert original.name in _embedded_families(first)
    entries = set((cache / FOLDER).iterdir())
    renamed = tmp_path / "renamed.ttf"  # the same glyphs, so the same glyph ids are asked for
    _renamed_copy(original.path, renamed)
    second = render_pdf(body, pack, font=renamed, cache_dir=cache)
    families = _embedded_families(second)
    assert RENAMED in families, families
    assert original.name not in families, families
    assert set((cache / FOLDER).iterdir()) > entries  # made and kept, not read
