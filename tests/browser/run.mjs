#!/usr/bin/env node
// Real-browser checks of a built shopfront site, for one theme.
//
//   node run.mjs --dir OUT --theme NAME [--artifacts DIR] [--direction rtl]
//   node run.mjs --base http://127.0.0.1:PORT/ --theme NAME [--artifacts DIR]
//
// With --dir the output folder is served over HTTP by this script (see
// lib.mjs serveDir); with --base an already running server is used. Runs
// Debian's Chromium (/usr/bin/chromium, override with --chromium or
// CHROMIUM_PATH) through playwright-core at 375x812 and 1280x800. Prints one
// line per check and a last line `N passed, M failed`; exits 0 only when
// nothing failed. Screenshots go to DIR/THEME-WIDTHxHEIGHT-PAGE.png. Nothing
// is fetched from the network: every request that is not for the site under
// test is blocked and reported.
//
// Per theme and viewport (320x640, 375x812, 1280x800):
// * home, a post, /shop/, /categories/, /search/, /about/ load with status
//   200, cannot be scrolled sideways, log no console errors and make no
//   failed requests, and have no serious or critical axe-core violations in
//   light or dark mode; they are laid out in --direction (ltr unless told);
// * in light and dark mode: no product card is printed twice on a page, and
//   every jump link to a card (#p-ID) leads to one; in each row of cards the
//   buy buttons share their bottom edge and the image boxes their height;
// * the post's share button shows with JavaScript and copies the post's link;
// * on a post with a video, the facade is 16:9 or 9:16 and nothing is
//   requested from another site until it is clicked; then the player loads;
// * a link-in-bio theme (LINKS_FIRST) shows its first link button within
//   350 px of the top of a 375 px phone;
// * on the post, the disclosure banner is visible in the first viewport and
//   its top is above the top of the first buy link (a[rel~=sponsored]);
// * home and the post load without layout shift, and each photo in view
//   (at least one) is the WebP candidate that fits its box at the screen's
//   pixel density (2x at 375 px, as phones are);
// * on home and /shop/, the category chips filter the product grid (a theme
//   in FILTER_OPTIONAL may have no chips);
// * on /search/, typing a word of a post title finds it, gibberish finds
//   nothing and says so; a product's hit has a thumbnail and a buy button
//   with the disclosure above it, and a collection is found by its title;
// * with JavaScript off, home and /shop/ still show buy links and /search/
//   still lists the collections.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  DEFAULT_CHROMIUM,
  Reporter,
  fail,
  goto,
  horizontalOverflow,
  launchChromium,
  newContext,
  newPage,
  runAxe,
  serveDir,
} from './lib.mjs';

// ---------------------------------------------------------------- settings

const VIEWPORTS = [
  { width: 320, height: 640 },
  { width: 375, height: 812 },
  { width: 1280, height: 800 },
];

// Locales/en.toml `disclosure` starts with this; the footer's statement does
// not ("... if you buy through them ...").
const DEFAULT_DISCLOSURE = 'I earn a commission if you buy through links on this page';
// A post of the example site, and a word of its title.
const DEFAULT_POST = '/posts/best-usb-microphones-for-new-streamers/';
const SEARCH_WORD = 'microphones';
// A post of the example site with a video shortcode.
const DEFAULT_VIDEO_POST = '/posts/first-youtube-camera/';
// A word of a product's name (its hit gets a buy button) and of a collection's title.
const SEARCH_PRODUCT = 'standing';
const SEARCH_COLLECTION = 'starter kit';
// A word that is in nothing.
const SEARCH_GIBBERISH = 'qzxjvwkpq';
// Themes that may leave out the category chips (a link page, a blog); in
// every other theme home and /shop/ must have chips that filter in place.
const FILTER_OPTIONAL = new Set(['linkpage', 'journal']);
// Link-in-bio themes: on a 375 px phone the first link button of the home
// page starts within this many pixels of the top.
const LINKS_FIRST = new Map([['linkpage', 350]]);
// axe impacts that fail the test.
const AXE_FAIL = new Set(['serious', 'critical']);

// ---------------------------------------------------------------- arguments

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' },
    base: { type: 'string' },
    theme: { type: 'string' },
    artifacts: { type: 'string', default: 'artifacts' },
    chromium: { type: 'string', default: DEFAULT_CHROMIUM },
    post: { type: 'string', default: DEFAULT_POST },
    video: { type: 'string', default: DEFAULT_VIDEO_POST },
    disclosure: { type: 'string', default: DEFAULT_DISCLOSURE },
    direction: { type: 'string', default: 'ltr' },
    timeout: { type: 'string', default: '300' },
  },
});
if ((!opts.dir && !opts.base) || !opts.theme) {
  console.error('usage: node run.mjs (--dir OUT | --base http://127.0.0.1:PORT/) --theme NAME [--artifacts DIR] [--chromium PATH]');
  process.exit(2);
}
const THEME = opts.theme;
const ARTIFACTS = resolve(opts.artifacts);
mkdirSync(ARTIFACTS, { recursive: true });
const PAGES = [
  ['home', '/'],
  ['post', opts.post],
  ['shop', '/shop/'],
  ['categories', '/categories/'],
  ['search', '/search/'],
  ['about', '/about/'],
  ['video', opts.video],
];

let BASE; // set in main()
const url = (path) => new URL(path.replace(/^\//, ''), BASE).href;
const pathOf = (href) => decodeURIComponent(new URL(href).pathname);

const out = new Reporter();
const check = (name, fn) => out.check(name, fn);

// A run must never hang `cargo test`.
const watchdog = setTimeout(() => {
  out.report(false, `${THEME}: whole run`, `did not finish within ${opts.timeout} s`);
  out.summary();
  process.exit(1);
}, Number(opts.timeout) * 1000);
watchdog.unref();

// ---------------------------------------------------------------- checks

function axeVerdict(violations) {
  const bad = violations.filter((v) => AXE_FAIL.has(v.impact));
  const minor = violations.filter((v) => !AXE_FAIL.has(v.impact));
  if (bad.length) {
    fail(
      bad
        .map(
          (v) =>
            `${v.id} (${v.impact}, ${v.count} node${v.count === 1 ? '' : 's'}): ${v.help}; targets: ${v.targets.join(' | ')}${v.summary ? ` — ${v.summary}` : ''}`,
        )
        .join('\n'),
    );
  }
  return minor.length ? `no serious/critical; minor: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}` : 'no violations';
}

/**
 * Responsive images: nothing moved while the page loaded (cumulative layout
 * shift), and each picture in view chose a WebP candidate wide enough for its
 * box at this screen's pixel density without being needlessly large.
 */
let picturesSeen = 0;

async function checkImages(page) {
  const result = await page.evaluate(async () => {
    const shifts = await new Promise((done) => {
      let total = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
      setTimeout(() => done(total), 300);
    });
    const dpr = window.devicePixelRatio || 1;
    const pictures = [];
    // Each picture is brought into view (a lazy one loads then) and judged.
    for (const img of [...document.querySelectorAll('picture img')].slice(0, 6)) {
      img.scrollIntoView({ block: 'center' });
      for (let i = 0; i < 40 && !(img.complete && img.currentSrc); i++) await new Promise((r) => setTimeout(r, 50));
      const box = img.getBoundingClientRect();
      if (!img.complete || box.width === 0) continue;
      const source = img.parentElement.querySelector('source[type="image/webp"]');
      const widths = (source?.srcset || '')
        .split(',')
        .map((c) => Number(c.trim().split(/\s+/)[1]?.replace('w', '')))
        .filter((w) => w > 0)
        .sort((a, b) => a - b);
      const chosen = widths.find((w) => img.currentSrc.includes(`-${w}.`));
      pictures.push({ src: img.currentSrc, need: Math.round(box.width * dpr), widths, chosen, natural: img.naturalWidth });
    }
    window.scrollTo(0, 0);
    return { shifts, pictures };
  });
  if (result.shifts > 0.01) fail(`layout shift ${result.shifts.toFixed(3)} while loading`);
  picturesSeen += result.pictures.length;
  for (const p of result.pictures) {
    if (!p.src.endsWith('.webp')) fail(`${p.src}: not the WebP candidate`);
    if (!p.chosen) fail(`${p.src}: not one of the srcset candidates ${p.widths}`);
    const enough = p.widths.find((w) => w >= p.need) ?? p.widths[p.widths.length - 1];
    if (p.chosen < enough) fail(`${p.src}: ${p.chosen}w for a box needing ${p.need} px`);
    const larger = p.widths.filter((w) => w > enough);
    if (larger.length && p.chosen > larger[0]) fail(`${p.src}: ${p.chosen}w where ${enough}w would do for ${p.need} px`);
  }
  return `CLS ${result.shifts.toFixed(3)}; ${result.pictures.map((p) => `${p.chosen}w for ${p.need}px`).join(', ')}`;
}

/**
 * Cards, as a reader compares them: no product's card twice on one page,
 * jump links that land, and rows of cards whose buy buttons and image boxes
 * line up. A card is a `.card` with a heading; a row is the cards of one
 * list whose tops are level.
 */
async function checkCards(page) {
  const r = await page.evaluate(() => {
    const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    const cards = [...document.querySelectorAll('main .card')].filter(visible);
    const problems = [];
    // A product's card: one with a buy link, named by its heading.
    const seen = new Map();
    for (const card of cards) {
      if (!card.querySelector('a[rel~="sponsored"], a.buy')) continue;
      const name = (card.querySelector('h2, h3, h4')?.textContent || '').trim().replace(/\s+/g, ' ');
      if (!name) continue;
      seen.set(name, (seen.get(name) || 0) + 1);
    }
    for (const [name, n] of seen) if (n > 1) problems.push(`the card of "${name}" is printed ${n} times`);
    // Jump links to cards land on something.
    const jumps = [...document.querySelectorAll('main a[href^="#p-"]')];
    for (const a of jumps) {
      if (!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))) problems.push(`jump link ${a.getAttribute('href')} leads nowhere`);
    }
    // Rows: cards of one list with the same top.
    const lists = new Map();
    for (const card of cards) {
      if (!lists.has(card.parentElement)) lists.set(card.parentElement, []);
      lists.get(card.parentElement).push(card);
    }
    let rows = 0;
    const bottomOf = (card) => {
      const buys = [...card.querySelectorAll('a.buy, a[rel~="sponsored"]')].filter(visible);
      const last = buys[buys.length - 1];
      return last ? last.getBoundingClientRect().bottom : null;
    };
    const imageBox = (card) => {
      const box = card.querySelector('.media, .cover, .thumb, img');
      return box && visible(box) ? box.getBoundingClientRect().height : null;
    };
    const describe = (card) => (card.querySelector('h2, h3, h4')?.textContent || card.className).trim().replace(/\s+/g, ' ').slice(0, 40);
    for (const members of lists.values()) {
      const byTop = new Map();
      for (const card of members) {
        const top = Math.round(card.getBoundingClientRect().top);
        const key = [...byTop.keys()].find((t) => Math.abs(t - top) <= 1) ?? top;
        if (!byTop.has(key)) byTop.set(key, []);
        byTop.get(key).push(card);
      }
      for (const row of byTop.values()) {
        if (row.length < 2) continue;
        rows++;
        const bottoms = row.map(bottomOf);
        if (bottoms.every((b) => b !== null)) {
          const spread = Math.max(...bottoms) - Math.min(...bottoms);
          if (spread > 1) problems.push(`buy buttons ${Math.round(spread)} px out of line in the row of "${describe(row[0])}"…`);
        }
        const heights = row.map(imageBox);
        if (heights.every((h) => h !== null)) {
          const spread = Math.max(...heights) - Math.min(...heights);
          if (spread > 1) problems.push(`image boxes ${heights.map(Math.round).join('/')} px high in the row of "${describe(row[0])}"…`);
        }
      }
    }
    return { problems, cards: cards.length, products: seen.size, jumps: jumps.length, rows };
  });
  if (r.problems.length) fail(r.problems.join('\n'));
  return `${r.cards} cards (${r.products} products, none twice), ${r.jumps} jump links, ${r.rows} rows aligned`;
}

/** A link-in-bio home page: its first link button (in a list of links in <main>) near the top. */
async function checkLinksFirst(page, limit) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const first = await page.evaluate(() => {
    const links = [...document.querySelectorAll('main li > a')].filter((a) => {
      const r = a.getBoundingClientRect();
      return r.height >= 40 && r.width >= 200 && a.checkVisibility({ checkVisibilityCSS: true });
    });
    if (!links.length) return null;
    const r = links[0].getBoundingClientRect();
    return { top: r.top + window.scrollY, text: links[0].innerText.trim().replace(/\s+/g, ' ') };
  });
  if (!first) fail('no link button (a list item link at least 200×40 px) in <main>');
  if (first.top > limit) fail(`the first link button, "${first.text}", starts at ${Math.round(first.top)} px, below ${limit} px`);
  return `"${first.text}" at ${Math.round(first.top)} px`;
}

/**
 * A video facade (a[data-embed]): 16:9 or 9:16, nothing requested from
 * another site while the page loads and the poster shows; a click puts the
 * player (an iframe of the embed address) in its place, and only then is the
 * video's site asked for anything (here blocked, as every outside request).
 */
async function checkVideo(page, context) {
  const facade = page.locator('a[data-embed]').first();
  if ((await facade.count()) === 0) fail('no video facade (a[data-embed]) on the page');
  await facade.scrollIntoViewIfNeeded();
  await page.waitForTimeout(400);
  const box = await facade.boundingBox();
  const ratio = box.width / box.height;
  if (Math.abs(ratio - 16 / 9) > 0.02 && Math.abs(ratio - 9 / 16) > 0.02) fail(`the facade is ${Math.round(box.width)}×${Math.round(box.height)}, neither 16:9 nor 9:16`);
  if (context.blocked.length) fail(`requests left the site before a click: ${context.blocked.slice(0, 3).join(', ')}`);
  const embed = await facade.getAttribute('data-embed');
  const host = new URL(embed).host;
  await facade.click();
  const player = page.locator(`iframe[src="${embed}"]`);
  await player.waitFor({ state: 'attached', timeout: 5_000 }).catch(() => fail(`clicking the facade did not put an iframe of ${embed} in its place`));
  await page.waitForTimeout(500);
  const asked = context.blocked.filter((u) => new URL(u).host === host);
  if (!asked.length) fail(`after the click nothing was requested from ${host}`);
  // Those requests were the reader's choice: not held against the page.
  context.blocked = context.blocked.filter((u) => new URL(u).host !== host);
  return `${Math.round(box.width)}×${Math.round(box.height)} facade; no outside request before the click, ${host} after it`;
}

/** The share button: shown with JavaScript, and a click copies the post's own link (no share sheet headless). */
async function checkShare(page) {
  const button = page.locator('[data-share] button').first();
  if ((await button.count()) === 0) fail('no share button ([data-share] button)');
  if (!(await button.isVisible())) fail('the share button is hidden with JavaScript on');
  const url = await button.getAttribute('data-url');
  if (pathOf(url) !== pathOf(page.url())) fail(`it shares ${url}, not this page`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await button.click();
  await page.waitForTimeout(300);
  const status = await page.locator('[data-share] [role="status"]').first().innerText();
  if (!status.trim()) fail('clicking it neither shared nor said the link was copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
  if (copied !== null && copied !== url) fail(`the clipboard holds ${copied}, not ${url}`);
  return `"${status.trim()}"${copied ? `, clipboard ${copied}` : ''}`;
}

/** The disclosure banner: visible in the first viewport, its top above the first buy link's. */
async function checkDisclosure(page, viewport) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const banner = page.getByText(opts.disclosure).first();
  if ((await banner.count()) === 0) fail(`no element contains "${opts.disclosure}"`);
  if (!(await banner.isVisible())) fail('the disclosure text is not visible');
  const box = await banner.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, height: r.height };
  });
  if (!box.height) fail('the disclosure text has no height');
  const buys = await page.evaluate(() =>
    [...document.querySelectorAll('a[rel~="sponsored"]')]
      .filter((a) => a.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }))
      .map((a) => {
        const r = a.getBoundingClientRect();
        return {
          top: r.top + window.scrollY,
          height: r.height,
          text: (a.innerText.trim() || a.getAttribute('aria-label') || (a.querySelector('img[alt]') || {}).alt || a.href).trim().replace(/\s+/g, ' ').slice(0, 60),
        };
      })
      .filter((b) => b.height > 0)
      .sort((a, b) => a.top - b.top),
  );
  if (!buys.length) fail('the post shows no visible buy link (a[rel~=sponsored])');
  const first = buys[0];
  const where = `disclosure text at y=${Math.round(box.top)}..${Math.round(box.bottom)}, first buy link "${first.text}" at y=${Math.round(first.top)}`;
  if (box.top < 0 || box.bottom > viewport.height) fail(`${where}: not within the first viewport (${viewport.height}px high)`);
  if (!(box.top < first.top)) fail(`${where}: the disclosure's top is not above the first buy link's`);
  return where;
}

/**
 * The category chips near the product grid filter it in place (a theme in
 * FILTER_OPTIONAL may instead have none, or chips that open the category
 * page). Cards are found without assuming class names: a card has
 * data-categories and a buy link; chips are a group of at least two links to
 * /categories/SLUG/ outside the cards, found by walking up from the grid.
 */
async function checkFilter(page, path) {
  const found = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('[data-categories]')].filter((c) => c.querySelector('a[rel~="sponsored"]'));
    const slugOf = (a) => {
      const m = new URL(a.href, location.href).pathname.match(/\/categories\/([^/]+)\/?$/);
      return m ? decodeURIComponent(m[1]) : null;
    };
    const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    const start = cards.length ? cards[0].parentElement : document.querySelector('main') || document.body;
    // Links inside a card (a post card's category kicker) are not chips.
    const inCard = (el) => {
      const card = el.closest('[data-categories], article, .card');
      return !!card && !card.contains(start);
    };
    const groupsAt = (root) => {
      const groups = new Map();
      for (const a of root.querySelectorAll('a[href*="/categories/"]')) {
        if (!slugOf(a) || inCard(a) || !visible(a)) continue;
        const box = a.closest('nav, ul, ol, [role="list"], [role="group"], div') || root;
        if (!groups.has(box)) groups.set(box, []);
        groups.get(box).push(a);
      }
      return [...groups.entries()].filter(([, links]) => new Set(links.map(slugOf)).size >= 2);
    };
    let group = null;
    for (let el = start; el && el !== document.documentElement; el = el.parentElement) {
      const groups = groupsAt(el);
      if (groups.length) {
        groups.sort((a, b) => b[1].length - a[1].length);
        group = groups[0];
        break;
      }
    }
    if (!group) return { chips: [], cards: cards.length };
    const [container, links] = group;
    const chips = links.map((a, i) => {
      a.setAttribute('data-test-chip', String(i));
      return { i, slug: slugOf(a), text: a.innerText.trim().replace(/\s+/g, ' ') };
    });
    // An "All" chip in the same group (it usually points at /shop/ or /).
    const group0 = container.closest('nav, ul, ol, [role="list"], [role="group"]') || container;
    const all = [...group0.querySelectorAll('a')].find((a) => /^all\b/i.test(a.textContent.trim()));
    if (all) all.setAttribute('data-test-chip-all', '');
    const visibleCards = cards.filter(visible);
    for (const chip of chips) {
      chip.matches = visibleCards.filter((c) => c.getAttribute('data-categories').split(/\s+/).includes(chip.slug)).length;
    }
    cards.forEach((c) => c.setAttribute('data-test-card', ''));
    return { chips, cards: visibleCards.length, all: !!all };
  });

  if (!found.chips.length) {
    if (FILTER_OPTIONAL.has(THEME)) return `not applicable: no category chips on ${path}`;
    fail(`no category chips (a group of links to /categories/SLUG/) near the product grid on ${path} (${found.cards} product cards with data-categories)`);
  }
  if (!found.cards && !FILTER_OPTIONAL.has(THEME)) fail(`category chips but no product cards ([data-categories] with a buy link) on ${path}`);
  // The best chip to click matches some but not all cards.
  const chip = found.chips.find((c) => c.matches > 0 && c.matches < found.cards) || found.chips.find((c) => c.matches > 0) || found.chips[0];

  const visibleCards = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('[data-test-card]')]
        .filter((c) => c.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }))
        .map((c) => c.getAttribute('data-categories')),
    );

  const before = page.url();
  await page.locator(`[data-test-chip="${chip.i}"]`).click();
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  const after = page.url();

  if (pathOf(after) !== pathOf(before)) {
    if (!FILTER_OPTIONAL.has(THEME)) fail(`clicking "${chip.text}" opened ${pathOf(after)} instead of filtering the ${found.cards} cards in place`);
    // An optional filter may just follow the link: to the category's page, listing something.
    const expected = pathOf(url(`/categories/${encodeURIComponent(chip.slug)}/`));
    if (pathOf(after) !== expected) fail(`clicking "${chip.text}" went to ${after}, not ${expected}`);
    const shown = await page.evaluate(
      () => [...document.querySelectorAll('a[href*="/posts/"], a[rel~="sponsored"]')].filter((a) => a.checkVisibility({ checkVisibilityCSS: true })).length,
    );
    if (!shown) fail(`the category page ${after} shows no posts or products`);
    return `"${chip.text}" led to ${pathOf(after)} (${shown} post/product links)`;
  }

  const now = await visibleCards();
  if (!(now.length < found.cards)) fail(`clicking "${chip.text}" did not filter the ${found.cards} cards (still ${now.length} visible)`);
  if (!now.length) fail(`clicking "${chip.text}" hid every card`);
  const wrong = now.filter((cats) => !cats.split(/\s+/).includes(chip.slug));
  if (wrong.length) fail(`after "${chip.text}", ${wrong.length} visible card(s) are not in "${chip.slug}" (data-categories="${wrong[0]}")`);
  if (now.length !== chip.matches) fail(`after "${chip.text}", ${now.length} cards are visible but ${chip.matches} are in "${chip.slug}"`);
  let detail = `"${chip.text}" filtered ${found.cards} → ${now.length} cards in place`;

  if (found.all) {
    await page.locator('[data-test-chip-all]').click();
    await page.waitForLoadState('load');
    await page.waitForTimeout(300);
    if (pathOf(page.url()) !== pathOf(before)) fail(`"All" opened ${pathOf(page.url())} instead of showing every card again`);
    const restored = await visibleCards();
    if (restored.length !== found.cards) fail(`"All" shows ${restored.length} of ${found.cards} cards again`);
    detail += `; "All" restored ${restored.length}`;
  }
  return detail;
}

/** The search box finds a post by a word of its title, and nothing (saying so) for gibberish. */
async function checkSearch(page) {
  const input = page
    .locator('input[type="search"], [role="search"] input:not([type="hidden"]):not([type="submit"]), input[name="q"]')
    .first();
  if ((await input.count()) === 0) fail('no search input on /search/');
  if (!(await input.isVisible())) fail('the search input is not visible with JavaScript on');
  // Every link already on the page is not a result.
  await page.evaluate(() => document.querySelectorAll('a').forEach((a) => a.setAttribute('data-test-pre', '')));
  const results = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('a:not([data-test-pre])')]
        .filter((a) => a.checkVisibility({ checkVisibilityCSS: true }))
        .map((a) => ({ text: a.innerText.trim().replace(/\s+/g, ' '), href: a.getAttribute('href') })),
    );
  const pageText = () => page.evaluate(() => (document.querySelector('main') || document.body).innerText);

  await input.click();
  await input.pressSequentially(SEARCH_WORD, { delay: 15 });
  const hit = await page
    .waitForFunction(
      (word) =>
        [...document.querySelectorAll('a:not([data-test-pre])')].some(
          (a) => a.checkVisibility({ checkVisibilityCSS: true }) && a.textContent.toLowerCase().includes(word) && /\/posts\//.test(a.href),
        ),
      SEARCH_WORD.toLowerCase(),
      { timeout: 5_000 },
    )
    .then(() => true)
    .catch(() => false);
  const found = await results();
  if (!hit) {
    fail(
      `typing "${SEARCH_WORD}" showed no link to a post whose text contains it (${found.length} new links: ${
        found
          .slice(0, 3)
          .map((r) => r.text)
          .join(' | ') || 'none'
      })`,
    );
  }
  const post = found.find((r) => r.text.toLowerCase().includes(SEARCH_WORD) && /\/posts\//.test(r.href));
  const textBefore = await pageText();

  await input.fill('');
  await input.pressSequentially(SEARCH_GIBBERISH, { delay: 15 });
  await page.waitForTimeout(800);
  const none = await results();
  if (none.length) {
    fail(
      `typing "${SEARCH_GIBBERISH}" still shows ${none.length} result link(s): ${none
        .slice(0, 3)
        .map((r) => r.text)
        .join(' | ')}`,
    );
  }
  // It must say so: a status region or some text about no results.
  const said = await page.evaluate(() => {
    const regions = [...document.querySelectorAll('[aria-live], [role="status"], [role="alert"]')]
      .filter((el) => el.checkVisibility({ checkVisibilityCSS: true }))
      .map((el) => el.innerText.trim())
      .filter(Boolean);
    return regions.join(' / ');
  });
  const text = await pageText();
  const noResults = /\b(no|0|nothing|zero|keine|nichts)\b/i;
  const message = said || (text !== textBefore && noResults.test(text) ? text.split('\n').find((l) => noResults.test(l)) : '');
  if (!message) fail(`typing "${SEARCH_GIBBERISH}" shows no results but no message saying so`);
  return `"${SEARCH_WORD}": ${found.length} result link(s), e.g. "${post.text.slice(0, 60)}"; gibberish: no results, says "${message.slice(0, 60)}"`;
}

/**
 * Products and collections in search: a product hit has a thumbnail and a
 * buy button, the disclosure shows above the first one, and a collection is
 * found by its title.
 */
async function checkSearchShop(page) {
  const input = page.locator('input[type="search"]').first();
  await input.fill('');
  await input.pressSequentially(SEARCH_PRODUCT, { delay: 10 });
  const buy = page.locator('#results a[rel~="sponsored"]').first();
  await buy.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => fail(`typing "${SEARCH_PRODUCT}" showed no product with a buy button`));
  const thumbs = await page.locator('#results img').count();
  if (!thumbs) fail('product hits have no thumbnail');
  const note = page.locator('#search-disclosure');
  if (!(await note.isVisible())) fail('buy buttons in the results, but no disclosure shown');
  // The results are drawn again as the last keystrokes arrive: measure
  // once both stand still on the page.
  let [noteBox, buyBox] = [null, null];
  for (let tries = 0; tries < 20 && !(noteBox && buyBox); tries++) {
    if (tries) await page.waitForTimeout(100);
    [noteBox, buyBox] = [await note.boundingBox(), await buy.boundingBox()];
  }
  if (!noteBox || !buyBox) fail('the results never settled: no disclosure and buy button to compare');
  if (!(noteBox.y < buyBox.y)) fail(`the disclosure (y=${Math.round(noteBox.y)}) is not above the first buy button (y=${Math.round(buyBox.y)})`);
  await input.fill('');
  await input.pressSequentially(SEARCH_COLLECTION, { delay: 10 });
  const collection = page.locator('#results a[href*="/collections/"]').first();
  await collection.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => fail(`typing "${SEARCH_COLLECTION}" found no collection`));
  return `${thumbs} thumbnails, disclosure above the buy buttons; "${SEARCH_COLLECTION}" → ${pathOf(await collection.evaluate((a) => a.href))}`;
}

/** Visible links matching `selector`. */
function visibleLinks(page, selector) {
  return page.locator(selector).evaluateAll((links) =>
    links
      .filter((a) => {
        const r = a.getBoundingClientRect();
        return a.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && r.width > 0 && r.height > 0;
      })
      .map((a) => a.getAttribute('href')),
  );
}

/** With JavaScript off, products (home, shop) and collections (search) are still shown. */
async function checkNoJs(page, name, path) {
  const response = await goto(page, url(path));
  if (!response || response.status() !== 200) fail(`${path} answered ${response ? response.status() : 'nothing'}`);
  if (name === 'search') {
    const links = await visibleLinks(page, 'main a[href*="/categories/"], main a[href*="/tags/"]');
    const collections = new Set(links.filter((h) => /\/(categories|tags)\/[^/]+\/?$/.test(new URL(h, BASE).pathname)));
    if (!collections.size) fail('/search/ lists no collections (links to /categories/SLUG/ or /tags/SLUG/ in <main>) without JavaScript');
    return `${collections.size} collection links`;
  }
  const buys = await visibleLinks(page, 'a[rel~="sponsored"]');
  if (!buys.length) fail(`${path} shows no visible buy link (a[rel~=sponsored]) without JavaScript`);
  return `${buys.length} visible buy links`;
}

async function noProblems(page) {
  if (page.problems.length) fail(page.problems.slice(0, 6).join('\n'));
  return '';
}

// ---------------------------------------------------------------- main

async function runViewport(browser, viewport) {
  const vp = `${viewport.width}x${viewport.height}`;
  const context = await newContext(browser, { base: BASE, viewport });
  for (const [name, path] of PAGES) {
    const label = `${THEME} ${vp} ${name}`;
    const page = await newPage(context);
    const loaded = await check(`${label}: loads ${path}`, async () => {
      const response = await goto(page, url(path));
      if (!response) fail('no response');
      if (response.status() !== 200) fail(`status ${response.status()}`);
      return 'status 200';
    });
    if (loaded) {
      await check(`${label}: no horizontal scrolling`, async () => {
        const o = await horizontalOverflow(page);
        if (o.scrollWidth > o.innerWidth) fail(`scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}; wider than the viewport: ${o.culprits.join(', ') || '?'}`);
        return `scrollWidth ${o.scrollWidth} <= ${o.innerWidth}`;
      });
      await check(`${label}: laid out ${opts.direction}`, async () => {
        const direction = await page.evaluate(() => getComputedStyle(document.body).direction);
        if (direction !== opts.direction) fail(`the page is laid out ${direction}`);
        return direction;
      });
      await check(`${label}: screenshot`, async () => {
        const shot = join(ARTIFACTS, `${THEME}-${vp}-${name}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        return shot;
      });
      if (name === 'post') await check(`${label}: disclosure banner first`, () => checkDisclosure(page, viewport));
      if (name === 'post') await check(`${label}: share button`, () => checkShare(page));
      if (name === 'home' && viewport.width === 375 && LINKS_FIRST.has(THEME)) {
        await check(`${label}: links first`, () => checkLinksFirst(page, LINKS_FIRST.get(THEME)));
      }
      if (name === 'post' || name === 'home') await check(`${label}: images fit the screen, nothing shifts`, () => checkImages(page));
      await check(`${label}: cards once, rows aligned (light)`, () => checkCards(page));
      await check(`${label}: axe (light)`, async () => axeVerdict(await runAxe(page)));
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        await check(`${label}: axe (dark)`, async () => axeVerdict(await runAxe(page)));
        await check(`${label}: no horizontal scrolling (dark)`, async () => {
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.innerWidth) fail(`scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}: ${o.culprits.join(', ') || '?'}`);
          return `scrollWidth ${o.scrollWidth} <= ${o.innerWidth}`;
        });
        await check(`${label}: cards once, rows aligned (dark)`, () => checkCards(page));
        await check(`${label}: screenshot (dark)`, async () => {
          const shot = join(ARTIFACTS, `${THEME}-${vp}-${name}-dark.png`);
          await page.screenshot({ path: shot, fullPage: true });
          return shot;
        });
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
      }
      if (name === 'home' || name === 'shop') await check(`${label}: category filter (JS)`, () => checkFilter(page, path));
      if (name === 'search') await check(`${label}: search (JS)`, () => checkSearch(page));
      if (name === 'search') await check(`${label}: search finds products to buy and collections`, () => checkSearchShop(page));
      if (name === 'video') await check(`${label}: video facade, player on click`, () => checkVideo(page, context));
    }
    await check(`${label}: no console errors or failed requests`, () => noProblems(page));
    await page.close();
  }
  await check(`${THEME} ${vp}: a photo was shown as a responsive picture`, async () => {
    if (!picturesSeen) fail('no <picture> in view on home or the post');
    picturesSeen = 0;
    return '';
  });
  await check(`${THEME} ${vp}: no requests leave the site`, async () => {
    if (context.blocked.length) fail(`blocked: ${[...new Set(context.blocked)].slice(0, 5).join(', ')}`);
    return '';
  });
  await context.close();

  const noJs = await newContext(browser, { base: BASE, viewport, javaScriptEnabled: false });
  for (const [name, path] of [
    ['home', '/'],
    ['shop', '/shop/'],
    ['search', '/search/'],
  ]) {
    const label = `${THEME} ${vp} ${name} (no JS)`;
    const page = await newPage(noJs);
    await check(`${label}: ${name === 'search' ? 'collections' : 'products'} without JS`, () => checkNoJs(page, name, path));
    await page.screenshot({ path: join(ARTIFACTS, `${THEME}-${vp}-${name}-nojs.png`), fullPage: true }).catch(() => {});
    await check(`${label}: no console errors or failed requests`, () => noProblems(page));
    await page.close();
  }
  await check(`${THEME} ${vp} (no JS): no requests leave the site`, async () => {
    if (noJs.blocked.length) fail(`blocked: ${[...new Set(noJs.blocked)].slice(0, 5).join(', ')}`);
    return '';
  });
  await noJs.close();
}

async function main() {
  const started = Date.now();
  let server = null;
  if (opts.dir) {
    server = await serveDir(opts.dir);
    BASE = server.base;
  } else {
    BASE = new URL(opts.base);
  }
  let browser;
  try {
    browser = await launchChromium(opts.chromium);
  } catch (error) {
    out.report(false, `${THEME}: launch ${opts.chromium}`, error.message.split('\n')[0]);
    out.summary();
    process.exit(1);
  }
  try {
    console.log(`# ${THEME}: ${opts.dir ? `${resolve(opts.dir)} served at ` : ''}${BASE.href} in Chromium ${browser.version()}`);
    for (const viewport of VIEWPORTS) await runViewport(browser, viewport);
  } catch (error) {
    out.report(false, `${THEME}: run`, error.stack || String(error));
  } finally {
    await browser.close().catch(() => {});
    if (server) await server.close();
  }
  console.log(`# ${THEME}: ${((Date.now() - started) / 1000).toFixed(1)} s, screenshots in ${ARTIFACTS}`);
  out.summary();
  process.exit(out.failed ? 1 : 0);
}

main();
