// Place search: names, pinyin, and coordinates in either order ("113.66, 34.75" as GIS tools
// write them, "34.75, 113.66" as Google Maps copies them).
import { $, store, KINDS, isPlanned } from '../state.js';
import { t, esc, nameOf, altNameOf, kindLabel, statusLabel, scenarioName } from '../i18n.js';
import { api, showError } from '../api.js';
import { setOrigin, outsideArea, fmtCoord } from './reach.js';

let searchTimer = 0;
let searchSeq = 0;
let searchHits = [];
let searchIndex = -1;
const TWO_NUMBERS = /^\s*(-?\d+(?:\.\d+)?)\s*(?:[,，;]\s*|\s+)(-?\d+(?:\.\d+)?)\s*$/;

const inside = (p) => !outsideArea(p);
// Two numbers as [lon, lat]: the order that falls in the city wins; otherwise latitude is the
// one within ±90 when only one of them is.
export function parseCoords(q) {
  const m = TWO_NUMBERS.exec(q);
  if (!m) return null;
  const a = Number(m[1]); const b = Number(m[2]);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (inside([a, b])) return [a, b];
  if (inside([b, a])) return [b, a];
  if (Math.abs(a) <= 90 && Math.abs(b) > 90 && Math.abs(b) <= 180) return [b, a];
  if (Math.abs(b) <= 90 && Math.abs(a) <= 180) return [a, b];
  return { invalid: true };
}

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
    li.innerHTML = `${k ? `<img alt="" width="14" height="14" src="${store.icons[`${h.kind}-${isPlanned(h.status) ? 'p' : 'e'}`]}">` : '<span class="s-gap"></span>'}`
      + `<span class="s-main">${esc(nameOf(h))}</span><span class="s-sub">${esc([altNameOf(h), hitKind(h)].filter(Boolean).join(' · '))}</span>`;
    li.addEventListener('mousedown', (e) => { e.preventDefault(); chooseHit(i); });
    ul.appendChild(li);
  });
  if (!searchHits.length) {
    const sugg = (body.suggestions || []).map((s) => (typeof s === 'string' ? s : nameOf(s) || s.name || s.id)).filter(Boolean);
    const li = document.createElement('li');
    li.className = 's-miss';
    li.innerHTML = `${esc(body.message || t('noMatch', { q }))}${sugg.length ? `<div>${esc(t('didYouMean'))}<br>${sugg.map((s) => `<button type="button" class="sugg">${esc(s)}</button>`).join('')}</div>` : ''}`;
    li.querySelectorAll('.sugg').forEach((b) => b.addEventListener('mousedown', (e) => {
      e.preventDefault(); $('#search').value = b.textContent; doSearch(b.textContent);
    }));
    ul.appendChild(li);
  }
  ul.hidden = false;
  $('#search').setAttribute('aria-expanded', 'true');
  $('#search').setAttribute('aria-activedescendant', searchIndex >= 0 ? `sh-${searchIndex}` : '');
}
export async function doSearch(q) {
  const seq = ++searchSeq;
  if (!q.trim()) { closeSearch(); return; }
  const c = parseCoords(q);
  if (c && c.invalid) { renderSearch({ hits: [], message: t('errCoords', { q: q.trim() }) }, q); return; }
  if (c) {
    const label = `${fmtCoord(c[0])}, ${fmtCoord(c[1])}`;
    renderSearch({ hits: [{ id: `${c[0]},${c[1]}`, name_zh: label, name_en: label, _coords: c }] }, q);
    return;
  }
  try {
    const { body } = await api('search', { q, limit: 8 });
    if (seq !== searchSeq) return;
    renderSearch(body, q);
  } catch (e) {
    if (seq !== searchSeq) return;
    if (e.status === 404 || e.code === 'NotFound') renderSearch({ hits: [], suggestions: [] }, q);
    else showError(e);
  }
}
function hitKind(h) {
  if (KINDS[h.kind]) return kindLabel(h.kind) + (isPlanned(h.status) ? ` · ${statusLabel(h.status)}` : '');
  if (h.type === 'stop' || /station/.test(h.kind || '')) return `${h.scenario ? `${scenarioName(h.scenario)} · ` : ''}${h.lines ? `${h.lines} · ` : ''}${t('station')}`;
  if (h._coords) return `${t('coordinates')} (lon, lat)`;
  return h.kind || h.type || '';
}
function chooseHit(i) {
  const h = searchHits[i];
  if (!h) return;
  closeSearch();
  showError(null);
  $('#search').value = nameOf(h);
  if (h._coords) {
    const lonlat = h._coords;
    // An origin outside the city is refused before the map moves: the view stays where it was.
    if (setOrigin({ query: `${lonlat[0]},${lonlat[1]}`, label: `${fmtCoord(lonlat[0])}, ${fmtCoord(lonlat[1])}`, lonlat })) {
      store.map.easeTo({ center: lonlat, zoom: Math.max(store.map.getZoom(), 11) });
    }
    return;
  }
  if (Number.isFinite(h.lon) && Number.isFinite(h.lat)) store.map.easeTo({ center: [h.lon, h.lat], zoom: Math.max(store.map.getZoom(), 11), duration: 700 });
  setOrigin({ query: h.id, label: nameOf(h), lonlat: Number.isFinite(h.lon) ? [h.lon, h.lat] : null, id: h.id, name_zh: h.name_zh, name_en: h.name_en });
}
export function bindSearch() {
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
