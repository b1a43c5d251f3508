//! Well-formed but hostile posts: tens of thousands of copies of one thing
//! in one file. Each must be reported in bounded output (at most ten
//! findings of a kind per file, then one that counts the rest, each quoting
//! at most a window of its line) and must still fail the build when the
//! copies are errors. Nothing here is timed: each input is far past the
//! size at which the old quadratic paths took minutes, and the output is
//! checked exactly. `bench/hostile.py` times the same kinds at two sizes.

use serde_json::Value;

use crate::support::{Checked, Run, SiteTest};

const HEAD: &str = "---\ntitle: Hostile\ndate: 2025-01-01\nsummary: s\ncover: https://example.com/c.png\n";

fn site_with(post: &str) -> SiteTest {
    SiteTest::new().file("content/posts/hostile.md", post)
}

/// (code, line, more) of each finding about the hostile post, in order.
fn listed(findings: &[Value]) -> Vec<(String, Option<u64>, Option<u64>)> {
    findings
        .iter()
        .filter(|f| f["file"] == "content/posts/hostile.md")
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["line"].as_u64(), f["more"].as_u64()))
        .collect()
}

#[test]
fn fifty_thousand_unsafe_links_on_one_line_show_a_few_and_count_the_rest() {
    use shopfront::diagnostics::SHOWN_PER_KIND as SHOWN;
    let n = 50_000;
    let site = site_with(&format!("{HEAD}---\n{}\n", "[x](javascript:alert(1)) ".repeat(n)));

    let built = site.build();
    let errors = built.errors();
    assert_eq!(errors.error_count(), n, "every link still counts");
    let unsafe_links: Vec<_> = errors.iter().filter(|d| d.code == "unsafe-link").collect();
    assert_eq!(unsafe_links.len(), SHOWN + 1);
    for (i, d) in unsafe_links[..SHOWN].iter().enumerate() {
        assert_eq!((d.line, d.column), (Some(7), Some(1 + 25 * i)));
        let snippet = d.snippet.as_ref().unwrap();
        assert!(snippet.text.chars().count() <= 202, "{} characters quoted", snippet.text.len());
        assert!(snippet.text.ends_with('…'));
        assert_eq!(snippet.text.chars().skip(snippet.caret).take(4).collect::<String>(), "[x](");
    }
    let summary = unsafe_links[SHOWN];
    assert_eq!(summary.more, n - SHOWN);
    assert!(summary.is_error());
    assert_eq!(summary.message, format!("… and {} more `unsafe-link` findings in this file", n - SHOWN));

    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1));
    // Bounded by the findings shown, not by the 50,000 made.
    assert!(stderr.len() < 800 * SHOWN, "{} bytes of messages", stderr.len());
    assert!(stderr.contains(&format!("Build failed with {n} errors")), "{stderr}");
    // The caret stands under the link it is about, inside the quoted window.
    let lines: Vec<&str> = stderr.lines().collect();
    let tenth = lines.iter().position(|l| l.contains("hostile.md:7:226")).unwrap();
    let (quoted, caret) = (lines[tenth + 2], lines[tenth + 3]);
    assert!(quoted.starts_with("7 | …"), "{quoted}");
    let under: String = quoted.chars().skip(caret.chars().position(|c| c == '^').unwrap()).take(14).collect();
    assert_eq!(under, "[x](javascript", "{quoted}\n{caret}");

    let Checked { code: status, findings } = site.check_json();
    assert_eq!(status, Some(1));
    let mut expected: Vec<_> = (0..SHOWN).map(|_| ("unsafe-link".to_owned(), Some(7), None)).collect();
    expected.push(("unsafe-link".to_owned(), None, Some((n - SHOWN) as u64)));
    assert_eq!(listed(&findings), expected);
}

#[test]
fn serve_reports_a_pasted_post_in_bounded_output() {
    let site =
        site_with(&format!("{HEAD}---\n{}\n", "<a href=\"javascript:x\">x</a> [y](javascript:y) ".repeat(20_000)));
    let output = site.cli().args(["serve", "--port", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.len() < 800 * shopfront::diagnostics::SHOWN_PER_KIND, "{} bytes of messages", stderr.len());
    assert!(stderr.contains("more `unsafe-link` findings in this file"), "{stderr}");
    assert!(stderr.contains("nothing to serve"), "{stderr}");
}

/// kramdown's attribute lists and Liquid variables are each looked for
/// once a line, not again after every one found.
#[test]
fn forty_thousand_attribute_lists_and_variables_on_one_line_are_all_applied() {
    let n = 40_000;
    let built = site_with(&format!("{HEAD}---\n{}\n", "*a*{: .x} {{ site.title }} ".repeat(n))).build().ok();
    let page = built.text("posts/hostile/index.html");
    assert_eq!(page.matches("<em class=\"x\">a</em> Test Creator’s Storefront").count(), n);
    assert!(!page.contains("{:") && !page.contains("{{"));
}

/// Liquid logic runs for the first stretches of a post; a post of forty
/// thousand of them builds, the rest shown as written with a warning,
/// instead of running each after every `assign` before it.
#[test]
fn forty_thousand_stretches_of_liquid_logic_in_one_post_build() {
    let n = 40_000;
    let built =
        site_with(&format!("{HEAD}---\n{}\n", "{% assign a = \"ok\" %}{% if a %}{{ a }}{% endif %}\n".repeat(n)))
            .build()
            .ok();
    let page = built.text("posts/hostile/index.html");
    assert!(page.contains("<p>ok\nok\n"), "the first stretches ran");
    assert!(page.contains("<code>{% assign a = \"ok\" %}</code>"), "the rest stay as written");
    assert!(built.warnings().iter().any(|w| w.message.contains("Liquid could not run this logic")));
}

#[test]
fn ten_thousand_identical_headings_keep_their_ids() {
    let n = 10_000;
    let site = site_with(&format!("{HEAD}---\n{}", "## Same\n\n".repeat(n)));
    let built = site.build().ok();
    let ids = built.html("posts/hostile/index.html").attrs("h2", "id");
    let expected: Vec<String> = std::iter::once("same".to_owned()).chain((1..n).map(|i| format!("same-{i}"))).collect();
    assert_eq!(ids, expected);
}

#[test]
fn many_findings_of_each_kind_in_one_file_are_capped_per_kind() {
    use shopfront::diagnostics::SHOWN_PER_KIND as SHOWN;
    let n = 10_000;
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!("{{{{ nope{i}() }}}}\n\n[l{i}][r{i}] [in{i}](/posts/nowhere-{i}/)\n\n"));
    }
    for i in 0..n {
        body.push_str(&format!("[r{i}]: javascript:alert({i})\n"));
    }
    let products: String =
        (0..n).map(|i| format!("  - name: Product {i}\n    asin: B{i:09}\n    price: $1\n")).collect();
    let tags: String = (0..n).map(|i| format!("  - '{}'\n", "!".repeat(1 + i % 50))).collect();
    let site = site_with(&format!("{HEAD}tags:\n{tags}products:\n{products}---\n{body}"));

    let Checked { code: status, findings } = site.check_json();
    assert_eq!(status, Some(1));
    let listed = listed(&findings);
    let mut per_code: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    for (code, _, more) in &listed {
        let entry = per_code.entry(code.clone()).or_default();
        entry.0 += 1;
        entry.1 += more.unwrap_or(0);
    }
    let counts: Vec<(&str, usize, u64)> =
        per_code.iter().map(|(c, (shown, more))| (c.as_str(), *shown, *more)).collect();
    assert_eq!(
        counts,
        [
            ("amazon-price", SHOWN + 1, (n - SHOWN) as u64),
            // Reported with the file's errors, in the same run.
            ("broken-link", SHOWN + 1, (n - SHOWN) as u64),
            ("front-matter", SHOWN + 1, (n - SHOWN) as u64),
            ("shortcode", SHOWN + 1, (n - SHOWN) as u64),
            ("unsafe-link", SHOWN + 1, (n - SHOWN) as u64),
        ],
        "{listed:?}"
    );
    // The shown ones are located: the first price on the first product's line.
    let first_price = findings.iter().find(|f| f["code"] == "amazon-price").unwrap();
    assert_eq!(first_price["line"], 6 + n + 1 + 3);
    // A site whose only problem is 10,000 broken internal links lists a few and counts the rest.
    let links: String = (0..n).map(|i| format!("[in{i}](/posts/nowhere-{i}/) ")).collect();
    let site = site_with(&format!("{HEAD}---\n{links}\n"));
    let Checked { code: status, findings } = site.check_json();
    assert_eq!(status, Some(1));
    let mut expected: Vec<_> = (0..SHOWN).map(|_| ("broken-link".to_owned(), Some(7), None)).collect();
    expected.push(("broken-link".to_owned(), Some(7), Some((n - SHOWN) as u64)));
    assert_eq!(self::listed(&findings), expected);
}

#[test]
fn front_matter_hints_stay_right_after_twenty_thousand_lines() {
    let lists: String = (0..20_000).map(|i| format!("k{i}: [a,\n  b]\n")).collect();
    let site = site_with(&format!("---\ntitle: T\n{lists}tags: [a, b\nsummary: x\n---\nBody\n"));
    let Run { stderr, .. } = site.run_build(&[]);
    assert!(stderr.contains("`[` is never closed"), "{stderr}");
    assert!(stderr.contains("content/posts/hostile.md:40003:7"), "{stderr}");

    let note: String = (0..20_000).map(|i| format!("      line {i}\n")).collect();
    let site = site_with(&format!(
        "---\ntitle: T\nproducts:\n  - asin: B000000001\n    note: |\n{note}    rating: 4\n---\nBody\n"
    ));
    let Run { stderr, .. } = site.run_build(&[]);
    assert!(stderr.contains("a product needs a `name`"), "{stderr}");
    assert!(stderr.contains("content/posts/hostile.md:4:3"), "{stderr}");
}

#[test]
fn a_front_matter_over_the_reader_limit_says_which_where_and_how_to_split() {
    let products: String =
        (0..100_000).map(|i| format!("  - name: Product {i}\n    asin: B{i:09}\n    rating: 4\n")).collect();
    let site = site_with(&format!("---\ntitle: Big\nproducts:\n{products}---\nBody\n"));
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1));
    assert!(!stderr.contains("budget"), "{stderr}");
    assert!(
        stderr.contains(
            "front matter is too large: it holds more than 250,000 values (keys, values and list items), the most shopfront reads from one file"
        ),
        "{stderr}"
    );
    // The 35,715th product's `asin:` is where the reader stopped.
    assert!(stderr.contains("--> content/posts/hostile.md:107144:11"), "{stderr}");
    assert!(
        stderr.contains("split its 100,000 products over at least 4 posts of at most 32,143 products each"),
        "{stderr}"
    );
}
