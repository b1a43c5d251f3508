//! What the rule engine says about one link: the [`Rewrite`] it returns,
//! the [`LinkKind`] and the [`LinkWarning`]s. Shared by the entry point and
//! the Amazon and program rules, which are below it.

use std::borrow::Cow;
use std::fmt;

use crate::diagnostics::Code;

/// The outcome of [`rewrite`] for one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite<'a> {
    /// The URL to write into the page. Borrowed from the input when the link
    /// is kept (only trimmed), so unchanged links cost no allocation.
    pub href: Cow<'a, str>,
    /// What kind of link this is.
    pub kind: LinkKind,
    /// Things the creator should hear about; empty for most links.
    pub warnings: Vec<LinkWarning>,
}

impl<'a> Rewrite<'a> {
    /// `href` as it is, with no warnings.
    pub(super) fn unchanged(href: &'a str, kind: LinkKind) -> Self {
        Rewrite { href: Cow::Borrowed(href), kind, warnings: Vec::new() }
    }

    /// The same outcome, no longer borrowing the input.
    pub fn into_owned(self) -> Rewrite<'static> {
        Rewrite { href: Cow::Owned(self.href.into_owned()), kind: self.kind, warnings: self.warnings }
    }
}

/// What kind of link a rewritten link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// A link within the site: relative path, root-relative path,
    /// fragment `#x`, query-only `?x`, or empty.
    Internal,
    /// `http(s)` to a host no rule claims, `mailto:` or `tel:`. Returned
    /// exactly as written (trimmed).
    External,
    /// A link to an Amazon store or one of Amazon's short links.
    Amazon {
        /// The marketplace domain, e.g. `"amazon.co.uk"`; for a short link,
        /// the shortener's domain, e.g. `"amzn.to"`.
        marketplace: String,
        /// The product's ASIN when the link is a product page.
        asin: Option<String>,
        /// Whether the written link carries a tag: the creator's, or, where
        /// none is configured for the marketplace, the one it already had.
        /// `false` for short links, whose tag cannot be seen.
        tagged: bool,
    },
    /// A link to another affiliate program: one the profile names, or an
    /// affiliate network's tracking link (ShareASale, CJ, LTK…).
    Program {
        /// The program's name from the profile, or the network's.
        name: String,
    },
    /// A scheme that is never written: `javascript:`, `data:`, `vbscript:`,
    /// `file:` and anything else but `http`, `https`, `mailto` and `tel`.
    /// The caller reports it as an error; the href returned is `#`.
    Unsafe {
        /// The scheme, lower-case, with obfuscating characters removed.
        scheme: String,
    },
}

impl LinkKind {
    /// Whether the link must be disclosed and marked `rel="sponsored"`:
    /// every Amazon link the engine recognises as such (an untagged one on
    /// a marketplace without a configured tag too, since the creator is an
    /// Associate and over-disclosing is harmless) and every program link.
    pub fn is_affiliate(&self) -> bool {
        matches!(self, LinkKind::Amazon { .. } | LinkKind::Program { .. })
    }
}

/// Something about a link the creator should know; none stops the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkWarning {
    /// The link carried another tag; the creator's tag replaced it.
    ForeignTagReplaced {
        /// The tag the link carried.
        found: String,
        /// The creator's tag now on the link.
        replaced_with: String,
    },
    /// The link's tag was a template placeholder left unfilled
    /// (`{{site.affid}}`); the creator's tag replaced it.
    PlaceholderTagReplaced {
        /// The placeholder as it was in the link.
        found: String,
        /// The creator's tag now on the link.
        replaced_with: String,
    },
    /// The creator is an Associate but has no tag for this marketplace, so
    /// the link was left as written.
    MissingTag {
        /// The marketplace domain, e.g. `"amazon.nl"`.
        marketplace: String,
    },
    /// No tag of the creator's applies, and the link's own tag was kept.
    TagKept {
        /// The marketplace domain.
        marketplace: String,
        /// The tag the link carries.
        tag: String,
    },
    /// An Amazon short link (`amzn.to`, `a.co`, …), kept as written: where
    /// it leads and which tag it carries cannot be checked offline.
    UnverifiableShortLink,
    /// An `http(s)` link that is not a valid URL; kept as written.
    MalformedUrl,
}

impl LinkWarning {
    /// A stable identifier for machine-readable reports, e.g. `"missing-tag"`.
    pub fn code(&self) -> Code {
        match self {
            LinkWarning::ForeignTagReplaced { .. } => Code::ForeignTagReplaced,
            LinkWarning::PlaceholderTagReplaced { .. } => Code::PlaceholderTag,
            LinkWarning::MissingTag { .. } => Code::MissingTag,
            LinkWarning::TagKept { .. } => Code::UnknownTagKept,
            LinkWarning::UnverifiableShortLink => Code::UnverifiableShortLink,
            LinkWarning::MalformedUrl => Code::MalformedUrl,
        }
    }
}

/// One line of plain English for the creator, starting lower-case and
/// without a final full stop, so a report can prefix `file:line: warning: `.
impl fmt::Display for LinkWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkWarning::ForeignTagReplaced { found, replaced_with } => write!(
                f,
                "this Amazon link carried the tag \"{found}\"; it now carries your tag \
                 for its store, \"{replaced_with}\""
            ),
            LinkWarning::PlaceholderTagReplaced { found, replaced_with } => write!(
                f,
                "this Amazon link held the unfilled placeholder \"{found}\" where its tag belongs; \
                 it now carries your tag, \"{replaced_with}\""
            ),
            LinkWarning::MissingTag { marketplace } => {
                let example = super::hosts::expected_tag_suffix(marketplace).unwrap_or("");
                write!(
                    f,
                    "you have no Amazon tag for {marketplace}, so this link was left untagged \
                     and earns you nothing; add one under [affiliate.amazon.tags] in \
                     profile.toml, e.g. \"{marketplace}\" = \"yourtag{example}\""
                )
            }
            LinkWarning::TagKept { marketplace, tag } => write!(
                f,
                "this {marketplace} link carries the tag \"{tag}\" and your profile has no \
                 tag for that store to check it against; it was left as it is, so make sure \
                 it is yours"
            ),
            LinkWarning::UnverifiableShortLink => f.write_str(
                "Amazon short links (amzn.to, a.co) cannot be checked when building; make sure \
                 this one carries your tag, or paste the full Amazon link instead",
            ),
            LinkWarning::MalformedUrl => f.write_str("this web address could not be understood; check it for typos"),
        }
    }
}
