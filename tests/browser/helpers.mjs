// Shared by the browser tests of the departure control and the Scenario tab: a Chromium page
// that records every error the test did not provoke, and waits on the map's own signals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
export const POA = (process.env.POA_URL || '').replace(/\/$/, '');
export const ARTIFACTS = process.env.ARTIFACTS || path.resolve(import.meta.dirname, '../../artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE) throw new Error('BASE_URL is not set (e.g. http://127.0.0.1:8080)');
fs.mkdirSync(ARTIFACTS, { recursive: true });

export const problems = []; // page errors, console errors and HTTP errors the test did not provoke

export async function launch() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { browser, page };
}

export const clean = (step) => assert.deepEqual(problems.splice(0), [], `${step}: unexpected errors`);
export const params = (page) => page.evaluate(() => Object.fromEntries(new URL(window.cityreach.lastReachUrl).searchParams));
export const pageParams = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(window.location.search)));
export const idle = (page) => page.evaluate(() => new Promise((resolve) => {
  const m = window.cityreach.map;
  m.once('idle', resolve);
  m.triggerRepaint();
  setTimeout(resolve, 5000);
}));

export async function open(page, base, query) {
  await page.goto(`${base}/map/?${query}`);
  await page.waitForFunction(() => window.cityreach && window.cityreach.ready, null, { timeout: 30000 });
}
// Waits for a finished reach whose request satisfies `want` (a substring of its URL); a reach
// that ends in an error fails at once with the page's message.
export async function reachWith(page, want) {
  await page.waitForFunction((w) => document.documentElement.dataset.reachState === 'error'
    || (document.documentElement.dataset.reachState === 'done'
      && window.cityreach.lastReachUrl && decodeURIComponent(window.cityreach.lastReachUrl).includes(w)), want, { timeout: 120000 });
  if (await page.evaluate(() => document.documentElement.dataset.reachState === 'error')) {
    assert.fail(`waiting for a reach with ${want}: ${await page.textContent('#error')}`);
  }
  await idle(page);
}
export async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  assert.equal(res.ok, true, `GET ${url} → ${res.status}`);
  return res.json();
}
