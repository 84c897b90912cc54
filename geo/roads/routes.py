"""Fastest ways expanded back into road edges: route lengths and lines, many at once.

Internal to `geo.roads.travel`. A way found by the search over the junctions
(`geo.roads._dijkstra`) is the origin's run along its chain to a junction, the chain arcs
of the predecessor tree, and the run along the destination's chain; a way straight
along one chain is one run (`geo.roads.places.chain_runs`). Each is expanded into its
chain positions, so a route passes the same vertices, and its length adds the same
edge lengths in the same order, as a search over the whole graph would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.roads._dijkstra import VIA_CHAIN, VIA_DIRECT, Search
from geo.roads.chains import Chains, walk_sums
from geo.roads.network import RoadNetwork
from geo.roads.places import Places, Runs, chain_runs, entering, leaving, runs

_Ints = NDArray[np.int64]
#: Up to this many ways walk their predecessors one by one, in Python.
FEW_WAYS = 16
#: `Legs.lengths` expands this many ways at a time.
BLOCK_WAYS = 2048


@dataclass(frozen=True, eq=False)
class Pieces:
    """Runs of many ways, each tagged with its way and its rank along it."""

    way: _Ints
    rank: _Ints
    runs: Runs


def _cat(parts: list[Pieces]) -> Pieces:
    def join(name: str) -> Any:
        return np.concatenate([getattr(p.runs, name) for p in parts])

    names = ("first", "count", "step", "lead", "lead_share", "lag", "lag_share")
    order = np.lexsort(
        (np.concatenate([p.rank for p in parts]), np.concatenate([p.way for p in parts]))
    )
    merged = Runs(*(join(name)[order] for name in names))
    return Pieces(np.concatenate([p.way for p in parts])[order], np.zeros(0, np.int64), merged)


def _walk(
    pred: NDArray[np.int32], n_nodes: int, row: _Ints, cur: _Ints
) -> tuple[_Ints, _Ints, _Ints, _Ints]:
    """Each way's hops (way, rank, up, down) from its junction up its row's predecessors.

    ``cur`` ends as the junction each way's source reaches first. A few ways walk one by
    one (a hop costs a lookup); many walk all at once.
    """
    if row.size <= FEW_WAYS:
        hops = []
        for w, r in enumerate(row.tolist()):
            line, c, k = pred[r], int(cur[w]), 0
            while 0 <= (u := int(line[c])) < n_nodes:
                hops.append((w, k, u, c))
                c, k = u, k + 1
            cur[w] = c
        found = np.array(hops, dtype=np.int64).reshape(-1, 4)
        return found[:, 0], found[:, 1], found[:, 2], found[:, 3]
    parts: list[tuple[_Ints, _Ints, _Ints, _Ints]] = []
    live, k = np.arange(row.size), 0
    while live.size:
        up = pred[row[live], cur[live]].astype(np.int64)
        inner = (up >= 0) & (up < n_nodes)
        live, up = live[inner], up[inner]
        parts.append((live, np.full(live.size, k), up, cur[live]))
        cur[live] = up
        k += 1
    way, rank, ups, downs = (np.concatenate(p) for p in zip(*parts, strict=True))
    return way, rank, ups, downs


def _arc_codes(search: Search, up: _Ints, down: _Ints) -> _Ints:
    """The chain arc code of each searched arc ``up → down``: a look along ``up``'s arcs."""
    start = search.arc_ptr[up]
    degree = search.arc_ptr[up + 1] - start
    code = np.full(up.size, -1, dtype=np.int64)
    todo, k = np.flatnonzero(degree > 0), 0
    while todo.size:
        at = start[todo] + k
        hit = search.arc_head[at] == down[todo]
        code[todo[hit]] = search.arc_code[at[hit]]
        todo = todo[~hit & (degree[todo] > k + 1)]
        k += 1
    return code


@dataclass(frozen=True, eq=False)
class Legs:
    """What a travel matrix needs to expand each of its fastest ways into road edges."""

    network: RoadNetwork
    chains: Chains
    search: Search
    origins: Places
    destinations: Places
    via: NDArray[np.int8]
    direct_m: NDArray[np.float64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]

    def _end_runs(self, at: Places, slot: _Ints, *, leaving_points: bool) -> Runs:
        """Each point's run to (leaving) or from the chain end junction of its slot."""
        ptr, c = self.chains.ptr, self.chains.chain[np.maximum(at.pos, 0)]
        to_end = slot == 1
        bound = np.where(to_end, ptr[c + 1] - 1, ptr[c])
        forward = to_end if leaving_points else ~to_end
        none = (at.pos, np.zeros(at.pos.size))
        if leaving_points:
            step, first, lead, share = leaving(at, forward)
            return runs(step, first, bound, (lead, share), none)
        last, share = entering(at, forward)
        return runs(np.where(forward, 1, -1), bound, last, none, (at.pos, share))

    def _hops(self, i: _Ints, j: _Ints) -> tuple[_Ints, _Ints, _Ints, _Ints, _Ints]:
        """Chain arcs of each way in order of travel (way, rank, code); both end slots."""
        search = self.search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        t_slot = self.via[i, j].astype(np.int64)
        row, cur = search.rows[s_pt], search.target_node[t_pt, t_slot]
        way, rank, up, down = _walk(search.pred, search.n_nodes, row, cur)
        code = _arc_codes(search, up, down)
        if not search.reverse:  # walked from the destination back
            rank = -rank
        first = cur  # the junction each way's source reaches first
        node, time = search.source_node[s_pt], search.source_time[s_pt]
        other = (node[:, 1] == first) & ((node[:, 0] != first) | (time[:, 1] < time[:, 0]))
        s_slot = other.astype(np.int64)
        o_slot, d_slot = (t_slot, s_slot) if search.reverse else (s_slot, t_slot)
        return way, rank, code, o_slot, d_slot

    def pieces(self, i: _Ints, j: _Ints) -> Pieces:
        """Every way's runs in order of travel (ways on one edge have none)."""
        via = self.via[i, j]
        chain = np.flatnonzero(via == VIA_CHAIN)
        searched = np.flatnonzero(via < VIA_DIRECT)
        parts = [
            Pieces(chain, np.zeros(chain.size, np.int64),
                   chain_runs(self.origins, self.destinations, i[chain], j[chain])),
        ]  # fmt: skip
        if searched.size:
            way, rank, code, o_slot, d_slot = self._hops(i[searched], j[searched])
            c, forward = code // 2, code % 2 == 0
            ptr = self.chains.ptr
            first = np.where(forward, ptr[c], ptr[c + 1] - 1)
            last = np.where(forward, ptr[c + 1] - 1, ptr[c])
            none = (first, np.zeros(first.size))
            parts.append(
                Pieces(searched[way], rank, runs(np.where(forward, 1, -1), first, last, none, none))
            )
            big = np.full(searched.size, 1 << 40)
            for at, slot, rank_of, out in (
                (self.origins, o_slot, -big, True),
                (self.destinations, d_slot, big, False),
            ):
                k = i[searched] if out else j[searched]
                on = np.flatnonzero(at.pos[k] >= 0)
                place = Places(
                    *(getattr(at, f)[k[on]] for f in ("junction", "pos", "back", "ahead", "edge"))
                )
                parts.append(
                    Pieces(
                        searched[on],
                        rank_of[on],
                        self._end_runs(place, slot[on], leaving_points=out),
                    )
                )
        return _cat(parts)

    def _positions(self, i: _Ints, j: _Ints) -> tuple[Pieces, _Ints, _Ints, _Ints, _Ints]:
        """The ways' pieces, and every whole position with its piece, rank and way."""
        pieces = self.pieces(i, j)
        count = pieces.runs.count
        piece = np.repeat(np.arange(count.size), count)
        k = np.arange(piece.size) - np.repeat(np.cumsum(count) - count, count)
        pos = pieces.runs.first[piece] + k * pieces.runs.step[piece]
        return pieces, piece, k, pos, pieces.way[piece]

    def lengths(self, i: _Ints, j: _Ints) -> NDArray[np.float64]:
        """Length (m) of the fastest way from each origin ``i`` to destination ``j``.

        Ways are expanded `BLOCK_WAYS` at a time, so memory stays bounded.
        """
        out = np.empty(i.size)
        for at in range(0, i.size, BLOCK_WAYS):
            a, b = i[at : at + BLOCK_WAYS], j[at : at + BLOCK_WAYS]
            pieces, _, _, pos, way = self._positions(a, b)
            lengths = self._lengths(pieces, pos, way, a.size)
            out[at : at + a.size] = np.where(
                self.via[a, b] == VIA_DIRECT, self.direct_m[a, b], lengths
            )
        return out

    def expand(self, i: _Ints, j: _Ints) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
        """Length (m) and lon/lat line of the fastest way from each origin ``i`` to ``j``."""
        if i.size == 0:
            return np.zeros(0), np.empty(0, dtype=object)
        pieces, piece, k, pos, way = self._positions(i, j)
        lengths = self._lengths(pieces, pos, way, i.size)
        lengths = np.where(self.via[i, j] == VIA_DIRECT, self.direct_m[i, j], lengths)
        r = pieces.runs
        ahead = r.step > 0
        lead = r.lead_share > 0
        entries = lead + r.count
        offset = np.cumsum(entries) - entries
        stream = np.empty(int(entries.sum()), dtype=np.int64)
        stream[offset[lead]] = np.where(ahead, self.chains.head[r.lead], self.chains.tail[r.lead])[
            lead
        ]
        stream[offset[piece] + lead[piece] + k] = np.where(
            ahead[piece], self.chains.head[pos], self.chains.tail[pos]
        )
        return lengths, self._lines(i, j, stream, np.repeat(pieces.way, entries))

    def _lengths(self, pieces: Pieces, pos: _Ints, way: _Ints, n: int) -> NDArray[np.float64]:
        """Each way's length, added as the search over the whole graph adds it.

        Whole edges from the far end back (forward search) or from the origin on (reverse
        search), then the partial edge at the searched side's end, then the other.
        """
        r, edge_m = pieces.runs, self.network.edge_length_m
        partial: list[NDArray[np.float64]] = []
        for share, at in ((r.lead_share, r.lead), (r.lag_share, r.lag)):
            # one partial edge per way at most: the other terms are 0, the sum exact
            part = np.where(share > 0, share * edge_m[self.chains.edge[at]], 0.0)
            partial.append(np.bincount(pieces.way, weights=part, minlength=n).astype(np.float64))
        counts = np.bincount(way, minlength=n)
        offset = np.cumsum(counts) - counts
        whole = edge_m[self.chains.edge[pos]]
        if self.search.reverse:
            total = walk_sums(whole, offset, counts, np.ones(n, np.int64), np.zeros(n))
            return (total + partial[1]) + partial[0]
        total = walk_sums(whole, offset + counts - 1, counts, -np.ones(n, np.int64), np.zeros(n))
        return (total + partial[0]) + partial[1]

    def _lines(self, i: _Ints, j: _Ints, stream: _Ints, way: _Ints) -> NDArray[np.object_]:
        """Lines from each start through the stream's nodes to each end, repeats dropped."""
        n = i.size
        counts = np.bincount(way, minlength=n) + 2
        offset = np.cumsum(counts) - counts
        coords = np.empty((int(counts.sum()), 2))
        coords[offset] = self.start[i]
        coords[offset + counts - 1] = self.end[j]
        rank = np.arange(way.size) - (np.cumsum(counts - 2) - (counts - 2))[way]
        coords[offset[way] + 1 + rank] = self.network.node_lonlat[stream]
        ids = np.repeat(np.arange(n), counts)
        keep = np.ones(ids.size, dtype=bool)
        keep[1:] = (ids[1:] != ids[:-1]) | (coords[1:] != coords[:-1]).any(axis=1)
        coords, ids = coords[keep], ids[keep]
        single = np.flatnonzero(np.bincount(ids, minlength=n) == 1)
        if single.size:  # a way that stays on one spot: the point twice
            at = np.searchsorted(ids, single)
            coords, ids = np.insert(coords, at, coords[at], axis=0), np.insert(ids, at, single)
        lines: NDArray[np.object_] = shapely.linestrings(coords, indices=ids)
        return lines
