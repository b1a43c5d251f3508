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
fn version_is_printed_with_the_commit_it_was_built_from() {
    let output = SiteTest::new().cli().arg("--version").output().unwrap();
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(output.status.success() && line.starts_with(&format!("shopfront {}", env!("CARGO_PKG_VERSION"))), "{line}");
    // In a checkout (this test's), the commit checked out.
    let head = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success() && std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").is_dir());
    if let Some(head) = head {
        let head = String::from_utf8_lossy(&head.stdout);
        assert!(line.ends_with(&format!("(commit {})", &head.trim()[..12])), "{line} is not at {head}");
    }
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
    site.cli().arg("build").assert().success().stderr(contains("Built 1 post, "));
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

#[test]
fn init_then_build_works_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-shop");
    let shopfront = || {
        let mut command = assert_cmd::Command::cargo_bin("shopfront").unwrap();
        command.current_dir(dir.path());
        command
    };
    shopfront().args(["init", "my-shop"]).assert().success().stderr(contains("Created a site"));
    // It builds at once, and says in one warning what is still to replace.
    let built = shopfront().args(["build", "--root", "my-shop", "--verbose"]).assert().success();
    let stderr = String::from_utf8_lossy(&built.get_output().stderr).into_owned();
    assert_eq!(stderr.matches("what `shopfront init` wrote for you to replace").count(), 1, "{stderr}");
    assert!(site.join("public/posts/my-desk-setup/index.html").is_file());
    // What deploys — check, build --strict — refuses it, naming each placeholder and where.
    let refused = shopfront().args(["check", "--root", "my-shop"]).assert().code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    for placeholder in [
        "\"Your Name\" (profile.toml:2)",
        "\"yourtag-20\"",
        "https://example.com",
        "yourhandle",
        "sample ASIN B00000000",
    ] {
        assert!(stderr.contains(placeholder), "{placeholder}: {stderr}");
    }
    shopfront()
        .args(["build", "--root", "my-shop", "--strict"])
        .assert()
        .code(1)
        .stderr(contains("wrote for you to replace"));
    // With the creator's own details, it checks clean.
    let profile = std::fs::read_to_string(site.join("profile.toml")).unwrap();
    let profile = profile
        .replace("Your Name", "Mia Chen")
        .replace("yourhandle", "miachen")
        .replace("yourtag-", "miachen-")
        .replace("https://example.com", "https://mia.example");
    std::fs::write(site.join("profile.toml"), profile).unwrap();
    for post in std::fs::read_dir(site.join("content/posts")).unwrap() {
        let path = post.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().replace("B00000000", "B0DESKLMP");
        std::fs::write(&path, text).unwrap();
    }
    shopfront().args(["check", "--root", "my-shop"]).assert().success().stderr(contains("No problems found."));
    // A second init refuses, and touches nothing.
    let before = crate::support::snapshot(&site.join("content"));
    shopfront().args(["init", "my-shop"]).assert().code(1).stderr(contains("not empty"));
    assert!(crate::support::snapshot(&site.join("content")) == before);
    shopfront().args(["init", "other", "--theme", "nope"]).assert().code(2).stderr(contains("no bundled theme"));

    // --deploy: in the existing site, only the host's file, never replaced.
    shopfront().args(["init", "my-shop", "--deploy", "github"]).assert().success().stderr(contains("GitHub Actions"));
    let workflow = std::fs::read_to_string(site.join(".github/workflows/deploy.yml")).unwrap();
    assert!(workflow.contains(&format!("SHOPFRONT_VERSION: v{}", env!("CARGO_PKG_VERSION"))), "{workflow}");
    assert!(crate::support::snapshot(&site.join("content")) == before);
    shopfront().args(["init", "my-shop", "--deploy", "github"]).assert().code(1).stderr(contains("left as it is"));
    assert_eq!(std::fs::read_to_string(site.join(".github/workflows/deploy.yml")).unwrap(), workflow);
    // In a new folder, the starter site and the host's file.
    shopfront().args(["init", "cf-shop", "--deploy", "cloudflare"]).assert().success();
    assert!(
        dir.path().join("cf-shop/profile.toml").is_file() && dir.path().join("cf-shop/cloudflare-pages.sh").is_file()
    );
    shopfront()
        .args(["init", "x", "--deploy", "heroku"])
        .assert()
        .code(2)
        .stderr(contains("github, netlify, cloudflare"));
}

#[test]
fn new_creates_a_dated_post_that_builds_and_refuses_to_overwrite() {
    let site = SiteTest::new();
    site.cli().args(["new", "Best USB Microphones"]).assert().success().stderr(contains("best-usb-microphones.md"));
    let posts: Vec<_> =
        std::fs::read_dir(site.root().join("content/posts")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(posts.len(), 1);
    let name = posts[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-best-usb-microphones.md") && name.as_bytes()[4] == b'-', "{name}");
    let text = std::fs::read_to_string(&posts[0]).unwrap();
    assert!(text.contains("# products:"), "a commented products example");
    site.cli().args(["new", "Best USB Microphones"]).assert().code(1).stderr(contains("already exists"));
    assert_eq!(std::fs::read_to_string(&posts[0]).unwrap(), text);
    site.cli().arg("build").assert().success();
    assert!(site.root().join("public/posts/best-usb-microphones/index.html").is_file());
}

#[test]
fn themes_lists_the_bundled_themes() {
    let output = SiteTest::new().cli().arg("themes").output().unwrap();
    assert!(output.status.success());
    let listed = String::from_utf8_lossy(&output.stdout);
    for theme in ["aisle", "linkpage", "journal"] {
        let line = listed.lines().find(|l| l.split_whitespace().next() == Some(theme));
        let description = line.map(|l| l[theme.len()..].trim()).unwrap_or_default();
        assert!(description.len() > 20, "{theme}: a one-line description in\n{listed}");
    }
}

#[test]
fn an_unknown_theme_is_blamed_on_where_it_was_named() {
    let site = SiteTest::new();
    let output = site.cli().args(["--color", "never", "build", "--theme", "nosuch"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("there is no theme `nosuch` (given with --theme)"), "{stderr}");
    assert!(!stderr.contains("profile.toml"), "the profile did not name it: {stderr}");
    assert!(stderr.contains("aisle, journal, linkpage"), "{stderr}");

    let site = SiteTest::new().file("profile.toml", "name = \"A\"\n[site]\ntheme = \"nosuch\"\n");
    let output = site.cli().args(["--color", "never", "build"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("there is no theme `nosuch`") && stderr.contains("profile.toml:3:9"), "{stderr}");
}

/// An avatar that is not there is a broken image on every page: an error at
/// its line in the profile, not a silent `<img>`.
#[test]
fn a_missing_avatar_is_an_error_at_its_line() {
    let site = SiteTest::new().edit("profile.toml", |p| p.replace("[site]", "avatar = \"me.jpg\"\n\n[site]"));
    let failed = site.build();
    let error = failed.only_error();
    assert!(error.message.contains("the avatar `me.jpg` is not a file under static/"), "{}", error.message);
    assert_eq!(error.line, Some(3));
    site.file("static/me.jpg", crate::support::jpeg(64, 64)).build().ok();
}

/// What a new user does first: init says what to run next; `new`'s skeleton
/// builds without a warning of its own; uncommenting its product example
/// builds too; a theme name in the wrong case gets a suggestion.
#[test]
fn the_first_run_says_what_to_do_and_the_skeleton_builds_clean() {
    let dir = tempfile::tempdir().unwrap();
    let shopfront = || {
        let mut command = assert_cmd::Command::cargo_bin("shopfront").unwrap();
        command.current_dir(dir.path());
        command
    };
    shopfront()
        .args(["init", "my-shop"])
        .assert()
        .success()
        .stderr(contains("cd my-shop"))
        .stderr(contains("shopfront new"))
        .stderr(contains("shopfront serve --watch --open"));
    let site = dir.path().join("my-shop");
    shopfront().args(["new", "Hello there", "--root", "my-shop"]).assert().success();
    let post = std::fs::read_dir(site.join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("hello-there"))
        .unwrap();
    let built = shopfront().args(["build", "--root", "my-shop", "--verbose"]).assert().success();
    let stderr = String::from_utf8_lossy(&built.get_output().stderr).into_owned();
    assert!(!stderr.contains("hello-there"), "the untouched skeleton warns: {stderr}");
    let html = std::fs::read_to_string(site.join("public/posts/hello-there/index.html")).unwrap();
    // The sample shortcode is a comment readers never see, with straight quotes.
    let shown = scraper::Html::parse_document(&html).root_element().text().collect::<String>();
    assert!(!shown.contains("product(") && !html.contains('“'), "a sample shortcode shows: {shown}");
    assert!(html.contains("{{ product(\"B000000000\") }}"), "{html}");
    // Uncomment the example product (its name, asin and image lines).
    let text = std::fs::read_to_string(&post).unwrap();
    let uncommented: String = text
        .lines()
        .map(|line| match line {
            "# products:                          # what you recommend; remove the # of the lines you use" => {
                "products:".to_owned()
            }
            l if l.starts_with("#   - name:") => l.replacen('#', " ", 1),
            l if l.starts_with("#     asin:") => l.replacen('#', " ", 1),
            l => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("\nproducts:\n"), "{uncommented}");
    std::fs::write(&post, uncommented).unwrap();
    shopfront().args(["build", "--root", "my-shop"]).assert().success().stderr(contains("Built 3 posts, 1 page and"));
    shopfront()
        .args(["build", "--root", "my-shop", "--theme", "Journal"])
        .assert()
        .code(1)
        .stderr(contains("did you mean `journal`?"));
}
