"""The incident panel in real Chromium: the timeline of reports, recommendations and decisions,
the level in force and the gap flagged in Chinese (阳泉2026 §5.3.2, §5.2.2)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from test_browser import assert_stayed_local

FOOTPRINT = {
    "type": "Polygon",
    "coordinates": [
        [[113.55, 37.85], [113.6, 37.85], [113.6, 37.9], [113.55, 37.9], [113.55, 37.85]]
    ],
}


def _incident(base: str) -> str:
    api = f"{base}/api/v1/incidents"
    opened = httpx.post(
        api,
        json={
            "footprint": FOOTPRINT,
            "hazard": "flood",
            "plan": "yangquan-2026",
            "title": "桃河洪水",
            "started": "2026-07-01T08:00:00+08:00",
        },
    )
    assert opened.status_code == 201, opened.text
    incident = opened.json()["id"]
    steps = [
        (
            "reports",
            {"kind": "初报", "figures": {"relocated": 6000}, "time": "2026-07-01T09:00:00+08:00"},
        ),
        (
            "decisions",
            {
                "action": "start",
                "level": 3,
                "decided_by": "市防减救灾委分管副主任",
                "time": "2026-07-01T10:00:00+08:00",
            },
        ),
        (
            "reports",
            {"kind": "续报", "figures": {"relocated": 45000}, "time": "2026-07-01T14:00:00+08:00"},
        ),
    ]
    for path, body in steps:
        answer = httpx.post(f"{api}/{incident}/{path}", json=body)
        assert answer.status_code == 201, answer.text
    return incident


def test_the_incident_panel_shows_the_timeline_and_the_gap(page, live_server, tmp_path):
    shots = Path(os.environ.get("RELIEF_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    incident = _incident(live_server)
    page.goto(f"{live_server}/#incident={incident}")
    page.wait_for_selector("#incident-timeline li")
    items = page.locator("#incident-timeline li")
    assert items.count() == 3
    texts = [items.nth(i).inner_text() for i in range(3)]
    assert texts[0].startswith("2026/07/01 09:00")
    assert "初报" in texts[0]
    assert "建议：三级" in texts[0]
    assert "决定启动三级响应" in texts[1]
    assert "市防减救灾委分管副主任" in texts[1]
    assert "阳泉2026 §5.3.2" in texts[1]
    assert "建议提升至二级，尚未决定" in texts[2]
    assert page.locator("#incident-in-force").inner_text() == "三级"
    assert page.locator("#incident-recommended").inner_text() == "二级"
    assert page.locator("#incident-gap").inner_text() == "建议提升至二级，尚未决定"
    page.screenshot(path=str(shots / "incident-panel.png"))
    # The list shows the level in force by decision and, apart, the recommendation (issue 15).
    listed = page.locator(
        "#incident-list li", has=page.get_by_role("link", name="桃河洪水", exact=True)
    )
    assert listed.locator(".in-force").inner_text() == "三级"
    assert "建议：二级" in listed.inner_text()
    assert "建议提升至二级，尚未决定" in listed.inner_text()
    assert_stayed_local(page)


# 阳泉2026 §3 灾害救助准备: 「（3）做好救灾物资准备，紧急情况下提前调拨」 — the forecast's
# shelters to open, the stock to pre-position and the checklist; the record stays once the
# disaster's footprint turns the incident into the response.
def test_the_panel_shows_the_warning_stage_shelters_stock_and_checklist(
    page, live_server, tmp_path
):
    shots = Path(os.environ.get("RELIEF_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    api = f"{live_server}/api/v1/incidents"
    opened = httpx.post(
        api,
        json={
            "footprint": FOOTPRINT,
            "hazard": "flood",
            "plan": "yangquan-2026",
            "title": "桃河洪水预报",
            "stage": "warning",
            "started": "2026-07-01T06:00:00+08:00",
        },
        timeout=120,
    )
    assert opened.status_code == 201, opened.text
    incident = opened.json()
    tick = {"measure": "3", "done_by": "市应急管理局", "time": "2026-07-01T07:00:00+08:00"}
    assert httpx.post(f"{api}/{incident['id']}/warning-measures", json=tick).status_code == 201
    page.goto(f"{live_server}/#incident={incident['id']}")
    page.wait_for_selector("#warning-checklist li")
    assert page.locator("#incident-stage").inner_text() == "预警阶段"
    exposure = incident["warning"]["exposure"]
    assert page.locator("#warning-exposure").inner_text() == (
        f"预计受灾 {exposure['affected']} 人，需转移安置 {exposure['displaced']} 人（估算）"
    )
    shelters = incident["warning"]["shelters"]["items"]
    rows = page.locator("#warning-shelters tbody tr")
    assert rows.count() == len(shelters) > 0
    first = rows.nth(0).locator("td")
    assert [first.nth(i).inner_text() for i in range(3)] == [
        shelters[0]["name"],
        str(shelters[0]["capacity"]),
        str(shelters[0]["persons"]),
    ]
    stock = incident["warning"]["stock"]
    assert page.locator("#warning-stock tbody tr").count() == len(stock["items"]) > 0
    done = page.locator('#warning-checklist li[data-measure="3"]')
    assert done.inner_text().startswith("☑ 阳泉2026 §3(3) 做好救灾物资准备")
    assert "市应急管理局" in done.inner_text()
    assert page.locator('#warning-checklist li[data-measure="1"]').inner_text().startswith("☐")
    timeline = page.locator("#incident-timeline li")
    assert "预警：预报影响范围" in timeline.nth(0).inner_text()
    assert "预警措施完成" in timeline.nth(1).inner_text()
    page.locator("#incident").screenshot(path=str(shots / "incident-warning.png"))

    real = {"footprint": FOOTPRINT, "time": "2026-07-01T08:00:00+08:00"}
    assert (
        httpx.post(f"{api}/{incident['id']}/footprint", json=real, timeout=120).status_code == 201
    )
    page.reload()
    page.wait_for_selector("#warning-checklist li")
    assert page.locator("#incident-stage").inner_text() == "响应阶段"
    listed = page.locator("#incident-list li", has=page.get_by_role("link", name="桃河洪水预报"))
    assert "响应阶段" in listed.inner_text()
    assert listed.locator(".in-force").inner_text() == "未启动"
    assert "灾害发生：实际影响范围" in page.locator("#incident-timeline li").nth(2).inner_text()
    assert page.locator("#warning-shelters tbody tr").count() == len(shelters)
    assert_stayed_local(page)
