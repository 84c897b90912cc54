"""How a share reads: 19.5 %, and how far it is from a threshold in percentage points.

The API keeps shares as fractions (0.195); people read percentages. One rule for the
command line, the printed map and the incident map.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from geo.plans.model import INDICATORS

#: Most decimals shown before a tiny non-zero gap is given up as "0".
_MAX_DECIMALS = 4


def is_share(indicator: str | None) -> bool:
    """Whether the indicator is a share (0–1) rather than a count."""
    return INDICATORS.get(indicator or "", ("count",))[0] == "share"


def _points(fraction: float, *, decimals: int) -> str:
    """A fraction in percent with ``decimals`` places, zeros dropped when the value is exact."""
    exact = Decimal(str(fraction)) * 100
    while True:
        shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if shown != 0 or exact == 0 or decimals >= _MAX_DECIMALS:
            break
        decimals += 1  # never say a gap of "0" that is not nought
    if shown == 0 and exact != 0:
        return f"<{Decimal(1).scaleb(-decimals):f}"
    text = f"{shown:f}"
    if shown == exact and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _decimals(fraction: float) -> int:
    return 1 if abs(fraction) >= 0.01 else 2


def percent(fraction: float) -> str:
    """A share as a percentage: 0.19543973941368079 → ``19.5%``, 0.25 → ``25%``."""
    return _points(fraction, decimals=_decimals(fraction)) + "%"


def point_gap(gap: float, *, value: float) -> str:
    """A gap between shares in percentage points, as precise as the value it is read with."""
    return _points(gap, decimals=_decimals(value)) + " 个百分点"
