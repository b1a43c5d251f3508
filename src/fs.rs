//! Reading the creator's files without reading anything else.
//!
//! Every file shopfront reads or copies from a site comes through here, so
//! that one set of rules holds everywhere (`content/`, `static/`,
//! `templates/`, `themes/`, `locales/`, `profile.toml`):
//!
//! * **Only what is inside the site.** A symbolic link is followed only when
//!   where it leads is inside the site folder; one that leads out of it (to
//!   `~/.ssh/id_rsa`, `/proc/self/environ`, a CI runner's secrets) is an error
//!   naming the link and its target, the way Jekyll's safe mode refuses them.
//!   Loops are reported, never followed.
//! * **Only regular files.** A named pipe, socket or device would block a
//!   build forever or copy endless bytes: one met in a folder is skipped with
//!   a warning, never opened; one the site names (`profile.toml`, a locale
//!   file) is an error.
//! * **Hidden files and folders stay private.** Names starting with `.` and
//!   editors' temporary files are skipped, folders included (`.git/`,
//!   `.secrets/`), except what a [`Visibility`] lets through: `static/`'s
//!   `.well-known/` folder and the hidden files a site lists in
//!   `[site] include`.
//! * **File names are UTF-8.** Two names that are not would both become
//!   `�.png` in the output; such a name is an error.

use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, display_path};

/// The file that marks a folder as shopfront's output (see
/// `output::writer`); a link may not lead into such a folder.
pub const OUTPUT_MANIFEST: &str = ".shopfront-manifest";

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A short, plain description of an I/O error.
pub fn io_message(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => err.to_string(),
    }
}

/// Which hidden names a walk lets through.
#[derive(Debug, Clone, Copy, Default)]
pub enum Visibility<'a> {
    /// Nothing hidden (content, templates, themes).
    #[default]
    Private,
    /// A published folder: `.well-known/` at its top, `.nojekyll`, and the
    /// relative paths listed (a site's `[site] include`).
    Published(&'a [String]),
}

impl Visibility<'_> {
    fn lets_through(self, relative: &str, depth: usize) -> bool {
        match self {
            Self::Private => false,
            Self::Published(listed) => {
                (depth == 1 && matches!(relative, ".well-known" | ".nojekyll"))
                    || listed.iter().any(|l| {
                        let l = l.trim_matches('/');
                        l == relative || relative.strip_prefix(l).is_some_and(|rest| rest.starts_with('/'))
                    })
            }
        }
    }
}

/// Whether a file is an editor's temporary or swap file, or hidden.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".crdownload")
}

/// The site's folder under one name: its real path, or as given when it
/// has none. The caches know the site's files by path, so this keeps them
/// valid however the folder is written (`site`, `./site`, its full path,
/// `.` from inside it, a link to it).
pub fn site_folder(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// The site folder, resolved once, that every link must stay inside.
#[derive(Debug, Clone)]
pub struct SiteRoot {
    root: PathBuf,
    real: PathBuf,
}

impl SiteRoot {
    /// The site at `root` (as given, for messages).
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_path_buf(), real: site_folder(root) }
    }

    /// The site folder as given.
    pub fn path(&self) -> &Path {
        &self.root
    }

    fn shown(&self, path: &Path) -> PathBuf {
        display_path(&self.root, path)
    }

    /// Where `path` (a symbolic link, or under one) leads, when that is
    /// somewhere a link may not lead; `Err` when it leads nowhere.
    fn forbidden_target(&self, path: &Path) -> io::Result<Option<Forbidden>> {
        let target = path.canonicalize()?;
        let Ok(inside) = target.strip_prefix(&self.real) else { return Ok(Some(Forbidden::Outside(target))) };
        // A link may not reach what the site keeps private (`.git/config`,
        // `.env`) or what it builds (a link into the output would copy the
        // site into itself, one level deeper at each build).
        if inside.components().any(|c| is_ignored_name(&c.as_os_str().to_string_lossy())) {
            return Ok(Some(Forbidden::Hidden(target)));
        }
        let mut folder = self.real.clone();
        for component in inside.components() {
            folder.push(component);
            if folder.join(OUTPUT_MANIFEST).is_file() {
                return Ok(Some(Forbidden::Output(target)));
            }
        }
        Ok(None)
    }

    /// The error for a link at `path` (or under a linked folder) that leads
    /// somewhere it may not, or nowhere.
    fn check_link(&self, path: &Path) -> Result<(), Box<Diagnostic>> {
        let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if !linked && !self.has_linked_parent(path) {
            return Ok(());
        }
        match self.forbidden_target(path) {
            Ok(None) => Ok(()),
            Ok(Some(forbidden)) => Err(Box::new(forbidden.diagnostic(&self.shown(path), path))),
            Err(err) => Err(Box::new(
                Diagnostic::error(Code::Read, format!("cannot read: a broken symbolic link ({})", io_message(&err)))
                    .at(self.shown(path)),
            )),
        }
    }

    /// Checks one file the site names directly (`profile.toml`, a locale
    /// file, a post, a file `serve` is about to send): any link leads
    /// inside the site, and it is a regular file. Returns its size.
    pub fn check_file(&self, path: &Path) -> Result<u64, Box<Diagnostic>> {
        let shown = self.shown(path);
        std::fs::symlink_metadata(path).map_err(|err| Box::new(not_readable(&shown, &err)))?;
        self.check_link(path)?;
        let meta = std::fs::metadata(path).map_err(|err| Box::new(not_readable(&shown, &err)))?;
        if !meta.is_file() {
            return Err(Box::new(not_regular(&shown, &meta)));
        }
        Ok(meta.len())
    }

    /// Checks that a folder the site names (a local theme) is inside the site.
    pub fn check_dir(&self, path: &Path) -> Result<(), Box<Diagnostic>> {
        self.check_link(path)
    }

    /// Whether a folder between the site and `path` is itself a link.
    fn has_linked_parent(&self, path: &Path) -> bool {
        path.strip_prefix(&self.root).map_or(true, |relative| linked_folder(&self.root, relative))
    }

    /// Reads a file the site names directly, after [`Self::check_file`];
    /// larger than `limit` bytes is an error.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Box<Diagnostic>> {
        let size = self.check_file(path)?;
        let shown = self.shown(path);
        if size > limit {
            return Err(Box::new(
                Diagnostic::error(Code::Read, format!("file is {} MiB; the limit is {} MiB", size >> 20, limit >> 20))
                    .at(shown),
            ));
        }
        std::fs::read(path).map_err(|err| Box::new(not_readable(&shown, &err)))
    }

    /// Every regular file below `dir` as (relative `/` path, path), sorted;
    /// what breaks the rules above is reported and left out.
    pub fn walk(&self, dir: &Path, visibility: Visibility<'_>) -> Walk {
        let mut walk = Walk::default();
        if !dir.is_dir() {
            if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) && !dir.exists() {
                walk.errors.push(
                    Diagnostic::error(Code::Read, "cannot read: a broken symbolic link (it leads nowhere)")
                        .at(self.shown(dir)),
                );
            }
            return walk;
        }
        let errors = std::cell::RefCell::new(Vec::new());
        let walker =
            walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|entry| {
                let relative = entry.path().strip_prefix(dir).map(slash_path).unwrap_or_default();
                if entry.depth() > 0 {
                    let name = entry.file_name().to_string_lossy();
                    if is_ignored_name(&name) && !visibility.lets_through(&relative, entry.depth()) {
                        return false;
                    }
                }
                if entry.path_is_symlink() || (entry.depth() == 0 && self.has_linked_parent(entry.path())) {
                    match self.forbidden_target(entry.path()) {
                        Ok(None) => {}
                        Ok(Some(forbidden)) => {
                            errors.borrow_mut().push(forbidden.diagnostic(&self.shown(entry.path()), entry.path()));
                            return false;
                        }
                        // Dangling: walkdir reports it below.
                        Err(_) => {}
                    }
                }
                true
            });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    let shown = self.shown(entry.path());
                    let Ok(relative) = entry.path().strip_prefix(dir) else { continue };
                    if relative.to_str().is_none() {
                        walk.errors.push(
                            Diagnostic::error(
                                Code::FileName,
                                format!("the name of {} is not valid UTF-8", shown.display()),
                            )
                            .at(&shown)
                            .with_hint("rename the file; names that are not UTF-8 cannot be told apart on the web"),
                        );
                        continue;
                    }
                    if !entry.file_type().is_file() {
                        match entry.metadata() {
                            Ok(meta) => walk.errors.push(special_file_skipped(&shown, &meta)),
                            // Gone between the listing and the look (a save in progress
                            // under `serve`): not there, so nothing to build.
                            Err(err) if vanished(&err) => {}
                            Err(err) => walk.errors.push(walk_error(&self.root, &err)),
                        }
                        continue;
                    }
                    walk.files.push((slash_path(relative), entry.into_path()));
                }
                // Gone between the listing and the look (a save in progress
                // under `serve`): not there, so nothing to build.
                Err(err) if vanished(&err) => {}
                Err(err) => walk.errors.push(walk_error(&self.root, &err)),
            }
        }
        walk.errors.extend(errors.into_inner());
        walk
    }
}

/// Whether a folder between `root` and `root/relative` (the last part not
/// counted) is a symbolic link.
pub fn linked_folder(root: &Path, relative: &Path) -> bool {
    let mut at = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            return false;
        }
        at.push(component);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return true;
        }
    }
    false
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// (relative `/` path, path), sorted.
    pub files: Vec<(String, PathBuf)>,
    /// Links out of the site, loops, unreadable folders (errors), and
    /// special files skipped (warnings).
    pub errors: Vec<Diagnostic>,
}

impl Walk {
    /// The files, or every error found (warnings are dropped: the walk's
    /// owner that reports them uses [`Self::files`] and [`Self::errors`]).
    pub fn into_result(self) -> Result<Vec<(String, PathBuf)>, Vec<Diagnostic>> {
        if self.errors.iter().any(Diagnostic::is_error) { Err(self.errors) } else { Ok(self.files) }
    }
}

/// A path relative to a folder, with `/` between its parts.
pub fn slash_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// A `/`-separated path with its `.` and `..` segments resolved and no
/// leading `/`: `a/./b/../c.css` is `a/c.css`. A `..` at the top stays at
/// the top, as a browser resolves a URL path.
pub fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Where a link may not lead.
enum Forbidden {
    /// Out of the site folder.
    Outside(PathBuf),
    /// To a hidden file or folder of the site.
    Hidden(PathBuf),
    /// Into the output folder.
    Output(PathBuf),
}

impl Forbidden {
    fn diagnostic(&self, shown: &Path, link: &Path) -> Diagnostic {
        let (target, place, hint) = match self {
            Self::Outside(target) => (
                target,
                "outside the site folder",
                "copy the file into the site if it belongs there, or remove the link",
            ),
            Self::Hidden(target) => (
                target,
                "a hidden file or folder of the site, which is never published",
                "link to a file that is not hidden, or remove the link",
            ),
            Self::Output(target) => (
                target,
                "the output folder, which the build itself writes",
                "link to the file in the site's sources instead, or remove the link",
            ),
        };
        let first = std::fs::read_link(link).unwrap_or_else(|_| target.clone());
        let leads = if first == *target {
            target.display().to_string()
        } else {
            format!("{} ({})", first.display(), target.display())
        };
        Diagnostic::error(
            Code::Symlink,
            format!("{} is a symbolic link to {leads}, {place}; it is not published", shown.display()),
        )
        .at(shown)
        .with_hint(hint)
    }
}

// What the output folder and the caches share.

/// How many bytes the checksum at the end of a cache file takes ([`checked`]).
pub(crate) const CHECKSUM: usize = 16;

/// The bytes of a cache file before its checksum, and their hash, when its
/// last [`CHECKSUM`] bytes are their xxh3-128 hash (little-endian): a
/// damaged file, even one that still parses, is not read.
pub(crate) fn checked(bytes: &[u8]) -> Option<(&[u8], u128)> {
    let (body, checksum) = bytes.split_at(bytes.len().checked_sub(CHECKSUM)?);
    let hash = xxhash_rust::xxh3::xxh3_128(body);
    (hash.to_le_bytes() == checksum).then_some((body, hash))
}

/// Appends to `bytes` the checksum [`checked`] looks for; returns their hash.
pub(crate) fn append_checksum(bytes: &mut Vec<u8>) -> u128 {
    let hash = xxhash_rust::xxh3::xxh3_128(bytes);
    bytes.extend_from_slice(&hash.to_le_bytes());
    hash
}

/// A writer that hashes (xxh3-128) and counts what goes through it: the
/// output's files as its manifest records them, the post cache's shards.
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
}

impl<W: io::Write> Hashing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self { inner, hasher: xxhash_rust::xxh3::Xxh3::new(), len: 0 }
    }

    /// How many bytes were written.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The hash of all that was written.
    pub(crate) fn hash(&self) -> u128 {
        self.hasher.digest128()
    }

    /// The writer it writes to.
    pub(crate) fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The writer it wrote to.
    pub(crate) fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Opens `path` for reading if it is a regular file: never waits on a
/// named pipe put in its place (the open does not block, and anything but
/// a regular file is refused), as a cache or output file may be replaced
/// by anything.
pub(crate) fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // A regular file ignores the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"))
    }
}

/// The bytes of the regular file at `path` ([`open_regular`]).
pub(crate) fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    use io::Read as _;
    let mut file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether process `pid` is alive (this one always is; so is every
/// process where that cannot be asked).
pub(crate) fn is_running(pid: u32) -> bool {
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

/// A special file met in a folder: skipped (never opened), with a warning,
/// so that a stray pipe does not stop a build or a preview.
fn special_file_skipped(shown: &Path, meta: &std::fs::Metadata) -> Diagnostic {
    Diagnostic::warning(
        Code::SpecialFile,
        format!("{} is {}, not a regular file; skipped", shown.display(), describe(meta)),
    )
    .at(shown)
    .with_hint("only regular files are read or copied; remove it or replace it with a file")
}

fn not_regular(shown: &Path, meta: &std::fs::Metadata) -> Diagnostic {
    Diagnostic::error(Code::Read, format!("{} is {}, not a regular file", shown.display(), describe(meta)))
        .at(shown)
        .with_hint("only regular files are read or copied; remove it or replace it with a file")
}

fn describe(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() { "a folder" } else { "a special file" }
}

fn not_readable(shown: &Path, err: &io::Error) -> Diagnostic {
    Diagnostic::error(Code::Read, format!("cannot read: {}", io_message(err))).at(shown)
}

/// Whether a walk error is a file that is simply no longer there (not a
/// link that leads nowhere, which is the creator's to fix).
fn vanished(err: &walkdir::Error) -> bool {
    err.io_error().is_some_and(|io| io.kind() == io::ErrorKind::NotFound)
        && err.path().is_some_and(|p| p.symlink_metadata().is_err())
}

fn walk_error(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().map(|p| display_path(root, p));
    let message = if let Some(ancestor) = err.loop_ancestor() {
        let shown = display_path(root, ancestor);
        // A link back to the site's own folder has no name inside it: show where that is.
        let shown = if shown.as_os_str().is_empty() { ancestor } else { &shown };
        format!("symbolic link loop: it leads back to {}, a folder that holds it", shown.display())
    } else if let Some(io) = err.io_error() {
        if io.kind() == io::ErrorKind::NotFound && err.path().is_some_and(|p| p.symlink_metadata().is_ok()) {
            "cannot read: a broken symbolic link (it leads nowhere)".to_owned()
        } else {
            format!("cannot read: {}", io_message(io))
        }
    } else {
        err.to_string()
    };
    let diagnostic = Diagnostic::error(Code::Read, message);
    match path {
        Some(path) => diagnostic.at(path),
        None => diagnostic,
    }
}
