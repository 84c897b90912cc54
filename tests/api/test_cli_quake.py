"""``reliefgis quake`` on the demo pack: one command from magnitude to a level and maps."""

from __future__ import annotations

import json

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
