"""The font subsets a printed map embeds, made once per font file and glyph set and kept.

matplotlib's PDF backend embeds each TrueType font as a subset of the glyphs a map uses
(`matplotlib.backends._backend_pdf_ps.get_glyphs_subset`, fontTools' subsetter). For a
CJK font of 20,000 glyphs that means reading the whole font for every PDF: about half a
second per subset, most of the time of a printed map after the drawing. Within
`cached_subsets`, a subset is read from the cache folder when the same font file (by its
content) was subset to the same glyphs before, else made by matplotlib as always and
kept. The subset font and its glyph map are stored as made, so the PDF is the same.

The key is a SHA-256 of the font file's bytes, its face index, the sorted glyph ids, the
matplotlib and fontTools versions and this module's source: another font file, face, glyph
set or library names another entry. An entry that cannot be read is made again; one that
cannot be written only costs the making. Where matplotlib subsets fonts some other way
(its API before 3.11), nothing is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

import fontTools
import matplotlib as mpl
from fontTools.ttLib import TTFont, TTLibError
from matplotlib.backends import _backend_pdf_ps

from layers.digests import file_digest

#: Bumped when the files written here change their layout.
CACHE_LAYOUT = 1
FOLDER = "font-subsets"

Subsetter = Callable[[Any, Iterable[int]], AbstractContextManager[Any]]


class Subset(NamedTuple):
    """A subset font and the map from the font's glyph ids to the subset's, as matplotlib's."""

    font: TTFont
    glyph_index_map: dict[int, int]


def subset_key(fontfile: Path, face_index: int, glyphs: Iterable[int]) -> str:
    """The cache key of one subset: the font's bytes, face, glyphs, libraries and code."""
    digest = hashlib.sha256(
        f"reliefgis font subset {CACHE_LAYOUT}\0{mpl.__version__}\0{fontTools.version}\0".encode()
    )
    digest.update(file_digest(Path(__file__)).encode("ascii"))
    digest.update(file_digest(fontfile).encode("ascii"))
    digest.update(f"{face_index}\0{','.join(map(str, sorted(glyphs)))}".encode("ascii"))
    return digest.hexdigest()


@contextmanager
def _opened(data: bytes, glyph_map: dict[int, int]) -> Iterator[Subset]:
    # Saved again by matplotlib: as stored, not with a new modification time.
    font = TTFont(BytesIO(data), recalcTimestamp=False)
    try:
        yield Subset(font, glyph_map)
    finally:
        font.close()


def _read(stem: Path) -> tuple[bytes, dict[int, int]] | None:
    try:
        pairs = json.loads(stem.with_suffix(".json").read_text(encoding="ascii"))
        data = stem.with_suffix(".ttf").read_bytes()
        TTFont(BytesIO(data)).close()  # a damaged entry is made again
        return data, {int(old): int(new) for old, new in pairs}
    except (OSError, ValueError, TypeError, TTLibError):
        return None


def _write(stem: Path, data: bytes, glyph_map: dict[int, int]) -> None:
    """The font first, its glyph map last: an entry with a map is whole."""
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        for suffix, content in (
            (".ttf", data),
            (".json", json.dumps(sorted(glyph_map.items())).encode("ascii")),
        ):
            handle, scratch = tempfile.mkstemp(prefix=".writing-", dir=stem.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(scratch, stem.with_suffix(suffix))
    except OSError:
        return  # a read-only cache only costs the subsetting


def _made(make: Subsetter, fontfile: Any, glyphs: list[int]) -> tuple[bytes, dict[int, int]]:
    with make(fontfile, glyphs) as made:
        stream = BytesIO()
        made.font.save(stream, reorderTables=False)  # as matplotlib's font_as_file saves it
        data = stream.getvalue()
        return data, {int(old): int(new) for old, new in made.glyph_index_map.items()}


def _cached(folder: Path, make: Subsetter) -> Subsetter:
    def subset(fontfile: Any, glyphs: Iterable[int]) -> AbstractContextManager[Subset]:
        ids = sorted({int(g) for g in glyphs})
        face = int(getattr(fontfile, "face_index", 0))
        stem = folder / subset_key(Path(os.fspath(fontfile)), face, ids)
        found = _read(stem)
        if found is None:
            found = _made(make, fontfile, ids)
            _write(stem, *found)
        return _opened(*found)

    return subset


@contextmanager
def cached_subsets(cache_dir: Path | None) -> Iterator[None]:
    """Within it, matplotlib's PDF backend takes its font subsets from ``cache_dir``.

    ``None``, or a matplotlib that subsets another way: subsets are made as always. The
    caller holds the printing lock: the backend's subsetter is one per process.
    """
    make = getattr(_backend_pdf_ps, "get_glyphs_subset", None)
    if cache_dir is None or make is None or not hasattr(_backend_pdf_ps, "SubsetResults"):
        yield
        return
    _backend_pdf_ps.get_glyphs_subset = _cached(cache_dir / FOLDER, make)  # type: ignore[assignment]
    try:
        yield
    finally:
        _backend_pdf_ps.get_glyphs_subset = make
