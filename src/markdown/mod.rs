//! Stage 3: Markdown to HTML.
//!
//! In: a body and the site's [`LinkPolicy`]. Out: [`Rendered`] HTML with
//! unique heading anchors, a table of contents, the text summary candidates
//! and a word count, plus errors for links that may not be written.
//!
//! CommonMark with tables, footnotes, strikethrough, task lists, smart
//! punctuation and `{#id}` heading attributes (pulldown-cmark), and GFM's
//! bare-address links (linkify). The event stream is rewritten in one pass:
//! headings get ids, bare addresses become links, every link and image goes
//! through the link policy with its byte offset kept for messages.

pub mod kramdown;
mod logic;
pub mod shortcodes;
pub mod tags;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::content::slugs::SlugMode;
use crate::content::slugs::slugify;
use crate::links::{Link, LinkPolicy, LinkWarning};

/// One heading, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The statements its links' programs require (Amazon's, …).
    pub statements: crate::links::Statements,
    /// Shortcode calls, in order; the HTML holds a marker for each.
    pub shortcodes: Vec<shortcodes::ShortcodeCall>,
    /// Links and images inside the site, for the broken-link check.
    pub internal: Vec<InternalRef>,
    /// Links through shorteners and redirect services.
    pub redirects: Vec<RedirectLink>,
    /// Hexo and Liquid tags and variables left as written.
    pub unsupported: Vec<tags::Unsupported>,
    /// Where a Markdown link `[text](url)` sits inside an HTML block, so
    /// CommonMark shows it as text (kramdown would have made it a link).
    pub markdown_in_html: Vec<usize>,
    /// Where an image `![](…)` with no alternative text starts.
    pub no_alt: Vec<usize>,
}

/// A link or image that points inside the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InternalRef {
    /// Byte offset in the Markdown.
    pub offset: usize,
    /// The URL as written into the page.
    pub href: String,
    /// An image (must be a file) rather than a link.
    pub image: bool,
}

impl Rendered {
    /// Records what raw HTML at `offset` linked to.
    fn record_raw(&mut self, offset: usize, found: Found) {
        for (result, is_link) in found {
            match result {
                Ok(link) if is_link => self.record(offset, &link),
                // Amazon's ad widgets (an iframe or script from amazon-adsystem.com) are Amazon affiliate content.
                Ok(link) if crate::links::is_amazon_ad_url(&link.href) => {
                    self.has_affiliate = true;
                    self.statements.insert(crate::links::Statement::Amazon);
                }
                Ok(link) if link.kind == crate::links::LinkKind::Internal => {
                    self.internal.push(InternalRef { offset, href: link.href.to_string(), image: true });
                }
                // A form sending to a shop or a frame showing one earns too:
                // the page needs its disclosure as for a link.
                Ok(link) if link.is_affiliate() => {
                    self.has_affiliate = true;
                    self.statements.extend(link.statement.clone());
                    self.notes.extend(link.warnings.iter().map(|w| LinkNote { offset, warning: w.clone() }));
                }
                Ok(_) => {}
                Err(message) => self.problems.push(LinkProblem { offset, message }),
            }
        }
    }

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
        self.statements.extend(link.statement.clone());
        self.notes.extend(link.warnings.iter().map(|w| LinkNote { offset, warning: w.clone() }));
    }
}

/// The Markdown before the `<!-- more -->` marker that ends a hand-written
/// excerpt, if the body has one. Spaced as Hexo reads it: `<!--more-->`,
/// `<!--  more -->` and `<!--\nmore\n-->` all count.
pub fn excerpt(body: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = body[from..].find("<!--") {
        let start = from + at;
        let rest = body[start + 4..].trim_start();
        if let Some(after) = rest.strip_prefix("more")
            && after.trim_start().starts_with("-->")
        {
            return Some(&body[..start]);
        }
        from = start + 4;
    }
    None
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// [`render`] for a post or page written for Hexo or Jekyll: their tags and
/// Liquid variables are expanded first ([`tags`]), and every position found
/// is one in `body` as written. With `line_breaks`, a line break inside a
/// paragraph is one on the page too (`[site] line_breaks`).
pub fn render_post(
    body: &str,
    links: &LinkPolicy,
    slugs: SlugMode,
    line_breaks: bool,
    variables: &tags::Variables,
) -> Rendered {
    let expanded = tags::expand(body, variables);
    let mut out = render_with(&expanded.text, links, slugs, line_breaks, &expanded.kramdown);
    if let std::borrow::Cow::Owned(_) = expanded.text {
        let map = |offset: &mut usize| *offset = expanded.original_offset(*offset);
        out.problems.iter_mut().for_each(|p| map(&mut p.offset));
        out.notes.iter_mut().for_each(|n| map(&mut n.offset));
        out.internal.iter_mut().for_each(|r| map(&mut r.offset));
        out.redirects.iter_mut().for_each(|r| map(&mut r.offset));
        out.shortcodes.iter_mut().for_each(|s| map(&mut s.offset));
    }
    out.markdown_in_html.iter_mut().for_each(|at| *at = expanded.original_offset(*at));
    out.unsupported = expanded.unsupported;
    out
}

/// Renders `body`.
pub fn render(body: &str, links: &LinkPolicy, slugs: SlugMode) -> Rendered {
    render_with(body, links, slugs, false, &[])
}

fn render_with(
    body: &str,
    links: &LinkPolicy,
    slugs: SlugMode,
    line_breaks: bool,
    kramdown: &[kramdown::Kramdown],
) -> Rendered {
    let mut out = Rendered::default();
    let original = body;
    let (body, calls) = shortcodes::extract(body);
    out.shortcodes = calls;
    let body = body.as_ref();
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / 16);
    let mut ids = HeadingIds::default();
    // Index in `events` of the open heading's start, its level and custom id.
    let mut heading: Option<(usize, HeadingLevel, Option<CowStr>, String)> = None;
    let mut link_closers: Vec<bool> = Vec::new();
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;
    // Alt text is not prose: it must not become the summary.
    let mut image_depth = 0usize;
    // The start of the image being read, and whether it has alternative text yet.
    let mut image_alt: Option<(usize, bool)> = None;

    // Consecutive lines of an HTML block are rewritten together, so a tag
    // split over lines is still seen whole.
    let mut raw_html = String::new();
    let mut raw_html_offset = 0;

    // Bare addresses are not made links inside a link, code or alternative
    // text; this counts the open elements of raw HTML that stop them.
    let mut raw_inert_depth = 0usize;
    let mut in_code_block = false;

    // The text events merged into the current one, each with where it is written.
    let mut pieces: Vec<(CowStr, Range<usize>)> = Vec::new();

    // For kramdown's attribute lists: where (in `events`) each open block
    // and the block just closed start, the same for inline elements, and a
    // list waiting for the next block.
    let mut blocks = Elements::default();
    let mut spans = Elements::default();
    let mut waiting: Option<&kramdown::Attributes> = None;
    let mut toc: Option<bool> = None;
    // Whether the HTML block being read holds more than a list's mark.
    let mut html_in_block = false;

    let mut parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut next = parser.next();
    while let Some((event, range)) = next.take() {
        next = parser.next();
        // Text split where a `_` or `&` might have begun something, or where
        // a quote became a typographic one, is one text again.
        pieces.clear();
        let (event, range) = match event {
            Event::Text(first) if matches!(next, Some((Event::Text(_), _))) => {
                let (mut text, mut end) = (first.to_string(), range.end);
                pieces.push((first, range.clone()));
                while let Some((Event::Text(more), more_range)) = next.take_if(|(e, _)| matches!(e, Event::Text(_))) {
                    text.push_str(&more);
                    end = more_range.end;
                    pieces.push((more, more_range));
                    next = parser.next();
                }
                (Event::Text(CowStr::from(text)), range.start..end)
            }
            other => (other, range),
        };
        // A mark in code (an indented code block), raw HTML or a link's URL is not applied, and not shown.
        let event = if kramdown.is_empty() { event } else { kramdown::unmarked(event) };
        if !kramdown.is_empty() {
            let marked = match &event {
                Event::Html(html) => kramdown::marked(html).map(|n| (kramdown.get(n), true)),
                Event::InlineHtml(html) => kramdown::marked(html).map(|n| (kramdown.get(n), false)),
                _ => None,
            };
            if let Some((list, own_line)) = marked {
                // A block's list inside a paragraph (indented, so kramdown reads it as text) or
                // a span's list on a line of its own applies to nothing.
                let list = list.filter(|l| matches!(l, kramdown::Kramdown::Span(_)) != own_line);
                match list.into_iter().next() {
                    None => {}
                    Some(kramdown::Kramdown::Block { attributes, next: false }) => {
                        if let Some(at) = blocks.closed.filter(|_| !html_in_block) {
                            block_attributes(&mut events, at, attributes);
                        }
                    }
                    Some(kramdown::Kramdown::Block { attributes, next: true }) => waiting = Some(attributes),
                    Some(kramdown::Kramdown::Span(attributes)) => {
                        if let Some(at) = spans.closed.take() {
                            span_attributes(&mut events, at, attributes);
                        }
                    }
                    Some(kramdown::Kramdown::Toc { ordered }) => {
                        toc = Some(*ordered);
                        events.push(Event::Html(CowStr::Borrowed(kramdown::TOC_PLACE)));
                    }
                }
                continue;
            }
        }
        if !raw_html.is_empty() && !matches!(event, Event::Html(_)) {
            out.markdown_in_html.extend(markdown_link_in_html(&raw_html).map(|at| raw_html_offset + at));
            let block = rewrite_html_block(&raw_html, raw_html_offset, links, &mut out);
            events.push(Event::Html(CowStr::from(block)));
            raw_html.clear();
        }
        // The block this event opens, for a list waiting for it.
        let mut opened = None;
        if !kramdown.is_empty() {
            spans.closed = None;
            match &event {
                Event::Start(Tag::HtmlBlock) => html_in_block = false,
                Event::Html(_) => html_in_block = true,
                Event::Start(tag) if is_inline(tag) => spans.open.push(events.len()),
                Event::End(end) if is_inline_end(end) => spans.closed = spans.open.pop(),
                Event::Start(_) => {
                    opened = Some(events.len());
                    blocks.open.push(events.len());
                }
                // A list under raw HTML is not applied to it (nor to the block before it).
                Event::End(TagEnd::HtmlBlock) if html_in_block => blocks.closed = None,
                Event::End(TagEnd::HtmlBlock) => {}
                Event::End(_) => blocks.closed = blocks.open.pop(),
                Event::Code(_) => spans.closed = Some(events.len()),
                _ => {}
            }
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                heading = Some((events.len(), level, id.clone(), String::new()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, _, custom_id, text)) = heading.take() {
                    let id = ids.unique(custom_id.as_deref(), &text, slugs);
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    // A post written for Jekyll links to kramdown's id for the heading.
                    let kramdown = kramdown_id(&text);
                    if custom_id.is_none()
                        && !kramdown.is_empty()
                        && kramdown != id
                        && original.contains(&format!("#{kramdown}"))
                        && ids.try_id(&kramdown)
                    {
                        let anchor = format!("<a id=\"{kramdown}\"></a>");
                        events.insert(start + 1, Event::InlineHtml(CowStr::from(anchor)));
                    }
                    let title = text.trim().to_owned();
                    if level == HeadingLevel::H1 && out.first_heading.is_none() {
                        out.first_heading = Some(title.clone());
                    }
                    // kramdown's `{:.no_toc}` keeps a heading out of tables of contents.
                    let listed = !matches!(&events[start], Event::Start(Tag::Heading { classes, .. })
                        if classes.iter().any(|c| c.as_ref() == "no_toc"));
                    if listed {
                        out.toc.push(Heading { level: level as u8, id, title });
                    }
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
                if let Some((_, alt)) = &mut image_alt {
                    *alt |= !text.trim().is_empty();
                }
                out.word_count += count_words(text);
                if let Some((_, _, _, buffer)) = &mut heading {
                    buffer.push_str(text);
                } else if paragraph_depth > 0 && !first_paragraph_done && image_depth == 0 {
                    out.first_paragraph.push_str(text);
                }
                let in_prose = link_closers.is_empty() && raw_inert_depth == 0 && image_depth == 0 && !in_code_block;
                match event {
                    Event::Text(text) if in_prose && may_hold_address(&body[range.clone()]) => {
                        if pieces.is_empty() {
                            pieces.push((text.clone(), range.clone()));
                        }
                        let addresses = bare_addresses(body, range.clone(), &pieces);
                        if addresses.is_empty() {
                            events.push(Event::Text(text));
                        } else {
                            link_bare_addresses(body, &pieces, addresses, links, &mut out, &mut events);
                        }
                    }
                    _ => events.push(event),
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::SoftBreak | Event::HardBreak => {
                if paragraph_depth > 0 && !first_paragraph_done && heading.is_none() {
                    out.first_paragraph.push(' ');
                }
                events.push(if line_breaks { Event::HardBreak } else { event });
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    CowStr::from(format!("mailto:{dest_url}"))
                } else {
                    dest_url
                };
                // A reference link's URL is on its definition line: report it there.
                let offset = if body[range.clone()].contains(&*dest) {
                    range.start
                } else {
                    parser
                        .reference_definitions()
                        .get(&id)
                        .map_or(range.start, |definition| url_in_definition(body, definition.span.clone(), &dest))
                };
                link_closers.push(true);
                events.push(Event::InlineHtml(CowStr::from(open_link(&dest, &title, offset, links, &mut out))));
            }
            Event::Html(html) => {
                if raw_html.is_empty() {
                    raw_html_offset = range.start;
                }
                raw_html.push_str(&html);
                continue;
            }
            Event::InlineHtml(html) => {
                match opens_text_without_links(&html) {
                    Some(true) => raw_inert_depth += 1,
                    Some(false) => raw_inert_depth = raw_inert_depth.saturating_sub(1),
                    None => {}
                }
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
                if image_depth == 1 {
                    image_alt = Some((range.start, false));
                }
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Image) => {
                image_depth = image_depth.saturating_sub(1);
                if image_depth == 0
                    && let Some((at, false)) = image_alt.take()
                {
                    out.no_alt.push(at);
                }
                events.push(Event::End(TagEnd::Image));
            }
            other => events.push(other),
        }
        if let Some(at) = opened
            && let Some(attributes) = waiting.take()
        {
            block_attributes(&mut events, at, attributes);
        }
    }
    if let Some(ordered) = toc {
        let list = kramdown::toc_html(&out.toc, ordered);
        for event in
            events.iter_mut().filter(|e| matches!(e, Event::Html(html) if html.as_ref() == kramdown::TOC_PLACE))
        {
            *event = Event::Html(CowStr::from(list.clone()));
        }
    }
    if !raw_html.is_empty() {
        out.markdown_in_html.extend(markdown_link_in_html(&raw_html).map(|at| raw_html_offset + at));
        let block = rewrite_html_block(&raw_html, raw_html_offset, links, &mut out);
        events.push(Event::Html(CowStr::from(block)));
    }
    if shortcodes::moves_offsets(original, &out.shortcodes) {
        let moved = shortcodes::OffsetMap::new(original, &out.shortcodes);
        let map = |offset: &mut usize| *offset = moved.original(*offset);
        out.problems.iter_mut().for_each(|p| map(&mut p.offset));
        out.notes.iter_mut().for_each(|n| map(&mut n.offset));
        out.internal.iter_mut().for_each(|r| map(&mut r.offset));
        out.redirects.iter_mut().for_each(|r| map(&mut r.offset));
    }
    out.first_paragraph = squash_spaces(&out.first_paragraph);
    out.html.reserve(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    // Kept until the post's page is written: no room to spare for 10,000 of them.
    out.html.shrink_to_fit();
    out
}

/// Where elements start in the event list: those open, and the one last
/// closed (see kramdown's attribute lists).
#[derive(Default)]
struct Elements {
    open: Vec<usize>,
    closed: Option<usize>,
}

/// The inline elements a kramdown span attribute list may follow.
fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
}

fn is_inline_end(end: &TagEnd) -> bool {
    matches!(end, TagEnd::Link | TagEnd::Image | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)
}

/// Gives the block that starts at `events[at]` kramdown's `attributes`:
/// a paragraph, quote, list or code block. Other blocks are left as they
/// are. A Jekyll theme's box of text (`{: .notice--info}`) becomes a callout.
fn block_attributes(events: &mut [Event<'_>], at: usize, attributes: &kramdown::Attributes) {
    let tag = match &events[at] {
        Event::Start(Tag::Paragraph) => "<p>".to_owned(),
        Event::Start(Tag::BlockQuote(_)) => "<blockquote>\n".to_owned(),
        Event::Start(Tag::List(None)) => "<ul>\n".to_owned(),
        Event::Start(Tag::List(Some(1))) => "<ol>\n".to_owned(),
        Event::Start(Tag::List(Some(start))) => format!("<ol start=\"{start}\">\n"),
        Event::Start(Tag::CodeBlock(kind)) => {
            // `{: .language-ruby}` names the code's language, as kramdown reads it.
            let mut attributes = attributes.clone();
            let named = attributes.classes.iter().position(|c| c.starts_with("language-"));
            let language = match kind {
                pulldown_cmark::CodeBlockKind::Fenced(info) if !info.trim().is_empty() => {
                    info.split_whitespace().next().map(|l| format!("language-{l}"))
                }
                _ => None,
            }
            .or_else(|| named.map(|n| attributes.classes[n].clone()));
            if let Some(n) = named {
                attributes.classes.remove(n);
            }
            let code = language
                .map_or_else(|| "<code>".to_owned(), |l| format!("<code class=\"{}\">", crate::html::escape_attr(&l)));
            events[at] = Event::Html(CowStr::from(format!("\n<pre{}>{code}", attributes.html())));
            return;
        }
        // A block given its attributes already, by an earlier list.
        Event::Html(html) if html.trim_start().starts_with('<') => html.trim_start().to_string(),
        _ => return,
    };
    let with = attributes.with_callout().add_to(tag.trim_end());
    events[at] = Event::Html(CowStr::from(format!("\n{with}{}", &tag[tag.trim_end().len()..])));
}

/// Gives the inline element that starts at `events[at]`, and ends with the
/// last event, kramdown's `attributes`: a link, an image, emphasis or code.
fn span_attributes(events: &mut Vec<Event<'_>>, at: usize, attributes: &kramdown::Attributes) {
    let html = match &events[at] {
        Event::InlineHtml(tag) if tag.starts_with("<a ") => attributes.add_to(tag),
        Event::Start(Tag::Strong) => attributes.add_to("<strong>"),
        Event::Start(Tag::Emphasis) => attributes.add_to("<em>"),
        Event::Start(Tag::Strikethrough) => attributes.add_to("<del>"),
        Event::Code(code) => format!("<code{}>{}</code>", attributes.html(), crate::html::escape_attr(code)),
        Event::Start(Tag::Image { dest_url, title, .. }) => {
            let alt: String = events[at + 1..]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
                    _ => None,
                })
                .collect();
            let mut tag = format!(
                "<img src=\"{}\" alt=\"{}\"",
                crate::html::escape_attr(dest_url),
                crate::html::escape_attr(&alt)
            );
            if !title.is_empty() {
                tag.push_str(&format!(" title=\"{}\"", crate::html::escape_attr(title)));
            }
            tag.push_str(" />");
            events.truncate(at + 1);
            attributes.add_to(&tag)
        }
        _ => return,
    };
    events[at] = Event::InlineHtml(CowStr::from(html));
}

/// The `<a …>` that opens a link to `dest` (as written at `offset`, with
/// `title`), sent through the link policy; a link that may not be written
/// is reported and leads nowhere.
fn open_link(dest: &str, title: &str, offset: usize, links: &LinkPolicy, out: &mut Rendered) -> String {
    let mut tag = String::with_capacity(dest.len() + 48);
    match links.route(dest) {
        Ok(link) => {
            out.record(offset, &link);
            tag.push_str("<a href=\"");
            tag.push_str(&crate::html::escape_attr(&link.href));
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
        tag.push_str(&crate::html::escape_attr(title));
        tag.push('"');
    }
    tag.push('>');
    tag
}

/// Pushes the text of `pieces` (consecutive text events, each with where
/// it is written in `body`) with the bare `addresses` in it made links. A
/// link shows its address as written and leads where it was written to:
/// `...` in it stays three dots, not an ellipsis.
fn link_bare_addresses<'a>(
    body: &str,
    pieces: &[(CowStr<'a>, Range<usize>)],
    addresses: Vec<(Range<usize>, &str)>,
    links: &LinkPolicy,
    out: &mut Rendered,
    events: &mut Vec<Event<'a>>,
) {
    let mut text = String::new();
    let mut link = |span: Range<usize>, scheme: &str, text: &mut String, events: &mut Vec<Event<'a>>| {
        if !text.is_empty() {
            events.push(Event::Text(CowStr::from(std::mem::take(text))));
        }
        let address = address_text(body, pieces, span.clone());
        let dest = format!("{scheme}{address}");
        events.push(Event::InlineHtml(CowStr::from(open_link(&dest, "", span.start, links, out))));
        events.push(Event::Text(CowStr::from(address)));
        events.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
    };
    let mut addresses = addresses.into_iter().peekable();
    // Where the last link's address ends in `body`.
    let mut linked_to = 0;
    for (piece, at) in pieces {
        let mut from = at.start.max(linked_to);
        if from >= at.end {
            continue;
        }
        if piece.as_ref() != &body[at.clone()] {
            // A piece that is not its source (a typographic quote, an
            // entity) lies wholly inside or outside an address.
            match addresses.next_if(|(span, _)| span.start == at.start) {
                Some((span, scheme)) => {
                    linked_to = span.end;
                    link(span, scheme, &mut text, events);
                }
                None => text.push_str(piece),
            }
            continue;
        }
        while let Some((span, scheme)) = addresses.next_if(|(span, _)| span.start < at.end) {
            text.push_str(body.get(from..span.start).unwrap_or_default());
            linked_to = span.end;
            from = span.end.min(at.end);
            link(span, scheme, &mut text, events);
        }
        text.push_str(&body[from..at.end]);
    }
    if !text.is_empty() {
        events.push(Event::Text(CowStr::from(text)));
    }
}

/// The text of the address written at `span`: as written, except that an
/// escape (`\_`) or an entity (`&amp;`) stands for what it means. Smart
/// punctuation is undone: `...` and `'` in an address are what was typed.
fn address_text(body: &str, pieces: &[(CowStr<'_>, Range<usize>)], span: Range<usize>) -> String {
    let mut address = String::with_capacity(span.len());
    for (piece, at) in pieces.iter().filter(|(_, at)| at.start < span.end && span.start < at.end) {
        let written = &body[at.start.max(span.start)..at.end.min(span.end)];
        let typographic = piece.chars().all(|c| matches!(c, '‘' | '’' | '“' | '”' | '–' | '—' | '…'));
        // Only a piece wholly inside the address may differ from what was written.
        if written.len() == at.len() && piece.as_ref() != written && !typographic {
            address.push_str(piece);
        } else {
            address.push_str(written);
        }
    }
    address
}

/// The bare addresses in the text written at `range` of `body` that become
/// links, as GitHub, Hexo and Hugo make them: `https://…`, `http://…`,
/// `www.…` (given `http://`) and `name@example.com` (given `mailto:`). An
/// address ends where the text leaves it: trailing punctuation and an
/// unbalanced `)` stay text. Each comes with its span in `body` and the
/// scheme to put before it. The text is read as written, so a quote made
/// typographic still ends an address; an address across a piece that is
/// not its source (`pieces`, see [`link_bare_addresses`]) is left as text.
fn bare_addresses(
    body: &str,
    range: Range<usize>,
    pieces: &[(CowStr<'_>, Range<usize>)],
) -> Vec<(Range<usize>, &'static str)> {
    let written = &body[range.clone()];
    let rewritten: Vec<&Range<usize>> =
        pieces.iter().filter(|(piece, at)| piece.as_ref() != &body[at.clone()]).map(|(_, at)| at).collect();
    let cuts = |span: &Range<usize>| {
        rewritten.iter().any(|at| {
            let inside = |offset: usize| at.start < offset && offset < at.end;
            inside(span.start) || inside(span.end)
        })
    };
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    // Each stretch between closing punctuation is read on its own, with its place in `written`.
    let stretches =
        written.split(ends_address).map(|stretch| (stretch.as_ptr() as usize - written.as_ptr() as usize, stretch));
    stretches
        .flat_map(|(at, stretch)| finder.links(stretch).map(move |found| (at, found)))
        .filter_map(|(at, found)| {
            let address = found.as_str();
            let starts = |prefix: &str| address.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            let scheme = match found.kind() {
                linkify::LinkKind::Email => "mailto:",
                _ if starts("http://") || starts("https://") => "",
                _ if starts("www.") => "http://",
                // Other schemes (`ftp://`, `file://`) and names like `example.org` stay text.
                _ => return None,
            };
            let span = range.start + at + found.start()..range.start + at + found.end();
            (!cuts(&span)).then_some((span, scheme))
        })
        .collect()
}

/// Punctuation that ends an address even with no space after it: CJK
/// punctuation and full-width forms (`。`, `，`, `（`, `」`), as Chinese and
/// Japanese text puts it right after an address, and typographic quotes.
fn ends_address(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '‘' | '’' | '“' | '”' | '«' | '»' | '‹' | '›')
}

/// Whether text written as `written` may hold a bare address: a cheap
/// look before [`bare_addresses`].
fn may_hold_address(written: &str) -> bool {
    written.contains("://")
        || written.contains('@')
        || written.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"www."))
}

/// Elements whose text never holds a link of ours: a link (links do not
/// nest), code, and a button.
const NO_BARE_LINKS_IN: [&str; 6] = ["a", "code", "kbd", "samp", "pre", "button"];

/// `Some(true)` for inline HTML that opens one of [`NO_BARE_LINKS_IN`],
/// `Some(false)` for one that closes it, `None` for any other.
fn opens_text_without_links(html: &str) -> Option<bool> {
    let (closes, rest) = match html.strip_prefix("</") {
        Some(rest) => (true, rest),
        None => (false, html.strip_prefix('<')?),
    };
    let name = &rest[..rest.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(rest.len())];
    let counts = NO_BARE_LINKS_IN.iter().any(|tag| name.eq_ignore_ascii_case(tag)) && !rest.ends_with("/>");
    counts.then_some(!closes)
}

/// Where the URL `dest` is written in the reference definition at `span`
/// (`[label]: URL`), or where the definition starts if it is written
/// otherwise. Reads only the definition: a post with thousands of
/// reference links is not searched once per link.
fn url_in_definition(body: &str, span: Range<usize>, dest: &str) -> usize {
    let definition = body.get(span.clone()).unwrap_or_default();
    definition.find("]: ").filter(|&i| definition[i + 3..].starts_with(dest)).map_or(span.start, |i| span.start + i + 3)
}

/// What `lol_html` found in a piece of raw HTML: each routed URL (or why it
/// may not be written) and whether it is a link.
type Found = Vec<(Result<Link<'static>, String>, bool)>;

/// An element that cannot occur in content, appended to an HTML block to
/// learn whether the block ended outside any tag.
const END_OF_BLOCK: &str = "shopfront-end-of-block-5f1e";

/// Sends the URLs in inline raw HTML (a complete tag, as CommonMark only
/// takes those) through the link policy; see [`scan_raw_html`].
fn rewrite_raw_html<'a>(html: &'a str, offset: usize, links: &LinkPolicy, out: &mut Rendered) -> CowStr<'a> {
    if !has_url_attribute(html) {
        return CowStr::Borrowed(html);
    }
    match scan_raw_html(html, links, Probe::None) {
        Some(Scan { html: rewritten, found, .. }) => {
            out.record_raw(offset, found);
            CowStr::from(rewritten)
        }
        // lol_html only fails on memory limits; keeping the text as written is the fallback.
        None => CowStr::Borrowed(html),
    }
}

/// Like [`rewrite_raw_html`], for an HTML block.
///
/// A block may stop inside a tag (`<a href="javascript:…` and then a blank
/// line). A browser would read the HTML written after it as the rest of
/// that tag, so a URL nobody checked could be completed by later text. Such
/// a tag is closed where the block stops (with `>`, `">` or `'>`, whichever
/// lol_html, reading like a browser, needs), and its URL checked like any
/// other. A block that stops inside a comment, script or other raw text is
/// kept as it is: what follows it is never read as a tag.
fn rewrite_html_block(html: &str, offset: usize, links: &LinkPolicy, out: &mut Rendered) -> String {
    if !html.contains('<') || html.contains(END_OF_BLOCK) {
        return rewrite_raw_html(html, offset, links, out).into_string();
    }
    let probe = |closer: &str, count: bool| {
        let mode = if count { Probe::EndAndCount } else { Probe::End };
        scan_raw_html(&format!("{html}{closer}<{END_OF_BLOCK}>"), links, mode)
    };
    let accepted = match probe("", false) {
        Some(scan) if scan.end_seen => Some(scan),
        Some(_) => {
            // Which closer ends the open tag: the end marker then shows up, or,
            // when the tag opens raw text (`<iframe src="…`), one more element
            // does than in the block alone. (Not than with the marker: its own
            // `>` may be what completes the tag.)
            let before = scan_raw_html(html, links, Probe::EndAndCount).map_or(0, |scan| scan.elements);
            [">", "\">", "'>"]
                .into_iter()
                .filter_map(|closer| probe(closer, true))
                .find(|scan| scan.end_seen || scan.elements > before)
        }
        None => None,
    };
    match accepted {
        Some(Scan { html: mut rewritten, found, end_seen, .. }) => {
            out.record_raw(offset, found);
            if !end_seen {
                // Inside raw text the marker stayed as text: take it off again.
                let marker = format!("<{END_OF_BLOCK}>");
                if rewritten.ends_with(&marker) {
                    rewritten.truncate(rewritten.len() - marker.len());
                }
            }
            rewritten
        }
        None => rewrite_raw_html(html, offset, links, out).into_string(),
    }
}

/// Whether raw HTML may carry a URL attribute: `href`, `src` or `action`.
fn has_url_attribute(html: &str) -> bool {
    let bytes = html.as_bytes();
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w.eq_ignore_ascii_case(name));
    has(b"href") || has(b"src") || has(b"action") || has(b"<object")
}

/// What [`scan_raw_html`] also watches for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Nothing.
    None,
    /// The [`END_OF_BLOCK`] marker, which it removes.
    End,
    /// The marker, and how many elements start.
    EndAndCount,
}

/// What lol_html made of a piece of raw HTML.
struct Scan {
    /// The rewritten HTML.
    html: String,
    /// The URLs found.
    found: Found,
    /// Whether the [`END_OF_BLOCK`] marker was read as an element.
    end_seen: bool,
    /// How many elements started, when counted.
    elements: usize,
}

/// Sends `href`/`src`/`action` attributes in raw HTML through the link
/// policy. Affiliate links get their `rel`; unsafe URLs become `#`.
/// `None` when lol_html gives up (memory limits).
fn scan_raw_html(html: &str, links: &LinkPolicy, probe: Probe) -> Option<Scan> {
    let found = std::cell::RefCell::new(Found::new());
    let end_seen = std::cell::Cell::new(false);
    let elements = std::cell::Cell::new(0);
    // The creator's tag for the Amazon add-to-cart form being read, if one
    // is open, and whether a tag field of the form carries it now.
    let cart_tag: std::rc::Rc<std::cell::RefCell<Option<(String, bool)>>> = Default::default();
    let handle =
        |el: &mut lol_html::html_content::Element<'_, '_>, attribute: &str, is_link: bool| -> lol_html::HandlerResult {
            let Some(raw) = el.get_attribute(attribute) else { return Ok(()) };
            // `&#106;avascript:` is `javascript:` to a browser.
            let value = crate::html::attributes::decode(&raw);
            match links.route(&value) {
                Ok(link) => {
                    let link = Link { href: link.href.into_owned().into(), ..link };
                    if link.href != value {
                        // lol_html escapes the quotes, not the `&`.
                        el.set_attribute(attribute, &link.href.replace('&', "&amp;"))?;
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
    let mut settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("a[href], area[href]", |el| handle(el, "href", true)))
        .append_element_content_handler(lol_html::element!(
            "img[src], iframe[src], source[src], video[src], audio[src], embed[src]",
            |el| handle(el, "src", false)
        ))
        .append_element_content_handler(lol_html::element!(r"[xlink\:href]", |el| handle(el, "xlink:href", true)))
        .append_element_content_handler(lol_html::element!("button[formaction], input[formaction]", |el| {
            handle(el, "formaction", true)
        }))
        .append_element_content_handler(lol_html::element!("object[data]", |el| handle(el, "data", false)))
        .append_element_content_handler(lol_html::element!("form[action]", |el| {
            handle(el, "action", false)?;
            // A form sent with GET drops the query of its `action`: the
            // tag goes into the form as a field of its own, in place of
            // any tag field it had.
            let posted = el.get_attribute("method").is_some_and(|m| m.trim().eq_ignore_ascii_case("post"));
            let action = crate::html::attributes::decode(&el.get_attribute("action").unwrap_or_default()).into_owned();
            let tag = url::Url::parse(&action).ok().and_then(|url| {
                url.query_pairs().find(|(key, _)| key == "AssociateTag").map(|(_, tag)| tag.into_owned())
            });
            if let Some(tag) = tag.filter(|_| !posted && el.can_have_content()) {
                *cart_tag.borrow_mut() = Some((tag, false));
                let cart_tag = cart_tag.clone();
                el.on_end_tag(Box::new(move |end| {
                    if let Some((tag, false)) = cart_tag.borrow_mut().take() {
                        let field = format!(
                            "<input type=\"hidden\" name=\"AssociateTag\" value=\"{}\">",
                            crate::html::escape_attr(&tag)
                        );
                        end.before(&field, lol_html::html_content::ContentType::Html);
                    }
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_element_content_handler(lol_html::element!("input[name]", |el| {
            let is_tag = el.get_attribute("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("AssociateTag"));
            if is_tag && let Some((tag, replaced)) = cart_tag.borrow_mut().as_mut() {
                el.set_attribute("value", tag)?;
                *replaced = true;
            }
            Ok(())
        }));
    if probe != Probe::None {
        settings = settings.append_element_content_handler(lol_html::element!(END_OF_BLOCK, |el| {
            end_seen.set(true);
            el.remove();
            Ok(())
        }));
    }
    if probe == Probe::EndAndCount {
        settings = settings.append_element_content_handler(lol_html::element!("*", |_| {
            elements.set(elements.get() + 1);
            Ok(())
        }));
    }
    let html = lol_html::rewrite_str(html, settings).ok()?;
    Some(Scan { html, found: found.into_inner(), end_seen: end_seen.get(), elements: elements.get() })
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

/// The heading ids of one page. A heading's id is its custom `{#id}` or its
/// slug, followed by `-1`, `-2`… when already taken: the first free one.
#[derive(Debug, Default)]
struct HeadingIds {
    /// Every id given so far.
    used: HashSet<String>,
    /// For each base that was taken, the suffix to try next. Ids are never
    /// given back, so every suffix below it is still taken: starting there
    /// gives the same id as counting from 1, without counting from 1 on
    /// every repeat of a heading.
    next_suffix: HashMap<String, usize>,
    /// Ids tried, to check in tests that the work is linear.
    #[cfg(test)]
    tried: usize,
}

impl HeadingIds {
    fn unique(&mut self, custom: Option<&str>, text: &str, slugs: SlugMode) -> String {
        let base = match custom {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => {
                let slug = slugify(text, slugs);
                if slug.is_empty() { "section".to_owned() } else { slug }
            }
        };
        if self.try_id(&base) {
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
        let id = loop {
            let id = format!("{base}-{n}");
            n += 1;
            if self.try_id(&id) {
                break id;
            }
        };
        self.next_suffix.insert(base, n);
        id
    }

    /// Takes `id` if it is free.
    fn try_id(&mut self, id: &str) -> bool {
        #[cfg(test)]
        {
            self.tried += 1;
        }
        if self.used.contains(id) {
            return false;
        }
        self.used.insert(id.to_owned());
        true
    }
}

/// Where the first Markdown link `[text](url)` of an HTML block's text is:
/// outside tags, as CommonMark leaves it as text there.
fn markdown_link_in_html(html: &str) -> Option<usize> {
    let mut in_tag = false;
    for (at, c) in html.char_indices() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '[' if !in_tag => {
                let rest = &html[at..];
                let close = rest.find("](")?;
                let text = &rest[1..close];
                let target = &rest[close + 2..];
                if !text.is_empty()
                    && !text.contains(['[', '<', '\n'])
                    && target.find(')').is_some_and(|e| e > 0 && !target[..e].contains([' ', '<', '\n']))
                {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The id kramdown (Jekyll's Markdown) gives a heading: leading non-letters
/// dropped, then everything but ASCII letters, digits, spaces and hyphens,
/// spaces as hyphens, lower case.
pub fn kramdown_id(text: &str) -> String {
    let start = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    text[start..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-'))
        .map(|c| if c == ' ' { '-' } else { c.to_ascii_lowercase() })
        .collect()
}

/// The id GitHub gives a heading, as kramdown's GFM reader (Jekyll's
/// default) does too: lower case, everything but letters, marks, digits,
/// `_`, `-` and spaces dropped, each space a hyphen (`What's New?` →
/// `whats-new`, `Café` → `café`).
pub fn gfm_id(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|&c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '\t') || crate::content::slugs::is_mark(c))
        .map(|c| if matches!(c, ' ' | '\t') { '-' } else { c })
        .collect()
}

fn count_words(text: &str) -> usize {
    if text.is_ascii() {
        // The words `split_whitespace` finds, counted by where they start.
        let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
        let previous = std::iter::once(b' ').chain(text.bytes());
        return text.bytes().zip(previous).filter(|&(b, before)| !space(b) && space(before)).count();
    }
    count_words_unicode(text)
}

fn count_words_unicode(text: &str) -> usize {
    // CJK text has no spaces: each ideograph, kana or hangul syllable counts as a word.
    let is_cjk = |c: char| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF);
    text.split_whitespace()
        .map(|word| {
            if word.is_ascii() {
                return 1;
            }
            let cjk = word.chars().filter(|c| is_cjk(*c)).count();
            let other = word.chars().any(|c| !is_cjk(c) && c.is_alphanumeric());
            cjk + usize::from(other || cjk == 0)
        })
        .sum()
}

fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(body: &str) -> Rendered {
        render(body, &LinkPolicy::default(), SlugMode::Transliterate)
    }

    #[test]
    fn ascii_words_are_counted_as_in_any_text() {
        for text in ["", " ", "one", " two  words ", "a\tb\nc\x0bd\x0ce\rf", "--- ! 42 x.y", "  trailing\n"] {
            assert_eq!(count_words(text), count_words_unicode(text), "{text:?}");
        }
        assert_eq!(count_words("I use the mount every day."), 6);
        assert_eq!(count_words("我喜欢 this 相机"), 6);
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

    /// Counting suffixes up from 1 on every repeat gave these ids; the
    /// per-base counter must give the same, whatever the mix.
    #[test]
    fn heading_ids_are_those_of_counting_from_one() {
        fn counted(headings: &[(Option<&str>, &str)]) -> Vec<String> {
            let mut used = HashSet::new();
            headings
                .iter()
                .map(|&(custom, text)| {
                    let base = match custom {
                        Some(id) if !id.is_empty() => id.to_owned(),
                        _ => Some(slugify(text, SlugMode::Transliterate))
                            .filter(|s| !s.is_empty())
                            .unwrap_or("section".into()),
                    };
                    let (mut id, mut n) = (base.clone(), 1);
                    while !used.insert(id.clone()) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    id
                })
                .collect()
        }
        let headings: Vec<(Option<&str>, &str)> = vec![
            (None, "A"),
            (Some("a-2"), "x"),
            (None, "A"),
            (None, "A 1"),
            (None, "A"),
            (None, "A"),
            (Some("a-5"), "y"),
            (None, "A"),
            (None, "A-1"),
            (None, "!!"),
            (None, "!!"),
            (Some("section-1"), "z"),
            (None, "!!"),
            (None, "A 1"),
            (Some("a"), "w"),
        ];
        let mut ids = HeadingIds::default();
        let got: Vec<String> = headings.iter().map(|&(c, t)| ids.unique(c, t, SlugMode::Transliterate)).collect();
        assert_eq!(got, counted(&headings));
    }

    #[test]
    fn many_identical_headings_get_the_same_ids_in_linear_work() {
        let n = 20_000;
        let r = md(&"## Same\n\n".repeat(n));
        let ids: Vec<&str> = r.toc.iter().map(|h| h.id.as_str()).collect();
        let expected: Vec<String> =
            std::iter::once("same".to_owned()).chain((1..n).map(|i| format!("same-{i}"))).collect();
        assert_eq!(ids, expected);
        assert!(
            r.html.ends_with(&format!("<h2 id=\"same-{}\">Same</h2>\n", n - 1)),
            "{}",
            &r.html[r.html.len() - 60..]
        );
        // Counting from 1 each time tries n²/2 ids; the counter tries each once more than the base.
        let mut ids = HeadingIds::default();
        for _ in 0..n {
            ids.unique(None, "Same", SlugMode::Transliterate);
        }
        assert_eq!(ids.tried, 2 * n - 1);
    }

    #[test]
    fn reference_links_are_reported_on_their_own_definition() {
        let n = 10_000;
        let mut body: String = (0..n).map(|i| format!("[l{i}][r{i}] ")).collect();
        body.push_str("\n\n");
        for i in 0..n {
            body.push_str(&format!("[r{i}]: javascript:alert({i})\n"));
        }
        let r = md(&body);
        assert_eq!(r.problems.len(), n);
        for (i, problem) in r.problems.iter().enumerate() {
            let definition = body.find(&format!("\n[r{i}]: ")).unwrap() + 1;
            assert_eq!(problem.offset, definition + format!("[r{i}]: ").len(), "link {i}");
        }
        // A definition written another way: its start.
        let body = "[a][r]\n\n[r]:\n  javascript:x\n";
        assert_eq!(md(body).problems[0].offset, body.find("[r]:").unwrap());
    }

    #[test]
    fn amazon_ad_widgets_are_amazon_affiliate_content() {
        let r = render(
            "<iframe src=\"//ws-na.amazon-adsystem.com/widgets/q?tracking_id=mia-20\"></iframe>\n",
            &amazon(),
            SlugMode::Transliterate,
        );
        assert!(r.has_affiliate && r.statements.contains(&crate::links::Statement::Amazon));
        let r = render(
            "<iframe src=\"https://www.youtube-nocookie.com/embed/x\"></iframe>\n",
            &amazon(),
            SlugMode::Transliterate,
        );
        assert!(!r.has_affiliate);
    }

    #[test]
    fn links_in_forms_frames_and_svg_are_tagged_and_need_the_disclosure() {
        let render_html = |html: &str| render(html, &amazon(), SlugMode::Transliterate);
        for html in [
            "<svg><a xlink:href=\"https://www.amazon.com/dp/B06XCKGLTP\"><text>Buy</text></a></svg>\n",
            "<form><button formaction=\"https://www.amazon.com/dp/B06XCKGLTP\">Buy</button></form>\n",
            "<object data=\"https://www.amazon.com/dp/B06XCKGLTP\"></object>\n",
            "<form method=\"post\" action=\"https://www.amazon.com/gp/aws/cart/add.html\"><input name=\"ASIN.1\" value=\"B06XCKGLTP\"></form>\n",
        ] {
            let r = render_html(html);
            assert!(r.has_affiliate && r.statements.contains(&crate::links::Statement::Amazon), "{html}");
            assert!(r.html.contains("B06XCKGLTP?tag=mia-20") || r.html.contains("AssociateTag=mia-20"), "{}", r.html);
        }
        // A form sent with GET loses its action's query: the tag is a field of its own.
        let cart = "<form method=\"GET\" action=\"https://www.amazon.com/gp/aws/cart/add.html\">\n\
                    <input type=\"hidden\" name=\"ASIN.1\" value=\"B06XCKGLTP\"><input type=\"submit\" value=\"Add\">\n</form>\n";
        let r = render_html(cart);
        assert!(r.html.contains("<input type=\"hidden\" name=\"AssociateTag\" value=\"mia-20\"></form>"), "{}", r.html);
        let foreign = cart.replace(
            "<input type=\"submit\"",
            "<input type=\"hidden\" name=\"associatetag\" value=\"someone-20\"><input type=\"submit\"",
        );
        let r = render_html(&foreign);
        assert!(r.html.contains("name=\"associatetag\" value=\"mia-20\""), "{}", r.html);
        assert!(!r.html.contains("name=\"AssociateTag\""), "one tag field: {}", r.html);
        assert!(!r.html.contains("someone-20"), "{}", r.html);
    }

    #[test]
    fn markdown_links_inside_html_blocks_are_found() {
        let r = render(
            "<div class=\"x\">\nSee [the mic](https://amazon.com/dp/B06XCKGLTP).\n</div>\n\n[fine](/y/)\n",
            &amazon(),
            SlugMode::Transliterate,
        );
        assert_eq!(r.markdown_in_html, [20]);
        let r = render("<div>\n<a href=\"/x\">[not]</a> a[0](1 2)\n</div>\n", &amazon(), SlugMode::Transliterate);
        assert!(r.markdown_in_html.is_empty());
    }

    #[test]
    fn links_to_kramdown_heading_ids_find_their_heading() {
        let body = "See [x](#measuring-impact-on-analyticsusagov).\n\n## Measuring impact on analytics.usa.gov\n\n## 2. Other\n";
        let r = render(body, &amazon(), SlugMode::Transliterate);
        assert!(r.html.contains("<a id=\"measuring-impact-on-analyticsusagov\"></a>"), "{}", r.html);
        // Only where a link asks for it.
        assert!(!r.html.contains("<a id=\"other\">"), "{}", r.html);
        assert_eq!(kramdown_id("2. Other: C++ & more"), "other-c--more");
        assert_eq!(gfm_id("2. Other: C++ & more"), "2-other-c--more");
        assert_eq!(gfm_id("What's New?"), "whats-new");
        assert_eq!(gfm_id("Café_au lait"), "café_au-lait");
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
        assert!(r.has_affiliate && r.statements.contains(&crate::links::Statement::Amazon));
        assert!(r.problems.is_empty());
    }

    #[test]
    fn bare_addresses_become_links_as_on_github_and_in_hexo() {
        let body = "Buy it: https://www.amazon.com/Some_Name/dp/B06XCKGLTP/ref=sr_1_3?keywords=x&qid=1.\n\n\
Or www.example.com/a_b, write to me@example.com (see https://en.wikipedia.org/wiki/Link_(film)).\n\n\
# Shop at WWW.AMAZON.CO.UK/dp/B000000002\n\n\
`https://code.example` [https://text.example](https://dest.example) <https://auto.example/> \
<a href=\"https://raw.example\">https://inside.example</a> ![https://alt.example](/a.png) \
<code>https://code.example/raw</code> <KBD>www.kbd.example</KBD> <br/>https://after-br.example \
ftp://files.example example.org xhttps://glued.example\n\n\
Quoted \"https://quoted.example/a\", \"http://\" alone, https://github.com/o/r/compare/1.0...2.0 and \
https://apostrophe.example/it's.\n\n\
Escaped https://esc.example/a\\_b and https://ent.example/?a=1&amp;b=2\n\n\
请访问https://hexo.io。谢谢（https://zh.example/x）和「https://zh.example/y」”https://q.example/z”\n\n\
```\nhttps://block.example\n```\n\n    https://indented.example\n";
        let r = render(body, &amazon(), SlugMode::Transliterate);
        let links: Vec<&str> =
            r.html.split("<a href=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
        assert_eq!(
            links,
            [
                "https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20",
                "http://www.example.com/a_b",
                "mailto:me@example.com",
                "https://en.wikipedia.org/wiki/Link_(film)",
                // No tag for that store: left as written, and reported below.
                "http://WWW.AMAZON.CO.UK/dp/B000000002",
                "https://dest.example",
                "https://auto.example/",
                "https://raw.example",
                "https://after-br.example",
                "https://quoted.example/a",
                "https://github.com/o/r/compare/1.0...2.0",
                "https://apostrophe.example/it&#39;s",
                // An escape and an entity stand for what they mean.
                "https://esc.example/a_b",
                "https://ent.example/?a=1&amp;b=2",
                // Chinese punctuation and typed quotes end an address, with no space before them.
                "https://hexo.io",
                "https://zh.example/x",
                "https://zh.example/y",
                "https://q.example/z",
            ],
            "{}",
            r.html
        );
        // The text shows the address as written; the sentence's full stop and bracket stay outside.
        assert!(r.html.contains("ref=sr_1_3?keywords=x&amp;qid=1</a>.</p>"), "{}", r.html);
        assert!(r.html.contains("Link_(film)</a>).</p>"), "{}", r.html);
        // Read as written: typographic quotes around an address stay outside it, dots stay dots.
        assert!(r.html.contains("“<a href=\"https://quoted.example/a\">https://quoted.example/a</a>”"), "{}", r.html);
        assert!(r.html.contains("compare/1.0...2.0</a> and"), "{}", r.html);
        assert!(r.html.contains(">https://apostrophe.example/it's</a>.</p>"), "{}", r.html);
        assert!(r.html.contains("<h1 id=\"shop-at-www-amazon-co-uk-dp-b000000002\">"), "{}", r.html);
        assert!(r.has_affiliate);
        // Reported where it is written: the store has no tag, so the creator hears of it there.
        let missing: Vec<usize> = r.notes.iter().map(|n| n.offset).collect();
        assert_eq!(missing, [body.find("WWW.AMAZON.CO.UK").unwrap()], "{:?}", r.notes);
    }

    #[test]
    fn line_breaks_inside_a_paragraph_are_kept_when_asked() {
        let body = "One\ntwo  \nthree\n\n# A\n";
        let vars = tags::Variables::default();
        let joined = render_post(body, &LinkPolicy::default(), SlugMode::Transliterate, false, &vars);
        assert_eq!(joined.html, "<p>One\ntwo<br />\nthree</p>\n<h1 id=\"a\">A</h1>\n");
        let kept = render_post(body, &LinkPolicy::default(), SlugMode::Transliterate, true, &vars);
        assert_eq!(kept.html, "<p>One<br />\ntwo<br />\nthree</p>\n<h1 id=\"a\">A</h1>\n");
        assert_eq!(kept.first_paragraph, "One two three");
    }

    #[test]
    fn kramdown_attribute_lists_apply_to_their_elements() {
        let body = "1. TOC\n{:toc}\n\n# Gear\n{: #gear .wide}\n\n## Lamp\n\n### Not listed\n{:.no_toc}\n\n\
            Buy [it](https://www.amazon.com/dp/B08N5WRWNW){:target=\"_blank\" rel=\"dofollow\" href=\"https://x.example\"} \
            or *not*{: .muted}, ![A lamp](/lamp.png \"Lit\"){: .left width=\"200\"} `x<y`{: .k}.\n{: .buy}\n\n\
            {: .intro}\n> Quoted\n\n* a\n* b\n{: .checks}\n\n5. five\n{: #five}\n\n~~~\nputs 1\n~~~\n{: .language-ruby .wide}\n\n\
            <div>raw</div>\n{: .ignored}\n\ntext {: .stray}\n";
        let vars = tags::Variables::default();
        let r = render_post(body, &amazon(), SlugMode::Transliterate, false, &vars);
        let html = &r.html;
        // The table of contents, numbered as its list was, without `no_toc` headings.
        assert!(
            html.starts_with(
                "<ol id=\"markdown-toc\">\n<li><a href=\"#gear\" id=\"markdown-toc-gear\">Gear</a>\n<ol>\n\
                 <li><a href=\"#lamp\" id=\"markdown-toc-lamp\">Lamp</a></li>\n</ol>\n</li>\n</ol>\n"
            ),
            "{html}"
        );
        assert!(html.contains("<h1 id=\"gear\" class=\"wide\">Gear</h1>"), "{html}");
        assert_eq!(r.toc.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["gear", "lamp"]);
        // A link keeps the policy's URL and rel: a list may not change them.
        assert!(
            html.contains(
                "<p class=\"buy\">Buy <a href=\"https://www.amazon.com/dp/B08N5WRWNW?tag=mia-20\" rel=\"sponsored nofollow noopener\" target=\"_blank\">it</a>"
            ),
            "{html}"
        );
        assert!(html.contains("or <em class=\"muted\">not</em>,"), "{html}");
        assert!(
            html.contains("<img src=\"/lamp.png\" alt=\"A lamp\" title=\"Lit\" class=\"left\" width=\"200\" />"),
            "{html}"
        );
        assert!(html.contains("<code class=\"k\">x&lt;y</code>."), "{html}");
        assert!(html.contains("<blockquote class=\"intro\">\n<p>Quoted</p>"), "{html}");
        assert!(html.contains("<ul class=\"checks\">\n<li>a</li>"), "{html}");
        assert!(html.contains("<ol start=\"5\" id=\"five\">\n<li>five</li>"), "{html}");
        assert!(html.contains("<pre class=\"wide\"><code class=\"language-ruby\">puts 1\n</code></pre>"), "{html}");
        // Not applied to raw HTML, nor to the block before it; after plain text it is text.
        assert!(html.contains("<div>raw</div>\n<p>text {: .stray}</p>"), "{html}");
        assert!(!html.contains("ignored") && !html.contains('\u{E001}'), "{html}");
        assert!(r.unsupported.is_empty(), "{:?}", r.unsupported);
        // Indented four spaces it is text of the paragraph (applied to nothing, not shown), or code.
        let indented =
            render_post("Para\n    {: .nope}\n\n    code {:.x}\n", &amazon(), SlugMode::Transliterate, false, &vars);
        assert_eq!(indented.html, "<p>Para\n</p>\n<pre><code>code {:.x}\n</code></pre>\n");
    }

    #[test]
    fn a_jekyll_themes_boxes_of_text_become_callouts() {
        let body = "**Note:** check the size first.\n{: .notice--info}\n\n\
            > Unplug it before you clean it.\n{: .prompt-warning }\n\n\
            Plain box.\n{: .notice}\n\n\
            Both.\n{: .notice .notice--danger role=\"alert\"}\n\n\
            Not a box.\n{: .notice-info .lead}\n";
        let vars = tags::Variables::default();
        let html = render_post(body, &amazon(), SlugMode::Transliterate, false, &vars).html;
        for expected in [
            "<p class=\"notice--info callout callout-info\" role=\"note\"><strong>Note:</strong> check the size first.</p>",
            "<blockquote class=\"prompt-warning callout callout-warning\" role=\"note\">\n<p>Unplug it",
            "<p class=\"notice callout callout-default\" role=\"note\">Plain box.</p>",
            // The most telling kind wins; a role the post sets is kept.
            "<p class=\"notice notice--danger callout callout-danger\" role=\"alert\">Both.</p>",
            "<p class=\"notice-info lead\">Not a box.</p>",
        ] {
            assert!(html.contains(expected), "{expected}\n{html}");
        }
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
    fn references_in_raw_html_are_read_as_a_browser_reads_them() {
        // Each of these is `javascript:` to a browser, and was written unflagged.
        for href in [
            "&#106avascript:alert(1)",
            "javascript&colon;alert(1)",
            "java&Tab;script:alert(1)",
            "&#0000000106;avascript:x",
        ] {
            let body = format!("<a href=\"{href}\">x</a>\n");
            let r = render(&body, &amazon(), SlugMode::Transliterate);
            assert_eq!(r.problems.len(), 1, "{href}: {:?}", r.problems);
            assert!(r.html.contains("href=\"#\""), "{href}: {}", r.html);
        }
        // Once panicked: a reference-like run longer than 12 bytes ending in a multi-byte character.
        let r = render("<a href=\"&aaaaaaaaaa\u{e9};\">x</a>", &amazon(), SlugMode::Transliterate);
        assert!(r.problems.is_empty());
        // A rewritten URL's `&` is escaped for the attribute.
        let r = render(
            "<a href=\"https://amazon.com/dp/B06XCKGLTP?th=1&amp;psc=1\">x</a>",
            &amazon(),
            SlugMode::Transliterate,
        );
        assert!(
            r.html.contains("href=\"https://www.amazon.com/dp/B06XCKGLTP?th=1&amp;psc=1&amp;tag=mia-20\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn every_url_attribute_in_raw_html_is_checked() {
        for body in
            ["<form action=\"javascript:x\"></form>", "<img src = \"javascript:x\">", "<A HREF='javascript:x'>a</A>"]
        {
            let r = render(body, &amazon(), SlugMode::Transliterate);
            assert_eq!(r.problems.len(), 1, "{body}: {}", r.html);
        }
    }

    #[test]
    fn a_tag_left_open_by_an_html_block_is_closed_and_checked() {
        // The browser would read the paragraph's `"` as the end of this href.
        let body = "<div><a href=\"javascript:alert(1)//\n\nx <span class=\"a\">y</span>\n";
        let r = render(body, &amazon(), SlugMode::Transliterate);
        assert_eq!(r.problems.len(), 1, "{}", r.html);
        assert!(!r.html.contains("javascript"), "{}", r.html);
        // Found by fuzzing: the value is closed but the tag is not, so the
        // marker's own `>` completed it; ` name:` is a scheme to a browser.
        let r = render("<iframe src=\" name: x\nb\" e [d\n\n## h\n", &amazon(), SlugMode::Transliterate);
        assert_eq!(r.problems.len(), 1, "{}", r.html);
        assert!(r.html.starts_with("<iframe src=\"#\""), "{}", r.html);
        // An unquoted value, and a tag whose attributes would come from the next paragraph.
        let r = render("<div><a href=javascript:alert(1)//\n\nnext>", &amazon(), SlugMode::Transliterate);
        assert_eq!(r.problems.len(), 1, "{}", r.html);
        let r = render("<div><a\n\nhref=javascript:alert(1)>x\n", &amazon(), SlugMode::Transliterate);
        assert!(r.html.starts_with("<div><a\n>\n<p>"), "{}", r.html);
        // A tag whose element holds raw text: closed, and its URL checked.
        let r = render("<iframe src=\"x\ndate: 1\n\nnext \"", &amazon(), SlugMode::Transliterate);
        assert_eq!(r.problems.len(), 1, "{}", r.html);
        assert!(r.html.starts_with("<iframe src=\"#\">"), "{}", r.html);
        // A block that ends inside a comment or a script is left alone.
        let r = render("> <!-- note\n\nafter\n", &amazon(), SlugMode::Transliterate);
        assert!(r.html.contains("after"), "{}", r.html);
        let r = md("<div>\n<p>fine</p>\n</div>\n\ntext\n");
        assert!(r.html.starts_with("<div>\n<p>fine</p>\n</div>\n<p>text</p>"), "{}", r.html);
    }

    #[test]
    fn offsets_after_a_short_shortcode_point_into_the_body() {
        // `{{a()}}` is shorter than its marker, which moved later offsets.
        let body = "{{a()}}\n\n[x](javascript:1)\n";
        let r = md(body);
        assert_eq!(r.problems[0].offset, body.find("[x]").unwrap());
    }

    #[test]
    fn foreign_tags_are_replaced_with_a_note() {
        let r = render("[x](https://www.amazon.com/dp/B06XCKGLTP?tag=other-20)", &amazon(), SlugMode::Transliterate);
        assert!(r.html.contains("tag=mia-20"), "{}", r.html);
        assert_eq!(r.notes.len(), 1);
        assert_eq!(r.notes[0].warning.code().as_str(), "foreign-tag-replaced");
    }

    #[test]
    fn root_relative_links_follow_the_sub_path() {
        let policy = LinkPolicy { base_path: "/shop".into(), ..Default::default() };
        let r = render("[x](/posts/a/) ![i](/images/a.png)", &policy, SlugMode::Transliterate);
        assert!(r.html.contains("href=\"/shop/posts/a/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/shop/images/a.png\""), "{}", r.html);
    }

    #[test]
    fn the_more_marker_is_read_in_any_spacing() {
        for marker in ["<!-- more -->", "<!--more-->", "<!--  more  -->", "<!--\nmore\n-->", "<!--more -->"] {
            let body = format!("Intro.\n\n{marker}\n\nRest");
            assert_eq!(excerpt(&body), Some("Intro.\n\n"), "{marker:?}");
        }
        for not in ["<!-- more than that -->", "<!-- moreover -->", "<!-- comment -->", "<!- more -->"] {
            assert_eq!(excerpt(&format!("Intro.\n\n{not}\n\nRest")), None, "{not:?}");
        }
        assert_eq!(excerpt("A <!-- x --> B <!--more--> C"), Some("A <!-- x --> B "));
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
