"""The incident and assessment store: SQLite or PostGIS through SQLAlchemy, with migrations."""
