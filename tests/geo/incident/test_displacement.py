"""Displacement profiles: the embedded default, class lookup and every refusal."""

from __future__ import annotations

import copy
import tomllib

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.errors import InputError, PlanError
from geo.incident.displacement import assign_classes, parse_profile
from geo.plans.model import HAZARDS
from layers.profiles import default_displacement_path, read_displacement


@pytest.fixture(scope="module")
def profile():
    return read_displacement()


@pytest.fixture
def raw():
    return tomllib.loads(default_displacement_path().read_text(encoding="utf-8"))


GEOHAZARDS = {"landslide", "collapse", "debris_flow", "flash_flood"}


def test_default_profile_covers_every_hazard_with_sourced_rates(profile):
    assert set(profile.hazards) == HAZARDS
    for hazard in HAZARDS:
        classes = profile.classes(hazard)
        assert classes, hazard
        assert all(c.source and 0 <= c.rate <= 1 for c in classes)
        # The least severe class, except where the footprint is the danger area itself.
        expected = "high" if hazard in GEOHAZARDS else classes[-1].name
        assert profile.default_class(hazard) == expected


@pytest.mark.parametrize(
    ("hazard", "order", "rates"),
    [
        ("flood", (">1.5m", "0.7-1.5m", "0.1-0.7m"), (0.05, 0.03, 0.01)),
        ("waterlogging", (">1.5m", "0.7-1.5m", "0.1-0.7m"), (0.05, 0.03, 0.01)),
        ("landslide", ("high", "medium", "low"), (1.0, 1.0, 0.0)),
        ("other", ("high", "medium", "low"), (1.0, 1.0, 0.0)),
    ],
)
def test_inasafe_rates(profile, hazard, order, rates):
    assert profile.order(hazard) == order
    assert tuple(profile.rate(hazard, c) for c in order) == rates


def test_intensity_runs_xii_to_ii_with_vi_the_last_displacing(profile):
    order = profile.order("earthquake")
    assert order[0] == "XII"
    assert order[-1] == "II"
    assert len(order) == 11
    assert [profile.rate("earthquake", c) for c in ("VI", "V")] == [1.0, 0.0]


@pytest.mark.parametrize(
    ("hazard", "label", "canonical"),
    [
        ("flood", ">=1.5m", ">1.5m"),
        ("flood", "> 1.5 M", ">1.5m"),
        ("earthquake", "8度", "VIII"),
        ("earthquake", "viii", "VIII"),
        ("earthquake", "Ⅷ", "VIII"),
        ("landslide", "High", "high"),
    ],
)
def test_aliases_case_and_spaces(profile, hazard, label, canonical):
    assert profile.table(hazard).find(label).name == canonical


def test_assign_classes_uses_the_default_and_says_so(profile):
    frame = gpd.GeoDataFrame(
        {"feature": [0, 1], "class": [">=1.5m", None]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    result = assign_classes(frame, profile, hazard="flood")
    assert list(result["class"]) == [">1.5m", "0.1-0.7m"]
    assert list(result["class_given"]) == [True, False]
    assert frame["class"].iloc[0] == ">=1.5m"  # input untouched
    assert "class_given" not in frame


def test_assign_classes_refuses_an_unknown_class_naming_feature_and_choices(profile):
    frame = gpd.GeoDataFrame(
        {"feature": [0, 1], "class": [">1.5m", "0.5-1.5m"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    with pytest.raises(
        InputError,
        match=r"footprint feature 1: class '0.5-1.5m' is not a flood class .*"
        r"allowed \(most to least severe\): >1.5m, 0.7-1.5m, 0.1-0.7m",
    ):
        assign_classes(frame, profile, hazard="flood")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.table("tsunami"), r"hazard: 'tsunami' is not one of"),
        (lambda p: p.rate("flood", "deep"), r"class 'deep' is not a flood class"),
    ],
)
def test_lookup_refusals(profile, call, message):
    with pytest.raises(InputError, match=message):
        call(profile)


def _edit(raw, path, value):
    data = copy.deepcopy(raw)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("tables", "flood_depth", "classes", 0, "rate"),
            1.5,
            r"classes\[0\].rate: expected a share",
        ),
        (("tables", "flood_depth", "classes", 0, "rate"), True, r"rate: expected a share"),
        (("tables", "flood_depth", "classes", 0, "source"), "", r"classes\[0\].source: expected"),
        (("tables", "flood_depth", "classes", 1, "name"), None, r"classes\[1\].name: expected"),
        (("tables", "flood_depth", "classes", 0, "aliases"), [1], r"aliases: expected a list"),
        (("tables", "flood_depth", "classes", 2, "aliases"), ["HIGH"], r"'high' names both"),
        (
            ("tables", "flood_depth", "classes", 2, "rate"),
            0.5,
            r"'0.1-0.7m' \(rate 0.5\) is listed",
        ),
        (("tables", "flood_depth", "classes"), [], r"flood_depth.classes: expected a non-empty"),
        (("tables", "flood_depth", "default_class"), "deep", r"default_class: 'deep' is not one"),
        (("tables", "flood_depth"), "x", r"tables.flood_depth: expected a table"),
        (("tables",), {}, r"tables: expected at least one class table"),
        (("hazards", "flood"), {"uses": "nope"}, r"hazards.flood.uses: expected the name"),
        (("hazards", "tsunami"), {"uses": "generic"}, r"hazards.tsunami: unknown hazard"),
        (("hazards", "hail"), None, r"hazards: no class table for \['hail'\]"),
        (("hazards",), "x", r"hazards: expected a table"),
        (("estimate",), False, r"estimate: expected true"),
        (("id",), None, r"id: expected a non-empty string"),
    ],
)
def test_malformed_profiles_are_refused_naming_the_key(raw, path, value, message):
    with pytest.raises(PlanError, match=r"displacement profile test.toml: .*" + message):
        parse_profile(_edit(raw, path, value), source="test.toml")


def test_read_profile_refuses_an_unreadable_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("tables = [", encoding="utf-8")
    with pytest.raises(PlanError, match=r"displacement profile bad.toml: cannot be read"):
        read_displacement(path)
