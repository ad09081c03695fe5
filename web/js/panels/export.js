// Exports a planner pastes into a report: CSV of the reached features, a PNG of the map with its
// legend, scale, scenario and parameters, and the GeoJSON answer itself.
import { $, state, store } from '../state.js';
import { t, fmtMin, nameOf, scenarioName, legsText } from '../i18n.js';
import { showError } from '../api.js';
import { reachedOf, sortedBands, bandColours, budgetOf } from './reach.js';

function slug() {
  const o = state.origins.map((x) => x.query).join('+') || 'reach';
  return o.replace(/[^\p{L}\p{N}.+-]+/gu, '_');
}
export function fileName(name, ext) {
  return `cityreach-${name}-${slug()}-${state.mode}-${state.minutes}min.${ext}`;
}
export function download(data, name, ext, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName(name, ext);
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

const csvCell = (v) => { const s = String(v ?? ''); return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s; };
export function reachCsv(fc) {
  const meta = fc.metadata || {};
  const origins = (meta.origins || []).map((o) => o.name || o.query).join(' + ');
  const head = ['id', 'name_zh', 'name_en', 'kind', 'status', 'minutes', 'band_max_minutes', 'lon', 'lat', 'route', 'origin', 'mode', 'scenario'];
  const rows = reachedOf(fc).sort((a, b) => a.properties.minutes - b.properties.minutes).map((f) => {
    const p = f.properties;
    const c = f.geometry && f.geometry.coordinates;
    return [p.id, p.name_zh, p.name_en, p.kind, p.status, p.minutes, p.band, c ? c[0] : '', c ? c[1] : '', legsText(p.legs) || p.legs_text, origins, meta.mode, meta.scenario && meta.scenario.id];
  });
  // A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
  return `\ufeff${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

// A scale bar length in metres that is a round number and at most maxPx wide.
export function scaleBar(map, maxPx) {
  const lat = map.getCenter().lat;
  const mPerPx = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const max = mPerPx * maxPx;
  const pow = 10 ** Math.floor(Math.log10(max));
  const nice = [5, 2, 1].map((k) => k * pow).find((v) => v <= max) || pow;
  return { metres: nice, px: nice / mPerPx };
}

export async function mapPng() {
  const { map } = store;
  const fc = state.view === 'compare' && store.lastCompare ? store.lastCompare.plan : store.lastReach;
  await new Promise((resolve) => { map.once('idle', resolve); map.triggerRepaint(); setTimeout(resolve, 3000); });
  const src = map.getCanvas();
  const ratio = src.width / src.clientWidth;
  const w = src.clientWidth;
  const headH = 64; const bands = fc ? sortedBands(fc) : [];
  const legendRows = Math.ceil(bands.length / 4);
  const footH = 56 + legendRows * 20;
  const out = document.createElement('canvas');
  out.width = Math.round(w * ratio); out.height = Math.round((src.clientHeight + headH + footH) * ratio);
  const g = out.getContext('2d');
  g.scale(ratio, ratio);
  const font = getComputedStyle(document.documentElement).fontFamily;
  g.fillStyle = '#ffffff'; g.fillRect(0, 0, w, out.height);
  g.fillStyle = '#1d2733';
  g.font = `700 17px ${font}`;
  const origins = state.origins.map((o) => (o.name_zh || o.name_en ? nameOf(o) : o.label)).join(' + ') || '—';
  g.fillText(`${t('origin')}: ${origins}`, 12, 24);
  g.font = `14px ${font}`;
  const sc = scenarioName(fc?.metadata?.scenario?.id || state.scenario);
  const budget = fc ? budgetOf(fc) : state.minutes;
  const bandText = bands.length > 1 ? ` · ${t('bands')} ${bands.map((b) => fmtMin(b.max_minutes)).join(', ')}` : '';
  g.fillText(`${t('mode_' + state.mode)} · ${fmtMin(budget)} ${t('min')}${bandText} · ${t('scenario')}: ${sc}`, 12, 46);
  g.drawImage(src, 0, headH, w, src.clientHeight);
  let y = headH + src.clientHeight + 18;
  // Legend: one swatch per band.
  const colours = bandColours(bands);
  g.font = `13px ${font}`;
  bands.forEach((b, i) => {
    const x = 12 + (i % 4) * ((w - 24) / 4); const yy = y + Math.floor(i / 4) * 20;
    g.fillStyle = colours.get(Number(b.max_minutes)); g.fillRect(x, yy - 10, 18, 12);
    g.strokeStyle = '#555'; g.strokeRect(x, yy - 10, 18, 12);
    g.fillStyle = '#1d2733'; g.fillText(t('bandRange', { a: fmtMin(b.min_minutes), b: fmtMin(b.max_minutes) }), x + 24, yy);
  });
  y += legendRows * 20 + 6;
  const s = scaleBar(map, 120);
  g.fillStyle = '#1d2733'; g.fillRect(12, y, s.px, 4);
  g.fillRect(12, y - 4, 2, 8); g.fillRect(12 + s.px - 2, y - 4, 2, 8);
  g.fillText(s.metres >= 1000 ? `${s.metres / 1000} km` : `${s.metres} m`, 20 + s.px, y + 5);
  g.font = `12px ${font}`;
  g.fillStyle = '#4a5563';
  const sm = fc?.metadata?.street_model?.model === 'crow_fly' ? t('crowFly') : '';
  g.fillText(`cityreach · ${new Date().toISOString().slice(0, 10)} · ${sm}`.slice(0, 160), 12, y + 26);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob'))), 'image/png'));
}

export function bindExports() {
  $('#download').addEventListener('click', () => {
    if (store.lastReach) download(JSON.stringify(store.lastReach), `reach-${store.lastReach.metadata?.scenario?.id || state.scenario}`, 'geojson', 'application/geo+json');
  });
  $('#download-csv').addEventListener('click', () => {
    if (store.lastReach) download(reachCsv(store.lastReach), `reach-${store.lastReach.metadata?.scenario?.id || state.scenario}`, 'csv', 'text/csv;charset=utf-8');
  });
  $('#download-png').addEventListener('click', async () => {
    try {
      download(await mapPng(), `map-${state.scenario}`, 'png', 'image/png');
    } catch (e) {
      showError({ code: 'Export', userMessage: t('pngFailed', { e: e.message }) });
    }
  });
}
