//! `shopfront init` and `shopfront new`: starting a site and a post.
//!
//! The starter site is the `scaffold/` folder of the repository, embedded in
//! the binary, so `init` works anywhere and always builds at once.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::content::slugs;
use crate::profile::SlugMode;

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scaffold");
static DEPLOY: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/deploy");

/// Where a site is published: `init --deploy` writes the host's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// GitHub Pages: `.github/workflows/deploy.yml`.
    Github,
    /// Netlify: `netlify.toml`.
    Netlify,
    /// Cloudflare Pages: `cloudflare-pages.sh`, the build command.
    Cloudflare,
}

impl Host {
    fn folder(self) -> &'static str {
        match self {
            Host::Github => "github",
            Host::Netlify => "netlify",
            Host::Cloudflare => "cloudflare",
        }
    }
}

/// Why a site or post could not be created.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The target folder has files in it.
    #[error("{} is not empty; `init` only writes into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    /// The theme does not exist.
    #[error("there is no bundled theme `{name}` (bundled: {known})")]
    UnknownTheme {
        /// Asked for.
        name: String,
        /// Available.
        known: String,
    },
    /// The post file exists already.
    #[error("{} already exists; choose another title or edit that file", .0.display())]
    Exists(PathBuf),
    /// A deploy file is there already.
    #[error("{} already exists; it is left as it is (delete it first for a fresh one)", .0.display())]
    DeployExists(PathBuf),
    /// The title gives no usable file name.
    #[error("cannot make a file name from the title `{0}`")]
    EmptySlug(String),
    /// The site has no content folder to put the post in.
    #[error("{} has no profile.toml: run `shopfront new` inside a site, or pass --root", .0.display())]
    NotASite(PathBuf),
    /// Writing failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io { path: path.to_path_buf(), source };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}

/// Writes the starter site into `dir` (created if needed; must be empty).
/// Returns the files written, relative to `dir`.
pub fn init(dir: &Path, theme: &str) -> Result<Vec<PathBuf>, ScaffoldError> {
    let known: Vec<String> = crate::render::theme::bundled().into_iter().map(|t| t.name).collect();
    if !known.iter().any(|k| k == theme) {
        return Err(ScaffoldError::UnknownTheme { name: theme.to_owned(), known: known.join(", ") });
    }
    if dir.exists() {
        let has_files = std::fs::read_dir(dir)
            .map_err(|source| ScaffoldError::Io { path: dir.to_path_buf(), source })?
            .next()
            .is_some();
        if has_files || !dir.is_dir() {
            return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
        }
    }
    let mut written = Vec::new();
    let mut stack = vec![&SCAFFOLD];
    while let Some(folder) = stack.pop() {
        stack.extend(folder.dirs());
        for file in folder.files() {
            let relative = file.path().to_path_buf();
            let bytes = if relative == Path::new("profile.toml") {
                String::from_utf8_lossy(file.contents()).replace("{theme}", theme).into_bytes()
            } else {
                file.contents().to_vec()
            };
            write(&dir.join(&relative), &bytes)?;
            written.push(relative);
        }
    }
    written.sort();
    Ok(written)
}

/// Writes what `host` needs to build and publish the site in `dir` on every
/// push: it installs this very version of shopfront from the project's
/// releases, runs `shopfront check`, then `shopfront build`. Refuses to
/// replace a file that exists. Returns the files written, relative to `dir`.
pub fn deploy(dir: &Path, host: Host) -> Result<Vec<PathBuf>, ScaffoldError> {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/").trim_end_matches('/');
    let mut files = Vec::new();
    let mut stack: Vec<&Dir<'static>> = DEPLOY.get_dir(host.folder()).into_iter().collect();
    while let Some(folder) = stack.pop() {
        stack.extend(folder.dirs());
        files.extend(folder.files());
    }
    let relative = |file: &include_dir::File<'_>| {
        file.path().strip_prefix(host.folder()).map(Path::to_path_buf).unwrap_or_else(|_| file.path().to_path_buf())
    };
    if let Some(existing) = files.iter().map(|file| relative(file)).find(|path| dir.join(path).exists()) {
        return Err(ScaffoldError::DeployExists(dir.join(existing)));
    }
    let mut written = Vec::new();
    for file in files {
        let text = String::from_utf8_lossy(file.contents())
            .replace("{version}", env!("CARGO_PKG_VERSION"))
            .replace("{repository}", repository);
        let path = relative(file);
        write(&dir.join(&path), text.as_bytes())?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Creates `content/posts/DATE-SLUG.md` for `title` in the site at `root`.
/// `today` is the date in the site's time zone.
pub fn new_post(root: &Path, title: &str, today: jiff::civil::Date, mode: SlugMode) -> Result<PathBuf, ScaffoldError> {
    if !root.join(crate::profile::FILE_NAME).is_file() {
        return Err(ScaffoldError::NotASite(root.to_path_buf()));
    }
    let slug = slugs::slugify(title, mode);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.to_owned()));
    }
    let path = root.join("content/posts").join(format!("{today}-{slug}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    let quoted = title.replace('\\', "\\\\").replace('"', "\\\"");
    let text = format!(
        "---
title: \"{quoted}\"
date: {today} 09:00:00
categories: []
tags: []
# summary: One line for cards, feeds and search results (default: the first paragraph)
# cover: /images/cover.jpg           # under static/, next to this file, or an https URL
# draft: true                        # leave out of the build until you are ready
# products:                          # what you recommend; remove the # of the lines you use
#   - name: Product name
#     asin: B000000000                # the 10-character code in the Amazon URL
#     # marketplace: amazon.co.uk     # default: the profile's marketplace
#     # url: https://shop.example.com/item   # or any store instead of asin
#     image: /images/product.jpg
#     badge: Best overall
#     rating: 4.5                     # your own score, 0–5
#     pros: [One good thing]
#     cons: [One bad thing]
#     note: A short verdict in **Markdown**.
---
Write your post here.

<!-- A product's card goes where you write {{{{ product(\"B000000000\") }}}} on a line of its own. -->
"
    );
    // create_new: never overwrite, even if the file appeared since the check above.
    std::fs::create_dir_all(path.parent().unwrap_or(root))
        .map_err(|source| ScaffoldError::Io { path: path.clone(), source })?;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            ScaffoldError::Exists(path.clone())
        } else {
            ScaffoldError::Io { path: path.clone(), source }
        }
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|source| ScaffoldError::Io { path: path.clone(), source })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_refuses_a_folder_with_files_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(init(dir.path(), "aisle"), Err(ScaffoldError::NotEmpty(_))));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn init_keeps_the_output_and_the_image_cache_out_of_git() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let written = init(&site, "aisle").unwrap();
        assert!(written.contains(&PathBuf::from(".gitignore")), "{written:?}");
        let ignored = std::fs::read_to_string(site.join(".gitignore")).unwrap();
        assert!(ignored.lines().any(|l| l == "/public/") && ignored.lines().any(|l| l == "/.shopfront/"), "{ignored}");
    }

    #[test]
    fn init_writes_a_site_with_the_chosen_theme() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("shop");
        let files = init(&target, "aisle").unwrap();
        assert!(files.contains(&PathBuf::from("profile.toml")));
        let profile = std::fs::read_to_string(target.join("profile.toml")).unwrap();
        assert!(profile.contains("theme = \"aisle\""));
        assert!(matches!(init(&target, "nope"), Err(ScaffoldError::UnknownTheme { .. })));
    }

    #[test]
    fn deploy_files_install_this_version_check_then_build() {
        let expected = [
            (Host::Github, ".github/workflows/deploy.yml"),
            (Host::Netlify, "netlify.toml"),
            (Host::Cloudflare, "cloudflare-pages.sh"),
        ];
        for (host, file) in expected {
            let dir = tempfile::tempdir().unwrap();
            assert_eq!(deploy(dir.path(), host).unwrap(), [PathBuf::from(file)], "{host:?}");
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            let version = format!("v{}", env!("CARGO_PKG_VERSION"));
            assert!(text.contains(&version), "{file} does not pin {version}:\n{text}");
            assert!(!text.contains("{version}") && !text.contains("{repository}"), "{file}: {text}");
            let install = text.find("/install.sh").unwrap_or_else(|| panic!("{file} installs nothing"));
            let after = &text[install..];
            let check = after.find(" check").unwrap_or_else(|| panic!("{file} does not check after installing"));
            assert!(after[check..].contains(" build"), "{file} does not build after checking");
            // A second time, nothing is replaced.
            std::fs::write(dir.path().join(file), "mine").unwrap();
            assert!(matches!(deploy(dir.path(), host), Err(ScaffoldError::DeployExists(_))));
            assert_eq!(std::fs::read_to_string(dir.path().join(file)).unwrap(), "mine");
        }
    }

    #[test]
    fn new_post_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("profile.toml"), "name = \"A\"\n").unwrap();
        let today = jiff::civil::date(2025, 9, 25);
        let path = new_post(dir.path(), "Best USB Mics: \"2025\"", today, SlugMode::Transliterate).unwrap();
        assert!(path.ends_with("content/posts/2025-09-25-best-usb-mics-2025.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        let split = crate::content::front_matter::split(&text).unwrap();
        let (format, fm) = split.front_matter.unwrap();
        let parsed = crate::content::front_matter::parse(format, fm).unwrap();
        assert_eq!(parsed.title.as_deref(), Some("Best USB Mics: \"2025\""));
        std::fs::write(&path, "edited").unwrap();
        assert!(matches!(
            new_post(dir.path(), "Best USB Mics: \"2025\"", today, SlugMode::Transliterate),
            Err(ScaffoldError::Exists(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited");
    }
}
