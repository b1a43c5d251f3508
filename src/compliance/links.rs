//! Links inside the site: every link and image a post or page writes must
//! lead somewhere, and no redirect of the site's own may hide an Amazon link.

use std::collections::HashSet;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, display_path};
use crate::site::{Post, Site};

/// Every URL path the build writes: pages as `dir/`, files as `dir/file`.
/// Borrowed where the site already holds the path: this runs on every
/// rebuild of `serve`.
fn output_paths<'a>(site: &'a Site, static_files: &'a HashSet<String>) -> FxHashSet<&'a str> {
    let mut paths: FxHashSet<&'a str> = static_files.iter().map(String::as_str).collect();
    paths.extend(site.assets.iter().map(|a| a.to.as_str()));
    paths.extend(site.routes.iter().map(|route| route.path.as_str()));
    paths.extend(crate::site::routes::INDEX_FILES);
    paths
}

/// Broken internal links, anchors and images in posts, pages and collections.
pub fn check(site: &Site, static_files: &HashSet<String>) -> Vec<Diagnostic> {
    if site.posts.iter().chain(&site.pages).chain(&site.collections).all(|p| p.internal.is_empty()) {
        return Vec::new();
    }
    let paths = output_paths(site, static_files);
    let by_path: FxHashMap<&str, &Post> =
        site.posts.iter().chain(&site.pages).chain(&site.collections).map(|p| (p.path.as_str(), &**p)).collect();
    let mut ids_cache: FxHashMap<&str, HashSet<String>> = FxHashMap::default();
    let mut diagnostics = Vec::new();
    for post in site.posts.iter().chain(&site.pages).chain(&site.collections) {
        for (line, column, reference) in &post.internal {
            let Some((target, fragment)) =
                crate::site::routes::resolve_href(&reference.href, &post.path, &site.settings.base_path)
            else {
                continue;
            };
            let page = if target.is_empty() || target.ends_with('/') { target.clone() } else { format!("{target}/") };
            let exists = if reference.image {
                paths.contains(target.as_str())
            } else {
                paths.contains(target.as_str())
                    || paths.contains(page.as_str())
                    || target.ends_with("index.html") && paths.contains(target.trim_end_matches("index.html"))
            };
            let what = if reference.image { "image" } else { "link" };
            if !exists {
                diagnostics.push(
                    Diagnostic::error(
                        Code::BrokenLink,
                        format!("broken {what}: nothing is built at {}", reference.href),
                    )
                    .at(&post.source)
                    .with_position(*line, *column, None),
                );
                continue;
            }
            if reference.image
                && let Some(why) = crate::images::unviewable(&reference.href)
            {
                diagnostics.push(
                    Diagnostic::warning(Code::Image, why)
                        .with_hint(crate::images::UNVIEWABLE_HINT)
                        .at(&post.source)
                        .with_position(*line, *column, None),
                );
            }
            if fragment.is_empty() || matches!(fragment.as_str(), "top" | "main") {
                continue;
            }
            if let Some(target_post) = by_path.get(page.as_str()) {
                let ids = ids_cache
                    .entry(target_post.path.as_str())
                    .or_insert_with(|| crate::site::anchors::ids_in(target_post));
                if !ids.contains(&fragment) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::BrokenAnchor,
                            format!("broken link: {} has no heading or anchor `#{fragment}`", reference.href),
                        )
                        .at(&post.source)
                        .with_position(*line, *column, None),
                    );
                }
            }
        }
    }
    diagnostics
}

/// Amazon links hidden behind the site's own redirects: a Netlify-style
/// `static/_redirects` rule or an HTML page that refreshes to Amazon.
pub fn check_redirects(root: &Path) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let statics = root.join(crate::output::STATIC_DIR);
    let redirects = statics.join("_redirects");
    let site = crate::fs::SiteRoot::new(root);
    if let Ok(text) = site.read(&redirects, crate::fs::MAX_FILE_BYTES).map(|b| String::from_utf8_lossy(&b).into_owned())
    {
        for (number, line) in text.lines().enumerate() {
            let target = line.split_whitespace().nth(1).unwrap_or_default();
            if is_amazon_target(target) {
                diagnostics.push(hidden_redirect(&display_path(root, &redirects), number + 1, line));
            }
        }
    }
    // Reading errors are the static copy's to report.
    let files = crate::fs::SiteRoot::new(root).walk(&statics, crate::fs::Visibility::Published(&[])).files;
    for (relative, path) in files {
        if !relative.ends_with(".html") && !relative.ends_with(".htm") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let lower = text.to_ascii_lowercase();
        if !lower.contains("refresh") && !lower.contains("location") {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            let redirects = lower.contains("http-equiv") && lower.contains("refresh")
                || lower.contains("location.href")
                || lower.contains("location.replace");
            if redirects && lower.split(['"', '\'', ' ', '=', ';']).any(is_amazon_target) {
                diagnostics.push(hidden_redirect(&display_path(root, &path), number + 1, line));
            }
        }
    }
    diagnostics
}

fn hidden_redirect(path: &Path, line: usize, text: &str) -> Diagnostic {
    Diagnostic::error(
        Code::HiddenAmazonLink,
        "this redirect hides an Amazon link: Amazon's agreement forbids cloaking or redirecting its links",
    )
    .at(path)
    .with_line_text(line, 1, text)
    .with_hint("link to the Amazon page directly; shopfront tags it for you")
}

fn is_amazon_target(text: &str) -> bool {
    crate::links::web_host(text.trim_matches(|c: char| c == '"' || c == '\''))
        .is_some_and(|h| crate::links::is_amazon_host(&h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_redirects_to_amazon_are_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static/go")).unwrap();
        std::fs::write(dir.path().join("static/_redirects"), "/blog /posts 301\n/go/mic https://amzn.to/3xyz 302\n")
            .unwrap();
        std::fs::write(
            dir.path().join("static/go/lamp.html"),
            "<html><head>\n<meta http-equiv=\"refresh\" content=\"0; url=https://www.amazon.com/dp/B0000000001\">\n</head></html>",
        )
        .unwrap();
        let found = check_redirects(dir.path());
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].line, Some(2));
        assert_eq!(found[1].line, Some(2));
    }
}
