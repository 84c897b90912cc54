"""Shared fixtures: a tiny, exact layer pack built in code (tests/packs.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packs import TINY_CRS, tiny_layers, write_pack


@pytest.fixture(autouse=True)
def _private_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test touches the user's store (~/.local/share/reliefgis) or their settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    for name in (
        "RELIEF_STATE_DIR",
        "RELIEF_CACHE_DIR",
        "RELIEF_DATABASE_URL",
        "RELIEF_API_KEYS",
        "RELIEF_DATA",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tiny_pack(tmp_path: Path) -> Path:
    """A valid tiny pack on disk."""
    return write_pack(tmp_path / "pack")


@pytest.fixture
def make_pack(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny pack with some layers replaced."""

    def make(**overrides: Any) -> Path:
        layers = tiny_layers()
        population = overrides.pop("population", None)
        raster_crs = overrides.pop("raster_crs", TINY_CRS)
        layers.update(overrides)
        layers = {k: v for k, v in layers.items() if v is not None}
        return write_pack(tmp_path / "pack", layers, population, raster_crs)

    return make
