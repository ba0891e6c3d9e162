'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain, sheets } = require('./harness.js');

const ITEMS = ['setUpWorkbook', 'syncNow', 'validateNow', 'showDashboard', 'addTeam', 'toggleNightly'];

function menuOf(env) {
  assert.equal(env.ui.menus.length, 1);
  return env.ui.menus[0].items.map((i) => [i.caption, i.functionName]);
}

test('the menu speaks French in a workbook whose Settings tab is French', () => {
  const env = load({ spreadsheetOptions: { locale: 'en_US' } });
  env.ss.insertSheet('Réglages');
  env.ctx.onOpen({ authMode: env.script.AuthMode.LIMITED });
  assert.deepEqual(menuOf(env), [
    ['Créer le classeur OKR', 'setUpWorkbook'], ['Synchroniser maintenant', 'syncNow'],
    ['Vérifier les saisies', 'validateNow'], ['Tableau de bord', 'showDashboard'],
    ['Ajouter une équipe', 'addTeam'], ['Synchronisation chaque nuit', 'toggleNightly'],
  ]);
});

test('the menu speaks English in an English workbook, whatever the locale', () => {
  const env = load({ spreadsheetOptions: { locale: 'fr_CA' } });
  env.ss.insertSheet('Settings');
  env.ctx.onOpen({ authMode: env.script.AuthMode.FULL });
  assert.deepEqual(menuOf(env).map((i) => i[0]), ['Set up OKR workbook', 'Sync now', 'Check entries', 'Dashboard',
    'Add a team', 'Sync every night']);
});

test('without a Settings tab the spreadsheet locale decides: fr* is French', () => {
  for (const [locale, first] of [['fr_CA', 'Créer le classeur OKR'], ['fr', 'Créer le classeur OKR'], ['de_CH', 'Set up OKR workbook']]) {
    const env = load({ spreadsheetOptions: { locale } });
    env.ctx.onOpen({ authMode: env.script.AuthMode.LIMITED });
    assert.equal(menuOf(env)[0][0], first, locale);
  }
});

test('in AuthMode.NONE the menu takes the user locale and touches nothing else', () => {
  const touched = [];
  const ss = new sheets.FakeSpreadsheet({ locale: 'en_US' });
  const spy = new Proxy(ss, { get(target, prop) { touched.push(prop); return target[prop]; } });
  const env = load({ spreadsheet: spy });
  env.session.locale = 'fr_CH';
  env.ctx.onOpen({ authMode: env.script.AuthMode.NONE });
  assert.deepEqual(menuOf(env).map((i) => i[1]), ITEMS);
  assert.equal(menuOf(env)[1][0], 'Synchroniser maintenant');
  assert.deepEqual(touched, [], 'the spreadsheet must not be touched without authorisation');
  assert.equal(env.fetch.requests.length, 0);
  assert.deepEqual(plain(env.properties.script.data), {});
});

test('onInstall builds the same menu as onOpen', () => {
  const env = load();
  env.ctx.onInstall({ authMode: env.script.AuthMode.FULL });
  assert.deepEqual(menuOf(env).map((i) => i[1]), ITEMS);
});

test('every menu item is a global function of the add-on', () => {
  const env = load();
  for (const name of ITEMS) assert.equal(typeof env.ctx[name], 'function', name);
});
