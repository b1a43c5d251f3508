//! Helpers shared by the fuzz targets: a representative link policy, the
//! way the loader decodes a file, and a browser's reading of a URL's scheme,
//! independent of shopfront's own, to check what the engine writes.

use shopfront::links::{AmazonRules, LinkPolicy, ProgramAction, ProgramRule, Rules};

/// A creator's rules like the rule engine's own table tests: tags on most
/// marketplaces (one with a wrong regional suffix, none on amazon.nl), a
/// params program and a template program.
pub fn rules() -> Rules {
    let tags = [
        ("amazon.com", "miachen-20"),
        ("amazon.ca", "miachen0c-20"),
        ("amazon.co.uk", "miachen-21"),
        ("amazon.de", "miachen0d-21"),
        ("amazon.fr", "miachen05-21"),
        ("amazon.co.jp", "miachen-22"),
        ("amazon.in", "miachen-21"),
        ("amazon.com.au", "miachen-22"),
        ("amazon.com.br", "miachen-21"),
    ];
    Rules {
        amazon: Some(AmazonRules {
            marketplace: "amazon.com".to_owned(),
            tags: tags.iter().map(|(m, t)| ((*m).to_owned(), (*t).to_owned())).collect(),
        }),
        programs: vec![
            ProgramRule {
                name: "Example Outdoor Co".to_owned(),
                hosts: vec!["shop.example-outdoor.com".to_owned()],
                action: ProgramAction::Params(vec![
                    ("ref".to_owned(), "miachen".to_owned()),
                    ("utm_source".to_owned(), "shopfront".to_owned()),
                ]),
                statement: Some("Example Outdoor Co pays me for purchases through my links.".to_owned()),
            },
            ProgramRule {
                name: "Gadget Network".to_owned(),
                hosts: vec!["store.example.net".to_owned(), "www.gadgets.example".to_owned()],
                action: ProgramAction::Template("https://go.network.example/?id=123&u={url}".to_owned()),
                statement: None,
            },
        ],
    }
}

/// One of eight policies, picked by the low bits of `selector`: with or
/// without a sub-path, Amazon rules and programs.
pub fn policy(selector: u8) -> LinkPolicy {
    let mut rules = rules();
    if selector & 2 != 0 {
        rules.amazon = None;
    }
    if selector & 4 != 0 {
        rules.programs.clear();
    }
    LinkPolicy { base_path: if selector & 1 != 0 { "/shop".to_owned() } else { String::new() }, rules }
}

/// What `site.NAME` and `page.NAME` mean in a post, as a site built from an
/// imported blog gives them (a sub-path, a list and a nested value).
pub fn variables() -> shopfront::markdown::tags::Variables {
    let site = [("baseurl", "/blog"), ("url", "https://notes.example"), ("title", "Notes"), ("author", "Mia")];
    let page = [
        ("title", serde_json::json!("Launch & <notes>")),
        ("image", serde_json::json!("/img/a.png")),
        ("tags", serde_json::json!(["Desk", "Audio"])),
        ("gallery", serde_json::json!([{ "url": "/i/0.png", "alt": "one" }, { "url": "/i/1.png" }])),
        ("rating", serde_json::json!(4.5)),
    ];
    shopfront::markdown::tags::Variables {
        site: site.map(|(k, v)| (k.to_owned(), v.to_owned())).into(),
        page: page.map(|(k, v)| (k.to_owned(), v)).into(),
    }
}

/// The text the loader would make of a file: UTF-8 only, BOM dropped, no
/// NUL bytes, LF line endings (as `content::load` does before splitting).
pub fn decode(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return None;
    }
    Some(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The scheme a browser reads in an `href` value (already entity-decoded),
/// lower-cased, following the WHATWG URL parser: leading and trailing C0
/// controls and spaces are stripped, tabs and newlines removed anywhere.
pub fn browser_scheme(href: &str) -> Option<String> {
    let trimmed = href.trim_matches(|c: char| c <= ' ');
    let mut chars = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let first = chars.next().filter(char::is_ascii_alphabetic)?;
    let mut scheme = first.to_ascii_lowercase().to_string();
    for c in chars {
        match c {
            ':' => return Some(scheme),
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => scheme.push(c.to_ascii_lowercase()),
            _ => return None,
        }
    }
    None
}

/// Whether shopfront may write a link with this `href`: no scheme, or one of
/// `http`, `https`, `mailto`, `tel`.
pub fn allowed_href(href: &str) -> bool {
    browser_scheme(href)
        .is_none_or(|s| matches!(s.as_str(), "http" | "https" | "mailto" | "tel" | "ftp" | "ftps" | "sftp"))
}
