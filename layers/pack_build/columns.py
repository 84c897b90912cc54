"""A source layer's columns made the pack's: renamed, values mapped, values typed.

Each pack column takes the kind CONTRACT §2 gives it (`layers.pack.SPEC_BY_NAME`), an
extra column the kind the sources file's ``types`` gives it. A cell that cannot take its
kind (``"六千"`` in ``capacity``) refuses the source with one `LayerError` naming the file,
the layer, the row and the column; what is merely out of place (an unknown ``kind``) is
kept and left to the validation report.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.errors import LayerError
from layers.pack import SPEC_BY_NAME
from layers.pack_build.sources import LayerSource

_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "单向"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "双向"})
RowLabel = Callable[[int], str]


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value == ""


def _as_text(value: object) -> object:
    if _empty(value):
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]


def _as_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


_EXPECTED = {"int": "a whole number", "number": "a number", "bool": "true or false"}


def _typed(series: pd.Series, kind: str, refuse: Callable[[int, object], LayerError]) -> pd.Series:
    """The column converted to ``kind``; the first cell that cannot be refuses the source."""
    base = kind.rstrip("?")
    if base == "text":
        return series.map(_as_text).astype("string")
    convert = _as_bool if base == "bool" else _as_number
    out: list[object] = []
    for i, value in enumerate(series.tolist()):
        if _empty(value):
            out.append(None)
            continue
        try:
            out.append(convert(value))
        except (TypeError, ValueError):
            raise refuse(i, value) from None
    result = pd.Series(out, index=series.index, dtype=object)
    if base == "bool":
        return result.astype("boolean")
    numbers = result.astype(float)
    whole = numbers.dropna()
    if base == "int" and bool((whole == np.round(whole)).all()):
        return numbers.astype("Int64")
    return numbers


def pack_columns(frame: pd.DataFrame, source: LayerSource, row: RowLabel) -> pd.DataFrame:
    """Rename, map values and type the columns of one source layer for the pack."""
    missing = sorted(set(source.rename) - set(frame.columns))
    if missing:
        raise LayerError(
            f"{source.where()}: rename names columns {missing} that the file does not have "
            f"(it has {[c for c in frame.columns if c != 'geometry']})"
        )
    frame = frame.rename(columns=dict(source.rename))
    for column, table in source.values.items():
        if column not in frame.columns:
            raise LayerError(f"{source.where()}: values names column {column!r}, not in the layer")
        frame[column] = frame[column].map(lambda v, t=table: t.get(str(_as_text(v)), v))
    spec = SPEC_BY_NAME.get(source.name)
    kinds: dict[str, str] = {}
    if spec is not None:
        kinds.update(spec.required)
        kinds.update(spec.optional)
    kinds.update(source.types)
    for column, kind in kinds.items():
        if column not in frame.columns:
            continue

        def refuse(i: int, value: object, column: str = column, kind: str = kind) -> LayerError:
            expected = _EXPECTED[kind.rstrip("?")]
            return LayerError(
                f"{source.where()}, {row(i)}, column {column!r}: {value!r} is not {expected}"
            )

        frame[column] = _typed(frame[column], kind, refuse)
    return frame


def object_columns_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed Python objects written as text (GeoPackage fields hold one type)."""
    for column in frame.columns:
        if column != "geometry" and frame[column].dtype == object:
            frame[column] = frame[column].map(_as_text).astype("string")
    return frame
