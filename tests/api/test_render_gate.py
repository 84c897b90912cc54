"""Maps and exports of stored assessments: made once, kept, rationed per client, bounded."""

from __future__ import annotations

import asyncio
import io
import math

import httpx
from fastapi.testclient import TestClient
from pypdf import PdfReader
from shapely.geometry import Polygon, shape

from api.app import create_app
from api.service.render_gate import GateLimits, RenderGate
from api.settings import Settings
from geo.errors import TooBusy
from layers.resources import demo_pack_dir
from web.drawn_bounds import SIMPLIFIED_NOTE, bounded_for_maps, drawn_vertices

CITY = (113.58, 37.86)  # in 城区


def circle(vertices: int, radius_deg: float = 0.01) -> dict:
    ring = [
        (
            CITY[0] + radius_deg * math.cos(2 * math.pi * i / vertices),
            CITY[1] + radius_deg * math.sin(2 * math.pi * i / vertices),
        )
        for i in range(vertices)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def make_client(tmp_path, **settings) -> TestClient:
    base = Settings(data_dir=demo_pack_dir(), state_dir=tmp_path / "state", **settings)
    return TestClient(create_app(base))


def stored(client: TestClient, geometry: dict) -> str:
    response = client.post(
        "/api/v1/assessments",
        json={
            "footprint": {"type": "Feature", "geometry": geometry, "properties": {}},
            "hazard": "landslide",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


# ------------------------------------------------------------------ the gate on its own
def run(coroutine):
    return asyncio.run(coroutine)


def test_the_same_product_asked_for_at_once_is_made_once():
    gate: RenderGate[bytes] = RenderGate(GateLimits(), size=len)
    calls = []

    async def make() -> bytes:
        calls.append(1)
        await asyncio.sleep(0.05)
        return b"pdf"

    async def scenario():
        return await asyncio.gather(*(gate.get(f"c{i}", "k", make) for i in range(5)))

    assert run(scenario()) == [b"pdf"] * 5
    assert calls == [1]
    assert run(gate.get("c9", "k", make)) == b"pdf"  # kept
    assert calls == [1]


def test_a_client_over_its_share_is_told_to_retry_and_others_are_not():
    gate: RenderGate[bytes] = RenderGate(
        GateLimits(per_client=1, queue=1, retry_after_s=7), size=len
    )

    async def make() -> bytes:
        await asyncio.sleep(0.05)
        return b"x"

    async def scenario():
        return await asyncio.gather(
            *(gate.get("greedy", f"k{i}", make) for i in range(3)),
            gate.get("other", "k9", make),
            return_exceptions=True,
        )

    first, second, third, other = run(scenario())
    assert (first, second, other) == (b"x", b"x", b"x")
    assert isinstance(third, TooBusy)
    assert third.retry_after_s == 7
    assert gate._slots == {}  # nothing left behind per client


def test_the_cache_keeps_the_most_recently_used_within_its_bytes():
    gate: RenderGate[bytes] = RenderGate(GateLimits(cache_bytes=10), size=len)

    async def made(value: bytes) -> bytes:
        return value

    run(gate.get("c", "a", lambda: made(b"aaaa")))
    run(gate.get("c", "b", lambda: made(b"bbbb")))
    run(gate.get("c", "a", lambda: made(b"AAAA")))  # a hit: a is now the newest
    run(gate.get("c", "c", lambda: made(b"cccc")))  # 12 bytes > 10: b goes
    assert gate.cache.get("a") == b"aaaa"
    assert gate.cache.get("b") is None
    assert gate.cache.bytes == 8


def test_a_rendering_whose_client_left_is_made_again_for_the_one_waiting():
    gate: RenderGate[bytes] = RenderGate(GateLimits(), size=len)
    calls = []

    async def make() -> bytes:
        calls.append(1)
        await asyncio.sleep(0.1)
        return b"pdf"

    async def scenario():
        first = asyncio.create_task(gate.get("left", "k", make))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(gate.get("stayed", "k", make))
        await asyncio.sleep(0.01)
        first.cancel()
        return await second

    assert run(scenario()) == b"pdf"
    assert len(calls) == 2


# ------------------------------------------------------------------ through the API
def test_a_map_asked_for_twice_is_rendered_once_and_the_same_bytes(tmp_path):
    client = make_client(tmp_path)
    with client:
        assessment = stored(client, circle(64))
        url = f"/api/v1/assessments/{assessment}/map.pdf"
        first, second = client.get(url), client.get(url)
        assert first.status_code == second.status_code == 200
        assert first.content == second.content
        assert client.app.state.render_gate.rendered == 1
        assert client.get(url, params={"paper": "A4"}).status_code == 200
        assert client.app.state.render_gate.rendered == 2  # other options, another map
        gbk = client.get(f"/api/v1/assessments/{assessment}/export.csv?encoding=GBK")
        assert gbk.status_code == 200
        again = client.get(f"/api/v1/assessments/{assessment}/export.csv?encoding=gbk")
        assert again.content == gbk.content
        assert client.app.state.render_gate.rendered == 3  # GBK and gbk: one file


def test_a_client_asking_for_more_maps_at_once_than_allowed_gets_429(tmp_path):
    client = make_client(tmp_path, renders_per_client=1, render_queue=0, render_retry_s=5)
    with client:
        assessment = stored(client, circle(64))
        app = client.app

        async def scenario():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                return await asyncio.gather(
                    http.get(f"/api/v1/assessments/{assessment}/map.pdf?paper=A3"),
                    http.get(f"/api/v1/assessments/{assessment}/map.pdf?paper=A4"),
                )

        answers = asyncio.run(scenario())
    # Which of the two reaches the gate first is the event loop's (and, under load, the
    # thread pool's) to decide: one is drawn, the other refused.
    drawn, refused = sorted(answers, key=lambda answer: answer.status_code)
    assert drawn.status_code == 200
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "5"
    assert "retry in 5 s" in refused.json()["detail"]


def test_a_bad_export_option_is_refused_before_any_work(tmp_path):
    client = make_client(tmp_path)
    with client:
        assessment = stored(client, circle(64))
        response = client.get(f"/api/v1/assessments/{assessment}/export.csv?encoding=latin-1")
        assert response.status_code == 400
        assert response.json()["field"] == "encoding"
        assert client.app.state.render_gate.rendered == 0
        assert client.get("/api/v1/assessments/nope/map.pdf").status_code == 404


# ------------------------------------------------------------------ bounded drawing
def test_outlines_over_the_budget_are_simplified_within_print_precision():
    geometry = circle(20_000, radius_deg=0.05)
    body = {
        "footprint": {
            "pieces": {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": geometry, "properties": {"class": "high"}}
                ],
            }
        }
    }
    bounded = bounded_for_maps(body, max_vertices=1_000)
    assert drawn_vertices(bounded) <= 1_000
    assert drawn_vertices(body) == 20_001  # the answer itself is untouched
    drawn = shape(bounded["footprint"]["pieces"]["features"][0]["geometry"])
    original = Polygon(geometry["coordinates"][0])
    # An independent measure of the error: at most a millimetre at A3 over the extent.
    extent = 0.1 * math.sqrt(2)
    assert drawn.hausdorff_distance(original) <= extent / 420 * 1.0
    assert bounded["map_notes"] == [SIMPLIFIED_NOTE]
    assert bounded_for_maps(bounded, max_vertices=1_000) is bounded


def test_a_stored_map_over_the_vertex_budget_says_it_was_simplified(tmp_path):
    client = make_client(tmp_path, map_max_vertices=500)
    with client:
        assessment = stored(client, circle(3_000))
        response = client.get(f"/api/v1/assessments/{assessment}/map.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "已按打印精度简化" in text.replace("\n", "")
