// @ts-check
// The OKR menu: built when the spreadsheet opens, in the workbook's language.

/** Menu items in order: the catalogue key under `addon.menu.` and the global function each one runs. */
const MENU_ITEMS_ = [
  ['set_up', 'setUpWorkbook'],
  ['sync', 'syncNow'],
  ['validate', 'validateNow'],
  ['dashboard', 'showDashboard'],
  ['add_team', 'addTeam'],
  ['nightly', 'toggleNightly'],
];

/**
 * Adds the menu. In AuthMode.NONE (the add-on not yet authorised in this document) Apps Script refuses
 * every service that needs authorisation, the spreadsheet included, so the language then comes from the
 * user's locale and nothing else is touched.
 * @param {GoogleAppsScript.Events.SheetsOnOpen=} e
 */
function onOpen(e) {
  const limited = e && e.authMode === ScriptApp.AuthMode.NONE;
  const lang = limited ? langOfLocale_(Session.getActiveUserLocale()) : activeLang_();
  const menu = SpreadsheetApp.getUi().createAddonMenu();
  MENU_ITEMS_.forEach((item) => menu.addItem(t_(lang, 'addon.menu.' + item[0]), item[1]));
  menu.addToUi();
}

/**
 * Installing the add-on from within a spreadsheet opens it there: the menu appears at once.
 * @param {GoogleAppsScript.Events.AddonOnInstall=} e
 */
function onInstall(e) {
  onOpen(/** @type {*} */ (e));
}

/** The active workbook's language (see workbookLang_). */
function activeLang_() {
  const ss = SpreadsheetApp.getActive();
  return workbookLang_(ss.getSheets().map((s) => s.getName()), ss.getSpreadsheetLocale());
}
