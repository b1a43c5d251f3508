// shopfront serve: reloads the page after each rebuild and shows build
// errors over the page until the next good save. Injected by `serve` only.
(() => {
  'use strict';
  let version = null;
  let overlay = null;

  function show(text) {
    hide();
    overlay = document.createElement('div');
    overlay.id = 'shopfront-error';
    overlay.setAttribute('role', 'alertdialog');
    overlay.setAttribute('aria-label', 'Build error');
    overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;overflow:auto;' +
      'background:rgba(20,20,24,.94);color:#f4f4f5;padding:24px;font:14px/1.5 ui-monospace,monospace';
    const title = document.createElement('p');
    title.style.cssText = 'margin:0 0 12px;font-weight:700;color:#fca5a5';
    title.textContent = 'The last save did not build. The page below is the last good version.';
    const pre = document.createElement('pre');
    pre.style.cssText = 'margin:0;white-space:pre-wrap;word-break:break-word';
    pre.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Dismiss';
    close.style.cssText = 'margin-top:16px;font:inherit;padding:6px 12px';
    close.addEventListener('click', hide);
    overlay.append(title, pre, close);
    document.body.append(overlay);
  }

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  const source = new EventSource('/__shopfront/events');
  // `hello` comes on every (re)connection; a new id means the server
  // restarted or rebuilt while we were away.
  source.addEventListener('hello', (event) => {
    if (version !== null && event.data !== version) location.reload();
    version = event.data;
    // Lets a test (or a curious creator) see that the page is listening.
    document.documentElement.dataset.shopfrontLive = version;
    hide();
  });
  source.addEventListener('reload', () => location.reload());
  source.addEventListener('failed', (event) => show(JSON.parse(event.data)));
})();
