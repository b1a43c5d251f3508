//! Resolved posts kept between builds, for `serve`.
//!
//! A file the watcher did not report (or, without a watcher, whose size and
//! modification time did not change) is not read, parsed or rendered to
//! HTML again. Anything that changes how every post resolves (the profile,
//! the list of static files, the options) empties the cache. `build` uses
//! an empty cache, so it resolves every file exactly as before.

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::content::{self, Discovery, SourceFile};
use crate::diagnostics::Diagnostic;
use crate::site::{Post, Resolved};

/// See the module documentation.
#[derive(Debug, Default)]
pub struct PostCache {
    fingerprint: u64,
    entries: FxHashMap<PathBuf, Entry>,
    discovery: Option<Discovery>,
    /// `ROOT/content`, once known.
    content: Option<PathBuf>,
    /// What the watcher reported since the last build; `None` without a watcher.
    reported: Option<FxHashSet<PathBuf>>,
}

#[derive(Debug)]
struct Entry {
    stamp: Option<Stamp>,
    post: Option<Arc<Post>>,
    /// The file's errors, reported again on every build until it is fixed.
    /// Its warnings were reported when it was read and are not repeated.
    errors: Vec<Diagnostic>,
}

/// A file's modification time and size.
type Stamp = (SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl PostCache {
    /// Tells the cache which paths a file watcher saw change. When one of
    /// them is a file that appeared or vanished under `content/`, or a
    /// folder there, `content/` is walked again; an edit, including an
    /// editor's write-and-rename save, only re-reads that file.
    pub fn note_changes(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        let reported = self.reported.get_or_insert_with(Default::default);
        reported.extend(paths);
        let (Some(discovery), Some(content)) = (&self.discovery, &self.content) else {
            return;
        };
        let known: FxHashSet<&Path> = discovery
            .sources
            .iter()
            .map(|s| s.path.as_path())
            .chain(discovery.assets.iter().map(|a| a.path.as_path()))
            .collect();
        let structural = reported.iter().filter(|p| p.starts_with(content)).any(|path| {
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_file() => !known.contains(path.as_path()),
                Ok(_) => true,
                // Gone: a known file, or a folder that held some.
                Err(_) => known.contains(path.as_path()) || known.iter().any(|k| k.starts_with(path)),
            }
        });
        if structural {
            self.discovery = None;
        }
    }

    /// Forgets what the watcher reported: every file's metadata is checked
    /// and `content/` is walked again next time.
    pub fn check_everything(&mut self) {
        self.reported = None;
        self.discovery = None;
    }

    /// The last walk of `content/`, or a new one when files came or went.
    pub(crate) fn discovery(&mut self, root: &Path) -> Discovery {
        self.content = Some(root.join(content::CONTENT_DIR));
        match self.discovery.take() {
            Some(discovery) => discovery,
            None => content::discover(root),
        }
    }

    /// Keeps `discovery` for the next build.
    pub(crate) fn keep_discovery(&mut self, discovery: Discovery) {
        self.discovery = Some(discovery);
    }

    /// Resolves every source of `discovery`, reusing what is unchanged.
    /// `fingerprint` sums up everything else the posts depend on; when it
    /// differs from last time every file is resolved again.
    pub(crate) fn resolve(
        &mut self,
        discovery: &Discovery,
        fingerprint: u64,
        resolve: impl Fn(&SourceFile) -> Resolved + Sync,
    ) -> Vec<Resolved> {
        if fingerprint != self.fingerprint {
            self.entries.clear();
            self.fingerprint = fingerprint;
        }
        let reported = self.reported.take();
        let entries = &self.entries;
        let fresh: Vec<Option<(Option<Stamp>, Resolved)>> = discovery
            .sources
            .par_iter()
            .map(|source| {
                let previous = entries.get(&source.path);
                // With a watcher, a file it did not report is unchanged: no need to ask the disk.
                if let (Some(_), Some(reported)) = (previous, &reported)
                    && !reported.contains(&source.path)
                {
                    return None;
                }
                let stamp = stamp(&source.path);
                if previous.is_some_and(|e| e.stamp.is_some() && e.stamp == stamp) {
                    return None;
                }
                Some((stamp, resolve(source)))
            })
            .collect();
        if self.entries.len() + fresh.iter().filter(|f| f.is_some()).count() > discovery.sources.len() {
            let present: FxHashSet<&Path> = discovery.sources.iter().map(|s| s.path.as_path()).collect();
            self.entries.retain(|path, _| present.contains(path.as_path()));
        }
        discovery
            .sources
            .iter()
            .zip(fresh)
            .map(|(source, fresh)| match fresh {
                Some((stamp, (post, diagnostics))) => {
                    let errors = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
                    self.entries.insert(source.path.clone(), Entry { stamp, post: post.clone(), errors });
                    (post, diagnostics)
                }
                None => {
                    let entry = &self.entries[&source.path];
                    (entry.post.clone(), entry.errors.clone())
                }
            })
            .collect()
    }
}
