"""Coordinates picked off Chinese web maps: GCJ-02 (AMap, Tencent) and BD-09 (Baidu) to WGS84.

Maps published in China show lon/lat in GCJ-02, an obfuscated datum the surveying law
requires, and Baidu adds a second offset of its own (BD-09). A shelter register whose
coordinates were clicked off such a map lies 100–700 m from where WGS84 (or CGCS2000,
which agrees with WGS84 to well under a metre) puts it. The offsets are not a datum
transformation pyproj knows: they are the published-by-leak polynomial of GCJ-02 and the
rotation-and-shift of BD-09, as implemented by the open conversion libraries and checked
in the tests against the conversions the AMap and Aliyun services document.

WGS84 → GCJ-02 and GCJ-02 → BD-09 are closed formulas; their inverses have none, so
they are solved by fixed-point iteration to about a micrometre. The shift is defined for China
only: a point outside the service's box is refused rather than shifted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geo.errors import InputError

# The GCJ-02 polynomial is written on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A: Final = 6378245.0
_KRASOVSKY_E2: Final = 0.00669342162296594323
# BD-09's rotation and shift (degrees), applied on top of GCJ-02.
_BD_X_PI: Final = np.pi * 3000.0 / 180.0
_BD_SHIFT: Final = (0.0065, 0.006)
# Where the offset is defined: the box used by the published implementations.
CHINA_BOX: Final = (72.004, 0.8293, 137.8347, 55.8271)
_INVERSE_TOLERANCE_DEG: Final = 1e-11
_INVERSE_MAX_STEPS: Final = 30
DATUMS: Final = ("WGS84", "CGCS2000", "GCJ-02", "BD-09")

Array = NDArray[np.float64]


def _shift_lat(x: Array, y: Array) -> Array:
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return out


def _shift_lon(x: Array, y: Array) -> Array:
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return out


def _gcj_offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The GCJ-02 offset (degrees) at WGS84 ``lon``, ``lat``."""
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = np.radians(lat)
    magic = 1.0 - _KRASOVSKY_E2 * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_E2)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _arrays(lon: ArrayLike, lat: ArrayLike, datum: str) -> tuple[Array, Array]:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise InputError("lon and lat differ in length", field="coordinates")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("coordinates must be finite numbers", field="coordinates")
    west, south, east, north = CHINA_BOX
    outside = (x < west) | (x > east) | (y < south) | (y > north)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise InputError(
            f"{outside.sum()} point(s) lie outside China, where the {datum} offset is not "
            f"defined (first: lon {x.flat[i]:.6f}, lat {y.flat[i]:.6f}); give such points in "
            "WGS84 or CGCS2000",
            field="datum",
        )
    return x, y


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 lon/lat of WGS84 points (as an AMap or Tencent map shows them)."""
    return _to_gcj(*_arrays(lon, lat, "GCJ-02"))


def _invert(
    forward: Callable[[Array, Array], tuple[Array, Array]], gx: Array, gy: Array
) -> tuple[Array, Array]:
    """The point whose ``forward`` image is (gx, gy), by fixed-point iteration.

    Each step moves the estimate by the difference between its own forward image and the
    given point; the offsets change slowly, so the error shrinks about a thousandfold a
    step and a handful of steps reach `_INVERSE_TOLERANCE_DEG`.
    """
    x, y = gx.copy(), gy.copy()
    for _ in range(_INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        ex, ey = fx - gx, fy - gy
        x, y = x - ex, y - ey
        if max(float(np.abs(ex).max(initial=0.0)), float(np.abs(ey).max(initial=0.0))) < (
            _INVERSE_TOLERANCE_DEG
        ):
            break
    return x, y


def _to_gcj(x: Array, y: Array) -> tuple[Array, Array]:
    d_lon, d_lat = _gcj_offset(x, y)
    return x + d_lon, y + d_lat


def _to_bd(x: Array, y: Array) -> tuple[Array, Array]:
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + _BD_SHIFT[0], z * np.sin(theta) + _BD_SHIFT[1]


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """WGS84 lon/lat of GCJ-02 points (exact: no closed inverse exists, so it is solved)."""
    return _invert(_to_gcj, *_arrays(lon, lat, "GCJ-02"))


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 lon/lat of GCJ-02 points (as a Baidu map shows them)."""
    return _to_bd(*_arrays(lon, lat, "BD-09"))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 lon/lat of BD-09 points, solved exactly like `gcj02_to_wgs84`."""
    return _invert(_to_bd, *_arrays(lon, lat, "BD-09"))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, *, datum: str) -> tuple[Array, Array]:
    """WGS84 lon/lat of points given in ``datum`` (one of `DATUMS`, case and dash free).

    WGS84 and CGCS2000 pass unchanged: the two realisations agree to a few centimetres,
    far below what a map click resolves.
    """
    key = datum.upper().replace("-", "").replace("_", "")
    if key in ("WGS84", "CGCS2000"):
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        return x, y
    if key == "GCJ02":
        return gcj02_to_wgs84(lon, lat)
    if key == "BD09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise InputError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}", field="datum")
