"""The needs profile: items per person, per person-day and per household, and refusals."""

from __future__ import annotations

import copy
from pathlib import Path

import pyogrio
import pytest
from needprofiles import PROFILE, profile

from geo.errors import ProfileError
from geo.supply.needs import parse_needs
from layers.profiles import read_needs
from layers.resources import demo_pack_dir


def test_amounts_per_person_per_day_and_per_household() -> None:
    assert profile().amounts(10, days=3) == {"tent": 4.0, "quilt": 10.0, "food_ration": 15.0}
    assert profile().amounts(11, days=1) == {"tent": 5.0, "quilt": 11.0, "food_ration": 5.5}
    assert profile().amounts(0, days=3) == {"tent": 0.0, "quilt": 0.0, "food_ration": 0.0}


def test_durables_are_not_multiplied_by_days() -> None:
    short, long = profile().amounts(100, days=1), profile().amounts(100, days=7)
    assert (short["tent"], short["quilt"]) == (long["tent"], long["quilt"]) == (40.0, 100.0)
    assert (short["food_ration"], long["food_ration"]) == (50.0, 350.0)


def test_default_profile_matches_the_demo_stock() -> None:
    needs = read_needs()
    stock = pyogrio.read_dataframe(demo_pack_dir() / "layers.gpkg", layer="depot_stock")
    units = dict(zip(stock["item"], stock["unit"], strict=True))
    assert needs.units() == units
    assert (needs.household_size, needs.planning_days, needs.margin) == (2.62, 3, 0.2)
    assert {n.per for n in needs.needs.values()} == {"person", "person_day", "household"}
    assert all(n.source and n.status for n in needs.needs.values())


def test_default_profile_amounts_are_literal() -> None:
    # 262 / 2.62 is 100.00000000000001 in floating point: still 100 households.
    assert read_needs().amounts(262, days=3) == {
        "tent": 100.0,
        "quilt": 262.0,
        "cotton_coat": 262.0,
        "folding_bed": 262.0,
        "food_ration": 393.0,
        "drinking_water": 2358.0,
        "hygiene_kit": 100.0,
    }


def broken(path: str, value: object) -> dict:
    data = copy.deepcopy(PROFILE)
    *parents, key = path.split(".")
    target = data
    for parent in parents:
        target = target[parent]
    if value is None:
        del target[key]
    else:
        target[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("items.tent.per", "family", r"items.tent.per: expected one of person, person_day"),
        ("items.tent.quantity", -1, r"items.tent.quantity: expected a non-negative number"),
        ("items.tent.quantity", "one", r"items.tent.quantity: expected a number"),
        ("items.tent.integral", "yes", r"items.tent.integral: expected true or false"),
        ("items.tent.source", None, r"items.tent.source: expected text"),
        ("items.tent.colour", "green", r"items.tent: unknown keys \['colour'\]"),
        ("items.quilt", 3, r"items.quilt: expected a table"),
        ("household.persons", 0, r"household.persons: expected a positive number"),
        ("planning.days", 0, r"planning.days: expected a whole number of days"),
        ("planning.margin_source", None, r"planning.margin_source: expected text"),
        ("items", None, r"items: missing; expected a table"),
        ("household", None, r"household: missing"),
    ],
)
def test_refusals(path: str, value: object, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_needs(broken(path, value), source="test")


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "needs.toml"
    path.write_text("items = [", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"needs\.toml: cannot be read as UTF-8 TOML"):
        read_needs(path)
