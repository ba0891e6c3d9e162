// @ts-check
// Which language the add-on speaks, and its sentences from the catalogue (Catalog.js).

/** `fr`, `fr_CA`, `fr-CH` → `fr`; anything else → `en`. */
function langOfLocale_(locale) {
  return /^fr/i.test(String(locale || '')) ? 'fr' : 'en';
}

/**
 * The workbook's language: the language of its Settings tab (its name, as the engine reads it), else the
 * spreadsheet's locale.
 * @param {string[]} sheetNames
 * @param {string} locale
 * @returns {string}
 */
function workbookLang_(sheetNames, locale) {
  const settings = CATALOG_.tabs.settings;
  for (const lang of CATALOG_.languages) {
    if (sheetNames.indexOf(settings[lang]) >= 0) return lang;
  }
  return langOfLocale_(locale);
}

/**
 * The message `key` in `lang`, its `{placeholders}` filled from `params`.
 * @param {string} lang
 * @param {string} key
 * @param {Object<string, *>=} params
 * @returns {string}
 */
function t_(lang, key, params) {
  const entry = CATALOG_.messages[key];
  if (!entry) throw new Error('No message ' + key + ' in the catalogue');
  const text = entry[lang] || entry.en;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
}

/** Every `addon.*` message whose key starts with `prefix`, in `lang`, keyed by the rest of the key. */
function messagesFor_(lang, prefix) {
  /** @type {Object<string, string>} */
  const out = {};
  Object.keys(CATALOG_.messages).forEach((key) => {
    if (key.indexOf(prefix) === 0) out[key.slice(prefix.length)] = t_(lang, key);
  });
  return out;
}
