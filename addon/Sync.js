// @ts-check
// The sync round trip: read the okrsync tabs, post the snapshot to the service, apply its write plan, report.
// The menu's syncNow and validateNow, and runSync_ which the nightly trigger reuses (no UI there).

/** How long a sync waits for another one of the same document to finish before saying it is busy. */
const SYNC_LOCK_WAIT_MS_ = 10000;

/** Menu: sync now, then show the report in the sidebar. */
function syncNow() {
  runFromMenu_(true);
}

/** Menu: the same evaluation without writing anything; the problems appear in the sidebar. */
function validateNow() {
  runFromMenu_(false);
}

/**
 * The menu's side of a run: the sentence of any error in an alert, else a toast and the sidebar.
 * @param {boolean} write
 */
function runFromMenu_(write) {
  const ss = SpreadsheetApp.getActive();
  const state = runSync_(ss, { write, trigger: 'menu' });
  if (state.error) {
    SpreadsheetApp.getUi().alert(state.error);
    return;
  }
  if (state.sync) ss.toast(syncToast_(state.lang, state.sync));
  showSidebar_(state);
}

/**
 * The toast after a sync: rows skipped matter most, then whether anything was written.
 * @param {string} lang
 * @param {{cells: number, moved: number}} sync
 */
function syncToast_(lang, sync) {
  if (sync.moved) return t_(lang, 'addon.sync.moved', { rows: sync.moved });
  if (!sync.cells) return t_(lang, 'addon.sync.nothing');
  return t_(lang, 'addon.sync.done', { cells: sync.cells });
}

/**
 * One round trip on `ss`, under the document lock; never touches the UI. Returns the sidebar's state; a
 * failure the user should read comes back as `error` (one sentence, nothing written); a bug is thrown.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {{write: boolean, trigger?: string, lang?: string}} opts
 * @returns {{lang: string, report: *, dashboard: *, error: string|null, sync: {cells: number, moved: number, at: string}|null, snapshotHeaders: Object<string, Array<*>>}}
 */
function runSync_(ss, opts) {
  // A document lock: two syncs of one workbook never interleave their reads and writes (the user's and the
  // nightly one, or two editors). LockService.getDocumentLock() is null outside a document; an add-on always
  // runs in one, but then fall back to the script's lock rather than running unguarded.
  const lock = LockService.getDocumentLock() || LockService.getScriptLock();
  const locked = lock.tryLock(SYNC_LOCK_WAIT_MS_);
  const state = { lang: opts.lang || 'en', report: null, dashboard: null, error: null, sync: null, snapshotHeaders: {} };
  try {
    // The tabs are listed under the lock: another sync may just have created one.
    const sheets = ss.getSheets();
    state.lang = opts.lang || workbookLang_(sheets.map((s) => s.getName()), ss.getSpreadsheetLocale());
    if (!locked) throw userError_(t_(state.lang, 'addon.error.busy'), 'addon.error.busy');
    Object.assign(state, roundTrip_(ss, sheets, state.lang, opts));
  } catch (e) {
    const sentence = userSentence_(e);
    if (sentence === null) throw e;
    state.error = sentence;
  } finally {
    if (locked) lock.releaseLock();
  }
  return state;
}

/**
 * Read, ask, write (throws user errors).
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {GoogleAppsScript.Spreadsheet.Sheet[]} sheets
 * @param {string} lang
 * @param {{write: boolean, trigger?: string}} opts
 */
function roundTrip_(ss, sheets, lang, opts) {
  const names = sheets.map((s) => s.getName());
  if (!isOkrsyncWorkbook_(names)) throw userError_(t_(lang, 'addon.error.not_okrsync'), 'addon.error.not_okrsync');
  const config = serviceConfig_(lang, PropertiesService.getScriptProperties());
  const { reads, snapshot } = readWorkbook_(ss, sheets);
  /** @type {Object<string, *>} */
  const body = { snapshot, write: !!opts.write, trigger: opts.trigger || 'menu' };
  if (config.asOf) body.as_of = config.asOf;
  const answer = postJson_(config.url + '/api/addon/sync', body, lang);
  if (!answer || typeof answer !== 'object' || !answer.report) {
    throw userError_(t_(lang, 'addon.error.unexpected', { status: 200 }), 'addon.error.unexpected');
  }
  let sync = null;
  if (opts.write) {
    const plan = answer.plan || { cells: [], computed: {}, tabs: [] };
    const problem = planProblem_(plan);
    if (problem) throw userError_(t_(lang, 'addon.error.bad_plan', { where: problem }), 'addon.error.bad_plan');
    const applied = applyPlan_(ss, sheets, plan, reads);
    // Counted as the report counts a plan (the CLI's "cells written"), less the cells of rows that moved.
    const skipped = (plan.cells || []).length - applied.planned;
    sync = { cells: Math.max(0, answer.report.writes.cells - skipped), moved: applied.moved, at: new Date().toISOString() };
  }
  return { report: answer.report, dashboard: answer.dashboard || null, sync, snapshotHeaders: snapshotHeaders_(snapshot) };
}

/**
 * The okrsync tabs as read, and the snapshot of PROTOCOL.md made of them (dates as days in the spreadsheet's
 * time zone).
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {GoogleAppsScript.Spreadsheet.Sheet[]} sheets
 */
function readWorkbook_(ss, sheets) {
  const reads = readTabs_(sheets);
  const zone = ss.getSpreadsheetTimeZone();
  const dayOf = (d) => Utilities.formatDate(d, zone, 'yyyy-MM-dd');
  const where = { id: ss.getId(), title: ss.getName(), locale: ss.getSpreadsheetLocale(), time_zone: zone };
  return { reads, snapshot: buildSnapshot_(where, reads, dayOf) };
}

/**
 * The okrsync tabs' values and number formats, in tab order: the Settings tab first (it names the check-in
 * tabs), then the others; per tab one getDataRange, one getValues, one getNumberFormats.
 * @param {GoogleAppsScript.Spreadsheet.Sheet[]} sheets
 * @returns {Array<{name: string, values: Array<Array<*>>, formats: Array<Array<string>>}>}
 */
function readTabs_(sheets) {
  const names = sheets.map((s) => s.getName());
  /** @type {Object<string, {name: string, values: Array<Array<*>>, formats: Array<Array<string>>}>} */
  const byName = {};
  const read = (sheet) => {
    const range = sheet.getDataRange();
    byName[sheet.getName()] = { name: sheet.getName(), values: range.getValues(), formats: range.getNumberFormats() };
  };
  const settings = settingsTabName_(names);
  if (settings) read(sheets[names.indexOf(settings)]);
  const wanted = okrsyncTabs_(names, settings ? byName[settings].values : []);
  wanted.forEach((name) => { if (!byName[name]) read(sheets[names.indexOf(name)]); });
  return wanted.map((name) => byName[name]);
}

/**
 * Writes the plan: people's tabs re-read (values and formulas, one range each) and written in few
 * rectangles, only on rows still in place; service tabs each replaced from A1 in one setValues.
 * SpreadsheetApp.flush() before the lock is released, so the next sync reads what this one wrote.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {GoogleAppsScript.Spreadsheet.Sheet[]} sheets
 * @param {*} plan
 * @param {Array<{name: string, values: Array<Array<*>>}>} reads
 * @returns {{planned: number, moved: number}} planned: the plan's cells written; moved: rows skipped
 */
function applyPlan_(ss, sheets, plan, reads) {
  /** @type {Object<string, GoogleAppsScript.Spreadsheet.Sheet>} */
  const byName = {};
  sheets.forEach((s) => { byName[s.getName()] = s; });
  renderNewTabs_(ss, plan.new_tabs || []);
  let planned = 0;
  let moved = 0;
  let written = 0;
  cellsByTab_(plan.cells).forEach((group) => {
    const sheet = byName[group.tab];
    const read = reads.find((r) => r.name === group.tab);
    if (!sheet || !read) {
      // The tab was renamed or deleted since the read: every row of it moved.
      moved += group.cells.filter((c, i, all) => all.findIndex((x) => x.row === c.row) === i).length;
      return;
    }
    // Room to type below the rows in use, as the Google backend keeps it: rows go in below the last used row,
    // so no row in use moves; before the re-read, which the writes follow as closely as they can.
    const used = plan.room ? sheet.getLastRow() : 0;
    const grow = peopleTabGrowth_(plan.room, used, sheet.getMaxRows());
    if (grow) growSheet_(sheet, used, grow);
    const range = sheet.getDataRange();
    const done = tabWrites_(group.tab, group.cells, plan.computed[group.tab], read.values, range.getValues(),
      range.getFormulas(), sheet.getMaxRows());
    planned += done.cells;
    moved += done.moved.length;
    // Written right after its re-read, so a person has the least time to move a row in between.
    done.writes.forEach((w) => sheet.getRange(w.row, w.col, w.values.length, w.values[0].length).setValues(w.values));
    written += done.writes.length;
  });
  writeServiceTabs_(ss, plan);
  if (written || (plan.tabs || []).length) SpreadsheetApp.flush();
  return { planned, moved };
}

/**
 * The tabs the plan lays out (a team typed into Settings without one, the organisation's check-in tab or a people
 * table in a workbook made before it had one), drawn as the set-up draws them, where a new workbook has them; a
 * tab that exists stays.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {LayoutTab[]} tabs
 */
function renderNewTabs_(ss, tabs) {
  const fresh = tabs.filter((tab) => !ss.getSheetByName(tab.name));
  if (!fresh.length) return;
  insertTabs_(ss, fresh);
}

/**
 * The plan's service tabs, each rewritten from A1 in one setValues (a tab a person deleted comes back), then
 * its charts, redrawn only where they no longer cover what they should (a team was added).
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {{tabs?: Array<{name: string, values: Array<Array<*>>}>, charts?: LayoutChart[], room?: Room}} plan
 */
function writeServiceTabs_(ss, plan) {
  (plan.tabs || []).forEach((tab) => {
    const write = serviceTabWrite_(tab);
    if (!write) return;
    const found = ss.getSheetByName(tab.name);
    const sheet = found || ss.insertSheet(tab.name);
    fitSheet_(sheet, write.values.length, write.values[0].length, plan.room, !found);
    sheet.getRange(1, 1, write.values.length, write.values[0].length).setValues(write.values);
  });
  ensureCharts_(ss, plan.charts || []);
}

/**
 * Makes a service tab hold at least rows × cols (setValues refuses a range beyond the grid), as the Google
 * backend does: a tab made now gets its rows and their room; one too small grows below what it holds.
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {number} rows
 * @param {number} cols
 * @param {Room|undefined} room
 * @param {boolean} fresh just inserted (Apps Script's default size)
 */
function fitSheet_(sheet, rows, cols, room, fresh) {
  if (fresh && room) resizeSheet_(sheet, rows + roomFor_(room, rows, true), Math.max(cols, sheet.getMaxColumns()));
  const grow = serviceTabGrowth_(room, rows, sheet.getMaxRows());
  if (grow) growSheet_(sheet, sheet.getLastRow(), grow);
  const maxCols = sheet.getMaxColumns();
  if (cols > maxCols) sheet.insertColumnsAfter(maxCols, cols - maxCols);
}

/**
 * Inserts `count` rows below row `after` (0: at the top) that look like the tab's free rows: the number formats
 * and dropdowns of the free row below them, else (the tab was full) of row `after`, never of the header.
 * Colour rules and protections are laid open-ended (`A2:I`) and cover the new rows by themselves. Apps Script's
 * Sheet.insertRowsAfter reference says nothing of what new rows inherit
 * (https://developers.google.com/apps-script/reference/spreadsheet/sheet#insertrowsafterafterposition,-howmany),
 * so the looks are pasted: CopyPasteType PASTE_FORMAT is "the format only" and PASTE_DATA_VALIDATION "the data
 * validation only" (https://developers.google.com/apps-script/reference/spreadsheet/copy-paste-type); a one-row
 * source repeats down a taller destination, as the Sheets API's copyPaste does ("If the range covers a span
 * that's a multiple of the source's height … the data will be repeated",
 * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#copypasterequest).
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {number} after
 * @param {number} count
 */
function growSheet_(sheet, after, count) {
  const before = sheet.getMaxRows();
  if (after > 0) sheet.insertRowsAfter(after, count);
  else sheet.insertRowsBefore(1, count);
  const model = after < before ? after + count + 1 : after;
  if (model <= 1) return;
  const cols = sheet.getMaxColumns();
  const source = sheet.getRange(model, 1, 1, cols);
  const target = sheet.getRange(after + 1, 1, count, cols);
  source.copyTo(target, SpreadsheetApp.CopyPasteType.PASTE_FORMAT, false);
  source.copyTo(target, SpreadsheetApp.CopyPasteType.PASTE_DATA_VALIDATION, false);
}
