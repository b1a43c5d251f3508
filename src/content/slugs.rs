//! URL slugs for posts, pages and collections.
//!
//! In `transliterate` mode every slug is ASCII (`广告` → `guang-gao`, `Café`
//! → `cafe`), via `deunicode`. In `unicode` mode letters and digits of every
//! script are kept and lower-cased, so CJK names stay readable in the URL.
//! Either way a slug is one safe path segment: no `/`, `.` runs or controls.

use crate::profile::SlugMode;

/// A slug for `text`; empty when nothing usable is left.
pub fn slugify(text: &str, mode: SlugMode) -> String {
    match mode {
        SlugMode::Transliterate if text.is_ascii() => slug::slugify(text),
        SlugMode::Transliterate => slug::slugify(with_pinyin(text)),
        SlugMode::Unicode => unicode_slug(text),
    }
}

/// Han characters as their most common pinyin reading, each its own word.
fn with_pinyin(text: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match c.to_pinyin() {
            Some(reading) => {
                out.push(' ');
                out.push_str(reading.plain());
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    out
}

fn unicode_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The slug a file name gives: a Jekyll/Hexo `YYYY-MM-DD-` prefix is dropped.
pub fn from_file_stem(stem: &str, mode: SlugMode) -> String {
    slugify(strip_date_prefix(stem), mode)
}

/// `2025-09-25-usb-mics` → `usb-mics`.
pub fn strip_date_prefix(stem: &str) -> &str {
    let bytes = stem.as_bytes();
    let is_date = bytes.len() > 11
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
        && bytes[10] == b'-';
    if is_date { &stem[11..] } else { stem }
}

/// Checks a slug the creator wrote. It may not leave its folder.
pub fn check_written(slug: &str) -> Result<(), String> {
    if slug.trim().is_empty() {
        return Err("`slug` is empty".to_owned());
    }
    if slug.contains(['/', '\\']) || slug.split('.').all(str::is_empty) || slug.contains("..") {
        return Err(format!("`slug: {slug}` must be a single URL segment without `/`, `\\` or `..`"));
    }
    if slug.chars().any(char::is_control) {
        return Err("`slug` contains control characters".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterate_makes_ascii() {
        let cases = [
            ("Best USB Microphones for New Streamers", "best-usb-microphones-for-new-streamers"),
            ("广告", "guang-gao"),
            ("Café & Crème", "cafe-creme"),
            ("Creator Gear", "creator-gear"),
            ("  --Hello--  ", "hello"),
            ("日本語のレビュー", "ri-ben-yu-norebiyu"),
            ("好物推荐", "hao-wu-tui-jian"),
            ("!!!", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input, SlugMode::Transliterate), expected, "{input}");
        }
    }

    #[test]
    fn unicode_keeps_scripts() {
        let cases = [
            ("广告", "广告"),
            ("好物 推荐", "好物-推荐"),
            ("Creator Gear", "creator-gear"),
            ("Ärger/Über", "ärger-über"),
            ("a..b", "a-b"),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input, SlugMode::Unicode), expected, "{input}");
        }
    }

    #[test]
    fn date_prefix_is_dropped_from_file_names() {
        assert_eq!(from_file_stem("2025-09-25-usb-mics", SlugMode::Transliterate), "usb-mics");
        assert_eq!(from_file_stem("2025-09-25", SlugMode::Transliterate), "2025-09-25");
        assert_eq!(from_file_stem("hello-world", SlugMode::Transliterate), "hello-world");
    }

    #[test]
    fn written_slugs_cannot_escape() {
        for bad in ["../etc", "a/b", "..", ".", "a\\b", ""] {
            assert!(check_written(bad).is_err(), "{bad}");
        }
        assert!(check_written("usb-mics").is_ok());
        assert!(check_written("v1.2").is_ok());
    }
}
