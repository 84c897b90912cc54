"""Read the speeds profile (``data/speeds.toml``) into a `geo.roads.speeds.SpeedProfile`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.errors import ProfileError
from geo.roads.speeds import SpeedProfile, parse_speeds
from layers.resources import data_dir

SPEEDS_FILE = "speeds.toml"


def default_speeds_path() -> Path:
    """The embedded speeds profile."""
    return data_dir() / SPEEDS_FILE


def read_speeds(path: Path | None = None) -> SpeedProfile:
    """Read and check a speeds profile; the embedded one when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_speeds_path()
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            f"speeds profile {path.name}: cannot be read as UTF-8 TOML ({exc})"
        ) from exc
    return parse_speeds(data, source=path.name)
