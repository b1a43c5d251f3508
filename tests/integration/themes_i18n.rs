//! Every bundled theme in every bundled language: a page shows its own
//! locale's labels and none of another locale's.
//!
//! The fixture `tests/fixtures/i18n` writes its content in no language
//! (invented names, Latin filler), so every English or German word on its
//! pages comes from a theme or from shopfront itself. It is built in each
//! theme and each bundled locale, and the visible text of every page (its
//! text, `<title>`, the description, the attributes a reader or a screen
//! reader meets, the texts the search script shows) must hold no label of
//! another locale that differs from this locale's own.

use std::collections::BTreeMap;
use std::path::Path;

use scraper::{Html, Node};
use shopfront::render::Locale;
use shopfront::render::theme::bundled;

use crate::support::{Built, SiteTest, fixtures};

/// The locales shopfront ships: every file in `locales/`.
fn locales() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The languages whose words every page is searched for: English, whose
/// texts a missing translation falls back to, and German, the other
/// language first written for every theme.
const WATCHED: [&str; 3] = ["en", "en-GB", "de"];

/// A language's own file holds every text (rather than the few a regional
/// variant such as `en-GB` or `es-MX` changes).
fn is_full_pack(language: &str) -> bool {
    !language.contains('-')
}

/// The keys of the bundled `locales/LANG.toml`.
fn keys(language: &str) -> Vec<String> {
    let table: toml::Table = bundled_file(language).parse().unwrap();
    table.keys().cloned().collect()
}

fn bundled_file(language: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{language}.toml"))).unwrap()
}

/// Attributes whose value a reader sees or hears.
const SHOWN_ATTRIBUTES: [&str; 5] = ["aria-label", "alt", "title", "placeholder", "data-label"];

/// `data-*` attributes that hold data rather than words for the search script.
const DATA_ATTRIBUTES: [&str; 6] =
    ["data-index", "data-categories", "data-filter", "data-filter-target", "data-url", "data-embed"];

/// The i18n fixture built with `theme` in `language`.
fn build(theme: &str, language: &str) -> Built {
    let profile = std::fs::read_to_string(fixtures().join("i18n/profile.toml")).unwrap();
    assert!(profile.contains("language = \"de\""), "the fixture's profile sets its language");
    SiteTest::fixture("i18n")
        .file("profile.toml", profile.replace("language = \"de\"", &format!("language = \"{language}\"")))
        .build_with(|options| options.theme = Some(theme.to_owned()))
        .ok()
}

fn labels(language: &str) -> BTreeMap<String, String> {
    Locale::load(Path::new("/nonexistent"), language).unwrap().texts().clone()
}

/// The words a label can show: each piece between its `{placeholders}`,
/// trimmed of spaces and punctuation, if it has two letters or more.
fn fragments(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        pieces.push(&rest[..open]);
        rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
    }
    pieces.push(rest);
    pieces
        .into_iter()
        .map(|piece| piece.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|piece| piece.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect()
}

/// Whether `words` stands in `text` whole, not as part of a longer word.
fn contains_words(text: &str, words: &str) -> bool {
    let starts_word = words.chars().next().is_some_and(char::is_alphanumeric);
    let ends_word = words.chars().next_back().is_some_and(char::is_alphanumeric);
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let after = text[at + words.len()..].chars().next().is_some_and(char::is_alphanumeric);
        let joined_before = starts_word && before;
        let joined_after = ends_word && after;
        !joined_before && !joined_after
    })
}

/// Everything a reader meets on a page, one string per text or attribute.
fn shown_texts(html: &str) -> Vec<String> {
    let document = Html::parse_document(html);
    let mut texts = Vec::new();
    for node in document.tree.nodes() {
        match node.value() {
            Node::Text(text) => {
                match node.parent().and_then(|p| p.value().as_element()).map(|e| e.name()) {
                    Some("script" | "style") => {}
                    // A parser that runs scripts keeps <noscript> as raw markup.
                    Some("noscript") => texts.extend(shown_texts(text)),
                    _ => texts.push(text.to_string()),
                }
            }
            Node::Element(element) => {
                for (name, value) in element.attrs() {
                    let data = name.starts_with("data-") && !DATA_ATTRIBUTES.contains(&name);
                    if SHOWN_ATTRIBUTES.contains(&name) || data {
                        texts.push(value.to_owned());
                    }
                }
                if element.name() == "meta" && element.attr("name") == Some("description") {
                    texts.extend(element.attr("content").map(str::to_owned));
                }
            }
            _ => {}
        }
    }
    texts
}

/// What must not show on a page in `language`: `(locale, key, words)` for
/// each label of another locale that differs from this locale's, unless
/// this locale's own labels use the same words.
fn foreign_words(language: &str) -> Vec<(&'static str, String, String)> {
    let own = labels(language);
    let mut foreign = Vec::new();
    for other in WATCHED.into_iter().filter(|l| *l != language) {
        for (key, text) in labels(other) {
            if own.get(&key) == Some(&text) {
                continue;
            }
            for words in fragments(&text) {
                if !own.values().any(|mine| contains_words(mine, &words)) {
                    foreign.push((other, key.clone(), words));
                }
            }
        }
    }
    foreign
}

#[test]
fn every_theme_shows_only_its_locales_labels_in_every_bundled_locale() {
    let themes: Vec<String> = bundled().into_iter().map(|t| t.name).collect();
    assert!(themes.len() >= 3, "{themes:?}");
    let locales = locales();
    assert!(locales.len() >= 19, "{locales:?}");
    for language in locales.iter().map(String::as_str) {
        let foreign = foreign_words(language);
        assert!(foreign.len() > 20, "{language}: only {} foreign labels to look for", foreign.len());
        for theme in &themes {
            let built = build(theme, language);
            let files = built.html_files();
            assert!(files.len() > 15, "{theme} {language}: {} pages", files.len());
            for file in &files {
                let html = built.text(file);
                let page = Html::parse_document(&html);
                let lang = page.root_element().attr("lang").unwrap_or_default().to_owned();
                assert_eq!(lang, language, "{theme}: {file}: <html lang>");
                let shown = shown_texts(&html);
                for (other, key, words) in &foreign {
                    if let Some(text) = shown.iter().find(|t| contains_words(t, words)) {
                        panic!(
                            "{theme}, {language}: {file} shows {other}'s `{key}` label ({words:?}) in {:?}",
                            text.trim()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_german_site_has_german_titles_dates_and_labels_in_every_theme() {
    for theme in bundled().into_iter().map(|t| t.name) {
        let built = build(&theme, "de");
        let at = |file: &str| format!("{theme}: {file}");
        // The <title> said "Page not found" while the heading said "Seite nicht gefunden".
        let not_found = built.html("404.html");
        assert_eq!(not_found.texts("title"), ["Seite nicht gefunden · Quux Zorblax"], "{}", at("404.html"));
        assert_eq!(not_found.texts("h1"), ["Seite nicht gefunden"], "{}", at("404.html"));
        assert_eq!(built.html("shop/index.html").texts("title"), ["Shop · Quux Zorblax"]);
        assert_eq!(built.html("search/index.html").texts("title"), ["Suche · Quux Zorblax"]);
        assert_eq!(built.html("tags/index.html").texts("title"), ["Schlagwörter · Quux Zorblax"]);
        assert_eq!(built.html("categories/zeta/page/2/index.html").texts("title"), ["Zeta – Seite 2 · Quux Zorblax"]);
        assert_eq!(built.html("page/2/index.html").texts("title"), ["Quux Zorblax – Seite 2"]);
        assert_eq!(
            built.html("shop/index.html").attr("meta[name=description]", "content"),
            "Alle Produkte, die Zora Quill empfiehlt, an einem Ort."
        );
        // Month names come from the locale.
        let post = built.html("posts/zorblax/index.html");
        let dates = post.texts("article time");
        assert!(dates.contains(&"2. März 2025".to_owned()), "{}: {dates:?}", at("post"));
        assert!(dates.contains(&"1. Dezember 2025".to_owned()), "{}: {dates:?}", at("post"));
        // The labels that aisle wrote in English.
        let shown = shown_texts(&built.text("posts/zorblax/index.html"));
        for label in ["Vorteile", "Nachteile", "Meine Empfehlungen", "Von Zora Quill", "Inhalt", "Kaufen"] {
            assert!(shown.iter().any(|t| contains_words(t, label)), "{}: no {label:?} in {shown:?}", at("post"));
        }
    }
}

#[test]
fn british_english_writes_the_day_first() {
    let built = build("aisle", "en-GB");
    let dates = built.html("posts/zorblax/index.html").texts("article time");
    assert!(dates.contains(&"2 March 2025".to_owned()), "{dates:?}");
    let built = build("aisle", "en");
    let dates = built.html("posts/zorblax/index.html").texts("article time");
    assert!(dates.contains(&"March 2, 2025".to_owned()), "{dates:?}");
}

#[test]
fn every_language_translates_every_english_text() {
    let english = keys("en");
    let full: Vec<String> = locales().into_iter().filter(|l| l != "en" && is_full_pack(l)).collect();
    assert!(full.len() >= 11, "{full:?}");
    for language in &full {
        let own = keys(language);
        let missing: Vec<&String> = english.iter().filter(|k| !own.contains(k)).collect();
        assert!(missing.is_empty(), "locales/{language}.toml has no {missing:?}");
        let extra: Vec<&String> = own.iter().filter(|k| !english.contains(k) && *k != "direction").collect();
        assert!(extra.is_empty(), "locales/{language}.toml has keys English does not: {extra:?}");
        // A translation keeps every placeholder the program fills in.
        let (en, own) = (labels("en"), labels(language));
        for (key, text) in &en {
            for placeholder in text.match_indices('{').map(|(at, _)| &text[at..=at + text[at..].find('}').unwrap()]) {
                assert!(own[key].contains(placeholder), "{language}: `{key}` = {:?} lost {placeholder}", own[key]);
            }
        }
    }
}

#[test]
fn every_marketplace_language_has_amazons_statement_with_its_source() {
    let english = labels("en")["amazon_statement"].clone();
    for language in locales() {
        let text = bundled_file(&language);
        let own = labels(&language);
        let primary = language.split('-').next().unwrap();
        if primary != "en" {
            assert_ne!(own["amazon_statement"], english, "{language} shows Amazon's English statement");
            assert_ne!(own["ad"], labels("en")["ad"], "{language} labels ads in English");
        }
        // Where a file words the statement, a comment right above cites the page it is from.
        let lines: Vec<&str> = text.lines().collect();
        if let Some(at) = lines.iter().position(|l| l.starts_with("amazon_statement")) {
            let cited = lines[..at].iter().rev().take_while(|l| l.starts_with('#')).any(|l| l.contains("https://"));
            assert!(cited, "locales/{language}.toml: no source cited above amazon_statement");
        }
    }
}

#[test]
fn arabic_is_laid_out_right_to_left_in_every_theme() {
    for theme in bundled().into_iter().map(|t| t.name) {
        let built = build(&theme, "ar");
        let files = built.html_files();
        assert!(files.len() > 15, "{theme}: {} pages", files.len());
        for file in &files {
            let page = Html::parse_document(&built.text(file));
            assert_eq!(page.root_element().attr("dir"), Some("rtl"), "{theme}: {file}: <html dir>");
        }
        let post = built.html("posts/zorblax/index.html");
        assert!(post.texts("title")[0].contains("Zorblax"), "{theme}");
        let english = build(&theme, "en");
        let page = Html::parse_document(&english.text("posts/zorblax/index.html"));
        assert_eq!(page.root_element().attr("dir"), Some("ltr"), "{theme}: English");
    }
}

#[test]
fn theme_stylesheets_follow_the_writing_direction() {
    // Physical sides pin a layout to left-to-right: `margin-left`,
    // `left: 0`, `text-align: right`, `float: left`, `border-right`.
    let sided = |property: &str, value: &str| {
        let side = |word: &str| word == "left" || word == "right";
        side(property)
            || property.rsplit_once('-').is_some_and(|(_, end)| side(end))
            || (matches!(property, "text-align" | "float" | "clear") && side(value))
    };
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&themes) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "css") {
            continue;
        }
        checked += 1;
        let css = std::fs::read_to_string(&path).unwrap();
        let found: Vec<&str> = css
            .split(['{', '}', ';'])
            .filter_map(|declaration| declaration.split_once(':'))
            .map(|(property, value)| (property.trim(), value.trim()))
            .filter(|(property, value)| sided(property, value))
            .map(|(property, _)| property)
            .collect();
        assert!(found.is_empty(), "{}: physical sides: {found:?}", path.display());
    }
    assert!(checked >= 3, "{checked} stylesheets");
}
