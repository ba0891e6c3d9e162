'use strict';
// End to end: the add-on's syncNow against the real service (`okrsync serve --no-auth` on loopback) on a fake
// spreadsheet holding the demo workbook, compared cell by cell with what `okrsync demo` (the CLI's sync of
// the same workbook into an .xlsx, at the demo's date) writes.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { load, sheets } = require('./harness.js');
const { BIN, PYTHON, ZONE, missing, freePort, run, waitHealthy, demoSpreadsheet, realFetch } = require('./loopback.js');

const STRICT = !!process.env.OKRSYNC_CI_STRICT;

const isDate = (v) => Object.prototype.toString.call(v) === '[object Date]';
const norm = (v) => (isDate(v) ? sheets.dayIn(v, ZONE) : v === '' || v === undefined ? null : v);
const at = (grid, r, c) => (grid[r] && c < grid[r].length ? grid[r][c] : null);
const serialDay = (n) => new Date(Date.UTC(1899, 11, 30) + n * 86400000).toISOString().slice(0, 10);

/** Compares one cell; returns null when equal, else a description. `kinds` counts explained differences. */
function differs(got, want, kinds) {
  got = norm(got);
  if (got === want) return null;
  if (typeof got === 'number' && typeof want === 'number' && Math.abs(got - want) < 1e-9) return null;
  if (typeof got === 'number' && typeof want === 'string' && /^\d{4}-\d\d-\d\d$/.test(want) && serialDay(got) === want) {
    kinds.serialWithoutDateFormat = (kinds.serialWithoutDateFormat || 0) + 1;
    return null;
  }
  return `${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`;
}

test('syncNow on the demo against the real service writes what okrsync sync writes', { skip: !STRICT && missing ? missing : false, timeout: 60000 }, async (t) => {
  if (missing) assert.fail(missing);
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'okrsync-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const server = spawn(BIN, ['serve', '--no-auth', '--host', '127.0.0.1', '--port', String(port), '--data', path.join(tmp, 'data')],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { output += d; });
  server.stderr.on('data', (d) => { output += d; });
  t.after(() => { if (server.exitCode === null) server.kill('SIGTERM'); fs.rmSync(tmp, { recursive: true, force: true }); });
  const xlsx = path.join(tmp, 'demo.xlsx');
  const [demoText] = await Promise.all([
    run(PYTHON, ['-m', 'tests.addon_fixture', 'demo', 'fr']),
    run(BIN, ['demo', '--out', xlsx]),
    waitHealthy(url, server, () => output.slice(-2000)),
  ]);
  const expected = JSON.parse(await run(PYTHON, ['-m', 'tests.addon_fixture', 'xlsx', xlsx])).tabs;
  const demo = JSON.parse(demoText);
  const env = load({ spreadsheet: demoSpreadsheet(demo) });
  env.properties.script.setProperty('OKRSYNC_SERVICE_URL', url);
  env.properties.script.setProperty('OKRSYNC_AS_OF', demo.as_of);
  const sidebar = [];
  env.ctx.showSidebar_ = (state) => { sidebar.push(JSON.parse(JSON.stringify(state))); };
  let answer = null;
  env.fetch.handler = realFetch((json) => { answer = json; });
  env.ctx.syncNow();
  assert.deepEqual(env.ui.alerts, [], 'no error: ' + JSON.stringify(env.ui.alerts) + output.slice(-2000));
  assert.ok(answer && answer.plan, 'the service answered a plan');
  assert.equal(sidebar.length, 1);
  assert.equal(sidebar[0].sync.moved, 0);
  assert.equal(sidebar[0].sync.cells, answer.report.writes.cells, 'cells written counted as the CLI counts them');
  assert.equal(sidebar[0].report.workbook.as_of, demo.as_of);

  const ss = env.ss;
  const diffs = [];
  const kinds = {};
  let compared = 0;
  let filled = 0;
  // People's tabs: every computed cell, every row; and the people's cells untouched.
  for (const [tab, computed] of Object.entries(answer.plan.computed)) {
    const got = ss.sheet(tab).dump();
    const want = expected[tab];
    assert.ok(want, `the .xlsx has a tab ${tab}`);
    const rows = Math.max(got.length, want.length);
    const width = Math.max(...got.map((r) => r.length), ...want.map((r) => r.length));
    for (let r = 1; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        const d = differs(at(got, r, c), at(want, r, c), kinds);
        compared++;
        if (computed.includes(c + 1) && norm(at(got, r, c)) !== null) filled++;
        if (d) diffs.push(`${tab}!${env.ctx.a1Of_(r + 1, c + 1)} ${computed.includes(c + 1) ? '(computed)' : '(person\'s)'}: ${d}`);
      }
    }
  }
  // Service tabs: whole. Listes computes itself (formulas the fakes do not evaluate): the sync never writes it.
  assert.deepEqual(answer.plan.tabs.map((tab) => tab.name).sort(), ['Historique', 'Org']);
  for (const name of Object.keys(expected).filter((n) => ['Org', 'Historique'].includes(n))) {
    const got = ss.sheet(name).dump();
    const want = expected[name];
    const rows = Math.max(got.length, want.length);
    const width = Math.max(...got.map((r) => r.length), ...want.map((r) => r.length));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        const d = differs(at(got, r, c), at(want, r, c), kinds);
        compared++;
        if (d) diffs.push(`${name}!${env.ctx.a1Of_(r + 1, c + 1)}: ${d}`);
      }
    }
  }
  const counts = { getSheets: ss.calls['Spreadsheet.getSheets'], getValues: ss.calls['Range.getValues'], getNumberFormats: ss.calls['Range.getNumberFormats'],
    getFormulas: ss.calls['Range.getFormulas'], setValues: ss.calls['Range.setValues'], cells: sidebar[0].sync.cells };
  t.diagnostic(`compared ${compared} cells (${filled} computed cells filled, tabs ${Object.keys(answer.plan.computed).join(', ')}); explained differences ${JSON.stringify(kinds)}; calls ${JSON.stringify(counts)}; ${Date.now() - started} ms`);
  assert.deepEqual(diffs, []);
  // The demo was laid out without its chart here: the sync draws the org tab's chart over the team table.
  assert.deepEqual(ss.sheet('Org').getCharts().map((c) => c.getRanges().map((r) => r.getA1Notation())), [['A5:A8', 'I5:I8', 'J5:J8', 'K5:K8', 'L5:L8', 'C5:C8']]);
  assert.ok(filled > 100, 'the sync filled the computed cells: ' + filled);
  assert.equal(ss.sheet('OKR').getRange('M2').getValue(), expected.OKR[1][12]);
  const tabsWritten = Object.keys(answer.plan.computed).length;
  assert.equal(counts.getSheets, 1);
  assert.ok(counts.setValues <= tabsWritten * 2 + answer.plan.tabs.length, JSON.stringify(counts));
  assert.ok(Date.now() - started < 50000);
});
