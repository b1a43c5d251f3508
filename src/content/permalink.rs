//! Site-wide permalink patterns, as Hexo and Jekyll write them:
//! `[site] permalink = "/:year/:month/:day/:title/"`, or one of Jekyll's
//! named styles (`date`, `pretty`, `ordinal`, `weekdate`, `none`). A migrated blog keeps
//! its URLs, and with them every link to it.
//!
//! Tokens, as the two tools read them:
//!
//! | token | value |
//! |---|---|
//! | `:year` `:short_year` | `2024`, `24` |
//! | `:month` `:i_month` | `06`, `6` |
//! | `:day` `:i_day` | `09`, `9` |
//! | `:hour` `:minute` `:second` | two digits, in the site's time zone |
//! | `:y_day` | day of the year, `001`–`366` |
//! | `:title` | the `slug:` as written, else the file name without its date, case kept; with `new_post_name`, the file's path as Hexo reads it ([`super::post_name`]) |
//! | `:slug` | the same, made a lower-case slug |
//! | `:name` | the file name without extension |
//! | `:post_title` | the post's title as a slug |
//! | `:id` | the `id:` of the front matter, else `:title` |
//! | `:categories` | every category, lower-case, one folder each (Jekyll) |
//! | `:category` | the category path, one folder a level, or `uncategorized` (Hexo) |
//! | `:output_ext` | `.html` |
//! | `:short_month` `:long_month` `:short_day` `:long_day` | `Jun`, `June`, `Sun`, `Sunday` |
//! | `:w_day` `:week` `:w_year` | ISO weekday 1–7, week `01`–`53` and its year |
//! | `:slugified_categories` | every category as a slug, one folder each |
//! | `:timestamp` | seconds since 1970 |
//!
//! A pattern ending in `.html` (Jekyll's `date` style does) gives the post a
//! folder URL, `…/title/`, and a redirect page at the `.html` address, so
//! links to either work on any static host.

use std::fmt::Write;

use jiff::Zoned;

/// One part of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Token(Token),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Year,
    ShortYear,
    Month,
    IMonth,
    Day,
    IDay,
    Hour,
    Minute,
    Second,
    YDay,
    Title,
    Slug,
    Name,
    PostTitle,
    Id,
    Categories,
    SlugifiedCategories,
    Category,
    OutputExt,
    /// A strftime format of the date (`%b`, `%A`, ISO week…).
    Format(&'static str),
    Timestamp,
}

const TOKENS: [(&str, Token); 27] = [
    ("year", Token::Year),
    ("short_year", Token::ShortYear),
    ("month", Token::Month),
    ("i_month", Token::IMonth),
    ("day", Token::Day),
    ("i_day", Token::IDay),
    ("hour", Token::Hour),
    ("minute", Token::Minute),
    ("second", Token::Second),
    ("y_day", Token::YDay),
    ("title", Token::Title),
    ("slug", Token::Slug),
    ("name", Token::Name),
    ("post_title", Token::PostTitle),
    ("id", Token::Id),
    ("categories", Token::Categories),
    ("slugified_categories", Token::SlugifiedCategories),
    ("category", Token::Category),
    ("output_ext", Token::OutputExt),
    ("short_month", Token::Format("%b")),
    ("long_month", Token::Format("%B")),
    ("short_day", Token::Format("%a")),
    ("long_day", Token::Format("%A")),
    ("w_day", Token::Format("%u")),
    ("week", Token::Format("%V")),
    ("w_year", Token::Format("%G")),
    ("timestamp", Token::Timestamp),
];

/// Jekyll's named styles.
const STYLES: [(&str, &str); 5] = [
    ("date", "/:categories/:year/:month/:day/:title:output_ext"),
    ("pretty", "/:categories/:year/:month/:day/:title/"),
    ("ordinal", "/:categories/:year/:y_day/:title:output_ext"),
    ("none", "/:categories/:title:output_ext"),
    ("weekdate", "/:categories/:year/W:week/:short_day/:title:output_ext"),
];

/// A parsed permalink pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
}

/// What a post gives a pattern.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    /// Its date in the site's time zone.
    pub date: Option<&'a Zoned>,
    /// `slug:` as written, else the file name without its date prefix
    /// (or, for Hexo, the file's path as [`super::post_name`] reads it).
    pub title: &'a str,
    /// For a site that names posts as Hexo does: `title` and `name` go into
    /// the URL as they are (rather than with each run of spaces made one
    /// `-`, as Jekyll does), and `:category` as Hexo writes it.
    pub hexo: Option<HexoNames<'a>>,
    /// The file name without extension.
    pub name: &'a str,
    /// Its title.
    pub post_title: &'a str,
    /// `id:` from the front matter.
    pub id: Option<&'a str>,
    /// Its categories, in order.
    pub categories: &'a [String],
}

/// What Hexo's `:category` is made of.
#[derive(Debug, Clone, Copy)]
pub struct HexoNames<'a> {
    /// `category_map`: a category's slug by name.
    pub category_slugs: &'a std::collections::BTreeMap<String, String>,
    /// `default_category`: the `:category` of a post without one.
    pub default_category: &'a str,
}

/// Where a post lives under a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The URL path, a folder: `2024/06/09/title/`.
    pub path: String,
    /// The `.html` address the pattern names, when it names one
    /// (`2024/06/09/title.html`): a redirect goes there.
    pub html_alias: Option<String>,
}

impl Pattern {
    /// Reads a pattern or a named style; the error says which token is
    /// unknown and lists the known ones.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let source = STYLES.iter().find(|(name, _)| *name == trimmed).map_or(trimmed, |(_, pattern)| pattern);
        if source.is_empty() {
            return Err("`permalink` is empty; write a pattern such as \"/:year/:month/:day/:title/\"".to_owned());
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = source;
        while let Some(at) = rest.find(':') {
            literal.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let name_len = after.find(|c: char| !(c.is_ascii_lowercase() || c == '_')).unwrap_or(after.len());
            let name = &after[..name_len];
            if name.is_empty() {
                // A colon that starts no token is text.
                literal.push(':');
                rest = after;
                continue;
            }
            let Some((_, token)) = TOKENS.iter().find(|(known, _)| *known == name) else {
                let known: Vec<String> = TOKENS.iter().map(|(n, _)| format!(":{n}")).collect();
                let hint = crate::diagnostics::closest(name, TOKENS.iter().map(|(n, _)| *n))
                    .map(|best| format!("did you mean `:{best}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "`permalink` has an unknown token `:{name}` ({hint}known: {}; or a style: date, pretty, ordinal, weekdate, none)",
                    known.join(" ")
                ));
            };
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Token(*token));
            rest = &after[name_len..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if !parts
            .iter()
            .any(|p| matches!(p, Part::Token(Token::Title | Token::Slug | Token::Name | Token::PostTitle | Token::Id)))
        {
            return Err(format!(
                "`permalink = \"{trimmed}\"` names no post: every post would get the same URL (add `:title`)"
            ));
        }
        Ok(Self { parts })
    }

    /// Whether the pattern uses the post's date.
    pub fn needs_date(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                Part::Token(
                    Token::Year
                        | Token::ShortYear
                        | Token::Month
                        | Token::IMonth
                        | Token::Day
                        | Token::IDay
                        | Token::Hour
                        | Token::Minute
                        | Token::Second
                        | Token::YDay
                        | Token::Format(_)
                        | Token::Timestamp
                )
            )
        })
    }

    /// The URL of a post; `None` when the pattern needs a date it has not.
    pub fn expand(&self, values: &Values<'_>, slugify: impl Fn(&str) -> String) -> Option<Expanded> {
        if self.needs_date() && values.date.is_none() {
            return None;
        }
        let mut out = String::new();
        for part in &self.parts {
            let token = match part {
                Part::Literal(text) => {
                    out.push_str(text);
                    continue;
                }
                Part::Token(token) => *token,
            };
            let date = values.date;
            let number = |f: fn(&Zoned) -> i64| date.map_or(0, f);
            // Writing to a String cannot fail.
            let _ = match token {
                Token::Year => write!(out, "{:04}", number(|d| d.year().into())),
                Token::ShortYear => write!(out, "{:02}", number(|d| i64::from(d.year()) % 100)),
                Token::Month => write!(out, "{:02}", number(|d| d.month().into())),
                Token::IMonth => write!(out, "{}", number(|d| d.month().into())),
                Token::Day => write!(out, "{:02}", number(|d| d.day().into())),
                Token::IDay => write!(out, "{}", number(|d| d.day().into())),
                Token::Hour => write!(out, "{:02}", number(|d| d.hour().into())),
                Token::Minute => write!(out, "{:02}", number(|d| d.minute().into())),
                Token::Second => write!(out, "{:02}", number(|d| d.second().into())),
                Token::YDay => write!(out, "{:03}", number(|d| d.day_of_year().into())),
                Token::Title if values.hexo.is_some() => write!(out, "{}", values.title),
                Token::Title => write!(out, "{}", words_joined(values.title)),
                Token::Slug => write!(out, "{}", slugify(values.title)),
                Token::Name if values.hexo.is_some() => write!(out, "{}", values.name),
                Token::Name => write!(out, "{}", words_joined(values.name)),
                Token::PostTitle => write!(out, "{}", slugify(values.post_title)),
                Token::Id => write!(out, "{}", words_joined(values.id.unwrap_or(values.title))),
                Token::Categories => {
                    let folders: Vec<String> =
                        values.categories.iter().map(|c| words_joined(&c.to_lowercase())).collect();
                    write!(out, "{}", folders.join("/"))
                }
                Token::SlugifiedCategories => {
                    let folders: Vec<String> = values.categories.iter().map(|c| slugify(c)).collect();
                    write!(out, "{}", folders.join("/"))
                }
                Token::Format(format) => {
                    write!(out, "{}", date.map(|d| d.strftime(format).to_string()).unwrap_or_default())
                }
                Token::Timestamp => write!(out, "{}", number(|d| d.timestamp().as_second())),
                // Each level's slug as Hexo makes it (its `category_map`'s, else
                // the name with case kept), or `default_category` as written.
                Token::Category if let Some(hexo) = values.hexo => {
                    let slug = |c: &String| {
                        hexo.category_slugs.get(c).cloned().unwrap_or_else(|| super::post_name::slugize(c))
                    };
                    let path = values.categories.iter().map(slug).collect::<Vec<_>>().join("/");
                    write!(out, "{}", if path.is_empty() { hexo.default_category } else { &path })
                }
                Token::Category => {
                    let folders: Vec<String> = values.categories.iter().map(|c| slugify(c)).collect();
                    let path = folders.join("/");
                    write!(out, "{}", if path.is_empty() { "uncategorized" } else { &path })
                }
                Token::OutputExt => write!(out, ".html"),
            };
        }
        let html = out.strip_suffix(".html").map(str::to_owned);
        let folder = |path: &str| -> String {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            if segments.is_empty() { String::new() } else { format!("{}/", segments.join("/")) }
        };
        match html {
            Some(stem) => {
                let stem = stem.strip_suffix("/index").unwrap_or(&stem);
                let path = folder(stem);
                let alias = format!("{}.html", path.trim_end_matches('/'));
                Some(Expanded { path, html_alias: Some(alias) })
            }
            None => Some(Expanded { path: folder(&out), html_alias: None }),
        }
    }
}

/// Whitespace runs as one `-`, as both tools write a file name into a URL.
fn words_joined(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    fn expand(pattern: &str, values: &Values<'_>) -> Expanded {
        Pattern::parse(pattern).unwrap().expand(values, |t| t.to_lowercase().replace(' ', "-")).unwrap()
    }

    #[test]
    fn hexo_and_jekyll_tokens_expand_as_those_tools_do() {
        let when = date("2024-06-09T07:05:03+02:00[Europe/Berlin]");
        let categories = ["Diary".to_owned(), "Life Notes".to_owned()];
        let values = Values {
            date: Some(&when),
            title: "Hello World",
            hexo: None,
            name: "2024-06-09-Hello World",
            post_title: "Hello, World",
            id: None,
            categories: &categories,
        };
        let path = |pattern: &str| expand(pattern, &values).path;
        assert_eq!(path("news/:year/:month/:day/:title/"), "news/2024/06/09/Hello-World/");
        assert_eq!(path(":short_year/:i_month/:i_day/:hour:minute:second/:slug"), "24/6/9/070503/hello-world/");
        assert_eq!(path("/:year/:y_day/:id/"), "2024/161/Hello-World/");
        assert_eq!(path(":category/:post_title/"), "diary/life-notes/hello,-world/");
        assert_eq!(path("/:categories/:title/"), "diary/life-notes/Hello-World/");
        assert_eq!(path("/:name/"), "2024-06-09-Hello-World/");
        assert_eq!(path("/:short_month/:long_day/:week/:title/"), "Jun/Sunday/23/Hello-World/");
        assert_eq!(path("/:slugified_categories/:title/"), "diary/life-notes/Hello-World/");
        // Hexo's title goes in as its file path gives it, folders and spaces kept.
        let slugs = [("Diary".to_owned(), "diary".to_owned())].into();
        let names = HexoNames { category_slugs: &slugs, default_category: "未分类" };
        let hexo = Values { title: "notes/Hello World", hexo: Some(names), name: "Hello World", ..values.clone() };
        assert_eq!(expand(":year/:title/", &hexo).path, "2024/notes/Hello World/");
        assert_eq!(expand(":name/", &hexo).path, "Hello World/");
        // Hexo's categories: the map's slug, else the name with case kept; the default as written.
        assert_eq!(expand(":category/:title/", &hexo).path, "diary/Life-Notes/notes/Hello World/");
        let none = Values { categories: &[], ..hexo.clone() };
        assert_eq!(expand(":category/:name/", &none).path, "未分类/Hello World/");
    }

    #[test]
    fn named_styles_and_html_endings() {
        let when = date("2014-03-21T16:00:00+00:00[UTC]");
        let values = Values { date: Some(&when), title: "29-minutes", ..Values::default() };
        assert_eq!(expand("pretty", &values), Expanded { path: "2014/03/21/29-minutes/".into(), html_alias: None });
        assert_eq!(
            expand("date", &values),
            Expanded { path: "2014/03/21/29-minutes/".into(), html_alias: Some("2014/03/21/29-minutes.html".into()) }
        );
        assert_eq!(expand("ordinal", &values).path, "2014/080/29-minutes/");
        assert_eq!(expand("none", &values).html_alias.as_deref(), Some("29-minutes.html"));
        // Hexo's `:category` falls back to its default category.
        assert_eq!(expand(":category/:title/", &values).path, "uncategorized/29-minutes/");
    }

    #[test]
    fn a_dateless_post_gets_no_dated_url() {
        let pattern = Pattern::parse("/:year/:title/").unwrap();
        assert_eq!(pattern.expand(&Values { title: "x", ..Values::default() }, str::to_owned), None);
        let pattern = Pattern::parse("/blog/:title/").unwrap();
        assert_eq!(pattern.expand(&Values { title: "x", ..Values::default() }, str::to_owned).unwrap().path, "blog/x/");
    }

    #[test]
    fn unknown_tokens_and_patterns_naming_no_post_are_refused() {
        let err = Pattern::parse("/:year/:titel/").unwrap_err();
        assert!(err.contains("unknown token `:titel`") && err.contains(":title"), "{err}");
        assert!(err.contains("(did you mean `:title`?"), "{err}");
        assert!(Pattern::parse("/:year/:month/").unwrap_err().contains("names no post"));
        assert!(Pattern::parse(" ").is_err());
        // A colon that starts no token is text.
        assert!(Pattern::parse("/a:/:title/").is_ok());
    }
}
