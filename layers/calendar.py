"""The working-day calendar (``chinese-calendar`` and the bureau's files) and the Spring Festivals.

``chinese-calendar`` (PyPI) carries the State Council's holiday notices up to its release;
a bureau on an isolated network adds later years itself as ``data/calendar/*.toml`` (or
files in a folder it names), each citing its notice. A file's years replace the
package's for those years.
"""

from __future__ import annotations

from pathlib import Path

from chinese_calendar import __version__, constants
from lunardate import LunarDate

from geo.errors import ProfileError
from geo.response.relief_calendar import SpringFestivals
from geo.response.working_days import WorkCalendar, combine, parse_calendar
from layers._toml import read_toml as _read_toml  # the one profile reader, private to layers
from layers.resources import data_dir

PACKAGE_SOURCE = "国务院办公厅节假日安排通知（chinese-calendar {version}）"
#: The years ``lunardate`` tabulates (its table runs 1900 to 2099).
LUNAR_YEARS = range(1900, 2100)
LUNAR_SOURCE = "农历数据（lunardate 农历表，1900–2099年）"


def default_calendar_dir() -> Path:
    """The embedded override folder (``data/calendar``)."""
    return data_dir() / "calendar"


def package_calendar() -> WorkCalendar:
    """The holidays and 调休 workdays ``chinese-calendar`` knows, and the years it covers."""
    days = [*constants.holidays, *constants.workdays]
    years = frozenset(range(min(d.year for d in days), max(d.year for d in days) + 1))
    return WorkCalendar(
        holidays=frozenset(constants.holidays),
        workdays=frozenset(constants.workdays),
        years=years,
        sources=(PACKAGE_SOURCE.format(version=__version__),),
    )


def read_calendar(folders: tuple[Path, ...] = ()) -> WorkCalendar:
    """The package's calendar with every ``*.toml`` of ``folders`` (default: data/calendar)."""
    found = [package_calendar()]
    for folder in folders or (default_calendar_dir(),):
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
            data, _ = _read_toml(path, what="calendar", error=ProfileError)
            found.append(parse_calendar(data, source=path.name))
    return combine(found)


def spring_festivals() -> SpringFestivals:
    """The Spring Festival (正月初一) of every year ``lunardate``'s table covers."""
    return SpringFestivals(
        dates={year: LunarDate(year, 1, 1).to_solar_date() for year in LUNAR_YEARS},
        source=LUNAR_SOURCE,
    )
