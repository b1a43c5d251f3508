//! Findings about a site: errors that stop a build and warnings that do not.
//!
//! Every stage reports what is wrong with the creator's files as a
//! [`Diagnostic`] that names the file, line and column where known. A build
//! collects all of them before it gives up, so a creator fixes every mistake
//! in one round instead of one per run. [`Diagnostics`] sorts them by file and
//! line and renders them the way rustc does: message, location, the source
//! line with a caret, and a hint.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; `check` lists it.
    Warning,
}

/// One finding, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case name of the kind of finding (`front-matter`, `duplicate-url`…).
    pub code: &'static str,
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
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error of the given kind.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning of the given kind.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            path: None,
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            source_line: None,
        }
    }

    /// Sets the file.
    pub fn at(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets line and column (1-based) and, when `source` is the file's text,
    /// the line to quote.
    pub fn with_position(mut self, line: usize, column: usize, source: Option<&str>) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        if let Some(text) = source {
            self.source_line = text.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        }
        self
    }

    /// Sets line and column from a byte offset into `source`.
    pub fn with_offset(self, source: &str, offset: usize) -> Self {
        let (line, column) = line_column(source, offset);
        self.with_position(line, column, Some(source))
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
        if let (Some(line), Some(text)) = (self.line, &self.source_line) {
            let bar = paint("1;34", "|");
            let column = self.column.unwrap_or(1);
            let shown: String = text.chars().take(200).collect();
            let caret_pad: String =
                shown.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {shown}", paint("1;34", &line.to_string()));
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

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Whether there are no findings at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, line and column (findings without a file first), then
    /// drops exact repeats, so output is stable whatever the thread order.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        self.0.dedup();
    }

    /// Keeps only the first finding with `code`, noting how many there were.
    pub fn collapse(&mut self, code: &str) {
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

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = "a\nbc\n広d";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 2));
        assert_eq!(line_column(text, text.find('d').unwrap()), (3, 2));
        assert_eq!(line_column(text, 999), (3, 3));
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
        let d = Diagnostic::error("front-matter", "unknown key `tgas`")
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
            Diagnostic::error("x", "b").at("b.md").with_position(1, 1, None),
            Diagnostic::error("x", "a2").at("a.md").with_position(9, 1, None),
            Diagnostic::error("x", "a1").at("a.md").with_position(2, 1, None),
        ]
        .into_iter()
        .collect();
        all.sort();
        let order: Vec<_> = all.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["a1", "a2", "b"]);
    }
}
