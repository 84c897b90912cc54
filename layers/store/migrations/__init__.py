"""The store's Alembic migrations: ``env.py`` and the revision template."""
