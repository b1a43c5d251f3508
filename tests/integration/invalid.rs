//! Every folder under `tests/fixtures/invalid/` is a site broken in one way.
//! Building it must exit 1, print each line of its `expected.txt`, never
//! panic, and leave a previous `public/` exactly as it was.

use crate::support::{SiteTest, fixtures, snapshot};

#[test]
fn invalid_sites_fail_with_located_messages_and_lose_nothing() {
    let dir = fixtures().join("invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("expected.txt").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} invalid cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let site = SiteTest::fixture(&format!("invalid/{case}"));
        let expected = std::fs::read_to_string(site.root().join("expected.txt")).unwrap();
        std::fs::remove_file(site.root().join("expected.txt")).unwrap();
        // A previous good build that must survive.
        let public = site.root().join("public");
        std::fs::create_dir_all(public.join("posts/old")).unwrap();
        std::fs::write(public.join("index.html"), "<p>previous site</p>").unwrap();
        std::fs::write(public.join("posts/old/index.html"), "<p>old post</p>").unwrap();
        let before = snapshot(&public);

        let output = site.cli().args(["build", "--color", "never"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut problems = Vec::new();
        if output.status.code() != Some(1) {
            problems.push(format!("exit status {:?}, expected 1", output.status.code()));
        }
        if stderr.contains("panicked") {
            problems.push("panicked".to_owned());
        }
        for (index, line) in expected.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            // The first line is a location: `a.md:1` must not match `a.md:10`.
            let found = if index == 0 {
                stderr
                    .match_indices(line)
                    .any(|(at, _)| !stderr[at + line.len()..].starts_with(|c: char| c.is_ascii_digit()))
            } else {
                stderr.contains(line)
            };
            if !found {
                problems.push(format!("missing `{line}`"));
            }
        }
        if snapshot(&public) != before {
            problems.push("public/ changed".to_owned());
        }
        if !problems.is_empty() {
            failures.push(format!("{case}: {}\n--- stderr ---\n{stderr}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
