//! Splitting a Markdown file into front matter and body, and reading the
//! front matter into [`FrontMatter`].
//!
//! YAML sits between `---` lines (Hexo, Jekyll), TOML between `+++` lines
//! (Hugo, Zola). Hexo also accepts YAML with no opening `---`, ended by a
//! `---` line; that form is recognised when the lines before it read as
//! `key: value`. Keys shopfront does not know are kept in
//! [`FrontMatter::extra`] for templates. The YAML reader follows YAML 1.2, so
//! `categories: [no, on]` stays strings (the "Norway problem").

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::dates::DateInput;

/// The front matter's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
}

/// A file cut into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter's format and text, if there is front matter.
    pub front_matter: Option<(Format, &'a str)>,
    /// 1-based line where the front matter text starts.
    pub front_matter_line: usize,
    /// The Markdown body.
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    /// The delimiter that was opened.
    pub delimiter: &'static str,
}

/// Cuts `text` (LF line endings, no BOM) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, Unterminated> {
    for (delimiter, format) in [("---", Format::Yaml), ("+++", Format::Toml)] {
        let Some(first_line_end) = opening_line(text, delimiter) else {
            continue;
        };
        let rest = &text[first_line_end..];
        let closers: &[&str] = if format == Format::Yaml { &["---", "..."] } else { &["+++"] };
        let Some((fm_end, body_start)) = closing_line(rest, closers) else {
            return Err(Unterminated { delimiter });
        };
        let front = &rest[..fm_end];
        let body = &rest[body_start..];
        return Ok(Split {
            front_matter: Some((format, front)),
            front_matter_line: 2,
            body,
            body_line: 2 + count_lines(&rest[..body_start]),
        });
    }
    if let Some(split) = hexo_headless(text) {
        return Ok(split);
    }
    Ok(Split { front_matter: None, front_matter_line: 1, body: text, body_line: 1 })
}

/// If `text` opens with a line that is exactly `delimiter` (trailing blanks
/// allowed), the byte offset after that line.
fn opening_line(text: &str, delimiter: &str) -> Option<usize> {
    let rest = text.strip_prefix(delimiter)?;
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    rest[..line_end].trim().is_empty().then_some(delimiter.len() + line_end)
}

/// Finds a line equal to one of `closers`: (end of front matter, start of body).
fn closing_line(text: &str, closers: &[&str]) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if closers.contains(&line.trim_end()) {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

/// Hexo's front matter without an opening `---`.
fn hexo_headless(text: &str) -> Option<Split<'_>> {
    let first = text.lines().next()?;
    let (key, _) = first.split_once(':')?;
    let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !is_key {
        return None;
    }
    let (fm_end, body_start) = closing_line(text, &["---"])?;
    let front = &text[..fm_end];
    // Every non-indented line must look like a key, or this is just prose with a rule.
    let all_keys = front.lines().filter(|l| !l.starts_with([' ', '-', '\t', '#']) && !l.trim().is_empty()).all(|l| {
        l.split_once(':').is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    });
    all_keys.then(|| Split {
        front_matter: Some((Format::Yaml, front)),
        front_matter_line: 1,
        body: &text[body_start..],
        body_line: 1 + count_lines(&text[..body_start]),
    })
}

/// An error while reading front matter, with a position inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub message: String,
    /// 1-based line and column inside the front-matter text, if known.
    pub position: Option<(usize, usize)>,
    /// A hint, e.g. "did you mean `tags`?".
    pub hint: Option<String>,
    /// Another line of the front matter the message is about (where a
    /// repeated key first appears), for the caller to name in file lines.
    pub first_line: Option<usize>,
}

/// Reads front-matter text.
pub fn parse(format: Format, text: &str) -> Result<FrontMatter, ParseError> {
    if text.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    match format {
        Format::Yaml => {
            let read = |text: &str| {
                let options = serde_saphyr::options! { strict_booleans: true };
                serde_saphyr::from_str_with_options::<FrontMatter>(text, options)
            };
            let result = match read(text) {
                // libyaml, js-yaml and PyYAML (Jekyll's and Hexo's readers)
                // accept a quoted value continued at column 0; read it as they do.
                Err(err) if yaml_message(&err).contains("multiline quoted scalar") => {
                    match indent_quoted_continuations(text) {
                        Some(indented) => read(&indented).map_err(|_| err),
                        None => Err(err),
                    }
                }
                other => other,
            };
            result.map_err(|err| {
                let position = err.location().map(|l| (l.line() as usize, l.column() as usize));
                match budget_breach(&err) {
                    Some(breach) => over_limit(text, breach, position),
                    None => explain_yaml(text, &yaml_message(&err), position),
                }
            })
        }
        Format::Toml => toml::from_str::<FrontMatter>(text).map_err(|err| {
            let position = err.span().map(|span| crate::diagnostics::line_column(text, span.start));
            let raw = err.message().trim().trim_end_matches('.');
            let message = crate::diagnostics::friendly(raw);
            ParseError {
                hint: hint_for(raw),
                message,
                position: position.map(|p| value_position(text, p)),
                first_line: None,
            }
        }),
    }
}

/// `text` with the lines that continue a quoted value at column 0 indented
/// past their key, which changes no value (YAML folds the line breaks of a
/// quoted scalar and drops their leading spaces); `None` when there are none.
fn indent_quoted_continuations(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut open: Option<(char, usize)> = None;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let rest = match open {
            Some((_, indent)) => {
                if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
                    out.push_str(&" ".repeat(indent + 2));
                    changed = true;
                }
                line
            }
            None => {
                let indent = line.len() - line.trim_start().len();
                let value = line.find(": ").map(|i| line[i + 1..].trim_start());
                match value.and_then(|v| v.chars().next().filter(|c| matches!(c, '"' | '\'')).map(|q| (q, v))) {
                    Some((quote, value)) => {
                        open = Some((quote, indent));
                        &value[1..]
                    }
                    None => "",
                }
            }
        };
        out.push_str(line);
        if let Some((quote, _)) = open
            && closes(rest, quote)
        {
            open = None;
        }
    }
    changed.then_some(out)
}

/// Whether a quoted value's text closes on this line: `\"` escapes in double
/// quotes, `''` in single ones.
fn closes(text: &str, quote: char) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek() == Some(&'\'') => {
                chars.next();
            }
            c if c == quote => return true,
            _ => {}
        }
    }
    false
}

/// The first line at or after `from` (1-based) indented with a tab, and the
/// tab's column; else the first anywhere.
fn tab_indented(lines: &[&str], from: usize) -> Option<(usize, usize)> {
    let tab = |(index, line): (usize, &&str)| {
        let indent = &line[..line.len() - line.trim_start().len()];
        indent.find('\t').map(|column| (index + 1, indent[..column].chars().count() + 1))
    };
    let from = from.saturating_sub(1).min(lines.len());
    lines.iter().enumerate().skip(from).find_map(tab).or_else(|| lines.iter().enumerate().find_map(tab))
}

/// Turns a YAML reader's message into one a creator can act on, pointing at
/// the place the mistake was made rather than where the reader noticed it.
/// Linear in the text: its lines are split once and every look back or
/// ahead reads each line at most once.
fn explain_yaml(text: &str, message: &str, position: Option<(usize, usize)>) -> ParseError {
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |n: usize| n.checked_sub(1).and_then(|i| lines.get(i)).copied().unwrap_or("");
    let error_line = position.map_or(usize::MAX, |p| p.0);
    if let Some((line, column, bracket)) = unclosed_bracket(&lines, error_line) {
        return ParseError {
            message: format!("`{bracket}` is never closed"),
            position: Some((line, column)),
            hint: Some(format!(
                "close the list with `{}` on the same line, or quote the value",
                if bracket == '[' { ']' } else { '}' }
            )),
            first_line: None,
        };
    }
    if let Some(key) = message.strip_prefix("duplicate mapping key: ").map(|k| k.split(',').next().unwrap_or(k).trim())
    {
        let written = format!("{key}:");
        let first = lines.iter().position(|l| l.trim_start().starts_with(&written)).map_or(1, |i| i + 1);
        return ParseError {
            message: format!("`{key}` appears twice"),
            position,
            hint: Some("keep one of them".to_owned()),
            first_line: Some(first),
        };
    }
    if message.starts_with("unknown field")
        && let Some((line, _)) = position
    {
        // The mistake is the key itself.
        let content = line_of(line);
        let column = content.len() - content.trim_start().trim_start_matches("- ").len() + 1;
        return ParseError {
            hint: hint_for(message),
            message: message.to_owned(),
            position: Some((line, column)),
            first_line: None,
        };
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        // Point at the start of the list item that lacks the field.
        let item = position.and_then(|(line, _)| {
            (1..=line).rev().find(|n| line_of(*n).trim_start().starts_with("- ")).map(|n| {
                let l = line_of(n);
                (n, l.len() - l.trim_start().len() + 1)
            })
        });
        let in_products = lines.iter().take(error_line).any(|l| l.trim_start().starts_with("products:"));
        let message = if in_products { format!("a product needs a {field}") } else { format!("missing {field}") };
        return ParseError { message, position: item.or(position), hint: None, first_line: None };
    }
    if message.contains("expected mapping start") || message.contains("expected front matter") {
        let looks_toml = lines.iter().any(|l| l.contains(" = ") && !l.contains(": "));
        return ParseError {
            message: "front matter must be `key: value` lines".to_owned(),
            position,
            hint: Some(if looks_toml {
                "this looks like TOML: put TOML front matter between `+++` lines".to_owned()
            } else {
                "write one `key: value` per line, e.g. `title: My post`".to_owned()
            }),
            first_line: None,
        };
    }
    if message.contains("tab")
        && let Some((line, column)) = tab_indented(&lines, error_line)
    {
        return ParseError {
            message: "this line is indented with a tab".to_owned(),
            position: Some((line, column)),
            hint: Some("YAML indents with spaces only: use spaces instead of the tab".to_owned()),
            first_line: None,
        };
    }
    if message.contains("did not find expected key")
        || message.contains("mapping values are not allowed") && text.contains("\t")
    {
        return ParseError {
            message: format!("{message}: check the indentation"),
            position,
            hint: Some("keys at the same level must start in the same column; indent with spaces, not tabs".to_owned()),
            first_line: None,
        };
    }
    ParseError {
        hint: hint_for(message),
        message: crate::diagnostics::friendly(message),
        position: position.map(|p| value_position(text, p)),
        first_line: None,
    }
}

/// An error reported at a line's first column is about its value: point there.
fn value_position(text: &str, (line, column): (usize, usize)) -> (usize, usize) {
    let Some(content) = text.lines().nth(line.saturating_sub(1)) else { return (line, column) };
    let indent = content.len() - content.trim_start().len();
    if column > indent + 1 {
        return (line, column);
    }
    let separator = content.find(": ").map(|i| i + 2).or_else(|| content.find(" = ").map(|i| i + 3));
    match separator {
        Some(start) => {
            let value_start = start + (content[start..].len() - content[start..].trim_start().len());
            (line, content[..value_start].chars().count() + 1)
        }
        None => (line, column),
    }
}

/// The first `[` or `{` (outside quotes) on a line at or before `limit`
/// that is never closed: (line, column, bracket).
///
/// A flow collection may continue on the next lines (`tags: [a,` then
/// `  b]`), so the brackets each line leaves open go on one stack that later
/// lines close; what is left at `limit` was never closed. Each line is read
/// once.
fn unclosed_bracket(lines: &[&str], limit: usize) -> Option<(usize, usize, char)> {
    let mut open: Vec<(usize, usize, char)> = Vec::new();
    for (index, line) in lines.iter().enumerate().take(limit) {
        let (closes, left_open) = brackets_on_line(line);
        open.truncate(open.len().saturating_sub(closes));
        open.extend(left_open.into_iter().map(|(column, bracket)| (index + 1, column, bracket)));
    }
    open.first().copied()
}

/// The brackets of one line, outside quotes and comments: how many it
/// closes that earlier lines opened, and the 1-based column and kind of
/// each it leaves open.
fn brackets_on_line(line: &str) -> (usize, Vec<(usize, char)>) {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut closes = 0;
    let mut quote: Option<char> = None;
    for (column, (byte, c)) in line.char_indices().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            // A quote inside a plain value (`it's`) opens nothing.
            (None, '"' | '\'') if stack.is_empty() && !line[..byte].trim_end().ends_with([':', '-', ',', '[', '{']) => {
            }
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if stack.is_empty() => break,
            (None, '[' | '{') => stack.push((column + 1, c)),
            (None, ']' | '}') => closes += usize::from(stack.pop().is_none()),
            _ => {}
        }
    }
    (closes, stack)
}

/// The budget a YAML error reports breached, under any wrapping.
fn budget_breach(err: &serde_saphyr::Error) -> Option<&serde_saphyr::budget::BudgetBreach> {
    let mut err = err;
    loop {
        match err {
            serde_saphyr::Error::Budget { breach, .. } => return Some(breach),
            serde_saphyr::Error::WithSnippet { error, .. } | serde_saphyr::Error::AliasError { error, .. } => {
                err = error;
            }
            _ => return None,
        }
    }
}

/// A front matter the YAML reader stopped reading because it passed one of
/// its limits: which limit, in plain words, and how to split the file.
fn over_limit(text: &str, breach: &serde_saphyr::budget::BudgetBreach, position: Option<(usize, usize)>) -> ParseError {
    use serde_saphyr::budget::BudgetBreach;
    let limits = serde_saphyr::Budget::default();
    let uses_aliases = text.contains('&') && text.contains('*');
    let (message, hint) = match breach {
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } if uses_aliases => (
            format!(
                "front matter is too large: its aliases (`*name`) repeat lists until it holds more than {} values, the most shopfront reads from one file",
                thousands(limits.max_nodes)
            ),
            "write the values out instead of repeating them with `&name` and `*name`".to_owned(),
        ),
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => (
            format!(
                "front matter is too large: it holds more than {} values (keys, values and list items), the most shopfront reads from one file",
                thousands(limits.max_nodes)
            ),
            split_hint(text, position.map(|p| p.0)),
        ),
        BudgetBreach::Depth { .. } => (
            format!("front matter is nested too deeply: lists and tables may be nested at most {} levels", limits.max_depth),
            "flatten the nested lists; a value nested this deep is almost always a typo such as `[[[`".to_owned(),
        ),
        BudgetBreach::ScalarBytes { .. } => (
            format!(
                "front matter is too large: its text values add up to more than {} MiB, the most shopfront reads from one file",
                limits.max_total_scalar_bytes >> 20
            ),
            "move long text into the post's body, or split the file into several posts".to_owned(),
        ),
        BudgetBreach::Documents { .. } => (
            format!("front matter holds more than {} YAML documents (`---` lines)", thousands(limits.max_documents)),
            "end the front matter with a single `---` line; put the rest in the body".to_owned(),
        ),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. }
        | BudgetBreach::MergeKeys { .. } => (
            "front matter uses YAML anchors (`&name`), aliases (`*name`) or merge keys (`<<`) more than shopfront allows in one file".to_owned(),
            "write the values out instead of repeating them with anchors and aliases".to_owned(),
        ),
        other => (
            format!("front matter is beyond what shopfront reads from one file ({other:?})"),
            "split the file into several smaller posts".to_owned(),
        ),
    };
    ParseError { message, position, hint: Some(hint), first_line: None }
}

/// How to split a front matter that holds too many values: by its
/// `products:` list when the reader stopped inside it.
fn split_hint(text: &str, stopped_at: Option<usize>) -> String {
    let generic = "split the file into several posts, or shorten its longest lists".to_owned();
    let lines: Vec<&str> = text.lines().collect();
    let Some(list) = lines.iter().position(|l| l.trim_end() == "products:") else { return generic };
    // The list's items: lines starting `- ` at the first item's indent, until the next top-level key.
    let rest = &lines[list + 1..];
    let end = rest.iter().position(|l| !l.is_empty() && !l.starts_with([' ', '-', '\t', '#'])).unwrap_or(rest.len());
    let items = &rest[..end];
    let Some(indent) =
        items.iter().find_map(|l| l.trim_start().starts_with("- ").then(|| l.len() - l.trim_start().len()))
    else {
        return generic;
    };
    let is_item = |l: &&&str| l.len() - l.trim_start().len() == indent && l.trim_start().starts_with("- ");
    let total = items.iter().filter(is_item).count();
    let stopped = stopped_at.map_or(end, |line| line.saturating_sub(list + 1).min(end));
    let read = items[..stopped].iter().filter(is_item).count();
    if read == 0 || read >= total {
        return generic;
    }
    // Leave room: a tenth less than what was read before the limit.
    let per_post = (read - read / 10).max(1);
    let posts = total.div_ceil(per_post);
    format!(
        "split its {} products over at least {posts} posts of at most {} products each (for example by category), each post with its own `products:` list",
        thousands(total),
        thousands(per_post)
    )
}

/// `250000` as `250,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

pub(crate) fn yaml_message(err: &serde_saphyr::Error) -> String {
    let full = err.without_snippet().to_string();
    // The crate appends " at line X column Y"; the diagnostic shows the position itself.
    let message = full.lines().next().unwrap_or(&full);
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    message.trim().trim_end_matches('.').to_owned()
}

fn hint_for(message: &str) -> Option<String> {
    if let Some(hint) = crate::diagnostics::unknown_field_hint(message) {
        return Some(hint);
    }
    if message.contains("mapping values are not allowed") {
        return Some("a value containing `: ` or starting with `[`, `{`, `*`, `&` or `#` needs quotes".to_owned());
    }
    None
}

/// Everything front matter can say about a post or page.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `date`.
    pub date: Option<DateInput>,
    /// `updated` (also Hugo's `lastmod`).
    pub updated: Option<DateInput>,
    /// `slug`.
    pub slug: Option<String>,
    /// `permalink` (Hexo) or `url`: a full path for the page.
    pub permalink: Option<String>,
    /// `aliases` (Hugo), `redirect_from` (Jekyll) or `alias` (Hexo): old
    /// addresses on the site that redirect to the page.
    pub aliases: Vec<String>,
    /// `categories` (also a single `category`), every name once, in order.
    pub categories: Vec<String>,
    /// The same as Hexo reads them, as paths: `[Diary, Life]` is one path,
    /// Diary › Life; `[[Diary, Life], Travel]` two, Diary › Life and Travel.
    pub category_paths: Vec<Vec<String>>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `summary`, else `excerpt`, else `description` (Jekyll's order).
    pub summary: Option<String>,
    /// `cover` (also `image`, `thumbnail`).
    pub cover: Option<String>,
    /// `draft: true` or Hexo's `published: false`.
    pub draft: bool,
    /// `featured: true` puts a post in the storefront's featured row.
    pub featured: bool,
    /// `products`.
    pub products: Vec<ProductInput>,
    /// `disclosure`: this post's own disclosure text.
    pub disclosure: Option<String>,
    /// Every other key, for templates as `page.extra`.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Date values that are not dates, by key as written (`date`, `lastmod`…),
    /// with why: reported with the file's other errors rather than alone.
    pub invalid_dates: Vec<(String, String)>,
}

impl<'de> Deserialize<'de> for FrontMatter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FrontMatterVisitor)
    }
}

struct FrontMatterVisitor;

impl<'de> Visitor<'de> for FrontMatterVisitor {
    type Value = FrontMatter;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("front matter of `key: value` lines")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FrontMatter, A::Error> {
        let mut fm = FrontMatter::default();
        let mut summary_rank = usize::MAX;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "title" => fm.title = map.next_value::<Option<Text>>()?.map(|t| t.0),
                "date" | "updated" | "lastmod" => {
                    let date = match map.next_value::<Option<Date>>()? {
                        Some(Date(Ok(date))) => Some(date),
                        Some(Date(Err(why))) => {
                            fm.invalid_dates.push((key.clone(), why));
                            None
                        }
                        None => None,
                    };
                    if key == "date" { fm.date = date } else { fm.updated = date }
                }
                "slug" => fm.slug = map.next_value::<Option<Text>>()?.map(|t| t.0),
                "permalink" | "url" => fm.permalink = map.next_value::<Option<Text>>()?.map(|t| t.0),
                "categories" | "category" => {
                    let list = map.next_value::<CategoryList>()?;
                    fm.categories.extend(list.0.iter().flatten().cloned());
                    fm.category_paths.extend(list.0);
                }
                "aliases" | "redirect_from" | "alias" => fm.aliases.extend(map.next_value::<StringList>()?.0),
                // Jekyll reads a string of tags as words: `tags: emacs micro writing`.
                "tags" => fm.tags.extend(map.next_value::<StringList>()?.words()),
                // Jekyll's `excerpt:` is the post's own summary; `description:` is for search engines.
                "summary" | "description" | "excerpt" => {
                    let rank = ["summary", "excerpt", "description"].iter().position(|k| *k == key).unwrap_or(0);
                    let value = map.next_value::<Option<Text>>()?;
                    if let Some(value) = value.filter(|v| !v.0.trim().is_empty())
                        && rank < summary_rank
                    {
                        summary_rank = rank;
                        fm.summary = Some(value.0);
                    }
                }
                "cover" | "image" | "thumbnail" => {
                    let value = map.next_value::<Option<Image>>()?;
                    if fm.cover.is_none() {
                        fm.cover = value.and_then(|i| i.0);
                    }
                }
                "draft" => fm.draft |= map.next_value::<Option<Flag>>()?.is_some_and(|f| f.0),
                "published" => fm.draft |= !map.next_value::<Option<Flag>>()?.is_none_or(|f| f.0),
                "featured" => fm.featured = map.next_value::<Option<Flag>>()?.is_some_and(|f| f.0),
                "products" => fm.products = map.next_value::<Option<ProductList>>()?.map(|l| l.0).unwrap_or_default(),
                "disclosure" => fm.disclosure = map.next_value::<Option<Text>>()?.map(|t| t.0),
                _ => {
                    let value = map.next_value::<serde_json::Value>()?;
                    fm.extra.insert(key, plain_toml_dates(value));
                }
            }
        }
        Ok(fm)
    }
}

/// TOML dates arrive in `extra` as `{"$__toml_private_datetime": "…"}`; give templates the string.
fn plain_toml_dates(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) if map.len() == 1 && map.contains_key(TOML_DATETIME) => {
            map.into_iter().next().map_or(Value::Null, |(_, v)| v)
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, plain_toml_dates(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(plain_toml_dates).collect()),
        other => other,
    }
}

const TOML_DATETIME: &str = "$__toml_private_datetime";

/// One entry of `products:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Product name (a product of the catalogue, `data/products.*`, named
    /// by its `id` alone takes the catalogue's).
    #[serde(default)]
    pub name: Text,
    /// A handle for `{{ product("id") }}`.
    #[serde(default)]
    pub id: Option<Text>,
    /// Amazon Standard Identification Number.
    #[serde(default)]
    pub asin: Option<Text>,
    /// Amazon marketplace domain.
    #[serde(default)]
    pub marketplace: Option<Text>,
    /// A product page in any store.
    #[serde(default)]
    pub url: Option<Text>,
    /// Image: bundle-relative, static/-relative or https URL.
    #[serde(default)]
    pub image: Option<Text>,
    /// A short ribbon ("Best budget pick").
    #[serde(default)]
    pub badge: Option<Text>,
    /// The creator's own score, 0–5.
    #[serde(default)]
    pub rating: Option<f64>,
    /// What is good.
    #[serde(default)]
    pub pros: StringList,
    /// What is not.
    #[serde(default)]
    pub cons: StringList,
    /// A short Markdown verdict.
    #[serde(default, alias = "description")]
    pub note: Option<Text>,
    /// A price, for non-Amazon products only.
    #[serde(default)]
    pub price: Option<Text>,
    /// The brand.
    #[serde(default)]
    pub brand: Option<Text>,
    /// More sellers.
    #[serde(default)]
    pub links: Vec<SellerLinkInput>,
    /// Amazon customer stars: not allowed, kept so the compliance check can name it.
    #[serde(default)]
    pub stars: Option<serde_json::Value>,
    /// Amazon review counts: not allowed, kept so the compliance check can name it.
    #[serde(default)]
    pub reviews: Option<serde_json::Value>,
}

/// `products:`: each entry a full product, a map naming a catalogue
/// product by `id` with what this post changes (`badge`, `note`…), or just
/// that id as a string (`products: [k669b, B06XCKGLTP]`).
#[derive(Debug, Clone, Default)]
pub struct ProductList(pub Vec<ProductInput>);

impl<'de> Deserialize<'de> for ProductList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// One entry: an id, or a product's map.
        struct Entry(ProductInput);
        impl<'de> Deserialize<'de> for Entry {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Entry;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a product (a map with `name`, `asin`…) or a catalogue product's id")
                    }
                    fn visit_str<E: de::Error>(self, id: &str) -> Result<Entry, E> {
                        Ok(Entry(ProductInput { id: Some(Text(id.to_owned())), ..ProductInput::default() }))
                    }
                    // A book's ASIN is its ISBN-10, all digits: `products: [0141439513]`.
                    fn visit_u64<E: de::Error>(self, id: u64) -> Result<Entry, E> {
                        self.visit_str(&format!("{id:010}"))
                    }
                    fn visit_i64<E: de::Error>(self, id: i64) -> Result<Entry, E> {
                        self.visit_str(&format!("{id:010}"))
                    }
                    fn visit_f64<E: de::Error>(self, id: f64) -> Result<Entry, E> {
                        if id.fract() == 0.0 && (0.0..1e10).contains(&id) {
                            self.visit_str(&format!("{:010}", id as u64))
                        } else {
                            Err(E::invalid_type(de::Unexpected::Float(id), &self))
                        }
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
                        ProductInput::deserialize(de::value::MapAccessDeserializer::new(map)).map(Entry)
                    }
                }
                deserializer.deserialize_any(V)
            }
        }
        Vec::<Entry>::deserialize(deserializer).map(|entries| ProductList(entries.into_iter().map(|e| e.0).collect()))
    }
}

impl ProductInput {
    /// Whether this entry only names a catalogue product (no name of its
    /// own), possibly changing some of its keys for one post.
    pub fn is_reference(&self) -> bool {
        self.name.0.trim().is_empty() && self.id.as_ref().is_some_and(|id| !id.0.trim().is_empty())
    }

    /// Whether this entry is a catalogue product's id and nothing else.
    pub fn is_bare_reference(&self) -> bool {
        self.is_reference()
            && [
                &self.asin,
                &self.marketplace,
                &self.url,
                &self.image,
                &self.badge,
                &self.note,
                &self.price,
                &self.brand,
            ]
            .iter()
            .all(|v| v.is_none())
            && self.rating.is_none()
            && self.pros.0.is_empty()
            && self.cons.0.is_empty()
            && self.links.is_empty()
            && self.stars.is_none()
            && self.reviews.is_none()
    }

    /// `base` (a catalogue product) with every key this entry sets.
    pub fn over(&self, base: &ProductInput) -> ProductInput {
        fn pick<T: Clone>(own: &Option<T>, base: &Option<T>) -> Option<T> {
            own.clone().or_else(|| base.clone())
        }
        let list = |own: &StringList, base: &StringList| if own.0.is_empty() { base.clone() } else { own.clone() };
        ProductInput {
            name: if self.name.0.trim().is_empty() { base.name.clone() } else { self.name.clone() },
            id: pick(&base.id, &self.id),
            asin: pick(&self.asin, &base.asin),
            marketplace: pick(&self.marketplace, &base.marketplace),
            url: pick(&self.url, &base.url),
            image: pick(&self.image, &base.image),
            badge: pick(&self.badge, &base.badge),
            rating: self.rating.or(base.rating),
            pros: list(&self.pros, &base.pros),
            cons: list(&self.cons, &base.cons),
            note: pick(&self.note, &base.note),
            price: pick(&self.price, &base.price),
            brand: pick(&self.brand, &base.brand),
            links: if self.links.is_empty() { base.links.clone() } else { self.links.clone() },
            stars: pick(&self.stars, &base.stars),
            reviews: pick(&self.reviews, &base.reviews),
        }
    }
}

/// One more seller of a product.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerLinkInput {
    /// Button text.
    pub label: Text,
    /// Where it goes.
    pub url: Text,
}

/// A string that may have been written as a number or boolean (`title: 2024`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

/// An image given as a path, or as a map the way Jekyll themes and
/// jekyll-seo-tag write it (`image: {path: x.jpg, height: 630}`,
/// `image: {feature: x.jpg}`): the path is taken from the first of the
/// usual keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image(pub Option<String>);

impl<'de> Deserialize<'de> for Image {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const KEYS: [&str; 7] = ["path", "feature", "src", "url", "image", "teaser", "thumbnail"];
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(path) => Image(Some(path)),
            serde_json::Value::Object(map) => {
                Image(KEYS.iter().find_map(|key| map.get(*key)?.as_str().map(str::to_owned)))
            }
            serde_json::Value::Null => Image(None),
            other => Image(Some(other.to_string())),
        })
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A boolean that also accepts YAML 1.1's `yes`/`no`/`on`/`off`.
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                match v.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" | "y" => Ok(Flag(true)),
                    "false" | "no" | "off" | "n" => Ok(Flag(false)),
                    _ => Err(E::custom(format!("expected true or false, found `{v}`"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
                Ok(Flag(v != 0))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
                Ok(Flag(v != 0))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A date, checked while reading so an impossible one points at its line.
/// A date, or why the string is not one: an impossible date is reported
/// with the file's other errors instead of ending the front matter.
struct Date(Result<DateInput, String>);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2025-09-25 or 2025-09-25 11:35:44")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Ok(Date(DateInput::parse(v)))
            }
            // TOML's native dates.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                match map.next_key::<String>()? {
                    Some(key) if key == TOML_DATETIME => {
                        let text: String = map.next_value()?;
                        Ok(Date(DateInput::parse(&text)))
                    }
                    _ => Err(de::Error::custom("expected a date such as 2025-09-25")),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A list of names, also written as one string or (Hexo) nested lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringList(pub Vec<String>, bool);

impl StringList {
    /// A list of these names, as a list.
    pub fn from_vec(names: Vec<String>) -> Self {
        Self(names, false)
    }

    /// The names, a single string split into its words as Jekyll does.
    fn words(self) -> Vec<String> {
        match self {
            Self(names, true) => names.iter().flat_map(|n| n.split_whitespace()).map(str::to_owned).collect(),
            Self(names, false) => names,
        }
    }
}

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of names or a single name")
            }
            fn visit_unit<E: de::Error>(self) -> Result<StringList, E> {
                Ok(StringList::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<StringList, E> {
                Ok(StringList::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<StringList, D::Error> {
                StringList::deserialize(d)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StringList, E> {
                let v = v.trim();
                Ok(StringList(if v.is_empty() { Vec::new() } else { vec![v.to_owned()] }, true))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()], false))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()], false))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()], false))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()], false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<StringList>()? {
                    out.extend(item.0);
                }
                Ok(StringList(out, false))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `categories:` as paths of names (see [`FrontMatter::category_paths`]).
#[derive(Debug, Clone, Default)]
struct CategoryList(Vec<Vec<String>>);

impl<'de> Deserialize<'de> for CategoryList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        let name = |value: &Value| match value {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let value = Option::<Value>::deserialize(deserializer)?.unwrap_or(Value::Null);
        let paths = match &value {
            Value::Array(items) if items.iter().any(Value::is_array) => items
                .iter()
                .map(|item| match item {
                    Value::Array(path) => path.iter().filter_map(name).collect(),
                    other => name(other).into_iter().collect(),
                })
                .filter(|path: &Vec<String>| !path.is_empty())
                .collect(),
            Value::Array(items) => {
                let path: Vec<String> = items.iter().filter_map(name).collect();
                if path.is_empty() { Vec::new() } else { vec![path] }
            }
            other => name(other).map(|n| vec![vec![n]]).unwrap_or_default(),
        };
        Ok(Self(paths))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_read_as_hexo_paths_too() {
        let fm = parse(
            Format::Yaml,
            "categories: [Diary, Life]
",
        )
        .unwrap();
        assert_eq!(
            (fm.categories.clone(), fm.category_paths),
            (vec!["Diary".into(), "Life".into()], vec![vec!["Diary".into(), "Life".into()]])
        );
        let fm = parse(
            Format::Yaml,
            "categories:
- [Diary, Life]
- Travel
",
        )
        .unwrap();
        assert_eq!(fm.category_paths, [vec!["Diary".to_owned(), "Life".to_owned()], vec!["Travel".to_owned()]]);
        assert_eq!(fm.categories, ["Diary", "Life", "Travel"]);
        assert_eq!(
            parse(
                Format::Yaml,
                "category: release
"
            )
            .unwrap()
            .category_paths,
            [vec!["release".to_owned()]]
        );
    }

    #[test]
    fn yaml_front_matter_is_split_off() {
        let s = split("---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!(s.front_matter, Some((Format::Yaml, "title: A\n")));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn toml_front_matter_is_split_off() {
        let s = split("+++\ntitle = \"A\"\n+++\n\nBody").unwrap();
        assert_eq!(s.front_matter, Some((Format::Toml, "title = \"A\"\n")));
        assert_eq!(s.body, "\nBody");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Hello\n\nText\n---\nMore").unwrap();
        assert_eq!(s.front_matter, None);
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn hexo_headless_front_matter() {
        let s = split("title: Hello\ndate: 2025-01-01\n---\nBody").unwrap();
        assert_eq!(s.front_matter, Some((Format::Yaml, "title: Hello\ndate: 2025-01-01\n")));
        assert_eq!(s.body, "Body");
        // Prose that happens to contain a colon and a rule is not front matter.
        let s = split("Note: this is prose, really.\nMore prose here.\n---\nBody").unwrap();
        assert_eq!(s.front_matter, None);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        assert_eq!(split("---\ntitle: A\nBody\n"), Err(Unterminated { delimiter: "---" }));
        assert_eq!(split("+++\ntitle = 1\n"), Err(Unterminated { delimiter: "+++" }));
    }

    #[test]
    fn a_rule_in_the_body_is_not_a_closer() {
        let s = split("---\ntitle: A\n---\nText\n\n---\n\nMore").unwrap();
        assert_eq!(s.front_matter, Some((Format::Yaml, "title: A\n")));
        assert_eq!(s.body, "Text\n\n---\n\nMore");
    }

    #[test]
    fn hexo_post_reads_verbatim() {
        let fm = parse(
            Format::Yaml,
            "title: Hello World\ndate: 2025-09-25 11:35:44\ntags:\ncategories:\n- [Diary, Life]\n- Work\nlayout: post\ncomments: true\n",
        )
        .unwrap();
        assert_eq!(fm.title.as_deref(), Some("Hello World"));
        assert!(fm.date.is_some());
        assert!(fm.tags.is_empty());
        assert_eq!(fm.categories, ["Diary", "Life", "Work"]);
        assert_eq!(fm.extra["layout"], "post");
        assert_eq!(fm.extra["comments"], true);
    }

    #[test]
    fn a_string_of_tags_is_split_into_words_as_jekyll_does() {
        let fm = parse(Format::Yaml, "tags: emacs micro  writing\ncategories: Creator Gear\n").unwrap();
        assert_eq!(fm.tags, ["emacs", "micro", "writing"]);
        // A list keeps its names whole; a category string is one name (as Hexo reads it).
        let fm = parse(Format::Yaml, "tags: [how we work, culture]\n").unwrap();
        assert_eq!(fm.tags, ["how we work", "culture"]);
        assert_eq!(parse(Format::Yaml, "categories: Creator Gear\n").unwrap().categories, ["Creator Gear"]);
    }

    #[test]
    fn a_quoted_value_may_continue_at_column_zero() {
        let text = "title: A\nexcerpt: \"You can learn agile by\npractice, not from a book.\"\ntags: [a]\n";
        let fm = parse(Format::Yaml, text).unwrap();
        assert_eq!(fm.summary.as_deref(), Some("You can learn agile by practice, not from a book."));
        assert_eq!(fm.tags, ["a"]);
        let fm = parse(Format::Yaml, "title: 'It''s\nfine: really'\ndate: 2020-01-01\n").unwrap();
        assert_eq!(fm.title.as_deref(), Some("It's fine: really"));
        // An unclosed quote is still an error.
        assert!(parse(Format::Yaml, "title: \"A\nb: c\n").is_err());
    }

    #[test]
    fn a_tab_in_indentation_points_at_its_line() {
        for (text, line, column) in [
            ("title: A\ntags:\n\t- a\n", 3, 1),
            ("title: A\nproducts:\n  - name: x\n\t  asin: B000000001\n", 4, 1),
            ("a: 1\n\tb: 2\n", 2, 1),
        ] {
            let err = parse(Format::Yaml, text).unwrap_err();
            assert_eq!(err.position, Some((line, column)), "{text:?}: {err:?}");
            assert!(err.hint.as_deref().unwrap().contains("use spaces"), "{err:?}");
        }
    }

    #[test]
    fn norway_problem_stays_strings() {
        let fm = parse(Format::Yaml, "title: no\ncategories: [no, yes, on, off]\ntags: NO\n").unwrap();
        assert_eq!(fm.title.as_deref(), Some("no"));
        assert_eq!(fm.categories, ["no", "yes", "on", "off"]);
        assert_eq!(fm.tags, ["NO"]);
    }

    #[test]
    fn single_string_category() {
        let fm = parse(Format::Yaml, "categories: Creator Gear\n").unwrap();
        assert_eq!(fm.categories, ["Creator Gear"]);
    }

    #[test]
    fn published_false_is_a_draft() {
        assert!(parse(Format::Yaml, "published: false\n").unwrap().draft);
        assert!(parse(Format::Yaml, "draft: yes\n").unwrap().draft);
        assert!(!parse(Format::Yaml, "published: true\n").unwrap().draft);
    }

    #[test]
    fn summary_prefers_summary_then_excerpt_then_description() {
        let fm = parse(Format::Yaml, "excerpt: c\ndescription: b\nsummary: a\n").unwrap();
        assert_eq!(fm.summary.as_deref(), Some("a"));
        // Jekyll's `excerpt:` is the post's summary; `description:` only stands in for it.
        let fm = parse(Format::Yaml, "excerpt: c\ndescription: b\n").unwrap();
        assert_eq!(fm.summary.as_deref(), Some("c"));
        let fm = parse(Format::Yaml, "description: b\nexcerpt: c\n").unwrap();
        assert_eq!(fm.summary.as_deref(), Some("c"));
        let fm = parse(Format::Yaml, "description: b\n").unwrap();
        assert_eq!(fm.summary.as_deref(), Some("b"));
    }

    #[test]
    fn toml_dates_and_products() {
        let fm = parse(
            Format::Toml,
            "title = \"T\"\ndate = 2025-04-10T08:30:00\nupdated = 2025-04-11\n[[products]]\nname = \"Mug\"\nasin = \"B000000001\"\nrating = 4.5\n",
        )
        .unwrap();
        assert!(matches!(fm.date, Some(DateInput::Civil(_))));
        assert!(fm.updated.is_some());
        assert_eq!(fm.products[0].name.0, "Mug");
        assert_eq!(fm.products[0].rating, Some(4.5));
    }

    #[test]
    fn bad_yaml_has_a_position() {
        let err = parse(Format::Yaml, "title: A\ntags: [a\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(2));
        let err = parse(Format::Yaml, "title: [unclosed\n").unwrap_err();
        assert!(err.position.is_some());
    }

    #[test]
    fn product_typo_is_an_error_with_hint() {
        let err = parse(Format::Yaml, "products:\n  - name: A\n    asn: B000000001\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(3));
        assert_eq!(err.hint.as_deref(), Some("did you mean `asin`?"));
    }

    #[test]
    fn wrong_type_in_product_is_an_error() {
        let err = parse(Format::Yaml, "products:\n  - name: A\n    rating: great\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(3));
    }

    #[test]
    fn unclosed_list_points_at_its_bracket() {
        let err = parse(Format::Yaml, "title: A\ntags: [a, b\nsummary: x\n").unwrap_err();
        assert_eq!(err.position, Some((2, 7)));
        assert!(err.message.contains("never closed"), "{}", err.message);
        // A flow list over several lines is fine.
        assert!(parse(Format::Yaml, "tags: [a,\n  b]\n").is_ok());
    }

    /// The hint reads each line a bounded number of times: 20,000 two-line
    /// flow lists before the mistake once meant 20,000 reads of the rest.
    #[test]
    fn unclosed_bracket_hint_on_a_long_front_matter() {
        let lists: String = (0..20_000).map(|i| format!("k{i}: [a,\n  b]\n")).collect();
        let err = parse(Format::Yaml, &format!("title: T\n{lists}title: again\n")).unwrap_err();
        assert_eq!(err.message, "`title` appears twice");
        assert_eq!(err.first_line, Some(1));
        assert_eq!(err.position.map(|p| p.0), Some(40_002));
        let err = parse(Format::Yaml, &format!("title: T\n{lists}tags: [a, b\nsummary: x\n")).unwrap_err();
        assert_eq!((err.message.as_str(), err.position), ("`[` is never closed", Some((40_002, 7))));
        // Quotes in a long plain value (`it's`) open nothing, and are read once each.
        let long = format!("title: T\nnote: it's{}\ntags: [a\nx: 1\n", " it's".repeat(50_000));
        let err = parse(Format::Yaml, &long).unwrap_err();
        assert_eq!((err.message.as_str(), err.position), ("`[` is never closed", Some((3, 7))));
    }

    #[test]
    fn a_product_without_a_name_after_a_long_note_is_read() {
        let note: String = (0..20_000).map(|i| format!("      line {i}\n")).collect();
        let text = format!("title: T\nproducts:\n  - asin: B000000001\n    note: |\n{note}    rating: 4\n");
        // Read as it is; the name is checked when the product is resolved
        // (a catalogue product may be named by id alone).
        let fm = parse(Format::Yaml, &text).unwrap();
        assert!(fm.products[0].name.0.is_empty() && fm.products[0].rating == Some(4.0));
    }

    #[test]
    fn too_many_values_names_the_limit_and_how_to_split() {
        let products: String = (0..60_000).map(|i| format!("  - name: P{i}\n    asin: B{i:09}\n")).collect();
        let err = parse(Format::Yaml, &format!("title: T\nproducts:\n{products}")).unwrap_err();
        assert_eq!(
            err.message,
            "front matter is too large: it holds more than 250,000 values (keys, values and list items), the most shopfront reads from one file"
        );
        // The reader stops on the 50,000th product (5 values each), line 100,001.
        let (line, _) = err.position.unwrap();
        assert_eq!(line, 100_001);
        assert_eq!(
            err.hint.as_deref(),
            Some(
                "split its 60,000 products over at least 2 posts of at most 45,000 products each (for example by category), each post with its own `products:` list"
            )
        );
        let tags: String = (0..250_100).map(|i| format!("  - t{i}\n")).collect();
        let err = parse(Format::Yaml, &format!("title: T\ntags:\n{tags}")).unwrap_err();
        assert!(err.message.starts_with("front matter is too large"), "{}", err.message);
        assert_eq!(err.hint.as_deref(), Some("split the file into several posts, or shorten its longest lists"));
        let deep = format!("title: T\nx: {}{}\n", "[".repeat(80), "]".repeat(80));
        let err = parse(Format::Yaml, &deep).unwrap_err();
        assert_eq!(err.message, "front matter is nested too deeply: lists and tables may be nested at most 64 levels");
        let mut bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
        for (name, previous) in ["b", "c", "d", "e", "f", "g"].into_iter().zip(["a", "b", "c", "d", "e", "f"]) {
            bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{previous}"); 10].join(", ")));
        }
        let err = parse(Format::Yaml, &bomb).unwrap_err();
        assert!(err.message.contains("aliases (`*name`) repeat lists"), "{}", err.message);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(250_000), "250,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_product_entry_is_read_without_a_name_or_as_an_id() {
        let fm =
            parse(Format::Yaml, "title: T\nproducts:\n  - asin: B06XCKGLTP\n    rating: 4.5\n  - k669b\n").unwrap();
        assert!(fm.products[0].name.0.is_empty() && !fm.products[0].is_reference());
        assert!(fm.products[1].is_bare_reference(), "an id alone names a catalogue product");
        let fm = parse(Format::Yaml, "title: T\nproducts: [0141439513]\n").unwrap();
        assert_eq!(fm.products[0].id.as_ref().unwrap().0, "0141439513", "a book's ASIN keeps its zero");
    }

    #[test]
    fn type_errors_use_plain_words_and_point_at_the_value() {
        let err = parse(Format::Yaml, "title: [a, b]\n").unwrap_err();
        assert!(err.message.contains("found a list"), "{}", err.message);
        assert_eq!(err.position, Some((1, 8)));
    }

    #[test]
    fn duplicate_keys_name_the_first() {
        let err = parse(Format::Yaml, "title: A\ndate: 2025-01-01\ntitle: B\n").unwrap_err();
        assert!(err.message.contains("`title` appears twice") && err.first_line == Some(1), "{}", err.message);
    }

    #[test]
    fn toml_error_has_a_position() {
        let err = parse(Format::Toml, "title = \"A\"\ntitle = \"B\"\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(2));
    }

    /// An impossible date does not end the front matter: the rest is read and
    /// the date reported with the file's other errors (located by `site`, as
    /// the invalid fixtures `impossible-date*` and `date-not-a-date` check).
    #[test]
    fn bad_dates_are_collected_not_fatal() {
        let fm = parse(Format::Yaml, "title: A\ndate: 2025-02-30\nlastmod: soon\ntags: [x]\n").unwrap();
        assert_eq!((fm.date, fm.updated, fm.tags), (None, None, vec!["x".to_owned()]));
        let keys: Vec<&str> = fm.invalid_dates.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["date", "lastmod"]);
        assert!(fm.invalid_dates[0].1.contains("not a valid date"), "{:?}", fm.invalid_dates);
        let fm = parse(Format::Toml, "title = \"A\"\ndate = \"nope\"\n").unwrap();
        assert_eq!(fm.invalid_dates[0].0, "date");
        assert!(fm.invalid_dates[0].1.contains("not a date"), "{:?}", fm.invalid_dates);
    }
}
