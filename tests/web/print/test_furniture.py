"""Map furniture of the situation map (scale bar, graticule, north arrow): literal values."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from pyproj import CRS

from web.print.furniture import convergence_deg, distance_label, dms, nice_length, scale_bar

UTM49 = CRS.from_epsg(32649)


@pytest.mark.parametrize(
    ("metres", "expected"), [(1.0, 1.0), (4_400.0, 2_000.0), (5_000.0, 5_000.0), (999.0, 500.0)]
)
def test_scale_bar_length_is_a_round_number(metres, expected):
    assert nice_length(metres) == expected


@pytest.mark.parametrize(
    ("metres", "label"), [(0.0, "0"), (250.0, "250"), (2_500.0, "2.5"), (10_000.0, "10")]
)
def test_scale_bar_labels(metres, label):
    assert distance_label(metres) == label


def test_scale_bar_is_drawn_in_km():
    figure = Figure(figsize=(4, 4))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10_000)
    ax.set_ylim(0, 10_000)
    assert scale_bar(ax, max_m=2_200, metres_per_pt=35, fontsize=7) == "0 1 2 km"


@pytest.mark.parametrize(
    ("value", "text"), [(113.5, "113°30′E"), (37.85, "37°51′N"), (38.11, "38°6.6′N")]
)
def test_graticule_labels(value, text):
    hemisphere = ("E", "W") if value > 100 else ("N", "S")
    assert dms(value, positive=hemisphere[0], negative=hemisphere[1]) == text


def test_true_north_leans_west_east_of_the_central_meridian():
    # Yangquan (113.6°E) lies east of UTM 49N's central meridian (111°E).
    assert convergence_deg(UTM49, 113.6, 37.85) == pytest.approx(-1.596, abs=0.01)
    assert convergence_deg(UTM49, 111.0, 37.85) == pytest.approx(0.0, abs=1e-6)
