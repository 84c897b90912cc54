"""A range of deaths from the population exposed per intensity, with a published model.

The model is data (``data/earthquake/fatality.toml``, read by `layers`): the USGS PAGER
empirical fatality model's country parameters, ``ν(S) = Φ(ln(S/θ)/β)`` per person exposed to
intensity ``S``, and the log standard deviation that gives the range. `parse_fatality`
freezes it; `estimate_deaths` answers a low–central–high range with the model named.

The range is for reference beside the verdict (「估算参考：按死亡人数可能达到的级别」); it does
not grade the response level unless the request asks for that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import InputError, Problems, ProfileError

DEGREES = range(1, 13)


def normal_cdf(x: float) -> float:
    """Φ(x), the standard normal cumulative distribution."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@dataclass(frozen=True)
class FatalityModel:
    """A lognormal empirical fatality model for one country, with its range rule."""

    name: str
    model: str
    country: str
    theta: float
    beta: float
    zeta: float
    min_intensity: int
    max_intensity: int
    range_sigmas: float
    source: str
    status: str

    def rate(self, intensity: int) -> float:
        """Deaths per person exposed at ``intensity``.

        Zero below the model's lowest rated degree; degrees above its highest are rated at
        the highest (PAGER counts MMI 10 exposure at 9).
        """
        if intensity < self.min_intensity:
            return 0.0
        rated = min(intensity, self.max_intensity)
        return normal_cdf(math.log(rated / self.theta) / self.beta)


@dataclass(frozen=True)
class CasualtyRange:
    """Estimated deaths: a range around the central estimate, with the model that gave it."""

    low: int
    central: int
    high: int
    expected: float
    model: str
    source: str
    by_intensity: Mapping[int, float]


def estimate_deaths(model: FatalityModel, exposure: Mapping[int, float]) -> CasualtyRange:
    """The range of deaths for the population exposed at each intensity degree.

    Parameters
    ----------
    model
        The parsed fatality model.
    exposure
        Whole intensity degree (1–12) to the population exposed there.

    Notes
    -----
    ``central`` is the expected toll ``e = Σ ν(S)·pop(S)`` rounded; ``low`` and ``high`` are
    ``e·exp(∓k·ζ)`` rounded down and up, ``k`` the model's ``range_sigmas``.

    Raises
    ------
    InputError
        A degree outside 1–12 or a population that is negative or not a number
        (``field="exposure"``).
    """
    by_intensity: dict[int, float] = {}
    for degree, population in exposure.items():
        if isinstance(degree, bool) or not isinstance(degree, int) or degree not in DEGREES:
            raise InputError(
                f"exposure: expected whole degrees 1–12, got {degree!r}", field="exposure"
            )
        if (
            isinstance(population, bool)
            or not isinstance(population, int | float)
            or not math.isfinite(population)
            or population < 0
        ):
            raise InputError(
                f"exposure: degree {degree}: expected a non-negative population, "
                f"got {population!r}",
                field="exposure",
            )
        by_intensity[degree] = population * model.rate(degree)
    expected = math.fsum(by_intensity.values())
    spread = math.exp(model.range_sigmas * model.zeta)
    return CasualtyRange(
        low=math.floor(expected / spread),
        central=round(expected),
        high=math.ceil(expected * spread),
        expected=expected,
        model=model.model,
        source=model.source,
        by_intensity=by_intensity,
    )


# ---------------------------------------------------------------- parsing


def parse_fatality(data: Mapping[str, Any], *, what: str = "fatality profile") -> FatalityModel:
    """Freeze a fatality profile mapping (the TOML as read), naming every problem at once.

    Raises
    ------
    ProfileError
        When a key is missing or malformed; the message lists every such key.
    """
    problems = Problems(what, error=ProfileError)
    numbers: dict[str, float] = {}
    for key in ("theta", "beta", "zeta", "range_sigmas"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            problems.add(key, "expected a positive number")
            value = math.nan
        numbers[key] = float(value)
    low, high = data.get("min_intensity"), data.get("max_intensity")
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 12):
        problems.add("min_intensity", "expected whole degrees 1 ≤ min ≤ max ≤ 12")
    texts: dict[str, str] = {}
    for key in ("model", "country", "source", "status"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add(key, "expected text")
        texts[key] = str(value)
    problems.raise_if_any()
    return FatalityModel(
        name=str(data.get("name", what)),
        model=texts["model"],
        country=texts["country"],
        theta=numbers["theta"],
        beta=numbers["beta"],
        zeta=numbers["zeta"],
        min_intensity=int(low),  # type: ignore[arg-type]  # checked above
        max_intensity=int(high),  # type: ignore[arg-type]
        range_sigmas=numbers["range_sigmas"],
        source=texts["source"],
        status=texts["status"],
    )
