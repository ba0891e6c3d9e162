'use strict';
// The add-on against a real okrsync service on loopback: the pieces the end-to-end test and the local trial
// (try_demo.js) share. UrlFetchApp is synchronous, so each request runs in a child Node process.

const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { spawnSync, execFile } = require('node:child_process');
const { sheets } = require('./harness.js');

const REPO = path.resolve(__dirname, '..', '..');
const BIN = process.env.OKRSYNC_BIN || path.join(REPO, '.venv', 'bin', 'okrsync');
const PYTHON = fs.existsSync(path.join(path.dirname(BIN), 'python')) ? path.join(path.dirname(BIN), 'python') : path.join(REPO, '.venv', 'bin', 'python');
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

/** A UrlFetchApp handler that sends each request to the real service; `seen(json)` gets each 200 answer. */
function realFetch(seen) {
  return (target, request) => {
    const child = spawnSync(process.execPath, ['-e', CLIENT], { input: JSON.stringify({ url: target, request }), encoding: 'utf8', timeout: 30000 });
    const out = JSON.parse(child.stdout || '{"error": "no answer"}');
    if (out.error) throw new Error(out.error);
    if (out.status === 200 && seen) seen(JSON.parse(out.body));
    return { status: out.status, body: out.body };
  };
}

module.exports = { REPO, BIN, PYTHON, ZONE, missing, freePort, run, waitHealthy, demoSpreadsheet, realFetch };
