//! HTML text in and out, in one place: escaping for templates and
//! attributes, reading character references (the browser's way for URLs in
//! [`attributes`], all of HTML's named references for text in [`decode_entities`]),
//! and the characters XML and HTML cannot carry.

pub mod attributes;

use std::borrow::Cow;

use lol_html::html_content::{Attribute, Element};

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let _ = escape_pieces(text, |piece| {
        out.push_str(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// [`escape_attr`] into a writer: Tera's escaper, which sees every value a
/// template prints.
pub fn escape_html_to(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escape_pieces(text, |piece| out.write_all(piece.as_bytes()))
}

/// Hands `emit` the pieces of `text` escaped for HTML: each run of ordinary
/// characters whole, and each of `&"<>'` as its entity.
fn escape_pieces<E>(text: &str, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The special characters are ASCII, so `i` is a character boundary.
        emit(&text[start..i])?;
        emit(entity)?;
        start = i + 1;
    }
    emit(&text[start..])
}

/// An element handler for lol_html's settings: `handler` runs on each
/// element `selector` (parsed once, by the caller) matches.
pub fn on_element<'h>(
    selector: &'h lol_html::Selector,
    handler: impl FnMut(&mut Element<'_, '_>) -> lol_html::HandlerResult + 'h,
) -> (Cow<'h, lol_html::Selector>, lol_html::ElementContentHandlers<'h>) {
    (Cow::Borrowed(selector), lol_html::ElementContentHandlers::default().element(handler))
}

/// The tag name of `el`, an element lol_html parsed from `html`, read from
/// `html` itself. lol_html's own `tag_name` is a new lowercased `String`
/// each call, which a scan of every element of every page pays for; a name
/// written in lowercase (as nearly all are) is borrowed instead.
pub fn tag_name<'h>(el: &Element<'_, '_>, html: &'h str) -> Cow<'h, str> {
    let written = html.get(el.source_location().bytes()).and_then(|tag| {
        let name = tag.strip_prefix('<')?;
        let end = name.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>').unwrap_or(name.len());
        Some(&name[..end])
    });
    match written {
        Some(name) if is_lowercase_name(name) => Cow::Borrowed(name),
        _ => Cow::Owned(el.tag_name()),
    }
}

/// The name of `attribute`, of an element lol_html parsed from `html`, as
/// [`tag_name`] reads a tag's: borrowed when written in lowercase.
pub fn attribute_name<'h>(attribute: &Attribute<'_>, html: &'h str) -> Cow<'h, str> {
    match attribute.name_source_location().and_then(|at| html.get(at.bytes())) {
        Some(name) if is_lowercase_name(name) => Cow::Borrowed(name),
        _ => Cow::Owned(attribute.name()),
    }
}

/// The attribute `name` (lowercase) of `el`, an element lol_html parsed from
/// `html`; what lol_html's `get_attribute` finds, without the name it
/// builds for each call.
pub fn attribute<'a, 't>(el: &'a Element<'_, 't>, html: &str, name: &str) -> Option<&'a Attribute<'t>> {
    el.attributes().iter().find(|attribute| attribute_name(attribute, html) == name)
}

/// Whether a name as written is the name HTML reads: no uppercase letter
/// for it to lower, and no character its tokenizer replaces.
fn is_lowercase_name(name: &str) -> bool {
    !name.is_empty() && !name.bytes().any(|b| b.is_ascii_uppercase() || b == 0)
}

/// Decodes every character reference (named or numeric) in text: page text
/// and ids the disclosure and link checks read, titles written as HTML.
/// URLs are read with [`attributes::decode`], the way a browser reads them.
pub fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

/// Where `needle` (ASCII, lower-case) starts in `text`, in any ASCII case,
/// without a lower-cased copy of `text`; an empty needle is found nowhere.
/// The disclosure check runs this over every page, so it jumps (with
/// `memchr`) between the places of the needle's rarest byte instead of
/// comparing at every byte.
pub fn positions_ignoring_case<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    // Bytes common in HTML, the most common first; any other is rarer.
    const COMMON: &[u8] = b" e\"t=a<>/oinsrlhdc-upmfgywbvk";
    let commonness = |byte: u8| COMMON.iter().position(|&c| c == byte).map_or(0, |at| COMMON.len() - at);
    let wanted = needle.as_bytes();
    let bytes = if wanted.is_empty() { &[][..] } else { text.as_bytes() };
    let (offset, rare) = wanted.iter().copied().enumerate().min_by_key(|&(_, b)| commonness(b)).unwrap_or((0, 0));
    memchr::memchr2_iter(rare, rare.to_ascii_uppercase(), bytes).filter_map(move |at| {
        let start = at.checked_sub(offset)?;
        bytes.get(start..start + wanted.len()).filter(|found| found.eq_ignore_ascii_case(wanted)).map(|_| start)
    })
}

/// The text a reader sees of a title written as HTML: inline formatting
/// tags (`<em>`, `</strong>`, `<code>`) dropped, entities decoded. Anything
/// else (`a < b`, `<script>`) stays as text, to be escaped where it is shown.
pub fn visible_text(html: &str) -> String {
    const INLINE: [&str; 14] =
        ["em", "strong", "i", "b", "u", "s", "code", "span", "small", "mark", "sup", "sub", "abbr", "kbd"];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let after_name = tag.trim_start_matches('/').get(name.len()..).unwrap_or_default();
        let starts_tag = INLINE.contains(&name.as_str()) && after_name.starts_with(['>', ' ', '/']);
        match tag.find('>').filter(|_| starts_tag) {
            Some(end) => rest = &tag[end + 1..],
            None => {
                out.push('<');
                rest = tag;
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Whether XML 1.0 can carry `c` at all, escaped or not (its `Char`
/// production; a Rust string holds no surrogates). A feed or sitemap with
/// U+0001 or U+FFFE in a title is not well-formed, and readers drop it whole.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` without the characters [`is_xml_char`] rejects: for HTML pages,
/// where C0 controls and U+FFFE/U+FFFF are parse errors. Returns `text`
/// itself, unscanned by `chars`, when a fast byte test finds none.
pub fn without_non_xml_chars(text: String) -> String {
    // A forbidden C0 control, or the lead byte of U+F000..U+FFFF (U+FFFE and
    // U+FFFF are EF BF BE/BF); chunks keep the test branch-free.
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0xEF);
    let maybe = text.as_bytes().chunks(64).any(|chunk| chunk.iter().fold(false, |hit, &b| hit | suspect(b)));
    if !maybe || text.chars().all(is_xml_char) {
        return text;
    }
    text.chars().filter(|&c| is_xml_char(c)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn positions_are_found_in_any_case() {
        let found: Vec<usize> = positions_ignoring_case("<Link><LINK x><link", "<link").collect();
        assert_eq!(found, [0, 6, 14]);
        assert_eq!(positions_ignoring_case("ab", "abc").count(), 0);
        assert_eq!(positions_ignoring_case("a\0b", "").count(), 0);
        // Found by a byte inside the needle: matches at the very start and
        // end, overlapping ones, and none cut off by either end.
        assert_eq!(positions_ignoring_case("pHTTPs: http", "http").collect::<Vec<_>>(), [1, 8]);
        assert_eq!(positions_ignoring_case("ttp http", "http").collect::<Vec<_>>(), [4]);
        assert_eq!(positions_ignoring_case("kkkk", "kk").collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(positions_ignoring_case("é<STYLE>ü</style", "</style").collect::<Vec<_>>(), [11]);
        assert_eq!(positions_ignoring_case("rel=StyleSheet", "stylesheet").collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn visible_text_drops_tags_and_decodes_once() {
        assert_eq!(visible_text("writing for action <em>and</em> flexibility"), "writing for action and flexibility");
        assert_eq!(visible_text("a < b &amp;&amp; <b>c</b> &lt;i&gt;"), "a < b && c <i>");
        assert_eq!(visible_text("Fish <script>x</script> <em class=\"y\">z</em>"), "Fish <script>x</script> z");
    }

    use super::*;

    #[test]
    fn names_read_from_the_page_are_the_names_lol_html_gives() {
        let page = "<DIV Class=a data-X=1><a\thref=x HREF=y>t</a><img/src=p.jpg><p/><svg viewBox='0 0 1 1'>\
                    <foreignObject><input type=text hidden></foreignObject></svg><x-card\nOn-Click=go></x-card><b-é>";
        let asked = ["class", "data-x", "href", "src", "type", "hidden", "viewbox", "on-click", "missing"];
        // As the checks read a page (whole), in small chunks, and after a
        // byte order mark a template may begin with.
        let with_mark = format!("\u{feff}{page}");
        for (html, chunk) in [(page, page.len()), (page, 7), (with_mark.as_str(), with_mark.len())] {
            let (mut tags, mut borrowed) = (Vec::new(), 0);
            let handler = lol_html::element!("*", |el| {
                let found: Vec<_> = asked.iter().map(|name| attribute(el, html, name).map(Attribute::value)).collect();
                let expected: Vec<_> = asked.iter().map(|name| el.get_attribute(name)).collect();
                assert_eq!(found, expected, "the attributes of <{}>", el.tag_name());
                let names: Vec<_> = el.attributes().iter().map(|a| attribute_name(a, html)).collect();
                assert_eq!(names, el.attributes().iter().map(Attribute::name).collect::<Vec<_>>());
                // Written in lowercase, a name is borrowed from the page, not copied.
                let name = tag_name(el, html);
                borrowed += usize::from(matches!(name, Cow::Borrowed(_)));
                borrowed += names.iter().filter(|name| matches!(name, Cow::Borrowed(_))).count();
                tags.push((name.into_owned(), el.tag_name()));
                Ok(())
            });
            let settings = lol_html::Settings::new().append_element_content_handler(handler);
            let mut rewriter = lol_html::HtmlRewriter::new(settings, |_: &[u8]| {});
            for part in html.as_bytes().chunks(chunk) {
                rewriter.write(part).unwrap();
            }
            rewriter.end().unwrap();
            assert_eq!(tags.len(), 9);
            for (ours, theirs) in &tags {
                assert_eq!(ours, theirs);
            }
            // a, img, p, svg, input, x-card, b-é; href, src, type, hidden.
            assert_eq!(borrowed, 11);
        }
    }

    #[test]
    fn escaping_replaces_the_five_characters_and_keeps_the_rest() {
        let text = "a&b\"c<d>e'f — ü &&";
        let expected = "a&amp;b&quot;c&lt;d&gt;e&#39;f — ü &amp;&amp;";
        assert_eq!(escape_attr(text), expected);
        let mut written = Vec::new();
        escape_html_to(text, &mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), expected);
        assert_eq!(escape_attr("plain"), "plain");
        assert_eq!(escape_attr(""), "");
    }

    #[test]
    fn entities_decode() {
        assert_eq!(decode_entities("a &amp; b &#39;c&#x27; &lt;d&gt; &bogus; &"), "a & b 'c' <d> &bogus; &");
        assert_eq!(decode_entities("&aaaaaaaaaa\u{e9};"), "&aaaaaaaaaa\u{e9};");
    }

    #[test]
    fn pages_lose_only_what_xml_forbids() {
        let text = "<p>a\u{1}b\u{FFFE}c\u{FFFF}d\u{B}e\u{C}f\tg\nh\u{FF0C}i\u{FFFD}</p>".to_owned();
        assert_eq!(without_non_xml_chars(text), "<p>abcdef\tg\nh\u{FF0C}i\u{FFFD}</p>");
        let clean = "<p>日本語，テキスト\r\n</p>".to_owned();
        let pointer = clean.as_ptr();
        let kept = without_non_xml_chars(clean);
        assert_eq!(kept.as_ptr(), pointer, "a clean page is returned as it is");
    }
}
