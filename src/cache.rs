//! Resolved posts kept between builds, for `serve`.
//!
//! A file the watcher did not report (or, without a watcher, whose size and
//! modification time did not change) is not read, parsed or rendered to
//! HTML again, and `content/` is only walked again when the watcher reports
//! files or folders coming or going (without a watcher, on every build).
//! Entries follow the order of the walk, so a rebuild after one edit looks
//! nothing up by path. Anything that changes how every post resolves (the
//! profile, the list of static files, the product catalogue, the options)
//! empties the cache.
//! `build` uses an empty cache, so it resolves every file exactly as before;
//! a test checks that a cached rebuild renders the same bytes as a fresh one.

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
    /// One entry per source of the last resolved walk, in its order: a
    /// rebuild after an edit looks nothing up by path.
    entries: Vec<Option<Entry>>,
    /// The paths of `entries`, and where each one is.
    paths: Vec<PathBuf>,
    index: FxHashMap<PathBuf, usize>,
    /// The bundle files of that walk.
    assets: FxHashSet<PathBuf>,
    discovery: Option<Discovery>,
    /// Whether `discovery` is a new walk that `entries` do not follow yet.
    rewalked: bool,
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
        let (Some(_), Some(content)) = (&self.discovery, &self.content) else {
            return;
        };
        let known = |path: &Path| self.index.contains_key(path) || self.assets.contains(path);
        let structural = reported.iter().filter(|p| p.starts_with(content)).any(|path| {
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_file() => !known(path),
                Ok(_) => true,
                // Gone: a known file, or a folder that held some.
                Err(_) => {
                    known(path)
                        || self.paths.iter().any(|k| k.starts_with(path))
                        || self.assets.iter().any(|k| k.starts_with(path))
                }
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
    /// Without a watcher nobody says so: `content/` is walked every time.
    pub(crate) fn discovery(&mut self, root: &Path) -> Discovery {
        self.content = Some(root.join(content::CONTENT_DIR));
        match self.discovery.take().filter(|_| self.reported.is_some()) {
            Some(discovery) => discovery,
            None => {
                self.rewalked = true;
                content::discover(root)
            }
        }
    }

    /// Keeps `discovery` for the next build.
    pub(crate) fn keep_discovery(&mut self, discovery: Discovery) {
        self.discovery = Some(discovery);
    }

    /// Lines `entries` up with a new walk, keeping the entries of files
    /// that are still there.
    fn follow(&mut self, discovery: &Discovery) {
        let mut previous: FxHashMap<PathBuf, Entry> = std::mem::take(&mut self.paths)
            .into_iter()
            .zip(std::mem::take(&mut self.entries))
            .filter_map(|(path, entry)| Some((path, entry?)))
            .collect();
        self.paths = discovery.sources.iter().map(|s| s.path.clone()).collect();
        self.entries = self.paths.iter().map(|path| previous.remove(path)).collect();
        self.index = self.paths.iter().enumerate().map(|(i, path)| (path.clone(), i)).collect();
        self.assets = discovery.assets.iter().map(|a| a.path.clone()).collect();
        self.rewalked = false;
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
        if self.rewalked || self.paths.len() != discovery.sources.len() {
            self.follow(discovery);
        }
        if fingerprint != self.fingerprint {
            self.entries.iter_mut().for_each(|e| *e = None);
            self.fingerprint = fingerprint;
        }
        // With a watcher, a file it did not report is unchanged: only new
        // and reported files are read. Without one, every file's size and
        // modification time are compared.
        let reported: Option<FxHashSet<usize>> =
            self.reported.take().map(|paths| paths.iter().filter_map(|path| self.index.get(path).copied()).collect());
        let entries = &self.entries;
        let fresh: Vec<Option<(Option<Stamp>, Resolved)>> = discovery
            .sources
            .par_iter()
            .enumerate()
            .map(|(i, source)| {
                let previous = entries[i].as_ref();
                if previous.is_some() && reported.as_ref().is_some_and(|r| !r.contains(&i)) {
                    return None;
                }
                let stamp = stamp(&source.path);
                if previous.is_some_and(|e| e.stamp.is_some() && e.stamp == stamp) {
                    return None;
                }
                Some((stamp, resolve(source)))
            })
            .collect();
        self.entries
            .iter_mut()
            .zip(fresh)
            .map(|(entry, fresh)| match fresh {
                Some((stamp, (post, diagnostics))) => {
                    let errors = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
                    *entry = Some(Entry { stamp, post: post.clone(), errors });
                    (post, diagnostics)
                }
                // Only a file with an entry is skipped above.
                None => entry.as_ref().map(|e| (e.post.clone(), e.errors.clone())).unwrap_or_default(),
            })
            .collect()
    }
}
