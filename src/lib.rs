//! shopfront turns a creator's `profile.toml` and Markdown posts into a
//! static storefront with correctly tagged affiliate links.
//!
//! A build is a pipeline, run by [`build`]:
//!
//! 1. [`profile`]: read and check `profile.toml` into [`profile::Settings`].
//! 2. [`content`]: find the Markdown under `content/`, decode it, split and
//!    parse its front matter (in parallel).
//! 3. [`markdown`]: render bodies to HTML with heading anchors; every link
//!    goes through the [`links`] rule engine.
//! 4. [`site`]: assemble the immutable [`site::Site`]: sorted posts, pages,
//!    products, terms, URLs checked for clashes, and the route table of
//!    every page ([`site::routes`]).
//! 5. [`render`]: load the theme into Tera and render any page.
//! 6. [`compliance`]: check each finished page against the disclosure rules
//!    ([`finished_page`]) and every internal link.
//! 7. [`output`]: static and bundle files, feed, sitemap, robots, search
//!    index, and the writer that puts them in place only when everything
//!    succeeded, writes only what changed and never touches a file it did
//!    not write (its manifest).
//!
//! [`serve`] runs the same stages into memory and renders pages on request,
//! re-reading only the files a watcher reports changed; [`cache`] keeps
//! resolved posts between its builds.
//!
//! Every stage reports problems as [`diagnostics::Diagnostic`]s with file,
//! line and column; a build collects all of them and fails once, at the end
//! of the stage that found errors.
//!
//! # Layers
//!
//! The modules form layers, lowest first. A module uses only modules of
//! lower layers (the test `layers` reads every `crate::` path in `src/` and
//! holds this list). The link rule engine is pure and at the bottom; the
//! profile sits above `markdown` because its bio is Markdown; `compliance`
//! judges what `render` and `output` made, except its `content` part (what
//! the programs' terms forbid in front matter), which `site` calls as it
//! reads products and so sits low.
//!
//! - layer 0: `diagnostics`
//! - layer 1: `brand`, `fs`, `html`, `links`
//! - layer 2: `content`, `compliance::content`, `images`
//! - layer 3: `markdown`
//! - layer 4: `profile`
//! - layer 5: `site`
//! - layer 6: `cache`
//! - layer 7: `render`
//! - layer 8: `output`
//! - layer 9: `compliance`
//! - layer 10: `scaffold`, `serve`, `import`
//!
//! [`fs`] is where every file of the site is read: only regular files, only
//! inside the site, hidden ones skipped. [`html`] escapes and decodes.

pub mod brand;
pub mod cache;
pub mod compliance;
pub mod content;
pub mod diagnostics;
pub mod fs;
pub mod html;
pub mod images;
pub mod import;
pub mod links;
pub mod markdown;
pub mod output;
pub mod profile;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use cache::PostCache;
use content::Loaded;
use diagnostics::{Code, Diagnostic, Diagnostics};
use site::Site;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Where to write; default `ROOT/public`.
    pub output: Option<PathBuf>,
    /// Replaces `[site] base_url`.
    pub base_url: Option<String>,
    /// Build drafts too.
    pub drafts: bool,
    /// Replaces `[site] theme`.
    pub theme: Option<String>,
    /// Minify the HTML pages (`build` only).
    pub minify: bool,
    /// Refuse what `init` wrote for the creator to replace (`check` always does).
    pub strict: bool,
    /// Show image processing progress on standard error (a terminal).
    pub progress: bool,
}

impl BuildOptions {
    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Posts built.
    pub posts: usize,
    /// Standalone pages built.
    pub pages: usize,
    /// Distinct products.
    pub products: usize,
    /// Warnings (the build succeeded).
    pub warnings: Diagnostics,
    /// Where the site is.
    pub output: PathBuf,
    /// How long each stage took, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Image files made in this build.
    pub images_made: usize,
    /// Image files found made already (in the output or the cache).
    pub images_reused: usize,
    /// Pages rendered, and pages the output held unchanged.
    pub rendered: PageCounts,
    /// Source files parsed, and files the post cache held unchanged.
    pub parsed: cache::ParseCounts,
}

/// A loaded, checked site and its theme, before anything is written.
pub struct LoadedSite {
    /// The model.
    pub site: Site,
    /// The theme.
    pub theme: render::Theme,
    /// Warnings so far.
    pub warnings: Diagnostics,
}

fn failed(mut diagnostics: Diagnostics) -> Diagnostics {
    diagnostics.sort();
    diagnostics
}

/// Stages 1–5: reads and checks everything, writes nothing.
pub fn load(options: &BuildOptions) -> Result<LoadedSite, Diagnostics> {
    load_with(options, &mut PostCache::default())
}

/// Resolves a file as read into a post, or explains why it cannot be.
fn load_and_resolve(loaded: Loaded, inputs: Option<&site::Inputs<'_>>) -> site::Resolved {
    match loaded {
        Loaded::Document(document) => match inputs {
            Some(inputs) => site::resolve_document(&document, inputs),
            None => (None, Vec::new()),
        },
        Loaded::Skipped(warning) => (None, vec![warning]),
        Loaded::Gone => (None, Vec::new()),
        Loaded::Failed(mut errors, body) => {
            // The body still counts for the link check, with the URL its file
            // name gives; of what it says, only its unsafe links are errors here.
            if let (Some(document), Some(inputs)) = (&body, inputs) {
                let (post, found) = site::resolve_document(document, inputs);
                errors.extend(found.into_iter().filter(|d| d.code == Code::UnsafeLink && d.is_error()));
                return (post, errors);
            }
            if let Some(document) = body {
                let rendered = markdown::render(document.body(), &links::LinkPolicy::default(), Default::default());
                errors.extend(
                    rendered
                        .problems
                        .iter()
                        .map(|p| document.error_in_body(Code::UnsafeLink, p.offset, p.message.clone())),
                );
            }
            (None, errors)
        }
    }
}

/// Files of `static/` at the path of a page or index file that shopfront
/// generates: the generated file wins, and the creator hears about it.
/// A file of `static/` where a page's folder must go (`static/about` and
/// the page /about/) is an error naming both.
fn shadowed_static_files(site: &Site, site_static: &[String]) -> Vec<Diagnostic> {
    let generated = output::generated_files(site);
    let shadowed = site_static.iter().filter(|path| generated.contains(path.as_str())).map(|path| {
        Diagnostic::warning(
            Code::StaticShadowed,
            format!("static/{path} is not published: shopfront generates /{path} itself"),
        )
        .at(Path::new(output::STATIC_DIR).join(path))
        .with_hint("rename or remove the file")
    });
    let folders: rustc_hash::FxHashMap<&str, &site::routes::Route> = site
        .routes
        .iter()
        .flat_map(|route| route.file.match_indices('/').map(move |(at, _)| (&route.file[..at], route)))
        .collect();
    let in_the_way = site_static.iter().filter_map(|path| {
        let route = folders.get(path.as_str())?;
        let page = route.source(site).map_or_else(|| format!("/{}", route.path), |source| source.display().to_string());
        Some(
            Diagnostic::error(
                Code::StaticShadowed,
                format!(
                    "static/{path} is a file, but {page} is published at /{} and needs a folder of that name",
                    route.path
                ),
            )
            .at(Path::new(output::STATIC_DIR).join(path))
            .with_hint("rename or remove the file, or give the page another `slug:`"),
        )
    });
    shadowed.chain(in_the_way).collect()
}

/// What the link engine says of the profile's own links (`bio`, `[links]`,
/// `[[buttons]]`), as of any link in a post: someone else's tag replaced, a
/// marketplace without a tag, a short link. Each at its line of `profile.toml`.
fn profile_link_warnings(site: &Site, profile_text: &str) -> Vec<Diagnostic> {
    let profile = &site.settings.profile;
    let at = |offset: usize, warning: &links::LinkWarning| {
        Diagnostic::warning(warning.code(), warning.to_string())
            .at(Path::new(profile::FILE_NAME))
            .with_offset(profile_text, offset)
    };
    let urls = profile.links.0.iter().map(|l| &l.url).chain(profile.buttons.iter().map(|b| &b.url));
    let mut found: Vec<Diagnostic> = urls
        .filter_map(|url| Some((url.span().start, site.links.route(url.get_ref().trim()).ok()?)))
        .flat_map(|(offset, link)| link.warnings.iter().map(|w| at(offset, w)).collect::<Vec<_>>())
        .collect();
    if let Some(bio) = &profile.bio {
        let rendered = markdown::render(bio.get_ref(), &site.links, Default::default());
        found.extend(rendered.notes.iter().map(|note| at(bio.span().start, &note.warning)));
    }
    found
}

/// `profile.toml`'s text: a regular file inside the site, UTF-8, BOM and
/// CRLF dropped.
pub fn read_profile(root: &Path) -> Result<String, Box<Diagnostic>> {
    let path = root.join(profile::FILE_NAME);
    if std::fs::symlink_metadata(&path).is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound) {
        return Err(Box::new(Diagnostic::error(
            Code::Profile,
            format!("no profile.toml in {}: is this a shopfront site? (`shopfront init` makes one)", root.display()),
        )));
    }
    let bytes = fs::SiteRoot::new(root).read(&path, fs::MAX_FILE_BYTES)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.trim_start_matches('\u{feff}').replace("\r\n", "\n")),
        Err(_) => {
            Err(Box::new(Diagnostic::error(Code::Encoding, "profile.toml is not UTF-8 text").at(profile::FILE_NAME)))
        }
    }
}

/// [`load`] reusing what `cache` holds from the previous build.
pub fn load_with(options: &BuildOptions, cache: &mut PostCache) -> Result<LoadedSite, Diagnostics> {
    let root = &options.root;
    let mut diagnostics = Diagnostics::new();
    if !root.is_dir() {
        diagnostics.push(Diagnostic::error(Code::Usage, format!("{} is not a folder", root.display())));
        return Err(diagnostics);
    }
    let profile_text = match read_profile(root) {
        Ok(text) => text,
        Err(diagnostic) => {
            diagnostics.push(*diagnostic);
            return Err(diagnostics);
        }
    };
    // Profile errors do not stop the content checks: report everything at once.
    let settings = profile::parse(&profile_text, Path::new(profile::FILE_NAME), options.base_url.as_deref());
    let discovery = cache.discovery(root);
    diagnostics.extend(discovery.diagnostics.iter().cloned());
    let settings = match settings {
        Ok(settings) => settings,
        Err(errors) => {
            diagnostics.extend(errors);
            let found: Vec<site::Resolved> =
                discovery.sources.par_iter().map(|s| load_and_resolve(content::load(s), None)).collect();
            diagnostics.extend(found.into_iter().flat_map(|(_, d)| d));
            cache.keep_discovery(discovery);
            return Err(failed(diagnostics));
        }
    };
    let mut settings = settings;
    diagnostics.extend(std::mem::take(&mut settings.warnings));
    if let Some(name) = &options.theme {
        settings.theme.clone_from(name);
    }
    let theme = match render::theme::load(root, &settings.theme) {
        Ok(theme) => {
            diagnostics.extend(theme.warnings.iter().cloned());
            Some(theme)
        }
        Err(errors) => {
            // Point an unknown theme at its line in profile.toml, or at --theme.
            let theme_span = settings.profile.site.theme.as_ref().map(|t| t.span().start);
            diagnostics.extend(errors.into_iter().map(|d| match (&options.theme, theme_span) {
                (Some(_), _) if d.code == Code::Theme => {
                    Diagnostic { path: None, message: format!("{} (given with --theme)", d.message), ..d }
                }
                (None, Some(offset)) if d.code == Code::Theme => d.with_offset(&profile_text, offset),
                _ => d,
            }));
            None
        }
    };
    let links = settings.link_policy();
    let mut static_files: std::collections::HashSet<String> = match &theme {
        Some(theme) => theme.statics.iter().map(|f| f.path().to_owned()).collect(),
        None => Default::default(),
    };
    // The files that are fine still count, so one bad link is one error.
    let walk = fs::SiteRoot::new(root).walk(&root.join(output::STATIC_DIR), settings.published());
    let site_static: Vec<String> = walk.files.into_iter().map(|(relative, _)| relative).collect();
    static_files.extend(site_static.iter().cloned());
    let static_complete = !walk.errors.iter().any(Diagnostic::is_error);
    diagnostics.extend(walk.errors);
    // The avatar is an image on every page, a button's on the home page: a
    // missing file is a broken image.
    let profile_images = settings
        .profile
        .avatar
        .iter()
        .map(|a| ("the avatar", a))
        .chain(settings.profile.brand.banner.iter().map(|b| ("the banner", b)))
        .chain(settings.profile.buttons.iter().filter_map(|b| b.image.as_ref()).map(|i| ("a button's image", i)));
    for (what, image) in profile_images.filter(|_| static_complete) {
        let written = image.get_ref().trim();
        let path = written.trim_start_matches('/');
        if !written.contains("://") && !written.is_empty() && !static_files.contains(path) {
            diagnostics.push(
                Diagnostic::error(Code::BrokenLink, format!("broken image: {what} `{written}` is not a file under static/"))
                    .with_hint("put the picture in static/ (static/images/me.jpg is written \"images/me.jpg\"), or give an https URL")
                    .at(profile::FILE_NAME)
                    .with_offset(&profile_text, image.span().start),
            );
        } else if let Some(why) = images::unviewable(written).filter(|_| !written.contains("://")) {
            diagnostics.push(
                Diagnostic::warning(Code::Image, format!("{what}: {why}"))
                    .with_hint(images::UNVIEWABLE_HINT)
                    .at(profile::FILE_NAME)
                    .with_offset(&profile_text, image.span().start),
            );
        }
    }
    let (catalogue, found) =
        site::catalogue::load(root, &links, &settings.amazon_marketplace(), &static_files, static_complete);
    diagnostics.extend(found);
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut sorted: Vec<&String> = static_files.iter().collect();
        sorted.sort();
        (&profile_text, &sorted, static_complete, &options.base_url, options.drafts, &options.theme).hash(&mut hasher);
        (root, &discovery.assets).hash(&mut hasher);
        catalogue.fingerprint().hash(&mut hasher);
        hasher.finish()
    };
    let inputs = site::Inputs {
        root,
        settings,
        links: &links,
        drafts: options.drafts,
        assets: discovery.assets.clone(),
        static_files: &static_files,
        static_complete,
        term_names: Default::default(),
        catalogue: &catalogue,
    };
    let resolved = cache.resolve(&discovery, fingerprint, |loaded| load_and_resolve(loaded, Some(&inputs)));
    cache.keep_discovery(discovery);
    let (site, found) = site::assemble(resolved, inputs);
    diagnostics.extend(found);
    diagnostics.extend(compliance::links::check_redirects(root));
    // Posts with errors are in the site too (see `site::assemble`), so links
    // to them are not broken and their own links are judged in this run.
    if let Some(site) = site.as_ref() {
        diagnostics.extend(compliance::links::check(site, &static_files));
        diagnostics.extend(shadowed_static_files(site, &site_static));
        diagnostics.extend(compliance::placeholders::check(site, &profile_text, options.strict));
        diagnostics.extend(profile_link_warnings(site, &profile_text));
    }
    compliance::collapse_repeats(&mut diagnostics);
    match (site, theme) {
        (Some(site), Some(theme)) if !diagnostics.has_errors() => {
            diagnostics.sort();
            Ok(LoadedSite { site, theme, warnings: diagnostics })
        }
        _ => Err(failed(diagnostics)),
    }
}

/// Everything `build` checks, plus the compliance report, writing nothing
/// but the image cache: every page is rendered and verified, then thrown
/// away. The caches the last successful build left are read, never
/// written: a file they hold unchanged is not parsed again (its findings
/// come from the post cache), and a page made from the very values the
/// build rendered and verified it from is not rendered again. Returns every
/// finding, errors and warnings, sorted by file.
pub fn check(options: &BuildOptions) -> Diagnostics {
    let options = &BuildOptions { strict: true, root: fs::site_folder(&options.root), ..options.clone() };
    let mut posts = PostCache::on_disk(&options.root);
    let (prepared, pages) = rayon::join(|| prepare(options, &mut posts), || output::PageCache::load(&options.root));
    match prepared {
        Ok(prepared) => {
            let (errors, _) = write_pages(&prepared, &output::Discard, false, &pages);
            let Prepared { warnings, images, .. } = prepared;
            let mut findings = warnings;
            findings.extend(errors);
            // Every image is read, as `build` reads it, so a broken one is
            // found here; what it makes waits in the cache for `build`.
            findings.extend(images.publish(&Discarded, &|_, _| {}).diagnostics);
            findings.sort();
            findings
        }
        Err(findings) => findings,
    }
}

/// Images go to the output folder, which keeps a variant it already holds.
struct OutputStore<'a>(&'a output::Output);

impl images::Store for OutputStore<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), Box<Diagnostic>> {
        self.0.write(path, bytes).map(drop).map_err(|err| Box::new(output::error(&err)))
    }

    fn keep(&self, path: &str, len: u64, hash: u128) -> bool {
        self.0.keep(path, len, hash)
    }
}

/// Images are made (a broken one is found) but not written: `check`.
struct Discarded;

impl images::Store for Discarded {
    fn write(&self, _: &str, _: &[u8]) -> Result<(), Box<Diagnostic>> {
        Ok(())
    }

    fn keep(&self, _: &str, _: u64, _: u128) -> bool {
        false
    }
}

/// A page as it is published: rendered by the theme, its images made
/// responsive ([`images`]), cleaned of the characters HTML cannot carry,
/// minified when asked, and checked against the disclosure rules in exactly
/// those bytes. `build` writes it and
/// `serve` serves it.
pub fn finished_page(
    pages: &render::Pages,
    route: &site::routes::Route,
    minify: bool,
    hiding: &compliance::css::Hiding,
    images: &images::Library,
) -> Result<String, Box<Diagnostic>> {
    finish(pages, pages.input(route)?, &route.file, minify, hiding, images).map(|(html, _)| html)
}

/// [`finished_page`] from the page's values, with what it asked of `images`.
fn finish(
    pages: &render::Pages,
    input: render::PageInput,
    file: &str,
    minify: bool,
    hiding: &compliance::css::Hiding,
    images: &images::Library,
) -> Result<(String, images::Uses), Box<Diagnostic>> {
    let mut page = pages.render_input(input)?;
    let (html, uses) = images.rewrite(&page.html, file);
    page.html.clear();
    let html = html::without_non_xml_chars(html);
    let html = if minify { output::minify::html(&html) } else { html };
    compliance::check_rendered(&page, &html, pages, hiding)?;
    Ok((html, uses))
}

/// How many pages a build rendered, and how many it took from the
/// [`output::PageCache`] as the output already held them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageCounts {
    /// Rendered now.
    pub rendered: usize,
    /// Unchanged since the last build, not rendered.
    pub reused: usize,
}

/// Every page, finished and stored in `sink`, unless `cache` shows the
/// sink holds it already; returns the errors.
fn write_pages(
    prepared: &Prepared,
    sink: &dyn output::Sink,
    minify: bool,
    cache: &output::PageCache,
) -> (Vec<Diagnostic>, PageCounts) {
    let Prepared { pages, hiding, images, .. } = prepared;
    let reused = std::sync::atomic::AtomicUsize::new(0);
    let fingerprint = prepared.fingerprint(minify);
    let one = |route: &site::routes::Route| -> Result<(), Box<Diagnostic>> {
        let input = pages.input(route)?;
        let key = input.key(fingerprint);
        if let Some(uses) = cache.reuse(&route.file, key, sink) {
            images.note(&uses, &route.file);
            reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        let (html, uses) = finish(pages, input, &route.file, minify, hiding, images)?;
        let hash = sink.write(&route.file, html.as_bytes()).map_err(|err| Box::new(output::error(&err)))?;
        cache.record(&route.file, output::CachedPage { key, len: html.len() as u64, hash, images: uses });
        Ok(())
    };
    let mut errors: Vec<Diagnostic> =
        pages.site().routes.par_iter().filter_map(|route| one(route).err().map(|e| *e)).collect();
    errors.sort_by(|a, b| a.message.cmp(&b.message));
    let reused = reused.into_inner();
    (errors, PageCounts { rendered: pages.site().routes.len() - reused, reused })
}

/// A loaded site with its theme in Tera, ready to render any page.
pub struct Prepared {
    /// The pages, rendered on demand.
    pub pages: render::Pages,
    /// The theme (its static files).
    pub theme: render::Theme,
    /// Warnings so far.
    pub warnings: Diagnostics,
    /// What the site's stylesheets hide, for the disclosure check.
    pub hiding: compliance::css::Hiding,
    /// The site's images, published as its pages show them.
    pub images: std::sync::Arc<images::Library>,
    /// Every file copied as it is, by output path ([`output::copied_files`]).
    pub files: std::collections::BTreeMap<String, output::Source>,
    /// A hash of the stylesheets `hiding` was read from.
    stylesheets: u128,
}

impl Prepared {
    /// A hash of everything a finished page depends on besides its own
    /// values ([`render::PageInput::key`]): the templates and shared values,
    /// the image library, the stylesheets, `minify` and this very program.
    pub fn fingerprint(&self, minify: bool) -> u128 {
        use std::hash::Hasher;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        // A rebuilt shopfront may render the same values differently.
        hasher.write_u128(cache::program_identity());
        hasher.write_u128(self.pages.fingerprint());
        hasher.write_u128(self.images.fingerprint());
        hasher.write_u128(self.stylesheets);
        hasher.write_u8(u8::from(minify));
        hasher.digest128()
    }
}

/// Stages 1–6 up to rendering: [`load_with`], the locale and the templates.
pub fn prepare(options: &BuildOptions, cache: &mut PostCache) -> Result<Prepared, Diagnostics> {
    let LoadedSite { site, theme, warnings } = load_with(options, cache)?;
    let locale = render::Locale::load(&options.root, &site.settings.language)
        .map_err(|errors| failed(errors.into_iter().collect()))?;
    // The templates are compiled while the files are listed.
    let (renderer, (hiding, stylesheets, files, images)) = rayon::join(
        || render::Renderer::new(&theme, &site, locale),
        || {
            let (hiding, stylesheets) = hiding(&options.root, &site, &theme);
            // Its walk found nothing `load_with` did not report already.
            let (files, _) = output::copied_files(&options.root, &site, &theme);
            let images = std::sync::Arc::new(image_library(&options.root, &site, &theme, &files));
            (hiding, stylesheets, files, images)
        },
    );
    let renderer = renderer.map_err(|errors| failed(errors.into_iter().collect()))?;
    let pages = render::Pages::new(std::sync::Arc::new(site), renderer);
    Ok(Prepared { pages, theme, warnings, hiding, images, files, stylesheets })
}

/// What the site's stylesheets hide, for the disclosure check, and a hash
/// of those stylesheets.
fn hiding(root: &Path, site: &Site, theme: &render::Theme) -> (compliance::css::Hiding, u128) {
    let sheets = stylesheets(root, site, theme);
    let hiding = compliance::css::Hiding::from_stylesheets(&sheets).on_site(&site.settings.base_url);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for sheet in &sheets {
        hasher.update(sheet.path.as_bytes());
        hasher.update(b"\0");
        hasher.update(sheet.text.as_bytes());
        hasher.update(b"\0");
    }
    (hiding, hasher.digest128())
}

/// The site's images, with the theme's slots and the site's cache.
fn image_library(
    root: &Path,
    site: &Site,
    theme: &render::Theme,
    files: &std::collections::BTreeMap<String, output::Source>,
) -> images::Library {
    let profile = &site.settings.profile;
    let avatar = profile.avatar.as_ref().map(|a| a.get_ref().as_str()).filter(|a| !profile::is_http_url(a));
    images::Library::new(
        files.iter().map(|(path, source)| {
            let origin = match source {
                output::Source::Bytes(bytes) => images::Origin::Bytes(bytes),
                output::Source::File(from) => images::Origin::File(from.clone()),
            };
            (path.clone(), origin)
        }),
        theme.slots.clone(),
        images::Cache::new(root),
        root,
        &images::SiteInfo {
            base_path: &site.settings.base_path,
            base_url: &site.settings.base_url,
            name: &profile.name,
            title: &site.settings.title,
            avatar,
        },
    )
}

/// Every stylesheet the site publishes, by output path: the theme's and
/// those under `static/` (which replace a theme file of the same path).
fn stylesheets(root: &Path, site: &Site, theme: &render::Theme) -> Vec<compliance::css::Stylesheet> {
    let is_css = |path: &str| path.rsplit('.').next().is_some_and(|ext| ext.eq_ignore_ascii_case("css"));
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let files = fs::SiteRoot::new(root);
    // Output path → where it comes from, and its text.
    let mut sheets: std::collections::BTreeMap<String, (String, String)> = std::collections::BTreeMap::new();
    for file in theme.statics.iter().filter(|f| is_css(f.path())) {
        let path = file.path().to_owned();
        match file {
            render::theme::StaticFile::Embedded { bytes, .. } => {
                sheets.insert(path.clone(), (format!("the {} theme's {path}", theme.name), text(bytes)));
            }
            render::theme::StaticFile::Disk { from, .. } => {
                if let Ok(bytes) = files.read(from, fs::MAX_FILE_BYTES) {
                    let source = diagnostics::display_path(root, from).display().to_string();
                    sheets.insert(path, (source, text(&bytes)));
                }
            }
        }
    }
    let statics = root.join(output::STATIC_DIR);
    for (relative, path) in files.walk(&statics, site.settings.published()).files {
        if is_css(&relative)
            && let Ok(bytes) = files.read(&path, fs::MAX_FILE_BYTES)
        {
            let source = diagnostics::display_path(root, &path).display().to_string();
            sheets.insert(relative, (source, text(&bytes)));
        }
    }
    sheets.into_iter().map(|(path, (source, text))| compliance::css::Stylesheet { path, source, text }).collect()
}

/// The whole pipeline: on success the output folder holds the new site; on
/// failure it still holds the previous one, untouched.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let output_dir = options.output_dir();
    check_output_dir(&options.root, &output_dir)?;
    // The output keeps the name it was given.
    let options =
        &BuildOptions { root: fs::site_folder(&options.root), output: Some(output_dir.clone()), ..options.clone() };
    let mut clock = std::time::Instant::now();
    let mut timings = Vec::new();
    let mut lap = |stage: &'static str| {
        timings.push((stage, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let mut posts = PostCache::on_disk(&options.root);
    let (prepared, cache) = rayon::join(|| prepare(options, &mut posts), || output::PageCache::load(&options.root));
    let mut prepared = prepared?;
    let parsed = posts.counts();
    // Written aside while the indexes are; in place only after the commit.
    let mut posts = Staging::new(std::thread::spawn(move || posts.stage()));
    lap("load");
    let site = prepared.pages.site();
    let out = output::Output::new(&output_dir).map_err(|err| Diagnostics::from_iter([output_error(&err)]))?;
    let mut errors = Diagnostics::new();
    // Indexes before pages, so that their buffers are gone before the
    // pages' shared list values build up. A static file never has the path
    // of a generated one (see `output::copied_files`), so order is free.
    errors.extend(output::write_indexes(site, &out));
    // Nothing else reads the posts' bodies now: each goes once its page is made.
    posts.wait();
    prepared.pages.release_bodies();
    lap("indexes");
    let (page_errors, counts) = write_pages(&prepared, &out, options.minify, &cache);
    errors.extend(page_errors);
    lap("render");
    let Prepared { pages, mut warnings, images, files, .. } = prepared;
    let site = pages.site();
    // The images the pages show, then every other file as it is.
    let progress = |done: usize, total: usize| {
        if options.progress && (done == total || done.is_multiple_of(8)) {
            use std::io::Write;
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rProcessing images: {done}/{total}");
            if done == total {
                let _ = writeln!(err);
            }
        }
    };
    let published = images.publish(&OutputStore(&out), &progress);
    let (images_made, images_reused) = (published.made, published.cached);
    for diagnostic in published.diagnostics {
        if diagnostic.is_error() { errors.push(diagnostic) } else { warnings.push(diagnostic) }
    }
    lap("images");
    errors.extend(output::copy_files(&files, &out, &published.replaced));
    lap("copy");
    if errors.has_errors() {
        // Dropping `out` removes what it staged; the previous output stays as it was.
        return Err(failed(errors));
    }
    let kept = out.commit().map_err(|err| Diagnostics::from_iter([output_error(&err).with_hint(PARTLY_UPDATED)]))?;
    warnings.extend(kept.into_iter().map(|file| {
        Diagnostic::warning(
            Code::Output,
            format!(
                "{} is no longer part of the site, but was edited after shopfront wrote it: left in place",
                output_dir.join(&file).display()
            ),
        )
        .with_hint("delete it if it is not needed")
    }));
    lap("commit");
    cache.save();
    posts.commit();
    lap("caches");
    warnings.sort();
    let report = BuildReport {
        posts: site.posts.len(),
        pages: site.pages.len(),
        products: site.products.len(),
        warnings,
        output: output_dir,
        timings,
        images_made,
        images_reused,
        rendered: counts,
        parsed,
    };
    // Freeing a large site takes a noticeable moment that nobody waits for.
    std::thread::spawn(move || drop(pages));
    Ok(report)
}

/// The post cache being staged on another thread ([`PostCache::stage`]).
/// Dropped without [`Staging::commit`] (a failed build), it waits for the
/// thread and removes what it wrote.
struct Staging {
    thread: Option<std::thread::JoinHandle<cache::StagedPosts>>,
    staged: Option<cache::StagedPosts>,
}

impl Staging {
    fn new(thread: std::thread::JoinHandle<cache::StagedPosts>) -> Self {
        Self { thread: Some(thread), staged: None }
    }

    /// Waits until the shards are written, and the cache's share of the
    /// posts let go.
    fn wait(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.staged = thread.join().ok();
        }
    }

    fn commit(mut self) {
        self.wait();
        if let Some(staged) = self.staged.take() {
            staged.commit();
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.wait();
    }
}

fn output_error(err: &output::OutputError) -> Diagnostic {
    let diagnostic = output::error(err);
    Diagnostic { code: Code::Output, ..diagnostic }
}

/// The hint of an error met while the new site was being moved into
/// place: unlike any other failure, it may leave part of it there.
pub const PARTLY_UPDATED: &str = "the output folder may now hold part of the new site: run the build again \
     to finish it (what is left to do is kept in the output's .shopfront-staging-* folder, which that build removes)";

/// Whether a failed build may have left part of the new site in the output
/// ([`PARTLY_UPDATED`]); every other failure leaves the previous output.
pub fn partly_updated(diagnostics: &Diagnostics) -> bool {
    diagnostics.iter().any(|d| d.hint.as_deref() == Some(PARTLY_UPDATED))
}

/// Refuses an output folder whose replacement would destroy the site itself.
fn check_output_dir(root: &Path, output: &Path) -> Result<(), Diagnostics> {
    // Where a path leads once the folders it names are made: what exists
    // resolved by the system (a link to a web root is judged by where it
    // leads), the rest as written, `..` after a folder still to be made
    // going back out of it (`public/new/..` is `public`).
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
        let components: Vec<std::path::Component<'_>> = p.components().collect();
        let existing = (1..=components.len())
            .rev()
            .find_map(|n| components[..n].iter().collect::<PathBuf>().canonicalize().ok().map(|real| (n, real)));
        let (n, mut resolved) = existing.unwrap_or((0, PathBuf::new()));
        for component in &components[n..] {
            match component {
                std::path::Component::ParentDir => {
                    resolved.pop();
                }
                std::path::Component::CurDir => {}
                other => resolved.push(other.as_os_str()),
            }
        }
        resolved
    };
    let root = root.canonicalize().unwrap_or_else(|_| absolute(root));
    let output = absolute(output);
    let inside_sources =
        ["content", "static", "templates", "themes", "data"].iter().any(|d| output.starts_with(root.join(d)));
    if root.starts_with(&output) || inside_sources || output.parent().is_none() {
        return Err(Diagnostics::from_iter([Diagnostic::error(
            Code::Usage,
            format!("refusing to write the site to {}: it would replace the site's own files", output.display()),
        )
        .with_hint("choose an output folder such as ROOT/public")]));
    }
    Ok(())
}
