//! Why a disclosure that is in a page's HTML is not seen: the element,
//! attribute, style or stylesheet rule that hides it, in words a creator
//! can act on. Read only when a page fails the check, so it favours a plain
//! answer over speed: it reads every text of the page, shown or not, with
//! what hides each, and finds the disclosure in it.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, doc_comments, doc_text};

use super::visible::{Hider, hider, is_void, normalise, push_text};

/// One thing that hides a disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// In words: `` `<div class="legal">` has the `hidden` attribute ``.
    pub text: String,
    /// The start tag to change, as the page has it (`<div class="legal"
    /// hidden>`), to find in the templates; none when a stylesheet rule or
    /// a comment hides it.
    pub tag: Option<String>,
}

/// What hides the text inside an open element.
enum Entry {
    /// Hides what it holds.
    Hides(Cause),
    /// A closed `<details>`: hides all but its `<summary>`.
    Details(Cause),
    /// A `<summary>` inside a closed `<details>`: shown.
    Summary,
}

#[derive(Default)]
struct State {
    /// Every element met that hides or shows, its index its id.
    entries: Vec<Entry>,
    /// The ids of those open now, outermost first.
    open: Vec<usize>,
    /// Every text of the page, normalised ([`normalise`]).
    text: String,
    /// Ranges of `text` read inside such elements, with their ids (a copy
    /// of `open`: numbers, however deep a hostile page nests).
    hidden: Vec<(std::ops::Range<usize>, Vec<usize>)>,
    /// Where else the disclosure is: a comment, an attribute.
    elsewhere: Option<Cause>,
}

impl State {
    /// What hides text read inside the elements `open`, outermost first.
    fn causes(&self, open: &[usize]) -> Vec<&Cause> {
        let mut causes: Vec<(bool, &Cause)> = Vec::new();
        for &id in open {
            match &self.entries[id] {
                Entry::Hides(cause) => causes.push((false, cause)),
                Entry::Details(cause) => causes.push((true, cause)),
                Entry::Summary => {
                    if let Some(details) = causes.iter().rposition(|(details, _)| *details) {
                        causes.remove(details);
                    }
                }
            }
        }
        causes.into_iter().map(|(_, cause)| cause).collect()
    }

    /// Opens `entry` until `el`'s end tag (for good when that cannot be seen).
    fn open(state: &Rc<RefCell<Self>>, el: &mut Element<'_, '_>, entry: Entry) {
        let mut s = state.borrow_mut();
        if !el.can_have_content() && is_void(&el.tag_name()) {
            return;
        }
        let id = s.entries.len();
        s.entries.push(entry);
        s.open.push(id);
        drop(s);
        if el.can_have_content() {
            let state = Rc::clone(state);
            let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                state.borrow_mut().open.retain(|open| *open != id);
                Ok(())
            });
            let _ = el.on_end_tag(close);
        }
    }
}

/// Why `disclosure` is not visible on the page `html`: each thing that
/// hides it, outermost first. `rules` are the page's stylesheets' hiding selectors,
/// each with its rule in words ([`super::css::Hiding::described_for_page`]).
/// Empty when the reading finds no single place that hides it.
pub fn causes(html: &str, disclosure: &str, rules: &[(&lol_html::Selector, String)]) -> Vec<Cause> {
    let wanted = normalise(&crate::html::decode_entities(disclosure));
    if wanted.is_empty() {
        return Vec::new();
    }
    let state = Rc::new(RefCell::new(State::default()));
    // The page's own <style> blocks hide too.
    let own: Vec<(lol_html::Selector, String)> = super::css::page_css(html)
        .iter()
        .flat_map(|css| super::css::rules_with_selectors(css))
        .map(|(selector, rule)| (selector, rule.describe("a `<style>` element of the page")))
        .collect();
    let mut settings = Settings::new();
    for (selector, rule) in rules.iter().map(|(s, r)| (*s, r)).chain(own.iter().map(|(s, r)| (s, r))) {
        let state = Rc::clone(&state);
        let hide = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
            let text = format!("{rule} hides {}", start_tag(el));
            State::open(&state, el, Entry::Hides(Cause { text, tag: None }));
            Ok(())
        };
        settings = settings.append_element_content_handler(crate::html::on_element(selector, hide));
    }
    let every = every();
    let on_element = Rc::clone(&state);
    let on_text = Rc::clone(&state);
    let on_comment = Rc::clone(&state);
    let wanted_in = wanted.clone();
    let contains = move |text: &str| normalise(&crate::html::decode_entities(text)).contains(&wanted_in);
    let contains_in_comment = contains.clone();
    let open = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
        let name = el.tag_name();
        let tag = || html.get(el.source_location().bytes()).map(str::to_owned);
        if on_element.borrow().elsewhere.is_none()
            && let Some(attribute) = el.attributes().iter().find(|a| contains(&a.value()))
        {
            let text =
                format!("it is in the `{}` attribute of {}, which readers do not see", attribute.name(), start_tag(el));
            on_element.borrow_mut().elsewhere = Some(Cause { text, tag: tag() });
        }
        let written = el.get_attribute("style");
        let style: Vec<(String, String)> =
            written.as_deref().map_or_else(Vec::new, |s| super::css::inline(s).collect());
        if let Some(why) = hider(&name, el, html, &style) {
            let cause = Cause { text: hidden_by(why, &name, el, written.as_deref(), &style), tag: tag() };
            State::open(&on_element, el, Entry::Hides(cause));
        } else if name == "details" && !el.has_attribute("open") {
            let text = format!(
                "it is inside {}, which is closed: until a reader opens it, only its `<summary>` shows",
                start_tag(el)
            );
            State::open(&on_element, el, Entry::Details(Cause { text, tag: tag() }));
        } else if name == "summary" && {
            let s = on_element.borrow();
            s.open.iter().any(|&id| matches!(s.entries[id], Entry::Details(_)))
        } {
            State::open(&on_element, el, Entry::Summary);
        }
        Ok(())
    };
    let settings = settings
        .append_element_content_handler(crate::html::on_element(every, open))
        .append_document_content_handler(doc_text!(move |chunk| {
            let mut s = on_text.borrow_mut();
            let start = s.text.len();
            push_text(&mut s.text, &crate::html::decode_entities(chunk.as_str()));
            let end = s.text.len();
            if !s.open.is_empty() && end > start {
                let open = s.open.clone();
                s.hidden.push((start..end, open));
            }
            Ok(())
        }))
        .append_document_content_handler(doc_comments!(move |comment| {
            let mut s = on_comment.borrow_mut();
            if s.elsewhere.is_none() && contains_in_comment(&comment.text()) {
                let text = "it is in an HTML comment (`<!-- … -->`), which readers do not see".to_owned();
                s.elsewhere = Some(Cause { text, tag: None });
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Only the rewriter's memory limits stop it: then what was read counts.
    let _ = rewriter.write(html.as_bytes()).and_then(|()| rewriter.end());
    let state = std::mem::take(&mut *state.borrow_mut());
    let mut causes: Vec<Cause> = Vec::new();
    if let Some(at) = state.text.find(&wanted) {
        let found = at..at + wanted.len();
        for (range, open) in &state.hidden {
            if range.start < found.end && found.start < range.end {
                for cause in state.causes(open) {
                    if !causes.contains(cause) {
                        causes.push(cause.clone());
                    }
                }
            }
        }
    }
    if causes.is_empty() {
        causes.extend(state.elsewhere);
    }
    causes
}

/// The start tag, as the page has it, of the element whose text holds
/// `disclosure`, the last place the page's text does (an earlier, visible
/// one would have passed): for a disclosure that comes too late, to find
/// where the templates write it.
pub fn holder(html: &str, disclosure: &str) -> Option<String> {
    let wanted = normalise(&crate::html::decode_entities(disclosure));
    if wanted.is_empty() {
        return None;
    }
    #[derive(Default)]
    struct Holders {
        /// Start tags met, and the ids of those open now.
        tags: Vec<String>,
        open: Vec<usize>,
        text: String,
        /// Where each text begins in `text`, and the element it is in.
        texts: Vec<(usize, Option<usize>)>,
    }
    let state = Rc::new(RefCell::new(Holders::default()));
    let on_element = Rc::clone(&state);
    let on_text = Rc::clone(&state);
    let every = every();
    let open = move |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
        if !el.can_have_content() {
            return Ok(());
        }
        let mut s = on_element.borrow_mut();
        let id = s.tags.len();
        s.tags.push(html.get(el.source_location().bytes()).unwrap_or_default().to_owned());
        s.open.push(id);
        drop(s);
        let state = Rc::clone(&on_element);
        let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
            state.borrow_mut().open.retain(|open| *open != id);
            Ok(())
        });
        let _ = el.on_end_tag(close);
        Ok(())
    };
    let settings = Settings::new()
        .append_element_content_handler(crate::html::on_element(every, open))
        .append_document_content_handler(doc_text!(move |chunk| {
            let mut s = on_text.borrow_mut();
            let (start, inside) = (s.text.len(), s.open.last().copied());
            push_text(&mut s.text, &crate::html::decode_entities(chunk.as_str()));
            if s.text.len() > start {
                s.texts.push((start, inside));
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    let _ = rewriter.write(html.as_bytes()).and_then(|()| rewriter.end());
    let state = std::mem::take(&mut *state.borrow_mut());
    let at = state.text.rfind(&wanted)?;
    let text = state.texts.partition_point(|(start, _)| *start <= at).checked_sub(1)?;
    state.texts[text].1.map(|id| state.tags[id].clone())
}

/// The selector of every element, parsed once.
fn every() -> &'static lol_html::Selector {
    static EVERY: std::sync::OnceLock<lol_html::Selector> = std::sync::OnceLock::new();
    EVERY.get_or_init(|| "*".parse().expect("a valid selector"))
}

/// What hides an element's content, in words.
fn hidden_by(
    why: Hider,
    name: &str,
    el: &Element<'_, '_>,
    written: Option<&str>,
    style: &[(String, String)],
) -> String {
    let tag = start_tag(el);
    match why {
        Hider::Browsers => match name {
            "head" => "it is inside `<head>`, which browsers do not show".to_owned(),
            "title" => "it is inside `<title>`, which shows only on the browser's tab".to_owned(),
            "script" => format!("it is inside {tag}, which browsers run, not show"),
            "style" => "it is inside `<style>`, which browsers read as CSS".to_owned(),
            "template" => "it is inside `<template>`, which browsers do not show until a script copies it".to_owned(),
            "noscript" => "it is inside `<noscript>`, which browsers show only when scripts are off".to_owned(),
            _ => format!("it is inside {tag}, whose text browsers show only when they cannot show the element itself"),
        },
        Hider::ClosedDialog => format!("it is inside {tag}, a dialog that is not open"),
        Hider::Hidden => format!("{tag} has the `hidden` attribute"),
        Hider::Popover => format!("{tag} is a popover, shown only when a button or a script opens it"),
        Hider::AriaHidden => format!("{tag} has `aria-hidden=\"true\"`"),
        Hider::Style => {
            // The declaration that hides alone, or the whole style.
            let alone = style.iter().find(|declaration| super::css::hides([(*declaration).clone()]));
            let shown = alone.map_or_else(
                || crate::site::truncate_words(written.unwrap_or_default().trim(), 80),
                |(property, value)| format!("{property}: {value}"),
            );
            format!("the style `{shown}` of {tag} hides it")
        }
    }
}

/// An element's start tag, short: its name, `id` and `class`.
fn start_tag(el: &Element<'_, '_>) -> String {
    let mut tag = format!("`<{}", el.tag_name());
    for name in ["id", "class"] {
        if let Some(value) = el.get_attribute(name) {
            let value = crate::site::truncate_words(&crate::html::decode_entities(value.trim()), 60);
            tag.push_str(&format!(" {name}=\"{value}\""));
        }
    }
    tag.push_str(">`");
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "I earn a commission if you buy through links on this page.";

    fn why(body: &str) -> Vec<String> {
        let html = format!("<html><head><title>t</title></head><body>{body}</body></html>");
        causes(&html, TEXT, &[]).into_iter().map(|cause| cause.text).collect()
    }

    #[test]
    fn each_way_of_hiding_is_named_with_its_element() {
        // The element is given as written too, to be found in the templates.
        let html = format!("<p>Hi</p><DIV Class='legal' hidden\n>{TEXT}</DIV>");
        assert_eq!(causes(&html, TEXT, &[])[0].tag.as_deref(), Some("<DIV Class='legal' hidden\n>"));
        assert_eq!(
            why(&format!("<div class=\"legal fine\" hidden><p>{TEXT}</p></div>")),
            ["`<div class=\"legal fine\">` has the `hidden` attribute"]
        );
        assert_eq!(
            why(&format!("<p id=d style=\"color: red; font-size:1px\">{TEXT}</p>")),
            ["the style `font-size: 1px` of `<p id=\"d\">` hides it"]
        );
        // What hides only together is quoted whole.
        assert_eq!(
            why(&format!("<p style=\"position:absolute;left:-9999px\">{TEXT}</p>")),
            ["the style `position:absolute;left:-9999px` of `<p>` hides it"]
        );
        assert_eq!(
            why(&format!("<noscript>{TEXT}</noscript>")),
            ["it is inside `<noscript>`, which browsers show only when scripts are off"]
        );
        assert_eq!(
            why(&format!("<details><summary>Why?</summary>{TEXT}</details>")),
            ["it is inside `<details>`, which is closed: until a reader opens it, only its `<summary>` shows"]
        );
        assert!(why(&format!("<details><summary>{TEXT}</summary>x</details>")).is_empty());
        assert_eq!(
            why(&format!("<!-- {TEXT} --><a href=x>Buy</a>")),
            ["it is in an HTML comment (`<!-- … -->`), which readers do not see"]
        );
        assert_eq!(
            why(&format!("<img alt=\"{TEXT}\" src=a.png>")),
            ["it is in the `alt` attribute of `<img>`, which readers do not see"]
        );
        // Entities and line breaks in the page do not hide it.
        let written = TEXT.replace("if you", "if&#32;you\n  ");
        assert_eq!(
            why(&format!("<aside aria-hidden=true>{written}</aside>")),
            ["`<aside>` has `aria-hidden=\"true\"`"]
        );
        // Every element around it that hides it, outermost first, and a
        // part of it hidden is enough.
        let nested = format!("<section hidden><div style=\"opacity:0\">{TEXT}</div></section>");
        assert_eq!(why(&nested).len(), 2);
        let part = TEXT.replacen("commission", "<span style=\"display:none\">commission</span>", 1);
        assert_eq!(why(&part), ["the style `display: none` of `<span>` hides it"]);
    }

    #[test]
    fn a_late_disclosure_is_found_in_its_element() {
        let html = format!("<body><a href=x>Buy</a><footer><P class='legal'>\n<b>Note:</b> {TEXT}</P></footer></body>");
        assert_eq!(holder(&html, TEXT).as_deref(), Some("<P class='legal'>"));
        assert_eq!(holder("<p>nothing</p>", TEXT), None);
    }

    #[test]
    fn a_stylesheet_rule_is_named_with_its_place() {
        let css = "body { margin: 0 }\n\n  .legal,\n  .fine { color: #fff; background: #fff }\n";
        let rules = super::super::css::rules_with_selectors(css);
        let rules: Vec<(&lol_html::Selector, String)> =
            rules.iter().map(|(selector, rule)| (selector, rule.describe("static/site.css"))).collect();
        let html = format!("<body><p class=fine>{TEXT}</p></body>");
        let text = "the rule `.legal, .fine { color: #fff; background: #fff }` in static/site.css (line 3, column 3) hides `<p class=\"fine\">`";
        // The rule is to change, not the element.
        assert_eq!(causes(&html, TEXT, &rules), [Cause { text: text.to_owned(), tag: None }]);
        // A page's own <style> block, in words of its own.
        let html = format!("<style>\n.x {{ display: none }}</style><div class=x>{TEXT}</div>");
        let text = "the rule `.x { display: none }` in a `<style>` element of the page (line 2, column 1) hides `<div class=\"x\">`";
        assert_eq!(causes(&html, TEXT, &[]), [Cause { text: text.to_owned(), tag: None }]);
    }
}
