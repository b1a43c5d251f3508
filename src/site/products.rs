//! Products from front matter, checked and resolved.

use crate::content::Document;
use crate::content::front_matter::ProductInput;
use crate::diagnostics::Diagnostic;
use crate::links::LinkPolicy;
use crate::markdown;

/// A product a post recommends.
#[derive(Debug, Clone)]
pub struct Product {
    /// Name.
    pub name: String,
    /// Handle for `{{ product("…") }}`: the `id`, else the ASIN, else the name's slug.
    pub id: String,
    /// ASIN, upper-cased.
    pub asin: Option<String>,
    /// Amazon marketplace domain when `asin` is set.
    pub marketplace: Option<String>,
    /// The buy link, routed.
    pub url: String,
    /// Whether the buy link earns a commission.
    pub affiliate: bool,
    /// Image URL.
    pub image: Option<String>,
    /// Ribbon text.
    pub badge: Option<String>,
    /// The creator's score, 0–5.
    pub rating: Option<f64>,
    /// Good points.
    pub pros: Vec<String>,
    /// Bad points.
    pub cons: Vec<String>,
    /// Verdict, HTML.
    pub note: Option<String>,
    /// Price text (non-Amazon products).
    pub price: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// More sellers.
    pub links: Vec<SellerLink>,
    /// Where the product is deduplicated: ASIN or URL.
    pub key: String,
    /// Whether `stars:` was given (Amazon's customer stars: not allowed).
    pub has_stars: bool,
    /// Whether `reviews:` was given (Amazon's review counts: not allowed).
    pub has_reviews: bool,
}

/// Another place to buy a product.
#[derive(Debug, Clone)]
pub struct SellerLink {
    /// Button text.
    pub label: String,
    /// URL, routed.
    pub url: String,
    /// Whether it earns a commission.
    pub affiliate: bool,
}

/// Everything a product needs from its post.
pub struct ProductContext<'a> {
    /// The post's document.
    pub document: &'a Document,
    /// Link routing.
    pub links: &'a LinkPolicy,
    /// Default marketplace.
    pub marketplace: &'a str,
    /// Resolves an image reference to a URL.
    pub resolve_image: &'a dyn Fn(&str) -> Result<String, String>,
}

/// Checks and resolves one product; errors point at its front-matter line.
pub fn resolve(input: &ProductInput, cx: &ProductContext<'_>) -> Result<Product, Vec<Diagnostic>> {
    let name = input.name.0.trim().to_owned();
    let anchor = if name.is_empty() { "products" } else { input.name.0.as_str() };
    let mut errors = Vec::new();
    let error =
        |message: String, needle: &str| cx.document.at_front_matter(Diagnostic::error("product", message), needle);
    if name.is_empty() {
        errors.push(error("a product needs a `name`".to_owned(), anchor));
    }
    let asin = match &input.asin {
        Some(asin) => {
            let upper = asin.0.trim().to_ascii_uppercase();
            if upper.len() == 10 && upper.chars().all(|c| c.is_ascii_alphanumeric()) {
                Some(upper)
            } else {
                errors.push(error(
                    format!("`asin: {}` is not an ASIN (10 letters and digits, e.g. B06XCKGLTP)", asin.0),
                    &asin.0,
                ));
                None
            }
        }
        None => None,
    };
    let marketplace = input.marketplace.as_ref().map(|m| normalise_marketplace(&m.0));
    if let Some(m) = &marketplace
        && !m.starts_with("amazon.")
    {
        errors
            .push(error(format!("`marketplace: {m}` is not an Amazon marketplace (e.g. amazon.com, amazon.co.uk)"), m));
    }
    let raw_url = match (&asin, &input.url) {
        (Some(asin), _) => {
            let market = marketplace.clone().unwrap_or_else(|| cx.marketplace.to_owned());
            format!("https://www.{market}/dp/{asin}")
        }
        (None, Some(url)) => url.0.trim().to_owned(),
        (None, None) => {
            if input.asin.is_none() {
                errors.push(error(format!("product `{name}` needs an `asin` or a `url` to link to"), anchor));
            }
            String::new()
        }
    };
    let (url, affiliate) = match cx.links.route(&raw_url) {
        Ok(link) => (link.href.into_owned(), link.affiliate),
        Err(err) => {
            errors.push(error(err.to_string(), &raw_url));
            (String::new(), false)
        }
    };
    if let Some(rating) = input.rating
        && !(0.0..=5.0).contains(&rating)
    {
        errors.push(error(format!("`rating: {rating}` must be between 0 and 5 (your own score)"), "rating"));
    }
    let image = match &input.image {
        Some(image) => match (cx.resolve_image)(image.0.trim()) {
            Ok(url) => Some(url),
            Err(message) => {
                errors.push(error(message, &image.0));
                None
            }
        },
        None => None,
    };
    let note = input.note.as_ref().map(|note| {
        let (html, problems) = markdown::render_inline(&note.0, cx.links);
        for problem in problems {
            errors.push(error(problem.message, &note.0));
        }
        html
    });
    let mut links = Vec::new();
    for link in &input.links {
        match cx.links.route(link.url.0.trim()) {
            Ok(routed) => links.push(SellerLink {
                label: link.label.0.clone(),
                url: routed.href.into_owned(),
                affiliate: routed.affiliate,
            }),
            Err(err) => errors.push(error(err.to_string(), &link.url.0)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let id = input
        .id
        .as_ref()
        .map(|id| id.0.trim().to_owned())
        .or_else(|| asin.clone())
        .unwrap_or_else(|| slug::slugify(&name));
    let key = asin.clone().unwrap_or_else(|| url.clone());
    Ok(Product {
        name,
        id,
        marketplace: asin.as_ref().map(|_| marketplace.unwrap_or_else(|| cx.marketplace.to_owned())),
        asin,
        url,
        affiliate,
        image,
        badge: input.badge.as_ref().map(|b| b.0.clone()),
        rating: input.rating,
        pros: input.pros.0.clone(),
        cons: input.cons.0.clone(),
        note,
        price: input.price.as_ref().map(|p| p.0.clone()),
        brand: input.brand.as_ref().map(|b| b.0.clone()),
        links,
        key,
        has_stars: input.stars.is_some(),
        has_reviews: input.reviews.is_some(),
    })
}

/// `www.Amazon.co.uk` → `amazon.co.uk`.
pub fn normalise_marketplace(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let lower = lower.trim_end_matches('/');
    lower.strip_prefix("www.").unwrap_or(lower).to_owned()
}
