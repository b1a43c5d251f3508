//! The suite's one support module: a small builder for fixture sites (copy a
//! fixture or start from a minimal profile in a temporary folder, add or
//! change files, build with the library or the binary) and readers for what
//! a build wrote, parsed with a real HTML parser (including where a page's
//! disclosure banner stands). Also the fixtures that more than one test
//! shares: the minimal profile, the affiliate profile with its link rules,
//! and the disclosure texts.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use assert_cmd::Command;
use scraper::{ElementRef, Html, Selector};
use shopfront::diagnostics::{Diagnostic, Diagnostics};
use shopfront::links::Rules;
use shopfront::{BuildOptions, BuildReport};

/// The smallest profile that builds: what [`SiteTest::new`] starts from and
/// what the invalid fixtures are written against.
pub const PROFILE: &str = "name = \"Test Creator\"\n\n[site]\nbase_url = \"https://example.com\"\n";

/// The affiliate creator the link-engine tests share: Amazon tags on four
/// marketplaces, a program that adds parameters and one that wraps the link
/// in a template, under a sub-path.
pub const AFFILIATE_PROFILE: &str = r#"name = "Mia"

[site]
base_url = "https://example.com/shop"

[affiliate.amazon]
tag = "mia-20"

[affiliate.amazon.tags]
"amazon.co.uk" = "mia-21"
"amazon.de" = "mia0d-21"
"amazon.co.jp" = "mia-21"

[[affiliate.programs]]
name = "Outdoor"
hosts = ["shop.example-outdoor.com"]
params = { ref = "mia" }

[[affiliate.programs]]
name = "Network"
hosts = ["store.example.net"]
template = "https://go.network.example/?u={url}"
"#;

/// [`AFFILIATE_PROFILE`] read by shopfront's own profile stage.
pub fn affiliate_settings() -> shopfront::profile::Settings {
    shopfront::profile::parse(AFFILIATE_PROFILE, Path::new("profile.toml"), None)
        .unwrap_or_else(|errors| panic!("the shared affiliate profile does not parse: {errors:?}"))
}

/// The link rules of [`AFFILIATE_PROFILE`].
pub fn affiliate_rules() -> Rules {
    affiliate_settings().link_policy().rules
}

/// The English disclosure banner text (`locales/en.toml`).
pub const DISCLOSURE: &str = "I earn a commission if you buy through links on this page, at no extra cost to you.";

/// Amazon's required statement, in English.
pub const AMAZON_STATEMENT: &str = "As an Amazon Associate I earn from qualifying purchases.";

/// The longest a run of the binary may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(120);

/// A site in a temporary folder.
pub struct SiteTest {
    dir: Rc<tempfile::TempDir>,
}

/// A real PNG picture, `width` × `height`, a gradient.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, image::ImageFormat::Png)
}

/// A real JPEG picture, `width` × `height`, a gradient.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, image::ImageFormat::Jpeg)
}

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, 128])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).expect("encode a test picture");
    bytes.into_inner()
}

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let test = Self::empty();
        copy_tree(&fixtures().join(name), test.root());
        test
    }

    /// A copy of the repository's example site.
    pub fn example_site() -> Self {
        let test = Self::empty();
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site"), test.root());
        let _ = std::fs::remove_dir_all(test.root().join("public"));
        test
    }

    /// A site with only the minimal [`PROFILE`].
    pub fn new() -> Self {
        Self::empty().file("profile.toml", PROFILE)
    }

    fn empty() -> Self {
        Self { dir: Rc::new(tempfile::tempdir().expect("temporary folder")) }
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders).
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Rewrites a text file of the site with `change`.
    pub fn edit(self, path: &str, change: impl FnOnce(String) -> String) -> Self {
        let text = std::fs::read_to_string(self.root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        self.file(path, change(text))
    }

    /// Builds with the library and default options.
    pub fn build(&self) -> Built {
        self.build_with(|_| {})
    }

    /// Builds with the library after adjusting the options.
    pub fn build_with(&self, adjust: impl FnOnce(&mut BuildOptions)) -> Built {
        let mut options = BuildOptions { root: self.root().to_path_buf(), ..Default::default() };
        adjust(&mut options);
        let output = self.output_at(options.output_dir());
        Built { result: shopfront::build(&options), output }
    }

    /// The `shopfront` binary, run in the site folder.
    pub fn cli(&self) -> Command {
        let mut command = Command::cargo_bin("shopfront").unwrap();
        command.current_dir(self.root()).env("NO_COLOR", "1");
        command
    }

    /// Runs `shopfront build --color never` and `args` with the binary, and
    /// insists it neither panicked nor hung.
    pub fn run_build(&self, args: &[&str]) -> Run {
        let output = self.cli().args(["build", "--color", "never"]).args(args).timeout(PATIENCE).output();
        let output = output.unwrap_or_else(|e| panic!("`shopfront build {}`: {e}", args.join(" ")));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "`shopfront build {}` panicked:\n{stderr}", args.join(" "));
        Run { code: output.status.code(), stderr }
    }

    /// Builds with the binary (`--verbose`, so warnings are printed) and
    /// insists on exit 0: the output, and what the build printed.
    pub fn cli_build(&self) -> CliBuilt {
        let Run { code, stderr } = self.run_build(&["--verbose"]);
        assert_eq!(code, Some(0), "build failed:\n{stderr}");
        CliBuilt { stderr, output: self.output_at(self.root().join("public")) }
    }

    /// Runs `shopfront check --format json`: its exit status and findings.
    pub fn check_json(&self) -> Checked {
        let output = self.cli().args(["check", "--format", "json"]).output().unwrap();
        let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("check prints JSON");
        let findings = findings.as_array().expect("check prints a JSON array").clone();
        Checked { code: output.status.code(), findings }
    }

    fn output_at(&self, dir: PathBuf) -> Output {
        Output { dir, _site: Rc::clone(&self.dir) }
    }
}

/// How a run of `shopfront build` through the binary ended.
pub struct Run {
    /// The exit status (`None` if a signal ended it).
    pub code: Option<i32>,
    /// What it printed to stderr.
    pub stderr: String,
}

/// What `shopfront check --format json` reported.
pub struct Checked {
    /// The exit status.
    pub code: Option<i32>,
    /// The findings, in the order printed.
    pub findings: Vec<serde_json::Value>,
}

/// A site's output folder, read back after a build.
pub struct Output {
    /// The output folder.
    pub dir: PathBuf,
    /// Keeps the site's folder alive as long as the output is looked at.
    _site: Rc<tempfile::TempDir>,
}

impl Output {
    /// Whether an output file exists.
    pub fn exists(&self, path: &str) -> bool {
        self.dir.join(path).is_file()
    }

    /// An output file's bytes.
    pub fn bytes(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// An output file's text.
    pub fn text(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// An output file parsed as HTML.
    pub fn html(&self, path: &str) -> Page {
        Page(Html::parse_document(&self.text(path)))
    }

    /// The one text of `selector` on the page at `path`.
    pub fn one(&self, path: &str, selector: &str) -> String {
        let texts = self.html(path).texts(selector);
        assert_eq!(texts.len(), 1, "{path}: {selector}: {texts:?}");
        texts.into_iter().next().unwrap_or_default()
    }

    /// The page's `<title>`.
    pub fn title(&self, path: &str) -> String {
        self.one(path, "title")
    }

    /// The page's main heading (the theme's, not one in the body).
    pub fn heading(&self, path: &str) -> String {
        let texts = self.html(path).texts("main h1");
        texts.into_iter().next().unwrap_or_else(|| panic!("{path}: no h1"))
    }

    /// Names of the folders directly under `dir` in the output, sorted.
    pub fn folders(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every HTML file of the output, relative, sorted.
    pub fn html_files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(&self.dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
            .map(|e| e.path().strip_prefix(&self.dir).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        files
    }
}

/// The result of a build through the library.
pub struct Built {
    /// What `build` returned.
    pub result: Result<BuildReport, Diagnostics>,
    output: Output,
}

/// A built site reads like its output folder.
impl Deref for Built {
    type Target = Output;

    fn deref(&self) -> &Output {
        &self.output
    }
}

impl Built {
    /// Panics with the findings unless the build succeeded.
    pub fn ok(self) -> Self {
        if let Err(diagnostics) = &self.result {
            let rendered: Vec<String> = diagnostics.iter().map(|d| d.render(false)).collect();
            panic!("build failed:\n{}", rendered.join("\n"));
        }
        self
    }

    /// The errors of a failed build.
    pub fn errors(&self) -> &Diagnostics {
        match &self.result {
            Ok(_) => panic!("build succeeded but was expected to fail"),
            Err(diagnostics) => diagnostics,
        }
    }

    /// The one error of a failed build.
    pub fn only_error(&self) -> &Diagnostic {
        let errors: Vec<&Diagnostic> = self.errors().errors().collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors[0]
    }

    /// The warnings of a successful build.
    pub fn warnings(&self) -> &Diagnostics {
        &self.result.as_ref().expect("build succeeded").warnings
    }
}

/// A successful build through the binary.
pub struct CliBuilt {
    /// What the build printed to stderr.
    pub stderr: String,
    output: Output,
}

/// A built site reads like its output folder.
impl Deref for CliBuilt {
    type Target = Output;

    fn deref(&self) -> &Output {
        &self.output
    }
}

/// A parsed page.
pub struct Page(pub Html);

impl Page {
    /// Texts of all elements matching `selector`, trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).unwrap();
        self.0.select(&selector).map(|e| e.text().collect::<String>().trim().to_owned()).collect()
    }

    /// Values of `attribute` on all elements matching `selector`.
    pub fn attrs(&self, selector: &str, attribute: &str) -> Vec<String> {
        let selector = Selector::parse(selector).unwrap();
        self.0.select(&selector).filter_map(|e| e.value().attr(attribute).map(str::to_owned)).collect()
    }

    /// The one value of `attribute` on the first element matching `selector`.
    pub fn attr(&self, selector: &str, attribute: &str) -> String {
        self.attrs(selector, attribute).into_iter().next().unwrap_or_else(|| panic!("no {selector}[{attribute}]"))
    }

    /// Whether anything matches.
    pub fn has(&self, selector: &str) -> bool {
        self.0.select(&Selector::parse(selector).unwrap()).next().is_some()
    }
}

/// What stands before a page's first affiliate link, in document order.
#[derive(Debug)]
pub enum BannerCheck {
    /// The page has no affiliate link.
    NoAffiliateLinks,
    /// The text of the disclosure banner(s) before the first affiliate link,
    /// whitespace collapsed.
    Before {
        /// The banner text.
        banner: String,
    },
    /// No disclosure banner comes before the first affiliate link.
    Missing {
        /// The first affiliate link's `href`.
        link: String,
    },
}

impl Page {
    /// Whether the page has a link to Amazon.
    pub fn links_to_amazon(&self) -> bool {
        self.elements().any(|e| e.value().name() == "a" && e.value().attr("href").is_some_and(is_amazon))
    }

    /// The disclosure banners (`.disclosure[role=note]`, the themes' banner
    /// component) that come before the first affiliate link (one with `rel`
    /// `sponsored`, or any link to Amazon) in document order. Text anywhere
    /// else, such as the footer, does not count; nor does a banner that
    /// holds the link.
    pub fn banner_before_first_affiliate_link(&self) -> BannerCheck {
        let banner = Selector::parse(".disclosure[role=note]").unwrap();
        let mut banners = Vec::new();
        for element in self.elements() {
            if is_affiliate_link(element) {
                let holds_link = |b: &ElementRef| element.ancestors().any(|a| a.id() == b.id());
                banners.retain(|b| !holds_link(b));
                if banners.is_empty() {
                    return BannerCheck::Missing { link: element.value().attr("href").unwrap_or_default().to_owned() };
                }
                let text: Vec<String> = banners.iter().map(|b| b.text().collect()).collect();
                let banner = text.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
                return BannerCheck::Before { banner };
            }
            if banner.matches(&element) {
                banners.push(element);
            }
        }
        BannerCheck::NoAffiliateLinks
    }

    /// Every element, in document order.
    fn elements(&self) -> impl Iterator<Item = ElementRef<'_>> {
        self.0.root_element().descendants().filter_map(ElementRef::wrap)
    }
}

fn is_affiliate_link(element: ElementRef) -> bool {
    let a = element.value();
    a.name() == "a"
        && (a.attr("rel").is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("sponsored")))
            || a.attr("href").is_some_and(is_amazon))
}

/// Whether `href` leads to an Amazon marketplace (`amazon.de`,
/// `www.amazon.co.uk`) or one of Amazon's short-link hosts; look-alikes
/// such as `amazon.com.evil.example` do not count.
fn is_amazon(href: &str) -> bool {
    let Ok(url) = url::Url::parse(href.trim()) else { return false };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let Some(suffix) = host.strip_prefix("amazon.").or_else(|| host.strip_prefix("amzn.")) else {
        return host == "a.co";
    };
    let suffix: Vec<&str> = suffix.split('.').collect();
    matches!(url.scheme(), "http" | "https") && matches!(suffix[..], [_] | ["co" | "com", _])
}

/// Decodes `%XX` escapes, as a browser does before looking a path up.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8().unwrap().into_owned()
}

/// Copies a folder tree, keeping symbolic links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        let kind = entry.file_type();
        if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, for comparing two builds.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path)
        .collect()
}
