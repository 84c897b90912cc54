"""The one TOML reader of every profile file (`layers.profiles` names it `_read_toml`).

Kept apart from the profile readers so that reading plan files imports nothing but the
standard library: ``reliefgis plans`` and ``reliefgis level`` answer in a fraction of a second.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from geo.errors import ReliefError


def read_toml(path: Path, *, what: str, error: type[ReliefError]) -> tuple[dict[str, Any], bytes]:
    """The TOML table of a profile file and its raw bytes (for a checksum).

    Private to `layers`: the one reader every profile file goes through.

    Raises
    ------
    ReliefError
        ``error``, naming ``what`` and the file, when the file cannot be read as UTF-8 TOML.
    """
    try:
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), raw
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{what} {path.name}: cannot be read as UTF-8 TOML ({exc})") from exc
