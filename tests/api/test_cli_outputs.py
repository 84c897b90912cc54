"""``assess`` prints map.pdf in a forked copy (api/cli_outputs.py): failures still reported.

The copy is forked before the assessment; when it cannot print, the command prints the
map itself and reports the error in one line; when the assessment is refused, the copy
is stopped and no map is written.
"""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys

import psutil

from api.cli import main
from layers.resources import demo_pack_dir

FOOTPRINT = demo_pack_dir() / "footprints" / "landslide_yuxian.geojson"


def _collector_as_before() -> bool:
    """The collector is on and holds no frozen objects (`collected_after_start_up` undone)."""
    return gc.isenabled() and gc.get_freeze_count() == 0


def _children() -> set[int]:
    """This process's child pids (earlier tests may have left multiprocessing's fork server)."""
    return {child.pid for child in psutil.Process().children()}


def test_a_font_the_copy_cannot_find_is_reported_once(tmp_path, capsys):
    out = tmp_path / "out"
    before = _children()
    argv = ["assess", str(FOOTPRINT), "--hazard", "landslide", "--out", str(out)]
    assert main([*argv, "--font", str(tmp_path / "no-such-font.ttf")]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("reliefgis: error: ")
    assert "no-such-font.ttf" in error
    assert json.loads((out / "assessment.json").read_text(encoding="utf-8"))["hazard"]
    assert not (out / "map.pdf").exists()
    assert _children() <= before
    assert _collector_as_before()


def test_a_refused_assessment_stops_the_copy(tmp_path, capsys):
    far = tmp_path / "far.geojson"
    ring = [[100.0, 20.0], [100.1, 20.0], [100.1, 20.1], [100.0, 20.1], [100.0, 20.0]]
    far.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}), encoding="utf-8")
    out = tmp_path / "out"
    before = _children()
    assert main(["assess", str(far), "--hazard", "flood", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("reliefgis: error: ")
    assert not (out / "map.pdf").exists()
    assert _children() <= before
    assert _collector_as_before()


def test_the_copy_prints_the_paper_asked_for(tmp_path):
    """In a fresh process (no other thread): the copy prints, this process writes map.html."""
    out = tmp_path / "out"
    argv = ["assess", str(FOOTPRINT), "--hazard", "landslide", "--out", str(out), "--paper", "A4"]
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *argv], capture_output=True, text=True, check=True
    )
    assert "map.html" in done.stderr
    assert "map.pdf]" not in done.stderr
    pdf = (out / "map.pdf").read_bytes()
    assert re.search(rb"/MediaBox \[ 0 0 841\.88\d* 595\.27\d* \]", pdf)  # A4 landscape, in points
