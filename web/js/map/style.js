// The map style, drawn from the city's own data (no tiles, no glyphs, no sprite), and colours.
import { state, KINDS } from '../state.js';

export const CMP_BASE = '#2a8c82';
export const CMP_GAIN = '#d6336c';
export const ROUTE = '#c2255c';
// A long ramp (dark teal → yellow) so many bands still span distinct colours.
const BAND_RAMP = ['#0b4f6c', '#1b6f6a', '#3f9f7a', '#8cc56b', '#e6dc6a', '#f2b134'];

export const empty = () => ({ type: 'FeatureCollection', features: [] });

export const labelExpr = () => (state.lang === 'zh'
  ? ['coalesce', ['get', 'name_zh'], ['get', '_name_en'], ['get', 'name_en'], '']
  : ['coalesce', ['get', '_name_en'], ['get', 'name_en'], ['get', 'name_pinyin'], ['get', 'name_zh'], '']);
export const featLabelExpr = () => ['step', ['zoom'], ['case', ['==', ['get', 'kind'], 'transport_hub'], labelExpr(), ''], 11.3, labelExpr()];
const halo = { 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.4 };
const kindColour = (fallback) => ['match', ['get', 'kind'], ...Object.entries(KINDS).flatMap(([k, v]) => [k, v.color]), fallback];

function hex(c) { return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)); }
function toHex(rgb) { return `#${rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('')}`; }
function ramp(frac) {
  const f = Math.max(0, Math.min(1, frac)) * (BAND_RAMP.length - 1);
  const i = Math.min(BAND_RAMP.length - 2, Math.floor(f));
  const a = hex(BAND_RAMP[i]); const b = hex(BAND_RAMP[i + 1]); const u = f - i;
  return a.map((v, k) => v + (b[k] - v) * u);
}
// Colour of band i of n. With many bands, every other band is lighter, so neighbours never
// look alike even when the ramp moves little between them.
export function bandColour(i, n) {
  if (n <= 1) return toHex(ramp(0.4));
  const c = ramp(i / (n - 1));
  if (n > 6 && i % 2 === 1) return toHex(c.map((v) => v + (255 - v) * 0.45));
  return toHex(c);
}
// Black or white text, whichever reads better on a band colour.
export function inkOn(colour) {
  const lum = (rgb) => { const l = rgb.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; }); return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const L = lum(hex(colour));
  return (1.05 / (L + 0.05)) > ((L + 0.05) / 0.05) ? '#ffffff' : '#111111';
}

export function style() {
  return {
    version: 8,
    sources: {
      districts: { type: 'geojson', data: empty() },
      'district-points': { type: 'geojson', data: empty() },
      lines: { type: 'geojson', data: empty() },
      stations: { type: 'geojson', data: empty() },
      features: { type: 'geojson', data: empty(), promoteId: 'id' },
      areas: { type: 'geojson', data: empty() },
      accuracy: { type: 'geojson', data: empty() },
      reach: { type: 'geojson', data: empty() },
      cmp: { type: 'geojson', data: empty() },
      route: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#e9ebe6' } },
      { id: 'district-fill', type: 'fill', source: 'districts', paint: { 'fill-color': ['match', ['%', ['to-number', ['get', 'adcode'], 0], 3], 0, '#f6f4ee', 1, '#f2f1ea', '#f4f2ec'], 'fill-opacity': 1 } },
      { id: 'district-line', type: 'line', source: 'districts', paint: { 'line-color': '#a8a292', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 13, 1.8], 'line-dasharray': [3, 2] } },
      // Free-trade zones with an area are drawn as a circle of that area around their anchor.
      { id: 'area-fill', type: 'fill', source: 'areas', paint: { 'fill-color': ['get', '_color'], 'fill-opacity': 0.05 } },
      { id: 'area-line', type: 'line', source: 'areas', paint: { 'line-color': ['get', '_color'], 'line-width': 1, 'line-dasharray': [4, 2], 'line-opacity': 0.5 } },
      { id: 'band-fill', type: 'fill', source: 'reach', filter: ['==', ['get', 'layer'], 'band'], paint: { 'fill-color': ['get', '_color'], 'fill-opacity': 0.5 } },
      { id: 'band-line', type: 'line', source: 'reach', filter: ['==', ['get', 'layer'], 'band'], paint: { 'line-color': '#17324d', 'line-width': 0.7, 'line-opacity': 0.55 } },
      { id: 'cmp-plan-fill', type: 'fill', source: 'cmp', filter: ['==', ['get', '_side'], 'plan'], paint: { 'fill-color': CMP_GAIN, 'fill-opacity': 0.38 } },
      { id: 'cmp-base-fill', type: 'fill', source: 'cmp', filter: ['==', ['get', '_side'], 'base'], paint: { 'fill-color': CMP_BASE, 'fill-opacity': 0.62 } },
      { id: 'cmp-plan-line', type: 'line', source: 'cmp', filter: ['==', ['get', '_side'], 'plan'], paint: { 'line-color': CMP_GAIN, 'line-width': 1.4 } },
      { id: 'line-casing', type: 'line', source: 'lines', layout: { 'line-join': 'round', 'line-cap': 'round' }, filter: ['!', ['get', '_planned']], paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 2.5, 14, 7] } },
      { id: 'line', type: 'line', source: 'lines', layout: { 'line-join': 'round', 'line-cap': 'round' }, filter: ['!', ['get', '_planned']], paint: { 'line-color': ['get', '_color'], 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.4, 14, 4.5] } },
      { id: 'rail-ties', type: 'line', source: 'lines', filter: ['all', ['!', ['get', '_planned']], ['==', ['get', '_rail'], true]], paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 0.7, 14, 2], 'line-dasharray': [3, 3] } },
      { id: 'line-planned', type: 'line', source: 'lines', filter: ['get', '_planned'], paint: { 'line-color': ['get', '_color'], 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.6, 14, 4], 'line-dasharray': [2, 1.5] } },
      { id: 'line-label', type: 'symbol', source: 'lines', minzoom: 11, layout: { 'symbol-placement': 'line', 'text-field': labelExpr(), 'text-size': 12, 'symbol-spacing': 380 }, paint: { 'text-color': ['get', '_color'], 'text-halo-color': '#ffffff', 'text-halo-width': 2 } },
      { id: 'station', type: 'circle', source: 'stations', paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, ['case', ['get', '_rail'], 3, 1.2], 14, ['case', ['get', '_rail'], 7, 5]], 'circle-color': '#ffffff', 'circle-stroke-color': ['case', ['get', '_planned'], '#7a4fbf', '#39424e'], 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 9, 0.8, 14, 1.6] } },
      { id: 'feat-line', type: 'line', source: 'features', filter: ['==', ['geometry-type'], 'LineString'], layout: { 'line-cap': 'round' }, paint: { 'line-color': kindColour('#666'), 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 3, 15, 8], 'line-opacity': 0.85 } },
      { id: 'accuracy-fill', type: 'fill', source: 'accuracy', paint: { 'fill-color': '#17324d', 'fill-opacity': 0.07 } },
      { id: 'accuracy-line', type: 'line', source: 'accuracy', paint: { 'line-color': '#17324d', 'line-width': 1.2, 'line-dasharray': [2, 2] } },
      { id: 'route-walk', type: 'line', source: 'route', filter: ['==', ['get', 'type'], 'street'], layout: { 'line-cap': 'round' }, paint: { 'line-color': '#39424e', 'line-width': 3, 'line-dasharray': [1, 1.5] } },
      { id: 'route-ride-casing', type: 'line', source: 'route', filter: ['==', ['get', 'type'], 'ride'], layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': 9 } },
      { id: 'route-ride', type: 'line', source: 'route', filter: ['==', ['get', 'type'], 'ride'], layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', '_color'], 'line-width': 5.5 } },
      { id: 'reached-ring', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'reached'], paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 8, 14, 13], 'circle-color': 'rgba(255,255,255,0)', 'circle-stroke-color': '#17324d', 'circle-stroke-width': 2.2 } },
      { id: 'district-label', type: 'symbol', source: 'district-points', maxzoom: 13, layout: { 'text-field': labelExpr(), 'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 12, 15], 'text-letter-spacing': 0.08, 'text-padding': 4 }, paint: { 'text-color': '#6b6656', ...halo } },
      { id: 'station-label', type: 'symbol', source: 'stations', minzoom: 10.5, filter: ['any', ['get', '_rail'], ['>=', ['zoom'], 12.5]], layout: { 'text-field': labelExpr(), 'text-size': ['case', ['get', '_rail'], 12, 11], 'text-anchor': 'left', 'text-offset': [0.7, 0], 'text-optional': true, 'text-padding': 2 }, paint: { 'text-color': '#2b333d', ...halo } },
      {
        id: 'feat-point', type: 'symbol', source: 'features', filter: ['==', ['geometry-type'], 'Point'],
        layout: {
          'icon-image': ['concat', ['get', 'kind'], ['case', ['==', ['get', 'status'], 'existing'], '-e', '-p']],
          'icon-size': ['interpolate', ['linear'], ['zoom'], 9, 0.75, 14, 1.1],
          'icon-allow-overlap': true,
          'symbol-sort-key': ['match', ['get', 'kind'], 'transport_hub', 0, 'free_trade_zone', 1, 'commercial', 2, 3],
          'text-field': featLabelExpr(),
          'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 14, 13],
          'text-anchor': 'top', 'text-offset': [0, 0.9], 'text-optional': true, 'text-max-width': 9,
        },
        paint: { 'text-color': kindColour('#333'), ...halo },
      },
      { id: 'route-stop', type: 'circle', source: 'route', filter: ['==', ['get', 'type'], 'stop'], paint: { 'circle-radius': 5.5, 'circle-color': '#ffffff', 'circle-stroke-color': ROUTE, 'circle-stroke-width': 2.5 } },
      { id: 'route-stop-label', type: 'symbol', source: 'route', filter: ['==', ['get', 'type'], 'stop'], layout: { 'text-field': ['get', 'label'], 'text-size': 12.5, 'text-anchor': 'left', 'text-offset': [0.8, 0], 'text-allow-overlap': false }, paint: { 'text-color': '#111111', 'text-halo-color': '#ffffff', 'text-halo-width': 2 } },
      { id: 'reached-minutes', type: 'symbol', source: 'reach', filter: ['==', ['get', 'layer'], 'reached'], layout: { 'text-field': ['concat', ['get', '_min'], '′'], 'text-size': 11, 'text-anchor': 'bottom-left', 'text-offset': [0.7, -0.5], 'text-padding': 1 }, paint: { 'text-color': '#ffffff', 'text-halo-color': '#17324d', 'text-halo-width': 2.2 } },
      { id: 'origin-halo', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'origin'], paint: { 'circle-radius': 12, 'circle-color': '#17324d', 'circle-opacity': 0.18 } },
      { id: 'origin', type: 'circle', source: 'reach', filter: ['==', ['get', 'layer'], 'origin'], paint: { 'circle-radius': 6.5, 'circle-color': '#17324d', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2.5 } },
    ],
  };
}

// Point symbols are drawn here rather than loaded, so the page needs no sprite file.
export function makeIcon(kind, solid) {
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
