// @ts-check
// Setting up a workbook and adding a team: the two menu items that ask the service for a layout and draw it
// with Layout.js. The set-up dialog (Setup.html) calls createWorkbook through google.script.run.

const SETUP_FILE_ = 'Setup';
const SETUP_WIDTH_ = 440;
const SETUP_HEIGHT_ = 520;
/** How long set-up and add-team wait for another script (a sync) to let go of the document. */
const SETUP_LOCK_WAIT_MS_ = 10000;
/** As sync/layout/build.py: `2025-Q1`, `2025-T1`, `2025 q1`… */
const QUARTER_PATTERN_ = /^\s*(\d{4})\s*[-_ ]?\s*[QqTt]([1-4])\s*$/;
/** As sync/layout/build.py: what a tab name cannot hold, its longest name, and the most teams a workbook has. */
const BAD_TAB_CHARS_ = /[:\\/?*[\]]/;
const MAX_TEAM_NAME_ = 80;
const MAX_TEAMS_ = 30;

/**
 * Whether a spreadsheet is blank: every tab without a value (a fresh spreadsheet has one empty tab).
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 */
function isBlank_(ss) {
  return ss.getSheets().every((sheet) => sheet.getLastRow() === 0);
}

/**
 * The quarter of `date` as people of `lang` write it: `2025-T1` in French, `2025-Q1` in English.
 * @param {string} yearMonth `YYYY-MM`
 * @param {string} lang
 */
function quarterLabel_(yearMonth, lang) {
  const year = yearMonth.slice(0, 4);
  const quarter = Math.floor((Number(yearMonth.slice(5, 7)) - 1) / 3) + 1;
  return year + '-' + (lang === 'fr' ? 'T' : 'Q') + quarter;
}

/**
 * What the dialog shows: its sentences and the prefilled quarter in both languages (it relabels itself when
 * the language changes), the language preselected, the limits it checks.
 * @param {string} lang
 * @param {string} yearMonth today's `YYYY-MM` in the spreadsheet's time zone
 */
function setupDialogData_(lang, yearMonth) {
  /** @type {Object<string, *>} */
  const strings = {};
  /** @type {Object<string, string>} */
  const quarters = {};
  CATALOG_.languages.forEach((l) => {
    quarters[l] = quarterLabel_(yearMonth, l);
    strings[l] = messagesFor_(l, 'addon.setup.');
  });
  return { lang, languages: CATALOG_.languages, strings, quarters, maxTeams: MAX_TEAMS_ };
}

/**
 * The set-up form checked, as the provisioning request of PROTOCOL.md, or the problem as a catalogue key and
 * its parameters; the dialog checks the same before sending, this is the server's own check.
 * @param {{lang?: string, organisation?: string, quarter?: string, teams?: string|string[]}} form
 * @returns {{lang: string, request?: {organisation: string, lang: string, quarter: string, teams: string[]},
 *   problem?: {key: string, params?: Object<string, *>}}}
 */
function checkSetupForm_(form) {
  const f = form || {};
  const lang = CATALOG_.languages.indexOf(String(f.lang)) >= 0 ? String(f.lang) : 'en';
  const example = quarterLabel_('2025-01', lang);
  const organisation = String(f.organisation || '').trim();
  const quarter = String(f.quarter || '').trim();
  const lines = Array.isArray(f.teams) ? f.teams : String(f.teams || '').split(/\r?\n/);
  const teams = lines.map((t) => String(t).trim()).filter((t) => t);
  const fail = (key, params) => ({ lang, problem: { key: 'addon.setup.' + key, params } });
  if (!organisation) return fail('no_organisation');
  if (!QUARTER_PATTERN_.test(quarter)) return fail('bad_quarter', { value: quarter, example });
  if (!teams.length) return fail('no_team');
  if (teams.length > MAX_TEAMS_) return fail('too_many_teams', { max: MAX_TEAMS_ });
  const bad = teams.find((t) => t.length > MAX_TEAM_NAME_ || BAD_TAB_CHARS_.test(t));
  if (bad !== undefined) return fail('bad_team', { value: bad });
  const twice = teams.find((t, i) => teams.findIndex((u) => u.toLowerCase() === t.toLowerCase()) !== i);
  if (twice !== undefined) return fail('duplicate_team', { value: twice });
  return { lang, request: { organisation, lang, quarter, teams } };
}

/** Menu item: in a blank spreadsheet, opens the set-up dialog; elsewhere says why not. */
function setUpWorkbook() {
  const ss = SpreadsheetApp.getActive();
  const lang = langOfLocale_(ss.getSpreadsheetLocale());
  const ui = SpreadsheetApp.getUi();
  if (!isBlank_(ss)) {
    ui.alert(t_(lang, 'addon.error.not_blank'));
    return;
  }
  const yearMonth = Utilities.formatDate(new Date(), ss.getSpreadsheetTimeZone(), 'yyyy-MM');
  // HtmlService.createTemplateFromFile / HtmlTemplate.evaluate / Ui.showModalDialog:
  // https://developers.google.com/apps-script/reference/html/html-service
  const template = HtmlService.createTemplateFromFile(SETUP_FILE_);
  template.boot = jsonForScript_(setupDialogData_(lang, yearMonth));
  const output = template.evaluate().setWidth(SETUP_WIDTH_).setHeight(SETUP_HEIGHT_);
  ui.showModalDialog(output, t_(lang, 'addon.setup.title'));
}

/**
 * The dialog's submit: checks the form, asks the service for the layout and draws it. Answers
 * {ok, message}: the confirmation, or one sentence in the form's language saying what went wrong.
 * @param {{lang?: string, organisation?: string, quarter?: string, teams?: string|string[]}} form
 * @returns {{ok: boolean, message: string}}
 */
function createWorkbook(form) {
  const checked = checkSetupForm_(form);
  const lang = checked.lang;
  if (checked.problem) return { ok: false, message: t_(lang, checked.problem.key, checked.problem.params) };
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(SETUP_LOCK_WAIT_MS_)) return { ok: false, message: t_(lang, 'addon.error.busy') };
  try {
    const ss = SpreadsheetApp.getActive();
    // Checked again: someone may have typed while the dialog was open.
    if (!isBlank_(ss)) return { ok: false, message: t_(lang, 'addon.error.not_blank') };
    const answer = callService_('/api/addon/layout', checked.request, lang);
    const layout = answer && answer.layout;
    if (!layout || !Array.isArray(layout.tabs) || !layout.tabs.length) {
      throw userError_(t_(lang, 'addon.error.unexpected', { status: 200 }), 'addon.error.unexpected');
    }
    renderLayout_(ss, layout);
    SpreadsheetApp.flush();
    return { ok: true, message: t_(lang, 'addon.setup.done', { title: layout.title, tabs: layout.tabs.length }) };
  } catch (e) {
    const sentence = userSentence_(e);
    if (sentence === null) throw e;
    return { ok: false, message: sentence };
  } finally {
    lock.releaseLock();
  }
}

/** Menu item: asks the new team's name, then adds its check-in tab, its Settings row and its Lists column. */
function addTeam() {
  const ss = SpreadsheetApp.getActive();
  const lang = activeLang_();
  const ui = SpreadsheetApp.getUi();
  if (!isOkrsyncWorkbook_(ss.getSheets().map((s) => s.getName()))) {
    ui.alert(t_(lang, 'addon.error.not_okrsync'));
    return;
  }
  const answer = ui.prompt(t_(lang, 'addon.team.prompt_title'), t_(lang, 'addon.team.prompt'), ui.ButtonSet.OK_CANCEL);
  if (answer.getSelectedButton() !== ui.Button.OK) return;
  const name = answer.getResponseText().trim();
  if (!name) {
    ui.alert(t_(lang, 'addon.team.empty'));
    return;
  }
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(SETUP_LOCK_WAIT_MS_)) {
    ui.alert(t_(lang, 'addon.error.busy'));
    return;
  }
  let message;
  try {
    message = addTeamLocked_(ss, name, lang);
  } catch (e) {
    message = userSentence_(e);
    if (message === null) throw e;
  } finally {
    lock.releaseLock();
  }
  ui.alert(message);
}

/**
 * Adding a team, the document lock held: the snapshot to the service, then its new tab drawn after the last
 * team's, the Lists tab rewritten and the team's Settings cells written. Checked beforehand, so that nothing is
 * written at all otherwise: the tab's name is free (a person may have made one since the snapshot) and the
 * Settings cells are empty (a person's cell is never overwritten). Returns the confirmation.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 * @param {string} name
 * @param {string} lang
 * @returns {string}
 */
function addTeamLocked_(ss, name, lang) {
  const answer = callService_('/api/addon/team', { snapshot: readWorkbook_(ss, ss.getSheets()).snapshot, team: { name } }, lang);
  const tabs = answer && Array.isArray(answer.tabs) ? answer.tabs : null;
  const plan = (answer && answer.plan) || { cells: [], tabs: [] };
  if (!tabs || !tabs.length) throw userError_(t_(lang, 'addon.error.unexpected', { status: 200 }), 'addon.error.unexpected');
  const writes = rowWrites_(plan.cells).map((w) => {
    const sheet = ss.getSheetByName(w.tab);
    if (!sheet) throw userError_(t_(lang, 'addon.error.unexpected', { status: 200 }), 'addon.error.unexpected');
    return Object.assign({ range: sheet.getRange(w.row, w.col, 1, w.values.length) }, w);
  });
  const taken = tabs.find((tab) => ss.getSheetByName(tab.name));
  if (taken) throw userError_(t_(lang, 'addon.team.tab_exists', { tab: taken.name }), 'addon.team.tab_exists');
  writes.forEach((w) => {
    const held = w.range.getValues()[0];
    const taken = held.findIndex((v) => v !== '' && v !== null);
    if (taken >= 0) {
      const cell = a1Of_(w.row, w.col + taken);
      throw userError_(t_(lang, 'addon.team.cell_taken', { tab: w.tab, cell }), 'addon.team.cell_taken');
    }
  });
  insertTabs_(ss, tabs);
  writeServiceTabs_(ss, plan);
  writes.forEach((w) => w.range.setValues([w.values]));
  SpreadsheetApp.flush();
  return t_(lang, 'addon.team.added', { team: name, tab: tabs.map((t) => t.name).join(', ') });
}

/**
 * The plan's cells as runs of adjacent cells on one row, each one setValues: [{tab, row, col, values}].
 * @param {Array<{tab: string, row: number, col: number, value: *}>} cells
 * @returns {Array<{tab: string, row: number, col: number, values: Array<*>}>}
 */
function rowWrites_(cells) {
  const sorted = (cells || []).slice().sort((a, b) => (a.tab < b.tab ? -1 : a.tab > b.tab ? 1 : a.row - b.row || a.col - b.col));
  /** @type {Array<{tab: string, row: number, col: number, values: Array<*>}>} */
  const runs = [];
  sorted.forEach((cell) => {
    const last = runs[runs.length - 1];
    if (last && last.tab === cell.tab && last.row === cell.row && last.col + last.values.length === cell.col) {
      last.values.push(writable_(cell.value));
    } else {
      runs.push({ tab: cell.tab, row: cell.row, col: cell.col, values: [writable_(cell.value)] });
    }
  });
  return runs;
}
