//! The rule engine's table of real-world links, and its no-panic checks.

use super::*;
use crate::links::rules::{AmazonRules, ProgramAction, ProgramRule};

/// The profile of the examples: tags on most marketplaces, none on
/// amazon.nl, .pl, .sg and .ae, and two with a wrong regional suffix.
fn rules() -> Rules {
    let tags = [
        ("amazon.com", "miachen-20"),
        ("amazon.ca", "miachen0c-20"),
        ("amazon.com.mx", "miachen01-20"),
        ("amazon.com.br", "miachen-21"),
        ("amazon.co.uk", "miachen-21"),
        ("amazon.de", "miachen0d-21"),
        ("amazon.fr", "miachen05-21"),
        ("amazon.it", "miachen08-21"),
        ("amazon.es", "miachen04-21"),
        ("amazon.se", "miachen-20"),
        ("amazon.co.jp", "miachen-22"),
        ("amazon.in", "miachen-21"),
        ("amazon.com.au", "miachen-22"),
    ];
    Rules {
        amazon: Some(AmazonRules {
            marketplace: "amazon.com".to_owned(),
            tags: tags.iter().map(|(m, t)| ((*m).to_owned(), (*t).to_owned())).collect(),
        }),
        programs: vec![
            ProgramRule {
                name: "Example Outdoor Co".to_owned(),
                hosts: vec!["shop.example-outdoor.com".to_owned()],
                action: ProgramAction::Params(vec![
                    ("ref".to_owned(), "miachen".to_owned()),
                    ("utm_source".to_owned(), "shopfront".to_owned()),
                ]),
                statement: None,
            },
            ProgramRule {
                name: "Gadget Network".to_owned(),
                hosts: vec!["store.example.net".to_owned(), "www.gadgets.example".to_owned()],
                action: ProgramAction::Template("https://go.network.example/?id=123&u={url}".to_owned()),
                statement: None,
            },
        ],
    }
}

/// Marks a row whose output must be the input, byte for byte.
const SAME: &str = "\u{0}same";

struct Row {
    input: &'static str,
    href: &'static str,
    kind: LinkKind,
    warnings: Vec<LinkWarning>,
}

fn row(input: &'static str, href: &'static str, kind: LinkKind, warnings: &[LinkWarning]) -> Row {
    Row { input, href, kind, warnings: warnings.to_vec() }
}

fn amz(marketplace: &str, asin: Option<&str>, tagged: bool) -> LinkKind {
    LinkKind::Amazon { marketplace: marketplace.to_owned(), asin: asin.map(str::to_owned), tagged }
}
fn product(marketplace: &str, asin: &str) -> LinkKind {
    amz(marketplace, Some(asin), true)
}
fn store(marketplace: &str) -> LinkKind {
    amz(marketplace, None, true)
}
fn short(host: &str) -> LinkKind {
    amz(host, None, false)
}
fn program(name: &str) -> LinkKind {
    LinkKind::Program { name: name.to_owned() }
}
fn bad(scheme: &str) -> LinkKind {
    LinkKind::Unsafe { scheme: scheme.to_owned() }
}
fn foreign(found: &str, with: &str) -> LinkWarning {
    LinkWarning::ForeignTagReplaced { found: found.to_owned(), replaced_with: with.to_owned() }
}
fn missing(marketplace: &str) -> LinkWarning {
    LinkWarning::MissingTag { marketplace: marketplace.to_owned() }
}
fn kept(marketplace: &str, tag: &str) -> LinkWarning {
    LinkWarning::TagKept { marketplace: marketplace.to_owned(), tag: tag.to_owned() }
}
const SHORT: LinkWarning = LinkWarning::UnverifiableShortLink;

const OUTDOOR: &str = "Example Outdoor Co";
const NETWORK: &str = "Gadget Network";
const K669B: &str = "B06XCKGLTP";
const MX: &str = "B07PGL2ZSL";
const COM: &str = "https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20";

fn rows() -> Vec<Row> {
    use LinkKind::{External, Internal};
    vec![
        // Product paths in every form, amazon.com.
        row("https://www.amazon.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row(
            "https://www.amazon.com/gp/product/B06XCKGLTP/ref=ppx_yo_dt_b_asin_title_o00_s00?ie=UTF8&psc=1",
            "https://www.amazon.com/dp/B06XCKGLTP?psc=1&tag=miachen-20",
            product("amazon.com", K669B),
            &[],
        ),
        row("https://www.amazon.com/gp/aw/d/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row(
            "https://www.amazon.com/exec/obidos/ASIN/0596007124/ref=nosim/",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[],
        ),
        row(
            "http://www.amazon.com/exec/obidos/tg/detail/-/0596007124",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[],
        ),
        row(
            "https://www.amazon.com/o/ASIN/0596007124",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[],
        ),
        row("https://www.amazon.com/o/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row(
            "https://www.amazon.com/gp/offer-listing/B06XCKGLTP/ref=dp_olp_all_mbc?ie=UTF8&condition=new",
            COM,
            product("amazon.com", K669B),
            &[],
        ),
        row(
            "https://www.amazon.com/FIFINE-Microphone-Computer-Streaming-K669B/dp/B06XCKGLTP/ref=sr_1_3?crid=2Q3W8ZJ&keywords=usb+mic&qid=1695648000&sprefix=usb+mi%2Caps%2C160&sr=8-3",
            COM,
            product("amazon.com", K669B),
            &[],
        ),
        row("https://www.amazon.com/dp/product/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://www.amazon.com/-/es/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        // Hosts and normalisation.
        row("https://amazon.com/dp/b06xckgltp", COM, product("amazon.com", K669B), &[]),
        row("https://smile.amazon.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://m.amazon.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("HTTPS://WWW.AMAZON.COM/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("http://amazon.com/dp/B06XCKGLTP#customerReviews", COM, product("amazon.com", K669B), &[]),
        row("https://www.amazon.com./dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://www.amazon.com:443/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://mia:secret@www.amazon.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("//www.amazon.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row(" \n https://www.amazon.com/dp/B06XCKGLTP \t", COM, product("amazon.com", K669B), &[]),
        row("https://www.ama\tzon.com/dp/B06X\nCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://www.amazon%2Ecom/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        row("https://ａｍａｚｏｎ.com/dp/B06XCKGLTP", COM, product("amazon.com", K669B), &[]),
        // Query parameters on products: variation, language and subtag kept, in a fixed order.
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?pd_rd_w=aB3cD&pf_rd_p=1a2b&psc=1&pd_rd_r=9f8e&th=1",
            "https://www.amazon.com/dp/B08N5WRWNW?th=1&psc=1&tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[],
        ),
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20&linkCode=ll1&linkId=0c1d2e&language=en_US&ref_=as_li_ss_tl&ascsubtag=post-42",
            "https://www.amazon.com/dp/B08N5WRWNW?language=en_US&ascsubtag=post-42&tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[],
        ),
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?tag=dealsite-20&th=1",
            "https://www.amazon.com/dp/B08N5WRWNW?th=1&tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[foreign("dealsite-20", "miachen-20")],
        ),
        // A tag in an old path is someone else's tag too; their ascsubtag goes with it.
        row(
            "https://www.amazon.com/exec/obidos/ASIN/0596007124/dealsite-20",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[foreign("dealsite-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.com/o/ASIN/0596007124/dealsite-20/ref=nosim",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[foreign("dealsite-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?tag=dealsite-20&ascsubtag=their-post&th=1",
            "https://www.amazon.com/dp/B08N5WRWNW?th=1&tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[foreign("dealsite-20", "miachen-20")],
        ),
        // Old API links with the query encoded into the path; sponsored-result wrappers.
        row(
            "https://www.amazon.com/dp/B00015007W%3FSubscriptionId%3D1TUHR6QJ5SGTPFTF0A02%26tag%3Dsomeone-20%26linkCode%3Dxm2%26camp%3D2025%26creative%3D165953%26creativeASIN%3DB00015007W",
            "https://www.amazon.com/dp/B00015007W?tag=miachen-20",
            product("amazon.com", "B00015007W"),
            &[foreign("someone-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.com/sspa/click?ie=UTF8&spc=MTo1&url=%2FBlue-Yeti-Microphone%2Fdp%2FB00N1YPXW2%2Fref%3Dsr_1_1_sspa%3Fkeywords%3Dmic%26psc%3D1&sp_csd=d2lk",
            "https://www.amazon.com/dp/B00N1YPXW2?psc=1&tag=miachen-20",
            product("amazon.com", "B00N1YPXW2"),
            &[],
        ),
        row(
            "https://www.amazon.com/gp/slredirect/picassoRedirect.html/ref=pa_sp_atf?ie=UTF8&adId=A1&url=%2Fdp%2FB00N1YPXW2%2F%3Fms3_c%3Dx",
            "https://www.amazon.com/dp/B00N1YPXW2?tag=miachen-20",
            product("amazon.com", "B00N1YPXW2"),
            &[],
        ),
        // A link from one of Amazon's e-mails leads to a page of the same store, never elsewhere.
        row(
            "https://www.amazon.com/gp/r.html?C=2ABC&K=3DEF&M=urn:rtn:msg:1&R=2GHI&T=C&U=https%3A%2F%2Fwww.amazon.com%2Fdp%2FB08N5WRWNW%3Fref_%3Dpe_1234%26tag%3Demail-20&H=XYZ&ref_=pe_1234",
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[foreign("email-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.com/gp/f.html?C=1&U=%2Fgp%2Fproduct%2FB08N5WRWNW%2Fref%3Dpe_1",
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[],
        ),
        row(
            "https://www.amazon.com/gp/r.html?U=https%3A%2F%2Fevil.example%2Fdp%2FB08N5WRWNW",
            "https://www.amazon.com/gp/r.html?U=https%3A%2F%2Fevil.example%2Fdp%2FB08N5WRWNW&tag=miachen-20",
            amz("amazon.com", None, true),
            &[],
        ),
        // A query pasted with `&` for its `?`.
        row(
            "https://www.amazon.com/Desk-Lamp/dp/B08N5WRWNW&tag=someone-20&th=1",
            "https://www.amazon.com/dp/B08N5WRWNW?th=1&tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[foreign("someone-20", "miachen-20")],
        ),
        // Add-to-cart links name the tag `AssociateTag`.
        row(
            "https://www.amazon.com/gp/aws/cart/add.html?ASIN.1=B08N5WRWNW&Quantity.1=1&AssociateTag=someone-20",
            "https://www.amazon.com/gp/aws/cart/add.html?ASIN.1=B08N5WRWNW&Quantity.1=1&AssociateTag=miachen-20",
            amz("amazon.com", None, true),
            &[foreign("someone-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.co.uk/gp/aws/cart/add.html?ASIN.1=B003NR57BY&Quantity.1=2&ASIN.2=B08N5WRWNW&Quantity.2=1",
            "https://www.amazon.co.uk/gp/aws/cart/add.html?ASIN.1=B003NR57BY&Quantity.1=2&ASIN.2=B08N5WRWNW&Quantity.2=1&AssociateTag=miachen-21",
            amz("amazon.co.uk", None, true),
            &[],
        ),
        // An unfilled template placeholder is not somebody's tag.
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?tag={{site.affid}}",
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[LinkWarning::PlaceholderTagReplaced {
                found: "{{site.affid}}".into(),
                replaced_with: "miachen-20".into(),
            }],
        ),
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?t%61g=hidden-20",
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[foreign("hidden-20", "miachen-20")],
        ),
        row(
            "https://www.amazon.com/dp/B08N5WRWNW?hvadid=5&hvpos=&hvnetw=g&hvrand=1&gclid=Cj0&utm_source=yt&smid=ATVPDKIKX0DER",
            "https://www.amazon.com/dp/B08N5WRWNW?tag=miachen-20",
            product("amazon.com", "B08N5WRWNW"),
            &[],
        ),
        // Other marketplaces.
        row(
            "https://www.amazon.co.uk/Logitech-Wireless-Mouse/dp/B003NR57BY/ref=sr_1_1?dib=eyJ2IjoiMSJ9&dib_tag=se&keywords=mouse&qid=1700000000&sr=8-1",
            "https://www.amazon.co.uk/dp/B003NR57BY?tag=miachen-21",
            product("amazon.co.uk", "B003NR57BY"),
            &[],
        ),
        row(
            "//www.amazon.co.uk/dp/B003NR57BY",
            "https://www.amazon.co.uk/dp/B003NR57BY?tag=miachen-21",
            product("amazon.co.uk", "B003NR57BY"),
            &[],
        ),
        row(
            "https://www.amazon.de/gp/product/B07PGL2ZSL?smid=A3JWKAKR8XB7XF&th=1",
            "https://www.amazon.de/dp/B07PGL2ZSL?th=1&tag=miachen0d-21",
            product("amazon.de", MX),
            &[],
        ),
        row(
            "https://amazon.fr/dp/B07PGL2ZSL?tag=autre-21",
            "https://www.amazon.fr/dp/B07PGL2ZSL?tag=miachen05-21",
            product("amazon.fr", MX),
            &[foreign("autre-21", "miachen05-21")],
        ),
        row(
            "https://www.amazon.it/dp/8804668237",
            "https://www.amazon.it/dp/8804668237?tag=miachen08-21",
            product("amazon.it", "8804668237"),
            &[],
        ),
        row(
            "https://m.amazon.es/gp/aw/d/B07PGL2ZSL?psc=1",
            "https://www.amazon.es/dp/B07PGL2ZSL?psc=1&tag=miachen04-21",
            product("amazon.es", MX),
            &[],
        ),
        row(
            "https://www.amazon.ca/dp/B07PGL2ZSL/",
            "https://www.amazon.ca/dp/B07PGL2ZSL?tag=miachen0c-20",
            product("amazon.ca", MX),
            &[],
        ),
        row(
            "https://www.amazon.com.mx/dp/B07PGL2ZSL?ref_=ast_sto_dp",
            "https://www.amazon.com.mx/dp/B07PGL2ZSL?tag=miachen01-20",
            product("amazon.com.mx", MX),
            &[],
        ),
        row(
            "https://www.amazon.co.jp/%E3%83%AD%E3%82%B8%E3%82%AF%E3%83%BC%E3%83%AB/dp/B07PGL2ZSL/ref=sr_1_1",
            "https://www.amazon.co.jp/dp/B07PGL2ZSL?tag=miachen-22",
            product("amazon.co.jp", MX),
            &[],
        ),
        row(
            "https://www.amazon.co.jp/ロジクール-マウス/dp/B07PGL2ZSL",
            "https://www.amazon.co.jp/dp/B07PGL2ZSL?tag=miachen-22",
            product("amazon.co.jp", MX),
            &[],
        ),
        row(
            "https://www.amazon.in/dp/B07PGL2ZSL?hvadid=1&hvpos=2&hvnetw=g&gclid=xyz",
            "https://www.amazon.in/dp/B07PGL2ZSL?tag=miachen-21",
            product("amazon.in", MX),
            &[],
        ),
        row(
            "https://www.amazon.com.au/dp/B07PGL2ZSL",
            "https://www.amazon.com.au/dp/B07PGL2ZSL?tag=miachen-22",
            product("amazon.com.au", MX),
            &[],
        ),
        // Tag problems.
        row(
            "https://www.amazon.nl/dp/B07PGL2ZSL?ref=x",
            SAME,
            amz("amazon.nl", Some(MX), false),
            &[missing("amazon.nl")],
        ),
        row(
            "https://www.amazon.pl/dp/B07PGL2ZSL?tag=ktos-21",
            SAME,
            amz("amazon.pl", Some(MX), true),
            &[missing("amazon.pl"), kept("amazon.pl", "ktos-21")],
        ),
        row("https://www.amazon.sg/s?k=fan", SAME, amz("amazon.sg", None, false), &[missing("amazon.sg")]),
        row(
            "https://www.amazon.se/dp/B07PGL2ZSL",
            "https://www.amazon.se/dp/B07PGL2ZSL?tag=miachen-20",
            product("amazon.se", MX),
            // A wrong suffix is the profile's warning, not each link's.
            &[],
        ),
        row(
            "https://www.amazon.com.br/dp/B07PGL2ZSL?tag=outro-20",
            "https://www.amazon.com.br/dp/B07PGL2ZSL?tag=miachen-21",
            product("amazon.com.br", MX),
            &[foreign("outro-20", "miachen-21")],
        ),
        // Other store pages keep their path and meaningful query.
        row(
            "https://www.amazon.com/s?k=usb+microphone&crid=3ABC&sprefix=usb+mic%2Caps%2C150&ref=nb_sb_noss_1",
            "https://www.amazon.com/s?k=usb+microphone&tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.co.uk/s?k=desk+lamp&i=kitchen&rh=n%3A11052681%2Cp_72%3A419153031&s=price-asc-rank&page=2&qid=1700000000&ref=sr_pg_2",
            "https://www.amazon.co.uk/s?k=desk+lamp&i=kitchen&rh=n%3A11052681%2Cp_72%3A419153031&s=price-asc-rank&page=2&tag=miachen-21",
            store("amazon.co.uk"),
            &[],
        ),
        row(
            "https://www.amazon.com/s/ref=nb_sb_noss?url=search-alias%3Daps&field-keywords=mic",
            "https://www.amazon.com/s?url=search-alias%3Daps&field-keywords=mic&tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.com/s?keywords=ring+light&ie=UTF8",
            "https://www.amazon.com/s?k=ring+light&tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        // The classic search page reads `keywords` itself.
        row(
            "https://www.amazon.com/gp/search?ie=UTF8&tag=miachen-20&linkCode=ur2&index=electronics&keywords=usb+microphone",
            "https://www.amazon.com/gp/search?index=electronics&keywords=usb+microphone&tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.de/s?k=m%C3%BCsli&__mk_de_DE=%C3%85M%C3%85%C5%BD%C3%95%C3%91&tag=fremd-21",
            "https://www.amazon.de/s?k=m%C3%BCsli&__mk_de_DE=%C3%85M%C3%85%C5%BD%C3%95%C3%91&tag=miachen0d-21",
            store("amazon.de"),
            &[foreign("fremd-21", "miachen0d-21")],
        ),
        row(
            "https://www.amazon.com/shop/miachen?ref=exp_inf_sub_t",
            "https://www.amazon.com/shop/miachen?tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.com/shop/miachen/list/2X3Y4Z5W6V7U?ref_=cm_sw_r_cp_ud_aipsflist_ABC",
            "https://www.amazon.com/shop/miachen/list/2X3Y4Z5W6V7U?tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.de/hz/wishlist/ls/3J8KQ0ZP1XYZ?ref_=wl_share",
            "https://www.amazon.de/hz/wishlist/ls/3J8KQ0ZP1XYZ?tag=miachen0d-21",
            store("amazon.de"),
            &[],
        ),
        row(
            "https://www.amazon.com/stores/Logitech/page/6E2A1F?ref_=ast_bln&store_ref=bl_ast",
            "https://www.amazon.com/stores/Logitech/page/6E2A1F?store_ref=bl_ast&tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row(
            "https://www.amazon.com/gp/bestsellers/electronics/ref=zg_bs_nav_electronics_0",
            "https://www.amazon.com/gp/bestsellers/electronics?tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        row("https://amazon.com", "https://www.amazon.com/?tag=miachen-20", store("amazon.com"), &[]),
        row(
            "https://www.amazon.co.uk/?utm_source=newsletter&utm_medium=email#top",
            "https://www.amazon.co.uk/?tag=miachen-21",
            store("amazon.co.uk"),
            &[],
        ),
        row(
            "https://www.amazon.com/dp/B0SHORT",
            "https://www.amazon.com/dp/B0SHORT?tag=miachen-20",
            store("amazon.com"),
            &[],
        ),
        // Short links: kept, counted, flagged.
        row("https://amzn.to/3xYz12A", SAME, short("amzn.to"), &[SHORT]),
        row("https://a.co/d/abc1234", SAME, short("a.co"), &[SHORT]),
        row("https://amzn.eu/d/9ZyXwVu", SAME, short("amzn.eu"), &[SHORT]),
        row("http://amzn.asia/d/5fGh6Jk", SAME, short("amzn.asia"), &[SHORT]),
        row("https://amzn.in/d/0abCdEf", SAME, short("amzn.in"), &[SHORT]),
        row("https://link.amazon/aBc123", SAME, short("link.amazon"), &[SHORT]),
        // amzn.com/ASIN names its product: it becomes the tagged product link.
        row(
            "https://amzn.com/B06XCKGLTP",
            "https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20",
            product("amazon.com", "B06XCKGLTP"),
            &[],
        ),
        row(
            "http://www.amzn.com/0596007124/",
            "https://www.amazon.com/dp/0596007124?tag=miachen-20",
            product("amazon.com", "0596007124"),
            &[],
        ),
        row("https://amzn.com/", SAME, short("amzn.com"), &[SHORT]),
        // Look-alikes and tricks are not Amazon.
        row("https://amazon.com.evil.example/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://notamazon.com/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://amazon.example/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://evilamazon.com/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://www.amazon.com.au.evil.example/", SAME, External, &[]),
        row("https://amazon.com@evil.example/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://www.amazon.com:x@evil.example/", SAME, External, &[]),
        row("https://evil.example\\@www.amazon.com/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://aws.amazon.com/s3/", SAME, External, &[]),
        row("https://evil.example/?u=https://www.amazon.com/dp/B06XCKGLTP", SAME, External, &[]),
        row("http://[::1]:8080/dp/B06XCKGLTP", SAME, External, &[]),
        row("http://192.0.2.1/dp/B06XCKGLTP", SAME, External, &[]),
        row("https://", SAME, External, &[LinkWarning::MalformedUrl]),
        // Other programs.
        row(
            "https://shop.example-outdoor.com/products/trail-mug",
            "https://shop.example-outdoor.com/products/trail-mug?ref=miachen&utm_source=shopfront",
            program(OUTDOOR),
            &[],
        ),
        row(
            "https://shop.example-outdoor.com/p/k669b?color=blue&ref=someone&size=L#reviews",
            "https://shop.example-outdoor.com/p/k669b?color=blue&size=L&ref=miachen&utm_source=shopfront#reviews",
            program(OUTDOOR),
            &[],
        ),
        row(
            "HTTPS://WWW.Shop.Example-Outdoor.com/p",
            "https://www.shop.example-outdoor.com/p?ref=miachen&utm_source=shopfront",
            program(OUTDOOR),
            &[],
        ),
        row("https://blog.shop.example-outdoor.com/p", SAME, External, &[]),
        row(
            "https://store.example.net/item?id=7&color=red#top",
            "https://go.network.example/?id=123&u=https%3A%2F%2Fstore.example.net%2Fitem%3Fid%3D7%26color%3Dred%23top",
            program(NETWORK),
            &[],
        ),
        row(
            "https://gadgets.example/café/a b?q=x y",
            "https://go.network.example/?id=123&u=https%3A%2F%2Fgadgets.example%2Fcaf%C3%A9%2Fa%20b%3Fq%3Dx%20y",
            program(NETWORK),
            &[],
        ),
        row(
            "https://www.gadgets.example/~mia/a-b_c.d?x=%41",
            "https://go.network.example/?id=123&u=https%3A%2F%2Fwww.gadgets.example%2F~mia%2Fa-b_c.d%3Fx%3D%2541",
            program(NETWORK),
            &[],
        ),
        row(
            "//store.example.net/item",
            "https://go.network.example/?id=123&u=https%3A%2F%2Fstore.example.net%2Fitem",
            program(NETWORK),
            &[],
        ),
        // Schemes that are never written, however they are dressed up.
        row("javascript:alert(1)", "#", bad("javascript"), &[]),
        row("JaVaScRiPt:alert(document.cookie)", "#", bad("javascript"), &[]),
        row("  javascript:alert(1)", "#", bad("javascript"), &[]),
        row("java\tscript:alert(1)", "#", bad("javascript"), &[]),
        row("java\nscr\ript:alert(1)", "#", bad("javascript"), &[]),
        row("\u{1}\u{1f}javascript:alert(1)", "#", bad("javascript"), &[]),
        row("java\u{0}script:alert(1)", "#", bad("javascript"), &[]),
        row("javascript\t:alert(1)", "#", bad("javascript"), &[]),
        row("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "#", bad("data"), &[]),
        row("vbscript:msgbox(1)", "#", bad("vbscript"), &[]),
        row("file:///etc/passwd", "#", bad("file"), &[]),
        // FTP links (old download archives) are ordinary external links, as in Hexo and Jekyll.
        row("ftp://ftp.example.com/file.zip", SAME, External, &[]),
        row("C:\\Users\\mia\\mic.jpg", "#", bad("c"), &[]),
        // Everything else is left alone.
        row("mailto:mia@example.com?subject=Hi%20Mia", SAME, External, &[]),
        row("MAILTO:mia@example.com", SAME, External, &[]),
        row("tel:+1-555-0100", SAME, External, &[]),
        row("#reviews", SAME, Internal, &[]),
        row("/posts/usb-microphones/", SAME, Internal, &[]),
        row("../images/mic.jpg", SAME, Internal, &[]),
        row("mic.jpg", SAME, Internal, &[]),
        row("?page=2", SAME, Internal, &[]),
        row("", SAME, Internal, &[]),
        row("   ", "", Internal, &[]),
        row("2024:review", SAME, Internal, &[]),
        row(" /about/ ", "/about/", Internal, &[]),
        row("https://www.youtube.com/@miachen", SAME, External, &[]),
        row("https://Example.com/a%zz?b=c&&d#e", SAME, External, &[]),
        row("//cdn.example.com/x.js", SAME, External, &[]),
        row("\\\\evil.example/x", SAME, External, &[]),
        row("/\t/evil.example/x", SAME, External, &[]),
    ]
}

#[test]
fn table() {
    let rules = rules();
    let rows = rows();
    let marketplaces: std::collections::BTreeSet<String> = rows
        .iter()
        .filter_map(|r| match &r.kind {
            LinkKind::Amazon { marketplace, .. } if marketplace.starts_with("amazon.") => Some(marketplace.clone()),
            _ => None,
        })
        .collect();
    assert!(rows.len() >= 60, "{} rows", rows.len());
    assert!(marketplaces.len() >= 8, "{marketplaces:?}");

    let mut failures = Vec::new();
    for r in &rows {
        let want_href = if r.href == SAME { r.input } else { r.href };
        let got = rewrite(r.input, &rules);
        if got.href != want_href || got.kind != r.kind || got.warnings != r.warnings {
            failures.push(format!(
                "input    {:?}\n  want   {:?} {:?} {:?}\n  got    {:?} {:?} {:?}",
                r.input, want_href, r.kind, r.warnings, got.href, got.kind, got.warnings
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn kept_links_are_borrowed() {
    let rules = rules();
    for href in ["https://example.com/x", "/about/", "mailto:a@b.example", "https://amzn.to/x"] {
        assert!(matches!(rewrite(href, &rules).href, Cow::Borrowed(_)), "{href}");
    }
}

#[test]
fn without_amazon_config() {
    let rules = Rules::default();
    let untagged = rewrite("https://www.amazon.com/dp/B06XCKGLTP?ref=x", &rules);
    assert_eq!(untagged, Rewrite::unchanged("https://www.amazon.com/dp/B06XCKGLTP?ref=x", LinkKind::External));

    let tagged = rewrite("https://www.amazon.com/dp/B06XCKGLTP?tag=mine-20", &rules);
    assert_eq!(tagged.href, "https://www.amazon.com/dp/B06XCKGLTP?tag=mine-20");
    assert_eq!(tagged.kind, amz("amazon.com", Some(K669B), true));
    assert_eq!(tagged.warnings, [kept("amazon.com", "mine-20")]);
    assert!(tagged.kind.is_affiliate());

    let short_link = rewrite("https://amzn.to/3xYz12A", &rules);
    assert_eq!(short_link.kind, short("amzn.to"));
    assert_eq!(short_link.warnings, [SHORT]);
}

#[test]
fn affiliate_kinds() {
    assert!(product("amazon.com", K669B).is_affiliate());
    assert!(amz("amazon.nl", None, false).is_affiliate());
    assert!(program(OUTDOOR).is_affiliate());
    assert!(!LinkKind::External.is_affiliate());
    assert!(!LinkKind::Internal.is_affiliate());
    assert!(!bad("javascript").is_affiliate());
}

#[test]
fn warnings_read_as_one_line() {
    let warnings = [
        foreign("other-20", "miachen-20"),
        missing("amazon.nl"),
        missing("amazon.sg"),
        kept("amazon.pl", "ktos-21"),
        LinkWarning::PlaceholderTagReplaced { found: "{{site.affid}}".into(), replaced_with: "miachen-20".into() },
        SHORT,
        LinkWarning::MalformedUrl,
    ];
    for warning in &warnings {
        let text = warning.to_string();
        assert!(!text.is_empty() && !text.contains('\n') && text.len() < 240, "{text}");
        assert!(!warning.code().as_str().is_empty());
    }
    assert_eq!(
        missing("amazon.nl").to_string(),
        "you have no Amazon tag for amazon.nl, so this link was left untagged and earns you \
         nothing; add one under [affiliate.amazon.tags] in profile.toml, e.g. \
         \"amazon.nl\" = \"yourtag-21\""
    );
}

/// A tiny deterministic generator (Knuth's MMIX LCG), so the test needs no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        // The high bits are the random ones; the value fits any usize we index with.
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }
}

#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "https://",
        "http://",
        "//",
        "\\\\",
        "javascript:",
        "JaVa\tScript:",
        "mailto:",
        "data:",
        "amazon.com",
        "AMAZON.COM",
        "www.amazon.co.uk",
        "Shop.Example-Outdoor.COM",
        "amazon.com.",
        "smile.amazon.de",
        "amzn.to",
        "a.co",
        "shop.example-outdoor.com",
        "store.example.net",
        "evil.example",
        "/dp/",
        "/gp/product/",
        "/gp/aw/d/",
        "/exec/obidos/ASIN/",
        "/o/",
        "/-/",
        "/ref=x",
        "B06XCKGLTP",
        "b06xckgltp",
        "0596007124",
        "?",
        "&",
        "=",
        "#",
        "@",
        ":",
        ":443",
        "[",
        "]",
        "[::1]",
        "%",
        "%2E",
        "%zz",
        "%FF",
        "+",
        "tag=",
        "tag=x-21",
        "th=1",
        "psc=1",
        "keywords=a",
        "k=b",
        "s",
        " ",
        "\t",
        "\n",
        "\r",
        "\u{0}",
        "\u{1f}",
        "\u{7f}",
        "\u{a0}",
        "é",
        "ａ",
        "。",
        "ロ",
        "\u{FEFF}",
        "xn--",
        ".",
        "..",
        "/",
        "\\",
        "{url}",
    ];
    const STARTS: &[&str] = &["https://", "http://", "//", "HTTPS://", "\\\\", "/\t/", "https:"];
    const HOSTS: &[&str] = &[
        "amazon.com",
        "www.amazon.de",
        "evil.example",
        "shop.example-outdoor.com",
        "a.co",
        "user@",
        "amazon.com@",
        "amazon.com\\",
        "",
    ];
    let rules = rules();
    let mut lcg = Lcg(0x5eed);
    for _ in 0..20_000 {
        // Most strings start like a web link, so the host checks get exercised.
        let mut href = String::new();
        if !lcg.next().is_multiple_of(4) {
            href.push_str(STARTS[lcg.next() % STARTS.len()]);
            href.push_str(HOSTS[lcg.next() % HOSTS.len()]);
        }
        for _ in 0..lcg.next() % 12 {
            href.push_str(PIECES[lcg.next() % PIECES.len()]);
        }
        let got = rewrite(&href, &rules);
        let trimmed = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
        match &got.kind {
            LinkKind::Internal => assert_eq!(got.href, trimmed, "{href:?}"),
            LinkKind::External => assert_eq!(got.href, trimmed, "{href:?}"),
            LinkKind::Unsafe { scheme } => {
                assert_eq!(got.href, "#", "{href:?}");
                assert!(!scheme.is_empty());
                assert!(!matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel" | "ftp" | "ftps" | "sftp"));
            }
            // Rewritten to the canonical shape, or kept exactly as written.
            LinkKind::Amazon { .. } => {
                assert!(got.href.starts_with("https://www.amazon.") || got.href == trimmed, "{href:?} -> {}", got.href)
            }
            LinkKind::Program { .. } => {
                assert!(got.href.starts_with("http"), "{href:?} -> {}", got.href);
            }
        }
        // The cheap host check only skips links a full parse would not claim either.
        for protocol_relative in [false, true] {
            if let Some(quick) = quick_host(trimmed, protocol_relative)
                && !claimed(quick, &rules)
            {
                let full =
                    if protocol_relative { Url::parse(&format!("https:{trimmed}")) } else { Url::parse(trimmed) };
                if let Ok(url) = full
                    && let Some(Host::Domain(host)) = url.host()
                {
                    assert!(!claimed(host, &rules), "{href:?}: {quick} vs {host}");
                }
            }
        }
        // What the engine writes never hides a script scheme.
        if !matches!(got.kind, LinkKind::Internal) {
            assert!(
                scheme(&got.href)
                    .is_none_or(|s| matches!(&*s, "http" | "https" | "mailto" | "tel" | "ftp" | "ftps" | "sftp")),
                "{href:?} -> {}",
                got.href
            );
        }
    }
    let huge = "https://www.amazon.com/dp/B06XCKGLTP?".to_owned() + &"a=b&".repeat(50_000);
    assert_eq!(rewrite(&huge, &rules).href, COM);
    let huge_scheme = "a".repeat(100_000) + ":x";
    assert_eq!(rewrite(&huge_scheme, &rules).href, "#");
}
