'use strict';
// Loads the add-on the way Apps Script does: every script file of addon/ into one global scope, in
// alphabetical order, with fakes of the Apps Script services as globals.

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const sheets = require('./fakes/sheets.js');
const services = require('./fakes/services.js');
require('./fakes/formulas.js');

const ADDON = path.resolve(__dirname, '..');

/** The add-on's script files, sorted as Apps Script orders them. */
function scriptFiles() {
  return fs.readdirSync(ADDON).filter((f) => f.endsWith('.js') || f.endsWith('.gs')).sort();
}

/** The add-on's HTML files by name without extension, as HtmlService finds them. */
function htmlFiles() {
  const out = {};
  for (const f of fs.readdirSync(ADDON).filter((n) => n.endsWith('.html'))) out[f.slice(0, -5)] = fs.readFileSync(path.join(ADDON, f), 'utf8');
  return out;
}

/**
 * A fresh add-on in a fresh world: `env.ctx` is the script's global scope (call `env.ctx.syncNow()`),
 * `env.ss` the active spreadsheet (null when `opts.spreadsheet === null`), and each fake service by name.
 */
function load(opts = {}) {
  const ss = opts.spreadsheet === null ? null : opts.spreadsheet || new sheets.FakeSpreadsheet(opts.spreadsheetOptions || {});
  const ui = new services.FakeUi();
  const env = {
    ss,
    ui,
    html: new services.FakeHtmlService(htmlFiles()),
    fetch: new services.FakeUrlFetchApp(),
    script: new services.FakeScriptApp(),
    properties: new services.FakePropertiesService(),
    locks: new services.FakeLockService(),
    session: new services.FakeSession(),
  };
  const SpreadsheetApp = Object.assign(opts.spreadsheetApp || {}, require('./fakes/layout.js').spreadsheetApp(), {
    getActive: () => env.ss,
    getActiveSpreadsheet: () => env.ss,
    getUi: () => {
      if (env.noUi) throw new Error('Cannot call SpreadsheetApp.getUi() from this context.');
      return ui;
    },
    flush: () => { if (env.ss) env.ss._count('SpreadsheetApp.flush'); },
  });
  const globals = {
    console,
    SpreadsheetApp,
    HtmlService: env.html,
    UrlFetchApp: env.fetch,
    ScriptApp: env.script,
    PropertiesService: env.properties,
    LockService: env.locks,
    Session: env.session,
    Utilities: services.FakeUtilities,
    ...(opts.globals || {}),
  };
  const ctx = vm.createContext(globals);
  for (const file of scriptFiles()) {
    vm.runInContext(fs.readFileSync(path.join(ADDON, file), 'utf8'), ctx, { filename: file });
  }
  env.ctx = ctx;
  env.SpreadsheetApp = SpreadsheetApp;
  return env;
}

/** Plain JSON copy of a value made in the vm context (its arrays and objects are another realm's). */
function plain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

module.exports = { load, plain, scriptFiles, htmlFiles, ADDON, sheets, services };
