"""A store at the newest revision is opened with one query; others are upgraded by Alembic.

The newest revision is checked against Alembic's own reading of the scripts; that no
migration ran is seen in a fresh interpreter, which must open the store and use it
without having imported Alembic at all.
"""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from alembic_runs import alembic_head
from postgres import fresh_database
from processes import python_output
from sqlalchemy import create_engine, text

from layers.store.migrate import at_head, head_revision
from layers.store.store import Store, sqlite_url

OPEN_AND_USE = """
import sys
from layers.store.store import Store
store = Store(sys.argv[1])
print(store.assessment_ids(), "alembic" in sys.modules)
"""


def test_the_newest_revision_is_alembics_head():
    assert head_revision() == alembic_head()


@pytest.fixture(params=["sqlite", "postgis"])
def store_url(request, tmp_path):
    url = sqlite_url(tmp_path / "state") if request.param == "sqlite" else None
    with fresh_database() if url is None else nullcontext(url) as found:
        yield found


def test_a_store_at_the_newest_revision_is_opened_without_alembic(store_url):
    assert not at_head(create_engine(store_url))  # nothing there yet
    assert python_output(OPEN_AND_USE, store_url) == "[] True"  # created by the migrations
    assert at_head(create_engine(store_url))
    assert python_output(OPEN_AND_USE, store_url) == "[] False"  # opened again: one query


def test_a_store_at_an_older_revision_is_not_taken_for_current(store_url):
    Store(store_url).engine.dispose()
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    assert not at_head(engine)
    engine.dispose()
