//! Stage 5: the immutable model of the whole site.
//!
//! In: parsed [`Document`]s and the [`Settings`]. Out: a [`Site`] with
//! posts sorted newest first, standalone pages, category and tag
//! collections, the deduplicated product catalogue and the bundle files to
//! copy, with every URL assigned and checked: two files claiming one URL, or
//! a slug that tries to leave the output folder, is an error naming them.

pub mod anchors;
pub mod catalogue;
pub mod products;
pub mod routes;
pub mod videos;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Zoned;
use rustc_hash::FxHashMap;

use crate::content::front_matter::ProductInput;
use crate::content::{self, Document, Kind, slugs};
use crate::diagnostics::{Code, Diagnostic, FileFindings, Severity};
use crate::links::LinkPolicy;
use crate::markdown::{self, Heading};
use crate::profile::Settings;
pub use products::{Product, SellerLink};

/// `serde(with)` for free-form front matter values: JSON text, as the
/// cache's compact binary form cannot hold a self-describing value.
pub(crate) mod json_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, T: serde::de::DeserializeOwned, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// A post or a standalone page, ready to render. Serialised only into
/// the post cache on disk.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Post {
    /// Post or page.
    pub kind: Kind,
    /// The source file, relative to the site root.
    pub source: PathBuf,
    /// Title.
    pub title: String,
    /// Output path relative to the site root, with a trailing slash: `posts/slug/`.
    pub path: String,
    /// Where `slug:` or `permalink:` is written, for messages about the URL.
    pub url_position: Option<(usize, usize)>,
    /// Publication date.
    pub date: Option<Zoned>,
    /// Last update.
    pub updated: Option<Zoned>,
    /// Categories, as written.
    pub categories: Vec<TermRef>,
    /// Tags, as written.
    pub tags: Vec<TermRef>,
    /// Plain-text summary; may be empty.
    pub summary: String,
    /// Cover image URL.
    pub cover: Option<String>,
    /// Whether it is in the featured row.
    pub featured: bool,
    /// Products, in front-matter order.
    pub products: Vec<Arc<Product>>,
    /// Rendered body.
    pub content: String,
    /// Headings.
    pub toc: Vec<Heading>,
    /// Words in the body.
    pub word_count: usize,
    /// Unknown front-matter keys.
    #[serde(with = "json_text")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// This post's own disclosure text.
    pub disclosure: Option<String>,
    /// The bundle folder, whose files are copied next to the page.
    pub bundle: Option<PathBuf>,
    /// Whether the body or a product links to an affiliate.
    pub has_affiliate: bool,
    /// The statements the body's and products' links call for.
    pub statements: crate::links::Statements,
    /// Old addresses that redirect here: `aliases:`/`redirect_from:`, and
    /// the `.html` address the site's permalink pattern names.
    pub aliases: Vec<String>,
    /// Shortcodes in the body, in the order of their markers.
    pub shortcodes: Vec<Shortcode>,
    /// Links and images inside the site, with their line and column.
    pub internal: Vec<(usize, usize, markdown::InternalRef)>,
    /// What the body holds that the whole site's checks look for.
    pub marks: BodyMarks,
}

/// What a post's rendered body holds that whole-site passes look for, found
/// once when the file is read: a rebuild does not search every body again.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BodyMarks {
    /// Links to other posts by file name, or titles of them, waiting for
    /// every post's URL ([`markdown::tags::POST_REF`], [`markdown::tags::TITLE_REF`]).
    pub cross_references: bool,
    /// A sample ASIN of `shopfront init` in a product link of the body.
    pub sample_asin: Option<String>,
}

impl BodyMarks {
    fn of(html: &str) -> Self {
        Self {
            cross_references: html.contains(markdown::tags::POST_REF) || html.contains(markdown::tags::TITLE_REF),
            sample_asin: crate::links::sample_asin_in(html).map(str::to_owned),
        }
    }
}

impl Post {
    /// The picture a card of this post or collection shows: its cover, else
    /// its first product's picture.
    pub fn card_image(&self) -> Option<&str> {
        self.cover.as_deref().or_else(|| self.products.iter().find_map(|p| p.image.as_deref()))
    }

    /// Per product: whether the body shows it through a shortcode.
    pub fn placed(&self) -> Vec<bool> {
        let mut placed = vec![false; self.products.len()];
        for shortcode in &self.shortcodes {
            for i in shortcode.shows(self.products.len()) {
                placed[i] = true;
            }
        }
        placed
    }

    /// Per shortcode, in body order: the products that appear there for the
    /// first time in the body (where the summary's jump link leads).
    pub fn first_appearances(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.products.len()];
        self.shortcodes
            .iter()
            .map(|shortcode| {
                shortcode
                    .shows(self.products.len())
                    .into_iter()
                    .filter(|&i| !std::mem::replace(&mut seen[i], true))
                    .collect()
            })
            .collect()
    }
}

/// A shortcode in a post's body, checked against its products.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Shortcode {
    /// One product's card: an index into [`Post::products`].
    Product(usize),
    /// Every product's card.
    Products,
    /// A comparison table of every product.
    Compare,
    /// A video behind a click-to-load facade.
    Video(Box<VideoPlacement>),
}

/// A video shortcode with what it resolved to in its post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VideoPlacement {
    /// The video.
    pub video: videos::Video,
    /// The poster's URL: `poster=`, else the post's cover.
    pub poster: Option<String>,
    /// The rail's products: indices into [`Post::products`].
    pub products: Vec<usize>,
}

impl Shortcode {
    /// The indices of [`Post::products`] it shows.
    pub fn shows(&self, products: usize) -> Vec<usize> {
        match self {
            Self::Product(i) => vec![*i],
            Self::Products | Self::Compare => (0..products).collect(),
            Self::Video(placement) => placement.products.clone(),
        }
    }

    /// The theme template that renders it.
    pub fn template(&self) -> &'static str {
        match self {
            Self::Product(_) => "shortcodes/product.html",
            Self::Products => "shortcodes/products.html",
            Self::Compare => "shortcodes/compare.html",
            Self::Video(_) => "shortcodes/video.html",
        }
    }
}

/// A category or tag as a post names it. The text is shared (see
/// [`TermNames`]): a large site names a few dozen terms thousands of times.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermRef {
    /// As written.
    pub name: Arc<str>,
    /// URL segment.
    pub slug: Arc<str>,
}

/// A category or tag with its posts.
#[derive(Debug, Clone)]
pub struct Term {
    /// Display name (as first written, in post order).
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Indices into [`Site::posts`], newest first.
    pub posts: Vec<usize>,
}

/// A product on `/shop/`, once, with the posts that recommend it.
#[derive(Debug, Clone)]
pub struct ShopProduct {
    /// The product as its newest post describes it.
    pub product: Arc<Product>,
    /// Indices into [`Site::posts`], newest first. Nearly always one: kept
    /// inline, as serve rebuilds tens of thousands of these on every save.
    pub posts: smallvec::SmallVec<[usize; 1]>,
}

impl ShopProduct {
    /// The categories of the posts that recommend it, deduplicated by slug.
    /// Worked out when asked: most products are on one shop page only.
    pub fn categories<'a>(&self, posts: &'a [Arc<Post>]) -> Vec<&'a TermRef> {
        let mut out: Vec<&TermRef> = Vec::new();
        for category in self.posts.iter().filter_map(|&i| posts.get(i)).flat_map(|p| &p.categories) {
            if !out.iter().any(|c| c.slug == category.slug) {
                out.push(category);
            }
        }
        out
    }
}

/// A bundle file and where it goes in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCopy {
    /// The file.
    pub from: PathBuf,
    /// Relative output path.
    pub to: String,
}

/// The whole site.
#[derive(Debug)]
pub struct Site {
    /// Settings.
    pub settings: Settings,
    /// Posts, newest first; undated ones last, by title. Shared, so a dev
    /// server's next snapshot can reuse every post that did not change.
    pub posts: Vec<Arc<Post>>,
    /// Standalone pages, by path.
    pub pages: Vec<Arc<Post>>,
    /// Collections (`content/collections/`), ordered as posts are.
    pub collections: Vec<Arc<Post>>,
    /// Categories by slug.
    pub categories: Vec<Term>,
    /// Tags by slug.
    pub tags: Vec<Term>,
    /// Every product once, in order of first appearance in `posts`.
    pub products: Vec<ShopProduct>,
    /// Bundle files to copy.
    pub assets: Vec<AssetCopy>,
    /// How links are written.
    pub links: LinkPolicy,
    /// Every page, worked out once: see [`routes`].
    pub routes: Vec<routes::Route>,
}

/// Inputs to [`build`] besides the documents.
pub struct Inputs<'a> {
    /// The site root.
    pub root: &'a Path,
    /// Settings from the profile.
    pub settings: Settings,
    /// Link routing.
    pub links: &'a LinkPolicy,
    /// Whether drafts are built.
    pub drafts: bool,
    /// Bundle files found by discovery.
    pub assets: Vec<content::BundleAsset>,
    /// Files that `static/` and the theme put at the output root (relative, `/`).
    pub static_files: &'a std::collections::HashSet<String>,
    /// Whether `static/` could be read whole: when it could not (a link out
    /// of the site, say), a missing image is that error's doing, not another.
    pub static_complete: bool,
    /// Category and tag names seen so far.
    pub term_names: TermNames,
    /// The products of `data/products.*`.
    pub catalogue: &'a catalogue::Catalogue,
}

/// Category and tag names, each slugified once and shared by every post
/// that names it: a large site repeats a few dozen names thousands of times.
#[derive(Debug, Default)]
pub struct TermNames(std::sync::Mutex<FxHashMap<Box<str>, TermRef>>);

impl TermNames {
    /// The shared term for `name` (trimmed), or `None` when it has no
    /// letters or digits to make a URL from.
    fn get(&self, name: &str, settings: &Settings) -> Option<TermRef> {
        let mut names = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(term) = names.get(name) {
            return Some(term.clone());
        }
        // `[site.term_slugs]` (Hexo's `category_map` and `tag_map`) names the slug.
        let written = settings.profile.site.term_slugs.get(name).map_or(name, String::as_str);
        // Hexo's slug of `C++` is `C`: its blogs' addresses keep that.
        let slug = match settings.slugs {
            slugs::SlugMode::Hexo => slugs::slugify(written, settings.slugs),
            mode => slugs::slugify(&spell_symbols(written), mode),
        };
        if slug.is_empty() {
            return None;
        }
        let term = TermRef { name: name.into(), slug: slug.into() };
        names.insert(name.into(), term.clone());
        Some(term)
    }
}

/// `C++` and `C#` as words, so that they do not share `C`'s page:
/// a `+` or `#` after a letter, digit or another of them becomes ` plus `
/// or ` sharp `.
fn spell_symbols(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.contains(['+', '#']) {
        return name.into();
    }
    let mut out = String::with_capacity(name.len() + 16);
    let mut after_word = false;
    for c in name.chars() {
        match c {
            '+' if after_word => out.push_str(" plus "),
            '#' if after_word => out.push_str(" sharp "),
            c => {
                out.push(c);
                after_word = c.is_alphanumeric();
                continue;
            }
        }
    }
    out.into()
}

/// What one document gave: its post (none for a draft left out, or on
/// errors) and its findings.
pub type Resolved = (Option<Arc<Post>>, Vec<Diagnostic>);

/// Resolves one document on its own: URL, dates, Markdown, products.
pub fn resolve_document(document: &Document, inputs: &Inputs<'_>) -> Resolved {
    if document.front_matter.draft && !inputs.drafts {
        return (None, Vec::new());
    }
    let (post, diagnostics) = resolve(document, inputs, &inputs.settings.amazon_marketplace());
    (post.map(Arc::new), diagnostics)
}

/// Puts resolved documents together into the site: order, URL checks,
/// collections, products and bundle files. The site is made even when
/// there are errors, so that the links of every post are still checked in
/// the same run; a site with errors is never written.
pub fn assemble(results: Vec<Resolved>, inputs: Inputs<'_>) -> (Option<Site>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut posts = Vec::new();
    let mut pages = Vec::new();
    let mut collections = Vec::new();
    for (post, found) in results {
        diagnostics.extend(found);
        if let Some(post) = post {
            match post.kind {
                Kind::Post => posts.push(post),
                Kind::Page => pages.push(post),
                Kind::Collection => collections.push(post),
            }
        }
    }
    sort_posts(&mut posts);
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    sort_posts(&mut collections);
    // Collections are pages for the checks of addresses and bundle files.
    let pages_and_collections: Vec<Arc<Post>> = pages.iter().chain(&collections).cloned().collect();
    diagnostics.extend(check_urls(&posts, &pages_and_collections));
    diagnostics.extend(resolve_cross_references(&mut posts, &mut pages, &inputs.settings.base_path));
    anchors::add_requested([&mut posts, &mut pages, &mut collections], &inputs.settings.base_path);
    if inputs.settings.slugs == slugs::SlugMode::Hexo {
        for taxonomy in routes::Taxonomy::ALL {
            fold_term_case(&mut posts, taxonomy);
        }
    }
    // Independent passes over every post: side by side, for serve's rebuilds.
    let ((categories, tags), products) = rayon::join(
        || (collect_terms(&posts, |p| &p.categories), collect_terms(&posts, |p| &p.tags)),
        || collect_products(&posts, inputs.catalogue),
    );
    let assets = bundle_copies(&posts, &pages_and_collections, &inputs.assets);
    diagnostics.extend(check_assets(&posts, &pages_and_collections, &assets));
    diagnostics.extend(check_terms(&posts, &categories, |p| &p.categories, "categories"));
    diagnostics.extend(check_terms(&posts, &tags, |p| &p.tags, "tags"));
    let mut site = Site {
        routes: Vec::new(),
        links: inputs.links.clone(),
        settings: inputs.settings,
        posts,
        pages,
        collections,
        categories,
        tags,
        products,
        assets,
    };
    site.routes = routes::table(&site);
    (Some(site), diagnostics)
}

/// A post's categories or tags.
fn terms_of(post: &Post, taxonomy: routes::Taxonomy) -> &[TermRef] {
    match taxonomy {
        routes::Taxonomy::Categories => &post.categories,
        routes::Taxonomy::Tags => &post.tags,
    }
}

/// Hexo's slugs keep case, so `JavaScript` and `javascript` would be two
/// pages that one folder holds on a case-insensitive disk or host: they
/// share the page of the spelling most posts use (of those, the one that
/// sorts first), whatever order the posts were read in. A nested category
/// is folded level by level, so that `Diary/Life` and `diary/Work` both
/// live under one `Diary/`.
fn fold_term_case(posts: &mut [Arc<Post>], taxonomy: routes::Taxonomy) {
    let prefix = |slug: &str, depth: usize| -> usize {
        slug.match_indices('/').map(|(at, _)| at).chain([slug.len()]).nth(depth - 1).unwrap_or(slug.len())
    };
    let deepest = posts.iter().flat_map(|p| terms_of(p, taxonomy)).map(|t| t.slug.split('/').count()).max();
    for depth in 1..=deepest.unwrap_or(0) {
        // Each level's spellings by their lower case, with how many posts use each.
        let mut spellings: FxHashMap<String, BTreeMap<&str, usize>> = FxHashMap::default();
        for term in posts.iter().flat_map(|p| terms_of(p, taxonomy)) {
            if term.slug.split('/').count() >= depth {
                let level = &term.slug[..prefix(&term.slug, depth)];
                *spellings.entry(level.to_lowercase()).or_default().entry(level).or_default() += 1;
            }
        }
        let chosen: FxHashMap<String, String> = spellings
            .into_iter()
            .filter(|(_, spelt)| spelt.len() > 1)
            .map(|(folded, spelt)| {
                let most = spelt.values().max().copied().unwrap_or_default();
                let winner = spelt.into_iter().find(|(_, n)| *n == most).map(|(s, _)| s.to_owned());
                (folded, winner.unwrap_or_default())
            })
            .collect();
        if chosen.is_empty() {
            continue;
        }
        for post in posts.iter_mut() {
            let renamed = |t: &TermRef| {
                let end = prefix(&t.slug, depth);
                chosen.get(&t.slug[..end].to_lowercase()).filter(|w| **w != t.slug[..end]).map(|w| (w, end))
            };
            if !terms_of(post, taxonomy).iter().any(|t| renamed(t).is_some()) {
                continue;
            }
            let post = Arc::make_mut(post);
            let terms = match taxonomy {
                routes::Taxonomy::Categories => &mut post.categories,
                routes::Taxonomy::Tags => &mut post.tags,
            };
            for term in terms.iter_mut() {
                if let Some((winner, end)) = renamed(term) {
                    term.slug = format!("{winner}{}", &term.slug[end..]).into();
                }
            }
            // `JavaScript` and `javascript` on one post are one term now.
            let mut seen = rustc_hash::FxHashSet::default();
            terms.retain(|t| seen.insert(Arc::clone(&t.slug)));
        }
    }
}

/// Links to other posts by file name (`{% post_url %}`, `{% post_link %}`,
/// …) point at [`markdown::tags::POST_REF`] until now, when every post's
/// URL and title are known: each becomes the post's URL, or an error at its
/// line when no post has that name.
fn resolve_cross_references(posts: &mut [Arc<Post>], pages: &mut [Arc<Post>], base_path: &str) -> Vec<Diagnostic> {
    use markdown::tags::{POST_REF, TITLE_REF};
    let marker = format!("{base_path}{POST_REF}");
    let wanted =
        |p: &Arc<Post>| p.marks.cross_references && (p.content.contains(&marker) || p.content.contains(TITLE_REF));
    if !posts.iter().chain(pages.iter()).any(wanted) {
        return Vec::new();
    }
    // Every name a post goes by: its file name with and without the date,
    // its path under content/posts/, its URL's last part.
    let mut by_name: FxHashMap<String, (String, String)> = FxHashMap::default();
    for post in posts.iter().chain(pages.iter()) {
        let target = (post.path.clone(), post.title.clone());
        let source = post.source.with_extension("");
        let source = source.to_string_lossy().replace('\\', "/");
        let under = source
            .strip_prefix("content/posts/")
            .or_else(|| source.strip_prefix("content/pages/"))
            .unwrap_or(&source)
            .trim_end_matches("/index")
            .to_owned();
        let file = under.rsplit('/').next().unwrap_or(&under).to_owned();
        let last = post.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned();
        for name in [under.clone(), file.clone(), slugs::strip_date_prefix(&file).to_owned(), last] {
            by_name.entry(name).or_insert_with(|| target.clone());
        }
    }
    let mut diagnostics = Vec::new();
    for post in posts.iter_mut().chain(pages.iter_mut()) {
        if !wanted(post) {
            continue;
        }
        let post = Arc::make_mut(post);
        let lookup = |name: &str| {
            let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            by_name.get(decoded.as_ref()).cloned()
        };
        let mut content = String::with_capacity(post.content.len());
        let mut rest = post.content.as_str();
        while let Some(at) = rest.find(&marker) {
            content.push_str(&rest[..at]);
            let after = &rest[at + marker.len()..];
            let mut end = after.find(['"', '\'', '#', '?', '<', ' ', '\n']).unwrap_or(after.len());
            // In running text the name may be followed by punctuation: `… at {% post_path x %}.`
            while lookup(&after[..end]).is_none() && after[..end].ends_with(['.', ',', ';', ':', '!', ')']) {
                end -= 1;
            }
            match lookup(&after[..end]) {
                Some((path, _)) => content.push_str(&format!("{base_path}/{}", encode_path(&path))),
                None => content.push_str(&rest[at..at + marker.len() + end]),
            }
            rest = &after[end..];
        }
        content.push_str(rest);
        // Titles of `post_link`s without their own.
        let mut titled = String::with_capacity(content.len());
        let mut parts = content.split(TITLE_REF);
        titled.push_str(parts.next().unwrap_or_default());
        while let (Some(name), Some(after)) = (parts.next(), parts.next()) {
            let title = lookup(name).map_or_else(|| name.to_owned(), |(_, title)| title);
            titled.push_str(&crate::html::escape_attr(&title));
            titled.push_str(after);
        }
        post.content = titled;
        let source = post.source.clone();
        post.internal.retain_mut(|(line, column, reference)| {
            let Some(name) = reference.href.strip_prefix(&marker) else { return true };
            let name = name.split(['#', '?']).next().unwrap_or_default();
            match lookup(name) {
                Some((path, _)) => {
                    let tail = &reference.href[marker.len() + name.len()..];
                    reference.href = format!("{base_path}/{}{tail}", encode_path(&path));
                    true
                }
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::BrokenLink,
                            format!("broken link: there is no post or page named `{name}`"),
                        )
                        .at(&source)
                        .with_position(*line, *column, None)
                        .with_hint("name the post by its file name, e.g. `{% post_url 2024-06-30-my-post %}`"),
                    );
                    false
                }
            }
        });
    }
    diagnostics
}

/// Newest first; undated posts last, by title; ties by path, so the order never depends on threads.
pub fn sort_posts(posts: &mut [Arc<Post>]) {
    posts.sort_by(|a, b| match (&a.date, &b.date) {
        (Some(x), Some(y)) => y.timestamp().cmp(&x.timestamp()).then_with(|| a.path.cmp(&b.path)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.title.to_lowercase().cmp(&b.title.to_lowercase()).then_with(|| a.path.cmp(&b.path)),
    });
}

/// Resolves one document into a post, step by step: its URL, dates, body,
/// title, summary, cover, products, terms and shortcodes. Each step adds
/// its findings. A post with errors is still made when it has a URL: its
/// links are checked and links to it are not broken, so one run reports
/// every problem of the site; the errors keep the site from being written.
fn resolve(document: &Document, inputs: &Inputs<'_>, marketplace: &str) -> (Option<Post>, Vec<Diagnostic>) {
    let mut steps = Resolver {
        document,
        inputs,
        fm: &document.front_matter,
        findings: FileFindings::new(Some(document.source.display.clone())),
    };
    let (date, updated) = steps.dates();
    let rendered = steps.body();
    let title = steps.title(&rendered);
    let (path, mut aliases) = steps.path(date.as_ref(), &title);
    aliases.extend(steps.aliases());
    // Its own address, or that address in other case (which would replace
    // the page on case-insensitive file systems), needs no redirect.
    aliases.retain(|alias| !alias.eq_ignore_ascii_case(&path));
    aliases.sort_unstable();
    aliases.dedup();
    let summary = steps.summary(&rendered);
    let page_href = format!("{}/{}", inputs.settings.base_path, encode_path(&path));
    let unviewable = Unviewable::default();
    let resolve_image = |reference: &str| {
        resolve_asset(reference, document, &page_href, inputs.links, inputs.static_files, inputs.static_complete)
            .inspect(|_| unviewable.note(reference))
    };
    let cover = steps.cover(&resolve_image);
    let cx = products::ProductContext { document, links: inputs.links, marketplace, resolve_image: &resolve_image };
    let mut products: Vec<Arc<Product>> = Vec::with_capacity(steps.fm.products.len());
    let mut failed_products = false;
    for input in &steps.fm.products {
        match steps.product(input, &cx) {
            // The same product twice (an id and its ASIN, say) would be two cards.
            Some(product) if products.iter().any(|p| p.key == product.key) => {
                let document = steps.document;
                let written = input.id.as_ref().or(input.asin.as_ref()).map_or("products", |t| t.0.as_str());
                steps.findings.add(Code::Product, Severity::Warning, || {
                    document.at_front_matter_after(
                        Diagnostic::warning(Code::Product, format!("`{}` is listed twice; shown once", product.name)),
                        "products",
                        written,
                    )
                });
            }
            Some(product) => products.push(product),
            None => failed_products = true,
        }
    }
    // `{{ product("id") }}` of a catalogue product the post does not list adds it.
    let listed = ProductIndex::new(&products);
    let extra: Vec<Arc<Product>> = rendered
        .shortcodes
        .iter()
        .filter(|c| c.name == "product")
        .filter_map(|call| call.argument.as_deref())
        .filter(|wanted| listed.find(wanted).is_none())
        .filter_map(|wanted| inputs.catalogue.find(wanted))
        .map(|i| Arc::clone(&inputs.catalogue.products[i]))
        .collect();
    for product in extra {
        if !products.iter().any(|p| p.key == product.key) {
            products.push(product);
        }
    }
    let shortcodes = steps.shortcodes(&rendered, &products, failed_products, cover.as_deref(), &resolve_image);
    for warning in unviewable.warnings(document) {
        steps.findings.push(warning);
    }
    let categories = if inputs.settings.profile.site.nested_categories {
        steps.category_paths()
    } else {
        steps.terms(&steps.fm.categories, "category")
    };
    let tags = steps.terms(&steps.fm.tags, "tag");
    steps.disclosure();
    if path.is_empty() {
        return (None, steps.findings.into_vec());
    }
    let fm = steps.fm;
    let has_affiliate = rendered.has_affiliate || products.iter().any(|p| p.has_affiliate());
    let mut statements = rendered.statements;
    statements.extend(products.iter().flat_map(|p| p.statements()).cloned());
    let url_position = document
        .key_position("permalink")
        .or_else(|| document.key_position("url"))
        .or_else(|| document.key_position("slug"));
    let post = Post {
        url_position,
        kind: document.source.kind,
        has_affiliate,
        statements,
        shortcodes,
        internal: rendered
            .internal
            .iter()
            .map(|r| {
                let (line, column) = document.body_position(r.offset);
                (line, column, r.clone())
            })
            .collect(),
        source: document.source.display.clone(),
        title,
        path,
        date,
        updated,
        categories,
        tags,
        summary,
        cover,
        featured: fm.featured,
        products,
        marks: BodyMarks::of(&rendered.html),
        content: rendered.html,
        toc: rendered.toc,
        word_count: rendered.word_count,
        extra: fm.extra.clone(),
        disclosure: fm.disclosure.clone(),
        bundle: document.source.bundle.clone(),
        aliases,
    };
    (Some(post), steps.findings.into_vec())
}

/// An error at the front-matter line of `document` that mentions `needle`.
fn fm_error(document: &Document, message: String, needle: &str) -> Diagnostic {
    document.at_front_matter(Diagnostic::error(Code::FrontMatter, message), needle)
}

/// The steps of [`resolve`], with what they share: the document, the
/// site's inputs and the file's findings (made only while few of their kind
/// were: locating one in the front matter means searching it).
struct Resolver<'a, 'i> {
    document: &'a Document,
    inputs: &'a Inputs<'i>,
    fm: &'a content::front_matter::FrontMatter,
    findings: FileFindings,
}

impl Resolver<'_, '_> {
    /// An error at the front-matter line that mentions `needle`.
    fn fm_error(&self, message: String, needle: &str) -> Diagnostic {
        fm_error(self.document, message, needle)
    }

    /// The output path (`posts/slug/`) and the `.html` address the
    /// site's permalink pattern names, or an error and an empty path.
    fn path(&mut self, date: Option<&Zoned>, title: &str) -> (String, Vec<String>) {
        match output_path(self.document, &self.inputs.settings, date, title) {
            Ok((path, alias)) => (path, alias.into_iter().collect()),
            Err(message) => {
                let fm = self.fm;
                let needle = if fm.permalink.is_some() { "permalink" } else { "slug" };
                let diagnostic = if fm.slug.is_some() || fm.permalink.is_some() {
                    self.fm_error(message, needle)
                } else {
                    Diagnostic::error(Code::Slug, message).at(&self.document.source.display)
                };
                self.findings.push(diagnostic);
                (String::new(), Vec::new())
            }
        }
    }

    /// The old addresses of `aliases:`/`redirect_from:`, as output paths.
    fn aliases(&mut self) -> Vec<String> {
        let mut paths = Vec::new();
        for alias in &self.fm.aliases {
            match alias_path(alias) {
                Ok(path) => paths.push(path),
                Err(message) => {
                    let key = ["aliases", "redirect_from", "alias"]
                        .into_iter()
                        .find(|k| self.document.key_position(k).is_some())
                        .unwrap_or("aliases");
                    let document = self.document;
                    self.findings.add(Code::FrontMatter, Severity::Error, || {
                        document.at_front_matter_after(Diagnostic::error(Code::FrontMatter, message), key, alias)
                    });
                }
            }
        }
        paths
    }

    /// `date` and `updated` in the site's time zone.
    fn dates(&mut self) -> (Option<Zoned>, Option<Zoned>) {
        let (fm, timezone) = (self.fm, &self.inputs.settings.timezone);
        for (key, why) in &fm.invalid_dates {
            let document = self.document;
            self.findings.add(Code::FrontMatter, Severity::Error, || fm_error(document, why.clone(), key));
        }
        let invalid_date = fm.invalid_dates.iter().any(|(key, _)| key == "date");
        // Jekyll and Hexo date a post by its file name, `2024-06-30-title.md`.
        let from_file_name = || content::dates::DateInput::from_file_stem(&file_stem(self.document));
        let written = fm.date.or_else(|| if invalid_date { None } else { from_file_name() });
        if written.is_none() && !invalid_date && self.document.source.kind == Kind::Post {
            self.findings.push(
                Diagnostic::warning(
                    Code::NoDate,
                    "post has no `date`, in its front matter or as a `YYYY-MM-DD-` file name; it is listed after every dated post",
                )
                .at(&self.document.source.display),
            );
        }
        let date = written.and_then(|d| match d.resolve(timezone) {
            Ok(z) => Some(z),
            Err(message) => {
                self.findings.push(self.fm_error(message, "date"));
                None
            }
        });
        let updated = fm.updated.and_then(|d| match d.resolve(timezone) {
            Ok(z) => Some(z),
            Err(message) => {
                let key = if self.document.key_position("updated").is_some() { "updated" } else { "lastmod" };
                self.findings.push(self.fm_error(message, key));
                None
            }
        });
        (date, updated)
    }

    /// The body as HTML, with what its links gave: unsafe links, links
    /// through redirect services and the rule engine's warnings.
    fn body(&mut self) -> markdown::Rendered {
        let document = self.document;
        let body = document.body();
        let variables = if body.contains("{%") || body.contains("{{") { self.variables() } else { Default::default() };
        let settings = &self.inputs.settings;
        let line_breaks = settings.profile.site.line_breaks;
        let rendered = markdown::render_post(body, self.inputs.links, settings.slugs, line_breaks, &variables);
        for &offset in &rendered.no_alt {
            self.findings.add(Code::NoAlt, Severity::Warning, || {
                let diagnostic = Diagnostic::warning(Code::NoAlt, "this image has no alternative text")
                    .with_hint("describe it for readers who cannot see it: ![a walnut standing desk](desk.jpg)");
                document.at_body_offset(diagnostic, offset)
            });
        }
        for &offset in &rendered.markdown_in_html {
            self.findings.add(Code::MarkdownInHtml, Severity::Warning, || {
                let message = "this Markdown link is inside an HTML block, so it shows as text and leads nowhere";
                let diagnostic = Diagnostic::warning(Code::MarkdownInHtml, message).with_hint(
                    "leave a blank line between the HTML and the Markdown, or write the link as <a href=\"…\">",
                );
                document.at_body_offset(diagnostic, offset)
            });
        }
        for tag in &rendered.unsupported {
            self.findings.add(Code::UnsupportedTag, Severity::Warning, || {
                let message = format!("`{}` {}", tag.written, tag.why);
                document.at_body_offset(Diagnostic::warning(Code::UnsupportedTag, message), tag.offset)
            });
        }
        for problem in &rendered.problems {
            self.findings.add(Code::UnsafeLink, Severity::Error, || {
                document.error_in_body(Code::UnsafeLink, problem.offset, problem.message.clone())
            });
        }
        for redirect in &rendered.redirects {
            let (code, severity) = crate::compliance::content::redirect_kind(redirect.service);
            self.findings.add(code, severity, || {
                document.at_body_offset(crate::compliance::content::redirect(redirect.service), redirect.offset)
            });
        }
        for note in &rendered.notes {
            self.findings.add(note.warning.code(), Severity::Warning, || {
                document.at_body_offset(Diagnostic::warning(note.warning.code(), note.warning.to_string()), note.offset)
            });
        }
        rendered
    }

    /// What Liquid's `site.NAME` and `page.NAME` mean in this post.
    fn variables(&self) -> markdown::tags::Variables {
        let settings = &self.inputs.settings;
        let origin = &settings.base_url[..settings.base_url.len() - settings.base_path.len()];
        let mut site = settings.profile.liquid.clone();
        site.insert("baseurl".to_owned(), settings.base_path.clone());
        site.insert("url".to_owned(), origin.to_owned());
        site.insert("title".to_owned(), settings.title.clone());
        site.insert("author".to_owned(), settings.profile.name.clone());
        if let Some(tagline) = &settings.profile.tagline {
            site.insert("description".to_owned(), tagline.clone());
        }
        let mut page = self.fm.extra.clone();
        for (key, value) in [("title", &self.fm.title), ("image", &self.fm.cover), ("description", &self.fm.summary)] {
            if let Some(value) = value {
                page.insert(key.to_owned(), serde_json::Value::String(value.clone()));
            }
        }
        markdown::tags::Variables { site, page }
    }

    /// The title: front matter's, else (a dated post file, as Jekyll names
    /// them) the file name's words, else the first heading or line, else the file name.
    fn title(&mut self, rendered: &markdown::Rendered) -> String {
        if let Some(title) = self.fm.title.as_ref().filter(|t| !t.trim().is_empty()) {
            // Hexo and Jekyll print titles as HTML: `&ldquo;` is a quote, once, and `<em>` emphasis.
            return crate::html::visible_text(title.trim());
        }
        // A dated post file is Jekyll's: its title comes from the file name.
        let jekyll =
            (self.document.source.kind == Kind::Post).then(|| slugs::jekyll_title(&file_stem(self.document))).flatten();
        let fallback = jekyll
            .or_else(|| rendered.first_heading.clone())
            .or_else(|| {
                self.document
                    .body()
                    .lines()
                    .map(|l| l.trim().trim_start_matches('#').trim())
                    .find(|l| !l.is_empty())
                    .map(|l| l.chars().take(120).collect())
            })
            .unwrap_or_else(|| file_stem(self.document));
        let why =
            if self.document.has_front_matter { "front matter has no `title`" } else { "file has no front matter" };
        self.findings.push(
            Diagnostic::warning(Code::NoTitle, format!("{why}; using \"{fallback}\" as the title"))
                .at(&self.document.source.display),
        );
        fallback
    }

    /// The summary: front matter's, else the excerpt, else the first
    /// paragraph cut short. Posts without one or without a cover are told.
    fn summary(&mut self, rendered: &markdown::Rendered) -> String {
        let (fm, body, display) = (self.fm, self.document.body(), &self.document.source.display);
        if self.document.source.kind == Kind::Post {
            // Cards and search results fall back to the first paragraph, and
            // link previews to a generated card: only a post with nothing to
            // show there, and a post of products without a picture on its
            // card, are worth a word.
            if fm.summary.is_none() && markdown::excerpt(body).is_none() && rendered.first_paragraph.trim().is_empty() {
                self.findings.push(
                    Diagnostic::warning(
                        Code::NoSummary,
                        "post has no `summary` and no paragraph for cards and search results",
                    )
                    .at(display),
                );
            }
            if fm.cover.is_none() && !fm.products.is_empty() {
                self.findings.push(
                    Diagnostic::warning(
                        Code::NoCover,
                        "post recommends products but has no `cover` image for its card",
                    )
                    .at(display),
                );
            }
        }
        fm.summary
            .clone()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .or_else(|| markdown::excerpt(body).map(markdown::plain_text))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| truncate_words(&rendered.first_paragraph, 300))
    }

    /// The cover image's URL.
    fn cover(&mut self, resolve_image: &dyn Fn(&str) -> Result<String, String>) -> Option<String> {
        let cover = self.fm.cover.as_deref()?;
        match resolve_image(cover.trim()) {
            Ok(url) => Some(url),
            Err(message) => {
                self.findings.push(self.fm_error(message, cover));
                None
            }
        }
    }

    /// The shared categories or tags for `names`, each once.
    fn terms(&mut self, names: &[String], what: &str) -> Vec<TermRef> {
        let mut out: Vec<TermRef> = Vec::new();
        let mut slugs: rustc_hash::FxHashSet<Arc<str>> = rustc_hash::FxHashSet::default();
        for name in names {
            let name = name.trim();
            let Some(term) = self.inputs.term_names.get(name, &self.inputs.settings) else {
                if !name.is_empty() {
                    let document = self.document;
                    self.findings.add(Code::FrontMatter, Severity::Error, || {
                        fm_error(document, format!("{what} `{name}` has no letters or digits to make a URL from"), name)
                    });
                }
                continue;
            };
            if slugs.insert(Arc::clone(&term.slug)) {
                out.push(term);
            }
        }
        out
    }

    /// Hexo's categories: one term a path, `Diary › Life` at
    /// `categories/diary/life/` (its levels get pages of their own, see
    /// [`collect_terms`]).
    fn category_paths(&mut self) -> Vec<TermRef> {
        let mut out: Vec<TermRef> = Vec::new();
        for path in &self.fm.category_paths {
            let levels = self.terms(path, "category");
            if levels.len() != path.len() {
                continue;
            }
            let name = levels.iter().map(|t| &*t.name).collect::<Vec<_>>().join(CATEGORY_SEPARATOR);
            let slug = levels.iter().map(|t| &*t.slug).collect::<Vec<_>>().join("/");
            if !out.iter().any(|t| *t.slug == *slug) {
                out.push(TermRef { name: name.into(), slug: slug.into() });
            }
        }
        out
    }

    /// What each shortcode of the body places.
    fn shortcodes(
        &mut self,
        rendered: &markdown::Rendered,
        products: &[Arc<Product>],
        failed_products: bool,
        cover: Option<&str>,
        resolve_image: &dyn Fn(&str) -> Result<String, String>,
    ) -> Vec<Shortcode> {
        let document = self.document;
        let mut shortcodes = Vec::with_capacity(rendered.shortcodes.len());
        let product_index = ProductIndex::new(products);
        for call in &rendered.shortcodes {
            let error = |message: String| document.error_in_body(Code::Shortcode, call.offset, message);
            match (call.name.as_str(), &call.argument) {
                ("product", Some(wanted)) => match product_index.find(wanted) {
                    Some(index) => shortcodes.push(Shortcode::Product(index)),
                    None if failed_products => {} // a product of the post had errors, reported
                    None => self.findings.add(Code::Shortcode, Severity::Error, || {
                        let known: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
                        let hint = if known.is_empty() {
                            "this post has no `products:` in its front matter".to_owned()
                        } else {
                            format!("this post's products: {}", known.join(", "))
                        };
                        error(format!("`product(\"{wanted}\")`: no product of this post has that asin or id"))
                            .with_hint(hint)
                    }),
                },
                ("product", None) => self.findings.add(Code::Shortcode, Severity::Error, || {
                    error("`product()` needs an asin or id: {{ product(\"B06XCKGLTP\") }}".to_owned())
                }),
                ("products", _) => shortcodes.push(Shortcode::Products),
                ("compare", _) => shortcodes.push(Shortcode::Compare),
                (name, argument) if let Some(provider) = videos::Provider::from_shortcode(name) => {
                    let placement = match argument {
                        None => Err(format!("`{name}()` needs the video: {name}(\"…\") with its address or id")),
                        Some(argument) => videos::Video::parse(provider, argument, &call.named).and_then(|video| {
                            self.video_placement(video, &product_index, products, cover, resolve_image)
                        }),
                    };
                    match placement {
                        Ok(placement) => shortcodes.push(Shortcode::Video(Box::new(placement))),
                        Err(message) => self.findings.add(Code::Shortcode, Severity::Error, || error(message)),
                    }
                }
                (other, _) => self.findings.add(Code::Shortcode, Severity::Error, || {
                    error(format!("unknown shortcode `{other}`")).with_hint(
                        "shortcodes are product(\"ASIN or id\"), products(), compare(), youtube(…), vimeo(…), tiktok(…) and instagram(…)",
                    )
                }),
            }
        }
        shortcodes
    }

    /// One entry of `products:`: its own product, or a catalogue product
    /// it names by id, with the keys it changes.
    fn product(&mut self, input: &ProductInput, cx: &products::ProductContext<'_>) -> Option<Arc<Product>> {
        if !input.is_reference() {
            return products::resolve(input, cx, &mut self.findings).map(Arc::new);
        }
        let id = input.id.as_ref().map_or("", |id| id.0.trim());
        let catalogue = self.inputs.catalogue;
        let Some(i) = catalogue.find(id) else {
            if catalogue.failed {
                return None; // the catalogue's own errors say why
            }
            let document = self.document;
            let message = if catalogue.is_empty() {
                format!(
                    "product `{id}` has no `name`, and the site has no catalogue (data/products.toml) to find it in"
                )
            } else {
                format!("no product of the catalogue has the id `{id}`")
            };
            self.findings.add(Code::Product, Severity::Error, || {
                document.at_front_matter_after(Diagnostic::error(Code::Product, message), "products", id)
            });
            return None;
        };
        if input.is_bare_reference() {
            return Some(Arc::clone(&catalogue.products[i]));
        }
        products::resolve(&input.over(catalogue.input(i)), cx, &mut self.findings).map(Arc::new)
    }

    /// A video's poster and rail, resolved against the post.
    fn video_placement(
        &self,
        video: videos::Video,
        product_index: &ProductIndex<'_>,
        products: &[Arc<Product>],
        cover: Option<&str>,
        resolve_image: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<VideoPlacement, String> {
        let poster = match &video.poster {
            Some(written) => Some(resolve_image(written).map_err(|message| format!("`poster`: {message}"))?),
            None => cover.map(str::to_owned),
        };
        let rail = match video.products.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some("all") => (0..products.len()).collect(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|wanted| !wanted.is_empty())
                .map(|wanted| {
                    product_index.find(wanted).ok_or_else(|| {
                        let known: Vec<&str> = products.iter().map(|p| p.id.as_str()).collect();
                        format!(
                            "`products`: no product of this post has the asin or id `{wanted}` (its products: {})",
                            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(VideoPlacement { video, poster, products: rail })
    }

    /// A post's own `disclosure:` may not be empty.
    fn disclosure(&mut self) {
        if self.fm.disclosure.as_ref().is_some_and(|text| text.trim().is_empty()) {
            self.findings.push(self.fm_error(
                "`disclosure` is empty; a post with affiliate links must show a disclosure (remove the key to use the default)".to_owned(),
                "disclosure",
            ));
        }
    }
}

/// Which of a post's products a `product("…")` shortcode names: the first
/// whose `id` is the argument or whose ASIN is, in any case. Made on the
/// first lookup, so a post with many products and many shortcodes is not
/// searched once per shortcode.
struct ProductIndex<'a> {
    products: &'a [Arc<Product>],
    /// The first product with each id, and with each ASIN (kept upper case).
    by_id_and_asin: std::cell::OnceCell<(FirstIndex<'a>, FirstIndex<'a>)>,
}

/// Where a name first occurs in a list.
type FirstIndex<'a> = FxHashMap<&'a str, usize>;

impl<'a> ProductIndex<'a> {
    fn new(products: &'a [Arc<Product>]) -> Self {
        Self { products, by_id_and_asin: std::cell::OnceCell::new() }
    }

    fn find(&self, wanted: &str) -> Option<usize> {
        let (by_id, by_asin) = self.by_id_and_asin.get_or_init(|| {
            let (mut by_id, mut by_asin) = (FxHashMap::default(), FxHashMap::default());
            for (index, product) in self.products.iter().enumerate() {
                by_id.entry(product.id.as_str()).or_insert(index);
                if let Some(asin) = product.asin.as_deref() {
                    by_asin.entry(asin).or_insert(index);
                }
            }
            (by_id, by_asin)
        });
        let id = by_id.get(wanted).copied();
        let asin = by_asin.get(wanted.to_ascii_uppercase().as_str()).copied();
        id.into_iter().chain(asin).min()
    }
}

fn file_stem(document: &Document) -> String {
    let path = &document.source.path;
    let stem = match &document.source.bundle {
        Some(dir) => dir.file_name(),
        None => path.file_stem(),
    };
    stem.map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A post's path under `content/posts/` (or `content/`), with `/` between
/// folders: `notes/My Trip.md`, or a bundle's folder, `notes/trip`.
fn posts_path(document: &Document) -> String {
    let display = &document.source.display;
    // A bundle's `index.md` stands for its folder (a Hexo asset folder's post is its own file).
    let display = match display.file_stem() {
        Some(stem) if document.source.bundle.is_some() && stem == "index" => display.parent().unwrap_or(display),
        _ => display,
    };
    let under_content = display.strip_prefix(content::CONTENT_DIR).unwrap_or(display);
    let under_posts = under_content.strip_prefix("posts").unwrap_or(under_content);
    let parts: Vec<String> = under_posts.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// The output path of a document — `posts/slug/`, `slug/` for pages, its
/// own permalink or the site's pattern's — and the `.html` address the
/// pattern names, which redirects to it.
fn output_path(
    document: &Document,
    settings: &Settings,
    date: Option<&Zoned>,
    title: &str,
) -> Result<(String, Option<String>), String> {
    let fm = &document.front_matter;
    if let Some(permalink) = &fm.permalink {
        return permalink_path(permalink).map(|path| (path, None));
    }
    if let (Some(pattern), Kind::Post) = (&settings.permalink, document.source.kind) {
        let stem = file_stem(document);
        let written_slug = fm.slug.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let id = fm.extra.get("id").and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        // Hexo names a post by its file alone, whatever its `slug:`.
        let hexo_title = settings.new_post_name.as_ref().map(|name| name.title(&posts_path(document)));
        let site = &settings.profile.site;
        let values = content::permalink::Values {
            date,
            title: hexo_title
                .as_deref()
                .unwrap_or_else(|| written_slug.unwrap_or_else(|| slugs::strip_date_prefix(&stem))),
            hexo: hexo_title.as_ref().map(|_| content::permalink::HexoNames {
                category_slugs: &site.term_slugs,
                default_category: site.default_category.as_deref().unwrap_or("uncategorized"),
            }),
            name: hexo_title.as_deref().map_or(&stem, |title| title.rsplit('/').next().unwrap_or(title)),
            post_title: title,
            id: id.as_deref(),
            categories: &fm.categories,
        };
        // A post without a date cannot take a dated address: it keeps the default one.
        if let Some(expanded) = pattern.expand(&values, |text| slugs::slugify(text, settings.slugs)) {
            let path = permalink_path(&expanded.path)
                .map_err(|why| format!("the site's `permalink` pattern gives this post an unusable URL: {why}"))?;
            return Ok((path, expanded.html_alias));
        }
    }
    let slug = match &fm.slug {
        Some(written) => {
            slugs::check_written(written)?;
            let written = written.trim();
            let url_safe = written.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
            if url_safe { written.to_owned() } else { slugs::slugify(written, settings.slugs) }
        }
        None => slugs::from_file_stem(&file_stem(document), settings.slugs),
    };
    if slug.is_empty() {
        return Err(format!(
            "cannot make a URL from the file name `{}`; add `slug:` to the front matter",
            file_stem(document)
        ));
    }
    let path = match document.source.kind {
        Kind::Post => format!("posts/{slug}/"),
        Kind::Collection => format!("{}/{slug}/", content::COLLECTIONS_DIR),
        Kind::Page => {
            // content/pages/legal/terms.md → legal/terms/
            let pages = document.source.display.strip_prefix("content/pages").ok();
            let parents: Vec<String> = pages
                .and_then(Path::parent)
                .map(|p| {
                    p.components()
                        .map(|c| slugs::slugify(&c.as_os_str().to_string_lossy(), settings.slugs))
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let parents = if document.source.bundle.is_some() && fm.slug.is_none() {
                // A page bundle's own folder is already its slug.
                parents[..parents.len().saturating_sub(1)].to_vec()
            } else {
                parents
            };
            let mut path = String::new();
            for parent in parents {
                path.push_str(&parent);
                path.push('/');
            }
            format!("{path}{slug}/")
        }
    };
    Ok((path, None))
}

/// An `aliases:` entry as an output path: an address on this site,
/// `/old/post/` or `/2014/03/21/old.html`.
fn alias_path(alias: &str) -> Result<String, String> {
    let trimmed = alias.trim();
    if trimmed.contains("://") || trimmed.starts_with("//") || trimmed.contains(['?', '#']) {
        return Err(format!(
            "`{trimmed}` is not an address on this site: redirects are written for the site's own old addresses (`/old-post/`), never to or from other sites"
        ));
    }
    if let Some(file) = trimmed.strip_suffix(".html")
        && !file.ends_with("/index")
    {
        let folder = permalink_path(file).map_err(|why| format!("alias `{trimmed}`: {why}"))?;
        return Ok(format!("{}.html", folder.trim_end_matches('/')));
    }
    permalink_path(trimmed).map_err(|why| format!("alias `{trimmed}`: {why}"))
}

/// A creator's `permalink:` as a safe output path.
fn permalink_path(permalink: &str) -> Result<String, String> {
    let trimmed = permalink.trim();
    let trimmed = trimmed.strip_suffix("index.html").unwrap_or(trimmed);
    let trimmed = trimmed.strip_suffix(".html").unwrap_or(trimmed);
    let mut path = String::new();
    for segment in trimmed.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Err(format!("`permalink: {permalink}` must not contain `.` or `..` segments")),
            s if s.len() > 255 => {
                return Err(format!(
                    "`permalink:` has a part of {} bytes; file systems allow at most 255 in a folder name",
                    s.len()
                ));
            }
            s if s.contains('\\') || s.chars().any(char::is_control) || s.contains(['?', '#']) => {
                return Err(format!("`permalink: {permalink}` contains characters that cannot be in a path"));
            }
            s => {
                path.push_str(s);
                path.push('/');
            }
        }
    }
    if path.is_empty() {
        return Err(format!("`permalink: {permalink}` would replace the storefront home page"));
    }
    Ok(path)
}

/// The first part of an output path that names a hidden file or folder
/// (`.git`, `.env`), but `.well-known` at the top, which sites publish.
fn hidden_folder(path: &str) -> Option<&str> {
    path.split('/')
        .enumerate()
        .find(|&(i, part)| part.starts_with('.') && !(i == 0 && part == ".well-known"))
        .map(|(_, part)| part)
}

fn check_urls(posts: &[Arc<Post>], pages: &[Arc<Post>]) -> Vec<Diagnostic> {
    let located = |post: &Post, diagnostic: Diagnostic| match post.url_position {
        Some((line, column)) => diagnostic.at(&post.source).with_position(line, column, None),
        None => diagnostic.at(&post.source),
    };
    let mut seen: FxHashMap<&str, &Post> = FxHashMap::default();
    let mut folded: FxHashMap<String, &Post> = FxHashMap::default();
    let posts = posts.iter().map(|p| &**p);
    let pages = pages.iter().map(|p| &**p);
    let mut diagnostics = Vec::new();
    for post in posts.clone().chain(pages.clone()) {
        if let Some(hidden) = hidden_folder(&post.path) {
            diagnostics.push(located(
                post,
                Diagnostic::error(
                    Code::Slug,
                    format!(
                        "the URL /{} is inside a hidden folder, `{hidden}`: hidden folders are never published, \
                         and one in the output may be a `.git` or a host's own",
                        post.path
                    ),
                )
                .with_hint("give the page a `slug:` or `permalink:` whose parts do not begin with `.`"),
            ));
            continue;
        }
        let first = post.path.split('/').next().unwrap_or_default();
        let default_post_area = (post.kind == Kind::Post && first == "posts")
            || (post.kind == Kind::Collection && first == content::COLLECTIONS_DIR);
        if !default_post_area && (routes::RESERVED.contains(&first) || routes::RESERVED_FILES.contains(&first)) {
            diagnostics.push(located(
                post,
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!("the URL /{} is reserved for shopfront's own /{first} page", post.path),
                )
                .with_hint("give the page another `slug:` or `permalink:`"),
            ));
            continue;
        }
        if let Some(other) = folded.insert(post.path.to_lowercase(), post)
            && other.path != post.path
        {
            let (a, b) = if other.source <= post.source { (other, post) } else { (post, other) };
            diagnostics.push(located(
                a,
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!(
                        "{} (/{}) and {} (/{}) have URLs that differ only in upper and lower case: \
                         on macOS, Windows and many hosts one page would replace the other",
                        a.source.display(),
                        a.path,
                        b.source.display(),
                        b.path
                    ),
                )
                .with_hint("give one of them a different `slug:`"),
            ));
        }
        if let Some(other) = seen.insert(&post.path, post) {
            let (a, b) = if other.source <= post.source { (other, post) } else { (post, other) };
            diagnostics.push(located(
                a,
                Diagnostic::error(
                    Code::DuplicateUrl,
                    format!("{} and {} both want the URL /{}", a.source.display(), b.source.display(), post.path),
                )
                .with_hint("give one of them a different `slug:`"),
            ));
        }
    }
    // An old address redirects to one page, and never replaces a page.
    let mut redirected: FxHashMap<&str, &Post> = FxHashMap::default();
    for post in posts.chain(pages) {
        for alias in &post.aliases {
            let first = alias.split('/').next().unwrap_or_default();
            let taken = if let Some(hidden) = hidden_folder(alias) {
                Some(format!("`{hidden}` is a hidden folder, never published"))
            } else if let Some(page) = seen.get(alias.as_str()) {
                Some(format!("it is the URL of {}", page.source.display()))
            } else if routes::RESERVED.contains(&first) || routes::RESERVED_FILES.contains(&first) {
                Some(format!("/{first} is shopfront's own page"))
            } else {
                redirected.insert(alias, post).map(|other| format!("{} redirects it already", other.source.display()))
            };
            if let Some(why) = taken {
                diagnostics.push(
                    Diagnostic::error(Code::DuplicateUrl, format!("cannot redirect /{alias} to /{}: {why}", post.path))
                        .at(&post.source)
                        .with_hint("remove the address from `aliases:`/`redirect_from:`"),
                );
            }
        }
    }
    diagnostics
}

/// Bundle files that would take a page's place: a bundle's own
/// `index.html`, or a file at another page's URL.
fn check_assets(posts: &[Arc<Post>], pages: &[Arc<Post>], assets: &[AssetCopy]) -> Vec<Diagnostic> {
    let mut by_output: FxHashMap<String, &Post> = FxHashMap::default();
    for post in posts.iter().chain(pages) {
        by_output.insert(format!("{}index.html", post.path), post);
        by_output.insert(post.path.trim_end_matches('/').to_owned(), post);
    }
    let mut diagnostics = Vec::new();
    for asset in assets {
        let Some(page) = by_output.get(&asset.to) else { continue };
        diagnostics.push(
            Diagnostic::error(
                Code::DuplicateUrl,
                format!(
                    "the bundle file {} would be written to /{}, which is the page of {}",
                    asset.from.display(),
                    asset.to,
                    page.source.display()
                ),
            )
            .at(&page.source)
            .with_hint("rename the file: a bundle's files sit next to its page and cannot take a page's place"),
        );
    }
    diagnostics
}

/// Terms whose names differ (beyond case, spaces and dashes) but whose
/// slugs are the same: they would share one page under one of the names.
fn check_terms(
    posts: &[Arc<Post>],
    terms: &[Term],
    field: impl Fn(&Post) -> &Vec<TermRef>,
    what: &str,
) -> Vec<Diagnostic> {
    let same = |a: &str, b: &str| {
        let fold = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>()
        };
        fold(a) == fold(b)
    };
    let mut diagnostics = Vec::new();
    for term in terms {
        let mut first: Option<(&str, &Post)> = None;
        let mut reported: Vec<&str> = Vec::new();
        for &index in &term.posts {
            let post = &*posts[index];
            for other in field(post).iter().filter(|t| *t.slug == *term.slug) {
                match first {
                    None => first = Some((&other.name, post)),
                    // The same spelling, as nearly every post writes it, needs no folding.
                    Some((name, at))
                        if name != &*other.name && !same(name, &other.name) && !reported.contains(&&*other.name) =>
                    {
                        reported.push(&other.name);
                        diagnostics.push(
                            Diagnostic::error(
                                Code::DuplicateUrl,
                                format!(
                                    "{what} `{name}` ({}) and `{}` ({}) would share the page /{what}/{}/",
                                    at.source.display(),
                                    other.name,
                                    post.source.display(),
                                    term.slug
                                ),
                            )
                            .at(&post.source)
                            .with_hint("spell them the same way, or rename one so its URL differs"),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }
    diagnostics
}

/// The terms of `field`, sorted by slug, each with its posts in site order.
fn collect_terms(posts: &[Arc<Post>], field: impl Fn(&Post) -> &Vec<TermRef>) -> Vec<Term> {
    // A hash index, sorted once at the end: tens of thousands of lookups on
    // every serve rebuild.
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut terms: Vec<Term> = Vec::new();
    for (post_index, post) in posts.iter().enumerate() {
        for term in field(post) {
            // A nested category (`diary/life`) lists its posts on each level's page too.
            let levels = term.slug.match_indices('/').map(|(at, _)| at).chain([term.slug.len()]);
            for (depth, end) in levels.enumerate() {
                let slug = &term.slug[..end];
                let slot = *index.entry(slug).or_insert_with(|| {
                    let name = term.name.split(CATEGORY_SEPARATOR).take(depth + 1).collect::<Vec<_>>();
                    terms.push(Term { name: name.join(CATEGORY_SEPARATOR), slug: slug.to_owned(), posts: Vec::new() });
                    terms.len() - 1
                });
                if terms[slot].posts.last() != Some(&post_index) {
                    terms[slot].posts.push(post_index);
                }
            }
        }
    }
    terms.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    terms
}

/// Between the levels of a nested category's name: `Diary › Life`.
pub const CATEGORY_SEPARATOR: &str = " › ";

/// Every product once: those of the posts, newest post first, then the
/// catalogue's that no post names.
fn collect_products(posts: &[Arc<Post>], catalogue: &catalogue::Catalogue) -> Vec<ShopProduct> {
    let listed: usize = posts.iter().map(|p| p.products.len()).sum::<usize>() + catalogue.products.len();
    let mut index: FxHashMap<&str, usize> = FxHashMap::with_capacity_and_hasher(listed, Default::default());
    let mut shop: Vec<ShopProduct> = Vec::with_capacity(listed);
    for (post_index, post) in posts.iter().enumerate() {
        for product in &post.products {
            let slot = *index.entry(product.key.as_str()).or_insert_with(|| {
                shop.push(ShopProduct { product: Arc::clone(product), posts: smallvec::SmallVec::new() });
                shop.len() - 1
            });
            let entry = &mut shop[slot];
            if entry.posts.last() != Some(&post_index) {
                entry.posts.push(post_index);
            }
        }
    }
    for product in &catalogue.products {
        index.entry(product.key.as_str()).or_insert_with(|| {
            shop.push(ShopProduct { product: Arc::clone(product), posts: smallvec::SmallVec::new() });
            shop.len() - 1
        });
    }
    shop
}

fn bundle_copies(posts: &[Arc<Post>], pages: &[Arc<Post>], assets: &[content::BundleAsset]) -> Vec<AssetCopy> {
    let by_bundle: FxHashMap<&Path, &str> =
        posts.iter().chain(pages).filter_map(|p| p.bundle.as_deref().map(|b| (b, p.path.as_str()))).collect();
    let mut copies = Vec::new();
    for asset in assets {
        let Some(page_path) = by_bundle.get(asset.bundle.as_path()) else { continue };
        let Ok(relative) = asset.path.strip_prefix(&asset.bundle) else { continue };
        let relative: Vec<String> =
            relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        copies.push(AssetCopy { from: asset.path.clone(), to: format!("{page_path}{}", relative.join("/")) });
    }
    copies
}

/// An image or file reference from front matter as a URL: `https://…` as
/// is, `/x.png` under the site's sub-path, a file of the bundle next to the
/// page, anything else under `static/`.
fn resolve_asset(
    reference: &str,
    document: &Document,
    page_href: &str,
    links: &LinkPolicy,
    static_files: &std::collections::HashSet<String>,
    static_complete: bool,
) -> Result<String, String> {
    if reference.is_empty() {
        return Err("the image path is empty".to_owned());
    }
    match links.route(reference) {
        Err(err) => return Err(err.to_string()),
        Ok(link) if link.kind != crate::links::LinkKind::Internal => {
            return if link.href.starts_with("http") {
                Ok(link.href.into_owned())
            } else {
                Err(format!("`{reference}` must be an https URL or a path"))
            };
        }
        Ok(_) => {}
    }
    if let Some(bundle) = &document.source.bundle
        && !reference.starts_with('/')
        && bundle.join(reference).is_file()
    {
        return Ok(format!("{page_href}{}", encode_path(reference)));
    }
    let path = reference.trim_start_matches('/');
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if !static_files.contains(path) && static_complete {
        let place = if document.source.bundle.is_some() { "static/ or the post's folder" } else { "static/" };
        return Err(format!("image `{reference}` is not in {place}"));
    }
    Ok(links.internal(&format!("/{}", encode_path(path))).into_owned())
}

/// The pictures a page's front matter shows ([`resolve_asset`]) in a
/// format most browsers cannot show: published as they are, each a warning
/// at its line.
#[derive(Default)]
struct Unviewable(std::cell::RefCell<Vec<String>>);

impl Unviewable {
    fn note(&self, reference: &str) {
        let mut noted = self.0.borrow_mut();
        if crate::images::unviewable(reference).is_some() && !noted.iter().any(|r| r == reference) {
            noted.push(reference.to_owned());
        }
    }

    fn warnings(self, document: &Document) -> impl Iterator<Item = Diagnostic> + '_ {
        self.0.into_inner().into_iter().filter_map(move |reference| {
            let why = crate::images::unviewable(&reference)?;
            let warning = Diagnostic::warning(Code::Image, why).with_hint(crate::images::UNVIEWABLE_HINT);
            Some(document.at_front_matter(warning, &reference))
        })
    }
}

/// Percent-encodes what must be encoded in a URL path, keeping `/`.
pub fn encode_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}').add(b'%');
    utf8_percent_encode(path, PATH).to_string()
}

/// `text` cut to at most `max_chars` characters (and an ellipsis), at a
/// space where one is near.
pub(crate) fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max_chars / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_stay_inside() {
        assert_eq!(permalink_path("/2025/09/mics/").unwrap(), "2025/09/mics/");
        assert_eq!(permalink_path("deals/index.html").unwrap(), "deals/");
        assert_eq!(permalink_path("deals.html").unwrap(), "deals/");
        assert!(permalink_path("../../etc/").is_err());
        assert!(permalink_path("a/./b").is_err());
        assert!(permalink_path("/").is_err());
    }

    #[test]
    fn encode_path_keeps_slashes_and_unicode_bytes_encoded() {
        assert_eq!(encode_path("categories/广告/"), "categories/%E5%B9%BF%E5%91%8A/");
        assert_eq!(encode_path("posts/a b/"), "posts/a%20b/");
    }

    #[test]
    fn truncation_ends_on_a_word() {
        let text = "word ".repeat(100);
        let cut = truncate_words(&text, 50);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 51);
    }
}
