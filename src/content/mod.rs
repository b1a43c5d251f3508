//! Stage 2: finding and reading the creator's Markdown.
//!
//! In: the site root. Out: one [`Document`] per Markdown file (decoded,
//! split, front matter parsed) and the files that travel with bundles, or
//! diagnostics naming file, line and column.
//!
//! `content/pages/**` are standalone pages; every other `.md` is a post. A
//! folder holding an `index.md` is a bundle: its other files are copied next
//! to the page. So is Hexo's asset folder: a post `foo.md` with a folder
//! `foo/` beside it that holds no Markdown. Files are read leniently (a BOM is dropped, CRLF becomes LF)
//! and strictly where it matters (text must be UTF-8).

pub mod dates;
pub mod front_matter;
pub mod permalink;
pub mod post_name;
pub mod slugs;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, LineIndex, display_path};
use front_matter::FrontMatter;

/// The folder of Markdown inside a site.
pub const CONTENT_DIR: &str = "content";
/// The folder of collections inside [`CONTENT_DIR`].
pub const COLLECTIONS_DIR: &str = "collections";
pub use crate::fs::MAX_FILE_BYTES;
use crate::fs::io_message;

/// A post or a standalone page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// Dated, listed, in collections and feeds.
    Post,
    /// From `content/pages/`: not listed.
    Page,
    /// From `content/collections/`: a curated list of products with an intro.
    Collection,
}

/// A Markdown file found under `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its path relative to the site root, for messages.
    pub display: PathBuf,
    /// Post or page.
    pub kind: Kind,
    /// The bundle folder when this is a bundle's `index.md`.
    pub bundle: Option<PathBuf>,
}

/// A file that belongs to a bundle and is copied next to its page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BundleAsset {
    /// Where it is.
    pub path: PathBuf,
    /// The bundle's folder.
    pub bundle: PathBuf,
}

/// What a walk of `content/` found.
#[derive(Debug, Default, Clone)]
pub struct Discovery {
    /// Markdown files, sorted by path.
    pub sources: Vec<SourceFile>,
    /// Files of bundles, sorted by path.
    pub assets: Vec<BundleAsset>,
    /// Unreadable folders, symlink loops…
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a file name is Markdown.
pub fn is_markdown(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown"))
}

/// Walks `root/content`.
pub fn discover(root: &Path) -> Discovery {
    let content = root.join(CONTENT_DIR);
    let mut found = Discovery::default();
    if !content.is_dir() {
        return found;
    }
    let pages = content.join("pages");
    let collections = content.join(COLLECTIONS_DIR);
    let walk = crate::fs::SiteRoot::new(root).walk(&content, crate::fs::Visibility::Private);
    found.diagnostics = walk.errors;
    let files: Vec<PathBuf> = walk.files.into_iter().map(|(_, path)| path).collect();
    let bundle_dirs: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter(|p| p.file_stem().is_some_and(|s| s == "index") && is_markdown(p))
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .filter(|dir| *dir != content && *dir != pages)
        .collect();
    // Hexo's `post_asset_folder`: `foo.md` and `foo/` beside it, a folder of files only.
    let mut markdown_dirs: rustc_hash::FxHashSet<&Path> = rustc_hash::FxHashSet::default();
    let mut other_dirs: rustc_hash::FxHashSet<&Path> = rustc_hash::FxHashSet::default();
    for file in &files {
        let dirs = if is_markdown(file) { &mut markdown_dirs } else { &mut other_dirs };
        for dir in file.ancestors().skip(1) {
            if !dirs.insert(dir) {
                break;
            }
        }
    }
    let asset_dirs: rustc_hash::FxHashSet<PathBuf> = files
        .iter()
        .filter(|p| is_markdown(p) && !p.starts_with(&pages) && p.file_stem().is_some_and(|s| s != "index"))
        .map(|p| p.with_extension(""))
        .filter(|dir| other_dirs.contains(dir.as_path()) && !markdown_dirs.contains(dir.as_path()))
        .collect();
    let assets_of = |path: &Path| {
        path.ancestors()
            .skip(1)
            .find(|dir| bundle_dirs.contains(*dir) || asset_dirs.contains(*dir))
            .map(Path::to_path_buf)
    };
    for path in files.iter().cloned() {
        let bundle = assets_of(&path);
        if is_markdown(&path) {
            let is_bundle_index = path.file_stem().is_some_and(|s| s == "index")
                && path.parent().is_some_and(|dir| bundle_dirs.contains(dir));
            let own_folder = path.with_extension("");
            let kind = if path.starts_with(&pages) {
                Kind::Page
            } else if path.starts_with(&collections) {
                Kind::Collection
            } else {
                Kind::Post
            };
            found.sources.push(SourceFile {
                display: display_path(root, &path),
                kind,
                bundle: if is_bundle_index {
                    path.parent().map(Path::to_path_buf)
                } else {
                    asset_dirs.contains(&own_folder).then_some(own_folder)
                },
                path,
            });
        } else if let Some(bundle) = bundle {
            found.assets.push(BundleAsset { path, bundle });
        }
    }
    found
}

/// A Markdown file, read and split.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from.
    pub source: SourceFile,
    /// The whole text (BOM dropped, LF line endings).
    pub text: String,
    /// Parsed front matter (empty when the file had none).
    pub front_matter: FrontMatter,
    /// Whether the file had front matter at all.
    pub has_front_matter: bool,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    /// 1-based line where the front matter text starts.
    pub front_matter_line: usize,
    /// Where the lines of `text` start, made the first time a position is asked for.
    pub lines: std::sync::OnceLock<LineIndex>,
}

impl Document {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// The index of the text's lines, by which every position is found.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and column of a byte offset into the body.
    pub fn body_position(&self, offset: usize) -> (usize, usize) {
        self.lines().position(&self.text, self.body_offset + offset)
    }

    /// `diagnostic` in this file at a byte offset of the body, quoting its line.
    pub fn at_body_offset(&self, diagnostic: Diagnostic, offset: usize) -> Diagnostic {
        self.at_offset(diagnostic, self.body_offset + offset)
    }

    /// `diagnostic` in this file at a byte offset of the text, quoting its line.
    fn at_offset(&self, diagnostic: Diagnostic, offset: usize) -> Diagnostic {
        diagnostic.at(&self.source.display).with_indexed_offset(&self.text, self.lines(), offset)
    }

    /// An error at a byte offset of the body.
    pub fn error_in_body(&self, code: Code, offset: usize, message: impl Into<String>) -> Diagnostic {
        self.at_body_offset(Diagnostic::error(code, message), offset)
    }

    /// A diagnostic at the list item (`- `) that holds the first mention of
    /// `needle` after `anchor`: a product without a name is found by its item.
    pub fn at_list_item_of(&self, diagnostic: Diagnostic, anchor: &str, needle: &str) -> Diagnostic {
        let front = &self.text[..self.body_offset];
        let start = front.find(anchor).unwrap_or(0);
        let Some(found) = front[start..].find(needle).filter(|_| !needle.is_empty()).map(|at| start + at) else {
            return self.at_front_matter(diagnostic, anchor);
        };
        // Back to the line that opens the item: `  - asin: …`.
        let item = front[..found]
            .rmatch_indices('\n')
            .map(|(i, _)| i + 1)
            .chain([0])
            .find(|&line| front[line..].trim_start_matches(' ').starts_with("- "))
            .filter(|&line| line >= start);
        match item {
            Some(line) => {
                self.at_offset(diagnostic, line + front[line..].len() - front[line..].trim_start_matches(' ').len())
            }
            None => self.at_front_matter_after(diagnostic, anchor, needle),
        }
    }

    /// A diagnostic at the first line mentioning `needle` after the first
    /// mention of `anchor` (a product's name), so each product's own line is found.
    pub fn at_front_matter_after(&self, diagnostic: Diagnostic, anchor: &str, needle: &str) -> Diagnostic {
        let front = &self.text[..self.body_offset];
        let start = front.find(anchor).unwrap_or(0);
        match front[start..].find(needle) {
            Some(offset) if !needle.is_empty() => {
                let at = value_offset(front, start + offset, needle.len());
                self.at_offset(diagnostic, at)
            }
            _ => self.at_front_matter(diagnostic, anchor),
        }
    }

    /// A diagnostic at the first line of the front matter that mentions `needle`.
    pub fn at_front_matter(&self, diagnostic: Diagnostic, needle: &str) -> Diagnostic {
        let front = &self.text[..self.body_offset];
        match find_key(front, needle).or_else(|| front.find(needle)) {
            Some(offset) if !needle.is_empty() => self.at_offset(diagnostic, value_offset(front, offset, needle.len())),
            _ => {
                let start = self.lines().line(&self.text, self.front_matter_line).map_or(0, |line| line.start);
                self.at_offset(diagnostic, start)
            }
        }
    }

    /// 1-based line and column of a front-matter key's value, if the key is there.
    pub fn key_position(&self, key: &str) -> Option<(usize, usize)> {
        let front = &self.text[..self.body_offset];
        let offset = find_key(front, key)?;
        Some(self.lines().position(&self.text, value_offset(front, offset, key.len())))
    }
}

/// Where `key` starts a line as a YAML or TOML key.
fn find_key(front: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with([':', '='])
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// If `text[offset..]` is a key `needle` followed by `:` or `=`, the offset
/// of its value; otherwise `offset` itself.
fn value_offset(text: &str, offset: usize, needle_len: usize) -> usize {
    let after = &text[(offset + needle_len).min(text.len())..];
    let line = after.split('\n').next().unwrap_or("");
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix([':', '=']) {
        let value = rest.trim_start();
        if !value.is_empty() {
            return offset + needle_len + (line.len() - value.len());
        }
    }
    offset
}

/// What reading one file gave.
#[derive(Debug)]
pub enum Loaded {
    /// A document to build.
    Document(Box<Document>),
    /// Nothing to build (an empty file), with a warning.
    Skipped(Diagnostic),
    /// The file is broken; its body, when it could be split off, is still
    /// checked so that every error of the file is reported at once.
    Failed(Vec<Diagnostic>, Option<Box<Document>>),
    /// The file was removed after it was listed (a save in progress under
    /// `serve`): it is simply not part of the site.
    Gone,
}

/// Whether `err` says `path` is no longer there at all (not a link that
/// leads nowhere, which is the creator's to fix).
fn gone(err: &std::io::Error, path: &Path) -> bool {
    err.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_err()
}

/// Reads, decodes, splits and parses one file.
pub fn load(source: &SourceFile) -> Loaded {
    match read(source) {
        Ok(bytes) => parse(source, bytes),
        Err(unread) => *unread,
    }
}

/// The bytes of one file: a regular file within the size limit. `Err`
/// holds what the file is instead (a read error, or gone).
pub fn read(source: &SourceFile) -> Result<Vec<u8>, Box<Loaded>> {
    let fail = |message: String| {
        Box::new(Loaded::Failed(vec![Diagnostic::error(Code::Read, message).at(&source.display)], None))
    };
    match std::fs::metadata(&source.path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return Err(fail(format!("file is {} MiB; the limit is {} MiB", meta.len() >> 20, MAX_FILE_BYTES >> 20)));
        }
        Ok(meta) if !meta.is_file() => return Err(fail("not a regular file; only regular files are read".to_owned())),
        Ok(_) => {}
        Err(err) if gone(&err, &source.path) => return Err(Box::new(Loaded::Gone)),
        Err(err) => return Err(fail(format!("cannot read: {}", io_message(&err)))),
    }
    match std::fs::read(&source.path) {
        Ok(bytes) => Ok(bytes),
        Err(err) if gone(&err, &source.path) => Err(Box::new(Loaded::Gone)),
        Err(err) => Err(fail(format!("cannot read: {}", io_message(&err)))),
    }
}

/// Decodes, splits and parses the bytes [`read`] gave.
pub fn parse(source: &SourceFile, bytes: Vec<u8>) -> Loaded {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((message, offset_text, offset)) => {
            let diagnostic = Diagnostic::error(Code::Encoding, message).at(&source.display);
            let diagnostic = match offset_text {
                Some(prefix) => diagnostic.with_offset(&prefix, offset),
                None => diagnostic,
            };
            return Loaded::Failed(vec![diagnostic.with_hint("save the file as UTF-8 in your editor")], None);
        }
    };
    if text.trim().is_empty() {
        return Loaded::Skipped(Diagnostic::warning(Code::EmptyFile, "file is empty; skipped").at(&source.display));
    }
    let split = match front_matter::split(&text) {
        Ok(split) => split,
        Err(err) => {
            return Loaded::Failed(
                vec![
                    Diagnostic::error(
                        Code::FrontMatter,
                        format!("front matter opened with `{}` is never closed", err.delimiter),
                    )
                    .at(&source.display)
                    .with_position(1, 1, Some(&text))
                    .with_hint(format!("end the front matter with a line containing only `{}`", err.delimiter)),
                ],
                None,
            );
        }
    };
    let body_offset = text.len() - split.body.len();
    let (front_matter, has_front_matter) = match split.front_matter {
        None => (FrontMatter::default(), false),
        Some((format, fm_text)) => match front_matter::parse(format, fm_text) {
            Ok(fm) => (fm, true),
            Err(err) => {
                let (line, column) = err.position.unwrap_or((1, 1));
                let message = match err.first_line {
                    Some(first) => format!("{} (first on line {})", err.message, split.front_matter_line + first - 1),
                    None => err.message.clone(),
                };
                let mut diagnostic = Diagnostic::error(Code::FrontMatter, message).at(&source.display).with_position(
                    split.front_matter_line + line - 1,
                    column,
                    Some(&text),
                );
                if let Some(hint) = err.hint {
                    diagnostic = diagnostic.with_hint(hint);
                }
                let front_matter_line = split.front_matter_line;
                let body_only = Document {
                    source: source.clone(),
                    text,
                    front_matter: FrontMatter::default(),
                    has_front_matter: true,
                    body_offset,
                    front_matter_line,
                    lines: Default::default(),
                };
                return Loaded::Failed(vec![diagnostic], Some(Box::new(body_only)));
            }
        },
    };
    let front_matter_line = split.front_matter_line;
    Loaded::Document(Box::new(Document {
        source: source.clone(),
        text,
        front_matter,
        has_front_matter,
        body_offset,
        front_matter_line,
        lines: Default::default(),
    }))
}

/// UTF-8 text with the BOM dropped and LF line endings; on failure the
/// message and, for a bad byte, the valid text before it and its length.
#[allow(clippy::type_complexity)]
fn decode(mut bytes: Vec<u8>) -> Result<String, (String, Option<String>, usize)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(("file is UTF-16 text; shopfront reads UTF-8".to_owned(), None, 0));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let message = format!("file is not UTF-8 text (byte 0x{:02X} is not valid here)", bytes[valid]);
            return Err((message, Some(prefix), valid));
        }
    };
    if text.contains('\0') {
        return Err(("file contains NUL bytes; is it really a Markdown file?".to_owned(), None, 0));
    }
    Ok(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_drops_bom_and_crlf() {
        let text = decode(b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\nBody".to_vec()).unwrap();
        assert_eq!(text, "---\ntitle: A\n---\nBody");
    }

    #[test]
    fn decode_refuses_latin1_with_position() {
        let (message, prefix, offset) = decode(b"title\nCaf\xE9".to_vec()).unwrap_err();
        assert!(message.contains("not UTF-8"), "{message}");
        let prefix = prefix.unwrap();
        assert_eq!(crate::diagnostics::line_column(&prefix, offset), (2, 4));
    }

    #[test]
    fn decode_refuses_utf16() {
        assert!(decode(vec![0xFF, 0xFE, b'a', 0]).unwrap_err().0.contains("UTF-16"));
    }

    #[test]
    fn a_file_removed_after_the_walk_is_gone_but_a_dangling_link_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let source = |name: &str| SourceFile {
            path: dir.path().join(name),
            display: PathBuf::from(name),
            kind: Kind::Post,
            bundle: None,
        };
        assert!(matches!(load(&source("removed.md")), Loaded::Gone));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("nowhere.md"), dir.path().join("link.md")).unwrap();
            assert!(matches!(load(&source("link.md")), Loaded::Failed(..)));
        }
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [".post.md.swp", "post.md~", "#post.md#", ".DS_Store", "4913.tmp"] {
            assert!(crate::fs::is_ignored_name(name), "{name}");
        }
        assert!(!crate::fs::is_ignored_name("post.md"));
    }
}
