'use strict';
// End to end: the add-on's syncNow against the real service (`okrsync serve --no-auth` on loopback) on a fake
// spreadsheet holding the demo workbook, compared cell by cell with what `okrsync demo` (the CLI's sync of
// the same workbook into an .xlsx, at the demo's date) writes.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn, spawnSync, execFile } = require('node:child_process');
const { load, sheets } = require('./harness.js');

const REPO = path.resolve(__dirname, '..', '..');
const BIN = process.env.OKRSYNC_BIN || path.join(REPO, '.venv', 'bin', 'okrsync');
const PYTHON = fs.existsSync(path.join(path.dirname(BIN), 'python')) ? path.join(path.dirname(BIN), 'python') : path.join(REPO, '.venv', 'bin', 'python');
const STRICT = !!process.env.OKRSYNC_CI_STRICT;
const ZONE = 'America/Montreal';
const missing = fs.existsSync(BIN) && fs.existsSync(PYTHON) ? null : `no okrsync executable at ${BIN} (set OKRSYNC_BIN, or install the project in .venv)`;

/** The sync HTTP client UrlFetchApp stands for: one request per child process, so the add-on's code stays synchronous. */
const CLIENT = `
let input = ''; process.stdin.on('data', (d) => { input += d; }).on('end', async () => {
  const { url, request } = JSON.parse(input);
  try {
    const res = await fetch(url, { method: request.method.toUpperCase(), body: request.payload,
      headers: Object.assign({ 'Content-Type': request.contentType }, request.headers), signal: AbortSignal.timeout(20000) });
    process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));
  } catch (e) { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) })); }
});`;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

function run(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function waitHealthy(url, server, log) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error('okrsync serve exited: ' + log());
    try {
      const res = await fetch(url + '/healthz', { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch (e) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('okrsync serve did not answer /healthz in 30 s: ' + log());
}

/** The demo as a fake spreadsheet: sizes, number formats, then values (dates as the Dates getValues gives). */
function demoSpreadsheet(demo) {
  const ss = new sheets.FakeSpreadsheet({ blank: false, locale: 'fr_CA', timeZone: ZONE, name: demo.title, id: 'demo-e2e' });
  for (const tab of demo.tabs) {
    const sheet = ss.insertSheet(tab.name);
    sheet.maxRows = tab.rows;
    sheet.maxCols = tab.cols;
    for (const f of tab.formats) sheet.getRange(f.range).setNumberFormat(f.pattern);
    for (const f of tab.cell_formats) sheet.getRange(f.row, f.col).setNumberFormat(f.pattern);
    const values = tab.values.map((row) => row.map((v) => {
      if (v && typeof v === 'object' && 'date' in v) { const [y, m, d] = v.date.split('-').map(Number); return sheets.zonedMidnight(y, m, d, ZONE); }
      return v === null ? '' : v;
    }));
    if (values.length) sheet.put(1, 1, values);
  }
  ss.resetCalls();
  return ss;
}

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
  env.fetch.handler = (target, request) => {
    const child = spawnSync(process.execPath, ['-e', CLIENT], { input: JSON.stringify({ url: target, request }), encoding: 'utf8', timeout: 30000 });
    const out = JSON.parse(child.stdout || '{"error": "no answer"}');
    if (out.error) throw new Error(out.error);
    if (out.status === 200) answer = JSON.parse(out.body);
    return { status: out.status, body: out.body };
  };
  env.ctx.syncNow();
  assert.deepEqual(env.ui.alerts, [], 'no error: ' + JSON.stringify(env.ui.alerts) + output.slice(-2000));
  assert.ok(answer && answer.plan, 'the service answered a plan');
  assert.equal(sidebar.length, 1);
  assert.equal(sidebar[0].sync.moved, 0);
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
  // Service tabs: whole.
  for (const name of Object.keys(expected).filter((n) => ['Org', 'Historique', 'Listes'].includes(n))) {
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
  assert.ok(filled > 100, 'the sync filled the computed cells: ' + filled);
  assert.equal(ss.sheet('OKR').getRange('L2').getValue(), expected.OKR[1][11]);
  const tabsWritten = Object.keys(answer.plan.computed).length;
  assert.equal(counts.getSheets, 1);
  assert.ok(counts.setValues <= tabsWritten * 2 + answer.plan.tabs.length, JSON.stringify(counts));
  assert.ok(Date.now() - started < 50000);
});
