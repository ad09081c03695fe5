// The national view of the Plan targets tab: China's prefecture-level cities, coloured by
// whether they are within a target's hours of Zhengzhou under one reading (rail, road or air).
// The basemap is the city's own data, so at this scale only the cities themselves are drawn.
import { $, state, store, HOME, MAX_BOUNDS } from '../state.js';
import { t, esc } from '../i18n.js';
import { api, showError } from '../api.js';
import { detail } from './popups.js';
import { setLayersOpen } from './layers.js';

export const READINGS = ['rail', 'road', 'air'];
export const NAT_COLOURS = { within: '#1a5fb4', beyond: '#ffffff', none: '#9a9a9a', origin: '#1b1b1b' };
const CHINA = [[73.5, 18.0], [134.8, 53.6]];

export const nat = { on: false, reading: 'rail', hours: 1.5, target: null, saved: null, cities: null };

async function cities() {
  if (nat.cities) return nat.cities;
  const { body } = await api('collections/national/items', { limit: 10000 });
  nat.cities = body.features || [];
  return nat.cities;
}

const hoursOf = (p, reading) => (p[`${reading}_h`] == null ? null : Number(p[`${reading}_h`]));
/** 'within', 'beyond' or 'none' (no modelled value) for a city under the current reading. */
export function classOf(p) {
  if (p.origin) return 'within';
  const h = hoursOf(p, nat.reading);
  // The rail and road source leaves out pairs beyond its own range (2.7 h, 2.5 h): beyond the
  // target. A missing air value means no airport within 150 km: no reading at all.
  if (h == null) return nat.reading === 'air' ? 'none' : 'beyond';
  return h <= nat.hours ? 'within' : 'beyond';
}

function ensureLayers() {
  const { map } = store;
  if (map.getSource('national')) return;
  map.addSource('national', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({
    id: 'national-city',
    type: 'circle',
    source: 'national',
    paint: {
      'circle-radius': ['case', ['get', 'origin'], 7, ['==', ['get', '_class'], 'none'], 3, 5],
      'circle-color': ['case', ['get', 'origin'], NAT_COLOURS.origin, ['match', ['get', '_class'], 'within', NAT_COLOURS.within, 'beyond', NAT_COLOURS.beyond, NAT_COLOURS.none]],
      'circle-stroke-color': ['match', ['get', '_class'], 'beyond', '#4d4d4d', '#ffffff'],
      'circle-stroke-width': ['match', ['get', '_class'], 'none', 0.5, 1.5],
    },
  });
  map.on('click', 'national-city', (e) => {
    const f = e.features && e.features[0];
    if (f) setTimeout(() => openCity(f.properties.dzcode), 0);
  });
  map.on('mouseenter', 'national-city', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'national-city', () => { map.getCanvas().style.cursor = ''; });
}

function draw() {
  const { map } = store;
  const feats = (nat.cities || []).map((f) => ({ ...f, properties: { ...f.properties, _class: classOf(f.properties) } }));
  map.getSource('national').setData({ type: 'FeatureCollection', features: feats });
  renderLegend(feats);
}

export function counts() {
  const c = { within: 0, beyond: 0, none: 0 };
  for (const f of nat.cities || []) c[classOf(f.properties)] += 1;
  return c;
}

function renderLegend() {
  const box = $('#map-legend');
  const c = counts();
  box.dataset.kind = 'national';
  const h = String(nat.hours);
  box.innerHTML = `<div class="lt">${esc(t('natLegend', { h, r: t(`nat_${nat.reading}`) }))}</div>`
    + `<div class="row" data-class="within"><i class="dot" style="background:${NAT_COLOURS.within}"></i>${esc(t('natWithin', { h }))} <b>${c.within}</b></div>`
    + `<div class="row" data-class="beyond"><i class="dot" style="background:${NAT_COLOURS.beyond};border-color:#4d4d4d"></i>${esc(t('natBeyond', { h }))} <b>${c.beyond}</b></div>`
    + (nat.reading === 'air' ? `<div class="row" data-class="none"><i class="dot small" style="background:${NAT_COLOURS.none}"></i>${esc(t('natNone'))} <b>${c.none}</b></div>` : '')
    + `<div class="row"><i class="dot" style="background:${NAT_COLOURS.origin}"></i>${esc(t('natOrigin'))}</div>`
    + `<div class="nat-offline">${esc(t('natOffline'))}</div>`;
  box.hidden = false;
}

const fmtH = (h) => (h == null ? '–' : `${Number(h).toFixed(2)} h`);
export function cityHtml(p) {
  const zh = state.lang === 'zh';
  const name = zh ? p.name_zh : (p.name_en || p.name_zh);
  const row = (r) => {
    const h = hoursOf(p, r);
    const ok = h != null && h <= nat.hours;
    return `<tr data-mode="${r}"${r === nat.reading ? ' class="sel"' : ''}><th scope="row">${esc(t(`nat_${r}`))}</th><td>${esc(fmtH(h))}</td><td>${h == null ? esc(t(r === 'air' ? 'natNoValue' : 'natBeyondRange')) : `${esc(ok ? '≤' : '>')} ${nat.hours} h`}</td></tr>`;
  };
  return `<div class="pop nat-pop" data-city="${esc(p.dzcode)}"><div class="pop-title">${esc(name)}</div>`
    + `${p.origin ? `<div>${esc(t('natOrigin'))}</div>` : ''}`
    + `<table class="nat-hours"><caption>${esc(t('natHoursFrom'))}</caption>${READINGS.map(row).join('')}</table>`
    + `<div class="muted">${esc(t('natPop2010', { n: Number(p.population_2010 || 0).toLocaleString(zh ? 'zh-CN' : 'en-GB') }))}</div></div>`;
}

export function openCity(dzcode) {
  const f = (nat.cities || []).find((c) => String(c.properties.dzcode) === String(dzcode));
  if (!f) return;
  detail.setLngLat(f.geometry.coordinates).setHTML(cityHtml(f.properties)).addTo(store.map);
}

/** Zooms out to China and draws the cities for a target's threshold. */
export async function enterNational(targetId, hours) {
  const { map } = store;
  nat.target = targetId;
  nat.hours = hours;
  try { await cities(); } catch (e) { showError(e); return; }
  ensureLayers();
  if (!nat.on) {
    const hidden = {};
    for (const l of map.getStyle().layers) {
      if (l.id === 'background' || l.id === 'national-city') continue;
      hidden[l.id] = map.getLayoutProperty(l.id, 'visibility') || 'visible';
      map.setLayoutProperty(l.id, 'visibility', 'none');
    }
    nat.saved = { center: map.getCenter(), zoom: map.getZoom(), visibility: hidden, layersOpen: $('#layers-toggle').getAttribute('aria-expanded') === 'true' };
    store.cityCamera = { center: nat.saved.center, zoom: nat.saved.zoom };
    // The city's layer list would cover eastern China; it opens again on the way back.
    setLayersOpen(false);
    nat.on = true;
    map.setLayoutProperty('national-city', 'visibility', 'visible');
    map.setMaxBounds(null);
    map.setMinZoom(1.5);
    map.fitBounds(CHINA, { padding: 20, duration: 0 });
  }
  detail.remove();
  draw();
  document.documentElement.dataset.national = '1';
}

/** Back to the city as it was before the national view. */
export function exitNational() {
  const { map } = store;
  if (!nat.on) return;
  nat.on = false;
  store.cityCamera = null;
  detail.remove();
  map.setLayoutProperty('national-city', 'visibility', 'none');
  for (const [id, v] of Object.entries(nat.saved.visibility)) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v);
  map.setMinZoom(7.5);
  map.setMaxBounds(MAX_BOUNDS);
  map.jumpTo(nat.saved ? { center: nat.saved.center, zoom: nat.saved.zoom } : HOME);
  if (nat.saved && nat.saved.layersOpen) setLayersOpen(true);
  const box = $('#map-legend');
  if (box.dataset.kind === 'national') { box.hidden = true; box.innerHTML = ''; delete box.dataset.kind; }
  delete document.documentElement.dataset.national;
}

export function setReading(r) {
  nat.reading = r;
  if (nat.on) draw();
}
export function redrawNational() { if (nat.on) draw(); }
