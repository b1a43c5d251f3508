//! Stage 7: the files of the built site besides the rendered pages.
//!
//! In: the [`Site`] and the theme. Out: static files (theme first, then the
//! site's `static/`, so a site can replace a theme file), bundle files next
//! to their pages, `feed.xml`, `sitemap.xml`, `robots.txt` and
//! `search-index.json`, all through the [`Output`] writer that puts the
//! finished site into place only when everything succeeded.

pub mod feeds;
pub mod minify;
pub mod page_cache;
pub mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic};
use crate::render::theme::{StaticFile, Theme};
use crate::site::Site;
use crate::site::routes::Urls;
pub use page_cache::{CachedPage, PageCache};
pub use writer::{Output, OutputError};

/// The folder of files copied verbatim.
pub const STATIC_DIR: &str = "static";

/// Where a copied output file comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Embedded in the binary (a bundled theme's file).
    Bytes(&'static [u8]),
    /// A file on disk.
    File(PathBuf),
}

/// Every file copied verbatim, by output path: the theme's static files,
/// then the site's `static/` (which may replace them), then the files next
/// to bundled posts.
pub fn copied_files(root: &Path, site: &Site, theme: &Theme) -> (BTreeMap<String, Source>, Vec<Diagnostic>) {
    let mut files = BTreeMap::new();
    for file in &theme.statics {
        let source = match file {
            StaticFile::Embedded { bytes, .. } => Source::Bytes(bytes),
            StaticFile::Disk { from, .. } => Source::File(from.clone()),
        };
        files.insert(file.path().to_owned(), source);
    }
    let walk = crate::fs::SiteRoot::new(root).walk(&root.join(STATIC_DIR), site.settings.published());
    let errors = match walk.into_result() {
        Ok(found) => {
            files.extend(found.into_iter().map(|(relative, from)| (relative, Source::File(from))));
            Vec::new()
        }
        Err(errors) => errors,
    };
    files.extend(site.assets.iter().map(|asset| (asset.to.clone(), Source::File(asset.from.clone()))));
    // Generated files win: a static file at a page's path is not copied.
    let generated = generated_files(site);
    files.retain(|path, _| !generated.contains(path.as_str()));
    (files, errors)
}

/// The output paths shopfront generates: every page and index file.
pub fn generated_files(site: &Site) -> rustc_hash::FxHashSet<&str> {
    site.routes.iter().map(|route| route.file.as_str()).chain(INDEX_FILES).collect()
}

/// Copies `files` (see [`copied_files`]) except those in `replaced`
/// (images written processed, without their metadata).
pub fn copy_files(
    files: &BTreeMap<String, Source>,
    output: &Output,
    replaced: &rustc_hash::FxHashSet<String>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (path, source) in files.iter().filter(|(path, _)| !replaced.contains(path.as_str())) {
        let result = match source {
            Source::Bytes(bytes) => output.write(path, bytes).map(drop),
            Source::File(from) => output.copy(from, path),
        };
        if let Err(err) = result {
            errors.push(error(&err));
        }
    }
    errors
}

pub use crate::site::routes::{INDEX_FILES, SEARCH_INDEX};

/// The contents of index file `name` (one of [`INDEX_FILES`]).
pub fn index_file(site: &Site, name: &str) -> Option<String> {
    let urls = Urls::of(site);
    Some(match name {
        "feed.xml" => feeds::atom(site, &urls),
        "sitemap.xml" => feeds::sitemap(site, &urls),
        "robots.txt" => feeds::robots(&urls),
        SEARCH_INDEX => feeds::search_index(site, &urls),
        _ => return None,
    })
}

/// Writes the feed, sitemap, robots.txt and search index.
pub fn write_indexes(site: &Site, out: &Output) -> Vec<Diagnostic> {
    INDEX_FILES
        .iter()
        .filter_map(|&name| {
            if name == SEARCH_INDEX {
                // The largest (1 MB per 1,000 posts): written as it is made.
                let urls = Urls::of(site);
                return out.write_with(name, &|file| feeds::write_search_index(site, &urls, file)).err();
            }
            let text = index_file(site, name)?;
            out.write(name, text.as_bytes()).err()
        })
        .map(|err| error(&err))
        .collect()
}

/// Where finished files go: the output folder, or nowhere for `check`.
pub trait Sink: Sync {
    /// Stores `bytes` at a relative output path; returns their content
    /// hash (xxh3-128, as the output manifest has it).
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<u128, OutputError>;

    /// Keeps the file at a relative path as it is, when it holds exactly
    /// the bytes of this length and hash, as shopfront wrote them
    /// ([`Output::keep_checked`]); `false`: write it.
    fn keep(&self, _relative: &str, _len: u64, _hash: u128) -> bool {
        false
    }
}

impl Sink for Output {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<u128, OutputError> {
        Output::write(self, relative, bytes)
    }

    fn keep(&self, relative: &str, len: u64, hash: u128) -> bool {
        Output::keep_checked(self, relative, len, hash)
    }
}

/// A sink that keeps nothing: `check` renders a page only to verify it.
/// A page the page cache knows (made from the same values by a build that
/// rendered, verified and wrote it) needs no second look, whatever the
/// output holds now: it is kept.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, bytes: &[u8]) -> Result<u128, OutputError> {
        Ok(xxhash_rust::xxh3::xxh3_128(bytes))
    }

    fn keep(&self, _: &str, _: u64, _: u128) -> bool {
        true
    }
}

/// An output problem as a finding.
pub fn error(err: &OutputError) -> Diagnostic {
    let diagnostic = Diagnostic::error(Code::Write, err.to_string());
    match err.hint() {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}
