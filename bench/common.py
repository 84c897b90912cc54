"""What every benchmark shares: timing and the description of the machine it ran on."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


#: Keys that differ between two runs of one assessment (its id and times), left out of
#: whole-answer comparisons.
RUN_KEYS = frozenset({"id", "created", "created_at"})


def without_run_keys(body: object) -> object:
    """An answer as compared whole: the same, less `RUN_KEYS` at every depth."""
    if isinstance(body, dict):
        return {k: without_run_keys(v) for k, v in body.items() if k not in RUN_KEYS}
    if isinstance(body, list):
        return [without_run_keys(v) for v in body]
    return body


def median_s(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` runs after one warm-up (imports, caches, PROJ)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _proc(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine(packages: Iterable[str]) -> list[str]:
    """Markdown lines describing the machine, the date and the library versions."""
    cpu = _proc("/proc/cpuinfo", "model name") or "unknown CPU"
    mem = _proc("/proc/meminfo", "MemTotal")
    ram = f"{int(mem.split()[0]) / 2**20:.1f} GiB" if mem else "unknown"
    found = []
    for name in packages:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return [
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; RAM {ram}",
        f"- {platform.platform()}; Python {platform.python_version()}",
        "- " + ", ".join(found),
    ]


@dataclass(frozen=True)
class Headline:
    """One headline figure of a benchmark for the summary in bench/RESULTS.md."""

    figure: str
    value: str
    target: str | None  # None: no target set for this figure
    met: bool | None


def write_headlines(name: str, headlines: Sequence[Headline]) -> None:
    """Write ``bench/results/<name>.json``, read by ``bench.run_all`` for the summary."""
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps([asdict(h) for h in headlines], ensure_ascii=False, indent=1)
    (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
