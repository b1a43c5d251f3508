//! Hexo's `new_post_name`: how Hexo reads a post's `:title` from its file.
//!
//! Hexo names a post by its path under `_posts/`, read through the pattern
//! it writes new posts' file names with (`:title.md` by default,
//! `:year-:month-:day-:title.md` on many blogs). The part the pattern calls
//! `:title` is the post's `:title` in permalinks, as written: folders,
//! spaces, case and, with the default pattern, a date in the name are kept
//! (`notes/My Trip.md` is `notes/My Trip`, `2020-01-05-hello.md` is
//! `2020-01-05-hello`). A path the pattern does not fit is made a slug the
//! way Hexo makes one. `[site] new_post_name` (written by `import hexo`)
//! gives a site these URLs; without it, `:title` is the file name without
//! its date, as Jekyll reads it.

/// One part of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Token(String),
}

/// A parsed `new_post_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostName {
    parts: Vec<Part>,
}

impl PostName {
    /// Parses a pattern such as `:year-:month-:day-:title.md`; its
    /// extension does not count, as in Hexo.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let pattern = without_extension(pattern.trim());
        if pattern.is_empty() {
            return Err("the pattern is empty".to_owned());
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = pattern;
        while let Some(colon) = rest.find(':') {
            literal.push_str(&rest[..colon]);
            let after = &rest[colon + 1..];
            // A name of word characters, not ending in `_` (Hexo's `:(\w*[^_\W])`).
            let word = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            let name = after[..word].trim_end_matches('_');
            if name.is_empty() {
                literal.push(':');
                rest = after;
                continue;
            }
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Token(name.to_owned()));
            rest = &after[name.len()..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self { parts })
    }

    /// The `:title` of the post at `path`, relative to the posts' folder
    /// with `/` between folders (`notes/My Trip.md`).
    pub fn title(&self, path: &str) -> String {
        let path = without_extension(path);
        let mut captured = Vec::new();
        if matches(&self.parts, path, &mut captured)
            && let Some((_, title)) = captured.iter().find(|(name, _)| *name == "title")
        {
            return (*title).to_owned();
        }
        slugize(path)
    }
}

/// `path` without its extension (`.md`), as Node's `extname` sees it.
fn without_extension(path: &str) -> &str {
    let name_start = path.rfind('/').map_or(0, |slash| slash + 1);
    match path[name_start..].rfind('.') {
        Some(dot) if dot > 0 => &path[..name_start + dot],
        _ => path,
    }
}

/// Whether `parts` match all of `text`, each token taking what its kind
/// allows (`:year` four digits, `:month` two, …, any other token the
/// shortest text that lets the rest match); the tokens' texts in `captured`.
fn matches<'t>(parts: &[Part], text: &'t str, captured: &mut Vec<(&'static str, &'t str)>) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Literal(literal) => text.strip_prefix(literal.as_str()).is_some_and(|tail| matches(rest, tail, captured)),
        Part::Token(name) => {
            let digits = |n: usize| text.as_bytes().iter().take(n).take_while(|b| b.is_ascii_digit()).count();
            let lengths: Vec<usize> = match name.as_str() {
                "year" => vec![4].into_iter().filter(|n| digits(*n) == *n).collect(),
                "month" | "day" => vec![2].into_iter().filter(|n| digits(*n) == *n).collect(),
                "i_month" | "i_day" => [2, 1].into_iter().filter(|n| digits(*n) >= *n).collect(),
                "hash" => {
                    let hex = text.bytes().take(12).take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')).count();
                    if hex == 12 { vec![12] } else { Vec::new() }
                }
                _ => text.char_indices().skip(1).map(|(i, _)| i).chain([text.len()]).collect(),
            };
            let key = if name == "title" { "title" } else { "other" };
            for length in lengths.into_iter().filter(|n| *n > 0 && *n <= text.len() && text.is_char_boundary(*n)) {
                captured.push((key, &text[..length]));
                if matches(rest, &text[length..], captured) {
                    return true;
                }
                captured.pop();
            }
            false
        }
    }
}

/// A slug as Hexo makes one (hexo-util's `slugize`): accents taken off
/// Latin letters, control characters dropped (Hexo drops only those below
/// U+0020; a slug becomes a folder name), each run of spaces and ASCII
/// punctuation one `-`, none at either end; case and other scripts kept.
pub fn slugize(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            continue;
        }
        if c.is_whitespace() || "~`!@#$%^&*()-_+=[]{}|\\;:\"'<>,.?/".contains(c) {
            if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            continue;
        }
        let latin = matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF) && c != '×' && c != '÷';
        match deunicode::deunicode_char(c).filter(|_| latin) {
            Some(plain) => slug.push_str(plain),
            None => slug.push(c),
        }
    }
    slug.truncate(slug.trim_end_matches('-').len());
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_the_file_path_as_hexo_reads_it() {
        let default = PostName::parse(":title.md").unwrap();
        assert_eq!(default.title("hello-world.md"), "hello-world");
        // The default pattern keeps a date, folders, spaces and case.
        assert_eq!(default.title("2020-01-05-hello.md"), "2020-01-05-hello");
        assert_eq!(default.title("notes/My Trip.md"), "notes/My Trip");
        assert_eq!(default.title("中文測試.md"), "中文測試");
        assert_eq!(default.title("v1.2.md"), "v1.2");
        let dated = PostName::parse(":year-:month-:day-:title.md").unwrap();
        assert_eq!(dated.title("2014-07-13-hexo-2-8-released.md"), "hexo-2-8-released");
        // What the pattern does not fit is made a slug (a folder before the date too).
        assert_eq!(dated.title("2020/2020-01-05-a-b.md"), "2020-2020-01-05-a-b");
        assert_eq!(dated.title("About Me.md"), "About-Me");
        assert_eq!(dated.title("notes/Café (draft)_v2.md"), "notes-Cafe-draft-v2");
        let folders = PostName::parse(":year/:i_month/:title.md").unwrap();
        assert_eq!(folders.title("2021/3/spring.md"), "spring");
        assert_eq!(folders.title("2021/12/a/b.md"), "a/b");
        let hashed = PostName::parse(":title-:hash.md").unwrap();
        assert_eq!(hashed.title("post-0123456789ab.md"), "post");
        assert_eq!(PostName::parse(":year_:title.md").unwrap().title("2019_x.md"), "x");
    }

    #[test]
    fn hexo_slugs_keep_case_and_other_scripts() {
        assert_eq!(slugize("  Hello, World!  "), "Hello-World");
        assert_eq!(slugize("Ünïcödé--naïve"), "Unicode-naive");
        assert_eq!(slugize("日本語 テスト"), "日本語-テスト");
        assert_eq!(slugize("a\u{1}b"), "ab");
        assert_eq!(slugize("///"), "");
    }
}
