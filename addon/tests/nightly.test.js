'use strict';
// Sync every night: the menu item installs or removes one daily trigger; the handler syncs with no UI,
// records how it went and never throws.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');

/** A French workbook in Paris (not the script's America/Montreal): the trigger must take the spreadsheet's zone. */
function workbook(opts = {}) {
  const logged = [];
  const env = load({ spreadsheetOptions: { timeZone: 'Europe/Paris', id: 'ss-42' },
    globals: { console: { error: (m) => logged.push(String(m)), log() {}, warn() {} } }, ...opts });
  if (env.ss) env.ss.insertSheet('Réglages');
  env.logged = logged;
  return env;
}

function json(props, key) {
  const text = props.getProperty(key);
  return text === null ? null : JSON.parse(text);
}

test('turning it on installs exactly one daily trigger at 2 a.m. in the spreadsheet time zone, and says so', () => {
  const env = workbook();
  const said = env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 1);
  const [trigger] = env.script.triggers;
  assert.equal(trigger.getHandlerFunction(), 'nightlySync');
  assert.deepEqual(trigger.spec, { kind: 'clock', everyDays: 1, atHour: 2, timeZone: 'Europe/Paris' });
  assert.ok(trigger.spec.atHour >= 0 && trigger.spec.atHour < 6, 'at night');
  assert.equal(said, 'Synchronisation chaque nuit activée : okrsync synchronisera ce classeur chaque nuit vers 2\u00a0h (Europe/Paris), en votre nom.');
  assert.deepEqual(env.ui.alerts, [{ message: said }]);
  // What the handler needs if it runs without an active spreadsheet: which one it was installed in.
  assert.deepEqual(json(env.properties.user, 'okrsync.nightly.trigger.' + trigger.getUniqueId()), { spreadsheetId: 'ss-42', lang: 'fr' });
  const users = json(env.properties.document, 'okrsync.nightly.users');
  assert.deepEqual(Object.keys(users), ['ana@acme.example']);
  assert.equal(users['ana@acme.example'].zone, 'Europe/Paris');
  const status = plain(env.ctx.nightlyStatus_(env.ss));
  assert.deepEqual(status, { on: true, mine: true, who: null, hour: 2, zone: 'Europe/Paris', last: null });
});

test('toggling twice removes the trigger and what it recorded', () => {
  const env = workbook();
  env.ctx.toggleNightly();
  const uid = env.script.triggers[0].getUniqueId();
  const said = env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 0);
  assert.equal(said, "Synchronisation chaque nuit désactivée : ce classeur ne sera synchronisé qu'à votre demande.");
  assert.equal(env.ui.alerts.length, 2);
  assert.equal(env.properties.user.getProperty('okrsync.nightly.trigger.' + uid), null);
  assert.equal(env.properties.document.getProperty('okrsync.nightly.users'), null);
  assert.equal(plain(env.ctx.nightlyStatus_(env.ss)).on, false);
  // And on again: one trigger, never two.
  env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 1);
});

test('a stale duplicate (a second trigger, or an older version\'s clock trigger) is cleaned, then one comes back', () => {
  const env = workbook();
  env.script.newTrigger('nightlySync').timeBased().everyDays(1).atHour(2).create();
  env.script.newTrigger('nightlySync').timeBased().everyDays(1).atHour(3).create();
  env.script.newTrigger('okrsyncNightly').timeBased().everyHours(12).create();
  assert.equal(plain(env.ctx.nightlyStatus_(env.ss)).on, true);
  const off = env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 0, 'every trigger of the nightly sync is removed');
  assert.match(off, /désactivée/);
  env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 1);
  assert.equal(env.script.triggers[0].getHandlerFunction(), 'nightlySync');
});

test('English workbook: the sentence is English', () => {
  const env = load({ spreadsheetOptions: { timeZone: 'America/Vancouver' } });
  env.ss.insertSheet('Settings');
  assert.equal(env.ctx.toggleNightly(),
    'Sync every night is on: okrsync will sync this workbook every night around 2\u00a0a.m. (America/Vancouver), on your behalf.');
  assert.equal(env.script.triggers[0].spec.timeZone, 'America/Vancouver');
});

test('nightlySync syncs with write and trigger "nightly", touches no UI, and records an ok outcome', () => {
  const env = workbook();
  env.ctx.toggleNightly();
  env.ui.alerts.length = 0;
  env.noUi = true;
  const calls = [];
  env.ctx.runSync_ = (ss, opts) => {
    calls.push(Object.assign({ same: ss === env.ss }, opts));
    return { lang: 'fr', report: {}, dashboard: {}, error: null, sync: { cells: 12, moved: 0, at: '2025-02-14T01:07:00.000Z' }, snapshotHeaders: {} };
  };
  const outcome = plain(env.ctx.nightlySync({ triggerUid: env.script.triggers[0].getUniqueId(), authMode: 'FULL' }));
  assert.deepEqual(calls, [{ same: true, write: true, trigger: 'nightly', lang: 'fr' }]);
  assert.equal(outcome.outcome, 'ok');
  assert.equal(outcome.cells, 12);
  assert.equal(outcome.message, null);
  assert.match(outcome.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(json(env.properties.document, 'okrsync.nightly.last'), outcome);
  assert.equal(env.ui.alerts.length + env.ui.sidebars.length + env.ui.dialogs.length, 0);
  assert.deepEqual(env.logged, []);
  const status = plain(env.ctx.nightlyStatus_(env.ss));
  assert.equal(status.last.outcome, 'ok');
  assert.equal(status.last.cells, 12);
  assert.match(status.last.at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
});

test('nightlySync records a failed outcome with the sentence, logs it, and does not throw', () => {
  const env = workbook();
  env.noUi = true;
  env.ctx.runSync_ = () => ({ lang: 'fr', report: null, dashboard: null, error: 'Le service okrsync n\'a pas répondu à temps.', sync: null, snapshotHeaders: {} });
  const outcome = plain(env.ctx.nightlySync({}));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.message, 'Le service okrsync n\'a pas répondu à temps.');
  assert.equal(outcome.cells, 0);
  assert.deepEqual(json(env.properties.document, 'okrsync.nightly.last'), outcome);
  assert.equal(env.logged.length, 1);
  assert.match(env.logged[0], /pas répondu à temps/);
});

test('a bug in the sync is caught: recorded as failed, logged with its stack, never thrown', () => {
  const env = workbook();
  env.noUi = true;
  env.ctx.runSync_ = () => { throw new TypeError('plan is undefined'); };
  let outcome;
  assert.doesNotThrow(() => { outcome = plain(env.ctx.nightlySync(undefined)); });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.message, "La synchronisation de nuit s'est arrêtée sur une erreur inattendue : plan is undefined");
  assert.deepEqual(json(env.properties.document, 'okrsync.nightly.last'), outcome);
  assert.ok(env.logged.some((line) => line.includes('TypeError: plan is undefined')));
});

test('no active spreadsheet in the trigger: nothing synced, the failure kept under the installed spreadsheet ID and shown later', () => {
  const env = workbook();
  env.ctx.toggleNightly();
  const uid = env.script.triggers[0].getUniqueId();
  const ss = env.ss;
  env.ss = null;
  env.noUi = true;
  let synced = 0;
  env.ctx.runSync_ = () => { synced++; };
  assert.doesNotThrow(() => env.ctx.nightlySync({ triggerUid: uid }));
  assert.equal(synced, 0);
  const kept = json(env.properties.user, 'okrsync.nightly.last.ss-42');
  assert.equal(kept.outcome, 'failed');
  assert.equal(kept.message, 'La synchronisation de nuit n\'a pas pu ouvrir le classeur : ouvrez-le et choisissez « Synchroniser maintenant ».');
  assert.ok(env.logged.some((line) => line.includes('no active spreadsheet (ss-42)')));
  // The next time the workbook is open, the sidebar shows that last run.
  env.ss = ss;
  const status = plain(env.ctx.nightlyStatus_(ss));
  assert.equal(status.last.outcome, 'failed');
  assert.equal(status.last.message, kept.message);
  // An unknown trigger: only the log.
  env.ss = null;
  assert.doesNotThrow(() => env.ctx.nightlySync({ triggerUid: 'unknown' }));
});

test('the latest run wins, whether recorded in the document or in the user properties', () => {
  const env = workbook();
  env.properties.document.setProperty('okrsync.nightly.last', JSON.stringify({ at: '2025-02-13T01:00:00.000Z', outcome: 'ok', message: null, cells: 4 }));
  env.properties.user.setProperty('okrsync.nightly.last.ss-42', JSON.stringify({ at: '2025-02-14T01:00:00.000Z', outcome: 'failed', message: 'x', cells: 0 }));
  const last = plain(env.ctx.nightlyStatus_(env.ss).last);
  assert.deepEqual(last, { at: '2025-02-14 02:00', outcome: 'failed', message: 'x', cells: 0 });
});

test('someone else\'s nightly sync shows as on, set up by them; mine can still be turned on', () => {
  const env = workbook();
  env.properties.document.setProperty('okrsync.nightly.users', JSON.stringify({ 'marc@acme.example': { zone: 'Europe/Paris', hour: 2, since: 'x' } }));
  assert.deepEqual(plain(env.ctx.nightlyStatus_(env.ss)), { on: true, mine: false, who: 'marc@acme.example', hour: 2, zone: 'Europe/Paris', last: null });
  env.ctx.toggleNightly();
  assert.equal(env.script.triggers.length, 1);
  assert.deepEqual(Object.keys(json(env.properties.document, 'okrsync.nightly.users')).sort(), ['ana@acme.example', 'marc@acme.example']);
  env.ctx.toggleNightly();
  assert.deepEqual(Object.keys(json(env.properties.document, 'okrsync.nightly.users')), ['marc@acme.example']);
});

test('the sidebar model carries the nightly status', () => {
  const env = workbook();
  env.ctx.toggleNightly();
  env.ctx.runSync_ = () => ({ lang: 'fr', report: null, dashboard: null, error: null, sync: null, snapshotHeaders: {} });
  const model = plain(env.ctx.dashboardState());
  assert.deepEqual(model.nightly, { on: true, mine: true, who: null, hour: 2, zone: 'Europe/Paris', last: null });
});
