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

/// The locales shopfront ships.
const LOCALES: [&str; 3] = ["en", "en-GB", "de"];

/// Attributes whose value a reader sees or hears.
const SHOWN_ATTRIBUTES: [&str; 5] = ["aria-label", "alt", "title", "placeholder", "data-label"];

/// `data-*` attributes that hold data rather than words for the search script.
const DATA_ATTRIBUTES: [&str; 4] = ["data-index", "data-categories", "data-filter", "data-filter-target"];

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
    for other in LOCALES.into_iter().filter(|l| *l != language) {
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
    for language in LOCALES {
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
fn german_translates_every_english_text() {
    let keys = |language: &str| -> Vec<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{language}.toml"));
        let table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
        table.keys().cloned().collect()
    };
    let (english, german) = (keys("en"), keys("de"));
    let missing: Vec<&String> = english.iter().filter(|k| !german.contains(k)).collect();
    assert!(missing.is_empty(), "locales/de.toml has no {missing:?}");
    let extra: Vec<&String> = german.iter().filter(|k| !english.contains(k)).collect();
    assert!(extra.is_empty(), "locales/de.toml has keys English does not: {extra:?}");
}

#[test]
fn label_words_are_found_whole() {
    assert_eq!(fragments("{count} results for “{query}”"), ["results for"]);
    assert_eq!(fragments("Ad · paid link"), ["Ad · paid link"]);
    assert_eq!(fragments("{day}. {month} {year}"), Vec::<String>::new());
    assert!(contains_words("Alle Beiträge", "Alle") && !contains_words("Alle Beiträge", "All"));
    assert!(contains_words("Ad · paid link", "Ad") && !contains_words("Menü", "Men"));
    assert!(contains_words("’s rating", "s rating"));
}
