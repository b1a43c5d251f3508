//! The page cache: what each page of the last build was made from and what
//! it became, so that a rebuild renders only the pages that change.
//!
//! A page's key hashes everything it is rendered from: its template and
//! context, the templates and values every page shares, the image library's
//! state, the stylesheets the disclosure check reads, the options and the
//! shopfront binary itself ([`crate::render::PageInput::key`], combined
//! with the build's fingerprint). The cache keeps, per output file, the key
//! and the length and hash of the bytes the page became, and what it asked
//! of the image library. When a rebuild works out the same key for a page
//! and the output still holds those very bytes in a file shopfront wrote
//! ([`Sink::keep`]: a hand edit is put right), the page is not
//! rendered, rewritten or checked again: the same inputs made those bytes
//! and they passed the same checks. Every other page is rendered as in a
//! clean build.
//!
//! It lives in `ROOT/.shopfront/cache/pages.json` and is written only after
//! a build has committed, so it never describes an output that was not
//! published. A missing, damaged or foreign file means every page is
//! rendered; nothing is ever taken from it that the output does not hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Sink;
use super::writer::hex128;
use crate::images::Uses;

/// Where the cache lives, under the site root.
pub const FILE: &str = ".shopfront/cache/pages.json";

/// Bumped whenever what a key covers changes.
const VERSION: u32 = 1;

/// One page as the last build made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedPage {
    /// What it was made from.
    #[serde(with = "hex128")]
    pub key: u128,
    /// The length of its bytes.
    pub len: u64,
    /// The hash of its bytes, as the output manifest has it.
    #[serde(with = "hex128")]
    pub hash: u128,
    /// What it asked of the image library.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub images: Uses,
}

fn is_empty(uses: &Uses) -> bool {
    *uses == Uses::default()
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    pages: BTreeMap<String, CachedPage>,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct PageCache {
    /// Where it is stored; `None` keeps nothing (`check`).
    file: Option<PathBuf>,
    previous: FxHashMap<String, CachedPage>,
    current: Mutex<Vec<(String, CachedPage)>>,
}

impl PageCache {
    /// The cache of the site at `root`, as the last build left it.
    pub fn load(root: &Path) -> Self {
        let file = root.join(FILE);
        let stored = crate::fs::read_regular(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.version == VERSION)
            .unwrap_or_default();
        Self { file: Some(file), previous: stored.pages.into_iter().collect(), current: Mutex::default() }
    }

    /// A cache that remembers nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// The page at output path `file` made from `key`, when the last build
    /// made it from the same key and `sink` still holds its bytes
    /// untouched: then it is kept there and recorded, and its image uses
    /// are returned. `None`: render it.
    pub fn reuse(&self, file: &str, key: u128, sink: &dyn Sink) -> Option<Uses> {
        let cached = self.previous.get(file).filter(|cached| cached.key == key)?;
        if !sink.keep(file, cached.len, cached.hash) {
            return None;
        }
        self.record(file, cached.clone());
        Some(cached.images.clone())
    }

    /// Records what the page at `file` was made from and became.
    pub fn record(&self, file: &str, page: CachedPage) {
        if self.file.is_some() {
            self.current.lock().unwrap_or_else(|e| e.into_inner()).push((file.to_owned(), page));
        }
    }

    /// Stores the pages recorded by this build, replacing the last build's
    /// (unless they are the same). Call it only once the build has
    /// committed. A cache that cannot be written only costs the next build
    /// time.
    pub fn save(self) {
        let Some(file) = self.file else { return };
        let pages: BTreeMap<String, CachedPage> =
            self.current.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().collect();
        // The very cache it was loaded from: left as it is.
        if !pages.is_empty()
            && pages.len() == self.previous.len()
            && pages.iter().all(|(path, page)| self.previous.get(path) == Some(page))
        {
            return;
        }
        let Ok(json) = serde_json::to_vec(&Stored { version: VERSION, pages }) else { return };
        let Some(dir) = file.parent() else { return };
        let temporary = dir.join(format!(".pages.json.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir).is_ok()
            && std::fs::write(&temporary, json).is_ok()
            && std::fs::rename(&temporary, &file).is_ok();
        if !written {
            let _ = std::fs::remove_file(&temporary);
            let _ = std::fs::remove_file(&file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink holding one file with known bytes.
    struct Holding(&'static str, u64, u128);

    impl Sink for Holding {
        fn write(&self, _: &str, _: &[u8]) -> Result<u128, super::super::OutputError> {
            Ok(0)
        }

        fn keep(&self, relative: &str, len: u64, hash: u128) -> bool {
            (relative, len, hash) == (self.0, self.1, self.2)
        }
    }

    #[test]
    fn a_page_is_reused_only_with_its_key_and_its_bytes_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let page = CachedPage { key: 7, len: 10, hash: 99, images: Uses::default() };
        let first = PageCache::load(dir.path());
        first.record("index.html", page.clone());
        first.save();
        let cache = PageCache::load(dir.path());
        assert!(cache.reuse("index.html", 7, &Holding("index.html", 10, 99)).is_some());
        assert!(cache.reuse("index.html", 8, &Holding("index.html", 10, 99)).is_none(), "another key");
        assert!(cache.reuse("index.html", 7, &Holding("index.html", 10, 98)).is_none(), "other bytes");
        assert!(cache.reuse("about/index.html", 7, &Holding("about/index.html", 10, 99)).is_none());
        cache.save();
        // What this build reused is what the next one finds.
        let next = PageCache::load(dir.path());
        assert_eq!(next.previous.get("index.html"), Some(&page));
    }

    #[test]
    fn a_damaged_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".shopfront/cache")).unwrap();
        for damaged in [
            "",
            "{",
            "{\"version\":1,\"pages\":{\"a\":{\"key\":\"zz\"}}}",
            "{\"version\":0,\"pages\":{\"a\":{\"key\":\"07\",\"len\":1,\"hash\":\"01\"}}}",
        ] {
            std::fs::write(dir.path().join(FILE), damaged).unwrap();
            assert!(PageCache::load(dir.path()).previous.is_empty(), "{damaged}");
        }
    }
}
