"""Add a SYNTHETIC per-county ``housing`` table to the 阳泉 demo pack (data/yangquan/).

Developer-run only:  python scripts/packs/add_housing_yangquan.py [PACK]

Rows: one per county and structure type, with ``county`` (code), ``structure``, ``rooms``,
``households``, ``synthetic`` and ``source``. Every figure is an ASSUMPTION for the demo:
    households = the county's 2022 population (the pack's) / 2.5 persons per household
    rooms      = households × 3 rooms
    structure shares: urban districts mostly 钢混/砖混; the rural counties keep more 砖木
    and 土木 (窑洞 and adobe houses of the Taihang foothills). They were NOT read from a
    statistic: the table to replace them with is the 2020 census's 家庭户按住房承重类型分
    (钢筋混凝土 / 混合 / 砖木 / 其他) in 《山西省2020年人口普查资料》, not at hand here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pyogrio
from common import OGR_CURRENT_DATE

DEFAULT_PACK = Path(__file__).resolve().parents[2] / "data" / "yangquan"
PERSONS_PER_HOUSEHOLD = 2.5  # assumed; the 2020 census national mean is 2.62
ROOMS_PER_HOUSEHOLD = 3.0  # assumed
SHARES = {  # 钢混, 砖混, 砖木, 土木 (assumed, see above)
    "140302": (0.55, 0.40, 0.04, 0.01),
    "140303": (0.50, 0.43, 0.05, 0.02),
    "140311": (0.25, 0.50, 0.17, 0.08),
    "140321": (0.15, 0.50, 0.22, 0.13),
    "140322": (0.12, 0.48, 0.25, 0.15),
}
STRUCTURES = ("钢混", "砖混", "砖木", "土木")
SOURCE = (
    "synthetic (reliefgis demo): households = 2022 population / 2.5, rooms = 3 per household, "
    "structure shares assumed (urban districts mostly 钢混/砖混, rural counties more 砖木/土木); "
    "to be replaced by the 2020 census 家庭户按住房承重类型分 of 《山西省2020年人口普查资料》"
)


def housing_rows(counties: pd.DataFrame) -> pd.DataFrame:
    """One row per county and structure type, whole households and rooms."""
    rows = []
    for code, population in zip(counties["code"], counties["population"], strict=True):
        households = population / PERSONS_PER_HOUSEHOLD
        for structure, share in zip(STRUCTURES, SHARES[str(code)], strict=True):
            rows.append(
                {
                    "county": str(code),
                    "structure": structure,
                    "households": round(households * share),
                    "rooms": round(households * share * ROOMS_PER_HOUSEHOLD),
                    "synthetic": "synthetic (reliefgis demo)",
                    "source": SOURCE,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    pack = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PACK
    os.environ["OGR_CURRENT_DATE"] = OGR_CURRENT_DATE
    gpkg = pack / "layers.gpkg"
    counties = pyogrio.read_dataframe(gpkg, layer="counties", read_geometry=False)
    frame = housing_rows(counties)
    pyogrio.write_dataframe(frame, gpkg, layer="housing", driver="GPKG")
    print(frame.groupby("county")[["households", "rooms"]].sum())


if __name__ == "__main__":
    main()
