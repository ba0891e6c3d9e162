'use strict';
// Prints the sidebar page exactly as showSidebar_ makes it, for the browser test
// (tests/test_addon_sidebar_browser.py): reads {state, nightly: {on, last}} as JSON on stdin, opens a fake
// workbook in the state's language (its Settings tab named in that language), optionally turns the nightly
// sync on and records a last run, then writes the evaluated HTML to stdout.

const { load } = require('./harness.js');
const vm = require('node:vm');

const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const env = load({ spreadsheetOptions: { id: 'demo', timeZone: input.timeZone || 'America/Montreal' } });
const catalog = vm.runInContext('CATALOG_', env.ctx);
env.ss.insertSheet(catalog.tabs.settings[input.state.lang]);
const nightly = input.nightly || {};
if (nightly.on) env.ctx.toggleNightly();
if (nightly.last) env.properties.document.setProperty('okrsync.nightly.last', JSON.stringify(nightly.last));
const output = env.ctx.showSidebar_(input.state);
process.stdout.write(output.getContent());
