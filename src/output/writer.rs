//! Writing the site so that a failed build loses nothing.
//!
//! Files go into a staging folder next to the output (`.public.staging-PID`).
//! Only when every page has rendered is the old output moved aside, the
//! staging folder renamed into its place, and the old one deleted. If
//! anything fails, the staging folder is removed and the previous output is
//! untouched. Every relative path is checked to stay inside the folder.

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Where output is written while a build runs.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    created_dirs: Mutex<HashSet<PathBuf>>,
    committed: bool,
}

/// Why the output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Input/output failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A path would leave the output folder.
    #[error("refusing to write `{0}`: it would leave the output folder")]
    Escapes(String),
    /// The output folder holds something that is not a built site.
    #[error("refusing to replace {}: it is not empty and does not look like a built site (no index.html); choose another --output", .0.display())]
    NotASite(PathBuf),
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io { action, path: path.to_path_buf(), source }
}

impl Staging {
    /// Prepares a staging folder for `target`.
    pub fn new(target: &Path) -> Result<Self, OutputError> {
        if target.is_dir() && !looks_replaceable(target) {
            return Err(OutputError::NotASite(target.to_path_buf()));
        }
        if target.exists() && !target.is_dir() {
            return Err(OutputError::NotASite(target.to_path_buf()));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_err("cannot create", &parent))?;
        let name = target.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_err("cannot clear", &dir))?;
        }
        std::fs::create_dir(&dir).map_err(io_err("cannot create", &dir))?;
        Ok(Self { dir, target: target.to_path_buf(), created_dirs: Mutex::new(HashSet::new()), committed: false })
    }

    /// The staging folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `relative` lands, refusing anything that leaves the folder.
    pub fn path_of(&self, relative: &str) -> Result<PathBuf, OutputError> {
        let rel = Path::new(relative);
        let clean = !relative.is_empty()
            && !relative.contains('\\')
            && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !clean {
            return Err(OutputError::Escapes(relative.to_owned()));
        }
        Ok(self.dir.join(rel))
    }

    fn ensure_parent(&self, path: &Path) -> Result<(), OutputError> {
        let Some(parent) = path.parent() else { return Ok(()) };
        if parent == self.dir {
            return Ok(());
        }
        {
            let known = self.created_dirs.lock().unwrap_or_else(|e| e.into_inner());
            if known.contains(parent) {
                return Ok(());
            }
        }
        std::fs::create_dir_all(parent).map_err(io_err("cannot create", parent))?;
        self.created_dirs.lock().unwrap_or_else(|e| e.into_inner()).insert(parent.to_path_buf());
        Ok(())
    }

    /// Writes a file at a relative path.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.path_of(relative)?;
        self.ensure_parent(&path)?;
        std::fs::write(&path, bytes).map_err(io_err("cannot write", &path))
    }

    /// Copies a file to a relative path.
    pub fn copy(&self, from: &Path, relative: &str) -> Result<(), OutputError> {
        let path = self.path_of(relative)?;
        self.ensure_parent(&path)?;
        std::fs::copy(from, &path).map(|_| ()).map_err(io_err("cannot copy", from))
    }

    /// Swaps the staging folder in as the output.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let old = self.dir.with_file_name(format!(
            ".{}.old-{}",
            self.target.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy()),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(io_err("cannot clear", &old))?;
            }
            std::fs::rename(&self.target, &old).map_err(io_err("cannot move aside", &self.target))?;
        }
        if let Err(source) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous site back; the error is what matters.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(OutputError::Io { action: "cannot move into place", path: self.target.clone(), source });
        }
        self.committed = true;
        if had_old {
            // The new site is in place; a leftover old copy is only clutter.
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// An output folder may be replaced when it is empty or holds a built site.
fn looks_replaceable(dir: &Path) -> bool {
    let Ok(mut entries) = std::fs::read_dir(dir) else { return false };
    let empty = entries.next().is_none();
    empty || dir.join("index.html").is_file() || dir.join("sitemap.xml").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::new(&tmp.path().join("public")).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\..\\b", "./a"] {
            assert!(staging.path_of(bad).is_err(), "{bad}");
        }
        assert!(staging.path_of("posts/a/index.html").is_ok());
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let staging = Staging::new(&target).unwrap();
        staging.write("index.html", b"one").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");

        let staging = Staging::new(&target).unwrap();
        staging.write("index.html", b"two").unwrap();
        drop(staging);
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"one");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folder left behind");
    }

    #[test]
    fn refuses_to_replace_a_folder_that_is_not_a_site() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(Staging::new(tmp.path()), Err(OutputError::NotASite(_))));
    }
}
