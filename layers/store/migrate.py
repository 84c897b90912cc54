"""The store's schema brought to the newest migration; one query when it is there already.

The Alembic migrations in ``layers/store/migrations`` create and upgrade the schema.
Loading Alembic and its migration scripts costs a server start a noticeable share of its
import time, so a store opened again (every restart) is first asked for its revision:
when that is the newest one the scripts name, nothing else is done; otherwise (a new
store, an older one, one made by a newer reliefgis) Alembic upgrades it, as before.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"
#: PostgreSQL advisory lock key held while migrating (any constant unique to reliefgis).
MIGRATION_LOCK = 7_336_170_101

_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:\"([^\"]*)\"|None)", re.MULTILINE)


class UnknownSchema(Exception):
    """The store's revision is not one of these migrations (e.g. made by a newer reliefgis)."""


def head_revision() -> str:
    """The newest revision of the migration scripts: the one no other script revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised
    if len(heads) != 1:  # pragma: no cover - the migrations are one line of revisions
        raise RuntimeError(f"store migrations: expected one head revision, found {sorted(heads)}")
    return heads.pop()


def at_head(engine: Engine) -> bool:
    """Whether the store's schema is at `head_revision` (one query; False without a schema)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # no version table yet: a new store
        return False
    return [row[0] for row in found] == [head_revision()]


def upgrade(writer: Engine) -> None:
    """Upgrade the schema to the newest revision with Alembic, holding the store's write lock.

    Raises `UnknownSchema` when the store is at a revision these migrations do not know.
    """
    # start-up: Alembic and the migration scripts, only when the schema is not current
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415
    from alembic.util.exc import CommandError  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Several server processes may open one store at once: the upgrade runs while
    # holding the write lock (SQLite) or an advisory lock (PostgreSQL), so the second
    # process finds the schema current instead of racing to create it.
    try:
        with writer.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as exc:
        raise UnknownSchema(str(exc)) from exc
