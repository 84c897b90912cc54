"""Relief after the emergency over HTTP: a replayed incident's transitional aid, its
winter–spring relief deadlines, and the register (台账) read back with openpyxl and csv.

阳泉2026 §6.1.1: 「灾害救助应急工作结束后，受灾县（区）应急管理部门及时组织将因灾房屋倒塌或
严重损坏需恢复重建无房可住人员、因次生灾害威胁在外安置无法返家人员……纳入过渡期生活救助范围。」
阳泉2026 §6.1.2: 「……及时建立台账」
阳泉2026 §6.3.2: 「市应急管理局每年9月初开始开展受灾群众冬春生活困难情况调查」
阳泉2026 §6.3.3: 「受灾县（区）应急管理部门应当在每年10月底前……编制工作台账」
乐清2016 §7.2(4): 「确保冬令救济资金春节前发放到户。」 (Spring Festival 2027: 6 February)
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from incident_replay import Replay, refused
from postgres import fresh_database

from api.app import create_app
from api.cli import main
from api.settings import Settings

#: Published Spring Festival dates (正月初一), written out.
SPRING_2027, SPRING_2028 = "2027-02-06", "2028-01-26"


@pytest.fixture(scope="module")
def postgres_url():
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgis"])
def client(request, tiny_pack, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgis" else None
    settings = Settings(data_dir=tiny_pack, state_dir=tmp_path / "state", database_url=url)
    return TestClient(create_app(settings))


def _deadlines(client, run, now):
    answer = client.get(f"{run.url}/deadlines", params={"now": now})
    assert answer.status_code == 200, answer.text
    return {d["label"]: d for d in answer.json()["deadlines"] if d["kind"] == "relief"}


def _yangquan_replay(client) -> Replay:
    """Start at 三级, reports per county (a 核报 supersedes), stable, end."""
    run = Replay(client, "yangquan-2026")
    run.report(
        "01T09:00:00",
        "初报",
        figures={
            "relocated": 6000,
            "collapsed_households": 150,
            "by_county": {"140302": {"collapsed_households": 100, "in_shelters": 50}},
        },
        estimates=["collapsed_households"],
    )
    assert run.decide("01T10:00:00", "start", "市防减救灾委分管副主任", 3).status_code == 201
    run.report(
        "03T09:00:00",
        "核报",
        figures={
            "relocated": 6000,
            "collapsed_households": 130,
            "in_shelters": 80,
            "by_county": {
                "140302": {"collapsed_households": 90, "in_shelters": 50},
                "140303": {"collapsed_households": 30, "in_shelters": 30},
            },
        },
        stable=True,
    )
    return run


def test_after_the_end_transitional_aid_and_the_calendar_appear(client):
    run = _yangquan_replay(client)
    before = run.state()["after_emergency"]
    assert before["response_ended"] is False  # a preview until the end (§6.1.1 「结束后」)
    assert run.decide("04T10:00:00", "end", "市防减救灾委分管副主任").status_code == 201
    after = run.state()["after_emergency"]
    assert after["response_ended"] is True
    aid = after["transitional_aid"]
    assert aid["clause"] == "阳泉2026 §6.1.1"
    assert "因次生灾害威胁在外安置无法返家人员" in aid["rule"]
    rows = {r["name"]: r for r in aid["rows"]}
    # The 核报 supersedes the 初报 county by county; 130 − (90 + 30) = 10 households
    # are the event's beyond its counties (未分县).
    assert rows["西县"]["collapsed_households"] == 90
    assert rows["东县"]["in_shelters"] == 30
    assert rows["未分县"]["collapsed_households"] == 10
    for key in ("collapsed_households", "in_shelters", "households", "persons"):
        assert sum(r[key] or 0 for r in aid["rows"]) == aid["total"][key]
    # 130 households × 2.62 + 80 persons = 420.6 → 421 persons (估算).
    assert aid["total"]["persons"] == 421
    assert (aid["total"]["need"], aid["months"]) == (None, None)
    assert "预案未规定" in aid["standard_note"]
    calendar = after["calendar"]
    assert (calendar["year"], calendar["spring_festival"]) == (2026, SPRING_2027)
    steps = {s["clause"]: s for s in calendar["steps"]}
    assert steps["阳泉2026 §6.3.3"]["due"] == "2026-11-01T00:00:00+08:00"
    # A 续报 sent late but dated before the 核报 does not replace its final figures, and a
    # page of the history answers the same block (the totals are the latest verdict's).
    run.report("02T12:00:00", figures={"by_county": {"140302": {"collapsed_households": 500}}})
    again = client.get(run.url, params={"limit": 1}).json()["after_emergency"]
    assert again["transitional_aid"] == aid


def test_the_relief_steps_are_deadlines_with_their_status(client):
    run = _yangquan_replay(client)
    run.decide("04T10:00:00", "end", "市防减救灾委分管副主任")
    survey, register = "冬春生活困难情况调查开始", "县（区）编制冬春救助工作台账"
    items = _deadlines(client, run, "2026-07-05T12:00:00+08:00")
    assert (items[survey]["status"], items[survey]["reason"]) == ("not_in_force", "waiting")
    assert items[register]["status"] == "due"
    assert items[register]["clause"] == "阳泉2026 §6.3.3"
    items = _deadlines(client, run, "2026-09-05T12:00:00+08:00")
    assert (items[survey]["status"], items[survey]["due"]) == (
        "due",
        "2026-09-11T00:00:00+08:00",
    )
    items = _deadlines(client, run, "2026-11-02T12:00:00+08:00")
    assert items[register]["status"] == "overdue"


def test_the_register_read_back_sums_and_cites_the_plan(client):
    run = _yangquan_replay(client)
    book = client.get(f"{run.url}/register.xlsx")
    assert book.status_code == 200, book.text
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = [r[0] for r in values[: values.index([None] * len(values[-1]))]]
    assert any("阳泉市自然灾害救助应急预案" in line for line in header)
    assert any(line.startswith("依据：阳泉2026 §6.1.1") for line in header)
    assert any("估算" in line for line in header)
    assert any(line == "救助标准（元/人·月）：未规定" for line in header)
    headings = next(r for r in values if r[0] == "区县代码")
    table = values[values.index(headings) + 1 :]
    counties, total = table[:-1], table[-1]
    assert total[1] == "合计"
    for column in (2, 3, 4, 5):
        assert sum(r[column] or 0 for r in counties) == total[column]
    assert [r[1] for r in counties] == ["西县", "东县", "未分县"]
    assert total[6:8] == ["未规定", "未规定"]

    text = client.get(f"{run.url}/register.csv")
    assert text.status_code == 200
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("过渡期生活救助台账（估算）")
    start = next(i for i, r in enumerate(rows) if r and r[0] == "区县代码") + 1
    body = rows[start:]
    assert sum(int(r[5]) for r in body[:-1]) == int(body[-1][5])


def test_the_plan_calendar_view_and_its_year_checked(client):
    answer = client.get("/api/v1/plans/yueqing-2016/relief-calendar", params={"year": 2027})
    assert answer.status_code == 200, answer.text
    calendar = answer.json()
    assert calendar["spring_festival"] == SPRING_2028
    payout = {s["clause"]: s for s in calendar["steps"]}["乐清2016 §7.2(4)"]
    assert payout["due"] == f"{SPRING_2028}T00:00:00+08:00"
    for year in (1999, 2101):
        bad = client.get("/api/v1/plans/jiangsu/relief-calendar", params={"year": year})
        assert refused(bad, "year")["status"] == 422  # the OpenAPI document states the range


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({"in_shelters": -1}, "in_shelters"),
        ({"by_county": {"140302": {"collapsed_households": -3}}}, "collapsed_households"),
        ({"by_county": {"999999": {"in_shelters": 3}}}, "figures.by_county.999999"),
    ],
)
def test_bad_figures_are_refused_naming_the_field_and_store_nothing(client, figures, field):
    run = Replay(client, "yangquan-2026")
    answer = client.post(
        f"{run.url}/reports",
        json={"kind": "初报", "time": "2026-07-01T09:00:00+08:00", "figures": figures},
    )
    assert 400 <= answer.status_code < 500
    assert field in answer.text
    assert run.state()["reports"] == []


def test_the_register_of_an_unknown_incident_is_not_found(client):
    answer = client.get("/api/v1/incidents/nosuchincident/register.xlsx")
    assert answer.status_code == 404
    assert "incident" in answer.json()["detail"]


def test_the_register_from_the_command_line(tiny_pack, tmp_path, monkeypatch, capsys):
    state = tmp_path / "state"
    monkeypatch.setenv("RELIEF_STATE_DIR", str(state))
    monkeypatch.setenv("RELIEF_DATA", str(tiny_pack))
    client = TestClient(create_app(Settings(data_dir=tiny_pack, state_dir=state)))
    run = _yangquan_replay(client)
    out = tmp_path / "台账.xlsx"
    assert main(["incident", "register", run.id, "--out", str(out)]) == 0
    assert "台账已写入" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out).active
    assert any(r[1] == "合计" for r in sheet.iter_rows(values_only=True))
    assert main(["incident", "register", run.id, "--out", str(tmp_path / "x.pdf")]) == 2
    assert capsys.readouterr().err.startswith("reliefgis: error: --out:")
