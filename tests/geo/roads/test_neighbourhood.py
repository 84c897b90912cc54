"""A time-limited search over the neighbourhood gives the whole graph's times, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from geo.roads.network import build_network
from geo.roads.travel import travel_times
from layers.pack import read_pack
from layers.profiles import read_speeds
from layers.resources import demo_pack_dir


@pytest.fixture(scope="module")
def demo():
    pack = read_pack(demo_pack_dir())
    network = build_network(pack.roads, speeds=read_speeds(), metric_crs=pack.metric_crs())
    return pack, network


@pytest.mark.parametrize("limit_s", [600.0, 1200.0, 1800.0])
def test_limited_times_are_the_unlimited_times_within_the_limit(demo, limit_s):
    pack, network = demo
    rng = np.random.default_rng(19)
    west, south, east, north = pack.bounds
    origins = np.column_stack([rng.uniform(west, east, 40), rng.uniform(south, north, 40)])
    shelters = np.array([(g.x, g.y) for g in pack.shelters.geometry.representative_point()])
    everything = travel_times(network, origins=origins, destinations=shelters, snap_max_m=3000.0)
    limited = travel_times(
        network, origins=origins, destinations=shelters, snap_max_m=3000.0, limit_s=limit_s
    )
    want = np.where(everything <= limit_s, everything, np.inf)
    assert np.isfinite(want).sum() > 5  # the limit leaves some pairs in, some out
    assert np.isinf(want).sum() > 5
    np.testing.assert_array_equal(limited, want)  # bit for bit
