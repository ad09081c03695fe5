// Browser test of the departure control (date and time, window, percentile) against the
// embedded Zhengzhou (BASE_URL, frequency-based: the control on request) and Porto Alegre's
// real feeds (POA_URL, timetabled: the control always). Run through tests/browser/run.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, POA, ARTIFACTS, problems, launch, clean, getJson } from './helpers.mjs';
import * as h from './helpers.mjs';

let browser;
let page;
before(async () => { ({ browser, page } = await launch()); });
after(async () => { if (browser) await browser.close(); });
const params = () => h.params(page);
const pageParams = () => h.pageParams(page);
const open = (base, query) => h.open(page, base, query);
const reachWith = (want) => h.reachWith(page, want);

// The percentiles each list item shows, by feature id.
const listed = () => page.$$eval('#reached-list .item', (els) => Object.fromEntries(els.map((e) => [e.dataset.id, (e.querySelector('.pcts') || {}).textContent || ''])));
// The list leaves out the origins themselves.
const expected = (fc) => Object.fromEntries(fc.features.filter((f) => f.properties.layer === 'reached'
  && !fc.metadata.origins.some((o) => String(o.id) === String(f.properties.id))).map((f) => {
  const by = f.properties.minutes_by_percentile;
  const ks = Object.keys(by).map(Number).sort((a, b) => a - b);
  const fmt = (v) => (v == null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));
  return [String(f.properties.id), `${ks.map((k) => `P${k} ${fmt(by[k])}`).join(' · ')} min`];
}));

test('Zhengzhou (frequency-based): no departure control until asked; then depart, window and percentile reach the API and the link', async () => {
  const landing = await getJson(`${BASE}/`);
  assert.equal(landing.transit.timetabled, false);
  await open(BASE, 'from=郑州东站&minutes=30&step=10&lang=en');
  await reachWith('from=郑州东站');
  assert.equal(await page.isHidden('#timing'), true, 'no control for a frequency-based city');
  assert.equal(await page.isVisible('#timing-toggle'), true, 'but a button to ask for it');
  assert.equal((await params()).depart, undefined, 'steady state by default');

  await page.click('#timing-toggle');
  await reachWith(`depart=${landing.transit.default_depart}`);
  assert.equal(await page.isVisible('#timing'), true);
  assert.equal(await page.inputValue('#depart'), landing.transit.default_depart);
  assert.equal(await page.isDisabled('#pct'), true, 'one departure has no percentiles');

  await page.fill('#depart', '2026-05-13T14:00');
  await reachWith('depart=2026-05-13T14:00');
  await page.selectOption('#window', '30');
  await reachWith('window=30');
  await page.selectOption('#pct', '95');
  await reachWith('percentile=95');
  const q = await params();
  assert.deepEqual([q.depart, q.window, q.percentiles, q.percentile], ['2026-05-13T14:00', '30', '5,50,95', '95']);
  assert.match(await page.textContent('#timing-summary'), /Departing 2026-05-13 14:00 · 30-minute window · percentile 95/);
  // Every listed feature shows the API's percentiles, and its minutes are the 95th.
  const fc = await getJson(await page.evaluate(() => window.cityreach.lastReachUrl));
  const want = expected(fc);
  assert.ok(Object.keys(want).length > 10, `features reached: ${Object.keys(want).length}`);
  assert.deepEqual(await listed(), want);
  for (const f of fc.features.filter((x) => x.properties.layer === 'reached')) {
    assert.equal(f.properties.minutes, f.properties.minutes_by_percentile['95'], f.properties.id);
  }
  // The link keeps the choice; opening it asks the same question again.
  await page.waitForFunction(() => new URLSearchParams(window.location.search).get('pct') === '95');
  const link = await pageParams();
  assert.deepEqual([link.depart, link.window, link.pct], ['2026-05-13T14:00', '30', '95']);
  await page.goto(page.url());
  await page.waitForFunction(() => window.cityreach && window.cityreach.ready, null, { timeout: 30000 });
  await reachWith('percentile=95');
  assert.equal(await page.isVisible('#timing'), true);
  assert.deepEqual([await page.inputValue('#depart'), await page.inputValue('#window'), await page.inputValue('#pct')], ['2026-05-13T14:00', '30', '95']);

  // A date outside the calendar is refused by the page in its language, naming the range.
  const before = await page.evaluate(() => window.cityreach.lastReachUrl);
  await page.fill('#depart', '2029-05-13T14:00');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /2029-05-13 is outside the timetable’s dates \(2026-01-01 to 2027-12-31\)/);
  assert.equal(await page.evaluate(() => window.cityreach.lastReachUrl), before, 'nothing was asked of the server');
  await page.click('#lang-zh');
  await page.fill('#depart', '2025-12-31T09:00');
  await page.waitForFunction(() => /2025-12-31 不在时刻表日期内（2026-01-01 至 2027-12-31）/.test(document.querySelector('#error').textContent));

  // The comparison runs in the steady state on both sides: the control is not offered there.
  await page.click('#lang-en');
  await page.fill('#depart', '2026-05-13T14:00');
  await reachWith('depart=2026-05-13T14:00');
  await page.click('#tab-compare');
  await page.waitForFunction(() => document.documentElement.dataset.reachState === 'done' && window.cityreach.lastCompare);
  const cmp = await page.evaluate(() => window.cityreach.lastCompare);
  assert.equal(cmp.base.metadata.transit?.depart, undefined, 'the comparison asks without a departure');
  assert.equal(await page.isHidden('#timing'), true);
  await page.click('#tab-reach');
  assert.equal(await page.isVisible('#timing'), true);
  await reachWith('depart=2026-05-13T14:00');

  // Back to average service: the steady state again, and the link forgets the departure.
  await page.click('#timing-toggle');
  await page.waitForFunction(() => document.documentElement.dataset.reachState === 'done' && !window.cityreach.lastReachUrl.includes('depart'));
  assert.equal(await page.isHidden('#timing'), true);
  await page.waitForFunction(() => !new URLSearchParams(window.location.search).has('depart'));
  clean('Zhengzhou');
});

test('Porto Alegre (timetabled): the control is there without asking, and a 60-minute window draws bands with percentiles and clock times', async (t) => {
  if (!POA) { t.skip('POA_URL is not set: ../shared/cities/porto-alegre is absent'); return; }
  const landing = await getJson(`${POA}/`);
  assert.deepEqual(landing.transit, { timetabled: true, calendar: { first: '2019-03-01', last: '2019-12-31' }, default_depart: '2019-03-05T08:00' });
  // The bus central station (poa_points_of_interest.csv).
  await open(POA, 'from=-51.218856,-30.023285&minutes=30&step=10&lang=en');
  await reachWith('depart=2019-03-05T08:00');
  assert.equal(await page.isVisible('#timing'), true, 'a timetabled city shows the control');
  assert.equal(await page.isHidden('#timing-toggle'), true, 'and has no steady state to go back to');
  assert.equal(await page.inputValue('#depart'), '2019-03-05T08:00');

  await page.fill('#depart', '2019-05-13T14:00');
  await reachWith('depart=2019-05-13T14:00');
  await page.selectOption('#window', '60');
  await reachWith('window=60');
  const q = await params();
  assert.deepEqual([q.depart, q.window, q.percentiles, q.percentile], ['2019-05-13T14:00', '60', '5,50,95', '50']);
  const fc = await page.evaluate(() => window.cityreach.lastReach);
  assert.equal(fc.metadata.transit.window_minutes, 60);
  assert.equal(fc.metadata.transit.calendar_day, '2019-05-13');
  // Bands: three polygons in the answer, drawn on the map.
  const bands = fc.features.filter((f) => f.properties.layer === 'band' && f.geometry && f.geometry.coordinates.length);
  assert.deepEqual(bands.map((b) => b.properties.max_minutes).sort((a, b) => a - b), [10, 20, 30]);
  const drawn = await page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['band-fill'] }).length);
  assert.ok(drawn > 0, 'band polygons are drawn');
  assert.equal(await page.isVisible('#map-legend'), true);
  // The four stations with the API's percentiles; percentiles ordered.
  const want = expected(fc);
  assert.deepEqual(Object.keys(want).sort(), ['hub-fr', 'hub-mr', 'hub-rd', 'hub-sp']);
  assert.deepEqual(await listed(), want);
  for (const f of fc.features.filter((x) => x.properties.layer === 'reached')) {
    const by = f.properties.minutes_by_percentile;
    assert.ok(by['5'] <= by['50'] && by['50'] <= by['95'], `${f.properties.id}: ${JSON.stringify(by)}`);
  }
  // Farrapos is reached by TRENSURB: its route lists the ride with clock times.
  await page.click('#reached-list .item[data-id="hub-fr"]');
  await page.waitForSelector('#route:not([hidden])');
  const steps = await page.$$eval('#route .step', (els) => els.map((e) => e.textContent));
  assert.ok(steps.some((s) => /^Transit to ESTACAO FARRAPOS: [\d.]+ min \(percentile 50\)$/.test(s)), steps.join('\n'));
  assert.ok(steps.some((s) => /Trip leaving at 14:29: 14:\d\d board .*LINHA1.* at ESTACAO RODOVIARIA → 14:\d\d alight at ESTACAO FARRAPOS/.test(s)), steps.join('\n'));
  // The popup of a reached station shows its percentiles.
  await page.click('#reached-list .item[data-id="hub-fr"]');
  await page.waitForSelector('.maplibregl-popup .pcts');
  assert.equal(await page.textContent('.maplibregl-popup .pcts'), want['hub-fr']);
  await page.screenshot({ path: path.join(ARTIFACTS, 'timing-porto-alegre.png') });

  // In 中文 the steps are said in Chinese, clock times kept.
  await page.click('#lang-zh');
  await page.click('#reached-list .item[data-id="hub-fr"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#route .step')].some((e) => /14:\d\d 在 ESTACAO RODOVIARIA 乘 .*LINHA1.* → 14:\d\d 在 ESTACAO FARRAPOS 下车/.test(e.textContent)));
  assert.match(await page.textContent('#timing-summary'), /2019-05-13 14:00 出发 · 60 分钟时间窗 · 第 50 百分位/);
  // The server's own refusal (the page's calendar check bypassed) is said in the page's language too.
  await page.evaluate(() => { window.cityreach.transit.calendar = null; });
  await page.fill('#depart', '2020-01-10T08:00');
  await page.waitForFunction(() => /2020-01-10 不在时刻表日期内（2019-03-01 至 2019-12-31）/.test(document.querySelector('#error').textContent));
  problems.splice(0).forEach((p) => assert.match(p, /HTTP 400: .*depart=2020-01-10/));
  clean('Porto Alegre');
});
