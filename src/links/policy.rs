//! The site-facing side of the engine: one call for every link written.

use std::borrow::Cow;

use super::{LinkKind, LinkWarning, Rules, Statement, rewrite};

/// The `rel` of every affiliate link.
pub const AFFILIATE_REL: &str = "sponsored nofollow noopener";
/// The `rel` of every other link that leaves the site.
pub const PLAIN_REL: &str = "noopener";

/// What a routed link became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    /// The URL to write.
    pub href: Cow<'a, str>,
    /// What kind of link it is.
    pub kind: LinkKind,
    /// What the creator should know about it.
    pub warnings: Vec<LinkWarning>,
    /// The statement its program requires before it on the page, if any.
    pub statement: Option<Statement>,
}

impl Link<'_> {
    /// Whether it earns a commission (and so needs the disclosure).
    pub fn is_affiliate(&self) -> bool {
        self.kind.is_affiliate()
    }

    /// Whether it goes to Amazon (and so needs Amazon's statement).
    pub fn is_amazon(&self) -> bool {
        matches!(self.kind, LinkKind::Amazon { .. })
    }

    /// The `rel` attribute it needs, if any.
    pub fn rel(&self) -> Option<&'static str> {
        self.is_affiliate().then_some(AFFILIATE_REL)
    }
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
            "`{}:` links are not allowed (only http, https, mailto, tel, ftp, relative and #fragment links)",
            self.scheme
        )
    }
}

/// The site's link settings: affiliate rules and the base URL's sub-path.
#[derive(Debug, Clone, Default)]
pub struct LinkPolicy {
    /// The base URL's path (`""` or `/shop`): root-relative links get it.
    pub base_path: String,
    /// The creator's affiliate rules.
    pub rules: Rules,
}

impl LinkPolicy {
    /// Decides what `href` becomes.
    pub fn route<'a>(&self, href: &'a str) -> Result<Link<'a>, UnsafeLink> {
        let rewritten = rewrite(href, &self.rules);
        match rewritten.kind {
            LinkKind::Unsafe { scheme } => Err(UnsafeLink { scheme }),
            LinkKind::Internal => {
                let href = match rewritten.href {
                    Cow::Borrowed(text) => self.internal(text),
                    Cow::Owned(text) => Cow::Owned(self.internal(&text).into_owned()),
                };
                Ok(Link { href, kind: LinkKind::Internal, warnings: rewritten.warnings, statement: None })
            }
            kind => {
                let statement = self.rules.statement(&kind);
                Ok(Link { href: rewritten.href, kind, warnings: rewritten.warnings, statement })
            }
        }
    }

    /// Root-relative paths get the site's sub-path; everything else is kept.
    pub fn internal<'a>(&self, href: &'a str) -> Cow<'a, str> {
        under_base_path(&self.base_path, href)
    }
}

/// [`LinkPolicy::internal`] for a sub-path alone.
pub fn under_base_path<'a>(base_path: &str, href: &'a str) -> Cow<'a, str> {
    let is_root_relative = href.starts_with('/') && !href.starts_with("//");
    let has_prefix = !base_path.is_empty()
        && href.strip_prefix(base_path).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    if is_root_relative && !base_path.is_empty() && !has_prefix {
        Cow::Owned(format!("{base_path}{href}"))
    } else {
        Cow::Borrowed(href)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::AmazonRules;

    fn policy() -> LinkPolicy {
        LinkPolicy {
            base_path: "/shop".into(),
            rules: Rules {
                amazon: Some(AmazonRules {
                    marketplace: "amazon.com".into(),
                    tags: [("amazon.com".to_owned(), "mia-20".to_owned())].into(),
                }),
                programs: Vec::new(),
            },
        }
    }

    #[test]
    fn unsafe_schemes_are_refused() {
        for href in ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "vbscript:x", "data:text/html,x"] {
            assert!(policy().route(href).is_err(), "{href:?}");
        }
        for href in ["https://a.example", "mailto:a@b.example", "tel:+1", "/x/", "x.html", "#a"] {
            assert!(policy().route(href).is_ok(), "{href}");
        }
    }

    #[test]
    fn root_relative_links_get_the_sub_path_once() {
        let p = policy();
        assert_eq!(p.route("/posts/a/").unwrap().href, "/shop/posts/a/");
        assert_eq!(p.route("/shop/").unwrap().href, "/shop/");
        assert_eq!(p.route("/shopping/").unwrap().href, "/shop/shopping/");
        assert_eq!(p.route("img.png").unwrap().href, "img.png");
        let root = LinkPolicy::default();
        assert_eq!(root.route("/posts/a/").unwrap().href, "/posts/a/");
    }

    #[test]
    fn amazon_links_are_tagged_and_marked() {
        let link = policy().route("https://amazon.com/Some-Thing/dp/B06XCKGLTP/ref=sr_1_3?qid=1").unwrap();
        assert_eq!(link.href, "https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20");
        assert!(link.is_affiliate() && link.is_amazon());
        assert_eq!(link.rel(), Some(AFFILIATE_REL));
        let plain = policy().route("https://example.com/").unwrap();
        assert_eq!(plain.rel(), None);
    }
}
