//! The machine-readable files: Atom feed, sitemap, robots.txt and the
//! search index.

use std::fmt::Write as _;

use serde::Serialize;

use crate::render::values::rfc3339;
use crate::site::Site;
use crate::site::routes::{Kind, SHOP, Taxonomy, Urls};

/// Posts in the feed.
pub const FEED_POSTS: usize = 20;

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !crate::html::is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// `feed.xml`: the newest posts as Atom.
pub fn atom(site: &Site, urls: &Urls) -> String {
    let settings = &site.settings;
    let home = urls.permalink("");
    let updated = site
        .posts
        .iter()
        .filter_map(|p| p.updated.as_ref().or(p.date.as_ref()))
        .max_by_key(|d| d.timestamp())
        .map_or_else(|| "1970-01-01T00:00:00+00:00".to_owned(), rfc3339);
    // Feeds are often mailed as newsletters, and Amazon bans its links in email.
    let keep_tags = settings.profile.affiliate.amazon.as_ref().is_some_and(|a| a.feed_tags);
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\" xml:base=\"{}\">\n",
        xml(&settings.language),
        xml(&home)
    );
    let _ = writeln!(out, "  <title>{}</title>", xml(&settings.title));
    if let Some(tagline) = &settings.profile.tagline {
        let _ = writeln!(out, "  <subtitle>{}</subtitle>", xml(tagline));
    }
    let _ = writeln!(
        out,
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        xml(&urls.permalink("feed.xml"))
    );
    let _ = writeln!(out, "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>", xml(&home));
    let _ = writeln!(out, "  <id>{}</id>\n  <updated>{updated}</updated>", xml(&home));
    let _ = writeln!(out, "  <author><name>{}</name></author>", xml(&settings.profile.name));
    let _ = writeln!(out, "  <generator uri=\"https://github.com/shopfront\">shopfront</generator>");
    for post in site.posts.iter().take(FEED_POSTS) {
        let link = urls.permalink(&post.path);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", xml(&post.title));
        let _ = writeln!(out, "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>", xml(&link));
        let _ = writeln!(out, "    <id>{}</id>", xml(&link));
        let published = post.date.as_ref().map(rfc3339);
        let post_updated =
            post.updated.as_ref().map(rfc3339).or_else(|| published.clone()).unwrap_or_else(|| updated.clone());
        if let Some(published) = &published {
            let _ = writeln!(out, "    <published>{published}</published>");
        }
        let _ = writeln!(out, "    <updated>{post_updated}</updated>");
        for category in &post.categories {
            let _ = writeln!(out, "    <category term=\"{}\"/>", xml(&category.name));
        }
        if !post.summary.is_empty() {
            let _ = writeln!(out, "    <summary>{}</summary>", xml(&post.summary));
        }
        let content = if keep_tags {
            std::borrow::Cow::Borrowed(post.content.as_str())
        } else {
            untag_amazon(&post.content, &site.links)
        };
        let _ = writeln!(out, "    <content type=\"html\">{}</content>", xml(&content));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Removes the `tag` (an add-to-cart link's `AssociateTag`) from every
/// Amazon link in `html`.
pub fn untag_amazon<'a>(html: &'a str, links: &crate::links::LinkPolicy) -> std::borrow::Cow<'a, str> {
    if !html.contains("tag=") && !html.contains("Tag=") {
        return std::borrow::Cow::Borrowed(html);
    }
    let settings =
        lol_html::RewriteStrSettings::new().append_element_content_handler(lol_html::element!("a[href]", |el| {
            let Some(href) = el.get_attribute("href") else { return Ok(()) };
            let decoded = crate::html::attributes::decode(&href);
            let is_amazon = links.route(&decoded).is_ok_and(|l| l.is_amazon());
            if is_amazon && let Ok(mut url) = url::Url::parse(&decoded) {
                let kept: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "tag" && k != "AssociateTag")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if kept.is_empty() {
                    url.set_query(None);
                } else {
                    url.query_pairs_mut().clear().extend_pairs(kept);
                }
                el.set_attribute("href", url.as_str())?;
                el.remove_attribute("rel");
            }
            Ok(())
        }));
    lol_html::rewrite_str(html, settings).map_or(std::borrow::Cow::Borrowed(html), std::borrow::Cow::Owned)
}

/// `sitemap.xml`: every page a search engine should know.
pub fn sitemap(site: &Site, urls: &Urls) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut add = |path: &str, lastmod: Option<String>| {
        let _ = write!(out, "  <url><loc>{}</loc>", xml(&urls.permalink(path)));
        if let Some(lastmod) = lastmod {
            let _ = write!(out, "<lastmod>{lastmod}</lastmod>");
        }
        out.push_str("</url>\n");
    };
    add("", None);
    // Lists by their first page only; the tags' index is left to the tag pages.
    for route in &site.routes {
        let lastmod = match route.kind {
            Kind::Post(i) => {
                let post = &site.posts[i];
                post.updated.as_ref().or(post.date.as_ref()).map(|d| d.strftime("%Y-%m-%d").to_string())
            }
            Kind::Page(_)
            | Kind::Collection(_)
            | Kind::Shop
            | Kind::TaxonomyList(Taxonomy::Categories)
            | Kind::Term { .. } => None,
            Kind::Home
            | Kind::TaxonomyList(Taxonomy::Tags)
            | Kind::Search
            | Kind::NotFound
            | Kind::Disclosure
            | Kind::Redirect(_) => {
                continue;
            }
        };
        if route.page == 1 {
            add(&route.path, lastmod);
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// `robots.txt`.
pub fn robots(urls: &Urls) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", urls.permalink("sitemap.xml"))
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    url: String,
    summary: &'a str,
    kind: &'static str,
    categories: Vec<&'a str>,
    /// A product's or collection's picture, for a thumbnail.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    /// A product's buy link (tagged) and whether it is an affiliate link.
    #[serde(skip_serializing_if = "Option::is_none")]
    buy: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sponsored: bool,
}

/// `search-index.json`: posts, collections and products for the
/// client-side search; a product comes with its picture and buy link.
pub fn search_index(site: &Site, urls: &Urls) -> String {
    serde_json::to_string(&SearchIndex { site, urls }).unwrap_or_else(|_| "[]".to_owned())
}

/// [`search_index`] written to `out` as it is made.
pub fn write_search_index(site: &Site, urls: &Urls, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer(out, &SearchIndex { site, urls }).map_err(std::io::Error::from)
}

/// The search index's entries, each made as it is written: a large
/// site's index is not held twice, once as entries and once as JSON.
struct SearchIndex<'a> {
    site: &'a Site,
    urls: &'a Urls,
}

impl Serialize for SearchIndex<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self { site, urls } = *self;
        let entry = |title, url, summary, kind| SearchEntry {
            title,
            url,
            summary,
            kind,
            categories: Vec::new(),
            image: None,
            buy: None,
            sponsored: false,
        };
        let posts = site.posts.iter().map(|post| SearchEntry {
            categories: post.categories.iter().map(|c| &*c.name).collect(),
            ..entry(&post.title, urls.href(&post.path), &post.summary, "post")
        });
        let collections = site.collections.iter().map(|collection| SearchEntry {
            image: collection.card_image().map(str::to_owned),
            ..entry(&collection.title, urls.href(&collection.path), &collection.summary, "collection")
        });
        let products = site.products.iter().map(|item| {
            let post = item.posts.first().and_then(|&i| site.posts.get(i));
            let product = &item.product;
            SearchEntry {
                categories: item.categories(&site.posts).into_iter().map(|c| &*c.name).collect(),
                image: product.image.clone(),
                buy: Some(&product.url),
                sponsored: product.affiliate,
                ..entry(
                    &product.name,
                    post.map_or_else(|| urls.href(SHOP), |p| urls.href(&p.path)),
                    product.badge.as_deref().unwrap_or(""),
                    "product",
                )
            }
        });
        serializer.collect_seq(posts.chain(collections).chain(products))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_tags_are_removed_for_feeds() {
        let links = crate::links::LinkPolicy::default();
        let html = r#"<p><a href="https://www.amazon.com/dp/B06XCKGLTP?th=1&amp;tag=mia-20" rel="sponsored nofollow noopener">a</a> <a href="https://example.com/?tag=x">b</a></p>"#;
        let out = untag_amazon(html, &links);
        assert!(out.contains(r#"href="https://www.amazon.com/dp/B06XCKGLTP?th=1""#), "{out}");
        assert!(out.contains("https://example.com/?tag=x"), "{out}");
        let cart =
            r#"<a href="https://www.amazon.com/gp/aws/cart/add.html?ASIN.1=B06XCKGLTP&amp;AssociateTag=mia-20">c</a>"#;
        let out = untag_amazon(cart, &links);
        assert!(out.contains(r#"href="https://www.amazon.com/gp/aws/cart/add.html?ASIN.1=B06XCKGLTP""#), "{out}");
    }

    #[test]
    fn xml_escapes_and_drops_illegal_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        let forbidden = ['\u{0}', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{E}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'];
        for c in forbidden {
            assert_eq!(xml(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
        // Allowed, if unusual: kept as they are.
        let allowed = "\t\n\r \u{7F}\u{85}\u{D7FF}\u{E000}\u{FDD0}\u{FFFD}\u{10000}\u{1FFFE}\u{10FFFF}";
        assert_eq!(xml(allowed), allowed);
    }
}
