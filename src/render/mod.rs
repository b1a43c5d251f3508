//! Stage 5: themes, Tera and the pages of the site.
//!
//! In: the [`Site`] and a [`Theme`]. Out: any page's HTML, rendered when
//! asked for ([`Pages::render`]); the crate root checks it and writes it,
//! so memory holds the model and a page at a time per thread, never the
//! whole output.
//!
//! 1. Load the theme's templates (site overrides and the base layer) into
//!    one Tera with shopfront's [`filters`].
//! 2. Put what every page shares (site, profile, navigation, labels) into
//!    Tera's global context, once.
//! 3. Build each post's list value once, when a list first needs it; list
//!    pages clone those values ([`values`]).
//! 4. For each page, work out its template and context from its route
//!    ([`pages`]), expand its product shortcodes ([`shortcodes`]) and render
//!    it; Tera's errors become located diagnostics ([`errors`]). SEO tags
//!    and JSON-LD come from [`seo`].

mod errors;
mod filters;
mod fingerprint;
pub mod locale;
mod pages;
pub mod seo;
mod shortcodes;
pub mod theme;
pub mod values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use std::hash::Hasher;

use serde::Serialize;
use serde_json::json;
use tera::{Tera, Value};
use xxhash_rust::xxh3::Xxh3Default;

use crate::diagnostics::{Code, Diagnostic};
use crate::links::{Statement, Statements};
use crate::site::Site;
use crate::site::routes::{HOME_PRODUCTS, Kind, Route, Taxonomy};
use errors::template_diagnostic;
pub use locale::Locale;
use pages::{PageContext, PageValues};
pub use theme::Theme;
use values::ValueBuilder;

/// A page as the theme rendered it, before it is checked and written.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// Its HTML.
    pub html: String,
    /// The disclosure it was given, when it has affiliate links.
    pub disclosure: Option<DisclosureValue>,
    /// The template that rendered it, as a creator finds it.
    pub template: PathBuf,
    /// Its URL path.
    pub path: String,
}

/// The disclosure a page with affiliate links shows.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureValue {
    /// The post's, the creator's or the default statement.
    pub text: String,
    /// Amazon's required statement when the page links to Amazon (also
    /// the first of `statements`).
    pub amazon: Option<String>,
    /// Every statement the page's programs require, Amazon's first.
    pub statements: Vec<StatementValue>,
}

/// A program's required statement, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementValue {
    /// The program: `Amazon` or the name of a `[[affiliate.programs]]` entry.
    pub program: String,
    /// The statement, in the site's language for Amazon's.
    pub text: String,
    /// The class of its element in the bundled banner: `amazon` for
    /// Amazon's, `statement` for the others.
    pub class: &'static str,
}

impl DisclosureValue {
    /// The creator's disclosure (`[disclosure] text`), or the default one
    /// in the site's language.
    pub(super) fn creators_text<'a>(site: &'a Site, locale: &'a Locale) -> &'a str {
        site.settings
            .profile
            .disclosure
            .text
            .as_ref()
            .map_or_else(|| locale.get("disclosure"), |t| t.get_ref().as_str())
    }

    /// `existing` (a page's disclosure, if it has one) with the statements
    /// of `more` (affiliate links written into the page) it lacks, in the
    /// creator's or the default words when there was none; `None` when
    /// nothing is missing.
    fn with(existing: Option<&Self>, more: Option<&Statements>, site: &Site, locale: &Locale) -> Option<Self> {
        let more = more?;
        let missing: Vec<StatementValue> = StatementValue::all(more, site, locale)
            .into_iter()
            .filter(|s| !existing.is_some_and(|d| d.statements.iter().any(|e| e.program == s.program)))
            .collect();
        if missing.is_empty() && existing.is_some() {
            return None;
        }
        let mut value = existing.cloned().unwrap_or_else(|| DisclosureValue {
            text: Self::creators_text(site, locale).to_owned(),
            amazon: None,
            statements: Vec::new(),
        });
        value.statements.extend(missing);
        // Amazon's first, as a page's own disclosure has it.
        value.statements.sort_by_key(|s| s.class != "amazon");
        value.amazon = value.statements.iter().find(|s| s.class == "amazon").map(|s| s.text.clone());
        Some(value)
    }
}

impl StatementValue {
    /// The value of `statement` on `site` in `locale`'s words.
    fn new(statement: &Statement, site: &Site, locale: &Locale) -> Self {
        match statement {
            Statement::Amazon => StatementValue {
                program: "Amazon".to_owned(),
                text: locale.fill("amazon_statement", &[("name", &site.settings.profile.name)]),
                class: "amazon",
            },
            Statement::Program(name) => StatementValue {
                program: name.clone(),
                text: site.links.rules.program_statement(name).unwrap_or_default().to_owned(),
                class: "statement",
            },
        }
    }

    /// The values of a set of statements, in order.
    fn all<'a>(statements: impl IntoIterator<Item = &'a Statement>, site: &Site, locale: &Locale) -> Vec<Self> {
        statements.into_iter().map(|s| Self::new(s, site, locale)).collect()
    }
}

/// A Tera loaded with a theme, ready to render one site.
pub struct Renderer {
    tera: Tera,
    origins: HashMap<String, (PathBuf, String)>,
    locale: Locale,
    /// A hash of the templates and of what every page shares.
    fingerprint: u128,
}

impl Renderer {
    /// Loads `theme` and the values every page shares.
    pub fn new(theme: &Theme, site: &Site, locale: Locale) -> Result<Self, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        tera.set_escape_fn(crate::html::escape_html_to);
        filters::register(&mut tera, site);
        let origins = theme.origins();
        let sources: Vec<(&str, &str)> = theme.templates.iter().map(|t| (t.name.as_str(), t.source.as_str())).collect();
        // A name no theme or site file has is looked up in the base layer.
        if let Err(err) =
            tera.set_fallback_prefixes([theme::BASE_PREFIX]).and_then(|()| tera.add_raw_templates(sources))
        {
            return Err(vec![template_diagnostic(&err, &origins, None)]);
        }
        let builder = ValueBuilder::new(site, &locale);
        let settings = &site.settings;
        let profile = &settings.profile;
        let links = site.links.clone();
        let bio = profile.bio.as_ref().map(|bio| crate::markdown::render_inline(bio.get_ref(), &links).0);
        let affiliation = ProfileAffiliation::of(site);
        let avatar = profile.avatar.as_ref().map(|a| local_or_remote(a.get_ref(), &links));
        // What every page shares, hashed for the page cache as it is set.
        let mut fingerprint = Xxh3Default::new();
        for template in &theme.templates {
            fingerprint.update(template.name.as_bytes());
            fingerprint.write_u8(0);
            fingerprint.update(template.source.as_bytes());
            fingerprint.write_u8(0);
        }
        let mut global = |name: &'static str, value: Value| {
            fingerprint.update(name.as_bytes());
            fingerprint::value(&mut fingerprint, &value);
            tera.global_context().insert_value(name, value);
        };
        global(
            "site",
            Value::from_serializable(&json!({
                "title": settings.title,
                "base_url": settings.base_url,
                "base_path": settings.base_path,
                "language": settings.language,
                "direction": locale.direction(),
                "description": profile.tagline,
                "theme": theme.name,
                // `[brand]`: CSS for after the theme's stylesheet, and the banner picture.
                "brand_css": crate::brand::css(
                    profile.brand.accent.as_ref().and_then(|a| crate::brand::Rgb::parse(a.get_ref())),
                    profile.brand.font.as_ref().map(|f| f.get_ref().as_str()),
                ),
                "banner": profile.brand.banner.as_ref().map(|b| local_or_remote(b.get_ref(), &links)),
            })),
        );
        global(
            "profile",
            Value::from_serializable(&json!({
                "name": profile.name,
                "handle": profile.handle,
                "tagline": profile.tagline,
                "bio": bio,
                "avatar": avatar,
                // `affiliate`: the build counts the link as an affiliate link,
                // so a theme puts the disclosure before it.
                // An affiliate link among them is tagged and marked like any other.
                "links": profile.links.0.iter().map(|l| {
                    let written = l.url.get_ref().trim();
                    let routed = links.route(written).ok().filter(|r| r.is_affiliate());
                    json!({
                        "key": l.key,
                        "icon": icon_name(&l.key, written),
                        "label": link_label(&l.key),
                        "url": routed.as_ref().map_or(written, |r| r.href.as_ref()),
                        "rel": if routed.is_some() { crate::links::AFFILIATE_REL } else { "me noopener" },
                        "affiliate": routed.is_some(),
                    })
                }).collect::<Vec<_>>(),
                "affiliate": affiliation.any,
                "bio_affiliate": affiliation.bio,
                "buttons": profile.buttons.iter().map(|b| {
                    let written = b.url.get_ref().trim();
                    let routed = links.route(written).ok();
                    let affiliate = routed.as_ref().is_some_and(|r| r.is_affiliate());
                    json!({
                        "label": b.label.get_ref().trim(),
                        "url": routed.as_ref().map_or(written, |r| r.href.as_ref()),
                        "rel": values::rel_for(affiliate),
                        "affiliate": affiliate,
                        "icon": b.icon.clone().unwrap_or_else(|| icon_name("", written)),
                        "image": b.image.as_ref().map(|i| local_or_remote(i.get_ref(), &links)),
                    })
                }).collect::<Vec<_>>(),
                "newsletter": profile.newsletter.as_ref().map(|n| json!({
                    "action": n.action.get_ref(),
                    "field": n.field,
                    "hidden": n.hidden.iter().map(|(name, value)| json!({"name": name, "value": value})).collect::<Vec<_>>(),
                    "title": n.title.clone().unwrap_or_else(|| locale.get("newsletter_title").to_owned()),
                    "button": n.button.clone().unwrap_or_else(|| locale.get("newsletter_button").to_owned()),
                })),
            })),
        );
        global(
            "nav",
            Value::from_serializable(&json!({
                "categories": builder.term_counts(Taxonomy::Categories),
                "pages": builder.page_links(),
            })),
        );
        let mut labels = locale.texts().clone();
        if let Some(label) = &profile.disclosure.label {
            labels.insert("ad".to_owned(), label.clone());
        }
        global("labels", Value::from_serializable(&labels));
        global("footer_disclosure", Value::from_serializable(&footer_disclosure(site, &locale)));
        // The filters' settings.
        fingerprint.update(format!("{:?}", site.links).as_bytes());
        Ok(Self { tera, origins, locale, fingerprint: fingerprint.digest128() })
    }
}

/// Every page of one site, each rendered when asked for: `build` asks for
/// all of them, `serve` only for the pages a browser requests.
pub struct Pages {
    site: Arc<Site>,
    renderer: Renderer,
    /// Each post's list value, built once and shared by every list page.
    summaries: Vec<OnceLock<Value>>,
    /// The categories' and tags' values those share.
    terms: values::TermValues,
    /// The values of the products every home page shows. Any other product
    /// is on one shop page only, so its value is built there and dropped.
    shop: Vec<OnceLock<Value>>,
    /// Where each of the site's routes is, by output file.
    by_file: rustc_hash::FxHashMap<String, usize>,
    /// The JSON-LD every page but a post carries.
    site_json_ld: String,
    /// The text of every statement a page may have to show.
    statement_texts: Vec<(Statement, String)>,
    /// The posts of every home page's featured row.
    featured: Vec<usize>,
    /// The posts' bodies once [`Pages::release_bodies`] has taken them out
    /// of the site: each is handed to its post's page, then freed.
    bodies: Option<Vec<Mutex<Option<String>>>>,
}

impl Pages {
    /// The pages of `site`, rendered by `renderer` (made for the same site).
    pub fn new(site: Arc<Site>, renderer: Renderer) -> Self {
        // Rebuilt on every save in serve: sized up front.
        let mut by_file = rustc_hash::FxHashMap::with_capacity_and_hasher(site.routes.len(), Default::default());
        by_file.extend(site.routes.iter().enumerate().map(|(i, route)| (route.file.clone(), i)));
        let mut statements = site.links.rules.all_statements();
        statements.insert(Statement::Amazon);
        let statement_texts = statements
            .into_iter()
            .map(|s| (s.clone(), StatementValue::new(&s, &site, &renderer.locale).text))
            .collect();
        Self {
            statement_texts,
            site_json_ld: seo::site_json_ld(&site, &ValueBuilder::new(&site, &renderer.locale).urls),
            summaries: site.posts.iter().map(|_| OnceLock::new()).collect(),
            terms: ValueBuilder::new(&site, &renderer.locale).term_values(),
            shop: site.products.iter().take(HOME_PRODUCTS).map(|_| OnceLock::new()).collect(),
            featured: pages::featured(&site),
            site,
            renderer,
            by_file,
            bodies: None,
        }
    }

    /// Takes the posts' bodies out of the site, so that each is freed as
    /// soon as its page is worked out: for `build`, which works out every
    /// page once, after the feed and every whole-site check have read them.
    /// The bodies are the largest part of a site in memory (4 KB a post in
    /// the benchmark's sites, 40 MB at 10,000 posts). Does nothing and
    /// returns `false` while anything else shares the site or a post (the
    /// post cache still writing its shards, `serve` keeping them for the
    /// next rebuild). After it, [`Pages::input`] gives each post's page
    /// once; asked a second time, it is an error, never an empty page.
    pub fn release_bodies(&mut self) -> bool {
        let Some(site) = Arc::get_mut(&mut self.site) else { return false };
        if !site.posts.iter_mut().all(|post| Arc::get_mut(post).is_some()) {
            return false;
        }
        let bodies = site.posts.iter_mut().filter_map(Arc::get_mut).map(|post| std::mem::take(&mut post.content));
        self.bodies = Some(bodies.map(|body| Mutex::new(Some(body))).collect());
        true
    }

    /// Post `i`'s body, when [`Pages::release_bodies`] has taken it out of
    /// the site; `None` while the site holds it.
    fn released_body(&self, i: usize) -> Result<Option<String>, Box<Diagnostic>> {
        let Some(bodies) = &self.bodies else { return Ok(None) };
        let body = bodies.get(i).and_then(|body| body.lock().unwrap_or_else(PoisonError::into_inner).take());
        match body {
            Some(body) => Ok(Some(body)),
            None => Err(Box::new(Diagnostic::error(
                Code::Output,
                format!("internal error: the page of {} was asked for twice in one build", self.site.posts[i].path),
            ))),
        }
    }

    /// The site.
    pub fn site(&self) -> &Arc<Site> {
        &self.site
    }

    /// Every page's output file, in rendering order.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.site.routes.iter().map(|route| route.file.as_str())
    }

    /// Whether `file` is a rendered page.
    pub fn contains(&self, file: &str) -> bool {
        self.by_file.contains_key(file)
    }

    /// The output files of the posts and pages read from `sources` (paths
    /// relative to the site root, as posts know them). Compared as bytes:
    /// this runs on every save, over every post of the site.
    pub fn files_from(&self, sources: &[PathBuf]) -> Vec<String> {
        if sources.is_empty() {
            return Vec::new();
        }
        let read_from = |source: &Path| sources.iter().any(|s| s.as_os_str() == source.as_os_str());
        self.site
            .routes
            .iter()
            .filter(|route| route.source(&self.site).is_some_and(&read_from))
            .map(|route| route.file.clone())
            .collect()
    }

    /// One output file of each kind of page (the first post, the home page,
    /// the first term…): rendering them catches a template error at once.
    pub fn samples(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.site
            .routes
            .iter()
            .filter(|route| seen.insert(std::mem::discriminant(&route.kind)))
            .map(|route| route.file.clone())
            .collect()
    }

    /// The route whose output file is `file`, if there is one.
    pub fn route(&self, file: &str) -> Option<&Route> {
        self.by_file.get(file).map(|&index| &self.site.routes[index])
    }

    /// The text of every statement a page may have to show: Amazon's in
    /// the site's language and each program's own, for the compliance check.
    pub fn statement_texts(&self) -> &[(Statement, String)] {
        &self.statement_texts
    }

    /// A hash of everything a page is rendered from besides its own
    /// context: the templates, the values every page shares and the
    /// statements its disclosure check compares against.
    pub fn fingerprint(&self) -> u128 {
        let mut hasher = Xxh3Default::new();
        hasher.write_u128(self.renderer.fingerprint);
        for (statement, text) in &self.statement_texts {
            hasher.update(format!("{statement:?}").as_bytes());
            hasher.update(text.as_bytes());
            hasher.write_u8(0);
        }
        hasher.digest128()
    }

    /// Works out one page's template and values (expanding its
    /// shortcodes), ready for [`Pages::render_input`].
    pub fn input(&self, route: &Route) -> Result<PageInput, Box<Diagnostic>> {
        let (site, renderer) = (&*self.site, &self.renderer);
        let builder = ValueBuilder::new(site, &renderer.locale);
        let released = match route.kind {
            Kind::Post(i) => self.released_body(i)?,
            _ => None,
        };
        let expanded = match route.kind {
            Kind::Post(i) => {
                let post = &site.posts[i];
                renderer.expand_shortcodes(post, released.as_deref().unwrap_or(&post.content), &builder)
            }
            Kind::Page(i) => renderer.expand_shortcodes(&site.pages[i], &site.pages[i].content, &builder),
            Kind::Collection(i) => {
                renderer.expand_shortcodes(&site.collections[i], &site.collections[i].content, &builder)
            }
            _ => Ok(None),
        }?;
        let cx = PageValues {
            site,
            builder: &builder,
            summaries: &self.summaries,
            terms: &self.terms,
            shop: &self.shop,
            locale: &renderer.locale,
            site_json_ld: &self.site_json_ld,
            featured: &self.featured,
        };
        let (template, path, context, disclosure) = cx.context(route, expanded.as_deref().or(released.as_deref()));
        Ok(PageInput { template, path, context, disclosure })
    }

    /// Where `text` is written once in the theme's templates: in `preferred`
    /// (a template as [`RenderedPage::template`] names it) if it is there,
    /// else, unless `only_preferred`, in the one template that writes it.
    /// The template, its text, and the byte offset; none when no template
    /// writes it, or it could be one of several places.
    pub fn written_in_templates(
        &self,
        text: &str,
        preferred: &Path,
        only_preferred: bool,
    ) -> Option<(&Path, &str, usize)> {
        let mut found: Vec<(&Path, &str, Option<usize>)> = Vec::new();
        for (origin, source) in self.renderer.origins.values() {
            if (only_preferred && origin != preferred) || found.iter().any(|(seen, _, _)| *seen == origin.as_path()) {
                continue;
            }
            let mut places = source.match_indices(text).map(|(at, _)| at);
            if let Some(at) = places.next() {
                // Written twice in one template: which one is not known.
                found.push((origin.as_path(), source.as_str(), places.next().is_none().then_some(at)));
            }
        }
        let (origin, source, at) = match found.iter().position(|(origin, _, _)| *origin == preferred) {
            Some(mine) => found.swap_remove(mine),
            None if found.len() == 1 => found.pop()?,
            None => return None,
        };
        Some((origin, source, at?))
    }

    /// Renders one page with the theme. It is not checked yet: see
    /// [`crate::finished_page`].
    pub fn render_input(&self, input: PageInput) -> Result<RenderedPage, Box<Diagnostic>> {
        let renderer = &self.renderer;
        let PageInput { template, path, mut context, mut disclosure } = input;
        let render = |context: &PageContext| filters::watching(|| renderer.tera.render(template, &context.context));
        let (rendered, filtered) = render(&context);
        let mut html = rendered.map_err(|err| Box::new(template_diagnostic(&err, &renderer.origins, Some(&path))))?;
        // Affiliate links the template wrote through the `affiliate` filter
        // need their statements too: the page is rendered again with them.
        if let Some(value) = DisclosureValue::with(disclosure.as_ref(), filtered.as_ref(), &self.site, &renderer.locale)
        {
            context.insert("disclosure", &value);
            let (rendered, _) = render(&context);
            html = rendered.map_err(|err| Box::new(template_diagnostic(&err, &renderer.origins, Some(&path))))?;
            disclosure = Some(value);
        }
        let template = renderer.origins.get(template).map_or_else(|| PathBuf::from(template), |(o, _)| o.clone());
        Ok(RenderedPage { html, disclosure, template, path })
    }

    /// Renders one page with the theme: [`Pages::input`], then
    /// [`Pages::render_input`].
    pub fn render(&self, route: &Route) -> Result<RenderedPage, Box<Diagnostic>> {
        self.render_input(self.input(route)?)
    }
}

/// What one page is rendered from: its template and context, and the
/// disclosure it must show.
pub struct PageInput {
    template: &'static str,
    path: String,
    context: PageContext,
    disclosure: Option<DisclosureValue>,
}

impl PageInput {
    /// A hash of all the page is rendered from, given the site-wide
    /// `fingerprint` it is combined with: pages with equal keys are equal.
    pub fn key(&self, fingerprint: u128) -> u128 {
        let mut hasher = Xxh3Default::new();
        hasher.write_u128(fingerprint);
        hasher.update(self.template.as_bytes());
        hasher.write_u8(0);
        hasher.update(self.path.as_bytes());
        hasher.write_u8(0);
        self.context.hash_into(&mut hasher);
        hasher.digest128()
    }
}

/// What of the profile links to affiliates (its bio, `[links]` or
/// `[[buttons]]`): the home page, which shows them, must disclose before them.
#[derive(Debug, Default)]
pub(crate) struct ProfileAffiliation {
    /// Whether any of them does.
    pub any: bool,
    /// Whether the bio does.
    pub bio: bool,
    /// The statements their programs require.
    pub statements: Statements,
}

impl ProfileAffiliation {
    pub(crate) fn of(site: &Site) -> Self {
        let profile = &site.settings.profile;
        let mut found = Self::default();
        if let Some(bio) = &profile.bio {
            let rendered = crate::markdown::render(bio.get_ref(), &site.links, Default::default());
            found.bio = rendered.has_affiliate;
            found.statements.extend(rendered.statements);
        }
        let urls =
            profile.links.0.iter().map(|l| l.url.get_ref()).chain(profile.buttons.iter().map(|b| b.url.get_ref()));
        for link in urls.filter_map(|url| site.links.route(url.trim()).ok()) {
            found.any |= link.is_affiliate();
            found.statements.extend(link.statement);
        }
        found.any |= found.bio;
        found
    }
}

/// An image the profile names: an http(s) URL as it is, else a path under
/// `static/` as the site serves it.
fn local_or_remote(written: &str, links: &crate::links::LinkPolicy) -> String {
    if crate::profile::is_http_url(written) {
        written.to_owned()
    } else {
        links.internal(&format!("/{}", written.trim_start_matches('/'))).into_owned()
    }
}

/// The icon for a `[links]` key, or, for a key the themes have no icon for
/// (and for a button), the one of the site the URL is on; `link` when none.
fn icon_name(key: &str, url: &str) -> String {
    const KNOWN: &[&str] = &[
        "youtube",
        "instagram",
        "tiktok",
        "facebook",
        "x",
        "pinterest",
        "threads",
        "bluesky",
        "ltk",
        "shopmy",
        "amazon",
        "substack",
        "patreon",
        "twitch",
        "snapchat",
        "discord",
        "whatsapp",
        "telegram",
        "email",
        "website",
        "linkedin",
    ];
    let key = key.to_ascii_lowercase();
    let alias = match key.as_str() {
        "twitter" => "x",
        "mail" | "e-mail" => "email",
        "web" | "site" | "blog" | "homepage" => "website",
        "liketoknowit" | "rewardstyle" => "ltk",
        "bsky" => "bluesky",
        other => other,
    };
    if KNOWN.contains(&alias) {
        return alias.to_owned();
    }
    if url.starts_with("mailto:") {
        return "email".to_owned();
    }
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(|h| h.trim_start_matches("www.").to_owned()));
    let Some(host) = host else { return "link".to_owned() };
    let on = |domain: &str| crate::links::on_domain(&host, domain);
    let by_host: &[(&str, &[&str])] = &[
        ("youtube", &["youtube.com", "youtu.be"]),
        ("instagram", &["instagram.com"]),
        ("tiktok", &["tiktok.com"]),
        ("facebook", &["facebook.com", "fb.com"]),
        ("x", &["x.com", "twitter.com"]),
        ("pinterest", &["pinterest.com", "pin.it"]),
        ("threads", &["threads.net", "threads.com"]),
        ("bluesky", &["bsky.app"]),
        ("ltk", &["shopltk.com", "liketoknow.it", "ltk.app"]),
        ("shopmy", &["shopmy.us"]),
        ("substack", &["substack.com"]),
        ("patreon", &["patreon.com"]),
        ("twitch", &["twitch.tv"]),
        ("snapchat", &["snapchat.com"]),
        ("discord", &["discord.gg", "discord.com"]),
        ("whatsapp", &["wa.me", "whatsapp.com"]),
        ("telegram", &["t.me", "telegram.me"]),
        ("linkedin", &["linkedin.com"]),
    ];
    if let Some((icon, _)) = by_host.iter().find(|(_, domains)| domains.iter().any(|d| on(d))) {
        return (*icon).to_owned();
    }
    if crate::links::is_amazon_host(&host) || crate::links::short_link_host(&host).is_some() {
        return "amazon".to_owned();
    }
    if alias.is_empty() { "link" } else { "website" }.to_owned()
}

fn link_label(key: &str) -> String {
    match key.to_ascii_lowercase().as_str() {
        "youtube" => "YouTube".to_owned(),
        "tiktok" => "TikTok".to_owned(),
        "instagram" => "Instagram".to_owned(),
        "facebook" => "Facebook".to_owned(),
        "x" | "twitter" => "X".to_owned(),
        "linkedin" => "LinkedIn".to_owned(),
        "pinterest" => "Pinterest".to_owned(),
        "ltk" => "LTK".to_owned(),
        "shopmy" => "ShopMy".to_owned(),
        "whatsapp" => "WhatsApp".to_owned(),
        "bluesky" | "bsky" => "Bluesky".to_owned(),
        "email" | "mail" => "Email".to_owned(),
        "amazon" => "Amazon".to_owned(),
        _ => {
            let mut chars = key.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

fn footer_disclosure(site: &Site, locale: &Locale) -> String {
    let settings = &site.settings;
    let mut text = settings
        .profile
        .disclosure
        .text
        .as_ref()
        .map_or_else(|| locale.get("footer").to_owned(), |t| t.get_ref().clone());
    for statement in StatementValue::all(&site.links.rules.all_statements(), site, locale) {
        text.push(' ');
        text.push_str(&statement.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{icon_name, link_label};

    #[test]
    fn links_get_the_icon_of_their_network_or_site() {
        assert_eq!(icon_name("youtube", "https://www.youtube.com/@m"), "youtube");
        assert_eq!(icon_name("twitter", "https://x.com/m"), "x");
        // A key the themes do not draw: the URL's site decides.
        assert_eq!(icon_name("My LTK", "https://www.shopltk.com/explore/m"), "ltk");
        assert_eq!(icon_name("news", "https://m.substack.com"), "substack");
        assert_eq!(icon_name("", "https://www.amazon.com/shop/m"), "amazon");
        assert_eq!(icon_name("", "https://amzn.to/3abc"), "amazon");
        assert_eq!(icon_name("", "mailto:m@example.com"), "email");
        assert_eq!(icon_name("blog", "https://notes.example"), "website");
        assert_eq!(icon_name("", "https://notes.example"), "link");
        assert_eq!(icon_name("", "not a url"), "link");
    }

    #[test]
    fn networks_are_spelt_their_way() {
        assert_eq!(link_label("ltk"), "LTK");
        assert_eq!(link_label("shopmy"), "ShopMy");
        assert_eq!(link_label("whatsapp"), "WhatsApp");
        assert_eq!(link_label("blog"), "Blog");
    }
}
