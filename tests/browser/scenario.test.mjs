// Browser test of the Scenario tab on the embedded Zhengzhou: a line drawn on the map from a new
// stop at 小李庄 to the airport station, a line's headway, a line and a station removed, the
// comparison against the same reach without the edits (checked against the API's own answers),
// the share link and the JSON download, and a refused edit said in the page's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, ARTIFACTS, problems, launch, clean, getJson } from './helpers.mjs';
import * as h from './helpers.mjs';

let browser;
let page;
const posted = []; // bodies of POST /compare (the edited reach against its base), in order
before(async () => {
  ({ browser, page } = await launch());
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/compare') posted.push(JSON.parse(r.postData())); });
});
after(async () => { if (browser) await browser.close(); });

const edits = () => page.evaluate(() => window.cityreach.state.scen.mods);
const done = () => page.waitForFunction(() => document.documentElement.dataset.reachState === 'done', null, { timeout: 60000 });
async function settled(n) {
  await page.waitForFunction((k) => window.cityreach.state.scen.mods.length === k, n);
  await done();
  await h.idle(page);
}
// Clicks the map at a longitude, latitude (brought into view first).
async function clickAt(lonlat, zoom) {
  await page.evaluate(([c, z]) => window.cityreach.map.jumpTo({ center: c, zoom: z }), [lonlat, zoom]);
  await h.idle(page);
  const box = await page.locator('#map').boundingBox();
  const pt = await page.evaluate((c) => window.cityreach.map.project(c), lonlat);
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
}
async function postReach(body) {
  const res = await fetch(`${BASE}/reach`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}
const reached = (fc) => new Map(fc.features.filter((f) => f.properties.layer === 'reached'
  && !fc.metadata.origins.some((o) => String(o.id) === String(f.properties.id))).map((f) => [String(f.properties.id), f.properties.minutes]));
const listIds = (sel) => page.$$eval(`${sel} .item`, (els) => els.map((e) => e.dataset.id).sort());

test('Scenario tab: draw a line, change a headway, remove a line and a station; the comparison is the API\'s; link and JSON carry the edits', async () => {
  const stops = [...(await getJson(`${BASE}/collections/metro_stations/items?limit=1000`)).features, ...(await getJson(`${BASE}/collections/rail_stations/items?limit=1000`)).features];
  const airport = stops.find((f) => f.properties.id === 'metro-xinzheng-jichang');
  assert.ok(airport, 'the airport metro station is in the collection');

  await h.open(page, BASE, 'from=小李庄站&minutes=30&step=10&view=scenario&lang=en');
  await done();
  assert.equal(await page.isVisible('#view-scenario'), true);
  assert.equal(await page.getAttribute('#tab-scenario', 'aria-selected'), 'true');
  assert.match(await page.textContent('#scn-mods-title'), /Edits \(0\)/);

  // A new line: the planned 小李庄站 (not in the existing network: a new stop where it is
  // planned), an empty spot (a new stop), then the airport's metro station.
  await page.click('#scn-draw');
  assert.equal(await page.isVisible('#scn-draft'), true);
  await clickAt([113.700, 34.635], 13);
  await clickAt([113.78, 34.58], 13);
  await clickAt(airport.geometry.coordinates, 13);
  const draft = await page.$$eval('#scn-draft-stops li', (els) => els.map((e) => e.textContent));
  assert.equal(draft.length, 3, draft.join(' | '));
  assert.match(draft[0], /Xiaolizhuang.*new stop/);
  assert.match(draft[1], /New stop 1.*new stop/);
  await page.fill('#scn-name', 'XLZ airport express');
  await page.selectOption('#scn-mode', 'rail');
  await page.fill('#scn-headway', '10');
  await page.fill('#scn-speed', '120');
  await page.click('#scn-add-line');
  await settled(1);
  const line = (await edits())[0];
  assert.deepEqual(line, { type: 'add-line', name: 'XLZ airport express', mode: 'rail', stops: [{ name: '小李庄站', lon: 113.7, lat: 34.635 }, { name: 'New stop 1', lon: 113.78, lat: 34.58 }, String(line.stops[2])], headway_min: 10, speed_kmh: 120 });
  assert.ok(['metro-xinzheng-jichang', 'rail-xinzheng-airport'].includes(line.stops[2]), line.stops[2]);
  const body = posted.at(-1);
  assert.deepEqual(body.scenario, { base: 'existing', modifications: [line] });
  assert.deepEqual(body.from, ['小李庄站']);

  // The comparison is the API's: the same two questions asked here give the same lists.
  const withEdits = await postReach(body);
  const without = await getJson(`${BASE}/reach?from=小李庄站&mode=transit&scenario=existing&bands=10,20,30`);
  const a = reached(without); const b = reached(withEdits);
  const only = [...b.keys()].filter((id) => !a.has(id)).sort();
  const faster = [...b.keys()].filter((id) => a.has(id) && a.get(id) - b.get(id) >= 0.5).sort();
  assert.ok(only.length + faster.length > 0, 'a line to the airport changes something within 30 minutes');
  assert.deepEqual(await listIds('#scn-only'), only);
  assert.deepEqual(await listIds('#scn-faster'), faster);
  // An edit that only adds service makes nothing slower.
  assert.deepEqual(await listIds('#scn-slower'), []);
  for (const [id, m] of a) if (b.has(id)) assert.ok(b.get(id) <= m + 1e-9, `${id}: ${m} → ${b.get(id)}`);
  const count = (fc) => fc.features.filter((f) => f.properties.layer === 'reached').length;
  assert.match(await page.textContent('#scn-result .summary'), new RegExp(`^${count(withEdits)} features within 30 min with the edits \\(${count(without)} without\\)`));
  const drawn = await page.evaluate(() => window.cityreach.map.queryRenderedFeatures({ layers: ['scn-line'] }).length);
  assert.ok(drawn > 0, 'the new line is drawn');
  await page.screenshot({ path: path.join(ARTIFACTS, 'scenario-line.png') });

  // 城郊线 every 4 minutes; line 10 removed, then that edit taken back; a station removed.
  await page.selectOption('#scn-route', 'metro-chengjiao');
  await page.fill('#scn-route-headway', '4');
  await page.click('#scn-set-headway');
  await settled(2);
  await page.selectOption('#scn-route', 'metro-10');
  await page.click('#scn-remove-route');
  await settled(3);
  assert.deepEqual((await edits()).slice(1), [{ type: 'adjust-frequency', route: 'metro-chengjiao', headway_min: 4 }, { type: 'remove-route', route: 'metro-10' }]);
  assert.match(await page.textContent('#scn-mods'), /Line 10/);
  await page.click('#scn-mods li[data-type="remove-route"] button');
  await settled(2);
  await page.click('#scn-pick-stop');
  await clickAt(airport.geometry.coordinates, 13);
  await settled(3);
  const removed = (await edits())[2];
  assert.equal(removed.type, 'remove-stops');
  assert.ok(['metro-xinzheng-jichang', 'rail-xinzheng-airport'].includes(removed.stops[0]), JSON.stringify(removed));
  assert.deepEqual(posted.at(-1).scenario.modifications, await edits());
  clean('edits');

  // The link carries the edits: a fresh page asks the same question.
  await page.waitForFunction(() => document.querySelector('#scn-share').value.includes('edits='));
  const link = await page.inputValue('#scn-share');
  const mods = await edits();
  await page.goto(link);
  await page.waitForFunction(() => window.cityreach && window.cityreach.ready, null, { timeout: 30000 });
  await settled(3);
  assert.deepEqual(await edits(), mods);
  assert.deepEqual(posted.at(-1).scenario.modifications, mods);

  // The edits as JSON: what the page sends, ready for --modifications or a request.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#scn-json')]);
  const file = path.join(ARTIFACTS, 'scenario-edits.json');
  await dl.saveAs(file);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { base: 'existing', modifications: mods });
  clean('share');
});

test('Scenario tab: an edit the server refuses is named in the page\'s language, and nothing is drawn as if it applied', async () => {
  const bad = [{ type: 'adjust-frequency', route: 'metro-chengjiao', headway_min: 0 }];
  const edits64 = Buffer.from(JSON.stringify(bad)).toString('base64url');
  await h.open(page, BASE, `from=小李庄站&minutes=30&step=10&view=scenario&lang=en&edits=${edits64}`);
  await page.waitForSelector('#error:not([hidden])', { timeout: 60000 });
  assert.match(await page.textContent('#error .err-msg'), /^Edit 1 cannot be applied \(headway_min\): Chengjiao Line: every 0 min\. Change or remove it\.$/);
  assert.match(await page.textContent('#error .err-detail'), /headway/);
  await page.click('#lang-zh');
  await page.click('#scn-set-headway');
  await page.waitForFunction(() => /第 1 项编辑无法应用/.test(document.querySelector('#error .err-msg').textContent));
  // Taking the edit back answers again.
  await page.click('#scn-mods li button');
  await settled(1);
  assert.equal(await page.isHidden('#error'), true);
  assert.ok(problems.splice(0).every((p) => /HTTP 4\d\d: .*\/compare$/.test(p)));
  clean('refused');
});
