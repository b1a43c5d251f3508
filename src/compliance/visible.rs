//! What a reader sees of a page, and where its affiliate content is, read
//! the way a browser reads it (html5ever builds the same tree a browser
//! does, error recovery included).
//!
//! Visible text is the text of the body outside comments, `<head>`,
//! `<title>`, `<script>`, `<style>`, `<template>`, `<noscript>`, iframe,
//! canvas, video and audio fallback, a closed `<dialog>`, a `popover`,
//! `<datalist>`, attributes, and any element hidden by the `hidden`
//! attribute, `aria-hidden="true"`, an inline style that hides it (see
//! [`super::css::hides`]: out of sight, too faint or small to read, or
//! moved out of the page) or a closed `<details>` (its `<summary>` aside).
//!
//! Affiliate content is where a reader can follow or load an affiliate URL:
//! `<a href>` (however the tag is spelled), an SVG link's `xlink:href`,
//! `<area href>`, `<form action>`, a button's `formaction`, a page in an
//! `<iframe>`, `<frame>`, `<embed>` or `<object>`, a `<meta>` refresh, a
//! relative URL under `<base href>`, Amazon's ad widgets (an iframe, script
//! or image from `amazon-adsystem.com`), and affiliate URLs inside inline
//! scripts, event handlers (`onclick`) and the data they read (`data-…`
//! attributes, JSON; not JSON-LD, which only search engines read).

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, doc_text};

use crate::links::{LinkPolicy, Statement};

/// One piece of affiliate content, and how much visible text came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The URL as written.
    pub href: String,
    /// The statement its program requires, if any.
    pub statement: Option<Statement>,
    /// Bytes of [`Reading::text`] before it.
    pub at: usize,
}

/// A page as a reader meets it.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// The visible text as written (entities not yet decoded): made
    /// readable only where a verdict needs it.
    pub text: String,
    /// Affiliate content in document order.
    pub affiliate: Vec<Found>,
}

/// The elements the scan looks at: every one, as any can carry an event
/// handler or data with a URL (and matching all costs no more than a list).
const WATCHED: &str = "*";

/// Why a scan ends early.
const STOP: &str = "shopfront: the verdict is known";

/// What the scan knows while it reads.
#[derive(Default)]
struct State {
    reading: Reading,
    /// Open elements that hide what they hold.
    hidden: usize,
    /// Open `<details>` without `open`, and open `<summary>`s inside them.
    closed_details: usize,
    summaries: usize,
    base: Option<url::Url>,
    /// The text of the inline script being read.
    script: Option<String>,
    /// Inline scripts read, with how much visible text came before each.
    scripts: Vec<(String, usize)>,
}

impl State {
    fn visible(&self) -> bool {
        self.hidden == 0 && (self.closed_details == 0 || self.summaries > 0)
    }
}

impl Reading {
    /// Reads `html`: one streaming pass, as the HTML tokenizer of a browser
    /// splits it (`<a/href=…>` is an `a` with an `href`). With `stop`,
    /// reading stops once the first affiliate content and the first of each
    /// of those programs are found: what follows cannot change a passing
    /// verdict.
    pub fn of(html: &str, links: &LinkPolicy, hiding: &[&lol_html::Selector], stop: Option<&[Statement]>) -> Self {
        let state = Rc::new(RefCell::new(State::default()));
        let on_element = Rc::clone(&state);
        let on_text = Rc::clone(&state);
        // Parsed once: the scan runs on every page of every build.
        static SELECTOR: std::sync::OnceLock<lol_html::Selector> = std::sync::OnceLock::new();
        let selector = SELECTOR.get_or_init(|| WATCHED.parse().expect("a valid selector list"));
        let on_open = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
            open(&on_element, el, links);
            let state = on_element.borrow();
            let found = &state.reading.affiliate;
            let done = stop.is_some_and(|wanted| {
                !found.is_empty() && wanted.iter().all(|w| found.iter().any(|f| f.statement.as_ref() == Some(w)))
            });
            if done && state.script.is_none() { Err(STOP.into()) } else { Ok(()) }
        };
        // The page's own <style> blocks hide too.
        let own: Vec<lol_html::Selector> = if crate::html::positions_ignoring_case(html, "<style").next().is_some() {
            super::css::style_blocks(html).into_iter().flat_map(super::css::selectors_of).collect()
        } else {
            Vec::new()
        };
        let mut settings = Settings::new();
        for selector in hiding.iter().copied().chain(&own) {
            let state = Rc::clone(&state);
            let hide = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
                hide_element(&state, el);
                Ok(())
            };
            settings = settings.append_element_content_handler(crate::html::on_element(selector, hide));
        }
        let settings = settings
            .append_element_content_handler(crate::html::on_element(selector, on_open))
            .append_document_content_handler(doc_text!(move |chunk| {
                let mut state = on_text.borrow_mut();
                if let Some(script) = &mut state.script {
                    script.push_str(chunk.as_str());
                } else if state.visible() {
                    state.reading.text.push_str(chunk.as_str());
                }
                Ok(())
            }));
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        let result = rewriter.write(html.as_bytes()).and_then(|()| rewriter.end());
        let mut state = std::mem::take(&mut *state.borrow_mut());
        let mut reading = std::mem::take(&mut state.reading);
        // The URLs in inline scripts, in their places.
        for (code, at) in &state.scripts {
            for url in urls_in(code) {
                let resolved = resolve(&url, state.base.as_ref());
                let before = reading.affiliate.len();
                route(&mut reading, &url, &resolved, links);
                if let Some(found) = reading.affiliate.get_mut(before) {
                    found.at = *at;
                }
            }
        }
        reading.affiliate.sort_by_key(|found| found.at);
        if let Err(err) = result
            && !err.to_string().contains(STOP)
        {
            // The rewriter fails only on its memory limits: the rest of the
            // page counts as unseen affiliate content.
            reading.affiliate.push(Found { href: String::new(), statement: None, at: reading.text.len() });
        }
        reading
    }

    /// Whether `text` is visible before byte `at` of the visible text.
    pub fn shows_before(&self, text: &str, at: usize) -> bool {
        let wanted = normalise(text);
        let mut end = at.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        !wanted.is_empty() && normalise(&crate::html::decode_entities(&self.text[..end])).contains(&wanted)
    }

    /// Whether `text` is visible anywhere on the page.
    pub fn shows(&self, text: &str) -> bool {
        self.shows_before(text, self.text.len())
    }
}

/// An element a stylesheet hides: hidden up to its end tag.
fn hide_element(state: &Rc<RefCell<State>>, el: &mut Element<'_, '_>) {
    let mut s = state.borrow_mut();
    s.hidden += 1;
    if !el.can_have_content() {
        // Void (nothing to hide) or `<x/>` (hides what follows, as far as this scan knows).
        if is_void(&el.tag_name()) {
            s.hidden -= 1;
        }
        return;
    }
    drop(s);
    let state = Rc::clone(state);
    let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
        state.borrow_mut().hidden -= 1;
        Ok(())
    });
    let _ = el.on_end_tag(close);
}

/// An element opens: what it hides, what it links to, where words break.
fn open(state: &Rc<RefCell<State>>, el: &mut Element<'_, '_>, links: &LinkPolicy) {
    let name = el.tag_name();
    let mut s = state.borrow_mut();
    if name == "base" && s.base.is_none() {
        s.base = el.get_attribute("href").and_then(|href| url::Url::parse(href.trim()).ok());
    }
    for attribute in el.attributes() {
        for (url, followed) in destinations(&name, el, attribute) {
            let resolved = resolve(&url, s.base.as_ref());
            if crate::links::is_amazon_ad_url(&resolved) {
                // Amazon's ad widgets are Amazon affiliate content.
                record(&mut s.reading, &url, Some(Statement::Amazon));
            } else if followed {
                route(&mut s.reading, &url, &resolved, links);
            }
        }
    }
    let style = el.get_attribute("style");
    let hides = hider(&name, el, style.as_deref()).is_some();
    let details = name == "details" && !el.has_attribute("open");
    let summary = name == "summary" && s.closed_details > 0;
    // An inline script, or the JSON it reads: the URLs in it (not JSON-LD, for search engines only).
    let script = name == "script"
        && !el.has_attribute("src")
        && !el.get_attribute("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
    if !(hides || details || summary || script) {
        return;
    }
    if !el.can_have_content() {
        // `<div hidden/>`: a browser ignores the slash and hides what follows,
        // up to an end tag this scan cannot see; everything after counts as hidden.
        if hides && !is_void(&name) {
            s.hidden += 1;
        }
        return;
    }
    s.hidden += usize::from(hides);
    s.closed_details += usize::from(details);
    s.summaries += usize::from(summary);
    if script {
        s.script = Some(String::new());
    }
    drop(s);
    let state = Rc::clone(state);
    let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
        let mut s = state.borrow_mut();
        s.hidden -= usize::from(hides);
        s.closed_details -= usize::from(details);
        s.summaries -= usize::from(summary);
        if script && let Some(code) = s.script.take() {
            let at = s.reading.text.len();
            s.scripts.push((code, at));
        }
        Ok(())
    });
    // Only void elements refuse, and they were returned above.
    let _ = el.on_end_tag(close);
}

/// The URLs an attribute of element `name` leads a reader to or loads,
/// each with whether a reader follows it (else only a widget's URL counts).
fn destinations(
    name: &str,
    el: &Element<'_, '_>,
    attribute: &lol_html::html_content::Attribute<'_>,
) -> Vec<(String, bool)> {
    let attribute_name = attribute.name();
    let followed = match (name, attribute_name.as_str()) {
        ("a" | "area", "href") | (_, "xlink:href") | ("form", "action") | ("button" | "input", "formaction") => true,
        ("iframe" | "frame" | "embed", "src") | ("object", "data") => true,
        ("script" | "img", "src") => false,
        ("meta", "content")
            if el.get_attribute("http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh")) =>
        {
            return refresh_url(&attribute.value()).map(|url| vec![(url, true)]).unwrap_or_default();
        }
        // Code run on a click, and data a script reads.
        (_, named) if named.starts_with("on") || named.starts_with("data-") => {
            return urls_in(&attribute.value()).into_iter().map(|url| (url, true)).collect();
        }
        _ => return Vec::new(),
    };
    vec![(attribute.value(), followed)]
}

/// The URL of `<meta http-equiv="refresh" content="5; url=…">`.
fn refresh_url(content: &str) -> Option<String> {
    let (_, rest) = content.split_once([';', ','])?;
    let rest = rest.trim_start();
    let url = rest.get(..4).filter(|key| key.eq_ignore_ascii_case("url=")).map_or(rest, |_| &rest[4..]);
    Some(url.trim().trim_matches(['"', '\'']).to_owned())
}

fn route(reading: &mut Reading, written: &str, resolved: &str, links: &LinkPolicy) {
    let decoded = crate::html::attributes::decode(resolved);
    if let Ok(link) = links.route(&decoded)
        && link.is_affiliate()
    {
        record(reading, written, link.statement);
    }
}

fn record(reading: &mut Reading, href: &str, statement: Option<Statement>) {
    reading.affiliate.push(Found { href: href.to_owned(), statement, at: reading.text.len() });
}

/// Elements that never have content.
pub(super) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Whether a page may carry affiliate content at all, decided without
/// reading it as a browser does. It looks at every `//` and `http:` or
/// `https:` in the page, in attributes, text and scripts alike, entities
/// decoded and JSON's `\/` undone, and asks the rule engine about the URL
/// there; a `<base>` (which can turn any relative link into an affiliate
/// one) always counts. An affiliate URL a browser could follow or load is
/// absolute, so it is written one of those ways: `false` is safe.
pub fn may_carry_affiliate_content(html: &str, links: &LinkPolicy) -> bool {
    let decoded = if html.contains('&') { crate::html::decode_entities(html) } else { html.to_owned() };
    let text = if decoded.contains("\\/") { decoded.replace("\\/", "/") } else { decoded };
    // Browsers drop tabs and line breaks from a URL wherever they are (`ama&#10;zon.com`).
    let text = text.replace(['\t', '\n', '\r'], "");
    if crate::html::positions_ignoring_case(&text, "<base").next().is_some() {
        return true;
    }
    let affiliate =
        |url: &str| crate::links::is_amazon_ad_url(url) || links.route(url).is_ok_and(|link| link.is_affiliate());
    let token_end = |tail: &str| {
        tail.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '(' | ')' | ','))
            .unwrap_or(tail.len())
    };
    // `//host/…` (also protocol-relative) and `http:`/`https:` in any
    // spelling a browser accepts (`HTTPS:www.…`, `https:\\www.…`).
    for (at, _) in text.match_indices("//") {
        let tail = &text[at + 2..];
        if affiliate(&format!("https://{}", &tail[..token_end(tail)])) {
            return true;
        }
    }
    for at in crate::html::positions_ignoring_case(&text, "http") {
        let tail = &text[at..];
        let scheme = tail.as_bytes().get(4..6).map(|b| b.to_ascii_lowercase());
        if matches!(scheme.as_deref(), Some([b':', _] | [b's', b':'])) && affiliate(&tail[..token_end(tail)]) {
            return true;
        }
    }
    false
}

/// A relative URL under `<base href>` as the browser resolves it.
fn resolve(url: &str, base: Option<&url::Url>) -> String {
    // `//host/path` takes the page's scheme, https on the web.
    if let Some(rest) = url.trim().strip_prefix("//") {
        return format!("https://{rest}");
    }
    match base {
        Some(base) if url::Url::parse(url.trim()).is_err() => {
            base.join(url.trim()).map_or_else(|_| url.to_owned(), |u| u.to_string())
        }
        _ => url.to_owned(),
    }
}

/// The URLs in script or attribute text: `http(s)://…` in any case and
/// protocol-relative `//host/…`, `\/` unescaped as JSON writes them.
fn urls_in(code: &str) -> Vec<String> {
    // An attribute's character references are the browser's to decode
    // (`https&#58;//`); `\/` is a script's escaped slash.
    let code = crate::html::attributes::decode(code).replace("\\/", "/");
    let stop = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | ')' | '\\');
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("//").map(|i| from + i) {
        let end = code[at..].find(stop).map_or(code.len(), |e| at + e);
        let before = &code[..at];
        let scheme_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == ':'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let scheme = before[scheme_start..].to_ascii_lowercase();
        if scheme == "http:" || scheme == "https:" {
            found.push(format!("{scheme}{}", &code[at..end]));
        } else if scheme.is_empty() && end > at + 2 {
            // Protocol-relative (`'//www.amazon.com/…'`): the page's own scheme.
            found.push(format!("https:{}", &code[at..end]));
        }
        from = end.max(at + 2);
    }
    found
}

/// What makes an element hide itself and everything in it from a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hider {
    /// Browsers do not show what it holds as text (`<script>`, `<noscript>`…).
    Browsers,
    /// A `<dialog>` without `open`.
    ClosedDialog,
    /// The `hidden` attribute.
    Hidden,
    /// The `popover` attribute.
    Popover,
    /// `aria-hidden="true"`.
    AriaHidden,
    /// Its `style` attribute.
    Style,
}

/// Whether, and why, an element hides itself and everything in it from a reader.
pub(super) fn hider(name: &str, el: &Element<'_, '_>, style: Option<&str>) -> Option<Hider> {
    // Fallback content is shown only where the element is not supported;
    // a dialog until it is opened, a popover until it pops up.
    let hidden_by_browsers = matches!(
        name,
        "head"
            | "title"
            | "script"
            | "style"
            | "template"
            | "noscript"
            | "iframe"
            | "object"
            | "svg"
            | "canvas"
            | "video"
            | "audio"
            | "datalist"
            | "noframes"
            | "rp"
    );
    if hidden_by_browsers {
        Some(Hider::Browsers)
    } else if name == "dialog" && !el.has_attribute("open") {
        Some(Hider::ClosedDialog)
    } else if el.has_attribute("hidden") {
        Some(Hider::Hidden)
    } else if el.has_attribute("popover") {
        Some(Hider::Popover)
    } else if el.get_attribute("aria-hidden").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        Some(Hider::AriaHidden)
    } else if style.is_some_and(|style| super::css::hides(super::css::inline(style))) {
        Some(Hider::Style)
    } else {
        None
    }
}

/// Appends `text` normalised, as [`normalise`] would the whole.
pub(super) fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        match c {
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            '\u{2018}' | '\u{2019}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Lower-case, whitespace collapsed, typographic quotes made plain.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_text(&mut out, text);
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_scripts_and_handlers_are_found_however_written() {
        let code = "location.href='//www.amazon.com/dp/B06XCKGLTP'; go(\"HTTPS://WWW.AMAZON.COM/dp/B0\"); \
                    x = 'https&#58;//www.amazon.com/dp/B1'; y = \"https:\\/\\/a.example\\/p\"; // a comment\n";
        assert_eq!(
            urls_in(code),
            [
                "https://www.amazon.com/dp/B06XCKGLTP",
                "https://WWW.AMAZON.COM/dp/B0",
                "https://www.amazon.com/dp/B1",
                "https://a.example/p",
            ]
        );
    }
}
