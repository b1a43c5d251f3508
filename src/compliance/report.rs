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
    pub code: &'a str,
    /// File relative to the site root, if any.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: &'a str,
}

impl<'a> From<&'a Diagnostic> for Finding<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Finding {
            severity: d.severity,
            code: d.code,
            file: d.path.as_ref().map(|p| p.display().to_string()),
            line: d.line,
            message: &d.message,
        }
    }
}

/// The findings as a JSON array.
pub fn to_json(findings: &Diagnostics) -> String {
    let list: Vec<Finding<'_>> = findings.iter().map(Finding::from).collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_owned())
}
