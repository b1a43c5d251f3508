//! Link-preview cards for pages without a picture of their own: the page's
//! title, the creator's name and avatar on a 1200 × 630 card, drawn from an
//! SVG template by resvg. The font ships in the binary (DejaVu Sans Bold,
//! `assets/fonts/`), so a card looks the same on every machine; the
//! system's fonts are asked for any character it lacks (Japanese, Arabic).

use std::sync::{Arc, OnceLock};

use image::DynamicImage;

use crate::html::escape_attr;

/// Card size: what Facebook, X and iMessage show large.
pub const WIDTH: u32 = 1200;
/// See [`WIDTH`].
pub const HEIGHT: u32 = 630;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What a card shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Card {
    /// The page's title.
    pub title: String,
    /// The creator's name.
    pub name: String,
    /// The site's title.
    pub site: String,
    /// The avatar, decoded and square-cropped, as PNG bytes.
    pub avatar: Option<Arc<[u8]>>,
}

fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// `text` broken into at most `lines` lines of about `width` characters,
/// the last one ending in "…" when the text is longer.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        // A language written without spaces breaks anywhere.
        while line.chars().count() > width + width / 3 {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            out.push(head);
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    if out.len() > lines {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", kept.trim_end());
        }
    }
    out
}

/// The card's SVG.
fn svg(card: &Card) -> String {
    let lines = wrap(&card.title, 26, 3);
    let size = if lines.len() > 2 { 64 } else { 72 };
    let top = 250 - (lines.len() as i32 - 1) * size / 2;
    let mut title = String::new();
    for (i, line) in lines.iter().enumerate() {
        title.push_str(&format!(
            r##"<text x="80" y="{}" font-size="{size}" fill="#1b1d21">{}</text>"##,
            top + i as i32 * (size + 12),
            escape_attr(line)
        ));
    }
    let (avatar, name_x) = match &card.avatar {
        Some(png) => {
            use base64::Engine;
            use std::fmt::Write;
            let data = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png));
            let mut out = String::new();
            let _ = write!(
                out,
                r#"<clipPath id="a"><circle cx="128" cy="520" r="48"/></clipPath><image x="80" y="472" width="96" height="96" clip-path="url(#a)" href="{data}"/>"#
            );
            (out, 200)
        }
        None => (String::new(), 80),
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<rect width="{WIDTH}" height="{HEIGHT}" fill="#f6f4ef"/>
<rect width="{WIDTH}" height="16" fill="#1f6f66"/>
<g font-family="DejaVu Sans, sans-serif" font-weight="bold">
{title}
{avatar}
<text x="{name_x}" y="512" font-size="34" fill="#1b1d21">{name}</text>
<text x="{name_x}" y="556" font-size="28" fill="#5b6068">{site}</text>
</g>
</svg>"##,
        name = escape_attr(&card.name),
        site = escape_attr(&card.site),
    )
}

/// Draws `card`.
pub fn render(card: &Card) -> Result<DynamicImage, String> {
    // SVG is XML: characters XML cannot carry are left out of the picture.
    render_svg(crate::html::without_non_xml_chars(svg(card)).as_bytes(), WIDTH, HEIGHT)
}

/// An SVG document drawn at `width` × `height` (stretched to fit its
/// view box), on white: link previews have no transparency.
pub fn render_svg(svg: &[u8], width: u32, height: u32) -> Result<DynamicImage, String> {
    let options = resvg::usvg::Options { fontdb: fonts(), ..Default::default() };
    let tree = resvg::usvg::Tree::from_data(svg, &options).map_err(|e| e.to_string())?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).ok_or("empty card")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    let size = tree.size();
    let scale = (width as f32 / size.width()).min(height as f32 / size.height());
    let dx = (width as f32 - size.width() * scale) / 2.0;
    let dy = (height as f32 - size.height() * scale) / 2.0;
    let transform = resvg::tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, dx, dy);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // Drawn over white, every pixel is opaque: its colour is its first
    // three bytes, with no colour conversion to go through.
    let rgb = pixmap.data().chunks_exact(4).flat_map(|pixel| [pixel[0], pixel[1], pixel[2]]).collect();
    Ok(DynamicImage::ImageRgb8(image::RgbImage::from_raw(width, height, rgb).ok_or("card buffer")?))
}

/// The size an SVG document declares on its root element, in CSS pixels,
/// when it gives both its width and its height in absolute units: the size
/// a browser shows it at. `None` when either is missing or relative (`%`,
/// `em`): the picture then takes the width of its place.
pub fn declared_size(svg: &[u8]) -> Option<(u32, u32)> {
    use resvg::usvg::roxmltree;
    use svgtypes::LengthUnit;
    let text = std::str::from_utf8(svg).ok()?;
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let document = roxmltree::Document::parse_with_options(text.trim_start_matches('\u{feff}'), options).ok()?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return None;
    }
    let pixels = |name: &str| {
        let length: svgtypes::Length = root.attribute(name)?.trim().parse().ok()?;
        let per_unit = match length.unit {
            LengthUnit::None | LengthUnit::Px => 1.0,
            LengthUnit::In => 96.0,
            LengthUnit::Cm => 96.0 / 2.54,
            LengthUnit::Mm => 96.0 / 25.4,
            LengthUnit::Pt => 4.0 / 3.0,
            LengthUnit::Pc => 16.0,
            _ => return None,
        };
        let pixels = (length.number * per_unit).round();
        (1.0..=100_000.0).contains(&pixels).then_some(pixels as u32)
    };
    Some((pixels("width")?, pixels("height")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_into_three_lines_at_most() {
        assert_eq!(
            wrap("Best USB Microphones for New Streamers", 26, 3),
            ["Best USB Microphones for", "New Streamers"]
        );
        let long = wrap(&"word ".repeat(40), 26, 3);
        assert_eq!(long.len(), 3);
        assert!(long[2].ends_with('…'));
        assert!(wrap(&"東京".repeat(40), 26, 3).iter().all(|l| l.chars().count() <= 35));
    }

    #[test]
    fn an_svg_declares_its_size_in_absolute_units_only() {
        let svg = |attributes: &str| format!("<svg xmlns=\"http://www.w3.org/2000/svg\" {attributes}/>");
        let size = |attributes: &str| declared_size(svg(attributes).as_bytes());
        assert_eq!(size("width=\"40\" height=\"30\""), Some((40, 30)));
        assert_eq!(size("width=\" 40.4px\" height=\"29.6px\" viewBox=\"0 0 4 3\""), Some((40, 30)));
        assert_eq!(size("width=\"1in\" height=\"2.54cm\""), Some((96, 96)));
        assert_eq!(size("width=\"72pt\" height=\"6pc\""), Some((96, 96)));
        assert_eq!(size("width=\"25.4mm\" height=\"10\""), Some((96, 10)));
        // Sized by its place, or not at all: nothing to reserve.
        for relative in
            ["width=\"100%\" height=\"50%\"", "width=\"2em\" height=\"1em\"", "viewBox=\"0 0 8 4\"", "width=\"40\""]
        {
            assert_eq!(size(relative), None, "{relative}");
        }
        assert_eq!(size("width=\"0\" height=\"30\""), None);
        assert_eq!(size("width=\"-4\" height=\"30\""), None);
        assert_eq!(size("width=\"1e9\" height=\"30\""), None);
        // What editors write around it.
        let illustrator = "\u{feff}<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY w \"40\">]>\n\
                           <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40px\" height=\"30px\"><g/></svg>";
        assert_eq!(declared_size(illustrator.as_bytes()), Some((40, 30)));
        assert_eq!(declared_size(b"<html width=\"40\" height=\"30\"/>"), None);
        assert_eq!(declared_size(b"<svg width=\"40\" height=\"30\""), None, "cut short");
        assert_eq!(declared_size(&[0xff, 0xfe, 0x3c]), None);
    }

    #[test]
    fn a_card_is_drawn_with_text() {
        let card = Card {
            title: "My Desk Setup Tour".to_owned(),
            name: "Mia Chen".to_owned(),
            site: "Mia's Picks".to_owned(),
            avatar: None,
        };
        let image = render(&card).unwrap().into_rgb8();
        assert_eq!(image.dimensions(), (WIDTH, HEIGHT));
        // The title's dark letters are on the card, not only its background.
        let dark = image.pixels().filter(|p| p.0.iter().all(|&c| c < 80)).count();
        assert!(dark > 2_000, "{dark} dark pixels");
    }

    #[test]
    fn a_picture_is_drawn_on_white_in_its_own_colours() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="10" height="10" fill="#1e6e64"/><rect x="10" width="10" height="10" fill="red" fill-opacity="0.5"/></svg>"##;
        let image = render_svg(svg, 40, 20).unwrap().into_rgb8();
        assert_eq!(image.dimensions(), (40, 20));
        assert_eq!(image.get_pixel(5, 10).0, [0x1e, 0x6e, 0x64]);
        let pink = image.get_pixel(35, 10).0;
        assert!(pink[0] == 255 && pink[1].abs_diff(128) <= 1 && pink[2].abs_diff(128) <= 1, "{pink:?}");
    }

    #[test]
    fn the_avatar_is_embedded_as_standard_base64() {
        let card = Card {
            title: "T".to_owned(),
            name: "N".to_owned(),
            site: "S".to_owned(),
            avatar: Some(Arc::from(&b"Man"[..])),
        };
        assert!(svg(&card).contains("href=\"data:image/png;base64,TWFu\""));
        let two = Card { avatar: Some(Arc::from(&b"Ma"[..])), ..card.clone() };
        assert!(svg(&two).contains("base64,TWE=\""));
        let one = Card { avatar: Some(Arc::from(&b"M"[..])), ..card };
        assert!(svg(&one).contains("base64,TQ==\""));
    }
}
