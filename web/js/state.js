// Shared state of the page: what the user chose (kept in the URL) and what the server answered.

export const KINDS = {
  commercial: { color: '#e8590c', shape: 'circle', zh: '商业', en: 'Commercial' },
  cultural: { color: '#9c36b5', shape: 'diamond', zh: '文化', en: 'Cultural' },
  transport_hub: { color: '#1c7ed6', shape: 'square', zh: '交通枢纽', en: 'Transport hubs' },
  free_trade_zone: { color: '#2f9e44', shape: 'hexagon', zh: '自贸区', en: 'Free trade zone' },
};
export const KIND_ORDER = ['transport_hub', 'commercial', 'cultural', 'free_trade_zone'];
export const PLANNED = ['under_construction', 'planned', 'proposed'];
export const HOME = { center: [113.70, 34.735], zoom: 10.4 };
export const MAX_BOUNDS = [[111.9, 33.9], [115.0, 35.4]];
export const STEPS = [0, 5, 10, 15, 30];

export const $ = (sel) => document.querySelector(sel);

export const state = {
  lang: navigator.language && navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en',
  origins: [], // [{query, label, lonlat, id, name_zh, name_en}]
  adding: false, // the next place chosen is added as another origin
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
  populationOn: false,
  online: false,
  // The accessibility tab: opportunities, cutoff (min), the compared scenario ('' for none),
  // cell size (m) and which surface is drawn (base, compare or diff). Mode and scenario are shared.
  acc: { opp: 'all', cutoff: 45, compare: 'plan-2025', cell: 500, show: 'base' },
  // Departure on the feeds' timetable: asked for (a frequency-based city shows the control only
  // then), the date and time ('' for the city's default), the window of departures (min, 0 for
  // one departure) and the percentile the bands are drawn for.
  timing: { asked: false, depart: '', window: 0, pct: 50 },
  // The Scenario tab's edits (modifications applied on top of `scenario`), kept in the link.
  scen: { mods: [] },
};
export const WINDOWS = [0, 15, 30, 60, 120];
export const PERCENTILES = [5, 25, 50, 75, 95];
export const ACC_OPPS = ['all', 'commercial', 'cultural', 'transport_hub', 'free_trade_zone', 'stations'];
export const ACC_CUTOFFS = [15, 30, 45, 60, 90];
export const ACC_CELLS = [250, 500, 1000];

// What the server answered, and the map itself (set once by app.js).
export const store = {
  map: null,
  mapReady: false,
  catalog: new Map(), // id -> catalog GeoJSON feature
  districtNames: new Map(), // adcode -> {zh, en}
  lines: new Map(), // route id -> line properties (colour, names)
  area: null, // [w, s, e, n]: where origins may lie (the server's rule: data extent + 0.05°)
  scenarios: [],
  lastReach: null,
  lastReachUrl: null,
  lastCompare: null,
  targetsCache: new Map(),
  stations: new Map(), // stop id -> station feature of the basemap
  lastScenario: null, // the Scenario tab's {base, edited} answers
  transit: null, // the landing page's {timetabled, calendar: {first, last}, default_depart}
  icons: {},
  selected: null, // id of the feature or target whose route is drawn
  acc: null, // the accessibility job: {id, status, query, job, grid, cells, classes}
};

export function isPlanned(status) { return PLANNED.includes(status); }
export const originQuery = () => state.origins.map((o) => o.query).join('|');
// The departure control is shown for a timetabled city, or when the reader asked for it.
export const timingShown = () => Boolean((store.transit && store.transit.timetabled) || state.timing.asked);
export const departOf = () => state.timing.depart || (store.transit && store.transit.default_depart) || '';

// Edits travel in the link as base64url of their JSON (UTF-8), one opaque parameter.
export function encodeEdits(mods) {
  let bin = '';
  for (const b of new TextEncoder().encode(JSON.stringify(mods))) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
export function decodeEdits(text) {
  try {
    const bin = atob(String(text).replaceAll('-', '+').replaceAll('_', '/'));
    const v = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return Array.isArray(v) && v.every((m) => m && typeof m === 'object' && typeof m.type === 'string') ? v : null;
  } catch {
    return null;
  }
}

export function readUrl() {
  const q = new URLSearchParams(window.location.search);
  if (q.get('lang') === 'zh' || q.get('lang') === 'en') state.lang = q.get('lang');
  if (['walk', 'bike', 'drive', 'transit'].includes(q.get('mode'))) state.mode = q.get('mode');
  const m = Number(q.get('minutes'));
  if (m >= 5 && m <= 180) state.minutes = Math.round(m / 5) * 5;
  const st = Number(q.get('step'));
  if (q.has('step') && STEPS.includes(st)) state.step = st;
  if (q.get('scenario')) state.scenario = q.get('scenario');
  if (['reach', 'compare', 'targets', 'access', 'scenario'].includes(q.get('view'))) state.view = q.get('view');
  if (q.get('edits')) state.scen.mods = decodeEdits(q.get('edits')) || [];
  if (state.view === 'access') state.accAutoRun = true;
  if (ACC_OPPS.includes(q.get('opp'))) state.acc.opp = q.get('opp');
  if (ACC_CUTOFFS.includes(Number(q.get('cutoff')))) state.acc.cutoff = Number(q.get('cutoff'));
  if (ACC_CELLS.includes(Number(q.get('cell')))) state.acc.cell = Number(q.get('cell'));
  if (q.has('cmp')) state.acc.compare = q.get('cmp');
  if (['base', 'compare', 'diff'].includes(q.get('show'))) state.acc.show = q.get('show');
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(q.get('depart') || '')) { state.timing.depart = q.get('depart'); state.timing.asked = true; }
  if (WINDOWS.includes(Number(q.get('window')))) state.timing.window = Number(q.get('window'));
  if (PERCENTILES.includes(Number(q.get('pct')))) state.timing.pct = Number(q.get('pct'));
  if (q.get('from')) {
    const labels = (q.get('label') || '').split('|');
    state.origins = q.get('from').split('|').filter(Boolean).map((f, i) => ({ query: f, label: labels[i] || f }));
  }
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
export function writeUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const q = new URLSearchParams();
    if (state.origins.length) {
      q.set('from', originQuery());
      const labels = state.origins.map((o) => (o.label && o.label !== o.query ? o.label : ''));
      if (labels.some(Boolean)) q.set('label', labels.join('|'));
    }
    q.set('mode', state.mode);
    q.set('minutes', state.minutes);
    q.set('step', state.step);
    q.set('scenario', state.scenario);
    if (timingShown() && departOf()) {
      q.set('depart', departOf());
      if (state.timing.window) { q.set('window', state.timing.window); q.set('pct', state.timing.pct); }
    }
    if (state.view !== 'reach') q.set('view', state.view);
    if (state.scen.mods.length) q.set('edits', encodeEdits(state.scen.mods));
    if (state.view === 'access') {
      q.set('opp', state.acc.opp);
      q.set('cutoff', state.acc.cutoff);
      q.set('cmp', state.acc.compare);
      q.set('cell', state.acc.cell);
      q.set('show', state.acc.show);
    }
    q.set('lang', state.lang);
    const hide = [...Object.keys(KINDS).filter((k) => !state.kindsOn.has(k))];
    if (!state.existingOn) hide.push('existing');
    if (!state.plannedOn) hide.push('planned');
    if (!state.transitOn) hide.push('transit');
    if (!state.districtsOn) hide.push('districts');
    if (hide.length) q.set('hide', hide.join(','));
    if (store.map) {
      // In the national view the link keeps the city's camera, to which the view returns.
      const cam = store.cityCamera || { center: store.map.getCenter(), zoom: store.map.getZoom() };
      q.set('map', `${cam.zoom.toFixed(2)}/${cam.center.lat.toFixed(5)}/${cam.center.lng.toFixed(5)}`);
    }
    const url = `${window.location.pathname}?${q.toString().replaceAll('%2C', ',').replaceAll('%2F', '/').replaceAll('%7C', '|').replaceAll('%3A', ':')}`;
    window.history.replaceState(null, '', url);
  }, 150);
}
