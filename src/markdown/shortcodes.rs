//! Shortcodes: `{{ product("B06XCKGLTP") }}`, `{{ products() }}`,
//! `{{ compare() }}` and the videos (`{{ youtube("ID") }}`…), each on a line
//! of its own, with one quoted argument and any number of named ones
//! (`{{ youtube("ID", products="all") }}`).
//!
//! Before Markdown is parsed, each shortcode line (outside fenced code) is
//! replaced by an HTML comment of the same length, `<!--sc:N   -->`, so
//! every byte offset after it, and so every error's line and column, stays
//! true. The render stage later swaps each comment for the theme's
//! `shortcodes/NAME.html`.

use std::borrow::Cow;

/// One shortcode call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcodeCall {
    /// Byte offset of the line in the body.
    pub offset: usize,
    /// `product`, `products`, `compare`, or whatever was written.
    pub name: String,
    /// The quoted argument, if any: an ASIN or a product `id`, a video.
    pub argument: Option<String>,
    /// `name="value"` arguments, in the order written.
    pub named: Vec<(String, String)>,
}

/// The marker that stands for shortcode `index` in rendered HTML.
pub fn marker_prefix(index: usize) -> String {
    format!("<!--sc:{index}")
}

/// Replaces shortcode lines with markers; returns the new body and the calls.
pub fn extract(body: &str) -> (Cow<'_, str>, Vec<ShortcodeCall>) {
    if !body.contains("{{") {
        return (Cow::Borrowed(body), Vec::new());
    }
    let mut out = String::with_capacity(body.len());
    let mut calls = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        if let Some(opened) = fence_marker(trimmed).filter(|_| indent < 4) {
            match fence {
                None => fence = Some(opened),
                Some((c, n)) if opened.0 == c && opened.1 >= n && trimmed.trim_start_matches(c).trim().is_empty() => {
                    fence = None;
                }
                Some(_) => {}
            }
        }
        let call = if fence.is_none() && indent < 4 { parse_call(trimmed) } else { None };
        match call {
            Some(call) => {
                let marker = marker_prefix(calls.len());
                let width = content.len().saturating_sub(marker.len() + 3);
                out.push_str(&marker);
                out.push_str(&" ".repeat(width));
                out.push_str("-->");
                out.push_str(&line[content.len()..]);
                calls.push(ShortcodeCall { offset, ..call });
            }
            None => out.push_str(line),
        }
        offset += line.len();
    }
    if calls.is_empty() { (Cow::Borrowed(body), calls) } else { (Cow::Owned(out), calls) }
}

/// Maps byte offsets in the text that [`extract`] made back to `body`.
///
/// A marker is as long as its line, except after a call shorter than any
/// marker (`{{a()}}`): then every later offset has moved. An offset inside
/// a marker maps into its call's line. Each offset is mapped by binary
/// search over the calls, so many offsets in a body with many calls cost
/// no more than a sort.
#[derive(Debug, Clone)]
pub struct OffsetMap {
    /// Per call, in order.
    markers: Vec<Marker>,
    /// The original body's length.
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Marker {
    /// Where the marker starts in the new text.
    start: usize,
    /// Its length (at least the call line's).
    len: usize,
    /// The call line's length.
    content: usize,
    /// Where the call line starts in `body`.
    original: usize,
    /// How much longer the new text is than `body` after this marker.
    shift_after: usize,
}

impl OffsetMap {
    /// The map for `calls`, as [`extract`] found them in `body`.
    pub fn new(body: &str, calls: &[ShortcodeCall]) -> Self {
        let mut shift = 0;
        let markers = calls
            .iter()
            .enumerate()
            .map(|(index, call)| {
                let (content, marker) = call_and_marker_len(body, index, call);
                let len = marker.max(content);
                let start = call.offset + shift;
                shift += len - content;
                Marker { start, len, content, original: call.offset, shift_after: shift }
            })
            .collect();
        Self { markers, len: body.len() }
    }

    /// The offset in `body` of `offset` in the new text.
    pub fn original(&self, offset: usize) -> usize {
        let after = self.markers.partition_point(|m| m.start <= offset);
        let Some(marker) = after.checked_sub(1).map(|i| self.markers[i]) else {
            return offset.min(self.len);
        };
        if offset < marker.start + marker.len {
            return marker.original + (offset - marker.start).min(marker.content);
        }
        offset.saturating_sub(marker.shift_after).min(self.len)
    }
}

/// Whether an [`OffsetMap`] is needed: some call is shorter than its marker.
pub fn moves_offsets(body: &str, calls: &[ShortcodeCall]) -> bool {
    calls.iter().enumerate().any(|(index, call)| {
        let (content, marker) = call_and_marker_len(body, index, call);
        content < marker
    })
}

/// The length of call `index`'s line in `body`, and of its shortest marker.
fn call_and_marker_len(body: &str, index: usize, call: &ShortcodeCall) -> (usize, usize) {
    let line = body.get(call.offset..).unwrap_or("");
    let content = line.split('\n').next().unwrap_or("").trim_end_matches('\r').len();
    (content, marker_prefix(index).len() + 3)
}

/// A fence's delimiter and length when `line` (trimmed) opens or closes fenced code.
pub(super) fn fence_marker(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = line.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// `{{ name("arg", key="value") }}` → its name, `arg` and `[(key, value)]`
/// (at offset 0).
///
/// A value is quoted (straight or curly quotes, as Markdown editors type
/// them) or a bare word (`true`, `30`). Without a quoted argument, an `id`,
/// `asin` or `url` one stands for it (`product(id="mug")`).
fn parse_call(line: &str) -> Option<ShortcodeCall> {
    let inner = line.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let open = inner.find('(')?;
    let name = inner[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let args = inner[open + 1..].strip_suffix(')')?.trim();
    let mut positional = None;
    let mut named = Vec::new();
    for arg in split_arguments(args)? {
        let is_key = |key: &str| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        match arg.split_once('=').filter(|(key, _)| is_key(key.trim())) {
            Some((key, value)) => named.push((key.trim().to_owned(), unquote(value.trim())?)),
            None if positional.is_none() && named.is_empty() => positional = Some(unquote_only(arg)?),
            None => return None,
        }
    }
    // `product(id="mug")`, `youtube(url="…")`: these keys stand for the quoted argument.
    let argument = positional.or_else(|| {
        named.iter().find(|(key, _)| matches!(key.as_str(), "id" | "asin" | "url")).map(|(_, value)| value.clone())
    });
    Some(ShortcodeCall { offset: 0, name: name.to_owned(), argument, named })
}

/// The arguments between the parentheses, split at commas outside quotes.
fn split_arguments(args: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut start, mut quote) = (0, None::<char>);
    for (i, c) in args.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (None, '“') => quote = Some('”'),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return None;
    }
    let last = args[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out.iter().all(|a| !a.is_empty()).then_some(out)
}

/// A quoted value without its quotes.
fn unquote_only(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|q| matches!(q, '"' | '\'' | '“'))?;
    let closing = if quote == '“' { '”' } else { quote };
    Some(value.strip_prefix(quote)?.strip_suffix(closing)?.to_owned())
}

/// A quoted value without its quotes, or a bare word as it is.
fn unquote(value: &str) -> Option<String> {
    unquote_only(value).or_else(|| {
        let bare = value.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        (bare && !value.is_empty()).then(|| value.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_become_markers_of_the_same_length() {
        let body = "Intro\n\n{{ product(\"B06XCKGLTP\") }}\n\n  {{ compare() }}\nText {{ inline() }} stays\n";
        let (out, calls) = extract(body);
        assert_eq!(out.len(), body.len());
        assert_eq!(
            calls,
            [
                ShortcodeCall { offset: 7, name: "product".into(), argument: Some("B06XCKGLTP".into()), named: vec![] },
                ShortcodeCall { offset: 36, name: "compare".into(), argument: None, named: vec![] },
            ]
        );
        assert!(out.contains("<!--sc:0"), "{out}");
        assert!(out.contains("Text {{ inline() }} stays"));
        for (a, b) in body.lines().zip(out.lines()) {
            assert_eq!(a.len(), b.len(), "{a:?} / {b:?}");
        }
    }

    #[test]
    fn argument_forms() {
        let call = |line| parse_call(line).map(|c| (c.name, c.argument, c.named.len()));
        assert_eq!(call("{{ product('x') }}"), Some(("product".into(), Some("x".into()), 0)));
        assert_eq!(call("{{ product(id=\"mug\") }}"), Some(("product".into(), Some("mug".into()), 1)));
        assert_eq!(call("{{ youtube(products=\"all\") }}"), Some(("youtube".into(), None, 1)));
        assert_eq!(call("{{ product(“B06XCKGLTP”) }}"), Some(("product".into(), Some("B06XCKGLTP".into()), 0)));
        assert_eq!(call("{{products()}}"), Some(("products".into(), None, 0)));
        assert_eq!(call("{{ not a call }}"), None);
        let video = parse_call("{{ youtube(\"dQw4w9WgXcQ\", products=\"a, b\", start=30) }}").unwrap();
        assert_eq!(video.argument.as_deref(), Some("dQw4w9WgXcQ"));
        assert_eq!(video.named, [("products".to_owned(), "a, b".to_owned()), ("start".to_owned(), "30".to_owned())]);
        // An unclosed quote or a second quoted argument is not a call.
        assert_eq!(call("{{ youtube(\"x) }}"), None);
        assert_eq!(call("{{ youtube(\"x\", \"y\") }}"), None);
    }

    #[test]
    fn offsets_after_a_short_call_map_back() {
        // `{{a()}}` is 7 bytes, its marker `<!--sc:0-->` 11.
        let body = "{{a()}}\n\n[x](y)\n{{b()}}\nz";
        let (out, calls) = extract(body);
        assert!(moves_offsets(body, &calls));
        let map = OffsetMap::new(body, &calls);
        for needle in ["[x]", "z"] {
            let new = out.find(needle).unwrap();
            assert_eq!(map.original(new), body.find(needle).unwrap(), "{needle}");
        }
        // Inside a marker: its call's line.
        assert_eq!(map.original(9), 7);
        let long = "{{ products() }}\n[x](y)";
        let (out, calls) = extract(long);
        assert!(!moves_offsets(long, &calls));
        assert_eq!(OffsetMap::new(long, &calls).original(out.find("[x]").unwrap()), long.find("[x]").unwrap());
    }

    /// The map by binary search gives what walking every call from the first gives.
    #[test]
    fn offset_map_agrees_with_walking_the_calls() {
        fn walked(body: &str, calls: &[ShortcodeCall], offset: usize) -> usize {
            let mut shift = 0;
            for (index, call) in calls.iter().enumerate() {
                let (content, marker) = call_and_marker_len(body, index, call);
                let marker = marker.max(content);
                let start = call.offset + shift;
                if offset < start {
                    break;
                }
                if offset < start + marker {
                    return call.offset + (offset - start).min(content);
                }
                shift += marker - content;
            }
            offset.saturating_sub(shift).min(body.len())
        }
        let body: String = (0..300)
            .map(|i| match i % 4 {
                0 => "{{a()}}\n".to_owned(),
                1 => format!("text {i} [x](javascript:{i})\n"),
                2 => "{{ products() }}\n\n".to_owned(),
                _ => format!("{{{{b{i}()}}}}\n"),
            })
            .collect();
        let (out, calls) = extract(&body);
        assert!(moves_offsets(&body, &calls));
        let map = OffsetMap::new(&body, &calls);
        for offset in 0..=out.len() + 3 {
            assert_eq!(map.original(offset), walked(&body, &calls, offset), "offset {offset}");
        }
    }

    #[test]
    fn fenced_code_is_left_alone() {
        let body = "```\n{{ products() }}\n```\n\n    {{ products() }}\n";
        let (out, calls) = extract(body);
        assert!(calls.is_empty());
        assert_eq!(out, body);
    }
}
