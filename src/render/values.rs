//! Template values, made once per post, product and list.
//!
//! Tera 2 values are reference-counted, so the summary of a post is built
//! once and every list page that shows it takes a cheap clone. Nothing here
//! serialises the whole site per page. The names are the contract written
//! down in `themes/README.md`.

use rustc_hash::FxHashMap;
use serde::Serialize;
use tera::Value;

use super::Locale;
use crate::markdown::Heading;
pub use crate::site::routes::Urls;
use crate::site::routes::{Taxonomy, term_path};
use crate::site::{Post, Product, ShopProduct, Site, TermRef};

/// Each category's and tag's value by slug; see [`ValueBuilder::term_values`].
#[derive(Debug, Default)]
pub struct TermValues {
    categories: FxHashMap<String, (String, Value)>,
    tags: FxHashMap<String, (String, Value)>,
}

/// `{ name, slug, url }`.
#[derive(Serialize)]
pub struct TermLink {
    name: std::sync::Arc<str>,
    slug: std::sync::Arc<str>,
    url: String,
}

/// `{ name, slug, url, count }`.
#[derive(Serialize)]
pub struct TermCount {
    name: String,
    slug: String,
    url: String,
    count: usize,
}

/// `{ title, url }`.
#[derive(Serialize)]
pub struct TitleLink {
    title: String,
    url: String,
}

/// A post as lists show it.
#[derive(Serialize)]
struct PostSummary<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    date: Option<String>,
    date_display: Option<String>,
    updated: Option<String>,
    updated_display: Option<String>,
    summary: &'a str,
    cover: Option<&'a str>,
    categories: Vec<TermLink>,
    tags: Vec<TermLink>,
    product_count: usize,
    reading_minutes: usize,
}

/// Everything a post page adds to its summary.
#[derive(Serialize)]
struct PostDetail<'a> {
    #[serde(flatten)]
    summary: PostSummary<'a>,
    content: &'a str,
    products: Vec<ProductValue<'a>>,
    toc: &'a [Heading],
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    word_count: usize,
    previous: Option<TitleLink>,
    next: Option<TitleLink>,
}

/// A product card's data.
#[derive(Serialize)]
pub struct ProductValue<'a> {
    name: &'a str,
    id: &'a str,
    asin: Option<&'a str>,
    marketplace: Option<&'a str>,
    url: &'a str,
    rel: &'static str,
    store: String,
    image: Option<&'a str>,
    badge: Option<&'a str>,
    rating: Option<f64>,
    pros: &'a [String],
    cons: &'a [String],
    note: Option<&'a str>,
    price: Option<&'a str>,
    brand: Option<&'a str>,
    links: Vec<SellerValue<'a>>,
    categories: Vec<TermLink>,
    posts: Vec<TitleLink>,
    /// On a post: whether its body shows this product (a `product()`,
    /// `products()` or `compare()` shortcode), so the top of the post
    /// summarises it instead of printing its card again.
    pub placed: bool,
    /// In a shortcode: whether this is the product's first appearance in
    /// the body, which carries its `id="p-ID"` for the summary's jump link.
    pub anchor: bool,
}

#[derive(Serialize)]
struct SellerValue<'a> {
    label: &'a str,
    url: &'a str,
    rel: &'static str,
}

/// The `rel` of a link: affiliate links are sponsored and not followed.
pub fn rel_for(affiliate: bool) -> &'static str {
    if affiliate { crate::links::AFFILIATE_REL } else { crate::links::PLAIN_REL }
}

/// The human name of the store a product link goes to.
pub fn store_name(product: &Product) -> String {
    // One label per store, the way the store names itself: Amazon's
    // marketplaces by their domain ("Amazon.com", "Amazon.co.uk",
    // "Amazon.de"), so that two marketplaces on one page read alike.
    if let Some(market) = &product.marketplace {
        return match market.strip_prefix("amazon.") {
            Some(tld) => format!("Amazon.{tld}"),
            None => market.clone(),
        };
    }
    url::Url::parse(&product.url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_start_matches("www.").to_owned()))
        .unwrap_or_else(|| "the store".to_owned())
}

pub use crate::content::dates::rfc3339;

/// Builds values for one site.
pub struct ValueBuilder<'a> {
    /// The site.
    pub site: &'a Site,
    /// URLs.
    pub urls: Urls,
    /// The site's language: how dates are written.
    pub locale: &'a Locale,
}

impl<'a> ValueBuilder<'a> {
    /// For `site`, in the language of `locale`.
    pub fn new(site: &'a Site, locale: &'a Locale) -> Self {
        Self { site, urls: Urls::of(site), locale }
    }

    fn term_links<'t>(&self, terms: impl IntoIterator<Item = &'t TermRef>, taxonomy: Taxonomy) -> Vec<TermLink> {
        terms.into_iter().map(|t| self.term_link(t, taxonomy)).collect()
    }

    fn term_link(&self, term: &TermRef, taxonomy: Taxonomy) -> TermLink {
        TermLink {
            name: term.name.clone(),
            slug: term.slug.clone(),
            url: self.urls.href(&term_path(taxonomy, &term.slug)),
        }
    }

    /// `with_terms: false` leaves the categories and tags empty, for
    /// [`Self::post_summary`] to fill in with shared values.
    fn summary<'p>(&self, post: &'p Post, with_terms: bool) -> PostSummary<'p> {
        let (categories, tags) = if with_terms {
            (self.term_links(&post.categories, Taxonomy::Categories), self.term_links(&post.tags, Taxonomy::Tags))
        } else {
            (Vec::new(), Vec::new())
        };
        PostSummary {
            title: &post.title,
            url: self.urls.href(&post.path),
            permalink: self.urls.permalink(&post.path),
            date: post.date.as_ref().map(rfc3339),
            date_display: post.date.as_ref().map(|d| self.locale.date(d)),
            updated: post.updated.as_ref().map(rfc3339),
            updated_display: post.updated.as_ref().map(|d| self.locale.date(d)),
            summary: &post.summary,
            cover: post.cover.as_deref(),
            categories,
            tags,
            product_count: post.products.len(),
            reading_minutes: post.word_count.div_ceil(220).max(1),
        }
    }

    /// A collection as lists show it: `{ title, url, summary, cover,
    /// product_count, images }`, `cover` falling back to its first product's
    /// picture and `images` the first four products' pictures.
    pub fn collection_summary(&self, collection: &Post) -> Value {
        let images: Vec<&str> = collection.products.iter().filter_map(|p| p.image.as_deref()).take(4).collect();
        Value::from_serializable(&serde_json::json!({
            "title": collection.title,
            "url": self.urls.href(&collection.path),
            "summary": collection.summary,
            "cover": collection.card_image(),
            "product_count": collection.products.len(),
            "images": images,
        }))
    }

    /// Every category's and tag's `{ name, slug, url }`, for [`Self::post_summary`].
    pub fn term_values(&self) -> TermValues {
        let values = |taxonomy: Taxonomy| {
            let terms = taxonomy.terms(self.site);
            terms
                .iter()
                .map(|t| {
                    let link = TermLink {
                        name: t.name.as_str().into(),
                        slug: t.slug.as_str().into(),
                        url: self.urls.href(&term_path(taxonomy, &t.slug)),
                    };
                    (t.slug.clone(), (t.name.clone(), Value::from_serializable(&link)))
                })
                .collect()
        };
        TermValues { categories: values(Taxonomy::Categories), tags: values(Taxonomy::Tags) }
    }

    /// The list form of a post. Its categories and tags are `terms`' values,
    /// shared with every other summary: at 10,000 posts that halves what
    /// the summaries, kept for every list page, weigh.
    pub fn post_summary(&self, post: &Post, terms: &TermValues) -> Value {
        let summary = Value::from_serializable(&self.summary(post, false));
        let Some(mut map) = summary.into_map() else { return Value::from_serializable(&self.summary(post, true)) };
        // A post that spells a term differently (`audio` for `Audio`) keeps its spelling.
        let shared = |list: &[TermRef], values: &FxHashMap<String, (String, Value)>, taxonomy: Taxonomy| -> Value {
            let links: Vec<Value> = list
                .iter()
                .map(|t| match values.get(&*t.slug) {
                    Some((name, value)) if **name == *t.name => value.clone(),
                    _ => Value::from_serializable(&self.term_link(t, taxonomy)),
                })
                .collect();
            Value::from(links)
        };
        map.insert("categories".into(), shared(&post.categories, &terms.categories, Taxonomy::Categories));
        map.insert("tags".into(), shared(&post.tags, &terms.tags, Taxonomy::Tags));
        Value::from(map)
    }

    /// The full form of a post or page, for its own page; `content` replaces
    /// the body's HTML (with shortcodes expanded).
    pub fn post_detail(&self, index: Option<usize>, post: &Post, content: Option<&str>) -> Value {
        let neighbour = |i: usize| {
            self.site.posts.get(i).map(|p| TitleLink { title: p.title.clone(), url: self.urls.href(&p.path) })
        };
        let (previous, next) = match index {
            // `previous` is the newer post, `next` the older one, as a reader pages through.
            Some(i) => (i.checked_sub(1).and_then(neighbour), neighbour(i + 1)),
            None => (None, None),
        };
        let detail = PostDetail {
            summary: self.summary(post, true),
            content: content.unwrap_or(&post.content),
            products: post
                .products
                .iter()
                .zip(post.placed())
                .map(|(p, placed)| {
                    let mut value = self.product(p, &post.categories, &[]);
                    value.placed = placed;
                    value
                })
                .collect(),
            toc: &post.toc,
            extra: &post.extra,
            word_count: post.word_count,
            previous,
            next,
        };
        Value::from_serializable(&detail)
    }

    /// A product card.
    pub fn product<'p, 't>(
        &self,
        product: &'p Product,
        categories: impl IntoIterator<Item = &'t TermRef>,
        posts: &[usize],
    ) -> ProductValue<'p> {
        ProductValue {
            name: &product.name,
            id: &product.id,
            asin: product.asin.as_deref(),
            marketplace: product.marketplace.as_deref(),
            url: &product.url,
            rel: rel_for(product.affiliate),
            store: store_name(product),
            image: product.image.as_deref(),
            badge: product.badge.as_deref(),
            rating: product.rating,
            pros: &product.pros,
            cons: &product.cons,
            note: product.note.as_deref(),
            price: product.price.as_deref(),
            brand: product.brand.as_deref(),
            links: product
                .links
                .iter()
                .map(|l| SellerValue { label: &l.label, url: &l.url, rel: rel_for(l.affiliate) })
                .collect(),
            categories: self.term_links(categories, Taxonomy::Categories),
            posts: posts
                .iter()
                .filter_map(|&i| self.site.posts.get(i))
                .map(|p| TitleLink { title: p.title.clone(), url: self.urls.href(&p.path) })
                .collect(),
            placed: false,
            anchor: false,
        }
    }

    /// A product on `/shop/`.
    pub fn shop_product(&self, item: &ShopProduct) -> Value {
        Value::from_serializable(&self.product(&item.product, item.categories(&self.site.posts), &item.posts))
    }

    /// `{ name, slug, url, count }` for each term.
    pub fn term_counts(&self, taxonomy: Taxonomy) -> Vec<TermCount> {
        taxonomy
            .terms(self.site)
            .iter()
            .map(|t| TermCount {
                name: t.name.clone(),
                slug: t.slug.clone(),
                url: self.urls.href(&term_path(taxonomy, &t.slug)),
                count: t.posts.len(),
            })
            .collect()
    }

    /// The standalone pages for navigation.
    pub fn page_links(&self) -> Vec<TitleLink> {
        self.site.pages.iter().map(|p| TitleLink { title: p.title.clone(), url: self.urls.href(&p.path) }).collect()
    }
}
