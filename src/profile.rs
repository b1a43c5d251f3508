//! Stage 1: `profile.toml`, the creator and their site settings.
//!
//! In: the text of `profile.toml`. Out: a validated [`Profile`] with every
//! default filled in, or diagnostics with line and column. The schema is
//! strict: an unknown key is an error, because a misspelt `[affiliate.amazon]
//! tga` would otherwise drop the creator's tag without a word.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Code, Diagnostic, closest, unknown_field_hint};

/// The file name of the profile inside a site.
pub const FILE_NAME: &str = "profile.toml";

/// The creator and their site, as written in `profile.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The creator's name (required).
    pub name: String,
    /// Their handle on social networks, without `@`.
    #[serde(default)]
    pub handle: Option<String>,
    /// One line under the name.
    #[serde(default)]
    pub tagline: Option<String>,
    /// A few sentences of Markdown.
    #[serde(default)]
    pub bio: Option<Spanned<String>>,
    /// A path under `static/` or an `https` URL.
    #[serde(default)]
    pub avatar: Option<Spanned<String>>,
    /// Social profiles, in the order written.
    #[serde(default)]
    pub links: SocialLinks,
    /// `[[buttons]]`: the creator's own link buttons, in the order written.
    #[serde(default)]
    pub buttons: Vec<LinkButton>,
    /// `[newsletter]`: a sign-up form that posts to the creator's provider.
    #[serde(default)]
    pub newsletter: Option<Newsletter>,
    /// Site settings.
    #[serde(default)]
    pub site: SiteSettings,
    /// Affiliate programs.
    #[serde(default)]
    pub affiliate: AffiliateSettings,
    /// Disclosure text.
    #[serde(default)]
    pub disclosure: DisclosureSettings,
    /// `[brand]`: the site's own accent colour, banner and font.
    #[serde(default)]
    pub brand: BrandSettings,
    /// `[liquid]`: what `{{ site.NAME }}` means in posts written for Jekyll
    /// or Hexo, besides the site's own `baseurl`, `url`, `title`, ….
    #[serde(default)]
    pub liquid: BTreeMap<String, String>,
}

/// `[site]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// Where the site will live, possibly with a sub-path.
    #[serde(default)]
    pub base_url: Option<Spanned<String>>,
    /// The site title; default "<name>'s Storefront".
    #[serde(default)]
    pub title: Option<String>,
    /// A BCP 47 language tag.
    #[serde(default)]
    pub language: Option<String>,
    /// IANA time zone for dates written without an offset.
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    /// Theme name.
    #[serde(default)]
    pub theme: Option<Spanned<String>>,
    /// Posts on each list page.
    #[serde(default)]
    pub posts_per_page: Option<Spanned<i64>>,
    /// Products on each `/shop/` page.
    #[serde(default)]
    pub products_per_page: Option<Spanned<i64>>,
    /// How slugs are made from titles and names.
    #[serde(default)]
    pub slugs: Option<SlugMode>,
    /// Where posts live: a pattern such as `/:year/:month/:day/:title/` or
    /// one of Jekyll's styles (`pretty`); default `/posts/:slug/`.
    #[serde(default)]
    pub permalink: Option<Spanned<String>>,
    /// Hexo's `new_post_name` (`:title.md`, `:year-:month-:day-:title.md`):
    /// the permalink's `:title` is the post's path under `content/posts/`
    /// read through it, as Hexo reads it. Written by `import hexo`.
    #[serde(default)]
    pub new_post_name: Option<Spanned<String>>,
    /// Hexo's `default_category`: with `new_post_name`, the permalink's
    /// `:category` of a post without categories; default `uncategorized`.
    #[serde(default)]
    pub default_category: Option<String>,
    /// The URL slug of a category or tag name, where the creator chooses
    /// it: `"计算机" = "computer"` (Hexo's `category_map` and `tag_map`).
    #[serde(default)]
    pub term_slugs: BTreeMap<String, String>,
    /// Read `categories: [Diary, Life]` as Hexo does, one path Diary ›
    /// Life with a page for each level, rather than two categories.
    #[serde(default)]
    pub nested_categories: bool,
    /// A line break inside a paragraph is a line break on the page, as
    /// Hexo shows it (its `breaks`), rather than a space.
    #[serde(default)]
    pub line_breaks: bool,
    /// Hidden files and folders under `static/` to publish anyway
    /// (`.htaccess`, `.domains`): paths relative to `static/`.
    #[serde(default)]
    pub include: Vec<String>,
}

pub use crate::content::slugs::SlugMode;

/// `[affiliate]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffiliateSettings {
    /// `[affiliate.amazon]`.
    #[serde(default)]
    pub amazon: Option<AmazonSettings>,
    /// `[[affiliate.programs]]`.
    #[serde(default)]
    pub programs: Vec<ProgramSettings>,
}

/// `[affiliate.amazon]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmazonSettings {
    /// The tag for the default marketplace.
    #[serde(default)]
    pub tag: Option<Spanned<String>>,
    /// The default marketplace domain.
    #[serde(default)]
    pub marketplace: Option<Spanned<String>>,
    /// Tags for other marketplaces, by domain.
    #[serde(default)]
    pub tags: BTreeMap<String, Spanned<String>>,
    /// Keep Amazon tags in `feed.xml` (Amazon bans its links in email).
    #[serde(default)]
    pub feed_tags: bool,
}

/// One `[[affiliate.programs]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSettings {
    /// The program's name, shown on buy buttons.
    pub name: String,
    /// Hosts whose links belong to the program.
    pub hosts: Spanned<Vec<Spanned<String>>>,
    /// Query parameters to add.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// A wrapper URL with `{url}` for the original.
    #[serde(default)]
    pub template: Option<Spanned<String>>,
    /// The statement the program's terms require on every page that links
    /// to it, before the first link (as Amazon requires its own).
    #[serde(default)]
    pub statement: Option<Spanned<String>>,
}

/// `[disclosure]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSettings {
    /// Replaces the default disclosure text.
    #[serde(default)]
    pub text: Option<Spanned<String>>,
    /// Replaces the label next to buy buttons.
    #[serde(default)]
    pub label: Option<String>,
}

/// `[brand]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandSettings {
    /// `#rrggbb`: links, buttons and highlights.
    #[serde(default)]
    pub accent: Option<Spanned<String>>,
    /// A picture under `static/` (or https) across the top of the profile.
    #[serde(default)]
    pub banner: Option<Spanned<String>>,
    /// One of [`crate::brand::FONTS`].
    #[serde(default)]
    pub font: Option<Spanned<String>>,
}

/// One `[[buttons]]` entry: a labelled link button, as on a link-in-bio page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkButton {
    /// The button's text.
    pub label: Spanned<String>,
    /// Where it goes: an http(s) or `mailto:` URL. Affiliate links are
    /// tagged and marked like any other.
    pub url: Spanned<String>,
    /// A small picture on the button: a path under `static/` or an https URL.
    #[serde(default)]
    pub image: Option<Spanned<String>>,
    /// An icon by name (`amazon`, `ltk`, `email`…) when there is no image;
    /// by default the one the URL's site has, else a link.
    #[serde(default)]
    pub icon: Option<String>,
}

/// `[newsletter]`: a plain HTML form, no JavaScript, that posts the
/// reader's email address to the creator's newsletter provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Newsletter {
    /// The provider's sign-up address (the form's `action`), https.
    pub action: Spanned<String>,
    /// The name the provider gives the email field: `email` (Buttondown,
    /// Substack), `email_address` (Kit), `EMAIL` (Mailchimp).
    #[serde(default = "Newsletter::default_field")]
    pub field: String,
    /// Fields the provider wants sent as they are (a list id…).
    #[serde(default)]
    pub hidden: BTreeMap<String, String>,
    /// The heading above the form; default from the site's language.
    #[serde(default)]
    pub title: Option<String>,
    /// The button's text; default from the site's language.
    #[serde(default)]
    pub button: Option<String>,
}

impl Newsletter {
    fn default_field() -> String {
        "email".to_owned()
    }
}

/// `[links]`: social profiles in the order written.
#[derive(Debug, Clone, Default)]
pub struct SocialLinks(pub Vec<SocialLink>);

/// One social profile.
#[derive(Debug, Clone)]
pub struct SocialLink {
    /// The key as written (`youtube`, `instagram`…).
    pub key: String,
    /// The profile URL.
    pub url: Spanned<String>,
}

impl<'de> Deserialize<'de> for SocialLinks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SocialLinks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of `name = \"https://…\"` links")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SocialLinks, A::Error> {
                let mut links = Vec::new();
                while let Some((key, url)) = map.next_entry::<String, Spanned<String>>()? {
                    links.push(SocialLink { key, url });
                }
                Ok(SocialLinks(links))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The profile's settings with every default applied and every value checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The creator.
    pub profile: Profile,
    /// Absolute base URL without a trailing slash (`https://x.example/shop`), or
    /// empty when none was configured.
    pub base_url: String,
    /// The base URL's path without a trailing slash: `""` or `/shop`.
    pub base_path: String,
    /// The site title.
    pub title: String,
    /// Language tag.
    pub language: String,
    /// Time zone for dates without an offset.
    pub timezone: jiff::tz::TimeZone,
    /// Theme name.
    pub theme: String,
    /// Posts per list page.
    pub posts_per_page: usize,
    /// Products per shop page.
    pub products_per_page: usize,
    /// Slug mode.
    pub slugs: SlugMode,
    /// The posts' URL pattern, when the profile sets one.
    pub permalink: Option<crate::content::permalink::Pattern>,
    /// Hexo's reading of a post's file path as its `:title`, when the profile sets one.
    pub new_post_name: Option<crate::content::post_name::PostName>,
    /// What the profile should fix but that does not stop a build.
    pub warnings: Vec<Diagnostic>,
}

impl Settings {
    /// Which hidden files of `static/` are published.
    pub fn published(&self) -> crate::fs::Visibility<'_> {
        crate::fs::Visibility::Published(&self.profile.site.include)
    }

    /// The link policy this profile asks for: affiliate rules and sub-path.
    pub fn link_policy(&self) -> crate::links::LinkPolicy {
        use crate::links::{AmazonRules, ProgramAction, ProgramRule, Rules};
        let affiliate = &self.profile.affiliate;
        let amazon = affiliate.amazon.as_ref().map(|amazon| {
            let marketplace = amazon_marketplace(amazon);
            let mut tags: BTreeMap<String, String> =
                amazon.tags.iter().map(|(market, tag)| (normalise_domain(market), tag.get_ref().clone())).collect();
            if let Some(tag) = &amazon.tag {
                tags.insert(marketplace.clone(), tag.get_ref().clone());
            }
            AmazonRules { marketplace, tags }
        });
        let programs = affiliate
            .programs
            .iter()
            .map(|program| ProgramRule {
                name: program.name.clone(),
                hosts: program.hosts.get_ref().iter().map(|h| h.get_ref().trim().to_ascii_lowercase()).collect(),
                action: match &program.template {
                    Some(template) => ProgramAction::Template(template.get_ref().clone()),
                    None => ProgramAction::Params(program.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                },
                statement: program.statement.as_ref().map(|s| s.get_ref().trim().to_owned()),
            })
            .collect();
        crate::links::LinkPolicy { base_path: self.base_path.clone(), rules: Rules { amazon, programs } }
    }

    /// The default Amazon marketplace domain.
    pub fn amazon_marketplace(&self) -> String {
        self.profile.affiliate.amazon.as_ref().map_or_else(|| "amazon.com".to_owned(), amazon_marketplace)
    }
}

fn amazon_marketplace(amazon: &AmazonSettings) -> String {
    amazon.marketplace.as_ref().map_or_else(|| "amazon.com".to_owned(), |m| normalise_domain(m.get_ref()))
}

/// `www.Amazon.co.uk/` → `amazon.co.uk`.
pub fn normalise_domain(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let lower = lower.trim_end_matches('/');
    lower.strip_prefix("www.").unwrap_or(lower).to_owned()
}

/// Parses and validates `profile.toml`. `path` is only used in messages;
/// `base_url_override` is `--base-url`.
pub fn parse(source: &str, path: &Path, base_url_override: Option<&str>) -> Result<Settings, Vec<Diagnostic>> {
    let profile: Profile = toml::from_str(source).map_err(|err| {
        let mut diagnostic =
            Diagnostic::error(Code::Profile, crate::diagnostics::friendly(&toml_message(&err))).at(path);
        if let Some(span) = err.span() {
            diagnostic = diagnostic.with_offset(source, span.start);
        }
        if let Some(hint) = unknown_field_hint(err.message()) {
            diagnostic = diagnostic.with_hint(hint);
        }
        vec![diagnostic]
    })?;
    Validator { source, path, errors: Vec::new(), warnings: Vec::new() }.settings(profile, base_url_override)
}

fn toml_message(err: &toml::de::Error) -> String {
    let message = err.message().trim();
    let message = message.strip_suffix('.').unwrap_or(message);
    if message.starts_with("missing field") { format!("{message} in profile.toml") } else { message.to_owned() }
}

struct Validator<'a> {
    source: &'a str,
    path: &'a Path,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error_at(&mut self, offset: usize, message: impl Into<String>) {
        let diagnostic = Diagnostic::error(Code::Profile, message).at(self.path).with_offset(self.source, offset);
        self.errors.push(diagnostic);
    }

    fn settings(mut self, profile: Profile, base_url_override: Option<&str>) -> Result<Settings, Vec<Diagnostic>> {
        if profile.name.trim().is_empty() {
            self.errors.push(Diagnostic::error(Code::Profile, "`name` must not be empty").at(self.path));
        }
        let (base_url, base_path) = match base_url_override {
            Some(url) => match normalise_base_url(url) {
                Ok(pair) => pair,
                Err(message) => {
                    self.errors.push(Diagnostic::error(Code::Usage, format!("--base-url: {message}")));
                    Default::default()
                }
            },
            None => match &profile.site.base_url {
                Some(url) => match normalise_base_url(url.get_ref()) {
                    Ok(pair) => pair,
                    Err(message) => {
                        self.error_at(url.span().start, format!("`base_url`: {message}"));
                        Default::default()
                    }
                },
                None => Default::default(),
            },
        };
        if let Some(avatar) = &profile.avatar {
            self.check_url_or_path(avatar, "avatar");
        }
        for link in &profile.links.0 {
            let url = link.url.get_ref();
            if !is_http_url(url) && !url.starts_with("mailto:") {
                self.error_at(
                    link.url.span().start,
                    format!("link `{}` must be an http(s) URL, not `{url}`", link.key),
                );
            }
        }
        for button in &profile.buttons {
            let url = button.url.get_ref();
            if !is_http_url(url) && !url.starts_with("mailto:") {
                self.error_at(
                    button.url.span().start,
                    format!("button `{}` must link to an http(s) or mailto: URL, not `{url}`", button.label.get_ref()),
                );
            }
            if button.label.get_ref().trim().is_empty() {
                self.error_at(
                    button.label.span().start,
                    "a button's `label` is empty: readers would see a blank button",
                );
            }
            if let Some(image) = &button.image {
                self.check_url_or_path(image, "image");
            }
        }
        self.check_brand(&profile.brand);
        if let Some(newsletter) = &profile.newsletter {
            let action = newsletter.action.get_ref();
            if newsletter.field.trim().is_empty() {
                self.error_at(
                    newsletter.action.span().start,
                    "the newsletter's `field` is empty: give the name your provider expects, e.g. \"email\"",
                );
            }
            if !action.starts_with("https://") {
                self.error_at(
                    newsletter.action.span().start,
                    format!("the newsletter's `action` must be the provider's https address, not `{action}`"),
                );
            }
        }
        let timezone = match &profile.site.timezone {
            Some(name) => match jiff::tz::TimeZone::get(name.get_ref()) {
                Ok(tz) => tz,
                Err(_) => {
                    self.error_at(
                        name.span().start,
                        format!("unknown time zone `{}` (use an IANA name such as `Europe/Berlin`)", name.get_ref()),
                    );
                    jiff::tz::TimeZone::UTC
                }
            },
            None => jiff::tz::TimeZone::UTC,
        };
        let permalink = profile.site.permalink.as_ref().and_then(|pattern| {
            crate::content::permalink::Pattern::parse(pattern.get_ref())
                .map_err(|message| self.error_at(pattern.span().start, message))
                .ok()
        });
        let new_post_name = profile.site.new_post_name.as_ref().and_then(|pattern| {
            crate::content::post_name::PostName::parse(pattern.get_ref())
                .map_err(|message| self.error_at(pattern.span().start, format!("`new_post_name`: {message}")))
                .ok()
        });
        let posts_per_page = self.positive(&profile.site.posts_per_page, "posts_per_page", 24);
        let products_per_page = self.positive(&profile.site.products_per_page, "products_per_page", 48);
        self.check_affiliate(&profile.affiliate);
        if let Some(text) = &profile.disclosure.text
            && text.get_ref().trim().is_empty()
        {
            self.error_at(
                text.span().start,
                "the disclosure `text` is empty; pages with affiliate links must show a disclosure (remove the key to use the default)",
            );
        }
        if let Some(bio) = &profile.bio {
            self.check_bio(bio);
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let site = &profile.site;
        Ok(Settings {
            base_url,
            base_path,
            title: site.title.clone().unwrap_or_else(|| format!("{}'s Storefront", profile.name.trim())),
            language: site.language.clone().unwrap_or_else(|| "en".to_owned()),
            timezone,
            theme: site.theme.as_ref().map_or_else(|| "aisle".to_owned(), |t| t.get_ref().clone()),
            posts_per_page,
            products_per_page,
            // Transliteration reads Japanese kanji as Chinese (東京 → dong-jing) and
            // drops the vowels Arabic and Hebrew do not write (مرحبا → mrhb): such a
            // site keeps its words instead, unless it asks otherwise.
            slugs: site.slugs.unwrap_or_else(|| {
                let language = site.language.as_deref().unwrap_or_default().to_ascii_lowercase();
                let primary = language.split(['-', '_']).next().unwrap_or_default();
                if matches!(primary, "ja" | "ar" | "fa" | "ur" | "he") {
                    SlugMode::Unicode
                } else {
                    SlugMode::default()
                }
            }),
            permalink,
            new_post_name,
            warnings: self.warnings,
            profile,
        })
    }

    /// The bio is Markdown: its links are checked the way a post's are, and
    /// an unsafe one (`javascript:`, `data:`…) is an error at its place in
    /// the string, not a `#` on the page. Whether a link is unsafe depends
    /// on its scheme alone, so the site's affiliate rules are not needed.
    fn check_bio(&mut self, bio: &Spanned<String>) {
        let (_, problems) = crate::markdown::render_inline(bio.get_ref(), &crate::links::LinkPolicy::default());
        let literal = self.source.get(bio.span()).unwrap_or_default();
        for problem in problems {
            let offset = bio.span().start + offset_in_toml_string(literal, bio.get_ref(), problem.offset);
            let diagnostic =
                Diagnostic::error(Code::UnsafeLink, problem.message).at(self.path).with_offset(self.source, offset);
            self.errors.push(diagnostic);
        }
    }

    fn positive(&mut self, value: &Option<Spanned<i64>>, key: &str, default: usize) -> usize {
        match value {
            None => default,
            Some(n) if (1..=10_000).contains(n.get_ref()) => *n.get_ref() as usize,
            Some(n) => {
                self.error_at(n.span().start, format!("`{key}` must be between 1 and 10000"));
                default
            }
        }
    }

    fn check_brand(&mut self, brand: &BrandSettings) {
        use crate::brand;
        if let Some(accent) = &brand.accent {
            match brand::Rgb::parse(accent.get_ref()) {
                None => self.error_at(
                    accent.span().start,
                    format!(
                        "`accent = \"{}\"` is not a colour: write it as #rrggbb, e.g. \"#c2185b\"",
                        accent.get_ref()
                    ),
                ),
                Some(colour) => {
                    if let Err(message) = brand::check_accent(colour) {
                        self.error_at(accent.span().start, format!("`accent`: {message}"));
                    }
                }
            }
        }
        if let Some(banner) = &brand.banner {
            self.check_url_or_path(banner, "banner");
        }
        if let Some(font) = &brand.font {
            let names: Vec<&str> = brand::FONTS.iter().map(|(name, _)| *name).collect();
            if !names.contains(&font.get_ref().as_str()) {
                let hint = closest(&font.get_ref().to_lowercase(), names.iter().copied())
                    .map_or_else(String::new, |near| format!("did you mean `{near}`? "));
                self.error_at(
                    font.span().start,
                    format!("`font = \"{}\"`: {hint}the fonts are {}", font.get_ref(), names.join(", ")),
                );
            }
        }
    }

    fn check_url_or_path(&mut self, value: &Spanned<String>, key: &str) {
        let text = value.get_ref();
        if let Some((scheme, _)) = text.split_once(':')
            && !scheme.contains('/')
            && !is_http_url(text)
        {
            self.error_at(value.span().start, format!("`{key}` must be a path under static/ or an http(s) URL"));
        }
    }

    fn check_affiliate(&mut self, affiliate: &AffiliateSettings) {
        if let Some(amazon) = &affiliate.amazon {
            if let Some(tag) = &amazon.tag {
                self.check_tag(tag);
                self.check_tag_suffix(&amazon_marketplace(amazon), tag);
            }
            if let Some(market) = &amazon.marketplace {
                self.check_marketplace_value(market);
            }
            for (market, tag) in &amazon.tags {
                self.check_marketplace(market, tag.span().start);
                self.check_tag(tag);
                self.check_tag_suffix(&normalise_domain(market), tag);
            }
        }
        for (index, program) in affiliate.programs.iter().enumerate() {
            if program.hosts.get_ref().is_empty() {
                self.error_at(program.hosts.span().start, format!("program `{}` lists no `hosts`", program.name));
            }
            if program.params.is_empty() && program.template.is_none() {
                let header = nth_offset(self.source, "[[affiliate.programs]]", index).unwrap_or(0);
                self.error_at(
                    header,
                    format!(
                        "program `{}` has neither `params` nor `template`, so its links would earn nothing",
                        program.name
                    ),
                );
            }
            for host in program.hosts.get_ref() {
                let h = host.get_ref();
                if h.is_empty() || h.contains(['/', ':', ' ', '?', '#']) {
                    self.error_at(
                        host.span().start,
                        format!("`{h}` is not a host name (write `shop.example.com`, without https://)"),
                    );
                }
            }
            if let Some(statement) = &program.statement
                && statement.get_ref().trim().is_empty()
            {
                self.error_at(
                    statement.span().start,
                    format!(
                        "program `{}` has an empty `statement`; write its required statement or remove the key",
                        program.name
                    ),
                );
            }
            if let Some(template) = &program.template {
                if !template.get_ref().contains("{url}") || !is_http_url(template.get_ref()) {
                    self.error_at(template.span().start, "`template` must be an http(s) URL containing `{url}`");
                }
                if !program.params.is_empty() {
                    self.error_at(
                        template.span().start,
                        format!("program `{}` has both `params` and `template`; use one", program.name),
                    );
                }
            }
        }
    }

    fn check_marketplace(&mut self, market: &str, offset: usize) {
        // A key's mistake is reported at the start of its line, not at its value.
        let offset = self.source[..offset.min(self.source.len())].rfind('\n').map_or(0, |i| i + 1);
        let domain = normalise_domain(market);
        if !crate::links::marketplaces().any(|m| m == domain) {
            let known: Vec<&str> = crate::links::marketplaces().collect();
            let mut message = format!("`{market}` is not an Amazon marketplace");
            if let Some(best) = closest(&domain, known.iter().copied()) {
                message.push_str(&format!(" (did you mean `{best}`?)"));
            }
            self.error_at(offset, message);
        }
    }

    fn check_marketplace_value(&mut self, market: &Spanned<String>) {
        let domain = normalise_domain(market.get_ref());
        if !crate::links::marketplaces().any(|m| m == domain) {
            let known: Vec<&str> = crate::links::marketplaces().collect();
            let mut message = format!("`{}` is not an Amazon marketplace", market.get_ref());
            if let Some(best) = closest(&domain, known.iter().copied()) {
                message.push_str(&format!(" (did you mean `{best}`?)"));
            }
            self.error_at(market.span().start, message);
        }
    }

    /// A tag with another region's suffix (`-20` on amazon.de) earns
    /// nothing there: said once, here, not at every link.
    fn check_tag_suffix(&mut self, marketplace: &str, tag: &Spanned<String>) {
        let t = tag.get_ref();
        if let Some(expected) = crate::links::expected_tag_suffix(marketplace)
            && !t.ends_with(expected)
        {
            let diagnostic = Diagnostic::warning(
                Code::TagSuffixMismatch,
                format!("your Amazon tag \"{t}\" for {marketplace} should end in \"{expected}\" like every tag of that store"),
            )
            .with_hint("copy the tracking ID from that store's Associates Central")
            .at(self.path)
            .with_offset(self.source, tag.span().start);
            self.warnings.push(diagnostic);
        }
    }

    fn check_tag(&mut self, tag: &Spanned<String>) {
        let t = tag.get_ref();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            self.error_at(
                tag.span().start,
                format!("`{t}` is not an Amazon tracking ID (letters, digits and `-`, e.g. `yourname-20`)"),
            );
        }
    }
}

/// Where byte `target` of `value` lies in `literal`, the TOML string it was
/// read from as written (basic, literal or multi-line, with escapes and
/// line-ending backslashes), so a finding in the value points at its place
/// in the file. Walks both side by side; stops at the closing quotes.
fn offset_in_toml_string(literal: &str, value: &str, target: usize) -> usize {
    let quote = if literal.starts_with("\"\"\"") || literal.starts_with("'''") { 3 } else { 1 };
    let raw = literal.starts_with('\'');
    let start = quote.min(literal.len());
    let end = literal.len().saturating_sub(quote).max(start);
    let mut at = start;
    if quote == 3 {
        // A newline right after the opening quotes is not part of the value.
        at += [("\r\n", 2), ("\n", 1)].iter().find(|(nl, _)| literal[at..].starts_with(nl)).map_or(0, |(_, n)| *n);
    }
    let mut decoded = 0;
    while at < end {
        let rest = &literal[at..end];
        let Some(c) = rest.chars().next() else { break };
        let (source, produced) = if c == '\\' && !raw {
            let hex = |digits: usize| {
                let code = rest.get(2..2 + digits).and_then(|h| u32::from_str_radix(h, 16).ok());
                (2 + digits, code.and_then(char::from_u32).map_or(1, char::len_utf8))
            };
            match rest[1..].chars().next().unwrap_or(' ') {
                'u' => hex(4),
                'U' => hex(8),
                'x' => hex(2),
                // A line-ending backslash swallows the whitespace after it.
                ' ' | '\t' | '\r' | '\n' => (rest.len() - rest[1..].trim_start().len(), 0),
                other => (1 + other.len_utf8(), 1),
            }
        } else if rest.starts_with("\r\n") && value.as_bytes().get(decoded) == Some(&b'\n') {
            (2, 1)
        } else {
            (c.len_utf8(), c.len_utf8())
        };
        // Past a line-ending backslash, which yields nothing, to the target.
        if decoded >= target && produced > 0 {
            break;
        }
        at += source;
        decoded += produced;
    }
    at.min(end)
}

/// Byte offset of the `n`-th (0-based) occurrence of `needle`.
fn nth_offset(source: &str, needle: &str, n: usize) -> Option<usize> {
    source.match_indices(needle).nth(n).map(|(i, _)| i)
}

/// Whether `text` is an absolute http(s) URL.
pub fn is_http_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")) && url::Url::parse(text).is_ok()
}

/// `https://x.example/shop/` → (`https://x.example/shop`, `/shop`).
fn normalise_base_url(text: &str) -> Result<(String, String), String> {
    let parsed = url::Url::parse(text.trim()).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{text}` must start with https:// or http://"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("`{text}` must not have a query or fragment"));
    }
    let path = parsed.path().trim_end_matches('/').to_owned();
    let origin = parsed.origin().ascii_serialization();
    Ok((format!("{origin}{path}"), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(source: &str) -> Settings {
        parse(source, Path::new("profile.toml"), None).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_tag_with_another_regions_suffix_is_one_warning_at_its_line() {
        let settings = parse_ok(
            "name = \"M\"\n[affiliate.amazon]\ntag = \"m-20\"\n[affiliate.amazon.tags]\n\"amazon.de\" = \"m-20\"\n",
        );
        let warnings: Vec<(String, Option<usize>)> =
            settings.warnings.iter().map(|w| (w.code.to_string(), w.line)).collect();
        assert_eq!(warnings, [("tag-suffix-mismatch".to_owned(), Some(5))]);
        assert!(settings.warnings[0].message.contains("\"m-20\" for amazon.de should end in \"-21\""));
    }

    #[test]
    fn japanese_sites_keep_their_words_in_slugs() {
        assert_eq!(parse_ok("name = \"M\"\n[site]\nlanguage = \"ja\"\n").slugs, SlugMode::Unicode);
        assert_eq!(
            parse_ok("name = \"M\"\n[site]\nlanguage = \"ja-JP\"\nslugs = \"transliterate\"\n").slugs,
            SlugMode::Transliterate
        );
        assert_eq!(parse_ok("name = \"M\"\n[site]\nlanguage = \"zh\"\n").slugs, SlugMode::Transliterate);
        assert_eq!(parse_ok("name = \"M\"\n[site]\nlanguage = \"ar-SA\"\n").slugs, SlugMode::Unicode);
    }

    fn parse_err(source: &str) -> Diagnostic {
        parse(source, Path::new("profile.toml"), None).unwrap_err().remove(0)
    }

    #[test]
    fn defaults_fill_in() {
        let s = parse_ok("name = \"Mia\"\n");
        assert_eq!(s.title, "Mia's Storefront");
        assert_eq!(s.language, "en");
        assert_eq!(s.theme, "aisle");
        assert_eq!(s.posts_per_page, 24);
        assert_eq!(s.base_path, "");
    }

    #[test]
    fn base_url_keeps_its_sub_path() {
        let s = parse_ok("name = \"Mia\"\n[site]\nbase_url = \"https://mia.github.io/shop/\"\n");
        assert_eq!(s.base_url, "https://mia.github.io/shop");
        assert_eq!(s.base_path, "/shop");
    }

    #[test]
    fn links_keep_their_order() {
        let s = parse_ok(
            "name = \"M\"\n[links]\ntiktok = \"https://t.example/m\"\nblog = \"https://b.example\"\nyoutube = \"https://y.example\"\n",
        );
        let keys: Vec<_> = s.profile.links.0.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["tiktok", "blog", "youtube"]);
    }

    #[test]
    fn buttons_keep_their_order_and_bad_ones_are_refused_at_their_line() {
        let s = parse_ok(
            "name = \"M\"\n[[buttons]]\nlabel = \"Shop\"\nurl = \"https://shop.example\"\n[[buttons]]\nlabel = \"Mail\"\nurl = \"mailto:m@example.com\"\nimage = \"images/m.jpg\"\n",
        );
        let labels: Vec<_> = s.profile.buttons.iter().map(|b| b.label.get_ref().as_str()).collect();
        assert_eq!(labels, ["Shop", "Mail"]);
        let d = parse_err("name = \"M\"\n[[buttons]]\nlabel = \"Shop\"\nurl = \"javascript:alert(1)\"\n");
        assert_eq!((d.line, d.message.contains("button `Shop`")), (Some(4), true), "{}", d.message);
        let d = parse_err("name = \"M\"\n[[buttons]]\nlabel = \" \"\nurl = \"https://x.example\"\n");
        assert_eq!(d.line, Some(3), "{}", d.message);
        let d = parse_err("name = \"M\"\n[[buttons]]\nlabel = \"Shop\"\nlink = \"https://x.example\"\n");
        assert!(d.message.contains("link"), "{}", d.message);
    }

    #[test]
    fn a_brand_colour_must_carry_readable_button_text_and_fonts_are_named() {
        let s = parse_ok("name = \"M\"\n[brand]\naccent = \"#c2185b\"\nfont = \"serif\"\n");
        assert_eq!(s.profile.brand.accent.unwrap().get_ref(), "#c2185b");
        let d = parse_err("name = \"M\"\n[brand]\naccent = \"#7a7a7a\"\n");
        assert_eq!(d.line, Some(3), "{}", d.message);
        assert!(d.message.contains("unreadable") && d.message.contains("4.5:1"), "{}", d.message);
        let d = parse_err("name = \"M\"\n[brand]\naccent = \"teal\"\n");
        assert!(d.message.contains("#rrggbb"), "{}", d.message);
        let d = parse_err("name = \"M\"\n[brand]\nfont = \"Serif\"\n");
        assert!(d.message.contains("did you mean `serif`?"), "{}", d.message);
    }

    #[test]
    fn a_newsletter_posts_to_an_https_address() {
        let s = parse_ok("name = \"M\"\n[newsletter]\naction = \"https://news.example/subscribe\"\n");
        assert_eq!(s.profile.newsletter.unwrap().field, "email");
        let d = parse_err("name = \"M\"\n[newsletter]\naction = \"http://news.example/subscribe\"\n");
        assert_eq!(d.line, Some(3), "{}", d.message);
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let d = parse_err("name = \"M\"\n[affiliate.amazon]\ntga = \"m-20\"\n");
        assert_eq!(d.line, Some(3));
        assert!(d.message.contains("unknown field `tga`"), "{}", d.message);
        assert_eq!(d.hint.as_deref(), Some("did you mean `tag`?"));
    }

    #[test]
    fn missing_name_is_an_error() {
        let d = parse_err("tagline = \"x\"\n");
        assert!(d.message.contains("missing field `name`"), "{}", d.message);
    }

    #[test]
    fn bad_values_point_at_their_line() {
        let d = parse_err("name = \"M\"\n[links]\nyoutube = \"javascript:alert(1)\"\n");
        assert_eq!(d.line, Some(3));
        let d = parse_err("name = \"M\"\n[site]\ntimezone = \"Mars/Olympus\"\n");
        assert_eq!(d.line, Some(3));
        assert!(d.message.contains("Mars/Olympus"));
        let d = parse_err("name = \"M\"\n[site]\nbase_url = \"ftp://x\"\n");
        assert_eq!(d.line, Some(3));
    }

    #[test]
    fn unknown_marketplace_is_an_error() {
        let d = parse_err(
            "name = \"M\"\n[affiliate.amazon]\ntag = \"m-20\"\n[affiliate.amazon.tags]\n\"amazon.co.uj\" = \"m-21\"\n",
        );
        assert_eq!(d.line, Some(5));
        assert!(d.message.contains("did you mean `amazon.co.uk`?"), "{}", d.message);
    }

    #[test]
    fn link_policy_collects_tags_per_marketplace() {
        let s = parse_ok(
            "name = \"M\"\n[affiliate.amazon]\ntag = \"m-20\"\n[affiliate.amazon.tags]\n\"www.amazon.de\" = \"m0d-21\"\n",
        );
        let rules = s.link_policy().rules;
        let amazon = rules.amazon.unwrap();
        assert_eq!(amazon.tags["amazon.com"], "m-20");
        assert_eq!(amazon.tags["amazon.de"], "m0d-21");
    }

    #[test]
    fn wrong_type_is_an_error_with_line() {
        let d = parse_err("name = \"M\"\n[site]\nposts_per_page = \"ten\"\n");
        assert_eq!(d.line, Some(3));
    }

    /// Each case: the `bio` line of `profile.toml` and the text the error
    /// must point at.
    #[test]
    fn unsafe_links_in_the_bio_are_errors_at_their_place() {
        let cases = [
            (r#"bio = "Hi [x](javascript:alert(1)) there""#, "[x](javascript"),
            (r#"bio = "A \"q\" \u00e9\t\U0001F600 [x](vbscript:msgbox(1))""#, "[x](vbscript"),
            (r#"bio = 'C:\dir é [x](JavaScript:alert(1))'"#, "[x](JavaScript"),
            ("bio = \"\"\"\nOne line.\nTwo \\\n    lines [x](data:text/html,hi)\"\"\"", "[x](data:"),
            ("bio = '''\r\nOne\r\n<a href=\"javascript:x()\">x</a>'''", "<a href"),
            (r#"bio = "See <javascript:alert(1)>""#, "<javascript"),
            (r#"bio = "![i](javascript:alert(1))""#, "![i]"),
            (r#"bio = "[x](java&#115;cript:alert(1))""#, "[x](java&"),
        ];
        for (line, needle) in cases {
            let source = format!("name = \"M\"\n{line}\n");
            let errors = parse(&source, Path::new("profile.toml"), None).err().unwrap_or_else(|| panic!("{line}"));
            assert_eq!(errors.len(), 1, "{line}: {errors:?}");
            let d = &errors[0];
            assert_eq!(d.code.as_str(), "unsafe-link", "{line}");
            let expected = crate::diagnostics::line_column(&source, source.find(needle).unwrap());
            assert_eq!((d.line, d.column), (Some(expected.0), Some(expected.1)), "{line}: {}", d.message);
        }
        // Reported with the profile's other errors, not after them.
        let errors = parse(
            "name = \"M\"\nbio = \"[x](javascript:x())\"\n[site]\ntimezone = \"Mars/Base\"\n",
            Path::new("p"),
            None,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        // Safe links, escapes and multi-line bios are fine.
        let s = parse_ok(
            "name = \"M\"\nbio = \"\"\"\n**Hi** [shop](https://example.com) \\\n [me](/about/) \\\"q\\\"\"\"\"\n",
        );
        assert!(s.profile.bio.is_some());
    }

    #[test]
    fn offsets_in_toml_strings_follow_escapes() {
        let literals =
            [r#""a\tb\u00e9c""#, r"'a\b'", "\"\"\"\nab\\\n   cd\"\"\"", "'''\nx\r\ny'''", r#""\U0001F600z""#];
        for literal in literals {
            let table: toml::Table = toml::from_str(&format!("v = {literal}")).unwrap();
            let value = table["v"].as_str().unwrap();
            for (target, c) in value.char_indices().filter(|(_, c)| c.is_ascii_alphanumeric()) {
                let at = offset_in_toml_string(literal, value, target);
                assert!(literal[at..].starts_with(c), "{literal}: byte {target} ({c}) at {at}");
            }
        }
    }
}
