//! The route table: every page the site will have, worked out once.
//!
//! A [`Route`] says what a page is (its [`Kind`] and, for lists, its page
//! number), where it lives (`path`, the URL path below the site root, and
//! `file`, the output file) and which source file it comes from. The table is
//! built with the [`Site`] and everything that needs a page's address reads
//! it: rendering, writing, the feed and sitemap, the search index, the link
//! checks and `serve`. The few URL shapes (`tags/SLUG/`, `shop/page/2/`) are
//! written here and nowhere else; [`Urls`] turns a path into a link.

use std::path::Path;

use super::{Site, Term, encode_path};

/// A list of terms: categories or tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Taxonomy {
    /// `categories:`.
    Categories,
    /// `tags:`.
    Tags,
}

impl Taxonomy {
    /// Both, in the order their pages are listed.
    pub const ALL: [Self; 2] = [Self::Categories, Self::Tags];

    /// Its name in URLs and templates: `categories`, `tags`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Categories => "categories",
            Self::Tags => "tags",
        }
    }

    /// The name of one of its terms, for templates: `category`, `tag`.
    pub fn singular(self) -> &'static str {
        match self {
            Self::Categories => "category",
            Self::Tags => "tag",
        }
    }

    /// The site's terms of this taxonomy.
    pub fn terms(self, site: &Site) -> &[Term] {
        match self {
            Self::Categories => &site.categories,
            Self::Tags => &site.tags,
        }
    }
}

/// What a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Post `i` of [`Site::posts`].
    Post(usize),
    /// Page `i` of [`Site::pages`].
    Page(usize),
    /// Collection `i` of [`Site::collections`].
    Collection(usize),
    /// The storefront home, a paginated list of posts.
    Home,
    /// `/shop/`: every product, paginated.
    Shop,
    /// Every term of a taxonomy.
    TaxonomyList(Taxonomy),
    /// One term's posts, paginated.
    Term {
        /// Categories or tags.
        taxonomy: Taxonomy,
        /// Its index in [`Taxonomy::terms`].
        term: usize,
    },
    /// `/search/`.
    Search,
    /// `404.html`.
    NotFound,
    /// `/disclosure/`.
    Disclosure,
    /// An old address of a post or page: a page that sends the reader on
    /// to route `i` of the table.
    Redirect(usize),
}

/// One page of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// What it is.
    pub kind: Kind,
    /// Its number in a paginated list, from 1; 1 for every other page.
    pub page: usize,
    /// The URL path below the site root: `posts/x/`, `shop/page/2/`, `404.html`.
    pub path: String,
    /// The output file: `posts/x/index.html`, `404.html`.
    pub file: String,
}

impl Route {
    fn new(kind: Kind, page: usize, path: String) -> Self {
        let file = if path.ends_with(".html") { path.clone() } else { format!("{path}index.html") };
        Self { kind, page, path, file }
    }

    /// The Markdown file the page is rendered from, for posts and pages.
    pub fn source<'a>(&self, site: &'a Site) -> Option<&'a Path> {
        match self.kind {
            Kind::Post(i) => Some(&site.posts[i].source),
            Kind::Page(i) => Some(&site.pages[i].source),
            Kind::Collection(i) => Some(&site.collections[i].source),
            _ => None,
        }
    }

    /// The URL path of page `n` of the same list (for pagination links).
    pub fn list_page(&self, site: &Site, n: usize) -> String {
        list_path(&self.list_base(site), n)
    }

    /// The URL path of the first page of this page's list (its own path
    /// for pages that are not lists).
    pub fn list_base(&self, site: &Site) -> String {
        match self.kind {
            Kind::Home => String::new(),
            Kind::Shop => SHOP.to_owned(),
            Kind::Term { taxonomy, term } => term_path(taxonomy, &taxonomy.terms(site)[term].slug),
            _ => self.path.clone(),
        }
    }
}

/// `/shop/`.
pub const SHOP: &str = "shop/";
/// `/search/`.
pub const SEARCH: &str = "search/";
/// `/disclosure/`.
pub const DISCLOSURE: &str = "disclosure/";
/// The not-found page.
pub const NOT_FOUND: &str = "404.html";
/// The files written besides the pages, at the output root.
pub const INDEX_FILES: [&str; 4] = ["feed.xml", "sitemap.xml", "robots.txt", SEARCH_INDEX];
/// The client-side search's index, the largest of [`INDEX_FILES`].
pub const SEARCH_INDEX: &str = "search-index.json";
/// URL paths that shopfront generates itself; a page may not take them.
pub const RESERVED: &[&str] = &["posts", "page", "shop", "categories", "tags", "search", "disclosure"];
/// Files shopfront writes at the output root; no page may take their name.
pub const RESERVED_FILES: &[&str] =
    &["feed.xml", "sitemap.xml", "robots.txt", "404", "404.html", SEARCH_INDEX, "style.css", "index.html"];
/// Products on the storefront home.
pub const HOME_PRODUCTS: usize = 12;

/// How many pages a list of `items` takes at `per_page` each (at least one).
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// The path of page `page` of a list at `base` (`""`, `shop/`, `categories/x/`).
pub fn list_path(base: &str, page: usize) -> String {
    if page <= 1 { base.to_owned() } else { format!("{base}page/{page}/") }
}

/// The first page of a term's list: `tags/SLUG/`.
pub fn term_path(taxonomy: Taxonomy, slug: &str) -> String {
    format!("{}/{slug}/", taxonomy.name())
}

/// Every page of `site`, posts and pages first, in a stable order.
pub fn table(site: &Site) -> Vec<Route> {
    let settings = &site.settings;
    let mut routes = Vec::with_capacity(site.posts.len() + site.pages.len() + 64);
    routes.extend(site.posts.iter().enumerate().map(|(i, p)| Route::new(Kind::Post(i), 1, p.path.clone())));
    routes.extend(site.pages.iter().enumerate().map(|(i, p)| Route::new(Kind::Page(i), 1, p.path.clone())));
    routes.extend(site.collections.iter().enumerate().map(|(i, c)| Route::new(Kind::Collection(i), 1, c.path.clone())));
    let list = |routes: &mut Vec<Route>, kind: Kind, base: &str, items: usize, per_page: usize| {
        routes.extend((1..=page_count(items, per_page)).map(|page| Route::new(kind, page, list_path(base, page))));
    };
    list(&mut routes, Kind::Home, "", site.posts.len(), settings.posts_per_page);
    list(&mut routes, Kind::Shop, SHOP, site.products.len(), settings.products_per_page);
    for taxonomy in Taxonomy::ALL {
        routes.push(Route::new(Kind::TaxonomyList(taxonomy), 1, format!("{}/", taxonomy.name())));
        for (term, t) in taxonomy.terms(site).iter().enumerate() {
            let kind = Kind::Term { taxonomy, term };
            list(&mut routes, kind, &term_path(taxonomy, &t.slug), t.posts.len(), settings.posts_per_page);
        }
    }
    routes.push(Route::new(Kind::Search, 1, SEARCH.to_owned()));
    routes.push(Route::new(Kind::NotFound, 1, NOT_FOUND.to_owned()));
    routes.push(Route::new(Kind::Disclosure, 1, DISCLOSURE.to_owned()));
    // Posts, pages and collections are the first routes, in the same order.
    for (target, post) in site.posts.iter().chain(&site.pages).chain(&site.collections).enumerate() {
        routes.extend(post.aliases.iter().map(|alias| Route::new(Kind::Redirect(target), 1, alias.clone())));
    }
    routes
}

/// Builds links for the site from URL paths.
#[derive(Debug, Clone)]
pub struct Urls {
    base_url: String,
    base_path: String,
}

impl Urls {
    /// From the base URL and its path (`https://x.example/shop`, `/shop`).
    pub fn new(base_url: &str, base_path: &str) -> Self {
        Self { base_url: base_url.to_owned(), base_path: base_path.to_owned() }
    }

    /// The site's own.
    pub fn of(site: &Site) -> Self {
        Self::new(&site.settings.base_url, &site.settings.base_path)
    }

    /// A root-relative URL for an output path (`posts/a/` → `/shop/posts/a/`).
    pub fn href(&self, path: &str) -> String {
        format!("{}/{}", self.base_path, encode_path(path.trim_start_matches('/')))
    }

    /// An absolute URL for an output path; root-relative when no base URL is set.
    pub fn permalink(&self, path: &str) -> String {
        if self.base_url.is_empty() {
            return self.href(path);
        }
        let origin_len = self.base_url.len() - self.base_path.len();
        format!("{}{}", &self.base_url[..origin_len], self.href(path))
    }

    /// Makes a root-relative URL absolute (for feeds, Open Graph images).
    pub fn absolute(&self, href: &str) -> String {
        if href.starts_with('/') && !href.starts_with("//") && !self.base_url.is_empty() {
            let origin_len = self.base_url.len() - self.base_path.len();
            format!("{}{href}", &self.base_url[..origin_len])
        } else {
            href.to_owned()
        }
    }
}

/// Resolves `href` (as written into the page at `page_path`) to a site
/// path and its fragment, both decoded; `None` outside the site's sub-path.
pub fn resolve_href(href: &str, page_path: &str, base_path: &str) -> Option<(String, String)> {
    let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
    let path = path.split('?').next().unwrap_or(path);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
    let joined = if let Some(absolute) = decoded.strip_prefix('/') {
        let within = if base_path.is_empty() {
            absolute
        } else {
            // Outside the site's sub-path: not ours to check.
            absolute.strip_prefix(base_path.trim_start_matches('/'))?.trim_start_matches('/')
        };
        within.to_owned()
    } else if decoded.is_empty() {
        page_path.to_owned()
    } else {
        format!("{page_path}{decoded}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            s => segments.push(s),
        }
    }
    let mut resolved = segments.join("/");
    if joined.ends_with('/') && !resolved.is_empty() {
        resolved.push('/');
    }
    Some((resolved, fragment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_resolve_against_the_page_and_sub_path() {
        let cases = [
            ("/shop/posts/a/", "posts/b/", "/shop", Some(("posts/a/", ""))),
            ("/shop/posts/a/#setup", "posts/b/", "/shop", Some(("posts/a/", "setup"))),
            ("desk.svg", "posts/b/", "/shop", Some(("posts/b/desk.svg", ""))),
            ("../a/", "posts/b/", "", Some(("posts/a/", ""))),
            ("#x", "posts/b/", "", Some(("posts/b/", "x"))),
            ("/categories/%E5%B9%BF/", "posts/b/", "", Some(("categories/广/", ""))),
            ("/elsewhere/", "posts/b/", "/shop", None),
            ("../../../../x", "posts/b/", "", None),
        ];
        for (href, page, base, expected) in cases {
            let got = resolve_href(href, page, base);
            assert_eq!(got.as_ref().map(|(p, f)| (p.as_str(), f.as_str())), expected, "{href}");
        }
    }
}
