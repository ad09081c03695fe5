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
  // The origin itself is not a reached feature.
  const expected = apiList(api).filter((r) => r.id !== 'hub-xiaolizhuang').sort(byId);
  assert.ok(apiList(api).some((r) => r.id === 'hub-xiaolizhuang'), 'the API lists the origin at 0 min');
  assert.ok(expected.length >= 3, 'the plan reaches several features from 小李庄站');
  assert.ok(expected.some((r) => r.id === 'hub-zhengzhou-east'), '郑州东站 is within 20 minutes with the plan');
  const shown = (await panelList()).sort(byId);
  assert.deepEqual(shown, expected, 'the side panel lists the API reach: same ids, minutes and bands');

  // Bands are drawn, one legend entry per band.
  const bands = await page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['band-fill'] }).length);
  assert.ok(bands > 0, 'band polygons are drawn');
  assert.equal(await page.locator('#map-legend .row').count(), api.features.filter((f) => f.properties.layer === 'band').length);
  // The street model note is shown.
  assert.match(await page.textContent('#reach-note'), /Street model: No real street network/);
  assert.match(await page.textContent('#reach-summary'), new RegExp(`^${expected.length} features reached within 20 min`));
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
  assert.deepEqual((await panelList()).sort(byId), apiList(api).filter((r) => r.id !== 'hub-xiaolizhuang').sort(byId));
  assert.ok(!apiList(api).some((r) => r.id === 'hub-zhengzhou-east'), 'without the plan 郑州东站 is out of reach');

  await page.click('#lang-zh');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
  assert.equal(await page.textContent('#origin-list .origin-name'), '小李庄站');
  assert.equal(await page.textContent('#tab-targets'), '规划目标');
  const zhField = await page.evaluate(() => JSON.stringify(window.cityreach.map.getLayoutProperty('feat-point', 'text-field')));
  assert.match(zhField, /name_zh/);
  assert.equal(new URL(page.url()).searchParams.get('lang') ?? 'zh', 'zh');
  await mapIdle();
  await page.screenshot({ path: path.join(ARTIFACTS, 'reach-existing-zh.png') });

  await page.click('#lang-en');
  assert.equal(await page.textContent('#origin-list .origin-name'), 'Xiaolizhuang Railway Station');
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
  const onlyPlan = apiList(plan).filter((r) => !baseIds.has(r.id) && r.id !== 'hub-xiaolizhuang').map((r) => r.id).sort();
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

test('a click on a feature only opens it; "Reach from here" and a click on an empty spot set the origin', async () => {
  const before = await page.evaluate(() => window.cityreach.lastReachUrl);
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
  assert.match(popup, /line \d+/, 'the popup names the source document and line');
  assert.doesNotMatch(popup, /\.txt/, 'sources are titles, not file names');
  assert.match(popup, /± \d+ m/, 'the popup gives the position accuracy');
  // Reading the feature leaves the analysis alone.
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => window.cityreach.lastReachUrl), before, 'no new reach');
  assert.equal(new URL(page.url()).searchParams.get('from'), 'hub-xiaolizhuang');
  // Planning features anchored "around 郑州东站" are drawn over the station: whichever one the
  // click opened becomes the origin.
  const chosen = await page.getAttribute('.pp button[data-reach-from][data-act="replace"]', 'data-reach-from');
  await page.click('.pp button[data-reach-from][data-act="replace"]');
  await page.waitForFunction((id) => new URL(window.cityreach.lastReachUrl).searchParams.get('from') === id, chosen, { timeout: 30000 });
  await waitReach('plan-2025');

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
    // What happened and what to do next, in the page's language.
    assert.match(text, /Search by name, pinyin or “lon, lat”, or click the map|Check the origin and the settings/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'error-en.png') });
  } finally {
    expectHttpError = false;
  }
  assertClean('errors');
});

// ---------------------------------------------------------------------------------------------
// The map as a planner uses it: phone and desktop, 中文 and English, keyboard.
// ---------------------------------------------------------------------------------------------

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

// A fresh page at a size, watched like the main one.
async function openAt(viewport, query) {
  const p = await context.newPage();
  watch(p);
  await p.setViewportSize(viewport);
  await p.bringToFront();
  await p.goto(`${BASE}/map/?${query}`);
  await p.waitForFunction(() => window.cityreach && window.cityreach.ready, null, { timeout: 60000 });
  return p;
}
const reachDone = (p) => p.waitForFunction(() => document.documentElement.dataset.reachState === 'done', null, { timeout: 60000 });
const rect = (p, sel) => p.evaluate((s) => { const r = document.querySelector(s).getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; }, sel);
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

// WCAG 2.1 contrast of every visible text against what is behind it (backgrounds composited up
// the tree over white); 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
async function contrastFailures(p) {
  return p.evaluate(() => {
    const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const v = m[1].split(',').map((x) => parseFloat(x)); return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 }; };
    const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
    const lum = (c) => { const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a === 1) break;
      }
      let bg = { r: 255, g: 255, b: 255, a: 1 };
      for (const c of layers.reverse()) bg = over(c, bg);
      return bg;
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || seen.has(el)) continue;
      seen.add(el);
      // Labels drawn on the map canvas and the band chips' own colours are checked elsewhere.
      if (el.closest('.maplibregl-ctrl-attrib, [hidden], option, .maplibregl-canvas-container')) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (!r.width || !r.height || cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) continue;
      if (r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) continue;
      const fg0 = parse(cs.color);
      const bg = background(el);
      const fg = over(fg0, bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)}:1 ${size}px "${n.textContent.trim().slice(0, 40)}" (${cs.color} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`);
    }
    return out;
  });
}

test('phone 390×844: map, panel, search and language toggle all fit, nothing scrolls sideways', async () => {
  for (const lang of ['zh', 'en']) {
    const p = await openAt(PHONE, `lang=${lang}&from=hub-xiaolizhuang&scenario=plan-2025&minutes=30&step=10`);
    await reachDone(p);
    const sw = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= PHONE.width, `${lang}: page is ${sw} px wide`);
    const map = await rect(p, '#map');
    assert.ok(map.width >= PHONE.width - 2 && map.height >= 240, `${lang}: map is ${map.width}×${map.height}`);
    for (const sel of ['#search', '#lang-zh', '#lang-en', '#scenario', '#minutes', '#tab-targets']) {
      const r = await rect(p, sel);
      assert.ok(r.left >= 0 && r.right <= PHONE.width && r.width > 0, `${lang}: ${sel} on screen (${r.left}–${r.right})`);
    }
    const layers = await rect(p, '#layers-box');
    const panel = await rect(p, '.panel');
    assert.ok(!overlap(layers, panel), `${lang}: the Layers box does not cover the panel`);
    assert.equal(await p.getAttribute('#layers-toggle', 'aria-expanded'), 'false', 'layers start folded on a phone');
    await mapIdle(p);
    await p.screenshot({ path: path.join(ARTIFACTS, `phone-${lang}.png`) });
    assert.deepEqual(await contrastFailures(p), [], `${lang}: text contrast on a phone`);
    // Keyboard on a phone-sized page: search, choose, reach.
    await p.click('#lang-en');
    await p.focus('#search');
    await p.keyboard.type('郑州站');
    await p.waitForSelector('#search-list li[role="option"]');
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => new URL(window.cityreach.lastReachUrl).searchParams.get('from') !== 'hub-xiaolizhuang', null, { timeout: 30000 });
    await reachDone(p);
    assert.deepEqual(await contrastFailures(p), [], `${lang}: text contrast on a phone after a search`);
    await p.close();
  }
  await page.bringToFront();
  assertClean('phone');
});

test('a feature read after a reach keeps the analysis; its route is drawn with lines and transfers', async () => {
  const p = await openAt(DESKTOP, 'lang=en&from=hub-xiaolizhuang&scenario=plan-2025&minutes=40&step=10&map=10.4/34.735/113.7');
  await reachDone(p);
  const url = await p.evaluate(() => window.cityreach.lastReachUrl);
  await mapIdle(p);
  // An FTZ marker on screen.
  const pt = await p.evaluate(() => {
    const m = window.cityreach.map;
    const f = m.queryRenderedFeatures({ layers: ['feat-point'] }).find((x) => x.properties.kind === 'free_trade_zone');
    return f ? { ...m.project(f.geometry.coordinates), id: f.properties.id } : null;
  });
  assert.ok(pt, 'a free-trade-zone marker is on screen');
  const box = await p.locator('#map canvas').boundingBox();
  const zoom = await p.evaluate(() => window.cityreach.map.getZoom());
  await p.mouse.click(box.x + pt.x, box.y + pt.y);
  await p.waitForSelector('.pp dl');
  await p.waitForTimeout(800);
  assert.equal(await p.evaluate(() => window.cityreach.lastReachUrl), url, 'the reach is not rerun');
  assert.equal(await p.evaluate(() => window.cityreach.map.getZoom()), zoom, 'the map is not re-zoomed');
  assert.equal(await p.textContent('#origin-list .origin-name'), 'Xiaolizhuang Railway Station');

  // The route to the airport: a ride on the planned link, drawn in its colour, with named stops.
  await p.keyboard.press('Escape');
  // By keyboard: the reached item is a button.
  await p.focus('#reached-list .item[data-id="hub-xinzheng-airport"]');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.documentElement.dataset.route === 'feature:hub-xinzheng-airport');
  await mapIdle(p);
  const route = await p.evaluate(() => window.cityreach.route);
  const rides = route.filter((f) => f.properties.type === 'ride');
  const stops = route.filter((f) => f.properties.type === 'stop').map((f) => f.properties.label);
  assert.ok(rides.length >= 1 && rides.every((f) => f.geometry.coordinates.length >= 2), 'rides are lines');
  assert.ok(stops.includes('小李庄站'), `boarding station named: ${stops}`);
  // The drawn line is the answer's own leg geometry.
  const api = await getJson('/reach?from=hub-xiaolizhuang&mode=transit&scenario=plan-2025&bands=10,20,30,40');
  const legs = api.features.find((f) => f.properties.id === 'hub-xinzheng-airport').properties.legs;
  assert.deepEqual(rides.map((f) => f.geometry.coordinates), legs.filter((l) => l.type === 'ride').map((l) => l.path));
  const steps = await p.$$eval('#route .steps li', (els) => els.map((e) => e.textContent));
  assert.ok(steps.some((s) => /^Wait \d+(\.\d)? min at 小李庄站/.test(s)), steps.join(' | '));
  assert.ok(steps.some((s) => /stops?, \d+(\.\d)? min$/.test(s)), steps.join(' | '));
  assert.ok(await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['route-ride'] }).length) > 0, 'the ride is drawn');
  await p.screenshot({ path: path.join(ARTIFACTS, 'route-en.png') });
  // Switching the language keeps the route and re-says its steps.
  await p.click('#lang-zh');
  assert.equal(await p.evaluate(() => document.documentElement.dataset.route), 'feature:hub-xinzheng-airport');
  assert.match(await p.textContent('#route'), /在 小李庄站 候车 \d+ 分钟/);
  await p.close();
  await page.bringToFront();
  assertClean('route');
});

test('coordinates: lat,lon as Google Maps copies them, and out-of-area points, say what to do; ⌂ goes home', async () => {
  const p = await openAt(DESKTOP, 'lang=en&scenario=existing&minutes=20&step=0');
  // Out of the area first: nothing moves, the message is the page's own.
  const c0 = await p.evaluate(() => window.cityreach.map.getCenter().toArray());
  await p.fill('#search', '120, 30');
  await p.waitForSelector('#search-list li[role="option"]');
  await p.keyboard.press('Enter');
  await p.waitForSelector('#error:not([hidden])');
  const err = await p.textContent('#error');
  assert.match(err, /120, 30 is outside Zhengzhou .*Click a point on the map or search by name/);
  assert.doesNotMatch(err, /\d\.\d{6,}/, 'no raw floating-point noise');
  await p.waitForTimeout(400);
  assert.deepEqual(await p.evaluate(() => window.cityreach.map.getCenter().toArray()), c0, 'the map did not pan away');

  // Pasted "lat, lon": understood, the stale error goes away.
  await p.fill('#search', '34.7536, 113.6598');
  await p.waitForSelector('#search-list li[role="option"]');
  assert.match(await p.textContent('#search-list li[role="option"]'), /113\.6598, 34\.7536/);
  await p.keyboard.press('Enter');
  await reachDone(p);
  assert.equal(new URL(await p.evaluate(() => window.cityreach.lastReachUrl)).searchParams.get('from'), '113.6598,34.7536');
  assert.equal(await p.isHidden('#error'), true, 'the previous error is cleared');

  // Home: back to the whole city.
  await p.evaluate(() => window.cityreach.map.jumpTo({ center: [114.9, 35.3], zoom: 9 }));
  await p.click('#home');
  await p.waitForFunction(() => { const c = window.cityreach.map.getCenter(); return Math.abs(c.lng - 113.70) < 1e-3 && Math.abs(c.lat - 34.735) < 1e-3; }, null, { timeout: 5000 });

  // 中文: the same mistake explained in Chinese.
  await p.click('#lang-zh');
  await p.fill('#search', '120, 30');
  await p.waitForSelector('#search-list li[role="option"]');
  await p.keyboard.press('Enter');
  await p.waitForSelector('#error:not([hidden])');
  assert.match(await p.textContent('#error'), /不在郑州范围内/);
  await p.close();
  await page.bringToFront();
  assertClean('coordinates');
});

test('compare draws "added by the plan" only where the plan adds; targets drop the compare layers', async () => {
  // Walking: the plan changes nothing, so nothing is outlined as added.
  const p = await openAt(DESKTOP, 'lang=en&from=hub-zhengzhou-east&mode=walk&scenario=plan-2025&minutes=20&step=10&view=compare');
  await p.waitForSelector('#compare-result:not([hidden])');
  await mapIdle(p);
  assert.equal(await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['cmp-plan-line', 'cmp-plan-fill'] }).length), 0);
  assert.ok(await p.isVisible('#cmp-no-area'));
  assert.doesNotMatch(await p.textContent('#map-legend'), /added by the plan/);

  // From 小李庄站 by transit the plan adds area: outlined, and in the legend.
  await p.goto(`${BASE}/map/?lang=en&from=hub-xiaolizhuang&mode=transit&scenario=plan-2025&minutes=20&step=10&view=compare`);
  await p.waitForFunction(() => window.cityreach.ready && document.documentElement.dataset.reachState === 'done', null, { timeout: 60000 });
  await mapIdle(p);
  assert.ok(await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['cmp-plan-fill'] }).length) > 0);
  assert.match(await p.textContent('#map-legend'), /added by the plan/);
  assert.deepEqual(await contrastFailures(p), [], 'compare panel');

  // Plan targets: no compare legend or rings left behind.
  await p.click('#tab-targets');
  await p.waitForSelector('#targets-list .target');
  await mapIdle(p);
  assert.equal(await p.isHidden('#map-legend'), true);
  assert.equal(await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['cmp-plan-fill', 'cmp-base-fill', 'cmp-plan-line', 'reached-ring'] }).length), 0);
  // The 700 km target is a length, not "≤ 0 min"; targets that cannot be evaluated offer no reach
  // or route (the national one offers its map of China instead).
  const km = await p.textContent('[data-target="rail-network-700km"]');
  assert.match(km, /about 700 km/);
  assert.doesNotMatch(km, /≤ 0/);
  assert.equal(await p.locator('[data-target="capitals-2h"] button[data-act="national"]').count(), 1);
  for (const id of ['rail-network-700km', 'air-cargo-24h', 'capitals-2h']) {
    assert.equal(await p.locator(`[data-target="${id}"] button:is([data-act="reach"], [data-act="route"])`).count(), 0, `${id} has no reach or route buttons`);
  }
  // An evaluable target: its route, then its reach with a slider that shows the minutes used.
  await p.click('[data-target="xlz-east-15min"] [data-act="route"]');
  await p.waitForFunction(() => document.documentElement.dataset.route === 'target:xlz-east-15min');
  await p.click('[data-target="xlz-east-15min"] [data-act="reach"]');
  await reachDone(p);
  const m = Number(new URL(await p.evaluate(() => window.cityreach.lastReachUrl)).searchParams.get('bands')?.split(',').at(-1) || 0);
  assert.equal(String(m), await p.inputValue('#minutes'), 'the slider shows the minutes of the reach');
  await p.close();
  await page.bringToFront();
  assertClean('compare and targets');
});

test('24 bands: the chips fit and neighbouring colours differ', async () => {
  const p = await openAt(DESKTOP, 'lang=en&from=hub-zhengzhou-east&mode=transit&scenario=existing&minutes=120&step=5');
  await reachDone(p);
  const chips = await p.$$eval('#band-legend .b', (els) => els.map((e) => ({ bg: getComputedStyle(e).backgroundColor, right: e.getBoundingClientRect().right })));
  assert.equal(chips.length, 24);
  const legend = await rect(p, '#band-legend');
  assert.ok(chips.every((c) => c.right <= legend.right + 0.5), 'no chip runs past the panel');
  const rgb = (s) => s.match(/\d+/g).slice(0, 3).map(Number);
  for (let i = 1; i < chips.length; i += 1) {
    const a = rgb(chips[i - 1].bg); const b = rgb(chips[i].bg);
    const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    assert.ok(d >= 40, `bands ${i} and ${i + 1} differ (${d.toFixed(0)})`);
  }
  await p.close();
  await page.bringToFront();
  assertClean('many bands');
});

test('popups fit the map; unticking Planned removes its rings; the origin is not counted', async () => {
  for (const vp of [DESKTOP, PHONE]) {
    const p = await openAt(vp, 'lang=en&from=hub-xiaolizhuang&scenario=plan-2025&minutes=40&step=10');
    await reachDone(p);
    await mapIdle(p);
    // The tallest popup (a reached hub: route, sources, aliases) at the bottom of the map.
    await p.evaluate(() => {
      const m = window.cityreach.map;
      const rec = window.cityreach.catalog.get('hub-xinzheng-airport');
      const h = m.getContainer().clientHeight;
      // Puts the hub 70 px above the bottom edge, in the middle.
      m.jumpTo({ center: m.unproject(m.project(rec.geometry.coordinates).sub({ x: 0, y: h / 2 - 70 })).toArray() });
    });
    await mapIdle(p);
    const pt = await p.evaluate(() => window.cityreach.map.project(window.cityreach.catalog.get('hub-xinzheng-airport').geometry.coordinates));
    const box = await p.locator('#map canvas').boundingBox();
    await p.mouse.click(box.x + pt.x, box.y + pt.y);
    await p.waitForSelector('.maplibregl-popup .pp dl');
    await p.waitForTimeout(300);
    const pop = await rect(p, '.maplibregl-popup');
    const map = await rect(p, '#map');
    assert.ok(pop.top >= map.top - 1 && pop.bottom <= map.bottom + 1, `${vp.width}: popup ${pop.top}–${pop.bottom} within map ${map.top}–${map.bottom}`);
    assert.deepEqual(await contrastFailures(p), [], `${vp.width}: text contrast with a popup open`);
    await p.keyboard.press('Escape');

    // Planned features hidden: no ring or minute label stays behind.
    if (vp === DESKTOP) {
      await p.click('#st-planned');
      await mapIdle(p);
      const ghosts = await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['reached-ring', 'reached-minutes'] }).filter((f) => f.properties.status !== 'existing').length);
      assert.equal(ghosts, 0);
      // The origin (0 min) is not among the reached features.
      const ids = await p.$$eval('#reached-list .item', (els) => els.map((e) => e.dataset.id));
      assert.ok(!ids.includes('hub-xiaolizhuang'));
      assert.match(await p.textContent('#reach-summary'), new RegExp(`^${ids.length} features? reached`));
    }
    await p.close();
  }
  await page.bringToFront();
  assertClean('popups and toggles');
});

test('中文 throughout, English names in English, and WCAG AA contrast for text', async () => {
  const p = await openAt(DESKTOP, 'lang=zh&from=hub-xiaolizhuang&scenario=plan-2025&minutes=40&step=10');
  await reachDone(p);
  const latin = /\b(Existing|Plan|Wait|Walk|stops|min|Street model|target)\b/;
  const scen = await p.$$eval('#scenario option', (els) => els.map((e) => e.textContent));
  for (const s of scen) assert.doesNotMatch(s, latin, `scenario "${s}"`);
  assert.equal(await p.getAttribute('#minutes-out', 'data-unit'), '分钟');
  const legs = await p.$$eval('#reached-list .item .legs', (els) => els.map((e) => e.textContent).join(' | '));
  assert.match(legs, /候车/);
  assert.doesNotMatch(legs, /\b(Wait|Walk|stops)\b/);
  assert.match(await p.textContent('#reach-note'), /街道模型/);
  // The line legend names every line of the map, in Chinese.
  const lines = await getJson('/collections/transit_lines/items?limit=1000');
  const planned = await getJson('/collections/planned_additions/items?limit=1000');
  const legend = await p.$$eval('#line-legend li', (els) => els.map((e) => e.textContent));
  assert.equal(legend.length, lines.features.length + planned.features.filter((f) => /LineString/.test(f.geometry.type)).length);
  assert.ok(legend.includes('1号线') && legend.includes('城郊线'), legend.join(' | '));
  assert.deepEqual(await contrastFailures(p), [], 'reach panel, 中文');
  await p.screenshot({ path: path.join(ARTIFACTS, 'reach-plan-2025-zh.png') });
  await p.click('#tab-targets');
  await p.waitForSelector('#targets-list .target');
  const titles = await p.$$eval('#targets-list .target-title', (els) => els.map((e) => e.textContent));
  for (const s of titles) assert.match(s, /[\u4e00-\u9fff]/, `target title "${s}" is Chinese`);
  assert.doesNotMatch(await p.textContent('#targets-list'), /\.txt/);
  assert.deepEqual(await contrastFailures(p), [], 'targets, 中文');

  // English: a metro station picked from search keeps its English name.
  await p.click('#lang-en');
  await p.click('#tab-reach');
  await p.fill('#search', '二七广场');
  await p.waitForSelector('#search-list li[role="option"]');
  const hits = await p.$$eval('#search-list li[role="option"]', (els) => els.map((e) => e.textContent));
  const i = hits.findIndex((h) => /station/.test(h));
  assert.ok(i >= 0, hits.join(' | '));
  for (let k = 0; k < i; k += 1) await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Enter');
  await reachDone(p);
  const name = await p.textContent('#origin-list .origin-name');
  assert.equal(name, 'Erqi Guangchang');
  assert.ok((await p.$$eval('#line-legend li', (els) => els.map((e) => e.textContent))).includes('Line 1'));
  assert.deepEqual(await contrastFailures(p), [], 'reach panel, English');
  await p.close();
  await page.bringToFront();
  assertClean('languages and contrast');
});

test('exports: CSV of the reached features and a PNG with legend, scale and parameters', async () => {
  const p = await openAt(DESKTOP, 'lang=en&from=hub-xiaolizhuang&scenario=plan-2025&minutes=30&step=10');
  await reachDone(p);
  await mapIdle(p);
  const [csvDl] = await Promise.all([p.waitForEvent('download'), p.click('#download-csv')]);
  const csvFile = path.join(ARTIFACTS, 'reach.csv');
  await csvDl.saveAs(csvFile);
  const lines = fs.readFileSync(csvFile, 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
  assert.equal(lines[0], 'id,name_zh,name_en,kind,status,minutes,band_max_minutes,lon,lat,route,origin,mode,scenario');
  const api = await getJson('/reach?from=hub-xiaolizhuang&mode=transit&scenario=plan-2025&bands=10,20,30');
  const want = apiList(api).filter((r) => r.id !== 'hub-xiaolizhuang');
  assert.equal(lines.length - 1, want.length);
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((r) => r[0]).sort(), want.map((r) => r.id).sort());
  for (const r of rows) assert.equal(Number(r[5]), want.find((w) => w.id === r[0]).minutes);

  const [pngDl] = await Promise.all([p.waitForEvent('download'), p.click('#download-png')]);
  const pngFile = path.join(ARTIFACTS, 'map-export.png');
  await pngDl.saveAs(pngFile);
  const png = fs.readFileSync(pngFile);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const width = png.readUInt32BE(16); const height = png.readUInt32BE(20);
  const canvas = await p.evaluate(() => { const c = window.cityreach.map.getCanvas(); return { w: c.width, h: c.height }; });
  assert.equal(width, canvas.w);
  assert.ok(height > canvas.h, 'header and legend are added below and above the map');
  await p.close();
  await page.bringToFront();
  assertClean('exports');
});

test('several origins at once: the reach is their union, as the API answers it', async () => {
  const p = await openAt(DESKTOP, 'lang=en&from=hub-xiaolizhuang&scenario=existing&minutes=20&step=10');
  await reachDone(p);
  await p.click('#add-origin');
  assert.equal(await p.getAttribute('#add-origin', 'aria-pressed'), 'true');
  await p.keyboard.type('郑州东站');
  await p.waitForSelector('#search-list li[role="option"]');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => (new URL(window.cityreach.lastReachUrl).searchParams.get('from') || '').includes('|'), null, { timeout: 30000 });
  await reachDone(p);
  const from = new URL(await p.evaluate(() => window.cityreach.lastReachUrl)).searchParams.get('from');
  const parts = from.split('|');
  assert.equal(parts.length, 2);
  assert.equal(parts[0], 'hub-xiaolizhuang');
  assert.equal(await p.locator('#origin-list .origin-chip').count(), 2);
  const api = await getJson(`/reach?from=${encodeURIComponent(from)}&mode=transit&scenario=existing&bands=10,20`);
  const origins = new Set(api.metadata.origins.map((o) => o.id));
  const ids = await p.$$eval('#reached-list .item', (els) => els.map((e) => e.dataset.id).sort());
  assert.deepEqual(ids, apiList(api).filter((r) => !origins.has(r.id)).map((r) => r.id).sort());
  // Removing one origin by keyboard.
  await p.focus('#origin-list .origin-chip:nth-child(2) button');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => new URL(window.cityreach.lastReachUrl).searchParams.get('from') === 'hub-xiaolizhuang', null, { timeout: 30000 });
  await p.close();
  await page.bringToFront();
  assertClean('several origins');
});

// ---------------------------------------------------------------------------------------------
// The accessibility tab

const accDone = (p) => p.waitForFunction(() => ['done', 'error'].includes(document.documentElement.dataset.accState), null, { timeout: 120000 })
  .then(() => p.evaluate(() => document.documentElement.dataset.accState))
  .then((s) => assert.equal(s, 'done', 'the accessibility job ends done'));

// The centre of grid cell i, and where the map draws it.
function cellCentre(g, i) {
  const row = Math.floor(i / g.cols); const col = i % g.cols;
  return [g.west + (col + 0.5) * g.dlon, g.north - (row + 0.5) * g.dlat];
}
const pixelOf = (p, lonlat) => p.evaluate((ll) => window.cityreach.map.project(ll), lonlat);
// The drawn cell under a pixel: its value as the map's colour layer holds it.
const drawnAt = (p, pt) => p.evaluate((q) => {
  const f = window.cityreach.map.queryRenderedFeatures([q.x, q.y], { layers: ['acc-fill'] });
  return f.length ? f[0].properties.v : undefined;
}, pt);

test('accessibility: Run starts a job, shows progress, draws the API\'s grid with a legend, the value under the cursor, the difference, districts, gains and downloads', async () => {
  const p = await openAt(DESKTOP, 'lang=en');
  await p.click('#tab-access');
  assert.equal(await p.isHidden('#reach-controls'), true, 'the reach settings give way to the tab\'s own');
  assert.equal(await p.inputValue('#acc-opp'), 'all');
  assert.equal(await p.inputValue('#acc-cutoff'), '45');
  assert.equal(await p.inputValue('#acc-compare'), 'plan-2025');
  assert.equal(await p.inputValue('#acc-cell'), '500');
  const [req] = await Promise.all([
    p.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/access'),
    p.click('#acc-start'),
  ]);
  assert.deepEqual(req.postDataJSON(), {
    opportunities: 'all', cutoffs: [45], mode: 'transit', scenario: 'existing', cell: 500,
    within: ['410102', '410103', '410104', '410105', '410108'], compare: 'plan-2025',
  });
  // While it runs: a progress bar and a Cancel button; Run is disabled.
  await p.waitForFunction(() => document.documentElement.dataset.accState === 'running');
  assert.equal(await p.isDisabled('#acc-start'), true);
  assert.equal(await p.isVisible('#acc-cancel'), true);
  await accDone(p);
  await mapIdle(p);
  assert.equal(await p.isHidden('#acc-cancel'), true);
  assert.equal(await p.isHidden('#acc-bar'), true);

  const id = await p.evaluate(() => window.cityreach.access.id);
  const job = await getJson(`/access/${id}`);
  const grid = await getJson(`/access/${id}/result?f=grid`);
  assert.equal(job.status, 'done');
  assert.equal(job.metadata.cell_m, 500);
  assert.match(await p.textContent('#acc-status'), new RegExp(`${job.metadata.origin_count} cells`));
  const names = grid.measures.map((m) => m.name);
  const base = grid.values[names.indexOf('existing_cum45')];
  const diff = grid.values[names.indexOf('diff_cum45')];
  // Every cell with a value is drawn, and nothing else.
  const drawn = await p.evaluate(() => window.cityreach.map.getSource('acc').serialize().data.features.length);
  assert.equal(drawn, base.filter((v) => v != null).length);
  assert.equal(drawn, job.metadata.origin_count);

  // The best-served cell: the map draws its value there, and the cursor reads it out.
  const best = base.reduce((bi, v, i) => (v != null && v > (base[bi] ?? -1) ? i : bi), 0);
  const pt = await pixelOf(p, cellCentre(grid, best));
  assert.equal(await drawnAt(p, pt), base[best]);
  const mapBox = await rect(p, '#map');
  await p.mouse.move(mapBox.left + pt.x, mapBox.top + pt.y);
  await p.waitForFunction((v) => document.querySelector('#acc-readout').dataset.value === String(v), base[best]);
  assert.equal(await p.textContent('#acc-readout'), `Under the cursor: ${Number(base[best].toFixed(2))}`);
  // The legend's classes cover the values drawn.
  const legend = await p.$$eval('#map-legend .row span', (els) => els.map((e) => e.textContent));
  assert.ok(await p.isVisible('#map-legend'));
  assert.equal(legend[0], '0');
  const top = Number(legend.at(-1).split('–')[1]);
  assert.ok(top >= Math.max(...base.filter((v) => v != null)), `legend tops out at ${top}`);
  await p.screenshot({ path: path.join(ARTIFACTS, 'access-en.png') });

  // The difference: a cell that gains is drawn and read out with its sign.
  await p.click('#acc-show button[data-show="diff"]');
  assert.equal(await p.getAttribute('#acc-show button[data-show="diff"]', 'aria-pressed'), 'true');
  const gain = diff.reduce((bi, v, i) => (v != null && v > (diff[bi] ?? -1) ? i : bi), 0);
  assert.ok(diff[gain] > 0, 'plan-2025 adds service, so some cell gains');
  assert.ok(diff.every((v) => v == null || v >= 0), 'a plan that only adds service lowers no cell');
  const gp = await pixelOf(p, cellCentre(grid, gain));
  await mapIdle(p);
  assert.equal(await drawnAt(p, gp), diff[gain]);
  await p.mouse.move(mapBox.left + gp.x, mapBox.top + gp.y);
  await p.waitForFunction((v) => document.querySelector('#acc-readout').dataset.value === String(v), diff[gain]);
  assert.equal(await p.textContent('#acc-readout'), `Under the cursor: +${Number(diff[gain].toFixed(2))}`);
  assert.match(await p.textContent('#map-legend .lt'), /Plan 2025 vs Existing network: change/);
  assert.match(p.url(), /view=access/);
  assert.match(p.url(), /show=diff/);
  await p.screenshot({ path: path.join(ARTIFACTS, 'access-diff-en.png') });

  // District means and the histogram are the API's.
  const rows = await p.$$eval('#acc-districts tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(rows.length, job.districts.length);
  const ib = names.indexOf('existing_cum45'); const id2 = names.indexOf('diff_cum45');
  for (const [i, d] of job.districts.entries()) {
    assert.equal(rows[i][0], d.name_en);
    assert.equal(Number(rows[i][1]), d.origins);
    assert.equal(Number(rows[i][2]), Number(d.means[ib].toFixed(2)));
    assert.equal(Number(rows[i][4]), Number(d.means[id2].toFixed(2)));
  }
  const h = job.histogram;
  assert.equal(await p.textContent('#acc-hist .acc-hsum'), `${h.gained} cells gain, ${h.unchanged} unchanged, ${h.lost} lose.`);
  assert.deepEqual(await p.$$eval('#acc-hist tbody tr td:last-child', (tds) => tds.map((td) => Number(td.textContent))), h.bins.map((b) => b[2]));

  // Downloads are the job's results.
  const [csvDl] = await Promise.all([p.waitForEvent('download'), p.click('#acc-dl-csv')]);
  const csvFile = path.join(ARTIFACTS, 'access.csv');
  await csvDl.saveAs(csvFile);
  const csvApi = await (await fetch(`${BASE}/access/${id}/result?f=csv`)).text();
  assert.equal(fs.readFileSync(csvFile, 'utf8'), csvApi);
  assert.equal(csvApi.split('\n')[0], 'id,lon,lat,existing_cum45,plan-2025_cum45,diff_cum45');
  const [tifDl] = await Promise.all([p.waitForEvent('download'), p.click('#acc-dl-tiff')]);
  const tifFile = path.join(ARTIFACTS, 'access.tif');
  await tifDl.saveAs(tifFile);
  assert.equal(fs.readFileSync(tifFile).subarray(0, 4).toString('latin1'), 'II*\0');
  const [gjDl] = await Promise.all([p.waitForEvent('download'), p.click('#acc-dl-geojson')]);
  const gjFile = path.join(ARTIFACTS, 'access.geojson');
  await gjDl.saveAs(gjFile);
  assert.equal(JSON.parse(fs.readFileSync(gjFile, 'utf8')).features.length, job.metadata.origin_count);
  assert.deepEqual(await contrastFailures(p), [], 'accessibility panel, English');
  await p.close();
  await page.bringToFront();
  assertClean('accessibility');
});

test('accessibility: Cancel stops a running job and the server forgets it', async () => {
  const p = await openAt(DESKTOP, 'lang=en&view=reach');
  await p.click('#tab-access');
  // 250 m cells: several times the default's work, so the job is still running when cancelled.
  await p.selectOption('#acc-cell', '250');
  await p.click('#acc-start');
  await p.waitForFunction(() => window.cityreach.access && window.cityreach.access.id);
  const id = await p.evaluate(() => window.cityreach.access.id);
  expectHttpError = true; // a poll already on its way may find the job gone
  const [del] = await Promise.all([
    p.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/access/${id}`)),
    p.click('#acc-cancel'),
  ]);
  assert.equal(del.status(), 200);
  assert.equal(await p.evaluate(() => document.documentElement.dataset.accState), 'cancelled');
  assert.equal(await p.textContent('#acc-status'), 'Cancelled.');
  assert.equal(await p.isHidden('#acc-cancel'), true);
  assert.equal(await p.isEnabled('#acc-start'), true);
  const res = await fetch(`${BASE}/access/${id}`);
  assert.equal(res.status, 404);
  await p.waitForTimeout(800);
  assert.equal(await p.evaluate(() => document.documentElement.dataset.accState), 'cancelled', 'no late poll revives it');
  expectHttpError = false;
  await p.close();
  await page.bringToFront();
  assertClean('accessibility cancel');
});

test('accessibility in 中文 and English, on a phone and a desktop, by keyboard alone, with AA contrast', async () => {
  for (const [vp, lang] of [[PHONE, 'zh'], [PHONE, 'en'], [DESKTOP, 'zh']]) {
    const tag = `${vp.width}-${lang}`;
    // A link to the tab runs its analysis on arrival.
    const p = await openAt(vp, `lang=${lang}&view=access&opp=commercial&cutoff=60&cmp=plan-2025&cell=1000`);
    await accDone(p);
    await mapIdle(p);
    const sw = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= vp.width, `${tag}: page is ${sw} px wide`);
    for (const sel of ['#tab-access', '#acc-opp', '#acc-start', '#acc-show', '#acc-districts table']) {
      await p.locator(sel).scrollIntoViewIfNeeded();
      const r = await rect(p, sel);
      assert.ok(r.left >= 0 && r.right <= vp.width && r.width > 0, `${tag}: ${sel} on screen (${r.left}–${r.right})`);
    }
    const texts = lang === 'zh'
      ? { tab: '可达性分析', run: '运行', head: '各区（单元平均值）', done: /^完成：\d+ 个单元/ }
      : { tab: 'Accessibility', run: 'Run', head: 'Districts (mean over cells)', done: /^Done: \d+ cells/ };
    assert.equal(await p.textContent('#tab-access'), texts.tab);
    assert.equal(await p.textContent('#acc-start'), texts.run);
    assert.equal(await p.textContent('#acc-result h3'), texts.head);
    assert.match(await p.textContent('#acc-status'), texts.done);
    const q = await p.evaluate(() => window.cityreach.access.query);
    assert.equal(q.opportunities, 'commercial');
    assert.deepEqual(q.cutoffs, [60]);
    assert.equal(q.cell, 1000);
    await p.evaluate(() => document.querySelector('.panel').scrollTo(0, 0));
    await p.screenshot({ path: path.join(ARTIFACTS, `access-${tag}.png`) });
    assert.deepEqual(await contrastFailures(p), [], `${tag}: text contrast`);

    // Keyboard only: to the Reach tab and back with the arrow keys, Run with Enter, the difference
    // with Space, then the value at the centre of the map as the arrow keys pan it.
    await p.focus('#tab-access');
    await p.keyboard.press('ArrowRight');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'tab-reach');
    assert.equal(await p.isHidden('#view-access'), true);
    assert.equal(await p.isHidden('#map-legend'), true, 'the surface\'s legend leaves with its tab');
    await p.keyboard.press('ArrowLeft');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'tab-access');
    assert.equal(await p.getAttribute('#tab-access', 'aria-selected'), 'true');
    const before = await p.evaluate(() => window.cityreach.access.id);
    await p.focus('#acc-start');
    await p.keyboard.press('Enter');
    await p.waitForFunction((b) => window.cityreach.access.id !== b, before);
    await accDone(p);
    await p.focus('#acc-show button[data-show="diff"]');
    await p.keyboard.press('Space');
    assert.equal(await p.getAttribute('#acc-show button[data-show="diff"]', 'aria-pressed'), 'true');
    assert.equal(await p.evaluate(() => document.activeElement.dataset.show), 'diff', 'focus stays on the pressed button');
    await p.focus('.maplibregl-canvas');
    await p.keyboard.press('ArrowRight');
    await p.waitForSelector('#acc-readout:not([hidden])');
    assert.match(await p.textContent('#acc-readout'), lang === 'zh' ? /^地图中心：/ : /^At the map centre: /);
    assert.deepEqual(await contrastFailures(p), [], `${tag}: text contrast showing the difference`);
    await p.close();
  }
  await page.bringToFront();
  assertClean('accessibility languages');
});

test('national targets: a map of China by rail, road or air with the API\'s counts, popups, and back to the city', async () => {
  const api = await getJson('/targets?scenario=existing');
  const list = Array.isArray(api) ? api : api.targets;
  const circle = list.find((r) => r.target.id === 'xlz-1.5h-circle').national;
  const by = Object.fromEntries(circle.readings.map((r) => [r.mode, r]));
  const fc = await getJson('/collections/national/items?limit=10000');
  assert.equal(fc.features.length, by.rail.cities_total);
  // An independent count from the layer: a city is within when its hours are at most 1.5.
  const within = (m) => fc.features.filter((f) => f.properties.origin || (f.properties[`${m}_h`] != null && f.properties[`${m}_h`] <= 1.5)).length;
  for (const m of ['rail', 'road', 'air']) assert.equal(within(m), by[m].cities_within, `${m}: layer and /targets agree`);
  const sjz = fc.features.find((f) => f.properties.name_en === 'Shijiazhuang').properties;

  for (const [vp, lang] of [[DESKTOP, 'en'], [PHONE, 'zh'], [PHONE, 'en'], [DESKTOP, 'zh']]) {
    const tag = `${vp.width}-${lang}`;
    const p = await openAt(vp, `lang=${lang}&view=targets&scenario=existing`);
    const card = '#targets-list .target[data-target="xlz-1.5h-circle"]';
    await p.waitForSelector(`${card} .nat`);
    const cityCam = await p.evaluate(() => { const m = window.cityreach.map; return { zoom: m.getZoom(), c: m.getCenter().toArray() }; });
    assert.match(await p.textContent(`${card} [data-share="cities"]`), lang === 'zh' ? /城市：18 \/ 279（6\.5%）/ : /Cities: 18 of 279 \(6\.5%\)/);
    assert.match(await p.textContent(`${card} [data-share="population"]`), lang === 'zh' ? /人口：104\.1 \/ 1,218\.8 百万（8\.5%）/ : /People: 104\.1 of 1,218\.8 million \(8\.5%\)/);

    // Keyboard alone: Enter on the button opens the national view, Space on a chip switches the reading.
    await p.focus(`${card} [data-act="national"]`);
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => document.documentElement.dataset.national === '1');
    await mapIdle(p);
    assert.ok(await p.evaluate(() => window.cityreach.map.getZoom()) < 5, `${tag}: zoomed out to China`);
    assert.equal(await p.evaluate(() => window.cityreach.map.getLayoutProperty('district-fill', 'visibility')), 'none');
    const legendCount = (cls) => p.textContent(`#map-legend .row[data-class="${cls}"] b`).then(Number);
    assert.equal(await legendCount('within'), 18);
    assert.equal(await legendCount('within') + await legendCount('beyond'), 279, 'rail: a city without a value is beyond the source\'s 2.7 h');
    assert.equal(await p.$('#map-legend .row[data-class="none"]'), null);
    await p.waitForTimeout(300);
    const link = new URL(await p.evaluate(() => window.location.href)).searchParams.get('map').split('/').map(Number);
    assert.deepEqual(link, [Number(cityCam.zoom.toFixed(2)), Number(cityCam.c[1].toFixed(5)), Number(cityCam.c[0].toFixed(5))], `${tag}: the link keeps the city's camera`);
    assert.match(await p.textContent('#map-legend .nat-offline'), lang === 'zh' ? /离线底图/ : /Offline basemap/);
    const drawn = await p.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['national-city'] }).length);
    assert.ok(drawn > 200, `${tag}: ${drawn} cities drawn`);

    await p.focus(`${card} [data-reading="air"]`);
    await p.keyboard.press('Space');
    assert.equal(await p.getAttribute(`${card} [data-reading="air"]`, 'aria-pressed'), 'true');
    assert.equal(await p.evaluate(() => document.activeElement.dataset.reading), 'air', 'focus stays on the pressed chip');
    assert.equal(await legendCount('within'), by.air.cities_within);
    const noAir = fc.features.filter((f) => !f.properties.origin && f.properties.air_h == null).length;
    assert.equal(await legendCount('none'), noAir);
    assert.equal(await legendCount('beyond'), 279 - by.air.cities_within - noAir);
    assert.match(await p.textContent(`${card} [data-share="cities"]`), lang === 'zh' ? /132 \/ 279（47\.3%）/ : /132 of 279 \(47\.3%\)/);
    assert.match(await p.textContent('#map-legend .lt'), lang === 'zh' ? /1\.5 小时内（航空）/ : /Within 1\.5 h of Zhengzhou \(Air\)/);

    // A city's popup: its hours by each mode, picked from the list (keyboard) as from the map.
    await p.selectOption(`${card} select[data-act="city"]`, String(sjz.dzcode));
    await p.waitForSelector(`.nat-pop[data-city="${sjz.dzcode}"]`);
    const rows = await p.$$eval('.nat-pop tr', (els) => els.map((e) => [e.dataset.mode, e.children[1].textContent]));
    assert.deepEqual(rows, [['rail', `${sjz.rail_h.toFixed(2)} h`], ['road', `${sjz.road_h.toFixed(2)} h`], ['air', `${sjz.air_h.toFixed(2)} h`]]);
    await p.evaluate(() => document.querySelector('.panel').scrollTo(0, 0));
    await p.screenshot({ path: path.join(ARTIFACTS, `national-${tag}.png`) });
    assert.deepEqual(await contrastFailures(p), [], `${tag}: text contrast`);
    const sw = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sw <= vp.width, `${tag}: page is ${sw} px wide`);

    // A click on a drawn city opens its popup too.
    await p.keyboard.press('Escape');
    const pt = await p.evaluate((c) => { const q = window.cityreach.map.project(c); return [q.x, q.y]; }, fc.features.find((f) => f.properties.name_en === 'Shijiazhuang').geometry.coordinates);
    const box = await rect(p, '#map');
    // At a phone's zoom neighbouring cities overlap: the popup is for one of those under the pointer.
    const under = await p.evaluate((q) => window.cityreach.map.queryRenderedFeatures(q, { layers: ['national-city'] }).map((f) => String(f.properties.dzcode)), pt);
    assert.ok(under.includes(String(sjz.dzcode)), `${tag}: Shijiazhuang is drawn at its position`);
    await p.mouse.click(box.left + pt[0], box.top + pt[1]);
    await p.waitForSelector('.nat-pop');
    assert.ok(under.includes(await p.getAttribute('.nat-pop', 'data-city')), `${tag}: the popup is for a city under the click`);
    assert.equal(await p.evaluate(() => window.cityreach.state.origins.length), 0, 'no origin set from the national view');

    // The capitals target: a table of the six capitals under each mode.
    const caps = await p.$$eval('#targets-list .target[data-target="capitals-2h"] .nat-caps tr', (els) => els.length);
    assert.equal(caps, 1 + list.find((r) => r.target.id === 'capitals-2h').national.capitals.length);

    await p.focus(`${card} [data-act="national"]`);
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => !document.documentElement.dataset.national);
    const back = await p.evaluate(() => { const m = window.cityreach.map; return { zoom: m.getZoom(), c: m.getCenter().toArray() }; });
    assert.ok(Math.abs(back.zoom - cityCam.zoom) < 1e-6, `${tag}: zoom restored (${back.zoom} vs ${cityCam.zoom})`);
    assert.ok(Math.abs(back.c[0] - cityCam.c[0]) < 1e-6 && Math.abs(back.c[1] - cityCam.c[1]) < 1e-6, `${tag}: centre restored`);
    assert.equal(await p.evaluate(() => window.cityreach.map.getLayoutProperty('district-fill', 'visibility')), 'visible');
    assert.equal(await p.isHidden('#map-legend'), true);
    // Leaving the tab from the national view also returns to the city.
    await p.click(`${card} [data-act="national"]`);
    await p.waitForFunction(() => document.documentElement.dataset.national === '1');
    await p.click('#tab-reach');
    await p.waitForFunction(() => !document.documentElement.dataset.national);
    assert.ok(await p.evaluate(() => window.cityreach.map.getZoom()) >= 7.5);
    await p.close();
  }
  await page.bringToFront();
  assertClean('national view');
});

test('population layer: districts shaded by density with a legend, in 中文 and English, on a phone and a desktop', async () => {
  const fc = await getJson('/collections/population/items?limit=100');
  assert.equal(fc.features.length, 12);
  for (const [vp, lang] of [[DESKTOP, 'en'], [PHONE, 'zh']]) {
    const tag = `${vp.width}-${lang}`;
    const p = await openAt(vp, `lang=${lang}`);
    if (await p.getAttribute('#layers-toggle', 'aria-expanded') !== 'true') await p.click('#layers-toggle');
    assert.equal(await p.isHidden('#pop-legend'), true);
    await p.focus('#bm-population');
    await p.keyboard.press('Space');
    assert.equal(await p.isChecked('#bm-population'), true);
    assert.equal(await p.evaluate(() => window.cityreach.map.getLayoutProperty('population-fill', 'visibility')), 'visible');
    await p.waitForSelector('#pop-legend:not([hidden])');
    const rows = await p.$$eval('#pop-legend .row', (els) => els.map((e) => e.textContent));
    assert.deepEqual(rows, ['< 750', '750–1,500', '1,500–3,000', '3,000–5,000', '≥ 5,000']);
    assert.match(await p.textContent('#pop-legend .pop-title'), lang === 'zh' ? /2020 年普查/ : /2020 census/);
    await mapIdle(p);
    // 金水区 (about 8,900 per km² in 2020) is in the densest band, 中牟县 (about 1,000) in the second lightest.
    const shade = await p.evaluate(() => {
      const m = window.cityreach.map;
      const out = {};
      for (const f of m.queryRenderedFeatures({ layers: ['population-fill'] })) out[f.properties.name_en] = f.layer.paint['fill-color'];
      return out;
    });
    const hex = (c) => (typeof c === 'string' ? c : `rgba(${Math.round(c.r * 255)},${Math.round(c.g * 255)},${Math.round(c.b * 255)})`);
    assert.equal(hex(shade['Jinshui District']), 'rgba(156,47,38)');
    assert.equal(hex(shade['Zhongmu County']), 'rgba(247,189,143)');
    await p.screenshot({ path: path.join(ARTIFACTS, `population-${tag}.png`) });
    assert.deepEqual(await contrastFailures(p), [], `${tag}: text contrast`);
    await p.click('#bm-population');
    assert.equal(await p.evaluate(() => window.cityreach.map.getLayoutProperty('population-fill', 'visibility')), 'none');
    assert.equal(await p.isHidden('#pop-legend'), true);
    await p.close();
  }
  await page.bringToFront();
  assertClean('population layer');
});
