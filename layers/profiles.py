"""Read the settings profiles (``data/*.toml``): needs, speeds, displacement, setbacks, quakes.

Every profile file goes through one reader, `_read_toml` (kept in `layers._toml`, which
imports nothing heavy, so the quick commands read plans fast), so that each is refused the
same way: one error naming the file when it cannot be read as UTF-8 TOML. What the keys
mean is checked in `geo/` (``parse_*``), which names the file and the key at fault. The
plan catalogue (`layers.plans`) reads its files through the same reader.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import PlanError, ProfileError
from geo.hazards.house_damage import DamageProfile, parse_damage
from geo.hazards.intensity import AttenuationProfile, parse_attenuation
from geo.hazards.setbacks import Setbacks, parse_setbacks
from geo.incident.displacement import DisplacementProfile, parse_profile
from geo.response.casualties import FatalityModel, parse_fatality
from geo.roads.speeds import SpeedProfile, parse_speeds
from geo.supply.needs import NeedsProfile, parse_needs
from layers._toml import read_toml as _read_toml
from layers.resources import data_dir

SPEEDS_FILE = "speeds.toml"
SETBACKS_FILE = "setbacks.toml"
EARTHQUAKE_DIR = "earthquake"


def default_needs_path() -> Path:
    """The embedded needs profile."""
    return data_dir() / "needs" / "default.toml"


def default_speeds_path() -> Path:
    """The embedded speeds profile."""
    return data_dir() / SPEEDS_FILE


def default_displacement_path() -> Path:
    """The embedded displacement profile: InaSAFE's default rates."""
    return data_dir() / "displacement" / "default.toml"


def default_setbacks_path() -> Path:
    """The embedded setbacks profile."""
    return data_dir() / SETBACKS_FILE


def read_needs(path: Path | None = None) -> NeedsProfile:
    """Read and check a needs profile; the embedded default when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_needs_path()
    data, _ = _read_toml(path, what="needs profile", error=ProfileError)
    return parse_needs(data, source=path.name)


def read_speeds(path: Path | None = None) -> SpeedProfile:
    """Read and check a speeds profile; the embedded one when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_speeds_path()
    data, _ = _read_toml(path, what="speeds profile", error=ProfileError)
    return parse_speeds(data, source=path.name)


def read_displacement(path: Path | None = None) -> DisplacementProfile:
    """Read and check a displacement profile; the embedded default when ``path`` is None.

    Raises
    ------
    PlanError
        The file cannot be read as UTF-8 TOML, or the profile is malformed.
    """
    path = default_displacement_path() if path is None else path
    data, _ = _read_toml(path, what="displacement profile", error=PlanError)
    return parse_profile(data, source=path.name)


def read_setbacks(path: Path | None = None) -> Setbacks:
    """Read and check a setbacks profile; the embedded one when ``path`` is None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_setbacks_path()
    data, _ = _read_toml(path, what="setbacks profile", error=ProfileError)
    return parse_setbacks(data, source=path.name)


def default_earthquake_path(name: str) -> Path:
    """An embedded earthquake profile: ``attenuation``, ``damage`` or ``fatality``."""
    return data_dir() / EARTHQUAKE_DIR / f"{name}.toml"


def read_attenuation(path: Path | None = None) -> AttenuationProfile:
    """Read and check an intensity attenuation profile; the embedded one when None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_earthquake_path("attenuation")
    data, _ = _read_toml(path, what="attenuation profile", error=ProfileError)
    return parse_attenuation(data, what=f"attenuation profile {path.name}")


def read_damage(path: Path | None = None) -> DamageProfile:
    """Read and check a house damage profile; the embedded one when None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_earthquake_path("damage")
    data, _ = _read_toml(path, what="damage profile", error=ProfileError)
    return parse_damage(data, what=f"damage profile {path.name}")


def read_fatality(path: Path | None = None) -> FatalityModel:
    """Read and check an earthquake fatality profile; the embedded one when None.

    Raises
    ------
    ProfileError
        The file cannot be read as UTF-8 TOML, or a key is missing or malformed.
    """
    path = path or default_earthquake_path("fatality")
    data, _ = _read_toml(path, what="fatality profile", error=ProfileError)
    return parse_fatality(data, what=f"fatality profile {path.name}")
