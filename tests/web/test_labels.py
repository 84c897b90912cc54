"""The one label, colour and width table: what every product shows from it."""

from __future__ import annotations

import pytest

from web import labels


@pytest.mark.parametrize(
    ("name", "label"),
    [("VIII", "烈度 VIII 度"), (">1.5m", "水深 >1.5m"), ("high", "危险程度：高"), ("x", "x")],
)
def test_class_labels(name, label):
    assert labels.class_label(name) == label
