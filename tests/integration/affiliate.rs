//! Affiliate links, disclosures and the compliance report (SPEC §4–§6).

use predicates::str::contains;

use crate::support::{AMAZON_STATEMENT, BannerCheck, Checked, DISCLOSURE, SiteTest};

fn hrefs_with_rel(page: &crate::support::Page) -> Vec<(String, String)> {
    let selector = scraper::Selector::parse("a[href]").unwrap();
    page.0
        .select(&selector)
        .map(|a| (a.value().attr("href").unwrap().to_owned(), a.value().attr("rel").unwrap_or("").to_owned()))
        .collect()
}

#[test]
fn links_in_every_position_get_their_marketplace_tag() {
    let built = SiteTest::fixture("affiliate").build().ok();
    let links = hrefs_with_rel(&built.html("posts/every-link/index.html"));
    let has = |href: &str| {
        let found = links.iter().find(|(h, _)| h == href);
        assert!(found.is_some(), "missing {href} in {links:#?}");
        assert_eq!(found.unwrap().1, "sponsored nofollow noopener", "{href}");
    };
    has("https://www.amazon.com/dp/B000000001?tag=miachen-20"); // Markdown link, tracking dropped
    has("https://www.amazon.co.uk/dp/B000000002?th=1&psc=1&tag=miachen-21"); // autolink, UK tag
    has("https://www.amazon.de/dp/B000000006?tag=miachen0d-21"); // reference link, DE tag
    has("https://www.amazon.com/dp/B000000003?tag=miachen-20"); // inline HTML, foreign tag replaced
    has("https://www.amazon.com/dp/B000000004?tag=miachen-20"); // HTML block, tag split over lines
    has("https://www.amazon.com/s?k=usb+mic&tag=miachen-20"); // search keeps k
    has("https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20"); // product button
    has("https://www.amazon.co.uk/dp/B000000UK1?tag=miachen-21"); // product on another marketplace
    has("https://shop.example-outdoor.com/p/mug?ref=miachen"); // program by params
    has("https://shop.example-outdoor.com/p/mic?color=black&ref=miachen"); // seller link
    has("https://go.network.example/click?id=42&u=https%3A%2F%2Fstore.gadgets.example%2Fitem%3Fid%3D7%26x%3Da%20b");
    // Look-alikes and plain links are untouched and not sponsored.
    for plain in ["https://amazon.com.evil.example/dp/B000000005", "https://maker.example.com/mic"] {
        let found = links.iter().find(|(h, _)| h == plain).unwrap_or_else(|| panic!("{plain}"));
        assert!(!found.1.contains("sponsored"), "{plain}");
    }
}

#[test]
fn the_disclosure_comes_before_the_first_affiliate_link_on_every_page_type() {
    let built = SiteTest::fixture("affiliate").build().ok();
    for page in ["posts/every-link/index.html", "index.html", "shop/index.html", "gear/index.html"] {
        match built.html(page).banner_before_first_affiliate_link() {
            BannerCheck::Before { banner } => {
                assert!(banner.contains(DISCLOSURE), "{page}: the banner does not disclose: {banner}");
                assert!(banner.contains(AMAZON_STATEMENT), "{page}: the banner lacks Amazon's statement: {banner}");
            }
            other => panic!("{page}: no banner before the first affiliate link: {other:?}"),
        }
    }
    // No banner where there is nothing to disclose; the footer statement is everywhere.
    let plain = built.text("posts/plain/index.html");
    assert!(!plain.contains(DISCLOSURE), "banner on a post without affiliate links");
    assert!(plain.contains(AMAZON_STATEMENT), "footer statement missing");
    assert!(built.exists("disclosure/index.html"));
    assert!(built.text("disclosure/index.html").contains(AMAZON_STATEMENT));
}

#[test]
fn a_theme_without_the_banner_fails_the_build_naming_page_and_template() {
    let site = SiteTest::fixture("affiliate").file(
        "templates/post.html",
        "<html><head><title>{{ seo.title }}</title></head><body>{{ page.content | safe }}</body></html>",
    );
    let failed = site.build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").expect("a disclosure error");
    assert!(error.message.contains("/posts/every-link/"), "{}", error.message);
    assert!(error.message.contains("no disclosure"), "{}", error.message);
    assert_eq!(error.path.as_deref(), Some(std::path::Path::new("templates/post.html")));
    assert!(!failed.dir.exists(), "nothing may be written");
}

/// The error stands where the template writes the disclosure, when it
/// writes its element once; a `<p>` written twice could be either.
#[test]
fn a_disclosure_after_the_links_fails_too() {
    let site = SiteTest::fixture("affiliate").file(
        "templates/post.html",
        "<html><body>{{ page.content | safe }}\n<footer>\n  {% if disclosure %}<p class=\"legal\">{{ disclosure.text }}</p><p>{{ disclosure.amazon }}</p>{% endif %}</footer></body></html>",
    );
    let errors = site.build().errors().clone();
    let error = errors
        .iter()
        .find(|d| d.code == "disclosure" && d.message.contains("before the disclosure"))
        .unwrap_or_else(|| panic!("{errors}"));
    assert_eq!(error.path.as_deref(), Some(std::path::Path::new("templates/post.html")));
    assert_eq!((error.line, error.column), (Some(3), Some(22)), "{error:?}");
    let twice = SiteTest::fixture("affiliate").file(
        "templates/post.html",
        "<html><body><p>Hi</p>{{ page.content | safe }}<p>{% if disclosure %}{{ disclosure.text }} {{ disclosure.amazon }}{% endif %}</p></body></html>",
    );
    let errors = twice.build().errors().clone();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert_eq!((error.path.as_deref(), error.line), (Some(std::path::Path::new("templates/post.html")), None));
}

/// An address pasted as text is a link, as in Hexo and on GitHub: it earns
/// the commission, and the post discloses it.
#[test]
fn an_address_pasted_as_text_is_a_tagged_and_disclosed_link() {
    let post = "---\ntitle: Pasted\ndate: 2025-06-01\n---\n\
Mine is https://www.amazon.com/Blue-Yeti/dp/B00N1YPXW2/ref=sr_1_3?qid=1&sr=8-3, and spares at \
www.amazon.co.uk/gp/product/B000000UK1.\n\n`https://www.amazon.com/dp/B000000009` is only an example.\n";
    let built = SiteTest::fixture("affiliate").file("content/posts/2025-06-01-pasted.md", post).build().ok();
    let page = built.html("posts/pasted/index.html");
    let links = hrefs_with_rel(&page);
    for href in
        ["https://www.amazon.com/dp/B00N1YPXW2?tag=miachen-20", "https://www.amazon.co.uk/dp/B000000UK1?tag=miachen-21"]
    {
        assert!(links.contains(&(href.to_owned(), "sponsored nofollow noopener".to_owned())), "{href}: {links:#?}");
    }
    assert!(!links.iter().any(|(href, _)| href.contains("B000000009")), "an address in code became a link");
    // The sentence's comma and full stop are not part of the links.
    assert!(page.texts("article a").iter().any(|text| text.ends_with("sr=8-3")), "{:?}", page.texts("article a"));
    assert!(matches!(page.banner_before_first_affiliate_link(), BannerCheck::Before { .. }));
}

/// Links a template writes in other shapes than `<a href>` count as links:
/// a click handler, an SVG link, a page in a frame, a refresh.
#[test]
fn links_in_handlers_frames_and_refreshes_before_the_disclosure_fail() {
    const URL: &str = "https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20";
    for shape in [
        format!("<button onclick=\"location.href='{URL}'\">Buy</button>"),
        format!("<svg width=9 height=9><a xlink:href=\"{URL}\"><rect width=9 height=9 /></a></svg>"),
        format!("<iframe src=\"{URL}\" width=1 height=1></iframe>"),
        format!("<meta http-equiv=refresh content=\"9; url={URL}\">"),
    ] {
        let template = format!(
            "<html><body>{shape}{{% if disclosure %}}<p>{{{{ disclosure.text }}}} {{{{ disclosure.amazon }}}}</p>{{% endif %}}{{{{ page.content | safe }}}}</body></html>"
        );
        let site = SiteTest::fixture("affiliate").file("templates/post.html", template);
        let failed = site.build();
        let errors = failed.errors();
        assert!(
            errors.iter().any(|d| d.code == "disclosure" && d.message.contains("before the disclosure")),
            "{shape}: {errors}"
        );
    }
}

/// A program whose terms require a statement of its own gets it from the
/// profile alone: in the banner of every page linking to it, on the
/// disclosure page and in the footer, and the check holds it like Amazon's.
#[test]
fn a_program_with_its_own_statement_is_held_to_it_like_amazon() {
    const OWN: &str = "Example Outdoor Co pays me a share of sales made through my links.";
    let site = SiteTest::fixture("affiliate").edit("profile.toml", |p| {
        p.replace("params = { ref = \"miachen\" }", &format!("params = {{ ref = \"miachen\" }}\nstatement = \"{OWN}\""))
    });
    let built = site.build().ok();
    match built.html("posts/every-link/index.html").banner_before_first_affiliate_link() {
        BannerCheck::Before { banner } => {
            assert!(banner.contains(AMAZON_STATEMENT) && banner.contains(OWN), "{banner}");
            assert!(banner.find(AMAZON_STATEMENT) < banner.find(OWN), "Amazon's comes first: {banner}");
        }
        other => panic!("no banner before the first affiliate link: {other:?}"),
    }
    assert!(built.html("disclosure/index.html").texts("main p").iter().any(|p| p == OWN));
    assert!(built.html("posts/plain/index.html").texts("footer p").iter().any(|p| p.contains(OWN)));
    // A post linking only to Amazon does not carry the program's statement.
    let site = site.file(
        "content/posts/amazon-only.md",
        "---\ntitle: Amazon only\n---\n[Mic](https://www.amazon.com/dp/B06XCKGLTP)\n",
    );
    let built = site.build().ok();
    match built.html("posts/amazon-only/index.html").banner_before_first_affiliate_link() {
        BannerCheck::Before { banner } => assert!(!banner.contains(OWN), "{banner}"),
        other => panic!("{other:?}"),
    }
    // A theme that shows only Amazon's statement fails on the program's links.
    let failed = site
        .file(
            "templates/post.html",
            "<html><body>{% if disclosure %}<p>{{ disclosure.text }} {{ disclosure.amazon }}</p>{% endif %}{{ page.content | safe }}</body></html>",
        )
        .build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").expect("a disclosure error");
    assert!(
        error.message.contains("links to Example Outdoor Co (https://shop.example-outdoor.com/")
            && error.message.contains("without Example Outdoor Co's required statement"),
        "{}",
        error.message
    );
    // An empty statement is refused where it is written.
    let empty = SiteTest::fixture("affiliate").edit("profile.toml", |p| {
        p.replace("params = { ref = \"miachen\" }", "params = { ref = \"miachen\" }\nstatement = \" \"")
    });
    let errors = empty.build().errors().clone();
    assert!(errors.iter().any(|d| d.message.contains("empty `statement`") && d.line == Some(19)), "{errors}");
}

/// A network's tracking link, pasted as the network gave it, is an
/// affiliate link with no setting at all: kept as written (it carries the
/// creator's id), marked sponsored and disclosed before it; a program the
/// profile names for the same host comes first.
#[test]
fn affiliate_networks_links_are_disclosed_without_any_setting() {
    const SHAREASALE: &str = "https://www.shareasale.com/r.cfm?b=1&u=2&m=3";
    const LTK: &str = "https://liketk.it/3abc";
    const IMPACT: &str = "https://bestbuy.7tiv.net/c/1/2/3";
    let site = SiteTest::new().file(
        "content/posts/networks.md",
        format!("---\ntitle: Networks\n---\nMy [desk]({SHAREASALE}), [outfit]({LTK}), [TV]({IMPACT}) and [a shop](https://shop.example/).\n"),
    );
    let built = site.build().ok();
    let page = built.html("posts/networks/index.html");
    let links = hrefs_with_rel(&page);
    for href in [SHAREASALE, LTK, IMPACT] {
        let (_, rel) =
            links.iter().find(|(h, _)| h == href).unwrap_or_else(|| panic!("{href} kept as written: {links:?}"));
        assert_eq!(rel, "sponsored nofollow noopener", "{href}");
    }
    let (_, rel) = links.iter().find(|(h, _)| h == "https://shop.example/").unwrap();
    assert!(!rel.contains("sponsored"), "an ordinary link stays one: {rel}");
    assert!(matches!(page.banner_before_first_affiliate_link(), BannerCheck::Before { .. }));
    // A theme without the banner fails on them, naming the network.
    let failed = site.file("templates/post.html", "<html><body>{{ page.content | safe }}</body></html>").build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").expect("a disclosure error");
    assert!(error.message.contains("no disclosure"), "{}", error.message);
    // The profile's own program for the host is applied instead.
    let built = SiteTest::new()
        .edit("profile.toml", |p| {
            p + "\n[[affiliate.programs]]\nname = \"My LTK\"\nhosts = [\"liketk.it\"]\nparams = { src = \"blog\" }\n"
        })
        .file("content/posts/networks.md", format!("---\ntitle: Networks\n---\n[outfit]({LTK})\n"))
        .build()
        .ok();
    let links = hrefs_with_rel(&built.html("posts/networks/index.html"));
    assert!(links.iter().any(|(h, _)| h == "https://liketk.it/3abc?src=blog"), "{links:?}");
}

#[test]
fn the_creator_can_reword_but_not_remove_the_disclosure() {
    let site = SiteTest::fixture("affiliate")
        .edit("profile.toml", |p| format!("{p}\n[disclosure]\ntext = \"Mia earns from links here.\"\n"));
    let built = site.build().ok();
    let html = built.text("posts/every-link/index.html");
    assert!(html.contains("Mia earns from links here."));
    assert!(html.contains(AMAZON_STATEMENT), "Amazon's statement stays");
}

#[test]
fn feeds_drop_amazon_tags_unless_asked() {
    let site = SiteTest::fixture("affiliate");
    let feed = site.build().ok().text("feed.xml");
    assert!(feed.contains("https://www.amazon.com/dp/B000000001"), "{feed}");
    assert!(!feed.contains("tag=miachen"), "Amazon tags must not reach the feed");
    assert!(feed.contains("ref=miachen"), "other programs keep their parameters");
    let site = site.edit("profile.toml", |p| {
        p.replace("marketplace = \"amazon.com\"", "marketplace = \"amazon.com\"\nfeed_tags = true")
    });
    assert!(site.build().ok().text("feed.xml").contains("tag=miachen-20"));
}

#[test]
fn json_ld_reviews_use_the_creators_rating_and_never_amazons_data() {
    let built = SiteTest::fixture("affiliate").build().ok();
    let page = built.html("posts/every-link/index.html");
    let json: serde_json::Value = serde_json::from_str(&page.texts("script[type='application/ld+json']")[0]).unwrap();
    let text = json.to_string();
    assert!(!text.contains("aggregateRating") && !text.contains("offers") && !text.contains("price"), "{text}");
    let item = &json["about"]["itemListElement"][0]["item"];
    assert_eq!(item["name"], "Studio Mic");
    assert_eq!(item["review"]["reviewRating"]["ratingValue"], 4.5);
    assert_eq!(item["review"]["author"]["name"], "Mia Chen");
    // The Article around them: absolute URLs, the post's dates, the creator as author.
    let url = "https://mia.example/posts/every-link/";
    assert_eq!(json["@context"], "https://schema.org");
    assert_eq!(json["@type"], "Article");
    assert_eq!(json["headline"], "Every kind of link");
    assert_eq!(json["description"], "Links in every position.");
    assert_eq!((&json["url"], &json["mainEntityOfPage"]), (&url.into(), &url.into()));
    assert_eq!(json["datePublished"], "2025-05-01T10:00:00+00:00");
    assert_eq!(json["dateModified"], "2025-05-01T10:00:00+00:00");
    assert_eq!(json["image"], "https://mia.example/images/mic.svg");
    assert_eq!(json["author"]["@type"], "Person");
    assert_eq!(json["author"]["url"], "https://mia.example/");
    assert_eq!(item["image"], "https://mia.example/images/mic.svg");
    let items = json["about"]["itemListElement"].as_array().unwrap();
    let positions: Vec<_> = items.iter().map(|i| i["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, [1, 2, 3]);
    // A product without a rating or image gets neither, not a null.
    let lamp = items[1]["item"].as_object().unwrap();
    assert_eq!(lamp.keys().collect::<Vec<_>>(), ["@type", "name"]);
    // Every other page describes the creator and the site.
    for other in ["index.html", "shop/index.html", "categories/audio/index.html"] {
        let page = built.html(other);
        let json: serde_json::Value =
            serde_json::from_str(&page.texts("script[type='application/ld+json']")[0]).unwrap();
        let graph = json["@graph"].as_array().unwrap_or_else(|| panic!("{other}: {json}"));
        assert_eq!(graph[0]["@type"], "Person", "{other}");
        assert_eq!(graph[0]["name"], "Mia Chen", "{other}");
        assert_eq!(graph[1]["@type"], "WebSite", "{other}");
        assert_eq!(graph[1]["url"], "https://mia.example/", "{other}");
    }
}

#[test]
fn shortcodes_render_cards_and_tables_in_place() {
    let built = SiteTest::fixture("affiliate").build().ok();
    let html = built.text("posts/every-link/index.html");
    assert!(!html.contains("{{ product("), "shortcode left as text");
    assert!(!html.contains("<!--sc:"), "marker left behind");
    let page = built.html("posts/every-link/index.html");
    assert!(page.has("table"), "compare() renders a table");
}

#[test]
fn buy_buttons_carry_the_ad_label_in_the_sites_language() {
    let built = SiteTest::fixture("affiliate").build().ok();
    assert!(built.text("posts/every-link/index.html").contains("Ad · paid link"));
    let site =
        SiteTest::fixture("affiliate").edit("profile.toml", |p| p.replace("[site]\n", "[site]\nlanguage = \"de\"\n"));
    let html = site.build().ok().text("posts/every-link/index.html");
    assert!(html.contains("Werbung"), "German ad label");
    assert!(html.contains("Als Amazon-Partner verdiene ich an qualifizierten Verkäufen."));
}

#[test]
fn check_reports_json_findings_and_exits_1_on_errors() {
    let site = SiteTest::fixture("affiliate")
        .file(
            "content/posts/bad.md",
            "---\ntitle: Bad\nproducts:\n  - name: Mic\n    asin: B000000009\n    price: \"$10\"\n    stars: 4.7\n---\n\
             [short](https://amzn.to/3abc) [again](https://amzn.to/3def) [hidden](https://geni.us/x)\n",
        )
        .file("static/_redirects", "/go/mic https://www.amazon.com/dp/B000000001 302\n");
    let Checked { code, findings } = site.check_json();
    assert_eq!(code, Some(1));
    let find = |code: &str| {
        findings.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code} in {findings:#?}")).clone()
    };
    let price = find("amazon-price");
    assert_eq!(
        (price["severity"].as_str(), price["file"].as_str(), price["line"].as_u64()),
        (Some("error"), Some("content/posts/bad.md"), Some(6))
    );
    assert_eq!(find("amazon-ratings")["line"], 7);
    assert_eq!(find("hidden-amazon-link")["severity"], "error");
    assert_eq!(find("unverifiable-short-link")["severity"], "warning");
    let short_links = findings.iter().filter(|f| f["code"] == "unverifiable-short-link").count();
    assert_eq!(short_links, 1, "short links are warned about once per site");
    assert!(findings.iter().any(|f| f["file"] == "static/_redirects" && f["line"] == 1));
    for finding in &findings {
        for key in ["severity", "code", "file", "line", "message"] {
            assert!(finding.get(key).is_some(), "{key} missing in {finding}");
        }
    }
}

#[test]
fn broken_internal_links_and_images_are_errors_at_their_line() {
    let site = SiteTest::fixture("affiliate").file(
        "content/posts/links.md",
        "---\ntitle: Links\n---\nFine: [home](/) [post](/posts/plain/) [shop](/shop/) [tag page](/categories/audio/).\n\n\
         [gone](/posts/nope/) and ![missing](/images/nope.png)\n\n[bad anchor](/posts/plain/#nowhere)\n",
    );
    let Checked { code, findings } = site.check_json();
    assert_eq!(code, Some(1));
    let at = |code: &str| -> Vec<(u64, String)> {
        findings
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| (f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_owned()))
            .collect()
    };
    let broken = at("broken-link");
    assert_eq!(broken.len(), 2, "{findings:#?}");
    assert!(broken.iter().all(|(line, _)| *line == 6));
    assert!(broken.iter().any(|(_, m)| m.contains("image")));
    assert_eq!(at("broken-anchor").len(), 1);
    assert_eq!(at("broken-anchor")[0].0, 8);
}

#[test]
fn check_is_clean_on_a_compliant_site_and_writes_nothing() {
    // The fixture's dummy ASINs are the samples `init` writes, which `check` refuses.
    let site = SiteTest::fixture("affiliate")
        .edit("content/posts/2025-05-01-every-link.md", |post| post.replace("B00000000", "B0TESTASN"));
    site.cli().arg("check").assert().success().stderr(contains("0 error(s)"));
    assert!(!site.root().join("public").exists());
}

#[test]
fn the_example_site_checks_clean() {
    let site = SiteTest::example_site();
    site.cli().arg("check").assert().success().stderr(contains("No problems found."));
}

#[test]
fn the_affiliate_filter_tags_links_written_by_templates() {
    let site = SiteTest::fixture("affiliate").file(
        "templates/page.html",
        "<html><body>{% if disclosure %}<p>{{ disclosure.text }} {{ disclosure.amazon }}</p>{% endif %}\
         <a id=t href=\"{{ 'https://amazon.de/dp/B000000007' | affiliate }}\" rel=\"{{ 'https://amazon.de/dp/B000000007' | link_rel }}\">x</a>{{ page.content | safe }}</body></html>",
    );
    let built = site.build().ok();
    let page = built.html("gear/index.html");
    assert_eq!(page.attr("#t", "href"), "https://www.amazon.de/dp/B000000007?tag=miachen0d-21");
    assert_eq!(page.attr("#t", "rel"), "sponsored nofollow noopener");
    // A page whose own content earns nothing gets the disclosure its
    // template's filtered links need: a sponsored pick in every post's sidebar.
    let sidebar = SiteTest::fixture("affiliate").file("content/posts/plain-note.md", "---\ntitle: A note\n---\nNo links here.\n").file(
        "templates/post.html",
        "<html><body>{% if disclosure %}<p>{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</p>{% endif %}\
         {{ page.content | safe }}<aside><a id=t href=\"{{ 'https://www.amazon.com/dp/B06XCKGLTP' | affiliate }}\">My mic</a></aside></body></html>",
    );
    let built = sidebar.build().ok();
    let page = built.html("posts/plain-note/index.html");
    assert_eq!(page.attr("#t", "href"), "https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20");
    let banner = page.texts("p").join(" ");
    assert!(banner.contains("As an Amazon Associate"), "{banner}");
    // A network's tracking link has no statement of its own, but needs the banner all the same.
    let network = SiteTest::fixture("affiliate").file("content/posts/plain-note.md", "---\ntitle: A note\n---\nNo links here.\n").file(
        "templates/post.html",
        "<html><body>{% if disclosure %}<p id=d>{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</p>{% endif %}\
         {{ page.content | safe }}<a href=\"{{ 'https://www.shareasale.com/r.cfm?b=1&u=2&m=3' | affiliate }}\">Deal</a></body></html>",
    );
    let built = network.build().ok();
    assert!(built.html("posts/plain-note/index.html").texts("#d").iter().any(|t| !t.trim().is_empty()));
}

/// The check judges what a reader sees: a template that keeps the banner
/// out of sight fails, naming page, template and what hides the banner, at
/// the line of the element that hides it; the same banner in view passes. (Each trick is in the compliance unit tests;
/// these go through a whole build, minifying included.)
#[test]
fn a_banner_readers_cannot_see_fails_the_build() {
    let banner = "{% if disclosure %}<p>{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</p>{% endif %}";
    let template = |wrapped: &str| {
        format!(
            "<html><head><title>{{{{ seo.title }}}}</title></head>\n<body>\n  {wrapped}{{{{ page.content | safe }}}}</body></html>"
        )
    };
    let tricks = [
        (format!("<!-- {banner} -->"), "it is in an HTML comment"),
        (
            format!("<div class=\"fine print\" hidden>{banner}</div>"),
            "`<div class=\"fine print\">` has the `hidden` attribute",
        ),
        (format!("<div style=\"DISPLAY:none\">{banner}</div>"), "the style `display: none` of `<div>` hides it"),
        (format!("<details><summary>Info</summary>{banner}</details>"), "it is inside `<details>`, which is closed"),
        (format!("<noscript>{banner}</noscript>"), "it is inside `<noscript>`"),
    ];
    for (trick, cause) in tricks {
        let site = SiteTest::fixture("affiliate").file("templates/post.html", template(&trick));
        for minify in [false, true] {
            let failed = site.build_with(|o| o.minify = minify);
            let errors = failed.errors();
            let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{trick}: {errors}"));
            assert!(error.message.contains("/posts/every-link/"), "{}", error.message);
            // Minifying takes comments out: then the banner is missing.
            if !(minify && trick.starts_with("<!--")) {
                assert!(error.message.contains(cause), "{trick}: {}", error.message);
            }
            assert_eq!(error.path.as_deref(), Some(std::path::Path::new("templates/post.html")));
            // The element that hides it, where the template writes it.
            let at = if trick.starts_with("<!--") { None } else { Some(3) };
            assert_eq!((error.line, error.column), (at, at.map(|_| 3)), "{trick}: {error:?}");
        }
    }
    // An element in a template the page's template includes is found there.
    let partial = SiteTest::fixture("affiliate")
        .file("templates/post.html", template("{% include \"partials/legal.html\" %}"))
        .file(
            "templates/partials/legal.html",
            format!("<p>Small print</p>\n<aside class=legal aria-hidden=\"true\">{banner}</aside>\n"),
        );
    let failed = partial.build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("`<aside class=\"legal\">` has `aria-hidden=\"true\"`"), "{}", error.message);
    assert_eq!(error.path.as_deref(), Some(std::path::Path::new("templates/partials/legal.html")));
    assert_eq!((error.line, error.column), (Some(2), Some(1)));
    let visible =
        SiteTest::fixture("affiliate").file("templates/post.html", template(&format!("<aside>{banner}</aside>")));
    visible.build().ok();
}

/// Amazon's ad widgets are Amazon affiliate content: a page that loads one
/// gets the banner and Amazon's statement, and a theme that leaves them out
/// fails.
#[test]
fn an_amazon_ad_widget_needs_the_banner() {
    let widget = "<iframe src=\"//ws-na.amazon-adsystem.com/widgets/q?ServiceVersion=20070822&tracking_id=miachen-20\"></iframe>";
    let site = SiteTest::new()
        .file("content/pages/widget.md", format!("---\ntitle: Widget\n---\nMy favourite:\n\n{widget}\n"));
    let built = site.build().ok();
    // The banner, with Amazon's statement, comes before the widget.
    let text = built.text("widget/index.html");
    let statement = text.find(AMAZON_STATEMENT).expect("Amazon's statement on the page");
    assert!(statement < text.find("amazon-adsystem.com").unwrap(), "{text}");
    assert!(built.html("widget/index.html").has(".disclosure[role=note]"));
    let failed = site.file("templates/page.html", "<html><body>{{ page.content | safe }}</body></html>").build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("/widget/") && error.message.contains("amazon-adsystem.com"), "{}", error.message);
}

/// A rule in the site's own stylesheet that hides the banner is caught, read
/// with a real CSS parser; a stylesheet the pages do not link does not count.
#[test]
fn a_stylesheet_that_hides_the_banner_fails_the_build() {
    let site =
        SiteTest::fixture("affiliate").file("static/style.css", "body { margin: 0 }\n.disclosure { display: none; }\n");
    let failed = site.build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("where readers cannot see it"), "{}", error.message);
    // The message names the rule, where it is written, and the banner it hides.
    assert!(
        error.message.contains(
            "the rule `.disclosure { display: none }` in static/style.css (line 2, column 1) hides `<div class=\"disclosure\">`"
        ),
        "{}",
        error.message
    );
    let unlinked = SiteTest::fixture("affiliate").file("static/print-only.css", ".disclosure { display: none; }\n");
    unlinked.build().ok();
    // A rule in a stylesheet the linked one imports counts too.
    let imported = SiteTest::fixture("affiliate")
        .file("static/style.css", "@import url(\"legal/fine-print.css\");\nbody { margin: 0 }\n")
        .file("static/legal/fine-print.css", ".disclosure { visibility: hidden }\n");
    let failed = imported.build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("in static/legal/fine-print.css (line 1, column 1)"), "{}", error.message);
    // A built-in theme's rule, used by a custom template, is named as the theme's.
    let theme_rule = SiteTest::fixture("affiliate").file(
        "templates/post.html",
        "<html><head><title>x</title><link rel=stylesheet href=\"/style.css\"></head><body>\
         {% if disclosure %}<p class=\"sr-only\">{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</p>{% endif %}\
         {{ page.content | safe }}</body></html>",
    );
    let failed = theme_rule.build();
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(
        error.message.contains(
            "the rule `.sr-only { clip: rect(0 0 0 0) }` in the aisle theme's style.css (line 29, column 1) hides `<p class=\"sr-only\">`"
        ),
        "{}",
        error.message
    );
}

/// Subtler rules fail the build as well: the banner moved out of the page,
/// shrunk or clipped past reading, painted in its background's colour, or
/// hidden by a nested rule.
#[test]
fn a_stylesheet_that_moves_shrinks_or_fades_the_banner_fails_the_build() {
    for rule in [
        ".disclosure { position: absolute; left: -9999px }",
        ".disclosure { font-size: 5px }",
        ".disclosure { height: 1px; overflow: hidden }",
        ".disclosure p { color: #fefefe; background: #fff }",
        ".disclosure { transform: scale(0.05) }",
        ".disclosure { text-indent: -100em }",
        "body { .disclosure { display: none } }",
    ] {
        let site = SiteTest::fixture("affiliate").file("static/style.css", format!("body {{ margin: 0 }}\n{rule}\n"));
        let failed = site.build();
        let errors = failed.errors();
        let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{rule}: {errors}"));
        assert!(error.message.contains("too small or faint"), "{rule}: {}", error.message);
        // Which rule, where.
        assert!(error.message.contains("in static/style.css (line 2, column "), "{rule}: {}", error.message);
    }
}

/// Rules written the ways real stylesheets write them still hide: a
/// comment or an escape in the value, `:root` or `:is()` in the selector, a
/// sibling combinator, `@media not print`, the site's own stylesheet linked
/// by its absolute URL.
#[test]
fn a_stylesheet_that_hides_the_banner_in_any_spelling_fails_the_build() {
    let linked = "<html><head><title>x</title><link rel=\"stylesheet\" href=\"https://mia.example/extra.css\"></head><body>\
                  <h1>x</h1>{% if disclosure %}<div class=\"disclosure\">{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</div>{% endif %}\
                  {{ page.content | safe }}</body></html>";
    for rule in [
        ".disclosure { display: none /* moved to the footer */ }",
        ".disclosure { display: n\\6f ne }",
        ":root .disclosure { display: none }",
        ".disclosure:is(div, p) { visibility: hidden }",
        "h1 ~ .disclosure { display: none }",
        "@media not print { .disclosure { display: none } }",
    ] {
        let site = SiteTest::fixture("affiliate")
            .file("templates/post.html", linked)
            .file("static/extra.css", format!("body {{ margin: 0 }}\n{rule}\n"));
        let failed = site.build();
        let errors = failed.errors();
        let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{rule}: {errors}"));
        assert!(error.message.contains("in static/extra.css (line 2, column "), "{rule}: {}", error.message);
    }
}

/// A custom template over the theme's stylesheet: the banner coloured like
/// what is behind it, faded with the elements around it, moved a viewport
/// away, hidden through a custom property or by a stylesheet carried in a
/// `data:` URL fails the build; a paragraph the banner's block closes does
/// not hide it.
#[test]
fn a_banner_hidden_with_the_page_around_it_fails_the_build() {
    let template = |head: &str, before: &str, after: &str| {
        format!(
            "<html><head><title>x</title><link rel=\"stylesheet\" href=\"/style.css\"><link rel=\"stylesheet\" href=\"/extra.css\">{head}</head><body>\
             {before}{{% if disclosure %}}<div class=\"disclosure\">{{{{ disclosure.text }}}} {{% for s in disclosure.statements %}}{{{{ s.text }}}} {{% endfor %}}</div>{{% endif %}}{after}\
             {{{{ page.content | safe }}}}</body></html>"
        )
    };
    let build = |template: String, css: &str| {
        SiteTest::fixture("affiliate").file("templates/post.html", template).file("static/extra.css", css).build()
    };
    let hidden = [
        // White on the theme's own light tint (`background: var(--tint)`).
        (template("", "", ""), ".disclosure { color: #fff }"),
        (template("", "", ""), ":root { --gone: none }\n.disclosure { display: var(--gone) }"),
        (template("", "", ""), ".disclosure { position: absolute; left: -100vw }"),
        (template("", "<main>", "</main>"), "main { opacity: .4 }\n.disclosure { opacity: .4 }"),
        (template("<link rel=\"stylesheet\" href=\"data:text/css,.disclosure%7Bdisplay:none%7D\">", "", ""), ""),
        // Faded out for good once the page has loaded.
        (template("", "", ""), "@keyframes out { to { opacity: 0 } }\n.disclosure { animation: out .3s 1s forwards }"),
        (template("", "<main class=\"wrap\">", "</main>"), ".wrap { visibility: hidden }"),
    ];
    for (template, css) in hidden {
        let failed = build(template.clone(), css);
        let errors = failed.errors();
        let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{css}: {errors}"));
        assert!(error.message.contains("where readers cannot see it"), "{css} {template}: {}", error.message);
    }
    // The colour names its rule.
    let failed = build(template("", "", ""), "body { margin: 0 }\n.disclosure { color: #fff }");
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(
        error.message.contains("`.disclosure { color: #fff }` in static/extra.css (line 2, column 1)"),
        "{}",
        error.message
    );
    // Shown after the post's links: the banner last in their flex container.
    let failed = build(template("", "<main class=\"w\">", ""), ".w { display: flex }\n.disclosure { order: 9 }");
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("before the disclosure"), "{}", error.message);
    // Readable: dark text on the tint, a fade that leaves it legible, a
    // hidden paragraph the banner's block ends, a banner faded in, shown
    // again inside what `visibility` hides, or a sidebar moved after it.
    for (template, css) in [
        (template("", "", ""), ".disclosure { color: #222 }"),
        (template("", "<main>", "</main>"), "main { opacity: .8 }\n.disclosure { opacity: .8 }"),
        (template("", "<p hidden>Loading", ""), ""),
        (
            template("", "", ""),
            ".disclosure { opacity: 0; animation: in .4s forwards }\n@keyframes in { to { opacity: 1 } }",
        ),
        (
            template("", "<main class=\"wrap\">", "</main>"),
            ".wrap { visibility: hidden }\n.wrap .disclosure { visibility: visible }",
        ),
        (template("", "<div class=\"l\"><aside>Hi</aside><main>", ""), ".l { display: grid }\naside { order: 2 }"),
    ] {
        build(template, css).ok();
    }
}

/// Links a browser shows elsewhere than the template writes them count
/// there: a link a table holds outside its cells comes before the table, a
/// button outside its form submits it, a frame's `srcdoc` is a page.
#[test]
fn links_count_where_a_browser_shows_them() {
    let banner = "{% if disclosure %}<div class=\"disclosure\">{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</div>{% endif %}";
    let amazon = "https://www.amazon.com/dp/B06XCKGLTP?tag=miachen-20";
    for body in [
        format!("<table><tr><td>{banner}</td></tr><a href=\"{amazon}\">Buy first</a></table>"),
        format!(
            "<button form=\"cart\">Add to cart</button>{banner}<form id=\"cart\" action=\"https://www.amazon.com/gp/aws/cart/add.html\"></form>"
        ),
        format!("<iframe srcdoc=\"&lt;a target=_top href='{amazon}'&gt;Buy&lt;/a&gt;\"></iframe>{banner}"),
    ] {
        let template =
            format!("<html><head><title>x</title></head><body>{body}{{{{ page.content | safe }}}}</body></html>");
        let failed = SiteTest::fixture("affiliate").file("templates/post.html", template).build();
        let errors = failed.errors();
        let error = errors.iter().find(|d| d.code == "disclosure").unwrap_or_else(|| panic!("{body}: {errors}"));
        assert!(error.message.contains("www.amazon.com"), "{body}: {}", error.message);
    }
}

/// A banner for phones and another for wider screens, each hidden at the
/// other's widths, keep a disclosure in sight at every width; hiding both
/// at some width does not.
#[test]
fn a_banner_per_screen_width_is_in_sight_at_every_width() {
    let template = "<html><head><title>x</title><link rel=\"stylesheet\" href=\"/extra.css\"></head><body>\
                    {% if disclosure %}{% for class in [\"narrow\", \"wide\"] %}<div class=\"disclosure {{ class }}\">{{ disclosure.text }} {% for s in disclosure.statements %}{{ s.text }} {% endfor %}</div>{% endfor %}{% endif %}\
                    {{ page.content | safe }}</body></html>";
    let build = |css: &str| {
        SiteTest::fixture("affiliate").file("templates/post.html", template).file("static/extra.css", css).build()
    };
    for css in [
        "@media (max-width: 600px) { .wide { display: none } }\n@media (min-width: 601px) { .narrow { display: none } }",
        "@media (width < 40em) { .wide { display: none } } @media (width >= 40em) { .narrow { display: none } }",
        ".wide { display: none } @media screen and (min-width: 768px) { .wide { display: block } .narrow { display: none } }",
    ] {
        build(css).ok();
    }
    // Between 601 and 700 px neither shows.
    let failed = build(
        "@media (max-width: 700px) { .wide { display: none } }\n@media (min-width: 601px) { .narrow { display: none } }",
    );
    let errors = failed.errors();
    assert!(errors.iter().any(|d| d.code == "disclosure"), "{errors}");
}

/// A product link's warning stands at that product's own `url:` line, not
/// at the next line that mentions "asin".
#[test]
fn product_link_warnings_point_at_the_products_own_line() {
    let post = "---\ntitle: Two mics\nproducts:\n  - name: First\n    asin: B06XCKGLTP\n  - name: Second\n    url: https://www.amazon.com/dp/B08N5WRWNW?tag=dealsite-20\n    note: has an asin too\n  - name: Third\n    asin: B000000003\n---\nBody.\n";
    let built = SiteTest::fixture("affiliate").file("content/posts/two.md", post).build().ok();
    let warnings = built.warnings();
    let foreign = warnings
        .iter()
        .find(|d| d.code == "foreign-tag-replaced" && d.path.as_deref().is_some_and(|p| p.ends_with("two.md")))
        .unwrap_or_else(|| panic!("{warnings}"));
    assert_eq!(foreign.line, Some(7), "{warnings}");
}

/// A product with an `asin:` and an Amazon `url:` but no `marketplace:`
/// links to the store of its `url:`; `marketplace:` still decides.
#[test]
fn a_products_amazon_url_names_its_store() {
    let post = "---\ntitle: Kettles\nproducts:\n  - name: UK kettle\n    asin: B0KETTLEUK\n    url: https://www.amazon.co.uk/dp/B0KETTLEUK\n\
                \x20 - name: DE kettle\n    asin: B0KETTLEDE\n    url: https://www.amazon.co.uk/dp/B0KETTLEDE\n    marketplace: amazon.de\n---\nBody.\n";
    let built = SiteTest::fixture("affiliate").file("content/posts/kettles.md", post).build().ok();
    let links = hrefs_with_rel(&built.html("posts/kettles/index.html"));
    for href in [
        "https://www.amazon.co.uk/dp/B0KETTLEUK?tag=miachen-21",
        "https://www.amazon.de/dp/B0KETTLEDE?tag=miachen0d-21",
    ] {
        assert!(links.iter().any(|(h, _)| h == href), "missing {href} in {links:#?}");
    }
    assert!(!links.iter().any(|(h, _)| h.starts_with("https://www.amazon.com/dp/B0KETTLE")), "{links:#?}");
}

/// The profile's own links are judged like a post's: each warning stands
/// at its line of `profile.toml`.
#[test]
fn the_profiles_own_amazon_links_are_warned_about_at_their_lines() {
    let site = SiteTest::fixture("affiliate").edit("profile.toml", |p| {
        p.replace(
            "[site]\n",
            "[links]\nwishlist = \"https://www.amazon.fr/hz/wishlist/ls/ABC\"\n\n\
             [[buttons]]\nlabel = \"My mic\"\nurl = \"https://www.amazon.com/dp/B06XCKGLTP?tag=someoneelse-20\"\n\n[site]\n",
        )
    });
    let built = site.build().ok();
    let warnings = built.warnings();
    let at = |code: &str| {
        warnings
            .iter()
            .find(|d| d.code == code && d.path.as_deref().is_some_and(|p| p.ends_with("profile.toml")))
            .unwrap_or_else(|| panic!("no {code} at profile.toml: {warnings}"))
            .line
    };
    assert_eq!(at("missing-tag"), Some(6), "{warnings}");
    assert_eq!(at("foreign-tag-replaced"), Some(10), "{warnings}");
}

/// A video shortcode is a facade in every theme: the page asks nothing of
/// the video's site until a reader clicks (no iframe, no outside image),
/// links to the video for readers without JavaScript, and its rail's
/// products are shown once, with the disclosure before them.
#[test]
fn a_video_is_a_facade_that_loads_nothing_from_the_video_site() {
    for theme in shopfront::render::theme::bundled().into_iter().map(|t| t.name) {
        let built = SiteTest::example_site().build_with(|options| options.theme = Some(theme.clone())).ok();
        let page = built.html("posts/first-youtube-camera/index.html");
        assert_eq!(page.attrs("a[data-embed]", "href"), ["https://www.youtube.com/watch?v=aqz-KE-bpKQ"], "{theme}");
        assert_eq!(
            page.attr("a[data-embed]", "data-embed"),
            "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1",
            "{theme}"
        );
        assert!(!page.has("iframe"), "{theme}: an iframe loads the video's site before a click");
        for src in page.attrs("[src]", "src").into_iter().chain(page.attrs("[srcset]", "srcset")) {
            assert!(
                !src.contains("://") || src.starts_with("https://miachen.example"),
                "{theme}: {src} is requested on load"
            );
        }
        assert!(page.attrs("script[type=module]", "src").iter().any(|s| s.ends_with("/video.js")), "{theme}");
        assert!(built.exists("video.js"), "{theme}");
        // The rail's products are cards once, with the jump links of the summary leading to them.
        for id in ["p-B0DOZ1VC4M", "p-B0BFT3GRP6"] {
            assert_eq!(page.attrs(&format!(".rail [id='{id}']"), "id").len(), 1, "{theme}: {id} in the rail");
        }
        assert!(matches!(page.banner_before_first_affiliate_link(), BannerCheck::Before { .. }), "{theme}");
    }
}

#[test]
fn a_wrong_video_shortcode_is_an_error_at_its_line() {
    let cases = [
        ("{{ youtube(\"not-an-id\") }}", "is not a YouTube video"),
        ("{{ youtube(\"dQw4w9WgXcQ\", autoplay=1) }}", "has no argument `autoplay`"),
        (
            "{{ vimeo(\"76979871\", products=\"B0NOPE0000\") }}",
            "no product of this post has the asin or id `B0NOPE0000`",
        ),
        ("{{ tiktok() }}", "needs the video"),
    ];
    for (call, expected) in cases {
        let site = SiteTest::fixture("affiliate")
            .file("content/posts/video.md", format!("---\ntitle: Video\ndate: 2025-01-01\n---\n\nIntro.\n\n{call}\n"));
        let built = site.build();
        let error = built.only_error();
        assert!(error.message.contains(expected), "{call}: {}", error.message);
        assert_eq!(error.line, Some(8), "{call}: {error:?}");
    }
}
