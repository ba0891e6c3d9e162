'use strict';
// Try the add-on without Google: its own code (menu, Sync now, the sidebar) runs in Node over a fake
// spreadsheet holding the demo workbook, against a real okrsync service, e.g. `okrsync serve --no-auth`.
//
//   node addon/tests/try_demo.js [SERVICE_URL] [fr|en]      (default http://127.0.0.1:8080, fr)
//
// It prints the menu, what Sync now wrote, the problems the sidebar lists, and saves the sidebar as
// okrsync-sidebar-<lang>.html in the current folder, to open in a browser.

const fs = require('node:fs');
const path = require('node:path');
const { load } = require('./harness.js');
const { PYTHON, missing, run, demoSpreadsheet, realFetch } = require('./loopback.js');

async function main() {
  const url = (process.argv[2] || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const lang = process.argv[3] === 'en' ? 'en' : 'fr';
  if (missing) throw new Error(missing);
  const demo = JSON.parse(await run(PYTHON, ['-m', 'tests.addon_fixture', 'demo', lang]));
  const env = load({ spreadsheet: demoSpreadsheet(demo) });
  env.properties.script.setProperty('OKRSYNC_SERVICE_URL', url);
  env.properties.script.setProperty('OKRSYNC_AS_OF', demo.as_of);
  env.fetch.handler = realFetch();
  let state = null;
  const open = env.ctx.showSidebar_;
  env.ctx.showSidebar_ = (s) => { state = JSON.parse(JSON.stringify(s)); return open(s); };

  env.ctx.onOpen({ authMode: 'FULL' });
  console.log(`${demo.title} — menu: ${env.ui.menus[0].items.map((i) => i.caption).join(' · ')}`);
  env.ctx.syncNow();
  if (env.ui.alerts.length) {
    console.log(env.ui.alerts.map((a) => a.message || a.title).join('\n'));
    process.exitCode = 1;
    return;
  }
  console.log(env.ss.toasts.map((t) => t.message).join('\n'));
  const calls = env.ss.calls;
  console.log(`Sheet calls: ${calls['Range.getValues'] || 0} getValues, ${calls['Range.getNumberFormats'] || 0} getNumberFormats, `
    + `${calls['Range.setValues'] || 0} setValues; 1 request to ${url}`);
  const org = state.report.org;
  console.log(`Organisation: ${Math.round(org.progress * 100)} % (${org.status}); ${state.report.problems.length} problem(s):`);
  for (const p of state.report.problems) console.log(`  ${p.tab} ${p.row} (${p.column}): ${p.message}`);
  const html = env.ui.sidebars[env.ui.sidebars.length - 1].getContent();
  const file = path.resolve(`okrsync-sidebar-${lang}.html`);
  // google.script.run exists only inside Sheets: in a browser the buttons say what they would do.
  const shim = '<script>window.google={script:{run:new Proxy({},{get:(t,k)=>k.startsWith("with")?()=>google.script.run:'
    + '(...a)=>alert("In Sheets this calls "+k+"("+a.map(JSON.stringify).join(", ")+")")})}};</script>';
  fs.writeFileSync(file, html.replace('<head>', '<head>' + shim));
  console.log(`Sidebar: ${path.relative(process.cwd(), file) || file} (open it in a browser)`);
}

main().catch((e) => { console.error(String(e && e.message || e)); process.exitCode = 1; });

