"""Read a displacement profile (``data/displacement/*.toml``) into a `DisplacementProfile`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from geo.errors import PlanError
from geo.incident.displacement import DisplacementProfile, parse_profile
from layers.resources import data_dir


def default_profile_path() -> Path:
    """The embedded profile: InaSAFE's default rates."""
    return data_dir() / "displacement" / "default.toml"


def read_profile(path: Path | None = None) -> DisplacementProfile:
    """Read and validate a displacement profile file; the embedded default when ``path`` is None.

    Raises
    ------
    PlanError
        When the file cannot be read as UTF-8 TOML or the profile is malformed.
    """
    path = default_profile_path() if path is None else path
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlanError(
            f"displacement profile {path.name}: cannot be read as UTF-8 TOML ({exc})"
        ) from exc
    return parse_profile(data, source=path.name)
