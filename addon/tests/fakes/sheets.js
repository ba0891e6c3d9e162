'use strict';
// A small in-memory SpreadsheetApp: spreadsheets, sheets and ranges holding values and number formats, with
// the behaviour of Apps Script that the add-on relies on (1-based rows and columns, getDataRange from A1,
// setValues parsing strings as a person's typing unless they start with an apostrophe, dimension checks).
// Every call to a Range or Sheet method is counted on the spreadsheet, so tests can assert call counts.

const DAY_MS = 86400000;
const EPOCH_MS = Date.UTC(1899, 11, 30);

function colLetters(col) {
  let out = '';
  while (col > 0) {
    const rem = (col - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    col = Math.floor((col - 1) / 26);
  }
  return out;
}

function colNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * `'Tab'!B2:C3`, `B2:C3`, `B2`, `B2:C`, `B:B`, `2:2` → {tab, row, col, numRows, numCols, openRows, openCols, fromTop}.
 * As in Apps Script, a range without an end row (`B2:C`, `B:B`) runs to the sheet's last row, whatever that is
 * when it is used (openRows; fromTop when it has no first row either); likewise columns.
 */
function parseA1(a1, maxRows, maxCols) {
  let tab = null;
  let rest = a1;
  const bang = a1.lastIndexOf('!');
  if (bang >= 0) {
    tab = a1.slice(0, bang);
    if (tab.startsWith("'")) tab = tab.slice(1, -1).replace(/''/g, "'");
    rest = a1.slice(bang + 1);
  }
  const parts = rest.split(':');
  const cell = (text) => {
    const m = /^\$?([A-Za-z]*)\$?(\d*)$/.exec(text);
    if (!m) throw new Error('Range not found: ' + a1);
    return { col: m[1] ? colNumber(m[1]) : null, row: m[2] ? Number(m[2]) : null };
  };
  const a = cell(parts[0]);
  const b = parts.length > 1 ? cell(parts[1]) : a;
  const row = a.row || 1;
  const col = a.col || 1;
  const lastRow = b.row || maxRows;
  const lastCol = b.col || maxCols;
  return { tab, row, col, numRows: lastRow - row + 1, numCols: lastCol - col + 1, openRows: !b.row, openCols: !b.col,
    fromTop: !a.row, fromLeft: !a.col };
}

/** What typing `text` into a cell stores, as far as the add-on's tests need: numbers, booleans, formulas. */
function typed(text) {
  if (text.startsWith("'")) return { value: text.slice(1) };
  if (text.startsWith('=')) return { value: '#FORMULA', formula: text };
  const t = text.trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) return { value: Number(t) };
  if (/^[-+]?\d+(\.\d+)?%$/.test(t)) return { value: Number(t.slice(0, -1)) / 100, format: '0%' };
  if (/^(true|false)$/i.test(t)) return { value: t.toLowerCase() === 'true' };
  return { value: text };
}

/** The offset (ms) of `zone` from UTC at instant `ms`. */
function zoneOffset(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - ms;
}

/** Midnight of a calendar day in `zone`, as Apps Script returns a date cell's value. */
function zonedMidnight(year, month, day, zone) {
  const guess = Date.UTC(year, month - 1, day);
  return new Date(guess - zoneOffset(guess - zoneOffset(guess, zone), zone));
}

/** The Date that a date serial in a cell reads back as, in the spreadsheet's time zone. */
function dateOfSerial(serial, zone) {
  const day = new Date(EPOCH_MS + Math.floor(serial) * DAY_MS);
  return zonedMidnight(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), zone);
}

/** The calendar day (`YYYY-MM-DD`) of an instant in `zone`. */
function dayIn(date, zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function isDateFormat(pattern) {
  const bare = String(pattern || '').replace(/"[^"]*"/g, '');
  return /[dy]/i.test(bare) && !bare.includes('%');
}

class FakeRange {
  /** `open` (from parseA1): an end left open follows the sheet's size, as `getRange('A2:I')` does in Apps Script. */
  constructor(sheet, row, col, numRows, numCols, open) {
    if (row < 1 || col < 1 || numRows < 1 || numCols < 1) throw new Error('The coordinates of the range are outside the dimensions of the sheet.');
    this.sheet = sheet;
    this.row = row;
    this.col = col;
    this.open = open && (open.openRows || open.openCols) ? { rows: !!open.openRows, cols: !!open.openCols,
      fromTop: !!open.fromTop, fromLeft: !!open.fromLeft } : null;
    this.numRows = numRows;
    this.numCols = numCols;
  }
  /** A range with the same coordinates (what a sheet keeps of a range it is given: later moves are its own). */
  _clone() {
    const o = this.open;
    return new FakeRange(this.sheet, this.row, this.col, this._numRows, this._numCols,
      o && { openRows: o.rows, openCols: o.cols, fromTop: o.fromTop, fromLeft: o.fromLeft });
  }
  /**
   * Follows rows `from` and below moving by `by`, as Sheets moves what covers them (dropdowns, colour rules,
   * protections, charts): a range below moves, one across stretches (rows inserted inside it) or shrinks.
   */
  _shift(from, by) {
    const last = this.getLastRow();
    const open = this.open && this.open.rows;
    if (by > 0) {
      if (this.row >= from) this.row += by;
      else if (!open && last >= from) this._numRows += by;
      return;
    }
    const [d0, d1] = [from + by, from - 1]; // the rows deleted
    const to = (r, end) => (r < d0 ? r : r > d1 ? r + by : end ? d0 - 1 : d0);
    const first = to(this.row, false);
    if (!open) this._numRows = Math.max(1, to(last, true) - first + 1);
    this.row = first;
  }
  get numRows() { return this.open && this.open.rows ? this.sheet.maxRows - this.row + 1 : this._numRows; }
  set numRows(n) { this._numRows = n; }
  get numCols() { return this.open && this.open.cols ? this.sheet.maxCols - this.col + 1 : this._numCols; }
  set numCols(n) { this._numCols = n; }
  _count(name) { this.sheet.spreadsheet._count('Range.' + name); }
  getSheet() { return this.sheet; }
  getRow() { return this.row; }
  getColumn() { return this.col; }
  getNumRows() { return this.numRows; }
  getNumColumns() { return this.numCols; }
  getLastRow() { return this.row + this.numRows - 1; }
  getLastColumn() { return this.col + this.numCols - 1; }
  getA1Notation() {
    if (this.open) {
      // An open end stays open: `A2:I`, `A:A`, `2:2`.
      const o = this.open;
      const first = (o.fromLeft ? '' : colLetters(this.col)) + (o.fromTop ? '' : this.row);
      return first + ':' + (o.cols ? '' : colLetters(this.getLastColumn())) + (o.rows ? '' : this.getLastRow());
    }
    const first = colLetters(this.col) + this.row;
    if (this.numRows === 1 && this.numCols === 1) return first;
    return first + ':' + colLetters(this.getLastColumn()) + this.getLastRow();
  }
  _each(fn) {
    const out = [];
    for (let r = 0; r < this.numRows; r++) {
      const line = [];
      for (let c = 0; c < this.numCols; c++) line.push(fn(this.row + r, this.col + c));
      out.push(line);
    }
    return out;
  }
  getValues() {
    this._count('getValues');
    return this._each((r, c) => this.sheet._value(r, c));
  }
  getValue() {
    this._count('getValue');
    return this.sheet._value(this.row, this.col);
  }
  getDisplayValues() {
    this._count('getDisplayValues');
    return this._each((r, c) => String(this.sheet._value(r, c)));
  }
  getNumberFormats() {
    this._count('getNumberFormats');
    return this._each((r, c) => this.sheet._cell(r, c).format || '');
  }
  getNumberFormat() {
    this._count('getNumberFormat');
    return this.sheet._cell(this.row, this.col).format || '';
  }
  _checkShape(grid, what) {
    if (!Array.isArray(grid) || grid.length !== this.numRows || grid.some((line) => !Array.isArray(line) || line.length !== this.numCols)) {
      const rows = Array.isArray(grid) ? grid.length : 0;
      const cols = rows && Array.isArray(grid[0]) ? grid[0].length : 0;
      throw new Error(`The number of rows or columns in the ${what} does not match the range (${rows}x${cols} for ${this.numRows}x${this.numCols}).`);
    }
  }
  setValues(grid) {
    this._count('setValues');
    this._checkShape(grid, 'data');
    grid.forEach((line, r) => line.forEach((v, c) => this.sheet._set(this.row + r, this.col + c, v)));
    return this;
  }
  setValue(value) {
    this._count('setValue');
    this.sheet._set(this.row, this.col, value);
    return this;
  }
  clearContent() {
    this._count('clearContent');
    this._each((r, c) => this.sheet._set(r, c, ''));
    return this;
  }
  setNumberFormat(pattern) {
    this._count('setNumberFormat');
    this._each((r, c) => { this.sheet._cellForWrite(r, c).format = pattern; });
    return this;
  }
  setNumberFormats(grid) {
    this._count('setNumberFormats');
    this._checkShape(grid, 'formats');
    grid.forEach((line, r) => line.forEach((p, c) => { this.sheet._cellForWrite(this.row + r, this.col + c).format = p; }));
    return this;
  }
  activate() {
    this._count('activate');
    this.sheet.spreadsheet.active = { sheet: this.sheet.name, a1: this.getA1Notation() };
    this.sheet.spreadsheet.activeSheet = this.sheet;
    return this;
  }
}

class FakeSheet {
  constructor(spreadsheet, name, id) {
    this.spreadsheet = spreadsheet;
    this.name = name;
    this.id = id;
    this.cells = new Map();
    this.maxRows = 1000;
    this.maxCols = 26;
    this.frozenRows = 0;
    this.hidden = false;
    this.tabColor = null;
  }
  _count(name) { this.spreadsheet._count('Sheet.' + name); }
  _key(r, c) { return r + ',' + c; }
  _cell(r, c) { return this.cells.get(this._key(r, c)) || {}; }
  _cellForWrite(r, c) {
    if (r > this.maxRows || c > this.maxCols) throw new Error(`Cell ${colLetters(c)}${r} is outside the sheet ${this.name} (${this.maxRows}x${this.maxCols}).`);
    const key = this._key(r, c);
    if (!this.cells.has(key)) this.cells.set(key, {});
    return this.cells.get(key);
  }
  _value(r, c) {
    const v = this._cell(r, c).value;
    if (v === undefined || v === null) return '';
    if (v instanceof Date) return new Date(v.getTime());
    return v;
  }
  /** What setValue(s) stores: strings typed as a person would, numbers in date-formatted cells stay numbers. */
  _set(r, c, value) {
    const cell = this._cellForWrite(r, c);
    delete cell.formula;
    if (value === null || value === undefined || value === '') {
      delete cell.value;
      return;
    }
    if (typeof value === 'string') {
      const t = typed(value);
      cell.value = t.value;
      if (t.formula) cell.formula = t.formula;
      if (t.format && !cell.format) cell.format = t.format;
      return;
    }
    if (typeof value === 'number' && isDateFormat(cell.format)) {
      // A serial in a date-formatted cell shows (and reads back) as that day.
      cell.value = dateOfSerial(value, this.spreadsheet.timeZone);
      return;
    }
    cell.value = value instanceof Date ? new Date(value.getTime()) : value;
  }
  /** A person (or a test) typing: puts raw values without the add-on's write path. */
  put(row, col, grid) {
    grid.forEach((line, r) => line.forEach((v, c) => {
      const cell = this._cellForWrite(row + r, col + c);
      if (v === null || v === undefined || v === '') delete cell.value;
      else cell.value = v;
    }));
    return this;
  }
  /** The whole used area as plain values ('' for empty), for assertions. */
  dump() {
    return new FakeRange(this, 1, 1, Math.max(this._lastRow(), 1), Math.max(this._lastCol(), 1))._each((r, c) => this._value(r, c));
  }
  _lastRow() {
    let last = 0;
    for (const [key, cell] of this.cells) if (cell.value !== undefined && cell.value !== '') last = Math.max(last, Number(key.split(',')[0]));
    return last;
  }
  _lastCol() {
    let last = 0;
    for (const [key, cell] of this.cells) if (cell.value !== undefined && cell.value !== '') last = Math.max(last, Number(key.split(',')[1]));
    return last;
  }
  getName() { return this.name; }
  setName(name) { this._count('setName'); this.name = name; return this; }
  getSheetId() { return this.id; }
  getParent() { return this.spreadsheet; }
  getIndex() { return this.spreadsheet.sheets.indexOf(this) + 1; }
  getRange(a, b, c, d) {
    this._count('getRange');
    if (typeof a === 'string') {
      const p = parseA1(a, this.maxRows, this.maxCols);
      return new FakeRange(this, p.row, p.col, p.numRows, p.numCols, p);
    }
    return new FakeRange(this, a, b, c || 1, d || 1);
  }
  getDataRange() {
    this._count('getDataRange');
    return new FakeRange(this, 1, 1, Math.max(this._lastRow(), 1), Math.max(this._lastCol(), 1));
  }
  getLastRow() { this._count('getLastRow'); return this._lastRow(); }
  getLastColumn() { this._count('getLastColumn'); return this._lastCol(); }
  getMaxRows() { return this.maxRows; }
  getMaxColumns() { return this.maxCols; }
  _shiftRows(from, by) {
    // Rows at or below `from` move down by `by` (negative: up, over the rows deleted just above `from`).
    const moved = new Map();
    for (const [key, cell] of this.cells) {
      const [r, c] = key.split(',').map(Number);
      if (r < from) moved.set(key, cell);
      else if (r + by >= 1) moved.set(this._key(r + by, c), cell);
    }
    this.cells = moved;
    if (this._shiftRanges) this._shiftRanges(from, by);
  }
  // New rows are blank: Apps Script's reference does not say they inherit anything, so the add-on must not rely on it.
  insertRowsBefore(row, count) { this._count('insertRowsBefore'); this._rowsInBounds(row, count); this._shiftRows(row, count); this.maxRows += count; return this; }
  insertRowsAfter(row, count) { this._count('insertRowsAfter'); this._rowsInBounds(row, count); this._shiftRows(row + 1, count); this.maxRows += count; return this; }
  _rowsInBounds(row, count) {
    if (!(row >= 1 && row <= this.maxRows && count >= 1)) throw new Error('Those rows are out of bounds.');
  }
  insertRowBefore(row) { return this.insertRowsBefore(row, 1); }
  insertColumnsAfter(col, count) { this._count('insertColumnsAfter'); this.maxCols += count; return this; }
  deleteRows(row, count) {
    this._count('deleteRows');
    for (let r = row; r < row + count; r++) for (let c = 1; c <= this.maxCols; c++) this.cells.delete(this._key(r, c));
    this._shiftRows(row + count, -count);
    this.maxRows -= count;
    return this;
  }
  deleteRow(row) { return this.deleteRows(row, 1); }
  /** A person's sort of rows `first`..`last` by a column: whole rows move, as in Sheets. */
  sortRows(first, last, col, ascending = true) {
    const rows = [];
    for (let r = first; r <= last; r++) {
      const line = new Map();
      for (let c = 1; c <= this.maxCols; c++) {
        const cell = this.cells.get(this._key(r, c));
        if (cell) line.set(c, cell);
      }
      rows.push(line);
    }
    const key = (line) => { const v = (line.get(col) || {}).value; return v instanceof Date ? v.getTime() : v === undefined ? '' : v; };
    rows.sort((x, y) => { const a = key(x); const b = key(y); const o = a < b ? -1 : a > b ? 1 : 0; return ascending ? o : -o; });
    for (let r = first; r <= last; r++) for (let c = 1; c <= this.maxCols; c++) this.cells.delete(this._key(r, c));
    rows.forEach((line, i) => line.forEach((cell, c) => this.cells.set(this._key(first + i, c), cell)));
    return this;
  }
  setFrozenRows(n) { this._count('setFrozenRows'); this.frozenRows = n; return this; }
  getFrozenRows() { return this.frozenRows; }
  hideSheet() { this._count('hideSheet'); this.hidden = true; return this; }
  showSheet() { this._count('showSheet'); this.hidden = false; return this; }
  isSheetHidden() { return this.hidden; }
  setTabColor(colour) { this._count('setTabColor'); this.tabColor = colour; return this; }
  getTabColor() { return this.tabColor; }
  activate() { this.spreadsheet.activeSheet = this; return this; }
}

class FakeSpreadsheet {
  constructor(opts = {}) {
    this.id = opts.id || 'sheet-123';
    this.name = opts.name || 'Untitled spreadsheet';
    this.locale = opts.locale || 'en_US';
    this.timeZone = opts.timeZone || 'America/Montreal';
    this.sheets = [];
    this.nextId = 0;
    this.calls = {};
    this.active = null;
    this.activeSheet = null;
    this.toasts = [];
    if (opts.blank !== false) this.insertSheet(opts.firstSheet || 'Sheet1');
    this.calls = {};
  }
  _count(name) { this.calls[name] = (this.calls[name] || 0) + 1; }
  callCount(prefix) { return Object.entries(this.calls).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0); }
  resetCalls() { this.calls = {}; }
  getId() { return this.id; }
  getName() { return this.name; }
  rename(name) { this._count('Spreadsheet.rename'); this.name = name; }
  getUrl() { return 'https://docs.google.com/spreadsheets/d/' + this.id + '/edit'; }
  getSpreadsheetLocale() { return this.locale; }
  setSpreadsheetLocale(locale) { this._count('Spreadsheet.setSpreadsheetLocale'); this.locale = locale; }
  getSpreadsheetTimeZone() { return this.timeZone; }
  setSpreadsheetTimeZone(zone) { this._count('Spreadsheet.setSpreadsheetTimeZone'); this.timeZone = zone; }
  getSheets() { this._count('Spreadsheet.getSheets'); return this.sheets.slice(); }
  getNumSheets() { return this.sheets.length; }
  getSheetByName(name) { this._count('Spreadsheet.getSheetByName'); return this.sheets.find((s) => s.name === name) || null; }
  getSheetById(id) { return this.sheets.find((s) => s.id === id) || null; }
  insertSheet(name, index) {
    this._count('Spreadsheet.insertSheet');
    if (typeof name === 'number') { index = name; name = undefined; }
    if (name === undefined) name = 'Sheet' + (this.sheets.length + 1);
    if (this.sheets.some((s) => s.name === name)) throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    const sheet = new FakeSheet(this, name, this.nextId++);
    if (index === undefined || index >= this.sheets.length) this.sheets.push(sheet);
    else this.sheets.splice(index, 0, sheet);
    this.activeSheet = sheet;
    return sheet;
  }
  deleteSheet(sheet) {
    this._count('Spreadsheet.deleteSheet');
    if (this.sheets.length === 1) throw new Error("You can't remove all the sheets in a document.");
    this.sheets = this.sheets.filter((s) => s !== sheet);
  }
  getActiveSheet() { return this.activeSheet || this.sheets[0] || null; }
  setActiveSheet(sheet) { this.activeSheet = sheet; return sheet; }
  getRange(a1) {
    const p = parseA1(a1, 1, 1);
    const sheet = p.tab ? this.getSheetByName(p.tab) : this.getActiveSheet();
    if (!sheet) throw new Error('Range not found: ' + a1);
    return sheet.getRange(a1.slice(a1.lastIndexOf('!') + 1));
  }
  toast(message, title) { this.toasts.push({ message, title }); }
  /** A sheet by name, for tests (throws when absent). */
  sheet(name) {
    const found = this.sheets.find((s) => s.name === name);
    if (!found) throw new Error('no sheet ' + name + ' (have: ' + this.sheets.map((s) => s.name).join(', ') + ')');
    return found;
  }
}

/** Sheets' date serial (days since 1899-12-30) of a date cell's value read in `zone`. */
function serialOf(date, zone) {
  const [y, m, d] = dayIn(date, zone).split('-').map(Number);
  return Math.round((Date.UTC(y, m - 1, d) - EPOCH_MS) / DAY_MS);
}

module.exports = { FakeSpreadsheet, FakeSheet, FakeRange, parseA1, colLetters, colNumber, serialOf, typed, isDateFormat,
  zonedMidnight, dateOfSerial, dayIn };
