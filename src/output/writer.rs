//! Writing the site so that nothing is lost, whatever happens.
//!
//! The output folder keeps a manifest, `.shopfront-manifest`: every file
//! shopfront wrote there, with its size and content hash, sorted, so the
//! same site always gives the same manifest. A file modified after the
//! manifest was written has been changed by someone else and is written
//! anew.
//! It is what lets a build replace or delete only its own files, and a
//! rebuild write only what changed. A build:
//!
//! 1. **locks the manifest** (a second build into the same folder waits),
//!    then finishes or discards what an interrupted build left (below);
//! 2. **writes each file it renders** into a staging folder inside the
//!    output (`.shopfront-staging-PID/`, inside so that a mount point or a
//!    symbolic link to a web root works too) — unless the manifest says the
//!    same bytes are already in place and the file is untouched since, in
//!    which case nothing is written at all;
//! 3. **on success, commits**: refuses if a new file would replace one that
//!    shopfront did not write (naming them: a `docs/` made by hand, a
//!    `NOTES.md`), writes a journal, deletes the files of the previous build
//!    that are gone, moves the staged files into place, and writes the new
//!    manifest. On failure the staging folder is removed and the output is
//!    as it was.
//!
//! Files that shopfront did not write (`.git/`, `CNAME`, notes) are never
//! replaced, moved or deleted. A build stopped by a signal removes its
//! staging folder ([`abandon_all`]); one killed outright leaves it, and the
//! next build removes it, or, if the journal shows the commit had begun,
//! finishes moving the files: the output is always a complete old or new
//! site. Every relative path is checked to stay inside the folder.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// The manifest's file name, in the output folder.
pub const MANIFEST: &str = ".shopfront-manifest";
/// The prefix of staging folders, in the output folder.
const STAGING_PREFIX: &str = ".shopfront-staging-";
/// The journal a commit writes into its staging folder before it moves anything.
const JOURNAL: &str = ".shopfront-journal";
/// How many foreign files an error names before it counts the rest.
const NAMED: usize = 5;

/// Where a build's output goes: see the module documentation.
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    manifest_file: std::fs::File,
    previous: Manifest,
    /// When the manifest was written: files modified since were changed by hand.
    written_at: Option<SystemTime>,
    /// No manifest, but an older shopfront's build: its files at our paths are ours.
    adopted: bool,
    /// What this build did to the folder before committing, to undo.
    created_target: bool,
    created_manifest: bool,
    written: Mutex<FxHashMap<String, Written>>,
    created_dirs: Mutex<FxHashSet<PathBuf>>,
    committed: bool,
}

#[derive(Debug, Clone)]
struct Written {
    entry: Entry,
    /// Whether the bytes are in the staging folder (else already in place).
    staged: bool,
    /// The file copied, for messages.
    from: Option<PathBuf>,
}

/// One file of the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    len: u64,
    #[serde(with = "hex128")]
    hash: u128,
}

/// What shopfront wrote into an output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, Entry>,
}

/// What a commit will do, written before it does it.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    manifest: Manifest,
    delete: Vec<String>,
}

mod hex128 {
    pub(super) fn serialize<S: serde::Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{value:032x}"))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        u128::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}

/// Why the output folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Input/output failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where, as the creator knows it (never the staging folder).
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A path would leave the output folder.
    #[error("refusing to write `{0}`: it would leave the output folder")]
    Escapes(String),
    /// The output is a file.
    #[error("{} is a file, not a folder; choose another --output", .0.display())]
    NotAFolder(PathBuf),
    /// New files would replace files shopfront did not write.
    #[error(
        "refusing to replace files in {} that shopfront did not write: {}",
        .folder.display(),
        named(.files)
    )]
    Foreign {
        /// The output folder.
        folder: PathBuf,
        /// The files, relative to it.
        files: Vec<String>,
    },
    /// Two outputs differ only by case.
    #[error(
        "{first} and {second} differ only in upper and lower case: on macOS, Windows and many hosts one would replace the other"
    )]
    CaseClash {
        /// One output, with its source when known.
        first: String,
        /// The other.
        second: String,
    },
    /// A file where a folder must go, or the other way round.
    #[error("{file} is a file, but {inside} needs a folder of that name")]
    FileFolder {
        /// The output that is a file, with its source when known.
        file: String,
        /// The output inside it.
        inside: String,
    },
    /// The manifest cannot be read.
    #[error("{}: {reason}; delete it to start over (shopfront then treats every file in the folder as someone else's)", .path.display())]
    Manifest {
        /// Its path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl OutputError {
    /// A hint for the creator, where one helps.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Foreign { .. } => Some(
                "move those files away, or build into an empty folder with --output; \
                 if the folder is an older shopfront build, delete it once",
            ),
            Self::CaseClash { .. } => Some("rename one of them so their URLs differ by more than case"),
            _ => None,
        }
    }
}

fn named(files: &[String]) -> String {
    let mut text = files.iter().take(NAMED).map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    if files.len() > NAMED {
        text.push_str(&format!(" and {} more", files.len() - NAMED));
    }
    text
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io { action, path: path.to_path_buf(), source }
}

/// Builds in progress in this process, for [`abandon_all`].
static ACTIVE: Mutex<Vec<Abandon>> = Mutex::new(Vec::new());

#[derive(Debug, Clone, PartialEq, Eq)]
struct Abandon {
    staging: PathBuf,
    target: PathBuf,
    created_target: bool,
    created_manifest: bool,
}

impl Abandon {
    fn run(&self) {
        let _ = std::fs::remove_dir_all(&self.staging);
        if self.created_manifest {
            let _ = std::fs::remove_file(self.target.join(MANIFEST));
        }
        if self.created_target {
            // Only if nothing else appeared in it meanwhile.
            let _ = std::fs::remove_dir(&self.target);
        }
    }
}

/// Removes the staging folders of every build still running in this
/// process and leaves their outputs as they were; a commit under way is
/// finished first. For a signal handler, just before the process exits.
pub fn abandon_all() {
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
    for build in active.iter() {
        build.run();
    }
    // Keep the lock: nothing more may start a commit.
    std::mem::forget(active);
}

impl Output {
    /// Opens `target` for a build: creates it if needed, takes its lock
    /// (waiting for another build), and repairs what an interrupted build left.
    pub fn new(target: &Path) -> Result<Self, OutputError> {
        recover_legacy(target);
        let created_target = match std::fs::metadata(target) {
            Ok(meta) if meta.is_dir() => false,
            Ok(_) => return Err(OutputError::NotAFolder(target.to_path_buf())),
            Err(_) => {
                std::fs::create_dir_all(target).map_err(io_err("cannot create", target))?;
                true
            }
        };
        let manifest_path = target.join(MANIFEST);
        let created_manifest = std::fs::symlink_metadata(&manifest_path).is_err();
        let manifest_file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&manifest_path)
            .map_err(io_err("cannot open", &manifest_path))?;
        manifest_file.lock().map_err(io_err("cannot lock", &manifest_path))?;
        let mut output = Self {
            staging: target.join(format!("{STAGING_PREFIX}{}", std::process::id())),
            target: target.to_path_buf(),
            manifest_file,
            previous: Manifest::default(),
            written_at: None,
            adopted: false,
            created_target,
            created_manifest,
            written: Mutex::new(FxHashMap::default()),
            created_dirs: Mutex::new(FxHashSet::default()),
            committed: false,
        };
        // From here on, dropping `output` undoes what it created.
        output.recover()?;
        output.previous = output.read_manifest()?;
        output.written_at = output.manifest_file.metadata().and_then(|m| m.modified()).ok();
        output.adopted = output.previous.files.is_empty() && looks_like_an_older_build(target);
        std::fs::create_dir(&output.staging).map_err(io_err("cannot create", &output.staging))?;
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).push(output.abandon());
        Ok(output)
    }

    fn abandon(&self) -> Abandon {
        Abandon {
            staging: self.staging.clone(),
            target: self.target.clone(),
            created_target: self.created_target,
            created_manifest: self.created_manifest,
        }
    }

    fn read_manifest(&mut self) -> Result<Manifest, OutputError> {
        let path = self.target.join(MANIFEST);
        let mut text = String::new();
        self.manifest_file.seek(io::SeekFrom::Start(0)).map_err(io_err("cannot read", &path))?;
        self.manifest_file.read_to_string(&mut text).map_err(io_err("cannot read", &path))?;
        if text.trim().is_empty() {
            return Ok(Manifest::default());
        }
        serde_json::from_str(&text).map_err(|err| OutputError::Manifest { path, reason: err.to_string() })
    }

    /// Finishes the commit of a build that died while committing, and
    /// removes the staging folders of builds that died before.
    fn recover(&mut self) -> Result<(), OutputError> {
        let Ok(entries) = std::fs::read_dir(&self.target) else { return Ok(()) };
        let mut leftovers: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(STAGING_PREFIX))
            .map(|e| e.path())
            .collect();
        leftovers.sort();
        // We hold the lock: no other build is running here, so each one is a leftover.
        for staging in leftovers {
            let journal = std::fs::read(staging.join(JOURNAL)).ok().and_then(|b| serde_json::from_slice(&b).ok());
            if let Some(journal) = journal {
                self.apply(&staging, &journal)?;
            }
            std::fs::remove_dir_all(&staging).map_err(io_err("cannot remove", &staging))?;
        }
        Ok(())
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.target
    }

    /// Checks a relative output path: no way out of the folder, and not
    /// one of shopfront's own bookkeeping names.
    fn check_path(relative: &str) -> Result<(), OutputError> {
        let rel = Path::new(relative);
        let clean = !relative.is_empty()
            && !relative.contains('\\')
            && !relative.starts_with(".shopfront-")
            && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if clean { Ok(()) } else { Err(OutputError::Escapes(relative.to_owned())) }
    }

    fn ensure_parent(&self, path: &Path) -> Result<(), OutputError> {
        let Some(parent) = path.parent() else { return Ok(()) };
        if parent == self.staging || self.created_dirs.lock().unwrap_or_else(|e| e.into_inner()).contains(parent) {
            return Ok(());
        }
        if let Err(source) = std::fs::create_dir_all(parent) {
            // Most likely a file written earlier (a static file) where this
            // needs a folder: name it and where it came from.
            let relative = parent.strip_prefix(&self.staging).map(crate::fs::slash_path).unwrap_or_default();
            let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
            let mut prefix = String::new();
            for part in relative.split('/') {
                prefix.push_str(part);
                if let Some(file) = written.get(&prefix) {
                    let named = match &file.from {
                        Some(from) => format!("`{prefix}` (from {})", from.display()),
                        None => format!("`{prefix}`"),
                    };
                    return Err(OutputError::FileFolder { file: named, inside: format!("`{prefix}/`") });
                }
                prefix.push('/');
            }
            return Err(OutputError::Io { action: "cannot create a folder for", path: self.shown(path), source });
        }
        self.created_dirs.lock().unwrap_or_else(|e| e.into_inner()).insert(parent.to_path_buf());
        Ok(())
    }

    /// Where the creator will find a relative path.
    fn shown(&self, staged: &Path) -> PathBuf {
        staged.strip_prefix(&self.staging).map_or_else(|_| staged.to_path_buf(), |rel| self.target.join(rel))
    }

    /// Whether the file at `relative` is already what the manifest says and
    /// `entry` wants: then it need not be written.
    fn in_place(&self, relative: &str, entry: &Entry) -> bool {
        let (Some(before), Some(written_at)) = (self.previous.files.get(relative), self.written_at) else {
            return false;
        };
        if before != entry {
            return false;
        }
        std::fs::symlink_metadata(self.target.join(relative)).is_ok_and(|meta| {
            meta.is_file() && meta.len() == before.len && meta.modified().is_ok_and(|m| m <= written_at)
        })
    }

    fn record(&self, relative: &str, written: Written) {
        let mut all = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = all.insert(relative.to_owned(), written)
            && old.staged
            && !all[relative].staged
        {
            // A generated file replaced a changed static file of the same path.
            let _ = std::fs::remove_file(self.staging.join(relative));
        }
    }

    /// Writes a file at a relative path (unless the same bytes are in place).
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        Self::check_path(relative)?;
        let entry = Entry { len: bytes.len() as u64, hash: xxhash_rust::xxh3::xxh3_128(bytes) };
        if self.in_place(relative, &entry) {
            self.record(relative, Written { entry, staged: false, from: None });
            return Ok(());
        }
        let path = self.staging.join(relative);
        self.ensure_parent(&path)?;
        std::fs::write(&path, bytes).map_err(io_err("cannot write", &self.shown(&path)))?;
        self.record(relative, Written { entry, staged: true, from: None });
        Ok(())
    }

    /// Copies a file to a relative path (unless the same bytes are in place).
    pub fn copy(&self, from: &Path, relative: &str) -> Result<(), OutputError> {
        Self::check_path(relative)?;
        let (len, hash) = hash_file(from).map_err(io_err("cannot read", from))?;
        let entry = Entry { len, hash };
        let from_owned = Some(from.to_path_buf());
        if self.in_place(relative, &entry) {
            self.record(relative, Written { entry, staged: false, from: from_owned });
            return Ok(());
        }
        let path = self.staging.join(relative);
        self.ensure_parent(&path)?;
        std::fs::copy(from, &path).map_err(io_err("cannot copy", from))?;
        self.record(relative, Written { entry, staged: true, from: from_owned });
        Ok(())
    }

    /// Puts the new site in place: see the module documentation.
    pub fn commit(mut self) -> Result<(), OutputError> {
        // Held until the end: a signal waits for the commit to finish.
        let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        self.check_clashes(&written)?;
        let manifest =
            Manifest { version: 1, files: written.iter().map(|(path, w)| (path.clone(), w.entry)).collect() };
        let delete: Vec<String> =
            self.previous.files.keys().filter(|path| !manifest.files.contains_key(*path)).cloned().collect();
        let journal = Journal { manifest, delete };
        let journal_path = self.staging.join(JOURNAL);
        let text = serde_json::to_vec(&journal).map_err(|err| io_err("cannot write", &journal_path)(err.into()))?;
        std::fs::write(&journal_path, text).map_err(io_err("cannot write", &journal_path))?;
        let staging = self.staging.clone();
        if let Err(err) = self.apply(&staging, &journal) {
            // Keep the journal: the next build finishes what this one began.
            self.committed = true;
            return Err(err);
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.staging);
        drop(active);
        self.unregister();
        Ok(())
    }

    fn unregister(&self) {
        let me = self.abandon();
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|a| *a != me);
    }

    /// Refuses a commit that would replace someone else's files, or whose
    /// files would collide on a case-insensitive disk or host.
    fn check_clashes(&self, written: &FxHashMap<String, Written>) -> Result<(), OutputError> {
        let named = |path: &str| match written.get(path).and_then(|w| w.from.as_ref()) {
            Some(from) => format!("`{path}` (from {})", from.display()),
            None => format!("`{path}`"),
        };
        let mut paths: Vec<&String> = written.keys().collect();
        paths.sort();
        let mut folded: FxHashMap<String, &str> = FxHashMap::default();
        let mut folders: BTreeSet<&str> = BTreeSet::new();
        for path in &paths {
            if let Some(other) = folded.insert(path.to_lowercase(), path) {
                return Err(OutputError::CaseClash { first: named(other), second: named(path) });
            }
            let mut at = 0;
            while let Some(slash) = path[at..].find('/') {
                folders.insert(&path[..at + slash]);
                at += slash + 1;
            }
        }
        if let Some(file) = paths.iter().find(|p| folders.contains(p.as_str())) {
            let inside = paths.iter().find(|p| p.starts_with(&format!("{file}/"))).map_or("", |p| p.as_str());
            return Err(OutputError::FileFolder { file: named(file), inside: named(inside) });
        }
        if self.adopted {
            return Ok(());
        }
        let ours = |path: &str| self.previous.files.contains_key(path);
        let mut foreign = BTreeSet::new();
        for path in &paths {
            if ours(path) {
                continue;
            }
            if std::fs::symlink_metadata(self.target.join(path)).is_ok() {
                foreign.insert(path.to_string());
            }
        }
        for folder in &folders {
            if !ours(folder)
                && std::fs::symlink_metadata(self.target.join(folder)).is_ok_and(|m| !m.file_type().is_dir())
            {
                foreign.insert(folder.to_string());
            }
        }
        if foreign.is_empty() {
            Ok(())
        } else {
            Err(OutputError::Foreign { folder: self.target.clone(), files: foreign.into_iter().collect() })
        }
    }

    /// Carries out a journal: deletes, moves, manifest. Safe to run again
    /// on what an interrupted run of it left.
    fn apply(&mut self, staging: &Path, journal: &Journal) -> Result<(), OutputError> {
        for path in &journal.delete {
            let file = self.target.join(path);
            if std::fs::symlink_metadata(&file).is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&file).map_err(io_err("cannot remove", &file))?;
            }
            remove_empty_parents(&self.target, &file);
        }
        merge(staging, &self.target, true)?;
        let manifest = journal.manifest.clone();
        // Unchanged, it is left alone: a rebuild of an unchanged site writes nothing.
        if manifest != self.previous || self.written_at.is_none() {
            let text = serde_json::to_string(&manifest).unwrap_or_default();
            let path = self.target.join(MANIFEST);
            self.manifest_file.set_len(0).map_err(io_err("cannot write", &path))?;
            self.manifest_file.seek(io::SeekFrom::Start(0)).map_err(io_err("cannot write", &path))?;
            self.manifest_file.write_all(text.as_bytes()).map_err(io_err("cannot write", &path))?;
        }
        self.created_manifest = false;
        self.created_target = false;
        self.previous = manifest;
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed {
            self.abandon().run();
            self.unregister();
        }
    }
}

/// Moves everything in `from` into `to`, folder by folder: a folder that
/// is not there yet moves in one step. Leaves the journal behind.
fn merge(from: &Path, to: &Path, top: bool) -> Result<(), OutputError> {
    let entries = std::fs::read_dir(from).map_err(io_err("cannot read", from))?;
    for entry in entries {
        let entry = entry.map_err(io_err("cannot read", from))?;
        if top && entry.file_name() == JOURNAL {
            continue;
        }
        let source = entry.path();
        let dest = to.join(entry.file_name());
        let is_dir = entry.file_type().map_err(io_err("cannot read", &source))?.is_dir();
        match std::fs::symlink_metadata(&dest) {
            Ok(meta) if meta.is_dir() && is_dir => merge(&source, &dest, false)?,
            Ok(meta) if meta.is_dir() => {
                // A folder of shopfront's whose files are all gone now holds a file.
                std::fs::remove_dir(&dest).map_err(io_err("cannot replace", &dest))?;
                std::fs::rename(&source, &dest).map_err(io_err("cannot move into place", &dest))?;
            }
            Ok(_) if is_dir => {
                // One of shopfront's files where a folder now goes (checked before).
                std::fs::remove_file(&dest).map_err(io_err("cannot replace", &dest))?;
                std::fs::rename(&source, &dest).map_err(io_err("cannot move into place", &dest))?;
            }
            _ => std::fs::rename(&source, &dest).map_err(io_err("cannot move into place", &dest))?,
        }
    }
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn hash_file(path: &Path) -> io::Result<(u64, u128)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0; 256 * 1024];
    let mut len = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok((len, hasher.digest128()));
        }
        len += n as u64;
        hasher.update(&buffer[..n]);
    }
}

/// A folder without a manifest that an older shopfront built: its
/// generated files are all there. Its files at the paths this build writes
/// are taken as shopfront's; nothing else in it is touched.
fn looks_like_an_older_build(dir: &Path) -> bool {
    ["index.html", "sitemap.xml", "feed.xml", "robots.txt", "search-index.json"].iter().all(|f| dir.join(f).is_file())
}

/// What an older shopfront's interrupted swap left beside the output:
/// `.NAME.staging-PID` folders of dead processes are removed, and an
/// orphaned `.NAME.old-PID` goes back into place when the output is missing.
fn recover_legacy(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else { return };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let leftover = |kind: &str| {
            file_name
                .strip_prefix(&format!(".{name}.{kind}-"))
                .and_then(|pid| pid.parse::<u32>().ok())
                .filter(|pid| !is_running(*pid))
        };
        if leftover("staging").is_some() {
            let _ = std::fs::remove_dir_all(entry.path());
        } else if leftover("old").is_some() {
            if std::fs::symlink_metadata(target).is_err() {
                let _ = std::fs::rename(entry.path(), target);
            } else {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
        // Signal 0 asks only whether the process exists.
        // SAFETY: kill with signal 0 sends nothing and touches no memory.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut found: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| crate::fs::slash_path(e.path().strip_prefix(dir).unwrap()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn paths_cannot_escape() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\..\\b", "./a", ".shopfront-manifest"] {
            assert!(Output::check_path(bad).is_err(), "{bad}");
        }
        assert!(Output::check_path("posts/a/index.html").is_ok());
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let output = Output::new(&target).unwrap();
        output.write("index.html", b"one").unwrap();
        output.commit().unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");

        let output = Output::new(&target).unwrap();
        output.write("index.html", b"two").unwrap();
        drop(output);
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");
        assert_eq!(files(&target), [MANIFEST, "index.html"]);
    }

    #[test]
    fn a_failed_first_build_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let output = Output::new(&target).unwrap();
        output.write("index.html", b"one").unwrap();
        drop(output);
        assert!(!target.exists());
    }

    #[test]
    fn foreign_files_are_kept_and_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let output = Output::new(tmp.path()).unwrap();
        output.write("index.html", b"site").unwrap();
        output.commit().unwrap();
        assert_eq!(std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(), "mine");

        let output = Output::new(tmp.path()).unwrap();
        output.write("notes.txt", b"generated").unwrap();
        let err = output.commit().unwrap_err();
        assert!(matches!(&err, OutputError::Foreign { files, .. } if files == &["notes.txt"]), "{err}");
        assert_eq!(std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read(tmp.path().join("index.html")).unwrap(), b"site");
    }

    #[test]
    fn only_changed_files_are_written_and_gone_ones_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let output = Output::new(tmp.path()).unwrap();
        output.write("a/index.html", b"a").unwrap();
        output.write("b/index.html", b"b").unwrap();
        output.commit().unwrap();
        let stamp = |p: &str| std::fs::metadata(tmp.path().join(p)).unwrap().modified().unwrap();
        let a_before = stamp("a/index.html");
        std::thread::sleep(std::time::Duration::from_millis(20));

        let output = Output::new(tmp.path()).unwrap();
        output.write("a/index.html", b"a").unwrap();
        output.write("c/index.html", b"c").unwrap();
        output.commit().unwrap();
        assert_eq!(stamp("a/index.html"), a_before, "an unchanged file was written again");
        assert_eq!(files(tmp.path()), [MANIFEST, "a/index.html", "c/index.html"]);
        assert!(!tmp.path().join("b").exists(), "an emptied folder stays");
    }

    #[test]
    fn an_interrupted_commit_is_finished_by_the_next_build() {
        let tmp = tempfile::tempdir().unwrap();
        let output = Output::new(tmp.path()).unwrap();
        output.write("old/index.html", b"old").unwrap();
        output.commit().unwrap();
        // A build that wrote its journal and died before moving anything.
        let staging = tmp.path().join(format!("{STAGING_PREFIX}999999"));
        std::fs::create_dir_all(staging.join("new")).unwrap();
        std::fs::write(staging.join("new/index.html"), "new").unwrap();
        let entry = Entry { len: 3, hash: xxhash_rust::xxh3::xxh3_128(b"new") };
        let journal = Journal {
            manifest: Manifest { version: 1, files: [("new/index.html".to_owned(), entry)].into() },
            delete: vec!["old/index.html".to_owned()],
        };
        std::fs::write(staging.join(JOURNAL), serde_json::to_vec(&journal).unwrap()).unwrap();
        // And one that died while rendering.
        std::fs::create_dir_all(tmp.path().join(format!("{STAGING_PREFIX}999998/x"))).unwrap();

        drop(Output::new(tmp.path()).unwrap());
        assert_eq!(files(tmp.path()), [MANIFEST, "new/index.html"]);
    }
}
