"""The quick commands import nothing heavy (issue 19): a structural check, not a timing.

``reliefgis level``, ``plans`` and ``--help`` are run in a fresh interpreter; the modules
it loaded are read from ``sys.modules``. A top-level import of geopandas, rasterio,
matplotlib, fastapi or numpy anywhere on their path (say, a new ``from layers.pack import …`` at
the top of ``api/cli.py``) fails here, whatever the machine's speed. So does pydantic (the
request models of ``incident``), psutil, asyncio or multiprocessing (the compute processes
of ``serve``): only the command run has its options built (``api.cli.build_parser``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "geopandas",
    "rasterio",
    "matplotlib",
    "fastapi",
    "pandas",
    "shapely",
    "pyproj",
    "pydantic",
    "psutil",
    "asyncio",
    "multiprocessing",
    "numpy",
)

_PROBE = """
import contextlib, io, json, sys
from api.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    code = main(sys.argv[1:])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _loaded(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        ("level", "--plan", "yangquan-2026", "--dead-missing", "5"),
        ("level", "--plan", "jiangsu", "--relocated", "200000", "--hazard", "flood"),
        ("plans",),
        ("--help",),
    ],
)
def test_quick_commands_import_nothing_heavy(argv: tuple[str, ...]) -> None:
    loaded = _loaded(*argv)
    assert "api" in loaded  # the probe did run the command
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_reads_neither_settings_nor_plans() -> None:
    """``--help`` lists the commands only: no settings (numpy), no plan model."""
    loaded = _loaded("--help")
    assert "api" in loaded
    assert not loaded & {"numpy", "layers"}, sorted(loaded & {"numpy", "layers"})


def test_every_command_has_its_options_when_none_is_named() -> None:
    """``build_parser()`` without argv builds every command's options (docs, tests)."""
    from api.cli import COMMANDS, build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert list(commands) == list(COMMANDS)
    assert all(len(sub._actions) > 1 for sub in commands.values())  # more than --help


def test_the_probe_sees_a_heavy_import() -> None:
    """The same probe on ``layers`` (which reads the pack) reports geopandas: it can fail."""
    loaded = _loaded("layers")
    assert {"geopandas", "rasterio"} <= loaded
