// @ts-check
// Sync every night: one daily time-driven trigger per user and workbook, and its handler, which syncs without
// any UI and records how it went in the document's properties for the sidebar to show.
//
// What Google documents for editor add-ons
// (https://developers.google.com/workspace/add-ons/concepts/editor-triggers#restrictions_2):
// - "Each add-on can only have one trigger of each type, per user, per document": one time-driven trigger per
//   user per spreadsheet, so a second create() for the same user and document fails. Another user of the
//   same spreadsheet may have their own.
// - "Add-ons can only create triggers for the file in which the add-on is used"; time-driven triggers run at
//   most once an hour; add-on triggers send no error e-mail: failures are ours to record (here).
// - ScriptApp.getUserTriggers(spreadsheet) "gets all installable triggers owned by this user in the given
//   spreadsheet, for this script or add-on only" (reference/script/script-app#getUserTriggers(Spreadsheet));
//   a user never sees another user's triggers (guides/triggers/installable#restrictions).
// - The time-driven event object holds authMode, the date and time fields and triggerUid, but no `source`
//   (guides/triggers/events#time-driven_events), and SpreadsheetApp.getActive() "returns the currently
//   active spreadsheet, or null if there is none"; whether an editor add-on's clock trigger runs with its
//   spreadsheet active is NOT documented. So nightlySync takes getActive() when it is there and, when it is
//   not, cannot open the workbook: SpreadsheetApp.openById needs the `spreadsheets` scope and this add-on
//   asks only for `spreadsheets.currentonly`. It then records the failure where it can still write: the
//   user's properties, keyed by the spreadsheet ID stored when the trigger was installed (found through the
//   event's triggerUid); the sidebar shows it the next time the workbook is opened.
// - PropertiesService.getDocumentProperties() returns null when there is no document to hold them.

const NIGHTLY_HANDLER_ = 'nightlySync';
/** The hour (0-23, in the spreadsheet's time zone) Apps Script runs the trigger in; it picks the minute. */
const NIGHTLY_HOUR_ = 2;
/** Document property: who turned the nightly sync on, as JSON {email: {zone, hour, since}}. */
const NIGHTLY_USERS_KEY_ = 'okrsync.nightly.users';
/** Document property: the last nightly run, as JSON {at, outcome, message, cells}. */
const NIGHTLY_LAST_KEY_ = 'okrsync.nightly.last';
/** User property + trigger ID: the spreadsheet that trigger was installed in, as JSON {spreadsheetId, lang}. */
const NIGHTLY_TRIGGER_KEY_ = 'okrsync.nightly.trigger.';
/** User property + spreadsheet ID: the last run recorded when the spreadsheet itself could not be reached. */
const NIGHTLY_ORPHAN_KEY_ = 'okrsync.nightly.last.';

/**
 * JSON from a property, or `fallback` when it is absent or unreadable.
 * @param {?GoogleAppsScript.Properties.Properties} props
 * @param {string} key
 * @param {*} fallback
 */
function readJsonProperty_(props, key, fallback) {
  const text = props ? props.getProperty(key) : null;
  if (!text) return fallback;
  try {
    return JSON.parse(text);
  } catch (err) {
    return fallback;
  }
}

/**
 * The user's triggers of the nightly sync in `ss`: the ones calling nightlySync, and any other time-driven
 * one of this add-on there (an older version's, under another name), since an add-on may hold only one.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 */
function nightlyTriggers_(ss) {
  return ScriptApp.getUserTriggers(ss).filter((t) => t.getHandlerFunction() === NIGHTLY_HANDLER_
    || t.getEventType() === ScriptApp.EventType.CLOCK);
}

/** The effective user's e-mail address, or '' when Apps Script does not tell. */
function userEmail_() {
  try {
    return Session.getEffectiveUser().getEmail() || '';
  } catch (err) {
    return '';
  }
}

/**
 * The outcome of one nightly run as it is recorded.
 * @param {*} state what runSync_ answered (null when it threw)
 * @param {?string} failure a sentence, when the run failed before or outside runSync_
 * @param {Date} at
 * @returns {{at: string, outcome: string, message: ?string, cells: number}}
 */
function nightlyOutcome_(state, failure, at) {
  const message = failure || (state && state.error) || null;
  const cells = !message && state && state.sync ? Number(state.sync.cells) || 0 : 0;
  return { at: at.toISOString(), outcome: message ? 'failed' : 'ok', message, cells };
}

/**
 * The latest of recorded outcomes (ISO `at` strings sort as moments), or null.
 * @param {Array<*>} outcomes
 */
function latestOutcome_(outcomes) {
  return outcomes.filter((o) => o && o.at).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0] || null;
}

/**
 * The nightly sync's status for the sidebar: on for this user (their trigger exists), on for someone else
 * (recorded in the document, their trigger invisible to us), or off; and the last run, its moment in the
 * spreadsheet's zone.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} ss
 */
function nightlyStatus_(ss) {
  const zone = ss.getSpreadsheetTimeZone();
  const doc = PropertiesService.getDocumentProperties();
  const users = readJsonProperty_(doc, NIGHTLY_USERS_KEY_, {});
  const me = userEmail_();
  const mine = nightlyTriggers_(ss).length > 0;
  const others = Object.keys(users).filter((email) => email !== me);
  const owner = mine ? users[me] : others.length ? users[others[0]] : null;
  const last = latestOutcome_([readJsonProperty_(doc, NIGHTLY_LAST_KEY_, null),
    readJsonProperty_(PropertiesService.getUserProperties(), NIGHTLY_ORPHAN_KEY_ + ss.getId(), null)]);
  return {
    on: mine || others.length > 0, mine, who: mine ? null : others[0] || null,
    hour: owner && typeof owner.hour === 'number' ? owner.hour : NIGHTLY_HOUR_,
    zone: (owner && owner.zone) || zone,
    last: last ? { at: whenText_(last.at, zone), outcome: last.outcome, message: last.message || null, cells: last.cells || 0 } : null,
  };
}

/**
 * Menu item: turns this user's nightly sync of the workbook on (one daily trigger near 2 a.m. in the
 * spreadsheet's time zone) or off (every trigger of it removed, a stale duplicate included), and says which
 * in one sentence. Reference: ClockTriggerBuilder everyDays/atHour/inTimezone
 * (https://developers.google.com/apps-script/reference/script/clock-trigger-builder).
 */
function toggleNightly() {
  const ss = SpreadsheetApp.getActive();
  const lang = sidebarLang_(null, ss);
  const zone = ss.getSpreadsheetTimeZone();
  const doc = PropertiesService.getDocumentProperties();
  const user = PropertiesService.getUserProperties();
  const users = readJsonProperty_(doc, NIGHTLY_USERS_KEY_, {});
  const me = userEmail_();
  const existing = nightlyTriggers_(ss);
  let sentence;
  if (existing.length) {
    existing.forEach((trigger) => {
      user.deleteProperty(NIGHTLY_TRIGGER_KEY_ + trigger.getUniqueId());
      ScriptApp.deleteTrigger(trigger);
    });
    delete users[me];
    sentence = t_(lang, 'addon.nightly.off');
  } else {
    const trigger = ScriptApp.newTrigger(NIGHTLY_HANDLER_).timeBased().everyDays(1).atHour(NIGHTLY_HOUR_)
      .inTimezone(zone).create();
    user.setProperty(NIGHTLY_TRIGGER_KEY_ + trigger.getUniqueId(), JSON.stringify({ spreadsheetId: ss.getId(), lang }));
    users[me] = { zone, hour: NIGHTLY_HOUR_, since: new Date().toISOString() };
    sentence = t_(lang, 'addon.nightly.on', { hour: t_(lang, 'addon.sidebar.hour', { hour: NIGHTLY_HOUR_ }), zone });
  }
  if (Object.keys(users).length) doc.setProperty(NIGHTLY_USERS_KEY_, JSON.stringify(users));
  else doc.deleteProperty(NIGHTLY_USERS_KEY_);
  SpreadsheetApp.getUi().alert(sentence);
  return sentence;
}

/**
 * The trigger's handler: a sync that writes, with no UI (no alert, no sidebar: nobody is looking), its
 * outcome recorded in the document's properties. It never throws: add-on triggers e-mail nobody, so a
 * failure is recorded and logged with console.error instead.
 * @param {GoogleAppsScript.Events.TimeDriven=} e
 */
function nightlySync(e) {
  const at = new Date();
  const uid = e && e.triggerUid ? String(e.triggerUid) : '';
  let installed = null;
  try {
    installed = uid ? readJsonProperty_(PropertiesService.getUserProperties(), NIGHTLY_TRIGGER_KEY_ + uid, null) : null;
  } catch (err) {
    installed = null;
  }
  let ss = null;
  try {
    ss = SpreadsheetApp.getActive();
  } catch (err) {
    ss = null;
  }
  if (!ss) {
    nightlyOrphan_(installed, at);
    return null;
  }
  let outcome;
  let lang = installed && installed.lang ? installed.lang : 'en';
  try {
    lang = sidebarLang_(null, ss);
    outcome = nightlyOutcome_(runSync_(ss, { write: true, trigger: 'nightly', lang }), null, at);
  } catch (err) {
    console.error('okrsync nightly sync failed: ' + (err && err.stack ? err.stack : err));
    outcome = nightlyOutcome_(null, t_(lang, 'addon.nightly.crashed', { message: err && err.message ? err.message : String(err) }), at);
  }
  if (outcome.outcome === 'failed') console.error('okrsync nightly sync: ' + outcome.message);
  try {
    const doc = PropertiesService.getDocumentProperties();
    if (doc) doc.setProperty(NIGHTLY_LAST_KEY_, JSON.stringify(outcome));
    else nightlyOrphan_(installed || { spreadsheetId: ss.getId(), lang }, at, outcome);
  } catch (err) {
    console.error('okrsync nightly sync: could not record the outcome: ' + (err && err.stack ? err.stack : err));
  }
  return outcome;
}

/**
 * No spreadsheet in this run: nothing can be synced (see the head of this file). The failure goes to the
 * user's properties under the spreadsheet's ID when the trigger's installation is known, and to the log.
 * @param {?{spreadsheetId?: string, lang?: string}} installed
 * @param {Date} at
 * @param {Object=} outcome what to record instead of "could not open the workbook"
 */
function nightlyOrphan_(installed, at, outcome) {
  const lang = installed && installed.lang ? installed.lang : 'en';
  const record = outcome || nightlyOutcome_(null, t_(lang, 'addon.nightly.no_workbook'), at);
  console.error('okrsync nightly sync: no active spreadsheet' + (installed && installed.spreadsheetId ? ' (' + installed.spreadsheetId + ')' : ''));
  if (!installed || !installed.spreadsheetId) return;
  try {
    PropertiesService.getUserProperties().setProperty(NIGHTLY_ORPHAN_KEY_ + installed.spreadsheetId, JSON.stringify(record));
  } catch (err) {
    console.error('okrsync nightly sync: could not record the outcome: ' + err);
  }
}
