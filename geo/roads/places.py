"""Points on the chains of `geo.roads.chains`: where they join, and the ways along chains.

A point on a chain joins the search over the junctions at the chain's two end
junctions, at the time along the chain over the edges it may travel (`slots`); two points
on one chain may also go straight along it (`along_chain`). Times are added edge after
edge in the order of travel, as the search over the whole graph adds them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from geo.roads.chains import Chains, allowed, walk_sums
from geo.roads.network import RoadNetwork
from geo.roads.snapping import Snapped

#: Per chains, their network and the times of `costs` with nothing closed.
_OPEN_COSTS: weakref.WeakKeyDictionary[
    Chains, tuple[weakref.ref[RoadNetwork], NDArray[np.float64]]
] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Places:
    """Where points join the chains: at a junction, or on one position of a chain.

    ``pos`` is the position of the edge a point lies on (-1 at a junction or when not
    attached); a point at a shape point lies at the start of the position after it
    (``back`` 0, ``ahead`` 1). ``back``/``ahead`` are the shares of that edge behind and
    ahead of the point in chain order; ``edge`` the snapped edge (-1: not attached).
    """

    junction: NDArray[np.int64]
    pos: NDArray[np.int64]
    back: NDArray[np.float64]
    ahead: NDArray[np.float64]
    edge: NDArray[np.int64]


def places(chains: Chains, snapped: Snapped) -> Places:
    """Where each snapped point joins the chains."""
    attached = snapped.edge >= 0
    node = np.where(attached, snapped.node, -1)
    junction = np.where(node >= 0, chains.junction[np.maximum(node, 0)], -1)
    pos = chains.position[np.where(attached, snapped.edge, 0)]
    t = np.where(attached, snapped.fraction, 0.0)
    along = chains.along[pos]
    back, ahead = np.where(along, t, 1.0 - t), np.where(along, 1.0 - t, t)
    inner = (node >= 0) & (junction < 0)  # at a shape point: the position after it
    pos = np.where(inner & (chains.head[pos] == node), pos + 1, pos)
    return Places(
        junction=junction,
        pos=np.where(attached & (junction < 0), pos, -1),
        back=np.where(inner, 0.0, back),
        ahead=np.where(inner, 1.0, ahead),
        edge=snapped.edge,
    )


def costs(network: RoadNetwork, chains: Chains, closed: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Each position's time forward, then backward, along its chain; inf where not allowed.

    The times with nothing closed are worked out once per chains (every assessment's
    evacuation uses them as they are); closures then only put inf in.
    """
    kept = _OPEN_COSTS.get(chains)
    if kept is None or kept[0]() is not network:
        ahead_ok, back_ok = allowed(network, chains.along, chains.edge)
        time = network.edge_time_s[chains.edge]
        both = np.concatenate([np.where(ahead_ok, time, np.inf), np.where(back_ok, time, np.inf)])
        both.flags.writeable = False
        kept = _OPEN_COSTS[chains] = (weakref.ref(network), both)
    shut = chains.position[np.flatnonzero(closed)]
    if not shut.size:
        return kept[1]
    both = kept[1].copy()
    both[shut] = both[shut + chains.edge.size] = np.inf
    return both


@dataclass(frozen=True, eq=False)
class Runs:
    """Ways along chains: a partial edge leaving a point, whole edges, a partial edge into one.

    The whole edges are the positions ``first, first + step, …`` (``count`` of them),
    travelled forward along the chain when ``step`` is 1; ``lead``/``lag`` are the
    positions of the partial edges before and after them, with their shares (0: none).
    """

    first: NDArray[np.int64]
    count: NDArray[np.int64]
    step: NDArray[np.int64]
    lead: NDArray[np.int64]
    lead_share: NDArray[np.float64]
    lag: NDArray[np.int64]
    lag_share: NDArray[np.float64]

    def times(self, cost: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each run's time from `costs`, edge after edge in the order of travel."""
        back = (self.step < 0) * (cost.size // 2)
        lead = _partial(self.lead_share, cost[self.lead + back])
        total = walk_sums(cost, self.first + back, self.count, self.step, lead)
        return total + _partial(self.lag_share, cost[self.lag + back])


def _partial(share: NDArray[np.float64], cost: NDArray[np.float64]) -> NDArray[np.float64]:
    return share * np.where(share > 0, cost, 0.0)


def leaving(
    at: Places, forward: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """From each point along its chain: step, first whole position, partial position, share."""
    step = np.where(forward, 1, -1)
    share = np.where(forward, at.ahead, at.back)
    whole = share == 1.0
    return step, np.where(whole, at.pos, at.pos + step), at.pos, np.where(whole, 0.0, share)


def entering(
    at: Places, forward: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Into each point travelling along its chain: last whole position, partial share."""
    share = np.where(forward, at.back, at.ahead)
    whole = share == 1.0
    return np.where(whole, at.pos, at.pos - np.where(forward, 1, -1)), np.where(whole, 0.0, share)


def runs(
    step: NDArray[np.int64],
    first: NDArray[np.int64],
    last: NDArray[np.int64],
    lead: tuple[NDArray[np.int64], NDArray[np.float64]],
    lag: tuple[NDArray[np.int64], NDArray[np.float64]],
) -> Runs:
    """Runs over whole positions ``first … last`` (none when ``last`` is behind ``first``)."""
    count = np.maximum((last - first) * step + 1, 0)
    return Runs(first, count, step, lead[0], lead[1], lag[0], lag[1])


def slots(
    chains: Chains, at: Places, cost: NDArray[np.float64], *, leaving_points: bool
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per point, the junctions it reaches (leaving) or is reached from, and the times.

    Slot 0 is the chain's start junction, slot 1 its end; a point at a junction has it in
    both slots at no cost; a point not attached has inf.
    """
    on = at.pos >= 0
    pos = np.where(on, at.pos, 0)
    place = Places(at.junction, pos, at.back, at.ahead, at.edge)
    c = chains.chain[pos]
    none = (pos, np.zeros(pos.size))
    node, time = np.zeros((pos.size, 2), dtype=np.int64), np.full((pos.size, 2), np.inf)
    for side, to_end in enumerate((False, True)):
        fwd = np.full(pos.size, to_end != (not leaving_points))
        bound = chains.ptr[c + 1] - 1 if to_end else chains.ptr[c]
        if leaving_points:
            step, first, lead, share = leaving(place, fwd)
            way = runs(step, first, bound, (lead, share), none)
        else:
            last, share = entering(place, fwd)
            way = runs(np.where(fwd, 1, -1), bound, last, none, (pos, share))
        node[:, side] = (chains.end if to_end else chains.start)[c]
        time[:, side] = np.where(on, way.times(cost), np.inf)
    at_junction = at.junction >= 0
    node[at_junction] = at.junction[at_junction, None]
    time[at_junction] = 0.0
    return node, time


def on_same_chain(
    chains: Chains, origins: Places, destinations: Places
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs (origin, destination) on one chain but not on one snapped edge."""
    o_chain = np.where(origins.pos >= 0, chains.chain[np.maximum(origins.pos, 0)], -1)
    d_chain = np.where(destinations.pos >= 0, chains.chain[np.maximum(destinations.pos, 0)], -1)
    i, j = matching(o_chain, d_chain)
    keep = origins.edge[i] != destinations.edge[j]
    return i[keep], j[keep]


def matching(
    a: NDArray[np.int64], b: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every pair (i, j) with ``a[i] == b[j]`` (not negative), in `numpy.nonzero` order.

    The pairs of the (a × b) equality, found without that array: ``b`` sorted, then searched.
    """
    order = np.argsort(b, kind="stable")
    lo = np.searchsorted(b[order], a, side="left")
    n = np.where(a >= 0, np.searchsorted(b[order], a, side="right") - lo, 0)
    i = np.repeat(np.arange(a.size), n)
    j = order[np.repeat(lo, n) + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)]
    return i, j


def _subset(at: Places, k: NDArray[np.int64]) -> Places:
    return Places(at.junction[k], at.pos[k], at.back[k], at.ahead[k], at.edge[k])


def chain_runs(
    origins: Places, destinations: Places, i: NDArray[np.int64], j: NDArray[np.int64]
) -> Runs:
    """The ways straight along their chain from origins ``i`` to destinations ``j``."""
    a, b = _subset(origins, i), _subset(destinations, j)
    forward = (a.pos < b.pos) | ((a.pos == b.pos) & (a.back <= b.back))
    step, first, lead, lead_share = leaving(a, forward)
    last, lag_share = entering(b, forward)
    return runs(step, first, last, (lead, lead_share), (b.pos, lag_share))


def along_chain(
    chains: Chains, origins: Places, destinations: Places, cost: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Pairs on one chain (not one edge) and their time straight along it (inf: no way)."""
    i, j = on_same_chain(chains, origins, destinations)
    return i, j, chain_runs(origins, destinations, i, j).times(cost)
