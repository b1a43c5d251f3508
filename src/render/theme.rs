//! Finding a theme's templates and static files.
//!
//! Three layers, most specific first: the site's own `templates/` (and
//! `static/`), the theme (the site's `themes/NAME/` or a bundled one), and
//! the bundled base layer (`themes/base/`), which holds what the bundled
//! themes share: the page layout with its SEO head, the disclosure banner,
//! the product and compare components, the search script.
//!
//! A site file replaces the theme's file of the same path. The base layer's
//! templates are loaded under [`BASE_PREFIX`] (`base/post.html`), and Tera
//! falls back to that prefix for a name no theme file has, so a theme
//! writes only what differs; a theme's template can still extend the one it
//! replaces (`{% extends "base/404.html" %}`), and a theme's component wins
//! over the base component of the same name. A base static file is copied
//! unless the theme has one of the same path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic, display_path};
use crate::fs::Visibility;

/// The bundled themes, embedded so a build works from any folder.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes");

/// The bundled folder of the base layer every theme inherits. It is not a
/// theme: `bundled` does not list it and a site cannot select it.
pub const BASE: &str = "base";

/// The name prefix of the base layer's templates in Tera.
pub const BASE_PREFIX: &str = "base/";

/// A template and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Its name for Tera: the path under `templates/`, with `/`.
    pub name: String,
    /// Its text.
    pub source: String,
    /// Where a creator finds it: a site file, or `theme NAME: templates/x.html`.
    pub origin: PathBuf,
}

/// A file the theme ships for the output root.
#[derive(Debug, Clone)]
pub enum StaticFile {
    /// Embedded in the binary.
    Embedded {
        /// Output path.
        path: String,
        /// Contents.
        bytes: &'static [u8],
    },
    /// On disk, in a local theme.
    Disk {
        /// Output path.
        path: String,
        /// The file.
        from: PathBuf,
    },
}

impl StaticFile {
    /// Its output path.
    pub fn path(&self) -> &str {
        match self {
            Self::Embedded { path, .. } | Self::Disk { path, .. } => path,
        }
    }
}

/// A theme ready to load into Tera.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Its name.
    pub name: String,
    /// Templates, overrides applied, sorted by name.
    pub templates: Vec<TemplateFile>,
    /// Files for the output root.
    pub statics: Vec<StaticFile>,
    /// What loading it found that does not stop a build (a skipped special file).
    pub warnings: Vec<Diagnostic>,
    /// Where its templates show images, and at which widths and sizes
    /// (`[images.NAME]` in `theme.toml` over [`crate::images::default_slots`]).
    pub slots: std::collections::BTreeMap<String, crate::images::Slot>,
}

/// One bundled theme's name and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeInfo {
    /// Name.
    pub name: String,
    /// One line from its `theme.toml`.
    pub description: String,
}

/// The bundled themes, by name (not the base layer).
pub fn bundled() -> Vec<ThemeInfo> {
    let mut themes: Vec<ThemeInfo> = BUNDLED
        .dirs()
        .filter_map(|dir| {
            let name = dir.path().file_name()?.to_str()?.to_owned();
            if name == BASE {
                return None;
            }
            let description = dir
                .get_file(dir.path().join("theme.toml"))
                .and_then(|f| f.contents_utf8())
                .and_then(|text| text.parse::<toml::Table>().ok())
                .and_then(|t| t.get("description").and_then(|d| d.as_str()).map(str::to_owned))
                .unwrap_or_default();
            Some(ThemeInfo { name, description })
        })
        .collect();
    themes.sort_by(|a, b| a.name.cmp(&b.name));
    themes
}

/// Loads theme `name` for the site at `root`.
pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
    let mut templates = Vec::new();
    let mut statics = Vec::new();
    let mut warnings = Vec::new();
    let local = root.join("themes").join(name);
    let mut manifest: Option<(String, PathBuf)> = None;
    if local.is_dir() {
        let path = local.join("theme.toml");
        if path.is_file() {
            let text = crate::fs::SiteRoot::new(root).read(&path, crate::fs::MAX_FILE_BYTES).map_err(|d| vec![*d])?;
            manifest = Some((String::from_utf8_lossy(&text).into_owned(), display_path(root, &path)));
        }
        crate::fs::SiteRoot::new(root).check_dir(&local).map_err(|d| vec![*d])?;
        read_dir_files(root, &local.join("templates"), &mut warnings, &mut |rel, path, source| {
            templates.push(TemplateFile { name: rel, source, origin: display_path(root, path) });
        })?;
        let statics_dir = local.join("static");
        for (rel, from) in
            crate::fs::SiteRoot::new(root).walk(&statics_dir, Visibility::Published(&[])).into_result()?
        {
            statics.push(StaticFile::Disk { path: rel, from });
        }
    } else if let Some(dir) = BUNDLED.get_dir(name).filter(|_| name != BASE) {
        collect_embedded(dir, name, "", &mut templates, &mut statics)?;
        manifest = dir
            .get_file(dir.path().join("theme.toml"))
            .and_then(|f| f.contents_utf8())
            .map(|text| (text.to_owned(), PathBuf::from(format!("theme {name}: theme.toml"))));
    } else {
        let known: Vec<String> = bundled().into_iter().map(|t| t.name).collect();
        let lower = name.to_lowercase();
        let hint = match crate::diagnostics::closest(&lower, known.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`? (bundled themes: {})", known.join(", ")),
            None => format!("bundled themes: {}; or add a folder themes/{name}/", known.join(", ")),
        };
        return Err(vec![
            Diagnostic::error(Code::Theme, format!("there is no theme `{name}`"))
                .at(crate::profile::FILE_NAME)
                .with_hint(hint),
        ]);
    }
    if let Some(dir) = BUNDLED.get_dir(BASE) {
        let mut base_statics = Vec::new();
        collect_embedded(dir, BASE, BASE_PREFIX, &mut templates, &mut base_statics)?;
        base_statics.retain(|file| statics.iter().all(|own| own.path() != file.path()));
        statics.extend(base_statics);
    }
    let overrides = root.join("templates");
    if overrides.is_dir() {
        read_dir_files(root, &overrides, &mut warnings, &mut |rel, path, source| {
            let origin = display_path(root, path);
            match templates.iter_mut().find(|t| t.name == rel) {
                Some(existing) => *existing = TemplateFile { name: rel, source, origin },
                None => templates.push(TemplateFile { name: rel, source, origin }),
            }
        })?;
    }
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    let slots = match &manifest {
        Some((text, path)) => slots(text, path)?,
        None => crate::images::default_slots(),
    };
    Ok(Theme { name: name.to_owned(), templates, statics, warnings, slots })
}

/// The image slots of a `theme.toml`: `[images.card] widths = [320, 640]`
/// and `sizes = "…"`, each over the default slot of that name.
fn slots(text: &str, path: &Path) -> Result<std::collections::BTreeMap<String, crate::images::Slot>, Vec<Diagnostic>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SlotToml {
        widths: Option<Vec<u32>>,
        sizes: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(default)]
        images: std::collections::BTreeMap<String, SlotToml>,
    }
    let manifest: Manifest = toml::from_str(text).map_err(|err| {
        let mut diagnostic = Diagnostic::error(Code::Theme, err.message().trim().to_owned()).at(path);
        if let Some(span) = err.span() {
            diagnostic = diagnostic.with_offset(text, span.start);
        }
        vec![diagnostic]
    })?;
    let mut slots = crate::images::default_slots();
    for (name, given) in manifest.images {
        let slot = slots
            .entry(name.clone())
            .or_insert_with(|| crate::images::Slot { widths: vec![640, 1024, 1600], sizes: "100vw".to_owned() });
        if let Some(mut widths) = given.widths {
            widths.retain(|&w| w > 0);
            widths.sort_unstable();
            widths.dedup();
            if widths.is_empty() {
                return Err(vec![
                    Diagnostic::error(Code::Theme, format!("[images.{name}] widths has no width above 0")).at(path),
                ]);
            }
            slot.widths = widths;
        }
        if let Some(sizes) = given.sizes {
            slot.sizes = sizes;
        }
    }
    Ok(slots)
}

impl Theme {
    /// Each template's origin and text by the names Tera reports (`base/post.html`)
    /// and asks for (`post.html`): a base template is also found by its own
    /// name when no other file has that name, as Tera finds it.
    pub fn origins(&self) -> HashMap<String, (PathBuf, String)> {
        let mut origins: HashMap<String, (PathBuf, String)> =
            self.templates.iter().map(|t| (t.name.clone(), (t.origin.clone(), t.source.clone()))).collect();
        for template in &self.templates {
            if let Some(name) = template.name.strip_prefix(BASE_PREFIX) {
                origins.entry(name.to_owned()).or_insert_with(|| (template.origin.clone(), template.source.clone()));
            }
        }
        origins
    }
}

/// The templates and static files of the embedded folder `dir`; template
/// names get `prefix`.
fn collect_embedded(
    dir: &'static Dir<'static>,
    theme: &str,
    prefix: &str,
    templates: &mut Vec<TemplateFile>,
    statics: &mut Vec<StaticFile>,
) -> Result<(), Vec<Diagnostic>> {
    let templates_root = dir.path().join("templates");
    let static_root = dir.path().join("static");
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let path = file.path();
            if let Ok(rel) = path.strip_prefix(&templates_root) {
                let name = crate::fs::slash_path(rel);
                let source = file.contents_utf8().ok_or_else(|| {
                    vec![Diagnostic::error(Code::Theme, format!("theme {theme}: {name} is not UTF-8 text"))]
                })?;
                templates.push(TemplateFile {
                    origin: PathBuf::from(format!("theme {theme}: templates/{name}")),
                    name: format!("{prefix}{name}"),
                    source: source.to_owned(),
                });
            } else if let Ok(rel) = path.strip_prefix(&static_root) {
                statics.push(StaticFile::Embedded { path: crate::fs::slash_path(rel), bytes: file.contents() });
            }
        }
    }
    Ok(())
}

fn read_dir_files(
    root: &Path,
    dir: &Path,
    warnings: &mut Vec<Diagnostic>,
    add: &mut dyn FnMut(String, &Path, String),
) -> Result<(), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let site = crate::fs::SiteRoot::new(root);
    let walk = site.walk(dir, Visibility::Private);
    if walk.errors.iter().any(Diagnostic::is_error) {
        return Err(walk.errors);
    }
    warnings.extend(walk.errors);
    for (rel, path) in walk.files {
        match site.read(&path, crate::fs::MAX_FILE_BYTES).map(String::from_utf8) {
            Ok(Ok(source)) => add(rel, &path, source.replace("\r\n", "\n")),
            Ok(Err(_)) => errors
                .push(Diagnostic::error(Code::Encoding, "template is not UTF-8 text").at(display_path(root, &path))),
            Err(diagnostic) => errors.push(*diagnostic),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
