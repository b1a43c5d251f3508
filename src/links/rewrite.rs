//! The entry point, [`rewrite`]: classifies one link and hands web links to
//! the Amazon or program rules. See the module documentation of `links`
//! for the steps.

use std::borrow::Cow;

use url::{Host, Url};

use super::amazon::product_url;
use super::hosts::{affiliate_network, marketplace_of_host, short_link_host};
use super::outcome::{LinkKind, LinkWarning, Rewrite};
use super::rules::Rules;
use super::{amazon, programs};

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
        Shape::KeptAsWritten => Rewrite::unchanged(written, LinkKind::External),
        Shape::Unsafe(scheme) => {
            Rewrite { href: Cow::Borrowed("#"), kind: LinkKind::Unsafe { scheme }, warnings: Vec::new() }
        }
    }
}

enum Shape {
    Internal,
    Web {
        protocol_relative: bool,
    },
    /// `mailto:`, `tel:`, `ftp:`: kept as written.
    KeptAsWritten,
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
        // Mail, phone and file-transfer links open no page of a store: kept.
        Some("mailto" | "tel" | "ftp" | "ftps" | "sftp") => Shape::KeptAsWritten,
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

    if let Some(marketplace) = marketplace_of_host(host) {
        return amazon::rewrite(written, &url, marketplace, rules.amazon.as_ref());
    }
    if let Some(short) = short_link_host(host) {
        // `amzn.com/ASIN` says which product it is: the tagged product link.
        if short == "amzn.com"
            && let Some(product) =
                url.path().trim_matches('/').split('/').next().and_then(|asin| product_url("amazon.com", asin))
            && let Ok(product) = Url::parse(&product)
        {
            return amazon::rewrite(written, &product, "amazon.com", rules.amazon.as_ref());
        }
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
    // A network's tracking link carries the creator's own id: kept as
    // written, but an affiliate link, which must be disclosed.
    if let Some(network) = affiliate_network(host) {
        return Rewrite::unchanged(written, LinkKind::Program { name: network.to_owned() });
    }
    Rewrite::unchanged(written, LinkKind::External)
}

/// Whether any rule could claim a link to `host`.
fn claimed(host: &str, rules: &Rules) -> bool {
    marketplace_of_host(host).is_some()
        || short_link_host(host).is_some()
        || programs::find(host, &rules.programs).is_some()
        || affiliate_network(host).is_some()
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
