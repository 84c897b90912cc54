"""A death range from the population exposed per intensity, with the PAGER China model."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import InputError, ProfileError
from geo.response.casualties import estimate_deaths, parse_fatality

PROFILE_PATH = Path(__file__).resolve().parents[3] / "data" / "earthquake" / "fatality.toml"


@pytest.fixture(scope="module")
def model():
    with PROFILE_PATH.open("rb") as f:
        return parse_fatality(tomllib.load(f))


def test_rate_by_hand(model):
    # ν(8) = Φ(ln(8 / 10.328811) / 0.100058) = Φ(-0.2554956 / 0.100058) = Φ(-2.5534753) = 0.0053327
    assert model.rate(8) == pytest.approx(0.0053327, abs=1e-7)


def test_rates_below_and_above_the_rated_degrees(model):
    assert model.rate(4) == 0.0
    assert model.rate(10) == model.rate(9)  # PAGER counts MMI 10 exposure at 9


def test_range_by_hand(model):
    # e = 10 000 * 0.00533269 = 53.3269 ; spread = exp(1.0 * 2.013134) = 7.486744
    # low = floor(53.3269 / 7.486744) = floor(7.1228) = 7 ; high = ceil(53.3269 * 7.486744) = 400
    deaths = estimate_deaths(model, {8: 10_000})
    assert (deaths.low, deaths.central, deaths.high) == (7, 53, 400)
    assert "PAGER" in deaths.model
    assert deaths.by_intensity[8] == pytest.approx(53.3269, abs=1e-4)


def test_no_exposure_no_deaths(model):
    deaths = estimate_deaths(model, {})
    assert (deaths.low, deaths.central, deaths.high) == (0, 0, 0)


@pytest.mark.parametrize("exposure", [{13: 10}, {6: -1}, {6: float("nan")}, {"7": 10}])
def test_bad_exposure_is_refused(model, exposure):
    with pytest.raises(InputError, match="exposure") as caught:
        estimate_deaths(model, exposure)
    assert caught.value.field == "exposure"


def test_malformed_profile_names_every_problem():
    with pytest.raises(ProfileError) as caught:
        parse_fatality(
            {
                "theta": -1,
                "beta": 0.1,
                "zeta": 2.0,
                "range_sigmas": 1.0,
                "min_intensity": 5,
                "max_intensity": 9,
                "model": "m",
                "country": "CN",
            }
        )
    message = str(caught.value)
    assert "theta" in message
    assert "source" in message
    assert "status" in message


@settings(max_examples=80, deadline=None)
@given(
    exposure=st.dictionaries(st.integers(1, 12), st.integers(0, 5_000_000), max_size=12),
    degree=st.integers(1, 12),
    more=st.integers(0, 1_000_000),
)
def test_more_exposure_never_lowers_the_range(model, exposure, degree, more):
    before = estimate_deaths(model, exposure)
    grown = {**exposure, degree: exposure.get(degree, 0) + more}
    after = estimate_deaths(model, grown)
    assert before.low <= after.low
    assert before.central <= after.central
    assert before.high <= after.high
    assert after.low <= after.central <= after.high
