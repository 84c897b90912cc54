"""GET /api/v1/assessments/{id}/export.{fmt}: every format opens in its own reader.

The reference is the assessment JSON the API answered (what the bureau was shown) and
the label table; files are opened with GDAL (pyogrio), openpyxl and python-docx.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile

import pyogrio
import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.resources import demo_pack_dir
from web import labels


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path_factory.mktemp("state"))
    return TestClient(create_app(services=load_services(settings)))


@pytest.fixture(scope="module")
def flood(client):
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    response = client.post("/api/v1/assessments", json={"footprint": footprint, "hazard": "flood"})
    assert response.status_code == 201, response.text
    return response.json()


def _get(client, flood, fmt, **query):
    response = client.get(f"/api/v1/assessments/{flood['id']}/export.{fmt}", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        f'attachment; filename="reliefgis-{flood["id"]}.{fmt}"'
    )
    return response


@pytest.fixture(scope="module")
def shp_zips(client, flood, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shp")
    out = {}
    for encoding in ("utf-8", "gbk"):
        path = folder / f"{encoding}.shp.zip"
        path.write_bytes(_get(client, flood, "shp.zip", crs="4490", encoding=encoding).content)
        out[encoding] = path
    return out


def test_shapefile_zip_has_ascii_fields_a_dictionary_cpg_and_prj(shp_zips, flood):
    archive = zipfile.ZipFile(shp_zips["utf-8"])
    names = set(archive.namelist())
    for layer in ("footprint", "shelters", "routes", "counties", "depots"):
        assert {f"{layer}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        assert archive.read(f"{layer}.cpg").decode().strip() == "UTF-8"
        assert "China_2000" in archive.read(f"{layer}.prj").decode()
        info = pyogrio.read_info(f"/vsizip/{shp_zips['utf-8']}/{layer}.shp")
        assert info["crs"] == "EPSG:4490"
        for field in info["fields"]:
            assert field.isascii(), field
            assert len(field) <= 10, field
    dictionary = list(csv.reader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    rows = {(r[0], r[1]): r for r in dictionary[1:]}
    assert rows[("shelters", "conflict_c")][2:] == ["conflict_count", "冲突隐患区个数"]
    shelters = pyogrio.read_dataframe(f"/vsizip/{shp_zips['utf-8']}/shelters.shp")
    assert len(shelters) == len(flood["shelters"])
    assert shelters["name"].tolist() == [s["name"] for s in flood["shelters"]]
    assert shelters["status_zh"].tolist() == [
        labels.SHELTER_STATUS[s["status"]] for s in flood["shelters"]
    ]


def test_a_gbk_shapefile_reads_back_identical(shp_zips):
    archive = zipfile.ZipFile(shp_zips["gbk"])
    assert archive.read("shelters.cpg").decode().strip() == "GBK"
    for layer in ("shelters", "counties", "depots", "footprint", "routes"):
        utf8 = pyogrio.read_dataframe(f"/vsizip/{shp_zips['utf-8']}/{layer}.shp")
        gbk = pyogrio.read_dataframe(f"/vsizip/{shp_zips['gbk']}/{layer}.shp")
        assert gbk.drop(columns="geometry").equals(utf8.drop(columns="geometry")), layer
        assert gbk.geometry.geom_equals(utf8.geometry).all(), layer


def test_kml_has_footprint_shelters_by_status_depots_and_routes(client, flood, tmp_path):
    path = tmp_path / "a.kml"
    path.write_bytes(_get(client, flood, "kml").content)
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == ["灾害范围", "物资调运路线", "物资储备库", "避难场所"]
    shelters = pyogrio.read_dataframe(path, layer="避难场所")
    assert shelters["Name"].tolist() == [s["name"] for s in flood["shelters"]]
    assert pyogrio.read_info(path, layer="避难场所")["crs"] == "EPSG:4326"
    routes = pyogrio.read_info(path, layer="物资调运路线")["features"]
    assert routes == len(flood["supply"]["routes"]["features"])
    text = path.read_text(encoding="utf-8")
    for s in flood["shelters"]:
        rgb = labels.STATUS_COLORS[s["status"]].lstrip("#")
        # KML colours are aabbggrr.
        assert f"ff{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}" in text


def test_xlsx_sheets_county_totals_and_numbers(client, flood):
    book = load_workbook(io.BytesIO(_get(client, flood, "xlsx", crs="EPSG:4490").content))
    assert book.sheetnames == ["概况", "各区县", "避难场所", "物资调运", "物资缺口"]
    counties = book["各区县"]
    assert counties.freeze_panes == "A2"
    rows = list(counties.iter_rows(values_only=True))
    assert rows[0] == ("区县代码", "区县", "受灾人口", "需转移安置", "无处安置")
    by_county = flood["population"]["by_county"]
    assert [r[0] for r in rows[1:-1]] == [c["code"] for c in by_county]
    total = rows[-1]
    assert total[0] == "合计"
    assert total[2] == flood["population"]["affected"]
    assert total[3] == flood["population"]["displaced"]
    assert all(isinstance(r[2], int) for r in rows[1:])
    summary = {r[0]: r for r in book["概况"].iter_rows(values_only=True)}
    assert summary["响应级别"][1] == f"{flood['response']['label']}响应"
    criterion = flood["response"]["criteria"][0]
    assert summary[criterion["name"]][1:3] == (criterion["value"], criterion["clause"])
    assert summary["坐标系"][1] == "EPSG:4490"


def test_csv_per_county_is_utf8_with_bom(client, flood):
    response = _get(client, flood, "csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["区县代码", "区县"]
    assert rows[-1][0] == "合计"
    assert int(rows[-1][2]) == flood["population"]["affected"]


def test_docx_briefing_in_report_order_with_the_map(client, flood):
    document = Document(io.BytesIO(_get(client, flood, "docx").content))
    styles = ("Heading", "Title")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(styles)]
    assert headings == [
        "灾情评估简报",
        "一、灾情概况",
        "二、分区县受灾情况",
        "三、响应级别",
        "四、避难场所",
        "五、物资保障与缺口",
        "六、说明",
    ]
    assert len(document.inline_shapes) == 1
    text = "\n".join(p.text for p in document.paragraphs)
    assert flood["response"]["criteria"][0]["clause"] in text
    assert flood["response"]["decision"]["decided_by"] in text
    assert flood["population"]["notice"] in text
    county_rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert county_rows[-1][0] == "合计"
    assert int(county_rows[-1][2]) == flood["population"]["affected"]


def test_gpkg_in_cgcs2000_carries_qgis_styles(client, flood, tmp_path):
    path = tmp_path / "a.gpkg"
    path.write_bytes(_get(client, flood, "gpkg", crs="4490").content)
    assert pyogrio.read_info(path, layer="shelters")["crs"] == "EPSG:4490"
    with sqlite3.connect(path) as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    assert set(styles) == {"shelters", "routes", "footprint", "counties", "depots"}
    for status, colour in labels.STATUS_COLORS.items():
        rgb = ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
        assert f'value="{status}"' in styles["shelters"]
        assert f"{rgb},255" in styles["shelters"]
    assert f'value="{labels.SCREEN_STYLES["routes"]["weight"]}"' in styles["routes"]


@pytest.mark.parametrize(
    ("fmt", "query", "field"),
    [
        ("pdf", {}, "format"),
        ("kml", {"crs": "3857"}, "crs"),
        ("shp.zip", {"encoding": "latin-1"}, "encoding"),
    ],
)
def test_bad_format_crs_or_encoding_is_a_4xx_naming_the_field(client, flood, fmt, query, field):
    response = client.get(f"/api/v1/assessments/{flood['id']}/export.{fmt}", params=query)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.text
