//! What the programs' terms forbid in what the creator writes, checked as
//! the site reads it: Amazon's ban on copied prices, customer ratings and
//! review counts, on pictures hot-linked from its image servers (SPEC §6),
//! and on Amazon links hidden behind redirects. It sits below `site`, which
//! calls it for each product and link where it knows the position; the rest
//! of `compliance` judges the rendered pages.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::links::Redirector;

/// What the checks need to know about one product.
#[derive(Debug, Clone, Default)]
pub struct ProductFacts<'a> {
    /// Its name, as reports show it.
    pub name: &'a str,
    /// Whether it is an Amazon product: its buy link goes to Amazon, or it
    /// has an `asin:` (even a mistyped one).
    pub amazon: bool,
    /// Whether it has `price:`.
    pub price: bool,
    /// Whether it has `stars:`.
    pub stars: bool,
    /// Whether it has `reviews:`.
    pub reviews: bool,
    /// Its image: the URL it resolved to and the text written.
    pub image: Option<(&'a str, &'a str)>,
}

/// The findings about one product, each with the front-matter text it is
/// about (the key for a forbidden field, the value for an image).
pub fn product<'a>(facts: &ProductFacts<'a>) -> Vec<(Diagnostic, &'a str)> {
    let name = facts.name;
    let mut found = Vec::new();
    if facts.amazon {
        if facts.price {
            found.push((
                Diagnostic::error(
                    Code::AmazonPrice,
                    format!("product `{name}` links to Amazon and has a `price`: Amazon forbids showing prices not fetched from its API in the last 24 hours"),
                ).with_hint("remove `price:`; the buy button takes readers to the current price"),
                // The key itself is the mistake: point at it, not its value.
                "price:",
            ));
        }
        for (key, present) in [("stars:", facts.stars), ("reviews:", facts.reviews)] {
            if present {
                found.push((
                    Diagnostic::error(
                        Code::AmazonRatings,
                        format!(
                            "product `{name}` copies Amazon's customer `{}`: Amazon forbids republishing its ratings and review counts",
                            key.trim_end_matches(':')
                        ),
                    )
                    .with_hint("use `rating:` for your own score instead"),
                    key,
                ));
            }
        }
    }
    if let Some((url, written)) = facts.image
        && crate::links::is_amazon_image(url)
    {
        found.push((
            Diagnostic::warning(
                Code::HotlinkedImage,
                format!("the image of `{name}` is hot-linked from Amazon's image servers; Amazon allows its images only through its API or SiteStripe"),
            )
            .with_hint("save your own photo under static/ or in the post's folder"),
            written,
        ));
    }
    found
}

/// The kind of finding a link through a redirect service is: hiding an
/// Amazon link is forbidden; any other shortener cannot be checked.
pub fn redirect_kind(service: Redirector) -> (Code, Severity) {
    match service {
        Redirector::Amazon(_) => (Code::HiddenAmazonLink, Severity::Error),
        Redirector::General(_) => (Code::ShortenedLink, Severity::Warning),
    }
}

/// The finding for a link through a redirect service.
pub fn redirect(service: Redirector) -> Diagnostic {
    let (code, _) = redirect_kind(service);
    match service {
        Redirector::Amazon(host) => Diagnostic::error(
            code,
            format!("{host} links hide Amazon links behind a redirect, which Amazon's agreement forbids"),
        )
        .with_hint("paste the full Amazon link instead; shopfront tags it for you"),
        Redirector::General(host) => Diagnostic::warning(
            code,
            format!(
                "{host} short links cannot be checked; if this one leads to Amazon, Amazon's agreement forbids hiding it"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(facts: &ProductFacts<'_>) -> Vec<String> {
        product(facts).iter().map(|(d, at)| format!("{} at {at}", d.code)).collect()
    }

    #[test]
    fn amazon_products_may_not_copy_prices_or_ratings() {
        let all = ProductFacts { name: "Mic", amazon: true, price: true, stars: true, reviews: true, image: None };
        assert_eq!(codes(&all), ["amazon-price at price:", "amazon-ratings at stars:", "amazon-ratings at reviews:"]);
        // Another shop's product may show its price.
        assert_eq!(codes(&ProductFacts { amazon: false, ..all }), Vec::<String>::new());
    }

    #[test]
    fn hidden_amazon_links_are_errors_and_other_shorteners_warnings() {
        let hidden = redirect(crate::links::redirector("https://bit.ly/x").unwrap());
        assert_eq!((hidden.code, hidden.severity), (Code::ShortenedLink, Severity::Warning));
        let service = crate::links::redirector("https://geni.us/x").unwrap();
        assert_eq!((redirect(service).code, redirect_kind(service).1), (Code::HiddenAmazonLink, Severity::Error));
    }

    #[test]
    fn hot_linked_amazon_images_are_reported_for_any_product() {
        let url = "https://m.media-amazon.com/images/I/1.jpg";
        let facts = ProductFacts { name: "Mug", image: Some((url, url)), ..ProductFacts::default() };
        assert_eq!(codes(&facts), [format!("hotlinked-image at {url}")]);
        let own = ProductFacts { image: Some(("/images/mug.jpg", "mug.jpg")), ..facts };
        assert!(codes(&own).is_empty());
    }
}
