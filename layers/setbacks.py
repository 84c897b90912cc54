"""Read the setbacks profile (``data/setbacks.toml``) into a `geo.hazards.setbacks.Setbacks`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.errors import ProfileError
from geo.hazards.setbacks import Setbacks, parse_setbacks
from layers.resources import data_dir

SETBACKS_FILE = "setbacks.toml"


def default_setbacks_path() -> Path:
    """The embedded setbacks profile."""
    return data_dir() / SETBACKS_FILE


def read_setbacks(path: Path | None = None) -> Setbacks:
    """Read and check a setbacks profile; the embedded one when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_setbacks_path()
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            f"setbacks profile {path.name}: cannot be read as UTF-8 TOML ({exc})"
        ) from exc
    return parse_setbacks(data, source=path.name)
