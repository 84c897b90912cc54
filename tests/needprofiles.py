"""A tiny needs profile and depot stock tables for the needs, allocation and readiness tests."""

from __future__ import annotations

import copy

import pandas as pd

from geo.supply.needs import NeedsProfile, parse_needs

PROFILE = {
    "name": "test",
    "planning": {"days": 3, "days_source": "test", "margin": 0.2, "margin_source": "test"},
    "household": {"persons": 2.5, "source": "test"},
    "items": {
        "tent": {
            "quantity": 1,
            "per": "household",
            "unit": "顶",
            "integral": True,
            "source": "test",
            "status": "unchecked",
        },
        "quilt": {
            "quantity": 1,
            "per": "person",
            "unit": "床",
            "integral": True,
            "source": "test",
            "status": "reliefgis default",
        },
        "food_ration": {
            "quantity": 0.5,
            "per": "person_day",
            "unit": "kg",
            "integral": False,
            "source": "test",
            "status": "checked",
        },
    },
}


def profile() -> NeedsProfile:
    """Households of 2.5; a tent per household, a quilt per person, 0.5 kg food a day."""
    return parse_needs(copy.deepcopy(PROFILE), source="test")


#: Units of the items the stock tables below carry (others are counted in 件).
UNITS = {"tent": "顶", "food_ration": "kg"}


def stock(*rows: tuple[str, str, float]) -> pd.DataFrame:
    """A ``depot_stock`` table from (depot, item, quantity) rows."""
    return pd.DataFrame(
        [(d, i, q, UNITS.get(i, "件")) for d, i, q in rows],
        columns=["depot_id", "item", "quantity", "unit"],
    )
