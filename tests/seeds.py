"""The plans' own text (shared/seeds), for tests that quote it; they skip where it is absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path | None:
    """The seeds folder beside the repository (or beside the folder holding the checkout)."""
    for parent in _REPO.parents:
        candidate = parent / "shared" / "seeds"
        if candidate.is_dir():
            return candidate
    return None


def seed_text(name: str) -> str:
    """A seed document, punctuation written full-width and spaces dropped; skip when absent."""
    folder = seeds_dir()
    if folder is None or not (folder / name).is_file():
        pytest.skip("shared/seeds is not beside the repository")
    return normalise((folder / name).read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """The same wording whether the document used ASCII or full-width punctuation."""
    table = str.maketrans({",": "，", "(": "（", ")": "）", ";": "；", ":": "："})
    return re.sub(r"\s+", "", text.translate(table))
