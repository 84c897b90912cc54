"""Transitional living aid per county, against sums worked by hand from the plan's groups.

阳泉2026 §6.1.1: 「将因灾房屋倒塌或严重损坏需恢复重建无房可住人员、因次生灾害威胁在外安置
无法返家人员……纳入过渡期生活救助范围。」 No plan states the months or the monthly
amount: a missing standard leaves the need missing, never zero.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from geo.errors import InputError
from geo.response.transitional_aid import (
    UNALLOCATED,
    CountyAid,
    Reported,
    transitional_aid,
    with_remainder,
)
from layers.plans import PlanCatalog
from layers.resources import plans_dir


@pytest.fixture(scope="module")
def rules():
    return PlanCatalog([plans_dir()]).get("yangquan-2026").after_emergency


COUNTIES = [
    CountyAid("140302", "西县", Reported(10), Reported(7)),
    CountyAid("140303", "东县", Reported(3, estimated=True), None),
]


def test_the_plans_state_no_standard_so_the_need_is_missing_not_zero(rules):
    assert rules.transitional_clause == "§6.1.1"
    assert (rules.months, rules.monthly_per_person) == (None, None)
    assert "预案未规定" in rules.standard_note
    aid = transitional_aid(rules, COUNTIES, household_persons=2.5, household_source="test")
    assert [r.need for r in aid.rows] == [None, None]
    assert aid.total.need is None


def test_rows_sum_to_the_totals_and_estimates_are_named(rules):
    aid = transitional_aid(rules, COUNTIES, household_persons=2.5, household_source="test")
    west, east = aid.rows
    # 西县: 10 households × 2.5 + 7 persons = 32 persons; 10 + 7 / 2.5 = 12.8 households.
    # 东县: 3 households × 2.5 = 7.5 persons; 3 households. Totals 39.5 → 40, 15.8 → 16.
    assert (aid.total.persons, aid.total.households) == (40, 16)
    assert west.persons + east.persons == 40
    assert west.households + east.households == 16
    assert (west.persons, east.persons) == (32, 8)
    assert (west.households, east.households) == (13, 3)
    assert set(east.estimated) == {"collapsed_households", "persons"}
    assert set(west.estimated) == {"persons", "households"}
    assert (aid.total.collapsed_households, aid.total.in_shelters) == (13, 7)


def test_a_standard_filled_in_by_the_bureau_gives_the_need(rules):
    filled = replace(
        rules,
        months=3,
        months_source="bureau",
        monthly_per_person=Decimal("600.5"),
        monthly_source="bureau",
    )
    aid = transitional_aid(filled, COUNTIES, household_persons=2.5, household_source="test")
    # 40 persons × 3 months × 600.5 元 = 72 060 元, split over the counties' persons.
    assert aid.total.need == 72060
    assert sum(r.need for r in aid.rows) == 72060
    assert aid.rows[0].need == 32 * 3 * Decimal("600.5")


def test_event_figures_beyond_the_counties_make_an_unallocated_row():
    event = CountyAid(None, "", Reported(20), Reported(7))
    rows = with_remainder(COUNTIES, event)
    assert rows[-1].name == UNALLOCATED
    assert rows[-1].collapsed_households == Reported(7)
    assert rows[-1].in_shelters is None


def test_negative_household_figures_are_refused_naming_the_figure(rules):
    bad = [CountyAid("140302", "西县", Reported(-1), None)]
    with pytest.raises(InputError) as caught:
        transitional_aid(rules, bad, household_persons=2.5, household_source="test")
    assert caught.value.field == "figures.by_county.140302.collapsed_households"
