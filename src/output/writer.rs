//! Writing the site so that nothing is lost, whatever happens.
//!
//! The output folder keeps a manifest, `.shopfront-manifest`: every file
//! shopfront wrote there, with its size and content hash, sorted, so the
//! same site always gives the same manifest. It is what lets a build replace
//! or delete only its own files, and a rebuild write only what changed. A
//! build:
//!
//! 1. **locks the manifest** (a second build into the same folder waits),
//!    then finishes or discards what an interrupted build left (below);
//! 2. **writes each file it renders** into a staging folder inside the
//!    output (`.shopfront-staging-PID/`, inside so that a mount point or a
//!    symbolic link to a web root works too) — unless the very same bytes
//!    are already in place in a file shopfront wrote, in which case nothing
//!    is written at all;
//! 3. **on success, commits**: refuses if a new file would replace one that
//!    shopfront did not write or that was changed since (naming them: a
//!    `docs/` made by hand, a `NOTES.md`; a folder of shopfront's own,
//!    unchanged files may become a file), writes a journal, deletes the
//!    files of the previous build that are gone, moves the staged files
//!    into place, and writes the new
//!    manifest (when nothing is to be moved or deleted, only the manifest,
//!    and only if it changed). On failure the staging folder is removed and
//!    the output is as it was.
//!
//! A file the previous build wrote is taken as still holding what the
//! manifest says without being read when its status-change time is older
//! than the manifest (`Output::untouched`); otherwise it is read.
//!
//! Files that shopfront did not write (`.git/`, `CNAME`, notes) are never
//! replaced, moved or deleted; nor is a file of its own that was edited by
//! hand since, or one reached through a symbolic link in the output. The
//! paths of the manifest and journal are checked like every other path, so
//! an edited manifest cannot point outside the folder.
//!
//! A build stopped by a signal stops writing, then removes its staging
//! folder ([`abandon_all`]); one killed outright leaves it, and the next
//! build removes it, or, if the journal shows the commit had begun, finishes
//! it. While a commit moves files into place (a moment, even for a large
//! site) a reader of the folder may see some new files beside old ones; an
//! interrupted commit is completed by the next build, so the folder ends as
//! a complete old or new site.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// The manifest's file name, in the output folder.
pub const MANIFEST: &str = crate::fs::OUTPUT_MANIFEST;
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
    /// When the previous build committed, by the file system's clock: when
    /// the manifest was written (see [`Output::untouched`]).
    previous_commit: Option<std::time::SystemTime>,
    /// No manifest, but an older shopfront's build: its files at our paths are ours.
    adopted: bool,
    /// What this build did to the folder before committing, to undo.
    created_target: bool,
    created_manifest: bool,
    /// Whether this build made its staging folder (a leftover of the same
    /// name, from a process that had this PID, is not ours to remove).
    staging_created: bool,
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

impl Written {
    /// `path` as an error names it, with the file it was copied from.
    fn named(&self, path: &str) -> String {
        match &self.from {
            Some(from) => format!("`{path}` (from {})", from.display()),
            None => format!("`{path}`"),
        }
    }
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

impl Manifest {
    /// Whether every path is one this writer could have written.
    fn check(&self) -> Result<(), String> {
        match self.files.keys().find(|path| Output::check_path(path).is_err()) {
            Some(path) => Err(format!("it lists `{path}`, which is not a path inside the folder")),
            None => Ok(()),
        }
    }
}

/// What a commit will do, written before it does it.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    manifest: Manifest,
    /// The previous build's files that are gone, with what they held.
    delete: Vec<(String, Entry)>,
}

impl Journal {
    fn check(&self) -> Result<(), String> {
        self.manifest.check()?;
        match self.delete.iter().map(|(path, _)| path).find(|path| Output::check_path(path).is_err()) {
            Some(path) => Err(format!("it lists `{path}`")),
            None => Ok(()),
        }
    }
}

pub(super) mod hex128 {
    pub(crate) fn serialize<S: serde::Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{value:032x}"))
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
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
        "refusing to replace files in {} that shopfront did not write (or that were changed since): {}",
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
    /// The process is stopping (Ctrl-C).
    #[error("stopped")]
    Stopped,
    /// The output is a symbolic link that leads nowhere.
    #[error("{} is a symbolic link that leads nowhere; point it at a folder, or remove it", .0.display())]
    BrokenLink(PathBuf),
    /// The manifest cannot be read.
    #[error(
        "{} is damaged: {reason}; shopfront no longer knows which files in the folder are its own",
        .path.display()
    )]
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
            Self::Manifest { .. } => Some(
                "delete the output folder (it holds only what a build makes) and build again, \
                 or build into an empty folder with --output",
            ),
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
    staging_created: bool,
}

impl Abandon {
    fn run(&self) {
        if self.staging_created {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        if self.created_manifest {
            let _ = std::fs::remove_file(self.target.join(MANIFEST));
        }
        if self.created_target {
            // Only if nothing else appeared in it meanwhile.
            let _ = std::fs::remove_dir(&self.target);
        }
    }
}

/// Set when the process is stopping: no more files are written.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Held (shared) by every write in flight, so that [`abandon_all`] can wait
/// for them before it removes the staging folders they write into.
static WRITING: RwLock<()> = RwLock::new(());

/// Stops every build of this process from writing, waits for the writes in
/// flight, removes their staging folders and leaves their outputs as they
/// were; a commit under way is finished first. For a signal handler, just
/// before the process exits.
pub fn abandon_all() {
    STOPPING.store(true, Ordering::SeqCst);
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
    let writes = WRITING.write().unwrap_or_else(|e| e.into_inner());
    std::mem::forget(writes);
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
        if std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) && !target.exists() {
            return Err(OutputError::BrokenLink(target.to_path_buf()));
        }
        let manifest_path = target.join(MANIFEST);
        // Written in place: a link there would have it written elsewhere.
        if std::fs::symlink_metadata(&manifest_path).is_ok_and(|m| !m.is_file()) {
            return Err(OutputError::Manifest {
                path: manifest_path,
                reason: "it is not a regular file (a link or a folder)".to_owned(),
            });
        }
        // The manifest is also the lock. A build that failed may remove it (and
        // the folder, if it made them) while this one waits: then start again.
        let (manifest_file, created_target, created_manifest) = loop {
            let created_target = match std::fs::metadata(target) {
                Ok(meta) if meta.is_dir() => false,
                Ok(_) => return Err(OutputError::NotAFolder(target.to_path_buf())),
                Err(_) => {
                    std::fs::create_dir_all(target).map_err(io_err("cannot create", target))?;
                    true
                }
            };
            let created_manifest = std::fs::symlink_metadata(&manifest_path).is_err();
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&manifest_path)
                .map_err(io_err("cannot open", &manifest_path))?;
            file.lock().map_err(io_err("cannot lock", &manifest_path))?;
            if same_file(&file, &manifest_path) {
                break (file, created_target, created_manifest);
            }
        };
        let mut output = Self {
            staging: target.join(format!("{STAGING_PREFIX}{}", std::process::id())),
            target: target.to_path_buf(),
            manifest_file,
            previous: Manifest::default(),
            previous_commit: None,
            adopted: false,
            created_target,
            created_manifest,
            staging_created: false,
            written: Mutex::new(FxHashMap::default()),
            created_dirs: Mutex::new(FxHashSet::default()),
            committed: false,
        };
        // From here on, dropping `output` undoes what it created.
        output.recover()?;
        output.previous = output.read_manifest()?;
        output.previous_commit = output.manifest_file.metadata().ok().and_then(|m| written_at(&m));
        output.adopted = output.previous.files.is_empty() && looks_like_an_older_build(target);
        // Listed before it exists: a signal in between removes nothing, one
        // just after removes it.
        output.staging_created = true;
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).push(output.abandon());
        if let Err(err) = std::fs::create_dir(&output.staging) {
            output.unregister();
            output.staging_created = false;
            return Err(io_err("cannot create", &output.staging)(err));
        }
        Ok(output)
    }

    fn abandon(&self) -> Abandon {
        Abandon {
            staging: self.staging.clone(),
            target: self.target.clone(),
            created_target: self.created_target,
            created_manifest: self.created_manifest,
            staging_created: self.staging_created,
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
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|err| OutputError::Manifest { path: path.clone(), reason: err.to_string() })?;
        manifest.check().map_err(|reason| OutputError::Manifest { path, reason })?;
        Ok(manifest)
    }

    /// Finishes the commit of a build that died while committing, and
    /// removes the staging folders of builds that died before.
    fn recover(&mut self) -> Result<(), OutputError> {
        let Ok(entries) = std::fs::read_dir(&self.target) else { return Ok(()) };
        let mut leftovers: Vec<PathBuf> = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            if !entry.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                leftovers.push(entry.path());
            } else {
                // A link by that name is no build's: removed, never followed.
                let _ = std::fs::remove_file(entry.path());
            }
        }
        leftovers.sort();
        // We hold the lock: no other build is running here, so each one is a leftover.
        for staging in leftovers {
            let journal =
                crate::fs::read_regular(&staging.join(JOURNAL)).ok().and_then(|b| serde_json::from_slice(&b).ok());
            // A journal whose paths leave the folder was not written by a build.
            if let Some(journal) = journal.filter(|j: &Journal| j.check().is_ok()) {
                self.apply(Some(&staging), &journal)?;
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
                    let named = file.named(&prefix);
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

    /// Whether `relative` is a file this writer may replace: one it wrote
    /// (or, in a folder an older shopfront built, any file at its paths).
    /// Records `relative` as written without reading it, when the previous
    /// build wrote exactly these bytes (the manifest has this length and
    /// hash) and the file has not changed since that build committed
    /// (`Output::untouched`). For the image variants a rebuild would
    /// otherwise read in full to learn they are the same; `false` means
    /// write it.
    pub fn keep(&self, relative: &str, len: u64, hash: u128) -> bool {
        self.keep_unchanged(relative, Entry { len, hash }, false)
    }

    /// Like [`Output::keep`], for pages, which a hand edit may have changed
    /// without changing their length or modification time (as `cp -p` and
    /// `rsync -a` leave them), and which the next build must put right.
    /// Where the status-change time cannot vouch for the file (a change in
    /// the very tick of the commit; systems other than Unix), it is read
    /// and its hash checked.
    pub fn keep_checked(&self, relative: &str, len: u64, hash: u128) -> bool {
        self.keep_unchanged(relative, Entry { len, hash }, true)
    }

    /// [`Output::keep`], or with `read` [`Output::keep_checked`].
    fn keep_unchanged(&self, relative: &str, entry: Entry, read: bool) -> bool {
        if Self::check_path(relative).is_err()
            || STOPPING.load(Ordering::SeqCst)
            || self.previous.files.get(relative) != Some(&entry)
        {
            return false;
        }
        let existing = self.target.join(relative);
        let unchanged = std::fs::symlink_metadata(&existing).is_ok_and(|m| {
            let same_bytes = || {
                crate::fs::read_regular(&existing).is_ok_and(|bytes| xxhash_rust::xxh3::xxh3_128(&bytes) == entry.hash)
            };
            m.is_file()
                && m.len() == entry.len
                && if read { (cfg!(unix) && self.untouched(&m)) || same_bytes() } else { self.untouched(&m) }
        });
        if unchanged {
            self.record(relative, Written { entry, staged: false, from: None });
        }
        unchanged
    }

    /// Whether a file of the previous build, as `meta` shows it, has not
    /// changed since that build committed. On Unix its status-change time
    /// tells: writing, replacing, linking or `touch`ing a file moves it to
    /// now and no tool sets it back (`cp -p` and `rsync -a` set back only
    /// the modification time). It must be strictly earlier than the commit,
    /// since a change within the same tick of the file system's clock
    /// cannot be told apart (Git's "racily clean" files). Elsewhere only the
    /// modification time is there, which such copies set back.
    fn untouched(&self, meta: &std::fs::Metadata) -> bool {
        let Some(committed) = self.previous_commit else { return false };
        #[cfg(unix)]
        let changed = status_changed(meta);
        #[cfg(not(unix))]
        let changed = meta.modified().ok();
        changed.is_some_and(|at| at < committed)
    }

    fn owns(&self, relative: &str) -> bool {
        self.adopted || self.previous.files.contains_key(relative)
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

    /// Fails once the process is stopping; otherwise holds off
    /// [`abandon_all`] until the write it guards is done.
    fn start_writing(&self) -> Result<std::sync::RwLockReadGuard<'static, ()>, OutputError> {
        let guard = WRITING.read().unwrap_or_else(|e| e.into_inner());
        if STOPPING.load(Ordering::SeqCst) {
            return Err(OutputError::Stopped);
        }
        Ok(guard)
    }

    /// Writes a file at a relative path, unless the very same bytes are
    /// already there in a file of shopfront's; returns their content hash.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<u128, OutputError> {
        Self::check_path(relative)?;
        let entry = Entry { len: bytes.len() as u64, hash: xxhash_rust::xxh3::xxh3_128(bytes) };
        let existing = self.target.join(relative);
        // Read the file in place only when the manifest says it may be the same.
        let may_be_same = self.previous.files.get(relative).map_or(self.adopted, |before| *before == entry);
        let in_place = may_be_same
            && std::fs::symlink_metadata(&existing).is_ok_and(|m| m.is_file() && m.len() == entry.len)
            && made_like(&existing, &|out| out.write_all(bytes)).is_some();
        if in_place {
            self.record(relative, Written { entry, staged: false, from: None });
            return Ok(entry.hash);
        }
        let _writing = self.start_writing()?;
        let path = self.staging.join(relative);
        self.ensure_parent(&path)?;
        std::fs::write(&path, bytes).map_err(io_err("cannot write", &self.shown(&path)))?;
        self.record(relative, Written { entry, staged: true, from: None });
        Ok(entry.hash)
    }

    /// [`Output::write`] for the bytes `produce` writes, taken as they are
    /// made, so that a large file (the search index) is never held whole.
    /// `produce` must write the same bytes each time it runs: once to
    /// compare them with the file already there, when that may be the
    /// same, and once to write them when it is not.
    pub fn write_with(
        &self,
        relative: &str,
        produce: &dyn Fn(&mut dyn Write) -> io::Result<()>,
    ) -> Result<u128, OutputError> {
        Self::check_path(relative)?;
        let existing = self.target.join(relative);
        let before = self.previous.files.get(relative).copied();
        // As `write`: in place only when the manifest says it may be the same.
        let may_be_same = (before.is_some() || self.adopted)
            && std::fs::symlink_metadata(&existing)
                .is_ok_and(|m| m.is_file() && before.is_none_or(|b| b.len == m.len()));
        if may_be_same
            && let Some(entry) = made_like(&existing, produce)
            && before.is_none_or(|before| before == entry)
        {
            self.record(relative, Written { entry, staged: false, from: None });
            return Ok(entry.hash);
        }
        let _writing = self.start_writing()?;
        let path = self.staging.join(relative);
        self.ensure_parent(&path)?;
        let shown = self.shown(&path);
        let file = std::fs::File::create(&path).map_err(io_err("cannot write", &shown))?;
        let mut out = crate::fs::Hashing::new(io::BufWriter::with_capacity(64 * 1024, file));
        produce(&mut out).and_then(|()| out.flush()).map_err(io_err("cannot write", &shown))?;
        let entry = entry_of(&out);
        self.record(relative, Written { entry, staged: true, from: None });
        Ok(entry.hash)
    }

    /// Copies a file to a relative path, unless the very same bytes are
    /// already there in a file of shopfront's.
    pub fn copy(&self, from: &Path, relative: &str) -> Result<(), OutputError> {
        Self::check_path(relative)?;
        let existing = self.target.join(relative);
        let existing = self.owns(relative).then_some(existing.as_path());
        let (entry, in_place) = hash_and_compare(from, existing).map_err(io_err("cannot read", from))?;
        let from_owned = Some(from.to_path_buf());
        if in_place {
            self.record(relative, Written { entry, staged: false, from: from_owned });
            return Ok(());
        }
        let _writing = self.start_writing()?;
        let path = self.staging.join(relative);
        self.ensure_parent(&path)?;
        std::fs::copy(from, &path).map_err(io_err("cannot copy", from))?;
        self.record(relative, Written { entry, staged: true, from: from_owned });
        Ok(())
    }

    /// Puts the new site in place: see the module documentation. Returns
    /// the files of the previous build that are no longer part of the site
    /// but were kept, because they were edited after shopfront wrote them.
    pub fn commit(mut self) -> Result<Vec<String>, OutputError> {
        // Held until the end: a signal waits for the commit to finish. This
        // build leaves the list at once, so the signal then leaves it alone.
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        let me = self.abandon();
        active.retain(|a| *a != me);
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        self.check_clashes(&written)?;
        let staged = written.values().any(|w| w.staged);
        let manifest =
            Manifest { version: 1, files: written.iter().map(|(path, w)| (path.clone(), w.entry)).collect() };
        let delete: Vec<(String, Entry)> = self
            .previous
            .files
            .iter()
            .filter(|(path, _)| !manifest.files.contains_key(*path))
            .map(|(path, entry)| (path.clone(), *entry))
            .collect();
        let journal = Journal { manifest, delete };
        // Nothing to move or delete (a rebuild that changed nothing): only
        // the manifest may change, and no journal is needed for that.
        let moves = staged || !journal.delete.is_empty();
        if moves {
            let journal_path = self.staging.join(JOURNAL);
            let text = serde_json::to_vec(&journal).map_err(|err| io_err("cannot write", &journal_path)(err.into()))?;
            std::fs::write(&journal_path, text).map_err(io_err("cannot write", &journal_path))?;
        }
        let staging = self.staging.clone();
        // From here on the staging folder holds the journal: an error keeps
        // it for the next build to finish what this one began.
        self.committed = true;
        let kept = self.apply(moves.then_some(staging.as_path()), &journal)?;
        let _ = std::fs::remove_dir_all(&self.staging);
        drop(active);
        Ok(kept)
    }

    fn unregister(&self) {
        let me = self.abandon();
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|a| *a != me);
    }

    /// Refuses a commit that would replace someone else's files, or whose
    /// files would collide on a case-insensitive disk or host.
    fn check_clashes(&self, written: &FxHashMap<String, Written>) -> Result<(), OutputError> {
        let named = |path: &str| written.get(path).map_or_else(|| format!("`{path}`"), |w| w.named(path));
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
        for (path, written) in paths.iter().map(|path| (path, &written[path.as_str()])) {
            // Found in place, as shopfront wrote it: nothing to look at.
            if !written.staged && ours(path) {
                continue;
            }
            match std::fs::symlink_metadata(self.target.join(path)) {
                // A folder of the previous build where a file now goes: the
                // commit deletes the files in it, then the folder, so each
                // must be one of shopfront's, as it wrote it.
                Ok(meta) if meta.is_dir() => foreign.extend(self.not_deletable_in(path)),
                Ok(_) if !ours(path) => {
                    foreign.insert(path.to_string());
                }
                _ => {}
            }
        }
        for folder in &folders {
            // One of shopfront's files where a folder now goes: deleted
            // first, so it too must be as shopfront wrote it.
            let file = self.target.join(folder);
            if std::fs::symlink_metadata(&file).is_ok_and(|m| !m.file_type().is_dir())
                && !self.previous.files.get(*folder).is_some_and(|entry| holds(&file, *entry))
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

    /// What in the folder at `relative` the commit may not delete: the
    /// folder itself when the previous build wrote nothing in it; otherwise
    /// whatever in it is not a file of the previous build's still holding
    /// what shopfront wrote: links (not followed), what cannot be read,
    /// and empty folders that the previous build wrote nothing in.
    fn not_deletable_in(&self, relative: &str) -> Vec<String> {
        let wrote_in = |folder: &str| {
            let prefix = format!("{folder}/");
            self.previous.files.range(prefix.clone()..).next().is_some_and(|(path, _)| path.starts_with(&prefix))
        };
        if !wrote_in(relative) {
            return vec![relative.to_owned()];
        }
        let named = |path: &Path| path.strip_prefix(&self.target).map(crate::fs::slash_path).ok();
        walkdir::WalkDir::new(self.target.join(relative))
            .follow_links(false)
            .into_iter()
            .filter_map(|entry| match entry {
                Err(err) => err.path().and_then(named).or_else(|| Some(relative.to_owned())),
                Ok(entry) => {
                    let path = entry.path();
                    let inside = named(path)?;
                    let keep = if entry.file_type().is_dir() {
                        let empty = std::fs::read_dir(path).map_or(true, |mut inside| inside.next().is_none());
                        empty && !wrote_in(&inside)
                    } else {
                        !self.previous.files.get(&inside).is_some_and(|entry| holds(path, *entry))
                    };
                    keep.then_some(inside)
                }
            })
            .collect()
    }

    /// Carries out a journal: deletes, moves (from `staging`, when given),
    /// manifest. Safe to run again on what an interrupted run of it left.
    /// Returns the files it kept rather than delete: edited since they
    /// were written.
    fn apply(&mut self, staging: Option<&Path>, journal: &Journal) -> Result<Vec<String>, OutputError> {
        let mut kept = Vec::new();
        for (path, entry) in &journal.delete {
            let file = self.target.join(path);
            // Never through a link: a linked folder in the output is someone else's.
            if crate::fs::linked_folder(&self.target, Path::new(path)) {
                continue;
            }
            match std::fs::symlink_metadata(&file) {
                Ok(meta) if meta.is_file() => {
                    if holds(&file, *entry) {
                        std::fs::remove_file(&file).map_err(io_err("cannot remove", &file))?;
                        remove_empty_parents(&self.target, &file);
                    } else {
                        kept.push(path.clone());
                    }
                }
                _ => remove_empty_parents(&self.target, &file),
            }
        }
        let moved = match staging {
            Some(staging) => merge(staging, &self.target, true)?,
            None => false,
        };
        let manifest = journal.manifest.clone();
        // Unchanged, it is left alone: a rebuild of an unchanged site writes
        // nothing. After any move it is written even when it lists the same
        // files, so that it is newer than every file moved
        // (`Output::untouched`).
        if manifest != self.previous || self.created_manifest || moved {
            let text = serde_json::to_string(&manifest).unwrap_or_default();
            let path = self.target.join(MANIFEST);
            self.manifest_file.set_len(0).map_err(io_err("cannot write", &path))?;
            self.manifest_file.seek(io::SeekFrom::Start(0)).map_err(io_err("cannot write", &path))?;
            self.manifest_file.write_all(text.as_bytes()).map_err(io_err("cannot write", &path))?;
        }
        self.created_manifest = false;
        self.created_target = false;
        self.previous = manifest;
        Ok(kept)
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
/// is not there yet moves in one step. Leaves the journal behind. Returns
/// whether it moved anything.
fn merge(from: &Path, to: &Path, top: bool) -> Result<bool, OutputError> {
    let entries = std::fs::read_dir(from).map_err(io_err("cannot read", from))?;
    let mut moved = false;
    for entry in entries {
        let entry = entry.map_err(io_err("cannot read", from))?;
        if top && entry.file_name() == JOURNAL {
            continue;
        }
        let source = entry.path();
        let dest = to.join(entry.file_name());
        let is_dir = entry.file_type().map_err(io_err("cannot read", &source))?.is_dir();
        match std::fs::symlink_metadata(&dest) {
            Ok(meta) if meta.is_dir() && is_dir => {
                moved |= merge(&source, &dest, false)?;
                continue;
            }
            Ok(meta) if meta.is_dir() => {
                // A folder of shopfront's whose files are all gone (checked
                // before) now holds a file; folders it wrote in may be left.
                remove_empty_folders(&dest);
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
        moved = true;
    }
    Ok(moved)
}

/// Removes the empty folders inside `dir`, deepest first; never follows a link.
fn remove_empty_folders(dir: &Path) {
    let inside = walkdir::WalkDir::new(dir).min_depth(1).follow_links(false).contents_first(true);
    for entry in inside.into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_dir()) {
        let _ = std::fs::remove_dir(entry.path());
    }
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

/// Whether `path` is a regular file (not a link, a FIFO or a folder)
/// holding exactly the bytes `entry` records.
fn holds(path: &Path, entry: Entry) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_file() && meta.len() == entry.len)
        && hash_and_compare(path, None).is_ok_and(|(there, _)| there == entry)
}

/// The size and hash of the file at `path`, and whether `other` (when
/// given) holds exactly the same bytes; both read once, side by side.
fn hash_and_compare(path: &Path, other: Option<&Path>) -> io::Result<(Entry, bool)> {
    let mut file = crate::fs::open_regular(path)?;
    let mut other = other
        .filter(|o| std::fs::symlink_metadata(o).is_ok_and(|m| m.is_file()))
        .and_then(|o| crate::fs::open_regular(o).ok());
    let mut same = other.is_some();
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let (mut buffer, mut theirs) = (vec![0; 256 * 1024], vec![0; 256 * 1024]);
    let mut len = 0;
    loop {
        let n = read_full(&mut file, &mut buffer)?;
        if same && let Some(other) = other.as_mut() {
            same = read_full(other, &mut theirs[..n.max(1)]).is_ok_and(|m| m == n && buffer[..n] == theirs[..n]);
        }
        if n == 0 {
            return Ok((Entry { len, hash: hasher.digest128() }, same));
        }
        len += n as u64;
        hasher.update(&buffer[..n]);
    }
}

/// The manifest's entry for all that went through `out`.
fn entry_of<W: Write>(out: &crate::fs::Hashing<W>) -> Entry {
    Entry { len: out.len(), hash: out.hash() }
}

/// What `produce` writes, when it is exactly the bytes of the file at
/// `path`: read in step with it, a piece at a time (a rebuild never holds
/// a large unchanged file twice to compare it), and given up at the first
/// difference.
fn made_like(path: &Path, produce: &dyn Fn(&mut dyn Write) -> io::Result<()>) -> Option<Entry> {
    struct Comparing {
        file: io::BufReader<std::fs::File>,
        there: Vec<u8>,
    }
    impl Write for Comparing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.there.resize(buf.len(), 0);
            self.file.read_exact(&mut self.there)?;
            if self.there != buf {
                return Err(io::Error::other("the file differs"));
            }
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let file = io::BufReader::with_capacity(64 * 1024, crate::fs::open_regular(path).ok()?);
    let mut out = crate::fs::Hashing::new(Comparing { file, there: Vec::new() });
    produce(&mut out).ok()?;
    // Nothing may follow in the file.
    let at_end = out.get_mut().file.read(&mut [0]).ok()? == 0;
    at_end.then(|| entry_of(&out))
}

/// Reads until `buffer` is full or the file ends; how many bytes it read.
fn read_full(file: &mut std::fs::File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// When a manifest was written: its modification time, or its
/// status-change time on Unix if that is earlier (a manifest touched into
/// the future vouches for nothing).
fn written_at(meta: &std::fs::Metadata) -> Option<std::time::SystemTime> {
    let modified = meta.modified().ok()?;
    #[cfg(unix)]
    let modified = status_changed(meta).map_or(modified, |changed| changed.min(modified));
    Some(modified)
}

/// A file's status-change time (`st_ctime`).
#[cfg(unix)]
fn status_changed(meta: &std::fs::Metadata) -> Option<std::time::SystemTime> {
    use std::os::unix::fs::MetadataExt;
    let seconds = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(seconds, nanos))
}

/// Whether the open `file` is still the one at `path` (not removed or
/// replaced since it was opened).
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.is_file()
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
                .filter(|pid| !crate::fs::is_running(*pid))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_only_exactly_its_bytes() {
        let holds = |path: &Path, bytes: &[u8]| made_like(path, &|out| out.write_all(bytes)).is_some();
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        // Larger than the piece read at a time, with the last byte different.
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &big).unwrap();
        assert!(holds(&file, &big));
        let mut last_differs = big.clone();
        *last_differs.last_mut().unwrap() ^= 1;
        assert!(!holds(&file, &last_differs));
        assert!(!holds(&file, &big[..big.len() - 1]), "the file is longer");
        assert!(!holds(&file, &[big.as_slice(), b"x"].concat()), "the file is shorter");
        std::fs::write(&file, b"").unwrap();
        assert!(holds(&file, b""));
        assert!(!holds(&file, b"a"));
        std::fs::write(&file, b"ab").unwrap();
        assert!(!holds(&file, b"a"));
        assert!(holds(&file, b"ab"));
        assert!(!holds(&tmp.path().join("missing"), b""), "a missing file holds nothing");
    }

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
    #[cfg(unix)]
    fn a_manifest_that_is_a_link_is_refused_and_its_target_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere.txt");
        std::fs::write(&elsewhere, "keep").unwrap();
        let target = tmp.path().join("public");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&elsewhere, target.join(MANIFEST)).unwrap();
        assert!(matches!(Output::new(&target), Err(OutputError::Manifest { .. })));
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
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
    fn a_folder_of_its_own_files_becomes_a_file_and_back() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let output = Output::new(&target).unwrap();
        output.write("downloads/index.txt", b"in a folder").unwrap();
        output.write("downloads/sub/a.txt", b"deeper").unwrap();
        output.commit().unwrap();

        // A file of its own deleted by hand leaves an empty folder it wrote in.
        std::fs::remove_file(target.join("downloads/sub/a.txt")).unwrap();
        let output = Output::new(&target).unwrap();
        output.write("downloads", b"a file now").unwrap();
        output.commit().unwrap();
        assert_eq!(std::fs::read(target.join("downloads")).unwrap(), b"a file now");
        assert_eq!(files(&target), [MANIFEST, "downloads"]);

        let output = Output::new(&target).unwrap();
        output.write("downloads/index.txt", b"a folder again").unwrap();
        output.commit().unwrap();
        assert_eq!(files(&target), [MANIFEST, "downloads/index.txt"]);
    }

    #[test]
    fn a_folder_holding_someone_elses_or_edited_files_is_not_replaced_by_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let output = Output::new(&target).unwrap();
        output.write("downloads/index.txt", b"ours").unwrap();
        output.write("guide/index.html", b"ours too").unwrap();
        output.commit().unwrap();
        std::fs::write(target.join("downloads/notes.txt"), "mine").unwrap();
        std::fs::create_dir_all(target.join("downloads/drafts")).unwrap();
        std::fs::write(target.join("guide/index.html"), "edited by hand").unwrap();
        std::fs::create_dir_all(target.join("album/2024")).unwrap();
        std::fs::write(target.join("album/2024/a.jpg"), "a photo").unwrap();

        let output = Output::new(&target).unwrap();
        output.write("downloads", b"a file now").unwrap();
        output.write("guide", b"a file too").unwrap();
        output.write("album", b"and one more").unwrap();
        let err = output.commit().unwrap_err();
        let named = ["album", "downloads/drafts", "downloads/notes.txt", "guide/index.html"];
        assert!(matches!(&err, OutputError::Foreign { files, .. } if files == &named), "{err}");
        assert!(target.join("downloads/drafts").is_dir() && target.join("album/2024/a.jpg").is_file());
        assert_eq!(std::fs::read_to_string(target.join("downloads/notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(target.join("downloads/index.txt")).unwrap(), "ours");
        assert_eq!(std::fs::read_to_string(target.join("guide/index.html")).unwrap(), "edited by hand");

        // One of its files, edited, where a folder now goes.
        let output = Output::new(&target).unwrap();
        output.write("downloads/index.txt", b"ours").unwrap();
        output.write("guide/index.html", b"ours too").unwrap();
        output.write("page", b"a file").unwrap();
        output.commit().unwrap();
        std::fs::write(target.join("page"), "edited").unwrap();
        let output = Output::new(&target).unwrap();
        output.write("page/index.html", b"a page").unwrap();
        let err = output.commit().unwrap_err();
        assert!(matches!(&err, OutputError::Foreign { files, .. } if files == &["page"]), "{err}");
        assert_eq!(std::fs::read_to_string(target.join("page")).unwrap(), "edited");
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
    fn a_file_written_as_it_is_made_is_kept_only_while_its_bytes_are_the_same() {
        // Made in many small pieces, as a serializer writes.
        let made = |text: &'static str| {
            move |out: &mut dyn Write| text.split_inclusive(',').try_for_each(|piece| out.write_all(piece.as_bytes()))
        };
        let tmp = tempfile::tempdir().unwrap();
        let stamp = |p: &str| std::fs::metadata(tmp.path().join(p)).unwrap().modified().unwrap();
        let read = |p: &str| std::fs::read_to_string(tmp.path().join(p)).unwrap();
        let output = Output::new(tmp.path()).unwrap();
        let hash = output.write_with("index.json", &made("[1,2,3]")).unwrap();
        assert_eq!(hash, xxhash_rust::xxh3::xxh3_128(b"[1,2,3]"));
        output.commit().unwrap();
        assert_eq!(read("index.json"), "[1,2,3]");
        let first = stamp("index.json");
        std::thread::sleep(std::time::Duration::from_millis(20));

        let output = Output::new(tmp.path()).unwrap();
        output.write_with("index.json", &made("[1,2,3]")).unwrap();
        output.commit().unwrap();
        assert_eq!(stamp("index.json"), first, "the same bytes were written again");

        // Longer, shorter and different bytes of the same length are all written.
        for text in ["[1,2,3,4]", "[1,2]", "[1,2,5]", "[1,2,3]"] {
            let output = Output::new(tmp.path()).unwrap();
            output.write_with("index.json", &made(text)).unwrap();
            output.commit().unwrap();
            assert_eq!(read("index.json"), text);
        }
        assert_eq!(files(tmp.path()), [MANIFEST, "index.json"]);

        // A file edited by hand to other bytes of the same length is put right.
        std::fs::write(tmp.path().join("index.json"), "[9,9,9]").unwrap();
        let output = Output::new(tmp.path()).unwrap();
        output.write_with("index.json", &made("[1,2,3]")).unwrap();
        output.commit().unwrap();
        assert_eq!(read("index.json"), "[1,2,3]");
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
            delete: vec![("old/index.html".to_owned(), Entry { len: 3, hash: xxhash_rust::xxh3::xxh3_128(b"old") })],
        };
        std::fs::write(staging.join(JOURNAL), serde_json::to_vec(&journal).unwrap()).unwrap();
        // And one that died while rendering.
        std::fs::create_dir_all(tmp.path().join(format!("{STAGING_PREFIX}999998/x"))).unwrap();

        drop(Output::new(tmp.path()).unwrap());
        assert_eq!(files(tmp.path()), [MANIFEST, "new/index.html"]);
    }
}
