//! The template values of one page: which template renders it, its
//! context (the page, the list and paginator, SEO tags) and the disclosure
//! it must show, worked out from its [`Route`].

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::json;
use tera::{Context, Value};
use xxhash_rust::xxh3::Xxh3Default;

use super::values::{self, ValueBuilder};
use super::{DisclosureValue, Locale, StatementValue, seo};
use crate::links::Statements;
use crate::site::routes::{HOME_PRODUCTS, Kind, Route, page_count};
use crate::site::{Post, Site};

/// What one page's values are made from.
pub(super) struct PageValues<'a> {
    pub(super) site: &'a Site,
    pub(super) builder: &'a ValueBuilder<'a>,
    /// Each post's list value, built once.
    pub(super) summaries: &'a [OnceLock<Value>],
    pub(super) terms: &'a values::TermValues,
    /// The first products' shop values, built once.
    pub(super) shop: &'a [OnceLock<Value>],
    pub(super) locale: &'a Locale,
    /// The JSON-LD every page but a post carries.
    pub(super) site_json_ld: &'a str,
    /// The posts of every home page's featured row ([`featured`]).
    pub(super) featured: &'a [usize],
}

/// The posts of the home page's featured row: the first three marked
/// `featured`, else the three newest. Found once per site, not once per
/// home page: a site of 50,000 posts has 2,000 of them.
pub(super) fn featured(site: &Site) -> Vec<usize> {
    let marked: Vec<usize> =
        site.posts.iter().enumerate().filter(|(_, p)| p.featured).map(|(i, _)| i).take(3).collect();
    if marked.is_empty() { (0..site.posts.len().min(3)).collect() } else { marked }
}

/// One page's template context, with the names it holds (Tera's context
/// cannot list them), so that the page cache can hash all of it.
#[derive(Default)]
pub(super) struct PageContext {
    pub(super) context: Context,
    names: Vec<&'static str>,
}

impl PageContext {
    pub(super) fn insert<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.insert_value(name, Value::from_serializable(value));
    }

    fn insert_value(&mut self, name: &'static str, value: Value) {
        self.names.push(name);
        self.context.insert_value(name, value);
    }

    /// Feeds every value of the context into `hasher`.
    pub(super) fn hash_into(&self, hasher: &mut Xxh3Default) {
        let mut names = self.names.clone();
        names.sort_unstable();
        names.dedup();
        super::fingerprint::context(hasher, &self.context, &names);
    }
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
    fn disclosure(&self, own_text: Option<&str>, affiliate: bool, statements: &Statements) -> Option<DisclosureValue> {
        affiliate.then(|| {
            let statements = StatementValue::all(statements, self.site, self.locale);
            DisclosureValue {
                text: own_text.unwrap_or_else(|| DisclosureValue::creators_text(self.site, self.locale)).to_owned(),
                amazon: statements.iter().find(|s| s.class == "amazon").map(|s| s.text.clone()),
                statements,
            }
        })
    }

    fn products_disclosure<'p>(
        &self,
        products: impl Iterator<Item = &'p crate::site::ShopProduct>,
    ) -> Option<DisclosureValue> {
        let (mut affiliate, mut statements) = (false, Statements::new());
        for item in products {
            affiliate |= item.product.has_affiliate();
            statements.extend(item.product.statements().cloned());
        }
        self.disclosure(None, affiliate, &statements)
    }

    /// The template, output path, context and disclosure for one page.
    pub(super) fn context(
        &self,
        route: &Route,
        content: Option<&str>,
    ) -> (&'static str, String, PageContext, Option<DisclosureValue>) {
        let mut disclosure = None;
        let site = self.site;
        let settings = &site.settings;
        let urls = &self.builder.urls;
        let mut cx = PageContext::default();
        let page = route.page;
        let path = route.path.clone();
        let (template, kind) = match route.kind {
            Kind::Post(i) => {
                let post = &site.posts[i];
                disclosure = self.disclosure(post.disclosure.as_deref(), post.has_affiliate, &post.statements);
                cx.insert_value("page", self.builder.post_detail(Some(i), post, content));
                self.seo(&mut cx, &post.title, &post.summary, &post.path, post.cover.as_deref(), Some(post));
                ("post.html", "post")
            }
            Kind::Page(i) => {
                let page = &site.pages[i];
                disclosure = self.disclosure(page.disclosure.as_deref(), page.has_affiliate, &page.statements);
                cx.insert_value("page", self.builder.post_detail(None, page, content));
                let image = page.cover.as_deref().unwrap_or(crate::images::PAGE_CARD);
                self.seo(&mut cx, &page.title, &page.summary, &page.path, Some(image), None);
                ("page.html", "page")
            }
            Kind::Collection(i) => {
                let collection = &site.collections[i];
                disclosure =
                    self.disclosure(collection.disclosure.as_deref(), collection.has_affiliate, &collection.statements);
                cx.insert_value("page", self.builder.post_detail(None, collection, content));
                // A link preview is drawn from a local picture only (a remote one is not fetched).
                let image = collection
                    .cover
                    .as_deref()
                    .or_else(|| {
                        collection.products.iter().filter_map(|p| p.image.as_deref()).find(|i| !i.contains("://"))
                    })
                    .unwrap_or(crate::images::PAGE_CARD);
                self.seo(&mut cx, &collection.title, &collection.summary, &collection.path, Some(image), None);
                ("collection.html", "collection")
            }
            Kind::Home => {
                self.paginate(&mut cx, 0..site.posts.len(), route, settings.posts_per_page);
                let featured: Vec<Value> = self.featured.iter().map(|&i| self.summary(i)).collect();
                cx.insert_value("featured", Value::from(featured));
                // Collections are on the first page only.
                let collections = if page == 1 { site.collections.as_slice() } else { &[] };
                cx.insert_value(
                    "collections",
                    Value::from(collections.iter().map(|c| self.builder.collection_summary(c)).collect::<Vec<_>>()),
                );
                cx.insert_value(
                    "products",
                    Value::from(
                        (0..site.products.len().min(HOME_PRODUCTS)).map(|i| self.shop_item(i)).collect::<Vec<_>>(),
                    ),
                );
                // Page 1 also shows the profile: its bio, links and buttons may be affiliate links.
                disclosure = if page == 1 {
                    let profile = super::ProfileAffiliation::of(site);
                    let (mut affiliate, mut statements) = (profile.any, profile.statements);
                    for item in site.products.iter().take(HOME_PRODUCTS) {
                        affiliate |= item.product.has_affiliate();
                        statements.extend(item.product.statements().cloned());
                    }
                    self.disclosure(None, affiliate, &statements)
                } else {
                    self.products_disclosure(site.products.iter().take(HOME_PRODUCTS))
                };
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
                self.paginate(&mut cx, t.posts.iter().copied(), route, settings.posts_per_page);
                // A category's first page shows its products too: those its posts recommend.
                let products: Vec<usize> = if taxonomy == crate::site::routes::Taxonomy::Categories && page == 1 {
                    (0..site.products.len())
                        .filter(|&i| {
                            let posts = &site.products[i].posts;
                            posts.iter().any(|&p| site.posts[p].categories.iter().any(|c| *c.slug == *t.slug))
                        })
                        .take(HOME_PRODUCTS)
                        .collect()
                } else {
                    Vec::new()
                };
                disclosure = self.products_disclosure(products.iter().map(|&i| &site.products[i]));
                cx.insert_value(
                    "products",
                    Value::from(products.iter().map(|&i| self.shop_item(i)).collect::<Vec<_>>()),
                );
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
                cx.insert("search_index", &urls.href(crate::site::routes::SEARCH_INDEX));
                let title = format!("{} · {}", self.locale.get("search"), settings.title);
                self.seo_titled(&mut cx, title, "", &path, None, None);
                ("search.html", "search")
            }
            Kind::NotFound => {
                let title = format!("{} · {}", self.locale.get("not_found"), settings.title);
                self.seo_titled(&mut cx, title, "", &path, None, None);
                ("404.html", "404")
            }
            Kind::Redirect(target) => {
                let to = &site.routes[target];
                let title = match to.kind {
                    Kind::Post(i) => site.posts[i].title.as_str(),
                    Kind::Page(i) => site.pages[i].title.as_str(),
                    Kind::Collection(i) => site.collections[i].title.as_str(),
                    _ => to.path.as_str(),
                };
                cx.insert(
                    "page",
                    &json!({
                        "title": title,
                        "url": urls.href(&to.path),
                        "permalink": urls.permalink(&to.path),
                        "moved": self.locale.fill("moved", &[("title", title)]),
                    }),
                );
                ("redirect.html", "redirect")
            }
            Kind::Disclosure => {
                let text = DisclosureValue::creators_text(site, self.locale).to_owned();
                let mut content = format!("<p>{}</p>", crate::html::escape_attr(&text));
                for statement in StatementValue::all(&site.links.rules.all_statements(), site, self.locale) {
                    content.push_str(&format!("<p>{}</p>", crate::html::escape_attr(&statement.text)));
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

    /// Page `route.page` of the list `posts` (post indexes). Skipping to
    /// the page costs nothing for a range or a slice: a list of thousands
    /// of pages stays linear in its length.
    fn paginate(
        &self,
        cx: &mut PageContext,
        posts: impl ExactSizeIterator<Item = usize>,
        route: &Route,
        per_page: usize,
    ) {
        let total = posts.len();
        let items: Vec<Value> =
            posts.skip((route.page - 1) * per_page).take(per_page).map(|i| self.summary(i)).collect();
        cx.insert_value("paginator", self.paginator(items, route, page_count(total, per_page), total));
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

    fn seo(
        &self,
        cx: &mut PageContext,
        title: &str,
        summary: &str,
        path: &str,
        image: Option<&str>,
        post: Option<&Post>,
    ) {
        let full = format!("{title} · {}", self.site.settings.title);
        self.seo_titled(cx, full, summary, path, image, post);
    }

    fn seo_titled(
        &self,
        cx: &mut PageContext,
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
        // A link preview is always a picture: the cover, the first product's
        // own picture, or a card drawn for the page (see `images`), which
        // turns each into a 1200 × 630 JPEG.
        let product =
            post.and_then(|post| post.products.iter().filter_map(|p| p.image.as_deref()).find(|i| !i.contains("://")));
        let card = if post.is_some() { crate::images::PAGE_CARD } else { crate::images::CARD };
        let image = image.or(product).unwrap_or(card).to_owned();
        let image = Some(if image.contains("://") {
            image
        } else {
            urls.absolute(&self.site.links.internal(&format!("/{}", image.trim_start_matches('/'))))
        });
        let json_ld = match post {
            Some(post) => seo::post_json_ld(self.site, urls, post, &canonical, description),
            None => self.site_json_ld.to_owned(),
        };
        let kind = if post.is_some() { "article" } else { "website" };
        cx.insert("seo", &seo::Seo { title, description, canonical, image, kind, json_ld });
    }
}
