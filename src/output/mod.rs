//! Stage 7: the files of the built site besides the rendered pages.
//!
//! In: the [`Site`] and the theme. Out: static files (theme first, then the
//! site's `static/`, so a site can replace a theme file), bundle files next
//! to their pages, `feed.xml`, `sitemap.xml`, `robots.txt` and
//! `search-index.json`, all through the [`Staging`] writer that swaps the
//! finished site into place in one step.

pub mod feeds;
pub mod writer;

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::render::theme::{StaticFile, Theme, list_files};
use crate::render::values::Urls;
use crate::site::Site;
pub use writer::Staging;

/// The folder of files copied verbatim.
pub const STATIC_DIR: &str = "static";

/// Copies theme and site static files and bundle files.
pub fn copy_files(root: &Path, site: &Site, theme: &Theme, staging: &Staging) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for file in &theme.statics {
        let result = match file {
            StaticFile::Embedded { path, bytes } => staging.write(path, bytes),
            StaticFile::Disk { path, from } => staging.copy(from, path),
        };
        if let Err(err) = result {
            errors.push(Diagnostic::error("write", err.to_string()));
        }
    }
    match list_files(root, &root.join(STATIC_DIR)) {
        Ok(files) => {
            for (relative, from) in files {
                if let Err(err) = staging.copy(&from, &relative) {
                    errors.push(Diagnostic::error("write", err.to_string()));
                }
            }
        }
        Err(found) => errors.extend(found),
    }
    for asset in &site.assets {
        if let Err(err) = staging.copy(&asset.from, &asset.to) {
            errors.push(Diagnostic::error("write", err.to_string()));
        }
    }
    errors
}

/// Writes the feed, sitemap, robots.txt and search index.
pub fn write_indexes(site: &Site, sink: &dyn crate::render::Sink) -> Vec<Diagnostic> {
    let urls = Urls::new(&site.settings.base_url, &site.settings.base_path);
    let files = [
        ("feed.xml", feeds::atom(site, &urls)),
        ("sitemap.xml", feeds::sitemap(site, &urls)),
        ("robots.txt", feeds::robots(&urls)),
        ("search-index.json", feeds::search_index(site, &urls)),
    ];
    files
        .iter()
        .filter_map(|(path, text)| sink.write(path, text.as_bytes()).err())
        .map(|err| Diagnostic::error("write", err.to_string()))
        .collect()
}
