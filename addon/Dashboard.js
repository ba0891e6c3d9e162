// @ts-check
// The sidebar: the dashboard of a report, its problems that select their cell, and the Sync now button.
// The page (Sidebar.html) renders what `sidebarModel_` gives it; the functions without `_` are what its
// google.script.run calls and what the menu runs.

const SIDEBAR_FILE_ = 'Sidebar';
const SIDEBAR_TITLE_ = 'okrsync';
const SIDEBAR_WIDTH_ = 300;
/** How a moment is shown in the sidebar, in the spreadsheet's time zone. */
const SIDEBAR_WHEN_ = 'yyyy-MM-dd HH:mm';

/**
 * @typedef {{lang: string, report: ?Object, dashboard: ?Object, error: ?string,
 *            sync: ?{cells: number, moved: number, at: *}, snapshotHeaders?: Object<string, Array<*>>,
 *            loading?: boolean}} SyncState
 */

/**
 * JSON that may sit inside a <script> element: `<`, `>` and `&` are escaped so that no text of the
 * workbook (a KR titled `</script>…`) can close the element or open a comment, and U+2028/U+2029, which
 * JSON allows but older JavaScript did not, are escaped too. JSON.parse and a JS literal read it back as is.
 * @param {*} value
 * @returns {string}
 */
function jsonForScript_(value) {
  return JSON.stringify(value === undefined ? null : value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A moment (a Date, an ISO string or epoch milliseconds) as the sidebar shows it, in `zone`; null when
 * there is none or it cannot be read.
 * @param {*} at
 * @param {string} zone
 * @returns {?string}
 */
function whenText_(at, zone) {
  if (at === null || at === undefined || at === '') return null;
  const date = at instanceof Date ? at : new Date(/** @type {*} */ (at));
  if (isNaN(date.getTime())) return null;
  return Utilities.formatDate(date, zone, SIDEBAR_WHEN_);
}

/**
 * What the page renders: the state of a sync (or of a read-only evaluation) made plain JSON, its moments
 * formatted in the spreadsheet's zone, and the nightly sync's status. google.script.run cannot carry a
 * Date, and the page has no use for the snapshot's header rows (goToProblem reads row 1 afresh).
 * @param {SyncState} state
 * @param {{zone: string, nightly: ?Object}} where
 */
function sidebarModel_(state, where) {
  const s = state || /** @type {SyncState} */ ({});
  const sync = s.sync ? { cells: Number(s.sync.cells) || 0, moved: Number(s.sync.moved) || 0, at: whenText_(s.sync.at, where.zone) } : null;
  return JSON.parse(JSON.stringify({
    lang: s.lang, loading: !!s.loading, error: s.error || null,
    report: s.report || null, dashboard: s.dashboard || null, sync, nightly: where.nightly || null,
  }));
}

/**
 * Everything the page needs besides the model, in `lang`: its sentences, the status words and colours.
 * @param {string} lang
 */
function sidebarStrings_(lang) {
  /** @type {Object<string, string>} */
  const status = {};
  Object.keys(CATALOG_.status).forEach((key) => { status[key] = CATALOG_.status[key][lang] || CATALOG_.status[key].en; });
  return { lang, messages: messagesFor_(lang, 'addon.sidebar.'), status, colours: CATALOG_.colours };
}

/**
 * The sidebar's language: the state's, else the workbook's.
 * @param {?SyncState} state
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 */
function sidebarLang_(state, ss) {
  if (state && CATALOG_.languages.indexOf(state.lang) >= 0) return state.lang;
  return workbookLang_(ss.getSheets().map((s) => s.getName()), ss.getSpreadsheetLocale());
}

/**
 * The model of `state` in the active spreadsheet: its zone and the nightly sync's status.
 * @param {SyncState} state
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 */
function modelIn_(state, ss) {
  return sidebarModel_(state, { zone: ss.getSpreadsheetTimeZone(), nightly: nightlyStatus_(ss) });
}

/**
 * Opens the sidebar on `state` (what syncNow and validateNow call when they are done). The state and the
 * page's sentences are embedded as JSON the page reads at once, so it renders without a round trip.
 * Reference: HtmlService.createTemplateFromFile, HtmlTemplate.evaluate, HtmlOutput.setTitle/setWidth and
 * Ui.showSidebar (https://developers.google.com/apps-script/reference/html/html-template).
 * @param {SyncState} state
 */
function showSidebar_(state) {
  const ss = SpreadsheetApp.getActive();
  const lang = sidebarLang_(state, ss);
  const template = HtmlService.createTemplateFromFile(SIDEBAR_FILE_);
  template.boot = jsonForScript_({ strings: sidebarStrings_(lang), model: modelIn_(Object.assign({}, state, { lang }), ss) });
  const output = template.evaluate().setTitle(SIDEBAR_TITLE_).setWidth(SIDEBAR_WIDTH_);
  SpreadsheetApp.getUi().showSidebar(output);
  return output;
}

/** Menu item: opens the sidebar at once on a loading state; the page then asks dashboardState() for the report. */
function showDashboard() {
  return showSidebar_({ lang: null, report: null, dashboard: null, error: null, sync: null, loading: true });
}

/**
 * A failure that escaped runSync_ (a bug, not a person's mistake) as a state the page shows as a sentence.
 * @param {string} lang
 * @param {*} err
 * @returns {SyncState}
 */
function crashedState_(lang, err) {
  console.error('okrsync sidebar: ' + (err && err.stack ? err.stack : err));
  const message = t_(lang, 'addon.error.unexpected', { status: err && err.message ? err.message : String(err) });
  return { lang, report: null, dashboard: null, error: message, sync: null };
}

/**
 * Runs `options` on the active spreadsheet for the page and answers its model.
 * @param {{write: boolean, trigger: string}} options
 */
function sidebarRun_(options) {
  const ss = SpreadsheetApp.getActive();
  const lang = sidebarLang_(null, ss);
  let state;
  try {
    state = runSync_(ss, { write: options.write, trigger: options.trigger, lang });
  } catch (err) {
    state = crashedState_(lang, err);
  }
  return modelIn_(Object.assign({}, state, { lang: sidebarLang_(state, ss) }), ss);
}

/** google.script.run from the page: a fresh report, nothing written. */
function dashboardState() {
  return sidebarRun_({ write: false, trigger: 'menu' });
}

/** google.script.run from the page's Sync now button: a sync that writes, then its report. */
function sidebarSync() {
  return sidebarRun_({ write: true, trigger: 'menu' });
}

/**
 * Where a problem is: its row, and the column whose header in row 1 is the problem's column label (people
 * may have moved or renamed columns since the service read them). A label not found, or no label, gives
 * column 1; a row below 1 (or none) gives row 1.
 * @param {{row?: ?number, column?: ?string}} problem
 * @param {Array<*>} headerRow
 * @returns {{row: number, col: number}}
 */
function problemCell_(problem, headerRow) {
  const row = Math.max(1, Math.floor(Number(problem && problem.row) || 1));
  const label = problem && problem.column != null ? String(problem.column).trim() : '';
  if (!label) return { row, col: 1 };
  const cells = (headerRow || []).map((v) => (v === null || v === undefined ? '' : String(v).trim()));
  let index = cells.indexOf(label);
  if (index < 0) index = cells.map((c) => c.toLowerCase()).indexOf(label.toLowerCase());
  return { row, col: index >= 0 ? index + 1 : 1 };
}

/**
 * Row 1 of `sheet` as displayed, as wide as its data (an empty sheet has none).
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 */
function headerRow_(sheet) {
  const width = sheet.getLastColumn();
  return width > 0 ? sheet.getRange(1, 1, 1, width).getDisplayValues()[0] : [];
}

/**
 * google.script.run from the page: selects the cell of a problem. Answers `{ok: true, row, col}`, or
 * `{ok: false, message}` when the tab is gone. Reference: Range.activate
 * (https://developers.google.com/apps-script/reference/spreadsheet/range#activate()).
 * @param {string} tab
 * @param {number} row
 * @param {?string} column
 */
function goToProblem(tab, row, column) {
  const ss = SpreadsheetApp.getActive();
  const sheet = ss.getSheetByName(String(tab));
  if (!sheet) return { ok: false, message: t_(sidebarLang_(null, ss), 'addon.sidebar.tab_missing', { tab }) };
  const cell = problemCell_({ row, column }, headerRow_(sheet));
  const target = Math.min(cell.row, sheet.getMaxRows());
  sheet.getRange(target, cell.col).activate();
  return { ok: true, row: target, col: cell.col };
}

/**
 * google.script.run from the page: selects a KR's latest check-in row, as wide as the tab's data.
 * @param {string} tab
 * @param {number} row
 */
function goToCheckin(tab, row) {
  const ss = SpreadsheetApp.getActive();
  const sheet = ss.getSheetByName(String(tab));
  if (!sheet) return { ok: false, message: t_(sidebarLang_(null, ss), 'addon.sidebar.tab_missing', { tab }) };
  const target = Math.min(Math.max(1, Math.floor(Number(row) || 1)), sheet.getMaxRows());
  sheet.getRange(target, 1, 1, Math.max(1, sheet.getLastColumn())).activate();
  return { ok: true, row: target };
}
