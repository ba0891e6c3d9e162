'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { plain } = require('./harness.js');
const W = require('./fakes/okr_world.js');

const isDate = (v) => Object.prototype.toString.call(v) === '[object Date]';
const show = (v) => (isDate(v) ? 'D:' + new Intl.DateTimeFormat('en-CA', { timeZone: W.ZONE }).format(v) : v);
const cell = (ss, tab, a1) => show(ss.sheet(tab).getRange(a1).getValue());
/** Every row's cells outside the computed columns: what people typed, which a sync never changes. */
const peoplesCells = (ss, tab, computed) => ss.sheet(tab).dump().map((row) => row.filter((_, i) => computed.indexOf(i + 1) < 0).map(show));
/** Each row's computed cells keyed by its first cell (the ID or week), to follow rows wherever they move. */
const computedById = (ss, tab, computed) => {
  const out = {};
  ss.sheet(tab).dump().forEach((row) => { out[String(show(row[0])) + '|' + show(row[1])] = computed.map((c) => show(row[c - 1])); });
  return out;
};

test('syncNow sends the snapshot of the okrsync tabs to /api/addon/sync with the ID token and the language', () => {
  const env = W.world();
  env.properties.script.setProperty('OKRSYNC_AS_OF', '2025-02-14');
  env.ctx.syncNow();
  assert.equal(env.fetch.requests.length, 1);
  const [request] = env.fetch.requests;
  assert.equal(request.url, 'https://okrsync.example.com/api/addon/sync');
  assert.equal(request.method, 'post');
  assert.equal(request.contentType, 'application/json');
  assert.equal(request.muteHttpExceptions, true);
  assert.deepEqual(plain(request.headers), { Authorization: 'Bearer id-token-for-tests', 'Accept-Language': 'fr' });
  const body = JSON.parse(request.payload);
  assert.deepEqual(Object.keys(body).sort(), ['as_of', 'snapshot', 'trigger', 'write']);
  assert.equal(body.write, true);
  assert.equal(body.trigger, 'menu');
  assert.equal(body.as_of, '2025-02-14');
  assert.deepEqual(body.snapshot.spreadsheet, { id: 'ss-1', title: 'OKR Acme 2025-T1', locale: 'fr_CA', time_zone: 'America/Montreal' });
  const tabs = Object.fromEntries(body.snapshot.tabs.map((t) => [t.name, t]));
  assert.deepEqual(body.snapshot.tabs.map((t) => t.name), ['Réglages', 'OKR', 'Check-ins Ventes', 'Suivi Finance', 'Org', 'Historique']);
  assert.deepEqual(tabs['Réglages'].values.slice(2, 6), [['Début', { date: '2025-01-01' }], ['Fin', { date: '2025-03-31' }], ['Vert', 0.8], []]);
  assert.deepEqual(tabs['Réglages'].formats.slice(2, 6), [[], [], ['', '0%'], []]);
  assert.equal(tabs.OKR.values.length, 5, 'the blank row 6 is trimmed');
  assert.deepEqual(tabs.OKR.values[3], ['VEN-KR2', 'Ventes', 'Au moins', 'Marge', 'Ana', 0.2, 0.3, '%', 'ORG-O1', 2, null, null, 0.5, null, 'Aucun']);
  assert.deepEqual(tabs.OKR.formats[3], ['', '', '', '', '', '0%', '0%', '', '', '', '', '', '0%']);
  assert.deepEqual(tabs.OKR.values[2][15], { date: '2025-02-10' });
  assert.deepEqual(tabs['Check-ins Ventes'].values.slice(1, 4), [
    [{ date: '2025-01-06' }, 'VEN-KR1', 5, '🟢', 'Début', 0.125, 'Vert'],
    [{ date: '2025-01-13' }, 'VEN-KR1', 12, '🟡'],
    ['13 janvier', 'VEN-KR2', 0.22, 'vert', 'Texte pour la date']]);
  assert.deepEqual(tabs['Check-ins Ventes'].formats.slice(1, 4), [['', '', '', '', '', '0%'], [], ['', '', '0%']]);
  assert.equal(tabs['Suivi Finance'].values[1][3], 0.6);
  assert.deepEqual(tabs['Suivi Finance'].formats[1], []);
});

test('syncNow applies the plan to computed cells and service tabs only, in one setValues per tab and column run', () => {
  const env = W.world();
  const ss = env.ss;
  const before = { OKR: peoplesCells(ss, 'OKR', W.OKR_COMPUTED), Ventes: peoplesCells(ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED) };
  env.ctx.syncNow();
  assert.deepEqual(env.ui.alerts, []);
  assert.deepEqual(peoplesCells(ss, 'OKR', W.OKR_COMPUTED), before.OKR);
  assert.deepEqual(peoplesCells(ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED), before.Ventes);
  assert.deepEqual(['K3', 'L3', 'M3', 'N3', 'O3', 'P3', 'K4', 'L4', 'Q5', 'K2', 'L2'].map((a1) => cell(ss, 'OKR', a1)),
    [12, 0.3, 0.5, 0.7, 'Jaune', 'D:2025-01-13', 0.22, 0.2, '=Aucun check-in', '', 0.4]);
  assert.equal(ss.sheet('OKR')._cell(5, 17).formula, undefined, 'text that looks like a formula stays text');
  assert.deepEqual(ss.sheet('Check-ins Ventes').dump().map((row) => row.slice(5).map(show)), [
    ['Progression', 'Statut', 'Validation'], [0.125, 'Vert', ''], [0.3, 'Jaune', ''], ['', '', 'Date illisible : « 13 janvier »'], ['', '', '']]);
  assert.equal(cell(ss, 'Suivi Finance', 'F2'), 0.17);
  assert.deepEqual(ss.sheet('Org').dump(), [['Org', '2025-T1'], ['Ventes', 0.3], ['Finance', 0.17]]);
  assert.deepEqual(ss.sheet('Historique').dump(), [['Semaine', 'KR', 'Valeur'], [45670, 'VEN-KR1', 12], [45670, 'VEN-KR2', '12']]);
  assert.deepEqual(ss.calls['Range.setValues'], 5, 'OKR, Check-ins Ventes, Suivi Finance, Org, Historique');
  assert.equal(ss.calls['Spreadsheet.getSheets'], 1);
  assert.equal(ss.calls['Range.getNumberFormats'], 6);
  assert.equal(ss.calls['Range.getValues'], 6 + 3, 'six tabs read, three re-read before writing');
  assert.equal(ss.calls['Range.getFormulas'], 3);
  assert.equal(ss.calls['SpreadsheetApp.flush'], 1);
  assert.deepEqual(ss.toasts.map((t) => t.message), ['Synchronisé : 30 cellules mises à jour.']);
  assert.equal(env.sidebar.length, 1);
  const state = env.sidebar[0];
  assert.deepEqual(Object.keys(state).sort(), ['dashboard', 'error', 'lang', 'report', 'snapshotHeaders', 'sync']);
  assert.equal(state.lang, 'fr');
  assert.equal(state.error, null);
  // 13 planned cells, Org 4 × 2 and Historique 3 × 3 cells (service tabs count whole, as WritePlan.cell_count does).
  assert.deepEqual({ cells: state.sync.cells, moved: state.sync.moved }, { cells: 30, moved: 0 });
  assert.match(state.sync.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.deepEqual(state.snapshotHeaders.OKR, W.OKR_HEADER);
  assert.equal(state.report.workbook.quarter, '2025-T1');
  assert.equal(env.locks.taken, 1);
  assert.equal(env.locks.released, 1);
});

test('cells rewritten unchanged inside a rectangle keep their type: dates stay dates, text stays text', () => {
  const env = W.world();
  const okr = env.ss.sheet('OKR');
  okr.put(4, 13, [[0.5, 0.9, 'Aucun', W.day('2025-01-13'), '12']]); // M4:Q4, none of them planned
  env.ctx.syncNow();
  const cells = [13, 14, 15, 16, 17].map((c) => okr._cell(4, c).value);
  assert.deepEqual(cells.map(show), [0.5, 0.9, 'Aucun', 'D:2025-01-13', '12']);
  assert.ok(isDate(cells[3]), 'a Date, not a serial or a text');
  assert.equal(typeof cells[4], 'string', 'text that looks like a number stays text');
  assert.equal(env.ss.calls['Range.setValues'], 5);
});

test('a formula in a computed cell between planned ones is left alone', () => {
  const env = W.world();
  env.ss.sheet('OKR').getRange('M4').setValue('=F4*2');
  env.ctx.syncNow();
  assert.equal(env.ss.sheet('OKR')._cell(4, 13).formula, '=F4*2');
  assert.equal(cell(env.ss, 'OKR', 'K4'), 0.22);
  assert.equal(cell(env.ss, 'OKR', 'Q5'), '=Aucun check-in');
  assert.equal(env.ss.calls['Range.setValues'], 5 + 2, 'the OKR rectangle cut in three around M4');
});

test('a plan that writes outside the computed columns, or over a people\'s tab, is refused: nothing written', () => {
  const strays = [
    (p) => p.cells.push({ tab: 'OKR', row: 3, col: 4, value: 'hacked' }),
    (p) => p.cells.push({ tab: 'Réglages', row: 2, col: 2, value: '2026-T1' }),
    (p) => p.tabs.push({ name: 'Check-ins Ventes', values: [['x']] }),
  ];
  for (const stray of strays) {
    const thePlan = W.plan();
    stray(thePlan);
    const env = W.world({ handler: () => W.answer(thePlan) });
    const before = W.dumpAll(env.ss);
    env.ctx.syncNow();
    assert.equal(env.ui.alerts.length, 1);
    assert.match(env.ui.alerts[0].message, /^Le service okrsync a demandé d'écrire dans une cellule qui n'est pas calculée \('(OKR'!D3|Réglages'!B2|Check-ins Ventes')\)/);
    assert.deepEqual(W.dumpAll(env.ss), before);
    assert.equal(env.ss.calls['Range.setValues'], undefined);
    assert.equal(env.sidebar.length, 0);
    assert.equal(env.locks.released, 1);
  }
});

const FAILURES = [
  ['no service address', { url: null }, null, 'addon.error.no_service'],
  ['a plain-http address', { url: 'http://okrsync.example.com' }, null, 'addon.error.bad_service'],
  ['401', {}, { status: 401, body: { error: { message: 'bad token' } } }, 'addon.error.unauthorized'],
  ['403', {}, { status: 403, body: '' }, 'addon.error.forbidden'],
  ['409', {}, { status: 409, body: '' }, 'addon.error.busy'],
  ['413', {}, { status: 413, body: 'too large' }, 'addon.error.too_large'],
  ['500', {}, { status: 500, body: 'oops' }, 'addon.error.server'],
  ['a timeout', {}, new Error('Timeout: https://okrsync.example.com/api/addon/sync'), 'addon.error.timeout'],
  ['no network', {}, new Error('Address unavailable: https://okrsync.example.com'), 'addon.error.network'],
  ['422 with the service\'s sentence', {}, { status: 422, body: { error: { message: 'Aucun onglet OKR : « OKR » manque.' } } }, 'addon.error.not_okrsync'],
  ['400', {}, { status: 400, body: { error: { message: 'snapshot missing' } } }, 'addon.error.rejected'],
  ['a 200 that is not JSON', {}, { status: 200, body: '<html>login</html>' }, 'addon.error.unexpected'],
  ['a 200 without a report', {}, { status: 200, body: { plan: null } }, 'addon.error.unexpected'],
  ['the lock held elsewhere', { busy: true }, null, 'addon.error.busy'],
  ['not an okrsync workbook', { bare: true }, null, 'addon.error.not_okrsync'],
];

for (const lang of ['fr', 'en']) {
  test(`every failure is one alert in ${lang}, and nothing is written`, () => {
    for (const [what, setup, answer, key] of FAILURES) {
      let ss = W.workbook({ lang });
      if (setup.bare) {
        ss = new (require('./harness.js').sheets.FakeSpreadsheet)({ locale: lang === 'fr' ? 'fr_CA' : 'en_US' });
        ss.sheet('Sheet1').put(1, 1, [['mes données']]);
      }
      const env = W.world({ spreadsheet: ss, url: setup.url, handler: answer ? () => answer : undefined });
      env.locks.busy = !!setup.busy;
      const before = W.dumpAll(env.ss);
      env.ctx.syncNow();
      assert.equal(env.ui.alerts.length, 1, what);
      const sentence = env.ui.alerts[0].message;
      const expected = key === 'addon.error.not_okrsync' && answer ? answer.body.error.message
        : env.ctx.t_(lang, key, { url: setup.url, status: answer && answer.status, message: answer && answer.body && answer.body.error && answer.body.error.message });
      assert.equal(sentence, expected, what);
      assert.ok(!/\{\w+\}/.test(sentence), what + ': ' + sentence);
      assert.deepEqual(W.dumpAll(env.ss), before, what);
      assert.equal(env.ss.calls['Range.setValues'] || 0, 0, what);
      assert.deepEqual(env.ss.toasts, [], what);
      assert.equal(env.sidebar.length, 0, what);
      assert.equal(env.locks.taken, env.locks.released, what + ': the lock is released');
      assert.equal(env.fetch.requests.length, answer ? 1 : 0, what);
    }
  });
}

test('rows inserted above planned rows between the read and the write: their computed cells stay where they are', () => {
  const env = W.world({ handler: (url, request) => {
    const okr = env.ss.sheet('OKR');
    okr.insertRowsBefore(3, 1);
    okr.put(3, 1, [['VEN-KR9', 'Ventes', 'Augmenter', 'Nouvelle', 'Ana']]);
    return W.answer(W.plan());
  } });
  const before = computedById(env.ss, 'OKR', W.OKR_COMPUTED);
  env.ctx.syncNow();
  const after = computedById(env.ss, 'OKR', W.OKR_COMPUTED);
  for (const id of Object.keys(before)) assert.deepEqual(after[id], before[id], id);
  assert.deepEqual(after['VEN-KR9|Ventes'], ['', '', '', '', '', '', '']);
  assert.equal(env.sidebar[0].sync.moved, 3);
  assert.equal(cell(env.ss, 'Check-ins Ventes', 'G3'), 'Jaune', 'other tabs are written');
  assert.deepEqual(env.ss.toasts.map((t) => t.message), ['3 ligne(s) déplacée(s) pendant la synchronisation n\'ont pas été mises à jour : la prochaine synchronisation s\'en chargera.']);
});

test('a row deleted between the read and the write: the rows below are skipped, nothing lands on another row', () => {
  const env = W.world({ handler: () => { env.ss.sheet('Check-ins Ventes').deleteRows(2, 1); return W.answer(W.plan()); } });
  const before = computedById(env.ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED);
  env.ctx.syncNow();
  const after = computedById(env.ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED);
  for (const id of Object.keys(after)) assert.deepEqual(after[id], before[id], id);
  assert.equal(env.sidebar[0].sync.moved, 3);
  assert.equal(cell(env.ss, 'OKR', 'K3'), 12);
});

test('rows sorted between the read and the write: rows still in place are written, the others keep their cells', () => {
  const env = W.world({ handler: () => { env.ss.sheet('OKR').sortRows(2, 5, 1, false); return W.answer(W.plan()); } });
  const before = computedById(env.ss, 'OKR', W.OKR_COMPUTED);
  env.ctx.syncNow();
  assert.deepEqual(env.ss.sheet('OKR').dump().slice(1).map((row) => row[0]), ['VEN-KR2', 'VEN-KR1', 'ORG-O1', 'FIN-KR1']);
  const after = computedById(env.ss, 'OKR', W.OKR_COMPUTED);
  assert.deepEqual(after['VEN-KR1|Ventes'], [12, 0.3, 0.5, 0.7, 'Jaune', 'D:2025-01-13', ''], 'still row 3: written');
  assert.deepEqual(after['FIN-KR1|Finance'].slice(-1), ['=Aucun check-in'], 'still row 5: written');
  assert.deepEqual(after['VEN-KR2|Ventes'], before['VEN-KR2|Ventes'], 'moved from row 4 to row 2');
  assert.deepEqual(after['ORG-O1|Organisation'], before['ORG-O1|Organisation'], 'moved to row 4, inside the rectangle: rewritten unchanged');
  assert.equal(env.sidebar[0].sync.moved, 1);
});

test('a check-in tab synced before and sorted between the read and the write: moved rows keep their own cells', () => {
  const env = W.world({ handler: () => { env.ss.sheet('Check-ins Ventes').sortRows(2, 5, 2, false); return W.answer(W.plan()); } });
  const before = computedById(env.ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED);
  env.ctx.syncNow();
  const ventes = env.ss.sheet('Check-ins Ventes').dump().slice(1).map((row) => show(row[0]) + ' ' + row[1]);
  assert.deepEqual(ventes, ['13 janvier VEN-KR2', 'D:2025-01-06 VEN-KR1', 'D:2025-01-13 VEN-KR1', 'D:2025-01-20 VEN-KR1']);
  const after = computedById(env.ss, 'Check-ins Ventes', W.CHECKIN_COMPUTED);
  // Rows 3 and 4 of the plan now hold other rows: skipped, so every moved row keeps the cells it had.
  assert.deepEqual(after['D:2025-01-13|VEN-KR1'], before['D:2025-01-13|VEN-KR1']);
  assert.deepEqual(after['13 janvier|VEN-KR2'], before['13 janvier|VEN-KR2']);
  assert.deepEqual(after['D:2025-01-06|VEN-KR1'], before['D:2025-01-06|VEN-KR1']);
  assert.deepEqual(after['D:2025-01-20|VEN-KR1'], ['', '', ''], 'still row 5: written (cleared)');
  assert.equal(env.sidebar[0].sync.moved, 2);
  assert.equal(cell(env.ss, 'OKR', 'K3'), 12, 'other tabs are written');
});

test('a check-in tab renamed between the read and the write: none of its rows is written, the other tabs are', () => {
  const env = W.world({ handler: () => { env.ss.sheet('Check-ins Ventes').setName('Ventes (ancien)'); return W.answer(W.plan()); } });
  const before = env.ss.sheet('Check-ins Ventes').dump().map((row) => row.map(show));
  env.ctx.syncNow();
  assert.deepEqual(env.ss.sheet('Ventes (ancien)').dump().map((row) => row.map(show)), before);
  assert.equal(env.sidebar[0].sync.moved, 3, 'rows 3, 4 and 5 of the plan');
  assert.equal(cell(env.ss, 'OKR', 'K3'), 12);
  assert.equal(cell(env.ss, 'Suivi Finance', 'F2'), 0.17);
});

test('a service tab missing from the spreadsheet is created with its rows and as many more, as the Google backend does', () => {
  const thePlan = W.plan();
  const rows = Array.from({ length: 1200 }, (_, i) => ['Ligne ' + (i + 1)].concat(Array(29).fill(i)));
  thePlan.tabs.push({ name: 'Listes', values: rows });
  const env = W.world({ handler: () => W.answer(thePlan) });
  env.ctx.syncNow();
  const listes = env.ss.sheet('Listes');
  assert.equal(listes.getMaxRows(), 1200 + env.ctx.roomFor_(W.ROOM, 1200, true));
  assert.equal(W.ROOM.service_per_row, 1, 'as many free rows as used ones');
  assert.equal(listes.getMaxColumns(), 30);
  assert.equal(cell(env.ss, 'Listes', 'A1200'), 'Ligne 1200');
  assert.equal(cell(env.ss, 'Listes', 'AD1200'), 1199);
  assert.deepEqual([env.ss.calls['Sheet.insertRowsAfter'], env.ss.calls['Sheet.insertColumnsAfter'], env.ss.calls['Spreadsheet.insertSheet']], [1, 1, 1]);
});

test('a check-in tab the plan lays out is drawn first, just after the tab its `after` names, as the set-up draws it; once there it stays', () => {
  const orgTab = require('./fixtures/layout-fr.json').layout.tabs.find((t) => t.name === 'Check-ins Organisation');
  const thePlan = W.plan();
  thePlan.new_tabs = [Object.assign(JSON.parse(JSON.stringify(orgTab)), { after: 'Check-ins Ventes' })];
  const env = W.world({ handler: () => W.answer(thePlan) });
  env.ss.insertSheet('Listes').insertColumnsAfter(26, 6);  // its KR dropdown reads the Lists tab's column AF
  env.ctx.syncNow();
  assert.deepEqual(env.ui.alerts, []);
  const names = () => env.ss.sheets.map((s) => s.getName());
  assert.equal(names().indexOf('Check-ins Organisation'), names().indexOf('Check-ins Ventes') + 1);
  const made = env.ss.sheet('Check-ins Organisation');
  assert.deepEqual(made.dump()[0], orgTab.values[0]);
  assert.equal(made.getMaxRows(), orgTab.rows);
  assert.deepEqual(orgTab.hidden_cols, [9]);
  assert.ok(made.isColumnHiddenByUser(9) && !made.isColumnHiddenByUser(8), 'its row key hidden, as the set-up hides it');
  const confidence = made.getRange('D2').getDataValidation();
  assert.equal(confidence.getAllowInvalid(), true, 'a percentage goes in as typed');
  assert.equal(confidence.getHelpText(), orgTab.dropdowns.find((d) => d.range.startsWith('D2')).help);
  assert.equal(cell(env.ss, 'OKR', 'K3'), 12, 'the rest of the plan is written too');
  env.ctx.syncNow();
  assert.equal(names().filter((n) => n === 'Check-ins Organisation').length, 1);
});

test('a new tab whose `after` is null or names no tab goes just before Org', () => {
  const orgTab = require('./fixtures/layout-fr.json').layout.tabs.find((t) => t.name === 'Check-ins Organisation');
  for (const after of [null, 'Onglet disparu']) {
    const thePlan = W.plan();
    thePlan.new_tabs = [Object.assign(JSON.parse(JSON.stringify(orgTab)), { after })];
    const env = W.world({ handler: () => W.answer(thePlan) });
    env.ss.insertSheet('Listes').insertColumnsAfter(26, 6);
    env.ctx.syncNow();
    const names = env.ss.sheets.map((s) => s.getName());
    assert.equal(names.indexOf('Check-ins Organisation'), names.indexOf('Org') - 1, String(after));
  }
});

test('without the service\'s room (an older service), a service tab grows just enough to fit', () => {
  const thePlan = W.plan();
  delete thePlan.room;
  thePlan.tabs.push({ name: 'Listes', values: Array.from({ length: 1200 }, (_, i) => ['Ligne ' + (i + 1)]) });
  const env = W.world({ handler: () => W.answer(thePlan) });
  env.ctx.syncNow();
  assert.equal(env.ss.sheet('Listes').getMaxRows(), 1200);
  assert.equal(cell(env.ss, 'Listes', 'A1200'), 'Ligne 1200');
  assert.deepEqual([env.ss.sheet('OKR').getMaxRows(), env.ss.sheet('Check-ins Ventes').getMaxRows()], [1000, 1000]);
});

/** The workbook with 'Check-ins Ventes' cut to `rows` rows, its dates and progress columns formatted down to
 * the last row, as the layout leaves a tab. */
function tightWorkbook(rows) {
  const ss = W.workbook();
  const ventes = ss.sheet('Check-ins Ventes');
  ventes.deleteRows(rows + 1, ventes.getMaxRows() - rows);
  ventes.getRange('A2:A').setNumberFormat('yyyy-mm-dd');
  ventes.getRange('F2:F').setNumberFormat('0%');
  ss.resetCalls();
  return ss;
}

test('a people tab running out of free rows grows below its last used row, its new rows looking like its free rows', () => {
  const ss = tightWorkbook(20);
  const env = W.world({ spreadsheet: ss });
  const ventes = ss.sheet('Check-ins Ventes');
  ventes.getRange('D2:D20').setDataValidation(env.SpreadsheetApp.newDataValidation().requireValueInList(['🟢', '🟡', '🔴'], true).build());
  ventes.setConditionalFormatRules([env.SpreadsheetApp.newConditionalFormatRule().whenFormulaSatisfied('=$G2="Vert"')
    .setBackground('#B7E1CD').setRanges([ventes.getRange('A2:I')]).build()]);
  ss.resetCalls();
  // 5 rows used, 15 free: under room(5) // grow_under = 100 // 4 = 25, so it grows to 5 + room(5) = 105 rows.
  assert.equal(env.ctx.peopleTabGrowth_(W.ROOM, 5, 20), 85);
  env.ctx.syncNow();
  assert.deepEqual(env.ui.alerts, []);
  assert.equal(ventes.getMaxRows(), 105);
  assert.equal(ss.calls['Sheet.insertRowsAfter'], 1);
  assert.equal(ss.calls['Range.copyTo'], 2, 'formats, then dropdowns, from one free row');
  // The rows in use did not move and got their cells; the new rows (6 to 90) look like the free rows.
  assert.deepEqual(ventes.dump().map((row) => row.slice(5).map(show)), [
    ['Progression', 'Statut', 'Validation'], [0.125, 'Vert', ''], [0.3, 'Jaune', ''], ['', '', 'Date illisible : « 13 janvier »'], ['', '', '']]);
  for (const row of [6, 50, 90, 91, 105]) {
    assert.equal(ventes.getRange(row, 6).getNumberFormat(), '0%', 'F' + row);
    assert.equal(ventes.getRange(row, 1).getNumberFormat(), 'yyyy-mm-dd', 'A' + row);
    assert.equal(ventes.getRange(row, 2).getNumberFormat(), '', 'B' + row);
  }
  for (const row of [6, 50, 90]) assert.ok(ventes.getRange(row, 4).getDataValidation(), 'D' + row + ' has the dropdown');
  assert.equal(ventes.getConditionalFormatRules()[0].getRanges()[0].getLastRow(), 105, 'A2:I covers the grown tab');
  // Tabs with room enough are left as they are.
  assert.deepEqual([ss.sheet('OKR').getMaxRows(), ss.sheet('Suivi Finance').getMaxRows()], [1000, 1000]);
});

test('a people tab with a quarter of its room still free is not grown', () => {
  const ss = tightWorkbook(30);
  const env = W.world({ spreadsheet: ss });
  env.ctx.syncNow();
  assert.equal(ss.sheet('Check-ins Ventes').getMaxRows(), 30, '25 free rows: exactly room(5) // 4');
  assert.equal(ss.calls['Sheet.insertRowsAfter'] || 0, 0);
  assert.equal(ss.calls['Range.copyTo'] || 0, 0);
});

test('a full people tab grows below its last row, looking like that row', () => {
  const ss = tightWorkbook(5);
  const env = W.world({ spreadsheet: ss });
  env.ctx.syncNow();
  const ventes = ss.sheet('Check-ins Ventes');
  assert.equal(ventes.getMaxRows(), 105);
  assert.equal(ventes.getRange(60, 6).getNumberFormat(), '0%');
  assert.equal(cell(ss, 'Check-ins Ventes', 'F3'), 0.3);
});

test('a service tab rewritten past its last row grows below what it held, by as many rows as it now has', () => {
  const ss = W.workbook();
  const history = ss.sheet('Historique');
  history.deleteRows(4, history.getMaxRows() - 3);
  history.getRange('A2:A').setNumberFormat('yyyy-mm-dd');
  ss.resetCalls();
  const thePlan = W.plan();
  const rows = [['Semaine', 'KR', 'Valeur']].concat(Array.from({ length: 5 }, (_, i) => [W.serial('2025-01-13'), 'KR' + i, i]));
  thePlan.tabs[1] = { name: 'Historique', values: rows };
  const env = W.world({ spreadsheet: ss, handler: () => W.answer(thePlan) });
  env.ctx.syncNow();
  // 6 rows do not fit in 3: 6 + room(6) = 106 (at least 100 free), inserted below the one row it held.
  assert.equal(history.getMaxRows(), 106);
  assert.deepEqual(env.ctx.serviceTabGrowth_(W.ROOM, 6, 3), 103);
  assert.equal(show(history.getRange('A6').getValue()), 'D:2025-01-13', 'the date lands in a date-formatted row');
  assert.equal(history.getRange('A106').getNumberFormat(), 'yyyy-mm-dd');
  assert.equal(ss.calls['Sheet.insertRowsAfter'], 1);
});

test('validateNow asks with write: false, writes nothing, and shows the problems in the sidebar', () => {
  const problem = { tab: 'Check-ins Ventes', row: 4, column: 'Semaine', code: 'bad_date', severity: 'error', message: 'Date illisible' };
  const env = W.world({ handler: () => ({ status: 200, body: { report: W.report([problem]), dashboard: { focus: [], missing: [] }, plan: null, run: null } }) });
  const before = W.dumpAll(env.ss);
  env.ctx.validateNow();
  assert.equal(env.fetch.lastBody().write, false);
  assert.deepEqual(W.dumpAll(env.ss), before);
  assert.equal(env.ss.callCount('Range.set') + env.ss.callCount('Sheet.insert') + env.ss.callCount('Spreadsheet.insert'), 0);
  assert.equal(env.ss.calls['Range.getFormulas'], undefined);
  assert.equal(env.sidebar.length, 1);
  assert.equal(env.sidebar[0].sync, null);
  assert.deepEqual(env.sidebar[0].report.problems, [problem]);
  assert.deepEqual(env.ss.toasts, []);
  assert.equal(env.locks.released, 1);
});

test('validateNow writes nothing even if the service sends a plan', () => {
  const env = W.world({ handler: () => W.answer(W.plan()) });
  const before = W.dumpAll(env.ss);
  env.ctx.validateNow();
  assert.deepEqual(W.dumpAll(env.ss), before);
});

test('runSync_ for the nightly trigger: no UI touched, the error returned rather than shown', () => {
  const env = W.world();
  env.noUi = true;
  const state = plain(env.ctx.runSync_(env.ss, { write: true, trigger: 'nightly' }));
  assert.equal(env.fetch.lastBody().trigger, 'nightly');
  assert.equal(state.error, null);
  assert.equal(state.sync.cells, 30);
  assert.deepEqual(env.ss.toasts, []);
  env.fetch.handler = () => ({ status: 503, body: '' });
  const failed = plain(env.ctx.runSync_(env.ss, { write: true, trigger: 'nightly', lang: 'en' }));
  assert.equal(failed.error, 'The okrsync service ran into an error (code 503): try again in a few minutes. Nothing was changed.');
  assert.equal(failed.sync, null);
  assert.equal(env.locks.taken, 2);
  assert.equal(env.locks.released, 2);
});

test('a bug (not a user error) propagates, and the lock is still released', () => {
  const env = W.world({ handler: () => W.answer({ cells: [{ tab: 'OKR', row: 3, col: 11, value: 1 }], computed: { OKR: [11] }, tabs: null }) });
  env.ss.sheet('OKR').getDataRange = () => { throw new TypeError('boom'); };
  assert.throws(() => env.ctx.syncNow(), /boom/);
  assert.equal(env.locks.released, env.locks.taken);
});

test('the lock is taken with a bounded wait on the document', () => {
  const env = W.world();
  env.ctx.syncNow();
  assert.equal(env.locks.attempts.length, 1);
  assert.ok(env.locks.attempts[0] > 0 && env.locks.attempts[0] <= 30000);
});
