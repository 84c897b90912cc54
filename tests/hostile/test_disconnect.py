"""A client that goes away cancels its work: the compute worker stops, the next is served.

A genuinely slow but allowed request (a valid spiky star of 4,000 vertices over the
whole demo pack, about 6 CPU-s of county cutting: ``bench/hostile.py``) is sent to a real
server, and the client closes its socket after three seconds. The worker process that was
computing it, found by its CPU time (psutil), must stop within a few seconds, long
before the task would have finished; then a sound request is answered promptly.
"""

from __future__ import annotations

import math
import time

import httpx
import psutil
from processes import running
from shapely.geometry import box, mapping

#: How long the computing worker may go on after its client has gone.
STOP_WITHIN_S = 3.0
#: The next request, fresh workers started included.
NEXT_WITHIN_S = 30.0


def spiky_star(n: int = 3999, radius: float = 0.6) -> dict[str, object]:
    """A valid (simple) star of ``n`` points alternating two radii, over the demo pack."""
    lon, lat = 113.55, 37.95
    points = []
    for k in range(n):
        r = radius if k % 2 == 0 else radius * 0.4
        angle = 2 * math.pi * k / n
        points.append([lon + r * math.cos(angle), lat + r * math.sin(angle)])
    return {"type": "Polygon", "coordinates": [[*points, points[0]]]}


def _cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds so far of each child process of the server."""
    seconds = {}
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[child.pid] = times.user + times.system
    return seconds



def test_a_client_that_disconnects_frees_its_worker(hostile_server):
    before = _cpu(hostile_server.pid)
    payload = {"footprint": spiky_star(), "hazard": "flood"}
    try:
        httpx.post(
            f"{hostile_server.url}/api/v1/assessments",
            json=payload,
            headers=hostile_server.headers(),
            timeout=httpx.Timeout(30.0, read=3.0),
        )
        raise AssertionError("the star was answered within 3 s: it is not a slow request")
    except httpx.ReadTimeout:
        pass  # httpx closes the connection: the client has gone
    gone = time.monotonic()
    during = _cpu(hostile_server.pid)
    busy = max(during, key=lambda pid: during[pid] - before.get(pid, 0.0))
    assert during[busy] - before.get(busy, 0.0) > 0.1, "no worker was computing the star"
    while running(busy) and time.monotonic() - gone < STOP_WITHIN_S:
        time.sleep(0.05)
    assert not running(busy), f"worker {busy} still computing {STOP_WITHIN_S} s after"

    started = time.monotonic()
    sound = {"footprint": mapping(box(113.5, 37.85, 113.55, 37.9)), "hazard": "flood"}
    response = httpx.post(
        f"{hostile_server.url}/api/v1/assessments",
        json=sound,
        headers=hostile_server.headers(),
        timeout=120,
    )
    assert response.status_code == 201, response.text[:500]
    assert time.monotonic() - started < NEXT_WITHIN_S
