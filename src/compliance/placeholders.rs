//! What `shopfront init` and `shopfront new` write for the creator to
//! replace: the tag `yourtag-20`, "Your Name", `@yourhandle`, the address
//! `https://example.com` and the sample ASINs `B000000000`…`B000000009`.
//! A site that still holds them would publish links that earn nothing (or
//! earn somebody else), so a build says so in one grouped warning, and
//! `check` and `build --strict` (what the deploy recipes run) refuse them.

use crate::diagnostics::{Code, Diagnostic};
use crate::links::is_sample_asin;
use crate::site::Site;

/// One placeholder found: what, and where (a file and, in the profile, the
/// byte offset of the value).
struct Found {
    what: String,
    file: std::path::PathBuf,
    offset: Option<usize>,
}

/// The placeholders left in a site, as one finding, an error when `strict`.
pub fn check(site: &Site, profile_text: &str, strict: bool) -> Option<Diagnostic> {
    let profile = &site.settings.profile;
    let in_profile = |what: String, needle: &str| Found {
        what,
        file: crate::profile::FILE_NAME.into(),
        offset: profile_text.find(needle),
    };
    let mut found: Vec<Found> = Vec::new();
    if profile.name.trim() == "Your Name" {
        found.push(in_profile("the name \"Your Name\"".to_owned(), "Your Name"));
    }
    if let Some(amazon) = &profile.affiliate.amazon {
        for tag in amazon.tag.iter().chain(amazon.tags.values()) {
            let tag = tag.get_ref();
            if is_sample_tag(tag) {
                found.push(in_profile(format!("the Amazon tag \"{tag}\""), tag));
            }
        }
    }
    let handle_placeholder = profile.handle.as_deref().is_some_and(|h| h.trim_start_matches('@') == "yourhandle");
    if handle_placeholder || profile.links.0.iter().any(|l| l.url.get_ref().contains("yourhandle")) {
        found.push(in_profile("the handle \"yourhandle\"".to_owned(), "yourhandle"));
    }
    let base = &site.settings.base_url;
    if let Some(host) = url::Url::parse(base).ok().and_then(|u| u.host_str().map(str::to_owned))
        && matches!(host.trim_start_matches("www."), "example.com" | "example.org" | "example.net")
    {
        found.push(in_profile(format!("the address {base}"), "example."));
    }
    for post in site.posts.iter().chain(&site.pages).chain(&site.collections) {
        let sample = post
            .products
            .iter()
            .filter_map(|p| p.asin.as_deref())
            .find(|asin| is_sample_asin(asin))
            .or(post.marks.sample_asin.as_deref());
        if let Some(asin) = sample {
            found.push(Found { what: format!("the sample ASIN {asin}"), file: post.source.clone(), offset: None });
        }
    }
    let first = found.first()?;
    let list: Vec<String> = found
        .iter()
        .map(|f| {
            let at = match f.offset {
                Some(offset) => {
                    let line = profile_text[..offset.min(profile_text.len())].matches('\n').count() + 1;
                    format!("{}:{line}", f.file.display())
                }
                None => f.file.display().to_string(),
            };
            format!("{} ({at})", f.what)
        })
        .collect();
    let message = format!(
        "the site still holds what `shopfront init` wrote for you to replace: {}; links with them earn you nothing",
        list.join(", ")
    );
    let diagnostic = if strict {
        Diagnostic::error(Code::Placeholder, message)
    } else {
        Diagnostic::warning(Code::Placeholder, message)
    }
    .with_hint("put in your own details; `shopfront check` and `build --strict` refuse a site that still has them");
    let diagnostic = diagnostic.at(&first.file);
    Some(match first.offset {
        Some(offset) => diagnostic.with_offset(profile_text, offset),
        None => diagnostic,
    })
}

/// `yourtag-20`, `yourtag-21`, …: the tag `init` writes.
fn is_sample_tag(tag: &str) -> bool {
    tag.starts_with("yourtag")
}
