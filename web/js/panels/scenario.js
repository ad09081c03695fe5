// The Scenario tab: what-if edits to the network, applied per request on top of the scenario
// chosen above (a new line through stations, places and new stops; a line's headway; a line or
// a station removed). The reach is answered with the edits and compared with the same reach
// without them; the edits travel in the link and download as JSON.
import { $, state, store, writeUrl } from '../state.js';
import { t, esc, nameOf, fmtMin, routeName, scenarioName } from '../i18n.js';
import { api, apiSend, showError } from '../api.js';
import { empty } from '../map/style.js';
import { viewHooks, reachParams, bandsList, nextSeq, isCurrent, setBusy, reachedItem, originsFromResponse, renderMapLegend, fitResult, budgetOf, reachedOf } from './reach.js';
import { changesOf, drawDiff } from './compare.js';
import { download } from './export.js';
import { CMP_BASE, CMP_GAIN } from '../map/style.js';

// The server's limit is stated by its errors; the page stops well before any sensible one.
export const MAX_EDITS = 50;
export const LINE_MODES = ['rail', 'metro', 'tram', 'bus'];

// What the map's clicks do while the tab is open: add stops to the drawn line, pick a station
// to remove, or nothing special (null).
let picking = null;
const draft = { stops: [] }; // {ref: stop id or {name, lon, lat}, label, lonlat}
let newStops = 0;

const DRAFT_LAYERS = [
  { id: 'scn-line', type: 'line', source: 'scn', filter: ['==', ['geometry-type'], 'LineString'], layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', '_color'], 'line-width': 4, 'line-dasharray': ['case', ['get', '_draft'], ['literal', [1.5, 1]], ['literal', [1, 0]]] } },
  { id: 'scn-stop', type: 'circle', source: 'scn', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 5, 'circle-color': ['case', ['get', '_removed'], '#c92a2a', '#ffffff'], 'circle-stroke-color': ['get', '_color'], 'circle-stroke-width': 2.5 } },
  { id: 'scn-stop-label', type: 'symbol', source: 'scn', filter: ['==', ['geometry-type'], 'Point'], layout: { 'text-field': ['get', 'label'], 'text-size': 12, 'text-anchor': 'left', 'text-offset': [0.8, 0] }, paint: { 'text-color': '#111111', 'text-halo-color': '#ffffff', 'text-halo-width': 2 } },
];
const DRAFT_COLOUR = '#d6336c';
const LINE_COLOUR = '#d6336c';

// ---------- names ----------
function station(id) {
  const s = store.stations && store.stations.get(String(id));
  return s || null;
}
function stopLabel(ref) {
  if (ref && typeof ref === 'object') return ref.name || `${ref.lon}, ${ref.lat}`;
  const s = station(ref);
  return s ? nameOf(s.properties) : String(ref);
}
function stopLonLat(ref) {
  if (ref && typeof ref === 'object') return [Number(ref.lon), Number(ref.lat)];
  const s = station(ref);
  return s && s.geometry && s.geometry.type === 'Point' ? s.geometry.coordinates : null;
}
const lineName = (m) => m.name || (state.lang === 'zh' ? m.name_zh || m.name_en : m.name_en || m.name_zh) || m.id || '';
export function editText(m) {
  switch (m.type) {
    case 'add-line':
      return t('scnAddLine', { n: lineName(m), s: (m.stops || []).map(stopLabel).join(' → '), h: fmtMin(m.headway_min), v: fmtMin(m.speed_kmh), mode: t(`scnMode_${m.mode}`) });
    case 'adjust-frequency':
      return t('scnHeadwayOf', { r: routeName(m.route, m.route), h: fmtMin(m.headway_min) });
    case 'remove-route':
      return t('scnRemoveRoute', { r: routeName(m.route, m.route) });
    case 'remove-stops':
      return t('scnRemoveStops', { s: (m.stops || []).map(stopLabel).join('、') });
    default:
      return m.type || '?';
  }
}

// ---------- the edits ----------
function setEdits(mods) {
  state.scen.mods = mods;
  renderEdits();
  writeUrl();
  shareSoon();
  runScenario();
}
function addEdit(m) {
  if (state.scen.mods.length >= MAX_EDITS) { showError({ code: 'TooManyEdits', userMessage: t('scnTooMany', { n: MAX_EDITS }) }); return; }
  setEdits([...state.scen.mods, m]);
}
export const scenarioBody = () => ({ base: state.scenario, modifications: state.scen.mods });

export function renderEdits() {
  const list = $('#scn-mods');
  list.innerHTML = '';
  for (const [i, m] of state.scen.mods.entries()) {
    const li = document.createElement('li');
    li.className = 'scn-mod';
    li.dataset.type = m.type;
    li.innerHTML = `<span class="txt">${esc(editText(m))}</span><button type="button" class="icon-btn" data-i="${i}" title="${esc(t('remove'))}" aria-label="${esc(`${t('remove')}: ${editText(m)}`)}">✕</button>`;
    li.querySelector('button').addEventListener('click', () => setEdits(state.scen.mods.filter((_, j) => j !== i)));
    list.appendChild(li);
  }
  $('#scn-mods-title').textContent = t('scnEdits', { n: state.scen.mods.length });
  $('#scn-none').hidden = state.scen.mods.length > 0;
  $('#scn-base').textContent = t('scnBase', { s: scenarioName(state.scenario) });
  $('#scn-copy-named').hidden = state.scenario === 'existing';
  $('#scn-copy-named').textContent = t('scnCopyNamed', { s: scenarioName(state.scenario) });
  renderDraft();
}

function renderDraft() {
  const on = picking === 'line';
  $('#scn-draft').hidden = !on;
  $('#scn-draw').setAttribute('aria-pressed', String(on));
  $('#scn-pick-stop').setAttribute('aria-pressed', String(picking === 'remove-stop'));
  $('#scn-pick-hint').hidden = !picking;
  $('#scn-pick-hint').textContent = picking === 'line' ? t('scnDrawHint') : t('scnPickStopHint');
  const ol = $('#scn-draft-stops');
  ol.innerHTML = draft.stops.map((s, i) => `<li>${esc(s.label)}${typeof s.ref === 'object' ? ` <span class="badge planned">${esc(t('scnNewStop'))}</span>` : ''} <button type="button" class="icon-btn" data-i="${i}" aria-label="${esc(`${t('remove')} ${s.label}`)}">✕</button></li>`).join('');
  ol.querySelectorAll('button').forEach((b) => b.addEventListener('click', () => { draft.stops.splice(Number(b.dataset.i), 1); renderDraft(); }));
  $('#scn-add-line').disabled = draft.stops.length < 2;
  drawEdits();
}

// The edits on the map: new lines (the drawn one dashed) and removed stations.
function drawEdits() {
  const { map } = store;
  if (!map || !map.getSource('scn')) return;
  const feats = [];
  const line = (refs, props) => {
    const pts = refs.map((r) => [r, stopLonLat(r)]).filter(([, c]) => c);
    if (pts.length >= 2) feats.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: pts.map(([, c]) => c) }, properties: props });
    for (const [r, c] of pts) feats.push({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: { ...props, label: stopLabel(r) } });
  };
  for (const m of state.scen.mods) {
    if (m.type === 'add-line') line(m.stops || [], { _color: LINE_COLOUR, _draft: false });
    if (m.type === 'remove-stops') line(m.stops || [], { _color: '#c92a2a', _removed: true, _draft: false });
  }
  if (picking === 'line') line(draft.stops.map((s) => s.ref), { _color: DRAFT_COLOUR, _draft: true });
  map.getSource('scn').setData({ type: 'FeatureCollection', features: feats });
}

function addDraftStop(ref, label, lonlat) {
  draft.stops.push({ ref, label, lonlat });
  renderDraft();
}

// A click on the map while the tab is open; true when the tab used it.
export function scenarioClick(e, first) {
  if (state.view !== 'scenario' || !picking) return false;
  // A station under the click wins over a place drawn at the same spot (a hub feature often is).
  const box = [[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]];
  const st = store.map.getLayer('station') ? store.map.queryRenderedFeatures(box, { layers: ['station'] })[0] : null;
  const hit = st || first;
  const p = hit ? hit.properties : null;
  if (picking === 'remove-stop') {
    if (!hit || hit.layer.id !== 'station') return true;
    picking = null;
    addEdit({ type: 'remove-stops', stops: [String(p.id)] });
    return true;
  }
  if (hit && hit.layer.id === 'station' && p._planned && state.scenario === 'existing') {
    // A planned station is not in the existing network: it becomes a new stop where it is planned.
    const c = hit.geometry.coordinates;
    addDraftStop({ name: p.name_zh || nameOf(p), lon: round5(c[0]), lat: round5(c[1]) }, nameOf(p), c);
  } else if (hit && hit.layer.id === 'station') {
    addDraftStop(String(p.id), nameOf(p), hit.geometry.coordinates);
  } else if (hit && (hit.layer.id === 'feat-point' || hit.layer.id === 'reached-ring') && store.catalog.get(String(p.id))) {
    // A place becomes a new stop at the place, named after it.
    const rec = store.catalog.get(String(p.id));
    const c = rec.geometry.type === 'Point' ? rec.geometry.coordinates : [e.lngLat.lng, e.lngLat.lat];
    const name = rec.properties.name_zh || rec.properties.name_en || String(p.id);
    addDraftStop({ name, lon: round5(c[0]), lat: round5(c[1]) }, nameOf(rec.properties), c);
  } else {
    newStops += 1;
    const c = [round5(e.lngLat.lng), round5(e.lngLat.lat)];
    const name = t('scnNewStopN', { n: newStops });
    addDraftStop({ name, lon: c[0], lat: c[1] }, name, c);
  }
  return true;
}
const round5 = (v) => Number(Number(v).toFixed(5));

// ---------- the reach with and without the edits ----------
let lastKey = '';
export async function runScenario() {
  renderEdits();
  if (!state.origins.length) { $('#scn-empty').hidden = false; $('#scn-result').hidden = true; return; }
  $('#scn-empty').hidden = true;
  const key = JSON.stringify([reachParams(state.scenario), state.scen.mods]);
  const { seq, signal } = nextSeq();
  setBusy(true);
  try {
    // With edits the service compares the edited network with its base (POST /compare);
    // without, the base's own reach is both sides.
    let last;
    if (state.scen.mods.length) {
      const body = { from: state.origins.map((o) => o.query), mode: state.mode, scenario: scenarioBody() };
      const b = bandsList();
      if (b) body.bands = b; else body.minutes = state.minutes;
      const { body: cmp } = await apiSend('POST', 'compare', body, signal);
      last = { base: cmp.reach.base, edited: cmp.reach.plan, changes: changesOf(cmp) };
    } else {
      const { body: r } = await api('reach', reachParams(state.scenario), signal);
      const same = new Map(reachedOf(r).map((f) => [String(f.properties.id), f.properties]));
      last = { base: r, edited: r, changes: { rb: same, rp: same, only: [], faster: [], slower: [], lost: [], gained: new Set() } };
    }
    if (!isCurrent(seq)) return;
    store.lastScenario = last;
    lastKey = key;
    showError(null);
    drawScenario(true);
    document.documentElement.dataset.reachState = 'done';
  } catch (e) {
    if (e.name === 'AbortError' || !isCurrent(seq)) return;
    showError(scenarioError(e));
    document.documentElement.dataset.reachState = 'error';
  } finally {
    if (isCurrent(seq)) $('#busy').hidden = true;
  }
}

// The server names the edit and its field ("modifications[1].headway_min: …"); the page says
// which edit in its own words and keeps the server's text as the detail.
function scenarioError(e) {
  const p = (e.problems || []).find((x) => Number.isInteger(x.index) && state.scen.mods[x.index]);
  if (e.status >= 400 && e.status < 500 && p) {
    e.userMessage = t('scnEditRefused', { n: p.index + 1, e: editText(state.scen.mods[p.index]), f: p.field || '' });
    e.keepDetail = true;
  } else if (e.status >= 400 && e.status < 500 && /scenario|modification/.test(`${e.parameter || ''} ${e.description || ''}`)) {
    e.userMessage = t('scnRefused');
    e.keepDetail = true;
  }
  return e;
}

export function drawScenario(fit) {
  const sc = store.lastScenario;
  if (!sc || state.view !== 'scenario') return;
  originsFromResponse(sc.edited);
  const d = sc.changes;
  drawDiff(sc.base, sc.edited, d.gained);
  const count = (fc) => fc.features.filter((f) => f.properties.layer === 'reached').length;
  const area = (fc) => fc.features.filter((f) => f.properties.layer === 'band').reduce((s, f) => s + (Number(f.properties.area_km2) || 0), 0);
  const el = $('#scn-result');
  const edits = state.scen.mods.length;
  const hash = sc.edited.metadata && sc.edited.metadata.scenario && (sc.edited.metadata.scenario.hash || sc.edited.metadata.scenario.content_hash);
  el.innerHTML = `<div class="summary"><b>${esc(t('scnSummary', { n: count(sc.edited), b: count(sc.base), m: fmtMin(budgetOf(sc.edited)) }))}</b><br>`
    + `${esc(t('area'))} ${area(sc.edited).toFixed(1)} km² (${esc(t('scnWithout'))} ${area(sc.base).toFixed(1)} km²)`
    + `${hash ? `<br><span class="hint">${esc(t('scnHash'))} <code>${esc(String(hash).slice(0, 12))}</code></span>` : ''}</div>`
    + (edits ? '' : `<div class="hint">${esc(t('scnNoEditsYet'))}</div>`)
    + `<div class="sec-title">${esc(t('scnOnly', { n: d.only.length }))}</div><div id="scn-only"></div>`
    + `<div class="sec-title">${esc(t('scnFaster', { n: d.faster.length }))}</div><div id="scn-faster"></div>`
    + `<div class="sec-title">${esc(t('scnSlower', { n: d.slower.length + d.lost.length }))}</div><div id="scn-slower"></div>`;
  const box = (id, items, extra) => {
    const b = el.querySelector(id);
    if (!items.length) b.innerHTML = `<div class="hint">${esc(t('scnNone'))}</div>`;
    for (const p of items) b.appendChild(reachedItem(p, extra(p)));
  };
  box('#scn-only', d.only, (p) => `<span class="badge gain">+</span> ${fmtMin(p.minutes)}′`);
  box('#scn-faster', d.faster, (p) => `${fmtMin(d.rb.get(String(p.id)).minutes)}′ → ${fmtMin(p.minutes)}′`);
  box('#scn-slower', [...d.slower, ...d.lost], (p) => (d.rp.has(String(p.id)) ? `${fmtMin(p.minutes)}′ → ${fmtMin(d.rp.get(String(p.id)).minutes)}′` : `${fmtMin(p.minutes)}′ → –`));
  el.hidden = false;
  renderMapLegend(`<div class="lt">${esc(t('scnLegend'))}</div><div class="row"><i style="background:${CMP_BASE}"></i>${esc(t('scnWithoutEdits'))}</div>`
    + (d.gained.size ? `<div class="row"><i style="background:${CMP_GAIN}"></i>${esc(t('scnAdded'))}</div>` : ''));
  drawEdits();
  if (fit) fitResult([...sc.edited.features, ...sc.base.features].filter((f) => f.properties.layer === 'band'));
}

// ---------- share ----------
let shareTimer = 0;
function shareSoon() {
  clearTimeout(shareTimer);
  // writeUrl settles the address after a short delay; the link is read after it.
  shareTimer = setTimeout(() => { $('#scn-share').value = window.location.href; }, 300);
}
function downloadJson() {
  download(`${JSON.stringify(scenarioBody(), null, 2)}\n`, `scenario-edits-${state.scenario}`, 'json', 'application/json');
}

// ---------- routes for the headway and removal edits ----------
function fillRoutes() {
  const sel = $('#scn-route');
  const keep = sel.value;
  const lines = [...store.lines.values()].filter((l) => !l._planned)
    .sort((a, b) => routeName(a.id).localeCompare(routeName(b.id), state.lang === 'zh' ? 'zh' : 'en', { numeric: true }));
  sel.innerHTML = lines.map((l) => `<option value="${esc(l.id)}">${esc(routeName(l.id))}</option>`).join('');
  if (keep) sel.value = keep;
}

export function renderScenarioTexts() {
  fillRoutes();
  for (const o of $('#scn-mode').options) o.textContent = t(`scnMode_${o.value}`);
  renderEdits();
  if (store.lastScenario && state.view === 'scenario') drawScenario(false);
}

// Shown or left: the drawing stops with the tab, and its layers go with it.
export function showScenario(on) {
  const { map } = store;
  if (!on) { picking = null; }
  if (map && map.getLayer('scn-line')) for (const l of DRAFT_LAYERS) map.setLayoutProperty(l.id, 'visibility', on ? 'visible' : 'none');
  if (!on) return;
  renderScenarioTexts();
  shareSoon();
  if (!state.origins.length) { $('#scn-empty').hidden = false; $('#scn-result').hidden = true; return; }
  const key = JSON.stringify([reachParams(state.scenario), state.scen.mods]);
  if (store.lastScenario && key === lastKey) drawScenario(false); else runScenario();
}

export function bindScenario() {
  const { map } = store;
  map.addSource('scn', { type: 'geojson', data: empty() });
  for (const l of DRAFT_LAYERS) map.addLayer({ ...l, layout: { ...(l.layout || {}), visibility: state.view === 'scenario' ? 'visible' : 'none' } });
  for (const m of LINE_MODES) $('#scn-mode').insertAdjacentHTML('beforeend', `<option value="${m}"></option>`);
  $('#scn-draw').addEventListener('click', () => {
    picking = picking === 'line' ? null : 'line';
    if (picking === 'line' && !$('#scn-name').value) $('#scn-name').value = t('scnLineName', { n: state.scen.mods.filter((m) => m.type === 'add-line').length + 1 });
    renderDraft();
  });
  $('#scn-pick-stop').addEventListener('click', () => { picking = picking === 'remove-stop' ? null : 'remove-stop'; renderDraft(); });
  $('#scn-cancel').addEventListener('click', () => { picking = null; draft.stops = []; renderDraft(); });
  $('#scn-add-line').addEventListener('click', () => {
    const headway = Number($('#scn-headway').value);
    const speed = Number($('#scn-speed').value);
    if (!(headway > 0) || !(speed > 0)) { showError({ code: 'BadEdit', userMessage: t('scnBadNumbers') }); return; }
    const m = { type: 'add-line', name: $('#scn-name').value.trim() || t('scnLineName', { n: 1 }), mode: $('#scn-mode').value, stops: draft.stops.map((s) => s.ref), headway_min: headway, speed_kmh: speed };
    picking = null; draft.stops = []; $('#scn-name').value = '';
    addEdit(m);
  });
  $('#scn-set-headway').addEventListener('click', () => {
    const h = Number($('#scn-route-headway').value);
    if (!(h > 0)) { showError({ code: 'BadEdit', userMessage: t('scnBadNumbers') }); return; }
    addEdit({ type: 'adjust-frequency', route: $('#scn-route').value, headway_min: h });
  });
  $('#scn-remove-route').addEventListener('click', () => addEdit({ type: 'remove-route', route: $('#scn-route').value }));
  $('#scn-clear').addEventListener('click', () => setEdits([]));
  // A named scenario's own modifications, copied onto its base so that each can be changed.
  $('#scn-copy-named').addEventListener('click', async () => {
    try {
      const { body } = await api(`scenarios/${encodeURIComponent(state.scenario)}`);
      const mods = Array.isArray(body.modifications) ? body.modifications : [];
      state.scenario = body.base || 'existing';
      $('#scenario').value = state.scenario;
      setEdits([...mods, ...state.scen.mods].slice(0, MAX_EDITS));
    } catch (e) {
      showError(e);
    }
  });
  $('#scn-json').addEventListener('click', downloadJson);
  $('#scn-copy').addEventListener('click', async () => {
    const input = $('#scn-share');
    input.value = window.location.href;
    input.select();
    try { await navigator.clipboard.writeText(input.value); $('#scn-copied').hidden = false; setTimeout(() => { $('#scn-copied').hidden = true; }, 2000); } catch { /* the link stays selected for the reader to copy */ }
  });
  viewHooks.scenario = { run: runScenario, show: showScenario };
}
