/* Client-side search over search-index.json: a progressive enhancement.
   Without JavaScript the form stays hidden and the page lists collections.
   Every visible word comes from data-* attributes (the site's labels). */
(function () {
  "use strict";
  var form = document.getElementById("search"), q = document.getElementById("q"),
      list = document.getElementById("results"), status = document.getElementById("search-status"), data;
  if (!form || !q || !list || !status || !window.fetch) return;
  form.hidden = false;
  function attr(name) { return form.getAttribute("data-" + name) || ""; }
  function norm(s) { return String(s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
  function load() {
    if (data) return Promise.resolve(data);
    return fetch(attr("index")).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (d) {
      data = d.map(function (e) {
        var cats = (e.categories || []).map(function (c) { return c.name || c; });
        return { e: e, cats: cats, title: norm(e.title), all: norm([e.title, e.summary, cats.join(" ")].join(" ")) };
      });
      return data;
    });
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }
  function external(url) { return /^https?:/.test(url) && url.indexOf(location.origin) !== 0; }
  function run() {
    var v = q.value.trim(), terms = norm(v).split(/\s+/).filter(Boolean);
    history.replaceState(null, "", v ? "?q=" + encodeURIComponent(v) : location.pathname);
    if (!terms.length) { list.textContent = ""; status.textContent = ""; return; }
    load().then(function (d) {
      var hits = d.filter(function (x) { return terms.every(function (w) { return x.all.indexOf(w) > -1; }); });
      hits.sort(function (a, b) { return (b.title.indexOf(terms[0]) > -1) - (a.title.indexOf(terms[0]) > -1); });
      list.textContent = "";
      hits.slice(0, 50).forEach(function (x) {
        var li = el("li", "hit"), a = el("a"), ext = external(x.e.url);
        a.href = x.e.url;
        if (ext) a.rel = "sponsored nofollow noopener";
        a.appendChild(el("span", "kind", attr(x.e.kind) || x.e.kind));
        a.appendChild(el("strong", "", x.e.title));
        li.appendChild(a);
        if (ext) li.appendChild(el("span", "ad-label", attr("ad")));
        if (x.e.summary) li.appendChild(el("p", "summary", x.e.summary));
        if (x.cats.length) li.appendChild(el("p", "kicker", x.cats.join(" · ")));
        list.appendChild(li);
      });
      var text = hits.length === 1 ? attr("result-one") : attr("results").replace("{count}", hits.length);
      status.textContent = text.replace("{query}", v);
    }).catch(function () { status.textContent = attr("unavailable"); });
  }
  var timer;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  var start = new URLSearchParams(location.search).get("q");
  if (start) { q.value = start; run(); }
})();
