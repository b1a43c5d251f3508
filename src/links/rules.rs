//! The engine's input: what the creator configured in `profile.toml`
//! (`[affiliate.amazon]` and `[[affiliate.programs]]`), already validated by
//! the profile stage. Plain data, no parsing here.
//!
//! A program may require a statement of its own on every page that links to
//! it, before its first link: Amazon's Associates agreement does, and a
//! `[[affiliate.programs]]` entry does when it has `statement = "…"`. A
//! page's [`Statements`] are the set its links call for.

use std::collections::{BTreeMap, BTreeSet};

/// What the creator configured, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// `[affiliate.amazon]`; `None` when the creator is not an Amazon Associate.
    pub amazon: Option<AmazonRules>,
    /// `[[affiliate.programs]]`, in profile order; the first matching host wins.
    pub programs: Vec<ProgramRule>,
}

/// The Amazon Associates settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonRules {
    /// The default marketplace domain, e.g. `"amazon.com"`.
    pub marketplace: String,
    /// Tag per marketplace domain, the default marketplace's tag included,
    /// e.g. `"amazon.co.uk" => "miachen-21"`. Keys are bare lower-case
    /// marketplace domains, as listed by [`marketplaces`](super::marketplaces).
    pub tags: BTreeMap<String, String>,
}

/// One other affiliate program, recognised by the host of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRule {
    /// The program's name, for reports.
    pub name: String,
    /// Hosts, lower-case. A link matches a host exactly or with a `www.`
    /// prefix added or removed; other subdomains do not match.
    pub hosts: Vec<String>,
    /// What to do to a matching link.
    pub action: ProgramAction,
    /// The statement the program requires before its first link on a
    /// page, if it requires one.
    pub statement: Option<String>,
}

/// A program that requires a statement of its own, before its first link
/// on a page. Ordered as pages show them: Amazon's first, then the
/// profile's programs by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Statement {
    /// Amazon's "As an Amazon Associate I earn from qualifying purchases.",
    /// in the site's language (the locale's `amazon_statement`).
    Amazon,
    /// The `statement` of the `[[affiliate.programs]]` entry with this name.
    Program(String),
}

impl Statement {
    /// The program's name, as reports and templates show it.
    pub fn program(&self) -> &str {
        match self {
            Statement::Amazon => "Amazon",
            Statement::Program(name) => name,
        }
    }
}

/// The statements one page must show.
pub type Statements = BTreeSet<Statement>;

impl Rules {
    /// The statement a link of this kind calls for, if any.
    pub fn statement(&self, kind: &super::LinkKind) -> Option<Statement> {
        match kind {
            super::LinkKind::Amazon { .. } => Some(Statement::Amazon),
            super::LinkKind::Program { name } => self.program_statement(name).map(|_| Statement::Program(name.clone())),
            _ => None,
        }
    }

    /// Every statement the creator's programs can call for, in order:
    /// what the disclosure page and the footer list.
    pub fn all_statements(&self) -> Statements {
        let amazon = self.amazon.as_ref().map(|_| Statement::Amazon);
        let programs =
            self.programs.iter().filter(|p| p.statement.is_some()).map(|p| Statement::Program(p.name.clone()));
        amazon.into_iter().chain(programs).collect()
    }

    /// The text of a program's own statement; `None` for Amazon's, whose
    /// text comes from the locale.
    pub fn program_statement(&self, name: &str) -> Option<&str> {
        // Two entries may share a name (one per set of hosts); either may carry it.
        self.programs.iter().filter(|p| p.name == name).find_map(|p| p.statement.as_deref())
    }
}

/// How a program's links are turned into affiliate links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramAction {
    /// Query parameters to add (replacing existing ones with the same name), in this order.
    Params(Vec<(String, String)>),
    /// A wrapper URL with `{url}` standing for the percent-encoded original URL.
    Template(String),
}
