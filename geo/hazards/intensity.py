"""The intensity field of an earthquake from its magnitude and epicentre: isoseismal ellipses.

China's 地震应急快速评估 practice draws the first-hour intensity field with an intensity
attenuation relation that has a long- and a short-axis branch,
``I = a + b·M + c·log(R + r0)``. Solved for ``R`` at each integer degree it gives the two
semi-axes of that degree's isoseismal; the long axis follows the fault strike. The
relations, with their sources, are data (``data/earthquake/attenuation.toml``, read by
`layers`); `parse_attenuation` freezes them, refusing a malformed profile with every problem
named at once.

`intensity_field` lays the ellipses out on an azimuthal equidistant projection centred on
the epicentre, so that kilometres are kilometres along every axis, and returns one ring per
degree (the area between its isoseismal and the next one in), in longitude/latitude.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import geopandas as gpd
import numpy as np
from pyproj import CRS
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from geo._crs import LONLAT, transformer
from geo.errors import GeometryError, InputError, Problems, ProfileError

Log = Literal["ln", "log10"]
LOGS: tuple[Log, ...] = ("ln", "log10")
MAGNITUDE_RANGE = (3.0, 9.5)
#: Vertices of each drawn ellipse: the inscribed polygon's area falls short of π·a·b by
#: under 0.01 % at 256.
ELLIPSE_VERTICES = 256
_ROMAN = {n: chr(0x215F + n) for n in range(1, 13)}  # Ⅰ … Ⅻ


def roman(intensity: int) -> str:
    """The Roman numeral of an intensity degree as printed on Chinese maps (Ⅵ, Ⅶ …)."""
    if intensity not in _ROMAN:
        raise InputError(f"intensity: expected 1–12, got {intensity!r}", field="intensity")
    return _ROMAN[intensity]


@dataclass(frozen=True)
class Axis:
    """One branch of a relation: ``I = a + b·M + c·log(R + r0)`` along one axis."""

    a: float
    b: float
    c: float
    r0: float

    def radius_km(self, intensity: float, magnitude: float, log: Log) -> float:
        """The distance (km) at which this branch gives ``intensity`` (negative: not reached)."""
        exponent = (intensity - self.a - self.b * magnitude) / self.c
        power = math.exp(exponent) if log == "ln" else 10.0**exponent
        return power - self.r0


@dataclass(frozen=True)
class Relation:
    """A published intensity attenuation relation with its long and short axis."""

    id: str
    label: str
    log: Log
    long: Axis
    short: Axis
    source: str
    status: str
    sigma: float | None = None

    def semi_axes_km(self, intensity: float, magnitude: float) -> tuple[float, float]:
        """(semi-major, semi-minor) of the isoseismal of ``intensity``, in km."""
        return (
            self.long.radius_km(intensity, magnitude, self.log),
            self.short.radius_km(intensity, magnitude, self.log),
        )


@dataclass(frozen=True)
class AttenuationProfile:
    """A parsed attenuation profile: relations, regions, the default strike and degrees."""

    name: str
    relations: Mapping[str, Relation]
    regions: Mapping[str, str]
    default_region: str
    default_strike_deg: float
    default_strike_source: str
    min_intensity: int
    max_intensity: int

    def relation(self, region: str | None = None) -> Relation:
        """The relation a region name (or a relation id) selects; the default region's if None."""
        key = self.default_region if region is None else region
        relation_id = self.regions.get(key, key)
        if relation_id not in self.relations:
            known = ", ".join([*self.regions, *self.relations])
            raise InputError(f"region: expected one of {known}, got {region!r}", field="region")
        return self.relations[relation_id]


@dataclass(frozen=True)
class Isoseismal:
    """The ellipse bounding the area of one intensity degree and above."""

    intensity: int
    label: str
    semi_major_km: float
    semi_minor_km: float

    @property
    def area_km2(self) -> float:
        """π·a·b, the area inside this isoseismal."""
        return math.pi * self.semi_major_km * self.semi_minor_km


@dataclass(frozen=True)
class IntensityField:
    """An estimated intensity field: the isoseismals and one ring per degree in lon/lat.

    ``rings`` is a GeoDataFrame in EPSG:4326 with columns ``intensity`` (int), ``label``
    (Ⅵ …) and ``geometry``, lowest degree first; the rings do not overlap.
    ``strike_source`` says where the long axis's direction came from.
    """

    magnitude: float
    lon: float
    lat: float
    strike_deg: float
    strike_source: str
    relation: Relation
    isoseismals: tuple[Isoseismal, ...]
    rings: gpd.GeoDataFrame


# ---------------------------------------------------------------- computing


def check_magnitude(magnitude: object) -> float:
    """Refuse a magnitude that is not a number within 3.0–9.5."""
    low, high = MAGNITUDE_RANGE
    if (
        isinstance(magnitude, bool)
        or not isinstance(magnitude, int | float)
        or not math.isfinite(magnitude)
        or not low <= magnitude <= high
    ):
        raise InputError(
            f"magnitude: expected a number from {low} to {high}, got {magnitude!r}",
            field="magnitude",
        )
    return float(magnitude)


def isoseismals(
    profile: AttenuationProfile,
    *,
    magnitude: float,
    region: str | None = None,
    min_intensity: int | None = None,
) -> tuple[Isoseismal, ...]:
    """The isoseismals from ``min_intensity`` up to the highest degree reached, lowest first.

    A degree is reached where both semi-axes of its isoseismal are positive.
    """
    magnitude = check_magnitude(magnitude)
    relation = profile.relation(region)
    lowest = profile.min_intensity if min_intensity is None else min_intensity
    if not 1 <= lowest <= profile.max_intensity:
        raise InputError(
            f"min_intensity: expected 1–{profile.max_intensity}, got {lowest!r}",
            field="min_intensity",
        )
    found = []
    for degree in range(lowest, profile.max_intensity + 1):
        major, minor = relation.semi_axes_km(degree, magnitude)
        if major <= 0 or minor <= 0:
            break
        found.append(Isoseismal(degree, roman(degree), major, minor))
    return tuple(found)


def intensity_field(
    profile: AttenuationProfile,
    *,
    magnitude: float,
    lon: float,
    lat: float,
    strike: float | None = None,
    region: str | None = None,
    min_intensity: int | None = None,
) -> IntensityField:
    """The intensity field of an earthquake as non-overlapping rings, one per degree.

    Parameters
    ----------
    profile
        The parsed attenuation profile.
    magnitude
        Magnitude as reported by CENC, 3.0–9.5.
    lon, lat
        The epicentre in degrees (WGS84 / CGCS2000).
    strike
        Azimuth of the long axis in degrees clockwise from north; the profile's default
        strike when None (the field then says so in ``strike_source``).
    region
        A region of the profile (``east``, ``west``) or a relation id; default region if None.
    min_intensity
        The lowest degree drawn; the profile's (Ⅵ) if None.
    """
    magnitude = check_magnitude(magnitude)
    lon, lat = _check_epicentre(lon, lat)
    if strike is None:
        strike_deg, strike_source = profile.default_strike_deg, profile.default_strike_source
    else:
        if isinstance(strike, bool) or not isinstance(strike, int | float):
            raise InputError(f"strike: expected degrees, got {strike!r}", field="strike")
        if not math.isfinite(strike):
            raise InputError(f"strike: expected degrees, got {strike!r}", field="strike")
        strike_deg, strike_source = float(strike) % 360.0, "given"
    found = isoseismals(profile, magnitude=magnitude, region=region, min_intensity=min_intensity)
    rings = _rings(found, lon=lon, lat=lat, strike_deg=strike_deg)
    return IntensityField(
        magnitude=magnitude,
        lon=lon,
        lat=lat,
        strike_deg=strike_deg,
        strike_source=strike_source,
        relation=profile.relation(region),
        isoseismals=found,
        rings=rings,
    )


def local_crs(lon: float, lat: float) -> CRS:
    """The azimuthal equidistant CRS centred on (lon, lat), in metres."""
    return CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def ellipse_xy(
    semi_major_m: float, semi_minor_m: float, strike_deg: float
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Vertices (x east, y north, metres) of an ellipse about the origin, long axis on strike."""
    t = np.linspace(0.0, 2.0 * math.pi, ELLIPSE_VERTICES, endpoint=False)
    theta = math.radians(strike_deg)
    along = (math.sin(theta), math.cos(theta))  # unit vector on the strike azimuth
    across = (math.cos(theta), -math.sin(theta))
    u, v = semi_major_m * np.cos(t), semi_minor_m * np.sin(t)
    return u * along[0] + v * across[0], u * along[1] + v * across[1]


def _rings(
    found: tuple[Isoseismal, ...], *, lon: float, lat: float, strike_deg: float
) -> gpd.GeoDataFrame:
    to_lonlat = transformer(local_crs(lon, lat), LONLAT)
    shells = []
    for iso in found:
        x, y = ellipse_xy(iso.semi_major_km * 1000.0, iso.semi_minor_km * 1000.0, strike_deg)
        xs, ys = to_lonlat.transform(x, y)
        shells.append(list(zip(xs.tolist(), ys.tolist(), strict=True)))
    # Exterior counter-clockwise, hole clockwise, as RFC 7946 asks (and signed-area tools need).
    geometries = [
        orient(Polygon(shell, [shells[i + 1]] if i + 1 < len(shells) else None), sign=1.0)
        for i, shell in enumerate(shells)
    ]
    if not all(ring.is_valid for ring in geometries):  # folded round a pole or across ±180°
        where = f"at ({lon:g}, {lat:g}) reaches over a pole or across the antimeridian"
        raise GeometryError(f"epicentre: the intensity field {where}", field="epicentre")
    return gpd.GeoDataFrame(
        {
            "intensity": [iso.intensity for iso in found],
            "label": [iso.label for iso in found],
        },
        geometry=geometries,
        crs=LONLAT,
    )


def _check_epicentre(lon: object, lat: object) -> tuple[float, float]:
    for name, value, limit in (("lon", lon, 180.0), ("lat", lat, 90.0)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) > limit
        ):
            raise InputError(
                f"{name}: expected degrees within ±{limit:g}, got {value!r}", field=name
            )
    return float(cast(float, lon)), float(cast(float, lat))


# ---------------------------------------------------------------- parsing


def _number(raw: Mapping[str, Any], key: str, where: str, problems: Problems) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(f"{where}.{key}", "expected a number")
        return math.nan
    return float(value)


def _text(raw: Mapping[str, Any], key: str, where: str, problems: Problems) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{where}.{key}", "expected text")
        return ""
    return value.strip()


def _axis(raw: object, where: str, problems: Problems) -> Axis | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "expected a table with a, b, c, r0")
        return None
    a, b, c, r0 = (_number(raw, k, where, problems) for k in ("a", "b", "c", "r0"))
    if not c < 0:  # also catches NaN
        problems.add(f"{where}.c", "expected a negative number (intensity falls with distance)")
    if not r0 >= 0:
        problems.add(f"{where}.r0", "expected a non-negative number")
    return Axis(a, b, c, r0)


def _relation(relation_id: str, raw: object, problems: Problems) -> Relation | None:
    where = f"relations.{relation_id}"
    if not isinstance(raw, Mapping):
        problems.add(where, "expected a table")
        return None
    before = len(problems.items)
    log = raw.get("log")
    if log not in LOGS:
        problems.add(f"{where}.log", f"expected one of {', '.join(LOGS)}, got {log!r}")
    long, short = (_axis(raw.get(k), f"{where}.{k}", problems) for k in ("long", "short"))
    label, source, status = (_text(raw, k, where, problems) for k in ("label", "source", "status"))
    sigma = _number(raw, "sigma", where, problems) if "sigma" in raw else None
    if len(problems.items) > before or long is None or short is None:
        return None
    return Relation(relation_id, label, cast(Log, log), long, short, source, status, sigma)


def parse_attenuation(
    data: Mapping[str, Any], *, what: str = "attenuation profile"
) -> AttenuationProfile:
    """Freeze an attenuation profile mapping (the TOML as read), naming every problem at once.

    Raises
    ------
    ProfileError
        When a key is missing or malformed; the message lists every such key.
    """
    problems = Problems(what, error=ProfileError)
    raw_relations = data.get("relations")
    relations: dict[str, Relation] = {}
    if not isinstance(raw_relations, Mapping) or not raw_relations:
        problems.add("relations", "expected a table of relations")
        raw_relations = {}
    for relation_id, raw in raw_relations.items():
        relation = _relation(str(relation_id), raw, problems)
        if relation is not None:
            relations[str(relation_id)] = relation
    regions = data.get("regions")
    if not isinstance(regions, Mapping):
        problems.add("regions", "expected a table of region = relation id")
        regions = {}
    for region, relation_id in regions.items():
        if relation_id not in raw_relations:
            problems.add(f"regions.{region}", f"names no relation: {relation_id!r}")
    settings = data.get("settings")
    if not isinstance(settings, Mapping):
        problems.add("settings", "expected a table")
        settings = {}
    strike = _number(settings, "default_strike_deg", "settings", problems)
    strike_source = _text(settings, "default_strike_source", "settings", problems)
    default_region = settings.get("default_region")
    if default_region not in regions:
        problems.add("settings.default_region", f"expected a region, got {default_region!r}")
    low, high = settings.get("min_intensity"), settings.get("max_intensity")
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 12):
        problems.add("settings.min_intensity", "expected whole degrees 1 ≤ min ≤ max ≤ 12")
    problems.raise_if_any()
    return AttenuationProfile(
        name=str(data.get("name", what)),
        relations=relations,
        regions={str(k): str(v) for k, v in regions.items()},
        default_region=str(default_region),
        default_strike_deg=strike % 360.0,
        default_strike_source=strike_source,
        min_intensity=cast(int, low),
        max_intensity=cast(int, high),
    )
