//! Video shortcodes: `{{ youtube("ID or URL") }}`, `{{ vimeo("ID or URL") }}`,
//! `{{ tiktok("URL") }}` and `{{ instagram("URL") }}`.
//!
//! A video is shown as a facade: a poster (the post's cover, another of its
//! images, or a styled placeholder) with a play button that links to the
//! video. Nothing is loaded from the video's site until the reader clicks;
//! then a script swaps in the player (without JavaScript the link opens the
//! video). Named arguments: `products="all"` or `products="id, ASIN"` puts
//! those products in a rail beside or under the video, `title="…"`,
//! `poster="images/x.jpg"`, `start=30` (seconds, YouTube and Vimeo) and
//! `vertical=true|false` (9:16 rather than 16:9; TikTok, Instagram and
//! YouTube Shorts are vertical by default).

/// The sites whose videos have a shortcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Provider {
    /// youtube.com, embedded from youtube-nocookie.com.
    YouTube,
    /// vimeo.com.
    Vimeo,
    /// tiktok.com.
    TikTok,
    /// instagram.com: posts and reels.
    Instagram,
}

impl Provider {
    /// The provider a shortcode name stands for.
    pub fn from_shortcode(name: &str) -> Option<Self> {
        match name {
            "youtube" => Some(Self::YouTube),
            "vimeo" => Some(Self::Vimeo),
            "tiktok" => Some(Self::TikTok),
            "instagram" => Some(Self::Instagram),
            _ => None,
        }
    }

    /// The provider's name as readers know it.
    pub fn name(self) -> &'static str {
        match self {
            Self::YouTube => "YouTube",
            Self::Vimeo => "Vimeo",
            Self::TikTok => "TikTok",
            Self::Instagram => "Instagram",
        }
    }

    /// The shortcode's name, which is also the theme's icon for it.
    pub fn key(self) -> &'static str {
        match self {
            Self::YouTube => "youtube",
            Self::Vimeo => "vimeo",
            Self::TikTok => "tiktok",
            Self::Instagram => "instagram",
        }
    }
}

/// One video shortcode, checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Video {
    /// Whose video.
    pub provider: Provider,
    /// The video's id on that site (for Instagram `p/CODE` or `reel/CODE`).
    pub id: String,
    /// The address written, when it was one (a TikTok video's page).
    pub written_url: Option<String>,
    /// 9:16 rather than 16:9.
    pub vertical: bool,
    /// `title="…"`: the player's accessible name and the caption.
    pub title: Option<String>,
    /// `poster="…"` as written, resolved by the caller.
    pub poster: Option<String>,
    /// Where playback starts, in seconds.
    pub start: Option<u32>,
    /// `products="…"` as written: `all`, or ids and ASINs.
    pub products: Option<String>,
}

/// The named arguments a video shortcode takes.
pub const ARGUMENTS: [&str; 5] = ["products", "title", "poster", "start", "vertical"];

impl Video {
    /// The video `argument` names on `provider`'s site, with the named
    /// arguments; an error says what is wrong in words a creator knows.
    pub fn parse(provider: Provider, argument: &str, named: &[(String, String)]) -> Result<Self, String> {
        let argument = argument.trim();
        let (id, vertical, start) = match provider {
            Provider::YouTube => youtube(argument)?,
            Provider::Vimeo => vimeo(argument)?,
            Provider::TikTok => (tiktok(argument)?, true, None),
            Provider::Instagram => (instagram(argument)?, true, None),
        };
        let written_url = argument.contains("://").then(|| argument.to_owned());
        let mut video = Video { provider, id, written_url, vertical, title: None, poster: None, start, products: None };
        for (key, value) in named {
            match key.as_str() {
                "products" => video.products = Some(value.clone()),
                "title" => video.title = Some(value.trim().to_owned()).filter(|t| !t.is_empty()),
                "poster" => video.poster = Some(value.trim().to_owned()),
                "start" => {
                    video.start = Some(value.trim().parse().map_err(|_| {
                        format!("`start={value}`: the second the video starts at, a whole number such as start=30")
                    })?);
                }
                "vertical" => {
                    video.vertical = match value.trim() {
                        "true" => true,
                        "false" => false,
                        other => return Err(format!("`vertical={other}`: write vertical=true or vertical=false")),
                    };
                }
                other => {
                    return Err(format!(
                        "`{}()` has no argument `{other}` (it takes {})",
                        provider.key(),
                        ARGUMENTS.join(", ")
                    ));
                }
            }
        }
        Ok(video)
    }

    /// The player's address, loaded only after the reader clicks.
    pub fn embed_url(&self) -> String {
        match self.provider {
            Provider::YouTube => {
                let start = self.start.map(|s| format!("&start={s}")).unwrap_or_default();
                format!("https://www.youtube-nocookie.com/embed/{}?autoplay=1{start}", self.id)
            }
            Provider::Vimeo => {
                let start = self.start.map(|s| format!("#t={s}s")).unwrap_or_default();
                format!("https://player.vimeo.com/video/{}?autoplay=1{start}", self.id)
            }
            Provider::TikTok => format!("https://www.tiktok.com/player/v1/{}?autoplay=1", self.id),
            Provider::Instagram => format!("https://www.instagram.com/{}/embed/", self.id),
        }
    }

    /// The video's own page, where the facade's link leads without JavaScript.
    pub fn watch_url(&self) -> String {
        match self.provider {
            Provider::YouTube => {
                let start = self.start.map(|s| format!("&t={s}s")).unwrap_or_default();
                format!("https://www.youtube.com/watch?v={}{start}", self.id)
            }
            Provider::Vimeo => format!("https://vimeo.com/{}", self.id),
            Provider::TikTok => {
                self.written_url.clone().unwrap_or_else(|| format!("https://www.tiktok.com/embed/v2/{}", self.id))
            }
            Provider::Instagram => format!("https://www.instagram.com/{}/", self.id),
        }
    }
}

fn parse_url(text: &str) -> Option<url::Url> {
    url::Url::parse(text).ok().filter(|u| matches!(u.scheme(), "http" | "https"))
}

fn host_is(url: &url::Url, domains: &[&str]) -> bool {
    let host = url.host_str().unwrap_or_default().trim_start_matches("www.").trim_start_matches("m.");
    domains.iter().any(|d| crate::links::on_domain(host, d))
}

/// `1h2m30s`, `1m30s`, `90s` or `90` in seconds (none when it is not one, or too long).
fn seconds(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let (mut total, mut number) = (0u32, String::new());
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                total = total.checked_add(number.parse::<u32>().ok()?.checked_mul(unit)?)?;
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// A YouTube id (11 letters, digits, `-` and `_`) and whether it is a Short.
fn youtube(argument: &str) -> Result<(String, bool, Option<u32>), String> {
    let valid = |id: &str| id.len() == 11 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid(argument) {
        return Ok((argument.to_owned(), false, None));
    }
    let wrong = || {
        format!(
            "`{argument}` is not a YouTube video: give its id (the 11 characters after watch?v=) or its address, e.g. youtube(\"dQw4w9WgXcQ\")"
        )
    };
    let url = parse_url(argument).filter(|u| host_is(u, &["youtube.com", "youtu.be", "youtube-nocookie.com"]));
    let url = url.ok_or_else(wrong)?;
    let query = |key: &str| url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let (id, short) = if host_is(&url, &["youtu.be"]) {
        (segments.first().map(|s| (*s).to_owned()), false)
    } else {
        match segments.as_slice() {
            ["watch"] => (query("v"), false),
            ["shorts", id, ..] => (Some((*id).to_owned()), true),
            ["embed" | "live" | "v", id, ..] => (Some((*id).to_owned()), false),
            _ => (None, false),
        }
    };
    let id = id.filter(|id| valid(id)).ok_or_else(wrong)?;
    let start = query("t").or_else(|| query("start")).and_then(|t| seconds(&t));
    Ok((id, short, start))
}

/// A Vimeo id (digits), from itself or an address.
fn vimeo(argument: &str) -> Result<(String, bool, Option<u32>), String> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if digits(argument) {
        return Ok((argument.to_owned(), false, None));
    }
    parse_url(argument)
        .filter(|u| host_is(u, &["vimeo.com"]))
        .and_then(|u| u.path_segments().and_then(|mut s| s.find(|s| digits(s)).map(str::to_owned)))
        .map(|id| (id, false, None))
        .ok_or_else(|| {
            format!("`{argument}` is not a Vimeo video: give its number or its address (https://vimeo.com/76979871)")
        })
}

/// A TikTok video's number, from its address (…/@user/video/NUMBER).
fn tiktok(argument: &str) -> Result<String, String> {
    let digits = |s: &str| s.len() >= 8 && s.chars().all(|c| c.is_ascii_digit());
    if digits(argument) {
        return Ok(argument.to_owned());
    }
    parse_url(argument)
        .filter(|u| host_is(u, &["tiktok.com"]))
        .and_then(|u| {
            let segments: Vec<String> = u.path_segments()?.map(str::to_owned).collect();
            let at = segments.iter().position(|s| s == "video" || s == "v1")?;
            segments.get(at + 1).filter(|s| digits(s)).cloned()
        })
        .ok_or_else(|| {
            format!(
                "`{argument}` is not a TikTok video: give its address, https://www.tiktok.com/@name/video/7234567890123456789"
            )
        })
}

/// An Instagram post or reel as `p/CODE` or `reel/CODE`, from its address.
fn instagram(argument: &str) -> Result<String, String> {
    parse_url(argument)
        .filter(|u| host_is(u, &["instagram.com"]))
        .and_then(|u| {
            let segments: Vec<&str> = u.path_segments()?.filter(|s| !s.is_empty()).collect();
            let at = segments.iter().position(|s| matches!(*s, "p" | "reel" | "reels" | "tv"))?;
            let code = segments
                .get(at + 1)
                .filter(|c| c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
            let kind = if segments[at] == "p" { "p" } else { "reel" };
            Some(format!("{kind}/{code}"))
        })
        .ok_or_else(|| {
            format!(
                "`{argument}` is not an Instagram post or reel: give its address, https://www.instagram.com/reel/CODE/"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(provider: Provider, argument: &str) -> Result<Video, String> {
        Video::parse(provider, argument, &[])
    }

    #[test]
    fn youtube_ids_and_addresses() {
        for written in [
            "dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
        ] {
            let v = video(Provider::YouTube, written).unwrap();
            assert_eq!((v.id.as_str(), v.vertical), ("dQw4w9WgXcQ", false), "{written}");
        }
        let short = video(Provider::YouTube, "https://www.youtube.com/shorts/abcdefghijk").unwrap();
        assert!(short.vertical);
        assert_eq!(video(Provider::YouTube, "https://youtu.be/dQw4w9WgXcQ?t=9999999h").unwrap().start, None);
        assert_eq!(video(Provider::YouTube, "https://youtu.be/dQw4w9WgXcQ?t=1h2m3s").unwrap().start, Some(3723));
        let timed = video(Provider::YouTube, "https://youtu.be/dQw4w9WgXcQ?t=1m30s").unwrap();
        assert_eq!(timed.start, Some(90));
        assert_eq!(timed.embed_url(), "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90");
        assert_eq!(timed.watch_url(), "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s");
        assert!(video(Provider::YouTube, "https://vimeo.com/123").unwrap_err().contains("not a YouTube video"));
        assert!(video(Provider::YouTube, "short").is_err());
    }

    #[test]
    fn other_sites() {
        assert_eq!(video(Provider::Vimeo, "https://vimeo.com/76979871").unwrap().id, "76979871");
        let tiktok = video(Provider::TikTok, "https://www.tiktok.com/@mia/video/7234567890123456789?lang=en").unwrap();
        assert_eq!((tiktok.id.as_str(), tiktok.vertical), ("7234567890123456789", true));
        assert_eq!(tiktok.watch_url(), "https://www.tiktok.com/@mia/video/7234567890123456789?lang=en");
        let reel = video(Provider::Instagram, "https://www.instagram.com/reel/C1a2B3c4D5e/?igsh=x").unwrap();
        assert_eq!(reel.embed_url(), "https://www.instagram.com/reel/C1a2B3c4D5e/embed/");
        assert!(video(Provider::Instagram, "C1a2B3c4D5e").is_err());
    }

    #[test]
    fn named_arguments() {
        let named =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>();
        let v = Video::parse(
            Provider::YouTube,
            "dQw4w9WgXcQ",
            &named(&[("products", "all"), ("title", "My desk tour"), ("vertical", "true"), ("start", "12")]),
        )
        .unwrap();
        assert_eq!(
            (v.products.as_deref(), v.title.as_deref(), v.vertical, v.start),
            (Some("all"), Some("My desk tour"), true, Some(12))
        );
        let error = Video::parse(Provider::YouTube, "dQw4w9WgXcQ", &named(&[("autoplay", "1")])).unwrap_err();
        assert!(error.contains("no argument `autoplay`") && error.contains("products"), "{error}");
        assert!(Video::parse(Provider::Vimeo, "1", &named(&[("start", "soon")])).is_err());
    }
}
