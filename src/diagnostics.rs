//! Findings about a site: errors that stop a build and warnings that do not.
//!
//! Every stage reports what is wrong with the creator's files as a
//! [`Diagnostic`] that names the file, line and column where known. A build
//! collects all of them before it gives up, so a creator fixes every mistake
//! in one round instead of one per run. [`Diagnostics`] sorts them by file and
//! line and renders them the way rustc does: message, location, the source
//! line with a caret, and a hint.
//!
//! A pasted post can hold tens of thousands of copies of one mistake on one
//! very long line, so every step here is linear in the file: a file's lines
//! are indexed once ([`LineIndex`]) and each finding is located by binary
//! search; a finding quotes at most [`SNIPPET_CHARS`] characters around its
//! column, not the whole line; and at most [`SHOWN_PER_KIND`] findings of one
//! kind are shown per file, followed by one that counts the rest
//! ([`FileFindings`] does this as findings are made, [`Diagnostics::sort`]
//! for everything else).

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Findings of one kind shown in full per file; the rest are counted.
pub const SHOWN_PER_KIND: usize = 50;

/// The most characters of a source line a finding quotes.
pub const SNIPPET_CHARS: usize = 200;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; `check` lists it.
    Warning,
}

/// The kind of a finding. Each kind has a stable kebab-case name, printed
/// by `check --format json` and in summaries: a public interface, so a name
/// never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The command line itself: a missing folder, a refused output. Exit status 2.
    Usage,
    /// `profile.toml` cannot be read or has a wrong value.
    Profile,
    /// The theme cannot be found or loaded.
    Theme,
    /// A locale file is broken.
    Locale,
    /// A file cannot be read.
    Read,
    /// A file is not UTF-8 text.
    Encoding,
    /// A file name cannot be used on the web.
    FileName,
    /// A symbolic link leads somewhere it may not.
    Symlink,
    /// A named pipe, socket or device was skipped.
    SpecialFile,
    /// An empty file was skipped.
    EmptyFile,
    /// Front matter that cannot be read.
    FrontMatter,
    /// A slug or permalink that cannot be used.
    Slug,
    /// A post without a title.
    NoTitle,
    /// A post without a summary.
    NoSummary,
    /// A post without a cover image.
    NoCover,
    /// A post with no date, in its front matter or its file name.
    NoDate,
    /// A product that cannot be shown.
    Product,
    /// A shortcode that cannot be placed.
    Shortcode,
    /// Two things want the same URL.
    DuplicateUrl,
    /// A link with a scheme a browser would run.
    UnsafeLink,
    /// A link to a page or file the site does not have.
    BrokenLink,
    /// A link to an anchor the page does not have.
    BrokenAnchor,
    /// An image that cannot be read, or is needlessly large.
    Image,
    /// A Markdown image without alternative text.
    NoAlt,
    /// An Amazon link behind a redirect.
    HiddenAmazonLink,
    /// A link through a general shortener.
    ShortenedLink,
    /// A product image from Amazon's image servers.
    HotlinkedImage,
    /// A Hexo tag or Liquid tag or variable shopfront leaves as written.
    UnsupportedTag,
    /// A Markdown link inside an HTML block, shown as text.
    MarkdownInHtml,
    /// An Amazon link whose tag was an unfilled template placeholder.
    PlaceholderTag,
    /// What `init` wrote for the creator to replace, still there.
    Placeholder,
    /// A price on an Amazon product.
    AmazonPrice,
    /// Amazon's customer ratings copied into a product.
    AmazonRatings,
    /// An Amazon link carried someone else's tag.
    ForeignTagReplaced,
    /// No tag for a link's Amazon store.
    MissingTag,
    /// An Amazon link's tag was kept.
    UnknownTagKept,
    /// A tag with the wrong suffix for its store.
    TagSuffixMismatch,
    /// An Amazon short link whose target cannot be checked offline.
    UnverifiableShortLink,
    /// A link that is not a valid URL.
    MalformedUrl,
    /// A page whose disclosure a reader does not see in time.
    Disclosure,
    /// A template that cannot be loaded or rendered.
    Template,
    /// A static file at the path of a generated page.
    StaticShadowed,
    /// The output folder cannot be written as asked.
    Output,
    /// A file of the output cannot be written.
    Write,
}

impl Code {
    /// Every kind, in the order above.
    pub const ALL: [Self; 44] = [
        Self::Usage,
        Self::Profile,
        Self::Theme,
        Self::Locale,
        Self::Read,
        Self::Encoding,
        Self::FileName,
        Self::Symlink,
        Self::SpecialFile,
        Self::EmptyFile,
        Self::FrontMatter,
        Self::Slug,
        Self::NoTitle,
        Self::NoSummary,
        Self::NoCover,
        Self::NoDate,
        Self::Product,
        Self::Shortcode,
        Self::DuplicateUrl,
        Self::UnsafeLink,
        Self::BrokenLink,
        Self::BrokenAnchor,
        Self::Image,
        Self::NoAlt,
        Self::HiddenAmazonLink,
        Self::ShortenedLink,
        Self::HotlinkedImage,
        Self::UnsupportedTag,
        Self::MarkdownInHtml,
        Self::PlaceholderTag,
        Self::Placeholder,
        Self::AmazonPrice,
        Self::AmazonRatings,
        Self::ForeignTagReplaced,
        Self::MissingTag,
        Self::UnknownTagKept,
        Self::TagSuffixMismatch,
        Self::UnverifiableShortLink,
        Self::MalformedUrl,
        Self::Disclosure,
        Self::Template,
        Self::StaticShadowed,
        Self::Output,
        Self::Write,
    ];

    /// The stable name (`front-matter`, `duplicate-url`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Usage => "usage",
            Self::Profile => "profile",
            Self::Theme => "theme",
            Self::Locale => "locale",
            Self::Read => "read",
            Self::Encoding => "encoding",
            Self::FileName => "file-name",
            Self::Symlink => "symlink",
            Self::SpecialFile => "special-file",
            Self::EmptyFile => "empty-file",
            Self::FrontMatter => "front-matter",
            Self::Slug => "slug",
            Self::NoTitle => "no-title",
            Self::NoSummary => "no-summary",
            Self::NoCover => "no-cover",
            Self::NoDate => "no-date",
            Self::Product => "product",
            Self::Shortcode => "shortcode",
            Self::DuplicateUrl => "duplicate-url",
            Self::UnsafeLink => "unsafe-link",
            Self::BrokenLink => "broken-link",
            Self::BrokenAnchor => "broken-anchor",
            Self::Image => "image",
            Self::NoAlt => "no-alt",
            Self::HiddenAmazonLink => "hidden-amazon-link",
            Self::ShortenedLink => "shortened-link",
            Self::HotlinkedImage => "hotlinked-image",
            Self::UnsupportedTag => "unsupported-tag",
            Self::MarkdownInHtml => "markdown-in-html",
            Self::PlaceholderTag => "placeholder-tag",
            Self::Placeholder => "placeholder",
            Self::AmazonPrice => "amazon-price",
            Self::AmazonRatings => "amazon-ratings",
            Self::ForeignTagReplaced => "foreign-tag-replaced",
            Self::MissingTag => "missing-tag",
            Self::UnknownTagKept => "unknown-tag-kept",
            Self::TagSuffixMismatch => "tag-suffix-mismatch",
            Self::UnverifiableShortLink => "unverifiable-short-link",
            Self::MalformedUrl => "malformed-url",
            Self::Disclosure => "disclosure",
            Self::Template => "template",
            Self::StaticShadowed => "static-shadowed",
            Self::Output => "output",
            Self::Write => "write",
        }
    }

    /// Whether a finding of this kind is about how the command was called
    /// rather than about the site: such errors exit with status 2.
    pub const fn is_usage(self) -> bool {
        matches!(self, Self::Usage)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code equals its stable name: `d.code == "unsafe-link"`.
impl PartialEq<&str> for Code {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Code::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding kind `{name}`")))
    }
}

/// One finding, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case name of the kind of finding (`front-matter`, `duplicate-url`…).
    pub code: Code,
    /// The file, relative to the site root where possible.
    pub path: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The offending line (or the part of it around the column), shown under the message.
    pub snippet: Option<Snippet>,
    /// On the finding that stands in for those left out: how many more
    /// findings of this kind the file has. Zero on every other finding.
    pub more: usize,
}

/// Part of a source line to quote, with where the caret goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snippet {
    /// At most [`SNIPPET_CHARS`] characters of the line, with `…` where it was cut.
    pub text: String,
    /// How many characters of `text` come before the caret.
    pub caret: usize,
}

impl Snippet {
    /// The part of `line` (one line, without its line break) around byte
    /// offset `at`: the whole line when it is short enough, otherwise
    /// [`SNIPPET_CHARS`] characters with the caret near the middle. Reads
    /// only the characters it keeps.
    pub fn around(line: &str, at: usize) -> Self {
        let mut at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        let (before, after) = line.split_at(at);
        // Starts of the characters before `at`, nearest first.
        let back: Vec<usize> = before.char_indices().rev().take(SNIPPET_CHARS).map(|(i, _)| i).collect();
        // Starts of the characters from `at` on; one more tells where the last kept one ends.
        let ahead: Vec<usize> = after.char_indices().take(SNIPPET_CHARS + 1).map(|(i, _)| at + i).collect();
        let ahead_chars = ahead.len().min(SNIPPET_CHARS);
        let mut taken_back = back.len().min(SNIPPET_CHARS / 2);
        let taken_ahead = ahead_chars.min(SNIPPET_CHARS - taken_back);
        taken_back = back.len().min(SNIPPET_CHARS - taken_ahead);
        let start = if taken_back == 0 { at } else { back[taken_back - 1] };
        let end = ahead.get(taken_ahead).copied().unwrap_or(line.len());
        let cut_before = start > 0;
        let cut_after = end < line.len();
        let mut text = String::with_capacity(end - start + 6);
        if cut_before {
            text.push('…');
        }
        text.push_str(&line[start..end]);
        if cut_after {
            text.push('…');
        }
        Snippet { text, caret: taken_back + usize::from(cut_before) }
    }
}

/// Where each line of a text starts, built in one pass, so that the line
/// and column of any byte offset are found by binary search instead of by
/// reading the text again from its start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset at which each line starts; the first is 0.
    starts: Vec<usize>,
    /// For text that is not all ASCII: how many characters come before
    /// every [`Self::STRIDE`]th byte, so a column is counted from the
    /// nearest of these rather than from the line's start.
    chars_before: Vec<usize>,
    /// The text's length, to catch an index used with another text.
    len: usize,
}

impl LineIndex {
    const STRIDE: usize = 1024;

    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        let chars_before = if text.is_ascii() {
            Vec::new()
        } else {
            let mut table = Vec::with_capacity(bytes.len() / Self::STRIDE + 1);
            let mut count = 0;
            for chunk in bytes.chunks(Self::STRIDE) {
                table.push(count);
                count += chunk.iter().filter(|b| !is_continuation(**b)).count();
            }
            table.push(count);
            table
        };
        Self { starts, chars_before, len: text.len() }
    }

    /// 1-based line and column (in characters) of a byte offset, exactly as
    /// [`line_column`] counts them.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        debug_assert_eq!(text.len(), self.len, "a line index used with another text");
        let offset = floor_char_boundary(text, offset);
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        (line, self.chars_between(text, start, offset) + 1)
    }

    /// The byte range of 1-based `line` without its line break (`\r\n` or
    /// `\n`), or `None` past the last line (as [`str::lines`] counts them:
    /// nothing after a final line break).
    pub fn line(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        if start == text.len() {
            return None;
        }
        let end = self.starts.get(line).map_or(text.len(), |next| next - 1);
        let end = if text[start..end].ends_with('\r') { end - 1 } else { end };
        Some(start..end)
    }

    /// Characters in `text[from..to]`, both character boundaries.
    fn chars_between(&self, text: &str, from: usize, to: usize) -> usize {
        if self.chars_before.is_empty() {
            return to - from;
        }
        self.chars_before_offset(text, to) - self.chars_before_offset(text, from)
    }

    fn chars_before_offset(&self, text: &str, offset: usize) -> usize {
        let chunk = offset / Self::STRIDE;
        let from = chunk * Self::STRIDE;
        self.chars_before[chunk] + text.as_bytes()[from..offset].iter().filter(|b| !is_continuation(**b)).count()
    }
}

/// Whether a UTF-8 byte continues a character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// `offset`, clamped to the text and moved back to a character boundary.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl Diagnostic {
    /// An error of the given kind.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning of the given kind.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            path: None,
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            snippet: None,
            more: 0,
        }
    }

    /// Sets the file.
    pub fn at(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets line and column (1-based) and, when `source` is the file's text,
    /// the line to quote. Reads the text up to that line: for a finding in a
    /// file with many, use [`Self::with_indexed_offset`].
    pub fn with_position(mut self, line: usize, column: usize, source: Option<&str>) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        if let Some(text) = source {
            self.snippet = text.lines().nth(line.saturating_sub(1)).map(|content| {
                let at = content.char_indices().nth(column.saturating_sub(1)).map_or(content.len(), |(i, _)| i);
                Snippet::around(content, at)
            });
        }
        self
    }

    /// Sets line and column (1-based) and quotes `content`, the text of that line.
    pub fn with_line_text(self, line: usize, column: usize, content: &str) -> Self {
        let content = content.split('\n').next().unwrap_or_default();
        self.with_position(line, column, None).with_snippet_of(content)
    }

    fn with_snippet_of(mut self, content: &str) -> Self {
        let column = self.column.unwrap_or(1);
        let at = content.char_indices().nth(column - 1).map_or(content.len(), |(i, _)| i);
        self.snippet = Some(Snippet::around(content, at));
        self
    }

    /// Sets line and column from a byte offset into `source`. Reads the text
    /// up to the offset: for a finding in a file with many, use
    /// [`Self::with_indexed_offset`].
    pub fn with_offset(self, source: &str, offset: usize) -> Self {
        self.with_indexed_offset(source, &LineIndex::new(source), offset)
    }

    /// Sets line and column from a byte offset into `source`, whose lines
    /// `lines` indexes, and quotes the line around it: O(log n) plus the
    /// characters quoted, however long the file or the line.
    pub fn with_indexed_offset(mut self, source: &str, lines: &LineIndex, offset: usize) -> Self {
        let offset = floor_char_boundary(source, offset);
        let (line, column) = lines.position(source, offset);
        self.line = Some(line);
        self.column = Some(column);
        if let Some(range) = lines.line(source, line) {
            let at = offset.clamp(range.start, range.end) - range.start;
            self.snippet = Some(Snippet::around(&source[range], at));
        }
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this finding fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// How many findings this one stands for: one, or on the finding that
    /// counts those left out, their number.
    pub fn count(&self) -> usize {
        self.more.max(1)
    }

    /// The finding that stands for `more` findings of `code` left out of `path`.
    fn left_out(code: Code, path: Option<PathBuf>, tally: &Tally) -> Self {
        let severity = if tally.errors { Severity::Error } else { Severity::Warning };
        let (line, column) = tally.first_left_out.unwrap_or((None, None));
        Self {
            severity,
            code,
            path,
            line,
            column,
            message: format!("… and {} more `{code}` findings in this file", tally.more),
            hint: Some(format!(
                "only the first {SHOWN_PER_KIND} of a kind are shown per file; fix those and check again"
            )),
            snippet: None,
            more: tally.more,
        }
    }

    /// `path:line:column`, as far as known.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        let mut out = path.display().to_string();
        if let Some(line) = self.line {
            let _ = write!(out, ":{line}");
            if let Some(column) = self.column {
                let _ = write!(out, ":{column}");
            }
        }
        Some(out)
    }

    /// Renders the finding rustc-style; `color` adds ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
        };
        let (label, label_color) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut out = format!("{}{} {}\n", paint(label_color, label), paint("1", ":"), paint("1", &self.message));
        let gutter_width = self.line.map_or(1, |l| l.to_string().len());
        let pad = " ".repeat(gutter_width);
        if let Some(location) = self.location() {
            let _ = writeln!(out, "{pad}{} {location}", paint("1;34", "-->"));
        }
        if let (Some(line), Some(snippet)) = (self.line, &self.snippet) {
            let bar = paint("1;34", "|");
            let caret_pad: String =
                snippet.text.chars().take(snippet.caret).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {}", paint("1;34", &line.to_string()), snippet.text);
            let _ = writeln!(out, "{pad} {bar} {caret_pad}{}", paint(label_color, "^"));
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{pad} {} {hint}", paint("1;34", "= help:"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(location) => write!(f, "{location}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The findings of one run, errors and warnings together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No findings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one finding.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(more);
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The exit status these findings call for: 0 without errors, 2 when
    /// every error is about how the command was called, 1 otherwise.
    pub fn exit_status(&self) -> u8 {
        if !self.has_errors() {
            0
        } else if self.errors().all(|d| d.code.is_usage()) {
            2
        } else {
            1
        }
    }

    /// How many errors, counting those left out of the list.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).map(Diagnostic::count).sum()
    }

    /// How many warnings, counting those left out of the list.
    pub fn warning_count(&self) -> usize {
        self.0.iter().filter(|d| !d.is_error()).map(Diagnostic::count).sum()
    }

    /// Whether there are no findings at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, line and column (findings without a file first), then
    /// drops exact repeats, so output is stable whatever the thread order.
    /// Of each kind, at most [`SHOWN_PER_KIND`] findings per file are kept,
    /// the first by position; one more finding, last in the file, counts
    /// the rest. Sorting again changes nothing.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.more > 0, a.line, a.column, a.severity, &a.message).cmp(&(
                &b.path,
                b.more > 0,
                b.line,
                b.column,
                b.severity,
                &b.message,
            ))
        });
        self.0.dedup();
        self.cap_per_file();
    }

    /// See [`Self::sort`]; expects the findings sorted by file.
    fn cap_per_file(&mut self) {
        // One pass into a new list: draining and splicing each file in place
        // moved everything after it, once per file.
        let all = std::mem::take(&mut self.0);
        let mut out = Vec::with_capacity(all.len());
        let mut rest = all.into_iter().peekable();
        while let Some(first) = rest.next() {
            let path = first.path.clone();
            let mut file = vec![first];
            while let Some(next) = rest.next_if(|d| d.path == path) {
                file.push(next);
            }
            if path.is_some() && needs_cap(&file) {
                let mut findings = FileFindings::new(path);
                file.into_iter().for_each(|d| findings.push(d));
                out.extend(findings.into_vec());
            } else {
                out.extend(file);
            }
        }
        self.0 = out;
    }

    /// Keeps only the first finding with `code`, noting how many there were.
    pub fn collapse(&mut self, code: Code) {
        let count = self.0.iter().filter(|d| d.code == code).count();
        if count < 2 {
            return;
        }
        let mut seen = false;
        self.0.retain(|d| d.code != code || !std::mem::replace(&mut seen, true));
        if let Some(first) = self.0.iter_mut().find(|d| d.code == code) {
            first.message.push_str(&format!(" ({count} links like this on the site)"));
        }
    }

    /// The findings, in their current order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }
}

/// Whether a file's findings hold a kind past [`SHOWN_PER_KIND`] or a count of left-out ones.
fn needs_cap(file: &[Diagnostic]) -> bool {
    if file.len() <= SHOWN_PER_KIND {
        return file.iter().any(|d| d.more > 0);
    }
    let mut counts: FxHashMap<Code, usize> = FxHashMap::default();
    file.iter().any(|d| {
        let count = counts.entry(d.code).or_default();
        *count += 1;
        d.more > 0 || *count > SHOWN_PER_KIND
    })
}

/// What [`FileFindings`] knows of one kind of finding.
#[derive(Debug, Default)]
struct Tally {
    /// Findings kept in full.
    shown: usize,
    /// Findings left out.
    more: usize,
    /// Whether any left-out finding is an error.
    errors: bool,
    /// Line and column of the first one left out, when known.
    first_left_out: Option<(Option<usize>, Option<usize>)>,
}

/// The findings of one file, collected as they are made. At most
/// [`SHOWN_PER_KIND`] of each kind are made in full (located, quoted); the
/// rest are only counted, and [`Self::into_vec`] adds one finding per kind
/// that says how many were left out. Reporting a file with 50,000 copies of
/// one mistake so costs no more than reporting ten, and it still fails the
/// build when they are errors.
#[derive(Debug, Default)]
pub struct FileFindings {
    path: Option<PathBuf>,
    list: Vec<Diagnostic>,
    tallies: FxHashMap<Code, Tally>,
    errors: bool,
}

impl FileFindings {
    /// No findings yet about the file at `path`.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path, ..Self::default() }
    }

    /// Adds a finding already made.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        let severity = diagnostic.severity;
        let code = diagnostic.code;
        if diagnostic.more > 0 {
            self.errors |= severity == Severity::Error;
            let tally = self.tallies.entry(code).or_default();
            tally.more += diagnostic.more;
            tally.errors |= severity == Severity::Error;
            tally.first_left_out.get_or_insert((diagnostic.line, diagnostic.column));
            return;
        }
        let position = (diagnostic.line, diagnostic.column);
        if self.admit(code, severity, position) {
            self.list.push(diagnostic);
        }
    }

    /// Adds the finding of kind `code` that `make` makes, calling it only
    /// when the finding will be shown.
    pub fn add(&mut self, code: Code, severity: Severity, make: impl FnOnce() -> Diagnostic) {
        if self.admit(code, severity, (None, None)) {
            let diagnostic = make();
            debug_assert_eq!((diagnostic.code, diagnostic.severity), (code, severity));
            self.list.push(diagnostic);
        }
    }

    /// Counts a finding; whether it is to be kept in full.
    fn admit(&mut self, code: Code, severity: Severity, position: (Option<usize>, Option<usize>)) -> bool {
        self.errors |= severity == Severity::Error;
        let tally = self.tallies.entry(code).or_default();
        if tally.shown < SHOWN_PER_KIND {
            tally.shown += 1;
            return true;
        }
        tally.more += 1;
        tally.errors |= severity == Severity::Error;
        tally.first_left_out.get_or_insert(position);
        false
    }

    /// Whether any finding so far, kept or counted, is an error.
    pub fn has_errors(&self) -> bool {
        self.errors
    }

    /// The findings kept, then one per kind that counts those left out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        let mut list = self.list;
        let mut left_out: Vec<(Code, Tally)> = self.tallies.into_iter().filter(|(_, t)| t.more > 0).collect();
        left_out.sort_unstable_by_key(|(code, _)| *code);
        for (code, tally) in left_out {
            list.push(Diagnostic::left_out(code, self.path.clone(), &tally));
        }
        list
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// 1-based line and column (in characters) of a byte offset. Reads the
/// text up to the offset: for many offsets into one text, use a [`LineIndex`].
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The closest of `candidates` to `word`, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance counting a swap of neighbours as one edit (`tgas` → `tags`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Rewrites the type errors serde and the YAML/TOML readers produce into
/// words a creator knows ("a whole number", "a list").
pub fn friendly(message: &str) -> String {
    let kind = |expected: &str| -> &'static str {
        let e = expected.trim().trim_end_matches('.');
        if ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize", "an integer"]
            .iter()
            .any(|t| e.ends_with(t))
        {
            "a whole number"
        } else if e.contains("f64") || e.contains("f32") || e.contains("float") {
            "a number"
        } else if e.contains("bool") || e.contains("true or false") {
            "true or false"
        } else if e.contains("sequence") || e.contains("Vec") || e.contains("list") {
            "a list"
        } else if e.contains("map") || e.contains("struct") || e.contains("table") {
            "a `key: value` table"
        } else if e.contains("string") || e.contains("str") {
            "text"
        } else {
            "another kind of value"
        }
    };
    let found_word = |found: &str| -> String {
        let f = found.trim();
        if f.starts_with("sequence") || f.starts_with("array") {
            "a list".to_owned()
        } else if f.starts_with("map") || f.starts_with("table") {
            "a `key: value` table".to_owned()
        } else if let Some(value) = f.strip_prefix("string ") {
            format!("the text {value}")
        } else if let Some(value) = f.strip_prefix("integer ").or_else(|| f.strip_prefix("floating point ")) {
            format!("the number {value}")
        } else if let Some(value) = f.strip_prefix("boolean ") {
            format!("`{value}`")
        } else {
            f.to_owned()
        }
    };
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("expected {}, found {}", kind(expected), found_word(found));
    }
    if message.contains("invalid floating point") || message.contains("invalid digit") {
        return "expected a number".to_owned();
    }
    if message.contains("expected sequence start") {
        return "expected a list (lines starting with `- `, or `[a, b]`)".to_owned();
    }
    message.to_owned()
}

/// A path shown relative to `root` when it lies inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// serde's "unknown field `x`, expected one of `a`, `b`" becomes a "did you mean" hint.
pub fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let expected = expected.split_once("expected").map_or("", |(_, list)| list);
    let expected = expected.trim().strip_prefix("one of").unwrap_or(expected);
    let candidates: Vec<&str> = expected
        .split([',', ' '])
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty() && *c != "or")
        .collect();
    match closest(field, candidates.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !candidates.is_empty() => Some(format!("known keys: {}", candidates.join(", "))),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_public_names() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "two codes share a name");
        for name in &names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{name}");
        }
        // Printed by `check --format json`: these names are a public interface.
        for name in ["usage", "front-matter", "duplicate-url", "unsafe-link", "broken-link", "disclosure", "write"] {
            assert!(names.contains(&name), "{name}");
        }
        assert_eq!(serde_json::to_string(&Code::BrokenAnchor).unwrap(), "\"broken-anchor\"");
        assert!(Code::Usage == "usage" && Code::Usage.is_usage() && !Code::Read.is_usage());
    }

    #[test]
    fn line_column_counts_from_one() {
        let text = "a\nbc\n広d";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 2));
        assert_eq!(line_column(text, text.find('d').unwrap()), (3, 2));
        assert_eq!(line_column(text, 999), (3, 3));
    }

    #[test]
    fn line_index_agrees_with_reading_from_the_start() {
        let ascii: String = (0..400).map(|i| format!("line {i} {}\n", "x".repeat(i % 37))).collect();
        let mixed: String = (0..400).map(|i| format!("广告 {i} é{}\r\n", "ü".repeat(i % 700))).collect();
        for text in [ascii.as_str(), mixed.as_str(), "", "\n", "no newline", "a\n\nb\n"] {
            let index = LineIndex::new(text);
            // Every offset's position, counted in one walk (line_column on each would be quadratic).
            let mut expected = Vec::with_capacity(text.len() + 1);
            let (mut line, mut column) = (1, 1);
            for c in text.chars() {
                expected.extend(std::iter::repeat_n((line, column), c.len_utf8()));
                (line, column) = if c == '\n' { (line + 1, 1) } else { (line, column + 1) };
            }
            expected.push((line, column));
            for offset in 0..=text.len() + 2 {
                let want = expected[offset.min(text.len())];
                assert_eq!(index.position(text, offset), want, "offset {offset}");
            }
            for offset in (0..text.len()).step_by(997) {
                assert_eq!(index.position(text, offset), line_column(text, offset), "offset {offset}");
            }
            for (number, line) in text.lines().enumerate() {
                assert_eq!(index.line(text, number + 1).map(|r| &text[r]), Some(line), "line {}", number + 1);
            }
            assert_eq!(index.line(text, text.lines().count() + 1), None);
            assert_eq!(index.line(text, 0), None);
        }
    }

    #[test]
    fn a_short_line_is_quoted_whole() {
        let snippet = Snippet::around("tags: [a", 6);
        assert_eq!(snippet, Snippet { text: "tags: [a".to_owned(), caret: 6 });
        let line = "é".repeat(SNIPPET_CHARS);
        assert_eq!(Snippet::around(&line, line.len()), Snippet { text: line.clone(), caret: SNIPPET_CHARS });
    }

    #[test]
    fn a_long_line_is_quoted_around_the_column() {
        // Every character is its own column number (mod 10), so the caret's character shows where it is.
        let line: String = (0..100_000).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
        for column in [1, 50, 101, 150, 5_000, 99_950, 100_000, 100_001] {
            let at = (column - 1).min(line.len());
            let snippet = Snippet::around(&line, at);
            let chars: Vec<char> = snippet.text.chars().collect();
            let kept = chars.len() - usize::from(chars[0] == '…') - usize::from(chars.last() == Some(&'…'));
            assert_eq!(kept, SNIPPET_CHARS, "column {column}");
            assert_eq!(chars[0] == '…', column > SNIPPET_CHARS / 2 + 1 && at > 0, "column {column}");
            assert_eq!(chars.last() == Some(&'…'), column + SNIPPET_CHARS / 2 <= 100_000, "column {column}");
            match line.as_bytes().get(at) {
                Some(&expected) => assert_eq!(chars[snippet.caret], char::from(expected), "column {column}"),
                None => assert_eq!(snippet.caret, chars.len(), "column {column}"),
            }
        }
        // Multi-byte characters are never cut.
        let line = "广".repeat(1_000);
        let snippet = Snippet::around(&line, 3 * 500 + 1);
        assert_eq!(snippet.text, format!("…{}…", "广".repeat(SNIPPET_CHARS)));
        assert_eq!(snippet.caret, 1 + SNIPPET_CHARS / 2);
    }

    #[test]
    fn a_finding_on_a_huge_line_quotes_a_window_with_the_caret_on_its_column() {
        let line = "[x](javascript:alert(1)) ".repeat(20_000);
        let source = format!("---\ntitle: T\n---\n{line}\n");
        let index = LineIndex::new(&source);
        let offset = source.len() - 100 * 25 - 1;
        let d = Diagnostic::error(Code::UnsafeLink, "no").at("a.md").with_indexed_offset(&source, &index, offset);
        assert_eq!((d.line, d.column), (Some(4), Some(line.len() - 100 * 25 + 1)));
        let text = d.render(false);
        let quoted = text.lines().find(|l| l.starts_with("4 | ")).unwrap();
        let caret = text.lines().find(|l| l.trim_start().starts_with("| ") && l.ends_with('^')).unwrap();
        assert!(quoted.chars().count() <= SNIPPET_CHARS + 6, "{quoted}");
        assert!(quoted.starts_with("4 | …"), "{quoted}");
        let caret_column = caret.chars().count() - 1;
        assert_eq!(quoted.chars().nth(caret_column), Some('['), "{quoted}\n{caret}");
        assert_eq!(d.with_position(4, 1, Some(&source)).snippet.unwrap().text.chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn a_file_shows_ten_findings_of_a_kind_and_counts_the_rest() {
        let mut findings = FileFindings::new(Some("a.md".into()));
        let mut made = 0;
        for i in 0..50_000 {
            findings.add(Code::UnsafeLink, Severity::Error, || {
                made += 1;
                Diagnostic::error(Code::UnsafeLink, "bad").at("a.md").with_position(1, i + 1, None)
            });
        }
        findings.push(Diagnostic::warning(Code::NoCover, "none").at("a.md"));
        assert!(findings.has_errors());
        assert_eq!(made, SHOWN_PER_KIND);
        let mut all: Diagnostics = findings.into_vec().into_iter().collect();
        all.sort();
        let listed: Vec<(&str, usize)> = all.iter().map(|d| (d.code.as_str(), d.more)).collect();
        let mut expected = vec![("no-cover", 0)];
        expected.extend([("unsafe-link", 0); SHOWN_PER_KIND]);
        expected.push(("unsafe-link", 50_000 - SHOWN_PER_KIND));
        assert_eq!(listed, expected);
        let summary = all.iter().last().unwrap();
        assert!(summary.is_error());
        assert_eq!(
            summary.message,
            format!("… and {} more `unsafe-link` findings in this file", 50_000 - SHOWN_PER_KIND)
        );
        assert_eq!((all.error_count(), all.warning_count()), (50_000, 1));
        assert!(all.has_errors());
    }

    #[test]
    fn sorting_caps_each_kind_per_file_and_sorting_again_changes_nothing() {
        let mut all = Diagnostics::new();
        let total = SHOWN_PER_KIND + 15;
        for line in (1..=total).rev() {
            all.push(
                Diagnostic::error(Code::BrokenLink, format!("broken {line}")).at("a.md").with_position(line, 3, None),
            );
        }
        for line in 1..=3 {
            all.push(Diagnostic::warning(Code::ShortenedLink, "short").at("a.md").with_position(line, 1, None));
            all.push(Diagnostic::error(Code::BrokenLink, "broken").at("b.md").with_position(line, 1, None));
        }
        all.sort();
        let a: Vec<String> = all
            .iter()
            .filter(|d| d.path.as_deref() == Some(Path::new("a.md")))
            .map(|d| format!("{}:{}:{}", d.code, d.line.unwrap_or(0), d.more))
            .collect();
        let mut expected: Vec<String> = Vec::new();
        for line in 1..=SHOWN_PER_KIND {
            // Column 1 before column 3.
            if line <= 3 {
                expected.push(format!("shortened-link:{line}:0"));
            }
            expected.push(format!("broken-link:{line}:0"));
        }
        expected.push(format!("broken-link:{}:15", SHOWN_PER_KIND + 1));
        assert_eq!(a, expected);
        assert_eq!(all.iter().filter(|d| d.path.as_deref() == Some(Path::new("b.md"))).count(), 3);
        assert_eq!(all.error_count(), total + 3);
        let once = all.clone();
        all.sort();
        assert_eq!(all, once);
        let mut twice = once.clone();
        twice.extend(once.clone());
        twice.sort();
        assert_eq!(twice, once, "exact repeats are dropped, counts are not added up twice");
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        let keys = ["tags", "title", "categories"];
        assert_eq!(closest("tgas", keys), Some("tags"));
        assert_eq!(closest("categores", keys), Some("categories"));
        assert_eq!(closest("price", keys), None);
    }

    #[test]
    fn serde_words_become_plain_words() {
        assert_eq!(
            friendly("invalid type: string \"ten\", expected i64"),
            "expected a whole number, found the text \"ten\""
        );
        assert_eq!(friendly("invalid type: sequence, expected a string"), "expected text, found a list");
        assert_eq!(friendly("invalid floating point"), "expected a number");
        assert_eq!(friendly("unknown field `x`"), "unknown field `x`");
    }

    #[test]
    fn render_quotes_the_line_with_a_caret() {
        let source = "---\ntgas: [a]\n---\n";
        let d = Diagnostic::error(Code::FrontMatter, "unknown key `tgas`")
            .at("content/posts/a.md")
            .with_position(2, 1, Some(source))
            .with_hint("did you mean `tags`?");
        let text = d.render(false);
        assert!(text.starts_with("error: unknown key `tgas`\n"), "{text}");
        assert!(text.contains("--> content/posts/a.md:2:1"), "{text}");
        assert!(text.contains("2 | tgas: [a]"), "{text}");
        assert!(text.contains("  | ^"), "{text}");
        assert!(text.contains("= help: did you mean `tags`?"), "{text}");
    }

    #[test]
    fn sort_orders_by_file_then_line() {
        let mut all: Diagnostics = [
            Diagnostic::error(Code::Read, "b").at("b.md").with_position(1, 1, None),
            Diagnostic::error(Code::Read, "a2").at("a.md").with_position(9, 1, None),
            Diagnostic::error(Code::Read, "a1").at("a.md").with_position(2, 1, None),
        ]
        .into_iter()
        .collect();
        all.sort();
        let order: Vec<_> = all.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["a1", "a2", "b"]);
    }
}
