"""``reliefgis pack build / check / init`` on the tiny pack exported as a bureau's files.

References: the tiny pack's own layers (tests/packs.py), written here by GDAL and pandas
to Shapefile, CSV, XLSX, KML and GeoPackage; refusals quote the file, layer, row, column.
"""

from __future__ import annotations

import importlib.util
import math
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from packs import TINY_CRS, X0, Y0, tiny_layers, write_pack
from shapely.geometry import LineString, Point, Polygon

from api.cli import main
from layers.pack import read_pack

SOURCES = """\
[layers.counties]
file = "counties"
encoding = "GBK"
rename = {{ DM = "code", MC = "name", RK = "population", NYRK = "agri_population" }}

[layers.shelters]
file = "shelters.csv"
x = "经度"
y = "纬度"
datum = "{datum}"
rename = {{ "编号" = "id", "名称" = "name", "容纳人数" = "capacity", "类型" = "kind" }}
values.kind = {{ "紧急" = "emergency", "短期" = "short_term", "长期" = "long_term" }}

[layers.depots]
file = "depots.xlsx"
layer = "储备库"
x = "X"
y = "Y"
crs = "{crs}"

[layers.depot_stock]
file = "depots.xlsx"
layer = "库存"

[layers.hazard_zones]
file = "hazards.kml"

[layers.roads]
file = "roads.gpkg"

[population]
file = "population.tif"
"""


def export(folder: Path, *, datum: str = "WGS84", crs: str = TINY_CRS, **edits) -> Path:
    """The tiny pack as a bureau's files in ``folder``, with SOURCES.toml; ``edits`` per layer."""
    folder.mkdir(parents=True, exist_ok=True)
    layers = tiny_layers()
    counties = layers["counties"].rename(
        columns={"code": "DM", "name": "MC", "population": "RK", "agri_population": "NYRK"}
    )
    (folder / "counties").mkdir()
    counties.to_file(folder / "counties" / "counties.shp", engine="pyogrio", encoding="GBK")
    (folder / "counties" / "counties.cpg").unlink(missing_ok=True)
    shelters = layers["shelters"].to_crs("EPSG:4326")
    table = pd.DataFrame(
        {
            "编号": shelters["id"],
            "名称": shelters["name"],
            "容纳人数": shelters["capacity"],
            "类型": ["紧急", "短期", "长期"],
            "经度": shelters.geometry.x,
            "纬度": shelters.geometry.y,
        }
    )
    table = edits.get("shelters", lambda t: t)(table)
    table.to_csv(folder / "shelters.csv", index=False)
    depots = layers["depots"]
    sheet = pd.DataFrame(depots.drop(columns="geometry"))
    sheet["X"], sheet["Y"] = depots.geometry.x, depots.geometry.y
    with pd.ExcelWriter(folder / "depots.xlsx", engine="openpyxl") as book:
        sheet.to_excel(book, sheet_name="储备库", index=False)
        layers["depot_stock"].to_excel(book, sheet_name="库存", index=False)
    hazards = layers["hazard_zones"].to_crs("EPSG:4326")
    hazards.to_file(folder / "hazards.kml", driver="LIBKML", engine="pyogrio")
    edits.get("roads", lambda r: r)(layers["roads"]).to_file(folder / "roads.gpkg", layer="roads")
    write_pack(folder / "raster")
    (folder / "raster" / "population.tif").rename(folder / "population.tif")
    (folder / "SOURCES.toml").write_text(SOURCES.format(datum=datum, crs=crs), encoding="utf-8")
    return folder / "SOURCES.toml"


def build(sources: Path, out: Path) -> int:
    return main(["pack", "build", str(sources), "--out", str(out)])


def test_a_bureaus_files_become_the_tiny_pack(tmp_path, capsys):
    out = tmp_path / "pack"
    assert build(export(tmp_path / "src"), out) == 0
    pack = read_pack(out)
    expected = tiny_layers()
    for name in ("counties", "shelters", "depots", "hazard_zones", "roads"):
        built, want = getattr(pack, name), expected[name].to_crs("EPSG:4326")
        gap = built.geometry.to_crs(TINY_CRS).distance(want.geometry.to_crs(TINY_CRS), align=False)
        assert gap.max() < 0.01, name
    assert list(pack.counties["name"]) == ["西县", "东县"]  # GBK read as told
    assert list(pack.counties["code"]) == ["140302", "140303"]
    assert list(pack.shelters["kind"]) == ["emergency", "short_term", "long_term"]
    assert list(pack.hazard_zones["risk"]) == ["high"]
    assert pack.depot_stock["quantity"].tolist() == [50.0, 400.0, 20.0]
    assert pack.agri_population("140303") == ("东县", None)
    report = capsys.readouterr().out
    assert "可用 usable" in report
    assert (out / "validation.md").read_text(encoding="utf-8").strip() == report.strip()


def _gcj_to_bd(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's published GCJ-02 → BD-09 step (a small rotation and a shift), written out here."""
    radius = math.hypot(lon, lat) + 0.00002 * math.sin(lat * math.pi * 3000 / 180)
    angle = math.atan2(lat, lon) + 0.000003 * math.cos(lon * math.pi * 3000 / 180)
    return radius * math.sin(angle) + 0.006, radius * math.cos(angle) + 0.0065


@pytest.mark.parametrize("datum", ["GCJ-02", "BD-09"])
def test_web_map_points_are_brought_to_wgs84(tmp_path, datum):
    # The forward formula written out in the fixture script, independent of geo/.
    script = Path(__file__).resolve().parents[3] / "scripts/packs/export_yangquan_sources.py"
    spec = importlib.util.spec_from_file_location("export_yangquan_sources", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def forward(lat: float, lon: float) -> tuple[float, float]:
        gcj = module.wgs2gcj(lat, lon)
        return gcj if datum == "GCJ-02" else _gcj_to_bd(*gcj)

    def shifted(table):
        moved = [forward(lat, lon) for lon, lat in zip(table["经度"], table["纬度"], strict=True)]
        table["经度"] = [lon for _, lon in moved]
        table["纬度"] = [lat for lat, _ in moved]
        return table

    out = tmp_path / "pack"
    assert build(export(tmp_path / "src", datum=datum, shelters=shifted), out) == 0
    built = read_pack(out).shelters.to_crs(TINY_CRS)
    want = tiny_layers()["shelters"]
    # about a centimetre: the script's formula takes WGS84's semi-major axis, geo/ Krasovsky's
    assert built.distance(want, align=False).max() < 0.05


def refusal(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("reliefgis: error:")
    return err[-1]


def nothing_written(tmp_path: Path) -> None:
    assert not (tmp_path / "pack").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["src"]  # no staging folder left


def test_a_bad_cell_is_one_line_naming_file_layer_row_column(tmp_path, capsys):
    def bad(table):
        table["容纳人数"] = ["100", "两百", "300"]
        return table

    assert build(export(tmp_path / "src", shelters=bad), tmp_path / "pack") == 2
    line = refusal(capsys)
    assert "shelters.csv" in line
    assert "'shelters'" in line
    assert "row 3" in line
    assert "'capacity'" in line
    assert "'两百'" in line
    nothing_written(tmp_path)


def test_a_gcj02_point_outside_china_names_its_row(tmp_path, capsys):
    def abroad(table):
        table.loc[2, "经度"] = 2.35  # Paris
        table.loc[2, "纬度"] = 48.85
        return table

    assert build(export(tmp_path / "src", datum="GCJ-02", shelters=abroad), tmp_path / "pack") == 2
    line = refusal(capsys)
    assert "row 4" in line
    assert "outside China" in line
    assert "shelters.csv" in line
    nothing_written(tmp_path)


def test_a_crs_pyproj_cannot_parse_names_the_key(tmp_path, capsys):
    assert build(export(tmp_path / "src", crs="EPSG:999999"), tmp_path / "pack") == 2
    assert "layers.depots.crs" in refusal(capsys)
    nothing_written(tmp_path)


def test_a_raster_without_crs_is_refused(tmp_path, capsys):
    sources = export(tmp_path / "src")
    raster = sources.parent / "population.tif"
    with rasterio.open(raster) as src:
        profile, data = src.profile, src.read()
    profile.pop("crs")
    with rasterio.open(raster, "w", **profile) as dst:
        dst.write(data)
    assert build(sources, tmp_path / "pack") == 2
    line = refusal(capsys)
    assert "population.tif" in line
    assert "no CRS" in line
    nothing_written(tmp_path)


def test_a_refused_pack_is_reported_and_not_written(tmp_path, capsys):
    def twice(table):
        table.loc[2, "编号"] = "S1"
        return table

    assert build(export(tmp_path / "src", shelters=twice), tmp_path / "pack") == 2
    out = capsys.readouterr().out
    assert "不可用 refused" in out
    assert "repeated: ['S1']" in out
    nothing_written(tmp_path)


def test_warnings_codes_outside_points_population_and_cut_off_roads(tmp_path, capsys):
    layers = tiny_layers()
    layers["counties"]["code"] = ["1403", "140303"]
    layers["shelters"].loc[2, "geometry"] = Point(X0 + 30_000, Y0 + 5_000)
    layers["roads"] = gpd.GeoDataFrame(
        {"highway": ["primary", "primary"]},
        geometry=[
            LineString([(X0 + 500, Y0 + 500), (X0 + 2_500, Y0 + 2_500)]),
            LineString([(X0 + 7_000, Y0 + 7_500), (X0 + 8_000, Y0 + 7_500)]),
        ],
        crs=TINY_CRS,
    )
    bowtie = Polygon([(X0 + 7_000, Y0 + 7_000), (X0 + 7_300, Y0 + 7_300),
                      (X0 + 7_300, Y0 + 7_000), (X0 + 7_000, Y0 + 7_300)])  # fmt: skip
    layers["hazard_zones"] = layers["hazard_zones"].set_geometry([bowtie], crs=TINY_CRS)
    layers["hazard_zones"]["kind"] = ["mudslide"]
    population = np.full((10, 20), 10, dtype="int32")  # 2,000 against the table's 3,000
    pack = write_pack(tmp_path / "pack", layers, population)
    assert main(["pack", "check", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "已修复 repaired: hazard_zones row 0 (id H1): invalid geometry (Self-intersection" in out
    assert "column 'kind': ['mudslide'] not among the kinds" in out
    assert "['1403'] are not 6-digit GB/T 2260 county codes" in out
    assert "1 outside every county: ['S3']" in out
    assert "differs from the counties' population 3,000 by -33.3%" in out
    assert "falls into 2 unconnected parts" in out
    assert "孤立避难场所 shelters cut off: S2, S3" in out
    assert (pack / "validation.md").is_file()
    assert main(["layers", "--data", str(pack)]) == 0
    assert "路网连通分量 2 个" in capsys.readouterr().out


def test_check_refuses_a_pack_with_a_missing_column(make_pack, capsys):
    pack = make_pack(depots=tiny_layers()["depots"].drop(columns="level"))
    assert main(["pack", "check", str(pack)]) == 2
    assert "layer 'depots', column 'level': missing" in capsys.readouterr().out


def test_init_writes_a_template_that_reads(tmp_path, capsys):
    target = tmp_path / "SOURCES.toml"
    assert main(["pack", "init", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "datum" in text
    assert "GCJ-02" in text
    assert "[population]" in text
    assert main(["pack", "init", str(target)]) == 2  # never overwrites unasked
    # the template reads: what stops it is only the files it names, one line
    assert build(target, tmp_path / "pack") == 2
    assert "file not found" in refusal(capsys)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[layers.counties]\nfile = 1\n", "layers.counties.file: expected text"),
        ('[layers.x]\nfile = "a.csv"\nflie = 2\n', "layers.x.flie: unknown key"),
        ('[layers.x]\nfile = "a.csv"\ndatum = "Beijing54"\n', "layers.x.datum"),
        ('[layers.x]\nfile = "a.csv"\n', "population.file: missing"),
        ("not toml =", "cannot be read as UTF-8 TOML"),
    ],
)
def test_a_bad_sources_file_names_the_key(tmp_path, capsys, text, message):
    sources = tmp_path / "src" / "SOURCES.toml"
    sources.parent.mkdir()
    sources.write_text(textwrap.dedent(text), encoding="utf-8")
    assert build(sources, tmp_path / "pack") == 2
    assert message in refusal(capsys)


def test_a_gbk_shapefile_without_cpg_or_encoding_asks_for_the_encoding(tmp_path, capsys):
    sources = export(tmp_path / "src")
    text = sources.read_text(encoding="utf-8").replace('encoding = "GBK"\n', "", 1)
    sources.write_text(text, encoding="utf-8")
    assert build(sources, tmp_path / "pack") == 2
    line = refusal(capsys)
    assert "'counties'" in line
    assert "feature 0, column 'MC'" in line
    assert 'encoding = "GBK"' in line
    nothing_written(tmp_path)
