//! The image cache: every variant shopfront has encoded, by a key of the
//! source's bytes and everything that shapes the result (width, crop,
//! format, quality, the encoder's version). `build` and `serve` share it
//! (`ROOT/.shopfront/cache/images/`), so an unchanged image is never
//! processed twice. An entry ends with a checksum of its bytes: one that
//! does not match (a crash mid-write, a damaged disk) is rebuilt, never
//! served. Entries a build did not use and that nothing used for
//! [`STALE_AFTER`] are pruned.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where the cache lives, under the site root.
pub const DIR: &str = ".shopfront/cache/images";

/// How long an unused entry is kept: long enough for a theme switched back
/// or a draft built again, short enough that the cache follows the site.
pub const STALE_AFTER: Duration = Duration::from_secs(14 * 24 * 3600);

/// What the cache knows without reading an image: each source's content
/// hash and header by its path, length, modification time and (on Unix)
/// status-change time, and each variant's length and hash by its key. A
/// rebuild with nothing changed reads neither the originals nor the
/// variants (see `Output::keep`).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Index {
    /// [`INDEX_VERSION`] when written; an index of another is not read.
    #[serde(default)]
    pub version: u32,
    /// `path|length|modified|changed` → what the file is.
    pub sources: std::collections::BTreeMap<String, SourceRecord>,
    /// Variant key → `[length, hash]` of its bytes.
    pub variants: std::collections::BTreeMap<String, (u64, String)>,
}

/// A source image, as the index remembers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceRecord {
    /// Its content hash (hex).
    pub hash: String,
    /// Width as shown.
    pub width: u32,
    /// Height as shown.
    pub height: u32,
    /// Whether it has transparency.
    pub alpha: bool,
}

const INDEX: &str = "index.json";
/// Bumped whenever what a record means changes (2: an SVG's size is the
/// one it declares, no longer a link preview's).
const INDEX_VERSION: u32 = 2;
/// Touched by each prune: a build with nothing new prunes at most daily.
const PRUNED: &str = ".pruned";
/// How often a build with nothing new still prunes.
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
}

impl Cache {
    /// The cache of the site at `root`.
    pub fn new(root: &Path) -> Self {
        Self { dir: Some(root.join(DIR)) }
    }

    /// A cache that keeps nothing (`check`, tests).
    pub fn none() -> Self {
        Self { dir: None }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|dir| dir.join(&key[..2]).join(key))
    }

    /// The bytes stored under `key`, if they are whole, with their hash
    /// (checked against the entry's checksum). Reading one marks it used.
    pub fn get(&self, key: &str) -> Option<(Vec<u8>, u128)> {
        let path = self.path(key)?;
        let mut bytes = crate::fs::read_regular(&path).ok()?;
        let (body, hash) = crate::fs::checked(&bytes).map(|(body, hash)| (body.len(), hash))?;
        bytes.truncate(body);
        if let Ok(file) = std::fs::File::options().append(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        Some((bytes, hash))
    }

    /// Stores `bytes` under `key` and returns their hash. A cache that
    /// cannot be written (a read-only site) only costs the next build the
    /// work again.
    pub fn put(&self, key: &str, bytes: &[u8]) -> u128 {
        let mut whole = Vec::with_capacity(bytes.len() + crate::fs::CHECKSUM);
        whole.extend_from_slice(bytes);
        let hash = crate::fs::append_checksum(&mut whole);
        let Some(path) = self.path(key) else { return hash };
        let Some(parent) = path.parent() else { return hash };
        if std::fs::create_dir_all(parent).is_err() {
            return hash;
        }
        let temporary = parent.join(format!(".{key}.{}.tmp", std::process::id()));
        if std::fs::write(&temporary, &whole).is_err() || std::fs::rename(&temporary, &path).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        hash
    }

    /// The index, or an empty one (none yet, or unreadable: it is only a shortcut).
    pub fn load_index(&self) -> Index {
        self.dir
            .as_ref()
            .and_then(|dir| crate::fs::read_regular(&dir.join(INDEX)).ok())
            .and_then(|bytes| serde_json::from_slice::<Index>(crate::fs::checked(&bytes)?.0).ok())
            .filter(|index| index.version == INDEX_VERSION)
            .unwrap_or_default()
    }

    /// Writes `index`, keeping only what refers to an entry still stored,
    /// followed by its checksum ([`crate::fs::checked`]).
    pub fn save_index(&self, index: &Index) {
        let Some(dir) = &self.dir else { return };
        let mut kept = index.clone();
        kept.version = INDEX_VERSION;
        kept.variants.retain(|key, _| self.path(key).is_some_and(|p| p.is_file()));
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(mut json) = serde_json::to_vec(&kept) else { return };
        crate::fs::append_checksum(&mut json);
        let temporary = dir.join(format!(".{INDEX}.{}.tmp", std::process::id()));
        if std::fs::write(&temporary, json).is_err() || std::fs::rename(&temporary, dir.join(INDEX)).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    /// Whether the last prune was more than a day ago (or never).
    pub fn prune_due(&self) -> bool {
        let Some(dir) = &self.dir else { return false };
        std::fs::metadata(dir.join(PRUNED))
            .and_then(|m| m.modified())
            .map_or(true, |at| SystemTime::now().duration_since(at).unwrap_or_default() > PRUNE_EVERY)
    }

    /// Deletes entries not in `used` that nothing has read for [`STALE_AFTER`].
    pub fn prune(&self, used: &rustc_hash::FxHashSet<String>) {
        let Some(dir) = &self.dir else { return };
        if dir.is_dir() {
            let _ = std::fs::write(dir.join(PRUNED), b"");
        }
        let Ok(shards) = std::fs::read_dir(dir) else { return };
        let now = SystemTime::now();
        for shard in shards.filter_map(Result::ok).filter(|s| s.path().is_dir()) {
            let Ok(entries) = std::fs::read_dir(shard.path()) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|at| now.duration_since(at).unwrap_or_default() > STALE_AFTER);
                if !used.contains(&name) && (old || name.ends_with(".tmp")) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prune_is_due_daily() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        assert!(cache.prune_due(), "never pruned");
        std::fs::create_dir_all(dir.path().join(DIR)).unwrap();
        cache.prune(&Default::default());
        assert!(!cache.prune_due(), "just pruned");
        let marker = std::fs::File::options().write(true).open(dir.path().join(DIR).join(PRUNED)).unwrap();
        marker.set_modified(SystemTime::now() - PRUNE_EVERY - Duration::from_secs(60)).unwrap();
        assert!(cache.prune_due(), "pruned over a day ago");
    }

    /// A cache whose index knows one source, and that source's record.
    fn indexed(dir: &Path) -> (Cache, SourceRecord) {
        let cache = Cache::new(dir);
        let record = SourceRecord { hash: "ab".repeat(16), width: 40, height: 30, alpha: true };
        let mut index = Index::default();
        index.sources.insert("images/a.svg|115|1".to_owned(), record.clone());
        cache.save_index(&index);
        (cache, record)
    }

    #[test]
    fn an_index_written_by_another_version_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, record) = indexed(dir.path());
        assert_eq!(cache.load_index().sources.get("images/a.svg|115|1"), Some(&record));
        // As versions before 2 wrote it, with a link preview's size for an SVG.
        let mut old =
            r#"{"sources":{"images/a.svg|115|1":{"hash":"ab","width":1200,"height":630,"alpha":true}},"variants":{}}"#
                .as_bytes()
                .to_vec();
        crate::fs::append_checksum(&mut old);
        std::fs::write(dir.path().join(DIR).join(INDEX), old).unwrap();
        assert!(cache.load_index().sources.is_empty());
    }

    #[test]
    fn an_index_edited_since_it_was_written_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, _) = indexed(dir.path());
        let file = dir.path().join(DIR).join(INDEX);
        let bytes = std::fs::read(&file).unwrap();
        let at = bytes.windows(32).position(|w| w == "ab".repeat(16).as_bytes()).unwrap();
        // Still valid JSON, another picture's hash.
        let edited = [&bytes[..at], "cd".repeat(16).as_bytes(), &bytes[at + 32..]].concat();
        std::fs::write(&file, edited).unwrap();
        assert!(cache.load_index().sources.is_empty());
    }

    #[test]
    fn an_entry_comes_back_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = "ab0123456789";
        assert_eq!(cache.get(key), None);
        let hash = cache.put(key, b"encoded image");
        assert_eq!(cache.get(key), Some((b"encoded image".to_vec(), hash)));
        // Damaged on disk: not served.
        let path = dir.path().join(DIR).join("ab").join(key);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[3] ^= 0xFF;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.get(key), None);
        std::fs::write(&path, b"short").unwrap();
        assert_eq!(cache.get(key), None);
    }

    #[test]
    fn pruning_keeps_what_was_used_and_what_is_recent() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        cache.put("aa-used", b"1");
        cache.put("bb-recent", b"2");
        cache.put("cc-stale", b"3");
        let stale = dir.path().join(DIR).join("cc").join("cc-stale");
        let long_ago = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        std::fs::File::options().append(true).open(&stale).unwrap().set_modified(long_ago).unwrap();
        let used_one = dir.path().join(DIR).join("aa").join("aa-used");
        std::fs::File::options().append(true).open(&used_one).unwrap().set_modified(long_ago).unwrap();
        cache.prune(&["aa-used".to_owned()].into_iter().collect());
        assert!(cache.get("aa-used").is_some());
        assert!(cache.get("bb-recent").is_some());
        assert!(!stale.exists());
    }
}
