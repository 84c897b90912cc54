"""A non-editable install carries the package data: plan profiles, the demo pack, migrations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The folders whose subpackages must all be in pyproject.toml's explicit `packages` list.
TOP_PACKAGES = ("geo", "api", "layers", "web")


#: Left out of the copy the wheel is built from: setuptools' build/ folder keeps files of
#: earlier builds (a module moved away would still be packed from it), and caches.
NOT_SOURCE = shutil.ignore_patterns(
    "build", "dist", ".venv", "venv", ".git", "__pycache__", "*.egg-info", ".*_cache", "var"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "reliefgis"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out), str(source)],
        check=True, capture_output=True,
    )
    [built] = out.glob("reliefgis-*.whl")
    return built


def test_wheel_contains_data_and_console_script(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for plan in ("yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"):
        assert f"reliefgis_data/plans/{plan}.toml" in names
    assert "reliefgis_data/yangquan/layers.gpkg" in names
    assert "reliefgis_data/yangquan/population.tif" in names
    assert "geo/py.typed" in names
    assert "layers/store/migrations/script.py.mako" in names
    assert "layers/store/migrations/env.py" in names
    assert "layers/store/migrations/versions/0001_assessments.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "web/static/index.html" in names
    assert "reliefgis = api.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_leaves_out_the_pack_build_scripts(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("scripts/", "bench/", "tests/"))]
    assert not [n for n in names if "build_yangquan" in n or "build_jiangsu" in n]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_PACKAGES
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set()


def test_the_installed_store_finds_its_migrations(wheel, tmp_path):
    """Alembic runs from the unpacked wheel (not the source tree) and creates the schema."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import sys, layers.store.store as s\n"
        f"assert s.__file__.startswith({str(site)!r}), s.__file__\n"
        f"store = s.Store(s.sqlite_url(__import__('pathlib').Path({str(tmp_path / 'state')!r})))\n"
        "print(sorted(store.engine.dialect.get_table_names(store.engine.connect())))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "alembic_version" in done.stdout
    assert "assessments" in done.stdout
