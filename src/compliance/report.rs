//! The compliance report of `shopfront check --format json`: one object per
//! finding.

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

/// One finding as JSON.
#[derive(Debug, Serialize)]
pub struct Finding<'a> {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Stable kind of finding.
    pub code: crate::diagnostics::Code,
    /// File relative to the site root, if any.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: &'a str,
    /// On the finding that stands for those of its kind left out of the
    /// list (at most [`crate::diagnostics::SHOWN_PER_KIND`] per file are
    /// listed): how many there are. Absent on every other finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<usize>,
}

impl<'a> From<&'a Diagnostic> for Finding<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Finding {
            severity: d.severity,
            code: d.code,
            file: d.path.as_ref().map(|p| p.display().to_string()),
            line: d.line,
            message: &d.message,
            more: (d.more > 0).then_some(d.more),
        }
    }
}

/// The findings as a JSON array.
pub fn to_json(findings: &Diagnostics) -> String {
    let list: Vec<Finding<'_>> = findings.iter().map(Finding::from).collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_owned())
}
