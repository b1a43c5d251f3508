//! `build --minify`: smaller HTML with the same meaning.
//!
//! In: a rendered page. Out: the page without comments and with every run of
//! whitespace in text collapsed to one space (a newline when the run held
//! one), except inside `pre`, `textarea`, `script` and `style`, whose text is
//! shown or run exactly as written. A run of whitespace is never removed
//! altogether: between two inline elements it is the space a reader sees.
//! Attributes, entities and markup are kept as written, so the page reads
//! the same to browsers, to crawlers and to the disclosure check.

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, doc_comments, doc_text, element, rewrite_str};

/// Elements whose text must be kept as written.
const VERBATIM: &str = "pre, textarea, script, style";

/// `html` minified; unchanged in the unlikely case that lol_html gives up
/// (it only fails on its memory limits).
pub fn html(html: &str) -> String {
    // Shared with end-tag handlers, which must own what they use.
    let verbatim_depth = Rc::new(Cell::new(0usize));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!(VERBATIM, |el| {
            verbatim_depth.set(verbatim_depth.get() + 1);
            if el.can_have_content() {
                let depth = Rc::clone(&verbatim_depth);
                let unwind: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                    depth.set(depth.get().saturating_sub(1));
                    Ok(())
                });
                el.on_end_tag(unwind)?;
            }
            Ok(())
        }))
        .append_document_content_handler(doc_comments!(|comment| {
            comment.remove();
            Ok(())
        }))
        .append_document_content_handler(doc_text!(|text| {
            if verbatim_depth.get() == 0 {
                let collapsed = collapse_whitespace(text.as_str());
                if collapsed.len() != text.as_str().len() {
                    text.replace(&collapsed, ContentType::Html);
                }
            }
            Ok(())
        }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_owned())
}

/// Every run of HTML whitespace as one space, or one newline when it held one.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run: Option<char> = None;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C') {
            run = Some(if c == '\n' || run == Some('\n') { '\n' } else { ' ' });
        } else {
            if let Some(space) = run.take() {
                out.push(space);
            }
            out.push(c);
        }
    }
    out.extend(run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_comments_go_meaning_stays() {
        let page = "<!doctype html>\n<html>\n  <head>\n    <!-- theme: aisle -->\n    <title>A  &amp;  B</title>\n  </head>\n  <body>\n    <p>One   <a href=\"/x\">two</a>  <b>three</b></p>\n  </body>\n</html>\n";
        assert_eq!(
            html(page),
            // The comment's own line stays as an empty one.
            "<!doctype html>\n<html>\n<head>\n\n<title>A &amp; B</title>\n</head>\n<body>\n<p>One <a href=\"/x\">two</a> <b>three</b></p>\n</body>\n</html>\n"
        );
    }

    #[test]
    fn verbatim_elements_are_untouched() {
        let page = "<pre>  a\n\n   b</pre>  <textarea>x   y</textarea><script>if (a  <  b) {\n  go();\n}</script><style>a  { color: red }</style>  <p>a  b</p>";
        assert_eq!(
            html(page),
            "<pre>  a\n\n   b</pre> <textarea>x   y</textarea><script>if (a  <  b) {\n  go();\n}</script><style>a  { color: red }</style> <p>a b</p>"
        );
        // Nested `pre` inside another verbatim element's sibling: the depth unwinds.
        assert_eq!(html("<pre><code>a  b</code></pre><p>c  d</p>"), "<pre><code>a  b</code></pre><p>c d</p>");
    }

    #[test]
    fn attributes_and_json_ld_are_kept_as_written() {
        let page = "<a href=\"https://www.amazon.com/dp/B06XCKGLTP?tag=mia-20&amp;th=1\" title=\"a  b\" rel=\"sponsored nofollow noopener\">Buy</a>\n<script type=\"application/ld+json\">{\"name\": \"a  \\u003cb\"}</script>";
        assert_eq!(html(page), page);
    }
}
