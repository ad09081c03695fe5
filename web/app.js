// The planner's web map: planning features on an offline basemap drawn from the city's own
// data, and reach queries against the cityreach API. Plain ES modules, no build step:
// js/state.js (choices and answers), js/i18n.js (texts), js/api.js (requests and errors),
// js/map/* (style, layers, popups, route), js/panels/* (reach, compare, targets, access, search,
// export).
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { $, state, store, KINDS, HOME, MAX_BOUNDS, readUrl, writeUrl } from './js/state.js';
import { t, scenarioName } from './js/i18n.js';
import { api, showError } from './js/api.js';
import { style, makeIcon, featLabelExpr, labelExpr } from './js/map/style.js';
import { loadCollections, applyCollections, renderKindLegend, renderLineLegend, renderPopLegend, bindLayerControls, setLayersOpen } from './js/map/layers.js';
import { tip, detail, featureAt, tipHtml, stationHtml, linkHtml, openDetail, fitPopups, reachedById } from './js/map/popups.js';
import { clearRoute, showRoute } from './js/map/route.js';
import { setOrigin, clearOrigin, renderOrigins, run, setView, drawReach, selectReached } from './js/panels/reach.js';
import { drawCompare } from './js/panels/compare.js';
import { renderTargets } from './js/panels/targets.js';
import { nat, redrawNational } from './js/map/national.js';
import { bindSearch } from './js/panels/search.js';
import { bindExports } from './js/panels/export.js';
import { bindAccess, fillAccessControls, renderAccessTexts, drawAccess } from './js/panels/access.js';
import { loadTransit, bindTiming, renderTiming, fillTimingTexts } from './js/panels/timing.js';
import { bindScenario, scenarioClick, renderScenarioTexts } from './js/panels/scenario.js';

const initialView = readUrl();
const map = new maplibregl.Map({
  container: 'map',
  style: style(),
  center: initialView ? initialView.center : HOME.center,
  zoom: initialView ? initialView.zoom : HOME.zoom,
  minZoom: 7.5,
  maxZoom: 17,
  maxBounds: MAX_BOUNDS,
  attributionControl: false,
  dragRotate: false,
  pitchWithRotate: false,
  touchPitch: false,
  // Kept so the PNG export can read the map's pixels.
  canvasContextAttributes: { preserveDrawingBuffer: true },
});
store.map = map;
map.touchZoomRotate.disableRotation();

// Back to the whole city, from anywhere the user has wandered to.
class HomeControl {
  onAdd() {
    this.el = document.createElement('div');
    this.el.className = 'maplibregl-ctrl maplibregl-ctrl-group';
    this.el.innerHTML = '<button type="button" id="home" class="home-btn">⌂</button>';
    this.el.querySelector('button').addEventListener('click', () => map.flyTo({ ...HOME, duration: 600 }));
    return this.el;
  }
  onRemove() { this.el.remove(); }
}
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
map.addControl(new HomeControl(), 'top-left');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'District outlines: DataV GeoAtlas, converted to WGS-84 · cityreach' }), 'bottom-right');

const phone = () => window.matchMedia('(max-width: 700px)').matches;

function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
  $('#lang-zh').setAttribute('aria-pressed', String(lang === 'zh'));
  $('#lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-title]')) { el.title = t(el.dataset.i18nTitle); el.setAttribute('aria-label', t(el.dataset.i18nTitle)); }
  $('#home') && ($('#home').title = t('home'), $('#home').setAttribute('aria-label', t('home')));
  $('#minutes-out').dataset.unit = t('min');
  for (const o of $('#scenario').options) o.textContent = scenarioLabel(o.value);
  fillTimingTexts();
  map.getCanvas().setAttribute('aria-label', lang === 'zh' ? '地图。方向键平移，+ 和 − 缩放，Enter 以地图中心为起点。' : 'Map. Arrow keys pan, + and − zoom, Enter sets the origin at the centre.');
  if (store.mapReady) {
    for (const id of ['district-label', 'station-label', 'line-label']) map.setLayoutProperty(id, 'text-field', labelExpr());
    map.setLayoutProperty('feat-point', 'text-field', featLabelExpr());
    renderKindLegend();
    renderLineLegend();
    renderPopLegend();
  }
  renderOrigins();
  if (state.view === 'reach' && store.lastReach) drawReach();
  if (state.view === 'compare' && store.lastCompare) drawCompare();
  if (store.mapReady) renderScenarioTexts();
  if (state.view === 'targets' && store.targetsCache.get(state.scenario)) renderTargets(store.targetsCache.get(state.scenario));
  redrawNational();
  if (state.view === 'access') { renderAccessTexts(); if (store.acc && store.acc.status === 'done') drawAccess(); } else fillAccessControls();
  // A message on screen is re-said in the new language only by the action that caused it.
  if ($('#error').dataset.code === 'OutOfArea') showError(null);
  tip.remove();
  detail.remove();
  // A drawn route stays; its steps are re-said in the new language.
  const sel = store.selected;
  if (sel && sel.key.startsWith('target:') && state.view === 'targets') showRoute(sel.key, sel.title, sel.minutes, sel.legs);
  else if (!(sel && sel.key.startsWith('feature:') && state.view === 'reach')) clearRoute();
  writeUrl();
}
const scenarioLabel = (id) => scenarioName(id);

async function loadScenarios() {
  try {
    const { body } = await api('scenarios');
    store.scenarios = Array.isArray(body) ? body : (body.scenarios || []);
  } catch (e) {
    store.scenarios = [{ id: 'existing', name: 'existing' }];
    showError(e);
  }
  if (!store.scenarios.some((s) => s.id === state.scenario)) store.scenarios.push({ id: state.scenario, name: state.scenario });
  const sel = $('#scenario');
  sel.innerHTML = '';
  for (const s of store.scenarios) {
    const o = document.createElement('option');
    o.value = s.id; o.textContent = scenarioLabel(s.id); o.title = s.name || '';
    sel.appendChild(o);
  }
  sel.value = state.scenario;
}

function bindControls() {
  const minutes = $('#minutes'); const out = $('#minutes-out');
  minutes.value = state.minutes; out.value = state.minutes;
  $('#mode').value = state.mode;
  $('#step').value = String(state.step);
  minutes.addEventListener('input', () => { out.value = minutes.value; });
  minutes.addEventListener('change', () => { state.minutes = Number(minutes.value); writeUrl(); run(); });
  $('#mode').addEventListener('change', (e) => { state.mode = e.target.value; renderTiming(); writeUrl(); run(); });
  $('#step').addEventListener('change', (e) => { state.step = Number(e.target.value); writeUrl(); run(); });
  $('#scenario').addEventListener('change', (e) => {
    state.scenario = e.target.value;
    renderTiming();
    writeUrl();
    if (state.view === 'targets') setView('targets'); else run();
  });
  bindTiming(run);
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
  $('#add-origin').addEventListener('click', () => {
    state.adding = !state.adding;
    renderOrigins();
    if (state.adding) $('#search').focus();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { tip.remove(); detail.remove(); } });
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-reach-from], button[data-reach-station], button[data-route]');
    if (!b) return;
    if (b.dataset.route) { selectReached(b.dataset.route); return; }
    const add = b.dataset.act === 'add';
    detail.remove();
    if (b.dataset.reachFrom) {
      const rec = store.catalog.get(b.dataset.reachFrom);
      const p = rec ? rec.properties : {};
      setOrigin({ query: b.dataset.reachFrom, label: p.name_zh || b.dataset.reachFrom, id: b.dataset.reachFrom, name_zh: p.name_zh, name_en: p.name_en }, add);
    } else {
      const c = b.dataset.lonlat.split(',').map(Number);
      setOrigin({ query: b.dataset.reachStation, label: b.dataset.nameZh || b.dataset.reachStation, id: b.dataset.reachStation, lonlat: c, name_zh: b.dataset.nameZh, name_en: b.dataset.nameEn }, add);
    }
  });
}

function bindMap() {
  let popupWasOpen = false;
  map.on('mousedown', () => { popupWasOpen = detail.isOpen(); });
  map.on('touchstart', () => { popupWasOpen = detail.isOpen(); });
  map.on('mousemove', (e) => {
    if (nat.on) { tip.remove(); return; }
    const h = featureAt(e.point);
    map.getCanvas().style.cursor = h ? 'pointer' : '';
    if (h) { tip.setLngLat(e.lngLat).setHTML(tipHtml(h)).addTo(map); return; }
    tip.remove();
  });
  map.on('mouseout', () => tip.remove());
  map.on('resize', fitPopups);
  map.on('click', (e) => {
    // The national view has its own popups and no origin to set.
    if (nat.on) return;
    let h = featureAt(e.point);
    tip.remove();
    // Drawing a line or picking a station to remove takes the click.
    if (scenarioClick(e, h)) return;
    // A click on an existing line picks the place under it, not the line.
    if (h && h.layer.id === 'line') h = null;
    if (h) {
      const p = h.properties;
      if (h.layer.id === 'origin') return;
      fitPopups();
      // Popups open after MapLibre's own click handling, which would close one opened now.
      if (h.layer.id === 'line-planned') { setTimeout(() => detail.setLngLat(e.lngLat).setHTML(linkHtml(p)).addTo(map), 0); return; }
      if (h.layer.id === 'station') {
        const c = h.geometry.coordinates;
        setTimeout(() => detail.setLngLat(c).setHTML(stationHtml(p, c)).addTo(map), 0);
        return;
      }
      // Reading a feature leaves the analysis as it is; a reached one shows its route.
      const id = String(p.id);
      setTimeout(() => {
        openDetail(id, h.geometry.type === 'Point' ? h.geometry.coordinates : e.lngLat);
        if (reachedById(id)) selectReached(id);
      }, 0);
      return;
    }
    if (popupWasOpen) return;
    // The accessibility surface has no origin to set: a click only reads features.
    if (state.view === 'access') return;
    const c = [Number(e.lngLat.lng.toFixed(5)), Number(e.lngLat.lat.toFixed(5))];
    setOrigin({ query: `${c[0]},${c[1]}`, label: `${c[0].toFixed(4)}, ${c[1].toFixed(4)}`, lonlat: c }, e.originalEvent && e.originalEvent.shiftKey);
  });
  map.on('moveend', writeUrl);
  map.getCanvas().addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || state.view === 'access' || nat.on) return;
    const c = map.getCenter();
    const ll = [Number(c.lng.toFixed(5)), Number(c.lat.toFixed(5))];
    setOrigin({ query: `${ll[0]},${ll[1]}`, label: `${ll[0].toFixed(4)}, ${ll[1].toFixed(4)}`, lonlat: ll }, e.shiftKey);
  });
}

// A city other than the embedded one (served with --data) lies outside the default camera's
// bounds: its own area becomes the home view.
function fitCity() {
  const a = store.area;
  if (!a) return;
  const [[w, s], [e, n]] = MAX_BOUNDS;
  if (a[0] < e && a[2] > w && a[1] < n && a[3] > s) return;
  map.setMaxBounds(null);
  map.setMinZoom(3);
  const cam = map.cameraForBounds([[a[0], a[1]], [a[2], a[3]]], { padding: 20 });
  if (!cam) return;
  HOME.center = [cam.center.lng, cam.center.lat];
  HOME.zoom = cam.zoom;
  if (!initialView) map.jumpTo(HOME);
}

// ---------- start ----------
for (const k of Object.keys(KINDS)) for (const solid of [true, false]) {
  store.icons[`${k}-${solid ? 'e' : 'p'}`] = makeIcon(k, solid).canvas.toDataURL();
}

window.cityreach = {
  map,
  state,
  catalog: store.catalog,
  get lastReach() { return store.lastReach; },
  get lastReachUrl() { return store.lastReachUrl; },
  get lastCompare() { return store.lastCompare; },
  get selected() { return store.selected; },
  get access() { return store.acc; },
  get transit() { return store.transit; },
  get lastScenario() { return store.lastScenario; },
  get route() { return store.selected ? store.selected.features : []; },
  ready: false,
};

if (phone()) setLayersOpen(false);
setLang(state.lang);
bindControls();
bindLayerControls();
bindSearch();
bindExports();

map.on('load', async () => {
  for (const k of Object.keys(KINDS)) for (const solid of [true, false]) {
    map.addImage(`${k}-${solid ? 'e' : 'p'}`, makeIcon(k, solid).image, { pixelRatio: 2 });
  }
  store.mapReady = true;
  // On a phone the credits start folded (ⓘ opens them), so they do not cover the scale bar.
  if (phone()) {
    const attrib = document.querySelector('.maplibregl-ctrl-attrib');
    if (attrib) { attrib.classList.remove('maplibregl-compact-show'); attrib.removeAttribute('open'); }
  }
  bindMap();
  bindAccess();
  bindScenario();
  fitPopups();
  const [got] = await Promise.all([loadCollections(), loadScenarios(), loadTransit()]);
  applyCollections(got);
  fitCity();
  renderTiming();
  setLang(state.lang);
  setView(state.view);
  map.once('idle', () => {
    window.cityreach.ready = true;
    document.documentElement.dataset.ready = '1';
  });
  map.triggerRepaint();
});
