//! Stage 8: compliance checks on what was actually produced.
//!
//! In: each rendered page's HTML and the disclosure it was given. Out:
//! findings. The check reads the final HTML, not the data behind it, so a
//! custom theme that drops the disclosure banner, moves it below the first
//! buy button, or adds affiliate links the data did not predict is caught
//! whatever its templates do. A link counts as an affiliate link when the
//! rule engine says so for its `href`, so even a hand-written Amazon link in
//! a template is seen.

pub mod content;
pub mod links;
pub mod report;

use std::cell::RefCell;

use crate::diagnostics::{Code, Diagnostic};
use crate::links::{LinkPolicy, Statement};

/// What a page's HTML must show before its first affiliate link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The disclosure text the page was given.
    pub text: &'a str,
    /// Each program's required statement (Amazon's, …), required before
    /// the page's first link to that program.
    pub statements: &'a [(Statement, String)],
}

/// Why a page fails the disclosure rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Affiliate links but no disclosure text anywhere.
    Missing {
        /// The first affiliate link.
        href: String,
    },
    /// The disclosure comes after an affiliate link.
    Late {
        /// The affiliate link that comes first.
        href: String,
    },
    /// Links to a program that requires a statement (Amazon), but the
    /// statement is not before the first one.
    NoStatement {
        /// The program, e.g. `Amazon`.
        program: String,
        /// The program's first link.
        href: String,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { href } => write!(f, "has affiliate links (first: {href}) but shows no disclosure"),
            Self::Late { href } => write!(f, "shows the affiliate link {href} before the disclosure"),
            Self::NoStatement { program, href } => {
                write!(f, "links to {program} ({href}) without {program}'s required statement before the link")
            }
        }
    }
}

/// One required statement as the full check follows it.
struct Followed {
    statement: Statement,
    /// Normalised text.
    text: String,
    seen: bool,
    checked: bool,
}

#[derive(Default)]
struct Scan {
    text: String,
    disclosure_seen: bool,
    statements: Vec<Followed>,
    violations: Vec<Violation>,
    missing_candidate: Option<String>,
    affiliate_checked: bool,
}

/// Checks a rendered page against the disclosure rules; the error names the
/// page and the template that rendered it. `html` is what will be written,
/// after minifying; `statements` are the texts of every statement a program
/// may require.
pub fn check_rendered(
    page: &crate::render::RenderedPage,
    html: &str,
    statements: &[(Statement, String)],
    links: &LinkPolicy,
) -> Result<(), Box<Diagnostic>> {
    // The page lost what HTML cannot carry; so do the texts it must show.
    let clean = |text: &str| crate::html::without_non_xml_chars(text.to_owned());
    let text = page.disclosure.as_ref().map(|d| clean(&d.text));
    let statements: Vec<(Statement, String)> = statements.iter().map(|(s, t)| (s.clone(), clean(t))).collect();
    let expected = text.as_deref().map(|text| Expected { text, statements: &statements });
    match check_page(html, expected.as_ref(), links).into_iter().next() {
        None => Ok(()),
        Some(violation) => Err(Box::new(
            Diagnostic::error(Code::Disclosure, format!("page /{} {violation}", page.path)).at(&page.template).with_hint(
                "render `disclosure.text` and `disclosure.statements` in a visible banner before the first affiliate link",
            ),
        )),
    }
}

/// Checks one page. `expected` is what the page was given (`None` when the
/// data predicted no affiliate links; then any affiliate link is a failure).
///
/// The fast path finds `<a href>` tags with a small scanner and the texts by
/// exact search (as written, or as Tera escapes them). Only a page that the
/// fast path cannot pass (no link found before the text as written) gets the
/// full HTML parse, which also sees text reflowed across elements.
pub fn check_page(html: &str, expected: Option<&Expected<'_>>, links: &LinkPolicy) -> Vec<Violation> {
    let wanted = expected.map_or(0, |e| e.statements.len());
    let Some(first) = first_affiliate_links(html, links, wanted) else {
        return Vec::new();
    };
    if let Some(expected) = expected {
        let disclosure_ok = starts_before(html, expected.text, first.affiliate);
        let statements_ok = first.by_statement.iter().all(|(statement, link)| {
            expected.statements.iter().any(|(s, text)| s == statement && starts_before(html, text, *link))
        });
        if disclosure_ok && statements_ok {
            return Vec::new();
        }
    }
    full_check(html, expected, links)
}

/// Where a page's first affiliate links are.
struct FirstLinks {
    /// Byte offset of the first affiliate link.
    affiliate: usize,
    /// Byte offset of the first link calling for each statement.
    by_statement: Vec<(Statement, usize)>,
}

/// The first affiliate link and the first link calling for each statement,
/// or `None` when the page has no affiliate link at all. The scan stops
/// once `wanted` statements are placed.
fn first_affiliate_links(html: &str, links: &LinkPolicy, wanted: usize) -> Option<FirstLinks> {
    let mut first_affiliate = None;
    let mut by_statement: Vec<(Statement, usize)> = Vec::new();
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        let rest = &bytes[start + 1..];
        if rest.starts_with(b"!--") {
            at = html[start..].find("-->").map_or(html.len(), |end| start + end + 3);
            continue;
        }
        if rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"script") {
            at = find_ignore_case(html, start + 7, "</script").unwrap_or(html.len());
            continue;
        }
        let is_anchor = rest.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'a'))
            && rest.get(1).is_some_and(|c| c.is_ascii_whitespace());
        let end = tag_end(html, start);
        if is_anchor && let Some(href) = attribute(&html[start..end], "href") {
            let decoded = crate::html::attributes::decode(href);
            if let Ok(link) = links.route(&decoded) {
                if link.is_affiliate() && first_affiliate.is_none() {
                    first_affiliate = Some(start);
                }
                if let Some(statement) = link.statement
                    && !by_statement.iter().any(|(s, _)| *s == statement)
                {
                    by_statement.push((statement, start));
                }
            }
        }
        if first_affiliate.is_some() && by_statement.len() >= wanted {
            break;
        }
        at = end;
    }
    first_affiliate.map(|affiliate| FirstLinks { affiliate, by_statement })
}

/// The offset just past the `>` that ends the tag at `start`, quotes respected.
fn tag_end(html: &str, start: usize) -> usize {
    // Quotes and `>` are ASCII, so bytes will do.
    let mut quote = None;
    for (i, &b) in html.as_bytes()[start..].iter().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return start + i + 1,
            _ => {}
        }
    }
    html.len()
}

/// The value of `name` in a start tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let bytes = tag.as_bytes();
    let mut search = 0;
    while let Some(found) = find_ignore_case(tag, search, name) {
        search = found + name.len();
        let before_ok = found > 0 && bytes[found - 1].is_ascii_whitespace();
        let after = tag[search..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
        });
    }
    None
}

fn find_ignore_case(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    let n = needle.len();
    let bytes = haystack.as_bytes();
    (from..bytes.len().saturating_sub(n - 1)).find(|&i| bytes[i..i + n].eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether `text` appears in `html` starting before byte `limit`, as
/// written or HTML-escaped the way Tera escapes it.
fn starts_before(html: &str, text: &str, limit: usize) -> bool {
    let found = |needle: &str| {
        // Only the start matters: search no further than a match starting
        // just before `limit` could reach.
        let mut end = (limit + needle.len()).min(html.len());
        while !html.is_char_boundary(end) {
            end += 1;
        }
        html[..end].find(needle).is_some_and(|at| at < limit)
    };
    // Tera escapes `&<>"'` exactly as escape_attr does.
    found(text) || (text.contains(['&', '<', '>', '"', '\'']) && found(&crate::html::escape_attr(text)))
}

/// The full check: parses the page and follows its text across elements.
fn full_check(html: &str, expected: Option<&Expected<'_>>, links: &LinkPolicy) -> Vec<Violation> {
    // Pages without anything that could be an affiliate link are the common case.
    if !html.contains("href") {
        return Vec::new();
    }
    let disclosure = expected.map(|e| normalise(e.text)).unwrap_or_default();
    let statements = expected.map_or(&[][..], |e| e.statements);
    let statements = statements
        .iter()
        .map(|(statement, text)| Followed {
            statement: statement.clone(),
            text: normalise(text),
            seen: false,
            checked: false,
        })
        .collect();
    let longest = std::iter::once(disclosure.len())
        .chain(expected.iter().flat_map(|e| e.statements.iter().map(|(_, t)| t.len())))
        .max()
        .unwrap_or(0);
    let scan = RefCell::new(Scan { statements, ..Scan::default() });
    let settings = lol_html::RewriteStrSettings::new()
        .append_element_content_handler(lol_html::element!("a[href]", |el| {
            let Some(href) = el.get_attribute("href") else { return Ok(()) };
            let decoded = crate::html::attributes::decode(&href);
            let Ok(link) = links.route(&decoded) else { return Ok(()) };
            if !link.is_affiliate() {
                return Ok(());
            }
            let mut scan = scan.borrow_mut();
            let scan = &mut *scan;
            if !scan.affiliate_checked {
                scan.affiliate_checked = true;
                if disclosure.is_empty() || !scan.disclosure_seen {
                    scan.missing_candidate = Some(href.clone());
                }
            }
            let disclosure_seen = scan.disclosure_seen;
            if let Some(statement) = &link.statement {
                match scan.statements.iter_mut().find(|f| f.statement == *statement) {
                    Some(followed) if !followed.checked => {
                        followed.checked = true;
                        if !followed.seen && disclosure_seen {
                            let program = statement.program().to_owned();
                            scan.violations.push(Violation::NoStatement { program, href });
                        }
                    }
                    Some(_) => {}
                    // A statement whose text nobody gave cannot have been shown.
                    None if disclosure_seen => {
                        let program = statement.program().to_owned();
                        scan.statements.push(Followed {
                            statement: statement.clone(),
                            text: String::new(),
                            seen: false,
                            checked: true,
                        });
                        scan.violations.push(Violation::NoStatement { program, href });
                    }
                    None => {}
                }
            }
            Ok(())
        }))
        .append_element_content_handler(lol_html::text!("body *", |chunk| {
            let mut scan = scan.borrow_mut();
            let scan = &mut *scan;
            if scan.disclosure_seen && scan.statements.iter().all(|f| f.seen || f.text.is_empty()) {
                return Ok(());
            }
            scan.text.push_str(chunk.as_str());
            let seen = normalise(&crate::html::decode_entities(&scan.text));
            if !disclosure.is_empty() && seen.contains(&disclosure) {
                scan.disclosure_seen = true;
            }
            for followed in &mut scan.statements {
                if !followed.text.is_empty() && seen.contains(&followed.text) {
                    followed.seen = true;
                }
            }
            // Keep only a tail long enough to match texts split across chunks.
            let keep = longest * 2 + 64;
            if scan.text.len() > keep * 2 {
                let mut cut = scan.text.len() - keep;
                while !scan.text.is_char_boundary(cut) {
                    cut += 1;
                }
                scan.text.drain(..cut);
            }
            Ok(())
        }));
    // The rewriter only fails on memory limits; then nothing is reported twice.
    let _ = lol_html::rewrite_str(html, settings);
    let mut scan = scan.into_inner();
    if let Some(href) = scan.missing_candidate.take() {
        // Was the disclosure anywhere at all? Then it was late, else missing.
        let anywhere =
            !disclosure.is_empty() && normalise(&crate::html::decode_entities(&strip_tags(html))).contains(&disclosure);
        scan.violations.insert(0, if anywhere { Violation::Late { href } } else { Violation::Missing { href } });
    }
    scan.violations
}

/// Findings that would repeat on every page are shown once, with a count;
/// sorting also keeps at most a few findings of one kind per file (see
/// [`crate::diagnostics::Diagnostics::sort`]).
pub fn collapse_repeats(diagnostics: &mut crate::diagnostics::Diagnostics) {
    diagnostics.sort();
    diagnostics.collapse(Code::UnverifiableShortLink);
}

/// Lower-case, whitespace collapsed, typographic quotes made plain.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.push(match c {
                '\u{2018}' | '\u{2019}' => '\'',
                '\u{201C}' | '\u{201D}' => '"',
                c => c,
            });
        }
    }
    out.to_lowercase()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::{AmazonRules, Rules};

    fn links() -> LinkPolicy {
        LinkPolicy {
            base_path: String::new(),
            rules: Rules {
                amazon: Some(AmazonRules {
                    marketplace: "amazon.com".into(),
                    tags: [("amazon.com".to_owned(), "mia-20".to_owned())].into(),
                }),
                programs: Vec::new(),
            },
        }
    }

    const TEXT: &str = "I earn a commission if you buy through links on this page, at no extra cost to you.";
    const AMAZON: &str = "As an Amazon Associate I earn from qualifying purchases.";
    fn statements() -> Vec<(Statement, String)> {
        vec![(Statement::Amazon, AMAZON.to_owned())]
    }
    const BUY: &str = r#"<a href="https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20">Buy</a>"#;

    fn page(body: &str) -> String {
        format!("<html><body><header><a href=\"/\">Home</a></header>{body}</body></html>")
    }

    #[test]
    fn disclosure_before_the_first_link_passes() {
        let html = page(
            "<aside><p>I earn a commission if you buy through links on this page, at no extra cost to you.</p><p>As an Amazon Associate I earn from qualifying purchases.</p></aside>{BUY}",
        );
        assert_eq!(check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links()), []);
    }

    #[test]
    fn escaped_and_reflowed_text_still_counts() {
        let html = page(&format!(
            "<div>I earn a commission if you buy through links on this page,\n   at no extra cost to <b>you</b>.</div><p>As an Amazon Associate I earn from qualifying purchases.</p>{BUY}"
        ));
        assert_eq!(check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links()), []);
        let statements = statements();
        let quoted = Expected { text: "Mia's picks earn me money & more.", statements: &statements };
        let html = page(&format!("<p>Mia&#39;s picks earn me money &amp; more.</p><p>{AMAZON}</p>{BUY}"));
        assert_eq!(check_page(&html, Some(&quoted), &links()), []);
    }

    #[test]
    fn a_late_disclosure_fails() {
        let html = page(&format!("{BUY}<footer>{TEXT} {AMAZON}</footer>"));
        assert!(matches!(
            check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links())[..],
            [Violation::Late { .. }]
        ));
    }

    #[test]
    fn a_missing_disclosure_fails() {
        let html = page(BUY);
        assert!(matches!(
            check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links())[..],
            [Violation::Missing { .. }]
        ));
        // Links the data did not predict are caught too.
        assert!(matches!(check_page(&html, None, &links())[..], [Violation::Missing { .. }]));
    }

    #[test]
    fn amazon_needs_its_statement() {
        let html = page(&format!("<p>{TEXT}</p>{BUY}"));
        assert!(matches!(
            check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links())[..],
            [Violation::NoStatement { .. }]
        ));
    }

    #[test]
    fn pages_without_affiliate_links_pass() {
        let html = page("<a href=\"https://example.com/\">x</a>");
        assert_eq!(check_page(&html, None, &links()), []);
    }

    #[test]
    fn the_fast_scanner_finds_links_the_parser_finds() {
        let html = page(
            "<!-- <a href=\"https://www.amazon.com/dp/B000000001?tag=x-20\"> --><script>var a = '<a href=\"https://amazon.com/dp/B000000002\">';</script>\
             <A class='x' HREF='https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20'>Buy</A>",
        );
        let first = first_affiliate_links(&html, &links(), 1).unwrap();
        assert_eq!(&html[first.affiliate..first.affiliate + 2], "<A");
        assert_eq!(first.by_statement, [(Statement::Amazon, first.affiliate)]);
        assert_eq!(attribute("<a data-href=\"x\" href=y>", "href"), Some("y"));
    }
}
