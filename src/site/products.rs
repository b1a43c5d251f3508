//! Products from front matter, checked and resolved.

use crate::content::Document;
use crate::content::front_matter::ProductInput;
use crate::diagnostics::{Code, Diagnostic, FileFindings};
use crate::links::{LinkPolicy, Statement};
use crate::markdown;

/// A product a post recommends.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// The statement the buy link's program requires, if any.
    pub statement: Option<Statement>,
    /// Where the product is deduplicated: ASIN or URL.
    pub key: String,
}

/// Another place to buy a product.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SellerLink {
    /// Button text.
    pub label: String,
    /// URL, routed.
    pub url: String,
    /// Whether it earns a commission.
    pub affiliate: bool,
    /// The statement its program requires, if any.
    pub statement: Option<Statement>,
}

impl Product {
    /// Whether any of its links earns a commission.
    pub fn has_affiliate(&self) -> bool {
        self.affiliate || self.links.iter().any(|l| l.affiliate)
    }

    /// The statements its links call for.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.statement.iter().chain(self.links.iter().filter_map(|l| l.statement.as_ref()))
    }
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

/// Checks and resolves one product into `findings`. Errors and warnings
/// point at its front-matter line; the product is returned only when there
/// are no errors.
pub fn resolve(input: &ProductInput, cx: &ProductContext<'_>, findings: &mut FileFindings) -> Option<Product> {
    let name = input.name.0.trim().to_owned();
    let anchor = if name.is_empty() { "products" } else { input.name.0.as_str() };
    // Each finding with the text it is about; found in the front matter only if shown.
    let mut errors: Vec<(Diagnostic, String)> = Vec::new();
    let mut warnings: Vec<(Diagnostic, String)> = Vec::new();
    let locate = |diagnostic: Diagnostic, needle: &str| (diagnostic, needle.to_owned());
    let error = |message: String, needle: &str| locate(Diagnostic::error(Code::Product, message), needle);
    if name.is_empty() {
        // Found by its list item: the first key it does have.
        let written = [&input.asin, &input.url, &input.image, &input.badge, &input.note]
            .into_iter()
            .find_map(|v| v.as_ref().map(|t| t.0.clone()))
            .unwrap_or_default();
        let diagnostic = Diagnostic::error(Code::Product, "a product needs a `name`");
        findings.add(Code::Product, crate::diagnostics::Severity::Error, || {
            cx.document.at_list_item_of(diagnostic, "products", &written)
        });
        return None;
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
    // Without `marketplace:`, the store of an Amazon `url:` beside the `asin:`.
    let marketplace = input.marketplace.as_ref().map(|m| crate::profile::normalise_domain(&m.0)).or_else(|| {
        let url = url::Url::parse(input.url.as_ref()?.0.trim()).ok()?;
        asin.as_ref().and(crate::links::marketplace_of_host(url.host_str()?)).map(str::to_owned)
    });
    if let Some(m) = &marketplace
        && !crate::links::marketplaces().any(|known| known == m)
    {
        let known: Vec<&str> = crate::links::marketplaces().collect();
        let hint = crate::diagnostics::closest(m, known.iter().copied())
            .map_or_else(|| "e.g. amazon.com, amazon.co.uk, amazon.de".to_owned(), |b| format!("did you mean `{b}`?"));
        errors.push(error(format!("`marketplace: {m}` is not an Amazon marketplace ({hint})"), m));
    }
    let raw_url = match (&asin, &input.url) {
        (Some(asin), _) => {
            let market = marketplace.clone().unwrap_or_else(|| cx.marketplace.to_owned());
            crate::links::product_url(&market, asin).unwrap_or_default()
        }
        (None, Some(url)) => url.0.trim().to_owned(),
        (None, None) => {
            if input.asin.is_none() {
                errors.push(error(format!("product `{name}` needs an `asin` or a `url` to link to"), anchor));
            }
            String::new()
        }
    };
    let (url, affiliate, amazon, statement) = match cx.links.route(&raw_url) {
        Ok(link) => {
            // At the product's own `asin:` or `url:` line, not the next line that mentions "asin".
            let written = input.asin.as_ref().or(input.url.as_ref()).map_or("asin", |t| t.0.as_str());
            for warning in &link.warnings {
                warnings.push(locate(Diagnostic::warning(warning.code(), warning.to_string()), written));
            }
            (link.href.to_string(), link.is_affiliate(), link.is_amazon(), link.statement)
        }
        Err(err) => {
            errors.push(error(err.to_string(), &raw_url));
            (String::new(), false, false, None)
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
    // The programs' terms (SPEC §6). An `asin:` means Amazon even when it
    // is mistyped (and reported above).
    let facts = crate::compliance::content::ProductFacts {
        name: &name,
        amazon: amazon || input.asin.is_some(),
        price: input.price.is_some(),
        stars: input.stars.is_some(),
        reviews: input.reviews.is_some(),
        image: image.as_deref().zip(input.image.as_ref().map(|i| i.0.as_str())),
    };
    for (diagnostic, at) in crate::compliance::content::product(&facts) {
        let list = if diagnostic.severity == crate::diagnostics::Severity::Error { &mut errors } else { &mut warnings };
        list.push(locate(diagnostic, at));
    }
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
            Ok(routed) => {
                for warning in &routed.warnings {
                    warnings.push(locate(Diagnostic::warning(warning.code(), warning.to_string()), &link.url.0));
                }
                links.push(SellerLink {
                    label: link.label.0.clone(),
                    affiliate: routed.is_affiliate(),
                    url: routed.href.into_owned(),
                    statement: routed.statement,
                });
            }
            Err(err) => errors.push(error(err.to_string(), &link.url.0)),
        }
    }
    let failed = !errors.is_empty();
    for (diagnostic, needle) in errors.into_iter().chain(warnings) {
        let (code, severity) = (diagnostic.code, diagnostic.severity);
        findings.add(code, severity, || cx.document.at_front_matter_after(diagnostic, anchor, &needle));
    }
    if failed {
        return None;
    }
    let id = input
        .id
        .as_ref()
        .map(|id| id.0.trim().to_owned())
        .or_else(|| asin.clone())
        .unwrap_or_else(|| slug::slugify(&name));
    let key = asin.clone().unwrap_or_else(|| url.clone());
    let product = Product {
        name,
        id,
        marketplace: asin.as_ref().map(|_| marketplace.unwrap_or_else(|| cx.marketplace.to_owned())),
        asin,
        url,
        affiliate,
        statement,
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
    };
    Some(product)
}
