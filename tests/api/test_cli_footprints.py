"""``reliefgis assess`` on footprint files and a depth raster (tests/flood_files.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from flood_files import DEPTHS, write_files, write_tif

from api.cli import main


def assess(tiny_pack, out, *source: str) -> dict:
    argv = ["assess", *source, "--hazard", "flood", "--plan", "yangquan-2026"]
    assert main([*argv, "--data", str(tiny_pack), "--out", str(out)]) == 0
    return json.loads((out / "assessment.json").read_text())["population"]


def test_a_depth_raster_a_shapefile_and_a_kmz_assess_alike(tiny_pack, tmp_path):
    files = write_files(tmp_path)
    with zipfile.ZipFile(tmp_path / "flood.kmz", "w") as archive:
        archive.write(files["kml"], "doc.kml")
    raster = assess(tiny_pack, tmp_path / "tif", "--hazard-raster", str(files["tif"]))
    shapefile = assess(tiny_pack, tmp_path / "shp", str(files["shp"]))
    kmz = assess(tiny_pack, tmp_path / "kmz", str(tmp_path / "flood.kmz"))
    assert raster["affected"] > 0
    for key in ("affected", "displaced", "by_class", "by_county"):
        assert shapefile[key] == raster[key] == kmz[key], key


def test_a_raster_without_crs_is_one_line(tiny_pack, tmp_path):
    path = write_tif(tmp_path / "nocrs.tif", DEPTHS, None)
    argv = ["assess", "--hazard-raster", str(path), "--hazard", "flood", "--plan", "yangquan-2026"]
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *argv, "--data", str(tiny_pack), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reliefgis: error: nocrs.tif: the raster has no CRS")
    assert "Traceback" not in result.stderr


def test_neither_footprint_nor_raster_is_refused(tiny_pack, tmp_path, capsys):
    assert main(["assess", "--hazard", "flood", "--out", str(tmp_path)]) == 2
    assert "give a FOOTPRINT file or --hazard-raster" in capsys.readouterr().err
