//! Every bundled theme, checked the same way: SEO tags and JSON-LD on every
//! page, the search index and the one search script, the disclosure banner
//! (with Amazon's statement) before the first affiliate link, and a site's
//! `templates/` replacing one file of the theme. And the base layer: not a
//! theme itself, enough for a theme of only a stylesheet, and overridable by
//! a local theme one component or block at a time.

use scraper::Html;
use shopfront::render::theme::bundled;

use crate::support::{AMAZON_STATEMENT, BannerCheck, Built, DISCLOSURE, Page, SiteTest};

/// The example site built with `theme`.
fn example_with(theme: &str) -> Built {
    SiteTest::example_site().build_with(|options| options.theme = Some(theme.to_owned())).ok()
}

fn theme_names() -> Vec<String> {
    let names: Vec<String> = bundled().into_iter().map(|t| t.name).collect();
    for expected in ["aisle", "linkpage", "journal"] {
        assert!(names.iter().any(|n| n == expected), "{expected} is not bundled: {names:?}");
    }
    names
}

#[test]
fn every_theme_gives_every_page_its_seo_tags_and_json_ld() {
    for theme in theme_names() {
        let built = example_with(&theme);
        let files = built.html_files();
        assert!(files.len() > 20, "{theme}: only {} pages", files.len());
        for file in files {
            let page = built.html(&file);
            let at = format!("{theme}: {file}");
            assert_eq!(page.texts("title").len(), 1, "{at}: one <title>");
            assert!(!page.texts("title")[0].trim().is_empty(), "{at}: empty <title>");
            assert!(!page.attr("meta[name=description]", "content").trim().is_empty(), "{at}: description");
            let canonical = page.attr("link[rel=canonical]", "href");
            assert!(canonical.starts_with("https://miachen.example/"), "{at}: canonical {canonical}");
            for property in ["og:title", "og:description", "og:url", "og:type"] {
                assert!(page.has(&format!("meta[property='{property}']")), "{at}: {property}");
            }
            assert_eq!(page.attr("meta[property='og:url']", "content"), canonical, "{at}: og:url");
            for name in ["twitter:card", "twitter:title"] {
                assert!(page.has(&format!("meta[name='{name}']")), "{at}: {name}");
            }
            assert!(page.has("html[lang]"), "{at}: lang");
            assert!(page.has("meta[name=viewport]"), "{at}: viewport");
            // A skip link first, to the page's <main>.
            let first = page.attrs("body a[href]", "href");
            assert_eq!(first.first().map(String::as_str), Some("#main"), "{at}: skip link");
            assert!(page.has("main#main"), "{at}: <main id=main>");
            let scripts = page.texts("script[type='application/ld+json']");
            assert_eq!(scripts.len(), 1, "{at}: one JSON-LD block");
            let json: serde_json::Value =
                serde_json::from_str(&scripts[0]).unwrap_or_else(|e| panic!("{at}: JSON-LD: {e}\n{}", scripts[0]));
            let text = json.to_string();
            assert!(!text.contains("aggregateRating") && !text.contains("\"price\""), "{at}: Amazon's data");
            if file.starts_with("posts/") {
                assert_eq!(json["@type"], "Article", "{at}: {json}");
                assert_eq!(json["author"]["@type"], "Person", "{at}");
            } else {
                assert!(text.contains("\"@type\":\"Person\""), "{at}: the creator as a Person");
            }
        }
    }
}

/// What is wrong with where `page` discloses, if anything: the disclosure
/// banner before the first affiliate link must say the disclosure, and
/// Amazon's statement too when the page links to Amazon. The footer says
/// both on every page, so only the banner counts. `Ok(false)`: the page has
/// no affiliate link.
fn disclosed(page: &Page) -> Result<bool, String> {
    match page.banner_before_first_affiliate_link() {
        BannerCheck::NoAffiliateLinks => Ok(false),
        BannerCheck::Missing { link } => Err(format!("no disclosure banner before the first affiliate link {link}")),
        BannerCheck::Before { banner } if !banner.contains(DISCLOSURE) => {
            Err(format!("the banner before the first affiliate link does not disclose: {banner:?}"))
        }
        BannerCheck::Before { banner } if page.links_to_amazon() && !banner.contains(AMAZON_STATEMENT) => {
            Err(format!("the page links to Amazon but its banner lacks Amazon's statement: {banner:?}"))
        }
        BannerCheck::Before { .. } => Ok(true),
    }
}

#[test]
fn every_theme_puts_the_disclosure_before_the_first_buy_link() {
    for theme in theme_names() {
        let built = example_with(&theme);
        let mut pages_with_links = 0;
        let mut pages_with_amazon_links = 0;
        for file in built.html_files() {
            let page = built.html(&file);
            if disclosed(&page).unwrap_or_else(|problem| panic!("{theme}: {file}: {problem}")) {
                pages_with_links += 1;
                pages_with_amazon_links += usize::from(page.links_to_amazon());
            }
        }
        assert!(pages_with_links > 5, "{theme}: only {pages_with_links} pages with affiliate links");
        assert!(pages_with_amazon_links > 5, "{theme}: only {pages_with_amazon_links} pages with Amazon links");
    }
}

/// The check above on pages made by hand: the statement only in the footer,
/// the banner after the link, and a look-alike host, which is no Amazon link.
#[test]
fn the_disclosure_check_counts_only_the_banner_before_the_link() {
    let page = |body: &str| Page(Html::parse_document(&format!("<html><body>{body}</body></html>")));
    let banner = |text: &str| format!("<div class=\"disclosure\" role=\"note\"><p>{text}</p></div>");
    let amazon = "<a href=\"https://www.amazon.com/dp/B000000001?tag=t-20\" rel=\"sponsored nofollow\">Buy</a>";
    let footer = format!("<footer><p>{DISCLOSURE} {AMAZON_STATEMENT}</p></footer>");
    let both = banner(&format!("{DISCLOSURE} <span class=\"amazon\">{AMAZON_STATEMENT}</span>"));

    assert_eq!(disclosed(&page(&format!("{both}<main>{amazon}</main>{footer}"))), Ok(true));
    assert_eq!(disclosed(&page(&format!("<main><p>No links.</p></main>{footer}"))), Ok(false));
    let footer_only = page(&format!("{}<main>{amazon}</main>{footer}", banner(DISCLOSURE)));
    assert!(disclosed(&footer_only).is_err_and(|e| e.contains("Amazon's statement")));
    let banner_after = page(&format!("<main>{amazon}</main>{both}{footer}"));
    assert!(disclosed(&banner_after).is_err_and(|e| e.contains("no disclosure banner")));
    // An unmarked link to Amazon is still an affiliate link; a look-alike host is not.
    let unmarked = page(&format!("<a href=\"https://amzn.to/3abc\">x</a>{both}"));
    assert!(disclosed(&unmarked).is_err());
    let look_alike = page(&format!("<a href=\"https://amazon.com.evil.example/dp/B1\">x</a>{footer}"));
    assert_eq!(disclosed(&look_alike), Ok(false));
}

#[test]
fn every_theme_writes_the_same_search_index() {
    let indexes: Vec<String> =
        theme_names().iter().map(|theme| example_with(theme).text("search-index.json")).collect();
    let index: serde_json::Value = serde_json::from_str(&indexes[0]).expect("search-index.json is JSON");
    let entries = index.as_array().expect("an array");
    let kinds = |kind: &str| entries.iter().filter(|e| e["kind"] == kind).count();
    assert!(kinds("post") >= 5 && kinds("product") >= 5, "{index}");
    for entry in entries {
        assert!(entry["title"].as_str().is_some_and(|t| !t.is_empty()), "{entry}");
        assert!(entry["url"].as_str().is_some_and(|u| u.starts_with('/')), "{entry}");
        assert!(entry["categories"].is_array(), "{entry}");
    }
    assert!(indexes.iter().all(|i| *i == indexes[0]), "the search index depends on the theme");
}

#[test]
fn a_site_template_replaces_one_file_of_every_theme() {
    for theme in theme_names() {
        let built = SiteTest::example_site()
            .file(
                "templates/partials/footer.html",
                "<footer id=\"my-footer\"><p>{{ footer_disclosure }}</p><p>Made by {{ profile.name }}</p></footer>",
            )
            .build_with(|options| options.theme = Some(theme.clone()))
            .ok();
        for file in ["index.html", "shop/index.html", "posts/best-usb-microphones-for-new-streamers/index.html"] {
            let page = built.html(file);
            assert_eq!(page.texts("#my-footer p:last-child"), ["Made by Mia Chen"], "{theme}: {file}");
            // Everything else is still the theme's.
            assert!(page.has("link[rel=stylesheet]"), "{theme}: {file}: the theme's stylesheet");
            assert!(page.has("h1"), "{theme}: {file}: the theme's page");
        }
    }
}

#[test]
fn the_base_layer_is_not_a_theme() {
    assert!(bundled().iter().all(|t| t.name != "base"), "{:?}", bundled());
    let built = SiteTest::example_site().build_with(|options| options.theme = Some("base".to_owned()));
    let messages: Vec<String> = built.errors().iter().map(|d| d.message.clone()).collect();
    assert!(messages.iter().any(|m| m.contains("there is no theme `base`")), "{messages:?}");
}

#[test]
fn a_theme_of_only_a_stylesheet_gets_every_page_from_the_base_layer() {
    let built = SiteTest::example_site()
        .file("themes/plain/theme.toml", "name = \"plain\"\ndescription = \"Only a stylesheet.\"\n")
        .file("themes/plain/static/style.css", "/* plain */\n")
        .build_with(|options| options.theme = Some("plain".to_owned()))
        .ok();
    let files = built.html_files();
    for file in ["index.html", "page/2/index.html", "shop/index.html", "categories/index.html", "search/index.html"] {
        assert!(files.iter().any(|f| f == file), "no {file}");
    }
    for file in &files {
        let page = built.html(file);
        assert_eq!(page.texts("title").len(), 1, "{file}");
        assert!(page.has("main#main") && page.has("link[rel=canonical]"), "{file}");
    }
    let post = built.html("posts/best-usb-microphones-for-new-streamers/index.html");
    assert!(post.has(".disclosure") && post.has(".card.detail") && post.has(".compare table"));
    // Static files: the theme's, then the base layer's; the site's own win over both.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(built.text("style.css"), "/* plain */\n");
    assert_eq!(built.text("search.js"), std::fs::read_to_string(root.join("themes/base/static/search.js")).unwrap());
    assert_eq!(
        built.text("favicon.svg"),
        std::fs::read_to_string(root.join("example-site/static/favicon.svg")).unwrap()
    );
}

#[test]
fn a_local_theme_replaces_base_components_and_extends_base_templates() {
    let built = SiteTest::example_site()
        .file("themes/mine/theme.toml", "name = \"mine\"\n")
        .file(
            "themes/mine/templates/partials/components.html",
            "{%- component brand(@site=none) -%}<a class=\"brand\" id=\"my-brand\" href=\"/\">{{ site.title }}</a>{%- endcomponent brand -%}",
        )
        .file(
            "themes/mine/templates/404.html",
            "{% extends \"base/404.html\" %}{% block links %}<p id=\"my-links\">{{ labels.home }}</p>{% endblock links %}",
        )
        .build_with(|options| options.theme = Some("mine".to_owned()))
        .ok();
    for file in ["index.html", "404.html", "shop/index.html"] {
        assert_eq!(built.html(file).texts("#my-brand"), ["Mia's Picks"], "{file}: the theme's component");
    }
    let not_found = built.html("404.html");
    assert_eq!(not_found.texts("#my-links"), ["Home"]);
    assert_eq!(not_found.texts("h1"), ["Page not found"], "the rest of base/404.html");
}

#[test]
fn every_theme_loads_the_one_search_script() {
    let script =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/base/static/search.js"))
            .unwrap();
    for theme in theme_names() {
        let built = example_with(&theme);
        assert_eq!(built.text("search.js"), script, "{theme}");
        let page = built.html("search/index.html");
        assert_eq!(page.attrs("script[src]", "src"), ["/search.js"], "{theme}");
        // The only inline script is the JSON-LD: no second copy of the search.
        assert_eq!(page.texts("script:not([src])").len(), 1, "{theme}");
        assert_eq!(page.texts("script:not([src]):not([type='application/ld+json'])").len(), 0, "{theme}");
        // Every word the script shows comes from the page.
        for attribute in ["data-results", "data-result-one", "data-unavailable", "data-post", "data-product", "data-ad"]
        {
            assert!(!page.attr("form#search", attribute).is_empty(), "{theme}: {attribute}");
        }
    }
}

/// What a phone shows first loads first: the top of the home page (the
/// avatar, the first cards) and a post's cover are never lazy, while the
/// pictures further down are.
#[test]
fn every_theme_loads_the_top_of_the_page_at_once_and_the_rest_lazily() {
    let img = scraper::Selector::parse("main img").unwrap();
    for theme in theme_names() {
        let built = example_with(&theme);
        for page in ["index.html", "posts/my-desk-setup-2025/index.html"] {
            let html = Html::parse_document(&built.text(page));
            let loading: Vec<Option<&str>> = html.select(&img).map(|i| i.value().attr("loading")).collect();
            assert!(loading.len() > 3, "{theme} {page}: {loading:?}");
            assert_ne!(loading[0], Some("lazy"), "{theme} {page}: the first picture");
            assert_eq!(loading.last(), Some(&Some("lazy")), "{theme} {page}: the last picture");
        }
        let avatar = built.html("index.html").attrs("img.avatar", "loading");
        assert!(avatar.iter().all(|l| l != "lazy"), "{theme}: {avatar:?}");
    }
}

/// The creator's own score is labelled as theirs wherever it shows, cards
/// and comparison rows included: bare stars read as Amazon's customer
/// rating, which Amazon forbids showing.
#[test]
fn every_rating_on_every_page_says_whose_it_is() {
    let own = scraper::Selector::parse(".rating").unwrap();
    let hidden = scraper::Selector::parse(".sr-only").unwrap();
    for theme in theme_names() {
        let built = example_with(&theme);
        let mut seen = 0;
        for file in built.html_files() {
            let page = built.html(&file);
            for rating in page.0.select(&own) {
                let spoken: String = rating.select(&hidden).flat_map(|e| e.text()).collect();
                let all: String = rating.text().collect();
                let shown = all.replace(&spoken, "");
                assert!(shown.contains("my rating") || shown.contains("’s rating"), "{theme} {file}: {shown:?}");
                seen += 1;
            }
        }
        assert!(seen > 10, "{theme}: only {seen} ratings found");
    }
}

/// A post that places one of its three products in its body: in every theme
/// that product's card is printed once, the top of the post summarises every
/// product with a jump link that lands, and no product's card is printed
/// twice. A post that places none keeps its cards at the top.
#[test]
fn a_card_is_never_printed_twice_on_a_post() {
    let products = "products:\n  - name: Alpha Lamp\n    asin: B0ALPHA001\n    note: Bright.\n    pros: [Bright]\n  - name: Beta Lamp\n    asin: B0BETA0001\n    note: Warm.\n  - name: Gamma Lamp\n    asin: B0GAMMA001\n";
    let site = SiteTest::example_site()
        .file(
            "content/posts/placed.md",
            format!("---\ntitle: Placed\ndate: 2025-11-01\n{products}---\n\nIntro.\n\n{{{{ product(\"B0ALPHA001\") }}}}\n\nMore text.\n"),
        )
        .file("content/posts/unplaced.md", format!("---\ntitle: Unplaced\ndate: 2025-11-02\n{products}---\n\nJust text.\n"))
        .file(
            "content/posts/compared.md",
            format!("---\ntitle: Compared\ndate: 2025-11-03\n{products}---\n\n{{{{ compare() }}}}\n\n{{{{ product(\"B0BETA0001\") }}}}\n"),
        );
    for theme in theme_names() {
        let built = site.build_with(|options| options.theme = Some(theme.clone())).ok();
        let cards = |page: &Page, name: &str| page.texts("main .card").iter().filter(|t| t.contains(name)).count();
        let placed = built.html("posts/placed/index.html");
        assert_eq!(cards(&placed, "Alpha Lamp"), 1, "{theme}: Alpha's card, placed in the body");
        for name in ["Beta Lamp", "Gamma Lamp"] {
            assert!(cards(&placed, name) <= 1, "{theme}: {name} printed twice");
        }
        let jumps = placed.attrs("main a[href^='#p-']", "href");
        assert!(jumps.contains(&"#p-B0ALPHA001".to_owned()), "{theme}: no jump link to the placed card: {jumps:?}");
        for jump in &jumps {
            let id = &jump[1..];
            assert_eq!(
                placed.attrs(&format!("[id='{id}']"), "id").len(),
                1,
                "{theme}: {jump} must land on exactly one element"
            );
        }
        // The card the body places comes after the body's first words, not at the top.
        let html = placed.0.html();
        let (intro, card) = (html.find("Intro.").unwrap(), html.find("id=\"p-B0ALPHA001\"").unwrap());
        assert!(intro < card, "{theme}: the placed card is above the body");

        let unplaced = built.html("posts/unplaced/index.html");
        assert!(
            unplaced.attrs("main a[href^='#p-']", "href").iter().all(|j| unplaced.has(&format!("[id='{}']", &j[1..])))
        );
        for name in ["Alpha Lamp", "Beta Lamp", "Gamma Lamp"] {
            assert!(cards(&unplaced, name) <= 1, "{theme}: {name} printed twice on a post that places nothing");
        }

        // compare() places all three, then product() Beta again: the table's
        // rows carry the anchors, and Beta's card is the one asked for.
        let compared = built.html("posts/compared/index.html");
        assert_eq!(compared.attrs("tr[id]", "id"), ["p-B0ALPHA001", "p-B0BETA0001", "p-B0GAMMA001"], "{theme}");
        assert_eq!(cards(&compared, "Beta Lamp"), 1, "{theme}");
        assert_eq!(
            cards(&compared, "Alpha Lamp") + cards(&compared, "Gamma Lamp"),
            0,
            "{theme}: cards the table already shows"
        );
    }
}
