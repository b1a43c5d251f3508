//! The core build: every page kind, URLs under a sub-path, Hexo and Jekyll
//! posts read verbatim, drafts, bundles, CJK collections, determinism and
//! atomic output.

use std::collections::BTreeSet;

use crate::support::{SiteTest, percent_decode, snapshot};

#[test]
fn every_page_kind_is_written() {
    let site = SiteTest::fixture("hexo-subpath");
    let built = site.build().ok();
    for file in [
        "index.html",
        "page/2/index.html",
        "posts/hello-world/index.html",
        "posts/tea-kettles/index.html",
        "posts/gear-bundle/index.html",
        "about/index.html",
        "shop/index.html",
        "categories/index.html",
        "categories/desk/index.html",
        "tags/index.html",
        "tags/kettle/index.html",
        "search/index.html",
        "disclosure/index.html",
        "404.html",
        "search-index.json",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "style.css",
        "images/avatar.svg",
    ] {
        assert!(built.exists(file), "missing {file}");
    }
}

#[test]
fn every_internal_link_resolves_under_the_sub_path() {
    let site = SiteTest::fixture("hexo-subpath");
    let built = site.build().ok();
    let mut checked = 0;
    for file in built.html_files() {
        let page = built.html(&file);
        let mut urls = page.attrs("a[href]", "href");
        urls.extend(page.attrs("img[src]", "src"));
        urls.extend(page.attrs("link[href]", "href"));
        for url in urls {
            if url.starts_with("http") || url.starts_with("mailto:") || url.starts_with('#') {
                continue;
            }
            let (path, fragment) = url.split_once('#').unwrap_or((&url, ""));
            let relative = if path.starts_with('/') {
                assert!(url.starts_with("/shop/"), "{file}: {url} does not carry the /shop sub-path");
                percent_decode(path.trim_start_matches("/shop/"))
            } else {
                // Relative to the page's folder (bundle files).
                let folder = file.rsplit_once('/').map_or("", |(dir, _)| dir);
                format!("{folder}/{}", percent_decode(path))
            };
            let target = if relative.is_empty() || relative.ends_with('/') {
                format!("{relative}index.html")
            } else {
                relative.clone()
            };
            assert!(built.exists(&target), "{file}: link {url} points at a missing {target}");
            if !fragment.is_empty() && target.ends_with(".html") {
                let ids = built.html(&target).attrs("[id]", "id");
                assert!(ids.iter().any(|id| id == fragment), "{file}: {url}: no #{fragment} in {target}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} internal links checked");
}

#[test]
fn absolute_urls_use_the_base_url() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    let post = built.html("posts/hello-world/index.html");
    assert_eq!(post.attr("link[rel=canonical]", "href"), "https://linwei.github.io/shop/posts/hello-world/");
    assert_eq!(post.attr("meta[property='og:url']", "content"), "https://linwei.github.io/shop/posts/hello-world/");
    let robots = built.text("robots.txt");
    assert!(robots.contains("Sitemap: https://linwei.github.io/shop/sitemap.xml"), "{robots}");
    let sitemap = built.text("sitemap.xml");
    assert!(sitemap.contains("<loc>https://linwei.github.io/shop/posts/tea-kettles/</loc>"), "{sitemap}");
    let feed = built.text("feed.xml");
    assert!(feed.contains("<id>https://linwei.github.io/shop/posts/tea-kettles/</id>"), "{feed}");
}

#[test]
fn base_url_flag_replaces_the_profile() {
    let site = SiteTest::fixture("hexo-subpath");
    let built = site.build_with(|o| o.base_url = Some("https://preview.example/x/".into())).ok();
    let home = built.html("index.html");
    assert_eq!(home.attr("link[rel=canonical]", "href"), "https://preview.example/x/");
    assert!(home.attrs("a[href]", "href").iter().any(|h| h == "/x/shop/"));
}

#[test]
fn drafts_are_left_out_unless_asked() {
    let site = SiteTest::fixture("hexo-subpath");
    let built = site.build().ok();
    assert!(!built.exists("posts/draft/index.html"));
    assert!(!built.text("search-index.json").contains("Secret draft"));
    let with_drafts = site.build_with(|o| o.drafts = true).ok();
    assert!(with_drafts.exists("posts/draft/index.html"));
}

#[test]
fn bundle_files_are_copied_next_to_their_page() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    assert!(built.exists("posts/gear-bundle/desk.svg"));
    let post = built.html("posts/gear-bundle/index.html");
    assert!(post.attrs("img", "src").iter().any(|s| s == "desk.svg" || s == "/shop/posts/gear-bundle/desk.svg"));
    // The link preview is the cover drawn as a 1200 × 630 JPEG, under the sub-path.
    let preview = post.attr("meta[property='og:image']", "content");
    assert!(preview.starts_with("https://linwei.github.io/shop/_img/desk-1200x630."), "{preview}");
    assert!(built.exists(preview.trim_start_matches("https://linwei.github.io/shop/")), "{preview}");
    let decoded = image::load_from_memory(&built.bytes(preview.trim_start_matches("https://linwei.github.io/shop/")));
    assert_eq!((decoded.as_ref().unwrap().width(), decoded.as_ref().unwrap().height()), (1200, 630));
}

#[test]
fn cjk_collections_get_pinyin_slugs_or_keep_their_script() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    assert!(built.exists("categories/guang-gao/index.html"));
    assert!(built.exists("categories/chu-fang/index.html"));
    assert!(built.exists("tags/cha/index.html"));
    let term = built.html("categories/guang-gao/index.html");
    assert!(term.texts("h1").iter().any(|t| t.contains("广告")), "{:?}", term.texts("h1"));

    let site = SiteTest::fixture("hexo-subpath")
        .edit("profile.toml", |p| p.replace("[site]\n", "[site]\nslugs = \"unicode\"\n"));
    let built = site.build().ok();
    assert!(built.exists("categories/广告/index.html"));
    let post = built.html("posts/tea-kettles/index.html");
    assert!(post.attrs("a", "href").iter().any(|h| h == "/shop/categories/%E5%B9%BF%E5%91%8A/"));
}

#[test]
fn hexo_nested_categories_and_jekyll_space_offset_dates() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    let kettles = built.html("posts/tea-kettles/index.html");
    let datetime = kettles.attr("time[datetime]", "datetime");
    assert_eq!(datetime, "2025-03-01T20:15:00+08:00", "no offset means the profile's time zone");
    let jekyll = built.html("posts/jekyll-style/index.html");
    assert_eq!(jekyll.attr("time[datetime]", "datetime"), "2024-12-24T15:32:14+08:00");
    // "jekyll update" is one category: the spec reads a single string as one name.
    assert!(built.exists("categories/jekyll-update/index.html"));
}

#[test]
fn unknown_front_matter_keys_reach_templates_and_templates_override_the_theme() {
    let site = SiteTest::fixture("hexo-subpath").file(
        "templates/post.html",
        "<html><head><title>{{ seo.title }}</title></head><body>\
         {% if page.extra.layout is defined %}<p id=layout>{{ page.extra.layout }}</p>{% endif %}{% if page.extra.toc is defined %}<p id=toc>{{ page.extra.toc }}</p>{% endif %}{{ page.content | safe }}</body></html>",
    );
    let built = site.build().ok();
    let post = built.html("posts/tea-kettles/index.html");
    assert_eq!(post.texts("#layout"), ["post"]);
    assert_eq!(post.texts("#toc"), ["true"]);
    // Only post.html was replaced: the home page still comes from the theme.
    assert!(built.html("index.html").has("link[rel=stylesheet]"));
}

#[test]
fn summaries_follow_the_documented_order() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    let description = |path: &str| built.html(path).attr("meta[name=description]", "content");
    assert_eq!(description("posts/tea-kettles/index.html"), "Three kettles, one winner.");
    assert_eq!(description("posts/gear-bundle/index.html"), "First paragraph is the summary here.");
    assert_eq!(description("posts/toml-post/index.html"), "Written the Hugo way.");

    let more = SiteTest::new()
        .file("content/posts/m.md", "---\ntitle: M\n---\nBefore the *fold*.\n\n<!-- more -->\n\nAfter.\n")
        .build()
        .ok();
    assert_eq!(more.html("posts/m/index.html").attr("meta[name=description]", "content"), "Before the fold.");
}

#[test]
fn posts_are_newest_first_and_undated_last() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    let index: serde_json::Value = serde_json::from_str(&built.text("search-index.json")).unwrap();
    let titles: Vec<&str> = index
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "post")
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "三款电热水壶横评",
            "A bundle post: my gear",
            "Hello World",
            "Welcome to Jekyll!",
            "TOML front matter",
            "An undated post",
            "Notes without front matter",
        ]
    );
}

#[test]
fn the_home_pages_list_every_post_once_and_feature_the_marked_ones() {
    let post = |n: usize, featured: bool| {
        format!("---\ntitle: Post {n}\ndate: 2025-01-{n:02}\nfeatured: {featured}\n---\nBody {n}.\n")
    };
    let profile = format!("{}posts_per_page = 2\n", crate::support::PROFILE);
    let mut site = SiteTest::new().file("profile.toml", profile);
    for n in 1..=7 {
        site = site.file(&format!("content/posts/p{n}.md"), post(n, n == 2 || n == 5));
    }
    let built = site.build().ok();
    // Newest first, two a page; the first page leaves out what its featured row shows.
    let list = |path: &str| built.html(path).texts("ul.list .title");
    assert_eq!(list("page/2/index.html"), ["Post 5", "Post 4"]);
    assert_eq!(list("page/3/index.html"), ["Post 3", "Post 2"]);
    assert_eq!(list("page/4/index.html"), ["Post 1"]);
    assert!(!built.exists("page/5/index.html"));
    assert_eq!(built.html("index.html").texts(".featured .title"), ["Post 5", "Post 2"]);

    // Without a marked post, the row shows the three newest.
    let mut plain = SiteTest::new();
    for n in 1..=4 {
        plain = plain.file(&format!("content/posts/p{n}.md"), post(n, false));
    }
    assert_eq!(plain.build().ok().html("index.html").texts(".featured .title"), ["Post 4", "Post 3", "Post 2"]);
}

#[test]
fn pagination_splits_the_storefront() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    // 7 posts at 2 per page.
    assert!(built.exists("page/4/index.html"));
    assert!(!built.exists("page/5/index.html"));
    assert!(!built.exists("page/1/index.html"), "page 1 is the home page itself");
    let second = built.html("page/2/index.html");
    let links = second.attrs("a[href]", "href");
    assert!(links.iter().any(|h| h == "/shop/"), "page 2 links back to page 1");
    assert!(links.iter().any(|h| h == "/shop/page/3/"));
}

#[test]
fn norway_problem_names_stay_strings() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    assert!(built.exists("tags/no/index.html"));
    assert!(built.exists("tags/yes/index.html"));
}

#[test]
fn a_file_without_front_matter_takes_its_heading_as_title() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    let page = built.html("posts/no-front-matter/index.html");
    assert!(page.texts("title")[0].starts_with("Notes without front matter"));
    let warning = built.warnings().iter().find(|d| d.code == "no-title").expect("a warning");
    assert_eq!(warning.path.as_deref(), Some(std::path::Path::new("content/posts/no-front-matter.md")));
}

#[test]
fn products_are_cards_on_the_post_and_once_in_the_shop() {
    let site = SiteTest::fixture("hexo-subpath").file(
        "content/posts/second.md",
        "---\ntitle: Second\ndate: 2025-04-01\nproducts:\n  - name: Gooseneck Kettle again\n    asin: B0KETTLE01\n---\n",
    );
    let built = site.build().ok();
    let post = built.html("posts/tea-kettles/index.html");
    assert!(post.texts("h2, h3").iter().any(|t| t.contains("Gooseneck Kettle")), "{:?}", post.texts("h2, h3"));
    assert!(post.attrs("a", "href").iter().any(|h| h.starts_with("https://www.amazon.com/dp/B0KETTLE01")));
    let index: serde_json::Value = serde_json::from_str(&built.text("search-index.json")).unwrap();
    let products = index.as_array().unwrap().iter().filter(|e| e["kind"] == "product").count();
    assert_eq!(products, 1, "the same ASIN in two posts is one product");
}

#[test]
fn every_page_has_seo_tags_and_valid_json_ld() {
    let built = SiteTest::fixture("hexo-subpath").build().ok();
    for file in built.html_files() {
        let page = built.html(&file);
        assert_eq!(page.texts("title").len(), 1, "{file}: <title>");
        assert!(page.has("meta[name=description]"), "{file}: description");
        assert!(page.has("link[rel=canonical]"), "{file}: canonical");
        assert!(page.has("meta[property='og:title']"), "{file}: og:title");
        assert!(page.has("meta[name='twitter:card']"), "{file}: twitter:card");
        for script in page.texts("script[type='application/ld+json']") {
            let value: serde_json::Value =
                serde_json::from_str(&script).unwrap_or_else(|e| panic!("{file}: JSON-LD: {e}\n{script}"));
            assert!(!value.to_string().contains("aggregateRating"), "{file}");
        }
    }
}

#[test]
fn output_is_byte_identical_across_builds_and_thread_counts() {
    let site = SiteTest::fixture("hexo-subpath");
    let out = tempfile::tempdir().unwrap();
    let mut snapshots = Vec::new();
    for (name, threads) in [("a", "1"), ("b", "2"), ("c", "4")] {
        let dir = out.path().join(name);
        site.cli().env("RAYON_NUM_THREADS", threads).args(["build", "--output"]).arg(&dir).assert().success();
        snapshots.push(snapshot(&dir));
    }
    assert!(snapshots[0].len() > 30);
    assert!(snapshots[0] == snapshots[1], "1 thread and 2 threads differ");
    assert!(snapshots[0] == snapshots[2], "1 thread and 4 threads differ");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = SiteTest::fixture("hexo-subpath");
    let first = site.build().ok();
    let before = snapshot(&first.dir);
    let site = site.file("content/posts/broken.md", "---\ntitle: [unclosed\n---\nBody\n");
    let failed = site.build();
    assert!(failed.errors().has_errors());
    assert!(snapshot(&failed.dir) == before, "public/ changed after a failed build");
    let leftovers: BTreeSet<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".shopfront")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
}

#[test]
fn a_rebuild_drops_pages_of_deleted_posts() {
    let site = SiteTest::fixture("hexo-subpath");
    assert!(site.build().ok().exists("posts/undated/index.html"));
    std::fs::remove_file(site.root().join("content/posts/undated.md")).unwrap();
    assert!(!site.build().ok().exists("posts/undated/index.html"));
}

#[test]
fn output_inside_the_sources_is_refused() {
    let site = SiteTest::fixture("hexo-subpath");
    for output in [site.root().to_path_buf(), site.root().join("content"), site.root().join("static/out")] {
        let built = site.build_with(|o| o.output = Some(output.clone()));
        assert!(built.errors().iter().any(|d| d.message.contains("refusing")), "{}", output.display());
    }
    assert!(site.root().join("content/posts/hello-world.md").exists());
}

#[test]
fn awkward_but_valid_files_build() {
    let big = format!("---\ntitle: Big\n---\n{}", "A long paragraph of words. ".repeat(200_000));
    let site = SiteTest::new()
        .file("content/posts/bom-crlf.md", "\u{feff}---\r\ntitle: Windows\r\ntags: [a]\r\n---\r\nBody line\r\n")
        .file("content/posts/empty-body.md", "---\ntitle: Empty body\n---\n")
        .file("content/posts/中文文件名.md", "---\ntitle: 中文\n---\n正文")
        .file("content/posts/big.md", big);
    let built = site.build().ok();
    assert!(built.exists("posts/bom-crlf/index.html"));
    assert!(built.exists("posts/empty-body/index.html"));
    assert!(built.exists("posts/zhong-wen-wen-jian-ming/index.html"));
    assert!(built.text("posts/big/index.html").len() > 5_000_000);
    assert_eq!(built.html("posts/bom-crlf/index.html").texts("h1"), ["Windows"]);
}

#[test]
fn the_example_site_builds_cleanly() {
    let site = SiteTest::example_site();
    let built = site.build().ok();
    assert!(built.html_files().len() > 30);
    let errors: Vec<String> = built.warnings().iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn minify_shrinks_pages_without_changing_what_they_say() {
    let site = SiteTest::example_site();
    let out = tempfile::tempdir().unwrap();
    let (plain, small) = (out.path().join("plain"), out.path().join("small"));
    site.cli().args(["build", "--output"]).arg(&plain).assert().success();
    site.cli().args(["build", "--minify", "--output"]).arg(&small).assert().success();
    let (plain, small) = (snapshot(&plain), snapshot(&small));
    assert_eq!(
        plain.iter().map(|(path, _)| path).collect::<Vec<_>>(),
        small.iter().map(|(path, _)| path).collect::<Vec<_>>(),
        "the same files"
    );
    let words = |html: &scraper::Html| -> Vec<String> {
        html.root_element().text().flat_map(|t| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>()).collect()
    };
    let links = |html: &scraper::Html| -> Vec<(String, String)> {
        let a = scraper::Selector::parse("a[href]").unwrap();
        html.select(&a)
            .map(|e| (e.attr("href").unwrap().to_owned(), e.attr("rel").unwrap_or_default().to_owned()))
            .collect()
    };
    let (mut plain_bytes, mut small_bytes) = (0, 0);
    for ((path, before), (_, after)) in plain.iter().zip(&small) {
        if path == ".shopfront-manifest" {
            // Bookkeeping: it records the (minified) pages' hashes.
            continue;
        }
        if !path.ends_with(".html") {
            assert_eq!(before, after, "{path}: only HTML pages are minified");
            continue;
        }
        plain_bytes += before.len();
        small_bytes += after.len();
        let before = scraper::Html::parse_document(std::str::from_utf8(before).unwrap());
        let after = scraper::Html::parse_document(std::str::from_utf8(after).unwrap());
        assert_eq!(words(&before), words(&after), "{path}: the text changed");
        assert_eq!(links(&before), links(&after), "{path}: the links changed");
    }
    assert!(small_bytes < plain_bytes, "minified pages are not smaller: {small_bytes} >= {plain_bytes}");
}

#[test]
fn list_cards_show_each_post_s_own_spelling_of_a_category() {
    let built = SiteTest::new()
        .file("content/posts/2025-01-01-a.md", "---\ntitle: A\ndate: 2025-01-01\ncategories: [Audio, Desk]\n---\nA.\n")
        .file("content/posts/2025-01-02-b.md", "---\ntitle: B\ndate: 2025-01-02\ncategories: [audio]\n---\nB.\n")
        .build()
        .ok();
    let home = built.html("index.html");
    // Newest first: B, then A; both link to the one collection.
    assert_eq!(home.texts(".card .kicker a"), ["audio", "Audio", "Desk"]);
    assert_eq!(home.attrs(".card .kicker a", "href")[..2], ["/categories/audio/", "/categories/audio/"]);
}

/// Products defined once in data/products.toml (or .yaml, or .csv) are named
/// by id from posts (with per-post changes) and collections, appear on
/// /shop/ once, and a wrong id is an error at its line.
#[test]
fn a_catalogue_of_products_serves_posts_collections_and_the_shop() {
    let toml = "[[products]]\nid = \"k669b\"\nname = \"Fifine K669B\"\nasin = \"B0K669B001\"\nrating = 4.5\nnote = \"Plug and play.\"\n\n\
                [[products]]\nid = \"mug\"\nname = \"Ember Mug\"\nurl = \"https://shop.example/mug\"\n";
    let yaml = "products:\n  - id: k669b\n    name: Fifine K669B\n    asin: B0K669B001\n    rating: 4.5\n    note: Plug and play.\n  - id: mug\n    name: Ember Mug\n    url: https://shop.example/mug\n";
    let csv = "id,name,asin,url,rating,note,pros\nk669b,Fifine K669B,B0K669B001,,4.5,Plug and play.,Cheap|Metal body\nmug,Ember Mug,,https://shop.example/mug,,,\n";
    for (file, text) in [("data/products.toml", toml), ("data/products.yaml", yaml), ("data/products.csv", csv)] {
        let site = SiteTest::fixture("affiliate")
            .file(file, text)
            .file(
                "content/posts/catalogue.md",
                "---\ntitle: From the catalogue\ndate: 2025-05-01\nproducts:\n  - k669b\n  - id: mug\n    badge: Warmest\n---\n\nText.\n",
            )
            .file("content/posts/shortcode.md", "---\ntitle: Shortcode only\ndate: 2025-05-02\n---\n\n{{ product(\"mug\") }}\n")
            .file("content/collections/desk.md", "---\ntitle: My desk\nproducts: [mug, k669b]\n---\n\nWhat is on my desk.\n");
        let built = site.build().ok();
        let post = built.html("posts/catalogue/index.html");
        let names = post.texts(".card .name, .pick .name");
        assert!(
            names.iter().any(|n| n == "Fifine K669B") && names.iter().any(|n| n == "Ember Mug"),
            "{file}: {names:?}"
        );
        assert!(post.texts(".badge").iter().any(|b| b == "Warmest"), "{file}: the post's own badge");
        assert!(post.attrs("a[rel~=sponsored]", "href").iter().any(|h| h.contains("B0K669B001")), "{file}");
        let shortcode = built.html("posts/shortcode/index.html");
        assert!(shortcode.texts(".card .name").iter().any(|n| n == "Ember Mug"), "{file}: product(\"mug\") unlisted");
        // The collection: its page, its products, on the home page and in search.
        let collection = built.html("collections/desk/index.html");
        assert_eq!(collection.texts("h1"), ["My desk"], "{file}");
        assert_eq!(collection.texts(".card .name"), ["Ember Mug", "Fifine K669B"], "{file}");
        assert!(matches!(collection.banner_before_first_affiliate_link(), crate::support::BannerCheck::Before { .. }));
        assert!(
            built.html("index.html").attrs("a", "href").iter().any(|h| h.ends_with("/collections/desk/")),
            "{file}"
        );
        let index: serde_json::Value = serde_json::from_str(&built.text("search-index.json")).unwrap();
        let entries = index.as_array().unwrap();
        assert!(entries.iter().any(|e| e["kind"] == "collection" && e["title"] == "My desk"), "{file}");
        let k669b = entries.iter().find(|e| e["kind"] == "product" && e["title"] == "Fifine K669B").unwrap();
        assert!(k669b["buy"].as_str().unwrap().contains("B0K669B001") && k669b["sponsored"] == true, "{k669b}");
        // On /shop/ once each.
        let shop = built.html("shop/index.html").texts(".card .name");
        assert_eq!(shop.iter().filter(|n| *n == "Fifine K669B").count(), 1, "{file}: {shop:?}");
        assert!(built.text("sitemap.xml").contains("/collections/desk/"), "{file}");
    }
    // A wrong id, in a post and in a collection, is an error at its line.
    let site = SiteTest::fixture("affiliate")
        .file("data/products.toml", toml)
        .file("content/posts/wrong.md", "---\ntitle: Wrong\ndate: 2025-05-01\nproducts:\n  - k669\n---\n")
        .file("content/collections/wrong.md", "---\ntitle: Wrong\nproducts: [mugg]\n---\n");
    let built = site.build();
    let errors: Vec<String> = built
        .errors()
        .iter()
        .map(|d| format!("{}:{:?} {}", d.path.as_ref().unwrap().display(), d.line, d.message))
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("content/posts/wrong.md:Some(5)") && e.contains("`k669`")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("content/collections/wrong.md:Some(3)") && e.contains("`mugg`")),
        "{errors:?}"
    );
    // A catalogue product's mistake is at its line of the catalogue.
    let site = SiteTest::fixture("affiliate")
        .file("data/products.toml", "[[products]]\nid = \"x\"\nname = \"X\"\nasin = \"nope\"\n");
    let error = site.build().only_error().clone();
    assert_eq!((error.path.as_ref().unwrap().to_str(), error.line), (Some("data/products.toml"), Some(4)), "{error:?}");
}

/// A mistyped product() next to catalogue products is still an error, a
/// product listed twice (by id and by ASIN) is one card, and a digits-only
/// book ASIN is read as written.
#[test]
fn catalogue_references_keep_their_errors_and_never_double_a_card() {
    let catalogue = "[[products]]\nid = \"k669b\"\nname = \"Fifine K669B\"\nasin = \"B0K669B001\"\n\n\
                     [[products]]\nid = \"book\"\nname = \"A Book\"\nasin = \"0141439513\"\n";
    let site = SiteTest::fixture("affiliate").file("data/products.toml", catalogue).file(
        "content/posts/typo.md",
        "---\ntitle: Typo\ndate: 2025-05-01\nproducts: [k669b]\n---\n\n{{ product(\"typo\") }}\n\n{{ product(\"book\") }}\n",
    );
    let error = site.build().only_error().clone();
    assert!(error.message.contains("`product(\"typo\")`"), "{error:?}");
    assert_eq!(error.line, Some(7), "{error:?}");

    let site = SiteTest::fixture("affiliate").file("data/products.toml", catalogue).file(
        "content/posts/twice.md",
        "---\ntitle: Twice\ndate: 2025-05-01\nproducts: [k669b, B0K669B001, 0141439513]\n---\n\n{{ products() }}\n",
    );
    let built = site.build().ok();
    let page = built.html("posts/twice/index.html");
    let names = page.texts(".card .name");
    assert_eq!(names.iter().filter(|n| *n == "Fifine K669B").count(), 1, "{names:?}");
    assert!(names.iter().any(|n| n == "A Book"), "{names:?}");
    assert!(built.warnings().iter().any(|w| w.message.contains("listed twice")), "{:?}", built.warnings());
}

/// The home page discloses before the profile's own affiliate links (a
/// button, a social link, a link in the bio) even with no products, in
/// every theme; such a link is tagged and marked sponsored.
#[test]
fn the_home_page_discloses_before_the_profiles_affiliate_links() {
    let cases = [
        ("[[buttons]]\nlabel = \"My storefront\"\nurl = \"https://www.amazon.com/shop/mia\"\n", ""),
        ("[links]\namazon = \"https://www.amazon.com/shop/mia\"\n", ""),
        ("", "bio = \"My [favourite mug](https://www.amazon.com/dp/B0MUGMUG01).\"\n"),
    ];
    for (table, bio) in cases {
        let site = SiteTest::new()
            .file("profile.toml", format!("name = \"Mia\"\n{bio}\n[affiliate.amazon]\ntag = \"mia-20\"\n\n{table}"))
            .file("content/posts/a.md", "---\ntitle: A\ndate: 2025-01-01\n---\nNo products here.\n");
        for theme in shopfront::render::theme::bundled().into_iter().map(|t| t.name) {
            let built = site.build_with(|options| options.theme = Some(theme.clone())).ok();
            let home = built.html("index.html");
            assert!(
                matches!(home.banner_before_first_affiliate_link(), crate::support::BannerCheck::Before { .. }),
                "{theme}, {table}{bio}: {:?}",
                home.banner_before_first_affiliate_link()
            );
            let tagged = home.attrs("a[rel~=sponsored]", "href");
            assert!(tagged.iter().any(|h| h.contains("tag=mia-20")), "{theme}: {tagged:?}");
        }
    }
}

/// Every page of `prepared`, by output file, finished as `build` writes it.
fn finished_pages(prepared: &shopfront::Prepared) -> Vec<(String, Result<String, String>)> {
    let pages = &prepared.pages;
    pages
        .files()
        .map(|file| {
            let route = pages.route(file).unwrap();
            let html = shopfront::finished_page(pages, route, false, &prepared.hiding, &prepared.images);
            (file.to_owned(), html.map_err(|d| d.message))
        })
        .collect()
}

#[test]
fn released_post_bodies_make_the_same_pages_once_each() {
    let site = SiteTest::example_site();
    let options = shopfront::BuildOptions { root: site.root().to_path_buf(), ..Default::default() };
    // A post cache kept for the next rebuild, as `serve` keeps one, shares the posts.
    let mut kept = shopfront::PostCache::default();
    let mut prepared = shopfront::prepare(&options, &mut kept).unwrap_or_else(|d| panic!("{d:?}"));
    let before = finished_pages(&prepared);
    assert!(!prepared.pages.release_bodies(), "bodies released while the post cache shares the posts");
    assert!(prepared.pages.site().posts.iter().all(|p| !p.content.is_empty()));
    assert!(finished_pages(&prepared) == before, "pages changed after a release that did not happen");

    drop(kept);
    assert!(prepared.pages.release_bodies());
    assert!(prepared.pages.site().posts.iter().all(|p| p.content.is_empty()), "bodies still in the site");
    let after = finished_pages(&prepared);
    let posts = prepared.pages.site().posts.len();
    assert!(posts > 5);
    let with_shortcodes = prepared.pages.site().posts.iter().filter(|p| !p.shortcodes.is_empty()).count();
    assert!(with_shortcodes > 0, "no post expands a shortcode from its released body");
    for ((file, got), (_, want)) in after.iter().zip(&before) {
        assert!(got == want, "{file} differs once the bodies are released");
    }
    // Each body is handed out once: asking for a post's page again is an
    // error, never a page with an empty body.
    let again = finished_pages(&prepared);
    let refused = again.iter().filter(|(_, html)| html.as_ref().is_err_and(|e| e.contains("twice"))).count();
    assert_eq!(refused, posts);
    assert!(
        again
            .iter()
            .filter(|(_, html)| html.is_ok())
            .all(|(file, html)| before.contains(&(file.clone(), html.clone())))
    );
}
