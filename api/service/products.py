"""A file made from an assessment — printed map, incident map or export — as answered."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFile:
    """One file made from an assessment: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str
