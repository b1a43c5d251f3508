//! Resolved posts kept between builds.
//!
//! `serve` keeps them in memory: a file the watcher did not report (or,
//! without a watcher, whose size and modification time did not change) is
//! not read, parsed or rendered to HTML again, and `content/` is only walked
//! again when the watcher reports files or folders coming or going (without
//! a watcher, on every build). Entries follow the order of the walk, so a
//! rebuild after one edit looks nothing up by path. Anything that changes
//! how every post resolves (the profile, the list of static files, the
//! product catalogue, the options) empties the cache.
//!
//! `build` keeps them on disk as well, in `ROOT/.shopfront/cache/posts-v1/`
//! ([`PostCache::on_disk`]): each source file's resolved post and findings,
//! under the hash of the file's bytes, in [`SHARDS`] files by path so that
//! a rebuild after one edit rewrites one small file. A file whose bytes hash
//! the same as last time, under the same fingerprint of everything else and
//! the same shopfront binary, is not parsed again: its post and all its
//! findings (warnings too: a build reports them every time) come from disk.
//! Each shard ends with a hash of its records: a shard that is missing,
//! damaged (even one that still parses) or made under another fingerprint
//! is ignored, and its files are resolved as in a clean build. The changed
//! shards are written to temporary files while the pages render, and put in
//! place only after the build has committed its output.

use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::content::{self, Discovery, Loaded};
use crate::diagnostics::Diagnostic;
use crate::site::{Post, Resolved};

/// Where the post cache lives on disk, under the site root.
pub const DIR: &str = ".shopfront/cache/posts-v1";

/// How many files the post cache on disk is split into.
pub const SHARDS: usize = 32;

/// Bumped whenever what a shard holds changes shape.
const FORMAT: u32 = 2;

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
    /// The copy on disk, for `build`.
    disk: Option<Disk>,
    /// What the last resolve did.
    counts: ParseCounts,
}

/// What one build did with the source files under `content/`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParseCounts {
    /// Read and parsed.
    pub parsed: usize,
    /// Unchanged since they were parsed: taken from the cache.
    pub reused: usize,
}

#[derive(Debug)]
struct Entry {
    stamp: Option<Stamp>,
    /// The hash of the bytes it was resolved from, when the cache on disk
    /// read them.
    hash: Option<u128>,
    /// Whether the cache on disk holds it as it is.
    stored: bool,
    post: Option<Arc<Post>>,
    /// All the file's findings. A rebuild in memory reports its errors
    /// again until it is fixed; its warnings were reported when it was read
    /// and are not repeated.
    diagnostics: Vec<Diagnostic>,
}

impl Entry {
    fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error()).cloned().collect()
    }
}

/// A file's modification time and size.
type Stamp = (SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The post cache on disk: where it is, and what its shards held.
#[derive(Debug)]
struct Disk {
    dir: PathBuf,
    /// [`program_identity`].
    program: u128,
    /// The fingerprint of the last resolve, with the program's.
    fingerprint: u128,
    /// What the shards held under that fingerprint, by path; taken by the
    /// resolve that uses it.
    records: FxHashMap<PathBuf, Record>,
    /// Per shard: how many records it held under that fingerprint, and
    /// whether its file exists at all.
    held: Vec<(usize, bool)>,
}

/// One source file in the cache on disk.
#[derive(Debug, Deserialize)]
struct Record {
    path: PathBuf,
    hash: u128,
    post: Option<Post>,
    diagnostics: Vec<Diagnostic>,
}

/// [`Record`], borrowed to be written.
#[derive(Serialize)]
struct RecordRef<'a> {
    path: &'a Path,
    hash: u128,
    post: Option<&'a Post>,
    diagnostics: &'a [Diagnostic],
}

fn shard_of(path: &Path) -> usize {
    (xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_encoded_bytes()) % SHARDS as u64) as usize
}

fn shard_file(dir: &Path, shard: usize) -> PathBuf {
    dir.join(format!("{shard:02}.bin"))
}

impl Disk {
    /// Reads every shard made under `fingerprint`; the others count as empty.
    fn read(&mut self, fingerprint: u128) {
        self.fingerprint = fingerprint;
        let shards: Vec<(Vec<Record>, bool)> = (0..SHARDS)
            .into_par_iter()
            .map(|shard| {
                let Ok(bytes) = crate::fs::read_regular(&shard_file(&self.dir, shard)) else {
                    return (Vec::new(), false);
                };
                let records = crate::fs::checked(&bytes)
                    .and_then(|(bytes, _)| postcard::take_from_bytes::<(u32, u128)>(bytes).ok())
                    .filter(|((format, made_under), _)| *format == FORMAT && *made_under == fingerprint)
                    .and_then(|(_, rest)| postcard::from_bytes::<Vec<Record>>(rest).ok())
                    // A record in the wrong shard means the file is not what it seems.
                    .filter(|records| records.iter().all(|r| shard_of(&r.path) == shard))
                    .unwrap_or_default();
                (records, true)
            })
            .collect();
        self.held = shards.iter().map(|(records, exists)| (records.len(), *exists)).collect();
        self.records = shards.into_iter().flat_map(|(records, _)| records).map(|r| (r.path.clone(), r)).collect();
    }
}

/// This very program, as far as a cache can tell: its version and the size
/// and modification time of its executable. A rebuilt shopfront may read or
/// render the same input differently, so caches made by another build of
/// it are not used.
pub(crate) fn program_identity() -> u128 {
    use std::hash::Hasher;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    let program = std::env::current_exe().and_then(std::fs::metadata).ok();
    hasher.write_u64(program.as_ref().map_or(0, std::fs::Metadata::len));
    let modified = program.and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    hasher.write_u128(modified.map_or(0, |d| d.as_nanos()));
    hasher.digest128()
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
    /// differs from last time every file is resolved again. `resolve` gets
    /// each file as [`content::read`] and [`content::parse`] make it.
    pub(crate) fn resolve(
        &mut self,
        discovery: &Discovery,
        fingerprint: u64,
        resolve: impl Fn(Loaded) -> Resolved + Sync,
    ) -> Vec<Resolved> {
        if self.rewalked || self.paths.len() != discovery.sources.len() {
            self.follow(discovery);
        }
        if fingerprint != self.fingerprint {
            self.entries.iter_mut().for_each(|e| *e = None);
            self.fingerprint = fingerprint;
        }
        // From disk: the records of the files not in memory.
        let mut stored: Vec<Option<Record>> = Vec::new();
        if let Some(disk) = &mut self.disk {
            let full = {
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                hasher.update(&fingerprint.to_le_bytes());
                hasher.update(&disk.program.to_le_bytes());
                hasher.digest128()
            };
            if full != disk.fingerprint || disk.held.is_empty() {
                disk.read(full);
            }
            stored = self
                .paths
                .iter()
                .zip(&self.entries)
                .map(|(path, entry)| entry.is_none().then(|| disk.records.remove(path)).flatten())
                .collect();
            disk.records = FxHashMap::default();
        }
        stored.resize_with(discovery.sources.len(), || None);
        let on_disk = self.disk.is_some();
        // With a watcher, a file it did not report is unchanged: only new
        // and reported files are read. Without one, every file's size and
        // modification time are compared.
        let reported: Option<FxHashSet<usize>> =
            self.reported.take().map(|paths| paths.iter().filter_map(|path| self.index.get(path).copied()).collect());
        let entries = &self.entries;
        let fresh: Vec<Option<Entry>> = discovery
            .sources
            .par_iter()
            .zip(stored)
            .enumerate()
            .map(|(i, (source, record))| {
                let previous = entries[i].as_ref();
                if previous.is_some() && reported.as_ref().is_some_and(|r| !r.contains(&i)) {
                    return None;
                }
                let stamp = stamp(&source.path);
                if previous.is_some_and(|e| e.stamp.is_some() && e.stamp == stamp) {
                    return None;
                }
                let (loaded, hash) = match content::read(source) {
                    Ok(bytes) => {
                        let hash = on_disk.then(|| xxhash_rust::xxh3::xxh3_128(&bytes));
                        if let Some(record) = record.filter(|r| Some(r.hash) == hash) {
                            let post = record.post.map(Arc::new);
                            return Some(Entry { stamp, hash, stored: true, post, diagnostics: record.diagnostics });
                        }
                        (content::parse(source, bytes), hash)
                    }
                    Err(unread) => (*unread, None),
                };
                let (post, diagnostics) = resolve(loaded);
                Some(Entry { stamp, hash, stored: false, post, diagnostics })
            })
            .collect();
        let parsed = fresh.iter().flatten().filter(|e| !e.stored).count();
        self.counts = ParseCounts { parsed, reused: fresh.len() - parsed };
        let updated: Vec<bool> = fresh.iter().map(Option::is_some).collect();
        for (entry, fresh) in self.entries.iter_mut().zip(fresh) {
            if fresh.is_some() {
                *entry = fresh;
            }
        }
        let kept = self.kept_shards();
        self.paths
            .iter()
            .zip(&mut self.entries)
            .zip(updated)
            .map(|((path, entry), updated)| match entry {
                // A shard that stays on disk as it is needs its files'
                // findings no more: they are given away, not copied. The
                // entry is then read again by a later resolve, which a
                // build never makes.
                Some(entry) if updated && kept.get(shard_of(path)).copied().unwrap_or(false) => {
                    entry.stamp = None;
                    (entry.post.clone(), std::mem::take(&mut entry.diagnostics))
                }
                Some(entry) if updated => (entry.post.clone(), entry.diagnostics.clone()),
                // Only a file with an entry is skipped above.
                Some(entry) => (entry.post.clone(), entry.errors()),
                None => Resolved::default(),
            })
            .collect()
    }

    /// The entries of the cache on disk, by shard.
    fn shards(&self) -> Vec<Vec<(&PathBuf, &Entry)>> {
        let mut shards: Vec<Vec<(&PathBuf, &Entry)>> = vec![Vec::new(); SHARDS];
        for (path, entry) in self.paths.iter().zip(&self.entries) {
            if let Some(entry) = entry.as_ref().filter(|e| e.hash.is_some()) {
                shards[shard_of(path)].push((path, entry));
            }
        }
        shards
    }

    /// Per shard, whether [`PostCache::stage`] leaves its file as it is:
    /// every file it holds came from it, and no other. Empty without a
    /// cache on disk.
    fn kept_shards(&self) -> Vec<bool> {
        let Some(disk) = &self.disk else { return Vec::new() };
        self.shards()
            .iter()
            .enumerate()
            .map(|(shard, members)| {
                let (count, _) = disk.held.get(shard).copied().unwrap_or_default();
                !members.is_empty() && count == members.len() && members.iter().all(|(_, e)| e.stored)
            })
            .collect()
    }

    /// How many files the last build parsed, and how many it found unchanged.
    pub fn counts(&self) -> ParseCounts {
        self.counts
    }

    /// A cache that also keeps its posts in `ROOT/`[`DIR`] between builds:
    /// see the module documentation. [`PostCache::stage`] writes them.
    pub fn on_disk(root: &Path) -> Self {
        let disk = Disk {
            dir: root.join(DIR),
            program: program_identity(),
            fingerprint: 0,
            records: FxHashMap::default(),
            held: Vec::new(),
        };
        Self { disk: Some(disk), ..Self::default() }
    }

    /// Writes the shards whose files changed since they were read to
    /// temporary files beside them, for [`StagedPosts::commit`] to put in
    /// place once the build has committed its output. Consumes the cache:
    /// `build` stages it while the pages render. A shard that cannot be
    /// written only costs the next build time.
    pub fn stage(self) -> StagedPosts {
        let mut staged = StagedPosts::default();
        let Some(disk) = &self.disk else { return staged };
        let shards = self.shards();
        let kept = self.kept_shards();
        let dir = &disk.dir;
        if std::fs::create_dir_all(dir).is_err() {
            return staged;
        }
        sweep_temporaries(dir);
        for (shard, members) in shards.iter().enumerate() {
            let (_, exists) = disk.held.get(shard).copied().unwrap_or_default();
            let file = shard_file(dir, shard);
            if members.is_empty() {
                if exists {
                    staged.removed.push(file);
                }
                continue;
            }
            if kept[shard] {
                continue;
            }
            let records: Vec<RecordRef<'_>> = members
                .iter()
                .map(|(path, entry)| RecordRef {
                    path,
                    hash: entry.hash.unwrap_or_default(),
                    post: entry.post.as_deref(),
                    diagnostics: &entry.diagnostics,
                })
                .collect();
            let temporary = dir.join(format!(".{shard:02}.{}{TEMPORARY}", std::process::id()));
            // Straight to the file: a shard held whole in memory would add
            // to the build's peak, which comes while shards are written.
            let written = std::fs::File::create(&temporary).is_ok_and(|file| {
                let out = crate::fs::Hashing::new(std::io::BufWriter::new(file));
                postcard::to_io(&(FORMAT, disk.fingerprint, records), out).is_ok_and(|out| {
                    let checksum = out.hash();
                    let mut file = out.into_inner();
                    file.write_all(&checksum.to_le_bytes()).and_then(|()| file.flush()).is_ok()
                })
            });
            if written {
                staged.files.push((temporary, file));
            } else {
                let _ = std::fs::remove_file(&temporary);
                staged.removed.push(file);
            }
        }
        staged
    }
}

/// How the shards' temporary files end.
const TEMPORARY: &str = ".tmp";

/// Removes temporary shards that a build stopped mid-way (killed, or the
/// machine went down) left: on Unix at once when the process that wrote
/// one (`.NN.PID.tmp`) is gone, otherwise once they are an hour old.
fn sweep_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let old = |entry: &std::fs::DirEntry| {
        entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600))
    };
    let orphaned = |name: &str| {
        let pid = name.strip_suffix(TEMPORARY).and_then(|rest| rest.rsplit('.').next());
        pid.and_then(|pid| pid.parse::<u32>().ok()).is_some_and(|pid| !crate::fs::is_running(pid))
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TEMPORARY) && (orphaned(&name) || old(&entry)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Shards of the post cache written to temporary files by
/// [`PostCache::stage`]: [`StagedPosts::commit`] puts them in place;
/// dropped without that, they are removed and the cache stays as it was.
#[derive(Debug, Default)]
pub struct StagedPosts {
    /// Temporary file, and the shard it replaces.
    files: Vec<(PathBuf, PathBuf)>,
    /// Shards to remove: nothing belongs in them any more, or their new
    /// contents could not be written.
    removed: Vec<PathBuf>,
}

impl StagedPosts {
    /// Puts the staged shards in place. Call it only once the build has
    /// committed its output.
    pub fn commit(mut self) {
        for (temporary, file) in std::mem::take(&mut self.files) {
            if std::fs::rename(&temporary, &file).is_err() {
                let _ = std::fs::remove_file(&temporary);
                let _ = std::fs::remove_file(&file);
            }
        }
        for file in std::mem::take(&mut self.removed) {
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for StagedPosts {
    fn drop(&mut self) {
        for (temporary, _) in &self.files {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn temporaries_of_gone_builds_are_swept_and_a_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Above any Linux pid_max: no such process can be running.
        let gone = dir.path().join(format!(".03.99999999{TEMPORARY}"));
        let mine = dir.path().join(format!(".04.{}{TEMPORARY}", std::process::id()));
        let unnamed = dir.path().join(format!(".05.draft{TEMPORARY}"));
        let shard = shard_file(dir.path(), 3);
        for file in [&gone, &mine, &unnamed, &shard] {
            std::fs::write(file, b"records").unwrap();
        }
        sweep_temporaries(dir.path());
        assert!(!gone.exists(), "a killed build's temporary shard is left");
        assert!(mine.exists() && unnamed.exists() && shard.exists());
    }
}
