// @ts-check
// The snapshot the service evaluates (PROTOCOL.md "Snapshot"): which tabs of the spreadsheet are okrsync's, and
// their cells in the wire encoding. Pure functions here; reading the sheets is in Sync.js.

/**
 * Every name, in either language, of the template tabs the engine reads (CATALOG_.synced_tabs).
 * @returns {string[]}
 */
function fixedTabNames_() {
  const out = [];
  CATALOG_.synced_tabs.forEach((key) => {
    CATALOG_.languages.forEach((lang) => out.push(CATALOG_.tabs[key][lang]));
  });
  return out;
}

/** Whether a tab name starts with a check-in prefix in either language. */
function isCheckinTab_(name) {
  return CATALOG_.languages.some((lang) => String(name).indexOf(CATALOG_.checkin_prefix[lang]) === 0);
}

/** The Settings tab's name among `names`, in either language, or null. */
function settingsTabName_(names) {
  const settings = CATALOG_.tabs.settings;
  for (const lang of CATALOG_.languages) if (names.indexOf(settings[lang]) >= 0) return settings[lang];
  return null;
}

/**
 * Whether a spreadsheet with these tabs is an okrsync workbook at all: a Settings or an OKRs tab in either
 * language. Without one the service has nothing to evaluate.
 * @param {string[]} names
 * @returns {boolean}
 */
function isOkrsyncWorkbook_(names) {
  const wanted = ['settings', 'okrs'];
  return wanted.some((key) => CATALOG_.languages.some((lang) => names.indexOf(CATALOG_.tabs[key][lang]) >= 0));
}

/**
 * The tabs to read, in the spreadsheet's order (PROTOCOL.md): a fixed okrsync tab in either language, a
 * check-in tab by its prefix, or a tab named by a text cell of the Settings tab (its teams table names each
 * team's check-in tab, which people may have renamed). Read me is never read.
 * @param {string[]} names every tab of the spreadsheet, in order
 * @param {Array<Array<*>>} settingsValues the Settings tab's values ([] when there is none)
 * @returns {string[]}
 */
function okrsyncTabs_(names, settingsValues) {
  const fixed = fixedTabNames_();
  /** @type {Object<string, boolean>} */
  const named = {};
  (settingsValues || []).forEach((row) => row.forEach((cell) => {
    if (typeof cell === 'string' && cell.trim()) named[cell.trim()] = true;
  }));
  return names.filter((name) => fixed.indexOf(name) >= 0 || isCheckinTab_(name) || named[name] === true);
}

/**
 * A cell as the wire carries it: a date as {"date": "YYYY-MM-DD"} (its day in the spreadsheet's time zone,
 * from `dayOf`), "" as null, anything else as it is.
 * @param {*} value
 * @param {function(Date): string} dayOf
 * @returns {*}
 */
function wireCell_(value, dayOf) {
  if (value === '' || value === null || value === undefined) return null;
  if (isDate_(value)) return { date: dayOf(value) };
  return value;
}

/**
 * Whether `value` is a Date. Values from getValues() may come from another realm (another global scope in
 * tests), where `instanceof Date` is false.
 * @param {*} value
 * @returns {value is Date}
 */
function isDate_(value) {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/**
 * One tab of the snapshot from what getValues()/getNumberFormats() gave: trailing empty cells and rows
 * trimmed; formats kept only for number cells ("" elsewhere, trailing "" trimmed), one format row per value
 * row.
 * @param {string} name
 * @param {Array<Array<*>>} values
 * @param {Array<Array<string>>} formats
 * @param {function(Date): string} dayOf
 * @returns {{name: string, values: Array<Array<*>>, formats: Array<Array<string>>}}
 */
function snapshotTab_(name, values, formats, dayOf) {
  const rows = values.map((row) => trimRow_(row.map((cell) => wireCell_(cell, dayOf)), null));
  while (rows.length && rows[rows.length - 1].length === 0) rows.pop();
  const shown = rows.map((row, r) => trimRow_(row.map((cell, c) => {
    if (typeof cell !== 'number') return '';
    const pattern = formats && formats[r] ? formats[r][c] : '';
    return typeof pattern === 'string' ? pattern : '';
  }), ''));
  return { name, values: rows, formats: shown };
}

/**
 * `row` without its trailing `blank` cells.
 * @template T
 * @param {T[]} row
 * @param {T} blank
 * @returns {T[]}
 */
function trimRow_(row, blank) {
  let end = row.length;
  while (end > 0 && row[end - 1] === blank) end--;
  return row.slice(0, end);
}

/**
 * The whole snapshot (PROTOCOL.md).
 * @param {{id: string, title: string, locale: string, time_zone: string}} spreadsheet
 * @param {Array<{name: string, values: Array<Array<*>>, formats: Array<Array<string>>}>} reads raw reads, in tab order
 * @param {function(Date): string} dayOf
 */
function buildSnapshot_(spreadsheet, reads, dayOf) {
  return {
    spreadsheet,
    tabs: reads.map((read) => snapshotTab_(read.name, read.values, read.formats, dayOf)),
  };
}

/**
 * Each tab's header row as sent (for the sidebar, which names columns as the sheet does).
 * @param {{tabs: Array<{name: string, values: Array<Array<*>>}>}} snapshot
 * @returns {Object<string, Array<*>>}
 */
function snapshotHeaders_(snapshot) {
  /** @type {Object<string, Array<*>>} */
  const out = {};
  snapshot.tabs.forEach((tab) => { out[tab.name] = tab.values.length ? tab.values[0] : []; });
  return out;
}
