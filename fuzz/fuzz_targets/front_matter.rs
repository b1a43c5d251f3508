//! Any file body through the front-matter stage, as `content::load` runs it:
//! decode, split, parse, then the slugs and dates a post is given, and the
//! diagnostic a broken file would print.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfront::content::dates::DateInput;
use shopfront::content::front_matter::{self, FrontMatter};
use shopfront::content::slugs;
use shopfront::diagnostics::{Code, Diagnostic};
use shopfront::profile::SlugMode;

fuzz_target!(|bytes: &[u8]| {
    let Some(text) = shopfront_fuzz::decode(bytes) else { return };
    if text.trim().is_empty() {
        return;
    }
    let Ok(split) = front_matter::split(&text) else { return };

    // The parts are slices of the text, in order, and the lines add up.
    let body_offset = text.len() - split.body.len();
    assert_eq!(&text[body_offset..], split.body);
    assert_eq!(split.body_line, 1 + text[..body_offset].matches('\n').count());
    let Some((format, fm_text)) = split.front_matter else {
        assert_eq!(split.body, text);
        return;
    };
    let fm_start = fm_text.as_ptr() as usize - text.as_ptr() as usize;
    assert!(fm_start + fm_text.len() <= body_offset);
    assert_eq!(split.front_matter_line, 1 + text[..fm_start].matches('\n').count());

    match front_matter::parse(format, fm_text) {
        Ok(fm) => use_front_matter(&fm),
        Err(err) => {
            let (line, column) = err.position.unwrap_or((1, 1));
            assert!(line >= 1 && column >= 1, "{err:?}");
            let mut diagnostic = Diagnostic::error(Code::FrontMatter, err.message.clone()).at("content/posts/fuzz.md");
            diagnostic = diagnostic.with_position(split.front_matter_line + line - 1, column, Some(&text));
            if let Some(hint) = err.hint {
                diagnostic = diagnostic.with_hint(hint);
            }
            let _ = diagnostic.render(false);
            let _ = diagnostic.render(true);
        }
    }
});

fn use_front_matter(fm: &FrontMatter) {
    let names = fm.title.iter().chain(&fm.categories).chain(&fm.tags).chain(&fm.slug);
    for name in names {
        for mode in [SlugMode::Transliterate, SlugMode::Unicode, SlugMode::Hexo] {
            let slug = slugs::slugify(name, mode);
            assert!(!slug.contains(['/', '\\']), "{name:?} -> {slug:?}");
            assert!(slug.chars().all(|c| !c.is_control()), "{name:?} -> {slug:?}");
            let _ = slugs::from_file_stem(name, mode);
        }
    }
    if let Some(slug) = &fm.slug {
        if slugs::check_written(slug).is_ok() {
            assert!(!slug.contains(['/', '\\']) && slug.trim() != "." && slug.trim() != "..", "{slug:?}");
        }
    }
    let zones = [jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()];
    for date in fm.date.iter().chain(&fm.updated) {
        for zone in &zones {
            let _ = date.resolve(zone);
        }
    }
    for product in &fm.products {
        let _ = product.name.0.len();
    }
    // Dates as text, through the same reader.
    for value in fm.extra.values() {
        if let Some(text) = value.as_str() {
            let _ = DateInput::parse(text);
        }
    }
}
