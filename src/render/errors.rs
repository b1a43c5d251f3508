//! Tera's errors as diagnostics that name the template file, line and
//! column. Tera reports syntax errors with a structured report; where it
//! offers only text, that text is read here and nowhere else.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diagnostics::{Code, Diagnostic};

/// A Tera error as a diagnostic that names the template file and line.
pub(super) fn template_diagnostic(
    err: &tera::Error,
    origins: &HashMap<String, (PathBuf, String)>,
    page: Option<&str>,
) -> Diagnostic {
    let during = page.map(|p| format!(" (while rendering /{p})")).unwrap_or_default();
    let locate = |name: &str, line: usize, column: usize, message: String| {
        let (origin, source) =
            origins.get(name).map_or_else(|| (PathBuf::from(name), ""), |(o, s)| (o.clone(), s.as_str()));
        Diagnostic::error(Code::Template, message).at(origin).with_position(line, column, Some(source))
    };
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) => {
            let source = origins.get(report.filename()).map_or("", |(_, s)| s.as_str());
            let span = report.span();
            // Tera notices a missing `{% endif %}` only where the next block ends; point at the opener.
            if let Some((tag, line, column)) = unclosed_tag(source, span.start_line) {
                return locate(
                    report.filename(),
                    line,
                    column,
                    format!("template syntax error: `{{% {tag} %}}` is never closed with `{{% end{tag} %}}`{during}"),
                );
            }
            locate(
                report.filename(),
                span.start_line,
                span.start_col + 1,
                format!("template syntax error: {}{during}", report.message()),
            )
        }
        tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            locate(
                report.filename(),
                span.start_line,
                span.start_col + 1,
                format!("template error: {}{during}", report.message()),
            )
        }
        // Checks across templates (unknown includes, filters, components) come as Tera's own reports.
        tera::ErrorKind::Msg(text) => match parse_report(text) {
            Some((message, name, line, column)) => {
                locate(&name, line, column, format!("template error: {message}{during}"))
            }
            None => Diagnostic::error(Code::Template, format!("template error: {text}{during}")),
        },
        _ => Diagnostic::error(Code::Template, format!("template error: {err}{during}")),
    }
}

/// The first report in Tera's text: (message, template, line, column).
fn parse_report(text: &str) -> Option<(String, String, usize, usize)> {
    let mut lines = text.lines();
    let message = lines.next()?.trim().strip_prefix("error:")?.trim().to_owned();
    let location = lines.next()?.trim().strip_prefix("-->")?.trim();
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?.to_owned();
    Some((message, name, line, column))
}

/// A block tag opened before `limit_line` and never closed: (tag, line, column).
fn unclosed_tag(source: &str, limit_line: usize) -> Option<(String, usize, usize)> {
    const OPENERS: &[&str] = &["if", "for", "block", "filter", "raw", "component"];
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(start) = rest.find("{%") {
        let tag_start = offset + start;
        let Some(end) = rest[start..].find("%}") else { break };
        let inner = rest[start + 2..start + end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if OPENERS.contains(&word) {
            stack.push((word.to_owned(), tag_start));
        } else if let Some(closed) = word.strip_prefix("end") {
            match stack.iter().rposition(|(tag, _)| tag == closed) {
                Some(position) if position + 1 == stack.len() => {
                    stack.pop();
                }
                // Closing an outer tag while an inner one is open: the inner one is unclosed.
                Some(_) => break,
                None => {}
            }
        }
        offset += start + end + 2;
        rest = &source[offset..];
    }
    let (tag, at) = stack.pop()?;
    let (line, column) = crate::diagnostics::line_column(source, at);
    (line <= limit_line).then_some((tag, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_tags_are_found() {
        let source = "{% block content %}\n{% if x %}\n<h1>hi</h1>\n{% endblock content %}\n";
        assert_eq!(unclosed_tag(source, 4), Some(("if".to_owned(), 2, 1)));
        assert_eq!(unclosed_tag("{% if x %}a{% endif %}", 1), None);
        assert_eq!(unclosed_tag("{% for a in b %}{% if x %}{% endif %}", 1), Some(("for".to_owned(), 1, 1)));
    }

    #[test]
    fn tera_reports_are_parsed() {
        let text = "error: Unknown template `partials/nope.html`\n --> post.html:3:12\n  |\n3 | x\n";
        assert_eq!(
            parse_report(text),
            Some(("Unknown template `partials/nope.html`".to_owned(), "post.html".to_owned(), 3, 12))
        );
    }
}
