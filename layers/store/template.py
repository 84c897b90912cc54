"""A new SQLite store made as a copy of an empty store the migrations built once.

Creating a store runs every Alembic migration: importing Alembic and its scripts and
running them takes a server's start a few tenths of a second of CPU, on every start with
a new state folder (tests, benchmarks, a fresh install). Instead the first start builds an
empty store with those same migrations into the cache folder (`template_path`, named by a
key) and every later new store is a byte copy of it, already at the newest revision, so
the store is opened with its one revision query and Alembic is never imported.

The key is a SHA-256 of the migration scripts and the versions of Alembic, SQLAlchemy and
SQLite: any change names another template. A template is written to a temporary name and
renamed into place, and a store is copied next to its path and linked there only when no
store is there yet, so processes starting at once never see half a file; a template or a
copy that cannot be made only costs the migrations, run on the new store as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import sqlalchemy

from layers.digests import source_digest
from layers.store.migrate import MIGRATIONS

#: Bumped when the way templates are made changes.
TEMPLATE_LAYOUT = 1


def template_key() -> str:
    """The key of the template: the migration scripts, Alembic, SQLAlchemy and SQLite."""
    scripts = sorted(MIGRATIONS.rglob("*.py"))
    try:
        alembic = metadata.version("alembic")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of reliefgis
        alembic = "unknown"
    digest = hashlib.sha256(
        f"reliefgis store template {TEMPLATE_LAYOUT}\0{alembic}\0{sqlalchemy.__version__}\0"
        f"{sqlite3.sqlite_version}\0".encode()
    )
    digest.update(source_digest(scripts).encode("ascii"))
    return digest.hexdigest()


def template_path(folder: Path) -> Path:
    """Where the template for these migrations lives in ``folder``."""
    return folder / f"store-{template_key()[:32]}.sqlite"


def _build(template: Path, create: Callable[[str], None]) -> None:
    """Make the template: ``create(url)`` migrates a new file; renamed into place when whole."""
    template.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=template.parent, prefix=".store-") as work:
        built = Path(work) / "store.sqlite"
        create(f"sqlite:///{built}")
        if any(built.with_name(built.name + end).exists() for end in ("-wal", "-journal")):
            return  # not checkpointed into the one file: no template this time
        os.replace(built, template)


def copy_template(store: Path, folder: Path, create: Callable[[str], None]) -> bool:
    """Put a copy of the template at ``store`` when nothing is there; whether one was put.

    ``create(url)`` builds an empty store at ``url`` with the migrations (and closes it):
    run once, for the template, when ``folder`` holds none yet.
    """
    if store.exists():
        return False
    template = template_path(folder)
    try:
        if not template.exists():
            _build(template, create)
        with tempfile.NamedTemporaryFile(dir=store.parent, prefix=".store-") as copy:
            with template.open("rb") as source:
                shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first
                os.link(copy.name, store)
                return True
    except OSError:
        return False  # the migrations create it, as without a template
    return False
