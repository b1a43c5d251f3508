//! Attribute values in raw HTML read the way a browser reads them.
//!
//! `lol_html` hands over an attribute exactly as written, character
//! references and all, but the link policy must judge the URL the browser
//! will follow: `&#106avascript:`, `javascript&colon;` and `java&Tab;script:`
//! are all `javascript:` to a browser. This follows the HTML tokenizer's
//! rules for references in attribute values: numeric references with or
//! without `;`, and named references. Only the named references that stand
//! for ASCII characters are decoded: a URL's scheme is ASCII, and any other
//! character ends it for the browser just as the undecoded `&` does for the
//! policy, so both read the same kind of link.

use std::borrow::Cow;

/// Named references for ASCII characters (and the no-break space), each
/// written with its `;`.
const NAMED: &[(&str, &str)] = &[
    ("AMP", "&"),
    ("DiacriticalGrave", "`"),
    ("GT", ">"),
    ("Hat", "^"),
    ("LT", "<"),
    ("NewLine", "\n"),
    ("NonBreakingSpace", "\u{a0}"),
    ("QUOT", "\""),
    ("Tab", "\t"),
    ("UnderBar", "_"),
    ("VerticalLine", "|"),
    ("amp", "&"),
    ("apos", "'"),
    ("ast", "*"),
    ("bsol", "\\"),
    ("colon", ":"),
    ("comma", ","),
    ("commat", "@"),
    ("dollar", "$"),
    ("equals", "="),
    ("excl", "!"),
    ("fjlig", "fj"),
    ("grave", "`"),
    ("gt", ">"),
    ("lbrace", "{"),
    ("lbrack", "["),
    ("lcub", "{"),
    ("lowbar", "_"),
    ("lpar", "("),
    ("lsqb", "["),
    ("lt", "<"),
    ("midast", "*"),
    ("nbsp", "\u{a0}"),
    ("num", "#"),
    ("percnt", "%"),
    ("period", "."),
    ("plus", "+"),
    ("quest", "?"),
    ("quot", "\""),
    ("rbrace", "}"),
    ("rbrack", "]"),
    ("rcub", "}"),
    ("rpar", ")"),
    ("rsqb", "]"),
    ("semi", ";"),
    ("sol", "/"),
    ("verbar", "|"),
    ("vert", "|"),
];

/// Of [`NAMED`], those that browsers also read without the `;`.
const LEGACY: &[(&str, &str)] = &[
    ("AMP", "&"),
    ("GT", ">"),
    ("LT", "<"),
    ("QUOT", "\""),
    ("amp", "&"),
    ("gt", ">"),
    ("lt", "<"),
    ("nbsp", "\u{a0}"),
    ("quot", "\""),
];

/// What a numeric reference to 0x80–0x9F stands for (windows-1252).
const C1: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

/// The value of an attribute as written (`raw`), with its character
/// references resolved; borrowed when it has none.
pub fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match reference(after) {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The reference at the start of `text` (just after its `&`): what it
/// stands for and how many bytes it used, or `None` when the `&` is literal.
fn reference(text: &str) -> Option<(Cow<'static, str>, usize)> {
    if let Some(number) = text.strip_prefix('#') {
        let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (number, 10, 1),
        };
        let length = digits.bytes().take_while(|b| (*b as char).is_digit(radix)).count();
        if length == 0 {
            return None;
        }
        // Long runs of digits are out of range whatever they say.
        let value = digits[..length]
            .bytes()
            .try_fold(0u32, |n, b| n.checked_mul(radix)?.checked_add((b as char).to_digit(radix)?))
            .unwrap_or(u32::MAX);
        let semicolon = usize::from(digits[length..].starts_with(';'));
        return Some((Cow::Owned(numeric(value).to_string()), prefix + length + semicolon));
    }
    let name_length = text.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let name = &text[..name_length];
    if text[name_length..].starts_with(';')
        && let Some((_, value)) = NAMED.iter().find(|(n, _)| *n == name)
    {
        return Some((Cow::Borrowed(value), name_length + 1));
    }
    // Without `;`: the longest legacy name that starts the text, unless a
    // letter, digit or `=` follows it (then browsers keep it as written).
    let (legacy, value) = LEGACY.iter().filter(|(n, _)| name.starts_with(n)).max_by_key(|(n, _)| n.len())?;
    let next = text[legacy.len()..].chars().next();
    if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '=') {
        return None;
    }
    let semicolon = usize::from(next == Some(';'));
    Some((Cow::Borrowed(value), legacy.len() + semicolon))
}

/// The character a numeric reference stands for.
fn numeric(value: u32) -> char {
    match value {
        0 => char::REPLACEMENT_CHARACTER,
        0x80..=0x9F => C1[(value - 0x80) as usize],
        _ => char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_as_browsers_read_them() {
        let cases = [
            ("https://a.example/?a=1&b=2", "https://a.example/?a=1&b=2"),
            ("&#106;avascript:", "javascript:"),
            ("&#106avascript:", "javascript:"),
            ("&#x6A;&#X61;vascript:", "javascript:"),
            ("&#0000000000106;avascript:", "javascript:"),
            ("javascript&colon;x", "javascript:x"),
            ("java&Tab;script&NewLine;:x", "java\tscript\n:x"),
            ("&amp;&AMP;&lt;&gt;&quot;", "&&<>\""),
            // Legacy names without `;` count, unless a letter, digit or `=` follows.
            ("a&amp b &lt/", "a& b </"),
            ("?x=1&amp=2&ampx", "?x=1&amp=2&ampx"),
            ("&ltimes; &eacute; &nosuch; & &# &#x; &;", "&ltimes; &eacute; &nosuch; & &# &#x; &;"),
            ("&#0; &#x110000; &#xD800; &#128; &#99999999999999999999;", "\u{FFFD} \u{FFFD} \u{FFFD} \u{20AC} \u{FFFD}"),
            ("é&#233;&aaaaaaaaaaé;", "éé&aaaaaaaaaaé;"),
        ];
        for (raw, expected) in cases {
            assert_eq!(decode(raw), expected, "{raw}");
        }
        assert!(matches!(decode("plain"), Cow::Borrowed("plain")));
    }
}
