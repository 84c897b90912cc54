"""Field readers every plan-profile table shares: a required text, keys nobody knows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.errors import Problems


def required_text(raw: Mapping[str, Any], key: str, problems: Problems, where: str) -> str:
    """``raw[key]`` when it is a non-empty string; else a problem at ``where + key`` and ""."""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(where + key, "expected a non-empty string")
        return ""
    return value


def unknown_keys(
    raw: Mapping[str, Any], known: frozenset[str], problems: Problems, where: str
) -> None:
    """A misspelt key would silently change a rule (hazard for hazards): refuse it."""
    for key in sorted(set(raw) - known):
        problems.add(where + key, f"unknown key; expected one of {sorted(known)}")
