"""The example SOURCES.toml rebuilds the demo pack from Shapefile, CSV (GCJ-02) and XLSX exports.

References: the demo pack itself as GDAL reads it (geometries within 1 m, attributes
equal), and the shelters' GCJ-02 coordinates were made by the fixture script's own forward
formula (scripts/packs/export_yangquan_sources.py), not by reliefgis.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from api.cli import main
from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.resources import demo_pack_dir

SOURCES = Path(__file__).resolve().parents[3] / "data" / "sources" / "yangquan" / "SOURCES.toml"
METRIC = "EPSG:4547"
LAYERS = ("counties", "shelters", "depots", "depot_stock", "hazard_zones", "roads", "housing")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rebuilt") / "yangquan"
    assert main(["pack", "build", str(SOURCES), "--out", str(out)]) == 0
    return out


def _read(folder: Path, name: str) -> pd.DataFrame:
    gpkg = folder / "layers.gpkg"
    if name in ("depot_stock", "housing"):
        return pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
    return gpd.read_file(gpkg, layer=name, engine="pyogrio")


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):  # type: ignore[call-overload]
        return True
    if isinstance(a, (int, float, np.integer, np.floating, bool, np.bool_)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)  # type: ignore[arg-type]
    return str(a) == str(b)


@pytest.mark.parametrize("name", LAYERS)
def test_rebuilt_layer_equals_the_demo_layer(rebuilt, name):
    demo, built = _read(demo_pack_dir(), name), _read(rebuilt, name)
    assert len(built) == len(demo)
    for column in demo.columns:
        if column == "geometry":
            continue
        assert column in built.columns, column
        pairs = zip(demo[column].tolist(), built[column].tolist(), strict=True)
        wrong = [(a, b) for a, b in pairs if not _same(a, b)]
        assert not wrong, (column, wrong[:3])
    if isinstance(demo, gpd.GeoDataFrame):
        a = demo.to_crs(METRIC).geometry.to_numpy()
        b = built.to_crs(METRIC).geometry.to_numpy()
        gap = shapely.hausdorff_distance(a, b)
        assert float(np.max(gap)) < 1.0


def test_gcj02_shelters_come_back_within_a_metre(rebuilt):
    demo = _read(demo_pack_dir(), "shelters").to_crs(METRIC)
    built = _read(rebuilt, "shelters").to_crs(METRIC)
    shift = demo.geometry.distance(built.geometry, align=False)
    assert shift.max() < 1.0
    # the CSV itself is hundreds of metres off: the conversion did the work
    csv = pd.read_csv(SOURCES.parent / "shelters_gcj02.csv", dtype={"编号": str})
    raw = gpd.GeoSeries(gpd.points_from_xy(csv["经度"], csv["纬度"]), crs="EPSG:4326").to_crs(
        METRIC
    )
    assert raw.distance(demo.geometry.reset_index(drop=True), align=False).min() > 100


def test_the_rebuilt_pack_carries_its_report(rebuilt):
    text = (rebuilt / "validation.md").read_text(encoding="utf-8")
    assert "可用 usable" in text
    assert text.startswith("# 图层包检查报告 Layer pack validation — 阳泉市（演示）")
    assert "| roads | 2917 |" in text


def test_assessing_on_the_rebuilt_pack_gives_the_demo_totals(rebuilt):
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    answers = []
    for pack in (demo_pack_dir(), rebuilt):
        settings = replace(Settings.from_env(), data_dir=pack, compute_processes=0)
        services = load_services(settings, with_store=False)
        body, _ = run_assessment(
            services, footprint=footprint, hazard="flood", plan=None, figures={}, title=None
        )
        answers.append(body)
    demo, built = answers
    assert demo["population"]["affected"] > 0
    for key in ("affected", "displaced"):
        assert built["population"][key] == demo["population"][key]
    # The counties come back from Gauss-Kruger metres and are densified there, so a border
    # may move a cell-share: whole persons per county may then round the other way by one.
    rows = zip(built["population"]["by_county"], demo["population"]["by_county"], strict=True)
    for b, d in rows:
        assert b["code"] == d["code"]
        assert abs(b["affected"] - d["affected"]) <= 1
    assert [s["status"] for s in built["shelters"]] == [s["status"] for s in demo["shelters"]]
