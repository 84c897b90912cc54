"""Read a needs profile (``data/needs/*.toml``) into a `geo.supply.needs.NeedsProfile`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.errors import ProfileError
from geo.supply.needs import NeedsProfile, parse_needs
from layers.resources import data_dir


def default_needs_path() -> Path:
    """The embedded needs profile."""
    return data_dir() / "needs" / "default.toml"


def read_needs(path: Path | None = None) -> NeedsProfile:
    """Read and check a needs profile; the embedded default when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_needs_path()
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            f"needs profile {path.name}: cannot be read as UTF-8 TOML ({exc})"
        ) from exc
    return parse_needs(data, source=path.name)
