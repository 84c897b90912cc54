"""A new SQLite store copied from the template is the store Alembic's migrations make.

The reference is Alembic itself: ``command.upgrade(config, "head")`` run on an empty
file, as an operator would. The copy must hold the same tables, indexes and triggers
(``sqlite_master``), the same revision and the same journal mode; it must refuse what
the migrated store refuses; a fresh interpreter must open it without importing Alembic;
and a store already there is never replaced.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic_runs import upgraded_by_alembic
from processes import python_output

from layers.store.store import Store, sqlite_url
from layers.store.template import template_path

OPEN_NEW = """
import sys
from pathlib import Path
from layers.store.store import Store
store = Store(sys.argv[1], template_dir=Path(sys.argv[2]))
print(store.assessment_ids(), "alembic" in sys.modules)
"""


def _migrated_by_alembic(folder: Path) -> Path:
    upgraded_by_alembic(sqlite_url(folder), "head")
    return folder / "reliefgis.sqlite"


def _schema(path: Path) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    with sqlite3.connect(path) as connection:
        objects = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        revision = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    connection.close()
    return objects, revision


def _journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()


def test_a_store_from_the_template_is_the_one_alembic_makes(tmp_path):
    cache = tmp_path / "cache"
    first = Store(sqlite_url(tmp_path / "first"), template_dir=cache)  # builds the template
    first.engine.dispose()
    assert template_path(cache).is_file()
    copied = Store(sqlite_url(tmp_path / "second"), template_dir=cache)
    copied.engine.dispose()
    reference = _migrated_by_alembic(tmp_path / "reference")
    objects, revision = _schema(reference)
    assert any(kind == "trigger" for kind, *_ in objects)  # the rows-are-final triggers
    for store in ("first", "second"):
        path = tmp_path / store / "reliefgis.sqlite"
        assert _schema(path) == (objects, revision)
        assert _journal_mode(path) == "wal"


def test_a_store_from_the_template_refuses_updates_and_is_opened_without_alembic(tmp_path):
    cache = tmp_path / "cache"
    Store(sqlite_url(tmp_path / "first"), template_dir=cache).engine.dispose()
    url = sqlite_url(tmp_path / "second")
    assert python_output(OPEN_NEW, url, str(cache)) == "[] False"
    connection = sqlite3.connect(tmp_path / "second" / "reliefgis.sqlite")
    try:
        connection.execute(
            "INSERT INTO assessments VALUES ('a', '2026-01-01', 'p', 's', 'flood', "
            "'0', NULL, 'POINT (1 1)', '{}', '{\"id\": \"a\"}')"
        )
        connection.commit()
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("UPDATE assessments SET plan = 'q'")
    finally:
        connection.close()


def test_a_store_already_there_is_kept(tmp_path):
    cache = tmp_path / "cache"
    url = sqlite_url(tmp_path / "state")
    Store(url, template_dir=cache).engine.dispose()
    path = tmp_path / "state" / "reliefgis.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO assessments VALUES ('kept', '2026-01-01', 'p', 's', 'flood', "
            "'0', NULL, 'POINT (1 1)', '{}', '{\"id\": \"kept\"}')"
        )
    connection.close()
    assert Store(url, template_dir=cache).assessment_ids() == ["kept"]


def test_without_a_usable_cache_folder_the_migrations_make_the_store(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    store = Store(sqlite_url(tmp_path / "state"), template_dir=blocked)
    assert store.assessment_ids() == []
    store.engine.dispose()
    reference = _migrated_by_alembic(tmp_path / "reference")
    assert _schema(tmp_path / "state" / "reliefgis.sqlite") == _schema(reference)
