"""GCJ-02 and BD-09 against the conversions the map services themselves document.

References (each a conversion printed in a service's own documentation, not computed by
us):
- AMap Web API 坐标转换 (lbs.amap.com/api/webservice/guide/api/convert), example answer:
  GPS 116.481499,39.990475 → 116.487585177952,39.991754014757 and
  GPS 116.481499,39.990375 → 116.487585177952,39.991653917101.
- Aliyun 地址标准化 TransferCoord (help.aliyun.com, coordinate-system-conversion), example
  answer for GCJ02 120.026268,30.279164: WGS84 120.021519,30.281543 and
  BD09 120.032768,30.285238.
Distances are measured on the WGS84 ellipsoid (pyproj.Geod), the requirement < 1 m.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geo.chinese_datums import (
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from geo.errors import InputError

GEOD = Geod(ellps="WGS84")
AMAP = [
    ((116.481499, 39.990475), (116.487585177952, 39.991754014757)),
    ((116.481499, 39.990375), (116.487585177952, 39.991653917101)),
]
ALIYUN_GCJ = (120.026268, 30.279164)
ALIYUN_WGS = (120.021519, 30.281543)
ALIYUN_BD = (120.032768, 30.285238)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


@pytest.mark.parametrize(("wgs", "gcj"), AMAP)
def test_wgs84_to_gcj02_matches_amap(wgs, gcj) -> None:
    x, y = wgs84_to_gcj02(wgs[0], wgs[1])
    assert metres((float(x), float(y)), gcj) < 1.0
    # and the way back, as a register of AMap clicks is read
    back = to_wgs84(gcj[0], gcj[1], datum="GCJ-02")
    assert metres((float(back[0]), float(back[1])), wgs) < 1.0


def test_gcj02_to_wgs84_is_exact_where_aliyun_approximates() -> None:
    """Aliyun's WGS84 answer is the one-step inverse (gcj − offset(gcj)): 1.7 m off.

    Shifting Aliyun's WGS84 point forward lands 1.75 m from the GCJ-02 point it was given,
    while ours lands on it; ours is within 2 m of Aliyun's, the size of their shortcut.
    """
    x, y = gcj02_to_wgs84(*ALIYUN_GCJ)
    forward = wgs84_to_gcj02(x, y)
    assert metres((float(forward[0]), float(forward[1])), ALIYUN_GCJ) < 1e-3
    theirs = wgs84_to_gcj02(*ALIYUN_WGS)
    assert 1.5 < metres((float(theirs[0]), float(theirs[1])), ALIYUN_GCJ) < 2.0
    assert metres((float(x), float(y)), ALIYUN_WGS) < 2.0


def test_bd09_matches_aliyun() -> None:
    x, y = gcj02_to_bd09(*ALIYUN_GCJ)
    assert metres((float(x), float(y)), ALIYUN_BD) < 1.0
    gx, gy = bd09_to_gcj02(*ALIYUN_BD)
    assert metres((float(gx), float(gy)), ALIYUN_GCJ) < 1.0


def test_the_offset_is_the_size_a_user_sees() -> None:
    """In 阳泉 a GCJ-02 click lies a few hundred metres from WGS84 (100–700 m in China)."""
    x, y = wgs84_to_gcj02(113.58, 37.86)
    assert 100 < metres((113.58, 37.86), (float(x), float(y))) < 700


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=73.5, max_value=135.0),
    st.floats(min_value=18.0, max_value=53.5),
)
def test_round_trips_are_exact(lon: float, lat: float) -> None:
    gx, gy = wgs84_to_gcj02(lon, lat)
    wx, wy = gcj02_to_wgs84(gx, gy)
    assert metres((lon, lat), (float(wx), float(wy))) < 1e-4
    bx, by = gcj02_to_bd09(gx, gy)
    cx, cy = bd09_to_gcj02(bx, by)
    assert metres((float(gx), float(gy)), (float(cx), float(cy))) < 1e-4


def test_arrays_convert_elementwise() -> None:
    lon = np.array([116.481499, 116.481499])
    lat = np.array([39.990475, 39.990375])
    x, y = wgs84_to_gcj02(lon, lat)
    for i, (_, gcj) in enumerate(AMAP):
        assert metres((float(x[i]), float(y[i])), gcj) < 1.0


def test_wgs84_and_cgcs2000_pass_unchanged() -> None:
    for datum in ("WGS84", "cgcs2000"):
        x, y = to_wgs84([113.5], [37.8], datum=datum)
        assert (float(x[0]), float(y[0])) == (113.5, 37.8)


def test_a_point_outside_china_is_refused() -> None:
    with pytest.raises(InputError, match=r"outside China.*lon 2\.350000") as err:
        to_wgs84(2.35, 48.85, datum="GCJ-02")
    assert err.value.field == "datum"


def test_an_unknown_datum_is_refused() -> None:
    with pytest.raises(InputError, match="unknown datum 'WGS72'"):
        to_wgs84(113.5, 37.8, datum="WGS72")
