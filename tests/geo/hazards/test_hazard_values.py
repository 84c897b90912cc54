"""Numeric hazard values: depth, intensity or a numeric class selects the profile class.

The bounds are InaSAFE's (safe/definitions/hazard_classifications.py): "Minimum value IS
NOT included, but maximum value IS included to the range. minimum_value < x <=
maximum_value"; flood_petabencana_hazard_classes high 1.5–big_number, medium 0.7–1.5,
low 0.1–0.7; earthquake_mmi_scale X 9.5–10.5 … II 1.5–2.5.
"""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pytest

from geo.errors import HazardValueError, InputError, PlanError
from geo.hazards.hazard_values import (
    NO_CLASS,
    check_plausible,
    class_codes,
    class_of_value,
    classify_values,
)
from geo.incident.displacement import parse_profile
from layers.profiles import default_displacement_path, read_displacement


@pytest.fixture(scope="module")
def profile():
    return read_displacement()


@pytest.fixture
def raw():
    return tomllib.loads(default_displacement_path().read_text(encoding="utf-8"))


def feature(**properties):
    ring = [[113.5, 37.8], [113.6, 37.8], [113.6, 37.9], [113.5, 37.8]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def classed(profile, hazard, **properties):
    table = profile.table(hazard)
    collection = {"type": "FeatureCollection", "features": [feature(**properties)]}
    return classify_values(collection, table, hazard=hazard)["features"][0]["properties"]["class"]


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (0.1000001, "0.1-0.7m"),
        (0.7, "0.1-0.7m"),  # the maximum is in the class
        (0.7000001, "0.7-1.5m"),  # the minimum is not
        (1.2, "0.7-1.5m"),
        (1.5, "0.7-1.5m"),
        (1.51, ">1.5m"),
        (12, ">1.5m"),
    ],
)
def test_depth_selects_the_inasafe_band(profile, depth, expected):
    assert classed(profile, "flood", depth_m=depth) == expected
    assert classed(profile, "waterlogging", **{"class": depth}) == expected


@pytest.mark.parametrize(
    ("intensity", "expected"),
    [(8, "VIII"), ("8", "VIII"), ("VIII", "VIII"), ("Ⅷ度", "VIII"), (8.4, "VIII"), (7.5, "VII"),
     (7.51, "VIII"), ("11", "XI"), (2, "II")],
)  # fmt: skip
def test_intensity_in_roman_or_arabic_selects_the_degree(profile, intensity, expected):
    assert classed(profile, "earthquake", intensity=intensity) == expected


def test_names_keep_working_and_win_over_values(profile):
    assert classed(profile, "flood", **{"class": "0.7-1.5m"}) == "0.7-1.5m"
    assert classed(profile, "flood", **{"class": "medium"}, depth_m=3) == "medium"


@pytest.mark.parametrize(("hazard", "value"), [("flood", 0.1), ("flood", 0.05), ("earthquake", 13)])
def test_a_value_outside_every_class_names_the_bounds(profile, hazard, value):
    field = "depth_m" if hazard == "flood" else "intensity"
    with pytest.raises(HazardValueError, match=r"outside every .* class; bounds") as caught:
        classed(profile, hazard, **{field: value})
    lowest = "0.1-0.7m (0.1 < v <= 0.7 m)" if hazard == "flood" else "XII (11.5 < v <= 12.5"
    assert lowest in str(caught.value)


def test_a_value_the_hazard_does_not_use_is_refused(profile):
    with pytest.raises(InputError, match="depth_m does not grade a earthquake"):
        classed(profile, "earthquake", depth_m=1.0)
    with pytest.raises(InputError, match="depth_m must be a number"):
        classed(profile, "flood", depth_m="deep")


def test_a_generic_hazard_keeps_its_names(profile):
    # no bounds: a numeric class is left for the class lookup to refuse or accept
    assert classed(profile, "landslide", **{"class": "high"}) == "high"
    assert classed(profile, "landslide", **{"class": 3}) == 3


def test_raster_cells_are_coded_by_bounds_nodata_and_below_in_no_class(profile):
    table = profile.table("flood")
    values = np.array([[0.05, 0.1, 0.3], [0.7, 1.0, 2.0], [np.nan, 40.0, 0.0]])
    valid = np.isfinite(values)
    valid[0, 2] = False  # nodata
    codes = class_codes(values, valid, table)
    order = {name: i for i, name in enumerate(table.order())}
    expected = [
        [NO_CLASS, NO_CLASS, NO_CLASS],
        [order["0.1-0.7m"], order["0.7-1.5m"], order[">1.5m"]],
        [NO_CLASS, order[">1.5m"], NO_CLASS],
    ]
    assert codes.tolist() == expected
    check_plausible(40.0, table, hazard="flood", where="depth.tif")
    with pytest.raises(HazardValueError, match="above the plausible flood maximum 50 m"):
        check_plausible(120.0, table, hazard="flood", where="depth.tif")


def test_class_of_value_for_every_flood_band(profile):
    table = profile.table("flood")
    assert [class_of_value(table, v, where="x", hazard="flood") for v in (0.5, 1, 2)] == [
        "0.1-0.7m",
        "0.7-1.5m",
        ">1.5m",
    ]


def test_profile_bounds_are_checked(raw):
    overlapping = copy.deepcopy(raw)
    overlapping["tables"]["flood_depth"]["classes"][1]["max"] = 1.6
    with pytest.raises(PlanError, match=r"bounds of '0\.7-1\.5m' and '>1\.5m' overlap"):
        parse_profile(overlapping, source="x.toml")
    partial = copy.deepcopy(raw)
    del partial["tables"]["flood_depth"]["classes"][0]["min"]
    with pytest.raises(PlanError, match="expected numbers min < max"):
        parse_profile(partial, source="x.toml")
    unsourced = copy.deepcopy(raw)
    del unsourced["tables"]["intensity"]["bounds_source"]
    with pytest.raises(PlanError, match=r"tables\.intensity\.bounds_source"):
        parse_profile(unsourced, source="x.toml")
    reversed_ = copy.deepcopy(raw)
    reversed_["tables"]["flood_depth"]["classes"][2]["min"] = 0.9
    with pytest.raises(PlanError, match="min < max"):
        parse_profile(reversed_, source="x.toml")
