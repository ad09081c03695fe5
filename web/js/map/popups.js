// Hover tips and detail popups. A click on a feature only opens it: the analysis stays as it is
// until the reader asks for "Reach from here".
import * as maplibregl from '../../vendor/maplibre-gl.mjs';
import { state, store, KINDS } from '../state.js';
import { t, esc, nameOf, altNameOf, fmtMin, kindLabel, statusLabel, scenarioName, sourceText, legsText } from '../i18n.js';
import { empty } from './style.js';
import { percentilesText } from '../panels/timing.js';
import { circle } from './layers.js';

export const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'tip', offset: 12, maxWidth: '280px' });
export const detail = new maplibregl.Popup({ closeButton: true, closeOnClick: true, offset: 12, maxWidth: '340px', focusAfterOpen: false });
export const INTERACTIVE = ['feat-point', 'feat-line', 'reached-ring', 'station', 'origin', 'line-planned', 'line'];

export function featureAt(point) {
  const { map } = store;
  const layers = INTERACTIVE.filter((id) => map.getLayer(id));
  const box = [[point.x - 3, point.y - 3], [point.x + 3, point.y + 3]];
  const hits = map.queryRenderedFeatures(box, { layers });
  for (const id of INTERACTIVE) { const h = hits.find((x) => x.layer.id === id); if (h) return h; }
  return null;
}
export function reachedById(id) {
  if (!store.lastReach || state.view === 'compare') return null;
  return store.lastReach.features.find((f) => f.properties.layer === 'reached' && String(f.properties.id) === String(id)) || null;
}
const stationKind = (p) => (p._rail ? t('railStation') : t('metroStation'));

export function tipHtml(h) {
  const p = h.properties;
  if (h.layer.id === 'station') return `<b>${esc(nameOf(p))}</b> <span class="badge">${esc(stationKind(p))}</span>${p._planned ? ` <span class="badge planned">${esc(t('planned'))}</span>` : ''}`;
  if (h.layer.id === 'line' || h.layer.id === 'line-planned') {
    return `<span class="swatch-line" style="background:${esc(p._color)}"></span><b>${esc(nameOf(p))}</b>`
      + `${p._planned ? ` <span class="badge planned">${esc(scenarioName(p.scenario) || t('planned'))}</span>` : ''}`
      + `${p.from && p.to ? `<br>${esc(p.from)} – ${esc(p.to)}` : ''}${p.headway_minutes ? ` · ${esc(t('headway', { m: p.headway_minutes }))}` : ''}`;
  }
  if (h.layer.id === 'origin') return `<b>${esc(t('origin'))}</b>: ${esc(p.name || '')}`;
  const rec = store.catalog.get(String(p.id));
  const q = rec ? rec.properties : p;
  let s = `<b>${esc(nameOf(q))}</b>`;
  const alt = altNameOf(q);
  if (alt) s += ` <span class="alt">${esc(alt)}</span>`;
  s += `<br>${esc(kindLabel(q.kind))} · <span class="badge ${esc(q.status)}">${esc(statusLabel(q.status))}</span>`;
  const r = reachedById(q.id);
  if (r) s += ` · <b>${fmtMin(r.properties.minutes)} ${esc(t('min'))}</b>`;
  return s;
}

function actions(attrs) {
  return `<div class="actions"><button type="button" class="btn small primary" ${attrs} data-act="replace">${esc(t('reachFromHere'))}</button>`
    + `<button type="button" class="btn small" ${attrs} data-act="add">${esc(t('addAsOrigin'))}</button></div>`;
}

export function detailHtml(rec) {
  const p = rec.properties;
  const k = KINDS[p.kind];
  const rows = [];
  const row = (label, value) => { if (value !== null && value !== undefined && value !== '') rows.push(`<dt>${esc(label)}</dt><dd>${value}</dd>`); };
  const r = reachedById(p.id);
  if (r) {
    const pcts = percentilesText(r.properties);
    row(t('reachedL'), `<b>${fmtMin(r.properties.minutes)} ${esc(t('min'))}</b>${pcts ? `<div class="pcts">${esc(pcts)}</div>` : ''}<div class="legs">${esc(legsText(r.properties.legs))}</div>`
      + `<button type="button" class="btn small" data-route="${esc(p.id)}">${esc(t('showRoute'))}</button>`);
  }
  row(t('statusL'), `<span class="badge ${esc(p.status)}">${esc(statusLabel(p.status))}</span>${p.year ? ` ${esc(p.year)}` : ''}`);
  row(t('asOf'), esc(p.status_as_of));
  const d = p.district ? store.districtNames.get(String(p.district)) : null;
  row(t('district'), d ? esc(state.lang === 'zh' ? d.zh : d.en) : esc(p.district));
  if (p.area_km2 != null) row(t('areaKm2'), `${esc(p.area_km2)} km²${p.area_km2 > 0.5 ? `<div class="legs">${esc(t('areaCircle'))}</div>` : ''}`);
  if (Array.isArray(p.aliases) && p.aliases.length) row(t('aliases'), esc(p.aliases.join('、')));
  if (Array.isArray(p.sources) && p.sources.length) row(t('sources'), p.sources.map((s) => `<span title="${esc(s.doc)}">${esc(sourceText(s))}</span>`).join('<br>'));
  if (p.position) {
    row(t('position'), esc(p.position.method));
    row(t('accuracy'), p.position.accuracy_m != null ? `± ${esc(Math.round(p.position.accuracy_m))} m` : '');
    row(t('anchor'), esc(p.position.anchor));
  }
  const alt = altNameOf(p);
  return `<div class="pp">
    <div class="pp-title">${esc(nameOf(p))}</div>
    ${alt ? `<div class="pp-sub">${esc(alt)}</div>` : ''}
    <div class="pp-kind"><span class="dot" style="background:${k ? k.color : '#888'}"></span>${esc(kindLabel(p.kind))}${p.subkind ? ` · ${esc(String(p.subkind).replaceAll('_', ' '))}` : ''}</div>
    <dl>${rows.join('')}</dl>
    ${p.note ? `<div class="note">${esc(p.note)}</div>` : ''}
    ${actions(`data-reach-from="${esc(p.id)}"`)}
    <div class="pp-id">${esc(p.id)}</div>
  </div>`;
}
export function stationHtml(p, lonlat) {
  return `<div class="pp"><div class="pp-title">${esc(nameOf(p))}</div>${altNameOf(p) ? `<div class="pp-sub">${esc(altNameOf(p))}</div>` : ''}
    <div class="pp-kind">${esc(stationKind(p))}${p._planned ? ` <span class="badge planned">${esc(t('planned'))}</span>` : ''}</div>
    <dl><dt>id</dt><dd>${esc(p.id || '')}</dd><dt>lon, lat</dt><dd>${lonlat.map((v) => v.toFixed(5)).join(', ')}</dd></dl>
    ${actions(`data-reach-station="${esc(p.id || `${lonlat[0]},${lonlat[1]}`)}" data-name-zh="${esc(p.name_zh || '')}" data-name-en="${esc(p._name_en || p.name_en || '')}" data-lonlat="${lonlat.join(',')}"`)}</div>`;
}
export function linkHtml(p) {
  const rows = [];
  const row = (k, v) => { if (v != null && v !== '') rows.push(`<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`); };
  const zh = state.lang === 'zh';
  row(t('scenario'), scenarioName(p.scenario));
  row(zh ? '线路长度' : 'Track', p.track_km != null ? `${p.track_km} km` : '');
  row(zh ? '平均速度' : 'Speed', p.average_speed_kmh != null ? `${p.average_speed_kmh} km/h` : '');
  row(zh ? '发车间隔' : 'Headway', p.headway_min != null ? `${p.headway_min} ${t('min')}` : '');
  row(zh ? '停站' : 'Dwell', p.dwell_s != null ? `${p.dwell_s} s` : '');
  row(t('sources'), p.source);
  return `<div class="pp"><div class="pp-title">${esc(nameOf(p))}</div>${altNameOf(p) ? `<div class="pp-sub">${esc(altNameOf(p))}</div>` : ''}
    <div class="pp-kind"><span class="dot" style="background:${esc(p._color)}"></span><span class="badge planned">${esc(t('planned'))}</span></div>
    <dl>${rows.join('')}</dl>${p.alignment ? `<div class="note">${esc(p.alignment)}</div>` : ''}</div>`;
}

// A popup never taller than the room on either side of its point, so it is never cut off.
export function fitPopups() {
  const h = store.map.getContainer().clientHeight;
  store.map.getContainer().style.setProperty('--pp-max', `${Math.max(120, Math.floor(h / 2) - 64)}px`);
}

function showAccuracy(rec) {
  const { map } = store;
  const acc = rec && rec.properties.position && rec.properties.position.accuracy_m;
  if (!acc || !rec.geometry || rec.geometry.type !== 'Point') { map.getSource('accuracy').setData(empty()); return; }
  map.getSource('accuracy').setData({ type: 'FeatureCollection', features: [circle(rec.geometry.coordinates, acc)] });
}
export function openDetail(id, lngLat) {
  const rec = store.catalog.get(String(id));
  if (!rec) return;
  const at = lngLat || (rec.geometry.type === 'Point' ? rec.geometry.coordinates : rec.geometry.coordinates[0]);
  fitPopups();
  detail.setLngLat(at).setHTML(detailHtml(rec)).addTo(store.map);
  showAccuracy(rec);
}
detail.on('close', () => { if (store.map && store.map.getSource('accuracy')) store.map.getSource('accuracy').setData(empty()); });
