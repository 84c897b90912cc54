"""Add the optional context layers ``water`` and ``places`` to the 阳泉 demo pack.

Developer-run only:  python scripts/packs/add_context_yangquan.py [PACK]

Appended to an existing ``layers.gpkg`` (the other layers, and so every demo figure, stay
as they are). Both are drawn on the maps and used by no analysis.

- ``water``: 桃河, 温河 and 南川河 — real names, APPROXIMATE courses: the same sketched
  centre lines `build_yangquan.py` lays its flood-risk zones and the demo flood along
  (``RIVERS``), drawn from general geographic knowledge, not surveyed.
- ``places``: the settlements of `build_yangquan.py` (``SETTLEMENTS``) — real names,
  APPROXIMATE positions (about ±2–3 km). ``rank``: 1 the city and county seats, 2 the
  towns (镇) and mining district, 3 the townships (乡); labels go in that order.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
from build_yangquan import CRS_LL, RIVERS, SETTLEMENTS
from common import OGR_CURRENT_DATE
from shapely.geometry import LineString, Point

DEFAULT_PACK = Path(__file__).resolve().parents[2] / "data" / "yangquan"
WATER_SOURCE = (
    "approximate: real river names, course sketched from general geographic knowledge "
    "(not surveyed) for the reliefgis demo; synthetic geometry"
)
PLACE_SOURCE = (
    "approximate: real settlement names, positions from general geographic knowledge "
    "(about ±2–3 km, not surveyed) for the reliefgis demo; synthetic geometry"
)
SEATS = ("chengqu", "guanshan", "xiushui")  # the city and the two county seats


def rank(key: str, name: str) -> tuple[int, str]:
    """A settlement's rank and kind: seats 1, towns 2, townships 3."""
    if key in SEATS:
        return 1, "seat"
    if name.endswith("乡"):
        return 3, "township"
    return 2, "town"


def water() -> gpd.GeoDataFrame:
    """The rivers as lines (lon/lat), upstream to downstream."""
    rows = [
        {"name": name, "kind": "river", "source": WATER_SOURCE, "geometry": LineString(line)}
        for name, line in RIVERS.items()
    ]
    return gpd.GeoDataFrame(rows, crs=CRS_LL)


def places() -> gpd.GeoDataFrame:
    """The settlements as points (lon/lat) with ``name``, ``rank``, ``kind`` and ``county``."""
    rows = []
    for key, name, county, lon, lat, *_ in SETTLEMENTS:
        level, kind = rank(key, name)
        rows.append(
            {"name": name, "rank": level, "kind": kind, "county": county,
             "source": PLACE_SOURCE, "geometry": Point(lon, lat)}
        )  # fmt: skip
    return gpd.GeoDataFrame(rows, crs=CRS_LL)


def main() -> None:
    pack = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PACK
    os.environ["OGR_CURRENT_DATE"] = OGR_CURRENT_DATE
    gpkg = pack / "layers.gpkg"
    for name, frame in (("water", water()), ("places", places())):
        pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG")
        print(name, len(frame))


if __name__ == "__main__":
    main()
