"""The Dask path reached from the service and the command line gives the person the same answer.

A real `distributed.LocalCluster` (threads, TCP) counts the exposure of demo footprints in
tiles of 64 × 64 cells (threshold 1 cell: every footprint goes to the cluster); the
answer, through ``POST /api/v1/assessments`` and ``reliefgis assess --dask``, is compared
with the single-process answer field by field: every whole number, text and level
equal, fractional figures (shares, exact sums) equal to 10 significant digits. The
scheduler's own record of the tasks it ran shows that the cluster did the counting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings
from layers.resources import demo_pack_dir

distributed = pytest.importorskip("distributed")

TILE = 64
#: Keys that name one run, not the answer.
RUN_KEYS = frozenset({"id", "created", "created_at", "generated_at", "links", "computed_at"})


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


def _tile_tasks(cluster: Any) -> int:
    """Tile tasks the scheduler has seen finish (its counts of transitions, by key prefix)."""
    prefix = cluster.scheduler.task_prefixes.get("count_tile")  # key prefix of _count_tile
    return 0 if prefix is None else int(prefix.state_counts.get("memory", 0))


def _footprint(name: str) -> dict[str, Any]:
    return json.loads((demo_pack_dir() / "footprints" / f"{name}.geojson").read_text())


def _answer(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _answer(v) for k, v in body.items() if k not in RUN_KEYS}
    if isinstance(body, list):
        return [_answer(v) for v in body]
    if isinstance(body, float):
        # Exact (fractional) sums are added in another order on the tiles: the last bits
        # may differ. Whole persons, texts and levels must not; fractions to 1e-9.
        return float(f"{body:.10g}")
    return body


def _post(settings: Settings, name: str, hazard: str) -> dict[str, Any]:
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/assessments", json={"footprint": _footprint(name), "hazard": hazard}
        )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.parametrize(
    ("name", "hazard"), [("flood_taohe", "flood"), ("landslide_yuxian", "landslide")]
)
def test_the_api_answers_the_same_on_the_cluster(cluster, tmp_path, name, hazard):
    single = _post(Settings(state_dir=tmp_path / "one"), name, hazard)
    before = _tile_tasks(cluster)
    on_dask = _post(
        Settings(
            state_dir=tmp_path / "many",
            dask_scheduler=cluster.scheduler_address,
            dask_min_cells=1,
            dask_tile_cells=TILE,
        ),
        name,
        hazard,
    )
    assert _tile_tasks(cluster) > before  # the tiles ran on the cluster
    assert single["population"]["affected"] > 0
    assert _answer(on_dask) == _answer(single)


def test_below_the_threshold_nothing_goes_to_the_cluster(cluster, tmp_path):
    before = _tile_tasks(cluster)
    settings = Settings(
        state_dir=tmp_path / "state",
        dask_scheduler=cluster.scheduler_address,
        dask_min_cells=10**9,
    )
    _post(settings, "landslide_yuxian", "landslide")
    assert _tile_tasks(cluster) == before


def test_reliefgis_assess_dask_writes_the_same_answer(cluster, tmp_path, monkeypatch):
    footprint = str(demo_pack_dir() / "footprints" / "flood_taohe.geojson")
    base = ["assess", footprint, "--hazard", "flood", "--formats", ""]
    assert main([*base, "--out", str(tmp_path / "one")]) == 0
    monkeypatch.setenv("RELIEF_DASK_MIN_CELLS", "1")
    monkeypatch.setenv("RELIEF_DASK_TILE_CELLS", str(TILE))
    before = _tile_tasks(cluster)
    assert main([*base, "--out", str(tmp_path / "many"), "--dask", cluster.scheduler_address]) == 0
    assert _tile_tasks(cluster) - before >= 2

    def read(folder: str) -> Any:
        return _answer(json.loads((tmp_path / folder / "assessment.json").read_text()))

    assert read("many") == read("one")


def test_a_scheduler_that_is_not_an_address_is_refused(capsys):
    footprint = str(demo_pack_dir() / "footprints" / "flood_taohe.geojson")
    code = main(["assess", footprint, "--hazard", "flood", "--out", "x", "--dask", "nowhere"])
    assert code == 2
    assert "tcp://host:8786" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RELIEF_DASK_MIN_CELLS", "1")
    footprint = str(demo_pack_dir() / "footprints" / "landslide_yuxian.geojson")
    argv = ["assess", footprint, "--hazard", "landslide", "--out", str(tmp_path)]
    code = main([*argv, "--dask", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "Dask scheduler tcp://127.0.0.1:9: cannot be reached" in capsys.readouterr().err
    assert not Path(tmp_path / "assessment.json").exists()
