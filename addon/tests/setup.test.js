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
    message: 'Le classeur « OKR Acme 2025-T1 » est prêt (9 onglets) : saisissez vos OKR, puis choisissez « Synchroniser maintenant ».' });
  const request = env.fetch.requests[0];
  assert.equal(request.url, SERVICE + '/api/addon/layout');
  assert.equal(request.headers['Accept-Language'], 'fr');
  assert.equal(request.headers.Authorization, 'Bearer id-token-for-tests');
  assert.deepEqual(env.fetch.lastBody(), { organisation: 'Acme', lang: 'fr', quarter: '2025-T1', teams: ['Marketing', 'Ventes', 'Finance'] });
  assert.equal(env.ss.sheets.length, 9);
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
  assert.ok(total < 320, `${total} calls`);
  assert.equal(env.ss.calls['Range.setValues'], 9);
});

// ---- addTeam ----

function addTeamWith(env, name, answer) {
  env.ui.promptAnswers.push({ button: 'OK', text: name });
  service(env, { '/api/addon/team': answer });
  env.ctx.addTeam();
}

test('addTeam adds the tab before Org, the Settings row and the Lists column, and confirms', () => {
  const env = workbook();
  const before = env.ss.sheets.map((s) => s.getName());
  addTeamWith(env, ' Produit ', { status: 200, body: TEAM });
  assert.deepEqual(plain(env.ui.prompts), [{ title: 'Ajouter une équipe', message: 'Nom de la nouvelle équipe :', buttons: 'OK_CANCEL' }]);
  const body = env.fetch.lastBody();
  assert.deepEqual(body.team, { name: 'Produit' });
  assert.equal(env.fetch.requests[0].url, SERVICE + '/api/addon/team');
  assert.deepEqual(body.snapshot.tabs.map((t) => t.name), ['Réglages', 'OKR', 'Check-ins Marketing', 'Check-ins Ventes',
    'Check-ins Finance', 'Org', 'Historique', 'Listes']);
  assert.equal(body.snapshot.spreadsheet.locale, FR.layout.locale);
  const names = env.ss.sheets.map((s) => s.getName());
  assert.deepEqual(names, [...before.slice(0, 6), 'Check-ins Produit', ...before.slice(6)]);
  const tab = env.ss.sheet('Check-ins Produit');
  assert.deepEqual(tab.dump()[0], TEAM.tabs[0].values[0]);
  assert.equal(tab.getFrozenRows(), 1);
  assert.equal(tab.getRange('B2').getDataValidation().getCriteriaValues()[0].getA1Notation(), 'E2:E200');
  assert.equal(tab.getConditionalFormatRules().length, 4);
  assert.ok(tab.getProtections('RANGE').every((p) => p.isWarningOnly()));
  const settings = env.ss.sheet('Réglages').dump();
  assert.deepEqual(settings[16], ['Produit', '', '', 'Check-ins Produit']);
  const lists = env.ss.sheet('Listes');
  assert.deepEqual(lists.dump()[0], ['Équipes', 'Marketing', 'Ventes', 'Finance', 'Produit']);
  assert.equal(lists.isSheetHidden(), true);
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
  assert.equal(env.ss.sheets.length, 9);
});

test('addTeam shows the service\'s refusal of a duplicate team and changes nothing', () => {
  const env = workbook();
  const sentence = "L'équipe « Marketing » existe déjà.";
  addTeamWith(env, 'Marketing', { status: 400, body: { error: { code: 'bad_team', message: sentence, status: 400 } } });
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'Le service okrsync a refusé la demande : ' + sentence }]);
  assert.equal(env.ss.sheets.length, 9);
  assert.equal(env.locks.taken, env.locks.released);
});

test('addTeam never overwrites a person\'s cell: a taken Settings cell stops it before any write', () => {
  const env = workbook();
  env.ss.sheet('Réglages').put(17, 4, [['à voir']]);
  const lists = env.ss.sheet('Listes').dump();
  env.ss.resetCalls();
  addTeamWith(env, 'Produit', { status: 200, body: TEAM });
  assert.deepEqual(plain(env.ui.alerts), [{ message: 'La cellule D17 de l\'onglet « Réglages » n\'est plus vide : rien n\'a été modifié. Vérifiez le tableau des équipes, puis réessayez.' }]);
  assert.equal(env.ss.sheets.length, 9);
  assert.deepEqual(env.ss.sheet('Listes').dump(), lists);
  assert.equal(env.ss.sheet('Réglages').getRange('D17').getValue(), 'à voir');
  assert.equal(env.ss.calls['Range.setValues'] || 0, 0);
});

test('addTeam in a spreadsheet that is not an okrsync workbook says so without asking', () => {
  const env = load({ spreadsheetOptions: { locale: 'en_US' } });
  env.ctx.addTeam();
  assert.deepEqual(env.ui.prompts, []);
  assert.match(env.ui.alerts[0].message, /^This is not an okrsync workbook/);
});

test('addTeam writes few calls: one setValues per Settings run and one for Lists', () => {
  const env = workbook();
  env.ss.resetCalls();
  addTeamWith(env, 'Produit', { status: 200, body: TEAM });
  // The new tab's header, the Settings row (A17 and D17 are two runs: B and C are not the plan's), Lists.
  assert.equal(env.ss.calls['Range.setValues'], 1 + 2 + 1);
  assert.equal(env.ss.calls['Spreadsheet.insertSheet'], 1);
  assert.equal(env.ss.calls['Sheet.setConditionalFormatRules'], 1);
  assert.deepEqual(plain(env.ctx.rowWrites_([{ tab: 'S', row: 3, col: 2, value: 'b' }, { tab: 'S', row: 3, col: 1, value: 'a' },
    { tab: 'S', row: 3, col: 4, value: 'd' }, { tab: 'S', row: 4, col: 1, value: 7 }])), [
    { tab: 'S', row: 3, col: 1, values: ["'a", "'b"] }, { tab: 'S', row: 3, col: 4, values: ["'d"] },
    { tab: 'S', row: 4, col: 1, values: [7] }]);
});
