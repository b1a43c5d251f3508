//! Awkward but valid: every folder under `tests/fixtures/awkward/` is a site
//! written the way real creators' files turn up (a BOM, CRLF line endings,
//! empty bodies, no front matter, YAML's Norway problem, Unicode file names,
//! TOML or Hexo's headless front matter, tabs, very long titles, emoji
//! tags, markup in titles). Each must build with exit 0 through the binary,
//! and each test checks the specific output that shows it was read right.
//! The very large post is generated here rather than committed.
//!
//! `tests/fixtures/awkward/.gitattributes` keeps Git from normalising the
//! BOMs and line endings; each test that depends on them checks the bytes
//! are still there first.

use scraper::Selector;

use crate::support::{CliBuilt, SiteTest, fixtures, percent_decode};

/// Builds `tests/fixtures/awkward/<case>` with the binary, insisting on exit 0.
fn build(case: &str) -> CliBuilt {
    SiteTest::fixture(&format!("awkward/{case}")).cli_build()
}

fn fixture_bytes(case: &str, path: &str) -> Vec<u8> {
    let path = fixtures().join("awkward").join(case).join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_byte_order_mark_is_invisible() {
    for file in ["profile.toml", "content/posts/bom-post.md", "content/pages/about.md"] {
        assert!(fixture_bytes("bom", file).starts_with(b"\xEF\xBB\xBF"), "{file} lost its BOM");
    }
    let built = build("bom");
    assert_eq!(built.title("posts/bom-post/index.html"), "Byte Order Mark · Awkward Shop");
    assert_eq!(built.heading("posts/bom-post/index.html"), "Byte Order Mark");
    assert_eq!(built.one("posts/bom-post/index.html", ".prose strong"), "invisible");
    assert!(built.exists("categories/encoding/index.html"));
    // Without front matter the first heading is the title; the BOM is not part of it.
    assert_eq!(built.heading("about/index.html"), "About the BOM");
    for file in built.html_files() {
        assert!(!built.text(&file).contains('\u{feff}'), "{file} contains a BOM");
    }
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let post = fixture_bytes("crlf", "content/posts/crlf-post.md");
    assert!(post.windows(2).any(|w| w == b"\r\n"), "the fixture lost its CRLF line endings");
    let built = build("crlf");
    let page = "posts/crlf-post/index.html";
    assert_eq!(built.heading(page), "Written on Windows");
    assert_eq!(built.html(page).attr("time", "datetime"), "2025-03-02T09:30:00+00:00");
    assert_eq!(built.one(page, ".prose h2"), "First heading");
    assert_eq!(built.one(page, ".prose p"), "The body renders\nacross soft breaks.");
    assert_eq!(built.html(page).texts(".prose li"), ["one", "two"]);
    assert_eq!(built.one(page, ".prose pre code"), "code line");
    assert!(built.exists("categories/line-endings/index.html"));
    assert!(built.exists("tags/crlf/index.html") && built.exists("tags/windows/index.html"));
    // TOML front matter with CRLF, BOM and CRLF together, and classic Mac OS's lone CR.
    assert_eq!(built.heading("toml-crlf/index.html"), "TOML on Windows");
    assert_eq!(built.heading("posts/bom-and-crlf/index.html"), "Both BOM and CRLF");
    assert_eq!(built.heading("posts/cr-only/index.html"), "Old Mac line endings");
    assert_eq!(built.one("posts/cr-only/index.html", ".prose p"), "CR only, as classic Mac OS wrote.");
    for file in built.html_files() {
        assert!(!built.text(&file).contains('\r'), "{file} contains a CR");
    }
}

#[test]
fn empty_bodies_and_empty_files() {
    let built = build("empty-body");
    assert_eq!(built.heading("posts/front-matter-only/index.html"), "Nothing to Say");
    assert!(built.html("posts/front-matter-only/index.html").texts(".prose").iter().all(String::is_empty));
    // The closing `---` as the very last bytes of the file.
    assert_eq!(built.heading("posts/no-final-newline/index.html"), "No Final Newline");
    assert_eq!(built.heading("posts/whitespace-body/index.html"), "Only Whitespace Below");
    assert_eq!(built.heading("posts/empty-front-matter/index.html"), "Body only, under empty front matter.");
    assert_eq!(built.heading("empty-page/index.html"), "Empty Page");
    // Empty and blank files are skipped, with a warning that names them.
    for skipped in ["blank", "spaces"] {
        assert!(!built.exists(&format!("posts/{skipped}/index.html")));
        assert!(
            built.stderr.contains(&format!("content/posts/{skipped}.md")),
            "no warning for {skipped}.md:\n{}",
            built.stderr
        );
    }
    assert!(built.stderr.contains("file is empty; skipped"), "{}", built.stderr);
}

#[test]
fn files_without_front_matter_take_their_title_from_the_text() {
    let built = build("no-front-matter");
    assert_eq!(built.heading("posts/plain-post/index.html"), "A Plain Post");
    assert_eq!(built.title("posts/plain-post/index.html"), "A Plain Post · Awkward Shop");
    assert_eq!(built.heading("posts/first-line-title/index.html"), "Just a first line as a title");
    assert_eq!(built.heading("colophon/index.html"), "Colophon");
    assert!(built.html("colophon/index.html").texts(".prose p").contains(&"Set in system fonts.".to_owned()));
    assert!(built.stderr.contains("file has no front matter"), "{}", built.stderr);
}

#[test]
fn a_very_large_post_builds() {
    // About 4 MB: many sections, many paragraphs, links, and one 1 MB line.
    let mut body = String::from("---\ntitle: The Very Large Post\ndate: 2025-03-13\n---\n");
    for section in 0..2_000 {
        body.push_str(&format!("## Section {section}\n\n"));
        for paragraph in 0..20 {
            body.push_str(&format!(
                "Paragraph {paragraph} of section {section} links to [a shop](https://example.com/{section}/{paragraph}).\n\n"
            ));
        }
    }
    body.push_str(&"word ".repeat(200_000));
    body.push_str("\n\nThe very last paragraph.\n");
    assert!(body.len() > 4_000_000);
    let built = SiteTest::new().file("content/posts/huge.md", &body).cli_build();
    let page = "posts/huge/index.html";
    assert_eq!(built.heading(page), "The Very Large Post");
    let html = built.html(page);
    assert!(html.has("h2#section-1999"), "the last section has no anchor");
    assert_eq!(html.texts(".prose p").last().map(String::as_str), Some("The very last paragraph."));
    assert_eq!(html.attrs(".prose a[href^=\"https://example.com/\"]", "href").len(), 40_000);
}

#[test]
fn norway_problem_categories_stay_strings() {
    let built = build("norway");
    // `no`, `yes`, `on`, `off` are names, not booleans; `NO` is the same collection as `no`.
    assert_eq!(built.folders("categories"), ["no", "off", "on", "yes"]);
    assert_eq!(built.heading("categories/no/index.html"), "no");
    assert_eq!(built.heading("categories/yes/index.html"), "yes");
    assert_eq!(built.heading("categories/on/index.html"), "on");
    // The newest post writes it `Off`.
    assert_eq!(built.heading("categories/off/index.html"), "Off");
    assert_eq!(built.title("categories/no/index.html"), "no · Awkward Shop");
    assert_eq!(built.folders("tags"), ["false", "n", "true", "y"]);
    // `draft: no` is not a draft, and a title `on` stays `on`.
    assert_eq!(built.heading("posts/norway/index.html"), "Norway");
    assert_eq!(built.heading("posts/on/index.html"), "on");
    let categories = built.html("posts/norway/index.html").texts(".kicker a");
    assert_eq!(categories, ["no", "yes", "on", "off"]);
}

#[test]
fn unicode_file_names_and_titles_transliterated() {
    let built = build("unicode-names");
    let cafe = "posts/cafe-creme/index.html";
    assert_eq!(built.heading(cafe), "Café Crème & Croissants");
    assert_eq!(built.title(cafe), "Café Crème & Croissants · Awkward Shop");
    assert!(built.text(cafe).contains("<title>Café Crème &amp; Croissants"), "the title is not escaped");
    assert_eq!(built.heading("posts/ri-ben-yu-norebiyu/index.html"), "日本語のレビュー「最高」");
    assert_eq!(built.title("posts/ri-ben-yu-norebiyu/index.html"), "日本語のレビュー「最高」 · Awkward Shop");
    assert_eq!(built.heading("posts/hao-wu-tui-jian/index.html"), "2025年好物推荐");
    // A decomposed (NFD) file name, as macOS writes it, gives the same slug as a composed one.
    assert_eq!(built.heading("posts/cafe-au-lait/index.html"), "Café au lait (decomposed file name)");
    assert_eq!(built.folders("categories"), ["cafe", "guang-gao", "rebiyu", "shu-ma"]);
    assert_eq!(built.heading("categories/shu-ma/index.html"), "数码");
    assert_eq!(built.heading("tags/ri-ben/index.html"), "#日本");
    assert_eq!(built.heading("uber-uns/index.html"), "Über uns");
}

#[test]
fn unicode_slugs_keep_every_script_whole() {
    let built = build("unicode-slugs");
    let mut posts = [
        "café-crème",
        "hindi",
        "nai\u{308}ve",
        "\u{30d5}\u{3099}\u{30ed}\u{30af}\u{3099}",
        "好物推荐",
        "日本語のレビュー",
    ]
    .map(String::from);
    posts.sort();
    // Decomposed (NFD) file names keep their marks: `naïve`, not `nai-ve`; `ブログ`, not `フ-ロク`.
    assert_eq!(built.folders("posts"), posts);
    assert_eq!(built.heading("posts/日本語のレビュー/index.html"), "日本語のレビュー「最高」");
    // Viramas (Devanagari) and combining marks stay inside their word: `हिन्दी`, not `हिन-दी`.
    assert_eq!(built.folders("categories"), ["café", "हिन्दी", "レビュー", "广告", "数码"]);
    // An emoji-only tag has no letters to keep: it is transliterated instead of failing the build.
    assert_eq!(built.folders("tags"), ["fire", "ไทย", "日本"]);
    let links = built.html("posts/hindi/index.html").attrs(".kicker a", "href");
    assert_eq!(links.iter().map(|l| percent_decode(l)).collect::<Vec<_>>(), ["/categories/हिन्दी/"]);
    assert_eq!(built.heading("categories/हिन्दी/index.html"), "हिन्दी");
}

#[test]
fn toml_front_matter() {
    let built = build("toml-front-matter");
    let page = "posts/toml-post/index.html";
    assert_eq!(built.heading(page), "TOML Front Matter");
    let times = built.html(page).attrs(".meta time", "datetime");
    assert_eq!(times, ["2025-03-06T08:00:00+00:00", "2025-03-07T00:00:00+00:00"]);
    assert_eq!(built.one(page, ".lede"), "Hugo and Zola write this.");
    assert_eq!(built.one(page, ".prose em"), "TOML");
    assert!(built.html(page).texts(".name").contains(&"Trail Mug".to_owned()), "no product card");
    assert!(
        built
            .html(page)
            .attrs("a[href]", "href")
            .contains(&"https://shop.example-outdoor.com/products/trail-mug".into())
    );
    assert!(built.html("shop/index.html").texts(".name").contains(&"Trail Mug".to_owned()));
    assert!(built.exists("categories/formats/index.html") && built.exists("tags/toml/index.html"));
    assert_eq!(built.html("posts/toml-local-date/index.html").attr("time", "datetime"), "2025-03-07T08:15:00+00:00");
}

#[test]
fn hexo_headless_front_matter() {
    let built = build("hexo-headless");
    let page = "posts/headless/index.html";
    assert_eq!(built.heading(page), "Headless Hexo Post");
    assert_eq!(built.html(page).attr("time", "datetime"), "2025-03-08T12:00:00+00:00");
    assert_eq!(built.one(page, ".prose"), "Hexo accepts front matter without the opening line.");
    assert!(built.exists("categories/diary/index.html") && built.exists("tags/hexo/index.html"));
}

#[test]
fn tabs_in_front_matter_and_body() {
    let built = build("tabs");
    let page = "posts/tabs/index.html";
    // `title:<TAB>Tabs Everywhere` is valid YAML.
    assert_eq!(built.heading(page), "Tabs Everywhere");
    assert_eq!(built.one(page, ".lede"), "Tab inside quotes");
    let html = built.html(page);
    assert_eq!(html.texts(".prose p")[0], "Text\twith\ttabs.");
    assert_eq!(built.one(page, ".prose pre code"), "an indented code block\n\tindented twice");
    assert_eq!(html.texts(".prose li"), ["list item with a tab", "second item"]);
    assert_eq!(html.texts(".prose th"), ["a", "b"]);
    assert_eq!(html.texts(".prose td"), ["1", "2"]);
}

#[test]
fn a_very_long_title_and_tag() {
    let built = build("long-title");
    let page = "posts/long/index.html";
    let title = format!("The {}long title", "very ".repeat(240));
    assert_eq!(built.heading(page), title);
    assert_eq!(built.title(page), format!("{title} · Awkward Shop"));
    // A tag too long for a folder name gets a shortened slug and keeps its name.
    let tags = built.folders("tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert!(tags[0].len() <= 200 && tags[0].starts_with("tagword-tagword"), "{tags:?}");
    assert_eq!(built.heading(&format!("tags/{}/index.html", tags[0])), format!("#{}", ["tagword"; 40].join(" ")));
}

#[test]
fn emoji_in_tags_and_titles() {
    let built = build("emoji-tags");
    let page = "posts/emoji/index.html";
    assert_eq!(built.heading(page), "Coffee ☕ Gear 🎧");
    assert_eq!(built.title(page), "Coffee ☕ Gear 🎧 · Awkward Shop");
    assert_eq!(built.folders("tags"), ["1", "coffee-coffee", "fire", "headphones-audio"]);
    assert_eq!(built.heading("tags/fire/index.html"), "#🔥");
    assert_eq!(built.heading("tags/1/index.html"), "#👍🏽");
    assert_eq!(built.heading("categories/desk-desktop/index.html"), "Desk 🖥️");
    let tags = built.html(page).texts(".tags a");
    assert_eq!(tags, ["#🔥", "#🎧 audio", "#☕️coffee", "#👍🏽"]);
}

#[test]
fn markup_in_titles_is_escaped_everywhere() {
    let built = build("escaping");
    let page = "posts/escaping/index.html";
    let title = "Fish & Chips <script>alert(\"x\")</script> 'quoted'";
    assert_eq!(built.title(page), format!("{title} · Awkward Shop"));
    assert_eq!(built.heading(page), title);
    assert!(built.text(page).contains("<title>Fish &amp; Chips &lt;script&gt;"), "the title is not escaped");
    // Every one of `&<>"'`, so that a theme's single-quoted attribute is as safe as a double-quoted one.
    let escaped = "Fish &amp; Chips &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;quoted&#39;";
    assert!(built.text(page).contains(&format!("<h1>{escaped}</h1>")), "the title is not fully escaped");
    let html = built.html(page);
    let scripts = Selector::parse("script").unwrap();
    for script in html.0.select(&scripts) {
        let text = script.text().collect::<String>();
        assert!(text.trim() != "alert(\"x\")", "the title became a script");
    }
    assert_eq!(built.one(page, ".lede"), "A <b>bold</b> summary & more");
    assert!(!html.has(".lede b"));
    assert_eq!(built.heading("categories/r-d-i/index.html"), "R&D <i>");
    assert_eq!(built.title("categories/r-d-i/index.html"), "R&D <i> · Awkward Shop");
}

/// A title holding `<!--<script>` lands inside the page's JSON-LD `<script>`,
/// where a browser reads it as the start of an escaped script; the heading
/// and body after it must still be page content.
///
/// Regression: the JSON-LD once escaped only `</`; `<!--<script>` put the
/// HTML tokenizer into the "script data double escaped" state, so the
/// JSON-LD's own `</script>` no longer ended the element and the rest of
/// the page became script text.
#[test]
fn a_comment_opener_in_a_title_does_not_swallow_the_page() {
    let built = build("escaping");
    let page = "posts/comment-trick/index.html";
    assert_eq!(built.title(page), "A <!--<script> title · Awkward Shop");
    assert_eq!(built.heading(page), "A <!--<script> title");
    assert_eq!(built.one(page, ".prose p"), "The page must still have its heading and this text.");
}
