"""``reliefgis quake`` on the demo pack: one command from magnitude to a level and maps."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess

import pyogrio
import pytest

from api.cli import main
from layers.resources import demo_pack_dir

YUXIAN = ("113.41", "38.09")  # a point inside 盂县 (140322)
# data/earthquake/damage.toml collapse shares at Ⅵ, Ⅶ, Ⅷ
SHARES = {
    "钢混": (0.0, 0.01, 0.02),
    "砖混": (0.01, 0.04, 0.14),
    "砖木": (0.02, 0.12, 0.35),
    "土木": (0.0, 0.10, 0.55),
}
CLASS_DEGREE = {"VI": 0, "VII": 1, "VIII": 2}
#: What web/labels.py QUAKE["lower_bound"] says, as the test reads the plan: 阳泉 grades
#: 倒塌和严重损坏房屋 and the damage profile gives collapse shares only.
LOWER_BOUND = "严重损坏未估算"


def pdf_text(path):
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    return subprocess.run(
        [binary, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def quake(tmp_path, *more):
    out = tmp_path / "out"
    lon, lat = YUXIAN
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(
            ["quake", "--magnitude", "6.0", "--lon", lon, "--lat", lat, "--out", str(out), *more]
        )
    assert code == 0
    body = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    return out, body, printed.getvalue()


@pytest.fixture(scope="module")
def yuxian_quake(tmp_path_factory):
    """One M6.0 in 盂县 on the demo pack (阳泉's plan), with an XLSX export."""
    return quake(tmp_path_factory.mktemp("yuxian"), "--formats", "xlsx")


def test_quake_in_yuxian_writes_the_maps_and_marks_estimates(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["quake", "--magnitude", "6.0", "--lon", YUXIAN[0], "--lat", YUXIAN[1], "--out", str(out)]
    )
    assert code == 0
    assert {p.name for p in out.iterdir()} >= {"assessment.json", "map.pdf", "map.html"}
    printed = capsys.readouterr().out
    assert "盂县" in printed
    assert "（估算）" in printed
    assert "估算参考" in printed
    body = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    houses = body["earthquake"]["houses"]
    assert sum(r["collapsed_rooms"] for r in houses["by_county"]) == houses["collapsed_rooms"]
    # 盂县 by hand: its housing spread over the degrees like its population
    housing = pyogrio.read_dataframe(
        demo_pack_dir() / "layers.gpkg", layer="housing", read_geometry=False
    )
    rows = {r["code"]: r for r in body["population"]["by_county"]}
    yuxian = rows["140322"]
    mine = housing[housing["county"] == "140322"]
    expected = sum(
        room * SHARES[structure][CLASS_DEGREE[name]] * affected / yuxian["population"]
        for structure, room in zip(mine["structure"], mine["rooms"], strict=True)
        for name, affected in yuxian["by_class"].items()
    )
    got = {r["code"]: r for r in houses["by_county"]}["140322"]["collapsed_rooms"]
    assert got == pytest.approx(expected, abs=1.0)  # whole rooms, largest remainder


def test_quake_refuses_a_magnitude_in_one_line(tmp_path, capsys):
    code = main(
        [
            "quake",
            "--magnitude",
            "9.9",
            "--lon",
            "113.4",
            "--lat",
            "38.0",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["reliefgis: error: magnitude: expected a number from 3.0 to 9.5, got 9.9"]


def test_quake_maps_show_numerals_epicentre_houses_and_sources(yuxian_quake):
    out, body, _ = yuxian_quake
    assert (out / "assessment.xlsx").is_file()
    quake_ = body["earthquake"]
    labels_ = [d["label"] for d in quake_["degrees"]]
    assert labels_ == ["Ⅵ", "Ⅶ", "Ⅷ"]
    text = pdf_text(out / "map.pdf")
    for numeral in labels_:
        assert numeral in text
    assert "震中" in text
    assert "倒塌（间）" in text
    assert "死亡人数估算" in text
    assert "汪素云" in text  # the attenuation relation's citation, in the sources
    assert "Jaiswal" in text  # the damage and fatality models' citations
    yuxian = {r["code"]: r for r in quake_["houses"]["by_county"]}["140322"]
    assert f"{yuxian['collapsed_rooms']:,}" in text
    html = (out / "map.html").read_text(encoding="utf-8")
    assert html.count("rg-quake-degree") == len(labels_)
    assert all(f"估算烈度 {numeral} 度" in html for numeral in labels_)  # their tooltips
    assert html.count("rg-quake-epicentre") == 1


def test_collapsed_rooms_below_a_plan_that_counts_severe_damage_are_a_lower_bound(yuxian_quake):
    _, body, printed = yuxian_quake
    criteria = {c["indicator"]: c for c in body["response"]["criteria"]}
    rooms = criteria["collapsed_rooms"]
    assert rooms["name"] == "倒塌和严重损坏房屋间数"  # 阳泉 §5.x.1(3)
    assert rooms["value"] == body["earthquake"]["houses"]["collapsed_rooms"]
    assert LOWER_BOUND in rooms["basis"]
    assert rooms["lower_bound"] is True
    assert criteria["relocated"]["lower_bound"] is False  # an estimate of the whole figure
    assert "collapsed_or_severe_rooms" not in criteria  # 阳泉 does not grade it
    assert "下限" in printed


def test_yueqing_earthquake_rule_is_graded_on_estimated_collapsed_or_severe_rooms(tmp_path):
    # 乐清2016 §6.x.1(2): 「房屋倒塌和严重损房」 in rooms, for earthquakes
    _, body, _ = quake(tmp_path, "--plan", "yueqing-2016")
    houses = body["earthquake"]["houses"]
    criteria = {c["indicator"]: c for c in body["response"]["criteria"]}
    severe = criteria["collapsed_or_severe_rooms"]
    assert severe["source"] == "estimated"
    assert severe["value"] == houses["collapsed_rooms"] + (houses["severe_rooms"] or 0)
    assert severe["status"] == "graded"
    assert LOWER_BOUND in severe["basis"]
    assert severe["lower_bound"] is True
    # its general rule d counts collapsed rooms only (「倒塌房屋」): no lower-bound caveat
    assert LOWER_BOUND not in criteria["collapsed_rooms"]["basis"]
    assert criteria["collapsed_rooms"]["lower_bound"] is False


def test_quake_takes_reported_county_figures(tmp_path):
    _, body, _ = quake(
        tmp_path, "--dead-missing", "12", "--by-county", "140322:drought_aid_persons=5"
    )
    criteria = {c["indicator"]: c for c in body["response"]["criteria"]}
    assert criteria["dead_missing"]["value"] == 12
    assert criteria["dead_missing"]["source"] == "reported"
