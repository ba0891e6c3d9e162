"""Backends: where a workbook lives (a local .xlsx file, a Google spreadsheet)."""
