//! Short texts in the site's language: disclosures, button labels, headings.
//!
//! A language for each of Amazon's marketplaces ships in the binary
//! (`locales/` in the repository), each with Amazon's statement as that
//! marketplace words it (`{name}` in it is the creator's name). A site adds a language, or changes a text, with
//! `locales/LANG.toml` in its own folder. Texts are looked up from the most
//! specific file to the least: the site's `de-AT`, the bundled `de-AT`, the
//! site's `de`, the bundled `de`, then English, so a file needs only the
//! keys it changes.
//!
//! Writing direction is locale data as well: `direction = "rtl"` (or
//! `"ltr"`) in a file sets it; without one, languages written right to left
//! (Arabic, Hebrew, Persian, Urdu and the others in [`RIGHT_TO_LEFT`]) are.
//!
//! Dates are locale data too: `date_format` (with `{day}`, `{month}` and
//! `{year}`) and the month names `month_1` … `month_12`. They fall back to
//! English only for English: any other language without its own
//! `date_format` shows ISO dates (`2025-09-25`) rather than English words.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic, display_path};

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The texts of one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locale {
    texts: BTreeMap<String, String>,
    rtl: bool,
}

/// Primary language subtags written right to left.
const RIGHT_TO_LEFT: &[&str] = &["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "ug", "ur", "yi"];

impl Locale {
    /// The text for `key`, or the key itself if no file has it.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map_or(key, String::as_str)
    }

    /// The text for `key` with each `{name}` in it replaced by its value in
    /// `values`: `fill("by", &[("name", "Mia")])` is `By Mia`.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        substitute(self.get(key), values)
    }

    /// `date` as the language writes it (`September 25, 2025`,
    /// `25. September 2025`), or ISO 8601 if it has no `date_format`.
    pub fn date(&self, date: &jiff::Zoned) -> String {
        let Some(format) = self.texts.get("date_format") else {
            return date.strftime("%Y-%m-%d").to_string();
        };
        let month = format!("month_{}", date.month());
        let day = date.day().to_string();
        let year = date.strftime("%Y").to_string();
        substitute(format, &[("day", &day), ("month", self.get(&month)), ("year", &year)])
    }

    /// How the language is written: `rtl` or `ltr`, for `<html dir>`.
    pub fn direction(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }

    /// Every text, for templates (`labels`).
    pub fn texts(&self) -> &BTreeMap<String, String> {
        &self.texts
    }

    /// The texts for `language` (a BCP 47 tag such as `en`, `en-GB`, `de`).
    pub fn load(root: &Path, language: &str) -> Result<Self, Vec<Diagnostic>> {
        let tag = language.trim().replace('_', "-");
        let primary = tag.split('-').next().unwrap_or("en").to_ascii_lowercase();
        // English, then each ever longer prefix of the tag: `de`, `de-CH`, `de-CH-1996`.
        let mut chain = vec!["en".to_owned()];
        let mut prefix = String::new();
        for part in tag.split('-') {
            if !prefix.is_empty() {
                prefix.push('-');
            }
            prefix.push_str(part);
            if !prefix.eq_ignore_ascii_case("en") {
                chain.push(prefix.clone());
            }
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
            if name == "en" && primary != "en" {
                texts.retain(|key, _| !is_date_key(key));
            }
        }
        // `merge` has refused any other value.
        let rtl = texts.get("direction").map_or(RIGHT_TO_LEFT.contains(&primary.as_str()), |d| d == "rtl");
        if errors.is_empty() { Ok(Self { texts, rtl }) } else { Err(errors) }
    }
}

/// Whether `key` is part of the date format, which never falls back to English.
fn is_date_key(key: &str) -> bool {
    key == "date_format" || key.starts_with("month_")
}

/// `text` with each `{name}` replaced by its value in `values`; any other
/// brace stays as written.
fn substitute(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let known = tail.find('}').and_then(|close| {
            let name = &tail[1..close];
            values.iter().find(|(key, _)| *key == name).map(|(_, value)| (close, *value))
        });
        match known {
            Some((close, value)) => {
                out.push_str(value);
                rest = &tail[close + 1..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The languages shipped in the binary (`en`, `en-GB`, `de`, …), sorted.
pub fn bundled_languages() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUNDLED.files().filter_map(|f| f.path().file_stem()?.to_str()).collect();
    names.sort_unstable();
    names
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
        Ok(map) => {
            if let Some(direction) = map.get("direction").filter(|d| !matches!(d.as_str(), "ltr" | "rtl")) {
                let mut diagnostic = Diagnostic::error(
                    Code::Locale,
                    format!("`direction` is \"{direction}\"; it must be \"ltr\" or \"rtl\""),
                )
                .at(shown);
                let mut offset = 0;
                let key = source.split_inclusive('\n').find_map(|line| {
                    let at = offset + line.len() - line.trim_start().len();
                    offset += line.len();
                    line.trim_start().starts_with("direction").then_some(at)
                });
                if let Some(at) = key {
                    diagnostic = diagnostic.with_offset(source, at);
                }
                errors.push(diagnostic.with_hint("remove the key to follow the language's own direction"));
                return;
            }
            texts.extend(map);
        }
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

    fn zoned(text: &str) -> jiff::Zoned {
        text.parse().unwrap()
    }

    #[test]
    fn dates_come_from_the_locale() {
        let cases = [
            ("en", "2025-09-05T10:00:00+00:00[UTC]", "September 5, 2025"),
            ("en-US", "2025-03-25T10:00:00+00:00[UTC]", "March 25, 2025"),
            ("en-GB", "2025-09-25T10:00:00+00:00[UTC]", "25 September 2025"),
            ("en-gb-oxendict", "2025-09-25T10:00:00+00:00[UTC]", "25 September 2025"),
            ("en-AU", "2025-05-01T10:00:00+00:00[UTC]", "1 May 2025"),
            ("de", "2025-03-25T10:00:00+00:00[UTC]", "25. März 2025"),
            ("de-AT", "2025-12-01T10:00:00+00:00[UTC]", "1. Dezember 2025"),
            ("fr", "2025-09-01T10:00:00+00:00[UTC]", "1 septembre 2025"),
            ("es-MX", "2025-09-25T10:00:00+00:00[UTC]", "25 de septiembre de 2025"),
            ("ja", "2025-09-25T10:00:00+00:00[UTC]", "2025年9月25日"),
            ("en-IN", "2025-09-25T10:00:00+00:00[UTC]", "25 September 2025"),
            // No date format of its own: ISO, never English month names.
            ("fi", "2025-09-25T10:00:00+00:00[UTC]", "2025-09-25"),
        ];
        for (language, date, shown) in cases {
            let locale = Locale::load(Path::new("/nonexistent"), language).unwrap();
            assert_eq!(locale.date(&zoned(date)), shown, "{language}");
        }
    }

    #[test]
    fn a_site_gives_its_language_month_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        let months: String = (1..=12).map(|m| format!("month_{m} = \"m{m}\"\n")).collect();
        std::fs::write(
            dir.path().join("locales/fi.toml"),
            format!("date_format = \"{{day}} {{month}} {{year}}\"\n{months}"),
        )
        .unwrap();
        let fi = Locale::load(dir.path(), "fi").unwrap();
        assert_eq!(fi.date(&zoned("2025-09-25T10:00:00+00:00[UTC]")), "25 m9 2025");
        assert_eq!(fi.get("buy"), "Buy", "other texts still fall back to English");
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_braces_stay() {
        let en = Locale::load(Path::new("/nonexistent"), "en").unwrap();
        assert_eq!(en.fill("by", &[("name", "Mia {name}")]), "By Mia {name}");
        assert_eq!(substitute("{a} {b} {", &[("a", "1")]), "1 {b} {");
        assert_eq!(substitute("{title} – page {number}", &[("title", "T"), ("number", "2")]), "T – page 2");
    }

    #[test]
    fn a_site_adds_a_language() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/fi.toml"), "ad = \"Mainos\"\n").unwrap();
        let fi = Locale::load(dir.path(), "fi").unwrap();
        assert_eq!(fi.get("ad"), "Mainos");
        assert_eq!(fi.get("buy"), "Buy");
        std::fs::write(dir.path().join("locales/fi.toml"), "ad = \n").unwrap();
        let err = Locale::load(dir.path(), "fi").unwrap_err();
        assert_eq!(err[0].line, Some(1));
    }

    #[test]
    fn a_site_overrides_a_bundled_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/fr.toml"), "ad = \"Annonce\"\n").unwrap();
        let fr = Locale::load(dir.path(), "fr-FR").unwrap();
        assert_eq!(fr.get("ad"), "Annonce");
        assert_eq!(fr.get("buy"), "Acheter", "the bundled French for the rest");
    }

    #[test]
    fn right_to_left_follows_the_language_unless_a_file_says_otherwise() {
        let none = Path::new("/nonexistent");
        assert_eq!(Locale::load(none, "ar").unwrap().direction(), "rtl");
        assert_eq!(Locale::load(none, "ar-EG").unwrap().direction(), "rtl");
        assert_eq!(Locale::load(none, "he").unwrap().direction(), "rtl", "no bundled file, still right to left");
        assert_eq!(Locale::load(none, "de").unwrap().direction(), "ltr");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/ar.toml"), "direction = \"ltr\"\n").unwrap();
        assert_eq!(Locale::load(dir.path(), "ar").unwrap().direction(), "ltr");
        std::fs::write(dir.path().join("locales/ar.toml"), "# Arabic\nad = \"x\"\n  direction = \"right\"\n").unwrap();
        let err = Locale::load(dir.path(), "ar").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (Some(3), Some(3)), "{err:?}");
        assert!(err[0].message.contains("\"ltr\" or \"rtl\""), "{}", err[0].message);
    }

    #[test]
    fn every_bundled_file_is_valid() {
        for file in BUNDLED.files() {
            let name = file.path().file_stem().unwrap().to_string_lossy();
            let locale = Locale::load(Path::new("/nonexistent"), &name).unwrap();
            assert!(!locale.get("amazon_statement").is_empty(), "{name}");
        }
    }
}
