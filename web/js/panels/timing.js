// The departure control of the reach panel: a date and time on the feeds' timetable, a window
// of departures and the percentile the bands are drawn for. Shown when the city's feeds are
// timetabled (the landing page says so), or on a frequency-based city when the reader asks.
import { $, state, store, writeUrl, timingShown, departOf, WINDOWS, PERCENTILES } from '../state.js';
import { t, esc, fmtMin } from '../i18n.js';
import { api } from '../api.js';

// Whether the feeds are timetabled, their calendar and default departure. A server without the
// field (or an error) leaves the control behind its button.
export async function loadTransit() {
  try {
    const { body } = await api('');
    store.transit = body && body.transit ? body.transit : null;
  } catch {
    store.transit = null;
  }
}

// The percentiles asked for: the usual spread plus the one drawn.
export const percentileList = () => [...new Set([5, 50, 95, state.timing.pct])].sort((a, b) => a - b);

// Timetables describe the existing network, and only transit has one.
export const timingApplies = (scenario) => timingShown() && state.mode === 'transit' && scenario === 'existing' && Boolean(departOf());

// The query's timing parameters, or null for the steady state.
export function timingParams(scenario) {
  if (!timingApplies(scenario)) return null;
  const p = { depart: departOf() };
  if (state.timing.window > 0) {
    p.window = state.timing.window;
    p.percentiles = percentileList().join(',');
    p.percentile = state.timing.pct;
  }
  return p;
}

// A departure outside the feeds' calendar, said in the page's language before asking the server.
export function calendarError() {
  const cal = store.transit && store.transit.calendar;
  const d = departOf().slice(0, 10);
  if (!cal || !d || (d >= cal.first && d <= cal.last)) return null;
  return t('errCalendar', { d, a: cal.first, b: cal.last });
}

// "Departing 2019-05-13 14:00 · 60 min of departures · P50" from an answer's metadata.
export function timingSummary(meta) {
  const tr = meta && meta.transit;
  if (!tr || !tr.depart) return '';
  const at = String(tr.depart).replace('T', ' ');
  const parts = [t(meta.transit.depart_note ? 'timingDefault' : 'timingAt', { d: at })];
  if (Number(tr.window_minutes) > 0) parts.push(t('timingWindow', { w: tr.window_minutes }), t('timingPct', { p: tr.percentile }));
  return parts.join(' · ');
}

// "P5 4.6 · P50 7.9 · P95 9.8 min" for a reached feature of a window query.
export function percentilesText(p) {
  const by = p && p.minutes_by_percentile;
  if (!by || typeof by !== 'object') return '';
  const keys = Object.keys(by).map(Number).sort((a, b) => a - b);
  if (keys.length < 2) return '';
  return `${keys.map((k) => `P${k} ${by[k] == null ? '–' : fmtMin(by[k])}`).join(' · ')} ${t('min')}`;
}

export function renderTiming() {
  const box = $('#timing');
  const toggle = $('#timing-toggle');
  const timetabled = Boolean(store.transit && store.transit.timetabled);
  // Only the Reach tab asks with a departure: the comparison and the scenario edits stay in the
  // steady state on both sides, so the control is not offered there.
  const offered = state.mode === 'transit' && state.view === 'reach';
  box.hidden = !timingShown() || !offered;
  // A timetabled city always answers on its timetable; a frequency-based one on request.
  toggle.hidden = timetabled || !store.transit || !offered;
  toggle.textContent = state.timing.asked ? t('timingOff') : t('timingOn');
  toggle.setAttribute('aria-expanded', String(state.timing.asked));
  const input = $('#depart');
  const cal = store.transit && store.transit.calendar;
  if (cal) { input.min = `${cal.first}T00:00`; input.max = `${cal.last}T23:59`; }
  if (document.activeElement !== input) input.value = departOf();
  $('#window').value = String(state.timing.window);
  $('#pct').value = String(state.timing.pct);
  $('#pct').disabled = !state.timing.window;
  const notes = [];
  if (cal) notes.push(t('timingCalendar', { a: cal.first, b: cal.last }));
  if (!state.timing.window) notes.push(t('timingOne'));
  if (state.scenario !== 'existing') notes.push(t('timingExistingOnly'));
  $('#timing-note').innerHTML = notes.map(esc).join(' ');
}

export function bindTiming(run) {
  const changed = () => { renderTiming(); writeUrl(); run(); };
  for (const w of WINDOWS) $('#window').insertAdjacentHTML('beforeend', `<option value="${w}"></option>`);
  for (const p of PERCENTILES) $('#pct').insertAdjacentHTML('beforeend', `<option value="${p}"></option>`);
  fillTimingTexts();
  $('#depart').addEventListener('change', (e) => {
    // An emptied field goes back to the city's default departure.
    state.timing.depart = e.target.value || '';
    changed();
  });
  $('#window').addEventListener('change', (e) => { state.timing.window = Number(e.target.value); changed(); });
  $('#pct').addEventListener('change', (e) => { state.timing.pct = Number(e.target.value); changed(); });
  $('#timing-toggle').addEventListener('click', () => { state.timing.asked = !state.timing.asked; changed(); });
}

// Option texts of the window and percentile lists in the page's language.
export function fillTimingTexts() {
  for (const o of $('#window').options) o.textContent = Number(o.value) ? t('windowN', { w: o.value }) : t('window0');
  for (const o of $('#pct').options) o.textContent = t(`pct_${o.value}`);
  renderTiming();
}
