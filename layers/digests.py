"""SHA-256 of a file's bytes, computed once per process however many caches ask for it.

The road graph cache and the checked-pack cache are both keyed by the pack's content; a
province ``layers.gpkg`` is read and hashed once, not once per cache. A file is known again
by its resolved path, size, modification time and inode: a file changed in place gives
another answer.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_CHUNK = 1 << 20


@lru_cache(maxsize=32)
def _digest(path: str, size: int, mtime_ns: int, inode: int) -> str:
    del size, mtime_ns, inode  # part of the memo's key only
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 (hex) of the bytes of ``path``, hashed once per process while unchanged."""
    stat = path.stat()
    return _digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def source_digest(paths: list[Path]) -> str:
    """One SHA-256 (hex) over several files, in the order given (a code version's sources)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(file_digest(path).encode("ascii"))
    return digest.hexdigest()
