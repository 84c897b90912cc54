"""The cached road graph is the graph a fresh build makes, and a changed pack is rebuilt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import shapely
from packs import tiny_layers, write_pack

from geo.roads.chains import build_chains, chain_arrays, chains_of
from geo.roads.network import RoadNetwork, build_network, network_arrays
from layers.graph_cache import cached_network, graph_key
from layers.pack import read_pack
from layers.profiles import read_speeds

VERSION = "test"


def _fresh(pack_dir: Path) -> RoadNetwork:
    pack = read_pack(pack_dir)
    return build_network(pack.roads, speeds=read_speeds(), metric_crs=pack.metric_crs())


def _cached(pack_dir: Path, cache: Path) -> RoadNetwork:
    pack = read_pack(pack_dir)
    return cached_network(
        pack, speeds=read_speeds(), metric_crs=pack.metric_crs(), cache_dir=cache, version=VERSION
    )


def _assert_same(got: RoadNetwork, want: RoadNetwork) -> None:
    ours, theirs = network_arrays(got), network_arrays(want)
    assert ours.keys() == theirs.keys()
    for name, array in theirs.items():
        assert ours[name].dtype == array.dtype, name
        assert np.array_equal(ours[name], array), name
    assert got.road_ids == want.road_ids
    assert got.notes == want.notes
    assert got.crs == want.crs
    assert shapely.equals_exact(got.segments, want.segments, tolerance=0).all()
    box = shapely.box(*want.node_xy.min(axis=0), *want.node_xy.mean(axis=0))
    assert sorted(got.tree.query(box)) == sorted(want.tree.query(box))


def _mapped(array: np.ndarray) -> bool:
    """Whether the array's memory is a file mapped by ``np.load(mmap_mode="r")``."""
    base = array
    while base is not None and not isinstance(base, np.memmap):
        base = base.base
    return base is not None


def test_the_cached_graph_is_the_built_graph(tiny_pack: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _cached(tiny_pack, cache)  # built, then written
    assert not _mapped(first.edge_time_s)
    (folder,) = cache.glob("roads-*")
    second = _cached(tiny_pack, cache)  # read back, memory-mapped
    assert _mapped(second.edge_time_s)
    assert _mapped(second.arcs.tail)
    assert not second.edge_time_s.flags.writeable
    fresh = _fresh(tiny_pack)
    _assert_same(first, fresh)
    _assert_same(second, fresh)
    assert list(cache.glob("roads-*")) == [folder]


def test_a_changed_pack_names_another_graph(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    layers = tiny_layers()
    pack_dir = write_pack(tmp_path / "pack", layers)
    before = _cached(pack_dir, cache)
    pack = read_pack(pack_dir)
    key = graph_key(pack_dir, speeds=read_speeds(), metric_crs=pack.metric_crs(), version=VERSION)

    layers["roads"] = layers["roads"].iloc[1:]  # one road fewer, same file name
    write_pack(tmp_path / "pack", layers)
    pack = read_pack(pack_dir)
    changed = graph_key(
        pack_dir, speeds=read_speeds(), metric_crs=pack.metric_crs(), version=VERSION
    )
    assert changed != key
    after = _cached(pack_dir, cache)
    _assert_same(after, _fresh(pack_dir))
    assert after.n_edges < before.n_edges
    assert len(list(cache.glob("roads-*"))) == 2


def test_code_version_and_profile_are_in_the_key(tiny_pack: Path) -> None:
    pack = read_pack(tiny_pack)
    crs = pack.metric_crs()
    speeds = read_speeds()
    key = graph_key(tiny_pack, speeds=speeds, metric_crs=crs, version="1")
    assert graph_key(tiny_pack, speeds=speeds, metric_crs=crs, version="1") == key
    assert graph_key(tiny_pack, speeds=speeds, metric_crs=crs, version="2") != key
    slower = replace(speeds, default_km_h=speeds.default_km_h / 2)
    assert graph_key(tiny_pack, speeds=slower, metric_crs=crs, version="1") != key


@pytest.mark.parametrize("damage", ["missing array", "garbage array"])
def test_a_damaged_cache_is_built_again(tiny_pack: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    _cached(tiny_pack, cache)
    (folder,) = cache.glob("roads-*")
    target = folder / "edge_time_s.npy"
    if damage == "missing array":
        target.unlink()
    else:
        target.write_bytes(b"not an array")
    _assert_same(_cached(tiny_pack, cache), _fresh(tiny_pack))


def test_the_cached_chains_are_the_built_chains(tiny_pack: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _cached(tiny_pack, cache)  # built, then written
    second = _cached(tiny_pack, cache)  # read back, memory-mapped
    got = chains_of(second)
    assert _mapped(got.edge)
    want = chain_arrays(build_chains(_fresh(tiny_pack)))
    ours = chain_arrays(got)
    assert ours.keys() == want.keys()
    for name, array in want.items():
        assert ours[name].dtype == array.dtype, name
        assert np.array_equal(ours[name], array), name
