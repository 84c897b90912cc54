"""Working days with China's public holidays and 调休, and the 核报 due dates they give.

The references are the State Council's own notices, quoted:
- 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）: 「国庆节、中秋节：10月1日
  （周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。」
- 国务院办公厅关于2017年部分节假日安排的通知（2016年12月1日）: 「一、元旦：1月1日放假，1月2日
  （星期一）补休。二、春节：1月27日至2月2日放假调休，共7天。1月22日（星期日）、2月4日（星期六）
  上班。三、清明节：4月2日至4日放假调休，共3天。4月1日（星期六）上班。四、劳动节：5月1日放假，
  与周末连休。五、端午节：5月28日至30日放假调休，共3天。5月27日（星期六）上班。六、中秋节、国庆节：
  10月1日至8日放假调休，共8天。9月30日（星期六）上班。」
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from geo.errors import ProfileError
from geo.response.deadlines import CHINA, NO_HOLIDAYS_NOTE, end_of_working_days
from geo.response.working_days import (
    WEEKDAYS_ONLY,
    combine,
    count_working_days,
    parse_calendar,
)
from layers.calendar import package_calendar, read_calendar


def days(start: str, end: str) -> list[str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]


NOTICE_2017 = {
    "source": "国务院办公厅关于2017年部分节假日安排的通知",
    "years": {
        "2017": {
            "holidays": [
                *days("2017-01-01", "2017-01-02"),
                *days("2017-01-27", "2017-02-02"),
                *days("2017-04-02", "2017-04-04"),
                *days("2017-04-29", "2017-05-01"),
                *days("2017-05-28", "2017-05-30"),
                *days("2017-10-01", "2017-10-08"),
            ],
            "workdays": ["2017-01-22", "2017-02-04", "2017-04-01", "2017-05-27", "2017-09-30"],
        }
    },
}


def test_national_day_2025_moves_a_one_day_final_report_past_the_holiday() -> None:
    calendar = read_calendar()
    stable = datetime(2025, 9, 30, 18, 0, tzinfo=CHINA)
    # Monday to Friday alone would make 10月1日 the working day: due 10月2日 00:00.
    assert end_of_working_days(stable, 1) == datetime(2025, 10, 2, tzinfo=CHINA)
    # 10月1日至8日 off: the first working day after 9月30日 is 10月9日.
    assert end_of_working_days(stable, 1, calendar) == datetime(2025, 10, 10, tzinfo=CHINA)


def test_a_worked_saturday_counts() -> None:
    calendar = read_calendar()
    # 10月11日（周六）上班: from 10月10日 (Friday) one working day is that Saturday.
    day, assumed = count_working_days(calendar, date(2025, 10, 10), 1)
    assert (day, assumed) == (date(2025, 10, 11), False)


def test_the_2017_notice_as_an_override_file_agrees_with_the_package() -> None:
    override = parse_calendar(NOTICE_2017, source="2017.toml")
    package = package_calendar()
    for n in range(365):
        day = date(2017, 1, 1) + timedelta(n)
        assert override.is_working_day(day) == package.is_working_day(day), day


def test_an_override_year_replaces_only_that_year() -> None:
    package = package_calendar()
    changed = dict(NOTICE_2017)
    changed["years"] = {"2017": {"holidays": [], "workdays": []}}
    merged = combine([package, parse_calendar(changed, source="x.toml")])
    assert merged.is_working_day(date(2017, 1, 27))  # the package's 春节 is overridden
    assert not merged.is_working_day(date(2025, 10, 1))  # other years kept


def test_a_year_not_covered_is_counted_as_weekdays_and_says_so() -> None:
    calendar = read_calendar()
    first_uncovered = max(calendar.years) + 1
    start = date(first_uncovered, 3, 1)
    day, assumed = count_working_days(calendar, start, 3)
    assert assumed
    assert day == count_working_days(WEEKDAYS_ONLY, start, 3)[0]
    assert "未计节假日" in NO_HOLIDAYS_NOTE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"years": {"2027": {"holidays": []}}}, "source: expected the notice"),
        ({"source": "x", "years": {}}, "years: expected at least one"),
        ({"source": "x", "years": {"2027": {"holidays": ["2027-13-01"]}}}, "is not a date"),
        ({"source": "x", "years": {"2027": {"workdays": ["2026-12-31"]}}}, "in another year"),
    ],
)
def test_a_broken_override_file_is_refused_naming_the_key(data, message) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_calendar(data, source="2027.toml")
