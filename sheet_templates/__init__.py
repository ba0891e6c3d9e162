"""The workbook templates and the message catalogue, as data shipped with the package."""
