//! Images as a phone shows them fast: every local photo a page shows is
//! published at the widths its place on the page needs, as WebP with a JPEG
//! (or, with transparency, PNG) fallback, upright, in sRGB and with none of
//! the original's metadata (EXIF, GPS, XMP, maker notes).
//!
//! It works on finished pages, so covers, product pictures, the avatar,
//! Markdown images and any `<img>` a custom template writes are treated
//! alike. [`Library::rewrite`] turns each `<img>` whose `src` is a JPEG, PNG
//! or WebP file of the site into a `<picture>` with `srcset`, `sizes` and
//! the image's own proportions in `width`/`height` (no layout shift), and
//! notes which widths it promised; [`Library::publish`] then makes them, in
//! parallel, through the [`cache`]. A theme marks an image's place with
//! `data-image="hero"` (the [`Slot`]s: hero, card, product, thumb, avatar,
//! body; `body` when unmarked) and may give each slot other widths or
//! `sizes` in its `theme.toml`.
//!
//! Link previews (`og:image`, `twitter:image`) become a 1200 × 630 JPEG
//! cropped from the page's picture, or a generated [`card`]. SVG, GIF and
//! AVIF images are published as they are, their `<img>` given their own
//! size and loading hints; remote images are never fetched
//! (Amazon forbids storing its images), and files no page shows are copied
//! unchanged. The original of an image a page shows is replaced by its
//! largest published size, so a link to it still works and carries no
//! metadata.

pub mod cache;
pub mod card;
pub mod process;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use lol_html::html_content::Element;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

pub use cache::Cache;
use process::{Format, Header};

use crate::diagnostics::{Code, Diagnostic};
use crate::html::on_element;

/// Where variants are published.
pub const DIR: &str = "_img";

/// The link-preview image of a list page (home, shop, categories): a card
/// of the site, drawn once.
pub const CARD: &str = "/_img/card.png";

/// The link-preview image of a post or page without a picture:
/// [`Library::rewrite`] replaces it with a card drawn for that page.
pub const PAGE_CARD: &str = "/_img/card-page.png";

/// An original larger than this many pixels on a side earns a warning.
pub const LARGE_SIDE: u32 = 8_000;
/// An original larger than this many bytes earns a warning.
pub const LARGE_BYTES: u64 = 15 * 1024 * 1024;
/// An original larger than this is not read at all (an error).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// A place on a page that shows images at one range of sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The widths to publish, in pixels, smallest first.
    pub widths: Vec<u32>,
    /// The `sizes` attribute: how wide the image is shown.
    pub sizes: String,
}

/// The slots every theme has, with sizes that suit the bundled themes.
pub fn default_slots() -> BTreeMap<String, Slot> {
    let slot = |widths: &[u32], sizes: &str| Slot { widths: widths.to_vec(), sizes: sizes.to_owned() };
    BTreeMap::from([
        ("hero".to_owned(), slot(&[640, 1024, 1600], "(min-width: 860px) 800px, 100vw")),
        ("card".to_owned(), slot(&[320, 640, 1024], "(min-width: 1100px) 360px, (min-width: 640px) 50vw, 100vw")),
        ("product".to_owned(), slot(&[320, 640], "(min-width: 1100px) 300px, (min-width: 640px) 45vw, 90vw")),
        ("thumb".to_owned(), slot(&[160, 320], "80px")),
        ("avatar".to_owned(), slot(&[160, 320], "160px")),
        ("body".to_owned(), slot(&[640, 1024, 1600], "(min-width: 860px) 760px, 100vw")),
    ])
}

/// Where an image's bytes are.
#[derive(Debug, Clone)]
pub enum Origin {
    /// In the binary (a bundled theme's file).
    Bytes(&'static [u8]),
    /// A file of the site.
    File(PathBuf),
}

/// What a source is, once read.
#[derive(Debug, Clone)]
struct Known {
    /// Its header, as shown; for an SVG, the size its root element
    /// declares ([`card::declared_size`]), or 0 × 0.
    header: Header,
    /// First 12 hex digits of its content hash: part of every variant's name.
    hash: String,
    /// Its content hash, for cache keys.
    key: u128,
    /// Its file name without extension, made URL-safe.
    stem: String,
    /// Its format as written, for the original's replacement.
    format: Option<Format>,
    /// Its size in bytes.
    size: u64,
}

#[derive(Debug)]
struct Entry {
    origin: Origin,
    /// Output path, for messages.
    path: String,
    kind: Kind,
    known: OnceLock<Result<Known, String>>,
    /// Its index key and size, once looked up ([`Library::source_key`]).
    source: OnceLock<Option<(String, u64)>>,
    widths: Mutex<BTreeSet<u32>>,
    preview: Mutex<bool>,
    /// The first page that shows it, for messages.
    shown_on: OnceLock<String>,
}

/// The site's images and what its pages asked of them. See the module documentation.
pub struct Library {
    entries: FxHashMap<String, Entry>,
    slots: BTreeMap<String, Slot>,
    cache: Cache,
    root: crate::fs::SiteRoot,
    /// `""` or `/shop`.
    base_path: String,
    /// The site's absolute URL, without a trailing slash.
    base_url: String,
    /// What generated link-preview cards show besides the title.
    card_name: String,
    card_site: String,
    /// The avatar's output path, for cards.
    avatar: Option<String>,
    avatar_png: OnceLock<Option<Arc<[u8]>>>,
    cards: Mutex<BTreeMap<String, String>>,
    index: Mutex<cache::Index>,
    /// Whether this build added to the index or changed it.
    learnt: AtomicBool,
}

/// Whether an output path is an image shopfront processes.
fn raster_format(path: &str) -> Option<Format> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match extension.as_str() {
        "jpg" | "jpeg" | "jfif" => Some(Format::Jpeg),
        "png" => Some(Format::Png),
        "webp" => Some(Format::WebP),
        _ => None,
    }
}

/// Formats phones, cameras and editors save that Chrome, Firefox and Edge
/// cannot show, by extension.
const UNVIEWABLE: [(&[&str], &str); 4] = [
    (&["heic", "heif", "hif"], "HEIC photo (an iPhone's own format)"),
    (&["tif", "tiff"], "TIFF image"),
    (&["dng", "cr2", "cr3", "nef", "nrw", "arw", "raf", "orf", "rw2", "pef", "srw"], "camera RAW file"),
    (&["psd", "psb", "xcf"], "layered editor file"),
];

/// Why an image at `path` cannot be shown on a web page, when its format
/// is one most browsers cannot show (Safari shows some of them): a warning
/// wherever a page shows it, so the creator exports it before readers see
/// a broken picture.
pub fn unviewable(path: &str) -> Option<String> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let (_, extension) = path.rsplit_once('.')?;
    let (_, kind) =
        UNVIEWABLE.iter().find(|(extensions, _)| extensions.iter().any(|e| e.eq_ignore_ascii_case(extension)))?;
    Some(format!("`{path}` is a {kind}, which most browsers cannot show"))
}

/// How to make a picture [`unviewable`] names one browsers show.
pub const UNVIEWABLE_HINT: &str = "export it as JPEG (on a Mac: open it in Preview, File › Export, Format JPEG; \
on an iPhone, Settings › Camera › Formats › Most Compatible saves new photos as JPEG) and link to that file";

/// What shopfront does with an image a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A JPEG, PNG or WebP: published at the widths its slot needs.
    Raster,
    /// An SVG: published as it is; drawn for link previews and cards.
    Vector,
    /// A GIF, perhaps animated: published as it is; its first frame is
    /// cropped for a link preview.
    Gif,
    /// An AVIF, already as small as it gets: published as it is. Link
    /// previews show the page's card instead, since not every app that
    /// shows them reads AVIF.
    Avif,
}

impl Kind {
    /// The kind of the file at `path`, by extension, if it is an image.
    fn of(path: &str) -> Option<Self> {
        if raster_format(path).is_some() {
            return Some(Self::Raster);
        }
        let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "svg" => Some(Self::Vector),
            "gif" => Some(Self::Gif),
            "avif" => Some(Self::Avif),
            _ => None,
        }
    }
}

/// `name` with only the characters a URL keeps as they are.
fn url_safe(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let trimmed = cleaned.trim_matches('-');
    if trimmed.is_empty() { "image".to_owned() } else { trimmed.chars().take(60).collect() }
}

/// One variant to make.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Job {
    width: u32,
    /// A crop to this height (link previews).
    height: Option<u32>,
    format: Format,
}

impl Job {
    fn file(&self, known: &Known) -> String {
        match self.height {
            Some(height) => {
                format!("{DIR}/{}-{}x{height}.{}.{}", known.stem, self.width, known.hash, self.format.extension())
            }
            None => format!("{DIR}/{}-{}.{}.{}", known.stem, self.width, known.hash, self.format.extension()),
        }
    }

    fn key(&self, known: &Known) -> String {
        format!(
            "{:032x}-{}-{}-{:?}-q{}-{}-v{}",
            known.key,
            self.width,
            self.height.unwrap_or(0),
            self.format,
            process::WEBP_QUALITY,
            process::JPEG_QUALITY,
            self.format.revision()
        )
    }
}

/// Where published images go: the output folder, or nowhere for `check`.
pub trait Store: Sync {
    /// Stores `bytes` at output path `path`.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Box<Diagnostic>>;
    /// Whether `path` already holds `len` bytes with hash `hash` from the
    /// previous build and needs no write (it is then counted as written).
    fn keep(&self, path: &str, len: u64, hash: u128) -> bool;
}

/// What [`Library::publish`] did.
#[derive(Debug, Default)]
pub struct Published {
    /// Errors (an unreadable image) and warnings (a huge original).
    pub diagnostics: Vec<Diagnostic>,
    /// Variants made now, rather than found in the cache.
    pub made: usize,
    /// Variants found in the cache.
    pub cached: usize,
    /// Output paths of originals replaced by a processed copy.
    pub replaced: FxHashSet<String>,
}

/// Output settings a library needs from the site.
pub struct SiteInfo<'a> {
    /// `""` or `/shop`.
    pub base_path: &'a str,
    /// The absolute base URL.
    pub base_url: &'a str,
    /// The creator's name, for cards.
    pub name: &'a str,
    /// The site's title, for cards.
    pub title: &'a str,
    /// The avatar as written in the profile, if it is a file of the site.
    pub avatar: Option<&'a str>,
}

/// What a page asked of the [`Library`]: the images it shows (with the
/// widths promised and whether one is its link preview) and the cards drawn
/// for it. A page taken from the page cache asks the same again
/// ([`Library::note`]), so `publish` makes what the page refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Uses {
    /// Output path of each image shown, the widths promised, and whether
    /// it is the link preview.
    pub shown: Vec<(String, Vec<u32>, bool)>,
    /// File and title of each generated card.
    pub cards: Vec<(String, String)>,
}

impl Library {
    /// The images among `files` (output path → origin), the theme's
    /// `slots` and the site's `cache`.
    pub fn new(
        files: impl IntoIterator<Item = (String, Origin)>,
        slots: BTreeMap<String, Slot>,
        cache: Cache,
        root: &Path,
        site: &SiteInfo<'_>,
    ) -> Self {
        let entries = files
            .into_iter()
            .filter_map(|(path, origin)| Some((Kind::of(&path)?, path, origin)))
            .map(|(kind, path, origin)| {
                let entry = Entry {
                    kind,
                    path: path.clone(),
                    origin,
                    known: OnceLock::new(),
                    source: OnceLock::new(),
                    widths: Mutex::new(BTreeSet::new()),
                    preview: Mutex::new(false),
                    shown_on: OnceLock::new(),
                };
                (path, entry)
            })
            .collect();
        Self {
            entries,
            slots,
            root: crate::fs::SiteRoot::new(root),
            base_path: site.base_path.trim_end_matches('/').to_owned(),
            base_url: site.base_url.trim_end_matches('/').to_owned(),
            card_name: site.name.to_owned(),
            card_site: site.title.to_owned(),
            avatar: site.avatar.map(|a| a.trim().trim_start_matches('/').to_owned()),
            avatar_png: OnceLock::new(),
            cards: Mutex::new(BTreeMap::new()),
            index: Mutex::new(cache.load_index()),
            learnt: AtomicBool::new(false),
            cache,
        }
    }

    /// An empty library: pages keep their images as written.
    pub fn empty() -> Self {
        Self::new(
            [],
            default_slots(),
            Cache::none(),
            Path::new("."),
            &SiteInfo { base_path: "", base_url: "", name: "", title: "", avatar: None },
        )
    }

    fn read(&self, origin: &Origin) -> Result<Vec<u8>, String> {
        match origin {
            Origin::Bytes(bytes) => Ok(bytes.to_vec()),
            Origin::File(path) => self.root.read(path, MAX_BYTES).map_err(|d| d.message.clone()),
        }
    }

    /// The index key of a file source and its length; looked up once. The
    /// key is the path, the length and the modification time, and on Unix
    /// also the status-change time: `cp -p`, `rsync -a` and `touch -r` set
    /// the modification time back, but no tool sets back the status-change
    /// time, so a picture replaced by another of the same size is read
    /// again (unless both happen within one tick of a coarse file-system
    /// clock, 1 s on HFS+).
    fn source_key(entry: &Entry) -> Option<&(String, u64)> {
        entry
            .source
            .get_or_init(|| {
                let Origin::File(path) = &entry.origin else { return None };
                let meta = std::fs::metadata(path).ok()?;
                let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
                #[cfg(unix)]
                let changed = {
                    use std::os::unix::fs::MetadataExt;
                    format!("|{}.{:09}", meta.ctime(), meta.ctime_nsec())
                };
                #[cfg(not(unix))]
                let changed = "";
                Some((format!("{}|{}|{modified}{changed}", path.display(), meta.len()), meta.len()))
            })
            .as_ref()
    }

    fn known<'e>(&self, entry: &'e Entry) -> Result<&'e Known, &'e str> {
        entry
            .known
            .get_or_init(|| {
                let file = entry.path.rsplit('/').next().unwrap_or(&entry.path);
                let stem = url_safe(file.rsplit_once('.').map_or(file, |(stem, _)| stem));
                let source = Self::source_key(entry);
                let remembered = source.and_then(|(k, size)| {
                    Some((self.index.lock().unwrap_or_else(|e| e.into_inner()).sources.get(k).cloned()?, *size))
                });
                if let Some((record, size)) = remembered
                    && let Ok(key) = u128::from_str_radix(&record.hash, 16)
                {
                    return Ok(Known {
                        header: Header { width: record.width, height: record.height, alpha: record.alpha },
                        hash: record.hash[..12].to_owned(),
                        key,
                        stem,
                        format: raster_format(&entry.path),
                        size,
                    });
                }
                let bytes = self.read(&entry.origin)?;
                let header = match entry.kind {
                    Kind::Raster => process::header(&bytes)?,
                    Kind::Vector => {
                        let (width, height) = card::declared_size(&bytes).unwrap_or((0, 0));
                        Header { width, height, alpha: true }
                    }
                    Kind::Gif | Kind::Avif => process::size(&bytes)?,
                };
                let key = xxhash_rust::xxh3::xxh3_128(&bytes);
                let hash = format!("{key:032x}");
                if let (Some((source_key, _)), Origin::File(file)) = (source, &entry.origin) {
                    let record = cache::SourceRecord {
                        hash: hash.clone(),
                        width: header.width,
                        height: header.height,
                        alpha: header.alpha,
                    };
                    let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
                    if index.sources.get(source_key) != Some(&record) {
                        // What the index knew of an earlier version of the file goes.
                        let path = format!("{}|", file.display());
                        let earlier: Vec<String> = index
                            .sources
                            .range(path.clone()..)
                            .map(|(key, _)| key)
                            .take_while(|key| key.starts_with(&path))
                            .cloned()
                            .collect();
                        for key in earlier {
                            index.sources.remove(&key);
                        }
                        index.sources.insert(source_key.clone(), record);
                        self.learnt.store(true, Ordering::Relaxed);
                    }
                }
                let size = bytes.len() as u64;
                Ok(Known { header, hash: hash[..12].to_owned(), key, stem, format: raster_format(&entry.path), size })
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The output path `url` names on a page at output path `page`, if it
    /// is one of the site's files.
    fn resolve(&self, url: &str, page: &str) -> Option<&Entry> {
        let url = url.trim();
        let url = url.split(['?', '#']).next()?;
        let path = if let Some(rest) = url.strip_prefix(self.base_url.as_str()).filter(|_| !self.base_url.is_empty()) {
            rest.to_owned()
        } else if url.starts_with("//") || url.contains(':') {
            return None;
        } else if let Some(absolute) = url.strip_prefix('/') {
            let absolute = format!("/{absolute}");
            match absolute.strip_prefix(self.base_path.as_str()) {
                Some(rest) if self.base_path.is_empty() || rest.is_empty() || rest.starts_with('/') => rest.to_owned(),
                _ => absolute,
            }
        } else {
            let folder = page.rsplit_once('/').map_or("", |(folder, _)| folder);
            format!("/{folder}/{url}")
        };
        let joined = crate::fs::normalise_path(&path);
        let decoded = percent_encoding::percent_decode_str(&joined).decode_utf8_lossy();
        self.entries.get(decoded.as_ref())
    }

    fn url(&self, file: &str) -> String {
        format!("{}/{file}", self.base_path)
    }

    /// The widths `slot` gives an image `width` pixels wide: never wider
    /// than the image itself.
    fn widths(slot: &Slot, width: u32) -> Vec<u32> {
        let mut widths: Vec<u32> = slot.widths.iter().copied().filter(|&w| w < width).collect();
        if slot.widths.iter().any(|&w| w >= width) || widths.is_empty() {
            widths.push(width);
        }
        widths
    }

    /// The fallback format of an image.
    fn fallback(known: &Known) -> Format {
        if known.header.alpha { Format::Png } else { Format::Jpeg }
    }

    /// `html` (the page at output path `page`) with its images made
    /// responsive and its link preview a raster image, and what the page
    /// asked of the library (already noted: see [`Library::note`]).
    pub fn rewrite(&self, html: &str, page: &str) -> (String, Uses) {
        // Nothing the selectors below could match (tag names in any case).
        let preview = html.contains("og:image") || html.contains("twitter:image");
        if !preview && crate::html::positions_ignoring_case(html, "<img").next().is_none() {
            return (html.to_owned(), Uses::default());
        }
        let selectors = rewritten();
        let uses = RefCell::new(Uses::default());
        let pictures = Rc::new(Cell::new(0usize));
        let title = Rc::new(RefCell::new(String::new()));
        let mut handlers = vec![
            on_element(&selectors[0], {
                let pictures = pictures.clone();
                move |el: &mut Element<'_, '_>| {
                    pictures.set(pictures.get() + 1);
                    let pictures = pictures.clone();
                    if el.can_have_content() {
                        type EndTag<'t> = lol_html::html_content::EndTag<'t>;
                        let handler: Box<dyn FnOnce(&mut EndTag<'_>) -> lol_html::HandlerResult> =
                            Box::new(move |_| {
                                pictures.set(pictures.get().saturating_sub(1));
                                Ok(())
                            });
                        el.on_end_tag(handler)?;
                    }
                    Ok(())
                }
            }),
            on_element(&selectors[1], |el: &mut Element<'_, '_>| {
                // `img[src]`, found by tag name alone: a selector on an
                // attribute makes lol_html read every tag of the page in full.
                let Some(src) = el.get_attribute("src") else { return Ok(()) };
                let slot_name = el.get_attribute("data-image");
                el.remove_attribute("data-image");
                if pictures.get() > 0 {
                    return Ok(());
                }
                let Some(entry) = self.resolve(&crate::html::decode_entities(&src), page) else { return Ok(()) };
                if entry.kind != Kind::Raster {
                    // Published as it is: its own size keeps its place while
                    // it loads. `publish` reports a GIF or AVIF whose size
                    // cannot be read.
                    if entry.kind != Kind::Vector {
                        uses.borrow_mut().shown.push((entry.path.clone(), Vec::new(), false));
                    }
                    if let Ok(known) = self.known(entry)
                        && known.header.width > 0
                        && known.header.height > 0
                    {
                        let (width, height) = shown_size(el, &known.header);
                        el.set_attribute("width", &width.to_string())?;
                        el.set_attribute("height", &height.to_string())?;
                    }
                    return loading_hints(el);
                }
                // Shown: `publish` makes it, or reports what is wrong with it.
                let Ok(known) = self.known(entry) else {
                    uses.borrow_mut().shown.push((entry.path.clone(), Vec::new(), false));
                    return Ok(());
                };
                let slot = slot_name
                    .as_deref()
                    .and_then(|name| self.slots.get(name))
                    .or_else(|| self.slots.get("body"))
                    .cloned()
                    .unwrap_or_else(|| Slot { widths: vec![1024], sizes: "100vw".to_owned() });
                let widths = Self::widths(&slot, known.header.width);
                uses.borrow_mut().shown.push((entry.path.clone(), widths.clone(), false));
                let fallback = Self::fallback(known);
                let list = |format: Format| {
                    widths
                        .iter()
                        .map(|&width| {
                            format!("{} {width}w", self.url(&Job { width, height: None, format }.file(known)))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let sizes = el.get_attribute("sizes").unwrap_or_else(|| slot.sizes.clone());
                let middle = widths[widths.len() / 2];
                let (shown_width, shown_height) = shown_size(el, &known.header);
                el.set_attribute("src", &self.url(&Job { width: middle, height: None, format: fallback }.file(known)))?;
                el.set_attribute("srcset", &list(fallback))?;
                el.set_attribute("sizes", &sizes)?;
                el.set_attribute("width", &shown_width.to_string())?;
                el.set_attribute("height", &shown_height.to_string())?;
                loading_hints(el)?;
                el.before(
                    &format!(
                        r#"<picture style="display:contents"><source type="image/webp" srcset="{}" sizes="{}">"#,
                        crate::html::escape_attr(&list(Format::WebP)),
                        crate::html::escape_attr(&sizes)
                    ),
                    lol_html::html_content::ContentType::Html,
                );
                el.after("</picture>", lol_html::html_content::ContentType::Html);
                Ok(())
            }),
        ];
        // `meta[property="og:title"]`, `meta[property="og:image"]` and
        // `meta[name="twitter:image"]`, told apart here for the same reason.
        handlers.push(on_element(&selectors[2], |el: &mut Element<'_, '_>| {
            let property = el.get_attribute("property");
            if property.as_deref() == Some("og:title") {
                *title.borrow_mut() = crate::html::decode_entities(&el.get_attribute("content").unwrap_or_default());
            }
            if property.as_deref() != Some("og:image") && el.get_attribute("name").as_deref() != Some("twitter:image") {
                return Ok(());
            }
            let content = crate::html::decode_entities(&el.get_attribute("content").unwrap_or_default());
            if let Some(url) = self.preview_url(&content, page, &title.borrow(), &mut uses.borrow_mut()) {
                el.set_attribute("content", &url)?;
            }
            Ok(())
        }));
        let met = Cell::new(0usize);
        handlers.push(on_element(&selectors[3], |_: &mut Element<'_, '_>| {
            met.set(met.get() + 1);
            Ok(())
        }));
        let html = rewrite_until_done(html, handlers, &met).unwrap_or_else(|_| html.to_owned());
        let uses = uses.into_inner();
        self.note(&uses, page);
        (html, uses)
    }

    /// A hash of everything [`Library::rewrite`] reads besides the page
    /// itself: each image's path and content (its hash, from the index
    /// when the file is known there, or what makes it unreadable), the
    /// slots and the site's settings. The same page rewritten by libraries
    /// of the same fingerprint gives the same bytes and [`Uses`]; an image
    /// copied, moved back or given other permissions changes nothing.
    pub fn fingerprint(&self) -> u128 {
        // What the index does not know (a first build) is read side by side.
        self.entries.par_iter().for_each(|(_, entry)| {
            let _ = self.known(entry);
        });
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut paths: Vec<&String> = self.entries.keys().collect();
        paths.sort_unstable();
        for path in paths {
            hasher.update(path.as_bytes());
            match self.known(&self.entries[path]) {
                Ok(known) => hasher.update(&known.key.to_le_bytes()),
                Err(why) => hasher.update(why.as_bytes()),
            }
            hasher.update(b"\0");
        }
        let settings = (&self.slots, &self.base_path, &self.base_url, &self.card_name, &self.card_site, &self.avatar);
        hasher.update(format!("{settings:?}").as_bytes());
        hasher.digest128()
    }

    /// Records what page `page` asked for (see [`Uses`]).
    pub fn note(&self, uses: &Uses, page: &str) {
        for (path, widths, preview) in &uses.shown {
            let Some(entry) = self.entries.get(path) else { continue };
            let _ = entry.shown_on.set(page.to_owned());
            entry.widths.lock().unwrap_or_else(|e| e.into_inner()).extend(widths.iter().copied());
            if *preview {
                *entry.preview.lock().unwrap_or_else(|e| e.into_inner()) = true;
            }
        }
        if !uses.cards.is_empty() {
            self.cards.lock().unwrap_or_else(|e| e.into_inner()).extend(uses.cards.iter().cloned());
        }
    }

    /// The link-preview image for `content` (an og:image URL) on `page`.
    fn preview_url(&self, content: &str, page: &str, title: &str, uses: &mut Uses) -> Option<String> {
        let path = content.strip_prefix(self.base_url.as_str())?;
        let path = path.strip_prefix(self.base_path.as_str()).unwrap_or(path);
        if path == CARD {
            uses.cards.push((CARD.trim_start_matches('/').to_owned(), self.card_site.clone()));
            return None;
        }
        if path == PAGE_CARD {
            // The card shows the site's name on its own line.
            let title = title.strip_suffix(&format!(" · {}", self.card_site)).unwrap_or(title);
            let title = if title.is_empty() { self.card_site.clone() } else { title.to_owned() };
            let hash =
                xxhash_rust::xxh3::xxh3_64(format!("{title}\n{}\n{}", self.card_name, self.card_site).as_bytes());
            let file = format!("{DIR}/card-{hash:016x}.jpg");
            uses.cards.push((file.clone(), title));
            return Some(format!("{}/{file}", self.base_url));
        }
        let entry = self.resolve(content, page);
        if unviewable(path).is_some() || entry.is_some_and(|entry| entry.kind == Kind::Avif) {
            // No preview shows a HEIC or TIFF picture, and not every app an
            // AVIF: the page's card does instead.
            let card = format!("{}{}{PAGE_CARD}", self.base_url, self.base_path);
            return self.preview_url(&card, page, title, uses);
        }
        let entry = entry?;
        let known = self.known(entry).ok()?;
        uses.shown.push((entry.path.clone(), Vec::new(), true));
        let job = Job { width: card::WIDTH, height: Some(card::HEIGHT), format: Format::Jpeg };
        Some(format!("{}/{}", self.base_url, job.file(known)))
    }

    /// Every variant the rewritten pages promised, stored in `store`: kept
    /// when the output already has it, taken from the cache, or made, in
    /// parallel with at most one image decoded per thread; then the replaced
    /// originals and the cards. `progress` hears how many images are done
    /// out of how many.
    pub fn publish(&self, store: &dyn Store, progress: &(dyn Fn(usize, usize) + Sync)) -> Published {
        let work: Vec<&Entry> = self.entries.values().filter(|e| e.shown_on.get().is_some()).collect();
        let cards: Vec<(String, String)> =
            self.cards.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(f, t)| (f.clone(), t.clone())).collect();
        let total = work.len() + cards.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let tick = || progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        let results: Vec<Published> = work
            .par_iter()
            .map(|entry| {
                let result = self.publish_one(entry, store);
                tick();
                result
            })
            .chain(cards.par_iter().map(|(file, title)| {
                let result = self.publish_card(file, title, store);
                tick();
                result
            }))
            .collect();
        let mut all = Published::default();
        for result in results {
            all.diagnostics.extend(result.diagnostics);
            all.made += result.made;
            all.cached += result.cached;
            all.replaced.extend(result.replaced);
        }
        // A rebuild that made nothing and learnt nothing new leaves the
        // cache alone (but for a daily prune): no walk, no write.
        let changed = all.made > 0 || self.learnt.load(Ordering::Relaxed) || self.cache.prune_due();
        if changed && all.diagnostics.iter().all(|d| !d.is_error()) {
            let mut used = FxHashSet::default();
            for entry in &work {
                if let Ok(known) = self.known(entry) {
                    used.extend(self.jobs(entry, known).iter().map(|job| job.key(known)));
                    if let Some(job) = self.original_job(entry, known) {
                        used.insert(job.key(known));
                    }
                }
            }
            used.extend(cards.iter().map(|(file, title)| self.card_key(file, title)));
            self.cache.prune(&used);
            self.cache.save_index(&self.index.lock().unwrap_or_else(|e| e.into_inner()));
        }
        all
    }

    fn jobs(&self, entry: &Entry, known: &Known) -> Vec<Job> {
        let mut jobs = Vec::new();
        if entry.kind == Kind::Raster {
            let widths = entry.widths.lock().unwrap_or_else(|e| e.into_inner()).clone();
            for width in widths {
                jobs.push(Job { width, height: None, format: Format::WebP });
                jobs.push(Job { width, height: None, format: Self::fallback(known) });
            }
        }
        if *entry.preview.lock().unwrap_or_else(|e| e.into_inner()) {
            jobs.push(Job { width: card::WIDTH, height: Some(card::HEIGHT), format: Format::Jpeg });
        }
        jobs
    }

    /// What replaces the original of a shown raster image: its largest
    /// width, in its own format (often one of the variants already).
    fn original_job(&self, entry: &Entry, known: &Known) -> Option<Job> {
        if entry.kind != Kind::Raster {
            return None;
        }
        let width = entry.widths.lock().unwrap_or_else(|e| e.into_inner()).iter().copied().max()?;
        Some(Job { width, height: None, format: known.format? })
    }

    /// Where `entry` is shown, for messages: the image, and the page.
    fn problem(&self, entry: &Entry, code: Code, message: String, error: bool) -> Diagnostic {
        let page = entry.shown_on.get().map_or(String::new(), |p| format!(" (shown on /{p})"));
        let message = format!("{message}{page}");
        let diagnostic = if error { Diagnostic::error(code, message) } else { Diagnostic::warning(code, message) };
        match &entry.origin {
            Origin::File(path) => diagnostic.at(crate::diagnostics::display_path(self.root.path(), path)),
            Origin::Bytes(_) => diagnostic,
        }
    }

    /// The bytes of `job`: from the cache, or made now (decoding the source
    /// into `decoded` once for all its jobs).
    fn bytes(
        &self,
        entry: &Entry,
        known: &Known,
        job: &Job,
        decoded: &mut Option<image::DynamicImage>,
        done: &mut Published,
    ) -> Result<(Vec<u8>, u128), String> {
        let key = job.key(known);
        if let Some(found) = self.cache.get(&key) {
            done.cached += 1;
            return Ok(found);
        }
        if decoded.is_none() {
            let bytes = self.read(&entry.origin)?;
            *decoded = Some(if entry.kind == Kind::Vector {
                card::render_svg(&bytes, card::WIDTH, card::HEIGHT)?
            } else {
                process::decode(&bytes)?
            });
        }
        let source = decoded.as_ref().ok_or("no image")?;
        let bytes =
            process::resize(source, job.width, job.height).and_then(|image| process::encode(&image, job.format))?;
        let hash = self.cache.put(&key, &bytes);
        done.made += 1;
        Ok((bytes, hash))
    }

    /// Notes in the index that `key`'s bytes are `len` long and hash to `hash`.
    fn remember(&self, key: &str, len: usize, hash: u128) {
        let record = (len as u64, format!("{hash:032x}"));
        let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
        if index.variants.get(key) != Some(&record) {
            index.variants.insert(key.to_owned(), record);
            self.learnt.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the output already holds `job`'s bytes at `path`.
    fn kept(&self, store: &dyn Store, path: &str, key: &str) -> bool {
        let remembered = self.index.lock().unwrap_or_else(|e| e.into_inner()).variants.get(key).cloned();
        remembered
            .is_some_and(|(len, hash)| u128::from_str_radix(&hash, 16).is_ok_and(|hash| store.keep(path, len, hash)))
    }

    fn publish_one(&self, entry: &Entry, store: &dyn Store) -> Published {
        let mut done = Published::default();
        let known = match self.known(entry) {
            Ok(known) => known,
            Err(why) if matches!(entry.kind, Kind::Gif | Kind::Avif) => {
                // Published as it is, as before shopfront read it: the
                // browser may still show it, without a place kept for it.
                let message = format!("cannot read the size of this image: {why}; check that it opens in a browser");
                done.diagnostics.push(self.problem(entry, Code::Image, message, false));
                return done;
            }
            Err(why) => {
                done.diagnostics.push(self.problem(entry, Code::Image, format!("cannot read this image: {why}"), true));
                return done;
            }
        };
        let mut decoded = None;
        let mut outputs: Vec<(String, Job)> =
            self.jobs(entry, known).into_iter().map(|job| (job.file(known), job)).collect();
        // The original, replaced by its largest published size without metadata.
        if let Some(job) = self.original_job(entry, known) {
            outputs.push((entry.path.clone(), job));
            done.replaced.insert(entry.path.clone());
        }
        for (path, job) in &outputs {
            if self.kept(store, path, &job.key(known)) {
                done.cached += 1;
                continue;
            }
            match self.bytes(entry, known, job, &mut decoded, &mut done) {
                Ok((bytes, hash)) => {
                    self.remember(&job.key(known), bytes.len(), hash);
                    if let Err(diagnostic) = store.write(path, &bytes) {
                        done.diagnostics.push(*diagnostic);
                    }
                }
                Err(why) => {
                    done.diagnostics.push(self.problem(
                        entry,
                        Code::Image,
                        format!("cannot read this image: {why}"),
                        true,
                    ));
                    done.replaced.remove(&entry.path);
                    return done;
                }
            }
        }
        let size = known.size;
        let large = known.header.width.max(known.header.height) > LARGE_SIDE || size > LARGE_BYTES;
        if entry.kind == Kind::Raster && large {
            done.diagnostics.push(self.problem(
                entry,
                Code::Image,
                format!(
                    "this image is very large ({} × {} px, {:.1} MB); shopfront publishes smaller copies, but every build that has to read it again is slower",
                    known.header.width,
                    known.header.height,
                    size as f64 / 1_048_576.0
                ),
                false,
            ));
        }
        done
    }

    fn card_key(&self, file: &str, title: &str) -> String {
        let avatar = self.avatar_png().map_or(0, |png| xxhash_rust::xxh3::xxh3_64(&png));
        let hash = xxhash_rust::xxh3::xxh3_128(
            format!("{file}\n{title}\n{}\n{}\n{avatar}\nq{}", self.card_name, self.card_site, process::JPEG_QUALITY)
                .as_bytes(),
        );
        format!("{hash:032x}-card-v{}", Format::of_card(file).revision())
    }

    /// The avatar, square-cropped to 192 px, as PNG (once per build).
    fn avatar_png(&self) -> Option<Arc<[u8]>> {
        self.avatar_png
            .get_or_init(|| {
                let entry = self.entries.get(self.avatar.as_deref()?)?;
                let bytes = self.read(&entry.origin).ok()?;
                let image = if entry.kind == Kind::Vector {
                    card::render_svg(&bytes, 192, 192)
                } else {
                    process::decode(&bytes)
                }
                .ok()?;
                let square = process::resize(&image, 192, Some(192)).ok()?;
                process::encode(&square, Format::Png).ok().map(Arc::from)
            })
            .clone()
    }

    fn publish_card(&self, file: &str, title: &str, store: &dyn Store) -> Published {
        let mut done = Published::default();
        let key = self.card_key(file, title);
        if self.kept(store, file, &key) {
            done.cached += 1;
            return done;
        }
        let (bytes, hash) = match self.cache.get(&key) {
            Some(found) => {
                done.cached += 1;
                found
            }
            None => {
                let card = card::Card {
                    title: title.to_owned(),
                    name: self.card_name.clone(),
                    site: self.card_site.clone(),
                    avatar: self.avatar_png(),
                };
                match card::render(&card).and_then(|image| process::encode(&image, Format::of_card(file))) {
                    Ok(bytes) => {
                        done.made += 1;
                        let hash = self.cache.put(&key, &bytes);
                        (bytes, hash)
                    }
                    Err(why) => {
                        done.diagnostics.push(Diagnostic::error(
                            Code::Image,
                            format!("cannot draw the link-preview card for “{title}”: {why}"),
                        ));
                        return done;
                    }
                }
            }
        };
        self.remember(&key, bytes.len(), hash);
        if let Err(diagnostic) = store.write(file, &bytes) {
            done.diagnostics.push(*diagnostic);
        }
        done
    }

    /// The bytes of variant `file` (`_img/…`), made now if need be: `serve`
    /// answers a browser's request for an image of a page it rendered.
    pub fn variant(&self, file: &str) -> Option<Vec<u8>> {
        if !file.starts_with(DIR) {
            return None;
        }
        struct Collect<'a>(&'a str, Mutex<Option<Vec<u8>>>);
        impl Store for Collect<'_> {
            fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Box<Diagnostic>> {
                if path == self.0 {
                    *self.1.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
                }
                Ok(())
            }
            fn keep(&self, _: &str, _: u64, _: u128) -> bool {
                false
            }
        }
        let collect = Collect(file, Mutex::new(None));
        let card = if file == CARD.trim_start_matches('/') {
            Some(self.card_site.clone())
        } else {
            self.cards.lock().unwrap_or_else(|e| e.into_inner()).get(file).cloned()
        };
        if let Some(title) = card {
            self.publish_card(file, &title, &collect);
        } else {
            let (entry, known, job) = self.entries.values().find_map(|entry| {
                let known = self.known(entry).ok()?;
                let job = self.jobs(entry, known).into_iter().find(|job| job.file(known) == file)?;
                Some((entry, known, job))
            })?;
            let (bytes, _) = self.bytes(entry, known, &job, &mut None, &mut Published::default()).ok()?;
            return Some(bytes);
        }
        collect.1.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `width` and `height` an `<img>` of an image `header.width` ×
/// `header.height` is given: the width the page asks for (or, asking only
/// for a height, that height), the other side in the image's proportions;
/// its own size when the page asks for neither.
fn shown_size(el: &Element<'_, '_>, header: &Header) -> (u32, u32) {
    let asked = |name: &str| el.get_attribute(name).and_then(|v| v.trim().parse::<u32>().ok()).filter(|&v| v > 0);
    // `side` × `to` / `from`, rounded, at least 1.
    let scaled = |side: u32, to: u32, from: u32| {
        let scaled = (u64::from(side) * u64::from(to) + u64::from(from) / 2) / u64::from(from);
        u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
    };
    match (asked("width"), asked("height")) {
        (Some(width), _) => (width, scaled(width, header.height, header.width)),
        (None, Some(height)) => (scaled(height, header.width, header.height), height),
        (None, None) => (header.width, header.height),
    }
}

/// An `<img>` that says nothing of how it loads (a Markdown image, most raw
/// HTML) loads when it comes near and decodes off the main thread. One that
/// says anything (`loading`, `decoding`, `fetchpriority`: a template that
/// loads the page's first pictures at once) is left as it is.
fn loading_hints(el: &mut Element<'_, '_>) -> lol_html::HandlerResult {
    if ["loading", "decoding", "fetchpriority"].iter().any(|hint| el.has_attribute(hint)) {
        return Ok(());
    }
    el.set_attribute("loading", "lazy")?;
    el.set_attribute("decoding", "async")?;
    Ok(())
}

/// How the tags of the elements [`rewritten`] can match begin, lower-case.
const REWRITTEN_TAGS: [&str; 3] = ["<picture", "<img", "<meta"];

/// `html` through lol_html with `handlers`, one of which counts in `met`
/// the elements whose tags begin as [`REWRITTEN_TAGS`]. Once it has counted
/// as many as the page has such beginnings, no element further on can match
/// a handler: the rest of the page is passed on as it is, not parsed (on a
/// post page the last image comes at about half of its bytes). lol_html
/// writes what it does not change byte for byte, so the result is the one
/// rewriting the whole page gives. A beginning that is not an element (in a
/// comment, a script or an attribute) is never counted, and the whole page
/// is read, as before.
fn rewrite_until_done<'h>(
    html: &str,
    handlers: Vec<(std::borrow::Cow<'h, lol_html::Selector>, lol_html::ElementContentHandlers<'h>)>,
    met: &Cell<usize>,
) -> Result<String, lol_html::errors::RewritingError> {
    /// Small enough to stop soon after the last element, large enough that
    /// a chunk costs lol_html nothing to take.
    const CHUNK: usize = 4096;
    let beginnings: usize =
        REWRITTEN_TAGS.iter().map(|tag| crate::html::positions_ignoring_case(html, tag).count()).sum();
    let settings = handlers
        .into_iter()
        .fold(lol_html::Settings::new(), |s, h| s.append_element_content_handler(h))
        .with_adjust_charset_on_meta_tag(false)
        .with_encoding(lol_html::AsciiCompatibleEncoding::utf_8());
    let mut out = Vec::with_capacity(html.len() + html.len() / 8);
    let mut rewriter = lol_html::HtmlRewriter::new(settings, |chunk: &[u8]| out.extend_from_slice(chunk));
    let mut read = 0;
    while read < html.len() && met.get() < beginnings {
        let end = (read + CHUNK).min(html.len());
        rewriter.write(&html.as_bytes()[read..end])?;
        read = end;
    }
    rewriter.end()?;
    out.extend_from_slice(&html.as_bytes()[read..]);
    // UTF-8 in, UTF-8 written by the handlers: the bytes are UTF-8.
    Ok(String::from_utf8(out).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

/// The elements [`Library::rewrite`] changes, parsed once (it runs on
/// every page): `<picture>`, `<img>`, `<meta>` (the link preview's title
/// and its images), by tag name only; and the elements counted to know
/// when none can follow.
fn rewritten() -> &'static [lol_html::Selector; 4] {
    static SELECTORS: OnceLock<[lol_html::Selector; 4]> = OnceLock::new();
    SELECTORS.get_or_init(|| {
        [
            "picture",
            "img",
            "meta",
            // Every element whose tag [`REWRITTEN_TAGS`] counts.
            "picture, img, meta",
        ]
        .map(|selector| selector.parse().expect("a valid selector"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_upscale() {
        let slot = Slot { widths: vec![320, 640, 1024], sizes: String::new() };
        assert_eq!(Library::widths(&slot, 4032), [320, 640, 1024]);
        assert_eq!(Library::widths(&slot, 800), [320, 640, 800]);
        assert_eq!(Library::widths(&slot, 200), [200]);
        assert_eq!(Library::widths(&slot, 640), [320, 640]);
    }

    #[test]
    fn formats_browsers_cannot_show_are_known_by_extension() {
        for path in ["/images/IMG_0042.HEIC", "a.heif", "scan.TIF", "b.tiff?v=2", "DSC_1.NEF", "x.dng", "art.psd"] {
            assert!(unviewable(path).is_some(), "{path}");
        }
        for path in ["photo.jpg", "a.webp", "b.avif", "c.gif", "heic", "x.heic.jpg", "/images/tiff/a.png"] {
            assert_eq!(unviewable(path), None, "{path}");
        }
        assert_eq!(
            unviewable("b.tiff?v=2").as_deref(),
            Some("`b.tiff` is a TIFF image, which most browsers cannot show")
        );
    }

    #[test]
    fn names_are_url_safe() {
        assert_eq!(url_safe("IMG 2041 (1)"), "IMG-2041--1");
        assert_eq!(url_safe("東京"), "image");
    }

    /// What [`rewrite_until_done`] makes of `html`, and what rewriting the
    /// whole page makes, with handlers that change the elements it counts.
    fn both_ways(html: &str) -> (String, String) {
        let selectors = rewritten();
        let handlers = || {
            let mark = |el: &mut Element<'_, '_>| -> lol_html::HandlerResult {
                el.set_attribute("data-seen", "1")?;
                el.after("<!--after-->", lol_html::html_content::ContentType::Html);
                Ok(())
            };
            vec![on_element(&selectors[1], mark), on_element(&selectors[2], mark)]
        };
        let met = Cell::new(0usize);
        let mut early = handlers();
        early.push(on_element(&selectors[3], |_: &mut Element<'_, '_>| {
            met.set(met.get() + 1);
            Ok(())
        }));
        let early = rewrite_until_done(html, early, &met).unwrap();
        let settings = handlers()
            .into_iter()
            .fold(lol_html::RewriteStrSettings::new(), |s, h| s.append_element_content_handler(h));
        (early, lol_html::rewrite_str(html, settings).unwrap())
    }

    #[test]
    fn the_rest_of_a_page_after_its_last_image_is_passed_on_as_it_is() {
        let head = r#"<!doctype html><head><meta property="og:image" content="/c.jpg"><META name=twitter:image content=x></head>"#;
        let filler = "<p>Prose — ünïcödé, <a href=\"/x\">a link</a>.</p>\n".repeat(200);
        let mut pages = Vec::new();
        // The last image at every place around a chunk's edge, multi-byte
        // characters cut by it too.
        for shift in 4070..4110 {
            let before = "é".repeat(shift / 2) + &"a".repeat(shift % 2);
            pages.push(format!("{head}<body>{before}<IMG SRC=\"/a.jpg\" alt='x>y'>{filler}</body>"));
        }
        // Beginnings that are not elements: the whole page is read.
        pages.push(format!(
            "{head}<img src=/a.jpg>{filler}<!-- <img src=/b.jpg> --><script>'<meta'</script><img src=/c.jpg>"
        ));
        pages.push(format!("{head}{filler}<p title=\"<img src=/b.jpg>\">t</p><picture><img src=/d.jpg></picture>"));
        pages.push(format!("{head}{filler}<imgx src=/n.jpg><img src=/e.jpg>{filler}"));
        pages.push(format!("{head}{filler}<img src=/unclosed"));
        for page in &pages {
            let (early, whole) = both_ways(page);
            assert_eq!(early, whole);
        }
        let (early, _) = both_ways(&pages[0]);
        assert_eq!(early.matches("data-seen").count(), 3, "{early}");
        assert!(early.ends_with(&format!("{filler}</body>")));
    }
}
