"""Who is within reach: service coverage per shelter kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
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


def test_service_coverage_matches_a_distance_per_cell() -> None:
    """Many cells near the radius of many shelters: each counted iff shapely's distance says so."""
    rng = np.random.default_rng(19)
    sites = rng.uniform(0, 20_000, size=(40, 2)) + np.array([X0, Y0])
    kinds = tuple(rng.choice(["emergency", "short_term", "long_term"], size=len(sites)))
    frame = shelters(*(Point(x, y) for x, y in sites), kinds=kinds)
    states = rng.choice(["usable", "usable", "in_footprint"], size=len(sites))
    statuses = [
        ShelterStatus(f"S{i + 1}", f"{i + 1}号", kind, 100, state, ())  # type: ignore[arg-type]
        for i, (kind, state) in enumerate(zip(kinds, states, strict=True))
    ]
    radii = profile().service_radii()
    # Cells anywhere, and cells just inside and just outside each radius in every direction.
    spread = rng.uniform(-5_000, 25_000, size=(3_000, 2)) + np.array([X0, Y0])
    angle = rng.uniform(0, 2 * np.pi, size=(len(sites), 30))
    near = []
    for radius in (500.0, 2_000.0, 3_000.0):
        for factor in (1 - 1e-6, 1 + 1e-6):
            offset = radius * factor * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
            near.append((sites[:, None, :] + offset).reshape(-1, 2))
    xy = np.concatenate([spread, *near])
    lon, lat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(xy[:, 0], xy[:, 1])
    affected = rng.uniform(0, 10, size=len(xy))
    cells = pd.DataFrame({"lon": lon, "lat": lat, "affected": affected})
    coverage = service_coverage(cells, frame, statuses=statuses, radii=radii, metric_crs=UTM)
    # Reference: shapely distance from every cell (as it lands in UTM) to every open site.
    back = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(lon, lat)
    points = shapely.points(np.column_stack(back))
    anywhere = np.zeros(len(xy), dtype=bool)
    for kind, found in zip(radii, coverage.by_kind, strict=True):
        chosen = [
            Point(x, y)
            for (x, y), k, s in zip(sites, kinds, states, strict=True)
            if k == kind and s == "usable"
        ]
        reached = np.zeros(len(xy), dtype=bool)
        for site in chosen:
            reached |= shapely.distance(points, site) <= radii[kind]
        anywhere |= reached
        assert found.shelters == len(chosen)
        assert found.covered == pytest.approx(affected[reached].sum(), rel=1e-12)
        assert 0 < reached.sum() < len(xy) or not chosen
    assert coverage.covered == pytest.approx(affected[anywhere].sum(), rel=1e-12)
    assert coverage.affected == pytest.approx(affected.sum(), rel=1e-12)


def test_service_coverage_takes_the_cells_positions_when_given() -> None:
    frame = shelters(Point(X0, Y0), kinds=("emergency",))
    statuses = [ShelterStatus("S1", "1号", "emergency", 100, "usable", ())]
    lon, lat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(
        [X0 + 100, X0 + 900], [Y0, Y0]
    )
    cells = pd.DataFrame({"lon": lon, "lat": lat, "affected": [1.0, 2.0]})
    # Positions given say the opposite of lon/lat: they are the ones used.
    xy = np.array([[X0 + 900, Y0], [X0 + 100, Y0]])
    given = service_coverage(
        cells, frame, statuses=statuses, radii={"emergency": 500}, metric_crs=UTM, xy=xy
    )
    assert given.covered == 2.0
    with pytest.raises(InputError, match="xy: expected one per cell"):
        service_coverage(
            cells, frame, statuses=statuses, radii={"emergency": 500}, metric_crs=UTM, xy=xy[:1]
        )


def test_service_coverage_with_more_squares_than_worth_a_sieve() -> None:
    """A 1 m radius over 100 km of cells: every cell is measured, the answer is the same."""
    frame = shelters(Point(X0, Y0), Point(X0 + 100_000, Y0 + 100_000), kinds=("emergency",) * 2)
    statuses = [
        ShelterStatus("S1", "1号", "emergency", 100, "usable", ()),
        ShelterStatus("S2", "2号", "emergency", 100, "usable", ()),
    ]
    xy = np.array([[X0 + 0.5, Y0], [X0 + 1.5, Y0], [X0 + 100_000, Y0 + 99_999.2]])
    cells = pd.DataFrame({"lon": [0.0] * 3, "lat": [0.0] * 3, "affected": [1.0, 2.0, 4.0]})
    coverage = service_coverage(
        cells, frame, statuses=statuses, radii={"emergency": 1}, metric_crs=UTM, xy=xy
    )
    assert coverage.covered == 5.0
