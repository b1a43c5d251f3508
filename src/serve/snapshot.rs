//! What `serve` holds in memory: the last good site, rendered page by page.
//!
//! Nothing is rendered until a browser asks for it; a rendered page is kept
//! until the next change replaces the whole snapshot. The output folder is
//! never touched.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::diagnostics::Diagnostic;
use crate::output::{self, Source};
use crate::render::Pages;

/// One served file.
#[derive(Debug, Clone)]
pub enum Resource {
    /// A rendered page (gets the live-reload script).
    Html(Arc<str>),
    /// Anything else in memory (a bundled theme's file, an index file).
    Bytes(Arc<[u8]>),
    /// A copied file on disk, read when it is sent so an edit shows at once.
    File(Arc<Path>),
    /// A page whose rendering failed.
    Failed(Arc<Diagnostic>),
}

/// A whole site, ready to answer requests.
pub struct Snapshot {
    pages: Pages,
    /// What the site's stylesheets hide, for the disclosure check.
    hiding: crate::compliance::css::Hiding,
    files: BTreeMap<String, Source>,
    /// Files are checked again when sent: a link swapped in since the
    /// build must not serve what the build would refuse.
    root: crate::fs::SiteRoot,
    /// Pages and index files rendered so far.
    rendered: Mutex<HashMap<String, Resource>>,
    /// The site's images: a page's variants are made when the browser asks.
    images: Arc<crate::images::Library>,
}

impl Snapshot {
    /// Wraps a prepared site and its copied files.
    pub fn new(
        pages: Pages,
        hiding: crate::compliance::css::Hiding,
        files: BTreeMap<String, Source>,
        root: crate::fs::SiteRoot,
        images: Arc<crate::images::Library>,
    ) -> Self {
        Self { pages, hiding, files, root, rendered: Mutex::new(HashMap::new()), images }
    }

    /// The site's URL path prefix (`""` or `/shop`).
    pub fn base_path(&self) -> &str {
        &self.pages.site().settings.base_path
    }

    /// The rendered pages.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// Renders `files` now (in parallel), keeping the results; returns the
    /// first error. `serve` does this for the pages a change touched, so a
    /// broken edit is reported at once rather than when the page is opened.
    pub fn prerender(&self, files: &[String]) -> Result<(), Box<Diagnostic>> {
        use rayon::prelude::*;
        let results: Vec<(String, Resource)> =
            files.par_iter().filter_map(|file| Some((file.clone(), self.render_page(file)?))).collect();
        let mut first_error = None;
        let mut rendered = self.rendered.lock().unwrap_or_else(|e| e.into_inner());
        for (file, resource) in results {
            if let (Resource::Failed(diagnostic), None) = (&resource, &first_error) {
                first_error = Some(Box::new(Diagnostic::clone(diagnostic)));
            }
            rendered.insert(file, resource);
        }
        first_error.map_or(Ok(()), Err)
    }

    fn render_page(&self, file: &str) -> Option<Resource> {
        let route = self.pages.route(file)?;
        Some(match crate::finished_page(&self.pages, route, false, &self.hiding, &self.images) {
            Ok(html) => Resource::Html(html.into()),
            Err(diagnostic) => Resource::Failed(Arc::from(diagnostic)),
        })
    }

    /// The file at output path `file` (`posts/x/index.html`, `style.css`),
    /// if the site has one. Pages win over copied files, as in `build`.
    pub fn get(&self, file: &str) -> Option<Resource> {
        if let Some(found) = self.rendered.lock().unwrap_or_else(|e| e.into_inner()).get(file) {
            return Some(found.clone());
        }
        let resource = if let Some(page) = self.render_page(file) {
            page
        } else if let Some(text) = output::index_file(self.pages.site(), file) {
            Resource::Bytes(text.into_bytes().into())
        } else if let Some(bytes) = self.images.variant(file) {
            Resource::Bytes(bytes.into())
        } else {
            return Some(match self.files.get(file)? {
                Source::Bytes(bytes) => Resource::Bytes(Arc::from(*bytes)),
                Source::File(path) => {
                    // A link out of the site, to a hidden file, or no longer a
                    // regular file: as if it were not there.
                    self.root.check_file(path).ok()?;
                    Resource::File(Arc::from(path.as_path()))
                }
            });
        };
        self.rendered.lock().unwrap_or_else(|e| e.into_inner()).insert(file.to_owned(), resource.clone());
        Some(resource)
    }

    /// Whether `file` exists, without rendering it.
    pub fn contains(&self, file: &str) -> bool {
        self.pages.contains(file) || output::INDEX_FILES.contains(&file) || self.files.contains_key(file)
    }
}
