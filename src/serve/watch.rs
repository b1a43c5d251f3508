//! Which file changes `serve --watch` reacts to.
//!
//! The watcher (native events, or polling with `--poll`) reports batches of
//! paths after a short quiet period, so an editor's write-temp-then-rename
//! save arrives as one batch. Editor temp and swap files are dropped here.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, FileIdMap, new_debouncer_opt};

/// The folders a rebuild depends on, below the site root.
pub const WATCHED_DIRS: [&str; 6] = ["content", "static", "templates", "themes", "locales", "data"];

/// How long the file system must be quiet before a batch is reported.
const QUIET: Duration = Duration::from_millis(10);
/// How often `--poll` scans.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// One debounced batch of changes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Every path that changed, temp files left out.
    pub paths: Vec<PathBuf>,
    /// The watcher lost track (its queue overflowed): check every file.
    pub rescan: bool,
}

/// Whether `path` is an editor's temporary, backup or swap file, or an
/// operating system's bookkeeping file.
pub fn is_noise(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".swpx", ".tmp", ".temp", ".crswap", ".part", ".kate-swp", ".bak"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
        || name.contains("___jb_")
        || name.starts_with(".goutputstream-")
        || name.starts_with(".~lock.")
        || name == "4913"
        || name == ".DS_Store"
        || name == "Thumbs.db"
}

/// Whether a change at `path` matters to the site at `root`.
fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = relative.components();
    match parts.next().and_then(|c| c.as_os_str().to_str()) {
        Some(crate::profile::FILE_NAME) => parts.next().is_none(),
        Some(dir) => WATCHED_DIRS.contains(&dir) && !is_noise(path),
        None => false,
    }
}

/// Sorts one debounced batch into [`Changes`]; `None` when nothing relevant changed.
pub fn classify(root: &Path, events: &[DebouncedEvent]) -> Option<Changes> {
    let mut changes = Changes::default();
    for event in events {
        if event.need_rescan() {
            changes.rescan = true;
            continue;
        }
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        let relevant: Vec<&PathBuf> = event.paths.iter().filter(|p| is_relevant(root, p)).collect();
        if relevant.is_empty() {
            continue;
        }
        changes.paths.extend(relevant.into_iter().cloned());
    }
    changes.paths.sort();
    changes.paths.dedup();
    (changes.rescan || !changes.paths.is_empty()).then_some(changes)
}

/// A running watcher; dropping it stops it.
pub struct Watcher {
    inner: Box<dyn WatchDirs + Send>,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

trait WatchDirs {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()>;
}

impl<T: notify::Watcher> WatchDirs for Debouncer<T, FileIdMap> {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        Debouncer::watch(self, path, mode)
    }
}

impl Watcher {
    /// Watches the site at `root`, sending each relevant batch to `changes`
    /// (and every watcher error as text to `errors`).
    pub fn start(root: &Path, poll: bool, changes: Sender<Changes>, errors: Sender<String>) -> notify::Result<Self> {
        let root_for_handler = root.to_path_buf();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                if let Some(found) = classify(&root_for_handler, &events) {
                    let _ = changes.send(found);
                }
            }
            Err(problems) => {
                for problem in problems {
                    let _ = errors.send(problem.to_string());
                }
            }
        };
        let inner: Box<dyn WatchDirs + Send> = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(false);
            Box::new(new_debouncer_opt::<_, notify::PollWatcher, _>(QUIET, None, handler, FileIdMap::new(), config)?)
        } else {
            Box::new(new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
                QUIET,
                None,
                handler,
                FileIdMap::new(),
                notify::Config::default(),
            )?)
        };
        let mut watcher = Self { inner, root: root.to_path_buf(), watched: Vec::new() };
        // The root itself, not recursively: profile.toml (replaced by atomic
        // saves, so watched through its folder) and folders created later.
        watcher.inner.watch(root, RecursiveMode::NonRecursive)?;
        watcher.watch_new_dirs();
        Ok(watcher)
    }

    /// Starts watching any of [`WATCHED_DIRS`] that exists now and was not
    /// watched yet (a site may create `templates/` while serving).
    pub fn watch_new_dirs(&mut self) {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            if !self.watched.contains(&path)
                && path.is_dir()
                && self.inner.watch(&path, RecursiveMode::Recursive).is_ok()
            {
                self.watched.push(path);
            }
        }
        // A watched folder that was deleted must be watched again once it is back.
        self.watched.retain(|path| path.is_dir());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode};
    use std::time::Instant;

    fn event(kind: EventKind, paths: &[&str]) -> DebouncedEvent {
        let mut event = notify::Event::new(kind);
        event.paths = paths.iter().map(PathBuf::from).collect();
        DebouncedEvent::new(event, Instant::now())
    }

    #[test]
    fn editor_temp_files_are_noise() {
        for name in [
            "post.md~",
            ".post.md.swp",
            ".post.md.swx",
            "#post.md#",
            ".#post.md",
            "4913",
            "post.md.tmp",
            "x.md___jb_tmp___",
        ] {
            assert!(is_noise(Path::new(name)), "{name}");
        }
        for name in ["post.md", "profile.toml", "style.css", "swp.md"] {
            assert!(!is_noise(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn an_atomic_save_is_one_edit_of_the_post() {
        let root = Path::new("/site");
        let events = [
            event(EventKind::Create(CreateKind::File), &["/site/content/posts/.a.md.swp"]),
            event(EventKind::Modify(ModifyKind::Data(DataChange::Any)), &["/site/content/posts/a.md.tmp"]),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/site/content/posts/a.md.tmp", "/site/content/posts/a.md"],
            ),
        ];
        let changes = classify(root, &events).expect("a change");
        assert_eq!(changes.paths, [PathBuf::from("/site/content/posts/a.md")]);
    }

    #[test]
    fn only_the_site_inputs_count() {
        let root = Path::new("/site");
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert_eq!(classify(root, &[event(modify, &["/site/public/index.html"])]), None);
        assert_eq!(classify(root, &[event(modify, &["/site/notes.txt"])]), None);
        assert_eq!(
            classify(root, &[event(EventKind::Access(notify::event::AccessKind::Any), &["/site/content/a.md"])]),
            None
        );
        for path in ["/site/profile.toml", "/site/templates/post.html", "/site/static/x.css", "/site/themes/t/a.html"] {
            assert_eq!(classify(root, &[event(modify, &[path])]).expect(path).paths, [PathBuf::from(path)]);
        }
        let deleted = classify(root, &[event(EventKind::Remove(RemoveKind::File), &["/site/content/posts/a.md"])]);
        assert_eq!(deleted.expect("delete").paths, [PathBuf::from("/site/content/posts/a.md")]);
    }
}
