/* Client-side search over search-index.json: a progressive enhancement.
   Without JavaScript the form stays hidden and the page lists collections.
   Every visible word comes from data-* attributes (the site's labels). */
(function () {
  "use strict";
  var form = document.getElementById("search"), q = document.getElementById("q"),
      list = document.getElementById("results"), status = document.getElementById("search-status"),
      disclosure = document.getElementById("search-disclosure"), data;
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
    if (!terms.length) {
      list.textContent = ""; status.textContent = "";
      if (disclosure) disclosure.hidden = true;
      return;
    }
    load().then(function (d) {
      var hits = d.filter(function (x) { return terms.every(function (w) { return x.all.indexOf(w) > -1; }); });
      hits.sort(function (a, b) { return (b.title.indexOf(terms[0]) > -1) - (a.title.indexOf(terms[0]) > -1); });
      list.textContent = "";
      var shown = hits.slice(0, 50), paid = false;
      shown.forEach(function (x) {
        var li = el("li", "hit" + (x.e.image ? " with-thumb" : "")), a = el("a"), ext = external(x.e.url);
        a.href = x.e.url;
        if (ext) a.rel = "sponsored nofollow noopener";
        if (x.e.image) {
          var img = el("img", "hit-thumb");
          img.src = x.e.image; img.alt = ""; img.width = 56; img.height = 56; img.loading = "lazy";
          li.appendChild(img);
        }
        var body = el("div", "hit-body");
        a.appendChild(el("span", "kind", attr(x.e.kind) || x.e.kind));
        a.appendChild(el("strong", "", x.e.title));
        body.appendChild(a);
        if (ext) body.appendChild(el("span", "ad-label", attr("ad")));
        if (x.e.summary) body.appendChild(el("p", "summary", x.e.summary));
        if (x.cats.length) body.appendChild(el("p", "kicker", x.cats.join(" · ")));
        if (x.e.buy) {
          var row = el("div", "buy-row"), buy = el("a", "buy", attr("buy"));
          buy.href = x.e.buy;
          buy.appendChild(el("span", "sr-only", ": " + x.e.title));
          if (x.e.sponsored) { buy.rel = "sponsored nofollow noopener"; paid = true; }
          row.appendChild(buy);
          if (x.e.sponsored) row.appendChild(el("span", "ad-label", attr("ad")));
          body.appendChild(row);
        }
        li.appendChild(body);
        list.appendChild(li);
      });
      // The disclosure comes before the first affiliate link.
      if (disclosure) disclosure.hidden = !paid;
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
