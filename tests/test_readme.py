"""The README's command lines work as typed: every `reliefgis …` line of its ``sh`` blocks.

Run by bash from a folder laid out like the repository (``data/`` is the repository's),
with the installed console script on PATH, as ``source .venv/bin/activate`` puts it there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[list[str]]:
    """The lines of each fenced block in ``language``."""
    found = FENCE.findall(README.read_text(encoding="utf-8"))
    return [body.splitlines() for lang, body in found if lang == language]


def commands() -> list[str]:
    return [line for block in blocks("sh") for line in block if line.startswith("reliefgis ")]


def test_the_readme_has_command_lines_to_run():
    lines = commands()
    assert len(lines) >= 5
    assert any(line.startswith("reliefgis assess ") for line in lines)


def test_the_readme_says_how_reliefgis_gets_on_the_path():
    text = README.read_text(encoding="utf-8")
    [block] = [b for b in blocks("sh") if any(line.startswith("reliefgis ") for line in b)]
    first = next(i for i, line in enumerate(block) if line.startswith("reliefgis "))
    assert any(line.startswith("source .venv/bin/activate") for line in block[:first])
    for windows in (r".venv\Scripts\Activate.ps1", r".venv\Scripts\reliefgis.exe"):
        assert windows in text
    # The Windows section installs and starts the service in PowerShell.
    [powershell] = blocks("powershell")
    assert powershell[0].startswith("py -m venv")
    assert any("pip install ." in line for line in powershell)
    assert any("reliefgis serve" in line for line in powershell)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with the repository's ``data/`` where the outputs may go."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "data").symlink_to(ROOT / "data", target_is_directory=True)
    return folder


@pytest.mark.parametrize("line", commands())
def test_a_readme_command_runs_as_typed(line, workdir):
    scripts = sysconfig.get_path("scripts")
    assert (Path(scripts) / "reliefgis").exists(), "the console script is installed"
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    out = re.search(r"--out (\S+)", line)
    if out:
        folder = workdir / out.group(1)
        assert (folder / "assessment.json").exists()
        assert (folder / "map.pdf").read_bytes().startswith(b"%PDF")
