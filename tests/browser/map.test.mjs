// Browser test of the web map against a running `cityreach serve` (BASE_URL), in Debian's
// Chromium driven by playwright-core. Run through tests/browser/run.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const ARTIFACTS = process.env.ARTIFACTS || path.resolve(import.meta.dirname, '../../artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE) throw new Error('BASE_URL is not set (e.g. http://127.0.0.1:8080)');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const KINDS = ['commercial', 'cultural', 'transport_hub', 'free_trade_zone'];
let context;
let page;
let userDataDir;
const messages = []; // unexpected console messages, page errors and failed requests
let environmentNoise = new Set();
let expectHttpError = false;

// Software WebGL in headless Chromium reports driver notices on any WebGL canvas (a bare
// canvas that only clears itself shows them too). They are learnt from such a canvas first, so
// that every message the map itself causes still fails the test.
const normalise = (text) => text.replace(/0x[0-9a-f]+/gi, '0x').replace(/ \(this message will no longer repeat\)$/, '');

async function learnEnvironmentNoise() {
  const p = await context.newPage();
  const seen = new Set();
  p.on('console', (m) => seen.add(normalise(m.text())));
  await p.setContent('<canvas id="c" width="64" height="64"></canvas>');
  await p.evaluate(() => new Promise((resolve) => {
    const gl = document.getElementById('c').getContext('webgl2');
    let n = 0;
    const frame = () => {
      gl.clearColor(n / 20, 0.3, 0.5, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      n += 1;
      if (n < 20) requestAnimationFrame(frame); else resolve();
    };
    frame();
  }));
  await p.waitForTimeout(300);
  await p.close();
  return new Set([...seen].filter((m) => /^\[\.WebGL-0x\]/.test(m)));
}

function watch(p) {
  p.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const text = m.text();
    if (environmentNoise.has(normalise(text))) return;
    if (expectHttpError && /status of 4\d\d/.test(text)) return;
    messages.push(`console ${m.type()}: ${text}`);
  });
  p.on('pageerror', (e) => messages.push(`page error: ${e.message}`));
  p.on('requestfailed', (r) => {
    // A reach superseded by a newer one is aborted on purpose.
    if (r.failure() && /ERR_ABORTED/.test(r.failure().errorText) && r.url().includes('/reach')) return;
    messages.push(`request failed: ${r.url()} ${r.failure() ? r.failure().errorText : ''}`);
  });
  p.on('response', (r) => {
    if (r.status() >= 400 && !expectHttpError) messages.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  p.on('request', (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) {
      messages.push(`outside request: ${r.url()}`);
    }
  });
}

function assertClean(step) {
  assert.deepEqual(messages, [], `${step}: unexpected console output or requests`);
}

async function getJson(p) {
  const res = await fetch(`${BASE}${p}`, { headers: { Accept: 'application/json' } });
  assert.equal(res.ok, true, `GET ${p} → ${res.status}`);
  return res.json();
}

// Resolves once the map has drawn everything it was given (with a bound, so a map that was
// already idle cannot hang the test).
const mapIdle = (p = page) => p.evaluate(() => new Promise((resolve) => {
  const m = window.cityreach.map;
  m.once('idle', resolve);
  m.triggerRepaint();
  setTimeout(resolve, 5000);
}));

async function waitReach(scenario) {
  await page.waitForFunction((sc) => {
    const c = window.cityreach;
    return document.documentElement.dataset.reachState === 'done' && c.lastReachUrl && new URL(c.lastReachUrl).searchParams.get('scenario') === sc;
  }, scenario, { timeout: 30000 });
  await mapIdle();
}

async function panelList() {
  return page.$$eval('#reached-list .item', (els) => els.map((e) => ({
    id: e.dataset.id, minutes: Number(e.dataset.minutes), band: Number(e.closest('.band-group').dataset.band),
  })));
}
function apiList(fc) {
  return fc.features.filter((f) => f.properties.layer === 'reached')
    .map((f) => ({ id: String(f.properties.id), minutes: Number(f.properties.minutes), band: Number(f.properties.band) }));
}
const byId = (a, b) => a.id.localeCompare(b.id);

before(async () => {
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityreach-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  environmentNoise = await learnEnvironmentNoise();
  page = context.pages()[0] || await context.newPage();
  watch(page);
});

after(async () => {
  if (context) await context.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

test('the map loads from / without console errors and draws the four kinds', async () => {
  await page.goto(`${BASE}/`, { waitUntil: "load" });
  assert.match(new URL(page.url()).pathname, /^\/map\/$/, 'browsers are sent to /map/');
  await page.waitForFunction(() => window.cityreach && window.cityreach.ready, null, { timeout: 30000 });

  const rendered = await page.evaluate(() => {
    const counts = {};
    for (const f of window.cityreach.map.queryRenderedFeatures({ layers: ['feat-point', 'feat-line'] })) {
      counts[f.properties.kind] = (counts[f.properties.kind] || 0) + 1;
    }
    return counts;
  });
  for (const k of KINDS) assert.ok(rendered[k] > 0, `${k} features are drawn (${JSON.stringify(rendered)})`);

  // The legend counts are the collections' sizes.
  for (const k of KINDS) {
    const items = await getJson(`/collections/${k}/items?limit=10000`);
    const shown = await page.textContent(`[data-count="${k}"]`);
    assert.equal(Number(shown), items.features.length, `legend count of ${k}`);
  }
  // Basemap from our own data: districts, lines and stations are drawn.
  const base = await page.evaluate(() => {
    const m = window.cityreach.map;
    return ['district-line', 'line', 'station'].map((id) => m.queryRenderedFeatures({ layers: [id] }).length);
  });
  assert.ok(base.every((n) => n > 0), `basemap layers drawn: ${base}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'map-start.png') });
  assertClean('load');
});

test('status toggles filter the features', async () => {
  const count = () => page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['feat-point'] })
    .reduce((acc, f) => { acc[f.properties.status === 'existing' ? 'existing' : 'planned'] += 1; return acc; }, { existing: 0, planned: 0 }));
  const idle = () => mapIdle();
  const all = await count();
  assert.ok(all.planned > 0 && all.existing > 0);
  await page.click('#st-planned');
  await idle();
  const existingOnly = await count();
  assert.equal(existingOnly.planned, 0);
  assert.equal(existingOnly.existing, all.existing);
  await page.click('#st-planned');
  await page.click('[data-kind="cultural"]');
  await idle();
  const noCultural = await page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['feat-point'] }).filter((f) => f.properties.kind === 'cultural').length);
  assert.equal(noCultural, 0);
  await page.click('[data-kind="cultural"]');
  await idle();
  assertClean('toggles');
});

test('search 小李庄站 and a 20-minute transit reach on plan-2025 match GET /reach', async () => {
  await page.selectOption('#scenario', 'plan-2025');
  await page.selectOption('#mode', 'transit');
  await page.selectOption('#step', '10');
  // The slider by keyboard: 30 → 20 minutes.
  await page.focus('#minutes');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.inputValue('#minutes'), '20');

  await page.fill('#search', '小李庄站');
  await page.waitForSelector('#search-list li[role="option"]');
  const first = await page.textContent('#search-list li[role="option"]');
  assert.match(first, /Xiaolizhuang|小李庄/);
  await page.keyboard.press('Enter');
  await waitReach('plan-2025');

  const pageUrl = new URL(await page.evaluate(() => window.cityreach.lastReachUrl));
  assert.equal(pageUrl.searchParams.get('mode'), 'transit');
  assert.equal(pageUrl.searchParams.get('bands'), '10,20');

  // The same question asked by name, straight to the API.
  const api = await getJson(`/reach?from=${encodeURIComponent('小李庄站')}&mode=transit&scenario=plan-2025&bands=10,20`);
  const expected = apiList(api).sort(byId);
  assert.ok(expected.length >= 3, 'the plan reaches several features from 小李庄站');
  assert.ok(expected.some((r) => r.id === 'hub-zhengzhou-east'), '郑州东站 is within 20 minutes with the plan');
  const shown = (await panelList()).sort(byId);
  assert.deepEqual(shown, expected, 'the side panel lists the API reach: same ids, minutes and bands');

  // Bands are drawn, one legend entry per band.
  const bands = await page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['band-fill'] }).length);
  assert.ok(bands > 0, 'band polygons are drawn');
  assert.equal(await page.locator('#map-legend .row').count(), api.features.filter((f) => f.properties.layer === 'band').length);
  // The street model note is shown.
  assert.match(await page.textContent('#street-note summary'), /crow-fly|Street model/i);
  // The URL carries the state.
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('minutes') === '20' && new URLSearchParams(window.location.search).get('from'));
  const q = new URL(page.url()).searchParams;
  assert.equal(q.get('from'), 'hub-xiaolizhuang');
  assert.equal(q.get('scenario'), 'plan-2025');
  assert.equal(q.get('minutes'), '20');
  await page.screenshot({ path: path.join(ARTIFACTS, 'reach-plan-2025-en.png') });
  assertClean('reach');
});

test('download gives the current result as GeoJSON', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(ARTIFACTS, 'reach-download.geojson');
  await download.saveAs(file);
  const fc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.metadata.scenario.id, 'plan-2025');
  assertClean('download');
});

test('switching the scenario reruns the reach, and the language switches labels', async () => {
  await page.selectOption('#scenario', 'existing');
  await waitReach('existing');
  const api = await getJson(`/reach?from=hub-xiaolizhuang&mode=transit&scenario=existing&bands=10,20`);
  assert.deepEqual((await panelList()).sort(byId), apiList(api).sort(byId));
  assert.ok(!apiList(api).some((r) => r.id === 'hub-zhengzhou-east'), 'without the plan 郑州东站 is out of reach');

  await page.click('#lang-zh');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
  assert.equal(await page.textContent('#origin-name'), '小李庄站');
  assert.equal(await page.textContent('#tab-targets'), '规划目标');
  const zhField = await page.evaluate(() => JSON.stringify(window.cityreach.map.getLayoutProperty('feat-point', 'text-field')));
  assert.match(zhField, /name_zh/);
  assert.equal(new URL(page.url()).searchParams.get('lang') ?? 'zh', 'zh');
  await mapIdle();
  await page.screenshot({ path: path.join(ARTIFACTS, 'reach-existing-zh.png') });

  await page.click('#lang-en');
  assert.equal(await page.textContent('#origin-name'), 'Xiaolizhuang Railway Station');
  const enField = await page.evaluate(() => JSON.stringify(window.cityreach.map.getLayoutProperty('feat-point', 'text-field')));
  assert.match(enField, /name_en/);
  assertClean('scenario and language');
});

test('compare shows what plan-2025 adds over existing', async () => {
  await page.selectOption('#scenario', 'plan-2025');
  await waitReach('plan-2025');
  await page.click('#tab-compare');
  await page.waitForSelector('#compare-result:not([hidden]) #cmp-only');
  await mapIdle();
  const [base, plan] = await Promise.all([
    getJson('/reach?from=hub-xiaolizhuang&mode=transit&scenario=existing&bands=10,20'),
    getJson('/reach?from=hub-xiaolizhuang&mode=transit&scenario=plan-2025&bands=10,20'),
  ]);
  const baseIds = new Set(apiList(base).map((r) => r.id));
  const onlyPlan = apiList(plan).filter((r) => !baseIds.has(r.id)).map((r) => r.id).sort();
  const shown = (await page.$$eval('#cmp-only .item', (els) => els.map((e) => e.dataset.id))).sort();
  assert.deepEqual(shown, onlyPlan);
  assert.ok(shown.length > 0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'compare-en.png') });
  assertClean('compare');
});

test('plan targets list each target with its computed time and verdict', async () => {
  await page.click('#tab-targets');
  await page.waitForSelector('#targets-list .target');
  const api = await getJson('/targets?scenario=plan-2025');
  const list = Array.isArray(api) ? api : api.targets;
  const shown = await page.$$eval('#targets-list .target', (els) => els.map((e) => ({ id: e.dataset.target, verdict: e.dataset.verdict })));
  assert.deepEqual(shown, list.map((r) => ({ id: r.target.id, verdict: r.verdict })));
  await page.screenshot({ path: path.join(ARTIFACTS, 'targets-en.png') });
  assertClean('targets');
});

test('a shared link restores the reach', async () => {
  await page.click('#tab-reach');
  await waitReach('plan-2025');
  const link = page.url();
  const p2 = await context.newPage();
  watch(p2);
  // A page in the background gets no animation frames, and the map renders only in those.
  await p2.bringToFront();
  await p2.goto(link);
  await p2.waitForFunction(() => window.cityreach && window.cityreach.ready && document.documentElement.dataset.reachState === 'done', null, { timeout: 60000 });
  const restored = await p2.evaluate(() => new URL(window.cityreach.lastReachUrl).search);
  const original = await page.evaluate(() => new URL(window.cityreach.lastReachUrl).search);
  assert.equal(restored, original);
  assert.equal(await p2.inputValue('#scenario'), 'plan-2025');
  const ids = await p2.$$eval('#reached-list .item', (els) => els.map((e) => e.dataset.id).sort());
  assert.deepEqual(ids, (await panelList()).map((r) => r.id).sort());
  await p2.close();
  await page.bringToFront();
  assertClean('shared link');
});

test('a click on the map runs a reach from that point; popups show the source', async () => {
  // A feature: hover shows a tooltip, click opens its details with seed source and accuracy.
  const pt = await page.evaluate(() => {
    const m = window.cityreach.map;
    const f = m.queryRenderedFeatures({ layers: ['feat-point'] }).find((x) => x.properties.id === 'hub-zhengzhou-east');
    return f ? m.project(f.geometry.coordinates) : null;
  });
  assert.ok(pt, '郑州东站 is on screen');
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.move(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('.tip');
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('.pp dl');
  const popup = await page.textContent('.pp');
  assert.match(popup, /\.txt line \d+/, 'the popup names the seed document and line');
  assert.match(popup, /± \d+ m/, 'the popup gives the position accuracy');
  await waitReach('plan-2025');
  assert.equal(new URL(await page.evaluate(() => window.cityreach.lastReachUrl)).searchParams.get('from'), 'hub-zhengzhou-east');
  await page.keyboard.press('Escape');

  // An empty spot: the origin becomes lon,lat.
  const spot = await page.evaluate(() => {
    const m = window.cityreach.map;
    const layers = ['feat-point', 'feat-line', 'reached-ring', 'station', 'origin', 'line-planned'];
    const { width, height } = m.getCanvas().getBoundingClientRect();
    for (let y = height * 0.3; y < height * 0.9; y += 23) {
      for (let x = width * 0.1; x < width * 0.6; x += 29) {
        if (!m.queryRenderedFeatures([[x - 8, y - 8], [x + 8, y + 8]], { layers }).length) return { x, y };
      }
    }
    return null;
  });
  assert.ok(spot, 'an empty spot on the map');
  await page.mouse.click(box.x + spot.x, box.y + spot.y);
  await page.waitForFunction(() => /^113\.\d+,34\.\d+$/.test(new URL(window.cityreach.lastReachUrl).searchParams.get('from')), null, { timeout: 30000 });
  await waitReach('plan-2025');
  assertClean('map click');
});

test('API errors are shown with their code and description', async () => {
  expectHttpError = true;
  try {
    await page.goto(`${BASE}/map/?lang=en&from=${encodeURIComponent('nowhere-at-all')}&scenario=existing`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 30000 });
    const text = await page.textContent('#error');
    assert.match(text, /InvalidParameterValue|NotFound/);
    assert.match(text, /nowhere-at-all/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'error-en.png') });
  } finally {
    expectHttpError = false;
  }
  assertClean('errors');
});
