"""Whole incidents replayed for each of the four plans: a warning (forecast), start, reports
rising and falling, raise, stability, end — the level in force, the recommendation and every
deadline checked at chosen instants against the plans' clauses (quoted), on SQLite and on
PostGIS; the warning record is still there at the end.

Only a decision changes the level in force; graded reports recommend. Times are China
Standard Time; 2026-07-01 is a Wednesday.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from incident_replay import FOOTPRINT, Replay, refused
from postgres import fresh_database

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def postgres_url():
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgis"])
def client(request, tiny_pack, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgis" else None
    settings = Settings(data_dir=tiny_pack, state_dir=tmp_path / "state", database_url=url)
    return TestClient(create_app(settings))


# 攀枝花2024 §4.1.6: 「灾情稳定前……对启动市级及以上自然灾害救助应急响应的自然灾害，
#   执行 24 小时零报告制度。」
# §5.4.2: 「由市防灾减灾救灾委员会办公室副主任（市应急管理局分管负责同志）决定启动四级响应状态」
# §5.3.2: 「市防灾减灾救灾委员会办公室主任（市应急管理局主要负责同志）决定启动三级响应」
# §5.7: 「救灾应急工作结束后，经研判，市防灾减灾救灾委员会办公室提出建议，
#   启动响应的相应权限决定终止响应。」
# §5.6: 「县（区）启动三级以上县（区）级自然灾害救助应急响应的，
#   应及时向市防灾减灾救灾委员会办公室报告。」
# §3(3) 灾害救助准备: 「做好救灾物资紧急调拨和调运准备工作。」
def test_panzhihua_a_falling_report_does_not_end_the_zero_report(client):
    run = Replay(client, "panzhihua-2024", warning="01T06:00:00")
    assert run.deadlines("01T07:00:00")["initial"]["reason"] == "warning"
    assert run.tick("01T07:00:00", "3", "市应急管理局")["clause"] == "攀枝花2024 §3(3)"
    run.disaster("01T08:00:00")
    first = run.report("01T08:30:00", "初报", figures={"relocated": 1500})
    assert first["verdict"]["recommendation"]["gap_text"] == "建议启动四级响应，尚未决定"
    assert run.state()["level_in_force"] is None
    assert run.deadlines("01T08:45:00")["update"]["reason"] == "level"

    started = run.decide("01T09:00:00", "start", "市防灾减灾救灾委员会办公室副主任", 4)
    assert started.status_code == 201, started.text
    assert started.json()["clause"].startswith("攀枝花2024 §5.4.2：")
    assert run.deadlines("01T20:00:00")["update"]["due"] == "2026-07-02T09:00:00+08:00"

    # 500 relocated: the figures call for no level, the response stays at 四级 (§4.1.6).
    fallen = run.report("02T08:00:00", figures={"relocated": 500})["verdict"]
    assert (fallen["level"], fallen["recommendation"]["relation"]) == (None, "end")
    state = run.state()
    assert (state["level_in_force"], state["level_in_force_label"]) == (4, "四级")
    update = run.deadlines("02T12:00:00")["update"]
    assert (update["status"], update["due"], update["clause"]) == (
        "due",
        "2026-07-03T08:00:00+08:00",
        "攀枝花2024 §4.1.6",
    )

    risen = run.report("02T10:00:00", figures={"relocated": 6000})["verdict"]
    assert risen["recommendation"]["gap_text"] == "建议提升至三级，尚未决定"
    assert risen["recommendation"]["clauses"] == ["攀枝花2024 §5.3.1(一)(2)"]
    wrong = run.decide("02T11:00:00", "raise", "市防灾减灾救灾委员会办公室副主任", 3)
    assert "市防灾减灾救灾委员会办公室主任" in refused(wrong, "decided_by")["detail"]
    assert (
        run.decide("02T11:00:00", "raise", "市防灾减灾救灾委员会办公室主任", 3).status_code == 201
    )
    state = run.state()
    assert state["level_in_force"] == 3
    assert (state["recommendation"]["relation"], state["recommendation"]["gap"]) == ("same", False)

    county = "县（区）启动三级以上响应报市防灾减灾救灾委员会办公室"
    assert run.deadlines("02T11:30:00")[county]["status"] == "not_in_force"
    run.county("02T09:00:00", "米易县", 3)
    items = run.deadlines("02T12:00:00")
    assert (items[county]["status"], items[county]["clause"]) == ("met", "攀枝花2024 §5.6")
    assert items["所涉及县（区）启动对应县（区）级响应"]["status"] == "met"

    run.report("03T10:00:00", figures={"relocated": 6100}, stable=True)
    assert run.deadlines("03T12:00:00")["update"]["reason"] == "stable"
    ended = run.decide("04T10:00:00", "end", "市防灾减灾救灾委员会办公室主任")
    assert ended.json()["clause"].startswith("攀枝花2024 §5.7：")
    state = run.state()
    assert (state["level_in_force"], state["ended"]) == (None, "2026-07-04T02:00:00Z")
    refused(run.decide("04T11:00:00", "end", "市防灾减灾救灾委员会办公室主任"), "action")
    # After the end: transitional aid (§6.1.1, 「灾害救助应急工作结束后」) and the winter–spring
    # calendar (§6.3.2 「每年9月下旬」, §6.3.3 「每年10月底前」) as deadlines of the year.
    after = run.state()["after_emergency"]
    assert after["response_ended"] is True
    assert after["transitional_aid"]["clause"] == "攀枝花2024 §6.1.1"
    items = run.deadlines("04T12:00:00")
    survey = items["组织开展受灾群众冬春救助工作"]
    assert (survey["status"], survey["reason"], survey["clause"]) == (
        "not_in_force",
        "waiting",
        "攀枝花2024 §6.3.2",
    )
    register = items["县（区）编制冬春救助工作台账"]
    assert (register["status"], register["due"]) == ("due", "2026-11-01T00:00:00+08:00")
    late = run.report("05T10:00:00", "核报", figures={"relocated": 6100})["verdict"]
    assert (late["after_end"], late["flag"]) == (True, "响应终止后报送：按迟报的核报处理")
    assert [d["action"] for d in run.state()["decisions"]] == ["start", "raise", "end"]
    run.warning_kept("3")


# 阳泉2026 §4.1.6: 「重特大自然灾害灾情稳定前，各级应急管理部门执行灾情 24 小时零报告制度」 (the p
# lan's
# own 一级 and 二级). §5.3.2: 「市防减救灾委常务副主任或分管副主任决定启动三级响应」 §5.2.2:
# 「市防减救灾委常务副主任报主任决定」 §5.7: 「按启动响应的相应权限终止响应」
# §3(1) 灾害救助准备: 「向可能受到影响的县（区）防灾减灾救灾委员会或应急管理部门通报预警预报信息」
def test_yangquan_zero_report_holds_at_level_two_until_declared_stable(client):
    run = Replay(client, "yangquan-2026", warning="01T05:00:00")
    first = run.opened["warning"]["checklist"]["items"][0]
    assert first["units"] == ["市防减救灾办", "县（区）防灾减灾救灾委员会或应急管理部门"]
    run.tick("01T05:30:00", "1", "市防减救灾办")
    run.disaster("01T08:00:00")
    run.report("01T09:00:00", "初报", figures={"relocated": 6000})
    assert run.decide("01T10:00:00", "start", "市防减救灾委分管副主任", 3).status_code == 201
    assert run.deadlines("01T12:00:00")["update"]["reason"] == "level"
    risen = run.report("01T14:00:00", figures={"relocated": 45000})["verdict"]
    assert risen["recommendation"]["gap_text"] == "建议提升至二级，尚未决定"
    assert run.state()["recommendation"]["gap_text"] == "建议提升至二级，尚未决定"
    assert run.decide("01T15:00:00", "raise", "市防减救灾委主任", 2).status_code == 201
    update = run.deadlines("01T16:00:00")["update"]
    assert (update["status"], update["due"]) == ("due", "2026-07-02T15:00:00+08:00")
    assert run.deadlines("02T16:00:00")["update"]["status"] == "overdue"
    run.report("02T16:30:00", figures={"relocated": 30000})
    # Figures fall to 三级; the response stays at 二级 and so does the zero report.
    assert run.state()["recommendation"]["gap_text"] == "建议降低至三级，尚未决定"
    assert run.deadlines("02T18:00:00")["update"]["due"] == "2026-07-03T16:30:00+08:00"
    stable = run.decide("03T09:00:00", "lower", "市防减救灾委常务副主任", 3, stable=True)
    assert stable.status_code == 201, stable.text
    items = run.deadlines("03T10:00:00")
    assert (items["update"]["status"], items["update"]["reason"]) == ("not_in_force", "stable")
    assert items["final"]["status"] == "due"  # 「灾情稳定后……及时组织上报」, no number
    run.decide("04T09:00:00", "end", "市防减救灾委常务副主任")
    assert run.state()["level_in_force"] is None
    run.warning_kept("1")


# 江苏 §4.1.6: 「自然灾害灾情稳定前，相关地方各级应急管理部门执行灾情24小时零报告制度」 (every dis
# aster);
# §5.7 响应提升 「按照启动响应的相应权限提升响应等级」; §5.8 响应终止; §5.6.2: 「设区市启动三级以
# 上自然灾害
# 救助应急响应的，应及时向省应急管理厅报告。」
# §3(3): 「做好救灾物资准备，紧急情况下提前调拨。启动与交通运输、铁路等部门的应急联动机制」
def test_jiangsu_zero_report_from_the_first_report_until_the_end(client):
    run = Replay(client, "jiangsu", warning="01T02:00:00")
    third = run.opened["warning"]["checklist"]["items"][2]
    assert (third["clause"], third["units"][1]) == ("江苏 §3(3)", "交通运输、铁路等部门")
    run.tick("01T03:00:00", "3", "省应急管理厅")
    run.disaster("01T08:00:00")
    run.report("01T09:00:00", "初报", figures={"relocated": 12000})
    update = run.deadlines("01T10:00:00")["update"]
    assert (update["status"], update["due"]) == ("due", "2026-07-02T09:00:00+08:00")
    linked = "所涉及设区市启动市级响应"
    assert run.deadlines("01T10:00:00")[linked]["status"] == "not_in_force"
    assert (
        run.decide("01T11:00:00", "start", "省防灾减灾救灾委员会办公室常务副主任", 4).status_code
        == 201
    )
    assert run.deadlines("01T12:00:00")[linked]["status"] == "due"
    run.county("01T13:00:00", "南京市", 3)
    items = run.deadlines("01T14:00:00")
    assert items[linked]["status"] == "met"
    assert items["设区市启动三级以上响应报省应急管理厅"]["clause"] == "江苏 §5.6.2"
    run.report("02T08:00:00", figures={"relocated": 60000})
    raised = run.decide("02T09:00:00", "raise", "省防灾减灾救灾委员会副主任", 3)
    assert raised.json()["clause"].startswith("江苏 §5.3.2：")
    run.decide("03T09:00:00", "end", "省防灾减灾救灾委员会副主任")
    items = run.deadlines("03T10:00:00")
    assert (items["update"]["status"], items["update"]["reason"]) == ("not_in_force", "ended")
    run.warning_kept("3")


# 乐清2016 §4.2.2(1): 「最迟不得晚于灾害发生后1小时」「对造成死亡(含失踪)10人以上……应当同时逐级上
# 报上级
# 民政部门」; §4.2.2(2): 「市民政局每天9时之前向温州市民政局上报」; §4.2.2(3): 「在1个工作日内核定
# 灾情」;
# §6.2.2(6): 「灾情发生后2小时内向上级政府和民政部门汇报」; §6.2.2: 「市减灾委决定进入Ⅱ级响应状态」;
# §6.2.3: 「市减灾委副主任(市民政局主要负责人)决定终止Ⅱ级响应」
# §5.3(3) 预警响应措施: 「开放应急避灾疏散场所,疏散、转移易受自然灾害危害的人员和财产」; §5.4:
# 「灾害风险解除或者演变为灾害后,市减灾委办公室决定预警响应终止」.
def test_yueqing_two_hours_upward_at_level_two_and_deaths_reported_at_once(client):
    run = Replay(client, "yueqing-2016", warning="01T07:00:00")
    assert run.state()["stage_label"] == "预警阶段"
    assert run.tick("01T07:10:00", "3", "市减灾委办公室")["clause"] == "乐清2016 §5.3(3)"
    run.disaster("01T08:00:00")
    assert run.deadlines("01T08:30:00")["initial"]["due"] == "2026-07-01T09:00:00+08:00"
    run.report("01T08:40:00", "初报", figures={"affected_share": 0.21})
    assert run.decide("01T09:30:00", "start", "市减灾委", 2).status_code == 201
    upward = "向上级政府和民政部门汇报（Ⅰ、Ⅱ级）"
    item = run.deadlines("01T09:45:00")[upward]
    assert (item["status"], item["due"], item["clause"]) == (
        "due",
        "2026-07-01T10:00:00+08:00",
        "乐清2016 §6.1.2(7)、§6.2.2(6)",
    )
    assert run.deadlines("01T10:30:00")[upward]["status"] == "overdue"
    run.report("01T10:40:00", figures={"dead_missing": 12})
    items = run.deadlines("01T11:00:00")
    assert items[upward]["status"] == "met"
    assert items[upward]["explanation"].startswith("迟报")
    deaths = items["死亡（含失踪）10人以上同时逐级上报"]
    assert (deaths["status"], deaths["met_at"]) == ("met", "2026-07-01T10:40:00+08:00")
    assert items["update"]["due"] == "2026-07-02T09:00:00+08:00"
    wrong = run.decide("03T09:00:00", "end", "市减灾委")
    assert "市减灾委副主任" in refused(wrong, "decided_by")["detail"]
    run.report("03T08:30:00", figures={"dead_missing": 12}, stable=True)
    assert (
        run.decide("03T09:00:00", "end", "市减灾委副主任")
        .json()["clause"]
        .startswith("乐清2016 §6.2.3：")
    )
    # Stable on Friday 3 July: one working day is Monday 6 July, due by its 24:00.
    final = run.deadlines("03T10:00:00")["final"]
    assert (final["status"], final["due"]) == ("due", "2026-07-07T00:00:00+08:00")
    # §7.2(4): 「确保冬令救济资金春节前发放到户」: the Spring Festival of 2027 is 6 February.
    payout = run.deadlines("03T10:00:00")["冬令救济资金发放到户"]
    assert (payout["status"], payout["due"], payout["clause"]) == (
        "due",
        "2027-02-06T00:00:00+08:00",
        "乐清2016 §7.2(4)",
    )
    run.warning_kept("3")


@pytest.mark.parametrize(
    ("first", "field"),
    [
        ({"action": "lower", "level": 4}, "action"),
        ({"action": "end"}, "action"),
        ({"action": "start"}, "level"),
        ({"action": "start", "level": 3, "time": "2026-06-30T08:00:00+08:00"}, "time"),
        ({"action": "start", "level": 3, "decided_by": "市长"}, "decided_by"),
    ],
)
def test_bad_decisions_are_refused_naming_the_field_and_store_nothing(client, first, field):
    run = Replay(client, "yangquan-2026")
    body = {"decided_by": "市防减救灾委常务副主任", "time": "2026-07-01T09:00:00+08:00", **first}
    problem = refused(client.post(f"{run.url}/decisions", json=body), field)
    assert problem["status"] == 422
    assert run.state()["decisions"] == []


def test_an_end_takes_no_level_and_a_start_cannot_repeat(client):
    run = Replay(client, "yangquan-2026")
    assert run.decide("01T09:00:00", "start", "市防减救灾办主要负责人", 4).status_code == 201
    refused(run.decide("01T10:00:00", "start", "市防减救灾办主要负责人", 4), "action")
    refused(run.decide("01T10:00:00", "end", "市防减救灾办主要负责人", 4), "level")
    refused(run.decide("01T08:30:00", "raise", "市防减救灾委主任", 2), "time")
    assert len(run.state()["decisions"]) == 1


def test_a_decision_needs_an_analyst_key_and_the_audit_names_it(tiny_pack, tmp_path):
    keys = Settings.from_env({"RELIEF_API_KEYS": "v-secret-0001:viewer,ops=a-secret-0002:analyst"})
    settings = Settings(data_dir=tiny_pack, state_dir=tmp_path / "state", api_keys=keys.api_keys)
    client = TestClient(create_app(settings))
    analyst = {"Authorization": "Bearer a-secret-0002"}
    opened = client.post(
        "/api/v1/incidents",
        headers=analyst,
        json={
            "footprint": FOOTPRINT,
            "hazard": "flood",
            "plan": "yangquan-2026",
            "started": "2026-07-01T08:00:00+08:00",
        },
    ).json()
    url = f"/api/v1/incidents/{opened['id']}/decisions"
    body = {
        "action": "start",
        "level": 4,
        "decided_by": "市防减救灾办主要负责人",
        "time": "2026-07-01T09:00:00+08:00",
    }
    viewer = client.post(url, json=body, headers={"Authorization": "Bearer v-secret-0001"})
    assert viewer.status_code == 403
    made = client.post(url, json=body, headers=analyst)
    assert made.status_code == 201, made.text
    decision = made.json()
    assert decision["requested_by"] == "ops:analyst"
    assert decision["recorded"] > decision["time"]
    assert "a-secret-0002" not in made.text


def test_the_history_is_paged_with_limit_and_cursor(client):
    run = Replay(client, "yangquan-2026")
    for hour in range(9, 14):
        run.report(f"01T{hour:02d}:00:00", figures={"relocated": 1000 * hour})
    first = client.get(run.url, params={"limit": 2}).json()
    assert [r["seq"] for r in first["reports"]] == [1, 2]
    assert first["page"] == {"total": 5, "limit": 2, "cursor": 0, "next_cursor": 2}
    last = client.get(run.url, params={"limit": 2, "cursor": 4}).json()
    assert [v["seq"] for v in last["verdicts"]] == [5]
    assert last["page"]["next_cursor"] is None
    # The figures in force are the latest report's, whichever page is asked for.
    assert last["current"]["figures"]["relocated"]["value"] == 13000
    assert first["current"]["figures"] == last["current"]["figures"]
    assert refused(client.get(run.url, params={"limit": 0}), "limit")["status"] == 422


# 攀枝花2024 §4.1.7: 「在旱情发展过程中，每 10 日至少续报一次灾情，直至灾情解除。」
def test_drought_reports_every_ten_days_until_the_response_ends(client):
    run = Replay(client, "panzhihua-2024", hazard="drought")
    run.report("01T09:00:00", "初报", figures={"drought_aid_persons": 35000})
    assert (
        run.decide("01T10:00:00", "start", "市防灾减灾救灾委员会办公室副主任", 4).status_code == 201
    )
    run.report("05T09:00:00", figures={"drought_aid_persons": 36000}, stable=True)
    # Stable is not the end of a drought: the 10-day report holds until the response ends.
    update = run.deadlines("06T09:00:00")["update"]
    assert (update["status"], update["due"], update["clause"]) == (
        "due",
        "2026-07-15T09:00:00+08:00",
        "攀枝花2024 §4.1.7",
    )
    assert run.deadlines("16T09:00:00")["update"]["status"] == "overdue"
    run.decide("20T09:00:00", "end", "市防灾减灾救灾委员会办公室副主任")
    update = run.deadlines("21T09:00:00")["update"]
    assert (update["status"], update["reason"]) == ("not_in_force", "ended")
