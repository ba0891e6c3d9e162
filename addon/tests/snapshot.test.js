'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');
const { day, ZONE } = require('./fakes/okr_world.js');

const { ctx } = load();
const dayOf = (d) => ctx.Utilities.formatDate(d, ZONE, 'yyyy-MM-dd');

test('which tabs are read: fixed tabs in either language, check-in prefixes, tabs named in Settings; never Read me', () => {
  const cases = [
    [['Lisez-moi', 'Réglages', 'OKR', 'Check-ins Ventes', 'Org', 'Historique', 'Listes', 'Mes notes'], [],
      ['Réglages', 'OKR', 'Check-ins Ventes', 'Org', 'Historique', 'Listes']],
    [['Read me', 'Settings', 'OKRs', 'Check-ins Sales', 'History', 'Lists', 'Sheet1'], [], ['Settings', 'OKRs', 'Check-ins Sales', 'History', 'Lists']],
    [['Settings', 'OKR', 'Suivi Finance', 'Notes'], [['Team', 'Tab'], ['Finance', ' Suivi Finance '], [3, 'Absent']],
      ['Settings', 'OKR', 'Suivi Finance']],
    [['Mes notes', 'Feuille 1'], [], []],
    [['Check-insVentes', 'check-ins ventes', 'Check-ins '], [], ['Check-ins ']],
  ];
  for (const [names, settings, wanted] of cases) assert.deepEqual(plain(ctx.okrsyncTabs_(names, settings)), wanted, names.join());
});

test('an okrsync workbook has a Settings or an OKRs tab in either language', () => {
  const cases = [[['Réglages'], true], [['OKRs'], true], [['OKR', 'Sheet1'], true], [['Settings'], true], [['Org', 'History'], false],
    [['Sheet1'], false], [[], false], [['Read me', 'Lisez-moi'], false]];
  for (const [names, ok] of cases) assert.equal(ctx.isOkrsyncWorkbook_(names), ok, names.join());
});

test('cells on the wire: dates as their day in the spreadsheet zone, "" as null, the rest as is', () => {
  const cases = [
    ['', null], [null, null], [0, 0], [0.5, 0.5], ['texte', 'texte'], [' ', ' '], [false, false], [true, true],
    [day('2025-02-14'), { date: '2025-02-14' }],
    [day('2025-12-31'), { date: '2025-12-31' }],
    [new Date(Date.UTC(2025, 0, 1, 3, 0)), { date: '2024-12-31' }], // 22:00 the day before in Montréal
  ];
  for (const [value, wire] of cases) assert.deepEqual(plain(ctx.wireCell_(value, dayOf)), wire, String(value));
});

test('a tab: trailing blanks trimmed, formats only for number cells, one format row per value row', () => {
  const values = [
    ['Semaine', 'KR', 'Valeur', 'Confiance', '', ''],
    [day('2025-01-06'), 'VEN-KR1', 5, 0.7, '', ''],
    ['', '', '', '', '', ''],
    ['13 janvier', '', 0.22, '', 'x', ''],
    ['', '', '', '', '', ''],
    ['', '', '', '', '', ''],
  ];
  const formats = [
    ['@', '', '', '', '', '0%'],
    ['yyyy-mm-dd', '', '0', '0%', '', ''],
    ['0%', '0%', '', '', '', ''],
    ['0.00', '0%', '0.0%', '', '', ''],
    ['', '', '', '', '', ''],
    ['', '', '', '', '', ''],
  ];
  assert.deepEqual(plain(ctx.snapshotTab_('Check-ins Ventes', values, formats, dayOf)), {
    name: 'Check-ins Ventes',
    values: [['Semaine', 'KR', 'Valeur', 'Confiance'], [{ date: '2025-01-06' }, 'VEN-KR1', 5, 0.7], [], ['13 janvier', null, 0.22, null, 'x']],
    formats: [[], ['', '', '0', '0%'], [], ['', '', '0.0%']],
  });
});

test('an empty tab is sent with no rows', () => {
  assert.deepEqual(plain(ctx.snapshotTab_('Org', [['']], [['']], dayOf)), { name: 'Org', values: [], formats: [] });
});

test('the snapshot carries the spreadsheet and its tabs in order; the headers are row 1 of each tab', () => {
  const meta = { id: 'ss-1', title: 'OKR', locale: 'fr_CA', time_zone: ZONE };
  const snap = ctx.buildSnapshot_(meta, [
    { name: 'Réglages', values: [['Organisation', 'Acme']], formats: [['', '']] },
    { name: 'OKR', values: [['ID', 'Progression'], ['KR1', 0.5]], formats: [['', ''], ['', '0%']] },
    { name: 'Org', values: [['']], formats: [['']] },
  ], dayOf);
  assert.deepEqual(plain(snap), { spreadsheet: meta, tabs: [
    { name: 'Réglages', values: [['Organisation', 'Acme']], formats: [[]] },
    { name: 'OKR', values: [['ID', 'Progression'], ['KR1', 0.5]], formats: [[], ['', '0%']] },
    { name: 'Org', values: [], formats: [] },
  ] });
  assert.deepEqual(plain(ctx.snapshotHeaders_(snap)), { Réglages: ['Organisation', 'Acme'], OKR: ['ID', 'Progression'], Org: [] });
});
