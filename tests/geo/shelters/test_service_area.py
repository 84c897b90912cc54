"""Who is within reach: service coverage per shelter kind."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point
from shelterworld import THREE, UTM, X0, Y0, profile, shelters, status

from geo.errors import InputError
from geo.shelters.service_area import service_coverage
from geo.shelters.status import ShelterStatus


def test_service_coverage_literal_case() -> None:
    frame = shelters(
        Point(X0 + 1_000, Y0 + 1_000),
        Point(X0 + 5_000, Y0 + 5_000),
        Point(X0 + 8_000, Y0 + 8_000),
        kinds=("emergency", "short_term", "long_term"),
    )
    statuses = [
        ShelterStatus("S1", "1号", "emergency", 100, "usable", ()),
        ShelterStatus("S2", "2号", "short_term", 200, "usable", ()),
        ShelterStatus("S3", "3号", "long_term", 300, "in_footprint", ()),
    ]
    to_lonlat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    # 400 m from S1; 1500 m from S2; 1414 m from S3, which is closed.
    lon, lat = to_lonlat.transform(
        [X0 + 1_400, X0 + 5_000, X0 + 9_000], [Y0 + 1_000, Y0 + 3_500, Y0 + 9_000]
    )
    cells = pd.DataFrame({"lon": lon, "lat": lat, "affected": [10.0, 20.0, 30.0]})
    coverage = service_coverage(
        cells, frame, statuses=statuses, radii=profile().service_radii(), metric_crs=UTM
    )
    assert (coverage.affected, coverage.covered, coverage.share) == (60.0, 30.0, 0.5)
    assert [(k.kind, k.radius_m, k.shelters, k.covered) for k in coverage.by_kind] == [
        ("emergency", 500.0, 1, 10.0),
        ("short_term", 2000.0, 1, 20.0),
        ("long_term", 3000.0, 0, 0.0),
    ]
    assert [k.share for k in coverage.by_kind] == pytest.approx([1 / 6, 1 / 3, 0.0])
    nobody = service_coverage(
        cells.assign(affected=0.0),
        frame,
        statuses=statuses,
        radii={"emergency": 500},
        metric_crs=UTM,
    )
    assert (nobody.share, nobody.by_kind[0].share) == (None, None)


@pytest.mark.parametrize(
    ("cells", "statuses", "match"),
    [
        (pd.DataFrame({"lon": [1.0], "lat": [1.0]}), 3, r"cells: missing columns \['affected'\]"),
        (
            pd.DataFrame({"lon": [1.0], "lat": [1.0], "affected": [1.0]}),
            2,
            "statuses: expected one per shelter",
        ),
    ],
)
def test_service_coverage_refusals(cells: pd.DataFrame, statuses: int, match: str) -> None:
    given_statuses = [status(f"S{i}") for i in range(statuses)]
    with pytest.raises(InputError, match=match):
        service_coverage(cells, THREE, statuses=given_statuses, radii={}, metric_crs=UTM)
