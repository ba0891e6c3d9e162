"""The parsing stage: what a cell means as a number, a date, a confidence or a milestone, per locale.

Pure functions, no I/O. Scalar forms (`cell`) read one cell; the vectorised forms (`columns`) read a
whole column, taking a fast path for cells already held as numbers or dates and parsing each distinct text once.
Beside them, `settings` and `workbook` read a snapshot's tabs into the settings and tables the stages work on,
and `rowkey` is a row's key as the sync read it.
"""

from __future__ import annotations

from .cell import Number, cell_text, is_blank, parse_confidence, parse_date, parse_milestone, parse_number
from .columns import blanks, cell_texts, parse_confidences, parse_dates, parse_milestones, parse_numbers
from .numbers import locales_for

__all__ = [
    "Number", "blanks", "cell_text", "cell_texts", "is_blank", "locales_for", "parse_confidence",
    "parse_confidences", "parse_date", "parse_dates", "parse_milestone", "parse_milestones", "parse_number",
    "parse_numbers",
]  # fmt: skip
