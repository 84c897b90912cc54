"""Where the embedded data (demo pack, plan and needs profiles) lies once installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The ``data/`` folder is installed as the package ``reliefgis_data`` (see pyproject.toml).
DATA_PACKAGE = "reliefgis_data"


def data_dir() -> Path:
    """The installed ``data/`` folder."""
    return Path(str(resources.files(DATA_PACKAGE)))


def demo_pack_dir() -> Path:
    """The embedded Yangquan demo layer pack."""
    return data_dir() / "yangquan"


def plans_dir() -> Path:
    """The embedded plan profiles."""
    return data_dir() / "plans"
