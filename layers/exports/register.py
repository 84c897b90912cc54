"""The register (台账) as CSV and XLSX: header lines naming plan and clause, then the table.

The words come from `web.register_text`; this room only writes them. Numbers stay numbers
in the workbook; the CSV is UTF-8 with a BOM so that Excel reads the Chinese right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from layers.exports.rows import Table
from layers.exports.workbook import column_width


def register_csv(preamble: Sequence[str], table: Table) -> bytes:
    """The header lines (one cell each), a blank line, the column headings and the rows."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return text.getvalue().encode("utf-8-sig")


def register_xlsx(preamble: Sequence[str], table: Table) -> bytes:
    """One sheet: the header lines in column A, a blank row, the headings (bold), the rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = table.title
    for line in preamble:
        sheet.append([line])
    sheet.append([])
    sheet.append(list(table.headers))
    heading = len(preamble) + 2
    for cell in sheet[heading]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    sheet.freeze_panes = f"A{heading + 1}"
    for i, header in enumerate(table.headers, start=1):
        cells = [header, *(row[i - 1] for row in table.rows)]
        sheet.column_dimensions[sheet.cell(heading, i).column_letter].width = column_width(cells)
    return _saved(book)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
