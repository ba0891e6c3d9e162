'use strict';
// Range.getFormulas for the fake spreadsheet: as in Apps Script, the formula ("=…") of each cell that holds
// one, "" elsewhere, in the range's shape (https://developers.google.com/apps-script/reference/spreadsheet/range#getformulas).
// Counted like every other Range call.

const { FakeRange } = require('./sheets.js');

Object.assign(FakeRange.prototype, {
  getFormulas() {
    this._count('getFormulas');
    return this._each((r, c) => this.sheet._cell(r, c).formula || '');
  },
  getFormula() {
    this._count('getFormula');
    return this.sheet._cell(this.row, this.col).formula || '';
  },
});

module.exports = {};
