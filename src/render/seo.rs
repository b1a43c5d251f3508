//! What search engines and link previews read: each page's `seo` value
//! (title, description, canonical URL, image) and its JSON-LD.
//!
//! JSON-LD describes the creator as a Person; a post adds an Article with
//! the creator's own Reviews of its products. Never an aggregate rating and
//! never a price: those would be Amazon's data, which the creator may not
//! republish. The structs below serialise straight to the JSON text, keys in
//! alphabetical order, with no intermediate JSON tree.

use serde::Serialize;

use super::values::rfc3339;
use crate::site::routes::Urls;
use crate::site::{Post, Site};

/// A page's `seo` template value.
#[derive(Serialize)]
pub struct Seo<'a> {
    /// The `<title>`, site name included.
    pub title: String,
    /// The meta description.
    pub description: &'a str,
    /// The page's absolute URL.
    pub canonical: String,
    /// The absolute URL of its preview image, if any.
    pub image: Option<String>,
    /// Open Graph's type: `article` for posts, `website` for the rest.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The JSON-LD, safe to print inside `<script>`.
    pub json_ld: String,
}

#[derive(Serialize)]
struct Person<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(rename = "sameAs")]
    same_as: Vec<&'a str>,
    url: String,
}

#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct WebSite<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct Graph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (Person<'a>, WebSite<'a>),
}

#[derive(Serialize)]
struct Article<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<ItemList<'a>>,
    author: Person<'a>,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(rename = "datePublished", skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    description: &'a str,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ItemList<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<ListItem<'a>>,
}

#[derive(Serialize)]
struct ListItem<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: Product<'a>,
    position: usize,
}

#[derive(Serialize)]
struct Product<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<Named<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<Review<'a>>,
}

#[derive(Serialize)]
struct Review<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Named<'a>,
    #[serde(rename = "reviewRating")]
    rating: Rating,
}

#[derive(Serialize)]
struct Rating {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "bestRating")]
    best: u8,
    #[serde(rename = "ratingValue")]
    value: f64,
    #[serde(rename = "worstRating")]
    worst: u8,
}

const SCHEMA: &str = "https://schema.org";

fn person<'a>(site: &'a Site, urls: &Urls) -> Person<'a> {
    let profile = &site.settings.profile;
    Person {
        kind: "Person",
        name: &profile.name,
        same_as: profile.links.0.iter().map(|l| l.url.get_ref().as_str()).collect(),
        url: urls.permalink(""),
    }
}

/// The JSON-LD of every page that is not a post: the creator and the site.
pub fn site_json_ld(site: &Site, urls: &Urls) -> String {
    let website = WebSite { kind: "WebSite", name: &site.settings.title, url: urls.permalink("") };
    script_safe(&Graph { context: SCHEMA, graph: (person(site, urls), website) })
}

/// A post's JSON-LD: an Article by the creator about the post's products.
pub fn post_json_ld(site: &Site, urls: &Urls, post: &Post, canonical: &str, description: &str) -> String {
    let creator = &site.settings.profile.name;
    let items: Vec<ListItem<'_>> = post
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| ListItem {
            kind: "ListItem",
            item: Product {
                kind: "Product",
                brand: p.brand.as_deref().map(|name| Named { kind: "Brand", name }),
                image: p.image.as_deref().map(|image| urls.absolute(image)),
                name: &p.name,
                review: p.rating.map(|value| Review {
                    kind: "Review",
                    author: Named { kind: "Person", name: creator },
                    rating: Rating { kind: "Rating", best: 5, value, worst: 0 },
                }),
            },
            position: i + 1,
        })
        .collect();
    let article = Article {
        context: SCHEMA,
        kind: "Article",
        about: (!items.is_empty()).then_some(ItemList { kind: "ItemList", items }),
        author: person(site, urls),
        date_modified: post.updated.as_ref().or(post.date.as_ref()).map(rfc3339),
        date_published: post.date.as_ref().map(rfc3339),
        description,
        headline: &post.title,
        image: post.cover.as_deref().map(|cover| urls.absolute(cover)),
        main_entity_of_page: canonical,
        url: canonical,
    };
    script_safe(&article)
}

/// JSON for inside a `<script>` element. `<`, `>` and `&` only occur in its
/// strings, where `\u003c` means the same to a JSON reader; written as they
/// are, `</script>` would end the element early and `<!--<script>` would
/// keep the real `</script>` from ending it.
fn script_safe(value: &impl Serialize) -> String {
    // Serialising borrowed strings and numbers cannot fail.
    let json = serde_json::to_string(value).unwrap_or_default();
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_breakouts_are_escaped() {
        let json = script_safe(&Named { kind: "Thing", name: "</script><!--<script> & more" });
        assert_eq!(json, r#"{"@type":"Thing","name":"\u003c/script\u003e\u003c!--\u003cscript\u003e \u0026 more"}"#);
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["name"], "</script><!--<script> & more");
    }
}
