//! The ids other tools gave a heading, where the site's links ask for them.
//!
//! A blog moved from Jekyll links to kramdown's or GitHub's id of another
//! post's heading (`/2020/01/02/b/#whats-new`, where shopfront's id is
//! `what-s-new`). When a link of the site asks a page for an id it does not
//! have, and one of its headings has that id in either scheme, the heading
//! gets an empty anchor with it, so the link leads where it led before.
//! Markdown gives a heading kramdown's id as it renders a post that links to
//! it; this pass, once every page is known, does the rest.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Post, routes};
use crate::markdown;

/// Adds the anchors that links of `groups` (posts, pages, collections) ask
/// of other pages of them.
pub(super) fn add_requested(groups: [&mut [Arc<Post>]; 3], base_path: &str) {
    // The ids asked of each page, by its path.
    let mut asked: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for post in groups.iter().flat_map(|g| g.iter()) {
        for (_, _, reference) in post.internal.iter().filter(|(_, _, r)| !r.image && r.href.contains('#')) {
            let Some((target, fragment)) = routes::resolve_href(&reference.href, &post.path, base_path) else {
                continue;
            };
            if fragment.is_empty() || matches!(fragment.as_str(), "top" | "main") {
                continue;
            }
            let page = if target.is_empty() || target.ends_with('/') { target } else { format!("{target}/") };
            let ids = asked.entry(page).or_default();
            if !ids.contains(&fragment) {
                ids.push(fragment);
            }
        }
    }
    if asked.is_empty() {
        return;
    }
    for post in groups.into_iter().flat_map(|g| g.iter_mut()) {
        let Some(wanted) = asked.get(post.path.as_str()) else {
            continue;
        };
        let missing: Vec<&String> = wanted.iter().filter(|id| !post.toc.iter().any(|h| h.id == **id)).collect();
        if missing.is_empty() {
            continue;
        }
        let present = ids_in(post);
        let anchors: Vec<(String, &String)> = other_ids(post)
            .into_iter()
            .filter_map(|(heading, others)| {
                let id = missing.iter().find(|id| !present.contains(id.as_str()) && others.contains(id))?;
                Some((heading, *id))
            })
            .collect();
        if anchors.is_empty() {
            continue;
        }
        let post = Arc::make_mut(post);
        for (heading, id) in anchors {
            add_anchor(&mut post.content, &heading, id);
        }
    }
}

/// The `id`s of a page's body.
pub fn ids_in(post: &Post) -> HashSet<String> {
    let mut ids: HashSet<String> = post.toc.iter().map(|h| h.id.clone()).collect();
    let mut rest = post.content.as_str();
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(crate::html::decode_entities(&rest[..end]));
        }
    }
    ids
}

/// Each heading's id, with the ids kramdown and GitHub give it: a repeated
/// one gets `-1`, `-2`, … in each scheme, as those tools count.
fn other_ids(post: &Post) -> Vec<(String, [String; 2])> {
    let mut seen: [FxHashMap<String, usize>; 2] = Default::default();
    let mut counted = |scheme: usize, id: String| -> String {
        let id = if scheme == 0 && id.is_empty() { "section".to_owned() } else { id };
        match seen[scheme].get_mut(&id) {
            Some(n) => {
                *n += 1;
                format!("{id}-{n}")
            }
            None => {
                seen[scheme].insert(id.clone(), 0);
                id
            }
        }
    };
    post.toc
        .iter()
        .map(|h| (h.id.clone(), [counted(0, markdown::kramdown_id(&h.title)), counted(1, markdown::gfm_id(&h.title))]))
        .collect()
}

/// Puts `<a id="ID"></a>` first inside the heading whose id is `heading`.
fn add_anchor(content: &mut String, heading: &str, id: &str) {
    let attribute = format!(" id=\"{}\"", crate::html::escape_attr(heading));
    let mut from = 0;
    while let Some(at) = content[from..].find(&attribute).map(|i| i + from) {
        let is_heading = content[..at].rfind('<').is_some_and(|lt| {
            let tag = &content.as_bytes()[lt + 1..at];
            tag.len() == 2 && tag[0] == b'h' && (b'1'..=b'6').contains(&tag[1])
        });
        if let Some(end) = content[at..].find('>').filter(|_| is_heading) {
            content.insert_str(at + end + 1, &format!("<a id=\"{}\"></a>", crate::html::escape_attr(id)));
            return;
        }
        from = at + attribute.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_goes_first_into_its_heading_only() {
        let mut html = "<p id=\"a\">x</p>\n<h2 id=\"a\" class=\"c\">A</h2>\n".to_owned();
        add_anchor(&mut html, "a", "b&c");
        assert_eq!(html, "<p id=\"a\">x</p>\n<h2 id=\"a\" class=\"c\"><a id=\"b&amp;c\"></a>A</h2>\n");
        let mut html = "<h2 id=\"x\">X</h2>".to_owned();
        add_anchor(&mut html, "y", "z");
        assert_eq!(html, "<h2 id=\"x\">X</h2>");
    }
}
