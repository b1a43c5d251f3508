//! kramdown's attribute lists, as posts written for Jekyll use them:
//! `{: .notice}` under a paragraph, `{: #setup}` under a heading,
//! `[a link](…){:target="_blank"}`, `![a photo](…){: .align-left}`, and
//! `* TOC` + `{:toc}` for a table of contents.
//!
//! [`super::tags`] finds them before Markdown is parsed and leaves a mark
//! in their place (`<!--\u{E001}N-->`, the `N`th [`Kramdown`]); the
//! renderer applies each to the element it belongs to. A heading's list
//! becomes pulldown-cmark's own `{#id .class}` on the heading's line.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::Heading;

/// What one attribute list asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kramdown {
    /// `{: …}` on a line of its own.
    Block {
        /// What it sets.
        attributes: Attributes,
        /// For the block after it (the list follows a blank line), not the one before.
        next: bool,
    },
    /// `{: …}` directly after a link, an image, emphasis or a code span.
    Span(Attributes),
    /// `{:toc}` under a one-item list: the table of contents.
    Toc {
        /// Numbered, as the list it replaces was (`1. TOC`).
        ordered: bool,
    },
}

/// `#id`, `.class` and `name="value"`, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `#id`, or `id="…"`.
    pub id: Option<String>,
    /// `.class`, or `class="…"`, in order.
    pub classes: Vec<String>,
    /// Any other `name="value"`, names in lower case.
    pub pairs: Vec<(String, String)>,
}

/// Attributes an attribute list may not set: the link policy decides
/// every URL and `rel` of a page, and event handlers are not styling.
const NOT_SET: [&str; 17] = [
    "href",
    "src",
    "srcset",
    "rel",
    "action",
    "formaction",
    "poster",
    "data",
    "ping",
    "background",
    "cite",
    "srcdoc",
    "xlink:href",
    "longdesc",
    "manifest",
    "usemap",
    "codebase",
];

/// The callout kind (as Hexo's `{% note %}` has them) of a class that
/// Jekyll themes style as a box of text: Minimal Mistakes' `.notice` and
/// `.notice--info`, Chirpy's `.prompt-tip`, Bootstrap's `.alert-warning`.
fn callout_kind(class: &str) -> Option<&'static str> {
    match class {
        "notice" | "alert-secondary" | "alert-light" => Some("default"),
        "notice--primary" | "notice--info" | "prompt-info" | "alert-primary" | "alert-info" => Some("info"),
        "notice--success" | "prompt-tip" | "alert-success" => Some("success"),
        "notice--warning" | "prompt-warning" | "alert-warning" => Some("warning"),
        "notice--danger" | "prompt-danger" | "alert-danger" => Some("danger"),
        _ => None,
    }
}

/// The start of a mark left where an attribute list was.
const MARK: &str = "<!--\u{E001}";

/// The mark for the `n`th attribute list.
pub fn mark(n: usize) -> String {
    format!("{MARK}{n}-->")
}

/// Which attribute list `html` (an HTML event) marks.
pub fn marked(html: &str) -> Option<usize> {
    let rest = html.trim_start().strip_prefix(MARK)?;
    let (n, after) = rest.split_once("-->")?;
    after.trim().is_empty().then(|| n.parse().ok()).flatten()
}

/// Where the table of contents goes, until every heading is known.
pub const TOC_PLACE: &str = "<!--\u{E001}toc-->";

/// `event` without the marks inside its text, HTML or URL: a list written
/// where it applies to nothing (in code, inside a tag or a link's URL). An
/// HTML event that is one whole mark is left for the renderer to apply.
pub fn unmarked(event: Event<'_>) -> Event<'_> {
    fn clean(text: CowStr<'_>, whole_is_kept: bool) -> CowStr<'_> {
        if !text.contains(MARK) || (whole_is_kept && marked(&text).is_some()) {
            return text;
        }
        CowStr::from(without_marks(&text))
    }
    match event {
        Event::Text(text) => Event::Text(clean(text, false)),
        Event::Code(code) => Event::Code(clean(code, false)),
        Event::Html(html) => Event::Html(clean(html, true)),
        Event::InlineHtml(html) => Event::InlineHtml(clean(html, true)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: clean(dest_url, false), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: clean(dest_url, false), title, id })
        }
        other => other,
    }
}

/// `text` without the marks inside it.
fn without_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        rest = rest[at..].find("-->").map_or("", |end| &rest[at + end + 3..]);
    }
    out.push_str(rest);
    out
}

/// A line that is one attribute list or extension: `{: .notice}`,
/// `{:toc}`, `{::options parse_block_html="true" /}`, `{:.no_toc}`,
/// `{:/comment}`.
pub fn is_line(trimmed: &str) -> bool {
    trimmed.starts_with("{:") && trimmed.ends_with('}') && !trimmed[2..trimmed.len() - 1].contains(['{', '}'])
}

/// An attribute list definition, `{:name: .class key="v"}`: its name and list.
pub fn definition(trimmed: &str) -> Option<(&str, &str)> {
    let inner = trimmed.strip_prefix("{:")?.strip_suffix('}')?;
    let (name, list) = inner.split_once(':')?;
    let is_name = name.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'));
    is_name.then_some((name, list))
}

/// The attribute list definitions of `body`, by name: kramdown lets a
/// post use one before it defines it.
pub fn definitions(body: &str) -> HashMap<String, String> {
    body.lines()
        .filter_map(|line| definition(line.trim()))
        .map(|(name, list)| (name.to_owned(), list.to_owned()))
        .collect()
}

/// The attributes of the list `inner` (between `{:` and `}`), with the
/// names of `definitions` it refers to replaced by their lists.
pub fn parse(inner: &str, definitions: &HashMap<String, String>) -> Attributes {
    let mut attributes = Attributes::default();
    parse_into(inner, definitions, &mut attributes, 0);
    attributes
}

fn parse_into(inner: &str, definitions: &HashMap<String, String>, out: &mut Attributes, depth: usize) {
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if rest.starts_with(['.', '#']) {
            // `.a.b#c`: classes and an id, run together.
            for part in run_together(&rest[..word_end]) {
                match part.split_at(1) {
                    (".", class) if !class.is_empty() => out.classes.push(class.to_owned()),
                    ("#", id) if !id.is_empty() => out.id = Some(id.to_owned()),
                    _ => {}
                }
            }
            rest = rest[word_end..].trim_start();
        } else if let Some(eq) = rest.find('=').filter(|&eq| eq < word_end && eq > 0) {
            let name = &rest[..eq];
            let after = &rest[eq + 1..];
            let (value, consumed) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => quoted(&after[1..], q),
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (after[..end].to_owned(), end)
                }
            };
            let name = name.to_ascii_lowercase();
            let allowed = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
                && !name.starts_with("on")
                && !NOT_SET.contains(&name.as_str());
            if name == "id" {
                out.id = Some(value);
            } else if name == "class" {
                out.classes.extend(value.split_whitespace().map(str::to_owned));
            } else if allowed {
                out.pairs.retain(|(n, _)| *n != name);
                out.pairs.push((name, value));
            }
            rest = after[consumed.min(after.len())..].trim_start();
        } else {
            // A reference to a definition: `{: note}` after `{:note: .box}`.
            if let Some(list) = definitions.get(&rest[..word_end]).filter(|_| depth < 4) {
                parse_into(list, definitions, out, depth + 1);
            }
            rest = rest[word_end..].trim_start();
        }
    }
}

/// `.a.b#c` as `[.a, .b, #c]`.
fn run_together(word: &str) -> Vec<&str> {
    let starts: Vec<usize> = word.match_indices(['.', '#']).map(|(i, _)| i).collect();
    starts.iter().enumerate().map(|(n, &at)| &word[at..starts.get(n + 1).copied().unwrap_or(word.len())]).collect()
}

/// The text of a quoted value starting after its quote `q`, with `\q`
/// for the quote, and how many bytes it took with its closing quote.
fn quoted(text: &str, q: char) -> (String, usize) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, next)) if next == q || next == '\\' => value.push(next),
                Some((_, next)) => {
                    value.push('\\');
                    value.push(next);
                }
                None => value.push('\\'),
            },
            c if c == q => return (value, 1 + i + 1),
            c => value.push(c),
        }
    }
    (value, 1 + text.len())
}

impl Attributes {
    /// ` id="…" class="…" name="…"`, escaped, to go inside a start tag.
    pub fn html(&self) -> String {
        let mut out = String::new();
        if let Some(id) = &self.id {
            let _ = write!(out, " id=\"{}\"", crate::html::escape_attr(id));
        }
        if !self.classes.is_empty() {
            let _ = write!(out, " class=\"{}\"", crate::html::escape_attr(&self.classes.join(" ")));
        }
        for (name, value) in &self.pairs {
            let _ = write!(out, " {name}=\"{}\"", crate::html::escape_attr(value));
        }
        out
    }

    /// These attributes, with the bundled themes' callout classes and
    /// `role="note"` added when a class names a Jekyll theme's box of text
    /// ([`callout_kind`]): the box keeps its look in a shopfront theme.
    pub fn with_callout(&self) -> std::borrow::Cow<'_, Self> {
        let kinds: Vec<&str> = self.classes.iter().filter_map(|class| callout_kind(class)).collect();
        let Some(&kind) = kinds.iter().find(|&&kind| kind != "default").or(kinds.first()) else {
            return std::borrow::Cow::Borrowed(self);
        };
        let mut with = self.clone();
        for class in ["callout".to_owned(), format!("callout-{kind}")] {
            if !with.classes.contains(&class) {
                with.classes.push(class);
            }
        }
        if !with.pairs.iter().any(|(name, _)| name == "role") {
            with.pairs.push(("role".to_owned(), "note".to_owned()));
        }
        std::borrow::Cow::Owned(with)
    }

    /// The start tag `tag` (`<a href="…">`) with these attributes added;
    /// a class joins the tag's own, any other attribute it has stays.
    pub fn add_to(&self, tag: &str) -> String {
        let Some(close) = tag.rfind('>') else { return tag.to_owned() };
        let self_closing = tag[..close].trim_end().ends_with('/');
        let end = if self_closing { tag[..close].trim_end().len() - 1 } else { close };
        let mut head = tag[..end].trim_end().to_owned();
        let has = |head: &str, name: &str| head.contains(&format!(" {name}=\""));
        let mut extra = Attributes::default();
        if let Some(id) = &self.id
            && !has(&head, "id")
        {
            extra.id = Some(id.clone());
        }
        if !self.classes.is_empty() {
            let joined = crate::html::escape_attr(&self.classes.join(" "));
            match head.find(" class=\"") {
                Some(at) => head.insert_str(at + 8, &format!("{joined} ")),
                None => extra.classes.clone_from(&self.classes),
            }
        }
        extra.pairs = self.pairs.iter().filter(|(name, _)| !has(&head, name)).cloned().collect();
        head.push_str(&extra.html());
        if self_closing {
            head.push_str(" /");
        }
        head.push_str(&tag[close..]);
        head
    }

    /// The same list as pulldown-cmark reads at a heading's end:
    /// `{#id .class name=value}`. Values with spaces or quotes cannot be
    /// written there and are left out.
    pub fn heading_block(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(id) = &self.id {
            parts.push(format!("#{id}"));
        }
        parts.extend(self.classes.iter().map(|c| format!(".{c}")));
        for (name, value) in &self.pairs {
            if !value.is_empty() && !value.contains(|c: char| c.is_whitespace() || "\"'{}".contains(c)) {
                parts.push(format!("{name}={value}"));
            }
        }
        if parts.is_empty() { String::new() } else { format!(" {{{}}}", parts.join(" ")) }
    }
}

/// Where a line's code spans and HTML tags are, each list in order: no
/// attribute list is read inside them.
pub struct Places {
    code: Vec<Range<usize>>,
    tags: Vec<Range<usize>>,
}

impl Places {
    /// The places of `line`.
    pub fn of(line: &str) -> Self {
        let code = code_spans(line);
        let mut tags: Vec<Range<usize>> = Vec::new();
        for (at, _) in line.match_indices('<') {
            let opens = line[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
            if opens && !within(&code, at) && tags.last().is_none_or(|last| last.end <= at) {
                let end = line[at..].find('>').map_or(line.len(), |e| at + e + 1);
                tags.push(at..end);
            }
        }
        Places { code, tags }
    }
}

/// Whether `at` is inside one of `ranges` (in order, apart).
fn within(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.start <= at)
}

/// Where the next span attribute list in `line` starts and ends, at or
/// after `from`: right after what ends a span element, outside code spans
/// and HTML tags (`places`).
pub fn next_span(line: &str, from: usize, places: &Places) -> Option<Range<usize>> {
    let mut at = from;
    while let Some(found) = line[at..].find("{:") {
        let start = at + found;
        at = start + 2;
        // Right after the end of a link, image, emphasis or code span.
        let after_span = line[..start].ends_with([')', ']', '*', '_', '~'])
            || places.code.binary_search_by_key(&start, |c| c.end).is_ok();
        if !after_span || line[at..].starts_with(':') || within(&places.code, start) || within(&places.tags, start) {
            continue;
        }
        let close = line[at..].find(['{', '}'])?;
        if line.as_bytes()[at + close] == b'}' {
            return Some(start..at + close + 1);
        }
    }
    None
}

/// The code spans of one line: backtick runs paired with the next run of
/// the same length.
fn code_spans(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    if !line.contains('`') {
        return spans;
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let other = bytes[j..].iter().take_while(|&&b| b == b'`').count();
                if other == run {
                    closed = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => {
                spans.push(i..end);
                i = end;
            }
            None => i += run,
        }
    }
    spans
}

/// kramdown's table of contents for `headings`: nested lists of links,
/// `<ul id="markdown-toc">` (`<ol>` when `ordered`).
pub fn toc_html(headings: &[Heading], ordered: bool) -> String {
    let list = if ordered { "ol" } else { "ul" };
    let mut out = format!("<{list} id=\"markdown-toc\">\n");
    // The levels of the lists open, the first being the outermost.
    let mut open: Vec<u8> = Vec::new();
    for heading in headings {
        match open.last() {
            None => open.push(heading.level),
            Some(&last) if heading.level > last => {
                out.push_str(&format!("\n<{list}>\n"));
                open.push(heading.level);
            }
            Some(_) => {
                out.push_str("</li>\n");
                while open.len() > 1 && heading.level < *open.last().unwrap_or(&0) {
                    open.pop();
                    out.push_str(&format!("</{list}>\n</li>\n"));
                }
            }
        }
        let id = crate::html::escape_attr(&heading.id);
        let _ = write!(
            out,
            "<li><a href=\"#{id}\" id=\"markdown-toc-{id}\">{}</a>",
            crate::html::escape_attr(&heading.title)
        );
    }
    if !open.is_empty() {
        out.push_str("</li>\n");
    }
    for _ in 1..open.len() {
        out.push_str(&format!("</{list}>\n</li>\n"));
    }
    out.push_str(&format!("</{list}>\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(inner: &str) -> Attributes {
        parse(inner, &HashMap::new())
    }

    #[test]
    fn lists_read_as_kramdown_reads_them() {
        let a = attrs(" .float-left.padding-right-2 #photo target=\"_blank\" title='It\\'s' data-x=1 ");
        assert_eq!(a.id.as_deref(), Some("photo"));
        assert_eq!(a.classes, ["float-left", "padding-right-2"]);
        assert_eq!(
            a.pairs,
            [("target".into(), "_blank".into()), ("title".into(), "It's".into()), ("data-x".into(), "1".into())]
        );
        // URLs, `rel` and event handlers are the link policy's, not a list's.
        let b = attrs("href=\"https://evil.example\" rel=nofollow onclick=\"x()\" style=\"width: 50%\"");
        assert_eq!(b.pairs, [("style".into(), "width: 50%".into())]);
        // A definition, used by name before or after it.
        let definitions = definitions("{: box}\n\n{:box: .notice #n}\n");
        assert_eq!(parse(" box .wide", &definitions).classes, ["notice", "wide"]);
        assert_eq!(definition("{:toc}"), None);
    }

    #[test]
    fn attributes_join_a_start_tag() {
        let a = attrs(".red target=\"_blank\" title=\"x\"");
        assert_eq!(
            a.add_to("<a href=\"/x\" title=\"kept\">"),
            "<a href=\"/x\" title=\"kept\" class=\"red\" target=\"_blank\">"
        );
        assert_eq!(
            a.add_to("<img src=\"/a.png\" class=\"wide\" />"),
            "<img src=\"/a.png\" class=\"red wide\" target=\"_blank\" title=\"x\" />"
        );
        assert_eq!(attrs("#top .a key=v").heading_block(), " {#top .a key=v}");
        assert_eq!(attrs("title=\"two words\"").heading_block(), "");
        assert_eq!(attrs("#q class=\"a&b\"").html(), " id=\"q\" class=\"a&amp;b\"");
    }

    #[test]
    fn spans_are_found_outside_code() {
        let line = "[a](b){:target=\"_blank\"} `{: .no}` <a title='{: .no}'>**c**{: .red}</a> {::nomarkdown}";
        let places = Places::of(line);
        let first = next_span(line, 0, &places).unwrap();
        assert_eq!(&line[first.clone()], "{:target=\"_blank\"}");
        let second = next_span(line, first.end, &places).unwrap();
        assert_eq!(&line[second.clone()], "{: .red}");
        assert_eq!(next_span(line, second.end, &places), None);
        // A code span's end counts as a span's end; `<` inside one opens no tag.
        let code = "`a<b`{: .k} x";
        assert_eq!(next_span(code, 0, &Places::of(code)), Some(5..11));
        assert_eq!(marked(&mark(12)), Some(12));
        assert_eq!(marked(&format!("{}\n", mark(3))), Some(3));
        assert_eq!(marked("<!-- more -->"), None);
        assert_eq!(without_marks(&format!("<div>{}</div>", mark(1))), "<div></div>");
    }

    #[test]
    fn the_table_of_contents_nests_by_level() {
        let h = |level, id: &str| Heading { level, id: id.into(), title: format!("{id} & co") };
        let html = toc_html(&[h(2, "a"), h(3, "b"), h(4, "c"), h(2, "d"), h(3, "e")], false);
        assert_eq!(
            html,
            "<ul id=\"markdown-toc\">\n<li><a href=\"#a\" id=\"markdown-toc-a\">a &amp; co</a>\n<ul>\n\
             <li><a href=\"#b\" id=\"markdown-toc-b\">b &amp; co</a>\n<ul>\n\
             <li><a href=\"#c\" id=\"markdown-toc-c\">c &amp; co</a></li>\n</ul>\n</li>\n</ul>\n</li>\n\
             <li><a href=\"#d\" id=\"markdown-toc-d\">d &amp; co</a>\n<ul>\n\
             <li><a href=\"#e\" id=\"markdown-toc-e\">e &amp; co</a></li>\n</ul>\n</li>\n</ul>\n"
        );
        assert_eq!(toc_html(&[], true), "<ol id=\"markdown-toc\">\n</ol>\n");
    }
}
