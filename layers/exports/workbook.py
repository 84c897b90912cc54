"""The assessment as an Excel workbook (one sheet per table) and the county table as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from layers.export import Names
from layers.exports.rows import Table, assessment_tables, county_table

#: Widest column the workbook sets (characters); longer text wraps in Excel.
MAX_WIDTH = 60


def column_width(values: Sequence[object]) -> int:
    """The Excel width of a column holding ``values`` (CJK counts double), capped."""
    # A Chinese character takes two columns of an Excel width unit.
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values), default=4)
    return min(MAX_WIDTH, longest + 2)


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.title)
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for i, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = column_width(
            [v for v in column if v is not None]
        )


def write_xlsx(assessment: Mapping[str, Any], *, names: Names | None = None, crs: str) -> bytes:
    """Sheets 概况, 各区县, 避难场所, 物资调运, 物资缺口; numbers stay numbers."""
    book = Workbook()
    for blank in list(book.worksheets):
        book.remove(blank)
    for table in assessment_tables(assessment, names or {}, crs=crs):
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_county_csv(assessment: Mapping[str, Any], *, encoding: str = "UTF-8") -> bytes:
    """The 各区县 table as CSV: UTF-8 with a BOM (so Excel reads it right), or GBK."""
    table = county_table(assessment)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return text.getvalue().encode("utf-8-sig" if encoding == "UTF-8" else encoding.casefold())
