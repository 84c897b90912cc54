"""What ``assess`` and ``quake`` write, and the options that choose it.

Both commands write ``assessment.json``, the printed map (``map.pdf``), the incident map
(``map.html``) and the exports named by ``--formats`` into one ``--out`` folder. The
printed map is made by a copy of the process forked before the assessment (`printer`),
so that importing matplotlib and drawing overlap the assessment and the incident map.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from geo.errors import InputError
from layers.exports.options import export_formats


def out_folder(text: str) -> Path:
    """The ``--out`` folder, refused when it names a file."""
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder", field="out")
    return out


def print_scale(text: str) -> str:
    """``--scale``: ``auto`` or a standard scale's denominator (``1:50,000`` → ``50000``)."""
    from web.print.sheets import parse_scale  # start-up: shapely, only for a map's options

    try:
        denominator = parse_scale(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return "auto" if denominator is None else str(denominator)


def output_options(parser: argparse.ArgumentParser) -> None:
    """``--paper``, ``--scale``, ``--formats`` and ``--crs``: the printed map and the exports."""
    parser.add_argument("--paper", choices=["A3", "A4"], default="A3", help="PDF paper size")
    parser.add_argument(
        "--scale",
        type=print_scale,
        default="auto",
        help="printed map scale: auto (the largest standard scale that holds the footprint), "
        "10000, 25000, 50000, 100000, 250000 or 500000",
    )
    parser.add_argument(
        "--formats",
        type=export_formats,
        default=[],
        help="also write exports: gpkg,shp,kml,xlsx,csv,docx (assessment.<format>)",
    )
    parser.add_argument("--crs", default="4326", help="exports in 4326 (WGS84) or 4490 (CGCS2000)")


@contextmanager
def collected_after_start_up() -> Iterator[Callable[[], None]]:
    """The garbage collector off until ``started()`` is called, then on, frozen objects kept.

    Python's advice for a process that forks without exec (`printer`): collector off early,
    frozen before the fork. The imports and the pack leave almost no cyclic garbage, yet
    every full collection walks all of their objects again, in this process and in the
    copy (about a tenth of ``assess``'s CPU on the demo). ``started()`` freezes what exists
    (later collections skip it, and the copy's pages stay shared) and turns the collector
    on. Leaving the block turns it on and hands the frozen objects back to it.
    """

    def started() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    try:
        yield started
    finally:
        gc.enable()
        gc.unfreeze()


@dataclass
class Printer:
    """A forked copy of this process that prints ``map.pdf`` once told the answer is written."""

    pid: int
    pipe: int  # its write end: b"1" once assessment.json is written; closed unsaid: stop
    told: bool = False
    status: int | None = None  # the copy's exit status, once waited for
    closed: bool = False  # the write end, once closed

    def print_answer(self) -> None:
        """Tell the copy that ``assessment.json`` is written: it prints the map from it.

        A copy that already failed (say, no font) has closed its end: it is not told, and
        this process prints the map itself (`write_outputs`).
        """
        try:
            os.write(self.pipe, b"1")
            self.told = True
        except BrokenPipeError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        """Close the write end (once): a copy not told by then stops."""
        if not self.closed:
            os.close(self.pipe)
            self.closed = True

    def printed(self) -> bool:
        """Wait for the copy; whether it printed the map."""
        if self.status is None:
            self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.told and self.status == 0


def _print_when_told(services: Any, args: argparse.Namespace, pipe: int) -> NoReturn:
    """The copy: import the printer now, print the map when told; never returns."""
    code = 1  # any failure: the command prints the map itself, and reports it
    try:
        from api.service.printing import load_printer, printed_pdf  # start-up: in the copy

        gc.disable()  # as at the start: matplotlib's import leaves nothing to collect
        load_printer(services)
        gc.freeze()
        gc.enable()
        with os.fdopen(pipe, "rb") as told:
            go = told.read(1) == b"1"
        if go:
            out = Path(args.out)
            body = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
            pdf = printed_pdf(services, body, paper=args.paper, scale=args.scale)
            (out / "map.pdf").write_bytes(pdf)
        code = 0
    finally:
        os._exit(code)  # the copy ends here: no exit handlers, no second flush of stdout


@contextmanager
def printer(services: Any, args: argparse.Namespace) -> Iterator[Printer | None]:
    """Fork a copy that imports matplotlib and the fonts while this process assesses.

    The copy prints ``map.pdf`` from ``assessment.json`` while this process writes
    ``map.html`` (importing folium) and the exports, on another core. Only where fork is
    safe to use here (Linux: this process runs no other thread: with ``--dask`` the
    client's threads run, and a fork could copy a lock one of them holds); elsewhere,
    None: the maps are written one after the other. Leaving the block without telling
    the copy (the assessment failed) stops it.
    """
    if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
        yield None
        return
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if not pid:
        os.close(write_end)
        _print_when_told(services, args, read_end)
    os.close(read_end)
    job = Printer(pid, write_end)
    try:
        yield job
    finally:
        if not job.told:
            job.close()
            if job.status is None:  # not yet waited for (a copy waited for is gone)
                os.kill(pid, signal.SIGTERM)  # its imports are of no use now
        job.printed()


def write_outputs(
    services: Any, body: dict[str, Any], args: argparse.Namespace, *, job: Printer | None = None
) -> list[Path]:
    """Write ``assessment.json``, the maps and the exports into ``args.out``; the files written.

    ``job``: the copy printing ``map.pdf`` (`printer`); None: this process prints it.
    """
    out = out_folder(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "assessment.json"
    target.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    if job is not None:
        job.print_answer()
    # start-up: folium and the exporters (matplotlib in the copy, if there is one)
    from api.service.exports import write_results

    maps = {"paper": args.paper, "scale": args.scale}
    try:
        written = write_results(
            services, body, out, formats=args.formats, crs=args.crs, pdf=job is None, **maps
        )
    finally:
        printed = job is not None and job.printed()  # the copy is waited for, whatever happened
    if job is None:
        return [target, *written]
    if not printed:
        write_results(
            services, body, out, formats=[], paper=args.paper, scale=args.scale, html=False
        )
    return [target, out / "map.pdf", *written]
