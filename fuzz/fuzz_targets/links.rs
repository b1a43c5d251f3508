//! Any URL through the affiliate rule engine and the site's link policy.
//!
//! Checks, besides "never panics": what the policy lets through never has a
//! scheme a browser would run (read the browser's way, not shopfront's);
//! a kept link is the input, trimmed; an Amazon link that was rewritten is a
//! canonical store URL, and rewriting it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfront::links::{LinkKind, rewrite};

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, rest)) = bytes.split_first() else { return };
    let Ok(href) = std::str::from_utf8(rest) else { return };
    let policy = shopfront_fuzz::policy(selector);

    let got = rewrite(href, &policy.rules);
    let trimmed = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    match &got.kind {
        LinkKind::Internal | LinkKind::External => assert_eq!(got.href, trimmed),
        LinkKind::Unsafe { scheme } => {
            assert_eq!(got.href, "#");
            assert!(
                !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel" | "ftp" | "ftps" | "sftp"),
                "{scheme}"
            );
        }
        LinkKind::Amazon { .. } => {
            if got.href != trimmed {
                assert!(got.href.starts_with("https://www.amazon."), "{href:?} -> {}", got.href);
                let again = rewrite(&got.href, &policy.rules);
                assert_eq!(again.href, got.href, "not idempotent: {href:?}");
                assert_eq!(again.kind, got.kind, "{href:?}");
            }
        }
        LinkKind::Program { .. } => assert!(got.href.starts_with("http"), "{href:?} -> {}", got.href),
    }
    if !matches!(got.kind, LinkKind::Unsafe { .. }) {
        // Internal links are only ever relative: a browser must see no scheme either.
        assert!(shopfront_fuzz::allowed_href(&got.href), "{href:?} -> {}", got.href);
        if matches!(got.kind, LinkKind::Internal) {
            assert!(shopfront_fuzz::browser_scheme(&got.href).is_none(), "{href:?} -> {}", got.href);
        }
    }
    for warning in &got.warnings {
        let _ = warning.to_string();
    }

    match policy.route(href) {
        Ok(link) => {
            assert!(shopfront_fuzz::allowed_href(&link.href), "{href:?} -> {}", link.href);
            let _ = link.rel();
        }
        Err(unsafe_link) => {
            assert!(matches!(got.kind, LinkKind::Unsafe { .. }));
            let _ = unsafe_link.to_string();
        }
    }
    let _ = shopfront::links::redirector(href);
    if let Some((marketplace, asin)) = href.split_once(' ') {
        if let Some(url) = shopfront::links::product_url(marketplace, asin) {
            assert!(rewrite(&url, &policy.rules).kind.is_affiliate() || policy.rules.amazon.is_none());
        }
    }
});
