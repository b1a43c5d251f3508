//! What CSS hides from a reader. [`hides`] reads the declarations of one
//! rule or one `style` attribute; [`Hiding`] finds the rules of a site's own
//! stylesheets that hide what they select, read with a real CSS parser
//! (cssparser, the one browsers' Servo and lol_html use), with the
//! stylesheets they `@import` and the rules nested in rules (CSS nesting).
//! Rules inside `@media` count unless they are for print only. A selector
//! the streaming scan cannot match exactly is widened to one it can
//! (`:root .x` reads as `.x`, `h1 + .x` as `.x`, `:is(a, b)` as `a` and
//! `b`); one that needs the reader's action (`:hover`) is left out.
//!
//! Hidden means out of sight or too faint or small to read, the tricks that
//! hide text from people while leaving it in the page: `display: none`,
//! `visibility: hidden`, `content-visibility: hidden`; text under 8 px
//! (`font-size`, the size in `font`, `zoom`) or scaled below a fifth;
//! opacity (also `filter: opacity()`) or a text colour's alpha under a fifth
//! (not for text painted with `background-clip: text`); a blur of 3 px or
//! more; a text colour hardly distinguishable from the background the same
//! rule gives (contrast under 1.5:1); a clip, `clip-path` or mask that
//! leaves nothing readable; a box under 8 px high or wide that clips what
//! overflows it; text written backwards; and text moved out of the page on
//! a phone and a laptop alike (500 px or a whole viewport, by `text-indent`,
//! negative margins, a positioned box's offsets, a translation) or turned
//! edge-on (`rotateX(90deg)`). Lengths are worked out as a browser would
//! (`calc()`, `min()`, `max()`, `clamp()`, viewport units), and `var()` with
//! the custom properties given to the whole page; a rule's animations count
//! where they leave the element ([`super::animations`]).
//!
//! What hides only with the elements around it is left to the scan
//! ([`Looks`]): text coloured like the nearest background behind it,
//! opacity and scale that multiply down nested elements, and
//! `visibility: visible` inside an element `visibility` hides.

use std::rc::Rc;

pub(super) use super::animations::Keyframes;
use super::animations::{self, Frames};
use cssparser::{
    AtRuleParser, CowRcStr, DeclarationParser, ParseError, Parser, ParserInput, ParserState, QualifiedRuleParser,
    RuleBodyItemParser, RuleBodyParser, StyleSheetParser,
};

/// A stylesheet the site publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stylesheet {
    /// Its output path (`style.css`).
    pub path: String,
    /// Where a creator finds it, for messages: `static/extra.css`, or
    /// `the aisle theme's style.css`.
    pub source: String,
    /// Its text.
    pub text: String,
}

/// The hiding rules of each stylesheet a site publishes, and what it says
/// about how text looks ([`Looks`]), by output path, parsed for the scan.
#[derive(Default)]
pub struct Hiding {
    by_path: std::collections::HashMap<String, Sheet>,
    /// The site's host (lower-case), whose absolute URLs lead to its own stylesheets.
    host: Option<String>,
}

/// One stylesheet's hiding rules, and the stylesheets it imports.
struct Sheet {
    selectors: Vec<lol_html::Selector>,
    /// For each selector, the index of its rule in `rules`.
    rule_of: Vec<usize>,
    rules: Vec<Rule>,
    /// What it says about colours, opacity, scale and order, parsed for the scan ([`Scan`]).
    looks: Looks,
    /// Where a creator finds the stylesheet ([`Stylesheet::source`]).
    source: String,
    /// `@import` URLs for screens, as written.
    imports: Vec<String>,
}

/// What a stylesheet says about how text looks, beyond hiding it, parsed
/// for the scan: the rules that colour text with no background (their
/// selectors, each with its rule's index in `ink_rules`), the selectors of
/// those that give a background, the page's background, the rules that
/// fade or shrink what they select without hiding it alone (nested, they
/// may: `opacity: .4` inside `opacity: .4`), those that show a flex
/// container's items in reverse, those that show again what `visibility`
/// hides around it, flex and grid containers and the items they show in
/// another order, and the `@keyframes`.
#[derive(Default)]
pub struct Looks {
    inks: Vec<(lol_html::Selector, usize)>,
    ink_rules: Vec<Ink>,
    backdrops: Vec<(lol_html::Selector, Option<svgtypes::Color>)>,
    backgrounds: Vec<Background>,
    dims: Vec<(lol_html::Selector, Dim)>,
    reversers: Vec<lol_html::Selector>,
    revealers: Vec<(lol_html::Selector, bool)>,
    resizers: Vec<lol_html::Selector>,
    orderers: Vec<(lol_html::Selector, i32)>,
    containers: Vec<lol_html::Selector>,
    /// Its `@keyframes`, for the animations `style` attributes give.
    keyframes: Keyframes,
    /// Its rules that give animations, for a page's own `@keyframes`.
    animated: Vec<Animated>,
}

/// A rule that gives an animation and hides nothing by itself: a page's
/// own `@keyframes` (in a `<style>`) may make it hide.
#[derive(Debug, Clone)]
pub struct Animated {
    selectors: String,
    declarations: Vec<(String, String)>,
    /// Where it begins in its stylesheet: line and column.
    at: (u32, u32),
}

/// How much an element fades and shrinks what it holds: its opacity,
/// scale and relative font size, which multiply down nested elements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dim {
    /// From 0 to 1.
    pub opacity: f64,
    /// The smaller of its horizontal and vertical scales (`zoom` too).
    pub scale: f64,
    /// Its text's size against the text around it (`font-size: 60%` or
    /// `.6em`); sizes of their own (`px`, `rem`) are not followed.
    pub font: f64,
}

impl Dim {
    /// Nothing faded or shrunk.
    pub const NONE: Dim = Dim { opacity: 1.0, scale: 1.0, font: 1.0 };

    /// This inside `outer`.
    pub fn within(self, outer: Dim) -> Dim {
        Dim { opacity: self.opacity * outer.opacity, scale: self.scale * outer.scale, font: self.font * outer.font }
    }

    /// Whether text so faded or shrunk cannot be read.
    pub fn hides(self) -> bool {
        self.opacity < FAINTEST || self.scale < FAINTEST || self.font * DEFAULT_FONT_PX < SMALLEST_PX
    }

    /// What `declarations` fade or shrink, if anything.
    pub fn of(declarations: &[(String, String)]) -> Option<Dim> {
        let mut dim = Dim::NONE;
        for (property, value) in declarations {
            match property.as_str() {
                "opacity" => dim.opacity *= fraction(value).unwrap_or(1.0).clamp(0.0, 1.0),
                "filter" => {
                    for (_, args) in functions(value).filter(|(name, _)| name == "opacity") {
                        dim.opacity *= fraction(args).unwrap_or(1.0).clamp(0.0, 1.0);
                    }
                }
                "transform" => dim.scale *= transform_scale(value),
                "scale" => {
                    let scales: Vec<f64> = arguments(value).iter().take(2).filter_map(|s| fraction(s)).collect();
                    dim.scale *= scales.iter().map(|s| s.abs()).fold(1.0, f64::min);
                }
                "zoom" => dim.scale *= fraction(value).filter(|z| *z > 0.0).unwrap_or(1.0).min(1.0),
                "font-size" => dim.font = font_factor(value).unwrap_or(1.0).clamp(0.0, 1.0),
                _ => {}
            }
        }
        (dim.opacity < 1.0 || dim.scale < 1.0 || dim.font < 1.0).then_some(dim)
    }
}

impl Looks {
    /// `other` after these.
    fn append(&mut self, other: Looks) {
        let base = self.ink_rules.len();
        self.inks.extend(other.inks.into_iter().map(|(selector, index)| (selector, base + index)));
        self.ink_rules.extend(other.ink_rules);
        self.backdrops.extend(other.backdrops);
        self.backgrounds.extend(other.backgrounds);
        self.dims.extend(other.dims);
        self.reversers.extend(other.reversers);
        self.revealers.extend(other.revealers);
        self.resizers.extend(other.resizers);
        self.orderers.extend(other.orderers);
        self.containers.extend(other.containers);
        self.keyframes.extend(other.keyframes);
        self.animated.extend(other.animated);
    }

    /// Whether it says nothing the scan uses.
    fn is_empty(&self) -> bool {
        self.inks.is_empty()
            && self.backdrops.is_empty()
            && self.backgrounds.is_empty()
            && self.dims.is_empty()
            && self.reversers.is_empty()
            && self.revealers.is_empty()
            && self.resizers.is_empty()
            && self.orderers.is_empty()
            && self.containers.is_empty()
            && self.keyframes.is_empty()
            && self.animated.is_empty()
    }

    fn of(read: &mut Read) -> Looks {
        let ink_rules = std::mem::take(&mut read.inks);
        // Only selectors matched as written: a widened one would colour more than its rule does.
        let inks = ink_rules
            .iter()
            .enumerate()
            .flat_map(|(index, ink)| exact_selectors(&ink.rule.selectors).map(move |selector| (selector, index)))
            .collect();
        // A background a `::before` or `::after` paints (an overlay) lies
        // behind its element's text too: of a colour not known, as it may
        // cover only part of it.
        let backdrops = std::mem::take(&mut read.backdrops)
            .iter()
            .flat_map(|(list, color)| {
                split_selector_list(list).into_iter().flat_map(move |selector| {
                    let element = [":before", ":after"].iter().find_map(|pseudo| {
                        let base = selector.strip_suffix(pseudo)?;
                        Some(base.strip_suffix(':').unwrap_or(base))
                    });
                    let color = if element.is_some() { None } else { *color };
                    matchable(element.unwrap_or(selector)).into_iter().map(move |s| (s, color))
                })
            })
            .filter_map(|(selector, color)| Some((selector.parse().ok()?, color)))
            .collect();
        let dims = std::mem::take(&mut read.dims)
            .iter()
            .flat_map(|(list, dim)| exact_selectors(list).map(move |selector| (selector, *dim)))
            .collect();
        let exact = |lists: Vec<String>| lists.iter().flat_map(|list| exact_selectors(list)).collect::<Vec<_>>();
        let reversers = exact(std::mem::take(&mut read.reversers));
        // Those that show matched as written, those that may take the
        // parent's visibility widened: each stands for less showing.
        let revealers = std::mem::take(&mut read.revealers)
            .iter()
            .flat_map(|(list, shows)| {
                let selectors: Vec<String> = if *shows {
                    split_selector_list(list).into_iter().filter(|s| is_exact(s)).map(str::to_owned).collect()
                } else {
                    split_selector_list(list).into_iter().flat_map(matchable).collect()
                };
                selectors.into_iter().filter_map(move |s| Some((s.parse().ok()?, *shows)))
            })
            .collect();
        let backgrounds = std::mem::take(&mut read.backgrounds);
        let containers = exact(std::mem::take(&mut read.containers));
        let resizers = exact(std::mem::take(&mut read.resizers));
        // Widened: an element that may be shown in another order is.
        let orderers = std::mem::take(&mut read.orderers)
            .iter()
            .flat_map(|(list, order)| {
                split_selector_list(list).into_iter().flat_map(matchable).map(move |s| (s, *order))
            })
            .filter_map(|(selector, order)| Some((selector.parse().ok()?, order)))
            .collect();
        let keyframes = std::mem::take(&mut read.keyframes);
        let animated = std::mem::take(&mut read.animated);
        Looks {
            inks,
            ink_rules,
            backdrops,
            backgrounds,
            dims,
            reversers,
            revealers,
            resizers,
            orderers,
            containers,
            keyframes,
            animated,
        }
    }
}

/// The selectors of `list` the scan matches as written, parsed: a widened
/// one would select more than its rule does.
fn exact_selectors(list: &str) -> impl Iterator<Item = lol_html::Selector> + '_ {
    split_selector_list(list)
        .into_iter()
        .filter(|selector| is_exact(selector))
        .filter_map(|selector| selector.parse().ok())
}

/// What the stylesheets a page uses tell the scan ([`Hiding::for_page`]).
#[derive(Default, Clone)]
pub struct Scan<'a> {
    /// The selectors of rules that hide what they select.
    pub hiding: Vec<&'a lol_html::Selector>,
    /// The selectors of rules that hide what they select with `visibility`
    /// alone: an element inside may show itself again.
    pub invisible: Vec<&'a lol_html::Selector>,
    /// The selectors of rules that hide what they select with a font size
    /// too small to read alone (`font-size: 0`, the gap fix for inline
    /// blocks): an element inside may give itself a readable size again.
    pub shrinking: Vec<&'a lol_html::Selector>,
    /// The selectors of rules that give a readable font size of their own
    /// (`14px`, `1rem`), not one against the parent's.
    pub resizers: Vec<&'a lol_html::Selector>,
    /// The selectors of rules that colour text with no background, each
    /// with its colour.
    pub inks: Vec<(&'a lol_html::Selector, svgtypes::Color)>,
    /// The selectors of rules that give a background, each with its
    /// colour if known.
    pub backdrops: Vec<(&'a lol_html::Selector, Option<svgtypes::Color>)>,
    /// The page's background, as the rules for the whole page give it, in
    /// their order.
    pub backgrounds: Vec<Background>,
    /// The selectors of rules that fade or shrink what they select.
    pub dims: Vec<(&'a lol_html::Selector, Dim)>,
    /// The selectors of rules that show a flex container's items in reverse.
    pub reversers: Vec<&'a lol_html::Selector>,
    /// The selectors of rules that show what they select with
    /// `visibility: visible` inside an element `visibility` hides (`true`),
    /// or may take that element's (`inherit`, `unset`: `false`).
    pub revealers: Vec<(&'a lol_html::Selector, bool)>,
    /// The selectors of rules that show a flex or grid item in another
    /// order (`order: -1`), widened, each with the order.
    pub orderers: Vec<(&'a lol_html::Selector, i32)>,
    /// The selectors of rules that make flex or grid containers.
    pub containers: Vec<&'a lol_html::Selector>,
    /// The `@keyframes` of the stylesheets, in the cascade's order.
    pub(super) keyframes: Vec<&'a Keyframes>,
    /// The rules that give animations and hide nothing by themselves.
    pub animated: Vec<&'a Animated>,
}

impl<'a> Scan<'a> {
    /// Only rules that hide.
    pub fn hiding(hiding: Vec<&'a lol_html::Selector>) -> Self {
        Scan { hiding, ..Scan::default() }
    }

    /// `selector`, of `rule`, hides what it selects.
    fn hide(&mut self, selector: &'a lol_html::Selector, rule: &Rule) {
        match rule.property.as_deref() {
            Some("visibility") => self.invisible.push(selector),
            Some("font-size" | "font") => self.shrinking.push(selector),
            _ => self.hiding.push(selector),
        }
    }

    fn add(&mut self, looks: &'a Looks) {
        self.inks.extend(looks.inks.iter().map(|(selector, index)| (selector, looks.ink_rules[*index].color)));
        self.backdrops.extend(looks.backdrops.iter().map(|(selector, color)| (selector, *color)));
        self.backgrounds.extend(&looks.backgrounds);
        self.dims.extend(looks.dims.iter().map(|(selector, dim)| (selector, *dim)));
        self.reversers.extend(&looks.reversers);
        self.revealers.extend(looks.revealers.iter().map(|(selector, shows)| (selector, *shows)));
        self.resizers.extend(&looks.resizers);
        self.orderers.extend(looks.orderers.iter().map(|(selector, order)| (selector, *order)));
        self.containers.extend(&looks.containers);
        if !looks.keyframes.is_empty() {
            self.keyframes.push(&looks.keyframes);
        }
        self.animated.extend(&looks.animated);
    }
}

/// The rules of CSS a page carries itself ([`page_css`]), parsed for the scan.
#[derive(Default)]
pub struct OwnRules {
    /// The selectors of its rules that hide what they select, each with its rule.
    pub hiding: Vec<(lol_html::Selector, Rule)>,
    /// What it says about how text looks.
    pub looks: Looks,
}

impl OwnRules {
    /// The rules of the CSS `html` carries.
    pub fn of(html: &str) -> OwnRules {
        let mut own = OwnRules::default();
        for css in page_css(html) {
            let mut rules = rules_of(&css);
            let found = &rules.read.found;
            own.hiding.extend(parsed(found).into_iter().map(|(selector, rule)| (selector, found[rule].clone())));
            own.looks.append(Looks::of(&mut rules.read));
        }
        own
    }

    /// The rules of the page's stylesheets that `animated` holds, read with
    /// the page's own `@keyframes` (`<style>@keyframes gone { to { opacity:
    /// 0 } }</style>` for a stylesheet's `animation: gone 1s forwards`):
    /// those that hide then hide on this page.
    pub fn animate(&mut self, animated: &[&Animated]) {
        if self.looks.keyframes.is_empty() {
            return;
        }
        for rule in animated {
            let Some(settled) = animations::settle(&rule.declarations, &[&self.looks.keyframes]) else { continue };
            let declarations: Vec<(String, String)> = settled.iter().map(|(d, _)| d.clone()).collect();
            if !hides(declarations.iter().cloned()) {
                continue;
            }
            let written = settled.iter().filter_map(|(_, written)| written.clone()).collect::<Vec<_>>().join("; ");
            let hiding = Rule {
                selectors: rule.selectors.clone(),
                declarations: written,
                line: rule.at.0,
                column: rule.at.1,
                widths: Widths::ALL,
                property: None,
            };
            let selectors = split_selector_list(&rule.selectors).into_iter().flat_map(matchable);
            let parsed: Vec<lol_html::Selector> = selectors.filter_map(|s| s.parse().ok()).collect();
            self.hiding.extend(parsed.into_iter().map(|selector| (selector, hiding.clone())));
        }
    }

    /// Whether the page carries no rule that matters to the scan.
    pub fn is_empty(&self) -> bool {
        self.hiding.is_empty() && self.looks.is_empty()
    }

    /// The page's own rules added to what its stylesheets say.
    pub fn scan<'a>(&'a self, site: &Scan<'a>) -> Scan<'a> {
        let mut scan = site.clone();
        for (selector, rule) in &self.hiding {
            scan.hide(selector, rule);
        }
        scan.add(&self.looks);
        scan
    }
}

/// A rule that hides what it selects, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its selector list (with CSS nesting, each nested selector inside its parents').
    pub selectors: String,
    /// The declarations that hide: the one that hides alone, or all of them.
    pub declarations: String,
    /// The line where it begins in its stylesheet, from 1.
    pub line: u32,
    /// The column where it begins, from 1.
    pub column: u32,
    /// The viewport widths it applies at ([`Widths`]): all, unless an
    /// `@media` width condition narrows them, or a later rule of the same
    /// selector shows what it hides at some widths.
    pub widths: Widths,
    /// The property of the declaration that hides alone, if one does.
    property: Option<String>,
}

/// A declaration that does not hide, of a property that can: a later rule
/// with it shows, at its widths, what an earlier rule of the same selector
/// hid (`.x { display: none } @media (…) { .x { display: block } }`).
#[derive(Debug, Clone)]
struct Shown {
    selectors: Vec<String>,
    property: String,
    widths: Widths,
    /// Where its rule begins: line and column.
    at: (u32, u32),
}

/// A range of viewport widths, in hundredths of a CSS pixel, both ends
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Widths {
    /// The narrowest.
    pub from: u32,
    /// The widest.
    pub to: u32,
}

impl Widths {
    /// Every width.
    pub const ALL: Widths = Widths { from: 0, to: u32::MAX };

    fn within(self, other: Widths) -> Widths {
        Widths { from: self.from.max(other.from), to: self.to.min(other.to) }
    }

    fn hull(self, other: Widths) -> Widths {
        Widths { from: self.from.min(other.from), to: self.to.max(other.to) }
    }

    fn contains(self, width: u32) -> bool {
        (self.from..=self.to).contains(&width)
    }

    /// These widths but `other`'s: none, one or two ranges.
    fn without(self, other: Widths) -> Vec<Widths> {
        let mut left = Vec::new();
        if other.from > self.from {
            left.push(Widths { from: self.from, to: self.to.min(other.from - 1) });
        }
        if other.to < self.to {
            left.push(Widths { from: self.from.max(other.to + 1), to: self.to });
        }
        left.retain(|w| w.from <= w.to);
        left
    }
}

impl Default for Widths {
    fn default() -> Self {
        Widths::ALL
    }
}

/// Where the rules of a block apply on screens: the widths where they may
/// (read generously: what a hiding rule needs), and those where they surely
/// do, if known (read strictly: what a rule that shows again needs; not
/// known under `@supports`, `@layer`, `@container`, or a media query with
/// more than widths in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Applies {
    may: Widths,
    surely: Option<Widths>,
}

impl Applies {
    const ALWAYS: Applies = Applies { may: Widths::ALL, surely: Some(Widths::ALL) };

    fn within(self, other: Applies) -> Applies {
        let surely = self.surely.zip(other.surely).map(|(a, b)| a.within(b));
        Applies { may: self.may.within(other.may), surely }
    }
}

impl Default for Applies {
    fn default() -> Self {
        Applies::ALWAYS
    }
}

impl Rule {
    /// The rule in words, for a message: `` the rule `.x { display: none }` in
    /// static/extra.css (line 3, column 5) ``.
    pub fn describe(&self, source: &str) -> String {
        let short = |text: &str| crate::site::truncate_words(text, 80);
        format!(
            "the rule `{} {{ {} }}` in {source} (line {}, column {})",
            short(&self.selectors),
            short(&self.declarations),
            self.line,
            self.column
        )
    }
}

impl Hiding {
    /// From the site's stylesheets.
    pub fn from_stylesheets(sheets: &[Stylesheet]) -> Self {
        // A custom property one stylesheet gives the whole page, another may use.
        // So may a `@keyframes` rule (see [`animations`]).
        let mut vars = Vars::default();
        for sheet in sheets.iter().filter(|_| sheets.iter().any(|sheet| Vars::may_be_in(&sheet.text))) {
            vars.add(parse(&sheet.text, &Rc::default()).read);
        }
        let vars = Rc::new(vars);
        let by_path = sheets
            .iter()
            .map(|sheet| {
                let mut rules = rules_with_vars(&sheet.text, &vars);
                // A `data:` stylesheet it imports is part of it.
                let held: Vec<String> = rules.imports.iter().filter_map(|href| data_stylesheet(href)).collect();
                for css in held {
                    rules.read.extend(rules_with_vars(&css, &vars).read);
                }
                let (selectors, rule_of) = parsed(&rules.read.found).into_iter().unzip();
                let parsed = Sheet {
                    selectors,
                    rule_of,
                    looks: Looks::of(&mut rules.read),
                    rules: rules.read.found,
                    source: sheet.source.clone(),
                    imports: rules.imports,
                };
                (sheet.path.clone(), parsed)
            })
            .collect();
        Self { by_path, host: None }
    }

    /// Reads `https://host/…` and `//host/…` as the site's own files when
    /// `host` is the site's `base_url`'s.
    pub fn on_site(mut self, base_url: &str) -> Self {
        self.host = url::Url::parse(base_url).ok().and_then(|url| url.host_str().map(str::to_ascii_lowercase));
        self
    }

    /// What the stylesheets a page uses tell the scan: those it links
    /// (`<link rel="stylesheet" href>`), those its `<style>` blocks import
    /// and those they import in turn, found from the page at `page_path`,
    /// or from the site's root under `base_path`, in the cascade's order.
    pub fn for_page(&self, html: &str, page_path: &str, base_path: &str) -> Scan<'_> {
        let mut scan = Scan::default();
        for sheet in self.sheets_for_page(html, page_path, base_path) {
            for (selector, &rule) in sheet.selectors.iter().zip(&sheet.rule_of) {
                scan.hide(selector, &sheet.rules[rule]);
            }
            scan.add(&sheet.looks);
        }
        scan
    }

    /// The viewport widths at which the hiding rules of the stylesheets a
    /// page uses change, one in each range where they stay the same; empty
    /// when every rule applies at every width.
    pub fn widths_for_page(&self, html: &str, page_path: &str, base_path: &str) -> Vec<u32> {
        let mut widths: Vec<u32> = self
            .sheets_for_page(html, page_path, base_path)
            .into_iter()
            .flat_map(|sheet| &sheet.rules)
            .filter(|rule| rule.widths != Widths::ALL)
            .flat_map(|rule| [Some(rule.widths.from), rule.widths.to.checked_add(1)])
            .flatten()
            .collect();
        if widths.is_empty() {
            return widths;
        }
        widths.push(0);
        widths.sort_unstable();
        widths.dedup();
        widths
    }

    /// [`Self::for_page`], with only the hiding rules that apply at viewport `width`.
    pub fn for_page_at(&self, html: &str, page_path: &str, base_path: &str, width: u32) -> Scan<'_> {
        let mut scan = Scan::default();
        for sheet in self.sheets_for_page(html, page_path, base_path) {
            for (selector, &rule) in sheet.selectors.iter().zip(&sheet.rule_of) {
                if sheet.rules[rule].widths.contains(width) {
                    scan.hide(selector, &sheet.rules[rule]);
                }
            }
            scan.add(&sheet.looks);
        }
        scan
    }

    /// [`Self::for_page`]'s selectors, each with its rule in words
    /// ([`Rule::describe`]): for messages, not for the scan.
    pub fn described_for_page(
        &self,
        html: &str,
        page_path: &str,
        base_path: &str,
    ) -> Vec<(&lol_html::Selector, String)> {
        let mut described = Vec::new();
        for sheet in self.sheets_for_page(html, page_path, base_path) {
            for (selector, &rule) in sheet.selectors.iter().zip(&sheet.rule_of) {
                described.push((selector, sheet.rules[rule].describe(&sheet.source)));
            }
            // Text coloured like the page's background, for the message of a page that failed.
            for (selector, ink) in &sheet.looks.inks {
                described.push((selector, sheet.looks.ink_rules[*ink].rule.describe(&sheet.source)));
            }
        }
        described
    }

    /// The stylesheets a page uses (see [`Self::for_page`]).
    fn sheets_for_page(&self, html: &str, page_path: &str, base_path: &str) -> Vec<&Sheet> {
        let mut sheets = Vec::new();
        if self.by_path.is_empty() {
            return sheets;
        }
        let mut wanted: Vec<String> =
            linked_stylesheets(html).iter().map(|href| self.output_path(href, page_path, base_path)).collect();
        if crate::html::positions_ignoring_case(html, "@import").next().is_some() {
            for block in style_blocks(html) {
                wanted.extend(rules_of(block).imports.iter().map(|href| self.output_path(href, page_path, base_path)));
            }
        }
        // In the cascade's order: as the page links them, each after the sheets it imports.
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<(String, bool)> = wanted.into_iter().rev().map(|path| (path, false)).collect();
        while let Some((path, imports_read)) = stack.pop() {
            let Some(sheet) = self.by_path.get(&path) else { continue };
            if imports_read {
                sheets.push(sheet);
            } else if seen.insert(path.clone()) {
                let imports = sheet.imports.iter().rev().map(|href| (self.output_path(href, &path, base_path), false));
                stack.push((path.clone(), true));
                stack.extend(imports);
            }
        }
        sheets
    }

    /// The output path a stylesheet's `href` or `@import` URL leads to from
    /// the file at output path `from`, on a site under `base_path`; empty
    /// for another site's.
    fn output_path(&self, href: &str, from: &str, base_path: &str) -> String {
        let href = href.trim();
        let scheme = href.get(..8).unwrap_or(href).to_ascii_lowercase();
        let after = if scheme.starts_with("https://") {
            &href[8..]
        } else if scheme.starts_with("http://") {
            &href[7..]
        } else if let Some(after) = href.strip_prefix("//") {
            after
        } else {
            // Relative, or root-relative; another scheme (`data:`) is no file of the site.
            let has_scheme = href.find(':').is_some_and(|colon| !href[..colon].contains(['/', '?', '#']));
            return if has_scheme { String::new() } else { output_path(href, from, base_path) };
        };
        let (authority, path) = after.split_at(after.find(['/', '?', '#']).unwrap_or(after.len()));
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        match &self.host {
            Some(own) if *own == host && path.starts_with('/') => output_path(path, from, base_path),
            _ => String::new(),
        }
    }
}

/// The output path a stylesheet's `href` or `@import` URL leads to from
/// the file at output path `from`, on a site under `base_path`.
fn output_path(href: &str, from: &str, base_path: &str) -> String {
    let href = href.trim().split(['?', '#']).next().unwrap_or_default();
    let path = match href.strip_prefix('/') {
        Some(absolute) => {
            let base = base_path.trim_matches('/');
            match absolute.strip_prefix(base) {
                Some(rest) if !base.is_empty() && rest.starts_with('/') => rest.to_owned(),
                _ => absolute.to_owned(),
            }
        }
        None => format!("{}/{href}", from.rsplit_once('/').map_or("", |(dir, _)| dir)),
    };
    crate::fs::normalise_path(&path)
}

/// The parsed hiding selectors of one stylesheet.
#[cfg(test)]
pub fn selectors_of(css: &str) -> Vec<lol_html::Selector> {
    parsed(&rules_of(css).read.found).into_iter().map(|(selector, _)| selector).collect()
}

/// The parsed hiding selectors of one stylesheet, each with its rule.
pub fn rules_with_selectors(css: &str) -> Vec<(lol_html::Selector, Rule)> {
    let rules = rules_of(css).read.found;
    parsed(&rules).into_iter().map(|(selector, rule)| (selector, rules[rule].clone())).collect()
}

/// The rules' selector lists parsed, each selector with the index of its
/// rule; what the scan cannot match left out.
fn parsed(rules: &[Rule]) -> Vec<(lol_html::Selector, usize)> {
    let mut selectors = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        for selector in split_selector_list(&rule.selectors) {
            let each = matchable(selector).into_iter().filter_map(|s| s.parse().ok());
            selectors.extend(each.map(|selector| (selector, index)));
        }
    }
    selectors
}

/// Whether the scan matches `selector` as written, not widened: `.a>.b`
/// and `.a > .b` alike.
fn is_exact(selector: &str) -> bool {
    let canonical = |s: &str| {
        s.split_whitespace().collect::<Vec<_>>().join(" ").replace(" > ", ">").replace("> ", ">").replace(" >", ">")
    };
    matches!(&matchable(selector)[..], [only] if canonical(only) == canonical(selector))
}

/// Selectors the streaming scan can match that select at least what
/// `selector` selects on a page as it first shows: `:root` is `html`;
/// `:is()` and `:where()` are spelt out; what only the rest of the page
/// can tell (`:last-child`, `:has()`, a sibling before `+` or `~`) is left
/// out, so they select more. None for a selector that selects nothing
/// until the reader acts (`:hover`, `:focus`, `:target`…) or only a
/// pseudo-element (`::before`), whose hiding leaves the element's text.
fn matchable(selector: &str) -> Vec<String> {
    let mut input = ParserInput::new(selector);
    let mut parser = Parser::new(&mut input);
    let Some(compounds) = compounds(&mut parser) else { return Vec::new() };
    // Each alternative as its compounds, each with the combinator before it.
    let mut found: Vec<Vec<(Option<char>, String)>> = vec![Vec::new()];
    for (combinator, parts) in compounds {
        let spelt = spelt_out(&parts, 0);
        let mut next = Vec::new();
        for written in &found {
            for compound in &spelt {
                if next.len() >= MAX_SELECTORS {
                    break;
                }
                let mut path = written.clone();
                match combinator {
                    // A sibling shares its parent: it stands in the sibling's place.
                    Some('+' | '~') => {
                        let before = path.pop().and_then(|(combinator, _)| combinator);
                        path.push((before, compound.clone()));
                    }
                    _ => path.push((combinator, compound.clone())),
                }
                next.push(path);
            }
        }
        found = next;
    }
    let joined = |path: &[(Option<char>, String)]| {
        let mut text = String::new();
        for (i, (combinator, compound)) in path.iter().enumerate() {
            if i > 0 {
                text.push_str(if *combinator == Some('>') { " > " } else { " " });
            }
            text.push_str(compound);
        }
        text
    };
    found
        .iter()
        .filter(|path| !path.is_empty())
        .filter_map(|path| {
            // What lol_html cannot read as widened, it may as the element alone.
            let whole = joined(path);
            if whole.parse::<lol_html::Selector>().is_ok() {
                return Some(whole);
            }
            let last = path.last().map(|(_, compound)| compound.clone())?;
            last.parse::<lol_html::Selector>().is_ok().then_some(last)
        })
        .collect()
}

/// One simple selector of a compound: as written, or a pseudo-class with
/// its name (lower-case) and, for `:is()` and the like, its argument.
enum Simple {
    Written(String),
    Pseudo(String, Option<String>),
}

/// A complex selector's compounds, each with the combinator before it
/// (`None` for a descendant, and for the first); None for a selector with
/// a pseudo-element or one the scan reads as never matching at first.
fn compounds(input: &mut Parser<'_, '_>) -> Option<Vec<(Option<char>, Vec<Simple>)>> {
    use cssparser::{ToCss, Token};
    let mut compounds: Vec<(Option<char>, Vec<Simple>)> = vec![(None, Vec::new())];
    let mut combinator = None;
    loop {
        let Ok(token) = input.next_including_whitespace() else { break };
        let token = token.clone();
        match token {
            Token::WhiteSpace(_) => {
                if !compounds.last()?.1.is_empty() && combinator.is_none() {
                    combinator = Some(' ');
                }
                continue;
            }
            Token::Delim(c @ ('>' | '+' | '~')) => {
                combinator = Some(c);
                continue;
            }
            _ => {}
        }
        if let Some(c) = combinator.take() {
            compounds.push((Some(c).filter(|&c| c != ' '), Vec::new()));
        }
        let simple = match token {
            Token::Colon => match input.next_including_whitespace().ok()?.clone() {
                Token::Colon => return None,
                Token::Ident(name) => {
                    let name = name.to_ascii_lowercase();
                    if matches!(name.as_str(), "before" | "after" | "first-line" | "first-letter") {
                        return None;
                    }
                    Simple::Pseudo(name, None)
                }
                Token::Function(name) => Simple::Pseudo(name.to_ascii_lowercase(), Some(block_text(input)?)),
                _ => return None,
            },
            Token::SquareBracketBlock => Simple::Written(format!("[{}]", block_text(input)?)),
            Token::Delim('.') => match input.next_including_whitespace().ok()?.clone() {
                Token::Ident(name) => Simple::Written(format!(".{}", Token::Ident(name).to_css_string())),
                _ => return None,
            },
            other => Simple::Written(other.to_css_string()),
        };
        compounds.last_mut()?.1.push(simple);
    }
    Some(compounds)
}

/// The text of the block a token just opened (`[…]`, `(…)`), as written.
fn block_text(input: &mut Parser<'_, '_>) -> Option<String> {
    input
        .parse_nested_block(|nested| {
            let start = nested.position();
            while nested.next_including_whitespace().is_ok() {}
            Ok::<_, ParseError<'_, ()>>(nested.slice_from(start).to_owned())
        })
        .ok()
}

/// Pseudo-classes that match nothing until the reader acts on the page.
/// Those that may match as it loads (`:checked`, `:open`, `:focus` by
/// `autofocus`, `:paused`) are not among them: they are left out of a
/// selector, which widens it.
fn needs_a_reader(name: &str) -> bool {
    matches!(
        name,
        "hover"
            | "active"
            | "focus-visible"
            | "target"
            | "target-within"
            | "visited"
            | "user-invalid"
            | "user-valid"
            | "popover-open"
            | "modal"
            | "fullscreen"
            | "picture-in-picture"
            | "playing"
            | "autofill"
    )
}

/// A compound's simple selectors as the scan can match them: `:is()` and
/// `:where()` spelt out into one compound per argument (when each is a
/// compound), pseudo-classes the scan cannot match left out, and none when
/// the compound needs a reader's action.
fn spelt_out(parts: &[Simple], depth: usize) -> Vec<String> {
    let mut alternatives = vec![(String::new(), String::new())];
    for part in parts {
        match part {
            Simple::Written(text) => {
                let is_type = text.starts_with(|c: char| c.is_alphabetic() || c == '\\' || c == '-');
                for (tag, rest) in &mut alternatives {
                    if is_type {
                        *tag = text.clone();
                    } else if text != "*" {
                        rest.push_str(text);
                    }
                }
            }
            Simple::Pseudo(name, None) if needs_a_reader(name) => return Vec::new(),
            Simple::Pseudo(name, None) => {
                if matches!(name.as_str(), "first-child" | "first-of-type") {
                    for (_, rest) in &mut alternatives {
                        rest.push(':');
                        rest.push_str(name);
                    }
                }
                // `:root` is `html`, which every element is in anyway; the
                // rest (`:last-child`, `:empty`, `:link`…) are left out.
            }
            Simple::Pseudo(name, Some(argument)) => match name.as_str() {
                "is" | "where" | "matches" | "-webkit-any" | "-moz-any" if depth < MAX_NESTED_IS => {
                    let each: Vec<Vec<Simple>> = split_selector_list(argument)
                        .into_iter()
                        .filter_map(|one| {
                            let mut input = ParserInput::new(one);
                            let compounds = compounds(&mut Parser::new(&mut input))?;
                            // A complex argument only narrows down: left out.
                            Some(if compounds.len() == 1 { compounds.into_iter().next()?.1 } else { Vec::new() })
                        })
                        .collect();
                    if each.is_empty() {
                        return Vec::new();
                    }
                    let mut next = Vec::new();
                    for (tag, rest) in &alternatives {
                        for inner in &each {
                            for spelt in spelt_out(inner, depth + 1) {
                                if next.len() >= MAX_SELECTORS {
                                    break;
                                }
                                // The argument's own type selector, if any, leads.
                                let (inner_tag, inner_rest) = split_type(&spelt);
                                let inner_tag = if inner_tag == "*" { "" } else { inner_tag };
                                if !tag.is_empty() && !inner_tag.is_empty() && !inner_tag.eq_ignore_ascii_case(tag) {
                                    continue;
                                }
                                let tag = if inner_tag.is_empty() { tag.clone() } else { inner_tag.to_owned() };
                                next.push((tag, format!("{rest}{inner_rest}")));
                            }
                        }
                    }
                    next.truncate(MAX_SELECTORS);
                    alternatives = next;
                }
                "not" if simple_compounds(argument) => {
                    for (_, rest) in &mut alternatives {
                        rest.push_str(&format!(":not({argument})"));
                    }
                }
                "nth-child" | "nth-of-type" if !argument.contains(" of ") => {
                    for (_, rest) in &mut alternatives {
                        rest.push_str(&format!(":{name}({argument})"));
                    }
                }
                // `:has()`, `:nth-last-child()`, `:lang()`, a `:not()` of
                // pseudo-classes…: left out.
                _ => {}
            },
        }
    }
    alternatives
        .into_iter()
        .map(|(tag, rest)| if tag.is_empty() && rest.is_empty() { "*".to_owned() } else { tag + &rest })
        .collect()
}

/// `:is()` inside `:is()` deeper than this is left out (widened).
const MAX_NESTED_IS: usize = 8;

/// Whether each selector of a list is one compound without pseudo-classes:
/// what lol_html reads inside `:not()`.
fn simple_compounds(list: &str) -> bool {
    split_selector_list(list).into_iter().all(|one| {
        let mut input = ParserInput::new(one);
        compounds(&mut Parser::new(&mut input)).is_some_and(|compounds| {
            compounds.len() == 1 && compounds[0].1.iter().all(|simple| matches!(simple, Simple::Written(_)))
        })
    })
}

/// A compound's type selector (or `*`) and the rest.
fn split_type(compound: &str) -> (&str, &str) {
    let end = compound.find(['.', '#', '[', ':']).unwrap_or(compound.len());
    compound.split_at(end)
}

/// The text of each `<style>` element of a page.
pub(crate) fn style_blocks(html: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut from = 0;
    for start in crate::html::positions_ignoring_case(html, "<style") {
        if start < from {
            continue;
        }
        let open_end = html[start..].find('>').map_or(html.len(), |e| start + e + 1);
        let close = crate::html::positions_ignoring_case(&html[open_end..], "</style")
            .next()
            .map_or(html.len(), |e| open_end + e);
        blocks.push(&html[open_end..close]);
        from = close;
    }
    blocks
}

/// The `href` of every `<link rel="stylesheet">` in a page.
/// The CSS a page carries itself: its `<style>` blocks, and the `data:`
/// stylesheets it links or they import (a `data:` URL holds the stylesheet).
pub(crate) fn page_css(html: &str) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut found: Vec<Cow<'_, str>> = if crate::html::positions_ignoring_case(html, "<style").next().is_some() {
        style_blocks(html).into_iter().map(Cow::Borrowed).collect()
    } else {
        Vec::new()
    };
    // A browser applies a stylesheet only of type `text/css`.
    if crate::html::positions_ignoring_case(html, "text/css").next().is_none() {
        return found;
    }
    let mut wanted: Vec<String> = linked_stylesheets(html);
    wanted.extend(found.iter().flat_map(|css| rules_of(css).imports));
    // Each `data:` stylesheet may import more: a few levels, as a browser would.
    for _ in 0..4 {
        let sheets: Vec<String> = wanted.iter().filter_map(|href| data_stylesheet(href)).collect();
        wanted = sheets.iter().flat_map(|css| rules_of(css).imports).collect();
        found.extend(sheets.into_iter().map(Cow::Owned));
    }
    found
}

/// The stylesheet a `data:` URL holds.
fn data_stylesheet(href: &str) -> Option<String> {
    let url = data_url::DataUrl::process(href.trim()).ok()?;
    let (body, _) = url.decode_to_vec().ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

fn linked_stylesheets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in crate::html::positions_ignoring_case(html, "<link") {
        let tag = &html[start..tag_end(html, start)];
        if crate::html::positions_ignoring_case(tag, "stylesheet").next().is_some()
            && let Some(href) = attribute(tag, "href")
        {
            found.push(crate::html::decode_entities(href));
        }
    }
    found
}

/// Where the start tag that begins at `start` ends (its `>`, or the end
/// of `html`): a `>` inside a quoted attribute value does not end it.
pub(super) fn tag_end(html: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, byte) in html.bytes().enumerate().skip(start) {
        match (quote, byte) {
            (None, b'>') => return i,
            (None, b'"' | b'\'')
                if html.as_bytes()[..i].last().is_some_and(|&b| b == b'=' || b.is_ascii_whitespace()) =>
            {
                quote = Some(byte);
            }
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    html.len()
}

/// The value of `name` (lower-case) in a start tag's text.
pub(super) fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    for start in crate::html::positions_ignoring_case(tag, name) {
        let before_ok = start > 0 && tag.as_bytes()[start - 1].is_ascii_whitespace();
        let after = tag[start + name.len()..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
        });
    }
    None
}

/// The selector lists (as written) of the rules in `css` that hide what they select.
pub fn hiding_selectors(css: &str) -> Vec<String> {
    rules_of(css).read.found.into_iter().map(|rule| rule.selectors).collect()
}

fn rules_of(css: &str) -> Rules {
    let mut vars = Vars::default();
    if Vars::may_be_in(css) {
        vars.add(parse(css, &Rc::default()).read);
    }
    rules_with_vars(css, &Rc::new(vars))
}

/// [`rules_of`] with the custom properties `vars` (`--x`) the whole page has.
fn rules_with_vars(css: &str, vars: &Rc<Vars>) -> Rules {
    let mut rules = parse(css, vars);
    if !rules.read.shown.is_empty() {
        rules.read.found = overridden(std::mem::take(&mut rules.read.found), &rules.read.shown);
    }
    rules
}

fn parse(css: &str, vars: &Rc<Vars>) -> Rules {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut rules = Rules { vars: Rc::clone(vars), ..Rules::default() };
    for _ in StyleSheetParser::new(&mut parser, &mut rules) {}
    rules
}

/// What the page's stylesheets give every rule: custom properties (`--x`)
/// the whole page has, those given to `:root`, `html`, `body` or `*`, each
/// with every value it is given (under any `@media`); and `@keyframes`.
#[derive(Default)]
struct Vars {
    /// Every value of each.
    any: std::collections::BTreeMap<String, Vec<String>>,
    /// The last value each is given at every width, outside `@media`
    /// (`@supports`, `@layer`…): a light scheme's colour, not a dark one's.
    everywhere: std::collections::BTreeMap<String, String>,
    /// The keyframes of the animations, by name.
    keyframes: Keyframes,
}

impl Vars {
    /// Whether `css` may give other rules anything: stylesheets without
    /// are read once, not twice.
    fn may_be_in(css: &str) -> bool {
        css.contains("var(") || animations::may_animate(css)
    }

    /// What `read` (a whole stylesheet's) gives every rule.
    fn add(&mut self, read: Read) {
        self.keyframes.extend(read.keyframes);
        for Custom { name, value, everywhere } in read.custom {
            if everywhere {
                self.everywhere.insert(name.clone(), value.clone());
            }
            self.any.entry(name).or_default().push(value);
        }
    }
}

/// A custom property a rule gives the whole page.
struct Custom {
    name: String,
    value: String,
    /// Whether it is given at every width, outside `@media`.
    everywhere: bool,
}

/// No custom properties.
static NO_VARS: Vars = Vars {
    any: std::collections::BTreeMap::new(),
    everywhere: std::collections::BTreeMap::new(),
    keyframes: std::collections::BTreeMap::new(),
};

/// `value` with its `var()`s replaced by the values given at every width
/// (or their fallback); `None` when one has no such value.
fn settled(value: &str, vars: &Vars) -> Option<String> {
    let mut value = value.to_owned();
    for _ in 0..8 {
        let Some(at) = value.find("var(") else {
            return Some(value);
        };
        let (name, fallback, end) = var_at(&value, at)?;
        let given = vars.everywhere.get(name.trim()).map(String::as_str);
        let choice = given.or((!fallback.is_empty()).then_some(fallback))?.to_owned();
        value = format!("{}{choice}{}", &value[..at], &value[end..]);
    }
    None
}

/// The `var(name, fallback)` at byte `at` of `value`: its name, its
/// fallback (empty if none) and where it ends.
fn var_at(value: &str, at: usize) -> Option<(&str, &str, usize)> {
    let inside = &value[at + 4..];
    let mut depth = 1usize;
    let close = inside.char_indices().find_map(|(i, c)| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(i)
    })?;
    let (name, fallback) = inside[..close].split_once(',').unwrap_or((&inside[..close], ""));
    Some((name, fallback.trim(), at + 4 + close + 1))
}

/// Whether a selector gives what it declares to the whole page.
fn is_global(selector: &str) -> bool {
    matches!(selector.trim(), ":root" | "html" | "body" | "*" | ":host" | "html:root")
}

/// The properties whose `var()` is worked out: those that hide alone.
/// Colours are not: a dark scheme's background and a light scheme's text
/// would meet only here.
fn resolves_vars(property: &str) -> bool {
    !property.starts_with("--") && !property.contains("color") && !property.starts_with("background")
}

/// Each value `value` may have with its `var()`s replaced by the values
/// `vars` give them (or their fallback): at most a few, none when a `var()`
/// has no value at all.
fn substituted(value: &str, vars: &Vars) -> Vec<String> {
    const MOST: usize = 8;
    let mut done = Vec::new();
    let mut todo = vec![value.to_owned()];
    // Values that use other custom properties are worked out a few levels deep.
    for _ in 0..4 {
        let mut next = Vec::new();
        for value in todo {
            let Some(at) = value.find("var(") else {
                done.push(value);
                continue;
            };
            let Some((name, fallback, end)) = var_at(&value, at) else {
                continue;
            };
            let given = vars.any.get(name.trim()).map(Vec::as_slice).unwrap_or_default();
            let choices: Vec<&str> = if given.is_empty() {
                if fallback.is_empty() { Vec::new() } else { vec![fallback] }
            } else {
                given.iter().map(String::as_str).collect()
            };
            for choice in choices {
                next.push(format!("{}{choice}{}", &value[..at], &value[end..]));
            }
            next.truncate(MOST);
        }
        todo = next;
        if todo.is_empty() {
            break;
        }
    }
    done.truncate(MOST);
    done
}

/// `found` with each rule's widths narrowed by the later rules of the same
/// selector that show what it hides (by the same property) at some widths:
/// a selector of a rule such a rule touches becomes a rule of its own for
/// each range of widths left, and one left no width is dropped.
fn overridden(found: Vec<Rule>, shown: &[Shown]) -> Vec<Rule> {
    let mut rules = Vec::with_capacity(found.len());
    for rule in found {
        // `!important` wins over a later rule's plain declaration.
        let Some(property) = rule.property.clone().filter(|_| !rule.declarations.contains("!important")) else {
            rules.push(rule);
            continue;
        };
        let later = |selector: &str| {
            shown
                .iter()
                .filter(|s| s.property == property && s.at > (rule.line, rule.column))
                .filter(|s| s.selectors.iter().any(|s| s == selector))
                .map(|s| s.widths)
                .collect::<Vec<Widths>>()
        };
        let selectors: Vec<String> = split_selector_list(&rule.selectors).into_iter().map(str::to_owned).collect();
        if selectors.iter().all(|selector| later(selector).is_empty()) {
            rules.push(rule);
            continue;
        }
        for selector in selectors {
            let mut left = vec![rule.widths];
            for shown in later(&selector) {
                left = left.into_iter().flat_map(|widths| widths.without(shown)).collect();
            }
            rules.extend(left.into_iter().map(|widths| Rule { selectors: selector.clone(), widths, ..rule.clone() }));
        }
    }
    rules
}

/// `a, b:is(c, d)` split at its top-level commas.
fn split_selector_list(list: &str) -> Vec<&str> {
    split_outside_brackets(list, &[','])
}

/// Everything left in `input`, as written.
fn rest<'i>(input: &mut Parser<'i, '_>) -> &'i str {
    let start = input.position();
    while input.next().is_ok() {}
    input.slice_from(start)
}

/// What a stylesheet holds for the scan.
#[derive(Default)]
struct Rules {
    /// What its rules hold.
    read: Read,
    /// The URLs of the stylesheets it imports for screens, as written.
    imports: Vec<String>,
    /// Whether a rule came yet: browsers ignore an `@import` after one.
    past_imports: bool,
    /// How many blocks this one is inside.
    depth: usize,
    /// Where the enclosing `@media` blocks apply.
    applies: Applies,
    /// The custom properties of the page, for `var()`.
    vars: Rc<Vars>,
}

/// Blocks nested deeper than this are not read: far beyond what a real
/// stylesheet nests, and a stylesheet of nothing but `{` cannot exhaust the
/// stack.
const MAX_NESTING: usize = 32;
/// A nested rule, or a selector widened for the scan, stands for at most
/// this many selectors (each of its selectors inside each of its parent's,
/// or each argument of an `:is()`, multiplies them).
const MAX_SELECTORS: usize = 256;

/// An at-rule's prelude, as far as the scan cares.
enum AtRule {
    /// A block of rules (`@media`, `@supports`…): where its rules apply on
    /// screens, if they do.
    Block(Option<Applies>),
    /// `@import`: the URL, if for screens.
    Import(Option<String>),
    /// `@keyframes`: its name.
    Keyframes(String),
}

/// Whether a media query list (lower-case) may apply on screens: one of
/// its queries is not for print or speech only (`not print` is for screens).
fn for_screens(media: &str) -> bool {
    if media.trim().is_empty() {
        return true;
    }
    split_selector_list(media).into_iter().any(|query| {
        let words: Vec<&str> = query.split_whitespace().collect();
        let (negated, words) = match words.split_first() {
            Some((&"not", rest)) => (true, rest),
            Some((&"only", rest)) => (false, rest),
            _ => (false, words.as_slice()),
        };
        let other_media = matches!(words.first(), Some(&("print" | "speech" | "aural" | "braille" | "embossed")));
        // `not print and (…)` may match a screen; so may any query that
        // is not for another medium alone.
        other_media == negated || (negated && words.len() > 1)
    })
}

/// Where the rules in the block of at-rule `name` (lower-case) apply on
/// screens, its condition read from `input`; None when they never do.
fn block_for_screens(name: &str, input: &mut Parser<'_, '_>) -> Option<Applies> {
    let condition = rest(input).to_ascii_lowercase();
    match name {
        "media" => for_screens(&condition).then(|| media_applies(&condition)),
        "supports" | "layer" | "container" | "scope" => Some(Applies { may: Widths::ALL, surely: None }),
        _ => None,
    }
}

/// Where a media query list (lower-case, for screens) applies. It may
/// apply at the widths of each query's `min-width`, `max-width` and
/// `width` comparisons, the queries together; a query this cannot read
/// (`not`, `or`, units other than `px`, `em` and `rem`) may match at any
/// width. It surely applies only when it is a single query of nothing but
/// width conditions read here.
fn media_applies(media: &str) -> Applies {
    let queries = split_selector_list(media);
    let mut may: Option<Widths> = None;
    for query in &queries {
        let widths = query_widths(query).map_or(Widths::ALL, |(widths, _)| widths);
        may = Some(may.map_or(widths, |all| all.hull(widths)));
    }
    let surely = match queries.as_slice() {
        [] => Some(Widths::ALL),
        [query] => query_widths(query).and_then(|(widths, exact)| exact.then_some(widths)),
        _ => None,
    };
    Applies { may: may.unwrap_or(Widths::ALL), surely }
}

/// A media query's widths, and whether they are all it asks (its medium
/// screens or all, and every feature a width condition read here).
fn query_widths(query: &str) -> Option<(Widths, bool)> {
    if query.starts_with("not") || query.contains(" or ") || query.contains("not ") {
        return None;
    }
    let medium = query.split('(').next().unwrap_or_default().replace("only", "").replace("and", "");
    let mut exact = matches!(medium.trim(), "" | "screen" | "all");
    let mut widths = Widths::ALL;
    let length = |value: &str| -> Option<u32> {
        let value = value.trim();
        let (number, factor) = if let Some(n) = value.strip_suffix("px") {
            (n, 1.0)
        } else if let Some(n) = value.strip_suffix("rem").or_else(|| value.strip_suffix("em")) {
            (n, 16.0)
        } else {
            return None;
        };
        let px: f64 = number.trim().parse().ok()?;
        (px >= 0.0).then(|| (px * factor * 100.0).round().min(f64::from(u32::MAX - 1)) as u32)
    };
    for feature in query.split('(').skip(1) {
        let feature = feature.split(')').next().unwrap_or_default().trim();
        if let Some((name, value)) = feature.split_once(':') {
            let value = length(value);
            match name.trim() {
                "min-width" => widths = widths.within(Widths { from: value?, to: u32::MAX }),
                "max-width" => widths = widths.within(Widths { from: 0, to: value? }),
                "width" => widths = widths.within(Widths { from: value?, to: value? }),
                _ => exact = false,
            }
        } else if let Some((left, right)) = feature.split_once("width") {
            // Range syntax: `width >= 600px`, `400px < width <= 800px`.
            // `width < v` and `v > width` are at most v; the others at least.
            let bound = |operator: &str, value: &str, value_first: bool| -> Option<Widths> {
                let value = length(value)?;
                let operator = operator.trim();
                if operator == "=" {
                    return Some(Widths { from: value, to: value });
                }
                let (less, equal) = (operator.starts_with('<'), operator.ends_with('='));
                Some(match (less != value_first, equal) {
                    (true, true) => Widths { from: 0, to: value },
                    (true, false) => Widths { from: 0, to: value.saturating_sub(1) },
                    (false, true) => Widths { from: value, to: u32::MAX },
                    (false, false) => Widths { from: value.saturating_add(1), to: u32::MAX },
                })
            };
            let operators = ['<', '>', '='];
            let (left, right) = (left.trim(), right.trim());
            if !left.is_empty() {
                let value = left.trim_end_matches(operators);
                widths = widths.within(bound(&left[value.len()..], value, true)?);
            }
            if !right.is_empty() {
                let value = right.trim_start_matches(operators);
                widths = widths.within(bound(&right[..right.len() - value.len()], value, false)?);
            }
        } else {
            exact = false;
        }
    }
    Some((widths, exact))
}

impl<'i> QualifiedRuleParser<'i> for Rules {
    type Prelude = String;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude<'t>(&mut self, input: &mut Parser<'i, 't>) -> Result<String, ParseError<'i, ()>> {
        Ok(rest(input).trim().to_owned())
    }

    fn parse_block<'t>(
        &mut self,
        prelude: String,
        start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<(), ParseError<'i, ()>> {
        self.past_imports = true;
        let selectors: Vec<String> = split_selector_list(&prelude).into_iter().map(str::to_owned).collect();
        let read = Body::read(input, &selectors, self.depth + 1, self.applies, &self.vars, start);
        self.read.extend(read);
        Ok(())
    }
}

impl<'i> AtRuleParser<'i> for Rules {
    type Prelude = AtRule;
    type AtRule = ();
    type Error = ();

    fn parse_prelude<'t>(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i, 't>,
    ) -> Result<AtRule, ParseError<'i, ()>> {
        let name = name.to_ascii_lowercase();
        if name == "import" {
            let url = input.expect_url_or_string().map(|url| url.as_ref().to_owned()).ok();
            let screens = for_screens(&rest(input).to_ascii_lowercase());
            return Ok(AtRule::Import(url.filter(|_| screens)));
        }
        if animations::is_keyframes_rule(&name) {
            let name = match input.next() {
                Ok(cssparser::Token::Ident(name) | cssparser::Token::QuotedString(name)) => name.to_ascii_lowercase(),
                _ => String::new(),
            };
            rest(input);
            return Ok(AtRule::Keyframes(name));
        }
        Ok(AtRule::Block(block_for_screens(&name, input)))
    }

    fn rule_without_block(&mut self, prelude: AtRule, _start: &ParserState) -> Result<(), ()> {
        if let AtRule::Import(Some(url)) = prelude
            && !self.past_imports
        {
            self.imports.push(url);
        }
        Ok(())
    }

    fn parse_block<'t>(
        &mut self,
        prelude: AtRule,
        _start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<(), ParseError<'i, ()>> {
        self.past_imports = true;
        if let AtRule::Block(Some(applies)) = prelude
            && self.depth < MAX_NESTING
        {
            let mut nested = Rules {
                depth: self.depth + 1,
                applies: self.applies.within(applies),
                vars: Rc::clone(&self.vars),
                ..Rules::default()
            };
            for _ in StyleSheetParser::new(input, &mut nested) {}
            self.read.extend(nested.read);
        } else if let AtRule::Keyframes(name) = prelude {
            let mut frames = Frames::default();
            for (selectors, declarations) in StyleSheetParser::new(input, &mut KeyframeBlocks).flatten() {
                frames.add(&selectors, &declarations);
            }
            self.read.keyframes.insert(name, frames);
        } else {
            rest(input);
        }
        Ok(())
    }
}

/// Reads the blocks of a `@keyframes` rule: each keyframe's selectors
/// (`from`, `50%, to`) as written and its declarations.
struct KeyframeBlocks;

impl<'i> QualifiedRuleParser<'i> for KeyframeBlocks {
    type Prelude = String;
    type QualifiedRule = (String, Vec<(String, String)>);
    type Error = ();

    fn parse_prelude<'t>(&mut self, input: &mut Parser<'i, 't>) -> Result<String, ParseError<'i, ()>> {
        Ok(rest(input).to_owned())
    }

    fn parse_block<'t>(
        &mut self,
        prelude: String,
        _start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<Self::QualifiedRule, ParseError<'i, ()>> {
        Ok((prelude, declarations_only(input)))
    }
}

impl<'i> AtRuleParser<'i> for KeyframeBlocks {
    type Prelude = ();
    type AtRule = (String, Vec<(String, String)>);
    type Error = ();
}

/// Reads a rule's body: its declarations, and the rules nested in it
/// (CSS nesting: `main { .note { display: none } }`, `&.x`, `@media` inside).
struct Body<'a> {
    /// The selectors of the rule the body belongs to, one each.
    selectors: &'a [String],
    /// What its nested rules hold.
    read: Read,
    /// How many blocks the body is inside, itself included.
    depth: usize,
    /// Where the enclosing `@media` blocks apply.
    applies: Applies,
    /// The custom properties of the page, for `var()`.
    vars: &'a Vars,
}

/// What rules hold for the scan.
#[derive(Default)]
struct Read {
    /// The rules that hide.
    found: Vec<Rule>,
    /// Declarations that show what an earlier rule may hide.
    shown: Vec<Shown>,
    /// Custom properties given to the whole page.
    custom: Vec<Custom>,
    /// Rules that colour text and give it no background.
    inks: Vec<Ink>,
    /// The selector lists of rules that give a background, each with its
    /// colour if known.
    backdrops: Vec<(String, Option<svgtypes::Color>)>,
    /// The page's background, from rules for the whole page.
    backgrounds: Vec<Background>,
    /// The selector lists of rules that fade or shrink what they select.
    dims: Vec<(String, Dim)>,
    /// The selector lists of rules that show a flex container's items in reverse.
    reversers: Vec<String>,
    /// The selector lists of rules that show what `visibility` hides
    /// around it, wherever they apply.
    revealers: Vec<(String, bool)>,
    /// The selector lists of rules that give a readable font size of their
    /// own, wherever they apply.
    resizers: Vec<String>,
    /// The selector lists of rules that show a flex or grid item in
    /// another order, and of rules that make flex or grid containers.
    orderers: Vec<(String, i32)>,
    containers: Vec<String>,
    /// The `@keyframes` rules, by name (a later one of a name wins).
    keyframes: Keyframes,
    /// The rules that give animations and hide nothing by themselves.
    animated: Vec<Animated>,
}

impl Read {
    fn extend(&mut self, other: Read) {
        self.keyframes.extend(other.keyframes);
        self.animated.extend(other.animated);
        self.found.extend(other.found);
        self.shown.extend(other.shown);
        self.custom.extend(other.custom);
        self.inks.extend(other.inks);
        self.backdrops.extend(other.backdrops);
        self.backgrounds.extend(other.backgrounds);
        self.dims.extend(other.dims);
        self.reversers.extend(other.reversers);
        self.revealers.extend(other.revealers);
        self.resizers.extend(other.resizers);
        self.orderers.extend(other.orderers);
        self.containers.extend(other.containers);
    }
}

/// A rule that colours text and gives it no background of its own: the
/// text is hidden on a page of (nearly) that background, unless an element
/// around it has a background of its own.
#[derive(Debug, Clone)]
pub struct Ink {
    rule: Rule,
    color: svgtypes::Color,
}

/// A page's background, as the rules for the whole page give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Background {
    /// One plain colour.
    Plain(svgtypes::Color),
    /// An image, a gradient, a dark colour scheme or a value this cannot read.
    Unknown,
}

impl Background {
    /// A browser's own: white, unless the page asks for a dark scheme only.
    const CANVAS: Background = Background::Plain(svgtypes::Color { red: 255, green: 255, blue: 255, alpha: 255 });

    /// The page's background given by `found` (in the order of the rules),
    /// or [`Self::CANVAS`].
    pub fn of(found: &[Background]) -> Background {
        found.last().copied().unwrap_or(Background::CANVAS)
    }
}

impl<'a> Body<'a> {
    /// The selector lists that hide what they select: the rule's own
    /// (`selectors`) if its declarations do, and its nested rules'. The
    /// rule (or `@media` block) begins at `start`.
    fn read<'i>(
        input: &mut Parser<'i, '_>,
        selectors: &'a [String],
        depth: usize,
        applies: Applies,
        vars: &'a Vars,
        start: &ParserState,
    ) -> Read {
        let mut body = Body { selectors, read: Read::default(), depth, applies, vars };
        let mut declarations: Vec<(String, String)> =
            RuleBodyParser::new(input, &mut body).filter_map(Result::ok).flatten().collect();
        let mut read = body.read;
        let global = !selectors.is_empty() && selectors.iter().all(|selector| is_global(selector));
        if global {
            let everywhere = applies.surely == Some(Widths::ALL);
            let custom = declarations.iter().filter(|(property, _)| property.starts_with("--"));
            read.custom.extend(custom.map(|(name, value)| Custom {
                name: name.clone(),
                value: value.clone(),
                everywhere,
            }));
        }
        // `var()` worked out: the value that hides, if one of its values
        // does. Messages show both: `display: var(--d) /* none */`.
        let mut as_written: Vec<Option<String>> = vec![None; declarations.len()];
        for ((property, value), written) in declarations.iter_mut().zip(&mut as_written) {
            if value.contains("var(") && resolves_vars(property) {
                let values = substituted(value, vars);
                let hiding = values.iter().find(|v| hides([(property.clone(), (*v).clone())]));
                if let Some(resolved) = hiding.or(values.first()) {
                    *written = Some(format!("{property}: {value} /* {resolved} */"));
                    *value = resolved.clone();
                }
            }
        }
        // Where its animations leave the element: `opacity: 0` faded in
        // with `animation: in 1s forwards` is shown.
        if let Some(settled) = animations::settle(&declarations, &[&vars.keyframes]) {
            let as_before =
                |d: &(String, String)| declarations.iter().position(|x| x == d).and_then(|at| as_written[at].clone());
            let settled: Vec<_> = settled.into_iter().map(|(d, frame)| (frame.or_else(|| as_before(&d)), d)).collect();
            (as_written, declarations) = settled.into_iter().unzip();
        }
        let write = |declaration: &(String, String)| {
            let at = declarations.iter().position(|d| d == declaration);
            at.and_then(|at| as_written[at].clone()).unwrap_or_else(|| format!("{}: {}", declaration.0, declaration.1))
        };
        let location = start.source_location();
        let at = (location.line + 1, location.column);
        // Only where the rule surely applies, and with a value that surely shows.
        if let Some(widths) = applies.surely {
            for (property, value) in &declarations {
                let unsure = ["inherit", "revert", "revert-layer", "unset"].iter().any(|v| value.starts_with(v));
                if SHOWING.contains(&property.as_str()) && !unsure && !hides([(property.clone(), value.clone())]) {
                    read.shown.push(Shown { selectors: selectors.to_vec(), property: property.clone(), widths, at });
                }
            }
        }
        if hides(declarations.iter().cloned()) {
            // The declaration that hides alone, or all that hide together.
            let alone = declarations.iter().find(|declaration| hides([(*declaration).clone()]));
            let written: Vec<String> =
                alone.map_or(declarations.as_slice(), std::slice::from_ref).iter().map(write).collect();
            // A later rule may undo the hiding only when it comes from one
            // declaration alone: the others then hide nothing, alone or together.
            let property = alone
                .filter(|alone| !hides(declarations.iter().filter(|d| d != alone).cloned()))
                .map(|(property, _)| property.clone());
            read.found.push(Rule {
                selectors: selectors.join(", "),
                declarations: written.join("; "),
                line: at.0,
                column: at.1,
                widths: applies.may,
                property,
            });
        } else {
            read.colours(&declarations, selectors, global, applies, vars, at);
            if let Some(dim) = Dim::of(&declarations) {
                read.dims.push((selectors.join(", "), dim));
            }
            if reverses(&declarations) {
                read.reversers.push(selectors.join(", "));
            }
            match value_of(&declarations, &["visibility"]).map(without_important) {
                Some("visible") if applies.surely == Some(Widths::ALL) => {
                    read.revealers.push((selectors.join(", "), true));
                }
                Some("inherit" | "unset" | "revert" | "revert-layer") => {
                    read.revealers.push((selectors.join(", "), false));
                }
                _ => {}
            }
            if let Some(order) = order(&declarations) {
                read.orderers.push((selectors.join(", "), order));
            }
            if resizes(&declarations) && applies.surely == Some(Widths::ALL) {
                read.resizers.push(selectors.join(", "));
            }
            if animations::animates(&declarations) {
                read.animated.push(Animated {
                    selectors: selectors.join(", "),
                    declarations: declarations.clone(),
                    at,
                });
            }
            if lays_out_items(&declarations) {
                read.containers.push(selectors.join(", "));
            }
        }
        read
    }
}

impl Read {
    /// What a rule that hides nothing by itself (its `declarations`, for
    /// `selectors`, at `at`) says about colours: text coloured with no
    /// background, a background of its own, the page's background.
    fn colours(
        &mut self,
        declarations: &[(String, String)],
        selectors: &[String],
        global: bool,
        applies: Applies,
        vars: &Vars,
        at: (u32, u32),
    ) {
        // Backgrounds given by custom properties: the value given to the
        // whole page at every width (not a dark scheme's), if there is one.
        // Not text colours: a theme's every `color: var(--ink)` would then be
        // matched on every page, for text a theme sets as its readers read it.
        let settled: Vec<(String, String)> = declarations
            .iter()
            .map(|(property, value)| {
                let background = property.starts_with("background");
                let settled = if background && value.contains("var(") { settled(value, vars) } else { None };
                (property.clone(), settled.unwrap_or_else(|| value.clone()))
            })
            .collect();
        let declarations = settled.as_slice();
        let paint = Paint::of(declarations);
        // Where the rule surely applies at every width, as a page's background must.
        let everywhere = applies.surely == Some(Widths::ALL);
        if global {
            // The text colour given to the whole page is its default, on its own background.
            if !everywhere {
                return;
            }
            let scheme = value_of(declarations, &["color-scheme"]);
            if let Some(backdrop) = paint.backdrop {
                self.backgrounds.push(backdrop.map_or(Background::Unknown, Background::Plain));
            } else if scheme.is_some_and(|v| v.contains("dark") && !v.contains("light")) {
                self.backgrounds.push(Background::Unknown);
            }
        } else if let Some(backdrop) = paint.backdrop {
            // A background for some screens or schemes only (a dark one's) is
            // one of a colour not known: text on it may be readable.
            self.backdrops.push((selectors.join(", "), backdrop.filter(|_| everywhere)));
        } else if everywhere && let Some(color) = paint.ink {
            let written = value_of(declarations, &["-webkit-text-fill-color", "color"]).unwrap_or_default();
            let rule = Rule {
                selectors: selectors.join(", "),
                declarations: format!("color: {written}"),
                line: at.0,
                column: at.1,
                widths: Widths::ALL,
                property: None,
            };
            self.inks.push(Ink { rule, color });
        }
    }
}

/// The properties whose hiding a later declaration of another value undoes.
const SHOWING: &[&str] = &["display", "visibility", "opacity", "content-visibility"];

/// A nested rule's selectors, each of `list` inside each of `parents`:
/// `&` stands for the parent, and a selector without one is a descendant.
fn nested(parents: &[String], list: &str) -> Vec<String> {
    let mut selectors = Vec::new();
    for child in split_selector_list(list) {
        for parent in parents.iter().take(MAX_SELECTORS - selectors.len()) {
            selectors.push(if child.contains('&') { child.replace('&', parent) } else { format!("{parent} {child}") });
        }
    }
    selectors
}

impl<'i> DeclarationParser<'i> for Body<'_> {
    type Declaration = Option<(String, String)>;
    type Error = ();

    fn parse_value<'t>(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i, 't>,
        _start: &ParserState,
    ) -> Result<Self::Declaration, ParseError<'i, ()>> {
        Ok(Some((name.to_ascii_lowercase(), value_text(input))))
    }
}

impl<'i> AtRuleParser<'i> for Body<'_> {
    /// Where the block applies on screens, if it does.
    type Prelude = Option<Applies>;
    type AtRule = Option<(String, String)>;
    type Error = ();

    fn parse_prelude<'t>(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i, 't>,
    ) -> Result<Option<Applies>, ParseError<'i, ()>> {
        Ok(block_for_screens(&name.to_ascii_lowercase(), input))
    }

    fn parse_block<'t>(
        &mut self,
        screens: Option<Applies>,
        start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<Self::AtRule, ParseError<'i, ()>> {
        // Its declarations are the enclosing rule's.
        if let Some(applies) = screens
            && self.depth < MAX_NESTING
        {
            let applies = self.applies.within(applies);
            let read = Body::read(input, self.selectors, self.depth + 1, applies, self.vars, start);
            self.read.extend(read);
        }
        Ok(None)
    }
}

impl<'i> QualifiedRuleParser<'i> for Body<'_> {
    type Prelude = String;
    type QualifiedRule = Option<(String, String)>;
    type Error = ();

    fn parse_prelude<'t>(&mut self, input: &mut Parser<'i, 't>) -> Result<String, ParseError<'i, ()>> {
        Ok(rest(input).trim().to_owned())
    }

    fn parse_block<'t>(
        &mut self,
        prelude: String,
        start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<Self::QualifiedRule, ParseError<'i, ()>> {
        if self.depth >= MAX_NESTING {
            return Ok(None);
        }
        let selectors = nested(self.selectors, &prelude);
        let read = Body::read(input, &selectors, self.depth + 1, self.applies, self.vars, start);
        self.read.extend(read);
        Ok(None)
    }
}

impl<'i> RuleBodyItemParser<'i, Option<(String, String)>, ()> for Body<'_> {
    fn parse_declarations(&self) -> bool {
        true
    }

    fn parse_qualified(&self) -> bool {
        true
    }
}

/// Text under this many CSS pixels cannot be read: its size, or the height
/// or width of a box that clips what overflows it.
const SMALLEST_PX: f64 = 8.0;
/// Opacity, a text colour's alpha or a scale under this leaves text
/// too faint or small to read.
const FAINTEST: f64 = 0.2;
/// Text moved this many CSS pixels or more is out of the page.
const FAR_PX: f64 = 500.0;
/// Text and background colours closer than this contrast ratio (WCAG's
/// measure, from 1 for the same colour to 21 for black on white) look alike.
const LEAST_CONTRAST: f64 = 1.5;

/// Whether the declarations of one rule or `style` attribute (`property`
/// and `value`, lower-case) hide what they apply to from a reader.
pub fn hides(declarations: impl IntoIterator<Item = (String, String)>) -> bool {
    let mut look = Look::default();
    declarations.into_iter().any(|(property, value)| look.read(&property, without_important(&value))) || look.hides()
}

/// The declarations of a `style` attribute as written in the page (its
/// character references not yet decoded), `property` and `value` read as
/// in a stylesheet ([`value_text`]).
pub fn inline(style: &str) -> impl Iterator<Item = (String, String)> {
    let plain = |style: &str| !style.contains(['&', '\\', '/', '"', '\'', '(', '{']);
    if plain(style) {
        // Nothing a tokenizer would read otherwise (`--r: 4.5`, `color: red`).
        let declarations: Vec<(String, String)> = style
            .split(';')
            .filter_map(|declaration| {
                let (property, value) = declaration.split_once(':')?;
                let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                Some((property.trim().to_ascii_lowercase(), value.to_ascii_lowercase()))
            })
            .collect();
        return declarations.into_iter();
    }
    let style = crate::html::decode_entities(style);
    let mut input = ParserInput::new(&style);
    declarations_only(&mut Parser::new(&mut input)).into_iter()
}

/// The declarations of a block that holds nothing else (a `style`
/// attribute, a keyframe), as [`Body`] reads them.
fn declarations_only(input: &mut Parser<'_, '_>) -> Vec<(String, String)> {
    let mut body =
        Body { selectors: &[], read: Read::default(), depth: MAX_NESTING, applies: Applies::ALWAYS, vars: &NO_VARS };
    RuleBodyParser::new(input, &mut body).filter_map(Result::ok).flatten().collect()
}

/// The `visibility` `declarations` give: `Some(false)` hidden,
/// `Some(true)` visible, `None` the parent's (`inherit`).
pub fn visibility(declarations: &[(String, String)]) -> Option<Option<bool>> {
    Some(match without_important(value_of(declarations, &["visibility"])?) {
        "hidden" | "collapse" => Some(false),
        "inherit" | "unset" | "revert" | "revert-layer" => None,
        _ => Some(true),
    })
}

/// Whether `declarations` show a flex container's items in reverse
/// (`flex-direction: column-reverse`): the last, a link perhaps, first.
pub fn reverses(declarations: &[(String, String)]) -> bool {
    value_of(declarations, &["flex-direction", "flex-flow"]).is_some_and(|v| v.contains("-reverse"))
}

/// Where `declarations` show a flex or grid item among the others, when
/// not where the page has it: `order: -1` first, `order: 9` last.
pub fn order(declarations: &[(String, String)]) -> Option<i32> {
    value_of(declarations, &["order"]).and_then(|v| without_important(v).parse::<i32>().ok()).filter(|o| *o != 0)
}

/// Whether `declarations` make a flex or grid container, whose items `order` moves.
pub fn lays_out_items(declarations: &[(String, String)]) -> bool {
    value_of(declarations, &["display"]).is_some_and(|v| v.contains("flex") || v.contains("grid"))
}

/// Whether `declarations` make their element a block or an inline block,
/// which starts a paragraph of its own inside `<bdo>`.
pub fn makes_block(declarations: &[(String, String)]) -> bool {
    let Some(display) = value_of(declarations, &["display"]).map(without_important) else { return false };
    let inline_box =
        ["inline-block", "inline-flex", "inline-grid", "inline-table"].iter().any(|b| display.starts_with(b));
    inline_box || !(display.starts_with("inline") || matches!(display, "contents" | "none" | "ruby"))
}

/// What a rule or a `style` attribute does with colours.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Paint {
    /// The text colour it gives (`-webkit-text-fill-color` paints over `color`).
    pub ink: Option<svgtypes::Color>,
    /// The background it gives: `Some(None)` when its colour is not known
    /// (an image, a gradient, a translucent colour) or it paints the text.
    pub backdrop: Option<Option<svgtypes::Color>>,
}

impl Paint {
    /// What `declarations` do with colours.
    pub fn of(declarations: &[(String, String)]) -> Paint {
        let background =
            value_of(declarations, &["background", "background-color", "background-image"]).filter(|v| !bare(v));
        let painted =
            value_of(declarations, &["background-clip", "-webkit-background-clip"]).is_some_and(|v| v.contains("text"));
        let backdrop = match background.map(color) {
            _ if painted => Some(None),
            Some(Some(c)) if c.alpha == 255 => Some(Some(c)),
            Some(Some(c)) if c.alpha == 0 => None,
            Some(_) => Some(None),
            None => None,
        };
        let ink = value_of(declarations, &["-webkit-text-fill-color"])
            .or_else(|| value_of(declarations, &["color"]))
            .and_then(color);
        Paint { ink, backdrop }
    }
}

/// Whether text of colour `text` is hard to tell from `behind`.
pub fn alike(text: svgtypes::Color, behind: svgtypes::Color) -> bool {
    contrast(text, behind) < LEAST_CONTRAST
}

/// The value of the last of `declarations` of one of `properties`.
fn value_of<'d>(declarations: &'d [(String, String)], properties: &[&str]) -> Option<&'d str> {
    declarations.iter().rev().find(|(p, _)| properties.contains(&p.as_str())).map(|(_, v)| v.as_str())
}

/// A value that gives nothing.
fn bare(value: &str) -> bool {
    matches!(value, "none" | "transparent" | "initial" | "unset" | "inherit" | "revert" | "revert-layer")
}

/// A declaration's value as a browser reads it, lower-case: comments
/// dropped, escapes resolved (`n\6f ne` is `none`), each run of white
/// space one space.
fn value_text(input: &mut Parser<'_, '_>) -> String {
    let mut text = String::new();
    write_value(input, &mut text);
    text.trim().to_ascii_lowercase()
}

fn write_value(input: &mut Parser<'_, '_>, text: &mut String) {
    use cssparser::{ToCss, Token};
    while let Ok(token) = input.next_including_whitespace() {
        let token = token.clone();
        let close = match token {
            Token::WhiteSpace(_) => {
                if !text.ends_with(' ') {
                    text.push(' ');
                }
                continue;
            }
            Token::Function(_) | Token::ParenthesisBlock => Some(')'),
            Token::SquareBracketBlock => Some(']'),
            Token::CurlyBracketBlock => Some('}'),
            _ => None,
        };
        let _ = token.to_css(text);
        if let Some(close) = close {
            let _ = input.parse_nested_block(|nested| {
                write_value(nested, text);
                Ok::<(), ParseError<'_, ()>>(())
            });
            text.push(close);
        }
    }
}

fn without_important(value: &str) -> &str {
    match value.rsplit_once('!') {
        Some((value, flag)) if flag.trim() == "important" => value.trim(),
        _ => value.trim(),
    }
}

/// What a rule declares that hides only together with something else.
#[derive(Default)]
struct Look {
    position: Option<String>,
    /// Offsets far enough to move text out of the page ([`far`]), by their
    /// direction: left, right, top, bottom.
    offsets: [Option<f64>; 4],
    clips_overflow: bool,
    /// A height or width under [`SMALLEST_PX`].
    small_box: bool,
    /// `font-size` in pixels, and `zoom`, which scales it.
    font: Option<f64>,
    zoom: Option<f64>,
    color: Option<svgtypes::Color>,
    /// `-webkit-text-fill-color`, which paints text instead of `color`.
    fill: Option<svgtypes::Color>,
    background: Option<svgtypes::Color>,
    /// `background-clip: text`: the background paints the text.
    text_painted_by_background: bool,
    /// `unicode-bidi: bidi-override` and `direction: rtl`: together they
    /// write left-to-right text backwards.
    bidi_override: bool,
    right_to_left: bool,
}

impl Look {
    /// Takes one declaration in; `true` when it hides by itself.
    fn read(&mut self, property: &str, value: &str) -> bool {
        let offset = |side: usize, look: &mut Self| {
            look.offsets[side] = far(value, side >= 2);
            false
        };
        match property {
            "display" => value == "none",
            "visibility" => matches!(value, "hidden" | "collapse"),
            "content-visibility" => value == "hidden",
            "font-size" => {
                self.font = font_px(value);
                self.font.is_some_and(|size| size < SMALLEST_PX)
            }
            "font" => font_shorthand_px(value).is_some_and(|size| size < SMALLEST_PX),
            "zoom" => {
                self.zoom = fraction(value).filter(|zoom| *zoom > 0.0 || value.trim() == "0");
                self.zoom.is_some_and(|zoom| zoom < FAINTEST)
            }
            "opacity" => fraction(value).is_some_and(|opacity| opacity < FAINTEST),
            "filter" => functions(value).any(|(name, args)| match name.as_str() {
                "opacity" => fraction(args).is_some_and(|o| o < FAINTEST),
                "blur" => px(args).is_some_and(|radius| radius >= BLURRIEST_PX),
                _ => false,
            }),
            "clip" => functions(value).any(|(name, args)| name == "rect" && rect_is_empty(args)),
            "clip-path" => functions(value).any(|(name, args)| clip_path_is_empty(&name, args)),
            "mask" | "mask-image" | "-webkit-mask" | "-webkit-mask-image" => masks_all(value),
            "transform" => transform_hides(value),
            "scale" => {
                let scales: Vec<f64> = arguments(value).iter().take(2).filter_map(|s| fraction(s)).collect();
                scales.iter().any(|s| s.abs() < FAINTEST)
            }
            "translate" => arguments(value).iter().take(2).enumerate().any(|(i, d)| moves_far(d, i == 1)),
            "text-indent" => far(value, false).is_some_and(|sign| sign < 0.0),
            "margin-left" | "margin-inline-start" => far(value, false).is_some_and(|sign| sign < 0.0),
            "margin-top" | "margin-block-start" => far(value, true).is_some_and(|sign| sign < 0.0),
            "margin" => {
                let [top, _, _, left] = sides(value);
                top.is_some_and(|top| far(top, true).is_some_and(|sign| sign < 0.0))
                    || left.is_some_and(|left| far(left, false).is_some_and(|sign| sign < 0.0))
            }
            "position" => {
                self.position = Some(value.to_owned());
                false
            }
            "left" | "inset-inline-start" => offset(0, self),
            "right" | "inset-inline-end" => offset(1, self),
            "top" | "inset-block-start" => offset(2, self),
            "bottom" | "inset-block-end" => offset(3, self),
            "inset" => {
                let [top, right, bottom, left] = sides(value);
                let far = |side: Option<&str>, vertical: bool| side.and_then(|side| far(side, vertical));
                self.offsets = [far(left, false), far(right, false), far(top, true), far(bottom, true)];
                false
            }
            "overflow" | "overflow-x" | "overflow-y" => {
                self.clips_overflow |= value.split_whitespace().any(|v| matches!(v, "hidden" | "clip"));
                false
            }
            "height" | "max-height" | "width" | "max-width" | "block-size" | "max-block-size" | "inline-size"
            | "max-inline-size" => {
                self.small_box |= px(value).is_some_and(|size| size < SMALLEST_PX);
                false
            }
            "color" => {
                self.color = color(value);
                false
            }
            "-webkit-text-fill-color" => {
                self.fill = color(value);
                false
            }
            // Only a plain colour: a gradient or an image is a background
            // this cannot compare with.
            "background-color" | "background" => {
                self.background = color(value);
                false
            }
            "background-clip" | "-webkit-background-clip" => {
                self.text_painted_by_background = value.split([' ', ',']).any(|v| v == "text");
                false
            }
            "unicode-bidi" => {
                self.bidi_override = value.ends_with("override");
                false
            }
            "direction" => {
                self.right_to_left = value == "rtl";
                false
            }
            _ => false,
        }
    }

    /// Whether the declarations read hide together.
    fn hides(&self) -> bool {
        let clipped = self.clips_overflow && self.small_box;
        let moved = match self.position.as_deref() {
            Some("absolute" | "relative" | "fixed") => self.offsets.iter().any(Option::is_some),
            _ => false,
        };
        let text = self.fill.or(self.color).filter(|_| !self.text_painted_by_background);
        let faint = text.is_some_and(|c| f64::from(c.alpha) / 255.0 < FAINTEST);
        // Only colours the same rule gives: an element between text and a
        // background an outer element is given may have a background of its own.
        let alike = match (text, self.background) {
            (Some(text), Some(background)) if background.alpha == 255 => contrast(text, background) < LEAST_CONTRAST,
            _ => false,
        };
        let small = self.zoom.is_some_and(|zoom| self.font.unwrap_or(DEFAULT_FONT_PX) * zoom < SMALLEST_PX);
        clipped || moved || faint || alike || small || (self.bidi_override && self.right_to_left)
    }
}

/// The font size of text no rule sizes.
const DEFAULT_FONT_PX: f64 = 16.0;
/// Text blurred by this radius or more cannot be read.
const BLURRIEST_PX: f64 = 3.0;

/// A viewport lengths are measured in, and what 100% is there (`None` where
/// a percentage of something this cannot know makes a length unknown).
#[derive(Clone, Copy)]
struct View {
    width: f64,
    height: f64,
    percent_of: Option<f64>,
}

impl View {
    /// A phone's viewport, the one a disclosure must be read on first.
    const PHONE: View = View { width: 375.0, height: 667.0, percent_of: None };
    /// A laptop's.
    const DESKTOP: View = View { width: 1280.0, height: 800.0, percent_of: None };

    /// This viewport with percentages of its width, or of its height.
    fn percent_of_side(self, vertical: bool) -> View {
        View { percent_of: Some(if vertical { self.height } else { self.width }), ..self }
    }
}

/// A length in CSS pixels on a phone ([`View::PHONE`]: 16 px for `em` and
/// `rem`, its 375 × 667 viewport for `vw` and `vh`), `calc()`, `min()`,
/// `max()` and `clamp()` worked out; `None` for percentages (but `0%`) and
/// keywords.
fn px(value: &str) -> Option<f64> {
    length_in(value, View::PHONE)
}

/// A length in CSS pixels in `view`.
fn length_in(value: &str, view: View) -> Option<f64> {
    let mut input = ParserInput::new(value);
    let mut parser = Parser::new(&mut input);
    let (number, is_length) = parser.parse_entirely(|p| calc_sum(p, view)).ok()?;
    (is_length || number == 0.0).then_some(number)
}

/// A value being worked out: a length in pixels (`true`) or a plain number.
type Quantity = (f64, bool);

/// `a + b - c`, as in `calc()`.
fn calc_sum<'i>(input: &mut Parser<'i, '_>, view: View) -> Result<Quantity, ParseError<'i, ()>> {
    use cssparser::Token;
    let (mut total, mut is_length) = calc_product(input, view)?;
    while let Ok(sign) = input.try_parse(|p| match p.next()?.clone() {
        Token::Delim('+') => Ok(1.0),
        Token::Delim('-') => Ok(-1.0),
        _ => Err(p.new_custom_error::<(), ()>(())),
    }) {
        let (value, length) = calc_product(input, view)?;
        total += sign * value;
        is_length |= length;
    }
    Ok((total, is_length))
}

/// `a * b / c`, as in `calc()`.
fn calc_product<'i>(input: &mut Parser<'i, '_>, view: View) -> Result<Quantity, ParseError<'i, ()>> {
    use cssparser::Token;
    let (mut total, mut is_length) = calc_term(input, view)?;
    while let Ok(divide) = input.try_parse(|p| match p.next()?.clone() {
        Token::Delim('*') => Ok(false),
        Token::Delim('/') => Ok(true),
        _ => Err(p.new_custom_error::<(), ()>(())),
    }) {
        let (value, length) = calc_term(input, view)?;
        if (length && (is_length || divide)) || (divide && value == 0.0) {
            return Err(input.new_custom_error(()));
        }
        total = if divide { total / value } else { total * value };
        is_length |= length;
    }
    Ok((total, is_length))
}

/// A number, a length, a percentage, or a bracketed or `calc()`, `min()`,
/// `max()` or `clamp()` value.
fn calc_term<'i>(input: &mut Parser<'i, '_>, view: View) -> Result<Quantity, ParseError<'i, ()>> {
    use cssparser::Token;
    let token = input.next()?.clone();
    let unknown = |input: &Parser<'i, '_>| input.new_custom_error(());
    match token {
        Token::Number { value, .. } => Ok((f64::from(value), false)),
        Token::Dimension { value, unit, .. } => {
            let per_unit = px_per(&unit.to_ascii_lowercase(), view).ok_or_else(|| unknown(input))?;
            Ok((f64::from(value) * per_unit, true))
        }
        Token::Percentage { unit_value, .. } => match view.percent_of {
            Some(whole) => Ok((f64::from(unit_value) * whole, true)),
            None if unit_value == 0.0 => Ok((0.0, true)),
            None => Err(unknown(input)),
        },
        Token::ParenthesisBlock => input.parse_nested_block(|p| calc_sum(p, view)),
        Token::Function(name) => {
            let name = name.to_ascii_lowercase();
            input.parse_nested_block(|p| {
                let values = p.parse_comma_separated(|p| calc_sum(p, view))?;
                let is_length = values.iter().any(|(_, length)| *length);
                let numbers = values.iter().map(|(value, _)| *value);
                let value = match (name.as_str(), values.as_slice()) {
                    ("calc", [(value, _)]) => *value,
                    ("min", [_, ..]) => numbers.fold(f64::INFINITY, f64::min),
                    ("max", [_, ..]) => numbers.fold(f64::NEG_INFINITY, f64::max),
                    ("clamp", [(low, _), (value, _), (high, _)]) => value.min(*high).max(*low),
                    _ => return Err(p.new_custom_error(())),
                };
                Ok((value, is_length))
            })
        }
        _ => Err(unknown(input)),
    }
}

/// CSS pixels in one `unit` (lower-case) in `view`.
fn px_per(unit: &str, view: View) -> Option<f64> {
    Some(match unit {
        "px" => 1.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        "q" => 96.0 / 101.6,
        "em" | "rem" | "lh" | "rlh" => DEFAULT_FONT_PX,
        "ex" | "ch" => DEFAULT_FONT_PX / 2.0,
        "vw" | "vi" | "svw" | "lvw" | "dvw" => view.width / 100.0,
        "vh" | "vb" | "svh" | "lvh" | "dvh" => view.height / 100.0,
        "vmin" | "svmin" | "lvmin" | "dvmin" => view.width.min(view.height) / 100.0,
        "vmax" | "svmax" | "lvmax" | "dvmax" => view.width.max(view.height) / 100.0,
        _ => return None,
    })
}

/// Whether a distance moves text out of the page on a phone and on a
/// laptop alike: by [`FAR_PX`] or more, or by the whole viewport (`100vw`,
/// or `100%` of a page as wide), the percentages of the viewport's width
/// (`vertical`: height). Its direction if it does: -1 or 1.
fn far(value: &str, vertical: bool) -> Option<f64> {
    let moved = |view: View| {
        let side = if vertical { view.height } else { view.width };
        length_in(value, view.percent_of_side(vertical)).filter(|d| d.abs() >= FAR_PX.min(side))
    };
    let (phone, desktop) = (moved(View::PHONE)?, moved(View::DESKTOP)?);
    (phone.signum() == desktop.signum()).then(|| phone.signum())
}

/// `12%` as 12.
fn percent(value: &str) -> Option<f64> {
    value.trim().strip_suffix('%')?.trim().parse().ok()
}

/// `0.2` or `20%` as 0.2.
fn fraction(value: &str) -> Option<f64> {
    percent(value).map(|p| p / 100.0).or_else(|| value.trim().parse().ok())
}

/// A `font-size`: a length, or a percentage of a 16 px parent.
fn font_px(value: &str) -> Option<f64> {
    length_in(value, View { percent_of: Some(DEFAULT_FONT_PX), ..View::PHONE })
}

/// Whether `declarations` give a readable font size of their own (`14px`,
/// `1rem`): not one against the parent's (`%`, `em`, `smaller`).
pub fn resizes(declarations: &[(String, String)]) -> bool {
    value_of(declarations, &["font-size"]).map(without_important).is_some_and(|value| {
        let relative = value.contains('%')
            || (value.contains("em") && !value.contains("rem"))
            || ["ex", "ch", "smaller", "larger", "inherit", "unset", "revert", "var("]
                .iter()
                .any(|w| value.contains(w));
        !relative && font_px(value).is_some_and(|px| px >= SMALLEST_PX)
    })
}

/// A `font-size` against the parent's (`60%`, `.6em`, `smaller`), as a factor.
fn font_factor(value: &str) -> Option<f64> {
    let value = without_important(value);
    if value == "smaller" {
        // What browsers use: the next size down the keyword scale.
        return Some(1.0 / 1.2);
    }
    let number = value.strip_suffix('%').map(|p| p.trim().parse::<f64>().ok().map(|p| p / 100.0));
    let number =
        number.or_else(|| value.strip_suffix("em").filter(|n| !n.ends_with('r')).map(|n| n.trim().parse().ok()));
    number.flatten()
}

/// The size in a `font` shorthand (`italic 700 0/0 a`): the first length,
/// before any `/line-height`. A number without a unit is a weight, but 0 is
/// a size (a weight is at least 1).
fn font_shorthand_px(value: &str) -> Option<f64> {
    words(value).into_iter().find_map(|token| {
        let size = token.split('/').next().unwrap_or_default();
        let unitless = size.parse::<f64>().is_ok();
        if unitless && size.parse::<f64>().ok() != Some(0.0) { None } else { font_px(size) }
    })
}

/// A value's words: split at white space outside brackets
/// (`calc(1px + 2px) 0` is two).
fn words(value: &str) -> Vec<&str> {
    split_outside_brackets(value, &[' '])
}

/// `value` split at `separators` outside brackets, empty parts dropped.
pub(super) fn split_outside_brackets<'v>(value: &'v str, separators: &[char]) -> Vec<&'v str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in value.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 && (separators.contains(&c) || (c.is_whitespace() && separators.contains(&' '))) => {
                parts.push(value[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// The top, right, bottom and left of a shorthand such as `margin`.
fn sides(value: &str) -> [Option<&str>; 4] {
    match words(value)[..] {
        [all] => [Some(all); 4],
        [vertical, horizontal] => [Some(vertical), Some(horizontal), Some(vertical), Some(horizontal)],
        [top, horizontal, bottom] => [Some(top), Some(horizontal), Some(bottom), Some(horizontal)],
        [top, right, bottom, left] => [Some(top), Some(right), Some(bottom), Some(left)],
        _ => [None; 4],
    }
}

/// Each `name(arguments)` in a value, the name lower-case.
fn functions(value: &str) -> impl Iterator<Item = (String, &str)> {
    let mut rest = value;
    std::iter::from_fn(move || {
        let open = rest.find('(')?;
        let name = rest[..open].rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).next().unwrap_or_default();
        let mut depth = 0usize;
        let mut close = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let found = (name.to_ascii_lowercase(), &rest[open + 1..close]);
        rest = rest.get(close + 1..).unwrap_or_default();
        Some(found)
    })
}

/// A function's arguments, split at commas, spaces and slashes outside
/// brackets.
fn arguments(args: &str) -> Vec<&str> {
    split_outside_brackets(args, &[',', ' ', '/'])
}

/// A translation out of the page ([`far`]), or by its box's whole size or more.
fn moves_far(distance: &str, vertical: bool) -> bool {
    let own_size = percent(distance).is_some_and(|p| p.abs() >= 100.0);
    own_size || (!distance.contains('%') && far(distance, vertical).is_some())
}

/// The smaller of a `transform`'s horizontal and vertical scales, all its
/// functions together.
fn transform_scale(value: &str) -> f64 {
    let (x, y) = transform_scales(value);
    x.abs().min(y.abs())
}

/// Whether a `transform` makes text unreadable: scaled under a fifth (the
/// scales of all its functions together), moved far, or turned edge-on.
fn transform_hides(value: &str) -> bool {
    if transform_moves_away(value) {
        return true;
    }
    transform_scale(value) < FAINTEST
}

/// A `transform`'s horizontal and vertical scales, all its functions together.
fn transform_scales(value: &str) -> (f64, f64) {
    let (mut x, mut y) = (1.0_f64, 1.0_f64);
    for (name, args) in functions(value) {
        let args = arguments(args);
        let scale = |i: usize| args.get(i).and_then(|a| fraction(a));
        match name.as_str() {
            "scale" | "scale3d" => {
                let sx = scale(0).unwrap_or(1.0);
                x *= sx;
                y *= if name == "scale" && args.len() == 1 { sx } else { scale(1).unwrap_or(1.0) };
            }
            "scalex" => x *= scale(0).unwrap_or(1.0),
            "scaley" => y *= scale(0).unwrap_or(1.0),
            "matrix" => {
                let numbers: Vec<f64> = args.iter().filter_map(|a| a.parse().ok()).collect();
                if let [a, b, c, d, _, _] = numbers[..] {
                    x *= a.hypot(b);
                    y *= c.hypot(d);
                }
            }
            _ => {}
        }
    }
    (x, y)
}

/// Whether a `transform` moves text out of the page ([`moves_far`]) or
/// turns it edge-on.
fn transform_moves_away(value: &str) -> bool {
    functions(value).any(|(name, args)| {
        let args = arguments(args);
        match name.as_str() {
            "translate" | "translate3d" => args.iter().take(2).enumerate().any(|(i, d)| moves_far(d, i == 1)),
            "translatex" | "translatey" => args.first().is_some_and(|d| moves_far(d, name == "translatey")),
            "matrix" => {
                let numbers: Vec<f64> = args.iter().filter_map(|a| a.parse().ok()).collect();
                matches!(numbers[..], [_, _, _, _, tx, ty] if tx.abs() >= FAR_PX || ty.abs() >= FAR_PX)
            }
            "rotatex" | "rotatey" => {
                args.first().and_then(|a| degrees(a)).is_some_and(|d| (d.rem_euclid(180.0) - 90.0).abs() < 5.0)
            }
            _ => false,
        }
    })
}

/// An angle in degrees.
fn degrees(angle: &str) -> Option<f64> {
    let angle = angle.trim();
    let (number, per_unit) = [("deg", 1.0), ("grad", 0.9), ("rad", 180.0 / std::f64::consts::PI), ("turn", 360.0)]
        .into_iter()
        .find_map(|(unit, per)| angle.strip_suffix(unit).map(|n| (n, per)))?;
    Some(number.trim().parse::<f64>().ok()? * per_unit)
}

/// `clip: rect(top right bottom left)` with no area (`auto` is the edge).
fn rect_is_empty(args: &str) -> bool {
    match arguments(args)[..] {
        [top, right, bottom, left] => {
            let edge = |a: &str| if a == "auto" { None } else { px(a) };
            let shut = |from: Option<f64>, to: Option<f64>| matches!((from, to), (Some(a), Some(b)) if b <= a);
            shut(edge(top), edge(bottom)) || shut(edge(left), edge(right))
        }
        _ => false,
    }
}

/// A box of text as large as a disclosure's on a phone, for the shapes of
/// `clip-path` given in percentages.
const TEXT_BOX: (f64, f64) = (343.0, 60.0);

/// `clip-path: inset(50%)`, `circle(0)`, a polygon with no area and the
/// like: nothing readable left.
fn clip_path_is_empty(name: &str, written: &str) -> bool {
    let args = arguments(written);
    let (box_width, box_height) = TEXT_BOX;
    let along = |a: &str, whole: f64| length_in(a, View { percent_of: Some(whole), ..View::PHONE });
    let small = |a: &str, whole: f64| along(a, whole).is_some_and(|r| r < SMALLEST_PX);
    match name {
        "inset" => {
            let insets: Vec<&str> = args.iter().copied().take_while(|a| *a != "round").collect();
            let [top, right, bottom, left] = match insets[..] {
                [all] => [all; 4],
                [v, h] => [v, h, v, h],
                [t, h, b] => [t, h, b, h],
                [t, r, b, l, ..] => [t, r, b, l],
                _ => return false,
            };
            // Percentages of the box itself; lengths against a page as wide as a laptop's.
            let shut = |from: &str, to: &str, whole: f64, most: f64| {
                let share = |a: &str| percent(a).map_or_else(|| px(a).map(|d| d / most), |p| Some(p / 100.0));
                share(from).zip(share(to)).is_some_and(|(a, b)| a + b >= 1.0)
                    || along(from, whole).is_some_and(|d| d >= most)
            };
            shut(top, bottom, box_height, FAR_PX) || shut(left, right, box_width, View::DESKTOP.width)
        }
        "circle" => args.first().is_some_and(|r| small(r, box_width.min(box_height))),
        "ellipse" => args.iter().take(2).zip([box_width, box_height]).any(|(r, whole)| small(r, whole)),
        "polygon" => {
            let points: Option<Vec<(f64, f64)>> = split_outside_brackets(written, &[','])
                .into_iter()
                .filter(|point| !matches!(*point, "nonzero" | "evenodd"))
                .map(|point| match words(point)[..] {
                    [x, y] => along(x, box_width).zip(along(y, box_height)),
                    _ => None,
                })
                .collect();
            points.is_some_and(|points| {
                let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
                let span = |v: &[f64]| {
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        - v.iter().copied().fold(f64::INFINITY, f64::min)
                };
                points.len() < 3 || span(&xs) < SMALLEST_PX || span(&ys) < SMALLEST_PX
            })
        }
        _ => false,
    }
}

/// Whether a mask lets nothing through: gradients whose every colour is
/// (nearly) transparent.
fn masks_all(value: &str) -> bool {
    let mut layers = 0;
    for (name, args) in functions(value) {
        if !name.ends_with("gradient") {
            return false;
        }
        layers += 1;
        let stops = split_outside_brackets(args, &[',']);
        let colours: Vec<svgtypes::Color> =
            stops.iter().filter_map(|stop| words(stop).first().and_then(|c| color(c))).collect();
        if colours.is_empty() || colours.iter().any(|c| f64::from(c.alpha) / 255.0 >= FAINTEST) {
            return false;
        }
    }
    layers > 0
}

/// A plain colour (`#fff`, `rgb(0 0 0 / 0)`, `transparent`, a name).
pub fn color(value: &str) -> Option<svgtypes::Color> {
    value.replace(" / ", ", ").replace('/', ",").parse().ok()
}

/// WCAG's contrast ratio of two opaque colours, from 1 to 21.
fn contrast(a: svgtypes::Color, b: svgtypes::Color) -> f64 {
    // Each channel's linear value, worked out once: pages compare colours by the hundred.
    static LINEAR: std::sync::OnceLock<[f64; 256]> = std::sync::OnceLock::new();
    let linear = LINEAR.get_or_init(|| {
        std::array::from_fn(|v| {
            let v = v as f64 / 255.0;
            if v <= 0.040_45 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        })
    });
    let luminance = |c: svgtypes::Color| {
        0.2126 * linear[usize::from(c.red)]
            + 0.7152 * linear[usize::from(c.green)]
            + 0.0722 * linear[usize::from(c.blue)]
    };
    let (light, dark) = {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y), x.min(y))
    };
    (light + 0.05) / (dark + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stylesheets by output path and text.
    fn sheets(list: &[(&str, &str)]) -> Vec<Stylesheet> {
        let sheet = |(path, text): &(&str, &str)| Stylesheet {
            path: (*path).to_owned(),
            source: format!("static/{path}"),
            text: (*text).to_owned(),
        };
        list.iter().map(sheet).collect()
    }

    #[test]
    fn selectors_matched_as_written_are_known_however_spaced() {
        for exact in [".a>.b", ".a > .b", "main  .note", "div.x>p"] {
            assert!(is_exact(exact), "{exact}");
        }
        for widened in ["h1 + .x", ".a ~ .b", ":is(a, b) .c", ":root .x"] {
            assert!(!is_exact(widened), "{widened}");
        }
    }

    #[test]
    fn rules_that_hide_are_found_with_a_real_parser() {
        let css = "/* .x { display: none } */ .note, #d > p { display : NONE !important } a { color: red }\n\
                   .gone{visibility:hidden} .tiny { font-size: 0px; } @media (max-width: 600px) { .disclosure { opacity: 0 } }\n\
                   @media print { .banner { display: none } } .s { content: \"{ display: none }\" }";
        assert_eq!(hiding_selectors(css), [".note, #d > p", ".gone", ".tiny", ".disclosure"]);
        assert_eq!(selectors_of(css).len(), 5);
        // What needs the reader's action, or hides a pseudo-element only, hides nothing at first.
        assert!(selectors_of("p:hover, .x:focus-visible .y, .z::before, .w:after { display: none }").is_empty());
    }

    #[test]
    fn selectors_the_scan_cannot_match_are_widened_to_ones_it_can() {
        let cases: &[(&str, &[&str])] = &[
            (":root .disclosure", &["* .disclosure"]),
            ("html:root > body .d", &["html > body .d"]),
            (".disclosure:is(div, .x)", &["div.disclosure", ".disclosure.x"]),
            (":where(main, article) .d", &["main .d", "article .d"]),
            (":is(main .a) .d", &["* .d"]),
            ("span:is(div)", &[]),
            ("div:is(*, main .x)", &["div", "div"]),
            ("main h1 ~ .d", &["main .d"]),
            ("main > h1 + p.d", &["main > p.d"]),
            ("body:has(a) .d", &["body .d"]),
            (".d:last-of-type, .d:only-child", &[".d", ".d"]),
            (".d:first-child", &[".d:first-child"]),
            (".d:not(.shown)", &[".d:not(.shown)"]),
            (".d:not(:hover)", &[".d"]),
            (".menu:hover .d", &[]),
            (".d::after", &[]),
            ("n\\61 v .d", &["nav .d"]),
            ("main [title=\"a b\"] + .d", &["main .d"]),
            ("li:nth-child(2n + 1) ~ .d", &[".d"]),
            (".d:not(.a .b), .d:nth-child(1 of .x)", &[".d", ".d"]),
            ("*:is(div) .d", &["div .d"]),
            ("input:checked ~ .d, details:open .d, .d:focus", &[".d", "details .d", ".d"]),
        ];
        for (selector, expected) in cases {
            let found: Vec<String> = split_selector_list(selector).into_iter().flat_map(matchable).collect();
            assert_eq!(found, *expected, "{selector}");
            for each in found {
                assert!(each.parse::<lol_html::Selector>().is_ok(), "{each} parses");
            }
        }
    }

    #[test]
    fn values_are_read_as_browsers_read_them() {
        let hidden = [
            "display: none /* moved to the footer */",
            "display:/**/none",
            "display: n\\6f ne",
            "display&#58;none",
            "DISPLAY: NONE !IMPORTANT",
            "color: red; visibility: /* x */ hidden",
        ];
        for style in hidden {
            assert!(hides(inline(style)), "{style} hides");
        }
        let css = ".a { display: none /* legal */ } .b { display: n\\6f ne } .c { opacity: /**/ 0 }";
        assert_eq!(hiding_selectors(css), [".a", ".b", ".c"]);
        assert!(!hides(inline("display: /* none */ block; content: 'display:none'")));
    }

    #[test]
    fn media_width_conditions_give_the_widths_a_rule_applies_at() {
        let px = |from: u32, to: u32| Widths { from: from * 100, to: if to == u32::MAX { to } else { to * 100 } };
        let cases = [
            ("screen", Widths::ALL),
            ("(max-width: 600px)", px(0, 600)),
            ("screen and (min-width: 40em)", px(640, u32::MAX)),
            ("(min-width: 400px) and (max-width: 800px)", px(400, 800)),
            ("(width >= 600px)", px(600, u32::MAX)),
            ("(400px <= width <= 800px)", px(400, 800)),
            ("(max-width: 300px), (min-width: 900px)", Widths::ALL),
            ("(max-width: 300px), (max-width: 500px)", px(0, 500)),
            ("(max-width: 50vw)", Widths::ALL),
            ("(orientation: portrait)", Widths::ALL),
        ];
        for (media, widths) in cases {
            assert_eq!(media_applies(media).may, widths, "{media}");
        }
        assert_eq!(media_applies("(width < 600px)").may.to, 600 * 100 - 1);
        assert_eq!(media_applies("(width = 600px)").may, px(600, 600));
        // Sure only of a single query of widths alone.
        assert_eq!(media_applies("screen and (max-width: 600px)").surely, Some(px(0, 600)));
        for unsure in [
            "(max-width: 300px), (min-width: 900px)",
            "(prefers-color-scheme: dark)",
            "(orientation: portrait) and (min-width: 1px)",
            "print, screen",
            "(max-width: 50vw)",
        ] {
            assert_eq!(media_applies(unsure).surely, None, "{unsure}");
        }
        let hiding = Hiding::from_stylesheets(&sheets(&[(
            "style.css",
            ".a { display: none } @media (max-width: 600px) { .b { display: none } } @media (min-width: 601px) { .c { opacity: 0 } }",
        )]));
        let page = "<link rel=stylesheet href=/style.css>";
        assert_eq!(hiding.widths_for_page(page, "", ""), [0, 600 * 100 + 1, 601 * 100]);
        // A later rule of the same selector that shows what one hides, at some widths.
        let css = ".m { display: none } .x, .y { opacity: 0 } .i { display: none !important } \
                   @media (max-width: 600px) { .m { display: block } .y { opacity: 1 } .i { display: block } } \
                   .z { visibility: hidden } .z { visibility: visible }";
        let rules = rules_of(css).read.found;
        let found: Vec<(&str, Widths)> = rules.iter().map(|r| (r.selectors.as_str(), r.widths)).collect();
        let from = |px: u32| Widths { from: px * 100 + 1, to: u32::MAX };
        assert_eq!(found, [(".m", from(600)), (".x", Widths::ALL), (".y", from(600)), (".i", Widths::ALL)]);
        // Not undone: by a rule that may not apply, nor when another declaration still hides.
        for css in [
            ".d { display: none; visibility: hidden } @media (max-width: 600px) { .d { display: block } }",
            ".d { display: none } @media (prefers-color-scheme: dark) { .d { display: block } }",
            ".d { display: none } @media (max-width: 300px), (min-width: 900px) { .d { display: block } }",
            ".d { display: none } @layer x { .d { display: block } }",
            ".d { display: none } @supports (display: grid) { .d { display: block } }",
            ".d { display: none } .d { display: revert-layer }",
        ] {
            let rules = rules_of(css).read.found;
            assert_eq!(rules.len(), 1, "{css}");
            assert_eq!(rules[0].widths, Widths::ALL, "{css}");
        }
        assert_eq!(hiding.for_page_at(page, "", "", 320 * 100).hiding.len(), 2);
        assert_eq!(hiding.for_page_at(page, "", "", 1280 * 100).hiding.len(), 2);
        assert_eq!(hiding.for_page(page, "", "").hiding.len(), 3);
        assert!(
            Hiding::from_stylesheets(&sheets(&[("style.css", ".a { display: none }")]))
                .widths_for_page(page, "", "")
                .is_empty()
        );
    }

    #[test]
    fn media_queries_for_screens_are_told_from_print_only_ones() {
        for media in [
            "",
            "screen",
            "all",
            "not print",
            "only screen and (max-width: 600px)",
            "print, screen",
            "(min-width: 0)",
            "not screen and (max-width: 10px)",
        ] {
            assert!(for_screens(media), "{media}");
        }
        for media in ["print", "only print", "not screen", "not all", "speech", "print and (min-width: 0)"] {
            assert!(!for_screens(media), "{media}");
        }
    }

    #[test]
    fn text_out_of_sight_too_small_or_too_faint_is_hidden() {
        let hidden = [
            "display: none !important",
            "visibility:collapse",
            "content-visibility: hidden",
            "font-size: 7px",
            "font-size: 0.4rem",
            "font-size: 40%",
            "font-size: 5pt",
            "font: italic 700 0/0 a",
            "font: 6px/1 serif",
            "opacity: .1",
            "opacity: 10%",
            "filter: blur(1px) opacity(0)",
            "clip: rect(1px, 1px, 1px, 1px)",
            "clip: rect(0 0 0 0)",
            "clip-path: inset(50%)",
            "clip-path: inset(0 0 100% 0)",
            "clip-path: circle(0)",
            "transform: scale(0)",
            "transform: translateY(-50%) scaleX(0.1)",
            "transform: translateX(-9999px)",
            "transform: translate(-100%, 0)",
            "transform: matrix(0.01, 0, 0, 0.01, 0, 0)",
            "transform: rotateX(90deg)",
            "scale: 0",
            "translate: -2000px",
            "text-indent: -9999px",
            "text-indent: -100%",
            "margin-left: -10000px",
            "margin: -9999px 0 0",
            "position: absolute; left: -9999px",
            "position:fixed; top: 9999px",
            "inset: -9999px auto auto -9999px; position: absolute",
            "height: 0; overflow: hidden",
            "max-height: 1px; overflow-y: clip",
            "overflow: hidden; width: 0",
            "color: transparent",
            "color: rgba(0, 0, 0, 0.05)",
            "color: rgb(0 0 0 / 0)",
            "color: #fff0",
            "-webkit-text-fill-color: transparent",
            "color: #fff; background: #fff",
            "color: white; background-color: #fefefe",
            "color: hsl(0, 0%, 93%); background: #FFF",
            "font-size: calc(2px)",
            "font-size: min(2px, 1em)",
            "font-size: clamp(1px, 0.2vw, 4px)",
            "font-size: calc(1rem * 0.25)",
            "zoom: 0.1",
            "zoom: 40%",
            "font-size: 12px; zoom: .5",
            "filter: blur(20px)",
            "clip-path: circle(1px)",
            "clip-path: ellipse(2px 40px)",
            "clip-path: inset(0 0 0 10000px)",
            "clip-path: polygon(0 0, 0 0, 0 0)",
            "clip-path: polygon(0 0, 100% 0, 100% 1px, 0 1px)",
            "mask-image: linear-gradient(transparent, transparent)",
            "-webkit-mask: linear-gradient(rgba(0, 0, 0, 0) 0%, transparent 100%)",
            "position: absolute; left: -100vw",
            "position: absolute; left: -100%",
            "position: absolute; top: 5000px",
            "position: fixed; bottom: calc(-100vh - 10px)",
            "margin-left: -100vw",
            "margin-left: -300%",
            "margin: calc(-100vh - 1px) 0 0",
            "text-indent: -100vw",
            "transform: translateX(-100vw)",
            "transform: translateX(calc(-100vw - 10px))",
            "transform: scale(.3) scale(.3)",
            "transform: scale(.4) scaleX(.4)",
            "translate: 0 -120vh",
            "unicode-bidi: bidi-override; direction: rtl",
        ];
        for style in hidden {
            assert!(hides(inline(style)), "{style} hides");
        }
        // What themes do every day, and what is ugly but readable.
        let shown = [
            "font-size: .72rem",
            "font-size: 12px",
            "font: 700 1rem/1.5 system-ui",
            "font: 400 14px sans-serif",
            "opacity: .35",
            "transform: scaleX(-1)",
            "transform: translateY(-2px) rotate(90deg)",
            "text-indent: -1em",
            "margin: 0 -16px",
            "position: absolute; left: 0; top: -4px",
            "position: static; left: -9999px",
            "height: 0",
            "overflow: hidden; height: 48px",
            "color: transparent; background: linear-gradient(90deg, gold 80%, grey 0); background-clip: text",
            "color: #333; background: #fff",
            "color: #767676; background: #fff",
            "color: #fff; background: url(hero.jpg) #fff",
            "color: var(--ink); background: var(--ink)",
            "clip: rect(auto, auto, auto, auto)",
            "clip-path: inset(10% round 8px)",
            "width: calc(100% + 32px); overflow: hidden",
            "font-size: clamp(1.7rem, 5.5vw, 2.5rem)",
            "font-size: max(10px, 0.5em)",
            "zoom: 1.2",
            "zoom: .9",
            "filter: blur(1px)",
            "filter: drop-shadow(0 0 2px #000)",
            "clip-path: circle(50%)",
            "clip-path: polygon(0 0, 100% 0, 100% 100%, 0 100%)",
            "clip-path: inset(0 0 0 8px round 4px)",
            "mask-image: linear-gradient(black, transparent)",
            "mask: url(m.svg)",
            "position: absolute; left: -400px",
            "position: absolute; left: 50%; transform: translateX(-50%)",
            "position: sticky; top: 0",
            "transform: scale(.5) scale(.5)",
            "margin-left: -50vw",
            "margin: 0 calc(50% - 50vw)",
            "direction: rtl",
            "unicode-bidi: isolate; direction: rtl",
        ];
        for style in shown {
            assert!(!hides(inline(style)), "{style} shows");
        }
        // Nested rules (CSS nesting) hide what their selectors select inside the parent's.
        let css = "main { .note { display: none } & > p { color: red } } .a, .b { &.x, p { opacity: 0 } } \
                   .d { @media screen { visibility: hidden } } .p { @media print { display: none } }";
        assert_eq!(hiding_selectors(css), ["main .note", ".a.x, .b.x, .a p, .b p", ".d"]);
        // In a stylesheet, what hides together must be in the same rule.
        let css = ".off { left: -9999px; position: absolute } .left { left: -9999px } .pos { position: absolute }";
        assert_eq!(hiding_selectors(css), [".off"]);
    }

    #[test]
    fn stylesheets_nested_without_end_are_read_in_bounded_time_and_stack() {
        // Run on a thread with rayon's stack size, as in a build.
        let read = |css: String| std::thread::Builder::new().stack_size(2 << 20).spawn(move || hiding_selectors(&css));
        for css in ["@media screen {".repeat(100_000), "a {".repeat(100_000), "a { & b { ".repeat(50_000)] {
            assert_eq!(read(css).unwrap().join().unwrap(), Vec::<String>::new());
        }
        // Each level multiplies the selectors; they stay bounded, and what
        // the limits leave is still found.
        let css = ".a, .b { ".repeat(30) + "display: none";
        let found = read(css).unwrap().join().unwrap();
        assert_eq!(found.len(), 1);
        assert!(split_selector_list(&found[0]).len() <= MAX_SELECTORS, "{}", found[0].len());
        let css = "@media screen { ".repeat(MAX_NESTING - 1) + ".x { display: none }";
        assert_eq!(hiding_selectors(&css), [".x"]);
    }

    #[test]
    fn a_page_uses_the_stylesheets_it_links() {
        let hiding = Hiding::from_stylesheets(&sheets(&[
            ("style.css", ".a { display: none }"),
            ("extra/b.css", ".b, .c { opacity: 0 }"),
        ]));
        let page = "<link rel=\"stylesheet\" href=\"/shop/style.css?v=2\"><LINK REL=stylesheet HREF=../extra/b.css>";
        // From posts/x/, ../extra/b.css is posts/extra/b.css, which the site does not publish.
        assert_eq!(hiding.for_page(page, "posts/x/", "/shop").hiding.len(), 1);
        assert_eq!(hiding.for_page(page, "posts/", "/shop").hiding.len(), 3);
        assert!(hiding.for_page("<link rel=icon href=/style.css>", "", "").hiding.is_empty());
        // The site's own stylesheet by its absolute URL, not another site's; a `>` in a value ends no tag.
        let hiding = Hiding::from_stylesheets(&sheets(&[("extra.css", ".a { display: none }")]))
            .on_site("https://Mia.example/shop/");
        for page in [
            "<link rel=stylesheet href=https://mia.example/shop/extra.css>",
            "<link rel=stylesheet href='//MIA.example./shop/extra.css?v=1'>",
            "<link rel=\"stylesheet\" title=\"a>b\" href=\"/shop/extra.css\">",
        ] {
            assert_eq!(hiding.for_page(page, "posts/a/", "/shop").hiding.len(), 1, "{page}");
        }
        for page in [
            "<link rel=stylesheet href=https://cdn.example/shop/extra.css>",
            "<link rel=stylesheet href=data:text/css,x>",
        ] {
            assert!(hiding.for_page(page, "posts/a/", "/shop").hiding.is_empty(), "{page}");
        }
        // The base path is a whole folder: /shopfront.css is not /shop's front.css.
        let hiding = Hiding::from_stylesheets(&sheets(&[("front.css", ".a { display: none }")]));
        assert!(hiding.for_page("<link rel=stylesheet href=/shopfront.css>", "", "/shop").hiding.is_empty());
    }

    #[test]
    fn custom_properties_are_worked_out() {
        let cases = [
            (":root { --d: none } .disclosure { display: var(--d) }", vec![".disclosure"]),
            ("html { --o: 0 } .x { opacity: var(--o) }", vec![".x"]),
            (".x { opacity: var(--unset, 0) }", vec![".x"]),
            (":root { --a: var(--b); --b: hidden } .x { visibility: var(--a) }", vec![".x"]),
            (":root { --far: -100vw } .x { position: absolute; left: var(--far) }", vec![".x"]),
            ("@media (prefers-color-scheme: dark) { :root { --d: none } } .x { display: var(--d) }", vec![".x"]),
            // Given to one element only, or never given: no value to hide with.
            (".menu { --d: none } .x { display: var(--d) }", vec![]),
            (".x { display: var(--unset) }", vec![]),
            (":root { --d: block } .x { display: var(--d, none) }", vec![]),
            // Colours are not worked out (a dark scheme's and a light one's would meet).
            (":root { --ink: #fff; --bg: #fff } .x { color: var(--ink); background: var(--bg) }", vec![]),
        ];
        for (css, hidden) in cases {
            assert_eq!(hiding_selectors(css), hidden, "{css}");
        }
        // One stylesheet gives the value, another uses it; the message shows both.
        let hiding = Hiding::from_stylesheets(&sheets(&[
            ("style.css", ":root { --gone: none }"),
            ("extra.css", ".disclosure { display: var(--gone) }"),
        ]));
        let page = "<link rel=stylesheet href=/style.css><link rel=stylesheet href=/extra.css>";
        let described = hiding.described_for_page(page, "index.html", "");
        assert_eq!(described.len(), 1);
        assert!(described[0].1.contains("display: var(--gone) /* none */"), "{}", described[0].1);
    }

    #[test]
    fn the_pages_background_is_the_last_the_cascade_gives() {
        let hiding = Hiding::from_stylesheets(&sheets(&[
            ("theme.css", "@import 'base.css'; body { background: var(--bg) } .d { color: #fff }"),
            ("base.css", "html { background: #000 }"),
            (
                "extra.css",
                "body { background: #fff } .x { background: #333 } @media (prefers-color-scheme: dark) { body { background: #111 } }",
            ),
        ]));
        let background = |page: &str| Background::of(&hiding.for_page(page, "index.html", "").backgrounds);
        let white = Background::Plain(svgtypes::Color::white());
        assert_eq!(background("<link rel=stylesheet href=/theme.css><link rel=stylesheet href=/extra.css>"), white);
        assert_eq!(
            background("<link rel=stylesheet href=/extra.css><link rel=stylesheet href=/theme.css>"),
            Background::Unknown
        );
        assert_eq!(background("<link rel=stylesheet href=/base.css>"), Background::Plain(svgtypes::Color::black()));
        assert_eq!(background(""), white);
        let scan = hiding.for_page(
            "<link rel=stylesheet href=/theme.css><link rel=stylesheet href=/extra.css>",
            "index.html",
            "",
        );
        assert_eq!((scan.inks.len(), scan.backdrops.len()), (1, 1));
    }

    #[test]
    fn imported_stylesheets_hide_too() {
        let hiding = Hiding::from_stylesheets(&sheets(&[
            ("style.css", "@import url(\"css/more.css\");\n@import 'paper.css' print;\nbody { margin: 0 }"),
            ("css/more.css", "@import \"../hide.css\" screen; .b { opacity: 0 }"),
            ("hide.css", ".a { display: none } @import url(late.css);"),
            ("paper.css", ".c { display: none }"),
            ("late.css", ".e { display: none }"),
            ("loop.css", "@import 'loop.css'; .d { display: none }"),
        ]));
        // style.css → css/more.css → hide.css; not the print-only sheet, and
        // not an @import after a rule, which browsers ignore.
        let found = hiding.for_page("<link rel=stylesheet href=/shop/style.css>", "posts/a/index.html", "/shop");
        assert_eq!(found.hiding.len(), 2);
        // A page's own <style> may import; a stylesheet that imports itself is read once.
        let page = "<style>@import url(/shop/loop.css);</style>";
        assert_eq!(hiding.for_page(page, "index.html", "/shop").hiding.len(), 1);
        // A `data:` stylesheet a site's stylesheet imports is part of it.
        let hiding =
            Hiding::from_stylesheets(&sheets(&[("extra.css", "@import url('data:text/css,.f%7Bdisplay:none%7D');")]));
        assert_eq!(hiding.for_page("<link rel=stylesheet href=/extra.css>", "index.html", "").hiding.len(), 1);
    }
}
