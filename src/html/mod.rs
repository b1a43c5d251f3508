//! HTML text in and out, in one place: escaping for templates and
//! attributes, reading character references (the browser's way for URLs in
//! [`attributes`], all of HTML's named references for text in [`decode_entities`]),
//! and the characters XML and HTML cannot carry.

pub mod attributes;

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
    handler: impl FnMut(&mut lol_html::html_content::Element<'_, '_>) -> lol_html::HandlerResult + 'h,
) -> (std::borrow::Cow<'h, lol_html::Selector>, lol_html::ElementContentHandlers<'h>) {
    (std::borrow::Cow::Borrowed(selector), lol_html::ElementContentHandlers::default().element(handler))
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
