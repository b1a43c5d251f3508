//! Stage 8: compliance checks on what was actually produced.
//!
//! In: each rendered page's HTML and the disclosure it was given. Out:
//! findings. The check reads the final HTML, not the data behind it, so a
//! custom theme that drops the disclosure banner, moves it below the first
//! buy button, or adds affiliate links the data did not predict is caught
//! whatever its templates do. A link counts as an affiliate link when the
//! rule engine says so for its `href`, so even a hand-written Amazon link in
//! a template is seen.

mod animations;
pub mod content;
pub mod css;
pub mod links;
pub mod placeholders;
pub mod report;
pub mod visible;
pub mod why;

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
    /// The disclosure is on the page, but not where a reader sees it: in a
    /// comment, an attribute or a script, or hidden, too small or faint to
    /// read, or moved out of the page.
    Hidden {
        /// The first affiliate link.
        href: String,
        /// What hides it, in words ([`why::causes`]); empty when unknown.
        causes: Vec<String>,
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
            Self::Hidden { href, causes } => {
                write!(
                    f,
                    "has affiliate links (first: {href}) but its disclosure is where readers cannot see it (a comment, attribute or script, or hidden, too small or faint to read, coloured like what is behind it, or moved out of the page)"
                )?;
                if !causes.is_empty() {
                    write!(f, ": {}", causes.join("; "))?;
                }
                Ok(())
            }
            Self::Late { href } => write!(f, "shows the affiliate link {href} before the disclosure"),
            Self::NoStatement { program, href } => {
                write!(f, "links to {program} ({href}) without {program}'s required statement before the link")
            }
        }
    }
}

/// Checks a rendered page against the disclosure rules; the error names the
/// page and the template that rendered it, and when the disclosure is out of
/// sight, what hides it (at the element's line in the templates, when they
/// write it as the page has it). `html` is what will be written, after
/// minifying.
pub fn check_rendered(
    page: &crate::render::RenderedPage,
    html: &str,
    pages: &crate::render::Pages,
    hiding: &css::Hiding,
) -> Result<(), Box<Diagnostic>> {
    let links = &pages.site().links;
    // The page lost what HTML cannot carry; so do the texts it must show.
    let clean = |text: &str| crate::html::without_non_xml_chars(text.to_owned());
    let text = page.disclosure.as_ref().map(|d| clean(&d.text));
    let statements: Vec<(Statement, String)> =
        pages.statement_texts().iter().map(|(s, t)| (s.clone(), clean(t))).collect();
    let expected = text.as_deref().map(|text| Expected { text, statements: &statements });
    let selectors = hiding.for_page(html, &page.path, &links.base_path);
    let Some(mut violation) = check_page(html, expected.as_ref(), links, &selectors).into_iter().next() else {
        return Ok(());
    };
    // Read with every rule at once, the page failed; rules for some screen
    // widths only (a banner for phones, another for desktops) may still
    // leave the disclosure in sight at each width.
    let widths = hiding.widths_for_page(html, &page.path, &links.base_path);
    if !widths.is_empty()
        && widths.iter().all(|&width| {
            let selectors = hiding.for_page_at(html, &page.path, &links.base_path, width);
            check_page(html, expected.as_ref(), links, &selectors).is_empty()
        })
    {
        return Ok(());
    }
    // Where to change the templates: the element that hides the disclosure,
    // or, when it comes too late, the one that holds it in the page's template.
    let mut written = None;
    match (&mut violation, &text) {
        (Violation::Hidden { causes, .. }, Some(text)) => {
            let found = why::causes(html, text, &hiding.described_for_page(html, &page.path, &links.base_path));
            written = found
                .iter()
                .filter_map(|cause| cause.tag.as_deref())
                .find_map(|tag| pages.written_in_templates(tag, &page.template, false));
            *causes = found.into_iter().map(|cause| cause.text).collect();
        }
        (Violation::Late { .. }, Some(text)) => {
            written = why::holder(html, text).and_then(|tag| pages.written_in_templates(&tag, &page.template, true));
        }
        _ => {}
    }
    let error = Diagnostic::error(Code::Disclosure, format!("page /{} {violation}", page.path)).with_hint(
        "render `disclosure.text` and `disclosure.statements` in a visible banner before the first affiliate link",
    );
    Err(Box::new(match written {
        Some((template, source, offset)) => error.at(template).with_offset(source, offset),
        None => error.at(&page.template),
    }))
}

/// Checks one page. `expected` is what the page was given (`None` when the
/// data predicted no affiliate links; then any affiliate content is a
/// failure). The page is read as a browser reads it ([`visible::Reading`]):
/// only text a reader sees counts, and every way a page can carry an
/// affiliate link or widget counts as one.
pub fn check_page(
    html: &str,
    expected: Option<&Expected<'_>>,
    links: &LinkPolicy,
    hiding: &css::Scan<'_>,
) -> Vec<Violation> {
    // The quick look spares a page expected to carry nothing the full
    // reading. A page given a disclosure is read without it: it carries
    // affiliate links, and the reading stops once it has met one of each
    // program the page discloses.
    if expected.is_none() && !visible::may_carry_affiliate_content(html, links) {
        return Vec::new();
    }
    let wanted: Vec<Statement> =
        expected.map(|e| e.statements.iter().map(|(s, _)| s.clone()).collect()).unwrap_or_default();
    let mut reading = visible::Reading::of(html, links, hiding, Some(&wanted));
    let Some(first) = reading.affiliate.first() else {
        return Vec::new();
    };
    let href = first.href.clone();
    let Some(expected) = expected else {
        return vec![Violation::Missing { href }];
    };
    if !reading.shows_before(expected.text, first.at) {
        // Read to the end: an item of a flex or grid container shown in
        // another order may put the disclosure first after all; if not,
        // say whether it is late, hidden or missing.
        let whole = visible::Reading::of(html, links, hiding, None);
        match whole.affiliate.first() {
            Some(first) if whole.shows_before(expected.text, first.at) => reading = whole,
            _ => {
                let violation = if whole.shows(expected.text) {
                    Violation::Late { href }
                } else if visible::normalise(&crate::html::decode_entities(html))
                    .contains(&visible::normalise(expected.text))
                {
                    Violation::Hidden { href, causes: Vec::new() }
                } else {
                    Violation::Missing { href }
                };
                return vec![violation];
            }
        }
    }
    let mut violations = Vec::new();
    let mut checked: Vec<&Statement> = Vec::new();
    for found in &reading.affiliate {
        let Some(statement) = &found.statement else { continue };
        if checked.contains(&statement) {
            continue;
        }
        checked.push(statement);
        let text = expected.statements.iter().find(|(s, _)| s == statement).map(|(_, t)| t.as_str());
        if !text.is_some_and(|text| reading.shows_before(text, found.at)) {
            violations
                .push(Violation::NoStatement { program: statement.program().to_owned(), href: found.href.clone() });
        }
    }
    violations
}

/// Findings that would repeat on every page are shown once, with a count;
/// sorting also keeps at most a few findings of one kind per file (see
/// [`crate::diagnostics::Diagnostics::sort`]).
pub fn collapse_repeats(diagnostics: &mut crate::diagnostics::Diagnostics) {
    diagnostics.sort();
    diagnostics.collapse(Code::UnverifiableShortLink);
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
        assert_eq!(
            check_page(
                &html,
                Some(&Expected { text: TEXT, statements: &statements() }),
                &links(),
                &css::Scan::default()
            ),
            []
        );
    }

    #[test]
    fn escaped_and_reflowed_text_still_counts() {
        let html = page(&format!(
            "<div>I earn a commission if you buy through links on this page,\n   at no extra cost to <b>you</b>.</div><p>As an Amazon Associate I earn from qualifying purchases.</p>{BUY}"
        ));
        assert_eq!(
            check_page(
                &html,
                Some(&Expected { text: TEXT, statements: &statements() }),
                &links(),
                &css::Scan::default()
            ),
            []
        );
        let statements = statements();
        let quoted = Expected { text: "Mia's picks earn me money & more.", statements: &statements };
        let html = page(&format!("<p>Mia&#39;s picks earn me money &amp; more.</p><p>{AMAZON}</p>{BUY}"));
        assert_eq!(check_page(&html, Some(&quoted), &links(), &css::Scan::default()), []);
    }

    #[test]
    fn a_late_disclosure_fails() {
        let html = page(&format!("{BUY}<footer>{TEXT} {AMAZON}</footer>"));
        assert!(matches!(
            check_page(
                &html,
                Some(&Expected { text: TEXT, statements: &statements() }),
                &links(),
                &css::Scan::default()
            )[..],
            [Violation::Late { .. }]
        ));
    }

    #[test]
    fn a_missing_disclosure_fails() {
        let html = page(BUY);
        assert!(matches!(
            check_page(
                &html,
                Some(&Expected { text: TEXT, statements: &statements() }),
                &links(),
                &css::Scan::default()
            )[..],
            [Violation::Missing { .. }]
        ));
        // Links the data did not predict are caught too.
        assert!(matches!(check_page(&html, None, &links(), &css::Scan::default())[..], [Violation::Missing { .. }]));
    }

    #[test]
    fn amazon_needs_its_statement() {
        let html = page(&format!("<p>{TEXT}</p>{BUY}"));
        assert!(matches!(
            check_page(
                &html,
                Some(&Expected { text: TEXT, statements: &statements() }),
                &links(),
                &css::Scan::default()
            )[..],
            [Violation::NoStatement { .. }]
        ));
    }

    #[test]
    fn pages_without_affiliate_links_pass() {
        let html = page("<a href=\"https://example.com/\">x</a>");
        assert_eq!(check_page(&html, None, &links(), &css::Scan::default()), []);
    }

    fn violation(body: &str) -> Vec<Violation> {
        check_page(
            &page(body),
            Some(&Expected { text: TEXT, statements: &statements() }),
            &links(),
            &css::Scan::default(),
        )
    }

    const BANNER: &str = "<p>I earn a commission if you buy through links on this page, at no extra cost to you. As an Amazon Associate I earn from qualifying purchases.</p>";

    #[test]
    fn only_text_a_reader_sees_counts() {
        // The control: a visible banner before the link.
        assert_eq!(violation(&format!("{BANNER}{BUY}")), []);
        let hidden = [
            format!("<!-- {BANNER} -->{BUY}"),
            format!("<template>{BANNER}</template>{BUY}"),
            format!("<noscript>{BANNER}</noscript>{BUY}"),
            format!("<script>var d = '{TEXT} {AMAZON}';</script>{BUY}"),
            format!("<div title=\"{TEXT} {AMAZON}\" data-x=\"{TEXT}\"></div>{BUY}"),
            format!("<div hidden>{BANNER}</div>{BUY}"),
            format!("<div style=\"display: none\">{BANNER}</div>{BUY}"),
            format!("<div style=\"visibility:hidden\">{BANNER}</div>{BUY}"),
            format!("<div style=\"font-size:0px\">{BANNER}</div>{BUY}"),
            format!("<div style=\"opacity: 0\">{BANNER}</div>{BUY}"),
            format!("<details><summary>Info</summary>{BANNER}</details>{BUY}"),
            format!("<dialog>{BANNER}</dialog>{BUY}"),
            format!("<div popover>{BANNER}</div>{BUY}"),
            format!("<video src=\"a.mp4\">{BANNER}</video>{BUY}"),
            format!("<canvas>{BANNER}</canvas>{BUY}"),
            format!("<div style=\"font-size:6px\">{BANNER}</div>{BUY}"),
            format!("<div style=\"position:absolute;left:-9999px\">{BANNER}</div>{BUY}"),
            format!("<div style=\"height:0;overflow:hidden\">{BANNER}</div>{BUY}"),
            format!("<div style=\"color:#fff;background:#fff\">{BANNER}</div>{BUY}"),
            format!("<div style=\"transform:scale(0)\">{BANNER}</div>{BUY}"),
        ];
        for body in hidden {
            let found = violation(&body);
            assert!(matches!(found[..], [Violation::Hidden { .. }]), "{body}: {found:?}");
        }
        // An open <details> or <dialog> shows its text.
        assert_eq!(violation(&format!("<details open><summary>Info</summary>{BANNER}</details>{BUY}")), []);
        assert_eq!(violation(&format!("<dialog open>{BANNER}</dialog>{BUY}")), []);
        // The text only in <title> is not on the page.
        let html = format!("<html><head><title>{TEXT} {AMAZON}</title></head><body>{BUY}</body></html>");
        let expected = Expected { text: TEXT, statements: &statements() };
        assert!(matches!(
            check_page(&html, Some(&expected), &links(), &css::Scan::default())[..],
            [Violation::Hidden { .. }]
        ));
    }

    #[test]
    fn pages_that_cannot_carry_affiliate_content_are_told_apart_cheaply() {
        let may = |html: &str| visible::may_carry_affiliate_content(html, &links());
        assert!(!may("<a href=\"/posts/a/\">a</a> <a href=\"https://example.com/\">b</a> // a comment"));
        for carrying in [
            BUY,
            "<a href=\"//amzn.to/x\">x</a>",
            "<a href=\"&#104;ttps://www.&#97;mazon.com/dp/B06XCKGLTP\">x</a>",
            "<script>var u = \"https:\\/\\/www.amazon.com\\/dp\\/B06XCKGLTP\";</script>",
            "<iframe src=\"//ws-na.amazon-adsystem.com/widgets/q\"></iframe>",
            "<BASE href=\"https://example.com/\"><a href=\"x\">x</a>",
            "<a href=\"https://www.%61mazon.com/dp/B06XCKGLTP\">x</a>",
            "<a href=\"HTTPS:www.amazon.com/dp/B06XCKGLTP\">x</a>",
            "<a href=\"https:\\\\www.amazon.com/dp/B06XCKGLTP\">x</a>",
            "<a href=\"https://www.ama&#10;zon.com/dp/B06XCKGLTP\">x</a>",
            "<a href=\"https://www.ama\tzon.com/dp/B06XCKGLTP\">x</a>",
        ] {
            assert!(may(carrying), "{carrying}");
        }
    }

    #[test]
    fn the_sites_own_stylesheets_can_hide_the_banner() {
        let site_css = css::selectors_of(
            "aside.fine { display: none } #legal { visibility: hidden } @media print { .paper { display: none } }",
        );
        let expected = Expected { text: TEXT, statements: &statements() };
        let site_css = css::Scan::hiding(site_css.iter().collect());
        let check = |body: &str| check_page(&page(body), Some(&expected), &links(), &site_css);
        assert!(matches!(
            check(&format!("<aside class=\"fine\">{BANNER}</aside>{BUY}"))[..],
            [Violation::Hidden { .. }]
        ));
        assert!(matches!(check(&format!("<div id=legal><p>{BANNER}</p></div>{BUY}"))[..], [Violation::Hidden { .. }]));
        // Hidden on paper only: seen on screens.
        assert_eq!(check(&format!("<div class=\"paper\">{BANNER}</div>{BUY}")), []);
        // The page's own <style> counts too.
        let html = format!(
            "<html><head><style>.b {{ font-size: 0 }}</style></head><body><div class=b>{BANNER}</div>{BUY}</body></html>"
        );
        assert!(matches!(
            check_page(&html, Some(&expected), &links(), &css::Scan::default())[..],
            [Violation::Hidden { .. }]
        ));
        // So do the stylesheets it carries in `data:` URLs, linked or imported.
        for head in [
            "<link rel=stylesheet href=\"data:text/css,.b%7Bdisplay:none%7D\">",
            "<link rel=stylesheet href=\"data:text/css;base64,LmIgeyBvcGFjaXR5OiAwIH0=\">",
            "<style>@import url(\"data:text/css,.b{visibility:hidden}\");</style>",
        ] {
            let html = format!("<html><head>{head}</head><body><div class=b>{BANNER}</div>{BUY}</body></html>");
            assert!(
                matches!(
                    check_page(&html, Some(&expected), &links(), &css::Scan::default())[..],
                    [Violation::Hidden { .. }]
                ),
                "{head}"
            );
        }
    }

    /// Checks a page whose own `<style>` holds `css`, with `body` before the buy link.
    fn styled(css: &str, body: &str) -> Vec<Violation> {
        let html = format!("<html><head><style>{css}</style></head><body>{body}{BUY}</body></html>");
        check_page(&html, Some(&Expected { text: TEXT, statements: &statements() }), &links(), &css::Scan::default())
    }

    /// Each page ([`styled`]: `css`, then `body`) fails, its disclosure hidden.
    fn assert_hidden(pages: &[(&str, String)]) {
        for (css, body) in pages {
            let found = styled(css, body);
            assert!(matches!(found[..], [Violation::Hidden { .. }]), "{css} {body}: {found:?}");
        }
    }

    /// Each page ([`styled`]: `css`, then `body`) passes.
    fn assert_shown(pages: &[(&str, String)]) {
        for (css, body) in pages {
            assert_eq!(styled(css, body), [], "{css} {body}");
        }
    }

    #[test]
    fn text_coloured_like_the_page_is_hidden_unless_something_around_it_has_a_background() {
        let expected = Expected { text: TEXT, statements: &statements() };
        let hidden = [
            (".d { color: #fff }", format!("<div class=d>{BANNER}</div>")),
            ("body { background: #fff } .d { color: #fefefe }", format!("<div class=d>{BANNER}</div>")),
            ("html { background-color: #111 } .d { color: #161616 }", format!("<div class=d>{BANNER}</div>")),
            ("", format!("<div style=\"color: white\">{BANNER}</div>")),
            ("", format!("<main><div style=\"color:#FFF\">{BANNER}</div></main>")),
            // On the background the nearest element around it gives, custom properties worked out.
            (
                ":root { --tint: #eef2ff } @media (prefers-color-scheme: dark) { :root { --tint: #123 } } \
                 .d { background: var(--tint) } .d { color: #fff }",
                format!("<div class=d>{BANNER}</div>"),
            ),
            (
                ".banner { background: #333 } .banner .d { color: #3a3a3a }",
                format!("<div class=banner><div class=d>{BANNER}</div></div>"),
            ),
            ("", format!("<div style=\"background:#000\"><div style=\"color:#111\">{BANNER}</div></div>")),
        ];
        assert_hidden(&hidden);
        let shown = [
            (".d { color: #333 }", format!("<div class=d>{BANNER}</div>")),
            (
                ".banner { background: #333 } .banner .d { color: #fff }",
                format!("<div class=banner><div class=d>{BANNER}</div></div>"),
            ),
            (
                ".hero { background: url(hero.jpg) } .d { color: #fff }",
                format!("<div class=hero><div class=d>{BANNER}</div></div>"),
            ),
            ("body { background: #111 } .d { color: #fff }", format!("<div class=d>{BANNER}</div>")),
            (":root { color-scheme: dark } .d { color: #eee }", format!("<div class=d>{BANNER}</div>")),
            ("@media (prefers-color-scheme: dark) { .d { color: #eee } }", format!("<div class=d>{BANNER}</div>")),
            (".d { color: var(--ink) }", format!("<div class=d>{BANNER}</div>")),
            (
                ".hero::before { content: ''; background: #000 } .hero .d { color: #fff }",
                format!("<div class=hero><div class=d>{BANNER}</div></div>"),
            ),
            (
                "@media (prefers-color-scheme: dark) { .banner { background: #222 } } .banner .d { color: #333 }",
                format!("<div class=banner><div class=d>{BANNER}</div></div>"),
            ),
            ("", format!("<div style=\"background:#000\"><div style=\"color:#fff\">{BANNER}</div></div>")),
            (".card { background: #222 }", format!("<div class=card><div style=\"color:#fff\">{BANNER}</div></div>")),
            ("", format!("<table bgcolor=black><tr><td style=\"color:#fff\">{BANNER}</td></tr></table>")),
        ];
        assert_shown(&shown);
        // A page that asks for a dark scheme only has a dark background.
        let html = format!(
            "<html><head><meta name=\"color-scheme\" content=\"dark\"></head><body><div style=\"color:#fff\">{BANNER}</div>{BUY}</body></html>"
        );
        assert_eq!(check_page(&html, Some(&expected), &links(), &css::Scan::default()), []);
    }

    #[test]
    fn a_banner_is_seen_where_its_animation_leaves_it() {
        let banner = format!("<div class=d>{BANNER}</div>");
        let hidden = [
            "@keyframes out { to { opacity: 0 } } .d { animation: out .3s 2s forwards }",
            ".d { -webkit-animation: gone 1s both } @-webkit-keyframes gone { 100% { transform: scale(0) } }",
            "@keyframes in { from { opacity: 0 } } .d { opacity: 0; animation: in 1s }",
            "@keyframes in { to { opacity: 1 } } .d { opacity: 0; animation: in 1s infinite forwards }",
            "@keyframes in { to { display: block } } .d { display: none; animation: in 1s forwards }",
        ];
        assert_hidden(&hidden.map(|css| (css, banner.clone())));
        let shown = [
            "@keyframes in { from { opacity: 0 } to { opacity: 1 } } .d { opacity: 0; animation: in .4s ease-out forwards }",
            ".d { visibility: hidden; animation-name: show; animation-fill-mode: both } @keyframes show { to { visibility: visible } }",
            "@keyframes pop { 0% { transform: scale(0) } 100% { transform: none } } .d { transform: scale(0); animation: pop 1s both }",
        ];
        assert_shown(&shown.map(|css| (css, banner.clone())));
        // A site stylesheet's animation, with keyframes the page's own `<style>` gives.
        let site = css::Hiding::from_stylesheets(&[css::Stylesheet {
            path: "extra.css".into(),
            source: "static/extra.css".into(),
            text: ".d { animation: bye .5s forwards }".into(),
        }]);
        let html = format!(
            "<html><head><link rel=stylesheet href=/extra.css><style>@keyframes bye {{ to {{ opacity: 0 }} }}</style></head>\
             <body>{banner}{BUY}</body></html>"
        );
        let expected = Expected { text: TEXT, statements: &statements() };
        let found = check_page(&html, Some(&expected), &links(), &site.for_page(&html, "index.html", ""));
        assert!(matches!(found[..], [Violation::Hidden { .. }]), "{found:?}");
        // Animations a `style` attribute gives, with the stylesheets' keyframes.
        let keyframes = "@keyframes in { from { opacity: 0 } to { opacity: 1 } } @keyframes out { to { opacity: 0 } }";
        let faded_in = format!("<div style=\"opacity:0;animation:in .5s forwards\">{BANNER}</div>");
        assert_eq!(styled(keyframes, &faded_in), []);
        let faded_out = format!("<div style=\"animation: out .5s 1s both\">{BANNER}</div>");
        assert!(matches!(styled(keyframes, &faded_out)[..], [Violation::Hidden { .. }]));
    }

    #[test]
    fn what_visibility_hides_an_element_inside_may_show_again() {
        let nested = format!("<div class=wrap><div class=d>{BANNER}</div></div>");
        let hidden = [
            (".wrap { visibility: hidden }", nested.clone()),
            (".wrap { visibility: hidden } .d { visibility: hidden }", nested.clone()),
            // A rule that may apply only at some widths shows nothing for sure.
            (".wrap { visibility: hidden } @media (min-width: 900px) { .d { visibility: visible } }", nested.clone()),
            // Hidden otherwise, nothing inside shows again.
            (".wrap { display: none } .d { visibility: visible }", nested.clone()),
            ("", format!("<div style=\"visibility:hidden\"><div style=\"visibility:inherit\">{BANNER}</div></div>")),
            (
                ".wrap { visibility: hidden } .d { visibility: visible } .wrap > .d { visibility: inherit }",
                nested.clone(),
            ),
            (
                "",
                format!(
                    "<div style=\"visibility:hidden;opacity:0\"><div style=\"visibility:visible\">{BANNER}</div></div>"
                ),
            ),
            // Hidden wins where rules disagree on one element.
            (
                ".wrap { visibility: hidden } .wrap > div { visibility: visible } .d { visibility: collapse }",
                nested.clone(),
            ),
            (".wrap .d { visibility: visible } .inner { visibility: hidden }", {
                format!("<div class=wrap><div class=d><div class=inner>{BANNER}</div></div></div>")
            }),
        ];
        assert_hidden(&hidden);
        let shown = [
            (".wrap { visibility: hidden } .wrap .d { visibility: visible }", nested.clone()),
            (
                ".wrap { visibility: hidden }",
                format!("<div class=wrap><div style=\"visibility: visible\">{BANNER}</div></div>"),
            ),
            (".wrap { visibility: hidden } .d { visibility: visible }", format!("{nested}<div class=wrap></div>")),
            (
                ".d { visibility: visible }",
                format!("<div style=\"visibility:hidden\"><div class=d>{BANNER}</div></div>"),
            ),
            ("", format!("<div style=\"visibility:hidden\"><div style=\"visibility:visible\">{BANNER}</div></div>")),
            (
                ".wrap .d { visibility: hidden }",
                format!("<div class=wrap><div class=d style=\"visibility:visible\">{BANNER}</div></div>"),
            ),
        ];
        assert_shown(&shown);
    }

    #[test]
    fn a_readable_font_size_inside_one_too_small_shows_again() {
        let row = |inner: &str| format!("<div class=row><div class=note{inner}>{BANNER}</div></div>");
        assert_hidden(&[
            (".row { font-size: 0 }", row("")),
            (".row { font-size: 0 } .note { font-size: 1.2em }", row("")),
            (".row { font-size: 0 } .note { font-size: 150% }", row("")),
            (".row { font: 0/0 a }", row("")),
            (".row { font-size: 0 } @media (min-width: 600px) { .note { font-size: 14px } }", row("")),
        ]);
        assert_shown(&[
            (".row { font-size: 0 } .row > .note { font-size: 14px }", row("")),
            (".row { font-size: 0 } .note { font-size: 1rem }", row("")),
            (".row { font-size: 0 }", row(" style=\"font-size: 15px\"")),
            (".row { font: 0/0 a } .note { font-size: 12pt }", row("")),
        ]);
    }

    #[test]
    fn text_a_bdo_writes_backwards_is_hidden_up_to_a_block_inside_it() {
        let words = format!("{TEXT} {AMAZON}");
        assert_hidden(
            &[
                format!("<bdo dir=rtl>{words}</bdo>"),
                format!("<p><bdo dir=RTL><span>{words}</span></bdo></p>"),
                format!("<bdo dir=rtl><div></div>{words}</bdo>"),
                format!("<bdo dir=rtl><span style=\"display:inline\">{words}</span></bdo>"),
            ]
            .map(|body| ("", body)),
        );
        assert_shown(
            &[
                format!("<bdo dir=rtl>{BANNER}</bdo>"),
                format!("<bdo dir=rtl><span><div>{words}</div></span></bdo>"),
                format!("<bdo dir=rtl><span style=\"display:inline-block\">{words}</span></bdo>"),
                format!("<bdo dir=rtl><bdo dir=ltr>{words}</bdo></bdo>"),
                format!("<bdo dir=ltr>{words}</bdo>"),
            ]
            .map(|body| ("", body)),
        );
    }

    #[test]
    fn fading_and_shrinking_add_up_down_nested_elements() {
        let hidden = [
            (".a { opacity: .4 } .b { opacity: .4 }", format!("<div class=a><div class=b>{BANNER}</div></div>")),
            ("", format!("<div style=\"opacity:.4\"><div style=\"opacity:.4\">{BANNER}</div></div>")),
            ("", format!("<div style=\"transform:scale(.3)\"><div style=\"transform:scale(.3)\">{BANNER}</div></div>")),
            (".a { zoom: .5 }", format!("<div class=a><div style=\"scale: .3\">{BANNER}</div></div>")),
            (
                ".a { filter: opacity(50%) }",
                format!("<div class=a><section><div style=\"opacity:.3\">{BANNER}</div></section></div>"),
            ),
            // Relative font sizes: 60% of 60% of 16 px is under 8 px.
            (
                ".a { font-size: 60% } .a .b { font-size: .6em }",
                format!("<div class=a><div class=b>{BANNER}</div></div>"),
            ),
            ("", format!("<div style=\"font-size:70%\"><div style=\"font-size:.6em\">{BANNER}</div></div>")),
        ];
        assert_hidden(&hidden);
        let shown = [
            (".a { opacity: .6 } .b { opacity: .6 }", format!("<div class=a><div class=b>{BANNER}</div></div>")),
            (".a { opacity: .35 }", format!("<div class=a>{BANNER}</div>")),
            (".a { opacity: .4 }", format!("<div class=a>x</div><div class=a>{BANNER}</div>")),
            ("", format!("<div style=\"transform:scale(.5)\"><div style=\"scale:.5\">{BANNER}</div></div>")),
            (
                ".a { font-size: 80% } .a .b { font-size: 80% }",
                format!("<div class=a><div class=b>{BANNER}</div></div>"),
            ),
            (".a { font-size: 60% }", format!("<div class=a>x</div><div class=a>{BANNER}</div>")),
        ];
        assert_shown(&shown);
    }

    #[test]
    fn links_count_where_a_browser_puts_them() {
        const AMAZON_URL: &str = "https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20";
        const CART: &str = "https://www.amazon.com/gp/aws/cart/add.html";
        // A link a table holds outside its cells is shown before the table.
        let late = [
            format!("<table><tr><td>{BANNER}</td></tr><a href=\"{AMAZON_URL}\">Buy</a></table>"),
            format!(
                "<table><tbody><tr><td>{BANNER}</td></tr></tbody><div><a href=\"{AMAZON_URL}\">Buy</a></div></table>"
            ),
            // A flex container that shows its items in reverse shows the link first.
            format!(
                "<div style=\"display:flex;flex-direction:column-reverse\">{BANNER}<a href=\"{AMAZON_URL}\">Buy</a></div>"
            ),
            format!(
                "<div style=\"display:flex;flex-flow:row-reverse wrap\"><div>{BANNER}</div><p><a href=\"{AMAZON_URL}\">Buy</a></p></div>"
            ),
            format!(
                "<style>.w {{ display: flex; flex-direction: column-reverse }}</style><div class=w>{BANNER}<a href=\"{AMAZON_URL}\">Buy</a></div>"
            ),
            // A flex or grid item shown in another order: the link first, or the banner last.
            format!("<div style=\"display:flex\">{BANNER}<a style=\"order:-1\" href=\"{AMAZON_URL}\">Buy</a></div>"),
            format!(
                "<style>.w {{ display: grid }} .d {{ order: 2 }}</style><main class=w><div class=d>{BANNER}</div><div><a href=\"{AMAZON_URL}\">Buy</a></div></main>"
            ),
            // `order` moves a container's own items only.
            format!(
                "<div style=\"display:flex\"><div class=post><a href=\"{AMAZON_URL}\">Buy</a><div style=\"order:-1\">{BANNER}</div></div></div>"
            ),
            // A block ends the flex paragraph, and the link last in it comes before the banner.
            format!("<p style=\"display:flex\"><a style=\"order:1\" href=\"{AMAZON_URL}\">Buy</a><div>x</div>{BANNER}"),
            // A button submits the form it names, wherever that form is.
            format!("<button form=cart>Add</button>{BANNER}<form id=cart action=\"{CART}\"></form>"),
        ];
        for body in late {
            let found = violation(&body);
            assert!(matches!(found[..], [Violation::Late { .. }]), "{body}: {found:?}");
        }
        // A page whose one link is shown last in a container that never ends needs its disclosure.
        let found = violation(&format!(
            "<div style=\"display:flex\"><a style=\"order:1\" href=\"{AMAZON_URL}\">Buy</a><b>x</b>"
        ));
        assert!(matches!(found[..], [Violation::Missing { .. }]), "{found:?}");
        let in_order = [
            format!("<table><tr><td>{BANNER}</td><td><a href=\"{AMAZON_URL}\">Buy</a></td></tr></table>"),
            format!("<table><caption>{BANNER}</caption><tr><td><a href=\"{AMAZON_URL}\">Buy</a></td></tr></table>"),
            format!("{BANNER}<table><tr><td>x</td></tr><a href=\"{AMAZON_URL}\">Buy</a></table>"),
            format!("{BANNER}<button form=cart>Add</button><form id=cart action=\"{CART}\"></form>"),
            format!(
                "{BANNER}<div style=\"display:flex;flex-direction:row-reverse\"><a href=\"{AMAZON_URL}\">Buy</a></div>"
            ),
            format!(
                "<button form=other>Go</button>{BANNER}<form id=cart action=\"{CART}\"><button>Add</button></form>"
            ),
            // Reordered inside its own container, before the link's.
            format!(
                "<style>.w {{ display: flex }} .x {{ order: -1 }}</style><div class=w>{BANNER}<span class=x>Hi</span></div><div class=w><a href=\"{AMAZON_URL}\">Buy</a></div>"
            ),
            // Shown last in a container whose end tag never comes.
            format!("{BANNER}<p style=\"display:flex\"><a style=\"order:1\" href=\"{AMAZON_URL}\">Buy</a><b>x</b>"),
            // A block ends the grid's paragraph: the banner after it is an item, shown first.
            format!(
                "<div style=\"display:grid\"><p>x <a href=\"{AMAZON_URL}\">Buy</a><div style=\"order:-1\">{BANNER}</div></div>"
            ),
            // No container: `order` moves nothing.
            format!("<div>{BANNER}<a style=\"order:-1\" href=\"{AMAZON_URL}\">Buy</a></div>"),
            // A sidebar shown after the main column keeps the banner before the main column's link.
            format!(
                "<style>.l {{ display: grid }} .side {{ order: 2 }}</style><div class=l><aside class=side>Hi</aside><main>{BANNER}<a href=\"{AMAZON_URL}\">Buy</a></main></div>"
            ),
            // A banner shown first, before a link the page has earlier.
            format!(
                "<div style=\"display:flex;flex-wrap:wrap\"><a href=\"{AMAZON_URL}\">Buy</a><div style=\"order:-1\">{BANNER}</div></div>"
            ),
            format!(
                "<style>.w {{ display: flex }} .buy {{ order: 2 }}</style><div class=w><p class=buy><a href=\"{AMAZON_URL}\">Buy</a></p>{BANNER}</div>"
            ),
        ];
        for body in in_order {
            assert_eq!(violation(&body), [], "{body}");
        }
    }

    #[test]
    fn a_paragraph_ends_where_a_browser_ends_it() {
        let site_css = css::selectors_of(".note { display: none }");
        let site_css = css::Scan::hiding(site_css.iter().collect());
        let expected = Expected { text: TEXT, statements: &statements() };
        let check = |body: &str| check_page(&page(body), Some(&expected), &links(), &site_css);
        // A block closes an open <p>: what it holds is not in the hidden paragraph.
        for body in [
            format!("<p hidden>Loading<div>{BANNER}</div>{BUY}"),
            format!("<p class=note>Loading<section>{BANNER}</section>{BUY}"),
            format!("<div><p style=\"display:none\">Loading</div><div>{BANNER}</div>{BUY}"),
            format!("<p hidden>Loading<p>{BANNER}</p>{BUY}"),
            format!("<p hidden>Loading</p>{BANNER}{BUY}"),
        ] {
            assert_eq!(check(&body), [], "{body}");
        }
        // What stays inside the paragraph stays hidden.
        for body in [
            format!("<p hidden>Loading <span>{TEXT} {AMAZON}</span>{BUY}"),
            format!("<p class=note><b>{TEXT} {AMAZON}</b></p>{BUY}"),
            format!("<div hidden><p>Loading<div>{BANNER}</div></div>{BUY}"),
        ] {
            assert!(matches!(check(&body)[..], [Violation::Hidden { .. }]), "{body}");
        }
        // So does what `visibility` hides.
        let wait = ".wait { visibility: hidden }";
        assert_eq!(styled(wait, &format!("<p class=wait>Loading<div>{BANNER}</div>")), []);
        let inside = styled(wait, &format!("<p class=wait><b>{TEXT} {AMAZON}</b></p>"));
        assert!(matches!(inside[..], [Violation::Hidden { .. }]), "{inside:?}");
    }

    #[test]
    fn links_are_found_as_a_browser_finds_them() {
        let shapes = [
            "<a/href=\"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20\">Buy</a>",
            "<map name=m><area href=\"https://www.amazon.com/dp/B06XCKGLTP\" alt=x></map>",
            "<form method=get action=\"https://www.amazon.com/gp/aws/cart/add.html\"><input type=hidden name=AssociateTag value=x-20><button>Add</button></form>",
            "<iframe src=\"https://ws-na.amazon-adsystem.com/widgets/q?ServiceVersion=20070822&amp;tracking_id=mia-20\"></iframe>",
            "<script src=\"//z-na.amazon-adsystem.com/widgets/onejs?MarketPlace=US\"></script>",
            "<script>document.body.innerHTML += '<a href=\"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20\">x</a>';</script>",
            "<script type=\"application/json\">{\"buy\": \"https:\\/\\/www.amazon.com\\/dp\\/B06XCKGLTP\"}</script>",
            "<svg width=9 height=9><a xlink:href=\"https://www.amazon.com/dp/B06XCKGLTP\"><rect width=9 height=9 /></a></svg>",
            "<button onclick=\"location.href='https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20'\">Buy</button>",
            "<form><button formaction=\"https://www.amazon.com/gp/aws/cart/add.html\">Add</button></form>",
            "<iframe src=\"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20\" width=1 height=1></iframe>",
            "<meta http-equiv=\"Refresh\" content=\"5; URL='https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20'\">",
            "<div class=\"go\" data-props='{\"url\": \"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20\"}'>Buy</div>",
            "<iframe srcdoc=\"&lt;a target=_top href='https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20'&gt;Buy&lt;/a&gt;\"></iframe>",
        ];
        for shape in shapes {
            let found = violation(&format!("{shape}{BANNER}"));
            assert!(matches!(found[..], [Violation::Late { .. }]), "{shape}: {found:?}");
            assert_eq!(violation(&format!("{BANNER}{shape}")), [], "{shape}");
        }
        // A relative link under <base href="https://www.amazon.com/">.
        let html = format!(
            "<html><head><base href=\"https://www.amazon.com/\"></head><body><a href=\"dp/B06XCKGLTP\">Buy</a>{BANNER}</body></html>"
        );
        let expected = Expected { text: TEXT, statements: &statements() };
        assert!(matches!(
            check_page(&html, Some(&expected), &links(), &css::Scan::default())[..],
            [Violation::Late { .. }]
        ));
        // JSON-LD is for search engines, not readers.
        let ld = "<script type=\"application/ld+json\">{\"url\": \"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20\"}</script>";
        assert_eq!(violation(ld), []);
    }
}
