// The planner's web map: planning features on an offline basemap drawn from the city's own
// data, and reach queries against the cityreach API. Plain ES module, no build step.
import * as maplibregl from './vendor/maplibre-gl.mjs';

// The API lives at the server root; the page is served under /map/.
const API = new URL('../', window.location.href);

const KINDS = {
  commercial: { color: '#e8590c', shape: 'circle', zh: '商业', en: 'Commercial' },
  cultural: { color: '#9c36b5', shape: 'diamond', zh: '文化', en: 'Cultural' },
  transport_hub: { color: '#1c7ed6', shape: 'square', zh: '交通枢纽', en: 'Transport hubs' },
  free_trade_zone: { color: '#2f9e44', shape: 'hexagon', zh: '自贸区', en: 'Free trade zone' },
};
const KIND_ORDER = ['transport_hub', 'commercial', 'cultural', 'free_trade_zone'];
const PLANNED = ['under_construction', 'planned', 'proposed'];
const BAND_RAMP = ['#1b6f6a', '#3f9f7a', '#8cc56b', '#e6dc6a'];
const CMP_BASE = '#2a8c82';
const CMP_GAIN = '#d6336c';
const HOME = { center: [113.70, 34.735], zoom: 10.4 };

const STRINGS = {
  city: ['郑州 · 规划可达性', 'Zhengzhou · planning reach'],
  searchPlaceholder: ['搜索地点：名称、拼音或 经度,纬度', 'Search a place: name, pinyin or lon,lat'],
  origin: ['起点', 'Origin'],
  noOrigin: ['—', '—'],
  clear: ['清除', 'Clear'],
  originHint: ['搜索地点、点击要素，或点击地图任意位置（地图获得焦点时按 Enter 以地图中心为起点）。', 'Search a place, click a feature, or click anywhere on the map (Enter on the focused map uses its centre).'],
  mode: ['方式', 'Mode'],
  mode_transit: ['公共交通', 'Transit'],
  mode_walk: ['步行', 'Walk'],
  mode_bike: ['自行车', 'Bike'],
  mode_drive: ['驾车', 'Drive'],
  minutes: ['时间', 'Minutes'],
  bands: ['分段', 'Bands'],
  band_single: ['单一时段', 'One band'],
  band_5: ['每 5 分钟', 'Every 5 min'],
  band_10: ['每 10 分钟', 'Every 10 min'],
  band_15: ['每 15 分钟', 'Every 15 min'],
  band_30: ['每 30 分钟', 'Every 30 min'],
  scenario: ['情景', 'Scenario'],
  tabReach: ['可达范围', 'Reach'],
  tabCompare: ['规划对比', 'Compare'],
  tabTargets: ['规划目标', 'Plan targets'],
  reachEmpty: ['尚无结果。选择起点以查看可达范围。', 'No reach yet. Choose an origin to see what can be reached.'],
  compareEmpty: ['选择起点，对比规划情景与现状网络。', 'Choose an origin to compare the plan with the existing network.'],
  download: ['下载 GeoJSON', 'Download GeoJSON'],
  layers: ['图层', 'Layers'],
  planningFeatures: ['规划要素', 'Planning features'],
  status: ['状态', 'Status'],
  st_existing: ['现状', 'Existing'],
  st_planned: ['规划、在建、拟建', 'Planned, building, proposed'],
  basemap: ['底图', 'Basemap'],
  bm_transit: ['地铁与铁路', 'Metro and rail'],
  bm_districts: ['行政区', 'Districts'],
  bm_online: ['在线底图 OSM（需联网）', 'Online tiles, OSM (needs internet)'],
  computing: ['正在计算可达范围…', 'Computing reach…'],
  reachedWithin: ['{n} 个要素在 {m} 分钟内可达', '{n} features reached within {m} min'],
  reachedWithin1: ['{n} 个要素在 {m} 分钟内可达', '{n} feature reached within {m} min'],
  area: ['面积', 'area'],
  min: ['分钟', 'min'],
  noneReached: ['此时段内没有可达要素。', 'No features in this band.'],
  bandRange: ['{a}–{b} 分钟', '{a}–{b} min'],
  reachFromHere: ['以此为起点', 'Reach from here'],
  zoomTo: ['缩放至', 'Zoom to'],
  kind: ['类别', 'Kind'],
  statusL: ['状态', 'Status'],
  year: ['年份', 'Year'],
  asOf: ['状态年份', 'Status as of'],
  district: ['行政区', 'District'],
  areaKm2: ['面积', 'Area'],
  aliases: ['别名', 'Aliases'],
  sources: ['来源', 'Sources'],
  position: ['定位', 'Position'],
  accuracy: ['精度', 'Accuracy'],
  anchor: ['参照', 'Anchor'],
  line: ['行', 'line'],
  existing: ['现状', 'existing'],
  under_construction: ['在建', 'under construction'],
  planned: ['规划', 'planned'],
  proposed: ['拟建', 'proposed'],
  pass: ['达标', 'pass'],
  fail: ['未达标', 'fail'],
  unreached: ['不可达', 'unreached'],
  not_evaluable: ['无法评估', 'not evaluable'],
  target: ['目标', 'target'],
  computed: ['计算', 'computed'],
  assumptions: ['假设', 'Assumptions'],
  showReach: ['查看可达范围', 'Show reach'],
  targetsFor: ['情景“{s}”下的规划目标', 'Plan targets under “{s}”'],
  noTargets: ['没有规划目标。', 'No plan targets.'],
  cmpIntro: ['从 {o} 出发，{mode}，{m} 分钟：{plan} 相对于 {base}。', 'From {o}, {mode}, {m} min: {plan} against {base}.'],
  cmpBase: ['现状可达', 'reached today'],
  cmpGain: ['规划新增', 'added by the plan'],
  band: ['时段', 'Band'],
  delta: ['变化', 'Change'],
  features: ['要素', 'Features'],
  onlyPlan: ['仅在规划情景中可达（{n}）', 'Reached only with the plan ({n})'],
  faster: ['规划情景下更快（{n}）', 'Faster with the plan ({n})'],
  nothingAdded: ['规划没有在此时间内增加可达要素。', 'The plan adds no reached features within this time.'],
  streetModel: ['街道模型', 'Street model'],
  noMatch: ['未找到“{q}”。', 'No place matches “{q}”.'],
  didYouMean: ['您是否要找：', 'Did you mean:'],
  networkError: ['无法连接服务器', 'Cannot reach the server'],
  origin_point: ['地图上的点', 'Point on the map'],
  dlCompare: ['下载两种情景 GeoJSON', 'Download both as GeoJSON'],
  legendReach: ['可达时间', 'Travel time'],
  legendCompare: ['规划对比', 'Plan comparison'],
  sameScenario: ['请选择一个规划情景以对比现状。', 'Choose a plan scenario to compare with the existing network.'],
};

const $ = (sel) => document.querySelector(sel);
const state = {
  lang: navigator.language && navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en',
  origin: null, // {query, label, lonlat}
  mode: 'transit',
  minutes: 30,
  step: 10,
  scenario: 'existing',
  view: 'reach',
  kindsOn: new Set(Object.keys(KINDS)),
  existingOn: true,
  plannedOn: true,
  transitOn: true,
  districtsOn: true,
  online: false,
};
const catalog = new Map(); // id -> GeoJSON feature, the catalog's own record
const districtNames = new Map(); // adcode -> {zh, en}
let scenarios = [];
let lastReach = null;
let lastReachUrl = null;
let lastCompare = null;
let targetsCache = new Map();
let reachSeq = 0;
let reachAbort = null;
let pending = 0;
let mapReady = false;

function t(key, vars) {
  const pair = STRINGS[key];
  let s = pair ? pair[state.lang === 'zh' ? 0 : 1] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}
function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function nameOf(p) {
  if (!p) return '';
  return state.lang === 'zh'
    ? (p.name_zh || p.name_en || p.name || p.id || '')
    : (p.name_en || p.name_pinyin || p.name_zh || p.name || p.id || '');
}
function altNameOf(p) {
  if (!p) return '';
  const other = state.lang === 'zh' ? p.name_en : p.name_zh;
  return other && other !== nameOf(p) ? other : '';
}
function fmtMin(m) {
  if (m == null || Number.isNaN(Number(m))) return '–';
  const n = Number(m);
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
function kindLabel(k) { return KINDS[k] ? KINDS[k][state.lang] : (k || ''); }
function statusLabel(s) { return STRINGS[s] ? t(s) : (s || ''); }
function isPlanned(status) { return PLANNED.includes(status); }

// ---------- loading and errors ----------
function busy(delta) {
  pending = Math.max(0, pending + delta);
  $('#progress').hidden = pending === 0;
}
function showError(err) {
  const box = $('#error');
  if (!err) { box.hidden = true; box.textContent = ''; return; }
  box.innerHTML = err.code ? `<code>${esc(err.code)}</code>${esc(err.description)}` : esc(err.description || String(err));
  box.hidden = false;
}
class ApiError extends Error {
  constructor(code, description, status) { super(description); this.code = code; this.description = description; this.status = status; }
}
async function api(path, params, signal) {
  const url = new URL(path, API);
  if (params) for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, v);
  busy(1);
  try {
    let res;
    try {
      res = await fetch(url, { headers: { Accept: 'application/geo+json, application/json' }, signal });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError('NetworkError', `${t('networkError')} (${url.pathname})`, 0);
    }
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!res.ok) {
      const code = body && body.code ? body.code : `HTTP ${res.status}`;
      const description = body && body.description ? body.description : (text || res.statusText).slice(0, 300);
      throw new ApiError(code, description, res.status);
    }
    if (body === null) throw new ApiError('InvalidResponse', `${url.pathname}: not JSON`, res.status);
    return { body, url: url.toString() };
  } finally {
    busy(-1);
  }
}

// ---------- URL state ----------
function readUrl() {
  const q = new URLSearchParams(window.location.search);
  if (q.get('lang') === 'zh' || q.get('lang') === 'en') state.lang = q.get('lang');
  if (['walk', 'bike', 'drive', 'transit'].includes(q.get('mode'))) state.mode = q.get('mode');
  const m = Number(q.get('minutes'));
  if (m >= 5 && m <= 180) state.minutes = Math.round(m);
  const st = Number(q.get('step'));
  if (q.has('step') && [0, 5, 10, 15, 30].includes(st)) state.step = st;
  if (q.get('scenario')) state.scenario = q.get('scenario');
  if (['reach', 'compare', 'targets'].includes(q.get('view'))) state.view = q.get('view');
  if (q.get('from')) state.origin = { query: q.get('from'), label: q.get('label') || q.get('from') };
  if (q.has('hide')) {
    for (const h of q.get('hide').split(',')) {
      if (KINDS[h]) state.kindsOn.delete(h);
      if (h === 'existing') state.existingOn = false;
      if (h === 'planned') state.plannedOn = false;
      if (h === 'transit') state.transitOn = false;
      if (h === 'districts') state.districtsOn = false;
    }
  }
  const view = (q.get('map') || '').split('/').map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) return { zoom: view[0], center: [view[2], view[1]] };
  return null;
}
let urlTimer = 0;
function writeUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const q = new URLSearchParams();
    if (state.origin) { q.set('from', state.origin.query); if (state.origin.label && state.origin.label !== state.origin.query) q.set('label', state.origin.label); }
    q.set('mode', state.mode);
    q.set('minutes', state.minutes);
    q.set('step', state.step);
    q.set('scenario', state.scenario);
    if (state.view !== 'reach') q.set('view', state.view);
    q.set('lang', state.lang);
    const hide = [...Object.keys(KINDS).filter((k) => !state.kindsOn.has(k))];
    if (!state.existingOn) hide.push('existing');
    if (!state.plannedOn) hide.push('planned');
    if (!state.transitOn) hide.push('transit');
    if (!state.districtsOn) hide.push('districts');
    if (hide.length) q.set('hide', hide.join(','));
    if (map) {
      const c = map.getCenter();
      q.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    }
    const url = `${window.location.pathname}?${q.toString().replaceAll('%2C', ',').replaceAll('%2F', '/')}`;
    window.history.replaceState(null, '', url);
  }, 150);
}

// ---------- map ----------
const empty = () => ({ type: 'FeatureCollection', features: [] });
const labelExpr = () => (state.lang === 'zh'
  ? ['coalesce', ['get', 'name_zh'], ['get', 'name_en'], '']
  : ['coalesce', ['get', 'name_en'], ['get', 'name_pinyin'], ['get', 'name_zh'], '']);
const halo = { 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.4 };

function style() {
  return {
    version: 8,
    // No glyphs URL: MapLibre draws all labels, Chinese and Latin, with local fonts.
    sources: {
      districts: { type: 'geojson', data: empty() },
      'district-points': { type: 'geojson', data: empty() },
      lines: { type: 'geojson', data: empty() },
      stations: { type: 'geojson', data: empty() },
      features: { type: 'geojson', data: empty(), promoteId: 'id' },
      accuracy: { type: 'geojson', data: empty() },
      reach: { type: 'geojson', data: empty() },
      cmp: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#e9ebe6' } },
      { id: 'district-fill', type: 'fill', source: 'districts', paint: { 'fill-color': ['match', ['%', ['to-number', ['get', 'adcode'], 0], 3], 0, '#f6f4ee', 1, '#f2f1ea', '#f4f2ec'], 'fill-opacity': 1 } },
      { id: 'district-line', type: 'line', source: 'districts', paint: { 'line-color': '#a8a292', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 13, 1.8], 'line-dasharray': [3, 2] } },
      { id: 'band-fill', type: 'fill', source: 'reach', filter: ['==', ['get', 'layer'], 'band'], paint: { 'fill-color': ['get', '_color'], 'fill-opacity': 0.42 } },
      { id: 'band-line', type: 'line', source: 'reach', filter: ['==', ['get', 'layer'], 'band'], paint: { 'line-color': ['get', '_color'], 'line-width': 1.2, 'line-opacity': 0.9 } },
      { id: 'cmp-plan-fill', type: 'fill', source: 'cmp', filter: ['==', ['get', '_side'], 'plan'], paint: { 'fill-color': CMP_GAIN, 'fill-opacity': 0.38 } },
      { id: 'cmp-base-fill', type: 'fill', source: 'cmp', filter: ['==', ['get', '_side'], 'base'], paint: { 'fill-color': CMP_BASE, 'fill-opacity': 0.62 } },
      { id: 'cmp-plan-line', type: 'line', source: 'cmp', filter: ['==', ['get', '_side'], 'plan'], paint: { 'line-color': CMP_GAIN, 'line-width': 1.4 } },
      { id: 'line-casing', type: 'line', source: 'lines', layout: { 'line-join': 'round', 'line-cap': 'round' }, filter: ['!', ['get', '_planned']], paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 2.5, 14, 7] } },
      { id: 'line', type: 'line', source: 'lines', layout: { 'line-join': 'round', 'line-cap': 'round' }, filter: ['!', ['get', '_planned']], paint: { 'line-color': ['get', '_color'], 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.4, 14, 4.5] } },
      { id: 'rail-ties', type: 'line', source: 'lines', filter: ['all', ['!', ['get', '_planned']], ['==', ['get', '_rail'], true]], paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 0.7, 14, 2], 'line-dasharray': [3, 3] } },
      { id: 'line-planned', type: 'line', source: 'lines', filter: ['get', '_planned'], paint: { 'line-color': ['get', '_color'], 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.6, 14, 4], 'line-dasharray': [2, 1.5] } },
      { id: 'line-label', type: 'symbol', source: 'lines', minzoom: 11.5, layout: { 'symbol-placement': 'line', 'text-field': labelExpr(), 'text-size': 11, 'symbol-spacing': 380 }, paint: { 'text-color': ['get', '_color'], ...halo } },
      { id: 'station', type: 'circle', source: 'stations', paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, ['case', ['get', '_rail'], 3, 1.2], 14, ['case', ['get', '_rail'], 7, 5]], 'circle-color': '#ffffff', 'circle-stroke-color': ['case', ['get', '_planned'], '#7a4fbf', '#39424e'], 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 9, 0.8, 14, 1.6] } },
      { id: 'feat-line', type: 'line', source: 'features', filter: ['==', ['geometry-type'], 'LineString'], layout: { 'line-cap': 'round' }, paint: { 'line-color': ['match', ['get', 'kind'], ...Object.entries(KINDS).flatMap(([k, v]) => [k, v.color]), '#666'], 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 3, 15, 8], 'line-opacity': 0.85 } },
      { id: 'accuracy-fill', type: 'fill', source: 'accuracy', paint: { 'fill-color': '#17324d', 'fill-opacity': 0.07 } },
      { id: 'accuracy-line', type: 'line', source: 'accuracy', paint: { 'line-color': '#17324d', 'line-width': 1.2, 'line-dasharray': [2, 2] } },
      { id: 'reached-ring', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'reached'], paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 8, 14, 13], 'circle-color': 'rgba(255,255,255,0)', 'circle-stroke-color': '#17324d', 'circle-stroke-width': 2.2 } },
      { id: 'district-label', type: 'symbol', source: 'district-points', maxzoom: 13, layout: { 'text-field': labelExpr(), 'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 12, 15], 'text-letter-spacing': 0.08, 'text-padding': 4 }, paint: { 'text-color': '#8a8474', ...halo } },
      { id: 'station-label', type: 'symbol', source: 'stations', minzoom: 10.5, filter: ['any', ['get', '_rail'], ['>=', ['zoom'], 12.5]], layout: { 'text-field': labelExpr(), 'text-size': ['case', ['get', '_rail'], 12, 10.5], 'text-anchor': 'left', 'text-offset': [0.7, 0], 'text-optional': true, 'text-padding': 2 }, paint: { 'text-color': '#39424e', ...halo } },
      {
        id: 'feat-point', type: 'symbol', source: 'features', filter: ['==', ['geometry-type'], 'Point'],
        layout: {
          'icon-image': ['concat', ['get', 'kind'], ['case', ['==', ['get', 'status'], 'existing'], '-e', '-p']],
          'icon-size': ['interpolate', ['linear'], ['zoom'], 9, 0.75, 14, 1.1],
          'icon-allow-overlap': true,
          'symbol-sort-key': ['match', ['get', 'kind'], 'transport_hub', 0, 'free_trade_zone', 1, 'commercial', 2, 3],
          'text-field': ['step', ['zoom'], ['case', ['==', ['get', 'kind'], 'transport_hub'], labelExpr(), ''], 11.3, labelExpr()],
          'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 14, 13],
          'text-anchor': 'top', 'text-offset': [0, 0.9], 'text-optional': true, 'text-max-width': 9,
        },
        paint: { 'text-color': ['match', ['get', 'kind'], ...Object.entries(KINDS).flatMap(([k, v]) => [k, v.color]), '#333'], ...halo },
      },
      { id: 'reached-minutes', type: 'symbol', source: 'reach', filter: ['==', ['get', 'layer'], 'reached'], layout: { 'text-field': ['concat', ['get', '_min'], '′'], 'text-size': 11, 'text-anchor': 'bottom-left', 'text-offset': [0.7, -0.5], 'text-padding': 1 }, paint: { 'text-color': '#ffffff', 'text-halo-color': '#17324d', 'text-halo-width': 2.2 } },
      { id: 'origin-halo', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'origin'], paint: { 'circle-radius': 12, 'circle-color': '#17324d', 'circle-opacity': 0.18 } },
      { id: 'origin', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'origin'], paint: { 'circle-radius': 6.5, 'circle-color': '#17324d', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2.5 } },
    ],
  };
}

// Point symbols are drawn here rather than loaded, so the page needs no sprite file.
function makeIcon(kind, solid) {
  const px = 2; const size = 20 * px; const c = document.createElement('canvas');
  c.width = size; c.height = size;
  const g = c.getContext('2d');
  const color = KINDS[kind].color; const r = 6.5 * px; const m = size / 2;
  g.beginPath();
  switch (KINDS[kind].shape) {
    case 'circle': g.arc(m, m, r, 0, Math.PI * 2); break;
    case 'diamond': g.moveTo(m, m - r * 1.25); g.lineTo(m + r * 1.25, m); g.lineTo(m, m + r * 1.25); g.lineTo(m - r * 1.25, m); break;
    case 'square': g.rect(m - r, m - r, 2 * r, 2 * r); break;
    default: for (let i = 0; i < 6; i += 1) { const a = Math.PI / 6 + (i * Math.PI) / 3; g[i ? 'lineTo' : 'moveTo'](m + r * 1.12 * Math.cos(a), m + r * 1.12 * Math.sin(a)); }
  }
  g.closePath();
  if (solid) {
    g.fillStyle = color; g.fill();
    g.lineWidth = 1.6 * px; g.strokeStyle = '#ffffff'; g.stroke();
  } else {
    g.fillStyle = '#ffffff'; g.fill();
    g.setLineDash([2.2 * px, 1.4 * px]); g.lineWidth = 2 * px; g.strokeStyle = color; g.stroke();
  }
  return { canvas: c, image: g.getImageData(0, 0, size, size) };
}

let map = null;
const initialView = readUrl();
map = new maplibregl.Map({
  container: 'map',
  style: style(),
  center: initialView ? initialView.center : HOME.center,
  zoom: initialView ? initialView.zoom : HOME.zoom,
  minZoom: 7.5,
  maxZoom: 17,
  maxBounds: [[111.9, 33.9], [115.0, 35.4]],
  attributionControl: false,
  dragRotate: false,
  pitchWithRotate: false,
  touchPitch: false,
});
map.touchZoomRotate.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'District outlines: DataV GeoAtlas, converted to WGS-84 · cityreach' }), 'bottom-right');

// ---------- data ----------
function normaliseColour(v, fallback) {
  if (typeof v !== 'string' || !v) return fallback;
  const s = v.trim();
  if (/^[0-9a-fA-F]{6}$/.test(s) || /^[0-9a-fA-F]{3}$/.test(s)) return `#${s}`;
  if (/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s) || /^(rgb|hsl)a?\(/.test(s)) return s;
  return fallback;
}
function plannedProps(p) {
  return Boolean((p.status && p.status !== 'existing') || (p.scenario && p.scenario !== 'existing'));
}
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

async function loadCollections() {
  let ids = null;
  try {
    const { body } = await api('collections');
    ids = new Set((body.collections || []).map((c) => c.id));
  } catch (e) {
    showError(e);
  }
  const want = ['districts', 'transit_lines', 'metro_stations', 'rail_stations', 'planned_additions', ...Object.keys(KINDS)];
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

function applyCollections(got) {
  const districts = got.districts || [];
  for (const f of districts) {
    const p = f.properties || {};
    if (p.adcode) districtNames.set(String(p.adcode), { zh: p.name_zh, en: p.name_en });
  }
  map.getSource('districts').setData({ type: 'FeatureCollection', features: districts });
  // One label per district, at the centre of its largest part (a MultiPolygon would get one per part).
  map.getSource('district-points').setData({
    type: 'FeatureCollection',
    features: districts.map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: labelPoint(f.geometry) }, properties: f.properties || {} }))
      .filter((f) => f.geometry.coordinates),
  });

  const lines = [];
  const stations = [];
  const addLine = (f, planned) => {
    const p = { ...(f.properties || {}) };
    const rail = isRailProps(p);
    p._rail = rail;
    p._planned = Boolean(planned || plannedProps(p));
    p._color = normaliseColour(p.colour ?? p.color ?? p.route_color, p._planned ? '#7a4fbf' : (rail ? '#5b6470' : '#888888'));
    if (!p.name_zh) p.name_zh = p.short_name || p.name || p.long_name;
    if (!p.name_en) p.name_en = p.long_name || p.name || p.short_name;
    if (!p.id && f.id != null) p.id = String(f.id);
    lines.push({ ...f, properties: p });
  };
  const addStation = (f, rail, planned) => {
    const p = { ...(f.properties || {}) };
    p._rail = Boolean(rail || isRailProps(p) || String(p.id || f.id || '').startsWith('rail-'));
    p._planned = Boolean(planned || plannedProps(p));
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

  const feats = [];
  for (const kind of Object.keys(KINDS)) {
    for (const f of got[kind] || []) {
      const id = String(f.id ?? f.properties?.id);
      const p = { ...(f.properties || {}), id, kind: f.properties?.kind || kind };
      const full = { ...f, id, properties: p };
      catalog.set(id, full);
      // Nested values are flattened for the map; popups read the catalog record.
      const flat = {};
      for (const [k, v] of Object.entries(p)) if (v === null || typeof v !== 'object') flat[k] = v;
      feats.push({ type: 'Feature', id, geometry: f.geometry, properties: flat });
    }
  }
  map.getSource('features').setData({ type: 'FeatureCollection', features: feats });
  renderKindLegend();
  applyFilters();
}

// ---------- layer controls ----------
function renderKindLegend() {
  const box = $('#kind-legend');
  box.innerHTML = `<div class="sub-head">${esc(t('planningFeatures'))}</div>`;
  for (const k of KIND_ORDER) {
    const all = [...catalog.values()].filter((f) => f.properties.kind === k);
    const planned = all.filter((f) => isPlanned(f.properties.status)).length;
    const label = document.createElement('label');
    label.className = 'check';
    label.innerHTML = `<input type="checkbox" data-kind="${k}" ${state.kindsOn.has(k) ? 'checked' : ''}>`
      + `<img alt="" src="${icons[`${k}-e`] || ''}"><span>${esc(kindLabel(k))}</span>`
      + `<span class="count" data-count="${k}" title="${esc(`${all.length - planned} ${t('existing')} · ${planned} ${t('planned')}`)}">${all.length}</span>`;
    box.appendChild(label);
  }
  box.querySelectorAll('input[data-kind]').forEach((el) => el.addEventListener('change', () => {
    if (el.checked) state.kindsOn.add(el.dataset.kind); else state.kindsOn.delete(el.dataset.kind);
    applyFilters();
    writeUrl();
  }));
}
function statusFilter() {
  const allowed = [];
  if (state.existingOn) allowed.push('existing');
  if (state.plannedOn) allowed.push(...PLANNED);
  return ['in', ['get', 'status'], ['literal', allowed]];
}
function applyFilters() {
  if (!mapReady) return;
  const kinds = ['in', ['get', 'kind'], ['literal', [...state.kindsOn]]];
  map.setFilter('feat-point', ['all', ['==', ['geometry-type'], 'Point'], kinds, statusFilter()]);
  map.setFilter('feat-line', ['all', ['==', ['geometry-type'], 'LineString'], kinds, statusFilter()]);
  const vis = (on) => (on ? 'visible' : 'none');
  for (const id of ['line-casing', 'line', 'rail-ties', 'line-label', 'station', 'station-label']) map.setLayoutProperty(id, 'visibility', vis(state.transitOn));
  map.setLayoutProperty('line-planned', 'visibility', vis(state.transitOn && state.plannedOn));
  const stationFilter = state.plannedOn ? true : ['!', ['get', '_planned']];
  map.setFilter('station', stationFilter === true ? null : stationFilter);
  map.setFilter('station-label', ['all', ['any', ['get', '_rail'], ['>=', ['zoom'], 12.5]], ...(state.plannedOn ? [] : [['!', ['get', '_planned']]])]);
  for (const id of ['district-fill', 'district-line', 'district-label']) map.setLayoutProperty(id, 'visibility', vis(state.districtsOn));
}
function bindLayerControls() {
  const bind = (sel, key) => {
    const el = $(sel);
    el.checked = state[key];
    el.addEventListener('change', () => { state[key] = el.checked; applyFilters(); writeUrl(); });
  };
  bind('#st-existing', 'existingOn');
  bind('#st-planned', 'plannedOn');
  bind('#bm-transit', 'transitOn');
  bind('#bm-districts', 'districtsOn');
  $('#bm-online').addEventListener('change', (e) => setOnline(e.target.checked));
  $('#layers-toggle').addEventListener('click', () => {
    const open = $('#layers-toggle').getAttribute('aria-expanded') !== 'true';
    $('#layers-toggle').setAttribute('aria-expanded', String(open));
    $('#layers-body').hidden = !open;
  });
}
// Online tiles are added only when asked for, so the default map makes no outside request.
function setOnline(on) {
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

// ---------- popups ----------
const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'tip', offset: 12, maxWidth: '280px' });
const detail = new maplibregl.Popup({ closeButton: true, closeOnClick: true, offset: 12, maxWidth: '340px', focusAfterOpen: false });
const INTERACTIVE = ['feat-point', 'feat-line', 'reached-ring', 'station', 'origin', 'line-planned', 'line'];

function featureAt(point) {
  const layers = INTERACTIVE.filter((id) => map.getLayer(id));
  const box = [[point.x - 3, point.y - 3], [point.x + 3, point.y + 3]];
  const hits = map.queryRenderedFeatures(box, { layers });
  for (const id of INTERACTIVE) { const h = hits.find((x) => x.layer.id === id); if (h) return h; }
  return null;
}
function bandAt(point) {
  const layer = state.view === 'compare' ? ['cmp-plan-fill'] : ['band-fill'];
  return map.queryRenderedFeatures(point, { layers: layer })[0] || null;
}
function tipHtml(h) {
  const p = h.properties;
  if (h.layer.id === 'station') return `<b>${esc(nameOf(p))}</b> <span class="badge">${p._rail ? (state.lang === 'zh' ? '铁路车站' : 'rail station') : (state.lang === 'zh' ? '地铁站' : 'metro station')}</span>${p._planned ? ` <span class="badge planned">${esc(t('planned'))}</span>` : ''}`;
  if (h.layer.id === 'line' || h.layer.id === 'line-planned') {
    return `<span style="display:inline-block;width:10px;height:4px;background:${esc(p._color)};vertical-align:middle;margin-right:5px"></span><b>${esc(nameOf(p))}</b>`
      + `${p._planned ? ` <span class="badge planned">${esc(scenarioName(p.scenario) || t('planned'))}</span>` : ''}`
      + `${p.from && p.to ? `<br>${esc(p.from)} – ${esc(p.to)}` : ''}${p.headway_minutes ? ` · ${esc(state.lang === 'zh' ? '发车间隔' : 'every')} ${esc(p.headway_minutes)} min` : ''}`;
  }
  if (h.layer.id === 'origin') return `<b>${esc(t('origin'))}</b>: ${esc(state.origin ? state.origin.label : p.name)}`;
  const rec = catalog.get(String(p.id));
  const q = rec ? rec.properties : p;
  let s = `<b>${esc(nameOf(q))}</b>`;
  const alt = altNameOf(q);
  if (alt) s += ` <span style="color:#7b8594">${esc(alt)}</span>`;
  s += `<br>${esc(kindLabel(q.kind))} · <span class="badge ${esc(q.status)}">${esc(statusLabel(q.status))}</span>`;
  const r = reachedById(q.id);
  if (r) s += ` · <b>${fmtMin(r.properties.minutes)} ${esc(t('min'))}</b>`;
  return s;
}
function reachedById(id) {
  if (!lastReach || state.view === 'compare') return null;
  return lastReach.features.find((f) => f.properties.layer === 'reached' && String(f.properties.id) === String(id)) || null;
}
function detailHtml(rec) {
  const p = rec.properties;
  const k = KINDS[p.kind];
  const rows = [];
  const row = (label, value) => { if (value !== null && value !== undefined && value !== '') rows.push(`<dt>${esc(label)}</dt><dd>${value}</dd>`); };
  row(t('statusL'), `<span class="badge ${esc(p.status)}">${esc(statusLabel(p.status))}</span>${p.year ? ` ${esc(p.year)}` : ''}`);
  row(t('asOf'), esc(p.status_as_of));
  const d = p.district ? districtNames.get(String(p.district)) : null;
  row(t('district'), d ? esc(state.lang === 'zh' ? d.zh : d.en) : esc(p.district));
  if (p.area_km2 != null) row(t('areaKm2'), `${esc(p.area_km2)} km²`);
  if (Array.isArray(p.aliases) && p.aliases.length) row(t('aliases'), esc(p.aliases.join('、')));
  if (Array.isArray(p.sources) && p.sources.length) row(t('sources'), p.sources.map((s) => `<code>${esc(s.doc)}</code> ${esc(t('line'))} ${esc(s.line)}`).join('<br>'));
  if (p.position) {
    row(t('position'), esc(p.position.method));
    row(t('accuracy'), p.position.accuracy_m != null ? `± ${esc(Math.round(p.position.accuracy_m))} m` : '');
    row(t('anchor'), esc(p.position.anchor));
  }
  const r = reachedById(p.id);
  if (r) row(state.lang === 'zh' ? '可达' : 'Reached', `<b>${fmtMin(r.properties.minutes)} ${esc(t('min'))}</b><br><span style="color:#7b8594">${esc(r.properties.legs_text || '')}</span>`);
  const alt = altNameOf(p);
  return `<div class="pp">
    <div class="pp-title">${esc(nameOf(p))}</div>
    ${alt ? `<div class="pp-sub">${esc(alt)}${p.name_pinyin && state.lang === 'zh' ? '' : ''}</div>` : ''}
    <div class="pp-kind"><span class="dot" style="background:${k ? k.color : '#888'}"></span>${esc(kindLabel(p.kind))}${p.subkind ? ` · ${esc(String(p.subkind).replaceAll('_', ' '))}` : ''}</div>
    <dl>${rows.join('')}</dl>
    ${p.note ? `<div class="note">${esc(p.note)}</div>` : ''}
    <div class="actions"><button type="button" class="btn small primary" data-reach-from="${esc(p.id)}">${esc(t('reachFromHere'))}</button></div>
    <div style="color:#9aa3ae;font-size:11px;margin-top:4px">${esc(p.id)}</div>
  </div>`;
}
function stationHtml(p, lonlat) {
  return `<div class="pp"><div class="pp-title">${esc(nameOf(p))}</div>${altNameOf(p) ? `<div class="pp-sub">${esc(altNameOf(p))}</div>` : ''}
    <div class="pp-kind">${p._rail ? (state.lang === 'zh' ? '铁路车站' : 'Rail station') : (state.lang === 'zh' ? '地铁站' : 'Metro station')}${p._planned ? ` <span class="badge planned">${esc(t('planned'))}</span>` : ''}</div>
    <dl><dt>id</dt><dd>${esc(p.id || '')}</dd><dt>lon, lat</dt><dd>${lonlat.map((v) => v.toFixed(5)).join(', ')}</dd></dl>
    <div class="actions"><button type="button" class="btn small primary" data-reach-station="1">${esc(t('reachFromHere'))}</button></div></div>`;
}
function linkHtml(p) {
  const rows = [];
  const row = (k, v) => { if (v != null && v !== '') rows.push(`<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`); };
  row(t('scenario'), scenarioName(p.scenario));
  row(state.lang === 'zh' ? '线路长度' : 'Track', p.track_km != null ? `${p.track_km} km` : '');
  row(state.lang === 'zh' ? '平均速度' : 'Speed', p.average_speed_kmh != null ? `${p.average_speed_kmh} km/h` : '');
  row(state.lang === 'zh' ? '发车间隔' : 'Headway', p.headway_min != null ? `${p.headway_min} min` : '');
  row(state.lang === 'zh' ? '停站' : 'Dwell', p.dwell_s != null ? `${p.dwell_s} s` : '');
  row(t('sources'), p.source);
  return `<div class="pp"><div class="pp-title">${esc(nameOf(p))}</div>${altNameOf(p) ? `<div class="pp-sub">${esc(altNameOf(p))}</div>` : ''}
    <div class="pp-kind"><span class="dot" style="background:${esc(p._color)}"></span><span class="badge planned">${esc(t('planned'))}</span></div>
    <dl>${rows.join('')}</dl>${p.alignment ? `<div class="note">${esc(p.alignment)}</div>` : ''}</div>`;
}
function accuracyCircle(lonlat, metres) {
  const pts = [];
  const dLat = metres / 111320;
  const dLon = metres / (111320 * Math.cos((lonlat[1] * Math.PI) / 180));
  for (let i = 0; i <= 64; i += 1) {
    const a = (i / 64) * Math.PI * 2;
    pts.push([lonlat[0] + dLon * Math.cos(a), lonlat[1] + dLat * Math.sin(a)]);
  }
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [pts] }, properties: {} };
}
function showAccuracy(rec) {
  const acc = rec && rec.properties.position && rec.properties.position.accuracy_m;
  if (!acc || !rec.geometry || rec.geometry.type !== 'Point') { map.getSource('accuracy').setData(empty()); return; }
  map.getSource('accuracy').setData({ type: 'FeatureCollection', features: [accuracyCircle(rec.geometry.coordinates, acc)] });
}
function openDetail(id, lngLat) {
  const rec = catalog.get(String(id));
  if (!rec) return;
  const at = lngLat || (rec.geometry.type === 'Point' ? rec.geometry.coordinates : rec.geometry.coordinates[0]);
  detail.setLngLat(at).setHTML(detailHtml(rec)).addTo(map);
  showAccuracy(rec);
}
detail.on('close', () => { if (map.getSource('accuracy')) map.getSource('accuracy').setData(empty()); });

// ---------- reach ----------
function bandsList() {
  if (!state.step || state.step >= state.minutes) return null;
  const out = [];
  for (let m = state.step; m < state.minutes; m += state.step) out.push(m);
  out.push(state.minutes);
  return out;
}
function reachParams(scenario) {
  const p = { from: state.origin.query, mode: state.mode, scenario: scenario || state.scenario };
  const b = bandsList();
  if (b) p.bands = b.join(','); else p.minutes = state.minutes;
  return p;
}
function rampColour(frac) {
  const f = Math.max(0, Math.min(1, frac)) * (BAND_RAMP.length - 1);
  const i = Math.min(BAND_RAMP.length - 2, Math.floor(f));
  const a = BAND_RAMP[i]; const b = BAND_RAMP[i + 1]; const u = f - i;
  const ch = (hex, k) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  const mix = [0, 1, 2].map((k) => Math.round(ch(a, k) + (ch(b, k) - ch(a, k)) * u));
  return `#${mix.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
function bandColour(maxMin, budget, count) {
  if (count <= 1) return BAND_RAMP[1];
  return rampColour(maxMin / budget);
}
function budgetOf(fc) {
  const bands = fc.features.filter((f) => f.properties.layer === 'band').map((f) => Number(f.properties.max_minutes));
  return Math.max(state.minutes, ...bands.filter(Number.isFinite));
}

function setOrigin(query, label, lonlat) {
  state.origin = { query: String(query), label: label || String(query), lonlat };
  $('#origin-name').textContent = state.origin.label;
  $('#origin-name').title = state.origin.query;
  $('#clear-origin').hidden = false;
  writeUrl();
  run();
}
function clearOrigin() {
  state.origin = null;
  if (reachAbort) reachAbort.abort();
  lastReach = null; lastCompare = null;
  map.getSource('reach').setData(empty());
  map.getSource('cmp').setData(empty());
  $('#origin-name').textContent = '—';
  $('#clear-origin').hidden = true;
  $('#reach-result').hidden = true; $('#reach-empty').hidden = false;
  $('#compare-result').hidden = true; $('#compare-empty').hidden = false;
  $('#street-note').hidden = true; $('#map-legend').hidden = true;
  showError(null);
  writeUrl();
}
function run() {
  if (!state.origin) return;
  if (state.view === 'compare') runCompare(); else runReach();
}
function setBusy(on) { $('#busy').hidden = !on; document.documentElement.dataset.reachState = on ? 'loading' : document.documentElement.dataset.reachState; }

async function runReach() {
  const seq = ++reachSeq;
  if (reachAbort) reachAbort.abort();
  reachAbort = new AbortController();
  setBusy(true);
  try {
    const { body, url } = await api('reach', reachParams(), reachAbort.signal);
    if (seq !== reachSeq) return;
    lastReach = body; lastReachUrl = url;
    showError(null);
    drawReach(true);
    document.documentElement.dataset.reachState = 'done';
  } catch (e) {
    if (e.name === 'AbortError') return;
    if (seq !== reachSeq) return;
    showError(e);
    document.documentElement.dataset.reachState = 'error';
  } finally {
    if (seq === reachSeq) $('#busy').hidden = true;
  }
}

function originFromResponse(fc) {
  const o = fc.metadata && Array.isArray(fc.metadata.origins) && fc.metadata.origins[0];
  if (o && state.origin) {
    const rec = o.id ? catalog.get(String(o.id)) : null;
    if (rec) state.origin.label = nameOf(rec.properties);
    else if (o.name && !/^-?\d/.test(state.origin.label)) state.origin.label = o.name;
    if (Array.isArray(o.lonlat)) state.origin.lonlat = o.lonlat;
    state.origin.id = o.id || null;
    $('#origin-name').textContent = state.origin.label;
  }
}

function decorate(fc, budget) {
  const bands = fc.features.filter((f) => f.properties.layer === 'band');
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => {
      const p = { ...f.properties };
      if (p.layer === 'band') p._color = bandColour(Number(p.max_minutes), budget, bands.length);
      if (p.layer === 'reached') p._min = fmtMin(p.minutes);
      // Nested values stay in the response; the map needs flat properties only.
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
function fitResult(features) {
  const b = extentOf(features);
  if (!b) return;
  const v = map.getBounds();
  if (b[0] >= v.getWest() && b[2] <= v.getEast() && b[1] >= v.getSouth() && b[3] <= v.getNorth()) return;
  const layersOpen = $('#layers-toggle').getAttribute('aria-expanded') === 'true';
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: { top: 50, bottom: 50, left: 50, right: layersOpen ? 290 : 50 }, maxZoom: 13.5, duration: 700 });
}

function drawReach(fit) {
  const fc = lastReach;
  if (!fc) return;
  originFromResponse(fc);
  const budget = budgetOf(fc);
  map.getSource('cmp').setData(empty());
  map.getSource('reach').setData(decorate(fc, budget));
  const bands = fc.features.filter((f) => f.properties.layer === 'band')
    .sort((a, b) => a.properties.max_minutes - b.properties.max_minutes);
  const reached = fc.features.filter((f) => f.properties.layer === 'reached');
  $('#reach-empty').hidden = true;
  $('#reach-result').hidden = false;
  const area = bands.reduce((s, b) => s + (Number(b.properties.area_km2) || 0), 0);
  const sc = scenarioName(fc.metadata?.scenario?.id || state.scenario, fc.metadata?.scenario?.name);
  $('#reach-summary').innerHTML = `<b>${esc(t(reached.length === 1 ? 'reachedWithin1' : 'reachedWithin', { n: reached.length, m: fmtMin(budget) }))}</b><br>`
    + `${esc(t('mode_' + (fc.metadata?.mode || state.mode)))} · ${esc(sc)} · ${esc(t('area'))} ${area.toFixed(1)} km²`;
  const legend = bands.map((b) => `<span class="b" style="background:${bandColour(b.properties.max_minutes, budget, bands.length)}">≤${fmtMin(b.properties.max_minutes)}′</span>`).join('');
  $('#band-legend').innerHTML = legend;

  const list = $('#reached-list');
  list.innerHTML = '';
  const groups = bands.length ? bands.map((b) => b.properties) : [{ min_minutes: 0, max_minutes: budget }];
  for (const b of groups) {
    const inBand = reached.filter((f) => Number(f.properties.band) === Number(b.max_minutes)
      || (f.properties.band == null && f.properties.minutes > b.min_minutes && f.properties.minutes <= b.max_minutes));
    const g = document.createElement('div');
    g.className = 'band-group';
    g.dataset.band = b.max_minutes;
    const counts = b.counts ? Object.values(b.counts).reduce((s, v) => s + v, 0) : inBand.length;
    g.innerHTML = `<div class="band-title"><span class="sw" style="background:${bandColour(b.max_minutes, budget, groups.length)}"></span>`
      + `${esc(t('bandRange', { a: fmtMin(b.min_minutes), b: fmtMin(b.max_minutes) }))}`
      + `<span class="meta">${counts} · ${b.area_km2 != null ? `${Number(b.area_km2).toFixed(1)} km²` : ''}</span></div>`;
    if (!inBand.length) g.insertAdjacentHTML('beforeend', `<div class="hint" style="padding:4px 6px">${esc(t('noneReached'))}</div>`);
    for (const k of KIND_ORDER) {
      const items = inBand.filter((f) => f.properties.kind === k).sort((a, c) => a.properties.minutes - c.properties.minutes);
      if (!items.length) continue;
      g.insertAdjacentHTML('beforeend', `<div class="kind-title"><img alt="" width="12" height="12" src="${icons[`${k}-e`]}">${esc(kindLabel(k))} · ${items.length}</div>`);
      for (const f of items) g.appendChild(reachedItem(f.properties));
    }
    list.appendChild(g);
  }
  showStreetNote(fc.metadata);
  renderMapLegend('reach', bands, budget);
  if (fit) fitResult(fc.features.filter((f) => f.properties.layer !== 'origin'));
}
function reachedItem(p, extra) {
  const rec = catalog.get(String(p.id));
  const q = rec ? rec.properties : p;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.className = 'item';
  btn.dataset.id = p.id;
  btn.dataset.minutes = p.minutes;
  btn.innerHTML = `<span class="nm">${esc(nameOf(q))}${isPlanned(q.status) ? `<span class="badge ${esc(q.status)}">${esc(statusLabel(q.status))}</span>` : ''}</span>`
    + `<span class="min">${extra || `${fmtMin(p.minutes)}′`}</span>`
    + `<span class="legs">${esc(p.legs_text || '')}</span>`;
  btn.addEventListener('click', () => focusFeature(p.id));
  return btn;
}
function focusFeature(id) {
  const rec = catalog.get(String(id));
  if (!rec) return;
  const c = rec.geometry.type === 'Point' ? rec.geometry.coordinates : rec.geometry.coordinates[0];
  map.easeTo({ center: c, zoom: Math.max(map.getZoom(), 12), duration: 600 });
  openDetail(id, c);
}
function showStreetNote(meta) {
  const sm = meta && meta.street_model;
  const el = $('#street-note');
  if (!sm) { el.hidden = true; return; }
  const model = sm.model === 'crow_fly' ? (state.lang === 'zh' ? '直线距离近似' : 'crow-fly proxy') : sm.model;
  el.querySelector('summary').textContent = `${t('streetModel')}: ${model}. ${sm.description || ''}`;
  el.querySelector('.sn-body').textContent = sm.description || '';
  el.hidden = false;
}
function renderMapLegend(kind, bands, budget) {
  const el = $('#map-legend');
  if (kind === 'reach') {
    if (!bands.length) { el.hidden = true; return; }
    el.innerHTML = `<div class="lt">${esc(t('legendReach'))}</div>` + bands.map((b) => `<div class="row"><i style="background:${bandColour(b.properties.max_minutes, budget, bands.length)};opacity:.8"></i>${esc(t('bandRange', { a: fmtMin(b.properties.min_minutes), b: fmtMin(b.properties.max_minutes) }))}</div>`).join('');
  } else {
    el.innerHTML = `<div class="lt">${esc(t('legendCompare'))}</div>`
      + `<div class="row"><i style="background:${CMP_BASE};opacity:.75"></i>${esc(t('cmpBase'))}</div>`
      + `<div class="row"><i style="background:${CMP_GAIN};opacity:.6"></i>${esc(t('cmpGain'))}</div>`;
  }
  el.hidden = false;
}

// ---------- compare ----------
function planScenarioId() {
  if (state.scenario !== 'existing') return state.scenario;
  const other = scenarios.find((s) => s.id !== 'existing');
  return other ? other.id : null;
}
async function runCompare() {
  const planId = planScenarioId();
  if (!planId) { $('#compare-empty').textContent = t('sameScenario'); return; }
  const seq = ++reachSeq;
  if (reachAbort) reachAbort.abort();
  reachAbort = new AbortController();
  setBusy(true);
  try {
    const [base, plan] = await Promise.all([
      api('reach', reachParams('existing'), reachAbort.signal),
      api('reach', reachParams(planId), reachAbort.signal),
    ]);
    if (seq !== reachSeq) return;
    lastCompare = { base: base.body, plan: plan.body, planId };
    showError(null);
    drawCompare(true);
    document.documentElement.dataset.reachState = 'done';
  } catch (e) {
    if (e.name === 'AbortError' || seq !== reachSeq) return;
    showError(e);
    document.documentElement.dataset.reachState = 'error';
  } finally {
    if (seq === reachSeq) $('#busy').hidden = true;
  }
}
function drawCompare(fit) {
  const { base, plan, planId } = lastCompare;
  originFromResponse(plan);
  const side = (fc, s) => fc.features.filter((f) => f.properties.layer === 'band').map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { _side: s, max_minutes: f.properties.max_minutes, min_minutes: f.properties.min_minutes, area_km2: f.properties.area_km2 } }));
  map.getSource('cmp').setData({ type: 'FeatureCollection', features: [...side(plan, 'plan'), ...side(base, 'base')] });
  const marks = plan.features.filter((f) => f.properties.layer === 'origin' || f.properties.layer === 'reached');
  map.getSource('reach').setData(decorate({ type: 'FeatureCollection', features: marks }, state.minutes));

  const bandsOf = (fc) => fc.features.filter((f) => f.properties.layer === 'band').map((f) => f.properties);
  const bb = bandsOf(base); const pb = bandsOf(plan);
  const limits = [...new Set([...bb, ...pb].map((b) => Number(b.max_minutes)))].sort((a, b) => a - b);
  const reachedOf = (fc) => new Map(fc.features.filter((f) => f.properties.layer === 'reached').map((f) => [String(f.properties.id), f.properties]));
  const rb = reachedOf(base); const rp = reachedOf(plan);
  const only = [...rp.values()].filter((p) => !rb.has(String(p.id))).sort((a, b) => a.minutes - b.minutes);
  const faster = [...rp.values()].filter((p) => rb.has(String(p.id)) && rb.get(String(p.id)).minutes - p.minutes >= 0.5)
    .sort((a, b) => (rb.get(String(b.id)).minutes - b.minutes) - (rb.get(String(a.id)).minutes - a.minutes));
  const planName = scenarioName(planId, plan.metadata?.scenario?.name);
  const baseName = scenarioName('existing', base.metadata?.scenario?.name);

  const el = $('#compare-result');
  const signed = (v) => { const r = Math.round(v * 10) / 10 || 0; return `${r >= 0 ? '+' : ''}${r.toFixed(1)}`; };
  let rows = '';
  let tb = 0; let tp = 0; let cb = 0; let cp = 0;
  for (const m of limits) {
    const a = bb.find((b) => Number(b.max_minutes) === m); const b = pb.find((x) => Number(x.max_minutes) === m);
    const aa = a ? Number(a.area_km2) || 0 : 0; const ba = b ? Number(b.area_km2) || 0 : 0;
    const ac = a && a.counts ? Object.values(a.counts).reduce((s, v) => s + v, 0) : 0;
    const bc = b && b.counts ? Object.values(b.counts).reduce((s, v) => s + v, 0) : 0;
    tb += aa; tp += ba; cb += ac; cp += bc;
    const lo = (a || b).min_minutes;
    rows += `<tr><td>${esc(t('bandRange', { a: fmtMin(lo), b: fmtMin(m) }))}</td><td>${aa.toFixed(1)}</td><td>${ba.toFixed(1)}</td><td class="${ba - aa > 0.05 ? 'delta-pos' : ''}">${signed(ba - aa)}</td><td>${ac} → ${bc}</td></tr>`;
  }
  rows += `<tr><th style="text-align:left">Σ</th><th>${tb.toFixed(1)}</th><th>${tp.toFixed(1)}</th><th class="${tp - tb > 0.05 ? 'delta-pos' : ''}">${signed(tp - tb)}</th><th>${cb} → ${cp}</th></tr>`;
  el.innerHTML = `<div class="cmp-head">${esc(t('cmpIntro', { o: state.origin.label, mode: t('mode_' + state.mode), m: fmtMin(budgetOf(plan)), plan: planName, base: baseName }))}</div>
    <div class="cmp-key"><span><i style="background:${CMP_BASE};opacity:.75"></i>${esc(t('cmpBase'))}</span><span><i style="background:${CMP_GAIN};opacity:.6"></i>${esc(t('cmpGain'))}</span>
    <button type="button" class="btn small" id="download-cmp" style="margin-left:auto">${esc(t('dlCompare'))}</button></div>
    <table class="cmp"><thead><tr><th>${esc(t('band'))}</th><th>${esc(state.lang === 'zh' ? '现状' : 'existing')} km²</th><th>${esc(state.lang === 'zh' ? '规划' : 'plan')} km²</th><th>${esc(t('delta'))}</th><th>${esc(t('features'))}</th></tr></thead><tbody>${rows}</tbody></table>
    <div class="sec-title">${esc(t('onlyPlan', { n: only.length }))}</div><div id="cmp-only"></div>
    <div class="sec-title">${esc(t('faster', { n: faster.length }))}</div><div id="cmp-faster"></div>`;
  const onlyBox = el.querySelector('#cmp-only');
  if (!only.length) onlyBox.innerHTML = `<div class="hint">${esc(t('nothingAdded'))}</div>`;
  for (const p of only) onlyBox.appendChild(reachedItem(p, `<span class="badge gain">+</span> ${fmtMin(p.minutes)}′`));
  const fastBox = el.querySelector('#cmp-faster');
  for (const p of faster) fastBox.appendChild(reachedItem(p, `${fmtMin(rb.get(String(p.id)).minutes)}′ → ${fmtMin(p.minutes)}′`));
  el.querySelector('#download-cmp').addEventListener('click', () => {
    const tag = (fc, s) => fc.features.map((f) => ({ ...f, properties: { ...f.properties, scenario: s } }));
    download({ type: 'FeatureCollection', metadata: { compare: ['existing', planId], base: base.metadata, plan: plan.metadata }, features: [...tag(base, 'existing'), ...tag(plan, planId)] }, `compare-${planId}`);
  });
  $('#compare-empty').hidden = true;
  el.hidden = false;
  showStreetNote(plan.metadata);
  renderMapLegend('compare');
  if (fit) fitResult([...plan.features, ...base.features].filter((f) => f.properties.layer !== 'origin'));
}

// ---------- targets ----------
async function loadTargets() {
  const box = $('#targets-list');
  const sc = state.scenario;
  let list = targetsCache.get(sc);
  if (!list) {
    try {
      const { body } = await api('targets', { scenario: sc });
      list = Array.isArray(body) ? body : (body.targets || body.results || []);
      targetsCache.set(sc, list);
    } catch (e) {
      showError(e);
      box.innerHTML = '';
      return;
    }
  }
  if (sc !== state.scenario) return;
  renderTargets(list);
}
function renderTargets(list) {
  const box = $('#targets-list');
  box.innerHTML = `<div class="hint" style="margin:2px 0 8px">${esc(t('targetsFor', { s: scenarioName(state.scenario) }))}</div>`;
  if (!list.length) box.insertAdjacentHTML('beforeend', `<div class="empty">${esc(t('noTargets'))}</div>`);
  for (const r of list) {
    const tg = r.target || {};
    const max = Number(tg.max_minutes);
    const got = r.minutes == null ? null : Number(r.minutes);
    const scale = Math.max(max || 0, got || 0) * 1.1 || 1;
    const colour = r.verdict === 'pass' ? 'var(--pass)' : r.verdict === 'fail' ? 'var(--fail)' : '#999';
    const legs = Array.isArray(r.legs) ? r.legs.map(legText).join(' → ') : (r.legs_text || '');
    const assumptions = Array.isArray(r.assumptions) ? r.assumptions.map((a) => (typeof a === 'string' ? a : `${a.name || a.link || ''}${a.average_speed_kmh ? ` · ${a.average_speed_kmh} km/h` : ''}${a.headway_min ? ` · ${state.lang === 'zh' ? '发车间隔' : 'headway'} ${a.headway_min} min` : ''}${a.track_km ? ` · ${a.track_km} km` : ''}`)) : [];
    const div = document.createElement('div');
    div.className = 'target';
    div.dataset.target = tg.id || '';
    div.dataset.verdict = r.verdict || '';
    div.innerHTML = `<div class="target-head"><div class="target-title">${esc(tg.title_en || tg.id)}</div><span class="badge ${esc(r.verdict)}">${esc(statusLabel(r.verdict))}</span></div>
      ${tg.quote_zh ? `<div class="quote">“${esc(tg.quote_zh)}”</div>` : ''}
      <div class="target-time">${esc(t('computed'))} <b style="color:${colour}">${got == null ? '–' : fmtMin(got)}</b> min · ${esc(t('target'))} ≤ ${fmtMin(max)} min</div>
      ${Number.isFinite(max) ? `<div class="bar"><span style="width:${got == null ? 0 : Math.min(100, (got / scale) * 100)}%;background:${colour}"></span><i style="left:${(max / scale) * 100}%"></i></div>` : ''}
      ${legs ? `<div class="legs">${esc(legs)}</div>` : ''}
      ${r.note || tg.why ? `<div class="note">${esc(r.note || tg.why)}</div>` : ''}
      ${tg.source ? `<div class="src">${esc(t('sources'))}: <code>${esc(tg.source.doc)}</code> ${esc(t('line'))} ${esc(tg.source.line)}</div>` : ''}
      ${assumptions.length ? `<details><summary>${esc(t('assumptions'))} (${assumptions.length})</summary>${assumptions.map((a) => `<div>· ${esc(a)}</div>`).join('')}</details>` : ''}
      ${tg.from ? `<div class="actions"><button type="button" class="btn small">${esc(t('showReach'))}</button></div>` : ''}`;
    const b = div.querySelector('.actions button');
    if (b) b.addEventListener('click', () => {
      const m = Math.min(180, Math.max(5, Math.ceil(Math.max(max || 0, got || 0) / 5) * 5 + 5));
      state.minutes = m; $('#minutes').value = Math.min(120, m); $('#minutes-out').value = m;
      setView('reach');
      const rec = catalog.get(String(tg.from));
      setOrigin(tg.from, rec ? nameOf(rec.properties) : tg.from);
    });
    box.appendChild(div);
  }
}
function legText(l) {
  if (!l || typeof l !== 'object') return String(l ?? '');
  const m = fmtMin(l.minutes);
  if (l.type === 'wait') return `${state.lang === 'zh' ? '候车' : 'wait'} ${m}`;
  if (l.type === 'ride') return `${l.route || l.route_id} ×${l.stops} ${m}`;
  return `${l.mode || l.type} ${m}`;
}

// ---------- scenarios, views, language ----------
function scenarioName(id, fallback) {
  const s = scenarios.find((x) => x.id === id);
  return (s && s.name) || fallback || id;
}
async function loadScenarios() {
  try {
    const { body } = await api('scenarios');
    scenarios = Array.isArray(body) ? body : (body.scenarios || []);
  } catch (e) {
    scenarios = [{ id: 'existing', name: 'existing' }];
    showError(e);
  }
  if (!scenarios.some((s) => s.id === state.scenario)) scenarios.push({ id: state.scenario, name: state.scenario });
  const sel = $('#scenario');
  sel.innerHTML = scenarios.map((s) => `<option value="${esc(s.id)}" title="${esc(s.description || '')}">${esc(s.name || s.id)}</option>`).join('');
  sel.value = state.scenario;
}
function setView(v) {
  state.view = v;
  for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.view === v));
  $('#view-reach').hidden = v !== 'reach';
  $('#view-compare').hidden = v !== 'compare';
  $('#view-targets').hidden = v !== 'targets';
  for (const id of ['band-fill', 'band-line']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v === 'compare' ? 'none' : 'visible');
  for (const id of ['cmp-plan-fill', 'cmp-base-fill', 'cmp-plan-line']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v === 'compare' ? 'visible' : 'none');
  writeUrl();
  if (v === 'targets') loadTargets();
  else if (state.origin && mapReady) {
    if (v === 'compare') { if (lastCompare && sameQuery(lastCompare.plan)) drawCompare(); else runCompare(); }
    else if (lastReach && sameQuery(lastReach)) drawReach(); else runReach();
  }
}
function sameQuery(fc) {
  const m = fc && fc.metadata;
  if (!m || !state.origin) return false;
  const o = m.origins && m.origins[0];
  return o && (o.query === state.origin.query) && m.mode === state.mode && (m.scenario?.id === state.scenario || state.view === 'compare')
    && Number(m.minutes) === Number(bandsList() ? bandsList().at(-1) : state.minutes)
    && JSON.stringify((m.bands || []).map(Number)) === JSON.stringify((bandsList() || [state.minutes]).map(Number));
}
function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
  $('#lang-zh').setAttribute('aria-pressed', String(lang === 'zh'));
  $('#lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  for (const el of document.querySelectorAll('[data-i18n]')) {
    if (el.id === 'origin-name') continue;
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  if (mapReady) {
    for (const id of ['district-label', 'station-label', 'line-label']) map.setLayoutProperty(id, 'text-field', labelExpr());
    map.setLayoutProperty('feat-point', 'text-field', ['step', ['zoom'], ['case', ['==', ['get', 'kind'], 'transport_hub'], labelExpr(), ''], 11.3, labelExpr()]);
    renderKindLegend();
  }
  if (state.origin) {
    const rec = state.origin.id ? catalog.get(String(state.origin.id)) : catalog.get(String(state.origin.query));
    if (rec) {
      const before = state.origin.label;
      state.origin.label = nameOf(rec.properties);
      if ($('#search').value === before) $('#search').value = state.origin.label;
    }
    $('#origin-name').textContent = state.origin.label;
  }
  if (state.view === 'reach' && lastReach) drawReach();
  if (state.view === 'compare' && lastCompare) drawCompare();
  if (state.view === 'targets' && targetsCache.get(state.scenario)) renderTargets(targetsCache.get(state.scenario));
  tip.remove();
  if (detail.isOpen()) detail.remove();
  writeUrl();
}

// ---------- search ----------
let searchTimer = 0;
let searchSeq = 0;
let searchHits = [];
let searchIndex = -1;
const LONLAT = /^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$/;
function closeSearch() {
  $('#search-list').hidden = true;
  $('#search').setAttribute('aria-expanded', 'false');
  searchIndex = -1;
}
function renderSearch(body, q) {
  const ul = $('#search-list');
  ul.innerHTML = '';
  searchHits = body.hits || body.results || [];
  searchIndex = searchHits.length ? 0 : -1;
  searchHits.forEach((h, i) => {
    const li = document.createElement('li');
    li.id = `sh-${i}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(i === searchIndex));
    const k = h.kind && KINDS[h.kind];
    li.innerHTML = `${k ? `<img alt="" width="14" height="14" src="${icons[`${h.kind}-${isPlanned(h.status) ? 'p' : 'e'}`]}">` : '<span style="width:14px"></span>'}`
      + `<span class="s-main">${esc(nameOf(h))}</span><span class="s-sub">${esc(altNameOf(h))} · ${esc(hitKind(h))}</span>`;
    li.addEventListener('mousedown', (e) => { e.preventDefault(); chooseHit(i); });
    ul.appendChild(li);
  });
  if (!searchHits.length) {
    const sugg = (body.suggestions || []).map((s) => (typeof s === 'string' ? s : nameOf(s) || s.name || s.id)).filter(Boolean);
    const li = document.createElement('li');
    li.className = 's-miss';
    li.innerHTML = `${esc(t('noMatch', { q }))}${sugg.length ? `<div>${esc(t('didYouMean'))}<br>${sugg.map((s) => `<button type="button" class="sugg">${esc(s)}</button>`).join('')}</div>` : ''}`;
    li.querySelectorAll('.sugg').forEach((b) => b.addEventListener('mousedown', (e) => {
      e.preventDefault(); $('#search').value = b.textContent; doSearch(b.textContent);
    }));
    ul.appendChild(li);
  }
  ul.hidden = false;
  $('#search').setAttribute('aria-expanded', 'true');
  $('#search').setAttribute('aria-activedescendant', searchIndex >= 0 ? `sh-${searchIndex}` : '');
}
async function doSearch(q) {
  const seq = ++searchSeq;
  if (!q.trim()) { closeSearch(); return; }
  if (LONLAT.test(q)) {
    renderSearch({ hits: [{ id: q.replace(/\s+/g, ''), name_zh: q.trim(), name_en: q.trim(), _coords: true }] }, q);
    return;
  }
  try {
    const { body } = await api('search', { q, limit: 8 });
    if (seq !== searchSeq) return;
    renderSearch(body, q);
  } catch (e) {
    if (seq !== searchSeq) return;
    if (e.status === 404 || e.code === 'NotFound') {
      // A miss may come back as an error whose description carries the suggestions.
      renderSearch({ hits: [], suggestions: [] }, q);
      $('#search-list').insertAdjacentHTML('beforeend', `<li class="s-miss">${esc(e.description)}</li>`);
    } else showError(e);
  }
}
function hitKind(h) {
  if (KINDS[h.kind]) return kindLabel(h.kind) + (isPlanned(h.status) ? ` · ${statusLabel(h.status)}` : '');
  const stop = state.lang === 'zh' ? '车站' : 'station';
  if (h.type === 'stop' || /station/.test(h.kind || '')) return `${h.scenario ? `${scenarioName(h.scenario)} · ` : ''}${h.lines ? `${h.lines} · ` : ''}${stop}`;
  if (h._coords) return state.lang === 'zh' ? '坐标' : 'coordinates';
  return h.kind || h.type || '';
}
function chooseHit(i) {
  const h = searchHits[i];
  if (!h) return;
  closeSearch();
  $('#search').value = nameOf(h);
  if (h._coords) {
    const m = LONLAT.exec(h.id.replace(',', ', '));
    const lonlat = [Number(m[1]), Number(m[2])];
    map.easeTo({ center: lonlat, zoom: Math.max(map.getZoom(), 11) });
    setOrigin(`${lonlat[0]},${lonlat[1]}`, `${lonlat[0].toFixed(4)}, ${lonlat[1].toFixed(4)}`, lonlat);
    return;
  }
  if (Number.isFinite(h.lon) && Number.isFinite(h.lat)) map.easeTo({ center: [h.lon, h.lat], zoom: Math.max(map.getZoom(), 11), duration: 700 });
  setOrigin(h.id, nameOf(h), Number.isFinite(h.lon) ? [h.lon, h.lat] : null);
}
function bindSearch() {
  const input = $('#search');
  input.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => doSearch(input.value), 160); });
  input.addEventListener('keydown', (e) => {
    const open = !$('#search-list').hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!open || !searchHits.length) return;
      e.preventDefault();
      searchIndex = (searchIndex + (e.key === 'ArrowDown' ? 1 : -1) + searchHits.length) % searchHits.length;
      [...$('#search-list').children].forEach((li, i) => li.setAttribute('aria-selected', String(i === searchIndex)));
      input.setAttribute('aria-activedescendant', `sh-${searchIndex}`);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(searchTimer);
      if (open && searchIndex >= 0) chooseHit(searchIndex);
      else doSearch(input.value).then(() => { if (searchHits.length === 1) chooseHit(0); });
    } else if (e.key === 'Escape') {
      closeSearch();
    }
  });
  input.addEventListener('blur', () => setTimeout(closeSearch, 120));
  input.addEventListener('focus', () => { if (input.value && searchHits.length) $('#search-list').hidden = false; });
}

// ---------- downloads ----------
function download(obj, name) {
  const blob = new Blob([JSON.stringify(obj)], { type: 'application/geo+json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  const slug = (state.origin ? state.origin.query : 'reach').replace(/[^\p{L}\p{N}.-]+/gu, '_');
  a.download = `cityreach-${name}-${slug}-${state.mode}-${state.minutes}min.geojson`;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ---------- controls ----------
function bindControls() {
  const minutes = $('#minutes'); const out = $('#minutes-out');
  minutes.value = Math.min(120, state.minutes); out.value = state.minutes;
  $('#mode').value = state.mode;
  $('#step').value = String(state.step);
  minutes.addEventListener('input', () => { out.value = minutes.value; });
  minutes.addEventListener('change', () => { state.minutes = Number(minutes.value); writeUrl(); run(); });
  $('#mode').addEventListener('change', (e) => { state.mode = e.target.value; writeUrl(); run(); });
  $('#step').addEventListener('change', (e) => { state.step = Number(e.target.value); writeUrl(); run(); });
  $('#scenario').addEventListener('change', (e) => {
    state.scenario = e.target.value;
    writeUrl();
    if (state.view === 'targets') loadTargets(); else run();
  });
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => setView(b.dataset.view));
  $('.tabs').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const tabs = [...document.querySelectorAll('.tabs button')];
    const i = tabs.findIndex((b) => b.dataset.view === state.view);
    const n = tabs[(i + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length];
    n.focus(); setView(n.dataset.view);
  });
  $('#lang-zh').addEventListener('click', () => setLang('zh'));
  $('#lang-en').addEventListener('click', () => setLang('en'));
  $('#clear-origin').addEventListener('click', clearOrigin);
  $('#download').addEventListener('click', () => { if (lastReach) download(lastReach, `reach-${lastReach.metadata?.scenario?.id || state.scenario}`); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { tip.remove(); detail.remove(); } });
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-reach-from]');
    if (b) { const id = b.dataset.reachFrom; const rec = catalog.get(id); detail.remove(); setOrigin(id, rec ? nameOf(rec.properties) : id); }
  });
}

function bindMap() {
  let popupWasOpen = false;
  map.on('mousedown', () => { popupWasOpen = detail.isOpen(); });
  map.on('touchstart', () => { popupWasOpen = detail.isOpen(); });
  map.on('mousemove', (e) => {
    const h = featureAt(e.point);
    map.getCanvas().style.cursor = h ? 'pointer' : '';
    if (h) { tip.setLngLat(e.lngLat).setHTML(tipHtml(h)).addTo(map); return; }
    const b = bandAt(e.point);
    if (b) {
      const p = b.properties;
      const txt = state.view === 'compare' ? `${t('cmpGain')} / ${t('cmpBase')}` : `${t('bandRange', { a: fmtMin(p.min_minutes), b: fmtMin(p.max_minutes) })}${p.area_km2 != null ? ` · ${Number(p.area_km2).toFixed(1)} km²` : ''}`;
      tip.setLngLat(e.lngLat).setHTML(esc(txt)).addTo(map);
    } else tip.remove();
  });
  map.on('mouseout', () => tip.remove());
  map.on('click', (e) => {
    let h = featureAt(e.point);
    tip.remove();
    // A click on an existing line picks the place, not the line.
    if (h && h.layer.id === 'line') h = null;
    if (h) {
      const p = h.properties;
      if (h.layer.id === 'origin') return;
      if (h.layer.id === 'line-planned') {
        setTimeout(() => detail.setLngLat(e.lngLat).setHTML(linkHtml(p)).addTo(map), 0);
        return;
      }
      if (h.layer.id === 'station') {
        const c = h.geometry.coordinates;
        setTimeout(() => {
          detail.setLngLat(c).setHTML(stationHtml(p, c)).addTo(map);
          const btn = detail.getElement().querySelector('[data-reach-station]');
          if (btn) btn.addEventListener('click', () => { detail.remove(); setOrigin(p.id || `${c[0]},${c[1]}`, nameOf(p), c); });
        }, 0);
        return;
      }
      const id = String(p.id);
      // Opened after MapLibre's own click handling, which would close a popup opened now.
      setTimeout(() => openDetail(id, h.geometry.type === 'Point' ? h.geometry.coordinates : e.lngLat), 0);
      const rec = catalog.get(id);
      if (!state.origin || state.origin.query !== id) setOrigin(id, rec ? nameOf(rec.properties) : id, rec && rec.geometry.type === 'Point' ? rec.geometry.coordinates : null);
      return;
    }
    if (popupWasOpen) return;
    const c = [Number(e.lngLat.lng.toFixed(5)), Number(e.lngLat.lat.toFixed(5))];
    setOrigin(`${c[0]},${c[1]}`, `${c[0].toFixed(4)}, ${c[1].toFixed(4)}`, c);
  });
  map.on('moveend', writeUrl);
  map.getCanvas().addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const c = map.getCenter();
    const ll = [Number(c.lng.toFixed(5)), Number(c.lat.toFixed(5))];
    setOrigin(`${ll[0]},${ll[1]}`, `${ll[0].toFixed(4)}, ${ll[1].toFixed(4)}`, ll);
  });
  map.getCanvas().setAttribute('aria-label', 'Map. Arrow keys pan, + and − zoom, Enter sets the origin at the centre.');
}

// ---------- start ----------
const icons = {};
for (const k of Object.keys(KINDS)) for (const solid of [true, false]) {
  icons[`${k}-${solid ? 'e' : 'p'}`] = makeIcon(k, solid).canvas.toDataURL();
}

window.cityreach = {
  map,
  state,
  catalog,
  get lastReach() { return lastReach; },
  get lastReachUrl() { return lastReachUrl; },
  get lastCompare() { return lastCompare; },
  ready: false,
};

setLang(state.lang);
bindControls();
bindLayerControls();
bindSearch();
if (state.origin) { $('#origin-name').textContent = state.origin.label; $('#clear-origin').hidden = false; }

map.on('load', async () => {
  for (const k of Object.keys(KINDS)) for (const solid of [true, false]) {
    map.addImage(`${k}-${solid ? 'e' : 'p'}`, makeIcon(k, solid).image, { pixelRatio: 2 });
  }
  mapReady = true;
  bindMap();
  const [got] = await Promise.all([loadCollections(), loadScenarios()]);
  applyCollections(got);
  setLang(state.lang);
  setView(state.view);
  map.once('idle', () => {
    window.cityreach.ready = true;
    document.documentElement.dataset.ready = '1';
  });
  map.triggerRepaint();
});
