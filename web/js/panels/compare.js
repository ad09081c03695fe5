// The compare panel: the plan scenario against the existing network from the same origins.
// The service computes the comparison (GET /compare); this panel only draws it.
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
    const { body } = await api('compare', { ...reachParams(planId), base: 'existing' }, signal);
    if (!isCurrent(seq)) return;
    store.lastCompare = { cmp: body, base: body.reach.base, plan: body.reach.plan, planId };
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

// The plan's bands are drawn only when the plan changes something (features reached, faster,
// or more area) and only where its band differs from the base's: no "added" outline around
// bands the plan leaves as they are.
const gainedBands = (cmp) => new Set(cmp.plan_gains ? cmp.bands.filter((b) => b.shape_changed).map((b) => Number(b.max_minutes)) : []);

// The comparison the service computed (/compare), as the reached features of each answer:
// gained and faster carry the plan's properties, slower and lost the base's.
export function changesOf(cmp) {
  const byId = (fc) => new Map(reachedOf(fc).map((f) => [String(f.properties.id), f.properties]));
  const rb = byId(cmp.reach.base); const rp = byId(cmp.reach.plan);
  const of = (kind, from) => cmp.features.filter((f) => f.change === kind && from.has(String(f.id))).map((f) => from.get(String(f.id)));
  return { rb, rp, only: of('gained', rp), faster: of('faster', rp), slower: of('slower', rb), lost: of('lost', rb), gained: gainedBands(cmp) };
}

// The base's bands, the plan's where they differ (`gained`: their upper limits), and the origins.
export function drawDiff(base, plan, gained) {
  const side = (fc, s, keep) => bandsOf(fc).filter((f) => keep(Number(f.properties.max_minutes)))
    .map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { _side: s, max_minutes: f.properties.max_minutes, min_minutes: f.properties.min_minutes, area_km2: f.properties.area_km2 } }));
  store.map.getSource('cmp').setData({ type: 'FeatureCollection', features: [...side(plan, 'plan', (m) => gained.has(m)), ...side(base, 'base', () => true)] });
  store.map.getSource('reach').setData(decorate({ type: 'FeatureCollection', features: plan.features.filter((f) => f.properties.layer === 'origin') }, new Map()));
}

export function drawCompare(fit) {
  const { cmp, base, plan, planId } = store.lastCompare;
  originsFromResponse(plan);
  // Reached features of the plan's answer (origins left out), for the list items.
  const rp = new Map(reachedOf(plan).map((f) => [String(f.properties.id), f.properties]));
  const changed = (kind) => cmp.features.filter((f) => f.change === kind && rp.has(String(f.id)));
  const only = changed('gained').map((f) => rp.get(String(f.id)));
  const faster = changed('faster');
  const gained = gainedBands(cmp);
  drawDiff(base, plan, gained);

  const planName = scenarioName(planId, plan.metadata?.scenario?.name);
  const baseName = scenarioName('existing', base.metadata?.scenario?.name);

  const signed = (v) => { const r = Math.round(v * 10) / 10 || 0; return `${r >= 0 ? '+' : ''}${r.toFixed(1)}`; };
  const km2 = (v) => Number(v) || 0;
  let rows = '';
  for (const b of cmp.bands) {
    const aa = km2(b.base_km2); const ba = km2(b.plan_km2);
    rows += `<tr><td>${esc(t('bandRange', { a: fmtMin(b.min_minutes), b: fmtMin(b.max_minutes) }))}</td><td>${aa.toFixed(1)}</td><td>${ba.toFixed(1)}</td><td class="${ba - aa > 0.05 ? 'delta-pos' : ''}">${signed(ba - aa)}</td><td>${b.base_features} → ${b.plan_features}</td></tr>`;
  }
  const tb = km2(cmp.total.base_km2); const tp = km2(cmp.total.plan_km2);
  rows += `<tr><th>Σ</th><th>${tb.toFixed(1)}</th><th>${tp.toFixed(1)}</th><th class="${tp - tb > 0.05 ? 'delta-pos' : ''}">${signed(tp - tb)}</th><th>${cmp.total.base_features} → ${cmp.total.plan_features}</th></tr>`;
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
  for (const f of faster) fastBox.appendChild(reachedItem(rp.get(String(f.id)), `${fmtMin(f.before)}′ → ${fmtMin(f.after)}′`));
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
