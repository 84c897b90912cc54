"""A non-editable install carries the package data: plan profiles and the demo pack."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_data_and_console_script(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("reliefgis-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for plan in ("yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"):
        assert f"reliefgis_data/plans/{plan}.toml" in names
    assert "reliefgis_data/yangquan/layers.gpkg" in names
    assert "reliefgis_data/yangquan/population.tif" in names
    assert "geo/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "web/static/index.html" in names
    assert "reliefgis = api.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
