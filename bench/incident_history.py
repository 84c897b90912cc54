"""Incident history at scale: POST report time flat from 10 to 10,000 reports.

Run on demand: ``python -m bench.incident_history [--sizes 10,100,1000,10000]``. Writes
``bench/results/incident_history.md`` and ``.json``. One incident on the embedded SQLite
store of a fresh state folder, driven in process through the real app (`TestClient`):
reports are added until the history holds each size, then ``REPEATS`` more POSTs are
timed (median). A report is graded on the latest verdict's running totals, so the POST
should not grow with the history. The reference is what grading used to read for every
report: the whole history (`Store.incident` with every report and verdict), timed at the
same sizes. ``GET /incidents/{id}`` answers one page (100 reports by default): its time and
size are given too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.service.bootstrap import load_services
from api.settings import Settings
from bench.common import RESULTS, Headline, machine, median_s, write_headlines
from layers.resources import demo_pack_dir

REPEATS = 20
FOOTPRINT = {
    "type": "Polygon",
    "coordinates": [
        [[113.55, 37.85], [113.6, 37.85], [113.6, 37.9], [113.55, 37.9], [113.55, 37.85]]
    ],
}
START = datetime(2026, 1, 1, tzinfo=UTC)


def _post(client: TestClient, url: str, n: int) -> float:
    body = {
        "kind": "续报",
        "figures": {"relocated": 1000 + n, "dead_missing": n % 7},
        "time": (START + timedelta(minutes=n)).isoformat(),
    }
    began = time.perf_counter()
    answer = client.post(url, json=body)
    elapsed = time.perf_counter() - began
    if answer.status_code != 201:
        raise SystemExit(f"POST report failed: {answer.status_code} {answer.text[:200]}")
    return elapsed


def run(sizes: list[int]) -> list[dict[str, float]]:
    """Time POST report, GET incident and the whole-history read at each size."""
    rows = []
    with tempfile.TemporaryDirectory() as state:
        services = load_services(Settings(data_dir=demo_pack_dir(), state_dir=Path(state)))
        client = TestClient(create_app(services=services))
        opened = client.post(
            "/api/v1/incidents",
            json={"footprint": FOOTPRINT, "hazard": "flood", "started": START.isoformat()},
        )
        incident = opened.json()["id"]
        url = f"/api/v1/incidents/{incident}"
        store = services.store
        assert store is not None
        count = 0
        for size in sizes:
            while count < size:
                count += 1
                _post(client, url + "/reports", count)
            posts = []
            for _ in range(REPEATS):
                count += 1
                posts.append(_post(client, url + "/reports", count))
            get_s = median_s(lambda: client.get(url), 5)
            page = len(client.get(url).content)
            whole_s = median_s(lambda: store.incident(incident), 3)
            rows.append(
                {
                    "reports": size,
                    "post_ms": statistics.median(posts) * 1000,
                    "get_ms": get_s * 1000,
                    "get_kb": page / 1024,
                    "whole_read_ms": whole_s * 1000,
                }
            )
            print(rows[-1], flush=True)
    return rows


def write(rows: list[dict[str, float]]) -> None:
    """The table in ``bench/results/incident_history.md`` and the headline figures."""
    first, last = rows[0], rows[-1]
    ratio = last["post_ms"] / first["post_ms"]
    lines = [
        "## incident_history",
        "",
        *machine(["fastapi", "sqlalchemy"]),
        "",
        "| reports in history | POST report (median ms) | GET incident (ms) | GET size (KiB) "
        "| reference: whole-history read (ms) |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {r['reports']:,} | {r['post_ms']:.1f} | {r['get_ms']:.1f} | {r['get_kb']:.0f} "
            f"| {r['whole_read_ms']:.1f} |"
            for r in rows
        ),
        "",
        f"POST report at {last['reports']:,} reports / at {first['reports']:,}: {ratio:.2f}× "
        f"(the whole-history read that grading used to do grows "
        f"{last['whole_read_ms'] / first['whole_read_ms']:.0f}×).",
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "incident_history.md").write_text("\n".join(lines), encoding="utf-8")
    write_headlines(
        "incident_history",
        [
            Headline(
                figure=f"POST report at {last['reports']:,} vs {first['reports']:,} reports",
                value=f"{ratio:.2f}×",
                target="flat (under 2×)",
                met=ratio < 2,  # the target stated beside it
            )
        ],
    )


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    args = parser.parse_args()
    write(run([int(s) for s in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
