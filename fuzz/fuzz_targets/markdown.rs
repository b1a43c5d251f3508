//! Any text through the Markdown stage with a representative link policy.
//!
//! Checks, besides "never panics": every offset it reports points into the
//! body at a character boundary, and no link or source the stage routes
//! (`a`/`area` `href`, media `src`, `form` `action`) has a scheme a browser
//! would run, read the browser's way from the finished HTML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scraper::{Html, Selector};
use shopfront::markdown;
use shopfront::profile::SlugMode;

/// What `markdown::render` routes through the link policy.
const ROUTED: &[(&str, &str)] = &[
    ("a[href], area[href]", "href"),
    ("img[src], iframe[src], source[src], video[src], audio[src], embed[src]", "src"),
    ("form[action]", "action"),
];

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, rest)) = bytes.split_first() else { return };
    let Some(body) = shopfront_fuzz::decode(rest) else { return };
    let policy = shopfront_fuzz::policy(selector);
    let mode = if selector & 8 != 0 { SlugMode::Unicode } else { SlugMode::Transliterate };

    let rendered = markdown::render(&body, &policy, mode);
    let offsets = rendered
        .problems
        .iter()
        .map(|p| p.offset)
        .chain(rendered.notes.iter().map(|n| n.offset))
        .chain(rendered.internal.iter().map(|r| r.offset))
        .chain(rendered.redirects.iter().map(|r| r.offset))
        .chain(rendered.shortcodes.iter().map(|s| s.offset));
    for offset in offsets {
        assert!(offset <= body.len() && body.is_char_boundary(offset), "offset {offset} in {body:?}");
    }
    let _ = markdown::plain_text(&body);
    let _ = markdown::excerpt(&body);

    let document = Html::parse_fragment(&rendered.html);
    for (elements, attribute) in ROUTED {
        let elements = Selector::parse(elements).unwrap();
        for element in document.select(&elements) {
            if let Some(value) = element.value().attr(attribute) {
                assert!(
                    shopfront_fuzz::allowed_href(value),
                    "{attribute}={value:?} written for {body:?}\n--- html ---\n{}",
                    rendered.html
                );
            }
        }
    }
});
