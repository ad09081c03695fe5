// The plan-targets panel: each promise of the plan with its computed answer and assumptions.
import { $, state, store } from '../state.js';
import { t, esc, fmtMin, statusLabel, scenarioName, sourceText, legText, nameOf } from '../i18n.js';
import { api, showError } from '../api.js';
import { showRoute } from '../map/route.js';
import { setOrigin, setView } from './reach.js';
import { nat, READINGS, enterNational, exitNational, setReading, openCity } from '../map/national.js';

export async function loadTargets() {
  const box = $('#targets-list');
  const sc = state.scenario;
  let list = store.targetsCache.get(sc);
  if (!list) {
    try {
      const { body } = await api('targets', { scenario: sc });
      list = Array.isArray(body) ? body : (body.targets || body.results || []);
      store.targetsCache.set(sc, list);
    } catch (e) {
      showError(e);
      box.innerHTML = '';
      return;
    }
  }
  if (sc !== state.scenario || state.view !== 'targets') return;
  renderTargets(list);
}

function assumptionText(a) {
  if (typeof a === 'string') return a;
  const zh = state.lang === 'zh';
  return [a.name || a.link || '', a.average_speed_kmh ? `${a.average_speed_kmh} km/h` : '', a.headway_min ? t('headway', { m: a.headway_min }) : '', a.track_km ? `${a.track_km} km${zh ? '（线路）' : ' of track'}` : ''].filter(Boolean).join(' · ');
}

export function renderTargets(list) {
  const box = $('#targets-list');
  const zh = state.lang === 'zh';
  box.innerHTML = `<div class="hint">${esc(t('targetsFor', { s: scenarioName(state.scenario) }))}</div>`;
  if (!list.length) box.insertAdjacentHTML('beforeend', `<div class="empty">${esc(t('noTargets'))}</div>`);
  for (const r of list) {
    const tg = r.target || {};
    const evaluable = tg.evaluable !== false && r.verdict !== 'not_evaluable';
    const max = tg.max_minutes == null ? null : Number(tg.max_minutes);
    const got = r.minutes == null ? null : Number(r.minutes);
    const colour = r.verdict === 'pass' ? 'var(--pass)' : r.verdict === 'fail' ? 'var(--fail)' : 'var(--ink-2)';
    let time = '';
    if (evaluable && max != null) {
      const scale = Math.max(max, got || 0) * 1.1 || 1;
      time = `<div class="target-time">${esc(t('computed'))} <b style="color:${colour}">${got == null ? '–' : fmtMin(got)}</b> ${esc(t('min'))} · ${esc(t('target'))} ≤ ${fmtMin(max)} ${esc(t('min'))}</div>`
        + `<div class="bar"><span style="width:${got == null ? 0 : Math.min(100, (got / scale) * 100)}%;background:${colour}"></span><i style="left:${(max / scale) * 100}%"></i></div>`;
    } else if (tg.min_km != null) {
      time = `<div class="target-time">${esc(t('targetKm', { k: fmtMin(tg.min_km) }))}</div>`;
    } else if (max != null) {
      time = `<div class="target-time">${esc(t('target'))} ≤ ${fmtMin(max)} ${esc(t('min'))}</div>`;
    }
    const legs = Array.isArray(r.legs) ? r.legs : [];
    const assumptions = Array.isArray(r.assumptions) ? r.assumptions.map(assumptionText) : [];
    const note = r.note || tg.why;
    const title = zh ? (tg.quote_zh || tg.title_en || tg.id) : (tg.title_en || tg.id);
    const div = document.createElement('div');
    div.className = 'target';
    div.dataset.target = tg.id || '';
    div.dataset.verdict = r.verdict || '';
    div.innerHTML = `<div class="target-head"><div class="target-title">${esc(title)}</div><span class="badge ${esc(r.verdict)}">${esc(statusLabel(r.verdict))}</span></div>
      ${!zh && tg.quote_zh ? `<div class="quote" lang="zh-Hans">“${esc(tg.quote_zh)}”</div>` : ''}
      ${time}
      ${legs.length ? `<ol class="steps">${legs.map((l) => `<li class="step ${esc(l.type)}">${esc(legText(l))}</li>`).join('')}</ol>` : ''}
      ${note ? `<div class="note"${zh ? ' lang="en"' : ''}>${zh ? esc(t('noteEn')) : ''}${esc(note)}</div>` : ''}
      ${tg.source ? `<div class="src">${esc(t('sources'))}: <span title="${esc(tg.source.doc)}">${esc(sourceText(tg.source))}</span></div>` : ''}
      ${assumptions.length ? `<details><summary>${esc(t('assumptions'))} (${assumptions.length})</summary>${assumptions.map((a) => `<div>· ${esc(a)}</div>`).join('')}</details>` : ''}
      ${evaluable && tg.from ? `<div class="actions">${legs.some((l) => l.path) ? `<button type="button" class="btn small" data-act="route">${esc(t('showRoute'))}</button>` : ''}<button type="button" class="btn small" data-act="reach">${esc(t('showReach'))}</button></div>` : ''}`;
    const routeBtn = div.querySelector('[data-act="route"]');
    if (routeBtn) routeBtn.addEventListener('click', () => showRoute(`target:${tg.id}`, r.arrive_at || title, got, legs));
    const reachBtn = div.querySelector('[data-act="reach"]');
    if (reachBtn) reachBtn.addEventListener('click', () => {
      const m = Math.min(180, Math.max(5, Math.ceil(Math.max(max || 0, got || 0) / 5) * 5 + 5));
      state.minutes = m; $('#minutes').value = m; $('#minutes-out').value = m;
      const rec = store.catalog.get(String(tg.from));
      state.view = 'reach';
      setOrigin({ query: tg.from, label: rec ? nameOf(rec.properties) : tg.from, id: tg.from, name_zh: rec?.properties.name_zh, name_en: rec?.properties.name_en });
      setView('reach');
    });
    if (r.national) div.appendChild(nationalBlock(r, tg));
    box.appendChild(div);
  }
}

const pct = (x) => `${(Number(x) * 100).toFixed(1)}%`;
const targetHours = (r, tg) => (r.national.readings && r.national.readings.length ? Number(r.national.readings[0].max_hours) : (tg.max_minutes != null ? Number(tg.max_minutes) / 60 : 2));

// The national targets: a reading switch, the API's counts and shares, the capitals, and the
// way to the map of China and back.
function nationalBlock(r, tg) {
  const zh = state.lang === 'zh';
  const n = r.national;
  const hours = targetHours(r, tg);
  const el = document.createElement('div');
  el.className = 'nat';
  const switchHtml = `<div class="nat-switch" role="group" aria-label="${esc(t('natReading'))}">${READINGS.map((m) => `<button type="button" class="chip" data-reading="${m}" aria-pressed="${m === nat.reading}">${esc(t(`nat_${m}`))}</button>`).join('')}</div>`;
  const rd = (n.readings || []).find((x) => x.mode === nat.reading);
  const nf = (v) => Number(v).toLocaleString(zh ? 'zh-CN' : 'en-GB');
  const readingHtml = rd ? `<div class="nat-reading" data-mode="${esc(rd.mode)}">
      <div data-share="cities">${esc(t('natCities', { n: nf(rd.cities_within), of: nf(rd.cities_total), s: pct(rd.city_share) }))} ${rd.meets_city_share ? '✓' : '✗'} ${esc(t('natGoalCities'))}</div>
      <div data-share="population">${esc(t('natPeople', { n: nf((rd.population_within / 1e6).toFixed(1)), of: nf((rd.population_total / 1e6).toFixed(1)), s: pct(rd.population_share) }))} ${rd.meets_population_share ? '✓' : '✗'} ${esc(t('natGoalPeople'))}</div>
    </div>` : '';
  const caps = (n.capitals || []);
  const capsHtml = caps.length && !rd ? `<table class="nat-caps"><caption>${esc(t('natCapitals', { h: hours }))}</caption><tr><th scope="col"></th>${READINGS.map((m) => `<th scope="col"${m === nat.reading ? ' class="sel"' : ''}>${esc(t(`nat_${m}`))}</th>`).join('')}</tr>${caps.map((c) => `<tr><th scope="row">${esc(zh ? c.name_zh : (c.name_en || c.name_zh))}</th>${READINGS.map((m) => { const h = c[`${m}_h`]; return `<td${m === nat.reading ? ' class="sel"' : ''}>${h == null ? '–' : `${Number(h).toFixed(2)}${h <= hours ? ' ✓' : ''}`}</td>`; }).join('')}</tr>`).join('')}</table>` : '';
  const showing = nat.on && nat.target === tg.id;
  const cityOpts = showing ? [...(nat.cities || [])].sort((a, b) => String(a.properties.dzcode).localeCompare(String(b.properties.dzcode)))
    .map((f) => `<option value="${esc(f.properties.dzcode)}">${esc(zh ? f.properties.name_zh : (f.properties.name_en || f.properties.name_zh))}</option>`).join('') : '';
  el.innerHTML = `${switchHtml}${readingHtml}${capsHtml}
    <div class="actions"><button type="button" class="btn small" data-act="national" aria-pressed="${showing}">${esc(showing ? t('natBack') : t('natShow'))}</button></div>
    ${showing ? `<label class="nat-city">${esc(t('natCityPick'))} <select data-act="city"><option value="">—</option>${cityOpts}</select></label>` : ''}
    <details><summary>${esc(t('natAssumptions'))} (${(n.assumptions || []).length})</summary>${(n.assumptions || []).map((a) => `<div${zh ? ' lang="en"' : ''}>· ${esc(a)}</div>`).join('')}</details>`;
  for (const b of el.querySelectorAll('[data-reading]')) b.addEventListener('click', () => {
    setReading(b.dataset.reading);
    renderTargets(store.targetsCache.get(state.scenario) || []);
    const again = document.querySelector(`#targets-list .target[data-target="${CSS.escape(tg.id)}"] [data-reading="${b.dataset.reading}"]`);
    if (again) again.focus();
  });
  el.querySelector('[data-act="national"]').addEventListener('click', async () => {
    if (showing) exitNational(); else await enterNational(tg.id, hours);
    renderTargets(store.targetsCache.get(state.scenario) || []);
    const again = document.querySelector(`#targets-list .target[data-target="${CSS.escape(tg.id)}"] [data-act="national"]`);
    if (again) again.focus();
  });
  const pick = el.querySelector('[data-act="city"]');
  if (pick) pick.addEventListener('change', () => { if (pick.value) openCity(pick.value); });
  return el;
}
