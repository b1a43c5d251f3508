// Shared helpers for the real-browser tests: a static file server, Debian's
// Chromium launched through playwright-core (which never downloads a browser),
// contexts that may only talk to the site under test, pages that record
// console errors and failed requests, axe-core, and a small pass/fail reporter.
//
// run.mjs (the built-site checks) uses all of it; other modes (e.g. a
// live-reload test against `shopfront serve`) can import the same pieces.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, resolve, sep } from 'node:path';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

/** axe-core's browser bundle, for `page.addScriptTag({ path })`. */
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** The browser: Debian's `chromium`, or $CHROMIUM_PATH. */
export const DEFAULT_CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium; never downloads anything. */
export function launchChromium(executablePath = DEFAULT_CHROMIUM) {
  return chromium.launch({ executablePath, args: LAUNCH_ARGS, headless: true, timeout: 30_000 });
}

// ---------------------------------------------------------------- static server

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** The content type a static host would send for `path`. */
export function contentType(path) {
  return CONTENT_TYPES[extname(path).toLowerCase()] || 'application/octet-stream';
}

async function fileAt(path) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/**
 * Serves `dir` like a static host: `index.html` for folders (redirecting
 * `/dir` to `/dir/`), content types by extension, `404.html` with status 404
 * for anything missing, nothing outside `dir`. Listens on 127.0.0.1 on an
 * ephemeral port. Resolves to `{ base, misses, close }`: `base` is the site's
 * root URL, `misses` every path answered with 404.
 */
export async function serveDir(dir) {
  const root = resolve(dir);
  const misses = [];

  const send = async (req, res, status, path) => {
    const info = await fileAt(path);
    res.writeHead(status, {
      'Content-Type': contentType(path),
      'Content-Length': info ? info.size : 0,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD' || !info) return res.end();
    createReadStream(path).pipe(res);
  };

  const notFound = async (req, res, pathname) => {
    misses.push(pathname);
    const page = join(root, '404.html');
    if (await fileAt(page)) return send(req, res, 404, page);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  };

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' });
        return res.end();
      }
      const url = new URL(req.url, 'http://localhost');
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        res.writeHead(400);
        return res.end();
      }
      const path = resolve(root, `.${pathname}`);
      if (pathname.includes('\0') || (path !== root && !path.startsWith(root + sep))) return notFound(req, res, pathname);
      const info = await fileAt(path);
      if (info && info.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
          return res.end();
        }
        const index = join(path, 'index.html');
        if (await fileAt(index)) return send(req, res, 200, index);
        return notFound(req, res, pathname);
      }
      if (info && info.isFile()) return send(req, res, 200, path);
      return notFound(req, res, pathname);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    base: new URL(`http://127.0.0.1:${port}/`),
    misses,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// ---------------------------------------------------------------- contexts and pages

/** Whether `href` may be loaded by a page of the site at `base`. */
export function isLocal(href, base) {
  try {
    const u = new URL(href);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
    return u.origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/**
 * A browser context whose pages may only talk to `base`'s origin: every other
 * request is aborted and listed in `context.blocked`.
 */
export async function newContext(browser, { base, viewport, javaScriptEnabled = true, colorScheme = 'light' }) {
  const context = await browser.newContext({
    viewport,
    // A phone-sized viewport is a phone's screen: two device pixels per CSS pixel.
    deviceScaleFactor: viewport.width < 600 ? 2 : 1,
    javaScriptEnabled,
    colorScheme,
    reducedMotion: 'reduce',
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  context.blocked = [];
  await context.route(
    (u) => !isLocal(u.href, base),
    (route) => {
      context.blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return context;
}

/**
 * A page that records, in `page.problems`, console errors, uncaught
 * exceptions, failed requests and HTTP errors of anything but the page itself
 * (whose status the caller checks). Requests blocked by `newContext` are in
 * `context.blocked` instead.
 */
export async function newPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location();
    page.problems.push(`console.error: ${message.text()}${where && where.url ? ` (${where.url}:${where.lineNumber})` : ''}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught ${error.name || 'error'}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure() ? request.failure().errorText : 'failed';
    // Blocked requests are listed in context.blocked.
    if (/BLOCKED_BY_CLIENT/i.test(reason)) return;
    // Loads cut short because the page navigated away (a chip that is a plain
    // link, lazy images still loading) or was closed are not the site's fault;
    // a missing file shows up as an HTTP error below.
    if (/ERR_ABORTED/i.test(reason)) return;
    page.problems.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    const request = response.request();
    if (response.status() < 400) return;
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) return;
    page.problems.push(`HTTP ${response.status()} for ${request.resourceType()} ${response.url()}`);
  });
  return page;
}

/** Loads `url` and lets scripts that run on load settle. */
export async function goto(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => {});
  return response;
}

// ---------------------------------------------------------------- page measurements

/** The page's sideways scroll width against the viewport, and the widest culprits. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const scroller = document.scrollingElement || document.documentElement;
    const vw = window.innerWidth;
    const culprits = [];
    if (scroller.scrollWidth > vw) {
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        // Right to left, a page overflows on the left.
        if (r.width === 0 || (r.right <= vw + 0.5 && r.left >= -0.5)) continue;
        const style = getComputedStyle(el);
        if (style.position === 'fixed' || style.visibility === 'hidden') continue;
        // Report the outermost culprit only.
        if (culprits.some((c) => c.el.contains(el))) continue;
        culprits.push({ el, right: Math.round(r.right), left: Math.round(r.left) });
      }
    }
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (el.classList.length) s += `.${[...el.classList].join('.')}`;
      return s;
    };
    return {
      scrollWidth: scroller.scrollWidth,
      innerWidth: vw,
      culprits: culprits.slice(0, 5).map((c) => `${describe(c.el)} (edges ${c.left}px to ${c.right}px)`),
    };
  });
}

/** Injects axe-core (once per document) and returns its violations. */
export async function runAxe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      count: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      summary: v.nodes[0] && v.nodes[0].failureSummary ? v.nodes[0].failureSummary.replace(/\s+/g, ' ').slice(0, 240) : '',
    }));
  });
}

// ---------------------------------------------------------------- reporting

/** Thrown by a check to fail it with a message. */
export class CheckError extends Error {}

export function fail(message) {
  throw new CheckError(message);
}

/**
 * Prints one line per check (`ok   name — detail` or `FAIL name — detail`)
 * and counts them.
 */
export class Reporter {
  passed = 0;
  failed = 0;
  failures = [];

  report(ok, name, detail = '') {
    if (ok) this.passed++;
    else {
      this.failed++;
      this.failures.push(name);
    }
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  }

  /** Runs one check: `fn` returns a detail string (pass) or throws (fail). */
  async check(name, fn) {
    const started = Date.now();
    const took = () => {
      const ms = Date.now() - started;
      return ms >= 1_000 ? ` [${(ms / 1000).toFixed(1)} s]` : '';
    };
    try {
      const detail = await fn();
      this.report(true, `${name}${took()}`, detail || '');
      return true;
    } catch (error) {
      const message = error && error.message ? error.message : String(error);
      this.report(false, `${name}${took()}`, message.split('\n').slice(0, 15).join('\n      '));
      return false;
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    if (this.failed) console.log(`failed:\n  ${this.failures.join('\n  ')}`);
  }
}
