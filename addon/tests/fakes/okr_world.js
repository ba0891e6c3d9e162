'use strict';
// A small French okrsync workbook in the fake spreadsheet, and a fake service answering /api/addon/sync, for
// the sync tests: Réglages names a check-in tab without the prefix, Lisez-moi and a person's own tab are not
// okrsync's, dates and percentages are where people put them.

const { load, sheets } = require('../harness.js');

const ZONE = 'America/Montreal';
const day = (iso) => { const [y, m, d] = iso.split('-').map(Number); return sheets.zonedMidnight(y, m, d, ZONE); };
const serial = (iso) => Math.round((Date.UTC(...iso.split('-').map((x, i) => Number(x) - (i === 1 ? 1 : 0))) - Date.UTC(1899, 11, 30)) / 86400000);

const OKR_HEADER = ['ID', 'Équipe', 'Type', 'Intitulé', 'Responsable', 'Départ', 'Cible', 'Unité', 'Parent', 'Poids',
  'Actuel', 'Progression', 'Attendu', 'Confiance', 'Statut', 'Dernier check-in', 'Remarques'];
const OKR_COMPUTED = [11, 12, 13, 14, 15, 16, 17];
const CHECKIN_HEADER = ['Semaine', 'KR', 'Valeur', 'Confiance', 'Commentaire', 'Progression', 'Statut', 'Validation'];
const CHECKIN_COMPUTED = [6, 7, 8];
const SERVICE_URL = 'https://okrsync.example.com';
/** How tabs grow, as the service says in every plan (the service's own numbers: fixtures/ is its JSON). */
const ROOM = require('../fixtures/layout-fr.json').layout.room;

/** The workbook: tabs in the order people see them. */
function workbook(opts = {}) {
  const ss = new sheets.FakeSpreadsheet({ blank: false, locale: opts.locale || 'fr_CA', timeZone: ZONE, name: 'OKR Acme 2025-T1', id: 'ss-1' });
  const fr = opts.lang !== 'en';
  ss.insertSheet(fr ? 'Lisez-moi' : 'Read me').put(1, 1, [['Comment remplir le classeur']]);
  const settings = ss.insertSheet(fr ? 'Réglages' : 'Settings');
  settings.put(1, 1, [['Organisation', 'Acme'], ['Trimestre', '2025-T1'], ['Début', day('2025-01-01')], ['Fin', day('2025-03-31')],
    ['Vert', 0.8], [], ['Équipe', 'Responsable', 'Courriel', 'Onglet'], ['Ventes', 'Ana', 'ana@acme.example', 'Check-ins Ventes'],
    ['Finance', 'Bo', 'bo@acme.example', 'Suivi Finance']]);
  settings.getRange('B5').setNumberFormat('0%');
  const okr = ss.insertSheet(fr ? 'OKR' : 'OKRs');
  okr.put(1, 1, [OKR_HEADER,
    ['ORG-O1', 'Organisation', 'Objectif', 'Croître', 'Ana', '', '', '', '', '', '', 0.4, 0.5, '', 'Jaune', '', ''],
    ['VEN-KR1', 'Ventes', 'Augmenter', '40 leads', 'Ana', 0, 40, 'leads', 'ORG-O1', '', 20, 0.5, 0.5, 0.7, 'Vert', day('2025-02-10'), ''],
    ['VEN-KR2', 'Ventes', 'Au moins', 'Marge', 'Ana', 0.2, 0.3, '%', 'ORG-O1', 2, '', '', 0.5, '', 'Aucun', '', ''],
    ['FIN-KR1', 'Finance', 'Réduire', 'Délais', 'Bo', 60, 30, 'jours', 'ORG-O1', '', 50, 0.33, 0.5, '', 'Rouge', '', ''],
    ['', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''],
  ]);
  okr.getRange('F4:G4').setNumberFormat('0%');
  okr.getRange('L2:M100').setNumberFormat('0%');
  okr.getRange('P2:P100').setNumberFormat('yyyy-mm-dd');
  const ventes = ss.insertSheet('Check-ins Ventes');
  ventes.put(1, 1, [CHECKIN_HEADER,
    [day('2025-01-06'), 'VEN-KR1', 5, '🟢', 'Début', 0.125, 'Vert', ''],
    [day('2025-01-13'), 'VEN-KR1', 12, '🟡', '', '', '', ''],
    ['13 janvier', 'VEN-KR2', 0.22, 'vert', 'Texte pour la date', '', '', ''],
    [day('2025-01-20'), 'VEN-KR1', 'douze', 'rouge', '', '', '', 'Ancienne remarque'],
  ]);
  ventes.getRange('C4').setNumberFormat('0%');
  ventes.getRange('F2:F100').setNumberFormat('0%');
  ss.insertSheet('Suivi Finance').put(1, 1, [CHECKIN_HEADER, [day('2025-01-08'), 'FIN-KR1', 55, 0.6, '', '', '', '']]);
  ss.insertSheet('Org').put(1, 1, [['Org', '2025-T1'], ['Ventes', 0.5], ['Finance', 0.33], ['ancienne ligne', '']]);
  ss.insertSheet(fr ? 'Historique' : 'History').put(1, 1, [['Semaine', 'KR', 'Valeur']]);
  ss.insertSheet('Mes notes').put(1, 1, [['à ne pas lire']]);
  ss.resetCalls();
  return ss;
}

/** A report as the service sends it (enough of one for the add-on, which passes it on). */
function report(problems = []) {
  return { workbook: { title: 'OKR Acme 2025-T1', lang: 'fr', quarter: '2025-T1', as_of: '2025-02-14', elapsed: 0.5 },
    checkins: { rows: 5, valid: 3, invalid: 2 }, problems, key_results: [], objectives: [], teams: [], org: { progress: 0.4, status: 'yellow' },
    writes: { cells: 0, api_calls: { read: 0, write: 0 } } };
}

/** A realistic plan for the workbook above. */
function plan() {
  return {
    cells: [
      { tab: 'OKR', row: 3, col: 11, value: 12 }, { tab: 'OKR', row: 3, col: 12, value: 0.3 },
      { tab: 'OKR', row: 3, col: 16, value: serial('2025-01-13') }, { tab: 'OKR', row: 3, col: 15, value: 'Jaune' },
      { tab: 'OKR', row: 4, col: 11, value: 0.22 }, { tab: 'OKR', row: 4, col: 12, value: 0.2 },
      { tab: 'OKR', row: 5, col: 17, value: '=Aucun check-in' },
      { tab: 'Check-ins Ventes', row: 3, col: 6, value: 0.3 }, { tab: 'Check-ins Ventes', row: 3, col: 7, value: 'Jaune' },
      { tab: 'Check-ins Ventes', row: 4, col: 8, value: 'Date illisible : « 13 janvier »' },
      { tab: 'Check-ins Ventes', row: 5, col: 8, value: null }, { tab: 'Check-ins Ventes', row: 5, col: 6, value: null },
      { tab: 'Suivi Finance', row: 2, col: 6, value: 0.17 },
    ],
    computed: { OKR: OKR_COMPUTED, 'Check-ins Ventes': CHECKIN_COMPUTED, 'Suivi Finance': CHECKIN_COMPUTED },
    tabs: [
      { name: 'Org', values: [['Org', '2025-T1'], ['Ventes', 0.3], ['Finance', 0.17], ['', '']] },
      { name: 'Historique', values: [['Semaine', 'KR', 'Valeur'], [serial('2025-01-13'), 'VEN-KR1', 12], [serial('2025-01-13'), 'VEN-KR2', '12']] },
    ],
    room: ROOM,
  };
}

/** The sync's answer: 200 with the report, a dashboard and `thePlan` (null for write: false). */
function answer(thePlan) {
  const body = { report: report(), dashboard: { focus: [], missing: [] }, plan: thePlan, run: null };
  // Counted as the service counts a plan: its cells, and the service tabs cell by cell.
  if (thePlan) body.report.writes.cells = thePlan.cells.length + thePlan.tabs.reduce((n, t) => n + t.values.reduce((m, r) => m + r.length, 0), 0);
  return { status: 200, body };
}

/**
 * The add-on loaded on the workbook, the service configured, the sidebar stubbed (its state recorded in
 * `env.sidebar`), the service answering `handler` (default: the plan above for write: true).
 */
function world(opts = {}) {
  const env = load({ spreadsheet: opts.spreadsheet || workbook(opts) });
  if (opts.url !== null) env.properties.script.setProperty('OKRSYNC_SERVICE_URL', opts.url || SERVICE_URL);
  env.sidebar = [];
  env.ctx.showSidebar_ = (state) => { env.sidebar.push(JSON.parse(JSON.stringify(state))); };
  env.fetch.handler = opts.handler || ((url, request) => answer(JSON.parse(request.payload).write ? plan() : null));
  return env;
}

/** Every sheet's dump, to check that nothing changed. */
function dumpAll(ss) {
  const out = {};
  for (const s of ss.sheets) out[s.name] = s.dump().map((row) => row.map((v) => (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]' ? 'D' + v.getTime() : v)));
  return out;
}

module.exports = { workbook, world, plan, answer, report, dumpAll, day, serial, ZONE, OKR_HEADER, OKR_COMPUTED, CHECKIN_HEADER,
  CHECKIN_COMPUTED, SERVICE_URL, ROOM };
