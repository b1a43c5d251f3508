//! Stage 3: Markdown to HTML.
//!
//! In: a body and the site's [`LinkPolicy`]. Out: [`Rendered`] HTML with
//! unique heading anchors, a table of contents, the text summary candidates
//! and a word count, plus errors for links that may not be written.
//!
//! CommonMark with tables, footnotes, strikethrough, task lists, smart
//! punctuation and `{#id}` heading attributes (pulldown-cmark). The event
//! stream is rewritten in one pass: headings get ids, every link and image
//! goes through the link policy with its byte offset kept for messages.

pub mod shortcodes;

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::content::slugs::slugify;
use crate::links::{Link, LinkPolicy, LinkWarning};
use crate::profile::SlugMode;

/// One heading, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The anchor id.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A link that may not be written, with its byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProblem {
    /// Byte offset in the Markdown.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Something about a link the creator should know, with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkNote {
    /// Byte offset in the Markdown.
    pub offset: usize,
    /// The finding.
    pub warning: LinkWarning,
}

/// A link through a redirect service, with its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectLink {
    /// Byte offset in the Markdown.
    pub offset: usize,
    /// Which service.
    pub service: crate::links::Redirector,
}

/// Rendered Markdown and what was learnt on the way.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Headings in order.
    pub toc: Vec<Heading>,
    /// Plain text of the first paragraph.
    pub first_paragraph: String,
    /// Plain text of the first level-1 heading, a title candidate.
    pub first_heading: Option<String>,
    /// Words in the text.
    pub word_count: usize,
    /// Links that may not be written.
    pub problems: Vec<LinkProblem>,
    /// Warnings about links (foreign tags, short links…).
    pub notes: Vec<LinkNote>,
    /// Whether any link earns a commission.
    pub has_affiliate: bool,
    /// Whether any link goes to Amazon.
    pub has_amazon: bool,
    /// Shortcode calls, in order; the HTML holds a marker for each.
    pub shortcodes: Vec<shortcodes::ShortcodeCall>,
    /// Links and images inside the site, for the broken-link check.
    pub internal: Vec<InternalRef>,
    /// Links through shorteners and redirect services.
    pub redirects: Vec<RedirectLink>,
}

/// A link or image that points inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalRef {
    /// Byte offset in the Markdown.
    pub offset: usize,
    /// The URL as written into the page.
    pub href: String,
    /// An image (must be a file) rather than a link.
    pub image: bool,
}

impl Rendered {
    fn record(&mut self, offset: usize, link: &Link<'_>) {
        if link.kind == crate::links::LinkKind::Internal && !link.href.starts_with(['?']) {
            self.internal.push(InternalRef { offset, href: link.href.to_string(), image: false });
        }
        if link.kind == crate::links::LinkKind::External
            && let Some(service) = crate::links::redirector(&link.href)
        {
            self.redirects.push(RedirectLink { offset, service });
        }
        self.has_affiliate |= link.is_affiliate();
        self.has_amazon |= link.is_amazon();
        self.notes.extend(link.warnings.iter().map(|w| LinkNote { offset, warning: w.clone() }));
    }
}

/// The `<!-- more -->` marker that ends a hand-written excerpt.
const MORE: &str = "<!-- more -->";

/// The Markdown before `<!-- more -->`, if the body has the marker.
pub fn excerpt(body: &str) -> Option<&str> {
    body.find(MORE).map(|i| &body[..i])
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`.
pub fn render(body: &str, links: &LinkPolicy, slugs: SlugMode) -> Rendered {
    let mut out = Rendered::default();
    let (body, calls) = shortcodes::extract(body);
    out.shortcodes = calls;
    let body = body.as_ref();
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / 16);
    let mut used_ids: HashSet<String> = HashSet::new();
    // Index in `events` of the open heading's start, its level and custom id.
    let mut heading: Option<(usize, HeadingLevel, Option<CowStr>, String)> = None;
    let mut link_closers: Vec<bool> = Vec::new();
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;
    // Alt text is not prose: it must not become the summary.
    let mut image_depth = 0usize;

    // Consecutive lines of an HTML block are rewritten together, so a tag
    // split over lines is still seen whole.
    let mut raw_html = String::new();
    let mut raw_html_offset = 0;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if !raw_html.is_empty() && !matches!(event, Event::Html(_)) {
            let block = rewrite_raw_html(&raw_html, raw_html_offset, links, &mut out);
            events.push(Event::Html(CowStr::from(block.into_string())));
            raw_html.clear();
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                heading = Some((events.len(), level, id.clone(), String::new()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, _, custom_id, text)) = heading.take() {
                    let id = unique_id(custom_id.as_deref(), &text, slugs, &mut used_ids);
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    let title = text.trim().to_owned();
                    if level == HeadingLevel::H1 && out.first_heading.is_none() {
                        out.first_heading = Some(title.clone());
                    }
                    out.toc.push(Heading { level: level as u8, id, title });
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Paragraph) => {
                paragraph_depth += 1;
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                paragraph_depth = paragraph_depth.saturating_sub(1);
                if !out.first_paragraph.trim().is_empty() {
                    first_paragraph_done = true;
                }
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Text(ref text) | Event::Code(ref text) => {
                out.word_count += count_words(text);
                if let Some((_, _, _, buffer)) = &mut heading {
                    buffer.push_str(text);
                } else if paragraph_depth > 0 && !first_paragraph_done && image_depth == 0 {
                    out.first_paragraph.push_str(text);
                }
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                if paragraph_depth > 0 && !first_paragraph_done && heading.is_none() {
                    out.first_paragraph.push(' ');
                }
                events.push(event);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                let dest = if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    CowStr::from(format!("mailto:{dest_url}"))
                } else {
                    dest_url
                };
                let mut tag = String::with_capacity(dest.len() + 48);
                // A reference link's URL is on its definition line: report it there.
                let offset = if body[range.clone()].contains(&*dest) {
                    range.start
                } else {
                    body.find(&format!("]: {dest}")).map_or(range.start, |i| i + 3)
                };
                match links.route(&dest) {
                    Ok(link) => {
                        out.record(offset, &link);
                        tag.push_str("<a href=\"");
                        tag.push_str(&escape_attr(&link.href));
                        tag.push('"');
                        if let Some(rel) = link.rel() {
                            tag.push_str(" rel=\"");
                            tag.push_str(rel);
                            tag.push('"');
                        }
                    }
                    Err(err) => {
                        out.problems.push(LinkProblem { offset, message: err.to_string() });
                        tag.push_str("<a href=\"#\"");
                    }
                }
                if !title.is_empty() {
                    tag.push_str(" title=\"");
                    tag.push_str(&escape_attr(&title));
                    tag.push('"');
                }
                tag.push('>');
                link_closers.push(true);
                events.push(Event::InlineHtml(CowStr::from(tag)));
            }
            Event::Html(html) => {
                if raw_html.is_empty() {
                    raw_html_offset = range.start;
                }
                raw_html.push_str(&html);
                continue;
            }
            Event::InlineHtml(html) => {
                let rewritten = match rewrite_raw_html(&html, range.start, links, &mut out) {
                    CowStr::Borrowed(_) => html,
                    changed => CowStr::from(changed.into_string()),
                };
                events.push(Event::InlineHtml(rewritten));
            }
            Event::End(TagEnd::Link) => {
                if link_closers.pop().unwrap_or(false) {
                    events.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
                } else {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = match links.route(&dest_url) {
                    Ok(link) => {
                        if link.kind == crate::links::LinkKind::Internal {
                            out.internal.push(InternalRef {
                                offset: range.start,
                                href: link.href.to_string(),
                                image: true,
                            });
                        }
                        CowStr::from(link.href.into_owned())
                    }
                    Err(err) => {
                        out.problems.push(LinkProblem { offset: range.start, message: err.to_string() });
                        CowStr::Borrowed("")
                    }
                };
                image_depth += 1;
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Image) => {
                image_depth = image_depth.saturating_sub(1);
                events.push(Event::End(TagEnd::Image));
            }
            other => events.push(other),
        }
    }
    if !raw_html.is_empty() {
        let block = rewrite_raw_html(&raw_html, raw_html_offset, links, &mut out);
        events.push(Event::Html(CowStr::from(block.into_string())));
    }
    out.first_paragraph = squash_spaces(&out.first_paragraph);
    out.html.reserve(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

/// Sends `href`/`src` attributes in raw HTML through the link policy.
/// Affiliate links get their `rel`; unsafe URLs become `#` and a problem.
fn rewrite_raw_html<'a>(html: &'a str, offset: usize, links: &LinkPolicy, out: &mut Rendered) -> CowStr<'a> {
    let has_url =
        html.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"href") || w.eq_ignore_ascii_case(b"src="));
    if !has_url {
        return CowStr::Borrowed(html);
    }
    let found = std::cell::RefCell::new(Vec::<(Result<Link<'static>, String>, bool)>::new());
    let handle =
        |el: &mut lol_html::html_content::Element<'_, '_>, attribute: &str, is_link: bool| -> lol_html::HandlerResult {
            let Some(raw) = el.get_attribute(attribute) else { return Ok(()) };
            // `&#106;avascript:` is `javascript:` to a browser.
            let value = crate::compliance::decode_entities(&raw);
            match links.route(&value) {
                Ok(link) => {
                    let link = Link { href: link.href.into_owned().into(), kind: link.kind, warnings: link.warnings };
                    if link.href != value.as_str() {
                        el.set_attribute(attribute, &link.href)?;
                    }
                    if is_link && let Some(rel) = link.rel() {
                        el.set_attribute("rel", rel)?;
                    }
                    found.borrow_mut().push((Ok(link), is_link));
                }
                Err(err) => {
                    el.set_attribute(attribute, "#")?;
                    found.borrow_mut().push((Err(err.to_string()), is_link));
                }
            }
            Ok(())
        };
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("a[href], area[href]", |el| handle(el, "href", true)))
        .append_element_content_handler(lol_html::element!(
            "img[src], iframe[src], source[src], video[src], audio[src], embed[src]",
            |el| handle(el, "src", false)
        ))
        .append_element_content_handler(lol_html::element!("form[action]", |el| handle(el, "action", false)));
    let rewritten = lol_html::rewrite_str(html, settings);
    for (result, is_link) in found.into_inner() {
        match result {
            Ok(link) if is_link => out.record(offset, &link),
            Ok(link) if link.kind == crate::links::LinkKind::Internal => {
                out.internal.push(InternalRef { offset, href: link.href.to_string(), image: true });
            }
            Ok(_) => {}
            Err(message) => out.problems.push(LinkProblem { offset, message }),
        }
    }
    match rewritten {
        Ok(text) => CowStr::from(text),
        // lol_html only fails on memory limits; keeping the text as written is the safe fallback.
        Err(_) => CowStr::Borrowed(html),
    }
}

/// Plain text of a Markdown fragment (for excerpts before `<!-- more -->`).
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ');
            }
            _ => {}
        }
    }
    squash_spaces(&text)
}

/// Renders a short Markdown fragment (a bio, a product note) without anchors or a toc.
pub fn render_inline(markdown: &str, links: &LinkPolicy) -> (String, Vec<LinkProblem>) {
    let rendered = render(markdown, links, SlugMode::Transliterate);
    (rendered.html, rendered.problems)
}

fn unique_id(custom: Option<&str>, text: &str, slugs: SlugMode, used: &mut HashSet<String>) -> String {
    let base = match custom {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => {
            let slug = slugify(text, slugs);
            if slug.is_empty() { "section".to_owned() } else { slug }
        }
    };
    let mut id = base.clone();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn count_words(text: &str) -> usize {
    // CJK text has no spaces: each ideograph, kana or hangul syllable counts as a word.
    let is_cjk = |c: char| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF);
    text.split_whitespace()
        .map(|word| {
            let cjk = word.chars().filter(|c| is_cjk(*c)).count();
            let other = word.chars().any(|c| !is_cjk(c) && c.is_alphanumeric());
            cjk + usize::from(other || cjk == 0)
        })
        .sum()
}

fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(body: &str) -> Rendered {
        render(body, &LinkPolicy::default(), SlugMode::Transliterate)
    }

    #[test]
    fn extensions_are_on() {
        let html =
            md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\"\n\n- [x] done\n\nNote[^1]\n\n[^1]: Foot.\n").html;
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("“quoted”"), "{html}");
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn headings_get_unique_ids() {
        let r = md("# Intro\n\n## Setup\n\n## Setup\n\n## Custom {#mine}\n\n## 广告\n");
        assert!(r.html.contains("<h2 id=\"setup\">Setup</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"setup-1\">Setup</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"mine\">Custom</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"guang-gao\">"), "{}", r.html);
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "setup", "setup-1", "mine", "guang-gao"]);
        assert_eq!(r.first_heading.as_deref(), Some("Intro"));
    }

    #[test]
    fn first_paragraph_is_plain_text() {
        let r = md("# Title\n\nMy **favourite** [mic](https://x.example)\nthis year.\n\nSecond.\n");
        assert_eq!(r.first_paragraph, "My favourite mic this year.");
        let r = md("![A photo](a.png)\n\nThe real text.\n");
        assert_eq!(r.first_paragraph, "The real text.");
    }

    #[test]
    fn unsafe_links_are_reported_with_offsets() {
        let body = "Fine [a](https://a.example).\n\nBad [b](javascript:alert(1)) and ![i](data:image/png,xx)\n";
        let r = md(body);
        assert_eq!(r.problems.len(), 2);
        assert_eq!(&body[r.problems[0].offset..r.problems[0].offset + 3], "[b]");
        assert!(!r.html.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn links_keep_titles_and_escape() {
        let r = md("[a](https://x.example/?a=1&b=2 \"T \\\"q\\\"\") <https://auto.example> <me@mail.example>");
        assert!(
            r.html.contains("<a href=\"https://x.example/?a=1&amp;b=2\" title=\"T &quot;q&quot;\">a</a>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<a href=\"https://auto.example\">https://auto.example</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"mailto:me@mail.example\">"), "{}", r.html);
    }

    fn amazon() -> LinkPolicy {
        use crate::links::{AmazonRules, Rules};
        LinkPolicy {
            base_path: String::new(),
            rules: Rules {
                amazon: Some(AmazonRules {
                    marketplace: "amazon.com".into(),
                    tags: [("amazon.com".to_owned(), "mia-20".to_owned())].into(),
                }),
                programs: Vec::new(),
            },
        }
    }

    #[test]
    fn affiliate_links_in_every_position_are_tagged_and_marked() {
        let body = "A [link](https://amazon.com/dp/B06XCKGLTP), an autolink <https://www.amazon.com/dp/B000000002>, \
a [reference][r], inline <a href=\"https://amazon.com/dp/B000000003\" class=\"x\">html</a>.\n\n\
<div>\n<a\n  href=\"https://amazon.com/gp/product/B000000004\">block</a>\n</div>\n\n[r]: https://amazon.com/dp/B000000005\n";
        let r = render(body, &amazon(), SlugMode::Transliterate);
        for asin in ["B06XCKGLTP", "B000000002", "B000000003", "B000000004", "B000000005"] {
            let href = format!("https://www.amazon.com/dp/{asin}?tag=mia-20");
            assert!(r.html.contains(&href), "{asin} not tagged:\n{}", r.html);
        }
        assert_eq!(r.html.matches("rel=\"sponsored nofollow noopener\"").count(), 5, "{}", r.html);
        assert!(r.has_affiliate && r.has_amazon);
        assert!(r.problems.is_empty());
    }

    #[test]
    fn unsafe_urls_in_raw_html_are_reported() {
        let body = "Text\n\n<a href=\"javascript:alert(1)\">x</a> <img src=\"data:text/html,x\">\n";
        let r = render(body, &amazon(), SlugMode::Transliterate);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert_eq!(r.problems[0].offset, 6);
    }

    #[test]
    fn foreign_tags_are_replaced_with_a_note() {
        let r = render("[x](https://www.amazon.com/dp/B06XCKGLTP?tag=other-20)", &amazon(), SlugMode::Transliterate);
        assert!(r.html.contains("tag=mia-20"), "{}", r.html);
        assert_eq!(r.notes.len(), 1);
        assert_eq!(r.notes[0].warning.code(), "foreign-tag-replaced");
    }

    #[test]
    fn root_relative_links_follow_the_sub_path() {
        let policy = LinkPolicy { base_path: "/shop".into(), ..Default::default() };
        let r = render("[x](/posts/a/) ![i](/images/a.png)", &policy, SlugMode::Transliterate);
        assert!(r.html.contains("href=\"/shop/posts/a/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/shop/images/a.png\""), "{}", r.html);
    }

    #[test]
    fn excerpt_and_plain_text() {
        let body = "Intro *here*.\n\n<!-- more -->\n\nRest";
        assert_eq!(plain_text(excerpt(body).unwrap()), "Intro here.");
        assert_eq!(excerpt("no marker"), None);
    }

    #[test]
    fn words_are_counted() {
        assert_eq!(md("one two three\n\n## four").word_count, 4);
        assert_eq!(md("好物推荐").word_count, 4);
    }
}
