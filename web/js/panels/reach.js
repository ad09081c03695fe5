// The reach panel: origins (one or several), the reach query, bands, the reached list.
import { $, state, store, KIND_ORDER, isPlanned, writeUrl, originQuery } from '../state.js';
import { exitNational } from '../map/national.js';
import { t, esc, nameOf, fmtMin, kindLabel, statusLabel, scenarioName, legsText } from '../i18n.js';
import { api, showError } from '../api.js';
import { empty, bandColour, inkOn } from '../map/style.js';
import { detail, openDetail } from '../map/popups.js';
import { showRoute, clearRoute } from '../map/route.js';
import { runCompare, drawCompare, clearCompare } from './compare.js';
import { loadTargets } from './targets.js';
import { drawAccess, setAccessVisible, renderAccessTexts, runAccess } from './access.js';
import { timingParams, calendarError, timingSummary, percentilesText, renderTiming } from './timing.js';

let reachSeq = 0;
let reachAbort = null;
export const nextSeq = () => { reachSeq += 1; if (reachAbort) reachAbort.abort(); reachAbort = new AbortController(); return { seq: reachSeq, signal: reachAbort.signal }; };
export const isCurrent = (seq) => seq === reachSeq;

export function bandsList() {
  if (!state.step || state.step >= state.minutes) return null;
  const out = [];
  for (let m = state.step; m < state.minutes; m += state.step) out.push(m);
  out.push(state.minutes);
  return out;
}
// scenario: given by the comparison, which stays in the steady state on both sides (timetables
// describe the existing network only); the reach itself adds the departure when one applies.
export function reachParams(scenario) {
  const p = { from: originQuery(), mode: state.mode, scenario: scenario || state.scenario };
  const b = bandsList();
  if (b) p.bands = b.join(','); else p.minutes = state.minutes;
  if (!scenario) Object.assign(p, timingParams(p.scenario) || {});
  return p;
}
export function budgetOf(fc) {
  const bands = fc.features.filter((f) => f.properties.layer === 'band').map((f) => Number(f.properties.max_minutes));
  return Math.max(state.minutes, ...bands.filter(Number.isFinite));
}
// The origins themselves are not "reached features".
export function reachedOf(fc) {
  const origins = new Set(((fc.metadata && fc.metadata.origins) || []).map((o) => o.id).filter(Boolean).map(String));
  return fc.features.filter((f) => f.properties.layer === 'reached' && !origins.has(String(f.properties.id)));
}

// ---------- origins ----------
export const fmtCoord = (v) => String(Number(Number(v).toFixed(4)));
// Same rule as the server (data extent + 0.05°), checked here so the message is the page's own.
export function outsideArea(lonlat) {
  const a = store.area;
  if (!a || !lonlat) return null;
  if (lonlat[0] >= a[0] && lonlat[0] <= a[2] && lonlat[1] >= a[1] && lonlat[1] <= a[3]) return null;
  return t('errOutside', { p: `${fmtCoord(lonlat[0])}, ${fmtCoord(lonlat[1])}`, city: t('cityName'), w: a[0].toFixed(2), e: a[2].toFixed(2), s: a[1].toFixed(2), n: a[3].toFixed(2) });
}
function originLabel(o) {
  if (o.name_zh || o.name_en) return nameOf(o);
  const rec = store.catalog.get(String(o.id || o.query));
  return rec ? nameOf(rec.properties) : o.label;
}
export function renderOrigins() {
  const box = $('#origin-list');
  box.innerHTML = '';
  for (const [i, o] of state.origins.entries()) {
    const chip = document.createElement('span');
    chip.className = 'origin-chip';
    chip.dataset.query = o.query;
    chip.innerHTML = `<span class="origin-name" title="${esc(o.query)}">${esc(originLabel(o))}</span>`
      + `<button type="button" class="icon-btn" data-remove="${i}" title="${esc(t('remove'))}" aria-label="${esc(`${t('remove')} ${originLabel(o)}`)}">✕</button>`;
    box.appendChild(chip);
  }
  if (!state.origins.length) box.innerHTML = `<span class="origin-none">${esc(t('noOrigin'))}</span>`;
  box.querySelectorAll('[data-remove]').forEach((b) => b.addEventListener('click', () => removeOrigin(Number(b.dataset.remove))));
  $('#add-origin').hidden = !state.origins.length;
  $('#clear-origin').hidden = !state.origins.length;
  $('#add-origin').setAttribute('aria-pressed', String(state.adding));
  $('#origin-hint').textContent = state.adding ? t('addingOrigin') : t('originHint');
}
// o: {query, label, lonlat, name_zh, name_en, id}. Adds it when the user asked for another origin.
export function setOrigin(o, add = false) {
  if (o.lonlat) {
    const out = outsideArea(o.lonlat);
    if (out) { showError({ code: 'OutOfArea', userMessage: out }); document.documentElement.dataset.reachState = 'error'; return false; }
  }
  showError(null);
  const entry = { query: String(o.query), label: o.label || String(o.query), lonlat: o.lonlat, id: o.id, name_zh: o.name_zh, name_en: o.name_en };
  if (add || state.adding) {
    if (!state.origins.some((x) => x.query === entry.query)) state.origins.push(entry);
  } else state.origins = [entry];
  state.adding = false;
  renderOrigins();
  writeUrl();
  run();
  return true;
}
function removeOrigin(i) {
  state.origins.splice(i, 1);
  if (!state.origins.length) { clearOrigin(); return; }
  renderOrigins();
  writeUrl();
  run();
}
export function clearOrigin() {
  state.origins = [];
  state.adding = false;
  nextSeq();
  store.lastReach = null; store.lastCompare = null;
  store.map.getSource('reach').setData(empty());
  clearCompare();
  clearRoute();
  renderOrigins();
  $('#reach-result').hidden = true; $('#reach-empty').hidden = false;
  $('#compare-result').hidden = true; $('#compare-empty').hidden = false;
  $('#map-legend').hidden = true;
  showError(null);
  writeUrl();
}

// Tabs that register themselves here ({run, show}) rather than being imported by this module.
export const viewHooks = {};

export function run() {
  if (!state.origins.length) return;
  if (state.view === 'compare') runCompare(); else if (state.view === 'reach') runReach();
  else if (viewHooks[state.view]) viewHooks[state.view].run();
}
export function setBusy(on) {
  $('#busy').hidden = !on;
  if (on) document.documentElement.dataset.reachState = 'loading';
}

export async function runReach() {
  const { seq, signal } = nextSeq();
  const params = reachParams();
  const late = params.depart && calendarError();
  if (late) { showError({ code: 'OutOfCalendar', userMessage: late }); document.documentElement.dataset.reachState = 'error'; return; }
  setBusy(true);
  try {
    const { body, url } = await api('reach', params, signal);
    if (!isCurrent(seq)) return;
    store.lastReach = body; store.lastReachUrl = url;
    showError(null);
    clearRoute();
    drawReach(true);
    document.documentElement.dataset.reachState = 'done';
  } catch (e) {
    if (e.name === 'AbortError' || !isCurrent(seq)) return;
    showError(e);
    document.documentElement.dataset.reachState = 'error';
  } finally {
    if (isCurrent(seq)) $('#busy').hidden = true;
  }
}

// Names the server resolved: kept with the origin so either language can show them.
export function originsFromResponse(fc) {
  const list = (fc.metadata && fc.metadata.origins) || [];
  for (const o of state.origins) {
    const m = list.find((x) => x.query === o.query);
    if (!m) continue;
    o.id = m.id || o.id;
    if (Array.isArray(m.lonlat)) o.lonlat = m.lonlat;
    const rec = m.id ? store.catalog.get(String(m.id)) : null;
    if (rec) { o.name_zh = rec.properties.name_zh; o.name_en = rec.properties.name_en; }
    else if (m.name && !/^-?\d/.test(m.name) && !o.name_zh && !o.name_en) o.label = m.name;
  }
  renderOrigins();
}

export function decorate(fc, colours) {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => {
      const p = { ...f.properties };
      if (p.layer === 'band') p._color = colours.get(Number(p.max_minutes));
      if (p.layer === 'reached') p._min = fmtMin(p.minutes);
      for (const [k, v] of Object.entries(p)) if (v !== null && typeof v === 'object') delete p[k];
      return { type: 'Feature', geometry: f.geometry, properties: p };
    }),
  };
}
function extentOf(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); } else c.forEach(walk);
  };
  for (const f of features) if (f.geometry) walk(f.geometry.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}
// Brings the whole result into view when part of it lies outside.
export function fitResult(features) {
  const { map } = store;
  const b = extentOf(features);
  if (!b) return;
  const v = map.getBounds();
  if (b[0] >= v.getWest() && b[2] <= v.getEast() && b[1] >= v.getSouth() && b[3] <= v.getNorth()) return;
  const w = map.getContainer().clientWidth;
  const layersOpen = $('#layers-toggle').getAttribute('aria-expanded') === 'true' && w > 700;
  const pad = Math.min(50, w / 8);
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: { top: pad, bottom: pad, left: pad, right: layersOpen ? 290 : pad }, maxZoom: 13.5, duration: 700 });
}

export function sortedBands(fc) {
  return fc.features.filter((f) => f.properties.layer === 'band').map((f) => f.properties)
    .sort((a, b) => a.max_minutes - b.max_minutes);
}
export function bandColours(bands) {
  return new Map(bands.map((b, i) => [Number(b.max_minutes), bandColour(i, bands.length)]));
}

export function drawReach(fit) {
  const fc = store.lastReach;
  if (!fc) return;
  originsFromResponse(fc);
  const budget = budgetOf(fc);
  clearCompare();
  const bands = sortedBands(fc);
  const colours = bandColours(bands);
  store.map.getSource('reach').setData(decorate(fc, colours));
  const reached = reachedOf(fc);
  $('#reach-empty').hidden = true;
  $('#reach-result').hidden = false;
  const area = bands.reduce((s, b) => s + (Number(b.area_km2) || 0), 0);
  const sc = scenarioName(fc.metadata?.scenario?.id || state.scenario, fc.metadata?.scenario?.name);
  $('#reach-summary').innerHTML = `<b>${esc(t(reached.length === 1 ? 'reachedWithin1' : 'reachedWithin', { n: reached.length, m: fmtMin(budget) }))}</b><br>`
    + `${esc(t('mode_' + (fc.metadata?.mode || state.mode)))} · ${esc(sc)} · ${esc(t('area'))} ${area.toFixed(1)} km²`
    + (timingSummary(fc.metadata) ? `<br><span id="timing-summary">${esc(timingSummary(fc.metadata))}</span>` : '');
  $('#band-legend').innerHTML = bands.map((b) => { const c = colours.get(Number(b.max_minutes)); return `<span class="b" style="background:${c};color:${inkOn(c)}">≤${fmtMin(b.max_minutes)}</span>`; }).join('');

  const list = $('#reached-list');
  list.innerHTML = '';
  const groups = bands.length ? bands : [{ min_minutes: 0, max_minutes: budget }];
  for (const b of groups) {
    const inBand = reached.filter((f) => Number(f.properties.band) === Number(b.max_minutes)
      || (f.properties.band == null && f.properties.minutes > b.min_minutes && f.properties.minutes <= b.max_minutes));
    const g = document.createElement('div');
    g.className = 'band-group';
    g.dataset.band = b.max_minutes;
    g.innerHTML = `<div class="band-title"><span class="sw" style="background:${colours.get(Number(b.max_minutes)) || bandColour(0, 1)}"></span>`
      + `${esc(t('bandRange', { a: fmtMin(b.min_minutes), b: fmtMin(b.max_minutes) }))}`
      + `<span class="meta">${inBand.length} · ${b.area_km2 != null ? `${Number(b.area_km2).toFixed(1)} km²` : ''}</span></div>`;
    if (!inBand.length) g.insertAdjacentHTML('beforeend', `<div class="hint none">${esc(t('noneReached'))}</div>`);
    for (const k of KIND_ORDER) {
      const items = inBand.filter((f) => f.properties.kind === k).sort((a, c) => a.properties.minutes - c.properties.minutes);
      if (!items.length) continue;
      g.insertAdjacentHTML('beforeend', `<div class="kind-title"><img alt="" width="12" height="12" src="${store.icons[`${k}-e`]}">${esc(kindLabel(k))} · ${items.length}</div>`);
      for (const f of items) g.appendChild(reachedItem(f.properties));
    }
    list.appendChild(g);
  }
  showStreetNote(fc.metadata, $('#reach-note'));
  renderMapLegend('reach', bands, colours);
  if (store.selected && store.selected.key.startsWith('feature:')) selectReached(store.selected.key.slice(8));
  if (fit) fitResult(fc.features.filter((f) => f.properties.layer !== 'origin'));
}

export function reachedItem(p, extra) {
  const rec = store.catalog.get(String(p.id));
  const q = rec ? rec.properties : p;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'item';
  btn.dataset.id = p.id;
  btn.dataset.minutes = p.minutes;
  btn.innerHTML = `<span class="nm">${esc(nameOf(q))}${isPlanned(q.status) ? `<span class="badge ${esc(q.status)}">${esc(statusLabel(q.status))}</span>` : ''}</span>`
    + `<span class="min">${extra || `${fmtMin(p.minutes)} ${esc(t('min'))}`}</span>`
    + `<span class="legs">${esc(legsText(p.legs) || p.legs_text || '')}</span>`
    + (percentilesText(p) ? `<span class="pcts">${esc(percentilesText(p))}</span>` : '');
  btn.addEventListener('click', () => { focusFeature(p.id); if (!extra) selectReached(p.id); });
  return btn;
}
// Draws the itinerary to a reached feature.
export function selectReached(id) {
  const fc = store.lastReach;
  const f = fc && fc.features.find((x) => x.properties.layer === 'reached' && String(x.properties.id) === String(id));
  if (!f) return;
  const rec = store.catalog.get(String(id));
  showRoute(`feature:${id}`, nameOf(rec ? rec.properties : f.properties), f.properties.minutes, f.properties.legs || []);
  for (const el of document.querySelectorAll('#reached-list .item')) el.classList.toggle('selected', el.dataset.id === String(id));
}
export function focusFeature(id) {
  const rec = store.catalog.get(String(id));
  if (!rec) return;
  const c = rec.geometry.type === 'Point' ? rec.geometry.coordinates : rec.geometry.coordinates[0];
  store.map.easeTo({ center: c, zoom: Math.max(store.map.getZoom(), 12), duration: 600 });
  openDetail(id, c);
}
// The street model's limits, stated in full where the result is read.
export function showStreetNote(meta, el) {
  const sm = meta && meta.street_model;
  if (!sm) { el.hidden = true; return; }
  const text = sm.model === 'crow_fly' ? t('crowFly') : (sm.description || sm.model);
  el.innerHTML = `<b>${esc(t('streetModel'))}:</b> ${esc(text)}`;
  el.hidden = false;
}
export function renderMapLegend(kind, bands, colours) {
  const el = $('#map-legend');
  delete el.dataset.kind;
  if (kind === 'reach') {
    if (!bands.length) { el.hidden = true; return; }
    el.innerHTML = `<div class="lt">${esc(t('legendReach'))}</div><div class="rows">` + bands.map((b) => `<div class="row"><i style="background:${colours.get(Number(b.max_minutes))}"></i>${esc(t('bandRange', { a: fmtMin(b.min_minutes), b: fmtMin(b.max_minutes) }))}</div>`).join('') + '</div>';
  } else {
    el.innerHTML = kind;
  }
  el.hidden = false;
}

// ---------- views ----------
export function setView(v) {
  const { map } = store;
  state.view = v;
  // Any tab, or the same one reopened, starts from the city.
  exitNational();
  for (const b of document.querySelectorAll('.tabs button')) { b.setAttribute('aria-selected', String(b.dataset.view === v)); b.tabIndex = b.dataset.view === v ? 0 : -1; }
  $('#view-reach').hidden = v !== 'reach';
  $('#view-compare').hidden = v !== 'compare';
  $('#view-targets').hidden = v !== 'targets';
  $('#view-access').hidden = v !== 'access';
  if ($('#view-scenario')) $('#view-scenario').hidden = v !== 'scenario';
  // The accessibility tab has its own settings; the origin, minutes and bands are the reach's.
  $('#reach-controls').hidden = v === 'access';
  $('#mode').value = state.mode;
  $('#scenario').value = state.scenario;
  setAccessVisible(v === 'access');
  renderTiming();
  for (const id of ['band-fill', 'band-line', 'reached-ring', 'reached-minutes']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v === 'reach' ? 'visible' : 'none');
  for (const id of ['cmp-plan-fill', 'cmp-base-fill', 'cmp-plan-line']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v === 'compare' || v === 'scenario' ? 'visible' : 'none');
  for (const [id, h] of Object.entries(viewHooks)) if (id !== v) h.show(false);
  clearRoute();
  detail.remove();
  writeUrl();
  if (v === 'targets') { $('#map-legend').hidden = true; loadTargets(); return; }
  if (v === 'access') {
    $('#map-legend').hidden = true;
    if (!store.mapReady) return;
    renderAccessTexts();
    if (store.acc && store.acc.status === 'done') drawAccess();
    // A link to the tab shows its analysis without a click.
    else if (!store.acc && state.accAutoRun) { state.accAutoRun = false; runAccess(); }
    return;
  }
  if (!store.mapReady) return;
  if (viewHooks[v]) { $('#map-legend').hidden = true; viewHooks[v].show(true); return; }
  if (!state.origins.length) { $('#map-legend').hidden = true; return; }
  if (v === 'compare') { if (store.lastCompare && sameQuery(store.lastCompare.plan)) drawCompare(); else runCompare(); }
  else if (store.lastReach && sameQuery(store.lastReach)) drawReach(); else runReach();
}
export function sameQuery(fc) {
  const m = fc && fc.metadata;
  if (!m || !state.origins.length) return false;
  const q = (m.origins || []).map((o) => o.query).join('|');
  return q === originQuery() && m.mode === state.mode && (m.scenario?.id === state.scenario || state.view === 'compare')
    && Number(m.minutes) === Number(bandsList() ? bandsList().at(-1) : state.minutes)
    && JSON.stringify((m.bands || []).map(Number)) === JSON.stringify((bandsList() || [state.minutes]).map(Number))
    && (state.view === 'compare' || sameTiming(m));
}
// The answer was computed for the departure, window and percentile now chosen.
function sameTiming(m) {
  const want = timingParams(state.scenario);
  const tr = m.transit || {};
  if (!want) return !tr.depart || Boolean(tr.depart_note);
  return tr.depart === want.depart && Number(tr.window_minutes || 0) === Number(want.window || 0)
    && (!want.window || Number(tr.percentile) === Number(want.percentile));
}
