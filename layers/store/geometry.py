"""A geometry column that is a PostGIS geometry on PostgreSQL and WKT text on SQLite."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

SRID = 4326


class PostGISGeometry(UserDefinedType[Any]):
    """``geometry(Geometry, 4326)``: PostGIS reads EWKT text in and gives hex EWKB out."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        """The column's SQL type."""
        return f"geometry(Geometry,{SRID})"


class GeometryColumn(TypeDecorator[BaseGeometry]):
    """Shapely geometries in EPSG:4326, stored natively in PostGIS, as WKT elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """PostGIS ``geometry`` on PostgreSQL, text elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> str | None:
        """Shapely to EWKT (PostGIS) or WKT (text)."""
        if value is None:
            return None
        text = shapely.to_wkt(value, rounding_precision=-1)
        return f"SRID={SRID};{text}" if dialect.name == "postgresql" else text

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        """PostGIS hex EWKB or WKT text back to shapely."""
        if value is None:
            return None
        geom: BaseGeometry = (
            shapely.from_wkb(value) if dialect.name == "postgresql" else shapely.from_wkt(value)
        )
        return geom
