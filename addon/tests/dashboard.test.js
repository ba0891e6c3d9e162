'use strict';
// The sidebar: showSidebar_ and the template, the calls the page makes (dashboardState, sidebarSync,
// goToProblem, goToCheckin), problemCell_, and the page's own pure helpers (percentages, problem order).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { load, plain, ADDON } = require('./harness.js');

const REPORT = {
  workbook: { title: 'OKR Acme 2025-T1', lang: 'fr', quarter: '2025-T1', as_of: '2025-02-14', elapsed: 0.5 },
  checkins: { rows: 3, valid: 2, invalid: 1 },
  problems: [
    { tab: 'Check-ins Ventes', row: 7, column: 'Confiance', code: 'confidence_range', severity: 'warning', message: 'Confiance hors plage.' },
    { tab: 'Check-ins Ventes', row: 5, column: 'Valeur', code: 'value_not_number', severity: 'error', message: 'Valeur illisible.' },
  ],
  key_results: [
    { id: 'VEN-KR2', team: 'Ventes', status: 'red', progress: 0.2143, confidence: 0.25 },
    { id: 'VEN-KR1', team: 'Ventes', status: 'yellow', progress: 0.275, confidence: 0.65 },
  ],
  objectives: [],
  teams: [{ team: 'Ventes', progress: 0.3298, status: 'yellow', counts: { green: 1, yellow: 1, red: 1, none: 0 } }],
  org: { progress: 0.5877, status: 'green' },
  writes: { cells: 4, api_calls: { read: 0, write: 0 } },
};
const DASHBOARD = {
  focus: [{ id: 'VEN-KR2', team: 'Ventes', title: 'Conversion', owner: 'Marc', status: 'red', progress: 0.2143,
    confidence: 0.25, comment: "Besoin d'une offre d'essai", tab: 'Check-ins Ventes', row: 12 }],
  missing: [{ id: 'SC-KR4', team: 'Succès client', owner: 'Julie', last_checkin: null, days: null, missed: 7 }],
};

function state(extra) {
  return Object.assign({ lang: 'fr', report: REPORT, dashboard: DASHBOARD, error: null, sync: null,
    snapshotHeaders: { OKR: ['ID'] } }, extra || {});
}

/** The JSON the template embedded, read back as the page's script reads it. */
function bootOf(content) {
  const found = /var OKRSYNC_BOOT = (.*);\n<\/script>/.exec(content);
  assert.ok(found, 'the boot data is not in the page');
  return JSON.parse(found[1]);
}

/** The page's own script, run without a document: its pure helpers. */
function pageHelpers() {
  const html = fs.readFileSync(path.join(ADDON, 'Sidebar.html'), 'utf8');
  const script = /<script id="sidebar-logic">([\s\S]*?)<\/script>/.exec(html)[1];
  const ctx = vm.createContext({ BigInt });
  vm.runInContext(script + '\nthis.Sidebar = Sidebar;', ctx);
  return ctx.Sidebar;
}

function withSheets(env, tabs) {
  for (const [name, grid] of Object.entries(tabs)) env.ss.insertSheet(name).put(1, 1, grid);
}

test('showSidebar_ opens Sidebar.html as a 300 px sidebar titled okrsync, with the state and the French sentences', () => {
  const env = load();
  env.ss.insertSheet('Réglages');
  env.ctx.showSidebar_(state({ sync: { cells: 12, moved: 1, at: '2025-02-14T19:05:00.000Z' } }));
  assert.equal(env.ui.sidebars.length, 1);
  const output = env.ui.sidebars[0];
  assert.equal(output.getTitle(), 'okrsync');
  assert.equal(output.width, 300);
  const boot = bootOf(output.getContent());
  assert.equal(boot.strings.lang, 'fr');
  assert.equal(boot.strings.messages.sync_button, 'Synchroniser maintenant');
  assert.equal(boot.strings.messages.focus, 'KR à aider');
  assert.deepEqual(boot.strings.status, { green: 'Vert', yellow: 'Jaune', red: 'Rouge', none: 'Aucun' });
  assert.equal(boot.strings.colours.red, vm.runInContext('CATALOG_', env.ctx).colours.red);
  assert.deepEqual(boot.model.report, REPORT);
  assert.deepEqual(boot.model.dashboard, DASHBOARD);
  // The moment in the spreadsheet's zone (America/Montreal, UTC-5 in February), not UTC.
  assert.deepEqual(boot.model.sync, { cells: 12, moved: 1, at: '2025-02-14 14:05' });
  assert.equal(boot.model.snapshotHeaders, undefined, 'the page does not need the header rows');
  assert.deepEqual(boot.model.nightly.on, false);
  assert.equal(boot.model.loading, false);
});

test('every sidebar sentence of the catalogue reaches the page, in English for an English workbook', () => {
  const env = load();
  env.ss.insertSheet('Settings');
  env.ctx.showSidebar_(state({ lang: 'en' }));
  const boot = bootOf(env.ui.sidebars[0].getContent());
  const keys = Object.keys(vm.runInContext('CATALOG_', env.ctx).messages).filter((k) => k.startsWith('addon.sidebar.')).map((k) => k.slice(14));
  assert.deepEqual(Object.keys(boot.strings.messages).sort(), keys.sort());
  assert.equal(boot.strings.messages.sync_button, 'Sync now');
  assert.equal(boot.strings.status.red, 'Red');
  // Every key the page asks for exists in the catalogue.
  const html = fs.readFileSync(path.join(ADDON, 'Sidebar.html'), 'utf8');
  const asked = new Set([...html.matchAll(/\bm\('(\w+)'[,)]/g)].map((x) => x[1]).concat(['severity_error', 'severity_warning']));
  for (const key of asked) assert.ok(keys.includes(key), 'addon.sidebar.' + key + ' is missing from the catalogue');
  assert.ok(asked.size >= 25, 'the page words everything through the catalogue');
});

test('a KR title cannot break out of the script element: <, >, & and line separators are escaped', () => {
  const env = load();
  env.ss.insertSheet('Réglages');
  const evil = '</script><script>alert(1)</script><!-- & \u2028 «é»';
  const dashboard = { focus: [Object.assign({}, DASHBOARD.focus[0], { title: evil, comment: '</SCRIPT >' })], missing: [] };
  env.ctx.showSidebar_(state({ dashboard }));
  const content = env.ui.sidebars[0].getContent();
  const template = env.html.files.Sidebar;
  assert.equal(content.split('</script>').length, template.split('</script>').length, 'no extra </script> in the page');
  assert.ok(!/<\/script/i.test(/var OKRSYNC_BOOT = (.*);\n/.exec(content)[1]));
  assert.ok(!content.includes('<!--'));
  assert.ok(!content.includes('\u2028'));
  const boot = bootOf(content);
  assert.equal(boot.model.dashboard.focus[0].title, evil);
  assert.equal(boot.model.dashboard.focus[0].comment, '</SCRIPT >');
  // The same text read as a JavaScript literal, as the page does.
  const literal = vm.runInNewContext('(' + /var OKRSYNC_BOOT = (.*);\n/.exec(content)[1] + ')');
  assert.equal(literal.model.dashboard.focus[0].title, evil);
});

test('showDashboard opens the sidebar at once on a loading state, in the workbook language, without syncing', () => {
  const env = load();
  env.ss.insertSheet('Settings');
  let calls = 0;
  env.ctx.runSync_ = () => { calls++; return state(); };
  env.ctx.showDashboard();
  assert.equal(calls, 0);
  const boot = bootOf(env.ui.sidebars[0].getContent());
  assert.equal(boot.model.loading, true);
  assert.equal(boot.model.report, null);
  assert.equal(boot.strings.lang, 'en');
  assert.equal(boot.strings.messages.loading, 'Reading the workbook…');
});

test('dashboardState reads without writing; sidebarSync writes; both answer the page model', () => {
  const env = load();
  env.ss.insertSheet('Réglages');
  const seen = [];
  env.ctx.runSync_ = (ss, opts) => {
    seen.push(Object.assign({ ss: ss === env.ss }, opts));
    return state({ sync: opts.write ? { cells: 3, moved: 0, at: new Date('2025-02-14T12:00:00Z') } : null });
  };
  const read = plain(env.ctx.dashboardState());
  assert.deepEqual(seen[0], { ss: true, write: false, trigger: 'menu', lang: 'fr' });
  assert.equal(read.sync, null);
  assert.deepEqual(read.report, REPORT);
  assert.equal(read.error, null);
  assert.equal(read.nightly.on, false);
  const wrote = plain(env.ctx.sidebarSync());
  assert.deepEqual(seen[1], { ss: true, write: true, trigger: 'menu', lang: 'fr' });
  assert.deepEqual(wrote.sync, { cells: 3, moved: 0, at: '2025-02-14 07:00' });
  assert.equal(env.ui.alerts.length, 0, 'the page shows the outcome itself');
});

test('an error sentence from runSync_ reaches the page; a bug becomes a sentence instead of a blank page', () => {
  const env = load();
  env.ss.insertSheet('Réglages');
  env.ctx.runSync_ = () => state({ report: null, dashboard: null, error: 'Une synchronisation est déjà en cours.' });
  assert.equal(env.ctx.sidebarSync().error, 'Une synchronisation est déjà en cours.');
  const logged = [];
  const quiet = load({ globals: { console: { error: (m) => logged.push(m), log() {}, warn() {} } } });
  quiet.ss.insertSheet('Réglages');
  quiet.ctx.runSync_ = () => { throw new TypeError('x is undefined'); };
  const model = plain(quiet.ctx.dashboardState());
  assert.match(model.error, /^Réponse inattendue du service okrsync \(code x is undefined\)/);
  assert.equal(model.report, null);
  assert.equal(logged.length, 1);
});

test('problemCell_ finds the column by its header label, else column 1', () => {
  const cell = (problem, header) => plain(load().ctx.problemCell_(problem, header));
  const header = ['Semaine', 'KR', 'Valeur', 'Confiance', 'Commentaire'];
  assert.deepEqual(cell({ row: 7, column: 'Valeur' }, header), { row: 7, col: 3 });
  assert.deepEqual(cell({ row: 7, column: 'valeur ' }, header), { row: 7, col: 3 }, 'case and spaces do not matter');
  assert.deepEqual(cell({ row: 7, column: 'Value' }, header), { row: 7, col: 1 }, 'renamed: column 1');
  assert.deepEqual(cell({ row: 7, column: null }, header), { row: 7, col: 1 });
  assert.deepEqual(cell({ row: 7, column: '' }, header), { row: 7, col: 1 });
  assert.deepEqual(cell({ row: 0, column: 'KR' }, header), { row: 1, col: 2 });
  assert.deepEqual(cell({ row: 4, column: 'KR' }, []), { row: 4, col: 1 });
  assert.deepEqual(cell({ row: 4, column: 'KR' }, ['', null, 'KR']), { row: 4, col: 3 });
});

test('goToProblem selects the cell under the header as it is now: moved, renamed, or the tab gone', () => {
  const env = load();
  withSheets(env, { 'Réglages': [['x']], 'Check-ins Ventes': [['Semaine', 'KR', 'Valeur', 'Confiance']] });
  const go = (...args) => plain(env.ctx.goToProblem(...args));
  assert.deepEqual(go('Check-ins Ventes', 5, 'Valeur'), { ok: true, row: 5, col: 3 });
  assert.deepEqual(env.ss.active, { sheet: 'Check-ins Ventes', a1: 'C5' });
  // Someone moved Valeur to the front since the report was made.
  env.ss.sheet('Check-ins Ventes').put(1, 1, [['Valeur', 'Semaine', 'KR', 'Confiance']]);
  go('Check-ins Ventes', 5, 'Valeur');
  assert.deepEqual(env.ss.active, { sheet: 'Check-ins Ventes', a1: 'A5' });
  go('Check-ins Ventes', 9, 'Confiance');
  assert.deepEqual(env.ss.active, { sheet: 'Check-ins Ventes', a1: 'D9' });
  // Renamed: the row is still right, in column 1.
  env.ss.sheet('Check-ins Ventes').put(1, 4, [['Confiance (%)']]);
  go('Check-ins Ventes', 9, 'Confiance');
  assert.deepEqual(env.ss.active, { sheet: 'Check-ins Ventes', a1: 'A9' });
  // The tab is gone: nothing selected, a sentence for the page.
  env.ss.active = null;
  const gone = go('Check-ins Marketing', 4, 'KR');
  assert.equal(gone.ok, false);
  assert.equal(gone.message, "L'onglet « Check-ins Marketing » n'existe plus : relancez la synchronisation pour mettre la liste à jour.");
  assert.equal(env.ss.active, null);
});

test('goToCheckin selects the latest check-in row across the tab', () => {
  const env = load();
  withSheets(env, { 'Settings': [['x']], 'Check-ins Sales': [['Week', 'KR', 'Value', 'Confidence', 'Comment']] });
  assert.deepEqual(plain(env.ctx.goToCheckin('Check-ins Sales', 12)), { ok: true, row: 12 });
  assert.deepEqual(env.ss.active, { sheet: 'Check-ins Sales', a1: 'A12:E12' });
  assert.equal(env.ctx.goToCheckin('Nope', 3).message, 'The tab "Nope" no longer exists: sync again to refresh the list.');
});

test('the page writes percentages as the sheet and the service pages do (half-up, fr_CA and en_US)', () => {
  const { pc } = pageHelpers();
  // Expected values printed by sync.writeback.percent.percent_text(value, 'fr_CA' / 'en_US').
  const cases = [
    [0.125, '13\u00a0%', '13%'], [0.135, '14\u00a0%', '14%'], [0.5877, '59\u00a0%', '59%'], [0.004, '0\u00a0%', '0%'],
    [0.995, '100\u00a0%', '100%'], [1, '100\u00a0%', '100%'], [0.6666, '67\u00a0%', '67%'], [1.234, '123\u00a0%', '123%'],
    [-0.05, '-5\u00a0%', '-5%'], [12.345, '1\u00a0235\u00a0%', '1,235%'], [-0.005, '-1\u00a0%', '-1%'],
    [0.015, '2\u00a0%', '2%'], [0.025, '3\u00a0%', '3%'], [1e-9, '0\u00a0%', '0%'], [0.285, '29\u00a0%', '29%'],
    [0.145, '15\u00a0%', '15%'], [0.575, '58\u00a0%', '58%'], [0, '0\u00a0%', '0%'], [0.525, '53\u00a0%', '53%'],
  ];
  for (const [value, fr, en] of cases) {
    assert.equal(pc(value, 'fr'), fr, String(value));
    assert.equal(pc(value, 'en'), en, String(value));
  }
  assert.equal(pc(null, 'fr'), '\u2014');
  assert.equal(pc(undefined, 'en'), '\u2014');
});

test('the page lists errors before warnings, each in the report order, and fills sentences like t_', () => {
  const { sortedProblems, fill } = pageHelpers();
  const problems = [
    { code: 'a', severity: 'warning' }, { code: 'b', severity: 'error' }, { code: 'c', severity: 'warning' },
    { code: 'd', severity: 'error' },
  ];
  assert.deepEqual(sortedProblems(problems).map((p) => p.code), ['b', 'd', 'a', 'c']);
  assert.deepEqual(plain(sortedProblems(undefined)), []);
  assert.equal(fill('{a} et {b}, {c}', { a: 1, b: 'deux' }), '1 et deux, {c}');
});
