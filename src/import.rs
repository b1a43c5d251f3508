//! `shopfront import hexo|jekyll SRC DEST`: moves a blog over in one
//! command.
//!
//! Reads the blog's `_config.yml` and writes a new site: `profile.toml`
//! (what maps, and comments for what does not), the posts byte for byte in
//! their folders, the pages with front matter under `content/pages/`, and
//! every other file of the blog's source (images, downloads, `CNAME`) under
//! `static/`. The blog is only read. Everything is read and decided before
//! the first file is written, and a failed write removes what was written,
//! so DEST is either the whole site or as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::content::{is_markdown, slugs};
use crate::site::routes::{RESERVED, RESERVED_FILES};

/// The blog generator an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Hexo: `_config.yml`, `source/_posts/`, other pages and files under `source/`.
    Hexo,
    /// Jekyll: `_config.yml`, `_posts/`, pages and files at the top level.
    Jekyll,
}

impl Generator {
    fn name(self) -> &'static str {
        match self {
            Generator::Hexo => "Hexo",
            Generator::Jekyll => "Jekyll",
        }
    }
}

/// Why a blog could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// DEST has files in it.
    #[error("{} is not empty; `import` only writes into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    /// SRC is not a blog of that kind.
    #[error("{} has no _config.yml: is it the folder of a {generator} blog?", .path.display())]
    NoConfig {
        /// The folder given.
        path: PathBuf,
        /// What was expected.
        generator: &'static str,
    },
    /// `_config.yml` is not YAML.
    #[error("{}: {message}", .path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What the YAML reader said, with line and column.
        message: String,
    },
    /// SRC has no posts folder.
    #[error("{} has no {folder} folder with posts", .path.display())]
    NoPosts {
        /// The blog's folder.
        path: PathBuf,
        /// `source/_posts` or `_posts`.
        folder: &'static str,
    },
    /// Reading or writing failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Posts copied.
    pub posts: usize,
    /// Pages copied.
    pub pages: usize,
    /// Other files copied under `static/`.
    pub files: usize,
    /// Settings carried over: `permalink → [site] permalink`, ….
    pub mapped: Vec<String>,
    /// What was left behind, and why.
    pub not_mapped: Vec<String>,
}

/// One file the new site will have.
enum Source {
    File(PathBuf),
    Text(String),
}

/// Imports the blog at `src` into the new site `dest`.
pub fn import(generator: Generator, src: &Path, dest: &Path) -> Result<Report, ImportError> {
    let config_path = src.join("_config.yml");
    if !config_path.is_file() {
        return Err(ImportError::NoConfig { path: src.to_path_buf(), generator: generator.name() });
    }
    if dest.exists() {
        let mut entries = std::fs::read_dir(dest).map_err(|source| ImportError::Io {
            action: "read",
            path: dest.to_path_buf(),
            source,
        })?;
        if entries.next().is_some() || !dest.is_dir() {
            return Err(ImportError::NotEmpty(dest.to_path_buf()));
        }
    }
    let text = std::fs::read_to_string(&config_path).map_err(|source| ImportError::Io {
        action: "read",
        path: config_path.clone(),
        source,
    })?;
    let config: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_saphyr::from_str(&text).map_err(|err| ImportError::Config {
            path: config_path.clone(),
            message: err.to_string().trim_start_matches("error: ").to_owned(),
        })?
    };
    let config = Config(&config);
    let mut report = Report::default();
    let mut files: BTreeMap<PathBuf, Source> = BTreeMap::new();
    // DEST may sit inside SRC: never import the new site into itself.
    let skip = dest.canonicalize().ok();
    match generator {
        Generator::Hexo => hexo_files(src, &config, skip.as_deref(), &mut files, &mut report)?,
        Generator::Jekyll => jekyll_files(src, &config, skip.as_deref(), &mut files, &mut report)?,
    }
    files.insert(PathBuf::from("profile.toml"), Source::Text(profile(generator, src, &config, &mut report)));
    files.insert(PathBuf::from(".gitignore"), Source::Text("/public/\n/.shopfront/\n".to_owned()));
    write_all(dest, &files)?;
    Ok(report)
}

/// `_config.yml`, read leniently: a missing or odd value is no value.
struct Config<'a>(&'a Value);

impl Config<'_> {
    fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut value = self.0;
        for key in path {
            value = value.get(key)?;
        }
        (!value.is_null()).then_some(value)
    }

    /// A non-empty string (numbers written as strings too).
    fn text(&self, path: &[&str]) -> Option<String> {
        let text = match self.get(path)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    fn number(&self, key: &str) -> Option<u64> {
        match self.get(&[key])? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(&[key]), Some(Value::Bool(true)))
    }

    /// A string or a list of strings.
    fn list(&self, key: &str) -> Vec<String> {
        match self.get(&[key]) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    }
}

/// The `profile.toml` of the new site.
fn profile(generator: Generator, src: &Path, config: &Config<'_>, report: &mut Report) -> String {
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut site: Vec<String> = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut top: Vec<String> = Vec::new();
    let mut mapped = |what: &str| report.mapped.push(what.to_owned());

    let title = config.text(&["title"]);
    let author = config.text(&["author", "name"]).or_else(|| config.text(&["author"]));
    let name = author.clone().or_else(|| title.clone()).unwrap_or_else(|| "Me".to_owned());
    top.push(format!("name = {}", quote(&name)));
    if author.is_some() {
        mapped("author → name");
    }
    let tagline = config.text(&["subtitle"]).or_else(|| config.text(&["description"]));
    if let Some(tagline) = &tagline {
        top.push(format!("tagline = {}", quote(tagline)));
        mapped("subtitle/description → tagline");
    }

    // Hexo's and Jekyll's own samples (`http://example.com`, `http://yoursite.com`) are no address.
    let sample = |url: &str| {
        url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).is_some_and(|host| {
            matches!(host.trim_start_matches("www."), "example.com" | "example.org" | "example.net" | "yoursite.com")
        })
    };
    let base = config.text(&["url"]).filter(|u| (u.starts_with("http://") || u.starts_with("https://")) && !sample(u));
    let sub_path = match generator {
        Generator::Hexo => config.text(&["root"]),
        Generator::Jekyll => config.text(&["baseurl"]),
    };
    match base {
        Some(url) => {
            let mut base_url = url.trim_end_matches('/').to_owned();
            let sub = sub_path.as_deref().unwrap_or("").trim_matches('/');
            // Hexo's `url` often holds the sub-path already.
            if !sub.is_empty() && !base_url.ends_with(&format!("/{sub}")) {
                base_url = format!("{base_url}/{sub}");
            }
            site.push(format!("base_url = {}", quote(&base_url)));
            mapped(if generator == Generator::Hexo { "url + root → base_url" } else { "url + baseurl → base_url" });
        }
        None => comments.push(
            "base_url: the blog's `url` is not its address (missing, a sample such as example.com, or not http(s)); set it before you publish".into(),
        ),
    }
    if let Some(title) = &title {
        site.push(format!("title = {}", quote(title)));
        mapped("title → [site] title");
    }
    let languages = {
        let mut all = config.list("language");
        all.extend(config.list("lang"));
        all.extend(config.list("locale"));
        all
    };
    if let Some(language) = languages.iter().find(|l| !l.trim().is_empty() && l.trim() != "default") {
        let tag = language.trim().replace('_', "-");
        let primary = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
        let bundled = crate::render::locale::bundled_languages();
        if bundled.contains(&primary.as_str()) {
            site.push(format!("language = {}", quote(&tag)));
            mapped("language → [site] language");
        } else {
            comments.push(format!(
                "language = {}: shopfront has no translation for it yet (bundled: {}); add locales/{tag}.toml and set it",
                quote(&tag),
                bundled.join(", ")
            ));
            report.not_mapped.push(format!("language `{tag}` (no bundled translation)"));
        }
    }
    if let Some(zone) = config.text(&["timezone"]) {
        if jiff::tz::TimeZone::get(&zone).is_ok() {
            site.push(format!("timezone = {}", quote(&zone)));
            mapped("timezone → [site] timezone");
        } else {
            comments.push(format!("timezone = {}: not an IANA time zone name", quote(&zone)));
        }
    } else {
        comments.push(format!(
            "timezone: the blog sets none, so {} used the build machine's; set yours (e.g. \"Europe/Berlin\")",
            generator.name()
        ));
    }
    let permalink = match generator {
        Generator::Hexo => config.text(&["permalink"]).unwrap_or_else(|| ":year/:month/:day/:title/".to_owned()),
        Generator::Jekyll => jekyll_permalink(config),
    };
    match crate::content::permalink::Pattern::parse(&permalink) {
        Ok(_) => {
            site.push(format!("permalink = {}", quote(&permalink)));
            mapped("permalink → [site] permalink");
        }
        Err(why) => {
            comments.push(format!("permalink = {}: {why}", quote(&permalink)));
            report.not_mapped.push(format!("permalink `{permalink}` ({why})"));
        }
    }
    let per_page = match generator {
        Generator::Hexo => config.number("per_page"),
        Generator::Jekyll => config.number("paginate"),
    };
    if let Some(n) = per_page.filter(|n| *n > 0) {
        site.push(format!("posts_per_page = {n}"));
        mapped("pagination → posts_per_page");
    }

    for key in ["theme", "remote_theme"] {
        if let Some(theme) = config.text(&[key]) {
            comments.push(format!(
                "{key} = {}: {} themes do not carry over; shopfront's are aisle, journal and linkpage (`shopfront themes`)",
                quote(&theme),
                generator.name()
            ));
            report.not_mapped.push(format!("{key} `{theme}`"));
        }
    }
    let mut plugins = config.list("plugins");
    plugins.extend(config.list("gems"));
    if !plugins.is_empty() {
        comments.push(format!(
            "plugins: {} (shopfront writes its feed, sitemap and SEO tags itself; others have no counterpart)",
            plugins.join(", ")
        ));
        report.not_mapped.push(format!("plugins ({})", plugins.join(", ")));
    }
    let mut term_slugs: BTreeMap<String, String> = BTreeMap::new();
    for key in ["category_map", "tag_map"] {
        if let Some(Value::Object(map)) = config.get(&[key]) {
            for (name, slug) in map {
                let slug = match slug {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if term_slugs.get(name).is_some_and(|taken| *taken != slug) {
                    comments.push(format!("{key}: `{name}` has another slug in category_map; that one is kept"));
                } else {
                    term_slugs.insert(name.clone(), slug);
                }
            }
            if !map.is_empty() {
                mapped(&format!("{key} → [site.term_slugs]"));
            }
        }
    }
    if generator == Generator::Hexo {
        site.push("nested_categories = true".to_owned());
        mapped("categories as Hexo's paths → nested_categories");
        // Hexo reads a post's `:title` from its file through this pattern.
        let name = config.text(&["new_post_name"]).unwrap_or_else(|| ":title.md".to_owned());
        match crate::content::post_name::PostName::parse(&name) {
            Ok(_) => {
                site.push(format!("new_post_name = {}", quote(&name)));
                mapped(
                    "new_post_name → [site] new_post_name (posts' :title from their file names, as Hexo reads them)",
                );
            }
            Err(why) => comments.push(format!("new_post_name = {}: {why}", quote(&name))),
        }
        // Hexo keeps case and every script in the slugs of categories, tags
        // and headings (`/tags/JavaScript/`, `#一、概述`), unless `filename_case` says otherwise.
        match config.text(&["filename_case"]).as_deref() {
            None | Some("0") => {
                site.push("slugs = \"hexo\"".to_owned());
                mapped("category, tag and heading addresses as Hexo writes them → slugs = \"hexo\"");
            }
            Some(case) => {
                comments.push(format!(
                    "filename_case = {case}: shopfront's slugs are lower case (`unicode` keeps other scripts, \
                     `hexo` keeps case too); check the addresses of categories and tags"
                ));
                report.not_mapped.push(format!("filename_case {case}"));
            }
        }
        if let Some(category) = config.text(&["default_category"]).filter(|c| c != "uncategorized") {
            site.push(format!("default_category = {}", quote(&category)));
            mapped("default_category → [site] default_category");
        }
    }
    // Hexo's renderers (marked, markdown-it) show a line break inside a
    // paragraph by default; Jekyll's kramdown only with `hard_wrap`.
    let is_false = |path: &[&str]| matches!(config.get(path), Some(Value::Bool(false)));
    let line_breaks = match generator {
        Generator::Hexo => !is_false(&["marked", "breaks"]) && !is_false(&["markdown", "render", "breaks"]),
        Generator::Jekyll => matches!(config.get(&["kramdown", "hard_wrap"]), Some(Value::Bool(true))),
    };
    if line_breaks {
        site.push("line_breaks = true".to_owned());
        mapped("line breaks inside paragraphs, shown as the blog showed them → line_breaks");
    }
    if generator == Generator::Hexo && config.flag("post_asset_folder") {
        mapped("post_asset_folder → each post's folder of assets");
    }

    // Other plain values, for `{{ site.NAME }}` in posts.
    let mut liquid = Vec::new();
    if let Value::Object(map) = config.0 {
        for (key, value) in map {
            let taken =
                LIQUID_TAKEN.contains(&key.as_str()) || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let text = match value {
                Value::String(s) if !s.trim().is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if !taken {
                liquid.push(format!("{key} = {}", quote(&text)));
            }
        }
    }

    let mut out = format!(
        "# Imported from the {} blog in {} by `shopfront import`.\n# The profile is documented in shopfront's README (\"profile.toml\").\n\n",
        generator.name(),
        src.display()
    );
    for line in top {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n[site]\n");
    for line in site {
        out.push_str(&line);
        out.push('\n');
    }
    if !comments.is_empty() {
        out.push_str("\n# Not carried over from _config.yml:\n");
        for comment in comments {
            out.push_str(&format!("# {comment}\n"));
        }
    }
    if !term_slugs.is_empty() {
        out.push_str("\n# The URL of each category or tag named here.\n[site.term_slugs]\n");
        for (name, slug) in term_slugs {
            out.push_str(&format!("{} = {}\n", quote(&name), quote(&slug)));
        }
    }
    if !liquid.is_empty() {
        out.push_str("\n# What `{{ site.NAME }}` means in the posts.\n[liquid]\n");
        for line in liquid {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(
        "\n# Your affiliate tags, when you have them (see the README's \"Affiliate links\"):\n# [affiliate.amazon]\n# tag = \"yourtag-20\"\n",
    );
    out
}

/// `_config.yml` keys that are settings of the generator, or mapped into
/// `[site]`: not carried into `[liquid]`.
const LIQUID_TAKEN: [&str; 31] = [
    "title",
    "subtitle",
    "description",
    "author",
    "url",
    "root",
    "baseurl",
    "permalink",
    "timezone",
    "language",
    "lang",
    "locale",
    "theme",
    "remote_theme",
    "per_page",
    "paginate",
    "paginate_path",
    "pagination_dir",
    "new_post_name",
    "post_asset_folder",
    "source_dir",
    "public_dir",
    "markdown",
    "highlighter",
    "encoding",
    "default_category",
    "filename_case",
    "date_format",
    "time_format",
    "future",
    "relative_link",
];

/// The posts' permalink of a Jekyll site: the `posts` collection's, a
/// `defaults` entry for `_posts`, the site's, or Jekyll's default.
fn jekyll_permalink(config: &Config<'_>) -> String {
    if let Some(pattern) = config.text(&["collections", "posts", "permalink"]) {
        return pattern;
    }
    if let Some(Value::Array(defaults)) = config.get(&["defaults"]) {
        for entry in defaults {
            let scope = &entry["scope"];
            let for_posts = scope["type"].as_str() == Some("posts")
                || scope["path"].as_str().is_some_and(|p| p.trim_matches('/') == "_posts");
            if for_posts && let Some(pattern) = entry["values"]["permalink"].as_str() {
                return pattern.to_owned();
            }
        }
    }
    config.text(&["permalink"]).unwrap_or_else(|| "date".to_owned())
}

/// Whether a file starts with YAML front matter (Jekyll processes it).
fn has_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 8];
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    let n = file.read(&mut start).unwrap_or(0);
    let start = start[..n].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start[..n]);
    start.starts_with(b"---\n") || start.starts_with(b"---\r\n") || start == b"---"
}

/// Every regular file under `dir`, relative to it, sorted; hidden names and
/// `skip` left out. Links are not followed: a blog's link may point anywhere.
fn files_under(dir: &Path, skip: Option<&Path>) -> Result<Vec<PathBuf>, ImportError> {
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_entry(|entry| {
        let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
        let is_skip = skip.is_some_and(|s| entry.path().canonicalize().ok().as_deref() == Some(s));
        !hidden && !is_skip
    });
    for entry in walker {
        let entry = entry.map_err(|err| ImportError::Io {
            action: "read",
            path: err.path().unwrap_or(dir).to_path_buf(),
            source: err.into_io_error().unwrap_or_else(|| std::io::Error::other("a folder loop")),
        })?;
        if entry.file_type().is_file() {
            found.push(entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf());
        }
    }
    Ok(found)
}

/// Posts from `parent/_posts` (`shown` is `parent` as the creator knows it:
/// `source/` for Hexo) into `content/posts/`, in their folders. Hexo's
/// asset folders (`foo.md` with `foo/`) come along as they are: the build
/// reads them. Drafts stay behind, and the report says so.
fn posts(
    src: &Path,
    parent: &Path,
    shown: &str,
    skip: Option<&Path>,
    files: &mut BTreeMap<PathBuf, Source>,
    report: &mut Report,
) -> Result<(), ImportError> {
    let folder = parent.join("_posts");
    if !folder.is_dir() {
        let folder = if shown.is_empty() { "_posts" } else { "source/_posts" };
        return Err(ImportError::NoPosts { path: src.to_path_buf(), folder });
    }
    if parent.join("_drafts").is_dir() {
        report
            .not_mapped
            .push(format!("{shown}_drafts (drafts stay in the blog; copy one to content/posts/ with `draft: true`)"));
    }
    let posts_dir = Path::new("content/posts");
    for relative in files_under(&folder, skip)? {
        let from = folder.join(&relative);
        if is_markdown(&relative) {
            files.insert(posts_dir.join(&relative), Source::File(from));
            report.posts += 1;
        } else if relative.extension().is_some_and(|e| e.eq_ignore_ascii_case("html")) {
            report
                .not_mapped
                .push(format!("post {} (HTML posts are not read; convert it to Markdown)", relative.display()));
        } else {
            // An asset beside the posts: it stays beside them.
            files.insert(posts_dir.join(&relative), Source::File(from));
            report.files += 1;
        }
    }
    Ok(())
}

/// Where a page would live, and whether shopfront makes that page itself.
fn reserved_page(relative: &Path) -> Option<String> {
    let stem = relative.file_stem()?.to_string_lossy().to_lowercase();
    let name = if stem == "index" {
        relative.parent()?.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default()
    } else if relative.parent().is_some_and(|p| p.as_os_str().is_empty()) {
        stem
    } else {
        return None;
    };
    let name = slugs::slugify(&name, crate::profile::SlugMode::default());
    (name.is_empty() || RESERVED.contains(&name.as_str()) || RESERVED_FILES.contains(&name.as_str())).then_some(name)
}

/// A page (Markdown with front matter) into `content/pages/`, unless
/// shopfront makes that page itself.
fn page(relative: &Path, from: PathBuf, files: &mut BTreeMap<PathBuf, Source>, report: &mut Report) {
    match reserved_page(relative) {
        Some(name) if name.is_empty() => {
            report.not_mapped.push(format!("{} (the home page: shopfront makes its own)", relative.display()))
        }
        Some(name) => {
            report.not_mapped.push(format!("{} (shopfront makes its own /{name}/ page)", relative.display()));
        }
        None => {
            files.insert(Path::new("content/pages").join(relative), Source::File(from));
            report.pages += 1;
        }
    }
}

fn hexo_files(
    src: &Path,
    config: &Config<'_>,
    skip: Option<&Path>,
    files: &mut BTreeMap<PathBuf, Source>,
    report: &mut Report,
) -> Result<(), ImportError> {
    let source = src.join(config.text(&["source_dir"]).unwrap_or_else(|| "source".to_owned()));
    posts(src, &source, "source/", skip, files, report)?;
    for relative in files_under(&source, skip)? {
        // `_posts`, `_drafts`, `_data`: Hexo's own folders and files.
        if relative.components().next().is_some_and(|c| c.as_os_str().to_string_lossy().starts_with('_')) {
            continue;
        }
        let from = source.join(&relative);
        if is_markdown(&relative) {
            page(&relative, from, files, report);
        } else {
            files.insert(Path::new("static").join(&relative), Source::File(from));
            report.files += 1;
        }
    }
    Ok(())
}

/// Top-level names of a Jekyll site that are the tool's, not the site's.
const JEKYLL_OWN: [&str; 16] = [
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor",
    "package.json",
    "package-lock.json",
    "Rakefile",
    "Dockerfile",
    "Makefile",
    "script",
    "bin",
    "README.md",
    "LICENSE",
    "LICENSE.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
];

fn jekyll_files(
    src: &Path,
    config: &Config<'_>,
    skip: Option<&Path>,
    files: &mut BTreeMap<PathBuf, Source>,
    report: &mut Report,
) -> Result<(), ImportError> {
    posts(src, src, "", skip, files, report)?;
    let excluded = config.list("exclude");
    let mut processed = 0;
    for relative in files_under(src, skip)? {
        let first =
            relative.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
        let own = first.starts_with('_')
            || JEKYLL_OWN.contains(&first.as_str())
            || first.ends_with(".gemspec")
            || excluded.iter().any(|e| e.trim_matches('/') == first);
        if own {
            continue;
        }
        let from = src.join(&relative);
        if has_front_matter(&from) {
            if is_markdown(&relative) {
                page(&relative, from, files, report);
            } else {
                // Layout-driven HTML, feeds, Sass: the theme's work.
                processed += 1;
            }
        } else {
            files.insert(Path::new("static").join(&relative), Source::File(from));
            report.files += 1;
        }
    }
    if processed > 0 {
        report.not_mapped.push(format!(
            "{processed} HTML/XML/Sass files with front matter (rendered by the Jekyll theme; shopfront makes its own home, lists, feed and styles)"
        ));
    }
    Ok(())
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io { action, path: path.to_path_buf(), source }
}

/// Writes every file, or nothing: a failed write removes what was written.
fn write_all(dest: &Path, files: &BTreeMap<PathBuf, Source>) -> Result<(), ImportError> {
    let created = !dest.exists();
    let result = (|| {
        for (relative, source) in files {
            let to = dest.join(relative);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error("write", parent, e))?;
            }
            match source {
                Source::File(from) => {
                    std::fs::copy(from, &to).map_err(|e| io_error("read", from, e))?;
                }
                Source::Text(text) => std::fs::write(&to, text).map_err(|e| io_error("write", &to, e))?,
            }
        }
        Ok(())
    })();
    if result.is_err() {
        if created {
            let _ = std::fs::remove_dir_all(dest);
        } else if let Ok(entries) = std::fs::read_dir(dest) {
            // It was empty: what is in it now is ours.
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
            }
        }
    }
    result
}
