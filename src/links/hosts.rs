//! Which hosts are Amazon's: its store domains (the marketplaces and their
//! tag suffixes) and its short-link domains. The one place every part of
//! shopfront asks, so the rule engine and the compliance checks can never
//! disagree about a host.

/// Where a marketplace sits, which decides its tags' suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    NorthAmerica,
    Europe,
    Japan,
    /// Marketplaces whose suffix we do not check: Amazon's documentation
    /// is not consistent about them.
    Elsewhere,
}

const MARKETPLACES: [(&str, Region); 22] = [
    ("amazon.com", Region::NorthAmerica),
    ("amazon.ca", Region::NorthAmerica),
    ("amazon.com.mx", Region::NorthAmerica),
    ("amazon.com.br", Region::NorthAmerica),
    ("amazon.co.uk", Region::Europe),
    ("amazon.de", Region::Europe),
    ("amazon.fr", Region::Europe),
    ("amazon.it", Region::Europe),
    ("amazon.es", Region::Europe),
    ("amazon.nl", Region::Europe),
    ("amazon.se", Region::Europe),
    ("amazon.pl", Region::Europe),
    ("amazon.com.be", Region::Europe),
    ("amazon.ie", Region::Europe),
    ("amazon.com.tr", Region::Europe),
    ("amazon.ae", Region::Elsewhere),
    ("amazon.sa", Region::Elsewhere),
    ("amazon.eg", Region::Elsewhere),
    ("amazon.in", Region::Elsewhere),
    ("amazon.co.jp", Region::Japan),
    ("amazon.sg", Region::Elsewhere),
    ("amazon.com.au", Region::Elsewhere),
];

/// Amazon's own link shorteners; where they lead cannot be known offline.
const SHORT_HOSTS: [&str; 7] = ["amzn.to", "a.co", "amzn.eu", "amzn.asia", "amzn.in", "link.amazon", "amzn.com"];

/// The Amazon marketplace domains shopfront knows, e.g. `"amazon.co.uk"`,
/// for validating `[affiliate.amazon.tags]`.
pub fn marketplaces() -> impl Iterator<Item = &'static str> {
    MARKETPLACES.iter().map(|(domain, _)| *domain)
}

/// The suffix Amazon gives tracking IDs of this marketplace's region:
/// `-20` in North America, `-21` in Europe, `-22` in Japan. `None` for the
/// other marketplaces (not checked) and for unknown domains.
pub fn expected_tag_suffix(marketplace: &str) -> Option<&'static str> {
    let (_, region) = MARKETPLACES.iter().find(|(domain, _)| domain.eq_ignore_ascii_case(marketplace))?;
    match region {
        Region::NorthAmerica => Some("-20"),
        Region::Europe => Some("-21"),
        Region::Japan => Some("-22"),
        Region::Elsewhere => None,
    }
}

/// The marketplace domain of an Amazon store host (bare, `www.`, `smile.`
/// or `m.`, any case, with or without the root `.`), or `None`.
pub fn marketplace_of_host(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let bare =
        ["www.", "smile.", "m."].iter().find_map(|prefix| strip_prefix_ignore_case(host, prefix)).unwrap_or(host);
    marketplaces().find(|domain| domain.eq_ignore_ascii_case(bare))
}

/// Whether `host` is `domain` or one of its subdomains (`m.youtube.com` is on `youtube.com`).
pub fn on_domain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// The shortener domain of an Amazon short-link host, or `None`.
pub fn short_link_host(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let bare = strip_prefix_ignore_case(host, "www.").unwrap_or(host);
    SHORT_HOSTS.iter().find(|short| short.eq_ignore_ascii_case(bare)).copied()
}

pub(super) fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    // `get` succeeded, so `prefix.len()` is a char boundary and the slice is valid.
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// The host of an absolute web link as a browser reads it (WHATWG rules:
/// userinfo, `\\`, IDNA), lower-cased, without a root `.`; `None` for
/// anything else.
pub fn web_host(href: &str) -> Option<String> {
    let url = url::Url::parse(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.host_str()?.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether `host` is one of Amazon's stores or short-link services.
pub fn is_amazon_host(host: &str) -> bool {
    marketplace_of_host(host).is_some() || short_link_host(host).is_some()
}

/// Whether `host` is `domain` or one of its subdomains (`m.media-amazon.com`
/// is within `media-amazon.com`; `notmedia-amazon.com` is not).
fn within(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|sub| sub.is_empty() || sub.ends_with('.'))
}

/// Whether `host` serves Amazon's ad widgets (`ws-na.amazon-adsystem.com`):
/// Amazon affiliate content wherever a page loads it.
pub fn is_amazon_ad_host(host: &str) -> bool {
    within(host, "amazon-adsystem.com")
}

/// Whether `href` (absolute or `//host/…`) loads one of Amazon's ad widgets.
pub fn is_amazon_ad_url(href: &str) -> bool {
    let href = href.trim();
    let absolute = if href.starts_with("//") { format!("https:{href}") } else { href.to_owned() };
    web_host(&absolute).is_some_and(|host| is_amazon_ad_host(&host))
}

/// Amazon's image servers: their pictures may be shown only through its
/// API or SiteStripe, so hot-linking one is reported.
const IMAGE_HOSTS: [&str; 3] = ["media-amazon.com", "ssl-images-amazon.com", "images-amazon.com"];

/// Whether an image URL is on one of Amazon's image servers.
pub fn is_amazon_image(url: &str) -> bool {
    web_host(url).is_some_and(|host| IMAGE_HOSTS.iter().any(|domain| within(&host, domain)))
}

/// A link shortener or redirect service in front of the real link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirector {
    /// A service made for Amazon links (geni.us, amzlink.to…): it hides an Amazon link.
    Amazon(&'static str),
    /// A general shortener (bit.ly…): where it leads cannot be checked offline.
    General(&'static str),
}

const AMAZON_REDIRECTORS: &[&str] = &["geni.us", "amzlink.to", "amzn.clnk.in", "amzo.in", "amazon-adsystem.com"];
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "ow.ly",
    "buff.ly",
    "rebrand.ly",
    "t.ly",
    "cutt.ly",
    "is.gd",
    "shorturl.at",
    "rb.gy",
    "tiny.cc",
    "goo.gl",
    "shorte.st",
    "bl.ink",
    "short.io",
    "linktr.ee",
    "lnk.to",
    "snip.ly",
];

/// The tracking hosts of affiliate networks, with the network's name: they
/// exist to count a creator's clicks, so a link through one is an affiliate
/// link whether or not the profile names the program (ShareASale, CJ,
/// Rakuten, Awin, Impact, LTK, ShopMy…). A host matches with any subdomain
/// (`bestbuy.7tiv.net`).
const AFFILIATE_NETWORKS: &[(&str, &str)] = &[
    ("shareasale.com", "ShareASale"),
    ("shareasale-analytics.com", "ShareASale"),
    ("linksynergy.com", "Rakuten Advertising"),
    ("awin1.com", "Awin"),
    ("zenaps.com", "Awin"),
    ("anrdoezrs.net", "CJ"),
    ("dpbolvw.net", "CJ"),
    ("jdoqocy.com", "CJ"),
    ("kqzyfj.com", "CJ"),
    ("tkqlhce.com", "CJ"),
    ("emjcd.com", "CJ"),
    ("qksrv.net", "CJ"),
    ("afcyhf.com", "CJ"),
    ("ftjcfx.com", "CJ"),
    ("lduhtrp.net", "CJ"),
    ("tqlkg.com", "CJ"),
    ("awltovhc.com", "CJ"),
    ("yceml.net", "CJ"),
    ("sjv.io", "Impact"),
    ("pxf.io", "Impact"),
    ("7eer.net", "Impact"),
    ("evyy.net", "Impact"),
    ("ojrq.net", "Impact"),
    ("7tiv.net", "Impact"),
    ("goto.walmart.com", "Walmart Creator"),
    ("goto.target.com", "Target Partners"),
    ("prf.hn", "Partnerize"),
    ("pjtra.com", "Pepperjam"),
    ("pntra.com", "Pepperjam"),
    ("pjatr.com", "Pepperjam"),
    ("gopjn.com", "Pepperjam"),
    ("pntrs.com", "Pepperjam"),
    ("pntrac.com", "Pepperjam"),
    ("go.skimresources.com", "Skimlinks"),
    ("go.redirectingat.com", "Skimlinks"),
    ("redirect.viglink.com", "Sovrn Commerce"),
    ("rstyle.me", "LTK"),
    ("liketk.it", "LTK"),
    ("shopstyle.it", "ShopStyle Collective"),
    ("shopmy.us", "ShopMy"),
    ("howl.me", "Howl"),
    ("howl.link", "Howl"),
    ("rover.ebay.com", "eBay Partner Network"),
    ("hop.clickbank.net", "ClickBank"),
    ("classic.avantlink.com", "AvantLink"),
    ("track.flexlinkspro.com", "FlexOffers"),
    ("clk.tradedoubler.com", "Tradedoubler"),
    ("ad.admitad.com", "Admitad"),
    ("track.webgains.com", "Webgains"),
    ("t.cfjump.com", "Commission Factory"),
];

/// The affiliate network whose tracking host `host` (lower case) is.
pub(super) fn affiliate_network(host: &str) -> Option<&'static str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    AFFILIATE_NETWORKS.iter().find(|(domain, _)| within(host, domain)).map(|(_, name)| *name)
}

/// Whether `href` goes through a redirect service, and which kind.
pub fn redirector(href: &str) -> Option<Redirector> {
    let host = web_host(href)?;
    let matches = |list: &'static [&'static str]| list.iter().copied().find(|domain| within(&host, domain));
    matches(AMAZON_REDIRECTORS).map(Redirector::Amazon).or_else(|| matches(SHORTENERS).map(Redirector::General))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amazon_images_are_known_by_their_servers() {
        assert!(is_amazon_image("https://m.media-amazon.com/images/I/71x.jpg"));
        assert!(is_amazon_image("https://images-amazon.com/a.jpg"));
        assert!(is_amazon_image("https://IMAGES-NA.SSL-IMAGES-AMAZON.COM./a.jpg"));
        assert!(!is_amazon_image("https://notmedia-amazon.com/a.jpg"));
        assert!(!is_amazon_image("https://media-amazon.com.example/a.jpg"));
        assert!(!is_amazon_image("/images/a.jpg"));
    }

    use super::*;

    #[test]
    fn affiliate_networks_are_known_by_their_tracking_hosts() {
        let rows: &[(&str, Option<&str>)] = &[
            ("www.shareasale.com", Some("ShareASale")),
            ("click.linksynergy.com", Some("Rakuten Advertising")),
            ("www.anrdoezrs.net", Some("CJ")),
            ("bestbuy.7tiv.net", Some("Impact")),
            ("goto.walmart.com", Some("Walmart Creator")),
            ("liketk.it.", Some("LTK")),
            ("vendor.hop.clickbank.net", Some("ClickBank")),
            ("walmart.com", None),
            ("notsjv.io", None),
            ("sjv.io.example", None),
            ("ebay.com", None),
        ];
        for (host, want) in rows {
            assert_eq!(affiliate_network(host), *want, "{host}");
        }
    }

    #[test]
    fn marketplace_hosts() {
        let rows: &[(&str, Option<&str>)] = &[
            ("amazon.com", Some("amazon.com")),
            ("www.amazon.com", Some("amazon.com")),
            ("smile.amazon.com", Some("amazon.com")),
            ("m.amazon.com", Some("amazon.com")),
            ("WWW.AMAZON.CO.UK", Some("amazon.co.uk")),
            ("www.amazon.com.au.", Some("amazon.com.au")),
            ("amazon.com.tr", Some("amazon.com.tr")),
            ("www.amazon.eg", Some("amazon.eg")),
            ("amazon.com.evil.example", None),
            ("notamazon.com", None),
            ("evilamazon.com", None),
            ("amazon.example", None),
            ("aws.amazon.com", None),
            ("www.m.amazon.com", None),
            ("amazon.co", None),
            ("", None),
            ("é", None),
        ];
        for (host, want) in rows {
            assert_eq!(marketplace_of_host(host), *want, "{host}");
        }
        assert_eq!(marketplaces().count(), 22);
    }

    #[test]
    fn short_hosts() {
        assert_eq!(short_link_host("amzn.to"), Some("amzn.to"));
        assert_eq!(short_link_host("A.CO"), Some("a.co"));
        assert_eq!(short_link_host("www.amzn.eu"), Some("amzn.eu"));
        assert_eq!(short_link_host("amzn.asia."), Some("amzn.asia"));
        assert_eq!(short_link_host("notamzn.to"), None);
        assert_eq!(short_link_host("amzn.to.evil.example"), None);
    }

    #[test]
    fn redirect_services_are_recognised() {
        assert_eq!(redirector("https://geni.us/abc"), Some(Redirector::Amazon("geni.us")));
        assert_eq!(redirector("https://bit.ly/x"), Some(Redirector::General("bit.ly")));
        assert_eq!(redirector("https://www.tinyurl.com/x"), Some(Redirector::General("tinyurl.com")));
        assert_eq!(redirector("https://go.geni.us/x"), Some(Redirector::Amazon("geni.us")));
        assert_eq!(redirector("https://notbit.ly/x"), None);
        assert_eq!(redirector("https://example.com/bit.ly"), None);
        assert_eq!(redirector("/posts/a/"), None);
    }
}
