'use strict';
// What the layout renderer needs beyond the grid of sheets.js: data validations, conditional format rules,
// protections, cell backgrounds and weights, column widths, range lists, charts, and the SpreadsheetApp
// builders and enums. Shapes follow Apps Script's reference (DataValidationBuilder, ConditionalFormatRuleBuilder,
// Protection, EmbeddedChartBuilder); as in sheets.js, every call that touches the document is counted.

const { FakeSheet, FakeRange, parseA1 } = require('./sheets.js');

const DATA_VALIDATION_CRITERIA = { VALUE_IN_LIST: 'VALUE_IN_LIST', VALUE_IN_RANGE: 'VALUE_IN_RANGE' };
const BOOLEAN_CRITERIA = { CUSTOM_FORMULA: 'CUSTOM_FORMULA', TEXT_EQUAL_TO: 'TEXT_EQUAL_TO' };
const PROTECTION_TYPE = { RANGE: 'RANGE', SHEET: 'SHEET' };
const CHART_TYPE = { BAR: 'BAR', COMBO: 'COMBO' };
const COPY_PASTE_TYPE = { PASTE_NORMAL: 'PASTE_NORMAL', PASTE_NO_BORDERS: 'PASTE_NO_BORDERS', PASTE_FORMAT: 'PASTE_FORMAT',
  PASTE_FORMULA: 'PASTE_FORMULA', PASTE_DATA_VALIDATION: 'PASTE_DATA_VALIDATION', PASTE_VALUES: 'PASTE_VALUES',
  PASTE_CONDITIONAL_FORMATTING: 'PASTE_CONDITIONAL_FORMATTING', PASTE_COLUMN_WIDTHS: 'PASTE_COLUMN_WIDTHS' };
/** What PASTE_FORMAT carries of a cell in these fakes: its looks, not its value or its validation. */
const FORMAT_ATTRS = ['format', 'background', 'fontWeight'];
const DEFAULT_WIDTH = 100;

class FakeDataValidation {
  constructor(type, values, allowInvalid, helpText) {
    this.type = type; this.values = values; this.allowInvalid = allowInvalid; this.helpText = helpText;
  }
  getCriteriaType() { return this.type; }
  /** As Apps Script: [values, showDropdown] for a list, [range, showDropdown] for a range. */
  getCriteriaValues() { return this.values.slice(); }
  getAllowInvalid() { return this.allowInvalid; }
  getHelpText() { return this.helpText; }
  copy() { const b = new FakeDataValidationBuilder(); Object.assign(b, { type: this.type, values: this.values, allowInvalid: this.allowInvalid, helpText: this.helpText }); return b; }
}

class FakeDataValidationBuilder {
  constructor() { this.type = null; this.values = []; this.allowInvalid = true; this.helpText = null; }
  requireValueInList(values, showDropdown) {
    if (!Array.isArray(values)) throw new Error('Invalid argument: values');
    this.type = DATA_VALIDATION_CRITERIA.VALUE_IN_LIST;
    this.values = [values.map(String), showDropdown === undefined ? true : showDropdown];
    return this;
  }
  requireValueInRange(range, showDropdown) {
    if (!(range instanceof FakeRange)) throw new Error('Invalid argument: range');
    this.type = DATA_VALIDATION_CRITERIA.VALUE_IN_RANGE;
    this.values = [range, showDropdown === undefined ? true : showDropdown];
    return this;
  }
  setAllowInvalid(allow) { this.allowInvalid = Boolean(allow); return this; }
  setHelpText(text) { this.helpText = text; return this; }
  build() {
    if (!this.type) throw new Error('A data validation rule needs criteria.');
    return new FakeDataValidation(this.type, this.values, this.allowInvalid, this.helpText);
  }
}

class FakeBooleanCondition {
  constructor(type, values, background) { this.type = type; this.values = values; this.background = background; }
  getCriteriaType() { return this.type; }
  getCriteriaValues() { return this.values.slice(); }
  getBackground() { return this.background; }
}

class FakeConditionalFormatRule {
  constructor(condition, ranges) { this.condition = condition; this.ranges = ranges; }
  getBooleanCondition() { return this.condition; }
  getGradientCondition() { return null; }
  getRanges() { return this.ranges.slice(); }
}

class FakeConditionalFormatRuleBuilder {
  constructor() { this.type = null; this.values = []; this.background = null; this.ranges = []; }
  whenFormulaSatisfied(formula) { this.type = BOOLEAN_CRITERIA.CUSTOM_FORMULA; this.values = [formula]; return this; }
  whenTextEqualTo(text) { this.type = BOOLEAN_CRITERIA.TEXT_EQUAL_TO; this.values = [text]; return this; }
  setBackground(colour) { this.background = colour; return this; }
  setRanges(ranges) {
    if (!Array.isArray(ranges) || ranges.some((r) => !(r instanceof FakeRange))) throw new Error('Invalid argument: ranges');
    this.ranges = ranges.map((r) => r._clone());
    return this;
  }
  build() {
    if (!this.type) throw new Error('A conditional format rule needs a condition.');
    if (!this.ranges.length) throw new Error('A conditional format rule needs at least one range.');
    return new FakeConditionalFormatRule(new FakeBooleanCondition(this.type, this.values, this.background), this.ranges);
  }
}

class FakeProtection {
  constructor(sheet, range) {
    this.sheet = sheet; this.range = range; this.description = ''; this.warningOnly = false; this.removed = false;
  }
  _count(name) { this.sheet.spreadsheet._count('Protection.' + name); }
  getProtectionType() { return this.range ? PROTECTION_TYPE.RANGE : PROTECTION_TYPE.SHEET; }
  getRange() { return this.range || new FakeRange(this.sheet, 1, 1, this.sheet.maxRows, this.sheet.maxCols); }
  setDescription(text) { this._count('setDescription'); this.description = text; return this; }
  getDescription() { return this.description; }
  setWarningOnly(warningOnly) { this._count('setWarningOnly'); this.warningOnly = Boolean(warningOnly); return this; }
  isWarningOnly() { return this.warningOnly; }
  remove() { this._count('remove'); this.removed = true; this.sheet.protections = this.sheet.protections.filter((p) => p !== this); }
}

class FakeEmbeddedChart {
  constructor(spec) { this.spec = spec; }
  getRanges() { return this.spec.ranges.slice(); }
  getOptions() { const o = this.spec.options; return { get: (key) => (key in o ? o[key] : null) }; }
  getContainerInfo() {
    const p = this.spec.position;
    return { getAnchorRow: () => p.row, getAnchorColumn: () => p.col, getOffsetX: () => p.x, getOffsetY: () => p.y };
  }
  getNumHeaders() { return this.spec.numHeaders; }
  getChartType() { return this.spec.type; }
  isStacked() { return this.spec.stacked; }
  getColors() { return this.spec.colors.slice(); }
  getRange() { return this.spec.range; }
}

class FakeEmbeddedChartBuilder {
  constructor(sheet) {
    this.sheet = sheet;
    this.spec = { type: null, ranges: [], options: {}, position: null, numHeaders: -1, stacked: false, colors: [], range: null };
  }
  asBarChart() { this.spec.type = CHART_TYPE.BAR; return this; }
  asComboChart() { this.spec.type = CHART_TYPE.COMBO; return this; }
  /** EmbeddedComboChartBuilder's: only once the builder is a combo chart's. */
  _combo(name) { if (this.spec.type !== CHART_TYPE.COMBO) throw new TypeError(`builder.${name} is not a function`); }
  setStacked() { this._combo('setStacked'); this.spec.stacked = true; return this; }
  setColors(colours) { this._combo('setColors'); this.spec.colors = colours.map(String); return this; }
  setRange(start, end) { this._combo('setRange'); this.spec.range = { start, end }; return this; }
  addRange(range) {
    if (!(range instanceof FakeRange)) throw new Error('Invalid argument: range');
    this.spec.ranges.push(range._clone());
    return this;
  }
  setPosition(row, col, x, y) { this.spec.position = { row, col, x, y }; return this; }
  setOption(key, value) { this.spec.options[key] = value; return this; }
  setTitle(title) { return this.setOption('title', title); }
  setNumHeaders(n) { this.spec.numHeaders = n; return this; }
  build() {
    if (!this.spec.position) throw new Error('A chart needs a position.');
    return new FakeEmbeddedChart({ ...this.spec, ranges: this.spec.ranges.slice(), options: { ...this.spec.options },
      colors: this.spec.colors.slice() });
  }
}

class FakeRangeList {
  constructor(sheet, ranges) { this.sheet = sheet; this.ranges = ranges; }
  _count(name) { this.sheet.spreadsheet._count('RangeList.' + name); }
  getRanges() { return this.ranges.slice(); }
  setBackground(colour) { this._count('setBackground'); this.ranges.forEach((r) => r._paint('background', colour)); return this; }
  setFontWeight(weight) { this._count('setFontWeight'); this.ranges.forEach((r) => r._paint('fontWeight', weight)); return this; }
  setNumberFormat(pattern) { this._count('setNumberFormat'); this.ranges.forEach((r) => r._paint('format', pattern)); return this; }
  /** Kept per call as the A1 ranges it was given (open-ended ones cover a whole column: not painted cell by cell). */
  setHorizontalAlignment(alignment) { this._count('setHorizontalAlignment'); this.sheet.aligned.push(...this.ranges.map((r) => [r.getA1Notation(), alignment])); return this; }
  setWrap(wrap) { this._count('setWrap'); this.sheet.wrapped.push(...this.ranges.map((r) => [r.getA1Notation(), wrap])); return this; }
}

function overlaps(a, b) {
  return a.row <= b.getLastRow() && b.row <= a.getLastRow() && a.col <= b.getLastColumn() && b.col <= a.getLastColumn();
}

Object.assign(FakeRange.prototype, {
  _paint(attr, value) {
    this._each((r, c) => { this.sheet._cellForWrite(r, c)[attr] = value; });
  },
  setBackground(colour) { this._count('setBackground'); this._paint('background', colour); return this; },
  getBackground() { this._count('getBackground'); return this.sheet._cell(this.row, this.col).background || '#ffffff'; },
  getBackgrounds() { this._count('getBackgrounds'); return this._each((r, c) => this.sheet._cell(r, c).background || '#ffffff'); },
  setFontWeight(weight) { this._count('setFontWeight'); this._paint('fontWeight', weight); return this; },
  getFontWeight() { this._count('getFontWeight'); return this.sheet._cell(this.row, this.col).fontWeight || 'normal'; },
  getFontWeights() { this._count('getFontWeights'); return this._each((r, c) => this.sheet._cell(r, c).fontWeight || 'normal'); },
  /** A rule on every cell of the range (null clears), as Sheets keeps one rule per cell. */
  setDataValidation(rule) {
    this._count('setDataValidation');
    this._each((r, c) => { if (r > this.sheet.maxRows || c > this.sheet.maxCols) throw new Error('The coordinates of the range are outside the dimensions of the sheet.'); });
    this.sheet.validations = this.sheet.validations.filter((v) => !(v.range === this.getA1Notation() && v.sheet === this.sheet));
    if (rule) this.sheet.validations.push({ sheet: this.sheet, range: this.getA1Notation(), area: this._clone(), rule });
    return this;
  },
  getDataValidation() {
    this._count('getDataValidation');
    const found = this.sheet.validations.filter((v) => overlaps(v.area, new FakeRange(this.sheet, this.row, this.col, 1, 1)));
    return found.length ? found[found.length - 1].rule : null;
  },
  /**
   * Range.copyTo(destination, copyPasteType, transposed) for the two paste types the add-on uses: the source
   * repeats down and across the destination (as the Sheets API's copyPaste does), formats cell by cell, a
   * dropdown as one rule per destination column.
   */
  copyTo(destination, type, transposed) {
    this._count('copyTo');
    if (!(destination instanceof FakeRange) || transposed) throw new Error('Invalid argument: destination');
    const target = destination.sheet;
    if (type === COPY_PASTE_TYPE.PASTE_FORMAT) {
      destination._each((r, c) => {
        const from = this.sheet._cell(this.row + ((r - destination.row) % this.numRows), this.col + ((c - destination.col) % this.numCols));
        const cell = target._cellForWrite(r, c);
        FORMAT_ATTRS.forEach((attr) => { if (from[attr] === undefined) delete cell[attr]; else cell[attr] = from[attr]; });
      });
    } else if (type === COPY_PASTE_TYPE.PASTE_DATA_VALIDATION) {
      // (Rules are kept as ranges here: a source cell without one pastes nothing rather than clearing.)
      if (this.numRows !== 1) throw new Error('the fake pastes dropdowns from one row only');
      for (let c = destination.col; c <= destination.getLastColumn(); c++) {
        const from = new FakeRange(this.sheet, this.row, this.col + ((c - destination.col) % this.numCols), 1, 1);
        const found = this.sheet.validations.filter((v) => overlaps(v.area, from));
        if (!found.length) continue;
        const column = new FakeRange(target, destination.row, c, destination.numRows, 1);
        target.validations.push({ sheet: target, range: column.getA1Notation(), area: column, rule: found[found.length - 1].rule });
      }
    } else {
      throw new Error('the fake does not paste ' + type);
    }
  },
  protect() {
    this._count('protect');
    const protection = new FakeProtection(this.sheet, this._clone());
    this.sheet.protections.push(protection);
    return protection;
  },
});

Object.assign(FakeSheet.prototype, {
  /** Rows moved (inserted or deleted): what covers them on this sheet moves with them, as in Sheets. */
  _shiftRanges(from, by) {
    // A dropdown belongs to its cells: rows inserted inside its range split it, the new rows get none (the
    // reference does not say Sheet.insertRowsAfter gives them any). An open-ended one covers them anyway.
    if (by > 0) {
      this.validations = this.validations.flatMap((v) => {
        const a = v.area;
        if ((a.open && a.open.rows) || a.row >= from || a.getLastRow() < from) return [v];
        const below = new FakeRange(this, from, a.col, a.getLastRow() - from + 1, a.numCols);
        a._numRows = from - a.row;
        return [v, { sheet: this, range: '', area: below, rule: v.rule }];
      });
    }
    const ranges = new Set([...this.validations.map((v) => v.area), ...this.rules.flatMap((r) => r.ranges),
      ...this.protections.filter((p) => p.range).map((p) => p.range), ...this.charts.flatMap((c) => c.spec.ranges)]);
    ranges.forEach((range) => { if (range.sheet === this) range._shift(from, by); });
    this.validations.forEach((v) => { v.range = v.area.getA1Notation(); });
  },
  _extras() {
    if (!this._validations) Object.assign(this, { _validations: [], _protections: [], _rules: [], _charts: [], _widths: {}, _aligned: [], _wrapped: [], _hiddenCols: {} });
    return this;
  },
  setColumnWidth(col, width) { this._count('setColumnWidth'); this.widths[col] = width; return this; },
  setColumnWidths(start, count, width) {
    this._count('setColumnWidths');
    if (start < 1 || start + count - 1 > this.maxCols) throw new Error('Those columns are out of bounds.');
    for (let c = start; c < start + count; c++) this.widths[c] = width;
    return this;
  },
  getColumnWidth(col) { return this.widths[col] || DEFAULT_WIDTH; },
  /** Sheet.hideColumns(columnIndex, numColumns): the columns stay, their cells read as before, hidden from view. */
  hideColumns(start, count = 1) {
    this._count('hideColumns');
    if (start < 1 || start + count - 1 > this.maxCols) throw new Error('Those columns are out of bounds.');
    for (let c = start; c < start + count; c++) this.hiddenCols[c] = true;
  },
  isColumnHiddenByUser(col) { return Boolean(this.hiddenCols[col]); },
  deleteColumns(col, count) {
    this._count('deleteColumns');
    if (count >= this.maxCols) throw new Error("You can't delete all the columns on the sheet.");
    for (const key of [...this.cells.keys()]) if (Number(key.split(',')[1]) >= col) this.cells.delete(key);
    this.maxCols -= count;
  },
  getRangeList(a1s) {
    this._count('getRangeList');
    return new FakeRangeList(this, a1s.map((a) => {
      const p = parseA1(a, this.maxRows, this.maxCols);
      return new FakeRange(this, p.row, p.col, p.numRows, p.numCols, p);
    }));
  },
  setConditionalFormatRules(rules) {
    this._count('setConditionalFormatRules');
    if (!Array.isArray(rules) || rules.some((r) => !(r instanceof FakeConditionalFormatRule))) throw new Error('Invalid argument: rules');
    this.rules = rules.slice();
  },
  getConditionalFormatRules() { this._count('getConditionalFormatRules'); return this.rules.slice(); },
  /** The sheet's protection (the existing one when the sheet is already protected, as in Apps Script). */
  protect() {
    this._count('protect');
    const existing = this.protections.find((p) => !p.range);
    if (existing) return existing;
    const protection = new FakeProtection(this, null);
    this.protections.push(protection);
    return protection;
  },
  getProtections(type) {
    this._count('getProtections');
    return this.protections.filter((p) => p.getProtectionType() === type);
  },
  newChart() { return new FakeEmbeddedChartBuilder(this); },
  insertChart(chart) {
    this._count('insertChart');
    if (!(chart instanceof FakeEmbeddedChart)) throw new Error('Invalid argument: chart');
    this.charts.push(chart);
  },
  getCharts() { this._count('getCharts'); return this.charts.slice(); },
  removeChart(chart) {
    this._count('removeChart');
    if (!this.charts.includes(chart)) throw new Error('Invalid argument: chart');
    this.charts = this.charts.filter((c) => c !== chart);
  },
});

// The extra state of a sheet, made on first use so that sheets.js's constructor stays as it is.
for (const name of ['validations', 'protections', 'rules', 'charts', 'widths', 'aligned', 'wrapped', 'hiddenCols']) {
  Object.defineProperty(FakeSheet.prototype, name, {
    configurable: true,
    get() { this._extras(); return this['_' + name]; },
    set(value) { this._extras(); this['_' + name] = value; },
  });
}

/** The builders and enums of SpreadsheetApp, for harness.js to merge into its fake. */
function spreadsheetApp() {
  return {
    newDataValidation: () => new FakeDataValidationBuilder(),
    newConditionalFormatRule: () => new FakeConditionalFormatRuleBuilder(),
    DataValidationCriteria: DATA_VALIDATION_CRITERIA,
    BooleanCriteria: BOOLEAN_CRITERIA,
    ProtectionType: PROTECTION_TYPE,
    CopyPasteType: COPY_PASTE_TYPE,
  };
}

module.exports = { spreadsheetApp, FakeDataValidation, FakeConditionalFormatRule, FakeProtection, FakeEmbeddedChart,
  FakeRangeList, DATA_VALIDATION_CRITERIA, BOOLEAN_CRITERIA, PROTECTION_TYPE, COPY_PASTE_TYPE, DEFAULT_WIDTH };
