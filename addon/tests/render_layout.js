'use strict';
// Renders a layout JSON (stdin: `{"layout": …}` as the service answers, or the layout itself) into a blank fake
// spreadsheet through the add-on's real code (Layout.js's renderLayout_), and prints on stdout what the
// parity test compares with `init --google`'s requests (tests/test_addon_layout_parity.py): per tab its name,
// order, size, hidden, frozen rows, header row, hidden columns, dropdowns, colour rules and protections; the charts.
// Ranges are A1 without the tab (a dropdown's source keeps its quoted tab); colours are `#RRGGBB`.
//   node addon/tests/render_layout.js < layout.json

const { load } = require('./harness.js');

/** `'Tab'!A2:A200` for a range of another tab, as the layout JSON writes a dropdown's source. */
function sourceA1(range) {
  return "'" + range.getSheet().getName().replace(/'/g, "''") + "'!" + range.getA1Notation();
}

/** `B2:B500` even for one cell (`B2` → `B2:B2`), as the Python side writes every range. */
function areaA1(range) {
  const a1 = range.getA1Notation();
  return a1.includes(':') ? a1 : a1 + ':' + a1;
}

/** `B2` → `B2:B2`, a range's A1 as the Python side writes every range. */
function full(a1) {
  return a1.includes(':') ? a1 : a1 + ':' + a1;
}

function colour(hex) {
  return hex ? String(hex).toUpperCase() : null;
}

function headerRow(sheet) {
  const range = sheet.getMaxColumns() ? sheet.getRange(1, 1, 1, sheet.getMaxColumns()) : null;
  // A formula cell as its formula, as the Sheets API's updateCells carries it (the Lists tab's team names).
  const formulas = range ? range.getFormulas()[0] : [];
  const row = range ? range.getValues()[0].map((v, i) => formulas[i] || v) : [];
  while (row.length && (row[row.length - 1] === '' || row[row.length - 1] === null)) row.pop();
  return row.map((v) => (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]' ? 'date' : String(v)));
}

function describeSheet(sheet, index) {
  return {
    name: sheet.getName(),
    index,
    hidden: sheet.isSheetHidden(),
    rows: sheet.getMaxRows(),
    cols: sheet.getMaxColumns(),
    frozen_rows: sheet.getFrozenRows(),
    tab_colour: colour(sheet.getTabColor()),
    header: headerRow(sheet),
    validations: sheet.validations.map((v) => {
      const [criteria, ...rest] = v.rule.getCriteriaValues();
      void rest;
      const inRange = v.rule.getCriteriaType() === 'VALUE_IN_RANGE';
      return { range: areaA1(v.area), values: inRange ? null : Array.from(criteria, String),
        source: inRange ? sourceA1(criteria) : null, strict: !v.rule.getAllowInvalid() };
    }),
    colour_rules: sheet.getConditionalFormatRules().map((rule) => {
      const condition = rule.getBooleanCondition();
      const formula = condition.getCriteriaType() === 'CUSTOM_FORMULA';
      return { ranges: rule.getRanges().map(areaA1), formula: formula ? condition.getCriteriaValues()[0] : null,
        text: formula ? null : condition.getCriteriaValues()[0], colour: colour(condition.getBackground()) };
    }),
    // The columns set right-aligned and wrapping (headers included), sorted: the order of calls is no look.
    right: sheet.aligned.filter((a) => a[1] === 'right').map((a) => full(a[0])).sort(),
    wrap: sheet.wrapped.filter((w) => w[1]).map((w) => full(w[0])).sort(),
    hidden_cols: Array.from({ length: sheet.getMaxColumns() }, (_, i) => i + 1).filter((c) => sheet.isColumnHiddenByUser(c)),
    protections: sheet.protections.map((p) => ({
      range: p.getProtectionType() === 'SHEET' ? null : areaA1(p.getRange()),
      warning_only: p.isWarningOnly(), description: p.getDescription(),
    })),
  };
}

function describe(ss) {
  const sheets = ss.getSheets();
  const charts = [];
  sheets.forEach((sheet) => sheet.charts.forEach((chart) => {
    const series = chart.getOptions().get('series') || {};
    const range = chart.getRange();
    charts.push({
      tab: sheet.getName(), title: chart.getOptions().get('title'), ranges: chart.getRanges().map(areaA1),
      row: chart.getContainerInfo().getAnchorRow(), col: chart.getContainerInfo().getAnchorColumn(),
      type: chart.getChartType(), stacked: chart.isStacked(), headers: chart.getNumHeaders(),
      colours: chart.getColors().map(colour), lines: Object.keys(series).filter((i) => series[i].type === 'line').map(Number),
      legend: (chart.getOptions().get('legend') || {}).position || null, axis: range ? [range.start, range.end] : null,
    });
  }));
  return { title: ss.getName(), locale: ss.getSpreadsheetLocale(), time_zone: ss.getSpreadsheetTimeZone(),
    tabs: sheets.map(describeSheet), charts };
}

function main() {
  const input = require('node:fs').readFileSync(0, 'utf8');
  const parsed = JSON.parse(input);
  const layout = parsed.layout || parsed;
  const env = load();
  env.ss.resetCalls();
  env.ctx.renderLayout_(env.ss, layout);
  // The renderer's calls, not the description's reads.
  const calls = Object.values(env.ss.calls).reduce((a, b) => a + b, 0);
  const out = describe(env.ss);
  out.calls = calls;
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

if (require.main === module) main();

module.exports = { describe };
