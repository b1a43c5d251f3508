//! Amazon Associates: which hosts are Amazon stores, where the ASIN sits in
//! a product URL, which query parameters are tracking noise, and which tag
//! each store gets.
//!
//! A product link, in any of its many shapes, becomes the canonical
//! `https://www.amazon.TLD/dp/ASIN?th=…&psc=…&language=…&ascsubtag=…&tag=TAG`
//! (each kept parameter only when present, always in that order, `tag` last).
//! Any other store link (search, `/shop/handle`, lists, stores, the home
//! page) keeps its path minus `/ref=…` segments and its query minus tracking
//! noise, in the order written, and gets `tag=TAG` appended. Both drop the
//! fragment and are served from `https://www.` + the marketplace domain.
//!
//! Amazon's agreement forbids cloaking or redirecting its links, so nothing
//! here ever wraps an Amazon link in another URL.

use std::borrow::Cow;

use url::Url;

use super::hosts::{marketplace_of_host, strip_prefix_ignore_case};
use super::outcome::{LinkKind, LinkWarning, Rewrite};
use super::query::{self, Param};
use super::rules::AmazonRules;

/// Query parameters kept on a product link, in output order (`tag` follows).
/// `th` and `psc` pin the chosen variation, `language` the page language,
/// `ascsubtag` is the creator's own sub-tracking.
const PRODUCT_KEPT: [&str; 4] = ["th", "psc", "language", "ascsubtag"];

/// Product paths by their first segments (compared ignoring ASCII case);
/// the ASIN is the next segment. The first matching prefix is tried.
const PRODUCT_PREFIXES: [&[&str]; 7] = [
    &["gp", "product"],
    &["gp", "offer-listing"],
    &["gp", "aw", "d"],
    &["exec", "obidos", "asin"],
    &["exec", "obidos", "tg", "detail", "-"],
    &["o", "asin"],
    &["o"],
];

/// Tracking noise, compared ignoring ASCII case.
const NOISE: [&str; 29] = [
    "ms3_c",
    "SubscriptionId",
    "AWSAccessKeyId",
    "creativeASIN_",
    "ref",
    "ref_",
    "qid",
    "sr",
    "srs",
    "crid",
    "sprefix",
    "keywords",
    "ie",
    "_encoding",
    "linkCode",
    "linkId",
    "content-id",
    "dib",
    "dib_tag",
    "smid",
    "psr",
    "gclid",
    "fbclid",
    "msclkid",
    "spLa",
    "sp_csd",
    "camp",
    "creative",
    "creativeASIN",
];

/// Prefixes of tracking noise; `hv` covers Google Ads' `hvadid`, `hvpos`, ….
const NOISE_PREFIXES: [&str; 4] = ["pd_rd_", "pf_rd_", "utm_", "hv"];

/// The canonical untagged product URL, e.g.
/// `product_url("amazon.de", "b07pgl2zsl")` is
/// `https://www.amazon.de/dp/B07PGL2ZSL`. For products given by `asin:` in
/// front matter; pass the result through [`rewrite`](fn@super::rewrite) to tag
/// it like every other link. `None` for an unknown marketplace or an
/// invalid ASIN.
pub fn product_url(marketplace: &str, asin: &str) -> Option<String> {
    let marketplace = marketplace_of_host(marketplace)?;
    let asin = parse_asin(asin)?;
    Some(format!("https://www.{marketplace}/dp/{asin}"))
}

/// Rewrites a link whose host is the store `marketplace`.
///
/// `written` is the link as written (trimmed), returned as is when it
/// cannot be tagged.
pub(super) fn rewrite<'a>(
    written: &'a str,
    url: &Url,
    marketplace: &'static str,
    rules: Option<&AmazonRules>,
) -> Rewrite<'a> {
    if let Some(inner) = unwrapped(url) {
        let mut rewritten = rewrite(written, &inner, marketplace, rules);
        // The wrapped link is a new link; the one written stays only if nothing changed.
        if let Cow::Borrowed(_) = rewritten.href {
            rewritten.href = Cow::Borrowed(written);
        }
        return rewritten;
    }
    let asin = asin_from_path(url.path());
    let query = url.query().unwrap_or("");
    let params: Vec<Param<'_>> = query::params(query).collect();
    // Old links carry a tag in the path too: `/exec/obidos/ASIN/ISBN/TAG`, `/o/ASIN/ISBN/TAG`.
    let path_tag = legacy_path_tag(url.path()).map(Cow::Borrowed);
    let existing_tags =
        params.iter().filter(|p| is_tag(p)).map(|p| p.value()).chain(path_tag).filter(|tag| !tag.is_empty());
    let kind = |asin, tagged| LinkKind::Amazon { marketplace: marketplace.to_owned(), asin, tagged };

    let Some(tag) = rules.and_then(|r| r.tags.get(marketplace)) else {
        // Nothing of ours to put on the link: leave it exactly as written.
        let found = existing_tags.clone().next();
        let mut warnings = Vec::new();
        if rules.is_some() {
            warnings.push(LinkWarning::MissingTag { marketplace: marketplace.to_owned() });
        } else if found.is_none() {
            // Not an Associate and not tagged: an ordinary link to a shop.
            return Rewrite::unchanged(written, LinkKind::External);
        }
        let tagged = found.is_some();
        if let Some(found) = found {
            warnings.push(LinkWarning::TagKept { marketplace: marketplace.to_owned(), tag: found.into_owned() });
        }
        return Rewrite { href: Cow::Borrowed(written), kind: kind(asin, tagged), warnings };
    };

    // A tag with the wrong regional suffix is the profile's to report, once.
    let mut warnings = Vec::new();
    let foreign = existing_tags.clone().find(|found| found != tag);
    if let Some(found) = &foreign {
        let (found, replaced_with) = (found.to_string(), tag.clone());
        // `{{site.affid}}`, `{% … %}`, `${TAG}`: a template's placeholder, not somebody's tag.
        let placeholder = found.contains(['{', '}', '$', '%', '<', '>']);
        warnings.push(if placeholder {
            LinkWarning::PlaceholderTagReplaced { found, replaced_with }
        } else {
            LinkWarning::ForeignTagReplaced { found, replaced_with }
        });
    }
    // Another creator's sub-tracking goes with their tag.
    let keeps = |name: &str| !(foreign.is_some() && name.eq_ignore_ascii_case("ascsubtag"));

    let mut href = String::with_capacity(48 + query.len());
    href.push_str("https://www.");
    href.push_str(marketplace);
    match &asin {
        Some(asin) => {
            href.push_str("/dp/");
            href.push_str(asin);
            href.push('?');
            for name in PRODUCT_KEPT.into_iter().filter(|name| keeps(name)) {
                if let Some(param) = params.iter().find(|p| p.is(name)) {
                    href.push_str(name);
                    if let Some(value) = param.raw_value() {
                        href.push('=');
                        href.push_str(value);
                    }
                    href.push('&');
                }
            }
        }
        None => {
            let path = clean_path(url.path());
            href.push_str(&path);
            href.push('?');
            let params: Vec<Param<'_>> = params.into_iter().filter(|p| keeps(&p.key)).collect();
            push_meaningful_query(&mut href, &params, &path);
        }
    }
    // Amazon's add-to-cart links name the tag `AssociateTag`.
    href.push_str(if is_cart_add(url.path()) { "AssociateTag=" } else { "tag=" });
    query::push_encoded(&mut href, tag);

    Rewrite { href: Cow::Owned(href), kind: kind(asin, true), warnings }
}

/// Appends the non-noise parameters of a link to `path`, each followed by
/// `&`. On a search page (`/s`) an old-style `keywords=` stands in for a
/// missing `k=` instead of being dropped, so the search survives; the
/// classic search page (`/gp/search`) keeps its `keywords=` as they are.
fn push_meaningful_query(out: &mut String, params: &[Param<'_>], path: &str) {
    let mut keywords_as_k = path == "/s" && !params.iter().any(|p| p.is("k"));
    let classic_search =
        path.eq_ignore_ascii_case("/gp/search") || path.to_ascii_lowercase().starts_with("/gp/search/");
    for param in params {
        if classic_search && (param.is("keywords") || param.is("field-keywords")) {
            out.push_str(param.raw);
            out.push('&');
        } else if keywords_as_k && param.is("keywords") {
            out.push_str("k=");
            out.push_str(param.raw_value().unwrap_or(""));
            out.push('&');
            keywords_as_k = false;
        } else if !is_tag(param) && !is_noise(param) {
            out.push_str(param.raw);
            out.push('&');
        }
    }
}

/// `tag`, or `AssociateTag` as add-to-cart links (`/gp/aws/cart/add.html`)
/// name it.
fn is_tag(param: &Param<'_>) -> bool {
    param.is("tag") || param.is("AssociateTag")
}

/// Amazon's add-to-cart link: `/gp/aws/cart/add.html?ASIN.1=…&Quantity.1=1`.
fn is_cart_add(path: &str) -> bool {
    path.eq_ignore_ascii_case("/gp/aws/cart/add.html")
}

fn is_noise(param: &Param<'_>) -> bool {
    NOISE.iter().any(|name| param.is(name))
        || NOISE_PREFIXES.iter().any(|prefix| strip_prefix_ignore_case(&param.key, prefix).is_some())
}

/// The path without `/ref=…` segments; `/` if nothing is left.
fn clean_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').skip(1) {
        if strip_prefix_ignore_case(segment, "ref=").is_none() {
            out.push('/');
            out.push_str(segment);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The link inside a wrapper, as a URL of the same store:
/// - a sponsored result, `/sspa/click?…&url=%2FName%2Fdp%2FASIN…` or
///   `/gp/slredirect/picassoRedirect.html?url=…`: the `url` it leads to;
/// - a link from one of Amazon's e-mails, `/gp/r.html?C=…&U=https%3A%2F%2F…`
///   (or `/gp/f.html`): the `U` it leads to;
/// - an old API link with its query percent-encoded into the path,
///   `/dp/B00015007W%3FSubscriptionId%3D…%26tag%3Dsomeone-20`: the path
///   with that query restored;
/// - a query pasted without its `?`, `/dp/B08N5WRWNW&tag=someone-20`: the
///   product path with that query.
fn unwrapped(url: &Url) -> Option<Url> {
    let path = url.path();
    let lower = path.to_ascii_lowercase();
    let parameter = if lower == "/sspa/click" || lower.starts_with("/gp/slredirect/") {
        Some("url")
    } else if lower == "/gp/r.html" || lower == "/gp/f.html" {
        Some("U")
    } else {
        None
    };
    if let Some(parameter) = parameter {
        let target = url.query_pairs().find(|(name, _)| name == parameter).map(|(_, value)| value.into_owned())?;
        return same_store(url, &target);
    }
    if let Some(inner) = query_without_question_mark(url) {
        return Some(inner);
    }
    let at = lower.find("%3f")?;
    let query = percent_encoding::percent_decode_str(&path[at + 3..]).decode_utf8_lossy().into_owned();
    let mut inner = url.clone();
    inner.set_path(&path[..at]);
    let merged = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{query}&{existing}"),
        _ => query,
    };
    inner.set_query(Some(&merged));
    Some(inner)
}

/// `target` of a wrapper on `url`, when it is a page of the same store: a
/// path, or a whole URL whose host is the same marketplace. A wrapper may
/// not lead elsewhere.
fn same_store(url: &Url, target: &str) -> Option<Url> {
    if target.starts_with('/') && !target.starts_with("//") {
        return url.join(target).ok();
    }
    let inner = Url::parse(target).ok()?;
    let store = |u: &Url| u.host_str().and_then(marketplace_of_host);
    let same = matches!(inner.scheme(), "http" | "https") && store(&inner).is_some() && store(&inner) == store(url);
    same.then_some(inner)
}

/// `/dp/B08N5WRWNW&tag=someone-20&th=1`, a query pasted after the ASIN
/// with `&` for its `?`: the product path, the query restored.
fn query_without_question_mark(url: &Url) -> Option<Url> {
    let path = url.path();
    let amp = path.find('&')?;
    let (product, pasted) = (&path[..amp], &path[amp + 1..]);
    let asin = product.rsplit('/').next()?;
    if parse_asin(asin).is_none() || asin_from_path(product).is_none() || !pasted.contains('=') || pasted.contains('/')
    {
        return None;
    }
    let mut inner = url.clone();
    inner.set_path(product);
    let merged = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{pasted}&{existing}"),
        _ => pasted.to_owned(),
    };
    inner.set_query(Some(&merged));
    Some(inner)
}

/// The tracking ID an old product path carries after the ASIN:
/// `/exec/obidos/ASIN/0596007124/someone-20`, `/o/ASIN/0596007124/someone-20`.
fn legacy_path_tag(path: &str) -> Option<&str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let is = |i: usize, word: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(word));
    let after_asin = if is(0, "exec") && is(1, "obidos") && is(2, "asin") {
        4
    } else if is(0, "o") && is(1, "asin") {
        3
    } else {
        return None;
    };
    let tag = *segments.get(after_asin)?;
    // Tracking IDs end in a two-digit region suffix: `someone-20`, `jemand-21`.
    let (name, region) = tag.rsplit_once('-')?;
    let looks_like_tag = !name.is_empty()
        && region.len() == 2
        && region.bytes().all(|b| b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    looks_like_tag.then_some(tag)
}

/// The ASIN of a product path, upper-cased, or `None` if the path is not a
/// product page.
fn asin_from_path(path: &str) -> Option<String> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // A language prefix, as in `/-/es/dp/ASIN`.
    if segments.first() == Some(&"-") {
        segments.drain(..segments.len().min(2));
    }
    let at = |i: usize| segments.get(i).copied().unwrap_or("");
    let is = |i: usize, word: &str| at(i).eq_ignore_ascii_case(word);

    let candidate = PRODUCT_PREFIXES
        .iter()
        .find(|prefix| prefix.iter().enumerate().all(|(i, word)| is(i, word)))
        .map(|prefix| at(prefix.len()));
    if let Some(asin) = candidate.and_then(parse_asin) {
        return Some(asin);
    }
    // `/dp/ASIN` may follow a product-name slug: `/Some-Name/dp/ASIN/…`.
    let dp = segments.iter().position(|s| s.eq_ignore_ascii_case("dp"))?;
    let asin = if is(dp + 1, "product") { at(dp + 2) } else { at(dp + 1) };
    parse_asin(asin)
}

/// Ten ASCII letters or digits (ISBN-10s are ASINs too), upper-cased.
fn parse_asin(s: &str) -> Option<String> {
    (s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| s.to_ascii_uppercase())
}

/// `B000000000` to `B000000009`: the ASINs `shopfront init` and `new` write
/// for the creator to replace.
pub fn is_sample_asin(asin: &str) -> bool {
    asin.len() == 10 && asin.starts_with("B00000000") && asin.as_bytes()[9].is_ascii_digit()
}

/// The first sample ASIN ([`is_sample_asin`]) a product link in `html` names.
pub fn sample_asin_in(html: &str) -> Option<&str> {
    let at = html.find("/dp/B00000000")?;
    let asin = html.get(at + 4..at + 14)?;
    is_sample_asin(asin).then_some(asin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::expected_tag_suffix;

    #[test]
    fn asins() {
        let rows: &[(&str, Option<&str>)] = &[
            ("/dp/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/dp/b06xckgltp/", Some("B06XCKGLTP")),
            ("/DP/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/dp/product/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/gp/product/B06XCKGLTP/ref=x", Some("B06XCKGLTP")),
            ("/gp/aw/d/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/gp/offer-listing/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/exec/obidos/ASIN/0596007124/ref=nosim/", Some("0596007124")),
            ("/exec/obidos/tg/detail/-/0596007124", Some("0596007124")),
            ("/o/ASIN/0596007124", Some("0596007124")),
            ("/o/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/Fifine-K669B/dp/B06XCKGLTP/ref=sr_1_3", Some("B06XCKGLTP")),
            ("/-/es/dp/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/-/es/gp/product/B06XCKGLTP", Some("B06XCKGLTP")),
            ("/dp/B06XCKGLT", None),
            ("/dp/B06XCKGLTPX", None),
            ("/dp/B06XCKGLT%", None),
            ("/dp/", None),
            ("/dp", None),
            ("/-", None),
            ("/s", None),
            ("/shop/miachen", None),
            ("/gp/bestsellers/electronics", None),
            ("/product-reviews/B06XCKGLTP", None),
            ("/", None),
        ];
        for (path, want) in rows {
            assert_eq!(asin_from_path(path).as_deref(), *want, "{path}");
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(expected_tag_suffix("amazon.com.br"), Some("-20"));
        assert_eq!(expected_tag_suffix("amazon.com.tr"), Some("-21"));
        assert_eq!(expected_tag_suffix("amazon.co.jp"), Some("-22"));
        assert_eq!(expected_tag_suffix("amazon.in"), None);
        assert_eq!(expected_tag_suffix("amazon.example"), None);
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean_path("/"), "/");
        assert_eq!(clean_path("/ref=x"), "/");
        assert_eq!(clean_path("/s/ref=nb_sb_noss"), "/s");
        assert_eq!(clean_path("/gp/bestsellers/"), "/gp/bestsellers/");
        assert_eq!(clean_path("/a/REF=b/c"), "/a/c");
    }

    #[test]
    fn product_urls() {
        assert_eq!(product_url("amazon.de", "b07pgl2zsl").as_deref(), Some("https://www.amazon.de/dp/B07PGL2ZSL"));
        assert_eq!(
            product_url("www.amazon.co.jp", "4101010013").as_deref(),
            Some("https://www.amazon.co.jp/dp/4101010013")
        );
        assert_eq!(product_url("amazon.example", "B07PGL2ZSL"), None);
        assert_eq!(product_url("amazon.com", "B07"), None);
    }

    #[test]
    fn sample_asins_are_found_in_product_links() {
        assert_eq!(sample_asin_in(r#"<a href="https://www.amazon.com/dp/B000000007?tag=x-20">"#), Some("B000000007"));
        assert_eq!(sample_asin_in(r#"<a href="https://www.amazon.com/dp/B000000012">"#), None);
        assert_eq!(sample_asin_in(r#"<a href="https://www.amazon.com/dp/B0000000">"#), None);
        assert!(is_sample_asin("B000000000") && !is_sample_asin("B0000000001"));
    }
}
