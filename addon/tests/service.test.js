'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { load, plain } = require('./harness.js');

const { ctx } = load();

test('the service address: https anywhere, plain http only to this machine', () => {
  const cases = [
    ['https://okrsync.example.com', { url: 'https://okrsync.example.com' }],
    ['https://okrsync.example.com/', { url: 'https://okrsync.example.com' }],
    ['  https://okrsync.example.com/base/ ', { url: 'https://okrsync.example.com/base' }],
    ['https://okrsync.example.com:8443', { url: 'https://okrsync.example.com:8443' }],
    ['http://127.0.0.1:8765', { url: 'http://127.0.0.1:8765' }],
    ['http://localhost:5000/', { url: 'http://localhost:5000' }],
    ['http://[::1]:5000', { url: 'http://[::1]:5000' }],
    [null, { key: 'addon.error.no_service' }],
    ['', { key: 'addon.error.no_service' }],
    ['   ', { key: 'addon.error.no_service' }],
    ['http://okrsync.example.com', { key: 'addon.error.bad_service' }],
    ['http://127.0.0.1.evil.example', { key: 'addon.error.bad_service' }],
    ['http://localhost@evil.example', { key: 'addon.error.bad_service' }],
    ['https://user@okrsync.example.com', { key: 'addon.error.bad_service' }],
    ['okrsync.example.com', { key: 'addon.error.bad_service' }],
    ['ftp://okrsync.example.com', { key: 'addon.error.bad_service' }],
    ['https://okrsync.example.com/?x=1', { key: 'addon.error.bad_service' }],
  ];
  for (const [url, want] of cases) assert.deepEqual(plain(ctx.checkServiceUrl_(url)), want, String(url));
});

const ERRORS = [
  // [status, body, exception, key, fr, en]
  [0, null, new Error('Timeout: https://okrsync.example.com/api/addon/sync'), 'addon.error.timeout',
    "Le service okrsync n'a pas répondu à temps : réessayez dans quelques minutes. Rien n'a été modifié.",
    'The okrsync service did not answer in time: try again in a few minutes. Nothing was changed.'],
  [0, null, new Error('Request to https://x timed out'), 'addon.error.timeout', null, null],
  [0, null, new Error('Address unavailable: https://okrsync.example.com/api/addon/sync'), 'addon.error.network',
    "Impossible de joindre le service okrsync : vérifiez son adresse (OKRSYNC_SERVICE_URL) ou réessayez plus tard. Rien n'a été modifié.",
    'Cannot reach the okrsync service: check its address (OKRSYNC_SERVICE_URL) or try again later. Nothing was changed.'],
  [0, null, 'DNS error: https://nowhere', 'addon.error.network', null, null],
  [401, '{"error": {"code": 401, "message": "Invalid token", "status": "UNAUTHENTICATED"}}', null, 'addon.error.unauthorized',
    "Le service okrsync n'a pas reconnu votre compte Google : rechargez la feuille et réessayez ; si cela persiste, l'administrateur doit ajouter l'identifiant client du module aux audiences du service.",
    "The okrsync service did not recognise your Google account: reload the sheet and try again; if it persists, an administrator must add the add-on's client ID to the service's audiences."],
  [403, '', null, 'addon.error.forbidden',
    "Votre compte n'a pas accès au service okrsync : demandez à l'administrateur d'autoriser votre domaine.",
    'Your account may not use the okrsync service: ask an administrator to allow your domain.'],
  [409, '{"error": {"message": "busy"}}', null, 'addon.error.busy',
    'Une synchronisation de ce classeur est déjà en cours : réessayez dans une minute.',
    'A sync of this workbook is already running: try again in a minute.'],
  [413, '<html>Request Entity Too Large</html>', null, 'addon.error.too_large',
    "Le classeur est trop volumineux pour être envoyé au service en une fois : archivez les anciens check-ins ou demandez à l'administrateur d'augmenter la limite.",
    'The workbook is too large to send to the service at once: archive old check-ins or ask an administrator to raise the limit.'],
  [500, '<html>Internal Server Error</html>', null, 'addon.error.server',
    "Le service okrsync a rencontré une erreur (code 500) : réessayez dans quelques minutes. Rien n'a été modifié.",
    'The okrsync service ran into an error (code 500): try again in a few minutes. Nothing was changed.'],
  [503, { error: { message: 'down' } }, null, 'addon.error.server', null,
    'The okrsync service ran into an error (code 503): try again in a few minutes. Nothing was changed.'],
  [422, '{"error": {"code": 422, "message": "Ce classeur n\'a pas d\'onglet Réglages.", "status": "INVALID_ARGUMENT"}}', null,
    'addon.error.not_okrsync', "Ce classeur n'a pas d'onglet Réglages.", "Ce classeur n'a pas d'onglet Réglages."],
  [422, 'not json', null, 'addon.error.not_okrsync',
    "Ce classeur n'est pas un classeur okrsync : choisissez « Créer le classeur OKR » dans une feuille vide.",
    'This is not an okrsync workbook: choose "Set up OKR workbook" in a blank spreadsheet.'],
  [400, { error: { code: 400, message: 'snapshot.tabs is missing', status: 'INVALID_ARGUMENT' } }, null, 'addon.error.rejected',
    'Le service okrsync a refusé la demande : snapshot.tabs is missing', 'The okrsync service refused the request: snapshot.tabs is missing'],
  [400, '<html>Bad Request</html>', null, 'addon.error.unexpected',
    "Réponse inattendue du service okrsync (code 400) : réessayez ; si cela persiste, prévenez l'administrateur.",
    'Unexpected answer from the okrsync service (code 400): try again; if it persists, tell an administrator.'],
  [404, '', null, 'addon.error.unexpected', null,
    'Unexpected answer from the okrsync service (code 404): try again; if it persists, tell an administrator.'],
  [200, '<html>Sign in</html>', null, 'addon.error.unexpected', null,
    'Unexpected answer from the okrsync service (code 200): try again; if it persists, tell an administrator.'],
  [302, '', null, 'addon.error.unexpected', null, null],
];

test('every failure is one sentence in the user\'s language (errorSentence_, case by case)', () => {
  for (const [status, body, exception, key, fr, en] of ERRORS) {
    for (const [lang, sentence] of [['fr', fr], ['en', en]]) {
      const said = plain(ctx.errorSentence_(lang, status, body, exception));
      assert.equal(said.key, key, `${status} ${exception}`);
      if (sentence) assert.equal(said.sentence, sentence, `${lang} ${status}`);
      assert.ok(!/\{\w+\}/.test(said.sentence), 'no placeholder left: ' + said.sentence);
    }
  }
});

test('callService_ posts JSON with the ID token and language, and returns the parsed answer', () => {
  const env = load();
  env.properties.script.setProperty('OKRSYNC_SERVICE_URL', 'https://okrsync.example.com/');
  env.fetch.answers.push({ status: 200, body: { layout: { title: 'x' } } });
  const out = env.ctx.callService_('/api/addon/layout', { organisation: 'Acme', lang: 'fr' }, 'fr');
  assert.deepEqual(plain(out), { layout: { title: 'x' } });
  const [request] = env.fetch.requests;
  assert.equal(request.url, 'https://okrsync.example.com/api/addon/layout');
  assert.equal(request.method, 'post');
  assert.equal(request.contentType, 'application/json');
  assert.equal(request.muteHttpExceptions, true);
  assert.deepEqual(plain(request.headers), { Authorization: 'Bearer id-token-for-tests', 'Accept-Language': 'fr' });
  assert.deepEqual(JSON.parse(request.payload), { organisation: 'Acme', lang: 'fr' });
});

test('callService_ throws an error carrying the sentence: config, HTTP and network failures', () => {
  const cases = [
    [null, null, 'addon.error.no_service'],
    ['http://okrsync.example.com', null, 'addon.error.bad_service'],
    ['https://okrsync.example.com', { status: 400, body: { error: { message: "Le nom d'équipe est vide." } } }, 'addon.error.rejected'],
    ['https://okrsync.example.com', { status: 502, body: 'Bad gateway' }, 'addon.error.server'],
    ['https://okrsync.example.com', new Error('Timeout: https://okrsync.example.com'), 'addon.error.timeout'],
    ['https://okrsync.example.com', new Error('Exception: Address unavailable'), 'addon.error.network'],
  ];
  for (const [url, answer, key] of cases) {
    for (const lang of ['fr', 'en']) {
      const env = load();
      if (url) env.properties.script.setProperty('OKRSYNC_SERVICE_URL', url);
      if (answer) env.fetch.answers.push(answer);
      let caught = null;
      try {
        env.ctx.callService_('/api/addon/team', { team: { name: '' } }, lang);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught, key);
      assert.equal(caught.key, key);
      assert.equal(env.ctx.userSentence_(caught), caught.sentence);
      assert.equal(caught.message, caught.sentence);
      if (key === 'addon.error.bad_service') assert.match(caught.sentence, /http:\/\/okrsync\.example\.com/);
      if (key === 'addon.error.rejected' && lang === 'fr') assert.equal(caught.sentence, "Le service okrsync a refusé la demande : Le nom d'équipe est vide.");
      assert.equal(env.fetch.requests.length, url && url.startsWith('https') ? 1 : 0);
    }
  }
});

test('OKRSYNC_AS_OF must be a real day written YYYY-MM-DD', () => {
  const props = (asOf) => ({ getProperty: (k) => ({ OKRSYNC_SERVICE_URL: 'https://s.example', OKRSYNC_AS_OF: asOf }[k] || null) });
  assert.deepEqual(plain(ctx.serviceConfig_('en', props('2025-02-14'))), { url: 'https://s.example', asOf: '2025-02-14' });
  assert.deepEqual(plain(ctx.serviceConfig_('en', props(null))), { url: 'https://s.example', asOf: null });
  for (const bad of ['2025-02-30', '14/02/2025', '2025-2-14', 'demain']) {
    assert.throws(() => ctx.serviceConfig_('fr', props(bad)), (e) => e.key === 'addon.error.bad_as_of' && e.sentence.includes(`« ${bad} »`));
  }
});

test('a thrown value that is not ours has no sentence: it is a bug, and propagates', () => {
  assert.equal(ctx.userSentence_(new TypeError('x is undefined')), null);
  assert.equal(ctx.userSentence_(undefined), null);
});
