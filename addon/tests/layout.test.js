'use strict';
// The layout renderer (Layout.js): the service's layout JSON drawn into a blank spreadsheet with SpreadsheetApp.
// Fixtures are the service's own JSON (sync/wire/layout.py layout_json of build_layout), made with:
//   .venv/bin/python -c '…layout_json(build_layout(WorkbookSpec("Acme", "fr", "2025-T1", [Marketing, Ventes, Finance])))'
// tests/test_addon_layout_parity.py checks the live layout against `init --google`'s, so these cannot drift far.
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');
const layoutFakes = require('./fakes/layout.js');

const FR = require('./fixtures/layout-fr.json').layout;
const EN = require('./fixtures/layout-en.json').layout;
const OKR_TAB = FR.tabs.find((t) => t.key === 'okrs');

function rendered(layout, opts = {}) {
  const env = load({ spreadsheetOptions: { locale: 'fr_CA', ...opts } });
  env.ss.resetCalls();
  env.ctx.renderLayout_(env.ss, JSON.parse(JSON.stringify(layout)));
  return env;
}

test('a blank spreadsheet gets the layout\'s tabs in order, its title, locale and time zone', () => {
  const env = rendered(FR);
  assert.deepEqual(env.ss.sheets.map((s) => s.getName()), ['Lisez-moi', 'Réglages', 'Objectifs annuels', 'OKR',
    'Initiatives', 'Check-ins Marketing', 'Check-ins Ventes', 'Check-ins Finance', 'Check-ins Organisation',
    'Indicateurs', 'Relevés KPI', 'Org', 'Historique', 'Listes']);
  assert.equal(env.ss.getName(), 'OKR Acme 2025-T1');
  assert.equal(env.ss.getSpreadsheetLocale(), FR.locale);
  assert.equal(env.ss.getSpreadsheetTimeZone(), FR.time_zone);
  assert.equal(env.ss.getActiveSheet().getName(), 'Lisez-moi');
});

test('headers are written as text, frozen, filled and bold; sizes and widths follow the layout', () => {
  const env = rendered(FR);
  const okr = env.ss.sheet('OKR');
  assert.deepEqual(okr.dump()[0], OKR_TAB.values[0]);
  assert.equal(okr.getFrozenRows(), 1);
  // What a tab holds plus room to type (at least 100 rows; the Lists tab from the row dropdowns read down to;
  // Org for what its first sync lists), as `init --google` lays it out: a workbook grows as it fills instead
  // of carrying thousands of blank rows.
  assert.equal(okr.getMaxRows(), 101);
  assert.deepEqual(env.ss.sheets.map((sheet) => sheet.getMaxRows()), FR.tabs.map((t) => t.rows));
  assert.deepEqual(FR.tabs.map((t) => t.rows), [114, 117, 101, 101, 101, 101, 101, 101, 101, 101, 101, 134, 101, 400]);
  assert.equal(env.ss.sheet('Check-ins Ventes').getMaxColumns(), 26);
  assert.equal(env.ss.sheet('Lisez-moi').getFrozenRows(), 0);
  OKR_TAB.widths.forEach((w, i) => assert.equal(okr.getColumnWidth(i + 1), w, 'width of column ' + (i + 1)));
  OKR_TAB.header_fills.forEach((f) => {
    const cell = okr.getRange(f.row, f.col);
    assert.equal(cell.getBackground(), f.colour);
    assert.equal(cell.getFontWeight(), 'bold');
  });
  assert.equal(okr.getRange('A2').getFontWeight(), 'normal');
  assert.equal(okr.getTabColor(), OKR_TAB.tab_colour);
  // The Read me title is a heading: bold, without a fill.
  const readme = env.ss.sheet('Lisez-moi');
  assert.equal(readme.getRange('A1').getValue(), 'OKR Acme 2025-T1');
  assert.equal(readme.getRange('A1').getFontWeight(), 'bold');
  assert.equal(readme.getRange('A1').getBackground(), '#ffffff');
});

test('settings values keep their types: text stays text, dates are dates, thresholds percentages', () => {
  const env = rendered(FR);
  const settings = env.ss.sheet('Réglages');
  const values = settings.dump();
  assert.equal(values[4][1], '2025-T1', 'a quarter is text, not a formula or a number');
  assert.equal(values[3][1], 'fr_CA');
  assert.ok(values[5][1] instanceof Date, 'start is a date');
  assert.equal(settings.getRange('B6').getNumberFormat(), 'yyyy-mm-dd');
  assert.equal(settings.getRange('B8').getNumberFormat(), '0%');
  assert.equal(values[7][1], 0.8);
  assert.deepEqual(values.slice(-3).map((r) => [r[0], r[3]]), [['Marketing', 'Check-ins Marketing'],
    ['Ventes', 'Check-ins Ventes'], ['Finance', 'Check-ins Finance']]);
});

test('area number formats cover their columns down to the last row, open-ended in A1', () => {
  const env = rendered(FR);
  const okr = env.ss.sheet('OKR');
  assert.deepEqual(OKR_TAB.formats.map((f) => f.range), ['M2:M', 'N2:N', 'O2:O', 'Q2:Q', 'T2:T']);
  assert.equal(okr.getRange('M2').getNumberFormat(), '0%');
  assert.equal(okr.getRange('M101').getNumberFormat(), '0%');
  assert.equal(okr.getRange('L101').getNumberFormat(), '');
  assert.equal(env.ss.sheet('Check-ins Marketing').getRange('A101').getNumberFormat(), 'yyyy-mm-dd');
  assert.equal(env.ss.sheet('Org').getRange('C108').getNumberFormat(), '0%');
  // A bounded area stays bounded: the Settings thresholds.
  const settings = env.ss.sheet('Réglages');
  assert.deepEqual(FR.tabs[1].formats.map((f) => f.range), ['B6:B7', 'B8:B11']);
  assert.equal(settings.getRange('B11').getNumberFormat(), '0%');
  assert.equal(settings.getRange('B12').getNumberFormat(), '');
});

test('open-ended A1 ranges run to the sheet\'s last row, and keep doing so when it grows', () => {
  const env = rendered(FR);
  const checkins = env.ss.sheet('Check-ins Marketing');
  const whole = checkins.getRange('A2:I');
  assert.deepEqual([whole.getA1Notation(), whole.getRow(), whole.getNumRows(), whole.getNumColumns()], ['A2:I', 2, 100, 9]);
  assert.deepEqual(['A:A', '2:2', 'B2:B', 'B2:C9'].map((a1) => checkins.getRange(a1).getA1Notation()), ['A:A', '2:2', 'B2:B', 'B2:C9']);
  assert.equal(checkins.getRange('A:A').getNumRows(), 101);
  assert.equal(env.ss.getRange("'Check-ins Marketing'!F2:F").getNumRows(), 100);
  const rule = checkins.getConditionalFormatRules()[1].getRanges()[0];
  const dropdown = () => checkins.getRange('B250').getDataValidation();
  checkins.insertRowsAfter(101, 200);
  assert.deepEqual([rule.getA1Notation(), rule.getLastRow(), whole.getLastRow()], ['A2:I', 301, 301]);
  assert.equal(dropdown().getCriteriaType(), layoutFakes.DATA_VALIDATION_CRITERIA.VALUE_IN_RANGE, 'B2:B covers the new rows');
  assert.deepEqual(checkins.getProtections('RANGE').map((p) => p.getRange().getA1Notation()), ['F1:F', 'G1:G', 'H1:H', 'I1:I']);
  assert.equal(checkins.getProtections('RANGE')[0].getRange().getNumRows(), 301);
});

test('dropdowns: fixed lists strict or not, team lists read from the Lists tab', () => {
  const env = rendered(FR);
  const okr = env.ss.sheet('OKR');
  const type = okr.getRange('C2').getDataValidation();
  assert.equal(type.getCriteriaType(), layoutFakes.DATA_VALIDATION_CRITERIA.VALUE_IN_LIST);
  assert.deepEqual(plain(type.getCriteriaValues()[0]), ['Objectif', 'Augmenter', 'Réduire', 'Au moins', 'Au plus', 'Jalon']);
  assert.equal(type.getAllowInvalid(), false);
  const team = okr.getRange('B7').getDataValidation();
  assert.equal(team.getCriteriaType(), layoutFakes.DATA_VALIDATION_CRITERIA.VALUE_IN_RANGE);
  const source = team.getCriteriaValues()[0];
  assert.equal(source.getSheet().getName(), 'Listes');
  assert.equal(source.getA1Notation(), 'A2:A200');
  assert.equal(team.getAllowInvalid(), true);
  const kr = env.ss.sheet('Check-ins Finance').getRange('B2').getDataValidation();
  assert.equal(kr.getCriteriaValues()[0].getA1Notation(), 'D2:D200', 'the third team reads the fourth column');
  const confidence = env.ss.sheet('Check-ins Finance').getRange('D9').getDataValidation();
  assert.deepEqual(plain(confidence.getCriteriaValues()[0]), ['🟢', '🟡', '🔴', 'vert', 'jaune', 'rouge']);
  assert.equal(confidence.getAllowInvalid(), true, 'a percentage goes in as typed');
  assert.match(confidence.getHelpText(), /80 %/);
  const orgKr = env.ss.sheet('Check-ins Organisation').getRange('B2').getDataValidation();
  assert.equal(orgKr.getCriteriaValues()[0].getA1Notation(), 'AF2:AF200', "the organisation's KRs, past every team's");
  assert.equal(okr.getRange('A2').getDataValidation(), null);
});

test('the row key\'s grey, then status colours, are conditional format rules, in the layout\'s order', () => {
  const env = rendered(FR);
  const rules = env.ss.sheet('Check-ins Marketing').getConditionalFormatRules();
  assert.deepEqual(plain(rules.map((r) => [r.getRanges().map((x) => x.getA1Notation()), r.getBooleanCondition().getCriteriaType(),
    r.getBooleanCondition().getCriteriaValues()[0], r.getBooleanCondition().getBackground()])), [
    // First, so that it wins: computed cells greyed when the key written with them is no longer the row's.
    // Open-ended, as the Sheets API backend lays them: they cover the rows the tab grows by.
    [['F2:I'], 'CUSTOM_FORMULA', '=($I2<>($B2&"|"&$A2))*(($I2&$F2&$G2&$H2)<>"")=1', '#B7B7B7'],
    [['A2:I'], 'CUSTOM_FORMULA', '=$G2="Vert"', '#B7E1CD'],
    [['A2:I'], 'CUSTOM_FORMULA', '=$G2="Jaune"', '#FCE8B2'],
    [['A2:I'], 'CUSTOM_FORMULA', '=$G2="Rouge"', '#F4C7C3'],
    [['A2:I'], 'CUSTOM_FORMULA', '=$G2="Aucun"', '#EFEFEF'],
  ]);
  const org = env.ss.sheet('Org').getConditionalFormatRules();
  assert.deepEqual(plain(org.map((r) => [r.getBooleanCondition().getCriteriaType(), r.getBooleanCondition().getCriteriaValues()[0]])),
    [['TEXT_EQUAL_TO', 'Vert'], ['TEXT_EQUAL_TO', 'Jaune'], ['TEXT_EQUAL_TO', 'Rouge'], ['TEXT_EQUAL_TO', 'Aucun']]);
  assert.deepEqual(env.ss.sheet('Réglages').getConditionalFormatRules(), []);
});

test('computed columns and service tabs are protected, warning only, with the layout\'s description', () => {
  const env = rendered(FR);
  const okr = env.ss.sheet('OKR');
  const ranges = okr.getProtections('RANGE');
  assert.deepEqual(ranges.map((p) => p.getRange().getA1Notation()), OKR_TAB.protections.map((p) => p.range));
  assert.ok(ranges.length >= 5);
  for (const p of ranges) {
    assert.equal(p.isWarningOnly(), true);
    assert.match(p.getDescription(), /calculée/);
  }
  assert.deepEqual(okr.getProtections('SHEET'), []);
  for (const [name, says] of [['Org', /tenu par okrsync/], ['Historique', /tenu par okrsync/], ['Listes', /se calculent/]]) {
    const whole = env.ss.sheet(name).getProtections('SHEET');
    assert.equal(whole.length, 1, name);
    assert.equal(whole[0].isWarningOnly(), true);
    assert.match(whole[0].getDescription(), says);
  }
  assert.deepEqual(env.ss.sheet('Réglages').getProtections('RANGE'), []);
});

test('the Lists tab is hidden and computes the teams and their KRs with formulas; the others are visible', () => {
  const env = rendered(FR);
  const lists = env.ss.sheet('Listes');
  assert.equal(lists.isSheetHidden(), true);
  const formulas = lists.getRange(1, 1, 3, 3).getFormulas();
  assert.deepEqual(lists.dump().slice(0, 2).map((r) => r[0]), ['Équipes', 'Organisation']);
  // Each team's name from its Settings row; the teams and each team's KRs by FILTER, in the locale's syntax (fr_CA: ;).
  assert.deepEqual(formulas[0].slice(1), ["=TRIM('Réglages'!$A$15&\"\")", "=TRIM('Réglages'!$A$16&\"\")"]);
  assert.match(formulas[2][0], /^=IFERROR\(FILTER\('Réglages'!\$A\$15:\$A\$44;/);
  assert.match(formulas[1][1], /^=IFERROR\(FILTER\('OKR'!\$A\$2:\$A;.*\$B\$1\)\)\)$/);
  assert.deepEqual(env.ss.sheets.filter((s) => s.isSheetHidden()).map((s) => s.getName()), ['Listes']);
});

test('the org tab gets its combo chart over the team table: status-coloured stacked columns, the expected line', () => {
  const env = rendered(FR);
  const charts = env.ss.sheet('Org').getCharts();
  assert.equal(charts.length, 1);
  const chart = charts[0];
  assert.equal(chart.getChartType(), 'COMBO');
  assert.deepEqual(chart.getRanges().map((r) => r.getA1Notation()), ['A5:A8', 'I5:I8', 'J5:J8', 'K5:K8', 'L5:L8', 'C5:C8']);
  assert.equal(chart.getOptions().get('title'), 'Progression par équipe');
  assert.equal(chart.getNumHeaders(), 1, 'the header row names the series in the legend');
  assert.equal(chart.isStacked(), true);
  const colours = FR.charts[0].series.map((s) => s.colour);
  assert.deepEqual(chart.getColors(), colours);
  const plain = (o) => JSON.parse(JSON.stringify(o));  // objects made in the add-on's own context
  assert.deepEqual(plain(chart.getOptions().get('series')), { 0: { type: 'bars' }, 1: { type: 'bars' },
    2: { type: 'bars' }, 3: { type: 'bars' }, 4: { type: 'line' } });
  assert.deepEqual(plain(chart.getRange()), { start: 0, end: 1 });
  assert.equal(chart.getContainerInfo().getAnchorRow(), 2);
  assert.equal(chart.getContainerInfo().getAnchorColumn(), 14);
});

test('numbers sit right under right-aligned headers, titles and headers wrap, in a call per look', () => {
  const env = rendered(FR);
  const okr = env.ss.sheet('OKR');
  assert.deepEqual(okr.aligned.map((a) => a[1]), okr.aligned.map(() => 'right'));
  assert.ok(okr.aligned.some((a) => a[0] === 'F1'), 'the header of Départ: Sheets right-aligns its numbers itself');
  assert.ok(okr.wrapped.some((w) => w[0] === 'D1:D'), 'Intitulé');
  assert.ok(okr.wrapped.some((w) => w[0] === 'A1'), 'the header row');
  assert.ok(env.ss.sheet('Org').wrapped.some((w) => w[0] === 'A1:A'), 'objective titles on the org tab');
  const tabs = FR.tabs.filter((tab) => tab.right && tab.right.length).length;
  assert.equal(env.ss.callCount('RangeList.setHorizontalAlignment'), tabs, 'one call per tab, not per column');
});

test('the row key\'s column is hidden on every tab that has one, a call each; its cells are written all the same', () => {
  const env = rendered(FR);
  const hidden = (sheet) => Array.from({ length: sheet.getMaxColumns() }, (_, i) => i + 1).filter((c) => sheet.isColumnHiddenByUser(c));
  const keyed = FR.tabs.filter((tab) => tab.hidden_cols.length);
  assert.deepEqual(keyed.map((tab) => tab.name), ['Objectifs annuels', 'OKR', 'Initiatives', 'Check-ins Marketing',
    'Check-ins Ventes', 'Check-ins Finance', 'Check-ins Organisation', 'Indicateurs', 'Relevés KPI']);
  FR.tabs.forEach((tab) => {
    const sheet = env.ss.sheet(tab.name);
    assert.deepEqual(hidden(sheet), tab.hidden_cols, tab.name);
    // The key is the template's last column, headed Clé.
    tab.hidden_cols.forEach((col) => assert.equal(sheet.getRange(1, col).getValue(), 'Clé', tab.name));
  });
  assert.deepEqual(OKR_TAB.hidden_cols, [20]);
  assert.equal(env.ss.callCount('Sheet.hideColumns'), keyed.length);
  const okr = env.ss.sheet('OKR');
  okr.getRange('T2').setValue('MKT-O1');
  assert.equal(okr.getRange('T2').getValue(), 'MKT-O1', 'a hidden column reads and writes as any other');
  assert.ok(EN.tabs.find((tab) => tab.key === 'okrs').hidden_cols.length === 1);
});

test('a plan\'s chart is left alone when it already reads its ranges, else redrawn; a person\'s own chart stays', () => {
  const env = rendered(FR);
  const org = env.ss.sheet('Org');
  const mine = org.newChart().asBarChart().addRange(org.getRange('D2:D5')).setPosition(20, 1, 0, 0).build();
  org.insertChart(mine);
  const ranges = () => org.getCharts().map((c) => c.getRanges().map((r) => r.getA1Notation()).join());
  const chart = (last) => ({ tab: 'Org', title: 'Progression par équipe', labels: `A5:A${last}`,
    series: [{ range: `I5:I${last}`, colour: '#6AA84F', line: false }, { range: `C5:C${last}`, colour: '#434343', line: true }],
    row: 2, col: 14 });
  env.ctx.ensureCharts_(env.ss, [chart(8)]);
  assert.deepEqual(ranges(), ['D2:D5', 'A5:A8,I5:I8,C5:C8']);
  env.ss.resetCalls();
  env.ctx.ensureCharts_(env.ss, [chart(8)]);
  assert.equal(env.ss.callCount('Sheet.insertChart') + env.ss.callCount('Sheet.removeChart'), 0, 'unchanged: nothing redrawn');
  env.ctx.ensureCharts_(env.ss, [chart(9)]);
  assert.deepEqual(ranges(), ['D2:D5', 'A5:A9,I5:I9,C5:C9']);
  assert.equal(org.getCharts()[1].getContainerInfo().getAnchorColumn(), 14);
  org.removeChart(org.getCharts()[1]);
  env.ctx.ensureCharts_(env.ss, [chart(9)]);
  assert.deepEqual(ranges(), ['D2:D5', 'A5:A9,I5:I9,C5:C9'], 'a chart a person deleted comes back');
});

test('a chart drawn before the legend (reading from under the header) is replaced, not doubled', () => {
  const env = rendered(FR);
  const org = env.ss.sheet('Org');
  org.getCharts().forEach((c) => org.removeChart(c));
  org.insertChart(org.newChart().asBarChart().addRange(org.getRange('A6:A8')).addRange(org.getRange('B6:B8'))
    .setPosition(2, 10, 0, 0).build());
  env.ctx.ensureCharts_(env.ss, FR.charts);
  assert.deepEqual(org.getCharts().map((c) => c.getChartType()), ['COMBO']);
});

test('English layout: English tabs and words', () => {
  const env = rendered(EN, { locale: 'en_US' });
  assert.deepEqual(env.ss.sheets.map((s) => s.getName()), ['Read me', 'Settings', 'Annual goals', 'OKRs', 'Initiatives',
    'Check-ins Marketing', 'Check-ins Sales', 'Check-ins Organisation', 'KPIs', 'KPI readings', 'Org', 'History', 'Lists']);
  const rules = env.ss.sheet('OKRs').getConditionalFormatRules();
  assert.equal(rules[0].getBooleanCondition().getCriteriaValues()[0], '=($T2<>($A2&""))*(($T2&$L2&$M2&$N2&$O2&$P2&$Q2&$R2&$S2)<>"")=1');
  assert.equal(rules[1].getBooleanCondition().getCriteriaValues()[0], '=$P2="Green"');
  assert.equal(env.ss.sheet('Settings').dump()[4][1], '2025-Q1');
});

test('calls stay per tab, rule and area, never per cell', () => {
  const env = rendered(FR);
  const calls = env.ss.calls;
  const tabs = FR.tabs.length;
  assert.equal(calls['Range.setValues'], tabs, 'one setValues per tab');
  assert.equal(calls['Spreadsheet.insertSheet'], tabs);
  assert.equal(calls['Spreadsheet.deleteSheet'], 1);
  const dropdowns = FR.tabs.reduce((n, t) => n + t.dropdowns.length, 0);
  assert.equal(calls['Range.setDataValidation'], dropdowns);
  const ruled = FR.tabs.filter((t) => t.colour_rules.length).length;
  assert.equal(calls['Sheet.setConditionalFormatRules'], ruled, 'one per tab with rules');
  const protections = FR.tabs.reduce((n, t) => n + t.protections.length, 0);
  assert.equal((calls['Range.protect'] || 0) + (calls['Sheet.protect'] || 0), protections);
  assert.equal(calls['Sheet.insertChart'], 1);
  assert.equal(calls['Range.setValue'] || 0, 0);
  assert.equal(calls['Range.setBackground'] || 0, 0, 'fills go by range lists, one per colour');
  // Fills, bold cells and cell formats: one range list per colour or pattern of a tab.
  const fillColours = FR.tabs.reduce((n, t) => n + new Set(t.header_fills.map((f) => f.colour)).size, 0);
  assert.equal(calls['RangeList.setBackground'], fillColours);
  const cells = FR.tabs.reduce((n, t) => n + t.values.reduce((m, r) => m + r.length, 0), 0);
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  // Column widths cost one call per run of equal widths: Apps Script sets widths only on adjacent columns.
  const widthRuns = FR.tabs.reduce((n, t) => n + env.ctx.widthRuns_(t.widths).length, 0);
  assert.equal(calls['Sheet.setColumnWidths'], widthRuns);
  // A fresh sheet has Apps Script's 1000 rows: each tab costs one call to be cut to its laid-out rows.
  assert.equal(calls['Sheet.deleteRows'], tabs);
  // Besides widths, 40 calls a tab on average: a check-in tab takes 46 (two dropdowns, three protections, its colour
  // rules), the annual goals' 21 columns more; four per tab for right-aligned and wrapping columns.
  assert.ok(total - widthRuns < 42 * tabs, `${total} calls (${total - widthRuns} besides widths, ${cells} cells) for ${tabs} tabs`);
  // 33 a tab: what a tab costs whatever its cells (rules, protections, formats, alignment, wrapping, the row key
  // hidden).
  assert.ok(total < cells + 33 * tabs, 'not a call per cell');
});

test('a layout tab name already held by a blank tab does not stop the set-up', () => {
  const env = load({ spreadsheetOptions: { firstSheet: 'OKR' } });
  env.ctx.renderLayout_(env.ss, JSON.parse(JSON.stringify(FR)));
  assert.deepEqual(env.ss.sheets.map((s) => s.getName()).slice(0, 4), ['Lisez-moi', 'Réglages', 'Objectifs annuels', 'OKR']);
  assert.equal(env.ss.sheets.length, FR.tabs.length);
});

test('pure helpers: width runs and groups', () => {
  const env = load();
  assert.deepEqual(plain(env.ctx.widthRuns_([84, 84, 140, 84])), [{ first: 1, count: 2, width: 84 },
    { first: 3, count: 1, width: 140 }, { first: 4, count: 1, width: 84 }]);
  assert.deepEqual(plain(env.ctx.widthRuns_([])), []);
  assert.deepEqual(plain(env.ctx.groupBy_([{ c: 'a', n: 1 }, { c: 'b', n: 2 }, { c: 'a', n: 3 }], (x) => x.c)),
    [['a', [{ c: 'a', n: 1 }, { c: 'a', n: 3 }]], ['b', [{ c: 'b', n: 2 }]]]);
});
