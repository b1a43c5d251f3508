//! Hexo's tag plugins and Jekyll's Liquid, as posts written for those tools
//! use them: `{% highlight ruby %}`, `{% codeblock %}`, `{% raw %}`,
//! `{% blockquote %}`, `{% note %}`, NexT's and Butterfly's `{% tabs %}`,
//! `{% youtube %}`, `{% asset_img %}`,
//! `{{ site.baseurl }}`, `{{ page.title }}`, `{{ "/a.png" | relative_url }}`.
//!
//! Before Markdown is parsed, each tag becomes the Markdown or HTML those
//! tools make of it. Code inside a tag becomes a fenced code block, so
//! neither Markdown nor smart punctuation touch it. A tag shopfront does
//! not know (`{% include %}`, a theme's `{% timeline %}`) is a warning at its
//! line and stays visible as written, in a code span. Every line of the post
//! stays on its line (a note's box adds blank lines inside a line's
//! replacement), so positions in later findings can be mapped back
//! ([`Expanded::original_offset`]). Liquid logic (`assign`, `for`, `if`)
//! runs before all this ([`super::logic`]).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::kramdown::{self, Kramdown};
use super::shortcodes::fence_marker;

/// What the variables of a post mean: `site.NAME` and `page.NAME`.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    /// `baseurl`, `url`, `title`, … of the site.
    pub site: BTreeMap<String, String>,
    /// `title`, `image`, … and the front matter's other values.
    pub page: BTreeMap<String, serde_json::Value>,
}

/// A tag or variable shopfront left as written, at a byte offset of the
/// original body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// Byte offset in the original body.
    pub offset: usize,
    /// What was written.
    pub written: String,
    /// What became of it and why, following the text as written:
    /// "is shown as written: an unknown tag".
    pub why: &'static str,
}

/// A body with its tags expanded.
#[derive(Debug, Clone)]
pub struct Expanded<'a> {
    /// The Markdown to parse.
    pub text: Cow<'a, str>,
    /// Tags and variables left as written.
    pub unsupported: Vec<Unsupported>,
    /// kramdown's attribute lists, each marked in `text` ([`kramdown::mark`]).
    pub kramdown: Vec<Kramdown>,
    /// Where each line of `text` starts, and where its line starts in the
    /// original (a line may stand for two, joined).
    anchors: Option<Vec<(usize, usize)>>,
    /// The body as written.
    body: &'a str,
}

impl Expanded<'_> {
    /// The offset in the original body of `offset` in [`Expanded::text`]:
    /// the same line, the same column or the line's end.
    pub fn original_offset(&self, offset: usize) -> usize {
        let Some(anchors) = &self.anchors else { return offset };
        let line = anchors.partition_point(|&(start, _)| start <= offset).saturating_sub(1);
        let (new_start, original_start) = anchors[line];
        let line_end = anchors.get(line + 1).map_or(usize::MAX, |&(_, next)| next.saturating_sub(1));
        // The lines a stretch of Liquid logic wrote all stand at its start.
        let mut at = (original_start + (offset - new_start)).min(line_end).max(original_start).min(self.body.len());
        // Inside a replacement the column is approximate: never inside a character.
        while !self.body.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

/// Where a link to another post by its file name points until the site
/// knows every post's URL: `/.shopfront-post/NAME` (see
/// [`crate::site`]'s cross-references).
pub const POST_REF: &str = "/.shopfront-post/";

/// Around a post's name where its title belongs (Hexo's `post_link`
/// without a title), until the site knows it.
pub const TITLE_REF: char = '\u{E000}';

/// Block tags whose body is code.
const CODE_BLOCKS: [(&str, &str); 3] =
    [("highlight", "endhighlight"), ("codeblock", "endcodeblock"), ("code", "endcode")];

/// Expands the tags of `body`.
pub fn expand<'a>(body: &'a str, variables: &Variables) -> Expanded<'a> {
    if !body.contains("{%") && !body.contains("{{") && !body.contains("{:") && !body.contains("markdown=") {
        return Expanded {
            text: Cow::Borrowed(body),
            unsupported: Vec::new(),
            kramdown: Vec::new(),
            anchors: None,
            body,
        };
    }
    // Liquid logic runs first, as in Jekyll; what follows reads its output.
    let ran = super::logic::run(body, variables);
    let source = ran.as_ref().map_or(body, |ran| ran.text.as_str());
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut out = Expander {
        variables,
        text: String::with_capacity(source.len() + 64),
        unsupported: Vec::new(),
        anchors: Vec::with_capacity(lines.len()),
        boxes: Vec::new(),
        kramdown: Vec::new(),
        definitions: if source.contains("{:") { kramdown::definitions(source) } else { Default::default() },
        toc: None,
    };
    let mut state = State::Normal;
    let mut offset = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.anchors.push((out.text.len(), offset));
        let ending = &line[line.trim_end_matches(['\n', '\r']).len()..];
        let content = &line[..line.len() - ending.len()];
        let trimmed = content.trim();
        // `{{ site.repository\n}}`, `{% link\nfile.md %}`: continued on the next line, read whole.
        if matches!(state, State::Normal | State::Quote(..))
            && let Some(next) = lines.get(i + 1)
            && continues_variable(content)
        {
            let next_content = next.trim_end_matches(['\n', '\r']);
            // The line break and the indent become as many spaces, so every
            // position in the joined line is the same in the body.
            let gap = line.len() - content.len() + next_content.len() - next_content.trim_start().len();
            let joined = format!("{content}{}{}", " ".repeat(gap), next_content.trim_start());
            let ending = &next[next_content.len()..];
            if let State::Quote(..) = state {
                out.text.push_str("> ");
            }
            out.inline(&joined, offset);
            out.text.push_str(ending);
            offset += line.len() + next.len();
            i += 2;
            continue;
        }
        state = match state {
            State::Fence(c, n) => {
                out.text.push_str(&strip_raw_markers(content));
                let closes = fence_marker(trimmed).is_some_and(|(d, m)| d == c && m >= n)
                    && trimmed.trim_start_matches(c).trim().is_empty();
                if closes { State::Normal } else { State::Fence(c, n) }
            }
            State::Raw => match find_tag(content, "endraw") {
                Some(at) => {
                    out.text.push_str(&content[..at]);
                    let end = content[at..].find("%}").map_or(content.len(), |e| at + e + 2);
                    out.inline(&content[end..], offset + end)
                }
                None => {
                    out.text.push_str(content);
                    State::Raw
                }
            },
            State::Code(end, fence) => {
                if tag_name(trimmed).is_some_and(|(name, _)| name == end) {
                    out.text.push_str(&fence);
                    State::Normal
                } else {
                    out.text.push_str(content);
                    State::Code(end, fence)
                }
            }
            State::Quote(end, ref footer) => {
                if tag_name(trimmed).is_some_and(|(name, _)| name == end) {
                    if !footer.is_empty() {
                        // The attribution is a paragraph of its own, on a line of its own.
                        out.text.push_str(">\n");
                        out.anchors.push((out.text.len(), offset));
                    }
                    out.text.push_str(footer);
                    State::Normal
                } else {
                    out.text.push_str("> ");
                    out.inline(content, offset);
                    state
                }
            }
            State::Comment => {
                if trimmed == "{:/comment}" || trimmed == "{:/}" {
                    State::Normal
                } else {
                    State::Comment
                }
            }
            State::Normal => {
                let next_is_toc = lines.get(i + 1).is_some_and(|next| next.trim() == "{:toc}");
                if let Some(marker) = fence_marker(trimmed).filter(|_| content.len() - content.trim_start().len() < 4) {
                    out.text.push_str(&strip_raw_markers(content));
                    State::Fence(marker.0, marker.1)
                } else if next_is_toc && is_toc_item(trimmed) {
                    // The list kramdown replaces with the table of contents.
                    out.toc = Some(trimmed.starts_with(|c: char| c.is_ascii_digit()));
                    State::Normal
                } else if !out.boxes.is_empty() && out.tab_marker(trimmed) {
                    State::Normal
                } else if kramdown::is_line(trimmed) {
                    let previous = i.checked_sub(1).map(|p| lines[p].trim());
                    out.kramdown_line(content, previous)
                } else if let Some((name, args)) = tag_name(trimmed) {
                    out.block(name, args, content, offset, source, line.len())
                } else if let Some(opening) = markdown_in_html(content) {
                    // kramdown's `<div markdown="1">`: the HTML block ends after its tag, so what follows is Markdown.
                    out.inline(&opening, offset);
                    out.text.push_str(if ending.is_empty() { "\n" } else { ending });
                    out.anchors.push((out.text.len(), offset + line.len()));
                    State::Normal
                } else {
                    out.inline(content, offset)
                }
            }
        };
        out.text.push_str(ending);
        offset += line.len();
        i += 1;
    }
    if let State::Code(_, fence) = state {
        // An unclosed code tag still ends its code at the end of the post.
        out.text.push('\n');
        out.text.push_str(&fence);
    }
    // So does an unclosed note, tab or toggle its box.
    while let Some(open) = out.boxes.pop() {
        out.text.push_str("\n\n");
        out.text.push_str(open.close);
        out.text.push('\n');
    }
    if let Some(ran) = &ran {
        for anchor in &mut out.anchors {
            anchor.1 = ran.original(anchor.1);
        }
        for kept in &mut out.unsupported {
            kept.offset = ran.original(kept.offset);
        }
    }
    Expanded {
        text: Cow::Owned(out.text),
        unsupported: out.unsupported,
        kramdown: out.kramdown,
        anchors: Some(out.anchors),
        body,
    }
}

/// Whether a line ends inside `{{ … }}` or `{% … %}`, the rest on the next line.
fn continues_variable(content: &str) -> bool {
    content.rfind("{{").is_some_and(|open| !content[open..].contains("}}"))
        || content.rfind("{%").is_some_and(|open| !content[open..].contains("%}"))
}

enum State {
    Normal,
    /// Inside fenced code: the delimiter and its length.
    Fence(char, usize),
    /// Inside `{% raw %}`.
    Raw,
    /// Inside a code tag: its end tag and the closing fence.
    Code(&'static str, String),
    /// Inside a quote tag: its end tag and the line that replaces it.
    Quote(&'static str, String),
    /// Inside kramdown's `{::comment}`, which shows nothing.
    Comment,
}

/// A box a block tag opened, around Markdown.
struct OpenBox {
    /// The tag that closes it (`endnote`), or `<!-- endtab -->`'s `endtab`.
    end: &'static str,
    /// The HTML that closes it.
    close: &'static str,
    /// For `{% tabs %}`: its name, the tab shown first (from 1) and the tabs so far.
    tabs: Option<(String, usize, usize)>,
}

struct Expander<'v> {
    variables: &'v Variables,
    text: String,
    unsupported: Vec<Unsupported>,
    /// Where the text after each line start and each replacement begins,
    /// in `text` and in the body as written.
    anchors: Vec<(usize, usize)>,
    /// Boxes that block tags opened (`{% note %}`, `{% tabs %}`…), innermost last.
    boxes: Vec<OpenBox>,
    /// kramdown's attribute lists found so far.
    kramdown: Vec<Kramdown>,
    /// kramdown's attribute list definitions, `{:name: .class}`, by name.
    definitions: std::collections::HashMap<String, String>,
    /// After `* TOC` (`Some(false)`) or `1. TOC` (`Some(true)`), before its `{:toc}`.
    toc: Option<bool>,
}

impl Expander<'_> {
    /// A line that is one tag: a block's start or an inline tag alone.
    fn block(&mut self, name: &str, args: &str, content: &str, offset: usize, body: &str, len: usize) -> State {
        if let Some((_, end)) = CODE_BLOCKS.iter().find(|(start, _)| *start == name) {
            // The code's longest run of backticks decides the fence.
            let rest = &body[offset + len..];
            let code = rest.find(&format!("{{% {end}")).map_or(rest, |at| &rest[..at]);
            let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
            self.text.push_str(&fence);
            self.text.push_str(&code_language(name, args));
            return State::Code(end, fence);
        }
        match name {
            "raw" => {
                let after = &content[content.find("%}").map_or(content.len(), |e| e + 2)..];
                if after.contains("endraw") {
                    return self.inline(content, offset);
                }
                self.text.push_str(after);
                State::Raw
            }
            "blockquote" => {
                let footer = quote_footer(args);
                State::Quote("endblockquote", footer)
            }
            "pullquote" => State::Quote("endpullquote", String::new()),
            // A theme's callout (NexT, Butterfly, Hexo's own site): its
            // Markdown inside a box, after a blank line so it stays Markdown.
            "note" => {
                let open = format!("<div class=\"callout callout-{}\" role=\"note\">\n", note_kind(args));
                self.open_box(&open, "endnote", "</div>", None)
            }
            // NexT's and Butterfly's `{% tabs name[, shown] %}`, its tabs
            // `<!-- tab caption -->`: without scripts, a section each that
            // opens and closes, the one shown first open.
            "tabs" => {
                let (name, shown) = args.rsplit_once(',').map_or((args, ""), |(n, i)| (n, i.trim()));
                let shown = shown.parse().unwrap_or(1);
                self.open_box("<div class=\"tabs\">\n", "endtabs", "</div>", Some((name.trim().to_owned(), shown, 0)))
            }
            // Butterfly's `{% hideToggle title[,bg,color] %}`, `{% hideBlock %}`,
            // Volantis' `{% folding [colour,] title %}`: a section that opens.
            "hideToggle" | "hideBlock" | "folding" => {
                let title = match name {
                    "folding" => args.rsplit(',').next().unwrap_or_default(),
                    _ => args.split(',').next().unwrap_or_default(),
                };
                let title = if title.trim().is_empty() { "…" } else { title.trim() };
                let open = format!("<details class=\"toggle\"><summary>{}</summary>\n", attr(title));
                let end = match name {
                    "hideToggle" => "endhideToggle",
                    "hideBlock" => "endhideBlock",
                    _ => "endfolding",
                };
                self.open_box(&open, end, "</details>", None)
            }
            // NexT's centred quote.
            "cq" => State::Quote("endcq", String::new()),
            "centerquote" => State::Quote("endcenterquote", String::new()),
            end if self.boxes.iter().any(|open| open.end == end) => {
                self.close_box(end);
                State::Normal
            }
            _ => self.inline(content, offset),
        }
    }

    /// Opens a box: `open` (ending in a line break, so that with the
    /// line's own a blank line keeps what follows Markdown) until `end`.
    fn open_box(
        &mut self,
        open: &str,
        end: &'static str,
        close: &'static str,
        tabs: Option<(String, usize, usize)>,
    ) -> State {
        self.text.push_str(open);
        self.boxes.push(OpenBox { end, close, tabs });
        State::Normal
    }

    /// Closes the innermost box `end` ends, and any still open inside it.
    fn close_box(&mut self, end: &str) {
        while let Some(open) = self.boxes.pop() {
            self.text.push('\n');
            self.text.push_str(open.close);
            if open.end == end {
                break;
            }
            self.text.push('\n');
        }
    }

    /// `<!-- tab caption -->` or `<!-- endtab -->` inside `{% tabs %}`; false for any other line.
    fn tab_marker(&mut self, trimmed: &str) -> bool {
        let Some(inner) = trimmed.strip_prefix("<!--").and_then(|t| t.strip_suffix("-->")).map(str::trim) else {
            return false;
        };
        let Some(tabs) = self.boxes.iter().rposition(|open| open.tabs.is_some()) else { return false };
        if inner == "endtab" {
            if self.boxes.last().is_some_and(|open| open.end == "endtab") {
                self.close_box("endtab");
            }
            return true;
        }
        let Some(caption) =
            inner.strip_prefix("tab").filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        else {
            return false;
        };
        // A tab left open closes where the next begins.
        if self.boxes.last().is_some_and(|open| open.end == "endtab") {
            self.close_box("endtab");
            self.text.push('\n');
        }
        let Some((name, shown, count)) = self.boxes[tabs].tabs.as_mut() else { return false };
        *count += 1;
        // `caption @icon`: the icon is the theme's.
        let caption = caption.split('@').next().unwrap_or_default().trim();
        let caption = if caption.is_empty() { format!("{name} {count}") } else { caption.to_owned() };
        let open = if *count == *shown { " open" } else { "" };
        let line = format!("<details class=\"tab\"{open}><summary>{}</summary>\n", attr(&caption));
        self.open_box(&line, "endtab", "</details>", None);
        true
    }

    /// A line that is one kramdown attribute list or extension.
    fn kramdown_line(&mut self, line: &str, previous: Option<&str>) -> State {
        let trimmed = line.trim();
        let inner = &trimmed[2..trimmed.len() - 1];
        if inner.trim() == "toc" {
            if let Some(ordered) = self.toc.take() {
                self.text.push_str(&kramdown::mark(self.kramdown.len()));
                self.kramdown.push(Kramdown::Toc { ordered });
            }
            return State::Normal;
        }
        if let Some(extension) = inner.strip_prefix(':') {
            // `{::comment}` hides what follows up to `{:/comment}`; `{::options … /}` and the like are kramdown's settings.
            let opens = extension.trim_start().starts_with("comment") && !extension.trim_end().ends_with('/');
            return if opens { State::Comment } else { State::Normal };
        }
        // A stray end, or a definition (read before the first line).
        if inner.starts_with('/') || kramdown::definition(trimmed).is_some() {
            return State::Normal;
        }
        let attributes = kramdown::parse(inner, &self.definitions);
        let next = previous.is_none_or(str::is_empty);
        if !next && previous.is_some_and(is_atx_heading) {
            // Written on the heading's line, as pulldown-cmark reads it: `## Setup {#setup .wide}`.
            let block = attributes.heading_block();
            let end = self.text.trim_end_matches(['\n', '\r']).len();
            self.text.insert_str(end, &block);
            if let Some(line) = self.anchors.last_mut() {
                line.0 += block.len();
            }
            return State::Normal;
        }
        // Indented as written: under a list item it belongs to the item, in indented code it is code.
        self.text.push_str(&line[..line.len() - line.trim_start().len()]);
        self.text.push_str(&kramdown::mark(self.kramdown.len()));
        self.kramdown.push(Kramdown::Block { attributes, next });
        State::Normal
    }

    /// Expands the tags and variables within one line of Markdown, and
    /// marks its kramdown span attribute lists.
    fn inline(&mut self, content: &str, offset: usize) -> State {
        let mut rest = content;
        let mut at = offset;
        let places = content.contains("{:").then(|| kramdown::Places::of(content));
        // The next attribute list and the next tag or variable, in `content`:
        // looked for again only once passed, so a long line is read once.
        let next_span = |from: usize| places.as_ref().and_then(|places| kramdown::next_span(content, from, places));
        let find = |from: usize, what: &str| content[from..].find(what).map(|n| from + n);
        let (mut span, mut tag, mut variable) = (next_span(0), find(0, "{%"), find(0, "{{"));
        loop {
            let done = content.len() - rest.len();
            if span.as_ref().is_some_and(|s| s.start < done) {
                span = next_span(done);
            }
            if tag.is_some_and(|t| t < done) {
                tag = find(done, "{%");
            }
            if variable.is_some_and(|v| v < done) {
                variable = find(done, "{{");
            }
            let liquid = [tag, variable].into_iter().flatten().min();
            let span = span.as_ref().map(|r| (r.start - done, r.end - done));
            let next = liquid.map(|l| l - done);
            if let Some((start, end)) = span.filter(|&(start, _)| next.is_none_or(|n| start < n)) {
                self.text.push_str(&rest[..start]);
                let inner = &rest[start + 2..end - 1];
                self.text.push_str(&kramdown::mark(self.kramdown.len()));
                self.kramdown.push(Kramdown::Span(kramdown::parse(inner, &self.definitions)));
                at += end;
                rest = &rest[end..];
                self.anchors.push((self.text.len(), at));
                continue;
            }
            let Some(start) = next else { break };
            let is_tag = rest[start..].starts_with("{%");
            let close = if is_tag { "%}" } else { "}}" };
            let Some(end) = rest[start + 2..].find(close).map(|e| start + 2 + e + 2) else { break };
            self.text.push_str(&rest[..start]);
            let written = &rest[start..end];
            let inner = written[2..written.len() - 2].trim().trim_matches('-').trim();
            let here = at + start;
            if is_tag {
                if inner == "raw" {
                    // `{% raw %}…{% endraw %}` on one line: the text between, as written.
                    let tail = &rest[end..];
                    match find_tag(tail, "endraw") {
                        Some(e) => {
                            self.text.push_str(&tail[..e]);
                            let close = tail[e..].find("%}").map_or(tail.len(), |c| e + c + 2);
                            at += end + close;
                            rest = &tail[close..];
                            self.anchors.push((self.text.len(), at));
                            continue;
                        }
                        None => {
                            self.text.push_str(tail);
                            return State::Raw;
                        }
                    }
                }
                self.tag(inner, written, here);
            } else {
                match self.variable(inner) {
                    Some(value) => self.text.push_str(&value),
                    // Not Liquid's (a shortcode such as `{{ product("…") }}`): left for its own stage.
                    None if !inner.starts_with("site.") && !inner.starts_with("page.") && !inner.contains('|') => {
                        self.text.push_str(written)
                    }
                    // Liquid writes nothing for a value it does not have.
                    None => self.unsupported.push(Unsupported {
                        offset: here,
                        written: written.to_owned(),
                        why: "is a variable shopfront does not know, so it is written as nothing (give it a value under [liquid] in profile.toml)",
                    }),
                }
            }
            at += end;
            rest = &rest[end..];
            // What follows a replacement keeps its own column.
            self.anchors.push((self.text.len(), at));
        }
        self.text.push_str(rest);
        State::Normal
    }

    /// One inline tag.
    fn tag(&mut self, inner: &str, written: &str, offset: usize) {
        let (name, args) = inner.split_once(char::is_whitespace).map_or((inner, ""), |(n, a)| (n, a.trim()));
        let words = split_args(args);
        let html = match name {
            "youtube" if !words.is_empty() => Some(youtube(&words[0])),
            "vimeo" if !words.is_empty() => Some(vimeo(&words[0])),
            // Jekyll's jekyll-gist and Hexo's gist: `{% gist user/id [file] %}`, GitHub's script, with a link for readers without it.
            "gist" if words.first().is_some_and(|id| is_gist_id(id)) => {
                const FILE: &percent_encoding::AsciiSet =
                    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_');
                let file = words
                    .get(1)
                    .map_or(String::new(), |f| format!("?file={}", percent_encoding::utf8_percent_encode(f, FILE)));
                Some(format!(
                    "<script src=\"https://gist.github.com/{id}.js{file}\"></script><noscript><a href=\"https://gist.github.com/{id}\">View the code on GitHub</a></noscript>",
                    id = words[0]
                ))
            }
            // Hexo: `{% jsfiddle shorttag [tabs] [skin] [width] [height] %}`.
            "jsfiddle" if !words.is_empty() => {
                let word = |i: usize, default: &'static str| words.get(i).map_or(default, String::as_str);
                Some(format!(
                    "<iframe src=\"https://jsfiddle.net/{}/embedded/{}/{}/\" width=\"{}\" height=\"{}\" title=\"JSFiddle\" loading=\"lazy\" allowfullscreen></iframe>",
                    attr(&words[0]),
                    attr(word(1, "js,resources,html,css,result")),
                    attr(word(2, "light")),
                    attr(word(3, "100%")),
                    attr(word(4, "300"))
                ))
            }
            "iframe" if !words.is_empty() => {
                let width = words.get(1).map_or("100%", String::as_str);
                let height = words.get(2).map_or("300", String::as_str);
                Some(format!(
                    "<iframe src=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\" allowfullscreen></iframe>",
                    attr(&words[0]),
                    attr(width),
                    attr(height)
                ))
            }
            // Plugins that embed what is at a URL (jekyll-oembed's `{% oembed URL %}`,
            // jekyll-twitter-plugin's `{% twitter URL %}`, `{% tweet ID %}`): they
            // fetched the embed when the blog was built; offline, a video plays
            // here and anything else is a link to it.
            "oembed" | "embed" | "twitter" | "tweet" | "instagram" if !words.is_empty() => {
                let url = match words[0].as_str() {
                    id if name == "tweet" && id.bytes().all(|b| b.is_ascii_digit()) => {
                        format!("https://twitter.com/i/status/{id}")
                    }
                    url => url.to_owned(),
                };
                url::Url::parse(&url).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|parsed| {
                    match video_embed(&parsed) {
                        Some(html) => html,
                        None => format!("<{parsed}>"),
                    }
                })
            }
            // NexT's `{% button url, text[, icon, title] %}` (`btn`), Butterfly's
            // `{% btn url,text[,icon,style] %}`: a link, through the affiliate rules like any.
            "btn" | "button" => {
                let parts: Vec<&str> = args.split(',').map(str::trim).collect();
                let url = parts[0];
                let text = parts.get(1).copied().filter(|text| !text.is_empty()).unwrap_or(url);
                let safe = !url.is_empty() && !url.contains(['<', '>', '\n']);
                safe.then(|| format!("[{}](<{url}>)", markdown_text(text)))
            }
            // NexT's `{% label class@text %}`, Butterfly's `{% label text [colour] %}`: marked text.
            "label" if !args.is_empty() => {
                const COLOURS: [&str; 12] = [
                    "default", "primary", "success", "info", "warning", "danger", "blue", "pink", "red", "purple",
                    "orange", "green",
                ];
                let text = match args.split_once('@') {
                    Some((_, text)) => text.trim(),
                    None => match args.rsplit_once(char::is_whitespace) {
                        Some((text, colour)) if COLOURS.contains(&colour) => text.trim(),
                        _ => args,
                    },
                };
                Some(format!("<mark>{}</mark>", attr(text)))
            }
            // NexT's `{% video url %}`: the browser's player (or YouTube's or Vimeo's, for theirs).
            "video" if !words.is_empty() => url::Url::parse(&words[0])
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .and_then(|u| video_embed(&u))
                .or_else(|| {
                    Some(format!(
                        "<video src=\"{}\" controls preload=\"metadata\" playsinline></video>",
                        attr(&words[0])
                    ))
                }),
            "img" => image_tag(&words),
            "asset_img" if !words.is_empty() => {
                let title = words[1..].join(" ");
                Some(format!("![{}]({})", markdown_text(&title), words[0]))
            }
            "asset_path" if !words.is_empty() => Some(words[0].clone()),
            "asset_link" if !words.is_empty() => {
                let title = if words.len() > 1 { words[1..].join(" ") } else { words[0].clone() };
                Some(format!("[{}]({})", markdown_text(&title), words[0]))
            }
            // Jekyll: `{% post_url 2010-07-21-name %}`, `{% link _posts/2010-07-21-name.md %}`; Hexo: `{% post_path slug %}`.
            "post_url" | "post_path" if !words.is_empty() => Some(format!("{POST_REF}{}", post_name(&words[0]))),
            "link" if words.len() == 1 && !words[0].contains("://") => Some(jekyll_link(&words[0])),
            // Hexo: `{% post_link slug [title] %}`, titled by the post when no title is given.
            "post_link" if !words.is_empty() => {
                let name = post_name(&words[0]);
                let title =
                    match words.get(1..).filter(|rest| !rest.is_empty() && rest[0] != "true" && rest[0] != "false") {
                        Some(rest) => markdown_text(&rest.join(" ")),
                        None => format!("{TITLE_REF}{name}{TITLE_REF}"),
                    };
                Some(format!("[{title}]({POST_REF}{name})"))
            }
            // Hexo: `{% link text url [external] [title] %}`.
            "link" if words.len() >= 2 && words.iter().any(|w| w.contains("://") || w.starts_with('/')) => {
                let url_at = words.iter().position(|w| w.contains("://") || w.starts_with('/')).unwrap_or(1);
                let text = words[..url_at].join(" ");
                Some(format!("[{}]({})", markdown_text(&text), words[url_at]))
            }
            _ => None,
        };
        match html {
            Some(html) => self.text.push_str(&html),
            None => {
                let why = match name {
                    "include" | "include_relative" | "include_code" => {
                        "is shown as written: includes read files of the blog's theme"
                    }
                    "link" => "is shown as written: a link needs a text and a URL, or a file of the site",
                    "assign" | "capture" | "for" | "if" | "unless" | "case" | "comment" | "tablerow" => {
                        "is shown as written: Liquid could not run this logic (a tag or filter inside it \
                         that Liquid does not know, a value the post does not have, or a loop too large)"
                    }
                    _ => "is shown as written: an unknown tag",
                };
                self.keep(written, offset, why);
            }
        }
    }

    /// The value of `site.NAME`, `page.NAME` or `"text"`, through filters.
    fn variable(&self, expression: &str) -> Option<String> {
        let mut parts = split_filters(expression).into_iter();
        let head = parts.next()?.trim().to_owned();
        let mut value = if let Some(quoted) = unquote(&head) {
            quoted
        } else if let Some(key) = head.strip_prefix("site.") {
            self.variables.site.get(key)?.clone()
        } else if let Some(path) = head.strip_prefix("page.") {
            lookup(&self.variables.page, path)?
        } else {
            return None;
        };
        for filter in parts {
            let (name, argument) =
                filter.split_once(':').map_or((filter.trim(), None), |(n, a)| (n.trim(), Some(a.trim())));
            let argument = argument.and_then(unquote);
            value = match (name, argument) {
                ("relative_url", _) => relative_url(value, self.site("baseurl")),
                ("absolute_url", _) => absolute_url(value, self.site("url"), self.site("baseurl")),
                ("prepend", Some(a)) => format!("{a}{value}"),
                ("append", Some(a)) => format!("{value}{a}"),
                ("default", Some(a)) if value.is_empty() => a,
                ("default", _) | ("escape" | "xml_escape" | "strip" | "uri_escape", _) => value.trim().to_owned(),
                ("downcase", _) => value.to_lowercase(),
                ("upcase", _) => value.to_uppercase(),
                _ => return None,
            };
        }
        Some(value)
    }

    fn site(&self, key: &str) -> &str {
        self.variables.site.get(key).map_or("", String::as_str)
    }

    /// Keeps what was written, visible as code (HTML, so it reads the same
    /// in a paragraph and in an HTML block); and says so.
    fn keep(&mut self, written: &str, offset: usize, why: &'static str) {
        self.text.push_str(&format!("<code>{}</code>", crate::html::escape_attr(written)));
        self.unsupported.push(Unsupported { offset, written: written.to_owned(), why });
    }
}

/// Jekyll's `relative_url` filter: a path from the site's root under its `baseurl`.
pub(super) fn relative_url(value: String, baseurl: &str) -> String {
    if value.starts_with('/') { format!("{baseurl}{value}") } else { value }
}

/// Jekyll's `absolute_url` filter: a path as a whole URL of the site.
pub(super) fn absolute_url(value: String, url: &str, baseurl: &str) -> String {
    if value.contains("://") { value } else { format!("{url}{baseurl}/{}", value.trim_start_matches('/')) }
}

/// Jekyll's `{% link PATH %}`: a post waits for the site; a page of a
/// collection (`_docs/history.md`) is at `/docs/history/` as Jekyll's
/// default collection permalink puts it; any other file is at its path.
fn jekyll_link(path: &str) -> String {
    let path = path.trim_start_matches('/');
    if path.starts_with("_posts/") {
        return format!("{POST_REF}{}", post_name(path));
    }
    let page = std::path::Path::new(path);
    match page.extension().and_then(|e| e.to_str()) {
        Some("md" | "markdown" | "mdown" | "mkd" | "html") => {
            let stem = page.with_extension("");
            let stem = stem.to_string_lossy();
            let stem = stem.strip_suffix("/index").or_else(|| stem.strip_suffix("index")).unwrap_or(&stem);
            let stem = stem.trim_start_matches('_').trim_end_matches('/');
            if stem.is_empty() { "/".to_owned() } else { format!("/{stem}/") }
        }
        _ => format!("/{path}"),
    }
}

/// A post named as the tags name it: `_posts/2010-07-21-name.md` and
/// `2010-07-21-name` are both `2010-07-21-name`.
fn post_name(written: &str) -> String {
    let name = written.trim_start_matches('/');
    let name = name.strip_prefix("source/").unwrap_or(name);
    let name = name.strip_prefix("_posts/").unwrap_or(name);
    let name = std::path::Path::new(name);
    let stem = match name.extension().and_then(|e| e.to_str()) {
        Some("md" | "markdown" | "mdown" | "mkd" | "html") => name.with_extension(""),
        _ => name.to_path_buf(),
    };
    stem.to_string_lossy().replace(' ', "%20")
}

/// `images[0]`, `author.name`: a text or number in the front matter.
fn lookup(page: &BTreeMap<String, serde_json::Value>, path: &str) -> Option<String> {
    let mut parts = path.split(['.', '[']);
    let mut value = page.get(parts.next()?.trim())?;
    for part in parts {
        value = match part.strip_suffix(']') {
            Some(index) => value.get(index.trim().parse::<usize>().ok()?)?,
            None => value.get(part.trim())?,
        };
    }
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An HTML start tag with kramdown's `markdown="1"` (or `block`), without
/// the attribute.
fn markdown_in_html(content: &str) -> Option<String> {
    let trimmed = content.trim_start();
    if !trimmed.starts_with('<') || !trimmed.contains("markdown=") {
        return None;
    }
    for attribute in [" markdown=\"1\"", " markdown='1'", " markdown=\"block\"", " markdown=1"] {
        if let Some(at) = content.find(attribute) {
            let rest = &content[at + attribute.len()..];
            if rest.trim_end().ends_with('>') && !rest.contains('<') {
                return Some(format!("{}{rest}", &content[..at]));
            }
        }
    }
    None
}

/// A gist's id as the gist tags take it: `931c1c8d465a04042403` or `parkr/931c1c8d465a04042403`.
fn is_gist_id(id: &str) -> bool {
    let (user, hash) = id.split_once('/').unwrap_or(("", id));
    !hash.is_empty()
        && hash.bytes().all(|b| b.is_ascii_alphanumeric())
        && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `# Title`, up to `###### Title`.
fn is_atx_heading(trimmed: &str) -> bool {
    let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && trimmed[hashes..].starts_with([' ', '\t'])
}

/// `* TOC` (or `1. TOC`) before `{:toc}`: the list kramdown replaces.
fn is_toc_item(trimmed: &str) -> bool {
    let item =
        trimmed.trim_start_matches(['*', '-', '+', ' ']).trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    item.trim() == "TOC" || item.trim() == "Table of Contents"
}

/// `name` and the rest of a line that is one `{% … %}` tag.
fn tag_name(trimmed: &str) -> Option<(&str, &str)> {
    let inner = trimmed.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner.trim().trim_matches('-').trim();
    if inner.contains("%}") {
        return None;
    }
    Some(inner.split_once(char::is_whitespace).map_or((inner, ""), |(n, a)| (n, a.trim())))
}

/// Where `{%[-] name` starts in `text`.
fn find_tag(text: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find("{%") {
        let start = from + at;
        let after = text[start + 2..].trim_start_matches('-').trim_start();
        if after.starts_with(name) {
            return Some(start);
        }
        from = start + 2;
    }
    None
}

/// A line of fenced code with `{% raw %}` and `{% endraw %}` taken out.
fn strip_raw_markers(line: &str) -> Cow<'_, str> {
    if !line.contains("raw") || !line.contains("{%") {
        return Cow::Borrowed(line);
    }
    let mut out = line.to_owned();
    for marker in ["{% raw %}", "{% endraw %}", "{%- raw -%}", "{%- endraw -%}"] {
        out = out.replace(marker, "");
    }
    Cow::Owned(out)
}

/// The language of a code tag: Jekyll's `highlight ruby linenos`, Hexo's
/// `codeblock title lang:ruby url` or `code lang:js`.
fn code_language(name: &str, args: &str) -> String {
    let words = split_args(args);
    let language = if name == "highlight" {
        words.first().cloned()
    } else {
        words.iter().find_map(|w| w.strip_prefix("lang:").map(str::to_owned))
    };
    language
        .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_' | '#')))
        .unwrap_or_default()
}

/// The kind of `{% note [kind] … %}`: `info`, `success`, `warning`,
/// `danger` or `default`, from NexT's classes, Butterfly's colours and
/// the usual shorthands.
fn note_kind(args: &str) -> &'static str {
    let first = args.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    match first.as_str() {
        "info" | "primary" | "blue" => "info",
        "success" | "tip" | "green" => "success",
        "warning" | "warn" | "orange" | "yellow" => "warning",
        "danger" | "error" | "red" => "danger",
        _ => "default",
    }
}

/// The closing line of `{% blockquote [author[, source]] [link] [title] %}`.
fn quote_footer(args: &str) -> String {
    let words = split_args(args);
    let link = words.iter().find(|w| w.contains("://")).cloned();
    let text: Vec<&String> = words.iter().filter(|w| !w.contains("://")).collect();
    if text.is_empty() && link.is_none() {
        return String::new();
    }
    let joined: Vec<&str> = text.iter().map(|s| s.as_str()).collect();
    let joined = joined.join(" ");
    let (author, source) = joined.split_once(',').map_or((joined.as_str(), ""), |(a, s)| (a.trim(), s.trim()));
    let mut footer = format!("> — **{}**", markdown_text(author));
    match (source.is_empty(), &link) {
        (false, Some(url)) => footer.push_str(&format!(", [*{}*]({url})", markdown_text(source))),
        (false, None) => footer.push_str(&format!(", *{}*", markdown_text(source))),
        (true, Some(url)) => footer.push_str(&format!(" ([{url}]({url}))")),
        (true, None) => {}
    }
    footer
}

/// Hexo's `{% img [class names] /path/to/image [width] [height] ["title" ["alt"]] %}`.
fn image_tag(words: &[String]) -> Option<String> {
    let src_at = words.iter().position(|w| w.starts_with('/') || w.contains("://") || w.contains('.'))?;
    let classes = words[..src_at].join(" ");
    let rest = &words[src_at + 1..];
    let sizes: Vec<&String> = rest.iter().take_while(|w| w.chars().all(|c| c.is_ascii_digit())).collect();
    let texts = &rest[sizes.len()..];
    let mut html = format!("<img src=\"{}\"", attr(&words[src_at]));
    if !classes.is_empty() {
        html.push_str(&format!(" class=\"{}\"", attr(&classes)));
    }
    if let Some(w) = sizes.first() {
        html.push_str(&format!(" width=\"{w}\""));
    }
    if let Some(h) = sizes.get(1) {
        html.push_str(&format!(" height=\"{h}\""));
    }
    let title = texts.first().map(String::as_str).unwrap_or_default();
    let alt = texts.get(1).map_or(title, String::as_str);
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", attr(title)));
    }
    html.push_str(&format!(" alt=\"{}\">", attr(alt)));
    Some(html)
}

/// Arguments as Hexo splits them: on spaces, with quotes grouping.
fn split_args(args: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in args.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') if current.is_empty() => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `a | b: "x|y"` split at the pipes outside quotes.
fn split_filters(expression: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in expression.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '|') => {
                parts.push(&expression[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&expression[start..]);
    parts
}

fn unquote(text: &str) -> Option<String> {
    let text = text.trim();
    let quoted = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"')) || (text.starts_with('\'') && text.ends_with('\'')));
    quoted.then(|| text[1..text.len() - 1].to_owned())
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn attr(text: &str) -> String {
    crate::html::escape_attr(text)
}

/// Hexo's `{% youtube ID %}`.
fn youtube(id: &str) -> String {
    format!(
        "<div class=\"video\"><iframe src=\"https://www.youtube-nocookie.com/embed/{}\" title=\"YouTube video\" loading=\"lazy\" allowfullscreen></iframe></div>",
        attr(id)
    )
}

/// Hexo's `{% vimeo ID %}`.
fn vimeo(id: &str) -> String {
    format!(
        "<div class=\"video\"><iframe src=\"https://player.vimeo.com/video/{}\" title=\"Vimeo video\" loading=\"lazy\" allowfullscreen></iframe></div>",
        attr(id)
    )
}

/// The player of a YouTube or Vimeo video page's URL, as `{% youtube %}` and `{% vimeo %}` write it.
fn video_embed(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.trim_start_matches("www.").trim_start_matches("m.");
    let id_like =
        |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    match host {
        "youtube.com" | "youtube-nocookie.com" => {
            let id = match segments.as_slice() {
                ["watch"] => url.query_pairs().find(|(k, _)| k == "v").map(|(_, v)| v.into_owned()),
                ["embed" | "shorts" | "live" | "v", id, ..] => Some((*id).to_owned()),
                _ => None,
            }?;
            id_like(&id).then(|| youtube(&id))
        }
        "youtu.be" => segments.first().filter(|id| id_like(id)).map(|id| youtube(id)),
        "vimeo.com" | "player.vimeo.com" => {
            segments.iter().rev().find(|s| s.bytes().all(|b| b.is_ascii_digit())).map(|id| vimeo(id))
        }
        _ => None,
    }
}

/// Text for Markdown link text or emphasis: brackets and stars escaped.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '*' | '_' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        Variables {
            site: [("baseurl", "/blog"), ("url", "https://x.example"), ("title", "Notes")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            page: [
                ("title", serde_json::json!("Launch")),
                ("image", serde_json::json!("/img/a.png")),
                ("images", serde_json::json!(["/i/0.png", "/i/1.png"])),
            ]
            .map(|(k, v)| (k.to_owned(), v))
            .into(),
        }
    }

    fn text(body: &str) -> String {
        expand(body, &vars()).text.into_owned()
    }

    #[test]
    fn code_tags_become_fenced_code_on_the_same_lines() {
        assert_eq!(
            text("a\n{% highlight ruby linenos %}\ndef x \"q\"\n{% endhighlight %}\nb\n"),
            "a\n```ruby\ndef x \"q\"\n```\nb\n"
        );
        assert_eq!(
            text("{% codeblock Array.map lang:js http://x.example %}\nx = ```\n{% endcodeblock %}\n"),
            "````js\nx = ```\n````\n"
        );
        assert_eq!(text("{% code %}\n{{ site.title }}\n{% endcode %}\n"), "```\n{{ site.title }}\n```\n");
    }

    #[test]
    fn raw_keeps_liquid_as_written_even_in_code() {
        assert_eq!(text("Use {% raw %}{{ page.title }}{% endraw %} here"), "Use {{ page.title }} here");
        assert_eq!(
            text("    {% raw %}`{% post_url %}`{% endraw %} or {% raw %}`{% link %}`{% endraw %}\n"),
            "    `{% post_url %}` or `{% link %}`\n"
        );
        assert_eq!(text("{% raw %}\n{{ x }}\n{% endraw %}\nafter {{ page.title }}\n"), "\n{{ x }}\n\nafter Launch\n");
        assert_eq!(text("```liquid\n{% raw %}{{ a }}{% endraw %}\n```\n"), "```liquid\n{{ a }}\n```\n");
    }

    #[test]
    fn variables_and_filters() {
        assert_eq!(text("![x]({{ site.baseurl }}/a.png) {{site.url}}"), "![x](/blog/a.png) https://x.example");
        assert_eq!(
            text("{{ page.image | relative_url }} {{ \"/b/\" | absolute_url }}"),
            "/blog/img/a.png https://x.example/blog/b/"
        );
        assert_eq!(text("<img src=\"{{site.baseurl}}{{page.images[1]}}\">"), "<img src=\"/blog/i/1.png\">");
        // Shortcodes are not Liquid.
        assert_eq!(text("{{ product(\"B0\") }}"), "{{ product(\"B0\") }}");
        let expanded = expand("x {{ site.repository }}", &vars());
        assert_eq!(expanded.text, "x ");
        assert_eq!(expanded.unsupported[0].offset, 2);
    }

    #[test]
    fn a_variable_continued_on_the_next_line_is_read_whole() {
        let body = "([#1338]({{ site.url\n}}/issues/1338)) and\n[x](y)\n";
        let expanded = expand(body, &vars());
        assert_eq!(expanded.text, "([#1338](https://x.example/issues/1338)) and\n[x](y)\n");
        assert_eq!(expanded.original_offset(expanded.text.find("[x]").unwrap()), body.find("[x]").unwrap());
    }

    #[test]
    fn links_to_posts_by_file_name_wait_for_the_site() {
        assert_eq!(text("[a]({% post_url 2010-07-21-name %})"), "[a](/.shopfront-post/2010-07-21-name)");
        assert_eq!(text("[a]({% link _posts/2010-07-21-name.md %})"), "[a](/.shopfront-post/2010-07-21-name)");
        assert_eq!(text("[a]({% link _docs/history.md %}) {% link about/index.html %}"), "[a](/docs/history/) /about/");
        assert_eq!(text("{% post_link hello-world %}"), "[\u{E000}hello-world\u{E000}](/.shopfront-post/hello-world)");
        assert_eq!(text("{% post_link hello-world 'Say hi' %}"), "[Say hi](/.shopfront-post/hello-world)");
    }

    #[test]
    fn a_tag_continued_on_the_next_line_is_read_whole() {
        assert_eq!(text("[first]({% link\n_docs/x.md %}) 👏\n"), "[first](/docs/x/) 👏\n");
        // What follows keeps its place in the body, past an indent and a character of two bytes.
        let body = "{%{{ x }}\n\t{% post_url a %}é{% endraw %}";
        let expanded = expand(body, &vars());
        let last = expanded.unsupported.last().unwrap();
        assert_eq!(last.offset, body.find("{% endraw").unwrap());
    }

    #[test]
    fn kramdown_attribute_lists_are_marked_for_the_renderer() {
        let body = "* TOC\n{:toc}\n\n## Setup\n{: #setup .wide}\nNote this.\n{: .notice--info}\n\n{: lead}\n**Red**{: .red} `{: .code}`\n{:lead: .intro}\n{::comment}\nHidden [x](y)\n{:/comment}\nlast [z](w)\n";
        let expanded = expand(body, &vars());
        let mark = kramdown::mark;
        assert_eq!(
            expanded.text,
            format!(
                "\n{}\n\n## Setup {{#setup .wide}}\n\nNote this.\n{}\n\n{}\n**Red**{} `{{: .code}}`\n\n\n\n\nlast [z](w)\n",
                mark(0),
                mark(1),
                mark(2),
                mark(3)
            )
        );
        let block = |classes: &[&str], next| Kramdown::Block {
            attributes: kramdown::Attributes {
                classes: classes.iter().map(|c| c.to_string()).collect(),
                ..Default::default()
            },
            next,
        };
        assert_eq!(
            expanded.kramdown,
            [
                Kramdown::Toc { ordered: false },
                block(&["notice--info"], false),
                block(&["intro"], true),
                Kramdown::Span(kramdown::Attributes { classes: vec!["red".into()], ..Default::default() }),
            ]
        );
        assert!(expanded.unsupported.is_empty());
        // Lines keep their places.
        assert_eq!(expanded.original_offset(expanded.text.find("[z]").unwrap()), body.find("[z]").unwrap());
        assert_eq!(expanded.original_offset(expanded.text.find("Note").unwrap()), body.find("Note").unwrap());
        // Liquid's `{{` and a plain brace are not attribute lists.
        assert_eq!(text("Set {a: 1}\n"), "Set {a: 1}\n");
    }

    #[test]
    fn markdown_inside_kramdown_html_blocks_is_markdown() {
        let body = "<div class=\"note\" markdown=\"1\">\n**Bold** and [a link](/x/)\n</div>\nafter [y](z)\n";
        let expanded = expand(body, &vars());
        assert_eq!(expanded.text, "<div class=\"note\">\n\n**Bold** and [a link](/x/)\n</div>\nafter [y](z)\n");
        assert_eq!(expanded.original_offset(expanded.text.find("[y]").unwrap()), body.find("[y]").unwrap());
        assert_eq!(expanded.original_offset(expanded.text.find("[a link]").unwrap()), body.find("[a link]").unwrap());
    }

    #[test]
    fn hexo_tags() {
        assert_eq!(
            text("{% blockquote David Levithan, Wide Awake %}\nDo not *just* ask.\n{% endblockquote %}\n"),
            "\n> Do not *just* ask.\n>\n> — **David Levithan**, *Wide Awake*\n"
        );
        assert!(text("{% youtube TIbZDRXM-Tg %}").contains("youtube-nocookie.com/embed/TIbZDRXM-Tg"));
        assert_eq!(
            text("{% gist parkr/931c1c8d465a04042403 jekyll-private-gist.markdown %}"),
            "<script src=\"https://gist.github.com/parkr/931c1c8d465a04042403.js?file=jekyll-private-gist.markdown\"></script>\
             <noscript><a href=\"https://gist.github.com/parkr/931c1c8d465a04042403\">View the code on GitHub</a></noscript>"
        );
        // Without an id, or with one that is not a gist's, it stays visible with a warning.
        assert_eq!(expand("{% gist  %}", &vars()).unsupported.len(), 1);
        assert_eq!(expand("{% gist \"/x.js\\\"> %}", &vars()).unsupported.len(), 1);
        assert_eq!(
            text("{% jsfiddle ccWP js,result dark %}"),
            "<iframe src=\"https://jsfiddle.net/ccWP/embedded/js,result/dark/\" width=\"100%\" height=\"300\" title=\"JSFiddle\" loading=\"lazy\" allowfullscreen></iframe>"
        );
        assert_eq!(text("{% asset_img photo.png A view %}"), "![A view](photo.png)");
        assert_eq!(text("{% link Hexo https://hexo.io %}"), "[Hexo](https://hexo.io)");
        assert_eq!(
            text("{% img left /i/a.png 100 50 \"Title here\" \"Alt\" %}"),
            "<img src=\"/i/a.png\" class=\"left\" width=\"100\" height=\"50\" title=\"Title here\" alt=\"Alt\">"
        );
    }

    #[test]
    fn embeds_fetched_at_build_time_are_players_or_links() {
        assert_eq!(
            text("{% oembed https://twitter.com/seldo/status/571453200093437952 %}"),
            "<https://twitter.com/seldo/status/571453200093437952>"
        );
        assert_eq!(text("{% tweet 571453200093437952 %}"), "<https://twitter.com/i/status/571453200093437952>");
        for video in [
            "{% oembed https://www.youtube.com/watch?v=TIbZDRXM-Tg&t=4 %}",
            "{% embed https://youtu.be/TIbZDRXM-Tg %}",
            "{% twitter https://m.youtube.com/shorts/TIbZDRXM-Tg %}",
        ] {
            assert_eq!(text(video), text("{% youtube TIbZDRXM-Tg %}"), "{video}");
        }
        assert_eq!(text("{% oembed https://vimeo.com/channels/staff/76979871 %}"), text("{% vimeo 76979871 %}"));
        // A video URL without an id is a link; what is not a web address stays visible with a warning.
        assert_eq!(
            text("{% oembed https://www.youtube.com/watch?v=%22%3E %}"),
            "<https://www.youtube.com/watch?v=%22%3E>"
        );
        assert_eq!(expand("{% oembed javascript:alert(1) %}", &vars()).unsupported.len(), 1);
        assert_eq!(expand("{% oembed %}", &vars()).unsupported.len(), 1);
    }

    #[test]
    fn notes_are_boxes_with_markdown_inside() {
        let body = "{% note warn %}\nCareful with **this** [x](y).\n{% endnote %}\nafter [z](w)\n";
        let expanded = expand(body, &vars());
        assert_eq!(
            expanded.text,
            "<div class=\"callout callout-warning\" role=\"note\">\n\nCareful with **this** [x](y).\n\n</div>\nafter [z](w)\n"
        );
        assert!(expanded.unsupported.is_empty());
        assert_eq!(expanded.original_offset(expanded.text.find("[z]").unwrap()), body.find("[z]").unwrap());
        assert_eq!(expanded.original_offset(expanded.text.find("[x]").unwrap()), body.find("[x]").unwrap());
        // Butterfly's colours, nesting, and a note left open is closed at the end.
        let nested = text("{% note blue 'fas fa-bullhorn' simple %}\na\n{% note %}\nb\n{% endnote %}\n");
        assert_eq!(
            nested,
            "<div class=\"callout callout-info\" role=\"note\">\n\na\n<div class=\"callout callout-default\" role=\"note\">\n\nb\n\n</div>\n\n\n</div>\n"
        );
        // An end with no note stays visible, with a warning.
        assert_eq!(expand("{% endnote %}\n", &vars()).unsupported.len(), 1);
    }

    #[test]
    fn theme_tags_become_sections_links_and_marks() {
        // Tabs: a section each, the one shown first open, Markdown inside; lines map back.
        let body = "{% tabs Shop, 2 %}\n<!-- tab Mics @microphone -->\nA *mic*.\n<!-- endtab -->\n<!-- tab -->\nA [cam](x).\n<!-- endtab -->\n{% endtabs %}\nafter\n";
        let expanded = expand(body, &vars());
        assert_eq!(
            expanded.text,
            "<div class=\"tabs\">\n\n<details class=\"tab\"><summary>Mics</summary>\n\nA *mic*.\n\n</details>\n\
             <details class=\"tab\" open><summary>Shop 2</summary>\n\nA [cam](x).\n\n</details>\n\n</div>\nafter\n"
        );
        assert!(expanded.unsupported.is_empty());
        assert_eq!(expanded.original_offset(expanded.text.find("[cam]").unwrap()), body.find("[cam]").unwrap());
        // A tab without its end closes at the next, and tabs left open at the end of the post.
        let open = text("{% tabs t %}\n<!-- tab A -->\na\n<!-- tab B -->\nb\n");
        assert_eq!(open.matches("<details").count(), 2);
        assert_eq!(open.matches("</details>").count(), 2);
        assert!(open.ends_with("</div>\n"), "{open}");
        // An HTML comment outside tabs is the post's own.
        assert_eq!(text("<!-- tab x -->\n"), "<!-- tab x -->\n");
        // Toggles open on a click.
        assert_eq!(
            text("{% hideToggle Show <the> answer,bg,#fff %}\n42\n{% endhideToggle %}\n"),
            "<details class=\"toggle\"><summary>Show &lt;the&gt; answer</summary>\n\n42\n\n</details>\n"
        );
        assert!(text("{% folding green, Spoiler %}\nx\n{% endfolding %}\n").contains("<summary>Spoiler</summary>"));
        assert_eq!(text("{% cq %}\nStay hungry.\n{% endcq %}\n"), "\n> Stay hungry.\n\n");
        // Buttons are links; labels are marked.
        assert_eq!(
            text("{% btn https://example.com/a b, Buy it, fa fa-cart %}"),
            "[Buy it](<https://example.com/a b>)"
        );
        assert_eq!(text("{% button /shop/ %}"), "[/shop/](</shop/>)");
        assert_eq!(text("{% label primary@New <b> %}"), "<mark>New &lt;b&gt;</mark>");
        assert_eq!(text("{% label Sale pink %}"), "<mark>Sale</mark>");
        assert_eq!(
            text("{% video /media/clip.mp4 %}"),
            "<video src=\"/media/clip.mp4\" controls preload=\"metadata\" playsinline></video>"
        );
        assert_eq!(text("{% video https://youtu.be/TIbZDRXM-Tg %}"), text("{% youtube TIbZDRXM-Tg %}"));
    }

    #[test]
    fn unknown_tags_stay_visible_with_a_warning_and_lines_map_back() {
        let body = "one\n{% timeline warn %}\nCareful.\n{% endtimeline %}\nlast [x](y)\n";
        let expanded = expand(body, &vars());
        assert_eq!(
            expanded.text,
            "one\n<code>{% timeline warn %}</code>\nCareful.\n<code>{% endtimeline %}</code>\nlast [x](y)\n"
        );
        let found: Vec<usize> = expanded.unsupported.iter().map(|u| u.offset).collect();
        assert_eq!(found, [4, 33]);
        // `[x]` on the last line is at the same place in both.
        let new = expanded.text.find("[x]").unwrap();
        assert_eq!(expanded.original_offset(new), body.find("[x]").unwrap());
        // After a replacement, columns are those of the body as written.
        let line = "{{ site.title }} and [y](z)\n";
        let long = expand(line, &vars());
        assert_eq!(long.original_offset(long.text.find("[y]").unwrap()), line.find("[y]").unwrap());
    }
}
