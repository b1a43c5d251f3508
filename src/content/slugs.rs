//! URL slugs for posts, pages and collections.
//!
//! In `transliterate` mode every slug is ASCII (`广告` → `guang-gao`, `Café`
//! → `cafe`), via `deunicode`. In `unicode` mode letters and digits of every
//! script are kept and lower-cased, so CJK names stay readable in the URL.
//! Either way a slug is one safe path segment: no `/`, `.` runs or controls,
//! and at most [`MAX_BYTES`] long, since it becomes a folder name.
//!
//! Combining marks stay with their letter (`नमस्ते`, or a decomposed `café`
//! as macOS writes file names), and a name made only of symbols (`🔥`) is
//! transliterated even in `unicode` mode rather than left without a URL.
//! In `hexo` mode slugs are Hexo's: case kept, as its blogs' addresses have it.

use serde::Deserialize;

/// How slugs are made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlugMode {
    /// ASCII only: `广告` becomes `guang-gao`.
    #[default]
    Transliterate,
    /// Keep letters of every script: `广告` stays `广告`.
    Unicode,
    /// As Hexo makes them (hexo-util's `slugize`): case and every script
    /// kept, each run of spaces and ASCII punctuation one `-` (`Web Dev` →
    /// `Web-Dev`). Written by `import hexo`, so that a blog's category, tag
    /// and heading addresses stay what they were.
    Hexo,
}

/// The longest slug, in bytes: file systems allow 255 per folder name.
pub const MAX_BYTES: usize = 200;

/// A slug for `text`; empty when nothing usable is left.
pub fn slugify(text: &str, mode: SlugMode) -> String {
    let slug = match mode {
        SlugMode::Transliterate => transliterate(text),
        SlugMode::Unicode => match unicode_slug(text) {
            slug if slug.is_empty() => transliterate(text),
            slug => slug,
        },
        SlugMode::Hexo => match super::post_name::slugize(text) {
            slug if slug.is_empty() => transliterate(text),
            slug => slug,
        },
    };
    shorten(slug)
}

fn transliterate(text: &str) -> String {
    if text.is_ascii() { slug::slugify(text) } else { slug::slugify(with_pinyin(text)) }
}

/// Cuts a slug to [`MAX_BYTES`], at a `-` when one is in the second half.
fn shorten(mut slug: String) -> String {
    if slug.len() <= MAX_BYTES {
        return slug;
    }
    let mut end = MAX_BYTES;
    while !slug.is_char_boundary(end) {
        end -= 1;
    }
    if !slug[end..].starts_with('-')
        && let Some(dash) = slug[..end].rfind('-').filter(|d| *d >= MAX_BYTES / 2)
    {
        end = dash;
    }
    slug.truncate(end);
    slug.truncate(slug.trim_end_matches('-').len());
    slug
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
        } else if is_mark(c) {
            // Part of the letter before it; a mark with no letter is dropped.
            if !dash && !out.is_empty() {
                out.push(c);
            }
        } else if !is_joiner(c) {
            dash = true;
        }
    }
    out
}

/// Zero-width (non-)joiners shape Indic and Persian words; invisible in a URL.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Combining marks that Unicode does not count as alphabetic: accents of
/// decomposed text, viramas and nuktas of Indic scripts, Thai and Lao tone
/// marks, the kana voicing marks, variation selectors, emoji skin tones.
pub(crate) fn is_mark(c: char) -> bool {
    let u = c as u32;
    // Indic blocks share one layout: signs at 00–03, 3A–4F, 51–57, 62–63.
    // Only non-alphanumeric characters are asked about, so letters in these ranges do no harm.
    if (0x0900..=0x0DFF).contains(&u) {
        return matches!(u & 0x7F, 0x00..=0x03 | 0x3A..=0x4F | 0x51..=0x57 | 0x62..=0x63);
    }
    matches!(
        u,
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x05BF
            | 0x05C1..=0x05C2
            | 0x05C4..=0x05C5
            | 0x05C7
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0670
            | 0x06D6..=0x06DC
            | 0x06DF..=0x06E4
            | 0x06E7..=0x06E8
            | 0x06EA..=0x06ED
            | 0x0E31
            | 0x0E34..=0x0E3A
            | 0x0E47..=0x0E4E
            | 0x0EB1
            | 0x0EB4..=0x0EBC
            | 0x0EC8..=0x0ECE
            | 0x0F18..=0x0F19
            | 0x0F35
            | 0x0F37
            | 0x0F39
            | 0x0F3E..=0x0F3F
            | 0x0F71..=0x0F84
            | 0x0F86..=0x0F87
            | 0x0F8D..=0x0FBC
            | 0x0FC6
            | 0x102B..=0x103E
            | 0x1056..=0x1059
            | 0x105E..=0x1060
            | 0x1062..=0x1064
            | 0x1067..=0x106D
            | 0x1071..=0x1074
            | 0x1082..=0x108D
            | 0x108F
            | 0x109A..=0x109D
            | 0x17B4..=0x17D3
            | 0x17DD
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x302A..=0x302F
            | 0x3099..=0x309A
            | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F
            | 0x1F3FB..=0x1F3FF
            | 0xE0100..=0xE01EF
    )
}

/// The slug a file name gives: a Jekyll/Hexo `YYYY-MM-DD-` prefix is dropped.
pub fn from_file_stem(stem: &str, mode: SlugMode) -> String {
    slugify(strip_date_prefix(stem), mode)
}

/// `2025-09-25-usb-mics` → `usb-mics`; Jekyll's `2019-12-3-teams` → `teams`.
pub fn strip_date_prefix(stem: &str) -> &str {
    date_prefix(stem).map_or(stem, |(_, rest)| rest)
}

/// The date of a file name that starts with one, as Jekyll reads it
/// (`YYYY-M-D-`, month and day of one or two digits), and the rest.
pub fn date_prefix(stem: &str) -> Option<((i16, i8, i8), &str)> {
    let mut parts = stem.splitn(4, '-');
    let (year, month, day, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let digits = |text: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4..=4) || !digits(month, 1..=2) || !digits(day, 1..=2) || rest.is_empty() {
        return None;
    }
    Some(((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?), rest))
}

/// Jekyll's title for a post without one: its file name's slug, date
/// dropped, words capitalised (`2024-06-30-my-new-post` → `My New Post`).
/// `None` when the file name is not a dated post's.
pub fn jekyll_title(stem: &str) -> Option<String> {
    let slug = strip_date_prefix(stem);
    if slug.len() == stem.len() {
        return None;
    }
    let words: Vec<String> = slug
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()
            })
        })
        .collect();
    let title = words.join(" ");
    (!title.trim().is_empty()).then_some(title)
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
    if slug.trim().len() > MAX_BYTES {
        return Err(format!(
            "`slug` is {} bytes long; the limit is {MAX_BYTES}, since it becomes a folder name",
            slug.trim().len()
        ));
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
    fn hexo_keeps_case_and_scripts() {
        let cases = [
            ("Web Dev", "Web-Dev"),
            ("一、概述", "一、概述"),
            ("C++", "C"),
            ("Tips & Tricks", "Tips-Tricks"),
            ("Café", "Cafe"),
            ("a..b/c", "a-b-c"),
            ("tab\there\u{7f}", "tabhere"),
            // Nothing Hexo would keep: transliterated rather than left without a URL.
            ("!!!", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input, SlugMode::Hexo), expected, "{input}");
        }
        assert!(slugify(&"Ab ".repeat(100), SlugMode::Hexo).len() <= MAX_BYTES);
    }

    #[test]
    fn marks_stay_with_their_letter() {
        let cases = [
            ("हिन्दी", "हिन्दी"),
            ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
            ("தமிழ்", "தமிழ்"),
            ("ខ្មែរ", "ខ្មែរ"),
            // Decomposed, as macOS writes file names: e + U+0301, フ + U+3099.
            ("cafe\u{301}-cre\u{300}me", "cafe\u{301}-cre\u{300}me"),
            ("nai\u{308}ve", "nai\u{308}ve"),
            ("\u{30d5}\u{3099}\u{30ed}\u{30af}\u{3099}", "\u{30d5}\u{3099}\u{30ed}\u{30af}\u{3099}"),
            // A mark with no letter before it, and joiners, are dropped.
            ("\u{301}a", "a"),
            ("a\u{200d}b", "ab"),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input, SlugMode::Unicode), expected, "{input}");
        }
        assert_eq!(slugify("cafe\u{301}-cre\u{300}me", SlugMode::Transliterate), "cafe-creme");
    }

    #[test]
    fn symbols_only_are_transliterated_in_unicode_mode() {
        assert_eq!(slugify("🔥", SlugMode::Unicode), "fire");
        assert_eq!(slugify("🔥", SlugMode::Transliterate), "fire");
        assert_eq!(slugify("🎧 audio", SlugMode::Unicode), "audio");
        assert_eq!(slugify("!!!", SlugMode::Unicode), "");
    }

    #[test]
    fn slugs_fit_in_a_folder_name() {
        let words = "word ".repeat(100);
        let slug = slugify(&words, SlugMode::Transliterate);
        assert!(slug.len() <= MAX_BYTES && slug.ends_with("word"), "{slug}");
        let han = "广".repeat(200);
        let slug = slugify(&han, SlugMode::Unicode);
        assert!(slug.len() <= MAX_BYTES && slug.chars().all(|c| c == '广'), "{slug}");
        let slug = slugify(&han, SlugMode::Transliterate);
        assert!(slug.len() <= MAX_BYTES && !slug.ends_with('-'), "{slug}");
        let long = "a".repeat(500);
        assert_eq!(slugify(&long, SlugMode::Transliterate).len(), MAX_BYTES);
        assert!(check_written(&long).unwrap_err().contains("the limit is 200"));
    }

    #[test]
    fn date_prefix_is_dropped_from_file_names() {
        assert_eq!(from_file_stem("2025-09-25-usb-mics", SlugMode::Transliterate), "usb-mics");
        assert_eq!(from_file_stem("2025-09-25", SlugMode::Transliterate), "2025-09-25");
        assert_eq!(from_file_stem("hello-world", SlugMode::Transliterate), "hello-world");
        // Jekyll reads one-digit months and days too.
        assert_eq!(date_prefix("2019-12-3-long-term-teams"), Some(((2019, 12, 3), "long-term-teams")));
        assert_eq!(date_prefix("2019-123-3-x"), None);
        assert_eq!(date_prefix("19-12-03-x"), None);
    }

    #[test]
    fn dated_file_names_give_jekyll_titles() {
        assert_eq!(jekyll_title("2024-06-30-my-new-post").as_deref(), Some("My New Post"));
        assert_eq!(jekyll_title("2015-03-17-iOS-tips").as_deref(), Some("Ios Tips"));
        assert_eq!(jekyll_title("2015-03-17-café").as_deref(), Some("Café"));
        assert_eq!(jekyll_title("my-new-post"), None);
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
