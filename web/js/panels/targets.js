// The plan-targets panel: each promise of the plan with its computed answer and assumptions.
import { $, state, store } from '../state.js';
import { t, esc, fmtMin, statusLabel, scenarioName, sourceText, legText, nameOf } from '../i18n.js';
import { api, showError } from '../api.js';
import { showRoute } from '../map/route.js';
import { setOrigin, setView } from './reach.js';

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
    box.appendChild(div);
  }
}
