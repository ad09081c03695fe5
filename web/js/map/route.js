// An itinerary on the map: walks dashed, rides in their line's colour, boarding, transfer and
// alighting stations marked with their names; the steps listed beside the map.
import { $, store } from '../state.js';
import { t, esc, fmtMin, legText, routeName, lineOf, timetableSteps } from '../i18n.js';
import { empty, ROUTE } from './style.js';

export function routeFeatures(legs) {
  const out = [];
  const stops = new Map();
  for (const l of legs || []) {
    if (!Array.isArray(l.path) || l.path.length < 2) continue;
    if (l.type === 'ride') {
      const line = lineOf(l.route_id);
      out.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: l.path }, properties: { type: 'ride', _color: line ? line._color : ROUTE, route: routeName(l.route_id, l.route) } });
      const a = l.path[0]; const b = l.path[l.path.length - 1];
      stops.set(`${a}`, { c: a, label: l.from });
      stops.set(`${b}`, { c: b, label: l.to });
    } else if (l.type === 'street') {
      out.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: l.path }, properties: { type: 'street' } });
    }
  }
  for (const s of stops.values()) out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: s.c }, properties: { type: 'stop', label: s.label } });
  return out;
}

export function showRoute(key, title, minutes, legs) {
  const { map } = store;
  const feats = routeFeatures(legs);
  store.selected = { key, title, minutes, legs, features: feats };
  map.getSource('route').setData({ type: 'FeatureCollection', features: feats });
  const box = $('#route');
  const steps = (legs || []).filter((l) => !(l.type === 'street' && Number(l.minutes) === 0) && !(l.type === 'wait' && Number(l.minutes) === 0));
  box.innerHTML = `<div class="route-head"><b>${esc(t('routeTo', { n: title }))}</b> <span class="route-min">${esc(fmtMin(minutes))} ${esc(t('min'))}</span>`
    + `<button type="button" class="icon-btn" id="route-close" title="${esc(t('clear'))}" aria-label="${esc(t('clear'))}">✕</button></div>`
    + `<ol class="steps">${steps.length ? steps.map((l) => (l.type === 'timetable'
      ? timetableSteps(l).map((x) => `<li class="step timetable">${esc(x)}</li>`).join('')
      : `<li class="step ${esc(l.type)}">${l.type === 'ride' ? `<i style="background:${esc((lineOf(l.route_id) || {})._color || ROUTE)}"></i>` : ''}${esc(legText(l))}</li>`)).join('') : `<li class="step">${esc(t('atOrigin'))}</li>`}</ol>`;
  box.hidden = false;
  box.querySelector('#route-close').addEventListener('click', clearRoute);
  const coords = feats.flatMap((f) => (f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates));
  if (coords.length) {
    const b = coords.reduce((acc, c) => [Math.min(acc[0], c[0]), Math.min(acc[1], c[1]), Math.max(acc[2], c[0]), Math.max(acc[3], c[1])], [Infinity, Infinity, -Infinity, -Infinity]);
    const v = map.getBounds();
    if (!(b[0] >= v.getWest() && b[2] <= v.getEast() && b[1] >= v.getSouth() && b[3] <= v.getNorth())) {
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, maxZoom: 14, duration: 500 });
    }
  }
  document.documentElement.dataset.route = key;
}

export function clearRoute() {
  store.selected = null;
  if (store.map && store.map.getSource('route')) store.map.getSource('route').setData(empty());
  const box = $('#route');
  if (box) { box.hidden = true; box.innerHTML = ''; }
  delete document.documentElement.dataset.route;
}
