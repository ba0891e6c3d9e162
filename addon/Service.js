// @ts-check
// Talking to the okrsync service: where it is (script properties), one POST with the user's Google ID token,
// and every way that can fail said as one sentence in the user's language.

/** Script property holding the service's base URL (required). */
const SERVICE_URL_PROPERTY_ = 'OKRSYNC_SERVICE_URL';
/** Script property fixing the sync date (`YYYY-MM-DD`, optional): for trials and tests against the demo. */
const AS_OF_PROPERTY_ = 'OKRSYNC_AS_OF';

/**
 * An error the user is meant to read: `sentence` is already in their language; `key` is the catalogue key.
 * @param {string} sentence
 * @param {string} key
 * @returns {Error & {sentence: string, key: string}}
 */
function userError_(sentence, key) {
  const error = /** @type {Error & {sentence: string, key: string}} */ (new Error(sentence));
  error.sentence = sentence;
  error.key = key;
  return error;
}

/**
 * The service's base URL without a trailing slash, or the catalogue key saying what is wrong with it.
 * Only https, or plain http to this machine's loopback (a local `okrsync serve`), may carry an ID token.
 * @param {string|null} url
 * @returns {{url: string}|{key: string}}
 */
function checkServiceUrl_(url) {
  const text = String(url || '').trim();
  if (!text) return { key: 'addon.error.no_service' };
  const secure = /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i.test(text);
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/[^\s?#]*)?$/i.test(text);
  if (!secure && !loopback) return { key: 'addon.error.bad_service' };
  return { url: text.replace(/\/+$/, '') };
}

/**
 * The configuration from script properties: {url, asOf}; throws a user error when it is missing or wrong.
 * @param {string} lang
 * @param {{getProperty: function(string): (string|null)}} props
 * @returns {{url: string, asOf: string|null}}
 */
function serviceConfig_(lang, props) {
  const raw = props.getProperty(SERVICE_URL_PROPERTY_);
  const checked = checkServiceUrl_(raw);
  if ('key' in checked) throw userError_(t_(lang, checked.key, { url: raw }), checked.key);
  const asOf = String(props.getProperty(AS_OF_PROPERTY_) || '').trim();
  if (asOf && !validDay_(asOf)) throw userError_(t_(lang, 'addon.error.bad_as_of', { value: asOf }), 'addon.error.bad_as_of');
  return { url: checked.url, asOf: asOf || null };
}

/** Whether `text` is a real calendar day written `YYYY-MM-DD`. */
function validDay_(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * The sentence for a failed call, and its catalogue key. `status` is the HTTP status (0 when there was no
 * answer), `body` the answer's text or parsed JSON, `exception` what UrlFetchApp threw (it throws, rather
 * than answering, on timeouts and network failures).
 * @param {string} lang
 * @param {number} status
 * @param {*} body
 * @param {*=} exception
 * @returns {{key: string, sentence: string}}
 */
function errorSentence_(lang, status, body, exception) {
  const say = (key, params) => ({ key, sentence: t_(lang, key, params) });
  if (exception) {
    // UrlFetchApp's own words: "Timeout: https://…", "Address unavailable", "DNS error", "… timed out".
    const text = String((exception && exception.message) || exception);
    return say(/timeout|timed out/i.test(text) ? 'addon.error.timeout' : 'addon.error.network');
  }
  const message = serviceMessage_(body);
  if (status === 401) return say('addon.error.unauthorized');
  if (status === 403) return say('addon.error.forbidden');
  if (status === 409) return say('addon.error.busy');
  if (status === 413) return say('addon.error.too_large');
  if (status >= 500 && status <= 599) return say('addon.error.server', { status });
  // 422 means the service read the snapshot and found no okrsync workbook; it says so in the user's language.
  if (status === 422) return message ? { key: 'addon.error.not_okrsync', sentence: message } : say('addon.error.not_okrsync');
  if (status === 400 && message) return say('addon.error.rejected', { message });
  return say('addon.error.unexpected', { status });
}

/** The service's `error.message`, from its JSON error body (text or parsed), or ''. */
function serviceMessage_(body) {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return '';
    }
  }
  const message = parsed && parsed.error && parsed.error.message;
  return typeof message === 'string' ? message.trim() : '';
}

/**
 * POSTs `body` as JSON to `<OKRSYNC_SERVICE_URL><path>` with the user's ID token and language, and returns
 * the parsed JSON answer; throws a user error (`error.sentence`, in `lang`) for every failure.
 * muteHttpExceptions makes 4xx/5xx come back as answers, so the service's own sentence can be shown.
 * (UrlFetchApp.fetch(url, params): https://developers.google.com/apps-script/reference/url-fetch/url-fetch-app)
 * @param {string} path
 * @param {Object} body
 * @param {string} lang
 * @returns {*}
 */
function callService_(path, body, lang) {
  const config = serviceConfig_(lang, PropertiesService.getScriptProperties());
  return postJson_(config.url + path, body, lang);
}

/**
 * The request itself (config already checked).
 * @param {string} url
 * @param {Object} body
 * @param {string} lang
 * @returns {*}
 */
function postJson_(url, body, lang) {
  /** @type {GoogleAppsScript.URL_Fetch.URLFetchRequestOptions} */
  const params = {
    method: 'post',
    contentType: 'application/json',
    headers: { Authorization: 'Bearer ' + ScriptApp.getIdentityToken(), 'Accept-Language': lang },
    payload: JSON.stringify(body),
    muteHttpExceptions: true,
  };
  let response;
  try {
    response = UrlFetchApp.fetch(url, params);
  } catch (e) {
    const said = errorSentence_(lang, 0, null, e);
    throw userError_(said.sentence, said.key);
  }
  const status = response.getResponseCode();
  const text = response.getContentText();
  if (status === 200) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // A proxy's or a login page's HTML: not the service's answer.
    }
  }
  const said = errorSentence_(lang, status, text);
  throw userError_(said.sentence, said.key);
}

/**
 * What to tell the user about any thrown value: its sentence when it is one of ours, else null (a bug: let
 * it propagate so Apps Script logs it).
 * @param {*} e
 * @returns {string|null}
 */
function userSentence_(e) {
  return e && typeof e.sentence === 'string' ? e.sentence : null;
}
