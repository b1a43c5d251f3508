//! Rebuilds over an existing output: the post cache parses and the page
//! cache renders only what changed, and what they leave is byte for byte
//! what a clean build makes.

use std::path::Path;

use shopfront::cache::ParseCounts;
use shopfront::{BuildOptions, PageCounts};

use crate::support::{Built, SiteTest, copy_tree, png, snapshot};

/// Builds `site` over its own output and caches, then a copy of it from
/// scratch (no output, no page or post cache), and insists on the same bytes
/// in every file and the same warnings. Returns how many pages the rebuild
/// rendered and reused.
fn rebuild_matches_a_clean_build(site: &SiteTest, after: &str, adjust: impl Fn(&mut BuildOptions)) -> PageCounts {
    rebuild_and_compare(site, after, adjust).0
}

/// [`rebuild_matches_a_clean_build`], also returning how many source files
/// the rebuild parsed.
fn rebuild_and_compare(site: &SiteTest, after: &str, adjust: impl Fn(&mut BuildOptions)) -> (PageCounts, ParseCounts) {
    let built = site.build_with(&adjust).ok();
    let report = built.result.as_ref().expect("built");
    let counts = (report.rendered, report.parsed);
    let clean = tempfile::tempdir().unwrap();
    copy_tree(site.root(), clean.path());
    // The image cache stays: it has its own tests, and drawing every
    // link-preview card again makes this test slow, not stricter.
    std::fs::remove_dir_all(clean.path().join("public")).unwrap();
    std::fs::remove_file(clean.path().join(shopfront::output::page_cache::FILE)).unwrap();
    std::fs::remove_dir_all(clean.path().join(shopfront::cache::DIR)).unwrap();
    let mut options = BuildOptions { root: clean.path().to_path_buf(), ..Default::default() };
    adjust(&mut options);
    let fresh = shopfront::build(&options).unwrap_or_else(|e| panic!("{after}: clean build failed: {e:?}"));
    assert_eq!(fresh.rendered.reused, 0, "{after}: a clean build has nothing to reuse");
    assert_eq!(fresh.parsed.reused, 0, "{after}: a clean build parses every file");
    // Findings of files taken from the post cache are reported all the same.
    let messages = |warnings: &shopfront::diagnostics::Diagnostics| {
        warnings.iter().map(|d| format!("{:?} {:?}:{:?} {}", d.path, d.line, d.column, d.message)).collect::<Vec<_>>()
    };
    assert_eq!(messages(&report.warnings), messages(&fresh.warnings), "{after}: the warnings differ");
    let (incremental, clean) = (snapshot(&built.dir), snapshot(&clean.path().join("public")));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&incremental), names(&clean), "{after}: the files differ");
    for ((name, ours), (_, theirs)) in incremental.iter().zip(&clean) {
        assert!(ours == theirs, "{after}: {name} differs from a clean build's");
    }
    counts
}

fn write(root: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn edit(root: &Path, path: &str, change: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    write(root, path, change(text));
}

#[test]
fn a_rebuild_renders_only_what_changed_and_equals_a_clean_build() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    let same = |_: &mut BuildOptions| {};
    let first = rebuild_matches_a_clean_build(&site, "the first build", same);
    let total = first.rendered;
    assert!(total > 50 && first.reused == 0, "{first:?}");

    let (counts, files) = rebuild_and_compare(&site, "no change", same);
    assert_eq!(counts, PageCounts { rendered: 0, reused: total }, "nothing changed, nothing is rendered");
    assert!(files.parsed == 0 && files.reused > 10, "nothing changed, nothing is parsed: {files:?}");

    // A sentence added to a post's body changes that post's page only.
    edit(&root, "content/posts/2025-03-02-headphones-for-open-offices.md", |t| t + "\nOne more thing I noticed.\n");
    let (counts, files) = rebuild_and_compare(&site, "a post's body", same);
    assert_eq!(counts.rendered, 1, "{counts:?}");
    assert_eq!(files.parsed, 1, "only the edited file is parsed: {files:?}");

    // A title is shown on lists, in the navigation of neighbours, in search.
    edit(&root, "content/posts/2025-03-02-headphones-for-open-offices.md", |t| {
        t.replace("title: Headphones for Open Offices and Loud Cafés", "title: Headphones for Loud Places")
    });
    let counts = rebuild_matches_a_clean_build(&site, "a post's title", same);
    assert!(counts.rendered > 1 && counts.reused > 0, "{counts:?}");

    // A renamed post moves; a deleted one goes with its page.
    std::fs::rename(
        root.join("content/posts/2024-08-30-travel-tech-pouch.md"),
        root.join("content/posts/2024-08-30-the-tech-pouch.md"),
    )
    .unwrap();
    rebuild_matches_a_clean_build(&site, "a renamed post", same);
    std::fs::remove_file(root.join("content/posts/2024-12-05-gift-guide-under-50.md")).unwrap();
    rebuild_matches_a_clean_build(&site, "a deleted post", same);

    // A new post with a photo, then the photo replaced by a larger one:
    // the page's srcset, width and height follow the picture.
    write(&root, "static/images/shelf.png", png(320, 240));
    write(
        &root,
        "content/posts/2025-11-01-a-shelf.md",
        "---\ntitle: A shelf\ndate: 2025-11-01\ncover: /images/shelf.png\nproducts: [oakline-desk]\n---\nA shelf.\n\n![The shelf](/images/shelf.png)\n",
    );
    rebuild_matches_a_clean_build(&site, "a new post with a photo", same);
    write(&root, "static/images/shelf.png", png(400, 300));
    let counts = rebuild_matches_a_clean_build(&site, "a replaced photo", same);
    assert!(counts.rendered >= 1, "{counts:?}");

    // The catalogue, a template, the stylesheets, the profile, the options.
    edit(&root, "data/products.toml", |t| t.replace("Four memory presets", "Four memory presets and a USB port"));
    let (counts, files) = rebuild_and_compare(&site, "a catalogue product", same);
    assert!(counts.rendered >= 1 && counts.reused > 0, "{counts:?}");
    assert_eq!(files.reused, 0, "posts name catalogue products: every file is parsed again: {files:?}");
    let post_template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/aisle/templates/post.html"))
            .unwrap();
    write(&root, "templates/post.html", post_template.replacen("{% block", "{# changed #}{% block", 1) + "\n");
    rebuild_matches_a_clean_build(&site, "a site template", same);
    write(&root, "static/css/extra.css", ".ad-note { color: #333 }\n");
    rebuild_matches_a_clean_build(&site, "a stylesheet", same);
    edit(&root, "profile.toml", |t| t.replacen("name = \"Mia Chen\"", "name = \"Mia Chen-Okafor\"", 1));
    let counts = rebuild_matches_a_clean_build(&site, "the creator's name", same);
    assert_eq!(counts.reused, 0, "every page names the creator: {counts:?}");
    rebuild_matches_a_clean_build(&site, "--minify", |o| o.minify = true);
    rebuild_matches_a_clean_build(&site, "--base-url", |o| o.base_url = Some("https://preview.example.net/".into()));
    rebuild_matches_a_clean_build(&site, "back to the defaults", same);
}

#[test]
fn the_site_folder_written_another_way_keeps_its_caches() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    let first = site.build().ok();
    let before = snapshot(&first.dir);
    // `--root site`, `--root /home/me/site`, `.` from inside it, a link to
    // it: one folder, whose posts and pages need no second rendering.
    let mut spellings = vec![root.join("content").join("..")];
    let links = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        let link = links.path().join("my-site");
        std::os::unix::fs::symlink(&root, &link).unwrap();
        spellings.push(link);
    }
    for spelled in spellings {
        let again = site.build_with(|o| o.root = spelled.clone()).ok();
        let report = again.result.as_ref().unwrap();
        assert_eq!(report.rendered.rendered, 0, "{}: {:?}", spelled.display(), report.rendered);
        assert_eq!(report.parsed.parsed, 0, "{}: {:?}", spelled.display(), report.parsed);
        assert!(snapshot(&root.join("public")) == before, "{}: the output changed", spelled.display());
    }
}

/// `check` after a build reads the caches the build left (and leaves them as
/// they are): its findings are a clean check's, and a page an edit breaks
/// is rendered and caught.
#[test]
fn check_after_a_build_reports_what_a_clean_check_reports() {
    let site = SiteTest::example_site();
    let root = site.root().to_path_buf();
    site.build().ok();
    let caches = || snapshot(&root.join(".shopfront/cache"));
    let before = caches();
    let findings = |root: &Path| {
        let found = shopfront::check(&BuildOptions { root: root.to_path_buf(), ..Default::default() });
        found.iter().map(|d| format!("{} {:?}:{:?} {}", d.code, d.path, d.line, d.message)).collect::<Vec<_>>()
    };
    let clean = |root: &Path| {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(root, copy.path());
        std::fs::remove_dir_all(copy.path().join(".shopfront/cache")).unwrap();
        findings(copy.path())
    };
    assert_eq!(findings(&root), clean(&root), "nothing changed");
    assert!(caches() == before, "check changed the caches");

    // The post's own stylesheet hides its disclosure: that page is rendered
    // again and fails, the others are the build's.
    edit(&root, "content/posts/2025-03-02-headphones-for-open-offices.md", |t| {
        t + "\n<style>.disclosure { display: none; }</style>\n"
    });
    let found = findings(&root);
    assert!(
        found.iter().any(|f| f.starts_with("disclosure") && f.contains("headphones-for-open-offices")),
        "{found:#?}"
    );
    assert_eq!(found, clean(&root), "after an edit");
    assert!(caches() == before, "check changed the caches");
}

#[test]
fn pages_edited_or_removed_in_the_output_are_rendered_again() {
    let site = SiteTest::example_site();
    let built = site.build().ok();
    let public = built.dir.clone();
    let before = snapshot(&public);
    std::fs::write(public.join("index.html"), "defaced").unwrap();
    std::fs::remove_file(public.join("shop/index.html")).unwrap();
    let rebuilt = site.build().ok();
    assert_eq!(rebuilt.result.as_ref().unwrap().rendered.rendered, 2);
    assert!(snapshot(&public) == before, "the output was not put right");

    // A cache that is damaged or from elsewhere costs time, never bytes.
    std::fs::write(site.root().join(shopfront::output::page_cache::FILE), "{\"version\":1,\"pages\":{\"index.html\"")
        .unwrap();
    let rebuilt = site.build().ok();
    assert_eq!(rebuilt.result.as_ref().unwrap().rendered.reused, 0);
    assert!(snapshot(&public) == before);
}

#[test]
fn a_failed_rebuild_leaves_the_output_and_the_cache_as_they_were() {
    let site = SiteTest::example_site();
    let public = site.build().ok().dir.clone();
    let before = snapshot(&public);
    let cache = site.root().join(shopfront::output::page_cache::FILE);
    let cached = std::fs::read(&cache).unwrap();
    let posts = snapshot(&site.root().join(shopfront::cache::DIR));
    let site =
        site.edit("content/posts/2025-03-02-headphones-for-open-offices.md", |t| t + "\n[bad](javascript:alert(1))\n");
    assert!(site.build().errors().has_errors());
    assert!(snapshot(&public) == before, "a failed rebuild changed the output");
    assert_eq!(std::fs::read(&cache).unwrap(), cached, "a failed rebuild changed the page cache");
    assert!(snapshot(&site.root().join(shopfront::cache::DIR)) == posts, "a failed rebuild changed the post cache");
}

#[test]
fn the_post_cache_repeats_findings_and_costs_only_time_when_damaged() {
    let site = SiteTest::example_site().file(
        "content/posts/2025-11-02-no-alt.md",
        "---\ntitle: No alt\ndate: 2025-11-02\n---\nA picture: ![](/images/products/backpack.svg)\n\n\
         See [the headphones]({% post_url 2025-03-02-headphones-for-open-offices %}) and \
         [this mic](https://www.amazon.com/dp/B000000004).\n",
    );
    let first = site.build().ok();
    let public = first.dir.clone();
    let before = snapshot(&public);
    let no_alt = |report: &shopfront::BuildReport| {
        report
            .warnings
            .iter()
            .filter(|d| d.path.as_deref() == Some(Path::new("content/posts/2025-11-02-no-alt.md")))
            .count()
    };
    let warned = no_alt(first.result.as_ref().unwrap());
    assert!(warned > 0, "the fixture's missing alt text is reported");

    // Taken from the cache, the file is not parsed, and its warning is still
    // reported; the whole-site passes still see what its body holds.
    let again = site.build().ok();
    let report = again.result.as_ref().unwrap();
    assert_eq!(report.parsed.parsed, 0, "{:?}", report.parsed);
    assert_eq!(no_alt(report), warned);
    assert!(report.warnings.iter().any(|d| d.message.contains("sample ASIN B000000004")), "{:?}", report.warnings);
    let page = std::fs::read_to_string(public.join("posts/no-alt/index.html")).unwrap();
    assert!(page.contains("href=\"/posts/headphones-for-open-offices/\""), "{page}");

    // Shards cut short, emptied or filled with noise are ignored.
    let dir = site.root().join(shopfront::cache::DIR);
    let mut shards: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    shards.sort();
    assert!(shards.len() > 2, "{shards:?}");
    let bytes = std::fs::read(&shards[0]).unwrap();
    std::fs::write(&shards[0], &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(&shards[1], b"").unwrap();
    std::fs::write(&shards[2], vec![0x5a; 4096]).unwrap();
    let damaged = site.build().ok();
    let report = damaged.result.as_ref().unwrap();
    assert!(report.parsed.parsed > 0 && report.parsed.reused > 0, "{:?}", report.parsed);
    assert_eq!(no_alt(report), warned);
    assert!(snapshot(&public) == before, "a damaged post cache changed the output");
    // The build wrote the shards again.
    let repaired = site.build().ok();
    assert_eq!(repaired.result.as_ref().unwrap().parsed.parsed, 0);

    // Nor is a shard trusted that was damaged so that it still parses: one
    // letter of a stored title changed.
    let damaged = shards.iter().find_map(|shard| {
        let mut bytes = std::fs::read(shard).unwrap();
        let at = bytes.windows(6).position(|w| w == b"No alt")?;
        bytes[at] = b'K';
        Some((shard, bytes))
    });
    let (shard, bytes) = damaged.expect("a shard holds the post's title");
    std::fs::write(shard, bytes).unwrap();
    let again = site.build().ok();
    assert!(again.result.as_ref().unwrap().parsed.parsed > 0);
    assert!(snapshot(&public) == before, "a shard damaged but readable changed the output");
}

#[test]
fn findings_of_files_taken_from_the_post_cache_are_reported_by_every_later_build() {
    // Files spread over several shards, each with a finding of its own.
    let names: Vec<String> = (0..12).map(|i| format!("content/posts/2025-11-{:02}-no-alt-{i}.md", i + 1)).collect();
    let site = names.iter().enumerate().fold(SiteTest::example_site(), |site, (i, name)| {
        site.file(
            name,
            format!("---\ntitle: No alt {i}\ndate: 2025-11-{:02}\n---\n![](/images/products/backpack.svg)\n", i + 1),
        )
    });
    let findings = |built: &Built| -> Vec<String> {
        let report = built.result.as_ref().unwrap();
        report.warnings.iter().map(|d| format!("{:?}: {}", d.path, d.message)).collect()
    };
    let first = site.build().ok();
    let expected = findings(&first);
    for name in &names {
        assert!(expected.iter().any(|f| f.contains(&name[name.rfind('/').unwrap() + 1..])), "{name}: {expected:?}");
    }
    // Unchanged, then one file edited at a time: every shard the edit leaves
    // alone keeps its findings on disk for the builds after it.
    let mut site = site;
    for (round, name) in [None, Some(&names[0]), None, Some(&names[5]), None].into_iter().enumerate() {
        if let Some(name) = name {
            site = site.edit(name, |text| text + "\n");
        }
        let built = site.build().ok();
        let parsed = built.result.as_ref().unwrap().parsed;
        assert_eq!(parsed.parsed, usize::from(name.is_some()), "round {round}: {parsed:?}");
        assert_eq!(findings(&built), expected, "round {round}");
    }
}
