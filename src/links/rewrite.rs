//! The entry point, [`rewrite`]: classifies one link and hands web links to
//! the Amazon or program rules. See the module documentation of `links`
//! for the steps.

use std::borrow::Cow;
use std::fmt;

use url::{Host, Url};

use super::rules::Rules;
use super::{amazon, programs};

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
    /// A link to another affiliate program.
    Program {
        /// The program's name from the profile.
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
    /// The creator's tag for a marketplace has the wrong regional suffix.
    TagSuffixMismatch {
        /// The marketplace domain.
        marketplace: String,
        /// The configured tag.
        tag: String,
        /// The suffix Amazon uses there, e.g. `"-21"`.
        expected_suffix: String,
    },
    /// An Amazon short link (`amzn.to`, `a.co`, …), kept as written: where
    /// it leads and which tag it carries cannot be checked offline.
    UnverifiableShortLink,
    /// An `http(s)` link that is not a valid URL; kept as written.
    MalformedUrl,
}

impl LinkWarning {
    /// A stable identifier for machine-readable reports, e.g. `"missing-tag"`.
    pub fn code(&self) -> &'static str {
        match self {
            LinkWarning::ForeignTagReplaced { .. } => "foreign-tag-replaced",
            LinkWarning::MissingTag { .. } => "missing-tag",
            LinkWarning::TagKept { .. } => "unknown-tag-kept",
            LinkWarning::TagSuffixMismatch { .. } => "tag-suffix-mismatch",
            LinkWarning::UnverifiableShortLink => "unverifiable-short-link",
            LinkWarning::MalformedUrl => "malformed-url",
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
            LinkWarning::MissingTag { marketplace } => {
                let example = amazon::expected_tag_suffix(marketplace).unwrap_or("");
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
            LinkWarning::TagSuffixMismatch { marketplace, tag, expected_suffix } => write!(
                f,
                "your Amazon tag \"{tag}\" for {marketplace} should end in \
                 \"{expected_suffix}\" like every tag of that store; check it in profile.toml"
            ),
            LinkWarning::UnverifiableShortLink => f.write_str(
                "Amazon short links (amzn.to, a.co) cannot be checked when building; make sure \
                 this one carries your tag, or paste the full Amazon link instead",
            ),
            LinkWarning::MalformedUrl => f.write_str("this web address could not be understood; check it for typos"),
        }
    }
}

/// Rewrites one link for the page: tags Amazon links for their marketplace,
/// applies affiliate programs, leaves everything else as written.
///
/// `href` is the decoded attribute value (HTML entities already resolved).
/// Never panics; the result borrows `href` when the link is kept.
pub fn rewrite<'a>(href: &'a str, rules: &Rules) -> Rewrite<'a> {
    let written = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    match classify(written) {
        Shape::Internal => Rewrite::unchanged(written, LinkKind::Internal),
        Shape::Web { protocol_relative } => web(written, protocol_relative, rules),
        Shape::MailOrPhone => Rewrite::unchanged(written, LinkKind::External),
        Shape::Unsafe(scheme) => {
            Rewrite { href: Cow::Borrowed("#"), kind: LinkKind::Unsafe { scheme }, warnings: Vec::new() }
        }
    }
}

enum Shape {
    Internal,
    Web { protocol_relative: bool },
    MailOrPhone,
    Unsafe(String),
}

/// Browsers delete these anywhere in a URL before parsing it.
fn is_tab_or_newline(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
}

fn is_slash(c: char) -> bool {
    // Browsers read `\` as `/` in http(s) URLs, so `\\host` is `//host`.
    c == '/' || c == '\\'
}

fn classify(written: &str) -> Shape {
    let mut significant = written.chars().filter(|c| !is_tab_or_newline(*c));
    if let (Some(a), Some(b)) = (significant.next(), significant.next())
        && is_slash(a)
        && is_slash(b)
    {
        return Shape::Web { protocol_relative: true };
    }
    match scheme(written).as_deref() {
        None => Shape::Internal,
        Some("http" | "https") => Shape::Web { protocol_relative: false },
        Some("mailto" | "tel") => Shape::MailOrPhone,
        Some(other) => Shape::Unsafe(other.to_owned()),
    }
}

/// The scheme, lower-cased, if `written` has one; borrowed in the usual
/// case of a plain lower-case scheme.
///
/// Stricter than a browser: every ASCII control character and space is
/// skipped, not only tabs and newlines, so `java\0script:` counts as
/// `javascript:`. A false alarm on such a link costs nothing; a miss could.
fn scheme(written: &str) -> Option<Cow<'_, str>> {
    let skipped = |b: u8| b.is_ascii_control() || b == b' ';
    let bytes = written.as_bytes();
    let mut seen_letter = false;
    let mut plain = true;
    for (i, &b) in bytes.iter().enumerate() {
        if skipped(b) {
            plain = false;
        } else if !seen_letter {
            if !b.is_ascii_alphabetic() {
                return None;
            }
            seen_letter = true;
            plain &= b.is_ascii_lowercase();
        } else if b == b':' {
            // `i` indexes an ASCII byte, so both slices are on char boundaries.
            let head = &written[..i];
            return Some(if plain {
                Cow::Borrowed(head)
            } else {
                Cow::Owned(head.bytes().filter(|b| !skipped(*b)).map(|b| char::from(b.to_ascii_lowercase())).collect())
            });
        } else if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.') {
            plain &= !b.is_ascii_uppercase();
        } else {
            return None;
        }
    }
    None
}

fn web<'a>(written: &'a str, protocol_relative: bool, rules: &Rules) -> Rewrite<'a> {
    if let Some(host) = quick_host(written, protocol_relative)
        && !claimed(host, rules)
    {
        return Rewrite::unchanged(written, LinkKind::External);
    }

    let parsed = if protocol_relative { Url::parse(&format!("https:{written}")) } else { Url::parse(written) };
    let Ok(url) = parsed else {
        return Rewrite {
            href: Cow::Borrowed(written),
            kind: LinkKind::External,
            warnings: vec![LinkWarning::MalformedUrl],
        };
    };
    let Some(Host::Domain(host)) = url.host() else {
        return Rewrite::unchanged(written, LinkKind::External);
    };

    if let Some(marketplace) = amazon::marketplace_of_host(host) {
        return amazon::rewrite(written, &url, marketplace, rules.amazon.as_ref());
    }
    if let Some(short) = amazon::short_link_host(host) {
        return Rewrite {
            href: Cow::Borrowed(written),
            kind: LinkKind::Amazon { marketplace: short.to_owned(), asin: None, tagged: false },
            warnings: vec![LinkWarning::UnverifiableShortLink],
        };
    }
    if let Some(program) = programs::find(host, &rules.programs) {
        // A template wraps the URL as written; a protocol-relative one needs
        // its scheme to make sense on another site.
        let original: Cow<'_, str> = if protocol_relative {
            Cow::Owned(url.as_str().to_owned())
        } else if written.contains(is_tab_or_newline) {
            Cow::Owned(written.replace(is_tab_or_newline, ""))
        } else {
            Cow::Borrowed(written)
        };
        return programs::apply(&original, url, program);
    }
    Rewrite::unchanged(written, LinkKind::External)
}

/// Whether any rule could claim a link to `host`.
fn claimed(host: &str, rules: &Rules) -> bool {
    amazon::marketplace_of_host(host).is_some()
        || amazon::short_link_host(host).is_some()
        || programs::find(host, &rules.programs).is_some()
}

/// The host of an `http(s)://` or `//` link, found without a full parse,
/// or `None` whenever the cheap reading might differ from a browser's
/// (tabs or newlines, odd slashes, IPv6, percent-encoding, non-ASCII):
/// then the caller parses properly.
fn quick_host(written: &str, protocol_relative: bool) -> Option<&str> {
    if written.contains(is_tab_or_newline) {
        return None;
    }
    let after_scheme = if protocol_relative {
        written
    } else {
        let (scheme, rest) = written.split_once(':')?;
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            return None;
        }
        rest
    };
    let rest = after_scheme.strip_prefix("//")?;
    if rest.starts_with(is_slash) {
        return None;
    }
    let authority = rest.find(['/', '\\', '?', '#']).map_or(rest, |end| &rest[..end]);
    // Browsers take the host after the *last* `@`.
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_and_port.split_once(':').map_or(host_and_port, |(h, _)| h);
    let plain = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    plain.then_some(host)
}

#[cfg(test)]
mod tests;
