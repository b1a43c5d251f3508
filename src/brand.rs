//! A site's own look, from `[brand]` in `profile.toml`: an accent colour, a
//! banner picture and one of a few system font stacks, given to every theme
//! as CSS custom properties after its stylesheet.
//!
//! The accent is checked as buy buttons and links will use it: a colour on
//! which neither white nor near-black button text reaches WCAG AA (4.5:1)
//! is refused. Links and the tinted boxes get the accent darkened (light
//! mode) or lightened (dark mode) just enough to keep 4.5:1 on their
//! backgrounds, so a pale brand colour never gives unreadable links.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f64, pub f64, pub f64);

/// The button text colours an accent may carry.
const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
const INK: Rgb = Rgb(17.0 / 255.0, 17.0 / 255.0, 17.0 / 255.0);
/// The page backgrounds the themes use, light and dark (their extremes).
const LIGHT_PAGE: Rgb = Rgb(0.937, 0.929, 0.902);
const DARK_PAGE: Rgb = Rgb(0.141, 0.157, 0.176);
/// WCAG AA for normal text.
pub const AA: f64 = 4.5;

impl Rgb {
    /// `#rgb` or `#rrggbb`.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.trim().strip_prefix('#')?;
        let digits: Vec<u8> = hex.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect::<Option<_>>()?;
        let (r, g, b) = match digits.as_slice() {
            [r, g, b] => (r * 17, g * 17, b * 17),
            [r1, r2, g1, g2, b1, b2] => (r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2),
            _ => return None,
        };
        Some(Rgb(f64::from(r) / 255.0, f64::from(g) / 255.0, f64::from(b) / 255.0))
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        let byte = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        format!("#{:02x}{:02x}{:02x}", byte(self.0), byte(self.1), byte(self.2))
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let linear = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// `self` moved `amount` (0–1) of the way to `other`.
    fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let m = |a: f64, b: f64| a + (b - a) * amount;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// The text colour (white or near-black) that reads best on `self`, with its contrast.
    pub fn button_text(self) -> (Rgb, f64) {
        let (white, ink) = (self.contrast(WHITE), self.contrast(INK));
        if white >= ink { (WHITE, white) } else { (INK, ink) }
    }

    /// `self` moved toward `target` in small steps until `ok` holds (or it is `target`).
    fn toward(self, target: Rgb, ok: impl Fn(Rgb) -> bool) -> Rgb {
        (0..=40).map(|step| self.mix(target, f64::from(step) / 40.0)).find(|c| ok(*c)).unwrap_or(target)
    }
}

/// Why an accent is refused, in the creator's words, with a colour that would do.
pub fn check_accent(accent: Rgb) -> Result<(), String> {
    let (_, best) = accent.button_text();
    if best >= AA {
        return Ok(());
    }
    let darker = accent.toward(Rgb(0.0, 0.0, 0.0), |c| c.contrast(WHITE) >= AA);
    Err(format!(
        "buy buttons in {} would have unreadable text: white reaches {:.1}:1 and black {:.1}:1 on it, and WCAG AA needs 4.5:1 (a darker shade such as {} works)",
        accent.hex(),
        accent.contrast(WHITE),
        accent.contrast(INK),
        darker.hex()
    ))
}

/// The system font stacks `[brand] font` names: no web fonts are loaded.
pub const FONTS: [(&str, &str); 6] = [
    ("system", "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", sans-serif"),
    ("humanist", "Seravek, \"Gill Sans Nova\", Ubuntu, Calibri, \"DejaVu Sans\", source-sans-pro, sans-serif"),
    ("geometric", "Avenir, Montserrat, Corbel, \"URW Gothic\", source-sans-pro, sans-serif"),
    (
        "rounded",
        "ui-rounded, \"Hiragino Maru Gothic ProN\", Quicksand, Comfortaa, Manjari, \"Arial Rounded MT\", Calibri, sans-serif",
    ),
    ("serif", "\"Iowan Old Style\", \"Palatino Linotype\", \"URW Palladio L\", P052, Georgia, serif"),
    ("mono", "ui-monospace, \"Cascadia Code\", \"Source Code Pro\", Menlo, Consolas, \"DejaVu Sans Mono\", monospace"),
];

/// The CSS a theme gets after its stylesheet: the accent for each colour
/// scheme (links and buttons readable on the theme's backgrounds), the
/// font. Empty when the profile sets neither.
pub fn css(accent: Option<Rgb>, font: Option<&str>) -> String {
    let mut css = String::new();
    if let Some(accent) = accent {
        let scheme = |page: Rgb, toward: Rgb| {
            // The tint is a wash of the accent on the page; links must read on it too.
            let tint = |c: Rgb| page.mix(c, 0.14);
            let link = accent.toward(toward, |c| c.contrast(page) >= AA && c.contrast(tint(c)) >= AA);
            let (text, _) = link.button_text();
            let hover = link.mix(toward, 0.18);
            format!(
                "--accent:{};--accent-hover:{};--on-accent:{};--tint:{};--info-line:{};--brand:{};--brand-2:{}",
                link.hex(),
                hover.hex(),
                text.hex(),
                tint(link).hex(),
                page.mix(link, 0.35).hex(),
                accent.hex(),
                accent.mix(WHITE, 0.45).hex()
            )
        };
        css.push_str(&format!(
            ":root{{{};--banner-fill:linear-gradient(120deg,{},{})}}",
            scheme(LIGHT_PAGE, Rgb(0.0, 0.0, 0.0)),
            accent.hex(),
            accent.mix(WHITE, 0.45).hex()
        ));
        css.push_str(&format!("@media (prefers-color-scheme: dark){{:root{{{}}}}}", scheme(DARK_PAGE, WHITE)));
    }
    if let Some(stack) = font.and_then(|name| FONTS.iter().find(|(n, _)| *n == name)).map(|(_, s)| s) {
        css.push_str(&format!("body{{font-family:{stack}}}"));
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_measure_as_wcag_says() {
        let white = Rgb::parse("#fff").unwrap();
        assert_eq!(white.hex(), "#ffffff");
        assert!((white.contrast(Rgb::parse("#000000").unwrap()) - 21.0).abs() < 1e-9);
        // #767676 is the lightest grey with 4.5:1 on white.
        assert!(Rgb::parse("#767676").unwrap().contrast(white) >= AA);
        assert!(Rgb::parse("#777777").unwrap().contrast(white) < AA);
        assert_eq!(Rgb::parse("teal"), None);
        assert_eq!(Rgb::parse("#12345"), None);
    }

    #[test]
    fn an_accent_without_readable_button_text_is_refused_with_a_shade_that_works() {
        assert!(check_accent(Rgb::parse("#c2185b").unwrap()).is_ok(), "white on raspberry");
        assert!(check_accent(Rgb::parse("#ffd400").unwrap()).is_ok(), "black on yellow");
        let error = check_accent(Rgb::parse("#7a7a7a").unwrap()).unwrap_err();
        assert!(error.contains("4.5:1") && error.contains("#7a7a7a"), "{error}");
        let suggested = error.rsplit("such as ").next().unwrap().split(' ').next().unwrap();
        assert!(Rgb::parse(suggested).unwrap().contrast(WHITE) >= AA, "{suggested}");
    }

    #[test]
    fn links_and_buttons_stay_readable_in_both_schemes() {
        for accent in ["#ffd400", "#c2185b", "#00e5ff", "#1a237e", "#8bc34a"] {
            let css = css(Rgb::parse(accent), None);
            let values = |part: &str, key: &str| {
                let at = part.find(&format!("--{key}:")).unwrap() + key.len() + 3;
                Rgb::parse(&part[at..at + 7]).unwrap()
            };
            let (light, dark) = css.split_once("@media").unwrap();
            for (part, page) in [(light, LIGHT_PAGE), (dark, DARK_PAGE)] {
                let link = values(part, "accent");
                assert!(link.contrast(page) >= AA, "{accent}: link {} on the page", link.hex());
                assert!(link.contrast(values(part, "tint")) >= AA, "{accent}: link on the tint");
                assert!(link.contrast(values(part, "on-accent")) >= AA, "{accent}: button text");
            }
        }
        assert_eq!(css(None, Some("serif")), format!("body{{font-family:{}}}", FONTS[4].1));
        assert_eq!(css(None, None), "");
    }
}
