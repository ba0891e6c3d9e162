'use strict';
// Small fakes of the Apps Script services the add-on uses besides SpreadsheetApp's grid: the UI, HtmlService,
// UrlFetchApp, ScriptApp, PropertiesService, LockService, Session and Utilities. Each records what the add-on
// did with it, so tests assert on requests sent, dialogs shown, triggers installed and locks taken.

const { dayIn } = require('./sheets.js');

class FakeMenu {
  constructor(ui, title) { this.ui = ui; this.title = title; this.items = []; }
  addItem(caption, functionName) { this.items.push({ caption, functionName }); return this; }
  addSeparator() { this.items.push({ separator: true }); return this; }
  addSubMenu(menu) { this.items.push({ submenu: menu }); return this; }
  addToUi() { this.ui.menus.push(this); }
}

const BUTTON = { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' };
const BUTTON_SET = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' };

class FakeUi {
  constructor() {
    this.menus = [];
    this.alerts = [];
    this.prompts = [];
    this.sidebars = [];
    this.dialogs = [];
    /** Answers the next prompts will get: {button, text}. */
    this.promptAnswers = [];
    this.alertAnswers = [];
    this.Button = BUTTON;
    this.ButtonSet = BUTTON_SET;
  }
  createAddonMenu() { return new FakeMenu(this, 'add-on'); }
  createMenu(title) { return new FakeMenu(this, title); }
  alert(title, prompt, buttons) {
    const entry = prompt === undefined ? { message: title } : { title, message: prompt, buttons };
    this.alerts.push(entry);
    return this.alertAnswers.length ? this.alertAnswers.shift() : BUTTON.OK;
  }
  prompt(title, prompt, buttons) {
    this.prompts.push({ title, message: prompt, buttons });
    const answer = this.promptAnswers.length ? this.promptAnswers.shift() : { button: BUTTON.CANCEL, text: '' };
    return { getSelectedButton: () => answer.button, getResponseText: () => answer.text };
  }
  showSidebar(output) { this.sidebars.push(output); }
  showModalDialog(output, title) { this.dialogs.push({ output, title }); }
  showModelessDialog(output, title) { this.dialogs.push({ output, title, modeless: true }); }
}

class FakeHtmlOutput {
  constructor(file, content) { this.file = file; this.content = content; this.title = ''; this.width = null; this.height = null; }
  setTitle(title) { this.title = title; return this; }
  getTitle() { return this.title; }
  setWidth(w) { this.width = w; return this; }
  setHeight(h) { this.height = h; return this; }
  getContent() { return this.content; }
  setSandboxMode() { return this; }
  setXFrameOptionsMode() { return this; }
  addMetaTag() { return this; }
}

class FakeHtmlTemplate {
  constructor(file, source) { this.file = file; this.source = source; }
  evaluate() {
    // Apps Script's scriptlets, enough for `<?!= expr ?>` (printed raw) and `<?= expr ?>` (escaped).
    const names = Object.keys(this).filter((k) => k !== 'file' && k !== 'source');
    const scope = new Function(...names, 'return (expr) => eval(expr);')(...names.map((n) => this[n]));
    const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const html = this.source.replace(/<\?(!?=)([\s\S]*?)\?>/g, (_m, kind, expr) => {
      const v = scope(expr.trim());
      return kind === '!=' ? String(v) : escape(v);
    });
    return new FakeHtmlOutput(this.file, html);
  }
}

class FakeHtmlService {
  constructor(files) { this.files = files; this.SandboxMode = { IFRAME: 'IFRAME' }; this.XFrameOptionsMode = { ALLOWALL: 'ALLOWALL', DEFAULT: 'DEFAULT' }; }
  _file(name) {
    if (!(name in this.files)) throw new Error('No HTML file named ' + name + ' was found.');
    return this.files[name];
  }
  createHtmlOutputFromFile(name) { return new FakeHtmlOutput(name, this._file(name)); }
  createTemplateFromFile(name) { return new FakeHtmlTemplate(name, this._file(name)); }
  createHtmlOutput(html) { return new FakeHtmlOutput(null, html || ''); }
}

class FakeHttpResponse {
  constructor(status, body, headers) { this.status = status; this.body = body; this.headers = headers || {}; }
  getResponseCode() { return this.status; }
  getContentText() { return typeof this.body === 'string' ? this.body : JSON.stringify(this.body); }
  getHeaders() { return this.headers; }
}

/**
 * UrlFetchApp: answers come from `handler(url, params)` (return {status, body} or throw to fail like a
 * timeout), or from a queue of canned answers. Every request is kept in `requests`.
 */
class FakeUrlFetchApp {
  constructor() { this.requests = []; this.answers = []; this.handler = null; }
  fetch(url, params) {
    params = params || {};
    const request = { url, method: (params.method || 'get').toLowerCase(), headers: params.headers || {},
      contentType: params.contentType, payload: params.payload, muteHttpExceptions: params.muteHttpExceptions,
      deadline: params.deadline };
    this.requests.push(request);
    const answer = this.handler ? this.handler(url, request) : this.answers.shift();
    if (answer === undefined) throw new Error('Unexpected fetch: ' + url);
    if (answer instanceof Error) throw answer;
    const response = answer instanceof FakeHttpResponse ? answer : new FakeHttpResponse(answer.status, answer.body, answer.headers);
    if (response.status >= 400 && !params.muteHttpExceptions) throw new Error('Request failed for ' + url + ' returned code ' + response.status);
    return response;
  }
  /** The JSON body of the last request. */
  lastBody() { return JSON.parse(this.requests[this.requests.length - 1].payload); }
}

class FakeTrigger {
  constructor(store, handler, spec) { this.store = store; this.handler = handler; this.spec = spec; this.id = 'trigger-' + (++store.seq); }
  getHandlerFunction() { return this.handler; }
  getUniqueId() { return this.id; }
  getEventType() { return this.spec.kind === 'clock' ? 'CLOCK' : 'ON_OPEN'; }
  getTriggerSource() { return 'SPREADSHEETS'; }
}

class FakeClockBuilder {
  constructor(store, handler) { this.store = store; this.handler = handler; this.spec = { kind: 'clock' }; }
  everyDays(n) { this.spec.everyDays = n; return this; }
  everyHours(n) { this.spec.everyHours = n; return this; }
  atHour(h) { this.spec.atHour = h; return this; }
  nearMinute(m) { this.spec.nearMinute = m; return this; }
  inTimezone(zone) { this.spec.timeZone = zone; return this; }
  create() { const t = new FakeTrigger(this.store, this.handler, this.spec); this.store.triggers.push(t); return t; }
}

const AUTH_MODE = { NONE: 'NONE', LIMITED: 'LIMITED', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION', FULL: 'FULL' };

class FakeScriptApp {
  constructor() {
    this.triggers = [];
    this.seq = 0;
    this.identityToken = 'id-token-for-tests';
    this.AuthMode = AUTH_MODE;
    this.EventType = { CLOCK: 'CLOCK', ON_OPEN: 'ON_OPEN' };
  }
  getIdentityToken() { return this.identityToken; }
  getOAuthToken() { return 'oauth-token-for-tests'; }
  newTrigger(handler) {
    const store = this;
    return { timeBased: () => new FakeClockBuilder(store, handler) };
  }
  getProjectTriggers() { return this.triggers.slice(); }
  getUserTriggers() { return this.triggers.slice(); }
  deleteTrigger(trigger) { this.triggers = this.triggers.filter((t) => t !== trigger); }
}

class FakeProperties {
  constructor() { this.data = {}; }
  getProperty(key) { return Object.prototype.hasOwnProperty.call(this.data, key) ? this.data[key] : null; }
  setProperty(key, value) { this.data[key] = String(value); return this; }
  deleteProperty(key) { delete this.data[key]; return this; }
  getProperties() { return Object.assign({}, this.data); }
  setProperties(props) { Object.entries(props).forEach(([k, v]) => { this.data[k] = String(v); }); return this; }
}

class FakePropertiesService {
  constructor() { this.script = new FakeProperties(); this.document = new FakeProperties(); this.user = new FakeProperties(); }
  getScriptProperties() { return this.script; }
  getDocumentProperties() { return this.document; }
  getUserProperties() { return this.user; }
}

class FakeLock {
  constructor(service) { this.service = service; this.held = false; }
  tryLock(ms) { this.service.attempts.push(ms); if (this.service.busy) return false; this.held = true; this.service.taken++; return true; }
  waitLock(ms) { if (!this.tryLock(ms)) throw new Error('Lock timeout: another process was holding the lock for too long.'); }
  hasLock() { return this.held; }
  releaseLock() { if (this.held) this.service.released++; this.held = false; }
}

class FakeLockService {
  constructor() { this.busy = false; this.taken = 0; this.released = 0; this.attempts = []; }
  getDocumentLock() { return new FakeLock(this); }
  getScriptLock() { return new FakeLock(this); }
  getUserLock() { return new FakeLock(this); }
}

class FakeSession {
  constructor() { this.locale = 'en'; this.email = 'ana@acme.example'; this.zone = 'America/Montreal'; }
  getActiveUserLocale() { return this.locale; }
  getActiveUser() { return { getEmail: () => this.email }; }
  getEffectiveUser() { return { getEmail: () => this.email }; }
  getScriptTimeZone() { return this.zone; }
}

/** Utilities.formatDate for the patterns the add-on uses (yyyy, MM, dd, HH, mm, ss and quoted text). */
function formatDate(date, zone, pattern) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  const table = { yyyy: get('year'), MM: get('month'), dd: get('day'), HH: get('hour'), mm: get('minute'), ss: get('second') };
  return pattern.replace(/'([^']*)'|yyyy|MM|dd|HH|mm|ss/g, (m, quoted) => (quoted !== undefined ? quoted : table[m]));
}

const FakeUtilities = { formatDate, sleep() {}, getUuid: () => '00000000-0000-4000-8000-000000000000' };

module.exports = {
  FakeUi, FakeMenu, FakeHtmlService, FakeHtmlOutput, FakeHtmlTemplate, FakeUrlFetchApp, FakeHttpResponse, FakeScriptApp,
  FakePropertiesService, FakeLockService, FakeSession, FakeUtilities, AUTH_MODE, BUTTON, dayIn,
};
