//! Stage 6: themes, Tera and the pages of the site.
//!
//! In: the [`Site`] and a [`Theme`]. Out: every HTML page, written through a
//! [`Sink`] as soon as it is rendered, so memory holds the model and a
//! page at a time per thread, never the whole output.
//!
//! 1. Load the theme's templates (site overrides applied) into one Tera.
//! 2. Put what every page shares (site, profile, navigation, labels) into
//!    Tera's global context, once.
//! 3. Build each post's list value once, when a list first needs it; list
//!    pages clone those values.
//! 4. Render [`Pages`]: every page in parallel into a sink for `build`, one
//!    page at a time on request for `serve`. Each page's SEO tags and
//!    JSON-LD come from [`seo`].

pub mod locale;
pub mod seo;
pub mod theme;
pub mod values;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use serde_json::json;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::diagnostics::{Code, Diagnostic};
use crate::site::routes::{HOME_PRODUCTS, Kind, Route, Taxonomy, page_count};
use crate::site::{Post, Site};
pub use locale::Locale;
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
    /// Amazon's required statement when the page links to Amazon.
    pub amazon: Option<String>,
}

/// A Tera loaded with a theme, ready to render one site.
pub struct Renderer {
    tera: Tera,
    origins: HashMap<String, (PathBuf, String)>,
    locale: Locale,
}

impl Renderer {
    /// Loads `theme` and the values every page shares.
    pub fn new(theme: &Theme, site: &Site, locale: Locale) -> Result<Self, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        tera.set_escape_fn(crate::html::escape_html_to);
        let policy = site.links.clone();
        tera.register_filter("affiliate", move |value: &str, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            match policy.route(value) {
                Ok(link) => Ok(link.href.into_owned()),
                Err(err) => Err(tera::Error::message(err.to_string())),
            }
        });
        let policy = site.links.clone();
        tera.register_filter("link_rel", move |value: &str, _: Kwargs, _: &State| -> String {
            policy.route(value).ok().and_then(|link| link.rel()).unwrap_or("noopener").to_owned()
        });
        let base_path = site.settings.base_path.clone();
        tera.register_function("url", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let href = format!("/{}", path.trim_start_matches('/'));
            Ok(match crate::links::under_base_path(&base_path, &href) {
                std::borrow::Cow::Borrowed(_) => href,
                std::borrow::Cow::Owned(prefixed) => prefixed,
            })
        });
        tera.register_filter("date", |value: &str, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let format: String = kwargs.get("format")?.unwrap_or_else(|| "%Y-%m-%d".to_owned());
            // The local date and time as written; the offset does not move the day shown.
            let local = value.get(..19).unwrap_or(value).replace(' ', "T");
            let parsed: jiff::civil::DateTime = local
                .parse()
                .or_else(|_| value.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
                .map_err(|e| tera::Error::message(format!("`{value}` is not a date: {e}")))?;
            Ok(parsed.strftime(&format).to_string())
        });
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
        let avatar = profile.avatar.as_ref().map(|a| {
            let a = a.get_ref();
            if crate::profile::is_http_url(a) {
                a.clone()
            } else {
                links.internal(&format!("/{}", a.trim_start_matches('/'))).into_owned()
            }
        });
        let global = tera.global_context();
        global.insert(
            "site",
            &json!({
                "title": settings.title,
                "base_url": settings.base_url,
                "base_path": settings.base_path,
                "language": settings.language,
                "description": profile.tagline,
                "theme": theme.name,
            }),
        );
        global.insert(
            "profile",
            &json!({
                "name": profile.name,
                "handle": profile.handle,
                "tagline": profile.tagline,
                "bio": bio,
                "avatar": avatar,
                "links": profile.links.0.iter().map(|l| json!({
                    "key": l.key,
                    "label": link_label(&l.key),
                    "url": l.url.get_ref(),
                })).collect::<Vec<_>>(),
            }),
        );
        global.insert(
            "nav",
            &json!({
                "categories": builder.term_counts(Taxonomy::Categories),
                "pages": builder.page_links(),
            }),
        );
        let mut labels = locale.texts().clone();
        if let Some(label) = &profile.disclosure.label {
            labels.insert("ad".to_owned(), label.clone());
        }
        global.insert("labels", &labels);
        global.insert("footer_disclosure", &footer_disclosure(site, &locale));
        Ok(Self { tera, origins, locale })
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
}

impl Pages {
    /// The pages of `site`, rendered by `renderer` (made for the same site).
    pub fn new(site: Arc<Site>, renderer: Renderer) -> Self {
        // Rebuilt on every save in serve: sized up front.
        let mut by_file = rustc_hash::FxHashMap::with_capacity_and_hasher(site.routes.len(), Default::default());
        by_file.extend(site.routes.iter().enumerate().map(|(i, route)| (route.file.clone(), i)));
        Self {
            site_json_ld: seo::site_json_ld(&site, &ValueBuilder::new(&site, &renderer.locale).urls),
            summaries: site.posts.iter().map(|_| OnceLock::new()).collect(),
            terms: ValueBuilder::new(&site, &renderer.locale).term_values(),
            shop: site.products.iter().take(HOME_PRODUCTS).map(|_| OnceLock::new()).collect(),
            site,
            renderer,
            by_file,
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

    /// Amazon's required statement in the site's language.
    pub fn amazon_statement(&self) -> &str {
        self.renderer.locale.get("amazon_statement")
    }

    /// Renders one page with the theme. It is not checked yet: see
    /// [`crate::finished_page`].
    pub fn render(&self, route: &Route) -> Result<RenderedPage, Box<Diagnostic>> {
        let (site, renderer) = (&*self.site, &self.renderer);
        let builder = ValueBuilder::new(site, &renderer.locale);
        let expanded = match route.kind {
            Kind::Post(i) => renderer.expand_shortcodes(&site.posts[i], &builder),
            Kind::Page(i) => renderer.expand_shortcodes(&site.pages[i], &builder),
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
        };
        let (template, path, context, disclosure) = cx.context(route, expanded.as_deref());
        let html = renderer
            .tera
            .render(template, &context)
            .map_err(|err| Box::new(template_diagnostic(&err, &renderer.origins, Some(&path))))?;
        let template = renderer.origins.get(template).map_or_else(|| PathBuf::from(template), |(o, _)| o.clone());
        Ok(RenderedPage { html, disclosure, template, path })
    }
}

fn link_label(key: &str) -> String {
    match key {
        "youtube" => "YouTube".to_owned(),
        "tiktok" => "TikTok".to_owned(),
        "instagram" => "Instagram".to_owned(),
        "facebook" => "Facebook".to_owned(),
        "x" | "twitter" => "X".to_owned(),
        "linkedin" => "LinkedIn".to_owned(),
        "pinterest" => "Pinterest".to_owned(),
        other => {
            let mut chars = other.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

impl Renderer {
    /// The post's HTML with each shortcode marker replaced by the theme's rendering.
    fn expand_shortcodes(&self, post: &Post, builder: &ValueBuilder<'_>) -> Result<Option<String>, Box<Diagnostic>> {
        if post.shortcodes.is_empty() {
            return Ok(None);
        }
        let mut content = post.content.clone();
        for (index, shortcode) in post.shortcodes.iter().enumerate().rev() {
            let mut context = Context::new();
            match *shortcode {
                crate::site::Shortcode::Product(i) => {
                    context.insert("product", &builder.product(&post.products[i], &post.categories, &[]));
                }
                _ => {
                    let all: Vec<_> = post.products.iter().map(|p| builder.product(p, &post.categories, &[])).collect();
                    context.insert("products", &all);
                }
            }
            let html = self
                .tera
                .render(shortcode.template(), &context)
                .map_err(|err| Box::new(template_diagnostic(&err, &self.origins, Some(&post.path))))?;
            let marker = crate::markdown::shortcodes::marker_prefix(index);
            if let Some(start) = content.find(&format!("{marker} ")).or_else(|| content.find(&format!("{marker}-")))
                && let Some(len) = content[start..].find("-->")
            {
                content.replace_range(start..start + len + 3, &html);
            }
        }
        Ok(Some(content))
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
    if settings.profile.affiliate.amazon.is_some() {
        text.push(' ');
        text.push_str(locale.get("amazon_statement"));
    }
    text
}

/// What one page's values are made from.
struct PageValues<'a> {
    site: &'a Site,
    builder: &'a ValueBuilder<'a>,
    summaries: &'a [OnceLock<Value>],
    terms: &'a values::TermValues,
    shop: &'a [OnceLock<Value>],
    locale: &'a Locale,
    site_json_ld: &'a str,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

impl PageValues<'_> {
    /// Post `i`'s list value.
    fn summary(&self, i: usize) -> Value {
        self.summaries[i].get_or_init(|| self.builder.post_summary(&self.site.posts[i], self.terms)).clone()
    }

    /// Shop product `i`'s value.
    fn shop_item(&self, i: usize) -> Value {
        let build = || self.builder.shop_product(&self.site.products[i]);
        match self.shop.get(i) {
            Some(cached) => cached.get_or_init(build).clone(),
            None => build(),
        }
    }

    /// The disclosure for a page whose links are known from the data.
    fn disclosure(&self, own_text: Option<&str>, affiliate: bool, amazon: bool) -> Option<DisclosureValue> {
        affiliate.then(|| DisclosureValue {
            text: own_text
                .or(self.site.settings.profile.disclosure.text.as_ref().map(|t| t.get_ref().as_str()))
                .unwrap_or_else(|| self.locale.get("disclosure"))
                .to_owned(),
            amazon: amazon.then(|| self.locale.get("amazon_statement").to_owned()),
        })
    }

    fn products_disclosure<'p>(
        &self,
        products: impl Iterator<Item = &'p crate::site::ShopProduct>,
    ) -> Option<DisclosureValue> {
        let (mut affiliate, mut amazon) = (false, false);
        for item in products {
            let p = &item.product;
            affiliate |= p.affiliate || p.links.iter().any(|l| l.affiliate);
            amazon |= p.amazon || p.links.iter().any(|l| l.amazon);
        }
        self.disclosure(None, affiliate, amazon)
    }

    /// The template, output path, context and disclosure for one page.
    fn context(
        &self,
        route: &Route,
        content: Option<&str>,
    ) -> (&'static str, String, Context, Option<DisclosureValue>) {
        let mut disclosure = None;
        let site = self.site;
        let settings = &site.settings;
        let urls = &self.builder.urls;
        let mut cx = Context::new();
        let page = route.page;
        let path = route.path.clone();
        let (template, kind) = match route.kind {
            Kind::Post(i) => {
                let post = &site.posts[i];
                disclosure = self.disclosure(post.disclosure.as_deref(), post.has_affiliate, post.has_amazon);
                cx.insert_value("page", self.builder.post_detail(Some(i), post, content));
                self.seo(&mut cx, &post.title, &post.summary, &post.path, post.cover.as_deref(), Some(post));
                ("post.html", "post")
            }
            Kind::Page(i) => {
                let page = &site.pages[i];
                disclosure = self.disclosure(page.disclosure.as_deref(), page.has_affiliate, page.has_amazon);
                cx.insert_value("page", self.builder.post_detail(None, page, content));
                self.seo(&mut cx, &page.title, &page.summary, &page.path, page.cover.as_deref(), None);
                ("page.html", "page")
            }
            Kind::Home => {
                let all: Vec<usize> = (0..site.posts.len()).collect();
                self.paginate(&mut cx, &all, route, settings.posts_per_page);
                let mut featured: Vec<Value> = site
                    .posts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.featured)
                    .take(3)
                    .map(|(i, _)| self.summary(i))
                    .collect();
                if featured.is_empty() {
                    featured = (0..site.posts.len().min(3)).map(|i| self.summary(i)).collect();
                }
                cx.insert_value("featured", Value::from(featured));
                cx.insert_value(
                    "products",
                    Value::from(
                        (0..site.products.len().min(HOME_PRODUCTS)).map(|i| self.shop_item(i)).collect::<Vec<_>>(),
                    ),
                );
                disclosure = self.products_disclosure(site.products.iter().take(HOME_PRODUCTS));
                let title = if page > 1 { self.page_title(&settings.title, page) } else { settings.title.clone() };
                let description = settings.profile.tagline.clone().unwrap_or_default();
                self.seo_titled(&mut cx, title, &description, &path, None, None);
                ("index.html", "home")
            }
            Kind::Shop => {
                let per_page = settings.products_per_page;
                let total = site.products.len();
                let items: Vec<Value> =
                    ((page - 1) * per_page..(page * per_page).min(total)).map(|i| self.shop_item(i)).collect();
                disclosure = self.products_disclosure(site.products.iter().skip((page - 1) * per_page).take(per_page));
                cx.insert_value("paginator", self.paginator(items, route, page_count(total, per_page), total));
                let title = format!("{} · {}", self.locale.get("shop"), settings.title);
                let description = self.locale.fill("shop_description", &[("name", &settings.profile.name)]);
                self.seo_titled(&mut cx, title, &description, &path, None, None);
                ("shop.html", "shop")
            }
            Kind::TaxonomyList(taxonomy) => {
                cx.insert("taxonomy", taxonomy.name());
                cx.insert("terms", &self.builder.term_counts(taxonomy));
                let title = format!("{} · {}", self.locale.get(taxonomy.name()), settings.title);
                self.seo_titled(&mut cx, title, "", &path, None, None);
                ("taxonomy_list.html", taxonomy.name())
            }
            Kind::Term { taxonomy, term } => {
                let t = &taxonomy.terms(site)[term];
                let base = route.list_base(site);
                self.paginate(&mut cx, &t.posts, route, settings.posts_per_page);
                cx.insert("taxonomy", taxonomy.name());
                cx.insert(
                    "term",
                    &json!({ "name": t.name, "slug": t.slug, "url": urls.href(&base), "count": t.posts.len() }),
                );
                let name = if page > 1 { self.page_title(&t.name, page) } else { t.name.clone() };
                let title = format!("{name} · {}", settings.title);
                let count = t.posts.len().to_string();
                let description = self.locale.fill("term_description", &[("count", &count), ("name", &t.name)]);
                self.seo_titled(&mut cx, title, &description, &path, None, None);
                ("taxonomy.html", taxonomy.singular())
            }
            Kind::Search => {
                cx.insert("search_index", &urls.href("search-index.json"));
                let title = format!("{} · {}", self.locale.get("search"), settings.title);
                self.seo_titled(&mut cx, title, "", &path, None, None);
                ("search.html", "search")
            }
            Kind::NotFound => {
                let title = format!("{} · {}", self.locale.get("not_found"), settings.title);
                self.seo_titled(&mut cx, title, "", &path, None, None);
                ("404.html", "404")
            }
            Kind::Disclosure => {
                let text = settings
                    .profile
                    .disclosure
                    .text
                    .as_ref()
                    .map_or_else(|| self.locale.get("disclosure").to_owned(), |t| t.get_ref().clone());
                let mut content = format!("<p>{}</p>", crate::html::escape_attr(&text));
                if settings.profile.affiliate.amazon.is_some() {
                    content
                        .push_str(&format!("<p>{}</p>", crate::html::escape_attr(self.locale.get("amazon_statement"))));
                }
                cx.insert(
                    "page",
                    &json!({
                        "title": self.locale.get("disclosure_title"),
                        "url": urls.href(&path),
                        "permalink": urls.permalink(&path),
                        "content": content,
                        "summary": text,
                        "cover": null,
                        "toc": [],
                        "extra": {},
                    }),
                );
                let title = format!("{} · {}", self.locale.get("disclosure_title"), settings.title);
                self.seo_titled(&mut cx, title, &text, &path, None, None);
                ("disclosure.html", "disclosure")
            }
        };
        cx.insert("kind", kind);
        match &disclosure {
            Some(value) => cx.insert("disclosure", value),
            None => cx.insert_value("disclosure", Value::none()),
        }
        (template, path, cx, disclosure)
    }

    /// `title` on page `page` of a list: `Audio – page 2`.
    fn page_title(&self, title: &str, page: usize) -> String {
        self.locale.fill("title_page", &[("title", title), ("number", &page.to_string())])
    }

    fn paginate(&self, cx: &mut Context, posts: &[usize], route: &Route, per_page: usize) {
        let items: Vec<Value> =
            posts.iter().skip((route.page - 1) * per_page).take(per_page).map(|&i| self.summary(i)).collect();
        cx.insert_value("paginator", self.paginator(items, route, page_count(posts.len(), per_page), posts.len()));
    }

    fn paginator(&self, items: Vec<Value>, route: &Route, total_pages: usize, total_items: usize) -> Value {
        let urls = &self.builder.urls;
        let number = route.page;
        let url = |n: usize| urls.href(&route.list_page(self.site, n));
        // A window of nearby pages keeps each page's size independent of the list's length.
        let window = number.saturating_sub(5).max(1)..=(number + 5).min(total_pages);
        let pages: Vec<PageLink> = window.map(|n| PageLink { number: n, url: url(n), current: n == number }).collect();
        let mut map = tera::Map::new();
        map.insert("number".into(), number.into());
        map.insert("total_pages".into(), total_pages.into());
        map.insert("total_items".into(), total_items.into());
        map.insert("items".into(), Value::from(items));
        map.insert("previous".into(), if number > 1 { url(number - 1).into() } else { Value::none() });
        map.insert("next".into(), if number < total_pages { url(number + 1).into() } else { Value::none() });
        map.insert("first".into(), url(1).into());
        map.insert("last".into(), url(total_pages).into());
        map.insert("pages".into(), Value::from_serializable(&pages));
        Value::from(map)
    }

    fn seo(&self, cx: &mut Context, title: &str, summary: &str, path: &str, image: Option<&str>, post: Option<&Post>) {
        let full = format!("{title} · {}", self.site.settings.title);
        self.seo_titled(cx, full, summary, path, image, post);
    }

    fn seo_titled(
        &self,
        cx: &mut Context,
        title: String,
        description: &str,
        path: &str,
        image: Option<&str>,
        post: Option<&Post>,
    ) {
        let settings = &self.site.settings;
        let urls = &self.builder.urls;
        let description = if description.is_empty() {
            settings.profile.tagline.as_deref().unwrap_or(&settings.title)
        } else {
            description
        };
        let canonical = urls.permalink(path);
        let avatar = settings.profile.avatar.as_ref().map(|a| a.get_ref().as_str());
        let image = image.or(avatar).map(|i| {
            if i.contains("://") {
                i.to_owned()
            } else {
                urls.absolute(&self.site.links.internal(&format!("/{}", i.trim_start_matches('/'))))
            }
        });
        let json_ld = match post {
            Some(post) => seo::post_json_ld(self.site, urls, post, &canonical, description),
            None => self.site_json_ld.to_owned(),
        };
        let kind = if post.is_some() { "article" } else { "website" };
        cx.insert("seo", &seo::Seo { title, description, canonical, image, kind, json_ld });
    }
}

/// A Tera error as a diagnostic that names the template file and line.
fn template_diagnostic(
    err: &tera::Error,
    origins: &HashMap<String, (PathBuf, String)>,
    page: Option<&str>,
) -> Diagnostic {
    let during = page.map(|p| format!(" (while rendering /{p})")).unwrap_or_default();
    let locate = |name: &str, line: usize, column: usize, message: String| {
        let (origin, source) =
            origins.get(name).map_or_else(|| (PathBuf::from(name), ""), |(o, s)| (o.clone(), s.as_str()));
        Diagnostic::error(Code::Template, message).at(origin).with_position(line, column, Some(source))
    };
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) => {
            let source = origins.get(report.filename()).map_or("", |(_, s)| s.as_str());
            let span = report.span();
            // Tera notices a missing `{% endif %}` only where the next block ends; point at the opener.
            if let Some((tag, line, column)) = unclosed_tag(source, span.start_line) {
                return locate(
                    report.filename(),
                    line,
                    column,
                    format!("template syntax error: `{{% {tag} %}}` is never closed with `{{% end{tag} %}}`{during}"),
                );
            }
            locate(
                report.filename(),
                span.start_line,
                span.start_col + 1,
                format!("template syntax error: {}{during}", report.message()),
            )
        }
        tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            locate(
                report.filename(),
                span.start_line,
                span.start_col + 1,
                format!("template error: {}{during}", report.message()),
            )
        }
        // Checks across templates (unknown includes, filters, components) come as Tera's own reports.
        tera::ErrorKind::Msg(text) => match parse_report(text) {
            Some((message, name, line, column)) => {
                locate(&name, line, column, format!("template error: {message}{during}"))
            }
            None => Diagnostic::error(Code::Template, format!("template error: {text}{during}")),
        },
        _ => Diagnostic::error(Code::Template, format!("template error: {err}{during}")),
    }
}

/// The first report in Tera's text: (message, template, line, column).
fn parse_report(text: &str) -> Option<(String, String, usize, usize)> {
    let mut lines = text.lines();
    let message = lines.next()?.trim().strip_prefix("error:")?.trim().to_owned();
    let location = lines.next()?.trim().strip_prefix("-->")?.trim();
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?.to_owned();
    Some((message, name, line, column))
}

/// A block tag opened before `limit_line` and never closed: (tag, line, column).
fn unclosed_tag(source: &str, limit_line: usize) -> Option<(String, usize, usize)> {
    const OPENERS: &[&str] = &["if", "for", "block", "filter", "raw", "component"];
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut rest = source;
    let mut offset = 0;
    while let Some(start) = rest.find("{%") {
        let tag_start = offset + start;
        let Some(end) = rest[start..].find("%}") else { break };
        let inner = rest[start + 2..start + end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if OPENERS.contains(&word) {
            stack.push((word.to_owned(), tag_start));
        } else if let Some(closed) = word.strip_prefix("end") {
            match stack.iter().rposition(|(tag, _)| tag == closed) {
                Some(position) if position + 1 == stack.len() => {
                    stack.pop();
                }
                // Closing an outer tag while an inner one is open: the inner one is unclosed.
                Some(_) => break,
                None => {}
            }
        }
        offset += start + end + 2;
        rest = &source[offset..];
    }
    let (tag, at) = stack.pop()?;
    let (line, column) = crate::diagnostics::line_column(source, at);
    (line <= limit_line).then_some((tag, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_tags_are_found() {
        let source = "{% block content %}\n{% if x %}\n<h1>hi</h1>\n{% endblock content %}\n";
        assert_eq!(unclosed_tag(source, 4), Some(("if".to_owned(), 2, 1)));
        assert_eq!(unclosed_tag("{% if x %}a{% endif %}", 1), None);
        assert_eq!(unclosed_tag("{% for a in b %}{% if x %}{% endif %}", 1), Some(("for".to_owned(), 1, 1)));
    }

    #[test]
    fn tera_reports_are_parsed() {
        let text = "error: Unknown template `partials/nope.html`\n --> post.html:3:12\n  |\n3 | x\n";
        assert_eq!(
            parse_report(text),
            Some(("Unknown template `partials/nope.html`".to_owned(), "post.html".to_owned(), 3, 12))
        );
    }
}
