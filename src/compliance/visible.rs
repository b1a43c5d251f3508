//! What a reader sees of a page, and where its affiliate content is, read
//! the way a browser reads it: one streaming pass of an HTML tokenizer
//! (lol_html), with the parts of a browser's tree building that end or move
//! elements (a block closes an open `<p>`; what a table holds outside its
//! cells is shown before it; a flex container shown in reverse, or with
//! an item in another order, may show its last link first).
//!
//! Visible text is the text of the body outside comments, `<head>`,
//! `<title>`, `<script>`, `<style>`, `<template>`, `<noscript>`, iframe,
//! canvas, video and audio fallback, a closed `<dialog>`, a `popover`,
//! `<datalist>`, attributes, and any element hidden by the `hidden`
//! attribute, `aria-hidden="true"`, an inline style or stylesheet rule that
//! hides it (see [`super::css::hides`]: out of sight, too faint or small to
//! read, or moved out of the page; `visibility: hidden` until an element
//! inside says `visibility: visible`), text `<bdo dir=rtl>` writes
//! backwards (not in a block inside it), text coloured like the nearest
//! background behind it, text faded or shrunk too far by the elements
//! around it together, or a closed `<details>` (its `<summary>` aside).
//!
//! Affiliate content is where a reader can follow or load an affiliate URL:
//! `<a href>` (however the tag is spelled), an SVG link's `xlink:href`,
//! `<area href>`, `<form action>`, a button's `formaction`, a page in an
//! `<iframe>`, `<frame>`, `<embed>` or `<object>`, a `<meta>` refresh, a
//! relative URL under `<base href>`, Amazon's ad widgets (an iframe, script
//! or image from `amazon-adsystem.com`), and affiliate URLs inside inline
//! scripts, event handlers (`onclick`), the data they read (`data-…`
//! attributes, JSON; not JSON-LD, which only search engines read), the
//! page an iframe's `srcdoc` holds, and a button or field that names a form
//! elsewhere (`<button form="cart">`).

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, doc_text};

use super::css::{self, Background, Dim, OwnRules, Scan};
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
    /// Whether the open elements that set `visibility` show what they
    /// hold, innermost last: the innermost decides.
    visibility: Vec<bool>,
    /// Whether the open elements that set a font size their rules or
    /// `style` can tell (too small, or readable of its own) give a
    /// readable one, innermost last.
    fonts: Vec<bool>,
    /// Whether the open `<bdo>`s and the blocks inside them write their
    /// text backwards (`<bdo dir=rtl>` does, a block inside it does not),
    /// innermost last.
    backwards: Vec<bool>,
    /// The rules that matched the element being opened.
    pending: Matched,
    /// Whether the page may have text coloured like what is behind it.
    colours: bool,
    /// The page's background colour, if known.
    page: Option<svgtypes::Color>,
    /// The backgrounds open elements give, innermost last (`None`: not known).
    backdrops: Vec<Option<svgtypes::Color>>,
    /// How much the open elements that fade or shrink do, all together,
    /// innermost last.
    dims: Vec<Dim>,
    /// The open tables, innermost last.
    tables: Vec<Table>,
    /// Where the open element a table holds outside its cells is shown:
    /// the visible text before the table.
    fostered: Option<usize>,
    /// Where the outermost open flex container that shows its items in
    /// reverse begins: what it holds may be shown from there on.
    reversed: Option<usize>,
    /// The forms buttons and fields name (`form="…"`), with how much
    /// visible text came before each.
    form_buttons: Vec<(String, usize)>,
    /// Whether a rule that may colour text like what is behind it met an
    /// element, read without colours.
    inked: bool,
    /// Whether flex and grid containers are kept track of, and the items
    /// shown in another order moved where they are shown.
    order: bool,
    /// Whether an element shown in another order than the page's met
    /// (`order: -1`).
    reordered: bool,
    /// The open flex and grid containers, innermost last.
    containers: Vec<Container>,
    /// How many elements are open, counted where containers are kept
    /// track of: `order` moves a container's own items only.
    depth: usize,
    /// What the open `<p>` adds to `hidden`: a browser closes it at the
    /// next block (`<p hidden>…<div>` hides nothing in the div), so it may
    /// end without an end tag.
    paragraph: Option<Rc<std::cell::Cell<usize>>>,
    /// How many entries `visibility` and `containers` had before the open
    /// `<p>` added one, ended the same way.
    paragraph_visibility: Option<usize>,
    paragraph_container: Option<usize>,
    /// The open `<p>`'s [`State::depth`], ended the same way.
    paragraph_depth: Option<usize>,
    /// Open `<details>` without `open`, and open `<summary>`s inside them.
    closed_details: usize,
    summaries: usize,
    base: Option<url::Url>,
    /// The text of the inline script being read.
    script: Option<String>,
    /// Inline scripts read, with how much visible text came before each.
    scripts: Vec<(String, usize)>,
}

/// An open flex or grid container.
#[derive(Default)]
struct Container {
    /// How many elements were open with it ([`State::depth`]).
    depth: usize,
    /// The visible text and affiliate content before it.
    text: usize,
    found: usize,
    /// How much of each its items shown first (`order: -1`) moved to its start.
    first_text: usize,
    first_found: usize,
    /// What its items shown last (`order: 9`) showed, to add at its end:
    /// their visible text and affiliate content (`at` from the text's start).
    last: Vec<(String, Vec<Found>)>,
}

/// Where an item shown in another order began: the visible text and
/// affiliate content before it, and whether it is shown first.
#[derive(Debug, Clone, Copy)]
struct Item {
    text: usize,
    found: usize,
    first: bool,
}

impl State {
    /// `item` ends: what it showed moves to the start of the innermost
    /// container (after what its items shown first moved there before), or
    /// to its end once it ends.
    fn move_item(&mut self, item: Item) {
        let Some(container) = self.containers.last_mut() else { return };
        let reading = &mut self.reading;
        if item.text < container.text || item.found < container.found || item.text > reading.text.len() {
            return;
        }
        let text = reading.text.split_off(item.text);
        let mut found = reading.affiliate.split_off(item.found.min(reading.affiliate.len()));
        for moved in &mut found {
            moved.at = moved.at.saturating_sub(item.text);
        }
        if !item.first {
            container.last.push((text, found));
            return;
        }
        let at = container.text + container.first_text;
        let index = container.found + container.first_found;
        reading.text.insert_str(at, &text);
        for after in &mut reading.affiliate[index..] {
            after.at += text.len();
        }
        for moved in &mut found {
            moved.at += at;
        }
        container.first_text += text.len();
        container.first_found += found.len();
        reading.affiliate.splice(index..index, found);
    }

    /// The innermost container ends: what its items shown last showed is added.
    fn close_container(&mut self) {
        let Some(container) = self.containers.pop() else { return };
        for (text, found) in container.last {
            let at = self.reading.text.len();
            self.reading.text.push_str(&text);
            self.reading.affiliate.extend(found.into_iter().map(|moved| Found { at: moved.at + at, ..moved }));
        }
    }

    fn visible(&self) -> bool {
        self.hidden == 0
            && self.visibility.last() != Some(&false)
            && self.fonts.last() != Some(&false)
            && self.backwards.last() != Some(&true)
            && (self.closed_details == 0 || self.summaries > 0)
    }
}

impl Reading {
    /// Reads `html`: one streaming pass, as the HTML tokenizer of a browser
    /// splits it (`<a/href=…>` is an `a` with an `href`). With `stop`,
    /// reading stops once the first affiliate content and the first of each
    /// of those programs are found: what follows cannot change a passing
    /// verdict.
    pub fn of(html: &str, links: &LinkPolicy, scan: &Scan<'_>, stop: Option<&[Statement]>) -> Self {
        // The page's own <style> blocks (and `data:` stylesheets) count too.
        let mut own = OwnRules::of(html);
        own.animate(&scan.animated);
        let merged;
        let scan = if own.is_empty() {
            scan
        } else {
            merged = own.scan(scan);
            &merged
        };
        let page = match Background::of(&scan.backgrounds) {
            Background::Plain(color) => Some(color),
            Background::Unknown => None,
        };
        // Text is hidden on a background of (nearly) its colour: the nearest
        // an element around it gives, or the page's. Matching every rule that
        // gives a background would cost every page, so the page is read
        // without them first, and again with them only if a rule that may
        // colour text so met an element.
        let behind: Vec<svgtypes::Color> = page.into_iter().chain(scan.backdrops.iter().filter_map(|b| b.1)).collect();
        let inks: Vec<(&lol_html::Selector, svgtypes::Color)> =
            scan.inks.iter().filter(|(_, ink)| behind.iter().any(|b| css::alike(*ink, *b))).copied().collect();
        // So would keeping track of every flex and grid container: only a
        // page where an element is shown in another order is read again
        // with them. Neither matters on a page without affiliate content.
        let (reading, again) = Self::read(html, links, scan, &inks, page, Weighs::default(), stop);
        let again_needed = (again.colours || again.order) && !reading.affiliate.is_empty();
        if again_needed { Self::read(html, links, scan, &inks, page, again, stop).0 } else { reading }
    }

    /// [`Self::of`]'s reading, weighing what `weighs` says, and what a
    /// second reading must weigh: text colours if a rule or `style`
    /// attribute that may colour text like what is behind it met an
    /// element, and the order of flex and grid items if one is shown in
    /// another order.
    fn read(
        html: &str,
        links: &LinkPolicy,
        scan: &Scan<'_>,
        inks: &[(&lol_html::Selector, svgtypes::Color)],
        page: Option<svgtypes::Color>,
        weighs: Weighs,
        stop: Option<&[Statement]>,
    ) -> (Self, Weighs) {
        let Weighs { colours, order } = weighs;
        let backdrops = if colours { &scan.backdrops[..] } else { &[] };
        let containers = if order { &scan.containers[..] } else { &[] };
        let state = Rc::new(RefCell::new(State { page, colours, order, ..State::default() }));
        let on_element = Rc::clone(&state);
        let on_text = Rc::clone(&state);
        // Parsed once: the scan runs on every page of every build.
        static SELECTOR: std::sync::OnceLock<lol_html::Selector> = std::sync::OnceLock::new();
        let selector = SELECTOR.get_or_init(|| WATCHED.parse().expect("a valid selector list"));
        let on_open = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
            open(&on_element, el, html, links, &scan.keyframes);
            let state = on_element.borrow();
            let found = &state.reading.affiliate;
            // Items shown in another order may still move what was found.
            let done = !state.order
                && stop.is_some_and(|wanted| {
                    !found.is_empty() && wanted.iter().all(|w| found.iter().any(|f| f.statement.as_ref() == Some(w)))
                });
            if done && state.script.is_none() { Err(STOP.into()) } else { Ok(()) }
        };
        let mut settings = Settings::new();
        let effects = scan.hiding.iter().map(|selector| (*selector, Effect::Hides));
        let effects = effects.chain(inks.iter().map(|(selector, color)| (*selector, Effect::Ink(*color))));
        let effects = effects.chain(backdrops.iter().map(|(selector, color)| (*selector, Effect::Backdrop(*color))));
        let effects = effects.chain(scan.dims.iter().map(|(selector, dim)| (*selector, Effect::Dim(*dim))));
        let effects = effects.chain(scan.reversers.iter().map(|selector| (*selector, Effect::Reverses)));
        let effects =
            effects.chain(scan.invisible.iter().map(|selector| (*selector, Effect::Visibility(Seen::Hidden))));
        let effects = effects.chain(scan.revealers.iter().map(|(selector, shows)| {
            (*selector, Effect::Visibility(if *shows { Seen::Visible } else { Seen::Inherit }))
        }));
        let effects = effects.chain(scan.shrinking.iter().map(|selector| (*selector, Effect::Font(Seen::Hidden))));
        // Readable sizes matter only inside a size too small: matched only then.
        let resizers = if scan.shrinking.is_empty() { &[] } else { &scan.resizers[..] };
        let effects = effects.chain(resizers.iter().map(|selector| (*selector, Effect::Font(Seen::Visible))));
        let effects = effects.chain(scan.orderers.iter().map(|(selector, order)| (*selector, Effect::Order(*order))));
        let effects = effects.chain(containers.iter().map(|selector| (*selector, Effect::Container)));
        for (selector, effect) in effects {
            let state = Rc::clone(&state);
            let matched = move |_: &mut Element<'_, '_>| -> lol_html::HandlerResult {
                state.borrow_mut().pending.add(effect);
                Ok(())
            };
            settings = settings.append_element_content_handler(crate::html::on_element(selector, matched));
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
        // Containers whose end tag never came (`<p style="display:flex">`
        // a block ended) end with the page: what their items shown last
        // showed is not lost.
        while !state.containers.is_empty() {
            state.close_container();
        }
        let mut reading = std::mem::take(&mut state.reading);
        // The forms that buttons and fields before them name, in the buttons' places.
        if !state.form_buttons.is_empty() {
            let forms = form_actions(html);
            for (owner, at) in &state.form_buttons {
                for (_, action) in forms.iter().filter(|(id, _)| id == owner) {
                    let resolved = resolve(action, state.base.as_ref());
                    let before = reading.affiliate.len();
                    route(&mut reading, action, &resolved, links);
                    if let Some(found) = reading.affiliate.get_mut(before) {
                        found.at = *at;
                    }
                }
            }
        }
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
        (reading, Weighs { colours: state.inked, order: state.reordered })
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

/// What a reading weighs beyond what hides: text colours against what is
/// behind them, and the order flex and grid containers show their items in.
#[derive(Debug, Clone, Copy, Default)]
struct Weighs {
    colours: bool,
    order: bool,
}

/// What a stylesheet's rule does to the element it matched.
#[derive(Debug, Clone, Copy)]
enum Effect {
    Hides,
    /// Colours its text.
    Ink(svgtypes::Color),
    /// Gives it a background, of this colour if known.
    Backdrop(Option<svgtypes::Color>),
    /// Fades or shrinks it.
    Dim(Dim),
    /// Shows its items in reverse.
    Reverses,
    /// Sets its `visibility`, which an element inside may set again.
    Visibility(Seen),
    /// Gives it a font size too small to read (`Hidden`) or a readable one
    /// of its own (`Visible`), which an element inside may change again.
    Font(Seen),
    /// Shows it in another order among its container's items (`order: -1`).
    Order(i32),
    /// Makes it a flex or grid container.
    Container,
}

/// What the rules that matched one element give an inherited property an
/// element inside may set again (`visibility`, the font size), together:
/// hidden if any hides, else the parent's if any says so, else shown (the
/// scan does not weigh their specificity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Seen {
    Visible,
    Inherit,
    Hidden,
}

/// The rules that matched the element being opened: [`open`] (run after
/// the stylesheets' handlers on every element) takes them.
#[derive(Debug, Default, Clone, Copy)]
struct Matched {
    hides: bool,
    /// The text colour of the last rule that gives one.
    ink: Option<svgtypes::Color>,
    /// The background of the last rule that gives one.
    backdrop: Option<Option<svgtypes::Color>>,
    /// How the last rule that fades or shrinks it does.
    dim: Option<Dim>,
    reverses: bool,
    /// Its `visibility`, the rules together.
    visibility: Option<Seen>,
    /// Its font size, the rules together.
    font: Option<Seen>,
    /// The `order` of the last rule that gives one.
    order: Option<i32>,
    container: bool,
}

impl Matched {
    fn add(&mut self, effect: Effect) {
        match effect {
            Effect::Hides => self.hides = true,
            Effect::Ink(color) => self.ink = Some(color),
            Effect::Backdrop(color) => self.backdrop = Some(color),
            Effect::Dim(dim) => self.dim = Some(dim),
            Effect::Reverses => self.reverses = true,
            Effect::Visibility(seen) => self.visibility = self.visibility.max(Some(seen)),
            Effect::Font(seen) => self.font = self.font.max(Some(seen)),
            Effect::Order(order) => self.order = Some(order),
            Effect::Container => self.container = true,
        }
    }
}

/// An element opens: what it hides, what it links to, where words break.
fn open(
    state: &Rc<RefCell<State>>,
    el: &mut Element<'_, '_>,
    html: &str,
    links: &LinkPolicy,
    keyframes: &[&css::Keyframes],
) {
    let name = crate::html::tag_name(el, html);
    let get = |name: &str| crate::html::attribute(el, html, name).map(lol_html::html_content::Attribute::value);
    let has = |name: &str| crate::html::attribute(el, html, name).is_some();
    let mut s = state.borrow_mut();
    if closes_paragraph(&name) {
        if let Some(paragraph) = s.paragraph.take() {
            s.hidden -= paragraph.replace(0);
        }
        if let Some(before) = s.paragraph_visibility.take() {
            s.visibility.truncate(before);
        }
        if let Some(depth) = s.paragraph_depth.take() {
            s.depth = s.depth.min(depth - 1);
        }
        if let Some(before) = s.paragraph_container.take() {
            while s.containers.len() > before {
                s.close_container();
            }
        }
    }
    if name == "base" && s.base.is_none() {
        s.base = get("href").and_then(|href| url::Url::parse(href.trim()).ok());
    }
    // Its `style`, read once, as it is once its animations have played.
    let style: Vec<(String, String)> = get("style").map_or_else(Vec::new, |style| {
        let written: Vec<(String, String)> = css::inline(&style).collect();
        match super::animations::settle(&written, keyframes) {
            Some(settled) => settled.into_iter().map(|(declaration, _)| declaration).collect(),
            None => written,
        }
    });
    // A flex container that shows its items in reverse shows the last first.
    let reverses = std::mem::take(&mut s.pending.reverses) || css::reverses(&style);
    let reverses = reverses && s.reversed.is_none();
    if reverses {
        s.reversed = Some(s.fostered.unwrap_or(s.reading.text.len()));
    }
    // A flex or grid item shown in another order (`order: -1` first, a
    // banner's `order: 9` last): in a reading that keeps track of the
    // containers, what it shows moves there once it ends.
    let order = std::mem::take(&mut s.pending.order).or_else(|| css::order(&style));
    s.reordered |= order.is_some();
    let in_container = s.containers.last().is_some_and(|container| container.depth == s.depth);
    let item = order.filter(|_| s.order && in_container).map(|order| Item {
        text: s.reading.text.len(),
        found: s.reading.affiliate.len(),
        first: order < 0,
    });
    let container = std::mem::take(&mut s.pending.container) || (s.order && css::lays_out_items(&style));
    // Content a table holds outside its cells is shown before the table
    // (`<table><tr><td>…</td></tr><a href>…</a></table>`: the link comes first).
    let in_table = s.tables.last().is_some_and(|table| table.cells == 0);
    let fostered = s.fostered.is_none() && in_table && !is_table_part(&name);
    if fostered {
        s.fostered = s.tables.last().map(|table| table.at);
    }
    let found = s.reading.affiliate.len();
    for attribute in el.attributes() {
        for (url, followed) in destinations(&name, el, html, attribute) {
            let resolved = resolve(&url, s.base.as_ref());
            if crate::links::is_amazon_ad_url(&resolved) {
                // Amazon's ad widgets are Amazon affiliate content.
                record(&mut s.reading, &url, Some(Statement::Amazon));
            } else if followed {
                route(&mut s.reading, &url, &resolved, links);
            }
        }
    }
    // A button or field submits the form it names (`<button form=f>`),
    // wherever the form is: found once the page is read.
    if matches!(&*name, "button" | "input")
        && !has("formaction")
        && let Some(owner) = get("form")
    {
        let at = s.fostered.unwrap_or(s.reading.text.len());
        s.form_buttons.push((crate::html::decode_entities(&owner).trim().to_owned(), at));
    }
    // A page for a dark scheme only has a dark background.
    if name == "meta"
        && get("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("color-scheme"))
        && get("content").is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("dark") && !c.contains("light")
        })
    {
        s.page = None;
    }
    if let Some(at) = s.fostered.or(s.reversed) {
        let at = at.min(s.reversed.unwrap_or(at));
        for found in &mut s.reading.affiliate[found..] {
            found.at = found.at.min(at);
        }
        if !el.can_have_content() {
            if fostered {
                s.fostered = None;
            }
            if reverses {
                s.reversed = None;
            }
        }
    }
    let table = name == "table";
    let cell = matches!(&*name, "td" | "th" | "caption") && !s.tables.is_empty();
    let matched = std::mem::take(&mut s.pending);
    let mut backdrop = None;
    let mut inked = false;
    if !s.colours {
        // A colour a second reading must weigh against what is behind it.
        s.inked |= matched.ink.is_some() || css::Paint::of(&style).ink.is_some();
    } else {
        // A `style` attribute wins over the rules; the nearest background is behind the text.
        let paint = css::Paint::of(&style);
        let bgcolor = get("bgcolor").map(|c| css::color(&c.trim().to_ascii_lowercase()));
        backdrop = paint.backdrop.or(bgcolor).or(matched.backdrop);
        let behind = backdrop.or_else(|| s.backdrops.last().copied()).unwrap_or(s.page);
        inked = paint.ink.or(matched.ink).zip(behind).is_some_and(|(ink, behind)| css::alike(ink, behind));
    }
    // Faded or shrunk with the elements around it (`opacity: .4` in `opacity: .4`).
    let dim = Dim::of(&style).or(matched.dim);
    let dim = dim.map(|dim| dim.within(s.dims.last().copied().unwrap_or(Dim::NONE)));
    // Its `visibility`, which an element inside may set again: a `style`
    // attribute's wins over the rules'.
    let own_visibility = css::visibility(&style);
    let visibility = match (own_visibility, matched.visibility) {
        (Some(own), _) => own,
        (None, Some(Seen::Hidden)) => Some(false),
        (None, Some(Seen::Visible)) => Some(true),
        (None, _) => None,
    };
    // Its font size, when too small to read or readable of its own; a
    // `style`'s readable size wins over the rules' (and matters only inside a small one).
    let font = match matched.font {
        _ if !s.fonts.is_empty() && css::resizes(&style) => Some(true),
        Some(Seen::Hidden) => Some(false),
        Some(Seen::Visible) => Some(true),
        _ => None,
    };
    // A `style` that hides with `visibility` alone hides only until then.
    let by_style = hider(&name, el, html, &style).filter(|hider| {
        *hider != Hider::Style
            || own_visibility != Some(Some(false))
            || css::hides(style.iter().filter(|(p, _)| p != "visibility").cloned())
    });
    let hides = matched.hides || inked || dim.is_some_and(Dim::hides) || by_style.is_some();
    let details = name == "details" && !has("open");
    let summary = name == "summary" && s.closed_details > 0;
    // An inline script, or the JSON it reads: the URLs in it (not JSON-LD, for search engines only).
    let script = name == "script"
        && !has("src")
        && !get("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
    // `<bdo dir=rtl>` writes left-to-right text backwards, up to a block
    // inside it (by its tag, or a `style` that makes it one).
    let backwards = if name == "bdo" {
        get("dir").map(|dir| dir.trim().eq_ignore_ascii_case("rtl"))
    } else {
        let block = || is_block(&name) || css::makes_block(&style);
        (!s.backwards.is_empty() && block()).then_some(false)
    };
    let opened = table || cell || fostered || reverses || container || item.is_some();
    let opened = opened || visibility.is_some() || font.is_some() || backwards.is_some();
    // Where containers are kept track of, every element is counted.
    let counted = s.order;
    if !(hides || details || summary || script || backdrop.is_some() || dim.is_some() || opened || counted) {
        return;
    }
    if !el.can_have_content() {
        // `<div hidden/>`: a browser ignores the slash and hides what follows,
        // up to an end tag this scan cannot see; everything after counts as hidden.
        if hides && !is_void(&name) {
            s.hidden += 1;
        }
        if visibility == Some(false) && !is_void(&name) {
            s.visibility.push(false);
        }
        if font == Some(false) && !is_void(&name) {
            s.fonts.push(false);
        }
        return;
    }
    s.hidden += usize::from(hides);
    let visibilities = s.visibility.len();
    s.visibility.extend(visibility);
    let fonts = s.fonts.len();
    s.fonts.extend(font);
    let backwards_open = s.backwards.len();
    s.backwards.extend(backwards);
    let depth = s.depth + 1;
    if counted {
        s.depth = depth;
    }
    // Where its own entry goes, if it is a container.
    let containers = s.containers.len();
    if container {
        let (text, found) = (s.reading.text.len(), s.reading.affiliate.len());
        s.containers.push(Container { depth, text, found, ..Container::default() });
    }
    let backdrops = s.backdrops.len();
    s.backdrops.extend(backdrop);
    let dims = s.dims.len();
    s.dims.extend(dim);
    if table {
        let at = s.fostered.unwrap_or(s.reading.text.len());
        s.tables.push(Table { at, cells: 0 });
    }
    if cell && let Some(table) = s.tables.last_mut() {
        table.cells += 1;
    }
    let held = Rc::new(std::cell::Cell::new(usize::from(hides)));
    if hides && name == "p" {
        s.paragraph = Some(Rc::clone(&held));
    }
    if visibility.is_some() && name == "p" {
        s.paragraph_visibility = Some(visibilities);
    }
    if container && name == "p" {
        s.paragraph_container = Some(containers);
    }
    if counted && name == "p" {
        s.paragraph_depth = Some(depth);
    }
    s.closed_details += usize::from(details);
    s.summaries += usize::from(summary);
    if script {
        s.script = Some(String::new());
    }
    drop(s);
    let state = Rc::clone(state);
    let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
        let mut s = state.borrow_mut();
        s.hidden -= held.replace(0);
        s.visibility.truncate(visibilities);
        s.fonts.truncate(fonts);
        s.backwards.truncate(backwards_open);
        // Elements inside that never got an end tag end with it.
        if counted {
            s.depth = depth - 1;
        }
        // Unless a block ended it already (an open `<p>`).
        if container && s.containers.len() == containers + 1 {
            s.close_container();
        }
        if s.paragraph_container == Some(containers) {
            s.paragraph_container = None;
        }
        if s.paragraph_depth == Some(depth) {
            s.paragraph_depth = None;
        }
        if let Some(item) = item {
            s.move_item(item);
        }
        s.backdrops.truncate(backdrops);
        s.dims.truncate(dims);
        if table {
            s.tables.pop();
        }
        if cell && let Some(table) = s.tables.last_mut() {
            table.cells = table.cells.saturating_sub(1);
        }
        if fostered {
            s.fostered = None;
        }
        if reverses {
            s.reversed = None;
        }
        if s.paragraph.as_ref().is_some_and(|p| Rc::ptr_eq(p, &held)) {
            s.paragraph = None;
        }
        if s.paragraph_visibility == Some(visibilities) {
            s.paragraph_visibility = None;
        }
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
    html: &str,
    attribute: &lol_html::html_content::Attribute<'_>,
) -> Vec<(String, bool)> {
    let attribute_name = crate::html::attribute_name(attribute, html);
    let followed = match (name, &*attribute_name) {
        ("a" | "area", "href") | (_, "xlink:href") | ("form", "action") | ("button" | "input", "formaction") => true,
        ("iframe" | "frame" | "embed", "src") | ("object", "data") => true,
        ("script" | "img", "src") => false,
        ("meta", "content")
            if crate::html::attribute(el, html, "http-equiv")
                .is_some_and(|h| h.value().trim().eq_ignore_ascii_case("refresh")) =>
        {
            return refresh_url(&attribute.value()).map(|url| vec![(url, true)]).unwrap_or_default();
        }
        // Code run on a click, data a script reads, and the page an iframe shows (`srcdoc`).
        (_, named)
            if named.starts_with("on") || named.starts_with("data-") || (name, named) == ("iframe", "srcdoc") =>
        {
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

/// An open `<table>`: the visible text before it, and how many of its cells
/// are open.
#[derive(Debug, Clone, Copy)]
struct Table {
    at: usize,
    cells: usize,
}

/// The parts of a table, which stay in it, and what browsers leave in place there.
fn is_table_part(name: &str) -> bool {
    matches!(
        name,
        "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "colgroup"
            | "col"
            | "script"
            | "style"
            | "template"
            | "form"
            | "input"
    )
}

/// The `id` and `action` of each `<form>` of `html`.
fn form_actions(html: &str) -> Vec<(String, String)> {
    crate::html::positions_ignoring_case(html, "<form")
        .filter_map(|start| {
            let tag = &html[start..css::tag_end(html, start)];
            let id = css::attribute(tag, "id")?;
            let action = css::attribute(tag, "action")?;
            Some((crate::html::decode_entities(id).trim().to_owned(), action.to_owned()))
        })
        .collect()
}

/// Whether element `name` is a block (as browsers show it by default).
fn is_block(name: &str) -> bool {
    closes_paragraph(name) || matches!(name, "li" | "dd" | "dt" | "tr" | "td" | "th" | "caption")
}

/// Whether a start tag `name` closes an open `<p>`, as browsers parse HTML.
fn closes_paragraph(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "xmp"
    )
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
pub(super) fn hider(name: &str, el: &Element<'_, '_>, html: &str, style: &[(String, String)]) -> Option<Hider> {
    let has = |name: &str| crate::html::attribute(el, html, name).is_some();
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
    } else if name == "dialog" && !has("open") {
        Some(Hider::ClosedDialog)
    } else if has("hidden") {
        Some(Hider::Hidden)
    } else if has("popover") {
        Some(Hider::Popover)
    } else if crate::html::attribute(el, html, "aria-hidden")
        .is_some_and(|v| v.value().trim().eq_ignore_ascii_case("true"))
    {
        Some(Hider::AriaHidden)
    } else if css::hides(style.iter().cloned()) {
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
