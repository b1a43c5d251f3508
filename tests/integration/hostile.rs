//! Well-formed but hostile situations, the way a creator's machine, a CI
//! preview of a pull request or a careless paste meets them: symbolic links
//! out of the site, hidden folders, named pipes, foreign files in the
//! output, an output that is a link, interrupted builds, colliding names
//! and a closed pipe. Each test builds with the real binary or library and
//! checks both the message and that nothing leaked or was lost.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{Run, SiteTest, files_containing, snapshot};

const MANIFEST: &str = ".shopfront-manifest";

/// A small site that builds.
fn site() -> SiteTest {
    SiteTest::new()
        .file("content/posts/hello.md", "---\ntitle: Hello\ndate: 2024-05-01\n---\nHello there.\n")
        .file("static/logo.txt", "logo")
}

/// Adds a line to the `[site]` table of the profile at `root`.
fn add_site_setting(root: &Path, line: &str) {
    let profile = std::fs::read_to_string(root.join("profile.toml")).unwrap();
    std::fs::write(root.join("profile.toml"), profile.replace("[site]\n", &format!("[site]\n{line}\n"))).unwrap();
}

#[test]
fn links_out_of_the_site_are_errors_naming_link_and_target_and_nothing_leaks() {
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("id_rsa");
    std::fs::write(&secret, "BEGIN-PRIVATE-KEY").unwrap();
    std::fs::create_dir(secrets.path().join("folder")).unwrap();
    std::fs::write(secrets.path().join("folder/keys.txt"), "BEGIN-PRIVATE-KEY").unwrap();
    let site = site();
    let root = site.root();
    symlink(&secret, root.join("static/key.txt")).unwrap();
    symlink("/proc/self/environ", root.join("static/env.txt")).unwrap();
    symlink(secrets.path().join("folder"), root.join("static/linked")).unwrap();
    symlink(&secret, root.join("content/posts/stolen.md")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    for link in ["static/key.txt", "static/env.txt", "static/linked", "content/posts/stolen.md"] {
        let line = stderr.lines().find(|l| l.contains(link) && l.contains("symbolic link to")).unwrap_or_else(|| {
            panic!("no error names {link}:\n{stderr}");
        });
        assert!(line.contains("outside the site"), "{line}");
    }
    assert!(stderr.contains(&secret.display().to_string()), "the target is named:\n{stderr}");
    assert!(!root.join("public").exists(), "a failed first build leaves no output");

    // Without the links the site builds, and no byte of the secret is anywhere.
    for link in ["static/key.txt", "static/env.txt", "static/linked", "content/posts/stolen.md"] {
        std::fs::remove_file(root.join(link)).unwrap();
    }
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(files_containing(&root.join("public"), b"BEGIN-PRIVATE-KEY").is_empty());
}

#[test]
fn links_inside_the_site_are_followed_and_loops_reported() {
    let site = site().file("shared/banner.txt", "banner");
    let root = site.root();
    symlink(root.join("shared/banner.txt"), root.join("static/banner.txt")).unwrap();
    symlink("../shared", root.join("static/shared")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(root.join("public/banner.txt")).unwrap(), "banner");
    assert_eq!(std::fs::read_to_string(root.join("public/shared/banner.txt")).unwrap(), "banner");

    symlink("..", root.join("static/shared/up")).unwrap_or_else(|_| symlink("..", root.join("shared/up")).unwrap());
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    // A link back to the site itself names the site's folder; any other, its place in the site.
    let named = format!("symbolic link loop: it leads back to {}, a folder that holds it", root.display());
    assert!(stderr.contains(&named), "{stderr}");
    std::fs::remove_file(root.join("shared/up")).unwrap();
    std::fs::create_dir(root.join("static/sub")).unwrap();
    symlink("..", root.join("static/sub/back")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("symbolic link loop: it leads back to static, a folder that holds it"), "{stderr}");
}

#[test]
fn every_input_folder_and_file_refuses_links_out_of_the_site() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("base.html"), "{{ secret }}").unwrap();
    std::fs::write(elsewhere.path().join("profile.toml"), "name = \"Someone Else\"\n").unwrap();
    std::fs::write(elsewhere.path().join("de.toml"), "ad = \"Werbung\"\n").unwrap();
    std::fs::create_dir(elsewhere.path().join("theme")).unwrap();
    for (what, set_up) in [
        (
            "templates/base.html",
            Box::new(|root: &Path, away: &Path| {
                std::fs::create_dir_all(root.join("templates")).unwrap();
                symlink(away.join("base.html"), root.join("templates/base.html")).unwrap();
            }) as Box<dyn Fn(&Path, &Path)>,
        ),
        (
            "themes/mine",
            Box::new(|root: &Path, away: &Path| {
                std::fs::create_dir_all(root.join("themes")).unwrap();
                symlink(away.join("theme"), root.join("themes/mine")).unwrap();
                add_site_setting(root, "theme = \"mine\"");
            }),
        ),
        (
            "locales/de.toml",
            Box::new(|root: &Path, away: &Path| {
                std::fs::create_dir_all(root.join("locales")).unwrap();
                symlink(away.join("de.toml"), root.join("locales/de.toml")).unwrap();
                add_site_setting(root, "language = \"de\"");
            }),
        ),
        (
            "profile.toml",
            Box::new(|root: &Path, away: &Path| {
                std::fs::remove_file(root.join("profile.toml")).unwrap();
                symlink(away.join("profile.toml"), root.join("profile.toml")).unwrap();
            }),
        ),
    ] {
        let site = site();
        set_up(site.root(), elsewhere.path());
        let Run { code, stderr } = site.run_build(&[]);
        assert_eq!(code, Some(1), "{what}:\n{stderr}");
        assert!(
            stderr.lines().any(|l| l.contains(what) && l.contains("outside the site")),
            "{what} is not named:\n{stderr}"
        );
    }
}

#[test]
fn hidden_files_and_folders_stay_private_except_well_known_and_listed_ones() {
    let site = site()
        .file("static/.git/config", "[remote] token")
        .file("static/.secrets/keys.txt", "key")
        .file("static/.env", "TOKEN=1")
        .file("static/sub/.hidden/x.txt", "x")
        .file("static/.well-known/security.txt", "Contact: me")
        .file("static/.nojekyll", "")
        .file("static/.htaccess", "Options -Indexes")
        .file("static/_redirects", "/old /new 301")
        .file("static/_headers", "/*\n  X-Frame-Options: DENY");
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let public = site.root().join("public");
    for private in [".git/config", ".secrets/keys.txt", ".env", "sub/.hidden/x.txt", ".htaccess"] {
        assert!(!public.join(private).exists(), "{private} was published");
    }
    for published in [".well-known/security.txt", ".nojekyll", "_redirects", "_headers", "logo.txt"] {
        assert!(public.join(published).is_file(), "{published} is missing");
    }

    // A hidden file listed in [site] include is published.
    let site = site.edit("profile.toml", |p| p.replace("[site]\n", "[site]\ninclude = [\".htaccess\"]\n"));
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(public.join(".htaccess").is_file());
    assert!(!public.join(".git").exists());
}

#[test]
fn named_pipes_are_never_opened_errors_where_named_skipped_in_folders() {
    // (path, whether the site names it directly, so that it is an error)
    for (what, named) in [
        ("profile.toml", true),
        ("locales/de.toml", true),
        ("static/pipe.txt", false),
        ("content/posts/pipe.md", false),
        ("templates/base.html", false),
    ] {
        let mut site = site();
        if what == "locales/de.toml" {
            site = site.edit("profile.toml", |p| p.replace("[site]\n", "[site]\nlanguage = \"de\"\n"));
        }
        let path = site.root().join(what);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
        let status = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(status.success());
        let started = Instant::now();
        let Run { code, stderr } = site.run_build(&["--verbose"]);
        assert!(started.elapsed() < Duration::from_secs(50), "{what}: hung");
        assert_eq!(code, Some(if named { 1 } else { 0 }), "{what}:\n{stderr}");
        let kind = if named { "error" } else { "warning" };
        assert!(
            stderr.lines().any(|l| l.starts_with(kind) && l.contains(what) && l.contains("named pipe")),
            "{what}: no {kind} names it:\n{stderr}"
        );
        if !named {
            assert!(!site.root().join("public").join(what.trim_start_matches("static/")).exists());
        }
    }
}

/// A named pipe in place of a cache file or of a page in the output is
/// never opened for reading: a cache is then read as damaged, and a page
/// is written again over it.
#[test]
fn named_pipes_in_caches_and_the_output_never_stop_the_build() {
    let site = site();
    assert_eq!(site.run_build(&[]).code, Some(0));
    let cache = site.root().join(".shopfront/cache");
    let shard = walkdir::WalkDir::new(&cache)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .expect("a post-cache shard")
        .into_path();
    let pipes = [cache.join("pages.json"), shard, site.root().join("public/index.html")];
    for (round, what) in pipes.into_iter().enumerate() {
        let _ = std::fs::remove_file(&what);
        assert!(std::process::Command::new("mkfifo").arg(&what).status().unwrap().success());
        let post = format!("---\ntitle: Hello\ndate: 2024-05-01\n---\nHello, round {round}.\n");
        std::fs::write(site.root().join("content/posts/hello.md"), post).unwrap();
        let started = Instant::now();
        let Run { code: got, stderr } = site.run_build(&[]);
        assert!(started.elapsed() < Duration::from_secs(50), "{}: hung", what.display());
        assert_eq!(got, Some(0), "{}:\n{stderr}", what.display());
        let page = std::fs::read_to_string(site.root().join("public/posts/hello/index.html")).unwrap();
        assert!(page.contains(&format!("Hello, round {round}.")), "{}", what.display());
    }
    assert!(std::fs::symlink_metadata(site.root().join("public/index.html")).unwrap().is_file());
}

#[test]
fn files_in_the_output_that_shopfront_did_not_write_are_never_lost() {
    let site = site();
    let public = site.root().join("public");
    std::fs::create_dir_all(public.join(".git")).unwrap();
    std::fs::write(public.join(".git/HEAD"), "ref: refs/heads/main").unwrap();
    std::fs::write(public.join("NOTES.md"), "my notes").unwrap();
    std::fs::write(public.join("CNAME"), "shop.example.com").unwrap();
    for _ in 0..2 {
        let Run { code, stderr } = site.run_build(&[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(std::fs::read_to_string(public.join(".git/HEAD")).unwrap(), "ref: refs/heads/main");
        assert_eq!(std::fs::read_to_string(public.join("NOTES.md")).unwrap(), "my notes");
        assert_eq!(std::fs::read_to_string(public.join("CNAME")).unwrap(), "shop.example.com");
        assert!(public.join("index.html").is_file());
    }
    // A post that is gone takes its page with it; the foreign files stay.
    std::fs::remove_file(site.root().join("content/posts/hello.md")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!public.join("posts/hello").exists());
    assert!(public.join("NOTES.md").is_file() && public.join(".git/HEAD").is_file());
}

/// An output path that reaches the site itself through a folder still to
/// be made is refused like the plain one, and nothing is written.
#[test]
fn an_output_that_comes_back_into_the_site_is_refused() {
    let site = site();
    let before = snapshot(site.root());
    for output in ["new/..", "new/../content", "new/./../templates", "a/b/../../static", "new/../.."] {
        let Run { code, stderr } = site.run_build(&["--output", output]);
        assert_eq!(code, Some(2), "{output}: {stderr}");
        assert!(stderr.contains("it would replace the site's own files"), "{output}: {stderr}");
    }
    assert!(snapshot(site.root()) == before, "the site changed");
    assert!(!site.root().join("new").exists() && !site.root().join("a").exists());
    // A folder still to be made that stays outside the site is fine.
    let Run { code, stderr } = site.run_build(&["--output", "new/../out"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(site.root().join("out/index.html").is_file());
}

/// A post's permalink or slug never leads into a hidden folder of the
/// output (a `.git` the creator deploys with, `.env`): an error at its line.
#[test]
fn a_permalink_or_slug_into_a_hidden_folder_is_an_error() {
    for (front_matter, url) in [
        ("permalink: /.git/hooks/", "/.git/hooks/"),
        ("permalink: /.env/", "/.env/"),
        ("slug: .git", "posts/.git/"),
        ("permalink: /.shopfront-manifest/", "/.shopfront-manifest/"),
    ] {
        let site = site().file("content/posts/2025-01-01-x.md", format!("---\ntitle: X\n{front_matter}\n---\nText.\n"));
        std::fs::create_dir_all(site.root().join("public/.git/hooks")).unwrap();
        std::fs::write(site.root().join("public/.git/HEAD"), "ref: refs/heads/main\n").unwrap();
        let Run { code, stderr } = site.run_build(&[]);
        assert_eq!(code, Some(1), "{front_matter}: {stderr}");
        assert!(stderr.contains("hidden folder") && stderr.contains("2025-01-01-x.md:3:"), "{front_matter}: {stderr}");
        assert!(stderr.contains(&format!("the URL /{}", url.trim_start_matches('/'))), "{front_matter}: {stderr}");
        assert!(!site.root().join("public/.git/hooks/index.html").exists());
        assert!(std::fs::read_dir(site.root().join("public/.git")).unwrap().count() == 2);
    }
}

/// A static file where a page's folder must go names both.
#[test]
fn a_static_file_where_a_pages_folder_goes_names_both() {
    let site = site().file("static/posts/hello", "not a folder");
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("static/posts/hello is a file, but content/posts/hello.md is published at /posts/hello/"),
        "{stderr}"
    );
}

#[test]
fn a_hand_made_folder_is_never_replaced() {
    let site = site();
    let docs = site.root().join("docs");
    std::fs::create_dir_all(docs.join("guide")).unwrap();
    std::fs::write(docs.join("index.html"), "<h1>My docs</h1>").unwrap();
    std::fs::write(docs.join("sitemap.xml"), "<urlset/>").unwrap();
    std::fs::write(docs.join("guide/page.html"), "guide").unwrap();
    let before = snapshot(&docs);
    let Run { code, stderr } = site.run_build(&["--output", "docs"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("did not write") && stderr.contains("`index.html`"), "{stderr}");
    assert!(snapshot(&docs) == before, "docs/ changed");
    let leftovers: Vec<_> = std::fs::read_dir(&docs).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 3, "{leftovers:?}");
}

#[test]
fn a_rebuild_with_nothing_changed_writes_no_file() {
    let site = site();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let public = site.root().join("public");
    let stamps = |dir: &Path| -> Vec<(String, std::time::SystemTime)> {
        let mut all: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().display().to_string(), e.metadata().unwrap().modified().unwrap()))
            .collect();
        all.sort();
        all
    };
    let before = stamps(&public);
    std::thread::sleep(Duration::from_millis(50));
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stamps(&public), before, "a rebuild of an unchanged site wrote files");

    // A page edited by hand in the output is put right by the next build.
    let index = public.join("index.html");
    let built = std::fs::read(&index).unwrap();
    std::fs::write(&index, "defaced").unwrap();
    let Run { code, .. } = site.run_build(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(std::fs::read(&index).unwrap(), built);
}

#[test]
fn an_output_that_is_a_link_is_built_into_where_it_leads() {
    let site = site();
    let web_root = tempfile::tempdir().unwrap();
    symlink(web_root.path(), site.root().join("public")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::symlink_metadata(site.root().join("public")).unwrap().file_type().is_symlink());
    assert!(web_root.path().join("index.html").is_file());
    assert!(web_root.path().join("logo.txt").is_file());
}

#[test]
fn leftovers_of_killed_builds_are_cleaned_up_or_restored() {
    let site = site();
    let Run { code, .. } = site.run_build(&[]);
    assert_eq!(code, Some(0));
    let root = site.root();
    let public = root.join("public");
    // A build killed while rendering left its staging folder.
    std::fs::create_dir_all(public.join(".shopfront-staging-4000000/posts")).unwrap();
    std::fs::write(public.join(".shopfront-staging-4000000/posts/x.html"), "half").unwrap();
    // An older shopfront killed mid-swap: a staging folder beside the output,
    // and the previous site moved aside with no public/ left.
    std::fs::create_dir_all(root.join(".public.staging-4000001/posts")).unwrap();
    std::fs::remove_file(public.join(MANIFEST)).unwrap();
    std::fs::write(public.join("NOTES.md"), "kept").unwrap();
    std::fs::rename(&public, root.join(".public.old-4000002")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut names: Vec<String> =
        std::fs::read_dir(root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.iter().all(|n| !n.starts_with(".public")), "{names:?}");
    assert!(public.join("index.html").is_file());
    assert_eq!(std::fs::read_to_string(public.join("NOTES.md")).unwrap(), "kept");
    let hidden: Vec<String> = std::fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(hidden, [MANIFEST]);
}

/// A site big enough that a debug build takes a while, with many static
/// files so that a signal also arrives while files are being copied.
fn big_site() -> SiteTest {
    // Every post has the same cover: one link preview to draw, not 1,500 cards.
    let mut site = SiteTest::new()
        .file("static/cover.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>");
    for i in 0..3000 {
        site = site.file(&format!("static/files/{}/{i}.txt", i % 30), format!("file {i}"));
    }
    for i in 0..1500 {
        site = site.file(
            &format!("content/posts/post-{i}.md"),
            format!(
                "---\ntitle: Post {i}\ndate: 2024-01-01\ncover: /cover.svg\ntags: [t{}]\n---\n{}\n",
                i % 50,
                "Words here. ".repeat(200)
            ),
        );
    }
    site
}

#[test]
fn ctrl_c_and_kill_leave_the_previous_site_and_no_staging_folder() {
    let site = big_site();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    let public = site.root().join("public");
    let before = snapshot(&public);
    std::fs::write(site.root().join("content/posts/post-1.md"), "---\ntitle: Changed\n---\nNew body.\n").unwrap();
    for (signal, expected) in [("INT", 130), ("TERM", 143)] {
        let mut process = std::process::Command::new(env!("CARGO_BIN_EXE_shopfront"))
            .args(["build", "--root"])
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the build is writing, then interrupt it.
        let deadline = Instant::now() + Duration::from_secs(60);
        let staging = loop {
            let found = std::fs::read_dir(&public)
                .unwrap()
                .filter_map(Result::ok)
                .find(|e| e.file_name().to_string_lossy().starts_with(".shopfront-staging-"));
            if let Some(found) = found {
                break found.path();
            }
            assert!(Instant::now() < deadline, "the build never started writing");
            assert!(process.try_wait().unwrap().is_none(), "the build ended before it could be interrupted");
            std::thread::sleep(Duration::from_millis(2));
        };
        let status =
            std::process::Command::new("kill").args([&format!("-{signal}"), &process.id().to_string()]).status();
        assert!(status.unwrap().success());
        let status = process.wait().unwrap();
        assert_eq!(status.code(), Some(expected), "SIG{signal}");
        assert!(!staging.exists(), "SIG{signal} left {}", staging.display());
        assert!(snapshot(&public) == before, "SIG{signal} changed the output");
    }
}

#[test]
fn pages_whose_urls_differ_only_by_case_are_an_error_naming_both() {
    let site = site()
        .file("content/posts/a.md", "---\ntitle: A\nslug: Foo\n---\nA\n")
        .file("content/posts/b.md", "---\ntitle: B\nslug: foo\n---\nB\n");
    let built = site.build();
    let errors = built.errors();
    let error = errors.iter().find(|d| d.message.contains("upper and lower case"));
    let error = error.unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("a.md") && error.message.contains("b.md"), "{}", error.message);
}

#[test]
fn tags_that_differ_by_symbols_get_pages_of_their_own() {
    let site = site()
        .file("content/posts/a.md", "---\ntitle: A\ntags: [C++]\n---\nA\n")
        .file("content/posts/b.md", "---\ntitle: B\ntags: [C]\n---\nB\n")
        .file("content/posts/c.md", "---\ntitle: C\ntags: [\"C#\", c]\n---\nC\n");
    let built = site.build().ok();
    for (page, name) in
        [("tags/c-plus-plus/index.html", "C++"), ("tags/c/index.html", "C"), ("tags/c-sharp/index.html", "C#")]
    {
        assert!(built.exists(page), "{page}");
        assert!(built.text(page).contains(name), "{page} is not about {name}");
    }

    // Names that still share a URL are an error naming both posts.
    let site = site
        .file("content/posts/d.md", "---\ntitle: D\ntags: [café]\n---\nD\n")
        .file("content/posts/e.md", "---\ntitle: E\ntags: [cafe]\n---\nE\n");
    let built = site.build();
    let errors = built.errors();
    let error =
        errors.iter().find(|d| d.message.contains("would share the page")).unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("d.md") && error.message.contains("e.md"), "{}", error.message);
}

#[test]
fn bundle_files_cannot_take_a_pages_place() {
    let site = site()
        .file("content/posts/trip/index.md", "---\ntitle: Trip\n---\nTrip\n")
        .file("content/posts/trip/index.html", "<p>stray</p>");
    let built = site.build();
    let errors = built.errors();
    let error = errors.iter().find(|d| d.message.contains("bundle file")).unwrap_or_else(|| panic!("{errors}"));
    assert!(error.message.contains("trip/index.html") && error.message.contains("trip/index.md"), "{}", error.message);
}

#[test]
fn file_names_that_are_not_utf8_are_errors() {
    use std::os::unix::ffi::OsStrExt;
    let site = site();
    for name in [&b"\xff.png"[..], b"\xfe.png"] {
        let path = site.root().join("static").join(std::ffi::OsStr::from_bytes(name));
        if std::fs::write(&path, "png").is_err() {
            // A file system that refuses such names cannot have the problem.
            return;
        }
    }
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.matches("is not valid UTF-8").count(), 2, "{stderr}");
}

#[test]
fn output_errors_name_the_output_not_a_staging_folder() {
    let long =
        site().file("content/posts/long.md", format!("---\ntitle: Long\npermalink: /{}/\n---\nx\n", "a".repeat(300)));
    let Run { code, stderr } = long.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("content/posts/long.md:3"), "{stderr}");
    assert!(!stderr.contains("staging"), "{stderr}");

    // A static file where a page's folder must go.
    let site = site().file("static/posts", "a file");
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("static/posts") && !stderr.contains("staging"), "{stderr}");
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let site = site().file("content/posts/warn.md", "---\ntitle: Warn\n---\n![](missing-alt.png)\n");
    for args in [&["build", "--verbose"][..], &["check"][..], &["check", "--format", "json"][..]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shopfront"))
            .args(args)
            .arg("--root")
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close both pipes before it writes, as `| head -0` would.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(101), "{args:?} panicked on the closed pipe");
        assert!(status.code().is_some(), "{args:?} was killed: {status:?}");
    }
}

/// Unmounts on drop, whatever the test did.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn an_output_that_is_a_mount_point_is_built_into() {
    let site = site();
    let public = site.root().join("public");
    std::fs::create_dir(&public).unwrap();
    let mounted = std::process::Command::new("mount").args(["-t", "tmpfs", "tmpfs"]).arg(&public).output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        // Mounting needs root; CI runs as root, so there it must work.
        assert!(std::env::var_os("CI").is_none(), "cannot mount a tmpfs: {mounted:?}");
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let _guard = Mounted(public.clone());
    for round in 0..2 {
        let Run { code, stderr } = site.run_build(&[]);
        assert_eq!(code, Some(0), "round {round}: {stderr}");
        assert!(public.join("index.html").is_file() && public.join("logo.txt").is_file());
    }
    std::fs::write(site.root().join("content/posts/hello.md"), "---\ntitle: Changed\n---\nNew.\n").unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::read_to_string(public.join("posts/hello/index.html")).unwrap().contains("Changed"));
}

#[test]
fn links_inside_the_site_may_not_reach_hidden_files_or_the_output() {
    let site = site()
        .file(".env", "TOKEN=BEGIN-PRIVATE-KEY")
        .file(".git/config", "[http] extraheader = AUTHORIZATION: basic BEGIN-PRIVATE-KEY");
    let root = site.root();
    symlink("../.git/config", root.join("static/gitconfig.txt")).unwrap();
    symlink("../.env", root.join("static/env.txt")).unwrap();
    symlink("../.git", root.join("static/repo")).unwrap();
    symlink("../../.env", root.join("content/posts/notes.md")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    for link in ["static/gitconfig.txt", "static/env.txt", "static/repo", "content/posts/notes.md"] {
        assert!(
            stderr.lines().any(|l| l.contains(link) && l.contains("hidden file or folder")),
            "{link} is not refused:\n{stderr}"
        );
    }
    assert!(!root.join("public").exists());

    // A link into the output would copy the site into itself.
    for link in ["static/gitconfig.txt", "static/env.txt", "static/repo", "content/posts/notes.md"] {
        std::fs::remove_file(root.join(link)).unwrap();
    }
    assert_eq!(site.run_build(&[]).code, Some(0));
    symlink("../public", root.join("static/mirror")).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("static/mirror") && stderr.contains("the output folder"), "{stderr}");
    assert!(!root.join("public/mirror").exists());
    assert!(files_containing(&root.join("public"), b"BEGIN-PRIVATE-KEY").is_empty());
}

#[test]
fn a_manifest_that_points_outside_the_output_deletes_nothing() {
    let site = site();
    assert_eq!(site.run_build(&[]).code, Some(0));
    let victim = tempfile::tempdir().unwrap();
    let keep = victim.path().join("keep.txt");
    std::fs::write(&keep, "keep").unwrap();
    std::fs::write(site.root().join("profile-copy.txt"), "keep").unwrap();
    let manifest_path = site.root().join("public").join(MANIFEST);
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let entry = manifest["files"]["index.html"].clone();
    for planted in [keep.display().to_string(), "../profile-copy.txt".to_owned()] {
        manifest["files"][planted] = entry.clone();
    }
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let Run { code, stderr } = site.run_build(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("damaged"), "{stderr}");
    assert!(keep.exists() && site.root().join("profile-copy.txt").exists());
}

#[test]
fn nothing_is_deleted_through_a_linked_folder_or_after_a_hand_edit() {
    let site = site().file("static/media/a.txt", "a").file("static/notes/b.txt", "b");
    assert_eq!(site.run_build(&[]).code, Some(0));
    let public = site.root().join("public");
    // public/media becomes a link to someone's folder holding an a.txt.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("a.txt"), "a").unwrap();
    std::fs::remove_dir_all(public.join("media")).unwrap();
    symlink(elsewhere.path(), public.join("media")).unwrap();
    // public/notes/b.txt is edited by hand.
    std::fs::write(public.join("notes/b.txt"), "mine now").unwrap();
    std::fs::remove_dir_all(site.root().join("static/media")).unwrap();
    std::fs::remove_dir_all(site.root().join("static/notes")).unwrap();
    let Run { code, stderr } = site.run_build(&["--verbose"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(elsewhere.path().join("a.txt").exists(), "deleted through a link");
    assert_eq!(std::fs::read_to_string(public.join("notes/b.txt")).unwrap(), "mine now");
    assert!(stderr.contains("notes/b.txt") && stderr.contains("left in place"), "{stderr}");
}

#[test]
fn a_hand_edit_with_the_old_timestamp_is_still_put_right() {
    let site = site();
    assert_eq!(site.run_build(&[]).code, Some(0));
    let index = site.root().join("public/index.html");
    let built = std::fs::read(&index).unwrap();
    // Right after the build (within the clock tick of its commit, where
    // only reading the file tells), and well after it.
    for pause in [Duration::ZERO, Duration::from_millis(1100)] {
        std::thread::sleep(pause);
        let before = std::fs::metadata(&index).unwrap().modified().unwrap();
        // Same length, same modification time: what `cp -p` or `rsync -a` leave.
        let mut edited = built.clone();
        edited[0] = if edited[0] == b'X' { b'Y' } else { b'X' };
        std::fs::write(&index, &edited).unwrap();
        std::fs::File::options().write(true).open(&index).unwrap().set_modified(before).unwrap();
        assert_eq!(site.run_build(&[]).code, Some(0));
        assert_eq!(std::fs::read(&index).unwrap(), built, "after {pause:?}");
    }
}

#[test]
fn a_static_file_at_a_generated_path_is_skipped_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let site = site().file("static/feed.xml", "<mine/>");
    std::fs::set_permissions(site.root().join("static/feed.xml"), std::fs::Permissions::from_mode(0o444)).unwrap();
    for _ in 0..2 {
        let Run { code, stderr } = site.run_build(&["--verbose"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains("static/feed.xml is not published"), "{stderr}");
    }
    let feed = std::fs::read_to_string(site.root().join("public/feed.xml")).unwrap();
    assert!(feed.contains("<feed"), "the generated feed wins");
}

#[test]
fn new_and_completions_neither_hang_nor_panic() {
    let site = site();
    std::fs::remove_file(site.root().join("profile.toml")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(site.root().join("profile.toml")).status().unwrap();
    assert!(status.success());
    let output = site.cli().args(["new", "A post", "--root", "."]).timeout(Duration::from_secs(30)).output().unwrap();
    assert!(output.status.code().is_some(), "`new` hung on a FIFO profile.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shopfront"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "completions panicked on a closed pipe");
}
