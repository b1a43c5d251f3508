//! Any text through the Markdown stage with a representative link policy,
//! half of it as a post's body: Hexo's and Jekyll's tags and Liquid logic
//! first, with the variables a post has.
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
    let mode = match (selector & 8 != 0, selector & 32 != 0) {
        (false, _) => SlugMode::Transliterate,
        (true, false) => SlugMode::Unicode,
        (true, true) => SlugMode::Hexo,
    };

    let rendered = if selector & 16 != 0 {
        markdown::render_post(&body, &policy, mode, selector & 64 != 0, &shopfront_fuzz::variables())
    } else {
        markdown::render(&body, &policy, mode)
    };
    let offsets = rendered
        .problems
        .iter()
        .map(|p| p.offset)
        .chain(rendered.notes.iter().map(|n| n.offset))
        .chain(rendered.internal.iter().map(|r| r.offset))
        .chain(rendered.redirects.iter().map(|r| r.offset))
        .chain(rendered.shortcodes.iter().map(|s| s.offset))
        .chain(rendered.unsupported.iter().map(|u| u.offset))
        .chain(rendered.markdown_in_html.iter().copied());
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
