// The basemap and catalog layers: loading the collections, layer toggles, the line legend.
import { $, state, store, KINDS, KIND_ORDER, PLANNED, isPlanned, writeUrl } from '../state.js';
import { t, esc, kindLabel, properName } from '../i18n.js';
import { api, showError } from '../api.js';

function normaliseColour(v, fallback) {
  if (typeof v !== 'string' || !v) return fallback;
  const s = v.trim();
  if (/^[0-9a-fA-F]{6}$/.test(s) || /^[0-9a-fA-F]{3}$/.test(s)) return `#${s}`;
  if (/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s) || /^(rgb|hsl)a?\(/.test(s)) return s;
  return fallback;
}
const plannedProps = (p) => Boolean((p.status && p.status !== 'existing') || (p.scenario && p.scenario !== 'existing'));
function isRailProps(p) {
  const k = String(p.kind || p.route_kind || p.mode || '').toLowerCase();
  return k.includes('rail') || k.includes('intercity') || p.route_type === 2 || p.route_type === '2';
}
function ringCentroid(ring) {
  let a = 0; let x = 0; let y = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    a += f; x += (ring[j][0] + ring[i][0]) * f; y += (ring[j][1] + ring[i][1]) * f;
  }
  return a ? { area: Math.abs(a / 2), c: [x / (3 * a), y / (3 * a)] } : { area: 0, c: ring[0] };
}
function labelPoint(g) {
  if (!g) return null;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let best = null;
  for (const p of polys) { const r = ringCentroid(p[0]); if (!best || r.area > best.area) best = r; }
  return best ? best.c : null;
}
export function circle(lonlat, metres, properties = {}) {
  const pts = [];
  const dLat = metres / 111320;
  const dLon = metres / (111320 * Math.cos((lonlat[1] * Math.PI) / 180));
  for (let i = 0; i <= 64; i += 1) {
    const a = (i / 64) * Math.PI * 2;
    pts.push([lonlat[0] + dLon * Math.cos(a), lonlat[1] + dLat * Math.sin(a)]);
  }
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [pts] }, properties };
}

export async function loadCollections() {
  let ids = null;
  try {
    const { body } = await api('collections');
    ids = new Set((body.collections || []).map((c) => c.id));
  } catch (e) {
    showError(e);
  }
  const want = ['districts', 'population', 'transit_lines', 'metro_stations', 'rail_stations', 'planned_additions', ...Object.keys(KINDS)];
  const got = {};
  await Promise.all(want.filter((id) => !ids || ids.has(id)).map(async (id) => {
    try {
      const { body } = await api(`collections/${encodeURIComponent(id)}/items`, { limit: 10000 });
      got[id] = body.features || [];
    } catch (e) {
      got[id] = [];
      showError(e);
    }
  }));
  return got;
}

export function applyCollections(got) {
  const { map } = store;
  const districts = got.districts || [];
  for (const f of districts) {
    const p = f.properties || {};
    if (p.adcode) store.districtNames.set(String(p.adcode), { zh: p.name_zh, en: p.name_en });
  }
  map.getSource('districts').setData({ type: 'FeatureCollection', features: districts });
  // One label per district, at the centre of its largest part.
  map.getSource('district-points').setData({
    type: 'FeatureCollection',
    features: districts.map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: labelPoint(f.geometry) }, properties: f.properties || {} }))
      .filter((f) => f.geometry.coordinates),
  });

  const lines = [];
  const stations = [];
  const addLine = (f, planned) => {
    const p = { ...(f.properties || {}) };
    p._rail = isRailProps(p);
    p._planned = Boolean(planned || plannedProps(p));
    p._color = normaliseColour(p.colour ?? p.color ?? p.route_color, p._planned ? '#7a4fbf' : (p._rail ? '#5b6470' : '#888888'));
    if (!p.name_zh) p.name_zh = p.short_name || p.name || p.long_name;
    if (!p.name_en) p.name_en = p.long_name || p.name || p.short_name;
    if (!p.id && f.id != null) p.id = String(f.id);
    lines.push({ ...f, properties: p });
    store.lines.set(String(p.id), p);
  };
  const addStation = (f, rail, planned) => {
    const p = { ...(f.properties || {}) };
    p._rail = Boolean(rail || isRailProps(p) || String(p.id || f.id || '').startsWith('rail-'));
    p._planned = Boolean(planned || plannedProps(p));
    p._name_en = properName(p.name_en);
    if (!p.id && f.id != null) p.id = String(f.id);
    // A station served by metro and rail is listed in both collections: keep one, as rail.
    const dup = stations.find((s) => s.properties.id === p.id);
    if (dup) { dup.properties._rail = dup.properties._rail || p._rail; return; }
    stations.push({ ...f, properties: p });
  };
  for (const f of got.transit_lines || []) if (f.geometry) addLine(f, false);
  for (const f of got.metro_stations || []) if (f.geometry) addStation(f, false, false);
  for (const f of got.rail_stations || []) if (f.geometry) addStation(f, true, false);
  for (const f of got.planned_additions || []) {
    if (!f.geometry) continue;
    if (/LineString/.test(f.geometry.type)) addLine(f, true);
    else if (f.geometry.type === 'Point') addStation(f, true, true);
  }
  map.getSource('lines').setData({ type: 'FeatureCollection', features: lines });
  map.getSource('stations').setData({ type: 'FeatureCollection', features: stations });
  store.stations = new Map(stations.map((f) => [String(f.properties.id), f]));

  const feats = [];
  const areas = [];
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (c) => { box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]); box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]); };
  for (const s of stations) if (s.geometry.type === 'Point') grow(s.geometry.coordinates);
  for (const kind of Object.keys(KINDS)) {
    for (const f of got[kind] || []) {
      const id = String(f.id ?? f.properties?.id);
      const p = { ...(f.properties || {}), id, kind: f.properties?.kind || kind };
      const full = { ...f, id, properties: p };
      store.catalog.set(id, full);
      const flat = {};
      for (const [k, v] of Object.entries(p)) if (v === null || typeof v !== 'object') flat[k] = v;
      feats.push({ type: 'Feature', id, geometry: f.geometry, properties: flat });
      if (f.geometry && f.geometry.type === 'Point') {
        grow(f.geometry.coordinates);
        // No boundary is in the data: an area is shown as a circle of the stated size.
        if (p.area_km2 > 0.5) areas.push(circle(f.geometry.coordinates, Math.sqrt((p.area_km2 * 1e6) / Math.PI), { id, kind: p.kind, status: p.status, _color: KINDS[p.kind].color }));
      }
    }
  }
  // The server accepts origins within the data's extent plus 0.05° (README, Architecture).
  if (Number.isFinite(box[0])) store.area = [box[0] - 0.05, box[1] - 0.05, box[2] + 0.05, box[3] + 0.05];
  map.getSource('features').setData({ type: 'FeatureCollection', features: feats });
  map.getSource('areas').setData({ type: 'FeatureCollection', features: areas });
  addPopulation(got.population || []);
  renderKindLegend();
  renderLineLegend();
  applyFilters();
}

// Residents per km² by district: census counts spread uniformly, so one shade per district.
export const POP_BREAKS = [750, 1500, 3000, 5000];
export const POP_COLOURS = ['#fde6cf', '#f7bd8f', '#ee8f5c', '#cf5b3d', '#9c2f26'];
function addPopulation(features) {
  const { map } = store;
  if (!features.length || map.getSource('population')) return;
  map.addSource('population', { type: 'geojson', data: { type: 'FeatureCollection', features } });
  const step = ['step', ['to-number', ['get', 'density_per_km2'], 0], POP_COLOURS[0]];
  POP_BREAKS.forEach((b, i) => step.push(b, POP_COLOURS[i + 1]));
  map.addLayer({ id: 'population-fill', type: 'fill', source: 'population', layout: { visibility: 'none' }, paint: { 'fill-color': step, 'fill-opacity': 0.75 } }, 'district-line');
  store.hasPopulation = true;
}
export function renderPopLegend() {
  const box = $('#pop-legend');
  if (!box) return;
  box.hidden = !state.populationOn || !store.hasPopulation;
  const nf = (n) => n.toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB');
  const labels = POP_COLOURS.map((_, i) => (i === 0 ? `< ${nf(POP_BREAKS[0])}` : i === POP_BREAKS.length ? `≥ ${nf(POP_BREAKS[i - 1])}` : `${nf(POP_BREAKS[i - 1])}–${nf(POP_BREAKS[i])}`));
  box.innerHTML = `<div class="pop-title">${esc(t('popLegend'))}</div>${POP_COLOURS.map((c, i) => `<div class="row" data-band="${i}"><i style="background:${c}"></i>${esc(labels[i])}</div>`).join('')}`;
}

export function renderKindLegend() {
  const box = $('#kind-legend');
  box.innerHTML = `<div class="sub-head">${esc(t('planningFeatures'))}</div>`;
  for (const k of KIND_ORDER) {
    const all = [...store.catalog.values()].filter((f) => f.properties.kind === k);
    const planned = all.filter((f) => isPlanned(f.properties.status)).length;
    const label = document.createElement('label');
    label.className = 'check';
    label.innerHTML = `<input type="checkbox" data-kind="${k}" ${state.kindsOn.has(k) ? 'checked' : ''}>`
      + `<img alt="" src="${store.icons[`${k}-e`] || ''}"><span>${esc(kindLabel(k))}</span>`
      + `<span class="count" data-count="${k}" title="${esc(`${all.length - planned} ${t('existing')} · ${planned} ${t('planned')}`)}">${all.length}</span>`;
    box.appendChild(label);
  }
  box.querySelectorAll('input[data-kind]').forEach((el) => el.addEventListener('change', () => {
    if (el.checked) state.kindsOn.add(el.dataset.kind); else state.kindsOn.delete(el.dataset.kind);
    applyFilters();
    writeUrl();
  }));
}

// Which colour is which line: metro and rail first, then the plan's links (dashed).
export function renderLineLegend() {
  const box = $('#line-legend');
  if (!box) return;
  const all = [...store.lines.values()];
  const order = (p) => (p._planned ? 2 : p._rail ? 1 : 0);
  const num = (p) => Number(String(p.id).replace(/\D+/g, '')) || 99;
  all.sort((a, b) => order(a) - order(b) || num(a) - num(b) || String(a.id).localeCompare(String(b.id)));
  box.innerHTML = `<div class="sub-head">${esc(t('lineLegend'))}</div><ul class="line-list">${all.map((p) => `<li data-line="${esc(p.id)}"><i class="${p._planned ? 'dash' : p._rail ? 'rail' : ''}" style="--c:${esc(p._color)}"></i>${esc(state.lang === 'zh' ? (p.short_name || p.name_zh) : (p.long_name || p.name_en))}</li>`).join('')}</ul>`;
}

function statusFilter() {
  const allowed = [];
  if (state.existingOn) allowed.push('existing');
  if (state.plannedOn) allowed.push(...PLANNED);
  return ['in', ['get', 'status'], ['literal', allowed]];
}
export function applyFilters() {
  const { map } = store;
  if (!store.mapReady) return;
  const kinds = ['in', ['get', 'kind'], ['literal', [...state.kindsOn]]];
  map.setFilter('feat-point', ['all', ['==', ['geometry-type'], 'Point'], kinds, statusFilter()]);
  map.setFilter('feat-line', ['all', ['==', ['geometry-type'], 'LineString'], kinds, statusFilter()]);
  for (const id of ['area-fill', 'area-line']) map.setFilter(id, ['all', kinds, statusFilter()]);
  // Reached rings and minute labels follow the same toggles as the symbols they surround.
  for (const id of ['reached-ring', 'reached-minutes']) map.setFilter(id, ['all', ['==', ['get', 'layer'], 'reached'], kinds, statusFilter()]);
  const vis = (on) => (on ? 'visible' : 'none');
  for (const id of ['line-casing', 'line', 'rail-ties', 'line-label', 'station', 'station-label']) map.setLayoutProperty(id, 'visibility', vis(state.transitOn));
  map.setLayoutProperty('line-planned', 'visibility', vis(state.transitOn && state.plannedOn));
  map.setFilter('station', state.plannedOn ? null : ['!', ['get', '_planned']]);
  map.setFilter('station-label', ['all', ['any', ['get', '_rail'], ['>=', ['zoom'], 12.5]], ...(state.plannedOn ? [] : [['!', ['get', '_planned']]])]);
  for (const id of ['district-fill', 'district-line', 'district-label']) map.setLayoutProperty(id, 'visibility', vis(state.districtsOn));
  if (map.getLayer('population-fill')) map.setLayoutProperty('population-fill', 'visibility', vis(state.populationOn));
  renderPopLegend();
}

export function bindLayerControls() {
  const bind = (sel, key) => {
    const el = $(sel);
    el.checked = state[key];
    el.addEventListener('change', () => { state[key] = el.checked; applyFilters(); writeUrl(); });
  };
  bind('#st-existing', 'existingOn');
  bind('#st-planned', 'plannedOn');
  bind('#bm-transit', 'transitOn');
  bind('#bm-districts', 'districtsOn');
  bind('#bm-population', 'populationOn');
  $('#bm-online').addEventListener('change', (e) => setOnline(e.target.checked));
  $('#layers-toggle').addEventListener('click', () => setLayersOpen($('#layers-toggle').getAttribute('aria-expanded') !== 'true'));
}
export function setLayersOpen(open) {
  $('#layers-toggle').setAttribute('aria-expanded', String(open));
  $('#layers-body').hidden = !open;
}

// Online tiles are added only when asked for, so the default map makes no outside request.
function setOnline(on) {
  const { map } = store;
  state.online = on;
  if (on && !map.getSource('osm')) {
    map.addSource('osm', {
      type: 'raster', tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'], tileSize: 256, maxzoom: 19,
      attribution: '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    });
    map.addLayer({ id: 'osm', type: 'raster', source: 'osm', paint: { 'raster-opacity': 0.75, 'raster-saturation': -0.4 } }, 'district-line');
    map.setPaintProperty('district-fill', 'fill-opacity', 0.15);
  } else if (!on && map.getSource('osm')) {
    map.removeLayer('osm');
    map.removeSource('osm');
    map.setPaintProperty('district-fill', 'fill-opacity', 1);
  }
}
