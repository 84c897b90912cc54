"""Depot stock readiness: literal rows, the demo stock against a level-II response, refusals."""

from __future__ import annotations

import pyogrio
import pytest
from needprofiles import profile, stock

from geo.errors import InputError
from geo.supply.readiness import readiness
from layers.profiles import read_needs
from layers.resources import demo_pack_dir


def test_readiness_is_literal() -> None:
    ready = readiness(
        stock(("A", "tent", 30), ("B", "tent", 20), ("A", "food_ration", 100)),
        needs=profile(),
        persons=100,
        days=3,
        margin=0.2,
    )
    rows = {r.item: (r.stock, r.need, r.required, r.shortfall, r.ready) for r in ready.items}
    assert rows == {
        "tent": (50.0, 40.0, 48.0, 0.0, True),
        "quilt": (0.0, 100.0, 120.0, 120.0, False),
        "food_ration": (100.0, 150.0, 180.0, 80.0, False),
    }
    assert ready.items[2].ratio == pytest.approx(100 / 180)
    assert ready.ready is False


def test_demo_stock_against_a_level_two_response() -> None:
    held = pyogrio.read_dataframe(demo_pack_dir() / "layers.gpkg", layer="depot_stock")
    ready = readiness(held, needs=read_needs(), persons=40000, days=3, margin=0.2)
    rows = {r.item: (r.need, r.required, r.stock) for r in ready.items}
    assert rows["tent"] == (15268.0, 18322.0, 5370.0)
    assert rows["food_ration"] == (60000.0, 72000.0, 143200.0)
    assert rows["drinking_water"] == (360000.0, 432000.0, 268500.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: readiness(stock(), needs=profile(), persons=10, days=3, margin=-0.1),
            "margin: expected a non-negative number",
        ),
        (
            lambda: readiness(stock(), needs=profile(), persons=1.5, days=3, margin=0.1),
            "persons: expected a non-negative whole number",
        ),
        (
            lambda: readiness("stock", needs=profile(), persons=1, days=3, margin=0.1),
            "stock: expected a table",
        ),
    ],
)
def test_readiness_refusals(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]
