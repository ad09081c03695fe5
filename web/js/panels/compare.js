// The compare panel: the plan scenario against the existing network from the same origins.
import { $, state, store } from '../state.js';
import { t, esc, fmtMin, scenarioName, nameOf } from '../i18n.js';
import { api, showError } from '../api.js';
import { empty, CMP_BASE, CMP_GAIN } from '../map/style.js';
import { reachParams, nextSeq, isCurrent, setBusy, originsFromResponse, decorate, reachedOf, reachedItem, fitResult, renderMapLegend, showStreetNote, budgetOf } from './reach.js';
import { download } from './export.js';

function planScenarioId() {
  if (state.scenario !== 'existing') return state.scenario;
  const other = store.scenarios.find((s) => s.id !== 'existing');
  return other ? other.id : null;
}
export function clearCompare() {
  if (store.map && store.map.getSource('cmp')) store.map.getSource('cmp').setData(empty());
}

export async function runCompare() {
  const planId = planScenarioId();
  if (!planId) { $('#compare-empty').textContent = t('sameScenario'); return; }
  const { seq, signal } = nextSeq();
  setBusy(true);
  try {
    const [base, plan] = await Promise.all([
      api('reach', reachParams('existing'), signal),
      api('reach', reachParams(planId), signal),
    ]);
    if (!isCurrent(seq)) return;
    store.lastCompare = { base: base.body, plan: plan.body, planId };
    showError(null);
    drawCompare(true);
    document.documentElement.dataset.reachState = 'done';
  } catch (e) {
    if (e.name === 'AbortError' || !isCurrent(seq)) return;
    showError(e);
    document.documentElement.dataset.reachState = 'error';
  } finally {
    if (isCurrent(seq)) $('#busy').hidden = true;
  }
}

const bandsOf = (fc) => fc.features.filter((f) => f.properties.layer === 'band');
const sum = (counts) => (counts ? Object.values(counts).reduce((s, v) => s + v, 0) : 0);

// What the second answer changes against the first: features reached only with it, faster,
// slower or lost, and the bands whose polygons differ (only when it gains anything).
export function diffOf(base, plan) {
  const bb = bandsOf(base).map((f) => f.properties); const pb = bandsOf(plan).map((f) => f.properties);
  const byId = (fc) => new Map(reachedOf(fc).map((f) => [String(f.properties.id), f.properties]));
  const rb = byId(base); const rp = byId(plan);
  const only = [...rp.values()].filter((p) => !rb.has(String(p.id))).sort((a, b) => a.minutes - b.minutes);
  const faster = [...rp.values()].filter((p) => rb.has(String(p.id)) && rb.get(String(p.id)).minutes - p.minutes >= 0.5)
    .sort((a, b) => (rb.get(String(b.id)).minutes - b.minutes) - (rb.get(String(a.id)).minutes - a.minutes));
  const slower = [...rb.values()].filter((p) => rp.has(String(p.id)) && rp.get(String(p.id)).minutes - p.minutes >= 0.5)
    .sort((a, b) => a.minutes - b.minutes);
  const lost = [...rb.values()].filter((p) => !rp.has(String(p.id))).sort((a, b) => a.minutes - b.minutes);
  const total = (list) => list.reduce((s, b) => s + (Number(b.area_km2) || 0), 0);
  // The plan's bands are drawn only when the plan changes something (features reached, faster,
  // or more area) and only where its band differs from today's: no "added" outline around
  // bands the plan leaves as they are.
  const planGains = only.length > 0 || faster.length > 0 || total(pb) - total(bb) > 0.05;
  const geom = (fc, m) => { const f = bandsOf(fc).find((x) => Number(x.properties.max_minutes) === m); return f ? JSON.stringify(f.geometry) : ''; };
  const gained = new Set(planGains ? pb.map((b) => Number(b.max_minutes)).filter((m) => geom(plan, m) !== geom(base, m)) : []);
  return { bb, pb, rb, rp, only, faster, slower, lost, gained };
}
// Today's bands, the plan's where they differ, and the origins.
export function drawDiff(base, plan, d) {
  const side = (fc, s, keep) => bandsOf(fc).filter((f) => keep(Number(f.properties.max_minutes)))
    .map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { _side: s, max_minutes: f.properties.max_minutes, min_minutes: f.properties.min_minutes, area_km2: f.properties.area_km2 } }));
  store.map.getSource('cmp').setData({ type: 'FeatureCollection', features: [...side(plan, 'plan', (m) => d.gained.has(m)), ...side(base, 'base', () => true)] });
  store.map.getSource('reach').setData(decorate({ type: 'FeatureCollection', features: plan.features.filter((f) => f.properties.layer === 'origin') }, new Map()));
}

export function drawCompare(fit) {
  const { base, plan, planId } = store.lastCompare;
  originsFromResponse(plan);
  const d = diffOf(base, plan);
  const { bb, pb, rb, only, faster, gained } = d;
  const areaOf = (list, m) => { const b = list.find((x) => Number(x.max_minutes) === m); return b ? Number(b.area_km2) || 0 : 0; };
  drawDiff(base, plan, d);

  const limits = [...new Set([...bb, ...pb].map((b) => Number(b.max_minutes)))].sort((a, b) => a - b);
  const planName = scenarioName(planId, plan.metadata?.scenario?.name);
  const baseName = scenarioName('existing', base.metadata?.scenario?.name);

  const signed = (v) => { const r = Math.round(v * 10) / 10 || 0; return `${r >= 0 ? '+' : ''}${r.toFixed(1)}`; };
  let rows = '';
  let tb = 0; let tp = 0; let cb = 0; let cp = 0;
  for (const m of limits) {
    const a = bb.find((b) => Number(b.max_minutes) === m); const b = pb.find((x) => Number(x.max_minutes) === m);
    const aa = areaOf(bb, m); const ba = areaOf(pb, m);
    const ac = a ? sum(a.counts) : 0; const bc = b ? sum(b.counts) : 0;
    tb += aa; tp += ba; cb += ac; cp += bc;
    const lo = (a || b).min_minutes;
    rows += `<tr><td>${esc(t('bandRange', { a: fmtMin(lo), b: fmtMin(m) }))}</td><td>${aa.toFixed(1)}</td><td>${ba.toFixed(1)}</td><td class="${ba - aa > 0.05 ? 'delta-pos' : ''}">${signed(ba - aa)}</td><td>${ac} → ${bc}</td></tr>`;
  }
  rows += `<tr><th>Σ</th><th>${tb.toFixed(1)}</th><th>${tp.toFixed(1)}</th><th class="${tp - tb > 0.05 ? 'delta-pos' : ''}">${signed(tp - tb)}</th><th>${cb} → ${cp}</th></tr>`;
  const origin = state.origins.map((o) => (o.name_zh || o.name_en ? nameOf(o) : o.label)).join(' + ');
  const key = `<span><i style="background:${CMP_BASE}"></i>${esc(t('cmpBase'))}</span>` + (gained.size ? `<span><i style="background:${CMP_GAIN}"></i>${esc(t('cmpGain'))}</span>` : '');
  const el = $('#compare-result');
  el.innerHTML = `<div class="cmp-head">${esc(t('cmpIntro', { o: origin, mode: t('mode_' + state.mode), m: fmtMin(budgetOf(plan)), plan: planName, base: baseName }))}</div>
    <div class="cmp-key">${key}
    <button type="button" class="btn small" id="download-cmp">${esc(t('dlCompare'))}</button></div>
    ${gained.size ? '' : `<div class="hint" id="cmp-no-area">${esc(t('noAreaAdded'))}</div>`}
    <table class="cmp"><thead><tr><th>${esc(t('band'))}</th><th>${esc(state.lang === 'zh' ? '现状' : 'existing')} km²</th><th>${esc(state.lang === 'zh' ? '规划' : 'plan')} km²</th><th>${esc(t('delta'))}</th><th>${esc(t('features'))}</th></tr></thead><tbody>${rows}</tbody></table>
    <div class="sec-title">${esc(t('onlyPlan', { n: only.length }))}</div><div id="cmp-only"></div>
    <div class="sec-title">${esc(t('faster', { n: faster.length }))}</div><div id="cmp-faster"></div>
    <p class="street-note" id="compare-note" hidden></p>`;
  const onlyBox = el.querySelector('#cmp-only');
  if (!only.length) onlyBox.innerHTML = `<div class="hint">${esc(t('nothingAdded'))}</div>`;
  for (const p of only) onlyBox.appendChild(reachedItem(p, `<span class="badge gain">+</span> ${fmtMin(p.minutes)}′`));
  const fastBox = el.querySelector('#cmp-faster');
  for (const p of faster) fastBox.appendChild(reachedItem(p, `${fmtMin(rb.get(String(p.id)).minutes)}′ → ${fmtMin(p.minutes)}′`));
  el.querySelector('#download-cmp').addEventListener('click', () => {
    const tag = (fc, s) => fc.features.map((f) => ({ ...f, properties: { ...f.properties, scenario: s } }));
    download(JSON.stringify({ type: 'FeatureCollection', metadata: { compare: ['existing', planId], base: base.metadata, plan: plan.metadata }, features: [...tag(base, 'existing'), ...tag(plan, planId)] }), `compare-${planId}`, 'geojson', 'application/geo+json');
  });
  $('#compare-empty').hidden = true;
  el.hidden = false;
  showStreetNote(plan.metadata, el.querySelector('#compare-note'));
  renderMapLegend(`<div class="lt">${esc(t('legendCompare'))}</div><div class="row"><i style="background:${CMP_BASE}"></i>${esc(t('cmpBase'))}</div>`
    + (gained.size ? `<div class="row"><i style="background:${CMP_GAIN}"></i>${esc(t('cmpGain'))}</div>` : ''));
  if (fit) fitResult([...plan.features, ...base.features].filter((f) => f.properties.layer === 'band'));
}
