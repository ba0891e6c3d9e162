'use strict';
// Setting up a workbook (the dialog and createWorkbook) and adding a team (Setup.js), the service faked at
// UrlFetchApp with the service's own JSON (fixtures/, see layout.test.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');

const FR = require('./fixtures/layout-fr.json');
const TEAM = require('./fixtures/team-fr.json');
const SERVICE = 'https://okrsync.example';

function service(env, answers) {
  env.properties.script.setProperty('OKRSYNC_SERVICE_URL', SERVICE);
  env.fetch.handler = (url, request) => {
    const path = url.slice(SERVICE.length);
    const answer = answers[path];
    if (!answer) throw new Error('Unexpected fetch: ' + url);
    return typeof answer === 'function' ? answer(request) : answer;
  };
}

function bootOf(html) {
  const m = /var BOOT = (.*);\n/.exec(html);
  assert.ok(m, 'the dialog embeds its data');
  return JSON.parse(m[1]);
}

const FORM = { lang: 'fr', organisation: 'Acme', quarter: '2025-T1', teams: 'Marketing\nVentes\n\n  Finance \n' };

/** An okrsync workbook made by the set-up, and its env. */
function workbook() {
  const env = load({ spreadsheetOptions: { locale: 'fr_CA' } });
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  const answer = env.ctx.createWorkbook(FORM);
  assert.equal(answer.ok, true, answer.message);
  env.fetch.requests.length = 0;
  return env;
}

test('the dialog speaks the spreadsheet locale\'s language and carries both languages\' strings', () => {
  for (const [locale, lang, title, label] of [['fr_CA', 'fr', 'Créer le classeur OKR', 'Trimestre'],
    ['en_GB', 'en', 'Set up the OKR workbook', 'Quarter']]) {
    const env = load({ spreadsheetOptions: { locale } });
    env.ctx.setUpWorkbook();
    assert.equal(env.ui.dialogs.length, 1);
    const { output, title: shown } = env.ui.dialogs[0];
    assert.equal(shown, title);
    const boot = bootOf(output.getContent());
    assert.equal(boot.lang, lang);
    assert.equal(boot.strings[lang].quarter, label);
    assert.equal(boot.strings.fr.teams_hint, 'Une équipe par ligne');
    assert.equal(boot.strings.en.teams_hint, 'One team per line');
    assert.equal(boot.strings.fr.submit, 'Créer');
    assert.equal(boot.strings.en.cancel, 'Cancel');
    assert.match(boot.quarters.fr, /^\d{4}-T[1-4]$/);
    assert.equal(boot.quarters.en, boot.quarters.fr.replace('T', 'Q'));
    assert.equal(env.fetch.requests.length, 0, 'opening the dialog asks the service nothing');
  }
});

test('the dialog prefills the current quarter in the spreadsheet\'s time zone', () => {
  const env = load({ spreadsheetOptions: { timeZone: 'Pacific/Auckland' } });
  env.ctx.setUpWorkbook();
  const boot = bootOf(env.ui.dialogs[0].output.getContent());
  const month = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', month: '2-digit' }).format(new Date()));
  const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', year: 'numeric' }).format(new Date());
  assert.equal(boot.quarters.en, `${year}-Q${Math.floor((month - 1) / 3) + 1}`);
  assert.equal(env.ctx.quarterLabel_('2025-12', 'fr'), '2025-T4');
  assert.equal(env.ctx.quarterLabel_('2026-04', 'en'), '2026-Q2');
});

test('the dialog\'s page has no sentence of its own: every label comes from the catalogue', () => {
  const env = load();
  env.ctx.setUpWorkbook();
  const html = env.ui.dialogs[0].output.getContent();
  const text = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, '').trim();
  assert.equal(text, '');
  const boot = bootOf(html);
  const keys = [...html.matchAll(/data-text="(\w+)"/g)].map((m) => m[1]);
  const said = [...html.matchAll(/say\('(\w+)'[,)]/g)].map((m) => m[1]);
  for (const key of [...keys, ...said, 'lang_fr', 'lang_en', 'bad_quarter', 'no_team', 'bad_team', 'duplicate_team', 'too_many_teams']) {
    for (const lang of ['fr', 'en']) assert.ok(boot.strings[lang][key], `${lang} ${key}`);
  }
  assert.match(html, /#1a73e8/);
  assert.match(html, /'Google Sans', Roboto, Arial/);
});

test('a spreadsheet that holds data is refused, by the menu item and by the dialog\'s submit', () => {
  const env = load({ spreadsheetOptions: { locale: 'fr_FR' } });
  env.ss.insertSheet('Notes').put(3, 2, [['budget']]);
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  env.ctx.setUpWorkbook();
  assert.deepEqual(env.ui.dialogs, []);
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'Ce classeur contient déjà des données : créez le classeur OKR dans une feuille vide.' }]);
  const answer = plain(env.ctx.createWorkbook(FORM));
  assert.deepEqual(answer, { ok: false, message: 'Ce classeur contient déjà des données : créez le classeur OKR dans une feuille vide.' });
  assert.equal(env.fetch.requests.length, 0);
  assert.deepEqual(env.ss.sheets.map((s) => s.getName()), ['Sheet1', 'Notes']);
});

test('several empty tabs still make a blank spreadsheet, and all of them give way', () => {
  const env = load();
  env.ss.insertSheet('Sheet2');
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  env.ctx.setUpWorkbook();
  assert.equal(env.ui.dialogs.length, 1);
  assert.equal(env.ctx.createWorkbook(FORM).ok, true);
  assert.equal(env.ss.sheets.length, FR.layout.tabs.length);
  assert.ok(!env.ss.sheets.some((s) => /^Sheet/.test(s.getName())));
});

test('the submit posts the provisioning request, draws the layout and confirms in one sentence', () => {
  const env = load({ spreadsheetOptions: { locale: 'en_US' } });
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  const answer = plain(env.ctx.createWorkbook(FORM));
  assert.deepEqual(answer, { ok: true,
    message: 'Le classeur « OKR Acme 2025-T1 » est prêt (14 onglets) : saisissez vos OKR, puis choisissez « Synchroniser maintenant ».' });
  const request = env.fetch.requests[0];
  assert.equal(request.url, SERVICE + '/api/addon/layout');
  assert.equal(request.headers['Accept-Language'], 'fr');
  assert.equal(request.headers.Authorization, 'Bearer id-token-for-tests');
  assert.deepEqual(env.fetch.lastBody(), { organisation: 'Acme', lang: 'fr', quarter: '2025-T1', teams: ['Marketing', 'Ventes', 'Finance'] });
  assert.equal(env.ss.sheets.length, 14);
  assert.equal(env.ss.getName(), 'OKR Acme 2025-T1');
  assert.equal(env.locks.taken, 1);
  assert.equal(env.locks.released, 1);
  assert.deepEqual(env.ui.sidebars, [], 'nothing else opens');
});

test('the form is checked on the server too, in the form\'s language, before any call', () => {
  const env = load();
  service(env, {});
  const cases = [
    [{ ...FORM, organisation: '  ' }, "Indiquez le nom de l'organisation."],
    [{ ...FORM, teams: '\n \n' }, 'Indiquez au moins une équipe, une par ligne.'],
    [{ ...FORM, quarter: '2025-5' }, 'Trimestre « 2025-5 » illisible : écrivez-le comme 2025-T1.'],
    [{ ...FORM, lang: 'en', quarter: 'Q1' }, 'Quarter "Q1" unreadable: write it as 2025-Q1.'],
    [{ ...FORM, teams: 'R&D\nOps/Infra' }, "Nom d'équipe « Ops/Infra » impossible : 1 à 80 caractères, sans : \\ / ? * [ ]."],
    [{ ...FORM, lang: 'en', teams: 'Sales\nsales' }, 'The team "sales" is given twice.'],
    [{ ...FORM, teams: Array.from({ length: 31 }, (_, i) => 'T' + i).join('\n') }, 'Au plus 30 équipes par classeur.'],
  ];
  for (const [form, message] of cases) assert.deepEqual(plain(env.ctx.createWorkbook(form)), { ok: false, message });
  assert.equal(env.fetch.requests.length, 0);
  assert.equal(env.locks.taken, 0);
  assert.deepEqual(plain(env.ctx.checkSetupForm_({ lang: 'en', organisation: 'Acme', quarter: ' 2025 q2 ', teams: ['Sales'] })),
    { lang: 'en', request: { organisation: 'Acme', lang: 'en', quarter: '2025 q2', teams: ['Sales'] } });
});

test('the service\'s refusal or failure is said in one sentence and nothing is drawn', () => {
  const env = load();
  service(env, { '/api/addon/layout': { status: 400, body: { error: { code: 'bad_field', message: 'Champ « teams » invalide.', status: 400 } } } });
  assert.deepEqual(plain(env.ctx.createWorkbook(FORM)),
    { ok: false, message: 'Le service okrsync a refusé la demande : Champ « teams » invalide.' });
  service(env, { '/api/addon/layout': { status: 503, body: 'down' } });
  const failed = plain(env.ctx.createWorkbook({ ...FORM, lang: 'en' }));
  assert.equal(failed.ok, false);
  assert.match(failed.message, /^The okrsync service ran into an error \(code 503\)/);
  service(env, { '/api/addon/layout': { status: 200, body: { layout: null } } });
  assert.match(env.ctx.createWorkbook(FORM).message, /Réponse inattendue/);
  assert.deepEqual(env.ss.sheets.map((s) => s.getName()), ['Sheet1']);
  assert.equal(env.ss.getName(), 'Untitled spreadsheet');
  assert.equal(env.locks.released, env.locks.taken);
});

test('a set-up while another script holds the document waits its turn, then says so', () => {
  const env = load();
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  env.locks.busy = true;
  assert.match(env.ctx.createWorkbook(FORM).message, /déjà en cours/);
  assert.equal(env.fetch.requests.length, 0);
});

test('a 3-team workbook costs a bounded number of SpreadsheetApp calls', () => {
  const env = load();
  service(env, { '/api/addon/layout': { status: 200, body: FR } });
  env.ss.resetCalls();
  env.ctx.createWorkbook(FORM);
  const total = Object.values(env.ss.calls).reduce((a, b) => a + b, 0);
  assert.ok(total < 50 * 14, `${total} calls`);  // 56 of them right-align and wrap columns: four per tab
  assert.equal(env.ss.calls['Range.setValues'], 14);
});

// ---- addTeam ----

function addTeamWith(env, name, answer) {
  env.ui.promptAnswers.push({ button: 'OK', text: name });
  service(env, { '/api/addon/team': answer });
  env.ctx.addTeam();
}

test('addTeam adds the tab after the last team\'s and the Settings row (its list computes itself), and confirms', () => {
  const env = workbook();
  const before = env.ss.sheets.map((s) => s.getName());
  addTeamWith(env, ' Produit ', { status: 200, body: TEAM });
  assert.deepEqual(plain(env.ui.prompts), [{ title: 'Ajouter une équipe', message: 'Nom de la nouvelle équipe :', buttons: 'OK_CANCEL' }]);
  const body = env.fetch.lastBody();
  assert.deepEqual(body.team, { name: 'Produit' });
  assert.equal(env.fetch.requests[0].url, SERVICE + '/api/addon/team');
  assert.deepEqual(body.snapshot.tabs.map((t) => t.name), ['Réglages', 'Objectifs annuels', 'OKR', 'Initiatives',
    'Check-ins Marketing', 'Check-ins Ventes', 'Check-ins Finance', 'Check-ins Organisation', 'Indicateurs', 'Relevés KPI',
    'Org', 'Historique', 'Listes']);
  assert.equal(body.snapshot.spreadsheet.locale, FR.layout.locale);
  const names = env.ss.sheets.map((s) => s.getName());
  // Where a new workbook has it: after the teams' check-in tabs, before the organisation's and the KPI tabs.
  assert.equal(TEAM.tabs[0].after, 'Check-ins Finance');
  const at = before.indexOf('Check-ins Finance') + 1;
  assert.deepEqual(names, [...before.slice(0, at), 'Check-ins Produit', ...before.slice(at)]);
  const tab = env.ss.sheet('Check-ins Produit');
  assert.deepEqual(tab.dump()[0], TEAM.tabs[0].values[0]);
  assert.equal(tab.getFrozenRows(), 1);
  assert.deepEqual(TEAM.tabs[0].hidden_cols, [9]);
  assert.ok(tab.isColumnHiddenByUser(9) && !tab.isColumnHiddenByUser(8), 'its row key hidden, as the set-up hides it');
  assert.equal(tab.getRange('B2').getDataValidation().getCriteriaValues()[0].getA1Notation(), 'E2:E200');
  assert.equal(tab.getConditionalFormatRules().length, 5);
  assert.ok(tab.getProtections('RANGE').every((p) => p.isWarningOnly()));
  const settings = env.ss.sheet('Réglages').dump();
  assert.deepEqual(settings[17], ['Produit', '', '', 'Check-ins Produit']);
  // Produit's list, the column its KR dropdown reads, computes itself from its Settings row: nothing written there.
  const lists = env.ss.sheet('Listes');
  assert.equal(lists.getRange('E1').getFormula(), "=TRIM('Réglages'!$A$18&\"\")");
  assert.equal(lists.isSheetHidden(), true);
  const chart = env.ss.sheet('Org').getCharts().map((c) => c.getRanges().map((r) => r.getA1Notation()));
  assert.deepEqual(chart, [['A5:A9', 'I5:I9', 'J5:J9', 'K5:K9', 'L5:L9', 'C5:C9']], 'the org chart covers the new team');
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'Équipe « Produit » ajoutée : son onglet « Check-ins Produit » est prêt et elle figure dans les réglages.' }]);
  assert.equal(env.locks.taken, env.locks.released);
});

test('addTeam cancelled, or with an empty name, does nothing', () => {
  const env = workbook();
  env.ui.promptAnswers.push({ button: 'CANCEL', text: 'Produit' });
  env.ctx.addTeam();
  env.ui.promptAnswers.push({ button: 'CLOSE', text: '' });
  env.ctx.addTeam();
  assert.deepEqual(env.ui.alerts, []);
  env.ui.promptAnswers.push({ button: 'OK', text: '   ' });
  env.ctx.addTeam();
  assert.deepEqual(plain(env.ui.alerts), [{ message: "Indiquez le nom de l'équipe." }]);
  assert.equal(env.fetch.requests.length, 0);
  assert.equal(env.ss.sheets.length, 14);
});

test('addTeam shows the service\'s refusal of a duplicate team and changes nothing', () => {
  const env = workbook();
  const sentence = "L'équipe « Marketing » existe déjà.";
  addTeamWith(env, 'Marketing', { status: 400, body: { error: { code: 'bad_team', message: sentence, status: 400 } } });
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'Le service okrsync a refusé la demande : ' + sentence }]);
  assert.equal(env.ss.sheets.length, 14);
  assert.equal(env.locks.taken, env.locks.released);
});

test('addTeam never overwrites a person\'s cell: a taken Settings cell stops it before any write', () => {
  const env = workbook();
  env.ss.sheet('Réglages').put(18, 4, [['à voir']]);
  const lists = env.ss.sheet('Listes').dump();
  env.ss.resetCalls();
  addTeamWith(env, 'Produit', { status: 200, body: TEAM });
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'La cellule D18 de l\'onglet « Réglages » n\'est plus vide : rien n\'a été modifié. Vérifiez le tableau des équipes, puis réessayez.' }]);
  assert.equal(env.ss.sheets.length, 14);
  assert.deepEqual(env.ss.sheet('Listes').dump(), lists);
  assert.equal(env.ss.sheet('Réglages').getRange('D18').getValue(), 'à voir');
  assert.equal(env.ss.calls['Range.setValues'] || 0, 0);
});

test('addTeam in a spreadsheet that is not an okrsync workbook says so without asking', () => {
  const env = load({ spreadsheetOptions: { locale: 'en_US' } });
  env.ctx.addTeam();
  assert.deepEqual(env.ui.prompts, []);
  assert.match(env.ui.alerts[0].message, /^This is not an okrsync workbook/);
});

test('addTeam writes few calls: one setValues per Settings run, none for Lists', () => {
  const env = workbook();
  env.ss.resetCalls();
  addTeamWith(env, 'Produit', { status: 200, body: TEAM });
  // The new tab's header, the Settings row (A18 and D18 are two runs: B and C are not the plan's).
  assert.equal(env.ss.calls['Range.setValues'], 1 + 2);
  assert.equal(env.ss.calls['Spreadsheet.insertSheet'], 1);
  assert.equal(env.ss.calls['Sheet.setConditionalFormatRules'], 1);
  assert.deepEqual(plain(env.ctx.rowWrites_([{ tab: 'S', row: 3, col: 2, value: 'b' }, { tab: 'S', row: 3, col: 1, value: 'a' },
    { tab: 'S', row: 3, col: 4, value: 'd' }, { tab: 'S', row: 4, col: 1, value: 7 }])), [
    { tab: 'S', row: 3, col: 1, values: ["'a", "'b"] }, { tab: 'S', row: 3, col: 4, values: ["'d"] },
    { tab: 'S', row: 4, col: 1, values: [7] }]);
});

test('the dialog\'s script parses once its data is in', () => {
  const vm = require('node:vm');
  const env = load();
  env.ctx.setUpWorkbook();
  const html = env.ui.dialogs[0].output.getContent();
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)[1];
  assert.doesNotThrow(() => new vm.Script(script, { filename: 'Setup.html' }));
  assert.match(script, /\.createWorkbook\(values\)/, 'the submit calls the server function');
  assert.equal(typeof env.ctx.createWorkbook, 'function');
});

/** Just enough of a browser page to run the dialog's script: its elements by id and data-text, events. */
function page(html, run) {
  const elements = [];
  const make = (tag, attrs = {}) => {
    const el = { tag, attrs, id: attrs.id, textContent: '', value: '', disabled: false, style: {}, className: attrs.class || '',
      selected: false, children: [], listeners: {},
      getAttribute: (name) => (name in attrs ? attrs[name] : null),
      addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); },
      fire(type, event) { (this.listeners[type] || []).forEach((fn) => fn(event || { preventDefault() {} })); },
      appendChild(child) { this.children.push(child); if (child.selected) this.value = child.value; },
      focus() { doc.focused = this; },
      set innerHTML(_v) { this.children = []; },
    };
    return el;
  };
  for (const m of html.replace(/<script[\s\S]*?<\/script>/g, '').matchAll(/<(\w+)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs = {};
    for (const a of m[2].matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1]] = a[2] === undefined ? '' : a[2];
    if (attrs.id || attrs['data-text']) elements.push(make(m[1], attrs));
  }
  const doc = {
    focused: null,
    documentElement: {},
    getElementById: (id) => elements.find((e) => e.id === id) || null,
    querySelectorAll: (sel) => { assert.equal(sel, '[data-text]'); return elements.filter((e) => e.attrs['data-text']); },
    createElement: (tag) => make(tag),
  };
  const calls = [];
  const runner = (success, failure) => new Proxy({}, { get: (_t, name) => {
    if (name === 'withSuccessHandler') return (f) => runner(f, failure);
    if (name === 'withFailureHandler') return (f) => runner(success, f);
    return (...args) => { calls.push({ name, args }); const out = run(name, args); if (out instanceof Error) failure(out); else success(out); };
  } });
  const google = { script: { run: runner(null, null), host: { close: () => calls.push({ name: 'close' }) } } };
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)[1];
  require('node:vm').runInNewContext(script, { document: doc, google });
  return { doc, calls, el: (id) => doc.getElementById(id), text: (key) => elements.find((e) => e.attrs['data-text'] === key).textContent };
}

test('the dialog: labelled in the locale\'s language, relabelled on a language change, checks before sending', () => {
  const EN = require('./fixtures/layout-en.json');
  const env = load({ spreadsheetOptions: { locale: 'fr_CA' } });
  service(env, { '/api/addon/layout': { status: 200, body: EN } });
  env.ctx.setUpWorkbook();
  const boot = bootOf(env.ui.dialogs[0].output.getContent());
  const p = page(env.ui.dialogs[0].output.getContent(), (name, args) => plain(env.ctx[name](...args)));
  assert.equal(p.text('quarter'), 'Trimestre');
  assert.equal(p.text('submit'), 'Créer');
  assert.equal(p.el('quarter').value, boot.quarters.fr);
  assert.deepEqual(p.el('lang').children.map((o) => [o.value, o.textContent]), [['fr', 'Français'], ['en', 'Anglais']]);
  assert.equal(p.el('lang').value, 'fr');
  assert.equal(p.doc.focused, p.el('organisation'));
  // English: labels and the prefilled quarter follow.
  p.el('lang').value = 'en';
  p.el('lang').fire('change');
  assert.equal(p.text('quarter'), 'Quarter');
  assert.equal(p.text('teams_hint'), 'One team per line');
  assert.equal(p.el('quarter').value, boot.quarters.en);
  assert.deepEqual(p.el('lang').children.map((o) => o.textContent), ['French', 'English']);
  // Checked in the page: nothing sent.
  p.el('form').fire('submit');
  assert.equal(p.el('message').textContent, "Give the organisation's name.");
  assert.equal(p.el('message').className, 'message error');
  p.el('organisation').value = 'Globex';
  p.el('quarter').value = 'Q3';
  p.el('form').fire('submit');
  assert.equal(p.el('message').textContent, 'Quarter "Q3" unreadable: write it as ' + boot.quarters.en + '.');
  assert.equal(p.doc.focused, p.el('quarter'));
  p.el('quarter').value = '2025-Q3';
  p.el('teams').value = 'Sales\nR&D\n';
  assert.deepEqual(p.calls, []);
  // Sent: the server function draws the workbook and the page confirms, its only button now Close.
  p.el('form').fire('submit');
  assert.deepEqual(p.calls.map((c) => c.name), ['createWorkbook']);
  assert.deepEqual(plain(p.calls[0].args[0]), { lang: 'en', organisation: 'Globex', quarter: '2025-Q3', teams: 'Sales\nR&D\n' });
  assert.equal(p.el('message').className, 'message done');
  assert.match(p.el('message').textContent, /^The workbook "OKR Acme 2025-Q1" is ready \(13 tabs\)/);
  assert.equal(p.el('submit').style.display, 'none');
  assert.equal(p.el('cancel').textContent, 'Close');
  assert.equal(env.ss.sheets.length, 13);
  p.el('cancel').fire('click');
  assert.equal(p.calls[1].name, 'close');
});

test('the dialog shows the server\'s sentence and lets the user try again', () => {
  const env = load({ spreadsheetOptions: { locale: 'en_US' } });
  service(env, { '/api/addon/layout': { status: 503, body: 'down' } });
  env.ctx.setUpWorkbook();
  const p = page(env.ui.dialogs[0].output.getContent(), (name, args) => plain(env.ctx[name](...args)));
  p.el('organisation').value = 'Acme';
  p.el('teams').value = 'Sales';
  p.el('form').fire('submit');
  assert.match(p.el('message').textContent, /^The okrsync service ran into an error \(code 503\)/);
  assert.equal(p.el('submit').disabled, false);
  const crash = page(env.ui.dialogs[0].output.getContent(), () => new Error('Exception: Service Spreadsheets failed'));
  crash.el('organisation').value = 'Acme';
  crash.el('teams').value = 'Sales';
  crash.el('form').fire('submit');
  assert.equal(crash.el('message').textContent, 'Exception: Service Spreadsheets failed');
});

test('addTeam refuses a tab name a person took meanwhile, before any write', () => {
  const env = workbook();
  const answer = { status: 200, body: TEAM };
  env.ui.promptAnswers.push({ button: 'OK', text: 'Produit' });
  service(env, { '/api/addon/team': () => { env.ss.insertSheet('Check-ins Produit'); return answer; } });
  env.ss.resetCalls();
  env.ctx.addTeam();
  assert.deepEqual(plain(env.ui.alerts), [{ message: "Un onglet « Check-ins Produit » existe déjà : rien n'a été modifié. Renommez-le ou choisissez un autre nom d'équipe." }]);
  assert.equal(env.ss.calls['Range.setValues'] || 0, 0);
  assert.equal(env.ss.sheet('Réglages').getRange('A18').getValue(), '');
  assert.equal(env.locks.taken, env.locks.released);
});
