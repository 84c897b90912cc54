"""Alembic itself, run as an operator would: the reference the store tests compare with."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from layers.store.migrate import MIGRATIONS


def alembic_config() -> Config:
    """Alembic's configuration for the store's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgraded_by_alembic(url: str, revision: str) -> None:
    """Upgrade the database at ``url`` to ``revision`` with Alembic's own command."""
    config = alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def alembic_head() -> str:
    """The newest revision, as Alembic reads the scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
