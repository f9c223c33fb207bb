"""CSV and XLSX files from header + rows (for downloadable attachments)."""

import csv
import io

import xlsxwriter


def rows_to_csv(header, rows):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None or value is False else value for value in row])
    return stream.getvalue().encode("utf-8-sig")


def rows_to_xlsx(header, rows, sheet_name="Sheet1"):
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(header):
        sheet.write(0, col, title, bold)
        sheet.set_column(col, col, max(12, len(str(title)) + 2))
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value is False:
                continue
            if isinstance(value, (int, float)):
                sheet.write_number(row_index, col, value)
            else:
                sheet.write_string(row_index, col, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return stream.getvalue()
