//! Stage 4: every link shopfront writes passes through here.
//!
//! In: an `href` as the creator wrote it. Out: the `href` to write and what
//! kind of link it is, or an error for a scheme that must never reach a page
//! (`javascript:` and friends). Markdown links, autolinks, images, product
//! buttons and template links all call [`LinkPolicy::route`], so there is one
//! place that decides what a link becomes.

use std::borrow::Cow;

/// What a routed link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    /// The URL to write.
    pub href: Cow<'a, str>,
    /// Whether it earns the creator a commission.
    pub affiliate: bool,
}

/// A link that may not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeLink {
    /// The scheme found, lower-cased.
    pub scheme: String,
}

impl std::fmt::Display for UnsafeLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}:` links are not allowed (only http, https, mailto, tel, relative and #fragment links)",
            self.scheme
        )
    }
}

/// The site's link settings.
#[derive(Debug, Clone, Default)]
pub struct LinkPolicy {
    /// The base URL's path (`""` or `/shop`): root-relative links get it.
    pub base_path: String,
}

impl LinkPolicy {
    /// Decides what `href` becomes.
    pub fn route<'a>(&self, href: &'a str) -> Result<Link<'a>, UnsafeLink> {
        let trimmed = href.trim();
        if let Some(scheme) = scheme_of(trimmed) {
            return match scheme.as_str() {
                "http" | "https" | "mailto" | "tel" => Ok(Link { href: Cow::Borrowed(trimmed), affiliate: false }),
                _ => Err(UnsafeLink { scheme }),
            };
        }
        Ok(Link { href: self.internal(trimmed), affiliate: false })
    }

    /// Root-relative paths get the site's sub-path; everything else is kept.
    pub fn internal<'a>(&self, href: &'a str) -> Cow<'a, str> {
        let is_root_relative = href.starts_with('/') && !href.starts_with("//");
        let has_prefix = !self.base_path.is_empty()
            && href
                .strip_prefix(&self.base_path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
        if is_root_relative && !self.base_path.is_empty() && !has_prefix {
            Cow::Owned(format!("{}{href}", self.base_path))
        } else {
            Cow::Borrowed(href)
        }
    }
}

/// The scheme of a URL, lower-cased, ignoring the whitespace and control
/// characters browsers ignore (`java\tscript:`); `None` for relative URLs.
pub fn scheme_of(href: &str) -> Option<String> {
    let mut scheme = String::new();
    for c in href.chars() {
        match c {
            ':' => return (!scheme.is_empty()).then_some(scheme),
            '\t' | '\n' | '\r' => {}
            c if c.is_ascii_control() || c == ' ' => {
                if !scheme.is_empty() {
                    return None;
                }
            }
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => scheme.push(c.to_ascii_lowercase()),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_found_through_obfuscation() {
        let cases = [
            ("javascript:alert(1)", Some("javascript")),
            ("JaVaScRiPt:alert(1)", Some("javascript")),
            ("java\tscript:alert(1)", Some("javascript")),
            ("  javascript:x", Some("javascript")),
            ("\u{1}javascript:x", Some("javascript")),
            ("data:text/html,x", Some("data")),
            ("https://x.example", Some("https")),
            ("/posts/a/", None),
            ("a/b:c", None),
            ("#top", None),
            ("?q=1", None),
            ("post.md", None),
        ];
        for (href, expected) in cases {
            assert_eq!(scheme_of(href).as_deref(), expected, "{href:?}");
        }
    }

    #[test]
    fn unsafe_schemes_are_refused() {
        let policy = LinkPolicy::default();
        for href in ["javascript:alert(1)", "vbscript:x", "data:text/html,x", "file:///etc/passwd"] {
            assert!(policy.route(href).is_err(), "{href}");
        }
        for href in ["https://a.example", "mailto:a@b.example", "tel:+1", "/x/", "x.html", "#a"] {
            assert!(policy.route(href).is_ok(), "{href}");
        }
    }

    #[test]
    fn root_relative_links_get_the_sub_path_once() {
        let policy = LinkPolicy { base_path: "/shop".into() };
        assert_eq!(policy.route("/posts/a/").unwrap().href, "/shop/posts/a/");
        assert_eq!(policy.route("/shop/").unwrap().href, "/shop/");
        assert_eq!(policy.route("/shopping/").unwrap().href, "/shop/shopping/");
        assert_eq!(policy.route("//cdn.example/x").unwrap().href, "//cdn.example/x");
        assert_eq!(policy.route("img.png").unwrap().href, "img.png");
        let root = LinkPolicy::default();
        assert_eq!(root.route("/posts/a/").unwrap().href, "/posts/a/");
    }
}
