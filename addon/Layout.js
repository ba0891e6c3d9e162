// @ts-check
// The layout renderer: the service's backend-neutral layout (PROTOCOL.md, `POST /api/addon/layout`) drawn with
// SpreadsheetApp, the same things the Sheets API backend draws (sync/backends/gsheets_layout.py). Pure helpers
// decide the groups, so a tab costs a call per rule or area and a call per look, never a call per cell.

/**
 * @typedef {{range: string, values: string[]|null, source: string|null, strict: boolean, help?: string|null}} LayoutDropdown
 * @typedef {{range: string, formula: string|null, text: string|null, colour: string}} LayoutColourRule
 * @typedef {{range: string|null, description: string}} LayoutProtection
 * @typedef {{key: string, name: string, after?: string|null, rows: number, cols: number, hidden: boolean,
 *   tab_colour: string|null,
 *   frozen_rows: number, widths: number[], values: Array<Array<*>>,
 *   cell_formats: Array<{row: number, col: number, pattern: string}>, bold: Array<Array<number>>,
 *   header_fills: Array<{row: number, col: number, colour: string}>, right?: string[], wrap?: string[],
 *   hidden_cols?: number[],
 *   formats: Array<{range: string, pattern: string|null}>, dropdowns: LayoutDropdown[],
 *   colour_rules: LayoutColourRule[], protections: LayoutProtection[]}} LayoutTab
 * @typedef {{range: string, colour: string, line: boolean}} LayoutSeries
 * @typedef {{tab: string, title: string, labels: string, series: LayoutSeries[], row: number, col: number}} LayoutChart
 * @typedef {{title: string, lang: string, locale: string, time_zone: string, tabs: LayoutTab[],
 *   charts: LayoutChart[], room?: Room}} Layout
 *
 * A tab's `rows` are what it holds plus room to type, as `init --google` makes it; an area meant for whole
 * columns, or that reaches them, comes open-ended (`A2:I`): getRange reads it down to the sheet's last row, so its formats, dropdowns, colours
 * and protections cover the tab whole, and its colours and protections the rows it grows by (Sync.js).
 */

/**
 * Column widths as runs of equal widths, one setColumnWidths each: [{first (1-based), count, width}].
 * @param {number[]} widths
 * @returns {Array<{first: number, count: number, width: number}>}
 */
function widthRuns_(widths) {
  /** @type {Array<{first: number, count: number, width: number}>} */
  const runs = [];
  (widths || []).forEach((width, i) => {
    const last = runs[runs.length - 1];
    if (last && last.width === width) last.count++;
    else runs.push({ first: i + 1, count: 1, width });
  });
  return runs;
}

/**
 * Items grouped by a key, groups in the order their key first appears: [[key, items]].
 * @template T
 * @param {T[]} items
 * @param {function(T): string} keyOf
 * @returns {Array<[string, T[]]>}
 */
function groupBy_(items, keyOf) {
  /** @type {Object<string, T[]>} */
  const groups = {};
  /** @type {string[]} */
  const order = [];
  (items || []).forEach((item) => {
    const key = keyOf(item);
    if (!(key in groups)) { groups[key] = []; order.push(key); }
    groups[key].push(item);
  });
  return order.map((key) => /** @type {[string, T[]]} */ ([key, groups[key]]));
}

/**
 * Draws a whole workbook into a blank spreadsheet, as `init --google` does with one batchUpdate: title, locale
 * and time zone; every tab inserted first (dropdowns read other tabs), then drawn; the blank tabs removed; charts.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {Layout} layout
 */
function renderLayout_(ss, layout) {
  const blank = ss.getSheets();
  const names = layout.tabs.map((t) => t.name);
  // A blank tab may already hold a name the layout needs: it goes anyway, so it steps aside first.
  blank.forEach((sheet, i) => { if (names.indexOf(sheet.getName()) >= 0) sheet.setName(sheet.getName() + ' (' + (i + 1) + ')'); });
  ss.rename(layout.title);
  ss.setSpreadsheetLocale(layout.locale);
  ss.setSpreadsheetTimeZone(layout.time_zone);
  const sheets = renderTabs_(ss, layout.tabs, blank.length);
  blank.forEach((sheet) => ss.deleteSheet(sheet));
  /** @type {Object<string, GoogleAppsScript.Spreadsheet.Sheet>} */
  const byName = {};
  sheets.forEach((sheet, i) => { byName[names[i]] = sheet; });
  (layout.charts || []).forEach((chart) => { if (byName[chart.tab]) renderChart_(byName[chart.tab], chart); });
  if (sheets.length) ss.setActiveSheet(sheets[0]);
}

/**
 * Inserts `tabs` from the 0-based position `index` on, then draws each: a tab's dropdowns may read another.
 * (Spreadsheet.insertSheet(sheetName, sheetIndex): https://developers.google.com/apps-script/reference/spreadsheet/spreadsheet#insertsheetsheetname,-sheetindex)
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {LayoutTab[]} tabs
 * @param {number} index
 * @returns {GoogleAppsScript.Spreadsheet.Sheet[]}
 */
function renderTabs_(ss, tabs, index) {
  const sheets = tabs.map((tab, i) => ss.insertSheet(tab.name, index + i));
  tabs.forEach((tab, i) => renderTab_(ss, sheets[i], tab));
  return sheets;
}

/**
 * Tabs added to a workbook that exists, in order, each just after the tab its `after` names (a team's check-in
 * tab after the last team's, a table in its place: sync/layout/placement.py), or just before the Org tab.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {LayoutTab[]} tabs
 * @returns {GoogleAppsScript.Spreadsheet.Sheet[]}
 */
function insertTabs_(ss, tabs) {
  return tabs.map((tab) => {
    const after = tab.after ? ss.getSheetByName(tab.after) : null;
    const org = ss.getSheetByName(CATALOG_.tabs.org.fr) || ss.getSheetByName(CATALOG_.tabs.org.en);
    // getIndex() is 1-based and insertSheet's index 0-based: a sheet's getIndex() is the place just after it.
    const index = after ? after.getIndex() : org ? org.getIndex() - 1 : ss.getNumSheets();
    return renderTabs_(ss, [tab], index)[0];
  });
}

/**
 * One tab's size, looks, values and rules, in the Sheets API backend's order: cell formats then area formats
 * before values (a date serial lands in a date-formatted cell), header fills after values.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {LayoutTab} tab
 */
function renderTab_(ss, sheet, tab) {
  resizeSheet_(sheet, tab.rows, tab.cols);
  if (tab.tab_colour) sheet.setTabColor(tab.tab_colour);
  if (tab.frozen_rows) sheet.setFrozenRows(tab.frozen_rows);
  widthRuns_(tab.widths).forEach((run) => sheet.setColumnWidths(run.first, run.count, run.width));
  // The row key is the sync's: hidden, its long text neither runs across the screen nor shrinks the printed page.
  // (Sheet.hideColumns(columnIndex, numColumns): https://developers.google.com/apps-script/reference/spreadsheet/sheet#hidecolumnscolumnindex,-numcolumns)
  (tab.hidden_cols || []).forEach((col) => sheet.hideColumns(col, 1));
  groupBy_(tab.cell_formats, (f) => f.pattern).forEach(([pattern, cells]) =>
    sheet.getRangeList(cells.map((f) => a1Of_(f.row, f.col))).setNumberFormat(pattern));
  const areaFormats = (tab.formats || []).filter((f) => f.pattern);
  groupBy_(areaFormats, (f) => String(f.pattern)).forEach(([pattern, areas]) =>
    sheet.getRangeList(areas.map((f) => f.range)).setNumberFormat(pattern));
  // Text behind an apostrophe, rows padded to a rectangle: Plan.js's serviceTabWrite_ is that write.
  const write = serviceTabWrite_(tab);
  if (write) sheet.getRange(1, 1, write.values.length, write.values[0].length).setValues(write.values);
  if (tab.bold && tab.bold.length) sheet.getRangeList(tab.bold.map((c) => a1Of_(c[0], c[1]))).setFontWeight('bold');
  groupBy_(tab.header_fills, (f) => f.colour).forEach(([colour, cells]) =>
    sheet.getRangeList(cells.map((f) => a1Of_(f.row, f.col))).setBackground(colour).setFontWeight('bold').setWrap(true));
  if (tab.right && tab.right.length) sheet.getRangeList(tab.right).setHorizontalAlignment('right');
  if (tab.wrap && tab.wrap.length) sheet.getRangeList(tab.wrap).setWrap(true);
  (tab.dropdowns || []).forEach((d) => sheet.getRange(d.range).setDataValidation(dropdownRule_(ss, d)));
  const rules = (tab.colour_rules || []).map((rule) => colourRule_(sheet, rule));
  if (rules.length) sheet.setConditionalFormatRules(rules);
  (tab.protections || []).forEach((p) => {
    const protection = p.range ? sheet.getRange(p.range).protect() : sheet.protect();
    protection.setDescription(p.description).setWarningOnly(true);
  });
  if (tab.hidden) sheet.hideSheet();
}

/**
 * Grows or shrinks a sheet to `rows` × `cols` (a fresh one is 1000 × 26), as the API's gridProperties do.
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {number} rows
 * @param {number} cols
 */
function resizeSheet_(sheet, rows, cols) {
  const haveRows = sheet.getMaxRows();
  if (rows > haveRows) sheet.insertRowsAfter(haveRows, rows - haveRows);
  else if (rows && rows < haveRows) sheet.deleteRows(rows + 1, haveRows - rows);
  const haveCols = sheet.getMaxColumns();
  if (cols > haveCols) sheet.insertColumnsAfter(haveCols, cols - haveCols);
  else if (cols && cols < haveCols) sheet.deleteColumns(cols + 1, haveCols - cols);
}

/**
 * A dropdown: a fixed list, or the cells of another tab (`'Lists'!B2:B200`); `strict` refuses other values, and
 * `help` is the text shown when a cell of it is selected.
 * (DataValidationBuilder: https://developers.google.com/apps-script/reference/spreadsheet/data-validation-builder)
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {LayoutDropdown} dropdown
 * @returns {GoogleAppsScript.Spreadsheet.DataValidation}
 */
function dropdownRule_(ss, dropdown) {
  const builder = SpreadsheetApp.newDataValidation();
  if (dropdown.source) builder.requireValueInRange(ss.getRange(dropdown.source), true);
  else builder.requireValueInList((dropdown.values || []).map(String), true);
  if (dropdown.help) builder.setHelpText(dropdown.help);
  return builder.setAllowInvalid(!dropdown.strict).build();
}

/**
 * A status colour as a conditional format rule: the formula on the row's status cell, or the cell's own text.
 * (ConditionalFormatRuleBuilder: https://developers.google.com/apps-script/reference/spreadsheet/conditional-format-rule-builder)
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {LayoutColourRule} rule
 * @returns {GoogleAppsScript.Spreadsheet.ConditionalFormatRule}
 */
function colourRule_(sheet, rule) {
  const builder = SpreadsheetApp.newConditionalFormatRule();
  if (rule.formula) builder.whenFormulaSatisfied(rule.formula);
  else builder.whenTextEqualTo(String(rule.text));
  return builder.setBackground(rule.colour).setRanges([sheet.getRange(rule.range)]).build();
}

/**
 * The org tab's combo chart, as the Google backend's addChart: columns stacked in their series' colours (a team
 * has a value under its status's column only), `line` series drawn across them, one header row naming each
 * series in the legend, the axis from 0 to 100 %, anchored at its cell.
 * (EmbeddedComboChartBuilder: https://developers.google.com/apps-script/reference/spreadsheet/embedded-combo-chart-builder)
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {LayoutChart} chart
 */
function renderChart_(sheet, chart) {
  /** @type {Object<number, {type: string}>} */
  const types = {};
  chart.series.forEach((s, i) => { types[i] = { type: s.line ? 'line' : 'bars' }; });
  /** @type {GoogleAppsScript.Spreadsheet.EmbeddedChartBuilder} */
  let builder = sheet.newChart().asComboChart().setStacked().setColors(chart.series.map((s) => s.colour))
    .setRange(0, 1)
    .addRange(sheet.getRange(chart.labels));
  chart.series.forEach((s) => { builder = builder.addRange(sheet.getRange(s.range)); });
  const built = builder
    .setNumHeaders(1)
    .setOption('title', chart.title)
    .setOption('legend', { position: 'bottom' })
    .setOption('series', types)
    .setPosition(chart.row, chart.col, 0, 0)
    .build();
  sheet.insertChart(built);
}

/**
 * Each chart as the plan wants it: left alone when one on its tab already reads its ranges; otherwise our
 * chart (the one reading from the labels' first cell, or the cell under it where charts drawn without a
 * header row read from) is removed and drawn again, so a person's own chart on that tab stays.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {LayoutChart[]} charts
 */
function ensureCharts_(ss, charts) {
  charts.forEach((chart) => {
    const sheet = ss.getSheetByName(chart.tab);
    if (!sheet) return;
    const ranges = (c) => c.getRanges().map((r) => r.getA1Notation());
    const existing = sheet.getCharts();
    const wanted = [chart.labels, ...chart.series.map((s) => s.range)].join();
    if (existing.some((c) => ranges(c).join() === wanted)) return;
    const first = chart.labels.split(':')[0];
    const under = first.replace(/[0-9]+$/, (row) => String(Number(row) + 1));
    const ours = (c) => ranges(c)[0] && [first, under].indexOf(ranges(c)[0].split(':')[0]) >= 0;
    existing.filter(ours).forEach((c) => sheet.removeChart(c));
    renderChart_(sheet, chart);
  });
}

