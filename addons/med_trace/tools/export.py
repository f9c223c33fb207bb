"""CSV and XLSX files from header + rows (for downloadable attachments).

Text cells that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, or a tab / carriage return that some programs strip
first) are prefixed with a single quote, so that a lot name, a customer name
or an address typed by a user is shown as text and never executed (CSV/formula
injection). Numbers stay numbers.
"""

import csv
import io
import re

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet name
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def escape_formula(value):
    """``value`` as text that no spreadsheet evaluates (numbers unchanged)."""
    if value is None or value is False:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def rows_to_csv(header, rows):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([escape_formula(title) for title in header])
    for row in rows:
        writer.writerow([escape_formula(value) for value in row])
    return stream.getvalue().encode("utf-8-sig")


def rows_to_xlsx(header, rows, sheet_name="Sheet1"):
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet_name = _SHEET_NAME_FORBIDDEN.sub("-", sheet_name or "").strip("'")[:31] or "Sheet1"
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(header):
        sheet.write_string(0, col, escape_formula(title), bold)
        sheet.set_column(col, col, max(12, len(str(title)) + 2))
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value is False:
                continue
            value = escape_formula(value)
            if isinstance(value, (int, float)):
                sheet.write_number(row_index, col, value)
            else:
                sheet.write_string(row_index, col, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return stream.getvalue()
