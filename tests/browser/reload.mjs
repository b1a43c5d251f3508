#!/usr/bin/env node
// Live reload in a real browser, against a running `shopfront serve --watch`.
//
//   node reload.mjs --base http://127.0.0.1:PORT/ --path /posts/SLUG/ --file POST.md [--chromium PATH]
//
// Opens the post in headless Chromium, then saves POST.md the way editors do
// (write a temporary file, rename it over the post) and checks that the open
// page, untouched by the test, reloads by itself and shows the edit; that a
// broken save leaves the page as it was with the build error shown over it;
// and that the next good save clears the error and reloads again. Prints one
// line per check and `N passed, M failed`; exits 0 only when nothing failed.
// Waits are bounded so that a broken server fails instead of hanging; none
// of them measures speed.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_CHROMIUM, Reporter, fail, goto, launchChromium, newContext, newPage } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    path: { type: 'string' },
    file: { type: 'string' },
    chromium: { type: 'string', default: DEFAULT_CHROMIUM },
  },
});
if (!opts.base || !opts.path || !opts.file) {
  console.error('usage: node reload.mjs --base URL --path /posts/SLUG/ --file POST.md [--chromium PATH]');
  process.exit(2);
}

// The longest a save may take to show in the page before the check fails.
const PATIENCE = 30_000;
const OVERLAY = '#shopfront-error';

/** Saves `text` to `path` as most editors do: a temporary file renamed over it. */
function atomicSave(path, text) {
  const temp = join(dirname(path), `.${basename(path)}.swp-shopfront`);
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** The post with `marker` as the first paragraph of its body. */
function withMarker(original, marker) {
  const end = original.indexOf('\n---', 4);
  if (!original.startsWith('---') || end < 0) fail(`${opts.file} has no YAML front matter to keep`);
  const cut = original.indexOf('\n', end + 1) + 1;
  return `${original.slice(0, cut)}\n${marker}\n\n${original.slice(cut)}`;
}

/** Marks the current document; a reload (a new document) loses the mark. */
async function mark(page) {
  await page.evaluate(() => {
    window.__shopfrontTestMark = true;
  });
}

async function marked(page) {
  return page.evaluate(() => window.__shopfrontTestMark === true);
}

/** Waits until the page's text contains `text`. */
async function waitForText(page, text) {
  await page
    .waitForFunction((t) => document.body && document.body.innerText.includes(t), text, { timeout: PATIENCE, polling: 50 })
    .catch(() => fail(`the page never showed "${text}" (nobody reloaded it)`));
}

/** Waits until the live-reload script has heard from the server. */
async function waitForConnection(page) {
  await page
    .waitForFunction(() => document.documentElement.dataset.shopfrontLive !== undefined, null, { timeout: PATIENCE })
    .catch(() => fail('the live-reload script never connected to /__shopfront/events'));
}

const original = readFileSync(opts.file, 'utf8');
const url = new URL(opts.path, opts.base).href;
const reporter = new Reporter();
const browser = await launchChromium(opts.chromium);
try {
  const context = await newContext(browser, { base: opts.base, viewport: { width: 1280, height: 800 } });
  const page = await newPage(context);
  let loads = 0;
  page.on('load', () => loads++);

  await reporter.check('the served post carries the live-reload script and connects', async () => {
    const response = await goto(page, url);
    if (!response || response.status() !== 200) fail(`GET ${url}: ${response ? response.status() : 'no response'}`);
    if ((await page.locator('script[src="/__shopfront/live.js"]').count()) !== 1) fail('no live-reload script');
    await waitForConnection(page);
    return url;
  });

  await reporter.check('an atomic save reloads the open page by itself', async () => {
    await mark(page);
    const before = loads;
    atomicSave(opts.file, withMarker(original, 'FIRST-LIVE-EDIT'));
    await waitForText(page, 'FIRST-LIVE-EDIT');
    if (await marked(page)) fail('the text changed but the page was not reloaded');
    await waitForConnection(page);
    return `${loads - before} load(s)`;
  });

  await reporter.check('a broken save shows the error over the last good page', async () => {
    await mark(page);
    atomicSave(opts.file, withMarker(original, 'FIRST-LIVE-EDIT').replace('title:', 'title: [unclosed\nbroken:'));
    const overlay = page.locator(OVERLAY);
    await overlay.waitFor({ state: 'visible', timeout: PATIENCE }).catch(() => fail('no error overlay appeared'));
    const text = await overlay.innerText();
    const where = `${basename(opts.file)}:`;
    if (!text.includes(where)) fail(`the overlay does not name ${where}LINE:\n${text}`);
    if (!(await marked(page))) fail('the page reloaded on a failed build');
    if (!(await page.locator('body').innerText()).includes('FIRST-LIVE-EDIT')) fail('the last good page is gone');
    return text.split('\n').find((line) => line.includes(where)) || '';
  });

  await reporter.check('the next good save clears the error and reloads', async () => {
    atomicSave(opts.file, withMarker(original, 'SECOND-LIVE-EDIT'));
    await waitForText(page, 'SECOND-LIVE-EDIT');
    if (await marked(page)) fail('the page was not reloaded');
    if (await page.locator(OVERLAY).count()) fail('the error overlay is still shown');
    return '';
  });

  await reporter.check('no console errors, failed requests or outside requests', async () => {
    const problems = [...page.problems, ...context.blocked.map((u) => `blocked outside request: ${u}`)];
    if (problems.length) fail(problems.join('\n'));
    return '';
  });
} finally {
  writeFileSync(opts.file, original);
  await browser.close();
}
reporter.summary();
process.exit(reporter.failed ? 1 : 0);
