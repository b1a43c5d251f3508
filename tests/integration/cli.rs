//! The command line: help, exit statuses, messages.

use predicates::str::contains;

use crate::support::SiteTest;

#[test]
fn help_shows_examples() {
    let site = SiteTest::new();
    site.cli().arg("--help").assert().success().stdout(contains("Examples:")).stdout(contains("build"));
    site.cli()
        .args(["build", "--help"])
        .assert()
        .success()
        .stdout(contains("--base-url"))
        .stdout(contains("Examples:"));
}

#[test]
fn version_is_printed() {
    SiteTest::new().cli().arg("--version").assert().success().stdout(contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let site = SiteTest::new();
    site.cli().args(["build", "--no-such-flag"]).assert().code(2);
    site.cli().arg("frobnicate").assert().code(2);
}

#[test]
fn a_good_build_exits_0_and_says_what_it_did() {
    let site = SiteTest::new().file("content/posts/a.md", "---\ntitle: A\n---\nHello\n");
    site.cli().arg("build").assert().success().stderr(contains("Built 1 posts"));
    assert!(site.root().join("public/posts/a/index.html").is_file());
}

#[test]
fn content_errors_exit_1_with_file_and_line() {
    let site = SiteTest::new()
        .file("content/posts/a.md", "---\ntitle: A\ndate: 2025-02-30\n---\n")
        .file("content/posts/b.md", "---\ntitle: B\n---\n[x](javascript:alert(1))\n");
    site.cli()
        .arg("build")
        .assert()
        .code(1)
        .stderr(contains("content/posts/a.md:3:"))
        .stderr(contains("not a valid date"))
        .stderr(contains("content/posts/b.md:4:1"))
        .stderr(contains("2 errors"));
}

#[test]
fn a_folder_without_profile_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("shopfront")
        .unwrap()
        .args(["build", "--root"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(contains("no profile.toml"));
}

#[test]
fn root_flag_and_output_flag_are_honoured() {
    let site = SiteTest::new().file("content/posts/a.md", "---\ntitle: A\n---\n");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("dist");
    assert_cmd::Command::cargo_bin("shopfront")
        .unwrap()
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(&target)
        .assert()
        .success();
    assert!(target.join("posts/a/index.html").is_file());
    assert!(!site.root().join("public").exists());
}

#[test]
fn completions_are_generated() {
    SiteTest::new().cli().args(["completions", "bash"]).assert().success().stdout(contains("shopfront"));
}
