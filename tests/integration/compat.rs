//! Posts written for Hexo or Jekyll, as those tools read them: dates from
//! file names and in their looser shapes, Jekyll's tags and titles, the YAML
//! their readers accept, and every problem of a site reported in one run.
//! Each test is one item of issue 15, with a small post written here.

use crate::support::SiteTest;

fn post(front_matter: &str, body: &str) -> String {
    format!("---\n{front_matter}---\n{body}\n")
}

#[test]
fn a_date_in_the_file_name_dates_the_post() {
    let site = SiteTest::new()
        .file("content/posts/2024-06-30-newer.md", post("title: Newer\n", "Body."))
        .file("content/posts/2024-01-02-older.md", post("title: Older\ndate: 2024-01-02 10:00\n", "Body."))
        .file("content/posts/undated.md", post("title: Undated\n", "Body."));
    let built = site.build().ok();
    assert_eq!(built.html("posts/newer/index.html").attr("time", "datetime"), "2024-06-30T00:00:00+00:00");
    let home = built.html("index.html");
    let order: Vec<String> = home.attrs("a[href*='/posts/']", "href");
    let first = |slug: &str| order.iter().position(|h| h.contains(slug)).unwrap();
    assert!(first("newer") < first("older") && first("older") < first("undated"), "{order:?}");
    let no_date: Vec<_> = built.warnings().iter().filter(|d| d.code == "no-date").collect();
    assert_eq!(no_date.len(), 1, "{no_date:?}");
    assert!(no_date[0].path.as_deref().unwrap().ends_with("undated.md"));
}

#[test]
fn dates_as_hexo_and_jekyll_write_them() {
    let cases = [
        ("a", "2018-7-24 23:31:06", "2018-07-24T23:31:06+00:00"),
        ("b", "2016-03-03 3:00", "2016-03-03T03:00:00+00:00"),
        ("c", "2019-12-3", "2019-12-03T00:00:00+00:00"),
        ("d", "2013/7/13 20:46:25", "2013-07-13T20:46:25+00:00"),
        ("e", "March 4, 2021", "2021-03-04T00:00:00+00:00"),
        ("f", "2016-03-21 12:00 EDT", "2016-03-21T16:00:00+00:00"),
        ("g", "2018-12-01 0314 +0000", "2018-12-01T03:14:00+00:00"),
        ("h", "2023-01-29 18:30:22 2023 -0800", "2023-01-30T02:30:22+00:00"),
    ];
    let mut site = SiteTest::new();
    for (slug, date, _) in cases {
        site = site.file(&format!("content/posts/{slug}.md"), post(&format!("title: T\ndate: {date}\n"), "Body."));
    }
    let built = site.build().ok();
    for (slug, date, expected) in cases {
        let written = built.html(&format!("posts/{slug}/index.html")).attr("time", "datetime");
        assert_eq!(written, expected, "{date}");
    }
}

#[test]
fn a_date_error_quotes_the_date_as_written() {
    let built =
        SiteTest::new().file("content/posts/bad.md", post("title: T\ndate: 2013/7/32 20:46:25\n", "Body.")).build();
    let error = built.only_error();
    assert!(error.message.starts_with("`2013/7/32 20:46:25` is not a valid date"), "{}", error.message);
    assert_eq!(error.line, Some(3));
}

/// A date error in one post used to hide the broken links of every other
/// post until it was fixed. Links to posts with errors are not broken.
#[test]
fn one_run_reports_every_problem() {
    let built = SiteTest::new()
        .file("content/posts/bad-date.md", post("title: A\ndate: someday\n", "[gone](/nowhere/)"))
        .file("content/posts/bad-yaml.md", post("title: [B\n", "Text."))
        .file("content/posts/fine.md", post("title: C\n", "[a](/posts/bad-date/) [b](/posts/bad-yaml/) [x](/missing/)"))
        .build();
    let errors: Vec<(String, String)> = built
        .errors()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.to_string(), d.path.as_ref().unwrap().file_name().unwrap().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        errors,
        [
            ("front-matter".to_owned(), "bad-date.md".to_owned()),
            ("broken-link".to_owned(), "bad-date.md".to_owned()),
            ("front-matter".to_owned(), "bad-yaml.md".to_owned()),
            ("broken-link".to_owned(), "fine.md".to_owned()),
        ],
        "{:#?}",
        built.errors()
    );
}

#[test]
fn jekyll_tags_summaries_and_titles() {
    let built = SiteTest::new()
        .file(
            "content/posts/2024-06-30-my-new-post.md",
            post(
                "tags: emacs micro writing\ndescription: For search engines.\nexcerpt: For cards.\n",
                "First [para](https://example.org/x) here.",
            ),
        )
        .build()
        .ok();
    let page = built.html("posts/my-new-post/index.html");
    assert_eq!(built.heading("posts/my-new-post/index.html"), "My New Post");
    let mut tags = page.attrs("article a[href^='/tags/'][href$='/']:not([href='/tags/'])", "href");
    tags.sort();
    tags.dedup();
    assert_eq!(tags, ["/tags/emacs/", "/tags/micro/", "/tags/writing/"]);
    assert_eq!(page.attr("meta[name=description]", "content"), "For cards.");
}

#[test]
fn posts_without_cover_or_summary_are_one_line_on_build() {
    let site = SiteTest::new()
        .file("content/posts/a.md", post("title: A\ndate: 2024-01-01\nsummary: S\n", "Body."))
        .file("content/posts/b.md", post("title: B\ndate: 2024-01-02\n", "Body."))
        .file("content/posts/c.md", post("title: C\n", "Body."));
    let run = site.run_build(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("note: 3 posts have no `cover` and 2 no `summary`"), "{}", run.stderr);
    assert!(!run.stderr.contains("post has no `cover` image"), "{}", run.stderr);
    // The warnings that matter are still printed.
    assert!(run.stderr.contains("post has no `date`"), "{}", run.stderr);
    let verbose = site.run_build(&["--verbose"]);
    assert_eq!(verbose.stderr.matches("post has no `cover` image").count(), 3, "{}", verbose.stderr);
    let listed = site.check_json().findings.iter().filter(|f| f["code"] == "no-cover").count();
    assert_eq!(listed, 3);
}

#[test]
fn entities_in_titles_image_maps_and_ftp_links_are_read_as_hexo_and_jekyll_do() {
    let site = SiteTest::new()
        .file("static/x.jpg", "jpg")
        .file("static/y.jpg", "jpg")
        .file(
            "content/posts/a.md",
            "---\ntitle: a &ldquo;front door&rdquo; &amp; more\ndate: 2024-01-01\nimage: {feature: /x.jpg}\n---\nSee [the archive](ftp://ftp.example.org/pub/).\n",
        )
        .file("content/posts/b.md", "---\ntitle: B\ndate: 2024-01-02\nimage:\n  path: /y.jpg\n  height: 630\n---\nB\n");
    let built = site.build().ok();
    let page = built.html("posts/a/index.html");
    assert_eq!(page.texts("main h1").first().map(String::as_str), Some("a \u{201c}front door\u{201d} & more"));
    assert!(built.text("posts/a/index.html").contains("href=\"ftp://ftp.example.org/pub/\""));
    assert!(built.text("posts/a/index.html").contains("/x.jpg"), "the cover from `image: {{feature: …}}`");
    assert!(built.text("posts/b/index.html").contains("/y.jpg"), "the cover from `image: {{path: …}}`");
}
