"""The cached pack is the pack a fresh read makes; a changed pack or code is read again."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient
from geopandas.testing import assert_geodataframe_equal
from packs import tiny_layers, write_pack

from api.app import create_app
from api.settings import Settings
from geo.errors import LayerError
from layers.pack import SPECS, LayerPack, read_pack
from layers.pack_cache import cached_pack, pack_key
from layers.resources import demo_pack_dir

VERSION = "test"


def _assert_same(got: LayerPack, want: LayerPack) -> None:
    """Layer by layer, column by column, geometry by geometry (shapely, tolerance 0)."""
    for spec in SPECS:
        ours, theirs = getattr(got, spec.name), getattr(want, spec.name)
        if isinstance(theirs, gpd.GeoDataFrame):
            assert_geodataframe_equal(ours, theirs, check_dtype=True)
            assert ours.crs == theirs.crs
            assert shapely.equals_exact(
                ours.geometry.to_numpy(), theirs.geometry.to_numpy(), tolerance=0
            ).all(), spec.name
            assert ours.has_sindex
        else:
            pd.testing.assert_frame_equal(ours, theirs, check_dtype=True)
    assert got.context.keys() == want.context.keys()
    for name, frame in want.context.items():
        assert_geodataframe_equal(got.context[name], frame, check_dtype=True)
    assert shapely.equals_exact(got.jurisdiction, want.jurisdiction, tolerance=0)
    assert got.population == want.population
    assert got.repairs == want.repairs
    assert dict(got.source_crs) == dict(want.source_crs)
    assert got.path == want.path
    assert got.metric_crs() == want.metric_crs()


def test_the_cached_demo_pack_is_the_pack_read_afresh(tmp_path: Path) -> None:
    folder = demo_pack_dir()
    fresh = read_pack(folder)
    first = cached_pack(folder, cache_dir=tmp_path, version=VERSION)  # read, then written
    (written,) = tmp_path.glob("pack-*")
    second = cached_pack(folder, cache_dir=tmp_path, version=VERSION)  # read back
    assert fresh.context  # the demo has water and places: they are cached too
    _assert_same(first, fresh)
    _assert_same(second, fresh)
    assert list(tmp_path.glob("pack-*")) == [written]
    # Read back, the metric CRS is the one kept, not searched for again: the same CRS.
    assert second.metric_epsg == fresh.metric_crs().to_epsg()
    assert second.metric_crs().to_wkt() == fresh.metric_crs().to_wkt()


def test_a_changed_pack_is_read_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    layers = tiny_layers()
    folder = write_pack(tmp_path / "pack", layers)
    before = cached_pack(folder, cache_dir=cache, version=VERSION)
    key = pack_key(folder, version=VERSION)
    layers["roads"] = layers["roads"].iloc[1:]  # one road fewer, same file name
    write_pack(tmp_path / "pack", layers)
    assert pack_key(folder, version=VERSION) != key
    after = cached_pack(folder, cache_dir=cache, version=VERSION)
    _assert_same(after, read_pack(folder))
    assert len(after.roads) == len(before.roads) - 1
    assert len(list(cache.glob("pack-*"))) == 2


def test_the_code_version_is_in_the_key(tiny_pack: Path) -> None:
    assert pack_key(tiny_pack, version="1") == pack_key(tiny_pack, version="1")
    assert pack_key(tiny_pack, version="1") != pack_key(tiny_pack, version="2")


@pytest.mark.parametrize("damage", ["missing file", "garbage array", "garbage meta"])
def test_a_damaged_cache_is_read_again(tiny_pack: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    cached_pack(tiny_pack, cache_dir=cache, version=VERSION)
    (folder,) = cache.glob("pack-*")
    if damage == "missing file":
        next(folder.glob("roads.*.json")).unlink()
    elif damage == "garbage array":
        (folder / "counties.wkb.npy").write_bytes(b"not an array")
    else:
        (folder / "pack.json").write_text(json.dumps({"layers": {}}), encoding="utf-8")
    _assert_same(cached_pack(tiny_pack, cache_dir=cache, version=VERSION), read_pack(tiny_pack))
    _assert_same(cached_pack(tiny_pack, cache_dir=cache, version=VERSION), read_pack(tiny_pack))


def test_a_refused_pack_is_never_cached(make_pack, tmp_path: Path) -> None:
    counties = tiny_layers()["counties"].drop(columns=["population"])
    folder = make_pack(counties=counties)
    cache = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(LayerError, match="population"):
            cached_pack(folder, cache_dir=cache, version=VERSION)
    assert not list(cache.glob("pack-*"))


def test_the_server_answers_alike_with_and_without_the_cache(tmp_path: Path) -> None:
    footprint = json.loads(
        (demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text(encoding="utf-8")
    )
    answers = []
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # none, written, read back
        settings = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path / "state", cache_dir=cache)
        client = TestClient(create_app(settings))
        body = {"footprint": footprint, "hazard": "flood"}
        response = client.post("/api/v1/assessments", json=body)
        assert response.status_code == 201, response.text
        answer = response.json()
        for key in ("id", "created"):
            answer.pop(key)
        layers = client.get("/api/v1/layers").json()
        answers.append((answer, layers))
    assert answers[0] == answers[1] == answers[2]
    assert list((tmp_path / "cache").glob("pack-*"))
