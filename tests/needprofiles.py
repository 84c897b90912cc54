"""A tiny needs profile for the needs and allocation tests."""

from __future__ import annotations

import copy

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
