//! Rebuilds over an existing output: the page cache renders only what
//! changed, and what it leaves is byte for byte what a clean build makes.

use std::path::Path;

use shopfront::{BuildOptions, PageCounts};

use crate::support::{SiteTest, copy_tree, png, snapshot};

/// Builds `site` over its own output and page cache, then a copy of it from
/// scratch (no output, no page cache), and insists on the same bytes in every
/// file. Returns how many pages the rebuild rendered and reused.
fn rebuild_matches_a_clean_build(site: &SiteTest, after: &str, adjust: impl Fn(&mut BuildOptions)) -> PageCounts {
    let built = site.build_with(&adjust).ok();
    let counts = built.result.as_ref().expect("built").rendered;
    let clean = tempfile::tempdir().unwrap();
    copy_tree(site.root(), clean.path());
    // The image cache stays: it has its own tests, and drawing every
    // link-preview card again makes this test slow, not stricter.
    std::fs::remove_dir_all(clean.path().join("public")).unwrap();
    std::fs::remove_file(clean.path().join(shopfront::output::page_cache::FILE)).unwrap();
    let mut options = BuildOptions { root: clean.path().to_path_buf(), ..Default::default() };
    adjust(&mut options);
    let fresh = shopfront::build(&options).unwrap_or_else(|e| panic!("{after}: clean build failed: {e:?}"));
    assert_eq!(fresh.rendered.reused, 0, "{after}: a clean build has nothing to reuse");
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

    let counts = rebuild_matches_a_clean_build(&site, "no change", same);
    assert_eq!(counts, PageCounts { rendered: 0, reused: total }, "nothing changed, nothing is rendered");

    // A sentence added to a post's body changes that post's page only.
    edit(&root, "content/posts/2025-03-02-headphones-for-open-offices.md", |t| t + "\nOne more thing I noticed.\n");
    let counts = rebuild_matches_a_clean_build(&site, "a post's body", same);
    assert_eq!(counts.rendered, 1, "{counts:?}");

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
    let counts = rebuild_matches_a_clean_build(&site, "a catalogue product", same);
    assert!(counts.rendered >= 1 && counts.reused > 0, "{counts:?}");
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
    let site =
        site.edit("content/posts/2025-03-02-headphones-for-open-offices.md", |t| t + "\n[bad](javascript:alert(1))\n");
    assert!(site.build().errors().has_errors());
    assert!(snapshot(&public) == before, "a failed rebuild changed the output");
    assert_eq!(std::fs::read(&cache).unwrap(), cached, "a failed rebuild changed the page cache");
}
