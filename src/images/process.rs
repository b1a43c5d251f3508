//! Pixels: decoding what creators upload, turning it upright and into
//! sRGB, resizing and encoding. Nothing of the source's metadata survives:
//! the encoders write pixels only (no EXIF, GPS, XMP or maker notes).

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader};

/// An encoded image format shopfront writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Lossy WebP: what every current browser is given.
    WebP,
    /// JPEG: the fallback for opaque images, and link previews.
    Jpeg,
    /// PNG: the fallback for images with transparency.
    Png,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::WebP => "webp",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// A link preview card's format, by the name it is published under.
    pub fn of_card(file: &str) -> Self {
        if file.ends_with(".png") { Self::Png } else { Self::Jpeg }
    }

    /// Which encoder writes the format, as part of the image cache's keys:
    /// a new encoder makes other bytes, and the cache must not hand out the
    /// old encoder's under the same key.
    pub fn revision(self) -> u8 {
        match self {
            Self::WebP | Self::Png => 1,
            // `jpeg-encoder` since December 2026, `image`'s encoder before.
            Self::Jpeg => 2,
        }
    }

    /// The MIME type, for `<source type>`.
    pub fn mime(self) -> &'static str {
        match self {
            Self::WebP => "image/webp",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// WebP quality (libwebp's 0–100). 75 is libwebp's own default and, on the
/// benchmark's phone photos, about a third the bytes of JPEG at 80 with no
/// visible difference at the sizes cards and heroes show.
pub const WEBP_QUALITY: f32 = 75.0;
/// JPEG quality for fallbacks and link previews.
pub const JPEG_QUALITY: u8 = 80;

/// The most pixels a picture may have: 16,384 × 16,384 (268 megapixels),
/// above the largest phone or camera photo (200 megapixels). Anything
/// larger is a print scan or a file made to exhaust memory (a 30,000 ×
/// 30,000 PNG is under a megabyte on disk and 3.6 GB decoded), and it is
/// refused before its pixels are decoded.
pub const MAX_PIXELS: u64 = 16_384 * 16_384;

/// What the header says, without decoding pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Width as shown, orientation applied.
    pub width: u32,
    /// Height as shown, orientation applied.
    pub height: u32,
    /// Whether it has an alpha channel.
    pub alpha: bool,
}

/// Reads the header of `bytes`: dimensions as the image is shown (a
/// portrait phone photo stored sideways reports its upright size).
pub fn header(bytes: &[u8]) -> Result<Header, String> {
    if bytes.is_empty() {
        return Err("the file is empty (0 bytes)".to_owned());
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(describe)?;
    let (width, height) = decoder.dimensions();
    within_limit(width, height)?;
    let alpha = decoder.color_type().has_alpha();
    let turned = decoder.orientation().is_ok_and(|o| {
        use image::metadata::Orientation::*;
        matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
    });
    let (width, height) = if turned { (height, width) } else { (width, height) };
    if width == 0 || height == 0 {
        return Err("it has no pixels".to_owned());
    }
    Ok(Header { width, height, alpha })
}

/// The size of an image published as it is (a GIF or an AVIF), from its
/// header alone, turned as it is shown (an AVIF's `irot`). Whether it has
/// transparency is not read: `alpha` is false.
pub fn size(bytes: &[u8]) -> Result<Header, String> {
    if bytes.is_empty() {
        return Err("the file is empty (0 bytes)".to_owned());
    }
    let size = imagesize::blob_size(bytes).map_err(|e| match e {
        imagesize::ImageError::NotSupported => "it is not an image a browser shows".to_owned(),
        imagesize::ImageError::CorruptedImage => "its header is damaged".to_owned(),
        imagesize::ImageError::IoError(_) => "the file is cut short (truncated)".to_owned(),
    })?;
    let side = |pixels: usize| u32::try_from(pixels).ok().filter(|&p| p > 0);
    let (Some(width), Some(height)) = (side(size.width), side(size.height)) else {
        return Err("it has no pixels".to_owned());
    };
    Ok(Header { width, height, alpha: false })
}

/// The image in `bytes`, upright, 8-bit, in sRGB: RGB, or RGBA when it has
/// transparency.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    if looks_truncated(bytes) {
        return Err("the file is cut short (truncated)".to_owned());
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(describe)?;
    let (width, height) = decoder.dimensions();
    within_limit(width, height)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(describe)?;
    image.apply_orientation(orientation);
    let mut image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    if let Some(icc) = icc {
        to_srgb(&mut image, &icc);
    }
    Ok(image)
}

/// Refuses a picture of more than [`MAX_PIXELS`], saying how big it is.
fn within_limit(width: u32, height: u32) -> Result<(), String> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels <= MAX_PIXELS {
        return Ok(());
    }
    Err(format!(
        "it is {width} × {height} pixels ({} megapixels), more than shopfront resizes ({} megapixels at most); \
         export a smaller copy (4,000 pixels on its longer side is plenty for a web page)",
        pixels / 1_000_000,
        MAX_PIXELS / 1_000_000
    ))
}

/// A JPEG whose entropy-coded data stops before the end-of-image marker.
/// The decoder fills the missing part with grey rather than failing, and a
/// half-grey photo must not ship. Data after the marker (a phone's motion
/// photo or trailer) is fine.
fn looks_truncated(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    // Walk the segments to the start of scan, then look for the end marker
    // after it (an embedded thumbnail has its own, earlier, end marker).
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return true;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        if marker == 0xDA {
            let scan = at + 2 + len;
            return scan >= bytes.len() || !bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        at += 2 + len;
    }
    true
}

fn describe(err: image::ImageError) -> String {
    match err {
        image::ImageError::Unsupported(_) => {
            "it is not an image shopfront can read (JPEG, PNG, WebP or GIF)".to_owned()
        }
        image::ImageError::Limits(_) => "it is too large to decode".to_owned(),
        other => other.to_string(),
    }
}

/// Converts `image` from the colour profile `icc` to sRGB. A profile that
/// cannot be read, or that is not an RGB one (a CMYK JPEG's, whose pixels
/// the decoder has already turned into RGB), leaves the pixels as they are.
fn to_srgb(image: &mut DynamicImage, icc: &[u8]) {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Ok(source) = ColorProfile::new_from_slice(icc) else { return };
    if source.color_space != DataColorSpace::Rgb {
        return;
    }
    let srgb = ColorProfile::new_srgb();
    let (layout, buffer): (Layout, &mut [u8]) = match image {
        DynamicImage::ImageRgb8(buffer) => (Layout::Rgb, buffer),
        DynamicImage::ImageRgba8(buffer) => (Layout::Rgba, buffer),
        _ => return,
    };
    let Ok(transform) = source.create_transform_8bit(layout, &srgb, layout, TransformOptions::default()) else {
        return;
    };
    let mut out = vec![0u8; buffer.len()];
    if transform.transform(buffer, &mut out).is_ok() {
        buffer.copy_from_slice(&out);
    }
}

/// `image` resized to `width` (height in proportion), or cropped to fill
/// `width` × `height` around its centre when `height` is given.
pub fn resize(image: &DynamicImage, width: u32, height: Option<u32>) -> Result<DynamicImage, String> {
    let (w, h) = (image.width(), image.height());
    let height =
        height.unwrap_or_else(|| ((u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w)).max(1) as u32);
    if (width, height) == (w, h) {
        return Ok(image.clone());
    }
    let alpha = image.color().has_alpha();
    let pixel = if alpha { PixelType::U8x4 } else { PixelType::U8x3 };
    let source = ImageRef::new(w, h, image.as_bytes(), pixel).map_err(|e| e.to_string())?;
    let mut target = Image::new(width, height, pixel);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .fit_into_destination(Some((0.5, 0.5)));
    Resizer::new().resize(&source, &mut target, &options).map_err(|e| e.to_string())?;
    let bytes = target.into_vec();
    Ok(if alpha {
        DynamicImage::ImageRgba8(image::RgbaImage::from_raw(width, height, bytes).ok_or("resize failed")?)
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(width, height, bytes).ok_or("resize failed")?)
    })
}

/// `image` encoded as `format`, with no metadata at all.
pub fn encode(image: &DynamicImage, format: Format) -> Result<Vec<u8>, String> {
    let (width, height) = (image.width(), image.height());
    match format {
        Format::WebP => {
            let encoder = match image {
                DynamicImage::ImageRgba8(buffer) => webp::Encoder::from_rgba(buffer, width, height),
                DynamicImage::ImageRgb8(buffer) => webp::Encoder::from_rgb(buffer, width, height),
                _ => return Err("unexpected pixel format".to_owned()),
            };
            Ok(encoder.encode(WEBP_QUALITY).to_vec())
        }
        Format::Jpeg => {
            let mut out = Vec::new();
            let rgb = match image {
                DynamicImage::ImageRgb8(buffer) => std::borrow::Cow::Borrowed(buffer),
                other => std::borrow::Cow::Owned(flatten(other)),
            };
            let side = |n: u32| u16::try_from(n).map_err(|_| format!("{width}×{height} is too large for a JPEG"));
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            // Colour at full resolution, as before: coloured text on a link
            // preview stays sharp.
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
            encoder
                .encode(rgb.as_raw(), side(width)?, side(height)?, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| e.to_string())?;
            Ok(out)
        }
        Format::Png => {
            use image::ImageEncoder;
            let mut out = Vec::new();
            let (bytes, color) = match image {
                DynamicImage::ImageRgba8(buffer) => (buffer.as_raw(), image::ExtendedColorType::Rgba8),
                DynamicImage::ImageRgb8(buffer) => (buffer.as_raw(), image::ExtendedColorType::Rgb8),
                _ => return Err("unexpected pixel format".to_owned()),
            };
            image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(bytes, width, height, color)
            .map_err(|e| e.to_string())?;
            Ok(out)
        }
    }
}

/// An image with transparency on white, for JPEG.
fn flatten(image: &DynamicImage) -> image::RgbImage {
    let rgba = image.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
        }));
        encode(&image, Format::Jpeg).unwrap()
    }

    #[test]
    fn the_size_of_an_image_published_as_it_is_comes_from_its_header() {
        let gif = {
            let mut bytes = Cursor::new(Vec::new());
            image::RgbaImage::new(64, 48).write_to(&mut bytes, image::ImageFormat::Gif).unwrap();
            bytes.into_inner()
        };
        assert_eq!(size(&gif), Ok(Header { width: 64, height: 48, alpha: false }));
        assert_eq!(size(&gif[..13]), Ok(Header { width: 64, height: 48, alpha: false }), "the header is enough");
        assert_eq!(size(b""), Err("the file is empty (0 bytes)".to_owned()));
        assert_eq!(size(b"GIF89a\0\0\0\0\0\0\0"), Err("it has no pixels".to_owned()));
        assert_eq!(size(b"GIF89a\x40"), Err("the file is cut short (truncated)".to_owned()));
        assert_eq!(size(b"not a picture at all"), Err("it is not an image a browser shows".to_owned()));
    }

    #[test]
    fn a_cut_short_jpeg_is_refused_and_a_trailer_is_not() {
        let whole = jpeg(64, 48);
        assert!(decode(&whole).is_ok());
        let cut = &whole[..whole.len() * 2 / 3];
        assert!(decode(cut).unwrap_err().contains("truncated"));
        let mut trailer = whole.clone();
        trailer.extend_from_slice(b"motion photo video follows");
        assert!(decode(&trailer).is_ok());
    }

    #[test]
    fn a_picture_too_large_to_decode_is_refused_from_its_header() {
        // A JPEG whose frame header says 20,000 × 20,000: 1.2 GB decoded.
        let mut big = jpeg(16, 16);
        let frame = big.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        big[frame + 5..frame + 9].copy_from_slice(&[0x4E, 0x20, 0x4E, 0x20]);
        let refused = header(&big).unwrap_err();
        assert!(refused.contains("20000 × 20000 pixels (400 megapixels)"), "{refused}");
        assert_eq!(decode(&big).unwrap_err(), refused);
        // The largest phone photos are below the limit.
        assert!(within_limit(16_320, 12_240).is_ok());
        assert_eq!(header(b"").unwrap_err(), "the file is empty (0 bytes)");
    }

    #[test]
    fn resizing_keeps_the_proportions_or_crops_to_fill() {
        let image = decode(&jpeg(400, 300)).unwrap();
        let small = resize(&image, 100, None).unwrap();
        assert_eq!((small.width(), small.height()), (100, 75));
        let card = resize(&image, 120, Some(63)).unwrap();
        assert_eq!((card.width(), card.height()), (120, 63));
    }

    #[test]
    fn encoders_write_each_format() {
        let image = decode(&jpeg(40, 30)).unwrap();
        assert!(encode(&image, Format::WebP).unwrap().starts_with(b"RIFF"));
        assert!(encode(&image, Format::Jpeg).unwrap().starts_with(&[0xFF, 0xD8]));
        assert!(encode(&image, Format::Png).unwrap().starts_with(b"\x89PNG"));
    }

    #[test]
    fn a_jpeg_keeps_the_pixels_and_puts_transparency_on_white() {
        let source = decode(&jpeg(96, 64)).unwrap().to_rgb8();
        let again = decode(&encode(&DynamicImage::ImageRgb8(source.clone()), Format::Jpeg).unwrap()).unwrap();
        assert_eq!((again.width(), again.height()), (96, 64));
        let again = again.to_rgb8();
        let error: u64 =
            source.as_raw().iter().zip(again.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum::<u64>();
        assert!(error / source.as_raw().len() as u64 <= 2, "mean error {}", error / source.as_raw().len() as u64);
        // Half-transparent black over white is mid grey.
        let glass = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(16, 16, image::Rgba([0, 0, 0, 128])));
        let grey = decode(&encode(&glass, Format::Jpeg).unwrap()).unwrap().to_rgb8();
        assert!(grey.pixels().all(|p| p.0.iter().all(|c| c.abs_diff(127) <= 3)), "{:?}", grey.get_pixel(8, 8));
        // JPEG's sides stop at 65,535 pixels: an error, not a crash.
        let wide = DynamicImage::ImageRgb8(image::RgbImage::new(70_000, 1));
        assert!(encode(&wide, Format::Jpeg).unwrap_err().contains("too large for a JPEG"));
    }
}
