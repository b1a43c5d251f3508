//! Short texts in the site's language: disclosures, button labels, headings.
//!
//! English, British English and German ship in the binary (`locales/` in
//! the repository). A site adds a language, or changes a text, with
//! `locales/LANG.toml` in its own folder. Texts are looked up from the most
//! specific file to the least: the site's `de-AT`, the bundled `de-AT`, the
//! site's `de`, the bundled `de`, then English, so a file needs only the
//! keys it changes.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic, display_path};

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The texts of one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locale {
    texts: BTreeMap<String, String>,
}

impl Locale {
    /// The text for `key`, or the key itself if no file has it.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map_or(key, String::as_str)
    }

    /// Every text, for templates (`labels`).
    pub fn texts(&self) -> &BTreeMap<String, String> {
        &self.texts
    }

    /// The texts for `language` (a BCP 47 tag such as `en`, `en-GB`, `de`).
    pub fn load(root: &Path, language: &str) -> Result<Self, Vec<Diagnostic>> {
        let tag = language.trim().replace('_', "-");
        let primary = tag.split('-').next().unwrap_or("en").to_ascii_lowercase();
        let mut chain = vec!["en".to_owned()];
        if primary != "en" {
            chain.push(primary.clone());
        }
        if tag.contains('-') {
            chain.push(tag.clone());
        }
        let mut texts = BTreeMap::new();
        let mut errors = Vec::new();
        for name in &chain {
            if let Some(text) = bundled(name) {
                merge(&mut texts, text, Path::new("locales"), name, &mut errors);
            }
            match site_file(root, name) {
                Some(Ok((path, text))) => merge(&mut texts, &text, &display_path(root, &path), name, &mut errors),
                Some(Err(error)) => errors.push(*error),
                None => {}
            }
        }
        if errors.is_empty() { Ok(Self { texts }) } else { Err(errors) }
    }
}

fn bundled(name: &str) -> Option<&'static str> {
    BUNDLED
        .files()
        .find(|f| f.path().file_stem().is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(name)))
        .and_then(|f| f.contents_utf8())
}

/// The site's own `locales/NAME.toml`, if it has one.
fn site_file(root: &Path, name: &str) -> Option<Result<(std::path::PathBuf, String), Box<Diagnostic>>> {
    let dir = root.join("locales");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut matches: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && p.file_stem().is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(name))
        })
        .collect();
    matches.sort();
    let path = matches.into_iter().next()?;
    let read = crate::fs::SiteRoot::new(root).read(&path, crate::fs::MAX_FILE_BYTES).and_then(|bytes| {
        String::from_utf8(bytes).map_err(|_| {
            Box::new(Diagnostic::error(Code::Encoding, "locale file is not UTF-8 text").at(display_path(root, &path)))
        })
    });
    Some(read.map(|text| (path, text)))
}

fn merge(texts: &mut BTreeMap<String, String>, source: &str, path: &Path, name: &str, errors: &mut Vec<Diagnostic>) {
    let shown = if path == Path::new("locales") {
        Path::new("locales").join(format!("{name}.toml"))
    } else {
        path.to_path_buf()
    };
    match toml::from_str::<BTreeMap<String, String>>(source) {
        Ok(map) => texts.extend(map),
        Err(err) => {
            let mut diagnostic = Diagnostic::error(Code::Locale, err.message().trim().to_owned()).at(shown);
            if let Some(span) = err.span() {
                diagnostic = diagnostic.with_offset(source, span.start);
            }
            errors.push(diagnostic.with_hint("a locale file holds `key = \"text\"` lines"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_the_default_with_amazons_exact_statement() {
        let en = Locale::load(Path::new("/nonexistent"), "en").unwrap();
        assert_eq!(en.get("amazon_statement"), "As an Amazon Associate I earn from qualifying purchases.");
        assert_eq!(en.get("ad"), "Ad · paid link");
    }

    #[test]
    fn british_english_labels_ads_as_ads() {
        let gb = Locale::load(Path::new("/nonexistent"), "en-GB").unwrap();
        assert_eq!(gb.get("ad"), "Ad");
        assert_eq!(gb.get("buy"), "Buy", "falls back to English");
        assert_eq!(Locale::load(Path::new("/nonexistent"), "en-gb").unwrap(), gb);
    }

    #[test]
    fn german_has_its_own_amazon_statement() {
        let de = Locale::load(Path::new("/nonexistent"), "de-DE").unwrap();
        assert_eq!(de.get("amazon_statement"), "Als Amazon-Partner verdiene ich an qualifizierten Verkäufen.");
        assert_eq!(de.get("ad"), "Werbung");
    }

    #[test]
    fn a_site_adds_a_language() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/fr.toml"), "ad = \"Publicité\"\n").unwrap();
        let fr = Locale::load(dir.path(), "fr").unwrap();
        assert_eq!(fr.get("ad"), "Publicité");
        assert_eq!(fr.get("buy"), "Buy");
        std::fs::write(dir.path().join("locales/fr.toml"), "ad = \n").unwrap();
        let err = Locale::load(dir.path(), "fr").unwrap_err();
        assert_eq!(err[0].line, Some(1));
    }
}
