// Requests to the cityreach API, and errors shown in the current language with a next step.
import { $ } from './state.js';
import { t, esc } from './i18n.js';

// The API lives at the server root; the page is served under /map/.
const API = new URL('../', window.location.href);
let pending = 0;

export class ApiError extends Error {
  constructor(code, description, status, parameter) {
    super(description);
    this.code = code; this.description = description; this.status = status; this.parameter = parameter;
  }
}

function busy(delta) {
  pending = Math.max(0, pending + delta);
  $('#progress').hidden = pending === 0;
}

// Server texts print floats as computed (112.99000000000001); people read four decimals.
const tidyNumbers = (s) => String(s).replace(/(-?\d+\.\d{4})\d{4,}/g, (_, a) => String(Number(a)));

function messageFor(e) {
  if (e.userMessage) return e.userMessage;
  if (e.code === 'NetworkError') return t('errNetwork', { p: e.description });
  if (e.status === 503 || e.status === 429) return t('errBusy');
  if (e.status === 404 || e.code === 'NotFound') return t('errNotFound');
  if (e.parameter === 'from' && /unknown place/.test(e.description || '')) return t('errNotFound');
  if (e.parameter === 'depart') {
    const m = /(\d{4}-\d\d-\d\d) is outside the feeds' calendar: service runs from (\S+) to (\S+)/.exec(e.description || '');
    if (m) return t('errCalendar', { d: m[1], a: m[2], b: m[3] });
  }
  if (['depart', 'window', 'percentiles', 'percentile', 'transfer_penalty'].includes(e.parameter)) return t('errTiming');
  if (e.status >= 400 && e.status < 500) return t('errBadInput');
  return t('errServer', { c: e.code || e.status || '?' });
}

// err: an ApiError, an Error, or {message} made by the page itself; null hides the box.
export function showError(err) {
  const box = $('#error');
  if (!err) { box.hidden = true; box.innerHTML = ''; delete box.dataset.code; return; }
  const msg = messageFor(err);
  const detail = err.description && (!err.userMessage || err.keepDetail)
    ? `<div class="err-detail">${esc(t('errDetail'))}: <code>${esc(err.code || '')}</code> ${esc(tidyNumbers(err.description))}</div>` : '';
  box.innerHTML = `<div class="err-msg">${esc(msg)}</div>${detail}`;
  box.dataset.code = err.code || '';
  box.hidden = false;
}

// The absolute address of an API path, for links the page hands to the browser (downloads).
export const apiUrl = (path) => new URL(path, API).toString();

export async function api(path, params, signal) {
  const url = new URL(path, API);
  if (params) for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, v);
  return request(url, { headers: { Accept: 'application/geo+json, application/json' }, signal });
}

// POST or DELETE with a JSON body (the accessibility jobs); errors as for api().
export async function apiSend(method, path, body, signal) {
  const init = { method, headers: { Accept: 'application/json' }, signal };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  return request(new URL(path, API), init);
}

async function request(url, init) {
  busy(1);
  try {
    let res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError('NetworkError', url.pathname, 0);
    }
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!res.ok) {
      const code = body && body.code ? body.code : `HTTP ${res.status}`;
      const description = body && body.description ? body.description : (text || res.statusText).slice(0, 300);
      const err = new ApiError(code, description, res.status, body && body.parameter);
      // A refused scenario lists every problem: the modification's index, type and field.
      if (body && Array.isArray(body.problems)) err.problems = body.problems;
      throw err;
    }
    if (body === null) throw new ApiError('InvalidResponse', `${url.pathname}: not JSON`, res.status);
    return { body, url: url.toString() };
  } finally {
    busy(-1);
  }
}
