//! Every folder under `tests/fixtures/invalid/` is a site broken in one way.
//! Building it must exit 1, print each line of its `expected.txt`, never
//! panic, and leave a previous `public/` exactly as it was.
//!
//! A case holds only what differs from a good site. The runner writes the
//! good site first (the minimal profile and one good post), then copies the
//! case over it: a case's `profile.toml` or post replaces the good one, any
//! other file is added. Two files of a case are instructions to the runner,
//! not part of the site: `profile.append.toml` is appended to the good
//! profile after a blank line (for cases that only need, say, an Amazon
//! tag), and `no-profile` leaves the site without a `profile.toml`.

use std::path::Path;

use crate::support::{PROFILE, Run, SiteTest, copy_tree, fixtures, snapshot};

/// The post every case has besides what it breaks, so that a case fails for
/// what it adds, not for being empty.
const GOOD_POST: &str =
    "---\ntitle: A good post\ndate: 2025-01-01\nsummary: Nothing wrong here.\n---\nThis post is fine.\n";

/// The good site with `case` copied over it.
fn site_for(case: &Path) -> SiteTest {
    let site = SiteTest::new().file("content/posts/good.md", GOOD_POST);
    copy_tree(case, site.root());
    let root = site.root().to_path_buf();
    std::fs::remove_file(root.join("expected.txt")).unwrap();
    let append = root.join("profile.append.toml");
    if append.is_file() {
        let more = std::fs::read_to_string(&append).unwrap();
        std::fs::remove_file(&append).unwrap();
        std::fs::write(root.join("profile.toml"), format!("{PROFILE}\n{more}")).unwrap();
    }
    if root.join("no-profile").is_file() {
        std::fs::remove_file(root.join("no-profile")).unwrap();
        std::fs::remove_file(root.join("profile.toml")).unwrap();
    }
    site
}

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
        let expected = std::fs::read_to_string(dir.join(case).join("expected.txt")).unwrap();
        let site = site_for(&dir.join(case));
        // A previous good build that must survive.
        let public = site.root().join("public");
        std::fs::create_dir_all(public.join("posts/old")).unwrap();
        std::fs::write(public.join("index.html"), "<p>previous site</p>").unwrap();
        std::fs::write(public.join("posts/old/index.html"), "<p>old post</p>").unwrap();
        let before = snapshot(&public);

        // Names the case in the test's output should the build panic.
        eprintln!("{case}");
        let Run { code, stderr } = site.run_build(&[]);
        let mut problems = Vec::new();
        let carried =
            |path: &str, good: &str| std::fs::read(dir.join(case).join(path)).is_ok_and(|b| b == good.as_bytes());
        if carried("content/posts/good.md", GOOD_POST) || carried("profile.toml", PROFILE) {
            problems.push("holds a copy of the good post or profile, which the runner supplies".to_owned());
        }
        if code != Some(1) {
            problems.push(format!("exit status {code:?}, expected 1"));
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
