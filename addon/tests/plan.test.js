'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');
const { day } = require('./fakes/okr_world.js');

const { ctx } = load();

test('A1: letters, notation, parsing', () => {
  for (const [n, letters] of [[1, 'A'], [11, 'K'], [26, 'Z'], [27, 'AA'], [52, 'AZ'], [53, 'BA'], [702, 'ZZ'], [703, 'AAA']]) {
    assert.equal(ctx.colLetters_(n), letters);
  }
  for (const [args, a1] of [[[2, 11], 'K2'], [[2, 11, 1, 1], 'K2'], [[2, 11, 8, 3], 'K2:M9'], [[1, 1, 1, 27], 'A1:AA1']]) {
    assert.equal(ctx.a1Of_(...args), a1);
  }
  const cases = [
    ['K2', { tab: null, row: 2, col: 11, numRows: 1, numCols: 1 }],
    ['K2:M9', { tab: null, row: 2, col: 11, numRows: 8, numCols: 3 }],
    ['$K$2:$m$9', { tab: null, row: 2, col: 11, numRows: 8, numCols: 3 }],
    ['M9:K2', { tab: null, row: 2, col: 11, numRows: 8, numCols: 3 }],
    ["'Check-ins Ventes'!F2:H40", { tab: 'Check-ins Ventes', row: 2, col: 6, numRows: 39, numCols: 3 }],
    ["'L''équipe'!A1", { tab: "L'équipe", row: 1, col: 1, numRows: 1, numCols: 1 }],
    ['Listes!A2:A200', { tab: 'Listes', row: 2, col: 1, numRows: 199, numCols: 1 }],
    ['AA10', { tab: null, row: 10, col: 27, numRows: 1, numCols: 1 }],
    ['B:B', null], ['2:2', null], ['A0', null], ['', null], ['K2:', null], ['R1C1', null],
  ];
  for (const [a1, want] of cases) assert.deepEqual(plain(ctx.parseA1_(a1)), want, a1);
});

test('a plan stays in computed cells and service tabs, or is refused whole', () => {
  const computed = { OKR: [11, 12, 13], 'Check-ins Ventes': [6, 7, 8] };
  const ok = { cells: [{ tab: 'OKR', row: 2, col: 11 }, { tab: 'Check-ins Ventes', row: 40, col: 8 }], computed,
    tabs: [{ name: 'Org' }, { name: 'Historique' }, { name: 'History' }, { name: 'Listes' }] };
  assert.equal(ctx.planProblem_(ok), null);
  assert.equal(ctx.planProblem_({ cells: [], computed: {}, tabs: [] }), null);
  const cases = [
    [{ cells: [{ tab: 'OKR', row: 3, col: 4 }], computed, tabs: [] }, "'OKR'!D3"],
    [{ cells: [{ tab: 'OKR', row: 1, col: 11 }], computed, tabs: [] }, "'OKR'!K1"],
    [{ cells: [{ tab: 'Réglages', row: 2, col: 2 }], computed, tabs: [] }, "'Réglages'!B2"],
    [{ cells: [{ tab: 'OKR', row: 2.5, col: 11 }], computed, tabs: [] }, "'OKR'!2.5,11"],
    [{ cells: [{ tab: 'OKR', row: 2, col: '11' }], computed, tabs: [] }, "'OKR'!2,11"],
    [{ cells: [], computed, tabs: [{ name: 'OKR' }] }, "'OKR'"],
    [{ cells: [], computed, tabs: [{ name: 'Check-ins Ventes' }] }, "'Check-ins Ventes'"],
    [{ cells: [], computed, tabs: [{ name: 'Réglages' }] }, "'Réglages'"],
    [{ cells: [], computed, tabs: [{ name: 'Mes notes' }] }, "'Mes notes'"],
    [{ cells: [], computed: { Org: [1] }, tabs: [{ name: 'Org' }] }, "'Org'"],
  ];
  for (const [plan, where] of cases) assert.equal(ctx.planProblem_(plan), where, JSON.stringify(plan));
});

test('same cell: dates by instant, blanks alike, no type coercion', () => {
  const cases = [['', null, true], ['', 0, false], [0, 0, true], ['1', 1, false], [day('2025-01-06'), day('2025-01-06'), true],
    [day('2025-01-06'), day('2025-01-07'), false], [day('2025-01-06'), 45663, false], [true, 'TRUE', false], ['a', 'a', true]];
  for (const [a, b, same] of cases) assert.equal(ctx.sameCell_(a, b), same, `${a} ${b}`);
});

test('a row is in place when every cell outside the computed columns still holds what was read', () => {
  const read = [['ID', 'Valeur', 'Progression'], ['KR1', 5, 0.5], ['KR2', day('2025-01-06'), ''], ['', '', '']];
  const cases = [
    [read, 2, true],
    [[read[0], ['KR1', 5, 0.9]], 2, true], // a person typed in a computed cell: still the same row
    [[read[0], ['KR1', 6, 0.5]], 2, false],
    [[read[0], ['KR1', 5, 0.5, 'x']], 2, false], // a new cell typed to the right
    [[read[0], ['KR2', day('2025-01-06'), ''], read[1]], 2, false], // sorted
    [[read[0], read[1], ['KR2', day('2025-01-06')]], 3, true], // trailing cells trimmed by the data range
    [[read[0], read[1]], 3, false], // deleted
    [[read[0], read[1], read[2]], 4, true], // a blank row stays blank
  ];
  for (const [now, row, ok] of cases) assert.equal(ctx.rowInPlace_(read, now, [3], row), ok, JSON.stringify([now, row]));
});

test('values written: text keeps an apostrophe, blanks clear, numbers, booleans and dates stay typed', () => {
  const d = day('2025-01-06');
  const cases = [['Vert', "'Vert"], ['=SUM(A1)', "'=SUM(A1)"], ['12', "'12"], ["'déjà", "''déjà"], ['', ''], [null, ''],
    [undefined, ''], [0, 0], [0.25, 0.25], [45663, 45663], [false, false]];
  for (const [value, out] of cases) assert.equal(ctx.writable_(value), out, String(value));
  // A formula of the service's (the Lists tab) goes in as a formula, which setValues enters.
  assert.equal(ctx.writable_({ formula: "=TRIM('Réglages'!$A$15&\"\")" }), "=TRIM('Réglages'!$A$15&\"\")");
  const again = ctx.writable_(d);
  assert.equal(Object.prototype.toString.call(again), '[object Date]');
  assert.equal(again.getTime(), d.getTime());
});

test('runs of adjacent computed columns', () => {
  const cases = [[[11, 12, 13, 14, 15, 16, 17], [[11, 17]]], [[6, 7, 8], [[6, 8]]], [[16, 11, 12, 13], [[11, 13], [16, 16]]],
    [[3, 3, 4], [[3, 4]]], [[], []], [[1, 3, 5], [[1, 1], [3, 3], [5, 5]]]];
  for (const [cols, runs] of cases) assert.deepEqual(plain(ctx.columnRuns_(cols)), runs, cols.join());
});

// A check-in tab: A..E the person's, F..H computed.
const READ = [
  ['Semaine', 'KR', 'Valeur', 'Confiance', 'Commentaire', 'Progression', 'Statut', 'Validation'],
  ['w1', 'KR1', 1, 'vert', '', 0.1, 'Vert', ''],
  ['w2', 'KR1', 2, 'vert', '', 0.2, 'Vert', ''],
  ['w3', 'KR1', 3, 'vert', '', 0.3, 'Vert', ''],
  ['w4', 'KR1', 4, 'vert', '', 0.4, 'Vert', ''],
];
const blankFormulas = (grid) => grid.map((row) => row.map(() => ''));
const writesOf = (out) => plain(out.writes).map((w) => [ctx.a1Of_(w.row, w.col, w.values.length, w.values[0].length), w.values]);

test('one rectangle per run: planned values where planned, the rows between rewritten unchanged', () => {
  const cells = [{ row: 2, col: 6, value: 0.15 }, { row: 4, col: 7, value: 'Jaune' }, { row: 4, col: 6, value: 0.35 }];
  const out = ctx.tabWrites_('T', cells, [6, 7, 8], READ, READ, blankFormulas(READ), 1000);
  assert.deepEqual(writesOf(out), [['F2:G4', [[0.15, "'Vert"], [0.2, "'Vert"], [0.35, "'Jaune"]]]]);
  assert.equal(out.cells, 3);
  assert.deepEqual(plain(out.moved), []);
});

test('filler cells are rewritten as they read: a Date as a Date, a number as a number, text with its apostrophe', () => {
  const d = day('2025-01-13');
  const read = [READ[0], READ[1], ['w2', 'KR1', 2, 'vert', '', 0.2, 'Vert', d], READ[3]];
  const out = ctx.tabWrites_('T', [{ row: 2, col: 8, value: 'a' }, { row: 4, col: 8, value: 'b' }], [6, 7, 8], read, read, blankFormulas(read), 1000);
  const [write] = out.writes;
  assert.equal(ctx.a1Of_(write.row, write.col, write.values.length, 1), 'H2:H4');
  assert.equal(Object.prototype.toString.call(write.values[1][0]), '[object Date]');
  assert.equal(write.values[1][0].getTime(), d.getTime());
  assert.deepEqual([write.values[0][0], write.values[2][0]], ["'a", "'b"]);
});

test('two runs of computed columns give two rectangles; a non-adjacent column is never bridged', () => {
  const read = READ.map((row) => row.concat(['x']));
  const cells = [{ row: 2, col: 6, value: 1 }, { row: 3, col: 9, value: 'y' }];
  const out = ctx.tabWrites_('T', cells, [6, 7, 9], read, read, blankFormulas(read), 1000);
  assert.deepEqual(writesOf(out), [['F2', [[1]]], ['I3', [["'y"]]]]);
});

test('rows that moved are skipped and counted; their cells between others are rewritten as they are now', () => {
  // A person sorted rows 3 and 4 after the read: the plan's row 3 is now row 4's content.
  const now = [READ[0], READ[1], READ[3], READ[2], READ[4]];
  const cells = [{ row: 2, col: 8, value: 'a' }, { row: 3, col: 8, value: 'b' }, { row: 4, col: 8, value: 'c' }, { row: 5, col: 8, value: 'd' }];
  const out = ctx.tabWrites_('T', cells, [6, 7, 8], READ, now, blankFormulas(now), 1000);
  assert.deepEqual(writesOf(out), [['H2:H5', [["'a"], [''], [''], ["'d"]]]]);
  assert.deepEqual(plain(out.moved), [3, 4]);
  assert.equal(out.cells, 2);
});

test('a row beyond the sheet now (rows deleted) has moved, even when it was blank', () => {
  const read = READ.concat([['', '', '', '', '', '', '', 'old']]);
  const out = ctx.tabWrites_('T', [{ row: 6, col: 8, value: null }], [6, 7, 8], read, READ, blankFormulas(READ), 5);
  assert.deepEqual(writesOf(out), []);
  assert.deepEqual(plain(out.moved), [6]);
});

test('a formula in a cell between planned ones is never rewritten: the rectangle splits around it', () => {
  const formulas = blankFormulas(READ);
  formulas[2][6] = '=IF(C3>1,"Vert","Rouge")'; // G3
  const cells = [{ row: 2, col: 6, value: 1 }, { row: 2, col: 7, value: 'a' }, { row: 3, col: 6, value: 2 }, { row: 4, col: 7, value: 'b' },
    { row: 5, col: 6, value: 5 }];
  const out = ctx.tabWrites_('T', cells, [6, 7, 8], READ, READ, formulas, 1000);
  assert.deepEqual(writesOf(out), [['F2:G2', [[1, "'a"]]], ['F3', [[2]]], ['F4:G5', [[0.3, "'b"], [5, "'Vert"]]]]);
});

test('a planned cell holding a formula is written: computed cells are the service\'s', () => {
  const formulas = blankFormulas(READ);
  formulas[1][5] = '=C2/10';
  const out = ctx.tabWrites_('T', [{ row: 2, col: 6, value: 0.1 }], [6, 7, 8], READ, READ, formulas, 1000);
  assert.deepEqual(writesOf(out), [['F2', [[0.1]]]]);
});

test('rectangles: whole clean rows together, rows with a forbidden cell in pieces, each trimmed to planned cells', () => {
  const P = { value: 1, planned: true };
  const F = { value: 0, planned: false };
  const cases = [
    [[[P]], [{ r: 0, c: 0, rows: 1, cols: 1 }]],
    [[[F, F], [P, F], [F, F], [F, P], [F, F]], [{ r: 1, c: 0, rows: 3, cols: 2 }]],
    [[[P, null, P, F]], [{ r: 0, c: 0, rows: 1, cols: 1 }, { r: 0, c: 2, rows: 1, cols: 1 }]],
    [[[P, F], [null, F], [F, P]], [{ r: 0, c: 0, rows: 1, cols: 2 }, { r: 2, c: 0, rows: 1, cols: 2 }]],
    [[[null, null]], []],
    [[[F, F]], []],
  ];
  for (const [grid, rects] of cases) assert.deepEqual(plain(ctx.rectangles_(grid)), rects, JSON.stringify(grid));
});

test('a service tab is one rectangle from A1, padded, text kept as text', () => {
  assert.deepEqual(plain(ctx.serviceTabWrite_({ name: 'Org', values: [['Org', '2025-T1', 3], ['Ventes', 0.5], []] })),
    { tab: 'Org', row: 1, col: 1, values: [["'Org", "'2025-T1", 3], ["'Ventes", 0.5, ''], ['', '', '']] });
  assert.equal(ctx.serviceTabWrite_({ name: 'Org', values: [] }), null);
});

test('cells grouped by tab in the order tabs appear', () => {
  const cells = [{ tab: 'B', row: 1 }, { tab: 'A', row: 2 }, { tab: 'B', row: 3 }];
  assert.deepEqual(plain(ctx.cellsByTab_(cells)).map((g) => [g.tab, g.cells.map((c) => c.row)]), [['B', [1, 3]], ['A', [2]]]);
});

test('growth: a people tab grows back to used + room(used) once its free rows fall under room // grow_under', () => {
  // A room as the service sends it (tests/test_addon_layout_parity.py checks these functions against the
  // service's own policy and numbers).
  const room = { min: 100, per_row: 2, service_per_row: 1, grow_under: 4 };
  assert.deepEqual([5, 50, 80, 1000].map((used) => ctx.roomFor_(room, used)), [100, 100, 160, 2000]);
  assert.deepEqual([5, 50, 150, 1000].map((used) => ctx.roomFor_(room, used, true)), [100, 100, 150, 1000]);
  assert.deepEqual([67, 101].map((used) => ctx.roomFor_({ ...room, per_row: 1.5 }, used)), [100, 151], 'rounded down');
  const cases = [
    // [last used row, rows the tab has, rows to insert]
    [1, 101, 0], // a fresh check-in tab: its header and its room
    [5, 1000, 0], // an old workbook's 1000-row tab
    [5, 30, 0], // 25 free: exactly room(5) // 4
    [5, 29, 76], // 24 free: grown to 5 + 100
    [5, 5, 100], // full
    [80, 250, 0], // 170 free of room(80) = 160
    [80, 119, 121], // 39 free, under 160 // 4 = 40: grown to 80 + 160 = 240
    [200, 230, 370],
    [0, 10, 0], // nothing read: nothing to say
  ];
  for (const [used, maxRows, want] of cases) assert.equal(ctx.peopleTabGrowth_(room, used, maxRows), want, `${used} of ${maxRows}`);
  assert.equal(ctx.peopleTabGrowth_(null, 5, 5), 0, 'a service that does not say: left as it is');
  assert.equal(ctx.peopleTabGrowth_(undefined, 5, 5), 0);
});

test('growth: a service tab grows only when its rewrite does not fit, then by room(rows, service_per_row)', () => {
  const room = { min: 100, per_row: 2, service_per_row: 1, grow_under: 4 };
  const cases = [[5, 5, 0], [5, 1000, 0], [6, 5, 101], [300, 200, 400], [1200, 1000, 1400]];
  for (const [rows, maxRows, want] of cases) assert.equal(ctx.serviceTabGrowth_(room, rows, maxRows), want, `${rows} in ${maxRows}`);
  assert.equal(ctx.serviceTabGrowth_(null, 1200, 1000), 200, 'without the service\'s room: just enough');
  assert.equal(ctx.serviceTabGrowth_(null, 5, 1000), 0);
});
