//! Helpers for the `a=b&c=d` part of a URL. They work on the raw,
//! still percent-encoded text so that kept parameters are copied byte for
//! byte; only keys (and tag values) are decoded, for comparison.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything except RFC 3986's unreserved characters `A-Za-z0-9-._~`,
/// as JavaScript's `encodeURIComponent` does (minus its `!'()*` leniency).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// One `key=value` piece of a query.
#[derive(Debug)]
pub(super) struct Param<'q> {
    /// The piece as written, e.g. `k=usb+mic`.
    pub(super) raw: &'q str,
    /// The decoded key, e.g. `k`.
    pub(super) key: Cow<'q, str>,
}

impl<'q> Param<'q> {
    /// The raw value after the first `=`, if there is one.
    pub(super) fn raw_value(&self) -> Option<&'q str> {
        self.raw.split_once('=').map(|(_, v)| v)
    }

    /// The decoded value; empty when there is none.
    pub(super) fn value(&self) -> Cow<'q, str> {
        self.raw_value().map_or(Cow::Borrowed(""), decode)
    }

    /// Whether the decoded key is `name`, ignoring ASCII case.
    pub(super) fn is(&self, name: &str) -> bool {
        self.key.eq_ignore_ascii_case(name)
    }
}

/// The non-empty pieces of a query (without its `?`), in order.
pub(super) fn params(query: &str) -> impl Iterator<Item = Param<'_>> + Clone {
    query.split('&').filter(|p| !p.is_empty()).map(|raw| {
        let key = raw.split_once('=').map_or(raw, |(k, _)| k);
        Param { raw, key: decode(key) }
    })
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then
/// percent-decoding; invalid UTF-8 becomes U+FFFD rather than an error.
pub(super) fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['+', '%']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned())
}

/// Appends `s` to `out`, percent-encoded as a URI component.
pub(super) fn push_encoded(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, COMPONENT));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_decodes() {
        let got: Vec<(String, String)> =
            params("a=1&&b&t%61g=x%2Dy&k=usb+mic&=z").map(|p| (p.key.into_owned(), p.raw.to_owned())).collect();
        assert_eq!(
            got,
            [("a", "a=1"), ("b", "b"), ("tag", "t%61g=x%2Dy"), ("k", "k=usb+mic"), ("", "=z"),]
                .map(|(k, r)| (k.to_owned(), r.to_owned()))
        );
        let tag = params("t%61g=x%2Dy").next().map(|p| p.value().into_owned());
        assert_eq!(tag.as_deref(), Some("x-y"));
        assert_eq!(params("b").next().map(|p| p.value().into_owned()), Some(String::new()));
    }

    #[test]
    fn decode_is_lossy_not_failing() {
        assert_eq!(decode("%FF%"), "\u{FFFD}%");
        assert_eq!(decode("a+b%20c"), "a b c");
    }

    #[test]
    fn encodes_everything_but_unreserved() {
        let mut out = String::new();
        push_encoded(&mut out, "a-b_c.d~e f&g?h#i/j:k=l+é");
        assert_eq!(out, "a-b_c.d~e%20f%26g%3Fh%23i%2Fj%3Ak%3Dl%2B%C3%A9");
    }
}
