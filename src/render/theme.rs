//! Finding a theme's templates and static files.
//!
//! A theme is looked up in the site's `themes/NAME/` first, then among the
//! themes embedded in the binary. Then every file in the site's
//! `templates/` replaces the theme's file of the same path.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic, display_path};
use crate::fs::Visibility;

/// The bundled themes, embedded so a build works from any folder.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes");

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
}

/// One bundled theme's name and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeInfo {
    /// Name.
    pub name: String,
    /// One line from its `theme.toml`.
    pub description: String,
}

/// The bundled themes, by name.
pub fn bundled() -> Vec<ThemeInfo> {
    let mut themes: Vec<ThemeInfo> = BUNDLED
        .dirs()
        .filter_map(|dir| {
            let name = dir.path().file_name()?.to_str()?.to_owned();
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
    if local.is_dir() {
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
    } else if let Some(dir) = BUNDLED.get_dir(name) {
        collect_embedded(dir, &dir.path().join("templates"), name, &mut templates, &mut statics)?;
    } else {
        let known: Vec<String> = bundled().into_iter().map(|t| t.name).collect();
        return Err(vec![
            Diagnostic::error(Code::Theme, format!("there is no theme `{name}`"))
                .at(crate::profile::FILE_NAME)
                .with_hint(format!("bundled themes: {}; or add a folder themes/{name}/", known.join(", "))),
        ]);
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
    Ok(Theme { name: name.to_owned(), templates, statics, warnings })
}

fn collect_embedded(
    dir: &'static Dir<'static>,
    templates_root: &Path,
    theme: &str,
    templates: &mut Vec<TemplateFile>,
    statics: &mut Vec<StaticFile>,
) -> Result<(), Vec<Diagnostic>> {
    let static_root = dir.path().join("static");
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let path = file.path();
            if let Ok(rel) = path.strip_prefix(templates_root) {
                let name = crate::fs::slash_path(rel);
                let source = file.contents_utf8().ok_or_else(|| {
                    vec![Diagnostic::error(Code::Theme, format!("theme {theme}: {name} is not UTF-8 text"))]
                })?;
                templates.push(TemplateFile {
                    origin: PathBuf::from(format!("theme {theme}: templates/{name}")),
                    name,
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
