"""What a person does in the sheet (type values, insert/delete/sort rows) and what a test inspects.

These helpers act on the fake's state directly: they are not API calls and are not counted. Row
numbers are 1-based sheet rows, as a person sees them.
"""

from __future__ import annotations

import copy
from typing import Any

from . import a1, batch_grid, values
from .state import Sheet, Spreadsheet


class PersonActions:
    """Mixin for FakeGoogle: set-up, direct edits and read-outs of its `books`."""

    books: dict[str, Spreadsheet]

    def new_file_id(self) -> str:  # provided by FakeGoogle
        raise NotImplementedError

    def owner_permission(self) -> dict[str, Any]:  # provided by FakeGoogle
        raise NotImplementedError

    def new_spreadsheet(
        self,
        title: str = "OKR",
        locale: str = "fr_CA",
        sheets: list[Any] | None = None,
        *,
        time_zone: str = "America/Toronto",
        private: bool = False,
        spreadsheet_id: str | None = None,
    ) -> str:
        """Create a spreadsheet directly (no call counted); `sheets` are titles or SheetProperties dicts."""
        book_id = spreadsheet_id or self.new_file_id()
        properties = {"title": title, "locale": locale, "autoRecalc": "ON_CHANGE", "timeZone": time_zone}
        book = Spreadsheet(book_id, properties, private=private)
        default_title = "Feuille 1" if locale.startswith("fr") else "Sheet1"
        for i, entry in enumerate(sheets or [default_title]):
            props = copy.deepcopy(entry) if isinstance(entry, dict) else {"title": entry}
            props.setdefault("sheetId", 0 if i == 0 else book.new_id())
            props.setdefault("title", default_title if i == 0 else f"Sheet{i + 1}")
            props["index"] = i
            props.setdefault("sheetType", "GRID")
            grid = props.setdefault("gridProperties", {})
            grid.setdefault("rowCount", 1000)
            grid.setdefault("columnCount", 26)
            book.sheets.append(Sheet(props))
        book.permissions.append(self.owner_permission())
        self.books[book_id] = book
        return book_id

    def book(self, spreadsheet_id: str) -> Spreadsheet:
        """The state of one spreadsheet (KeyError if unknown)."""
        return self.books[spreadsheet_id]

    def make_private(self, spreadsheet_id: str) -> None:
        """From now on the caller gets 403 PERMISSION_DENIED (Sheets) / 404 (Drive) on this spreadsheet."""
        self.books[spreadsheet_id].private = True

    def sheet(self, spreadsheet_id: str, title: str) -> Sheet:
        """The Sheet state (cells, conditional_formats, protected_ranges, charts, merges, row_props…)."""
        found = self.books[spreadsheet_id].sheet_by_title(title)
        if found is None:
            raise KeyError(f"no sheet {title!r} in {spreadsheet_id}")
        return found

    # -- a person typing and moving rows -------------------------------------------------------------
    def set_values(
        self,
        spreadsheet_id: str,
        a1_range: str,
        rows: list[list[Any]],
        user_entered: bool = True,
    ) -> None:
        """Type `rows` from the top-left of `a1_range` (USER_ENTERED parsing in the sheet's locale)."""
        book = self.books[spreadsheet_id]
        sheet, r0, _, c0, _ = book.resolve(a1_range)
        values.write(book, sheet, None, r0, c0, rows, user_entered)

    def insert_rows(self, spreadsheet_id: str, sheet_title: str, at_row: int, n: int = 1) -> None:
        """Insert n empty rows so that they become rows at_row…; rows below move down with their metadata."""
        book = self.books[spreadsheet_id]
        sheet = self.sheet(spreadsheet_id, sheet_title)
        batch_grid.insert_dimension(
            book,
            {
                "range": {
                    "sheetId": sheet.sheet_id,
                    "dimension": "ROWS",
                    "startIndex": at_row - 1,
                    "endIndex": at_row - 1 + n,
                },
                "inheritFromBefore": at_row > 1,
            },
        )

    def delete_rows(self, spreadsheet_id: str, sheet_title: str, at_row: int, n: int = 1) -> None:
        """Delete rows at_row…at_row+n-1; their developer metadata goes with them."""
        book = self.books[spreadsheet_id]
        sheet = self.sheet(spreadsheet_id, sheet_title)
        batch_grid.delete_dimension(
            book,
            {
                "range": {
                    "sheetId": sheet.sheet_id,
                    "dimension": "ROWS",
                    "startIndex": at_row - 1,
                    "endIndex": at_row - 1 + n,
                }
            },
        )

    def sort_rows(
        self,
        spreadsheet_id: str,
        sheet_title: str,
        column: str | int,
        first_row: int = 2,
        last_row: int | None = None,
        descending: bool = False,
    ) -> None:
        """Sort whole rows first_row…last_row by a column (letter or 0-based index), as Data › Sort range."""
        book = self.books[spreadsheet_id]
        sheet = self.sheet(spreadsheet_id, sheet_title)
        col = a1.col_index(column) if isinstance(column, str) else column
        rng = {
            "sheetId": sheet.sheet_id,
            "startRowIndex": first_row - 1,
            "endRowIndex": last_row if last_row is not None else sheet.row_count,
        }
        spec = {"dimensionIndex": col, "sortOrder": "DESCENDING" if descending else "ASCENDING"}
        batch_grid.sort_range(book, {"range": rng, "sortSpecs": [spec]})

    # -- read-outs for asserts --------------------------------------------------------------------------
    def values(
        self, spreadsheet_id: str, sheet_title: str, render: str = "UNFORMATTED_VALUE"
    ) -> list[list[Any]]:
        """The tab's values (trimmed like values.get; dates as serials unless render is FORMATTED_VALUE)."""
        book = self.books[spreadsheet_id]
        sheet = self.sheet(spreadsheet_id, sheet_title)
        read = values.read(
            book,
            sheet,
            (0, sheet.row_count, 0, sheet.col_count),
            {"valueRenderOption": render, "dateTimeRenderOption": "SERIAL_NUMBER"},
        )
        return list(read.get("values", []))

    def cell(self, spreadsheet_id: str, a1_cell: str) -> dict[str, Any]:
        """The stored CellData of one cell (`{}` when empty), e.g. fake.cell(id, "'OKR'!K2")."""
        book = self.books[spreadsheet_id]
        sheet, row, _, col, _ = book.resolve(a1_cell)
        return copy.deepcopy(sheet.cells.get((row, col), {}))

    def _by_cell(self, spreadsheet_id: str, sheet_title: str, key: str) -> dict[str, Any]:
        sheet = self.sheet(spreadsheet_id, sheet_title)
        return {
            f"{a1.col_letters(c)}{r + 1}": copy.deepcopy(cell[key])
            for (r, c), cell in sorted(sheet.cells.items())
            if key in cell
        }

    def formats(self, spreadsheet_id: str, sheet_title: str) -> dict[str, Any]:
        """userEnteredFormat by cell name ("A1" → {...}) for cells that have one."""
        return self._by_cell(spreadsheet_id, sheet_title, "userEnteredFormat")

    def validations(self, spreadsheet_id: str, sheet_title: str) -> dict[str, Any]:
        """dataValidation rules by cell name."""
        return self._by_cell(spreadsheet_id, sheet_title, "dataValidation")

    def protections(self, spreadsheet_id: str, sheet_title: str) -> list[dict[str, Any]]:
        """The tab's protected ranges as stored."""
        return copy.deepcopy(self.sheet(spreadsheet_id, sheet_title).protected_ranges)

    def conditional_formats(self, spreadsheet_id: str, sheet_title: str) -> list[dict[str, Any]]:
        """The tab's conditional format rules, in order."""
        return copy.deepcopy(self.sheet(spreadsheet_id, sheet_title).conditional_formats)

    def charts(self, spreadsheet_id: str, sheet_title: str) -> list[dict[str, Any]]:
        """The charts anchored on the tab."""
        return copy.deepcopy(self.sheet(spreadsheet_id, sheet_title).charts)

    def developer_metadata(self, spreadsheet_id: str, key: str | None = None) -> list[dict[str, Any]]:
        """All developer metadata (optionally one key), with their current locations."""
        found = self.books[spreadsheet_id].metadata.values()
        return [copy.deepcopy(m) for m in found if key is None or m.get("metadataKey") == key]

    def metadata_rows(self, spreadsheet_id: str, sheet_title: str, key: str) -> dict[str, int]:
        """metadataValue → 1-based row for row-located metadata with this key on a tab."""
        sheet = self.sheet(spreadsheet_id, sheet_title)
        rows = {}
        for meta in self.developer_metadata(spreadsheet_id, key):
            dim = meta["location"].get("dimensionRange")
            if dim and dim["dimension"] == "ROWS" and dim["sheetId"] == sheet.sheet_id:
                rows[str(meta.get("metadataValue", ""))] = dim["startIndex"] + 1
        return rows

    def permissions(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Drive permissions of the file (the owner first)."""
        return copy.deepcopy(self.books[spreadsheet_id].permissions)
