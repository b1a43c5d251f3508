//! The engine's input: what the creator configured in `profile.toml`
//! (`[affiliate.amazon]` and `[[affiliate.programs]]`), already validated by
//! the profile stage. Plain data, no parsing here.

use std::collections::BTreeMap;

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
}

/// How a program's links are turned into affiliate links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramAction {
    /// Query parameters to add (replacing existing ones with the same name), in this order.
    Params(Vec<(String, String)>),
    /// A wrapper URL with `{url}` standing for the percent-encoded original URL.
    Template(String),
}
