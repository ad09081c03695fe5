// The accessibility panel: a grid over the central districts, each cell counting the
// opportunities it reaches within a cutoff, run as a job on the server (POST /access), drawn as
// a colour layer, with the difference against a compared scenario, district means, the
// histogram of gains and downloads.
import { $, state, store, ACC_CUTOFFS, ACC_CELLS, writeUrl } from '../state.js';
import { t, esc, nameOf, scenarioName } from '../i18n.js';
import { api, apiSend, apiUrl, showError } from '../api.js';
import { empty } from '../map/style.js';

// The central districts (中原、二七、管城、金水、惠济): a 500 m grid over them runs in about a
// second, so the tab answers while the user waits.
export const ACC_WITHIN = ['410102', '410103', '410104', '410105', '410108'];
const POLL_MS = 300;
// Sequential classes for counts (light to dark, colour-blind safe); zero is grey.
const LEVEL = ['#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'];
const ZERO = '#d4d4d4';
// Gains from light to dark magenta (the plan's colour elsewhere on the map); losses in blue.
const GAIN = ['#fcc5c0', '#f768a1', '#ae017e'];
const LOSS = '#2166ac';

// store.acc: { id, status, seq, job (status JSON), grid (f=grid JSON), cells (GeoJSON), index }
let seq = 0;
let timer = 0;

// "Plan 2025 (adds …)" → "Plan 2025": the short name fits a button or a column head.
const short = (id) => scenarioName(id).split(/[（(]/)[0].trim();
const fmt = (v) => String(Number(Number(v).toFixed(2)));
const signed = (v) => (v > 0 ? `+${fmt(v)}` : fmt(v));

function oppLabel(opp) {
  if (opp === 'all') return t('accOppAll');
  if (opp === 'stations') return t('accOppStations');
  return t(`accOpp_${opp}`);
}

function setAccState(s) {
  document.documentElement.dataset.accState = s;
}

// ---------- controls ----------
export function fillAccessControls() {
  const cut = $('#acc-cutoff');
  cut.innerHTML = ACC_CUTOFFS.map((m) => `<option value="${m}">${m} ${esc(t('min'))}</option>`).join('');
  cut.value = String(state.acc.cutoff);
  const ids = store.scenarios.length ? store.scenarios.map((s) => s.id) : ['existing'];
  const opt = (id) => `<option value="${esc(id)}" title="${esc(scenarioName(id))}">${esc(short(id))}</option>`;
  $('#acc-scenario').innerHTML = ids.map(opt).join('');
  $('#acc-scenario').value = state.scenario;
  $('#acc-compare').innerHTML = `<option value="">${esc(t('accNoCompare'))}</option>`
    + ids.map(opt).join('');
  if (store.scenarios.length && state.acc.compare && !ids.includes(state.acc.compare)) state.acc.compare = '';
  $('#acc-compare').value = state.acc.compare;
  $('#acc-opp').value = state.acc.opp;
  $('#acc-mode').value = state.mode;
  $('#acc-cell').value = String(state.acc.cell);
  $('#acc-area').textContent = t('accArea', { c: state.acc.cell });
}

export function bindAccess() {
  const on = (sel, f) => $(sel).addEventListener('change', (e) => { f(e.target.value); writeUrl(); });
  on('#acc-opp', (v) => { state.acc.opp = v; });
  on('#acc-cutoff', (v) => { state.acc.cutoff = Number(v); });
  on('#acc-mode', (v) => { state.mode = v; $('#mode').value = v; });
  on('#acc-scenario', (v) => { state.scenario = v; $('#scenario').value = v; });
  on('#acc-compare', (v) => { state.acc.compare = v; });
  on('#acc-cell', (v) => { state.acc.cell = ACC_CELLS.includes(Number(v)) ? Number(v) : 500; $('#acc-area').textContent = t('accArea', { c: state.acc.cell }); });
  $('#acc-start').addEventListener('click', runAccess);
  $('#acc-cancel').addEventListener('click', cancelAccess);
  $('#acc-show').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-show]');
    if (!b) return;
    state.acc.show = b.dataset.show;
    writeUrl();
    drawAccess();
  });
  const { map } = store;
  map.on('mousemove', (e) => { if (state.view === 'access') readout(e.lngLat, 'accUnder'); });
  map.on('mouseout', () => { if (state.view === 'access') $('#acc-readout').hidden = true; });
  // A phone has no cursor: a tap reads the cell.
  map.on('click', (e) => { if (state.view === 'access') readout(e.lngLat, 'accHere'); });
  // Keyboard users pan the focused map: the value at its centre is read out instead.
  map.on('moveend', () => {
    if (state.view === 'access' && document.activeElement === map.getCanvas()) readout(map.getCenter(), 'accAtCentre');
  });
}

// ---------- the job ----------
export function accessQuery() {
  const q = {
    opportunities: state.acc.opp,
    cutoffs: [state.acc.cutoff],
    mode: state.mode,
    scenario: state.scenario,
    cell: state.acc.cell,
    within: ACC_WITHIN,
  };
  if (state.acc.compare && state.acc.compare !== state.scenario) q.compare = state.acc.compare;
  return q;
}

function setRunning(on) {
  $('#acc-start').disabled = on;
  $('#acc-cancel').hidden = !on;
  $('#acc-bar').hidden = !on;
}

function showProgress(done, total) {
  const pct = total ? Math.round((100 * done) / total) : 0;
  const bar = $('#acc-bar');
  bar.setAttribute('aria-valuenow', String(pct));
  bar.firstElementChild.style.width = `${pct}%`;
  $('#acc-status').textContent = total ? t('accRunning', { d: done, n: total }) : t('accStarting');
}

export async function runAccess() {
  clearTimeout(timer);
  const my = ++seq;
  // A job still running is no longer wanted.
  if (store.acc && store.acc.status === 'running') apiSend('DELETE', `access/${store.acc.id}`).catch(() => {});
  showError(null);
  setRunning(true);
  showProgress(0, 0);
  setAccState('running');
  try {
    const { body } = await apiSend('POST', 'access', accessQuery());
    if (my !== seq) return;
    store.acc = { id: body.id, status: 'running', query: accessQuery() };
    poll(my);
  } catch (e) {
    if (my !== seq) return;
    failed(e);
  }
}

async function poll(my) {
  try {
    const { body } = await api(`access/${store.acc.id}`);
    if (my !== seq) return;
    showProgress(body.progress.done, body.progress.total);
    if (body.status === 'running') { timer = setTimeout(() => poll(my), POLL_MS); return; }
    if (body.status !== 'done') {
      store.acc.status = body.status;
      setRunning(false);
      $('#acc-status').textContent = body.status === 'cancelled' ? t('accCancelled') : t('accFailed', { e: body.error || body.status });
      setAccState(body.status === 'cancelled' ? 'cancelled' : 'error');
      return;
    }
    const { body: grid } = await api(`access/${store.acc.id}/result`, { f: 'grid' });
    if (my !== seq) return;
    Object.assign(store.acc, { status: 'done', job: body, grid });
    buildCells();
    setRunning(false);
    if (!store.acc.job.metadata.compare && state.acc.show !== 'base') state.acc.show = 'base';
    drawAccess(true);
    setAccState('done');
  } catch (e) {
    if (my !== seq) return;
    failed(e);
  }
}

function failed(e) {
  if (store.acc) store.acc.status = 'error';
  setRunning(false);
  $('#acc-status').textContent = '';
  showError(e);
  setAccState('error');
}

export async function cancelAccess() {
  clearTimeout(timer);
  seq += 1;
  setRunning(false);
  $('#acc-status').textContent = t('accCancelled');
  setAccState('cancelled');
  const job = store.acc;
  if (job && job.status === 'running') {
    job.status = 'cancelled';
    try { await apiSend('DELETE', `access/${job.id}`); } catch (e) { showError(e); }
  }
}

// ---------- the surface ----------
// Which measure each view draws: indexes into the grid's measures.
function measureIndex(key) {
  const j = store.acc.job;
  const names = j.measures.map((m) => m.name);
  const c = j.metadata.cutoffs[0];
  const cut = String(Number(c));
  if (key === 'base') return names.indexOf(`${j.metadata.scenario}_cum${cut}`);
  if (key === 'compare') return names.indexOf(`${j.metadata.compare}_cum${cut}`);
  return names.indexOf(`diff_cum${cut}`);
}

// One square per cell that has a value, its values as properties b, c, d.
function buildCells() {
  const g = store.acc.grid;
  const keys = { b: measureIndex('base') };
  if (store.acc.job.metadata.compare) { keys.c = measureIndex('compare'); keys.d = measureIndex('diff'); }
  const features = [];
  for (let i = 0; i < g.rows * g.cols; i += 1) {
    const props = {};
    let any = false;
    for (const [k, m] of Object.entries(keys)) {
      const v = m >= 0 ? g.values[m][i] : null;
      if (v != null) { props[k] = v; any = true; }
    }
    if (!any) continue;
    const row = Math.floor(i / g.cols); const col = i % g.cols;
    const w = g.west + col * g.dlon; const n = g.north - row * g.dlat;
    features.push({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: [[[w, n], [w + g.dlon, n], [w + g.dlon, n - g.dlat], [w, n - g.dlat], [w, n]]] } });
  }
  store.acc.cells = { type: 'FeatureCollection', features };
  store.acc.keys = keys;
}

// A step a person reads: 1, 2, 2.5 or 5 times a power of ten, so that the classes fill the ramp.
function niceStep(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  const f = x / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

// Classes of the shown surface: [{lo, hi, colour, label}] and the MapLibre colour expression.
export function classesFor(show, values) {
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  if (show !== 'diff') {
    const step = niceStep(max / LEVEL.length);
    const classes = [{ lo: 0, hi: 0, colour: ZERO, label: '0' }];
    for (let k = 0; k < LEVEL.length && k * step < max; k += 1) {
      classes.push({ lo: k * step, hi: (k + 1) * step, colour: LEVEL[k], label: `${fmt(k * step)}–${fmt((k + 1) * step)}` });
    }
    const expr = ['case', ['<=', ['get', 'v'], 0], ZERO, ['step', ['get', 'v'], LEVEL[0], ...classes.slice(2).flatMap((c) => [c.lo, c.colour])]];
    return { classes, expr };
  }
  const classes = [];
  if (min < 0) classes.push({ lo: min, hi: 0, colour: LOSS, label: `${fmt(min)}–0` });
  classes.push({ lo: 0, hi: 0, colour: ZERO, label: t('accLegendSame') });
  const step = niceStep(max / GAIN.length);
  for (let k = 0; k < GAIN.length && k * step < max; k += 1) {
    classes.push({ lo: k * step, hi: (k + 1) * step, colour: GAIN[k], label: `+${fmt(k * step)}–${fmt((k + 1) * step)}` });
  }
  const gains = classes.filter((c) => c.lo >= 0 && c.colour !== ZERO);
  const expr = ['case', ['<', ['get', 'v'], 0], LOSS, ['==', ['get', 'v'], 0], ZERO,
    gains.length ? ['step', ['get', 'v'], GAIN[0], ...gains.slice(1).flatMap((c) => [c.lo, c.colour])] : ZERO];
  return { classes, expr };
}

function ensureLayer() {
  const { map } = store;
  if (!map.getSource('acc')) map.addSource('acc', { type: 'geojson', data: empty() });
  if (!map.getLayer('acc-fill')) {
    // Under the lines and stations, so the network stays readable over the surface.
    map.addLayer({ id: 'acc-fill', type: 'fill', source: 'acc', paint: { 'fill-color': ZERO, 'fill-opacity': 0.72 } }, 'line-casing');
  }
}

export function setAccessVisible(on) {
  const { map } = store;
  if (map && map.getLayer('acc-fill')) map.setLayoutProperty('acc-fill', 'visibility', on ? 'visible' : 'none');
  if (!on) $('#acc-readout').hidden = true;
}

function showTitle(key) {
  const j = store.acc.job; const m = j.metadata;
  const o = oppLabel(store.acc.query.opportunities);
  if (key === 'diff') return t('accDiffTitle', { b: short(m.scenario), c: short(m.compare), m: fmt(m.cutoffs[0]), o });
  return t('accScenarioMeasure', { s: short(key === 'compare' ? m.compare : m.scenario), m: t('accMeasure', { m: fmt(m.cutoffs[0]), o }) });
}

// Draws the current result (fit: move the map to it the first time).
export function drawAccess(fit = false) {
  const a = store.acc;
  if (!a || a.status !== 'done' || !store.mapReady) return;
  const { map } = store;
  ensureLayer();
  const key = state.acc.show;
  const prop = { base: 'b', compare: 'c', diff: 'd' }[key];
  const shown = a.cells.features.filter((f) => f.properties[prop] != null);
  const vals = shown.map((f) => f.properties[prop]);
  const { classes, expr } = classesFor(key, vals);
  map.getSource('acc').setData({ type: 'FeatureCollection', features: shown.map((f) => ({ ...f, properties: { v: f.properties[prop] } })) });
  map.setPaintProperty('acc-fill', 'fill-color', expr);
  setAccessVisible(state.view === 'access');
  a.classes = classes;
  if (fit) {
    const g = a.grid;
    map.fitBounds([[g.west, g.north - g.rows * g.dlat], [g.west + g.cols * g.dlon, g.north]], { padding: 30, duration: 0 });
  }
  renderAccessTexts();
}

// Every text of the result, in the current language.
export function renderAccessTexts() {
  fillAccessControls();
  const a = store.acc;
  const st = $('#acc-status');
  if (!a) { $('#acc-result').hidden = true; return; }
  if (a.status === 'cancelled') st.textContent = t('accCancelled');
  if (a.status !== 'done') { $('#acc-result').hidden = true; return; }
  const j = a.job; const m = j.metadata;
  st.textContent = t('accDone', { n: m.origin_count, s: Number(j.elapsed_s).toFixed(1) });
  $('#acc-result').hidden = false;
  const shows = m.compare ? ['base', 'compare', 'diff'] : ['base'];
  const html = shows.map((k) => {
    const label = k === 'diff' ? t('accShowDiff') : short(k === 'base' ? m.scenario : m.compare);
    return `<button type="button" class="seg-btn" data-show="${k}" aria-pressed="false">${esc(label)}</button>`;
  }).join('');
  // Rebuilt only when the choices change, so a keyboard user keeps focus on the pressed one.
  const seg = $('#acc-show');
  if (seg.dataset.html !== html) { seg.innerHTML = html; seg.dataset.html = html; }
  for (const b of seg.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.show === state.acc.show));
  // Map legend: the classes of the drawn surface.
  const legend = $('#map-legend');
  legend.innerHTML = `<div class="lt">${esc(showTitle(state.acc.show))}</div><div class="rows">`
    + (a.classes || []).map((c) => `<div class="row"><i style="background:${c.colour}"></i><span>${esc(c.label)}</span></div>`).join('')
    + '</div>';
  legend.hidden = state.view !== 'access';
  legend.dataset.kind = 'access';
  renderDistricts();
  renderHistogram();
  const base = (f) => apiUrl(`access/${a.id}/result?f=${f}`);
  $('#acc-dl-csv').href = base('csv');
  $('#acc-dl-csv').setAttribute('download', `access-${a.id}.csv`);
  $('#acc-dl-tiff').href = base('tiff');
  $('#acc-dl-tiff').setAttribute('download', `access-${a.id}.tif`);
  $('#acc-dl-geojson').href = base('geojson');
  $('#acc-dl-geojson').setAttribute('download', `access-${a.id}.geojson`);
  $('#acc-note').textContent = `${m.origin_rule}. ${m.transit_model}. ${m.street_model.description}`;
}

function renderDistricts() {
  const a = store.acc; const m = a.job.metadata;
  const ib = measureIndex('base'); const ic = m.compare ? measureIndex('compare') : -1; const id = m.compare ? measureIndex('diff') : -1;
  const cell = (v, s) => (v == null ? '–' : s ? signed(v) : fmt(v));
  const head = `<tr><th scope="col">${esc(t('accDistrict'))}</th><th scope="col">${esc(t('accCells'))}</th><th scope="col">${esc(short(m.scenario))}</th>`
    + (m.compare ? `<th scope="col">${esc(short(m.compare))}</th><th scope="col">${esc(t('accDiff'))}</th>` : '') + '</tr>';
  const rows = (a.job.districts || []).map((d) => `<tr data-adcode="${esc(d.adcode)}"><th scope="row">${esc(nameOf(d))}</th><td>${d.origins}</td><td>${cell(d.means[ib])}</td>`
    + (m.compare ? `<td>${cell(d.means[ic])}</td><td class="${d.means[id] > 0 ? 'delta-pos' : ''}">${cell(d.means[id], true)}</td>` : '') + '</tr>').join('');
  $('#acc-districts').innerHTML = `<table class="cmp acc-table"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function renderHistogram() {
  const h = store.acc.job.histogram;
  const box = $('#acc-hist');
  if (!h) { box.innerHTML = `<p class="hint">${esc(t('accHistOnlyCompare'))}</p>`; return; }
  const most = Math.max(1, ...h.bins.map((b) => b[2]));
  const rows = h.bins.map(([lo, hi, n]) => `<tr><th scope="row">${esc(t('accHistRange', { a: fmt(lo), b: fmt(hi) }))}</th>`
    + `<td class="hbar"><span style="width:${((100 * n) / most).toFixed(1)}%"></span></td><td>${n}</td></tr>`).join('');
  box.innerHTML = `<p class="acc-hsum">${esc(t('accHistSummary', { g: h.gained, u: h.unchanged, l: h.lost }))}</p>`
    + (h.bins.length ? `<table class="cmp acc-hist"><tbody>${rows}</tbody></table>` : `<p class="hint">${esc(t('accHistNone'))}</p>`);
}

// The value of the drawn surface at a place, from the grid itself (no rendering needed).
export function valueAt(lngLat) {
  const a = store.acc;
  if (!a || a.status !== 'done') return undefined;
  const g = a.grid;
  const col = Math.floor((lngLat.lng - g.west) / g.dlon);
  const row = Math.floor((g.north - lngLat.lat) / g.dlat);
  if (col < 0 || row < 0 || col >= g.cols || row >= g.rows) return undefined;
  const m = measureIndex(state.acc.show);
  return m < 0 ? undefined : g.values[m][row * g.cols + col];
}

function readout(lngLat, key) {
  const a = store.acc;
  const box = $('#acc-readout');
  if (!a || a.status !== 'done') { box.hidden = true; return; }
  const v = valueAt(lngLat);
  const text = v === undefined ? t('accNoCell') : v === null ? t('accUnreached') : state.acc.show === 'diff' ? signed(v) : fmt(v);
  box.textContent = t(key, { v: text });
  box.dataset.value = v == null ? '' : String(v);
  box.hidden = false;
}

