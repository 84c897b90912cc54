"""Report deadlines under the shipped plans, with literal China Standard Time moments.

2026-07-01 is a Wednesday; 2026-07-03 a Friday; 2026-07-06 a Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geo.errors import InputError
from geo.response.deadlines import CHINA, NO_HOLIDAYS_NOTE, deadlines, end_of_working_days
from geo.response.history import Report
from layers.calendar import read_calendar
from layers.plans import PlanCatalog
from layers.resources import plans_dir

CATALOG = PlanCatalog([plans_dir()])
STARTED = datetime(2026, 7, 1, 8, 0, tzinfo=CHINA)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=CHINA)


def report(seq: int, kind: str, moment: datetime, *, stable: bool = False) -> Report:
    return Report(id=f"r{seq}", seq=seq, kind=kind, time=moment, figures={}, stable=stable)


def due(
    plan: str,
    kind: str,
    *,
    now: datetime,
    reports=(),
    levels=(),
    hazard: str | None = "flood",
    started: datetime = STARTED,
):
    found = deadlines(
        CATALOG.get(plan),
        hazard=hazard,
        started=started,
        reports=list(reports),
        levels=list(levels),
        now=now,
    )
    return next(d for d in found.items if d.kind == kind)


# ---------------------------------------------------------------- 初报
def test_yueqing_initial_is_due_within_one_hour():
    item = due("yueqing-2016", "initial", now=at(1, 8, 59))
    assert (item.status, item.due, item.clause) == ("due", at(1, 9), "乐清2016 §4.2.2(1)")


def test_yueqing_initial_is_overdue_after_one_hour():
    item = due("yueqing-2016", "initial", now=at(1, 9, 1))
    assert (item.status, item.due) == ("overdue", at(1, 9))
    assert item.explanation == "初报已超时：应于 2026-07-01 09:00 前报送"


def test_initial_met_and_met_late():
    on_time = due(
        "yueqing-2016", "initial", now=at(1, 12), reports=[report(1, "initial", at(1, 8, 40))]
    )
    late = due(
        "yueqing-2016", "initial", now=at(1, 12), reports=[report(1, "initial", at(1, 9, 30))]
    )
    assert (on_time.status, on_time.met_at, on_time.explanation) == (
        "met",
        at(1, 8, 40),
        "首次报告于 2026-07-01 08:40",
    )
    assert (late.status, late.explanation) == ("met", "迟报：首次报告于 2026-07-01 09:30")


@pytest.mark.parametrize("plan", ["yangquan-2026", "panzhihua-2024", "jiangsu"])
def test_plans_without_an_hour_limit_give_no_deadline(plan):
    item = due(plan, "initial", now=at(3, 8))
    assert (item.status, item.due) == ("due", None)
    assert "未规定" in item.note


def test_yangquan_says_the_repealed_2022_two_hours_no_longer_apply():
    item = due("yangquan-2026", "initial", now=at(1, 11))
    assert item.clause == "阳泉2026 §4.1.2"
    assert "阳政办发〔2022〕19号" in item.note
    assert "废止" in item.note


# ---------------------------------------------------------------- 续报
LEVEL_2_AT_0840 = [(at(1, 8, 40), 2)]
INITIAL_0840 = [report(1, "initial", at(1, 8, 40))]


def test_update_waits_for_the_initial_report():
    assert due("yueqing-2016", "update", now=at(1, 8, 30)).status == "not_in_force"


def test_yueqing_update_is_due_at_the_next_nine_oclock():
    item = due(
        "yueqing-2016", "update", now=at(1, 20), reports=INITIAL_0840, levels=LEVEL_2_AT_0840
    )
    assert (item.status, item.due, item.clause) == ("due", at(2, 9), "乐清2016 §4.2.2(2)")


def test_yueqing_first_daily_deadline_is_the_day_after_the_start():
    # The 9:00 report covers the day before; a disaster at 07:00 has no day before.
    started = at(1, 7)
    item = due(
        "yueqing-2016",
        "update",
        now=at(1, 8, 30),
        started=started,
        reports=[report(1, "initial", at(1, 7, 30))],
        levels=[(at(1, 7, 30), 2)],
    )
    assert item.due == at(2, 9)


def test_yueqing_update_made_before_nine_moves_the_deadline_a_day():
    reports = [*INITIAL_0840, report(2, "update", at(2, 8, 30))]
    levels = [*LEVEL_2_AT_0840, (at(2, 8, 30), 2)]
    early = due("yueqing-2016", "update", now=at(2, 8, 45), reports=reports, levels=levels)
    later = due("yueqing-2016", "update", now=at(2, 10), reports=reports, levels=levels)
    assert (early.status, early.due) == ("due", at(3, 9))
    assert (later.status, later.due) == ("due", at(3, 9))


def test_yueqing_update_missed_is_overdue_until_reported():
    reports = [*INITIAL_0840, report(2, "update", at(2, 8, 30))]
    levels = [*LEVEL_2_AT_0840, (at(2, 8, 30), 2)]
    missed = due("yueqing-2016", "update", now=at(3, 9, 30), reports=reports, levels=levels)
    assert (missed.status, missed.due, missed.missed) == ("overdue", at(3, 9), 1)
    late = [*reports, report(3, "update", at(3, 10))]
    caught_up = due("yueqing-2016", "update", now=at(3, 11), reports=late, levels=levels)
    assert (caught_up.status, caught_up.due, caught_up.missed) == ("due", at(4, 9), 1)


def test_yueqing_update_is_not_in_force_at_level_four():
    item = due(
        "yueqing-2016", "update", now=at(2, 10), reports=INITIAL_0840, levels=[(at(1, 8, 40), 4)]
    )
    assert item.status == "not_in_force"
    assert item.explanation == "本规定在三级及以上响应期间执行，当前未决定启动该级响应"


def test_yangquan_zero_reporting_runs_at_level_two_only():
    level_3 = due(
        "yangquan-2026", "update", now=at(2, 10), reports=INITIAL_0840, levels=[(at(1, 8, 40), 3)]
    )
    level_2 = due(
        "yangquan-2026", "update", now=at(2, 8), reports=INITIAL_0840, levels=LEVEL_2_AT_0840
    )
    late = due(
        "yangquan-2026", "update", now=at(2, 8, 41), reports=INITIAL_0840, levels=LEVEL_2_AT_0840
    )
    assert level_3.status == "not_in_force"
    assert (level_2.status, level_2.due, level_2.clause) == ("due", at(2, 8, 40), "阳泉2026 §4.1.6")
    assert late.status == "overdue"


def test_panzhihua_zero_reporting_starts_with_a_city_response():
    none = due(
        "panzhihua-2024",
        "update",
        now=at(2, 8),
        reports=INITIAL_0840,
        levels=[(at(1, 8, 40), None)],
    )
    four = due(
        "panzhihua-2024", "update", now=at(2, 8), reports=INITIAL_0840, levels=[(at(1, 8, 40), 4)]
    )
    assert none.status == "not_in_force"
    assert (four.status, four.due) == ("due", at(2, 8, 40))


def test_jiangsu_zero_reporting_needs_no_level():
    item = due(
        "jiangsu", "update", now=at(2, 8), reports=INITIAL_0840, levels=[(at(1, 8, 40), None)]
    )
    assert (item.status, item.due, item.clause) == ("due", at(2, 8, 40), "江苏 §4.1.6")


@pytest.mark.parametrize(
    ("plan", "clause"),
    [
        ("yangquan-2026", "阳泉2026 §4.1.7"),
        ("panzhihua-2024", "攀枝花2024 §4.1.7"),
        ("jiangsu", "江苏 §4.1.7"),
    ],
)
def test_drought_updates_are_due_every_ten_days(plan, clause):
    reports = [*INITIAL_0840, report(2, "update", at(3, 10))]
    item = due(plan, "update", now=at(12, 9), reports=reports, hazard="drought")
    overdue = due(plan, "update", now=at(13, 10, 1), reports=reports, hazard="drought")
    assert (item.status, item.due, item.clause) == ("due", at(13, 10), clause)
    assert overdue.status == "overdue"


def test_yueqing_has_no_drought_rule_and_keeps_its_daily_update():
    item = due(
        "yueqing-2016",
        "update",
        now=at(1, 20),
        reports=INITIAL_0840,
        levels=LEVEL_2_AT_0840,
        hazard="drought",
    )
    assert (item.due, item.clause) == (at(2, 9), "乐清2016 §4.2.2(2)")


# ---------------------------------------------------------------- 核报
def test_final_waits_for_the_disaster_to_be_stable():
    item = due("yueqing-2016", "final", now=at(3, 10), reports=INITIAL_0840)
    assert (item.status, item.due) == ("not_in_force", None)
    assert item.reason == "waiting"


@pytest.mark.parametrize(
    ("stable", "deadline"),
    [
        (at(1, 15), at(3, 0)),  # Wednesday: by the end of Thursday
        (at(3, 15), datetime(2026, 7, 7, 0, 0, tzinfo=CHINA)),  # Friday: end of Monday
        (at(4, 10), datetime(2026, 7, 7, 0, 0, tzinfo=CHINA)),  # Saturday: end of Monday
    ],
)
def test_yueqing_final_within_one_working_day(stable, deadline):
    reports = [*INITIAL_0840, report(2, "update", stable, stable=True)]
    item = due("yueqing-2016", "final", now=stable, reports=reports)
    assert (item.status, item.due, item.clause) == ("due", deadline, "乐清2016 §4.2.2(3)")
    after = due("yueqing-2016", "final", now=deadline + timedelta(minutes=1), reports=reports)
    assert after.status == "overdue"


def test_a_final_report_closes_updates_and_meets_the_final_deadline():
    reports = [*INITIAL_0840, report(2, "final", at(2, 16))]
    found = deadlines(
        CATALOG.get("yueqing-2016"),
        hazard="flood",
        started=STARTED,
        reports=reports,
        levels=[(at(1, 8, 40), 2), (at(2, 16), 2)],
        now=at(5, 12),
    )
    statuses = {d.kind: d.status for d in found.items}
    assert statuses == {"initial": "met", "update": "not_in_force", "final": "met"}
    assert found.items[1].reason == "stable"
    assert found.stable_since == at(2, 16)
    assert found.overdue == ()


def test_yangquan_final_has_no_day_limit():
    reports = [*INITIAL_0840, report(2, "update", at(2, 16), stable=True)]
    item = due("yangquan-2026", "final", now=at(9, 12), reports=reports)
    assert (item.status, item.due) == ("due", None)


def test_reports_after_now_are_not_seen():
    item = due(
        "yueqing-2016", "initial", now=at(1, 9, 30), reports=[report(1, "initial", at(1, 10))]
    )
    assert item.status == "overdue"


# ---------------------------------------------------------------- arithmetic, refusals
@pytest.mark.parametrize(
    ("moment", "days", "end"),
    [
        (at(1, 15), 1, (2026, 7, 3)),
        (at(2, 23), 2, (2026, 7, 7)),
        (at(5, 1), 1, (2026, 7, 7)),
        (datetime(2026, 7, 2, 20, 0, tzinfo=UTC), 1, (2026, 7, 7)),  # Fri 04:00 CST
    ],
)
def test_end_of_working_days(moment, days, end):
    assert end_of_working_days(moment, days) == datetime(*end, 0, 0, tzinfo=CHINA)


def test_naive_times_are_refused():
    with pytest.raises(InputError, match="now: a time with a UTC offset is expected"):
        due("yueqing-2016", "initial", now=datetime(2026, 7, 1, 9))


def test_a_plan_without_reporting_rules_is_refused():
    plan = CATALOG.get("yueqing-2016")
    bare = type(plan)(**{**plan.__dict__, "reporting": None})
    with pytest.raises(InputError, match="has no \\[reporting\\] section"):
        deadlines(bare, hazard=None, started=STARTED, reports=[], levels=[], now=at(1, 9))


def test_missed_daily_updates_are_counted():
    reports = [*INITIAL_0840, report(2, "update", at(2, 8, 30)), report(3, "update", at(5, 12))]
    item = due("yueqing-2016", "update", now=at(11, 9, 30), reports=reports, levels=LEVEL_2_AT_0840)
    # Deadlines 2 … 11 July at 09:00: only the 2nd was met (the 5th's report came at noon).
    assert (item.status, item.due, item.missed) == ("overdue", at(11, 9), 9)


def test_a_moment_far_ahead_is_counted_not_stepped_through():
    far = datetime(8000, 7, 1, 12, 0, tzinfo=CHINA)
    item = due("yueqing-2016", "update", now=far, reports=INITIAL_0840, levels=LEVEL_2_AT_0840)
    assert item.status == "overdue"
    assert item.missed == (far.date() - at(2, 9).date()).days + 1


def test_yueqing_final_skips_the_national_day_holiday_and_notes_an_uncovered_year():
    """乐清2016 §4.2.2(3) 核报 within one working day; 2025's 国庆 10月1日至8日 are off."""
    calendar = read_calendar()
    plan = CATALOG.get("yueqing-2016")
    stable = datetime(2025, 9, 30, 18, 0, tzinfo=CHINA)
    reports = [
        report(1, "initial", stable - timedelta(hours=8)),
        report(2, "update", stable, stable=True),
    ]
    found = deadlines(
        plan,
        hazard="flood",
        started=stable - timedelta(hours=9),
        reports=reports,
        levels=[],
        now=stable,
        calendar=calendar,
    )
    final = next(d for d in found.items if d.kind == "final")
    assert final.due == datetime(2025, 10, 10, tzinfo=CHINA)
    assert final.note is None or NO_HOLIDAYS_NOTE not in final.note
    later = datetime(max(calendar.years) + 1, 3, 2, 18, 0, tzinfo=CHINA)
    found = deadlines(
        plan,
        hazard="flood",
        started=later - timedelta(hours=9),
        reports=[
            report(1, "initial", later - timedelta(hours=8)),
            report(2, "update", later, stable=True),
        ],
        levels=[],
        now=later,
        calendar=calendar,
    )
    final = next(d for d in found.items if d.kind == "final")
    assert final.note is not None
    assert NO_HOLIDAYS_NOTE in final.note
