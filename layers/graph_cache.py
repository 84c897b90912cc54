"""The road graph of a pack, built once and cached on disk; every later process maps it.

Building the graph of a province (200 k edges) takes seconds, and every server start and
every compute process did it again. The first process to need it builds it and writes its
arrays as ``.npy`` files into a folder named by a key; later ones read them with
``np.load(mmap_mode="r")``, so N compute processes share the same pages of the file
instead of holding N copies. Only the segments and their spatial index are made again
(`geo.roads.network.restore_network`), exactly as the build makes them. The network's
chains of shape points (`geo.roads.chains`, what the searches run over) are kept beside
it in files named ``chains.*``.

The key is a SHA-256 of everything the graph depends on: the bytes of the pack's
``layers.gpkg`` (its content, not its date), the speeds profile, the metric CRS, the
installed reliefgis version and the source of the code that builds the graph. Any change
to one of them names another folder; an old folder is never read for a new pack.

The folder (`Settings.cache_dir`): ``RELIEF_CACHE_DIR``, else ``$XDG_CACHE_HOME/reliefgis``
or ``~/.cache/reliefgis``. A cache that cannot be written (read-only disk) only costs the
build; one that cannot be read is built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from pyproj import CRS

from geo.roads import chains as chains_code
from geo.roads import network as network_code
from geo.roads import speeds as speeds_code
from geo.roads.chains import Chains, build_chains, chain_arrays, remember, restore_chains
from geo.roads.network import RoadNetwork, build_network, network_arrays, restore_network
from geo.roads.speeds import SpeedProfile
from layers.digests import file_digest, source_digest
from layers.pack import GEOPACKAGE, LayerPack

#: Bumped when the files written here change their layout (2: the chains added).
CACHE_LAYOUT = 2
_META = "network.json"
#: Prefix of the files holding the network's chains (`geo.roads.chains`).
_CHAINS = "chains."


def graph_key(pack_dir: Path, *, speeds: SpeedProfile, metric_crs: CRS, version: str) -> str:
    """The cache key of a pack's road graph: its content, the profile, CRS and code version."""
    digest = hashlib.sha256(f"reliefgis road graph {CACHE_LAYOUT}\0{version}\0".encode())
    sources = [Path(str(module.__file__)) for module in (network_code, speeds_code, chains_code)]
    digest.update(source_digest(sources).encode("ascii"))
    digest.update(file_digest(pack_dir / GEOPACKAGE).encode("ascii"))  # hashed once per process
    digest.update(repr(speeds).encode("utf-8"))
    digest.update(metric_crs.to_wkt().encode("utf-8"))
    return digest.hexdigest()


def _write(folder: Path, network: RoadNetwork, chains: Chains) -> None:
    """Write the network's and its chains' arrays into ``folder`` at once (racing others)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        arrays = network_arrays(network)
        arrays.update({_CHAINS + k: v for k, v in chain_arrays(chains).items()})
        for name, array in arrays.items():
            np.save(scratch / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        meta = {
            "crs": network.crs.to_wkt(),
            "road_ids": list(network.road_ids),
            "notes": list(network.notes),
        }
        (scratch / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, folder)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)  # another process wrote it first, or no room


def _read(folder: Path) -> RoadNetwork:
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    # Plain read-only views of the mapped files: the same shared pages, without the
    # memmap subclass's Python step on every slice the searches take.
    arrays = {
        path.stem: np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        for path in folder.glob("*.npy")
    }
    network = restore_network(
        arrays, crs=CRS.from_wkt(meta["crs"]), road_ids=meta["road_ids"], notes=meta["notes"]
    )
    chains = {k.removeprefix(_CHAINS): v for k, v in arrays.items() if k.startswith(_CHAINS)}
    remember(network, restore_chains(chains))
    return network


def cached_network(
    pack: LayerPack,
    *,
    speeds: SpeedProfile,
    metric_crs: CRS,
    cache_dir: Path | None,
    version: str,
) -> RoadNetwork:
    """The pack's road graph: mapped from the cache, else built (and cached when it can be).

    Parameters
    ----------
    pack
        The layer pack; its ``roads`` are built only when the cache has no graph for it.
    speeds, metric_crs
        As `geo.roads.network.build_network` takes them; both are part of the key.
    cache_dir
        The cache folder; None builds without caching.
    version
        The installed reliefgis version, part of the key.
    """
    if cache_dir is None:
        return build_network(pack.roads, speeds=speeds, metric_crs=metric_crs)
    key = graph_key(pack.path, speeds=speeds, metric_crs=metric_crs, version=version)
    folder = cache_dir / f"roads-{key}"
    if (folder / _META).is_file():
        try:
            return _read(folder)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(folder, ignore_errors=True)  # damaged: built again below
    network = build_network(pack.roads, speeds=speeds, metric_crs=metric_crs)
    chains = build_chains(network)
    remember(network, chains)
    _write(folder, network, chains)
    return network
