"""Which days are working days in China: weekends, public holidays and 调休.

The State Council publishes each year's holidays and the weekend days worked in their
place (调休) the autumn before. `WorkCalendar` holds those days for the years it covers;
outside them it can only count Monday to Friday, and `count_working_days` says when it
had to (a 核报 due date past the covered years is then marked as assuming no holidays).
The days are data: `layers.calendar` reads them from the ``chinese-calendar`` package
and from the bureau's own override files (``data/calendar/*.toml``), because an
isolated network cannot update the package when a new year's notice is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from geo.errors import Problems, ProfileError

SATURDAY = 5
DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays and 调休 working weekends of the ``years`` it covers."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    sources: tuple[str, ...]

    def covers(self, day: date) -> bool:
        """Whether the holidays of ``day``'s year are known."""
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday unless a holiday, and a weekend day when it is a 调休 workday."""
        if day in self.workdays:
            return True
        return day.weekday() < SATURDAY and day not in self.holidays

    @property
    def description(self) -> str:
        """How working days are counted, for the answer that uses them."""
        if not self.years:
            return "Monday to Friday; no public-holiday calendar is loaded"
        return (
            f"Monday to Friday, public holidays and 调休 working weekends of "
            f"{min(self.years)}–{max(self.years)} ({'; '.join(self.sources)}); "
            "years not covered count Monday to Friday only"
        )


#: No holidays known: Monday to Friday.
WEEKDAYS_ONLY = WorkCalendar(frozenset(), frozenset(), frozenset(), ())


def count_working_days(calendar: WorkCalendar, start: date, days: int) -> tuple[date, bool]:
    """The ``days``-th working day after ``start``, and whether holidays were unknown.

    The flag is True when a day of a year the calendar does not cover had to be counted
    as Monday to Friday only.
    """
    day, left, assumed = start, days, False
    while left:
        day += DAY
        assumed = assumed or not calendar.covers(day)
        if calendar.is_working_day(day):
            left -= 1
    return day, assumed


def _dates(raw: object, key: str, problems: Problems) -> list[date]:
    if not isinstance(raw, list):
        problems.add(key, "expected a list of dates (YYYY-MM-DD)")
        return []
    found: list[date] = []
    for value in raw:
        try:
            found.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            problems.add(key, f"{value!r} is not a date (YYYY-MM-DD)")
    return found


def _year(year: str, table: object, problems: Problems) -> tuple[list[date], list[date]]:
    if not year.isdigit() or not isinstance(table, Mapping):
        problems.add(f"years.{year}", "expected a table under a four-digit year")
        return [], []
    holidays = _dates(table.get("holidays", []), f"years.{year}.holidays", problems)
    workdays = _dates(table.get("workdays", []), f"years.{year}.workdays", problems)
    stray = [d for d in (*holidays, *workdays) if d.year != int(year)]
    if stray:
        problems.add(f"years.{year}", f"{stray[0].isoformat()} lies in another year")
    return holidays, workdays


def parse_calendar(data: Mapping[str, Any], *, source: str) -> WorkCalendar:
    """An override file's years (``[years.2027] holidays = […], workdays = […]``).

    Raises
    ------
    ProfileError
        Naming the file and every malformed key at once.
    """
    problems = Problems(f"calendar {source}", error=ProfileError)
    cited = data.get("source")
    if not isinstance(cited, str) or not cited.strip():
        problems.add("source", "expected the notice the days come from")
    years = data.get("years")
    if not isinstance(years, Mapping) or not years:
        problems.add("years", "expected at least one [years.YYYY] table")
        years = {}
    holidays: list[date] = []
    workdays: list[date] = []
    for year, table in years.items():
        h, w = _year(str(year), table, problems)
        holidays += h
        workdays += w
    problems.raise_if_any()
    return WorkCalendar(
        frozenset(holidays), frozenset(workdays), frozenset(int(y) for y in years), (str(cited),)
    )


def combine(calendars: Iterable[WorkCalendar]) -> WorkCalendar:
    """One calendar of several; a later one's years replace an earlier one's."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    sources: list[str] = []
    for cal in calendars:
        holidays = {d for d in holidays if d.year not in cal.years} | set(cal.holidays)
        workdays = {d for d in workdays if d.year not in cal.years} | set(cal.workdays)
        years |= cal.years
        sources += cal.sources
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years), tuple(sources))
