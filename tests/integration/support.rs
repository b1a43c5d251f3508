//! A small builder for fixture sites: copy a fixture (or start empty) into a
//! temporary folder, add or change files, build it, and look at the output
//! with a real HTML parser.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use assert_cmd::Command;
use scraper::{Html, Selector};
use shopfront::diagnostics::Diagnostics;
use shopfront::{BuildOptions, BuildReport};

/// A site in a temporary folder.
pub struct SiteTest {
    dir: Rc<tempfile::TempDir>,
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

    /// A site with only a minimal profile.
    pub fn new() -> Self {
        Self::empty().file("profile.toml", "name = \"Test Creator\"\n[site]\nbase_url = \"https://example.com\"\n")
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

    /// Builds with default options.
    pub fn build(&self) -> Built {
        self.build_with(|_| {})
    }

    /// Builds after adjusting the options.
    pub fn build_with(&self, adjust: impl FnOnce(&mut BuildOptions)) -> Built {
        let mut options = BuildOptions { root: self.root().to_path_buf(), ..Default::default() };
        adjust(&mut options);
        let output = options.output_dir();
        Built { result: shopfront::build(&options), output, _site: Rc::clone(&self.dir) }
    }

    /// The `shopfront` binary, run in the site folder.
    pub fn cli(&self) -> Command {
        let mut command = Command::cargo_bin("shopfront").unwrap();
        command.current_dir(self.root()).env("NO_COLOR", "1");
        command
    }
}

/// The result of a build.
pub struct Built {
    /// What `build` returned.
    pub result: Result<BuildReport, Diagnostics>,
    /// The output folder.
    pub output: PathBuf,
    /// Keeps the site's folder alive as long as the output is looked at.
    _site: Rc<tempfile::TempDir>,
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

    /// The warnings of a successful build.
    pub fn warnings(&self) -> &Diagnostics {
        &self.result.as_ref().expect("build succeeded").warnings
    }

    /// Whether an output file exists.
    pub fn exists(&self, path: &str) -> bool {
        self.output.join(path).is_file()
    }

    /// An output file's text.
    pub fn text(&self, path: &str) -> String {
        std::fs::read_to_string(self.output.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// An output file parsed as HTML.
    pub fn html(&self, path: &str) -> Page {
        Page(Html::parse_document(&self.text(path)))
    }

    /// Every HTML file of the output, relative, sorted.
    pub fn html_files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(&self.output)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
            .map(|e| e.path().strip_prefix(&self.output).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        files
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
