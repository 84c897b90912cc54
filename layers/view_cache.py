"""A pack's map-view texts (a layer's features written for a zoom) kept on disk between runs.

Writing a province's roads and counties for one zoom (simplified, rounded, as GeoJSON)
takes a second of CPU; the server prepares several zooms after it starts
(`api.service.view_warming`). The first process to write a layer at a zoom stores the
texts here, in a folder named by a key, and later starts read them in milliseconds.

The key is a SHA-256 of the bytes of the pack's ``layers.gpkg``, the installed reliefgis
version and the source of the code that writes the texts (passed in by the caller), so
any change to one of them names another folder; an old folder is never read for a new
pack. Each (layer, zoom) is three files written at once: the rows (``.rows.npy``), the
end of each row's text in the blob (``.ends.npy``) and the UTF-8 blob (``.txt``). A cache
that cannot be written only costs the writing; one that cannot be read is written again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from layers.pack import GEOPACKAGE

#: Bumped when the files written here change their layout.
CACHE_LAYOUT = 2
_CHUNK = 1 << 20


def view_key(pack_dir: Path, *, version: str, code: Iterable[Path]) -> str:
    """The cache key of a pack's view texts: its content, the code version and source."""
    digest = hashlib.sha256(f"reliefgis view texts {CACHE_LAYOUT}\0{version}\0".encode())
    for path in [*code, pack_dir / GEOPACKAGE]:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _stem(folder: Path, name: str, zoom: int) -> Path:
    return folder / f"{name}-z{zoom}"


@dataclass(frozen=True)
class KeptTexts:
    """The texts of one layer at one zoom as kept on disk, by row, read on demand."""

    #: The rows held, ascending.
    rows: np.ndarray
    #: The end of each row's text in ``blob`` (its start is the previous end).
    ends: np.ndarray
    blob: bytes

    def positions(self, wanted: np.ndarray) -> np.ndarray:
        """Where each of the ``wanted`` rows is held, -1 for a row not held."""
        if not len(self.rows):
            return np.full(len(wanted), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self.rows, wanted), len(self.rows) - 1)
        return np.where(self.rows[found] == wanted, found, -1)

    def texts(self, positions: np.ndarray) -> list[str]:
        """The texts at ``positions`` (from `positions`, none -1)."""
        ends = self.ends[positions].tolist()
        starts = np.where(positions > 0, self.ends[positions - 1], 0).tolist()
        blob = self.blob
        return [blob[a:b].decode("utf-8") for a, b in zip(starts, ends, strict=True)]

    def as_dict(self) -> dict[int, str]:
        """Every text held, by row."""
        return dict(zip(self.rows.tolist(), self.texts(np.arange(len(self.rows))), strict=True))


def read_texts(folder: Path, name: str, zoom: int) -> KeptTexts | None:
    """The texts of layer ``name`` at ``zoom``, or None when not kept (or damaged)."""
    stem = _stem(folder, name, zoom)
    try:
        rows = np.load(stem.with_suffix(".rows.npy"), allow_pickle=False)
        ends = np.load(stem.with_suffix(".ends.npy"), allow_pickle=False)
        blob = stem.with_suffix(".txt").read_bytes()
    except (OSError, ValueError):
        return None
    if len(rows) != len(ends) or (len(ends) and int(ends[-1]) != len(blob)):
        return None
    if np.any(np.diff(rows) <= 0) or np.any(np.diff(ends) < 0):
        return None
    try:
        blob.decode("utf-8")  # once, so that no view meets a damaged text
    except UnicodeDecodeError:
        return None
    return KeptTexts(rows=rows, ends=ends, blob=blob)


def write_texts(folder: Path, name: str, zoom: int, texts: dict[int, str]) -> None:
    """Keep ``texts`` (by row) of layer ``name`` at ``zoom``; a failure only skips keeping."""
    rows = np.sort(np.fromiter(texts, dtype=np.int64, count=len(texts)))
    encoded = [texts[r].encode("utf-8") for r in rows.tolist()]
    ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
    stem = _stem(folder, name, zoom)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The blob last, each file moved in place whole: a reader sees all three or fails.
        for suffix, write in (
            (".rows.npy", lambda f: np.save(f, rows, allow_pickle=False)),
            (".ends.npy", lambda f: np.save(f, ends, allow_pickle=False)),
            (".txt", lambda f: f.write(b"".join(encoded))),
        ):
            handle, scratch = tempfile.mkstemp(prefix=".writing-", dir=folder)
            with os.fdopen(handle, "wb") as stream:
                write(stream)
            os.replace(scratch, stem.with_suffix(suffix))
    except OSError:
        return
