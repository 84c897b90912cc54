"""Partitioning an exposure into raster tiles, so each can be counted apart and summed.

A tile is a block of whole cells of the population grid: its edges lie on cell edges,
so every cell belongs to exactly one tile. A zone clipped to a tile's box covers the
same share of each cell of that tile as the whole zone does, so per-tile sums of the
clipped zones add up to the whole zone's sum, partial cells included, none counted
twice. `layers.distributed` sends the tiles to Dask workers.

A tile's cells can also be reduced to what an assessment reads of them, so a driver
receives sums, not cells: the displaced summed per (county, square block) at the finest
block size whose blocks a tile holds few enough of (`demand_blocks`; blocks of several
tiles add up, `merge_blocks`), and the affected grouped by which shelter service areas
reach them (`reach_groups`: cells reached by the same shelters stand for each other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS
from scipy.spatial import cKDTree

from geo._crs import LONLAT, lonlat_xy, transformer
from geo.errors import InputError

_POLYGONAL = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Tile:
    """A block of whole cells: offsets and size in cells of the raster it belongs to."""

    row_off: int
    col_off: int
    height: int
    width: int

    def transform(self, raster: Affine) -> Affine:
        """The tile's own north-up transform, from the raster's."""
        return Affine(
            raster.a,
            0.0,
            raster.c + self.col_off * raster.a,
            0.0,
            raster.e,
            raster.f + self.row_off * raster.e,
        )

    def bounds(self, raster: Affine) -> tuple[float, float, float, float]:
        """West, south, east, north edges of the tile (cell edges of the raster)."""
        t = self.transform(raster)
        return t.c, t.f + self.height * t.e, t.c + self.width * t.a, t.f


def grid_tiles(
    *,
    row_off: int,
    col_off: int,
    height: int,
    width: int,
    tile_cells: int,
    block: tuple[int, int] = (1, 1),
) -> tuple[Tile, ...]:
    """Tiles of about ``tile_cells`` × ``tile_cells`` cells covering a window, on the file's blocks.

    The tiles lie on a lattice anchored at the raster's first cell, not the window's, with
    sides rounded up to whole blocks of the file (``block``: rows, columns of one block), so
    a block is read and decompressed by one tile only. A block larger than ``tile_cells``
    (a strip the raster's width) leaves that side at ``tile_cells``. Tiles are cut to the
    window: the first and last in each direction may be smaller.
    """
    if isinstance(tile_cells, bool) or tile_cells < 1:
        raise InputError("tile_cells: expected a whole number of cells, at least 1", field="tile")
    if min(height, width) < 0:
        raise InputError("window: expected a non-negative height and width", field="window")
    tall, wide = (_side(tile_cells, b) for b in block)
    rows = _cuts(row_off, height, tall)
    cols = _cuts(col_off, width, wide)
    return tuple(Tile(r0, c0, r1 - r0, c1 - c0) for r0, r1 in rows for c0, c1 in cols)


def _side(tile_cells: int, block: int) -> int:
    """``tile_cells`` rounded up to whole blocks, unless one block is already larger."""
    if block < 1 or block > tile_cells:
        return tile_cells
    return -(-tile_cells // block) * block


def _cuts(start: int, length: int, side: int) -> list[tuple[int, int]]:
    """Edges of the lattice steps of ``side`` cells (from cell 0) that cover start..start+length."""
    end = start + length
    first = start // side * side
    return [(max(edge, start), min(edge + side, end)) for edge in range(first, end, side)]


def clip_to_tile(
    geoms: npt.NDArray[np.object_],
    bounds: tuple[float, float, float, float],
    tree: shapely.STRtree | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """The zones that reach into a tile, clipped to its box: (their indices, the pieces).

    Only the polygonal part of a clip counts: a zone that merely touches the tile's edge
    (a line or a point in common) covers none of its cells. ``tree`` is an STRtree of
    ``geoms`` when the caller clips them to many tiles (built here otherwise).
    """
    box = shapely.box(*bounds)
    tree = shapely.STRtree(geoms) if tree is None else tree
    index = tree.query(box, predicate="intersects")
    index = np.sort(index)
    clipped = shapely.intersection(geoms[index], box)
    keep = np.array([_area_part(g) for g in clipped], dtype=object)
    real = ~shapely.is_empty(keep) if keep.size else np.zeros(0, dtype=bool)
    return index[real], keep[real]


def _area_part(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in _POLYGONAL:
        return geom
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    return shapely.union_all(polygons) if polygons else shapely.MultiPolygon()


@dataclass(frozen=True)
class BlockSums:
    """Displaced persons per (county, block) of ``block_m · 2**level`` metres: w, Σw·x, Σw·y.

    ``bx``, ``by`` number the blocks as ``floor(x / size)`` in the metric CRS; a block of
    one level is the union of four of the level below (``floor(floor(x / s) / 2)`` equals
    ``floor(x / 2s)``, and halving a float is exact), so sums coarsen by shifting keys.
    """

    level: int
    county: npt.NDArray[np.int64]
    bx: npt.NDArray[np.int64]
    by: npt.NDArray[np.int64]
    w: npt.NDArray[np.float64]
    wx: npt.NDArray[np.float64]
    wy: npt.NDArray[np.float64]

    def coarsened(self, level: int) -> BlockSums:
        """The same sums on the blocks of ``level`` (not below this one's)."""
        shift = level - self.level
        if shift < 0:
            raise ValueError(f"blocks of level {self.level} cannot be split to level {level}")
        return _summed(level, self.county, self.bx >> shift, self.by >> shift, self)


def _summed(
    level: int,
    county: npt.NDArray[np.int64],
    bx: npt.NDArray[np.int64],
    by: npt.NDArray[np.int64],
    values: BlockSums,
) -> BlockSums:
    """Rows with equal (county, bx, by) summed, ordered by key."""
    frame = pd.DataFrame(
        {"c": county, "bx": bx, "by": by, "w": values.w, "wx": values.wx, "wy": values.wy}
    )
    sums = frame.groupby(["c", "bx", "by"], sort=True)[["w", "wx", "wy"]].sum().reset_index()
    columns = [sums[name].to_numpy() for name in ("c", "bx", "by", "w", "wx", "wy")]
    return BlockSums(level, *columns)


def demand_blocks(
    county: npt.NDArray[np.int64],
    xy: npt.NDArray[np.float64],
    displaced: npt.NDArray[np.float64],
    *,
    block_m: float,
    most: int,
) -> BlockSums:
    """One tile's displaced per (county, block), at the first level with at most 4 × ``most``.

    Rows with nothing displaced are left out. A tile with more than 4 × ``most`` blocks at
    a level has more than ``most`` at the next (a block joins at most four), so the level
    an assessment gathers at (`demand_level`) lies above the one returned.
    """
    real = displaced > 0
    w, x, y, county = displaced[real], xy[real, 0], xy[real, 1], county[real].astype(np.int64)
    bx = np.floor(x / block_m).astype(np.int64)
    by = np.floor(y / block_m).astype(np.int64)
    level = 0
    codes, keys = _factorized(county, bx, by)
    while len(keys[0]) > 4 * most:  # each level's blocks from the distinct ones below
        level += 1
        parent, keys = _factorized(keys[0], keys[1] >> 1, keys[2] >> 1)
        codes = parent[codes]
    n = len(keys[0])
    sums = [np.bincount(codes, weights=v, minlength=n).astype(float) for v in (w, w * x, w * y)]
    return BlockSums(level, keys[0], keys[1], keys[2], sums[0], sums[1], sums[2])


def packed_key(
    *columns: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], list[int], list[int]] | None:
    """One integer per row, ordered as the rows are by the columns in turn.

    With it, each column's low value and span (to unpack the key); None when the key
    would not fit in int64.
    """
    lows = [int(c.min()) if c.size else 0 for c in columns]
    spans = [int(c.max()) - lo + 1 if c.size else 1 for c, lo in zip(columns, lows, strict=True)]
    if np.prod(np.array(spans, dtype=float)) > 2.0**62:
        return None
    key = np.zeros(columns[0].size, dtype=np.int64)
    for column, low, span in zip(columns, lows, spans, strict=True):
        key = key * span + (column - low)
    return key, lows, spans


def _factorized(
    *keys: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.intp], tuple[npt.NDArray[np.int64], ...]]:
    """Each row's number among the distinct rows of the integer columns, and those rows."""
    if not keys[0].size:
        return np.zeros(0, np.intp), tuple(np.zeros(0, np.int64) for _ in keys)
    packed = packed_key(*keys)
    if packed is None:  # too wide to pack: a table
        frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
        codes, _ = pd.factorize(pd.MultiIndex.from_frame(frame))
        first = pd.Series(np.arange(codes.size)).groupby(codes).first().to_numpy()
        return codes.astype(np.intp), tuple(k[first] for k in keys)
    key, low, spans = packed
    codes, uniques = pd.factorize(key)
    columns = []
    for lo, span in zip(reversed(low), reversed(spans), strict=True):
        uniques, rest = np.divmod(uniques, span)
        columns.append(rest + lo)
    return codes.astype(np.intp), tuple(reversed(columns))


def merge_blocks(parts: list[BlockSums]) -> BlockSums:
    """The block sums of several tiles, at the coarsest of their levels (added in order)."""
    level = max((p.level for p in parts), default=0)
    lifted = [p.coarsened(level) if p.level < level else p for p in parts]

    def keys(name: str) -> npt.NDArray[np.int64]:
        return np.concatenate([getattr(p, name) for p in lifted] or [np.zeros(0, np.int64)])

    def sums(name: str) -> npt.NDArray[np.float64]:
        return np.concatenate([getattr(p, name) for p in lifted] or [np.zeros(0)])

    whole = BlockSums(
        level, keys("county"), keys("bx"), keys("by"), sums("w"), sums("wx"), sums("wy")
    )
    return _summed(level, whole.county, whole.bx, whole.by, whole)


def demand_level(blocks: BlockSums, *, most: int) -> int:
    """The first level, from ``blocks.level`` up, with at most ``most`` blocks."""
    while blocks.w.size > most:
        blocks = blocks.coarsened(blocks.level + 1)
    return blocks.level


@dataclass(frozen=True)
class Sites:
    """Shelters as service areas: metric positions and each one's radius (its kind's)."""

    xy: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]


#: Neighbours asked for first when listing the sites that reach a cell (doubled as needed).
_FIRST_NEIGHBOURS = 8


def reach_signature(xy: npt.NDArray[np.float64], sites: Sites) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of the set of sites within their radius of each point (0: none).

    Each site weighs a fixed random 64-bit number; a point's hash is the wrapped sum over
    the sites reaching it. Reach is measured as `geo.shelters.service_area` does (k-d tree
    distance, at most the radius), so points with equal hashes are reached by the same
    shelters, whichever of them are usable.
    """
    weights = (
        np.random.default_rng(19)
        .integers(0, np.iinfo(np.int64).max, sites.radius.size, dtype=np.int64)
        .astype(np.uint64)
    )
    signature = np.zeros(len(xy), dtype=np.uint64)
    if not sites.radius.size:
        return signature
    widest = float(sites.radius.max())  # no site reaches a point farther from every site
    nearest, _ = cKDTree(sites.xy).query(xy, k=1, distance_upper_bound=np.nextafter(widest, np.inf))
    candidates = np.flatnonzero(nearest <= widest)
    for radius in np.unique(sites.radius).tolist():
        mine = np.flatnonzero(sites.radius == radius)
        padded = np.append(weights[mine], np.uint64(0))
        tree = cKDTree(sites.xy[mine])
        bound = np.nextafter(radius, np.inf)
        nearest, _ = tree.query(xy[candidates], k=1, distance_upper_bound=bound)
        near = candidates[nearest <= radius]  # only these are reached by a site of the radius
        k = min(_FIRST_NEIGHBOURS, mine.size)
        while True:
            distance, index = tree.query(xy[near], k=k, distance_upper_bound=bound)
            distance, index = distance.reshape(near.size, k), index.reshape(near.size, k)
            if k >= mine.size or not (distance[:, -1] <= radius).any():
                break
            k = min(2 * k, mine.size)
        found = np.where(distance <= radius, padded[np.minimum(index, mine.size)], 0)
        signature[near] += found.astype(np.uint64).sum(axis=1, dtype=np.uint64)
    return signature


def reach_groups(
    county: npt.NDArray[np.int64],
    xy: npt.NDArray[np.float64],
    affected: npt.NDArray[np.float64],
    sites: Sites,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Points grouped by county and the shelters that reach them: (a member, summed affected).

    A member stands for its group: it lies where the same shelters reach, so a service
    coverage counted on the members, each weighing its group, equals one counted point by
    point (to the rounding of the sums).
    """
    if not len(xy):
        return np.zeros(0, np.intp), np.zeros(0, np.float64)
    frame = pd.DataFrame(
        {"c": county, "h": reach_signature(xy, sites), "a": affected, "i": np.arange(len(xy))}
    )
    groups = frame.groupby(["c", "h"], sort=False).agg(i=("i", "first"), a=("a", "sum"))
    return groups["i"].to_numpy(dtype=np.intp), groups["a"].to_numpy(dtype=np.float64)


#: How far (share of the way to the block's centre) a point is moved, at most, when the
#: round trip through lon/lat would carry it over its block's edge.
_MAX_NUDGE = 1e-6


def block_points(
    blocks: BlockSums, *, block_m: float, crs: CRS, metric_crs: CRS
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each block's weighted centre as x, y in the raster's ``crs``, inside its block.

    The centre is measured in ``metric_crs``; read back as an assessment reads a cell
    (``crs`` → lon/lat → ``metric_crs``) it must fall in the same block. A centre on a
    block's edge (every person on it) that the round trip carries over is moved towards
    the block's middle by at most `_MAX_NUDGE` of the way.
    """
    size = block_m * 2.0**blocks.level
    with np.errstate(invalid="ignore", divide="ignore"):
        cx, cy = blocks.wx / blocks.w, blocks.wy / blocks.w
    mid_x, mid_y = (blocks.bx + 0.5) * size, (blocks.by + 0.5) * size
    to_lonlat, from_lonlat = transformer(metric_crs, LONLAT), transformer(LONLAT, crs)
    back = transformer(crs, LONLAT)
    x, y = np.zeros(cx.size), np.zeros(cx.size)
    todo, share = np.arange(cx.size), 0.0
    while todo.size:
        px = cx[todo] + (mid_x[todo] - cx[todo]) * share
        py = cy[todo] + (mid_y[todo] - cy[todo]) * share
        x[todo], y[todo] = from_lonlat.transform(*to_lonlat.transform(px, py))
        again = lonlat_xy(*back.transform(x[todo], y[todo]), metric_crs=metric_crs)
        inside = (np.floor(again[:, 0] / size).astype(np.int64) == blocks.bx[todo]) & (
            np.floor(again[:, 1] / size).astype(np.int64) == blocks.by[todo]
        )
        todo = todo[~inside]
        share = 1e-12 if share == 0 else share * 10
        if share > _MAX_NUDGE and todo.size:
            raise ValueError(f"{todo.size} block centres cannot be placed inside their blocks")
    return x, y
