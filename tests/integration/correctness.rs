//! Well-formed but hostile input that used to be read wrong without a word:
//! dates with a time-zone annotation or outside the years RFC 3339 can
//! write, characters XML 1.0 forbids in the feed and sitemap, and unsafe
//! links in the profile. Each output is checked with a real parser.

use shopfront::diagnostics::Diagnostic;

use crate::support::{Built, PROFILE, Run, SiteTest};

/// A site whose one post has `date: {date}` on line 3.
fn dated(profile: &str, date: &str) -> SiteTest {
    SiteTest::new()
        .file("profile.toml", profile)
        .file("content/posts/a.md", format!("---\ntitle: A\ndate: {date}\n---\nHello.\n"))
}

fn assert_located(d: &Diagnostic, path: &str, line: usize, column: usize) {
    assert_eq!(d.path.as_deref(), Some(std::path::Path::new(path)), "{d:#?}");
    assert_eq!((d.line, d.column), (Some(line), Some(column)), "{d:#?}");
}

/// `date-time` of RFC 3339 section 5.6, with whole seconds and a numeric
/// offset: what every date output must be.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |at: &[usize]| at.iter().all(|&i| b.get(i).is_some_and(u8::is_ascii_digit));
    let punct = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (22, b':')];
    b.len() == 25
        && digits(&[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24])
        && punct.iter().all(|&(i, c)| b[i] == c)
        && matches!(b[19], b'+' | b'-')
        && text[20..22].parse::<u8>().is_ok_and(|h| h < 24)
}

/// Every date the build wrote: `<time datetime>`, the feed's `<published>`
/// and `<updated>`, JSON-LD's `datePublished`/`dateModified`, and the
/// sitemap's `<lastmod>` (a date alone).
fn written_dates(built: &Built) -> (Vec<String>, Vec<String>) {
    let mut datetimes = Vec::new();
    for file in built.html_files() {
        let page = built.html(&file);
        datetimes.extend(page.attrs("time[datetime]", "datetime"));
        for json in page.texts("script[type='application/ld+json']") {
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            collect_json_dates(&value, &mut datetimes);
        }
    }
    let feed = built.text("feed.xml");
    let feed = roxmltree::Document::parse(&feed).expect("feed.xml is well-formed");
    for node in feed.descendants().filter(|n| matches!(n.tag_name().name(), "published" | "updated")) {
        datetimes.push(node.text().unwrap_or_default().to_owned());
    }
    let sitemap = built.text("sitemap.xml");
    let sitemap = roxmltree::Document::parse(&sitemap).expect("sitemap.xml is well-formed");
    let lastmods = sitemap
        .descendants()
        .filter(|n| n.tag_name().name() == "lastmod")
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect();
    (datetimes, lastmods)
}

fn collect_json_dates(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match value {
                    serde_json::Value::String(s) if key.starts_with("date") => out.push(s.clone()),
                    other => collect_json_dates(other, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_json_dates(v, out)),
        _ => {}
    }
}

#[test]
fn a_zone_annotation_is_honoured_in_every_date_output() {
    let built = dated(PROFILE, "2024-06-01T10:00:00[America/New_York]").build().ok();
    let (datetimes, lastmods) = written_dates(&built);
    assert!(datetimes.len() >= 4, "{datetimes:?}");
    for datetime in &datetimes {
        assert_eq!(datetime, "2024-06-01T14:00:00+00:00", "{datetimes:?}");
    }
    assert_eq!(lastmods, ["2024-06-01"]);
    // The same with the offset written out, in a site in another zone.
    let paris = format!("{PROFILE}timezone = \"Europe/Paris\"\n");
    let built = dated(&paris, "2024-06-01T23:30:00-04:00[America/New_York]").build().ok();
    assert_eq!(built.html("posts/a/index.html").attr("time[datetime]", "datetime"), "2024-06-02T05:30:00+02:00");
    // `updated` too.
    let built = SiteTest::new()
        .file(
            "content/posts/a.md",
            "---\ntitle: A\ndate: 2024-01-01\nupdated: 2024-06-01T10:00:00[Asia/Tokyo]\n---\nHello.\n",
        )
        .build()
        .ok();
    let datetimes = built.html("posts/a/index.html").attrs("time[datetime]", "datetime");
    assert!(datetimes.contains(&"2024-06-01T01:00:00+00:00".to_owned()), "{datetimes:?}");
}

#[test]
fn a_zone_annotation_that_cannot_hold_is_a_located_error() {
    let cases = [
        ("2024-06-01T10:00:00+02:00[America/New_York]", "-04:00"),
        ("2024-06-01T10:00:00[Mars/Base]", "Mars/Base"),
        ("2024-06-01T10:00:00-04:00[Not/AZone]", "Not/AZone"),
    ];
    for (date, fragment) in cases {
        let built = dated(PROFILE, date).build();
        let error = built.only_error();
        assert_located(error, "content/posts/a.md", 3, 7);
        assert!(error.message.contains(fragment), "{date}: {}", error.message);
    }
    // In TOML front matter and under `lastmod` as well.
    let built = SiteTest::new()
        .file("content/posts/a.md", "+++\ntitle = \"A\"\nlastmod = \"2024-06-01T10:00:00[Mars/Base]\"\n+++\nHello.\n")
        .build();
    let error = built.only_error();
    assert_located(error, "content/posts/a.md", 3, 11);
    assert!(error.message.contains("Mars/Base"), "{}", error.message);
}

#[test]
fn years_rfc3339_cannot_write_are_located_errors() {
    for date in ["-0100-06-01", "-000100-06-01", "-000001-12-31T20:00:00Z", "10000-01-01", "+010000-06-01 10:00"] {
        let built = dated(PROFILE, date).build();
        let error = built.only_error();
        assert_located(error, "content/posts/a.md", 3, 7);
        assert!(error.message.contains("0000 to 9999"), "{date}: {}", error.message);
    }
    // A civil date in year 0000 that is year -1 in UTC.
    let tokyo = format!("{PROFILE}timezone = \"Asia/Tokyo\"\n");
    let built = dated(&tokyo, "0000-01-01").build();
    let error = built.only_error();
    assert_located(error, "content/posts/a.md", 3, 7);
    assert!(error.message.contains("0000 to 9999"), "{}", error.message);
    // `updated` is checked like `date`, not dropped.
    let built = SiteTest::new()
        .file("content/posts/a.md", "---\ntitle: A\ndate: 2024-01-01\nupdated: -000100-06-01\n---\nHello.\n")
        .build();
    assert_located(built.only_error(), "content/posts/a.md", 4, 10);
}

#[test]
fn the_last_days_of_9999_are_explained_or_accepted() {
    let built = dated(PROFILE, "9999-12-31").build();
    let error = built.only_error();
    assert_located(error, "content/posts/a.md", 3, 7);
    assert!(!error.message.contains("does not exist"), "{}", error.message);
    assert!(error.message.contains("too late") && error.message.contains("9999-12-30"), "{}", error.message);
    let built = SiteTest::new()
        .file("content/posts/a.md", "---\ntitle: A\ndate: 2024-01-01\nupdated: 9999-12-31T23:00:00Z\n---\nHello.\n")
        .build();
    let error = built.only_error();
    assert_located(error, "content/posts/a.md", 4, 10);
    assert!(error.message.contains("too late"), "{}", error.message);
    // Representable: the last day in a zone far ahead of UTC, and the day before.
    let kiritimati = format!("{PROFILE}timezone = \"Pacific/Kiritimati\"\n");
    let built = dated(&kiritimati, "9999-12-31").build().ok();
    assert_eq!(built.html("posts/a/index.html").attr("time[datetime]", "datetime"), "9999-12-31T00:00:00+14:00");
    let built = dated(PROFILE, "9999-12-30").build().ok();
    assert_eq!(built.html("posts/a/index.html").attr("time[datetime]", "datetime"), "9999-12-30T00:00:00+00:00");
}

#[test]
fn every_date_output_is_rfc3339_even_for_old_and_edge_dates() {
    // Before 1883 New York kept local mean time, an offset of -04:56:02
    // that RFC 3339 cannot write; year 0000 and 9999 sit at the edges.
    let new_york = format!("{PROFILE}timezone = \"America/New_York\"\n");
    let mut site = SiteTest::new().file("profile.toml", &new_york);
    let dates = [
        "1800-01-01",
        "1850-07-04 12:00",
        "0000-01-01T12:00:00Z",
        "0001-01-01",
        "9999-12-30T12:00:00Z",
        "2024-06-01T10:00:00[Europe/Amsterdam]",
        "1900-01-01T00:00:00[Europe/Amsterdam]",
    ];
    for (i, date) in dates.iter().enumerate() {
        site = site.file(
            &format!("content/posts/p{i}.md"),
            format!("---\ntitle: P{i}\ndate: {date}\nupdated: {date}\n---\nHi.\n"),
        );
    }
    let built = site.build().ok();
    let (datetimes, lastmods) = written_dates(&built);
    assert!(datetimes.len() >= 4 * dates.len(), "{datetimes:?}");
    for datetime in &datetimes {
        assert!(is_rfc3339(datetime), "not RFC 3339: {datetime}");
    }
    for lastmod in &lastmods {
        let ok = lastmod.len() == 10 && jiff::civil::Date::strptime("%Y-%m-%d", lastmod).is_ok();
        assert!(ok, "sitemap lastmod {lastmod}");
    }
    assert_eq!(lastmods.len(), dates.len());
    // The instant is kept: 1800-01-01 00:00 local mean time is 04:56:02 UTC.
    let p0 = built.html("posts/p0/index.html").attr("time[datetime]", "datetime");
    assert_eq!(p0, "1800-01-01T04:56:02+00:00");
}

/// Characters XML 1.0 forbids, as YAML and TOML escapes, and raw.
const FORBIDDEN_ESCAPED: &str = r"\u0001\u0008\u000B\u000C\u001F\uFFFE\uFFFF";
const FORBIDDEN_RAW: &str = "\u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE}\u{FFFF}";

fn is_forbidden(c: char) -> bool {
    FORBIDDEN_RAW.contains(c) || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
}

/// A site with forbidden characters in every text that reaches the feed,
/// the sitemap or a page: profile, titles, summaries, categories, tags, body.
fn hostile_text_site() -> SiteTest {
    let f = FORBIDDEN_ESCAPED;
    SiteTest::new()
        .file(
            "profile.toml",
            format!(
                "name = \"Mia{f}\"\ntagline = \"Gear{f} notes\"\nbio = \"Hi{f} there\"\n[site]\nbase_url = \"https://example.com\"\ntitle = \"Shop{f}\"\n[disclosure]\nlabel = \"Ad{f}\"\n"
            ),
        )
        .file(
            "content/posts/yaml.md",
            format!(
                "---\ntitle: \"Mics{f} & <more>\"\nsummary: \"Best{f} mics\"\ncategories: [\"Audio{f}\"]\ntags: [\"usb{f}\", \"{f}x\"]\ndate: 2024-01-02\n---\nBody{raw} text.\n\n## Head{raw}ing\n",
                raw = FORBIDDEN_RAW
            ),
        )
        .file(
            "content/posts/toml.md",
            format!(
                "+++\ntitle = \"Desk{f}\"\ndescription = \"Lamp{f}\"\ncategories = [\"Home{f}\"]\ntags = [\"wood{f}\"]\ndate = 2024-01-01\n+++\n[link{raw}](https://example.org/?q={raw})\n",
                raw = FORBIDDEN_RAW
            ),
        )
        .file("content/posts/heading.md", format!("# Title{raw} from heading\n\nText{raw}.\n", raw = FORBIDDEN_RAW))
        .file("content/pages/about.md", format!("---\ntitle: \"About{f}\"\n---\nAbout{raw}.\n", raw = FORBIDDEN_RAW))
}

#[test]
fn feed_and_sitemap_are_well_formed_whatever_the_titles_hold() {
    let built = hostile_text_site().build().ok();
    let feed_text = built.text("feed.xml");
    let feed = roxmltree::Document::parse(&feed_text).unwrap_or_else(|e| panic!("feed.xml: {e}\n{feed_text}"));
    let texts = |name: &str| -> Vec<String> {
        feed.descendants()
            .filter(|n| n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or_default().to_owned())
            .collect()
    };
    let titles = texts("title");
    for expected in ["Shop", "Mics & <more>", "Desk", "Title from heading"] {
        assert!(titles.iter().any(|t| t == expected), "{expected}: {titles:?}");
    }
    // Vertical tab and form feed are whitespace to the summary's spacing.
    let words = |s: &String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(texts("summary").iter().any(|s| words(s) == "Best mics"), "{:?}", texts("summary"));
    assert_eq!(texts("subtitle"), ["Gear notes"]);
    assert_eq!(texts("name"), ["Mia"]);
    let terms: Vec<&str> = feed.descendants().filter_map(|n| n.attribute("term")).collect();
    assert!(terms.contains(&"Audio") && terms.contains(&"Home"), "{terms:?}");
    for content in texts("content") {
        assert!(!content.contains(is_forbidden), "{content:?}");
    }
    let sitemap_text = built.text("sitemap.xml");
    let sitemap =
        roxmltree::Document::parse(&sitemap_text).unwrap_or_else(|e| panic!("sitemap.xml: {e}\n{sitemap_text}"));
    assert!(sitemap.descendants().filter(|n| n.tag_name().name() == "loc").count() >= 8);
    assert!(!sitemap_text.contains(is_forbidden));
    assert!(!feed_text.contains(is_forbidden));
}

#[test]
fn pages_and_json_carry_no_characters_xml_forbids() {
    let built = hostile_text_site().build().ok();
    let files = built.html_files();
    assert!(files.len() >= 10, "{files:?}");
    for file in &files {
        let html = built.text(file);
        if let Some(at) = html.find(is_forbidden) {
            panic!(
                "{file}: U+{:04X} near {:?}",
                html[at..].chars().next().unwrap() as u32,
                &html[at.saturating_sub(40)..at]
            );
        }
    }
    let post = built.html("posts/yaml/index.html");
    assert!(post.texts("h1").contains(&"Mics & <more>".to_owned()), "{:?}", post.texts("h1"));
    let index: serde_json::Value = serde_json::from_str(&built.text("search-index.json")).unwrap();
    assert!(!index.to_string().contains(|c: char| c < ' '), "{index}");
}

/// A site whose profile has `line` after its name (so on line 2).
fn with_profile_line(line: &str) -> SiteTest {
    SiteTest::new()
        .file("profile.toml", format!("name = \"Mia\"\n{line}\n[site]\nbase_url = \"https://example.com\"\n"))
}

#[test]
fn unsafe_links_in_the_profile_bio_are_located_errors() {
    // Each bio and the text its error must point at.
    let cases = [
        (r#"bio = "Hi! [click](javascript:alert(1)) now""#, "[click]"),
        (r#"bio = "[a](VBScript:msgbox(1))""#, "[a]"),
        (r#"bio = "Tap [here](data:text/html;base64,PHNjcmlwdD4=)""#, "[here]"),
        (r#"bio = "Pic ![me](javascript:alert(1))""#, "![me]"),
        (r#"bio = "Raw <a href=\"javascript:alert(1)\">x</a>""#, "<a href"),
        (r#"bio = "Auto <javascript:alert(1)>""#, "<javascript"),
        (r#"bio = "Hidden [x](java&#x09;script:alert(1))""#, "[x]"),
        (r#"bio = 'Literal \d [x](javascript:alert(1))'"#, "[x]"),
        (r#"bio = "\u00e9\"quoted\" [x](javascript:alert(1))""#, "[x]"),
        ("bio = \"\"\"\nFirst line.\nSecond \\\n   [x](javascript:alert(1))\"\"\"", "[x]"),
    ];
    for (line, needle) in cases {
        let site = with_profile_line(line);
        let built = site.build();
        let error = built.only_error();
        let source = std::fs::read_to_string(site.root().join("profile.toml")).unwrap();
        let at = source.find(needle).unwrap();
        let expected_line = source[..at].matches('\n').count() + 1;
        let expected_column = source[..at].rsplit('\n').next().unwrap().chars().count() + 1;
        assert_located(error, "profile.toml", expected_line, expected_column);
        assert_eq!(error.code, "unsafe-link", "{line}");
        assert!(built.result.is_err() && !built.exists("index.html"), "{line}");
    }
}

#[test]
fn the_command_line_names_the_bio_link_and_writes_nothing() {
    let site = with_profile_line(r#"bio = "Say hi [click me](javascript:alert(document.cookie)).""#);
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("profile.toml:2:15"), "{stderr}");
    assert!(stderr.contains("javascript:"), "{stderr}");
    assert!(!site.root().join("public").exists());
}

#[test]
fn other_profile_links_with_unsafe_schemes_are_located_errors() {
    let cases = [
        r#"avatar = "javascript:alert(1)""#,
        r#"avatar = "data:image/svg+xml,<svg onload=alert(1)>""#,
        r#"avatar = " JavaScript:alert(1)""#,
        "[links]\nyoutube = \"javascript:alert(1)\"",
        "[links]\nblog = \"vbscript:msgbox(1)\"",
        "[links]\nshop = \"data:text/html,hi\"",
    ];
    for line in cases {
        let built = with_profile_line(line).build();
        let error = built.only_error();
        assert_eq!(error.path.as_deref(), Some(std::path::Path::new("profile.toml")), "{line}");
        assert_eq!(error.line, Some(line.lines().count() + 1), "{line}: {error:#?}");
    }
}

#[test]
fn a_safe_bio_still_renders_its_links() {
    let built = with_profile_line(
        r#"bio = "I test **gear**. [Shop](https://example.org/shop), [about](/about/) or [mail](mailto:m@example.com).""#,
    )
    .build()
    .ok();
    let home = built.html("index.html");
    let hrefs = home.attrs(".bio a", "href");
    assert_eq!(hrefs, ["https://example.org/shop", "/about/", "mailto:m@example.com"]);
}
