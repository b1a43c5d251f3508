//! Images as creators upload them: phone photos with EXIF orientation and
//! GPS, transparent PNGs, WebP, CMYK JPEGs, broken files. Each is published
//! at its slot's widths as WebP plus a fallback, upright, without metadata,
//! through the cache; link previews are raster images.

use std::io::Cursor;

use image::{GenericImageView, ImageDecoder, ImageReader};

use crate::support::{Built, SiteTest, jpeg};

/// A 600 × 400 JPEG whose top-left corner is red and the rest blue, with
/// an EXIF block saying "turn 90° clockwise to show" (orientation 6), a
/// camera maker and a GPS position.
fn phone_photo() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(600, 400, |x, y| {
        if x < 150 && y < 100 { image::Rgb([230, 20, 20]) } else { image::Rgb([20, 40, 200]) }
    });
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    let bytes = bytes.into_inner();
    let mut out = bytes[..2].to_vec();
    out.extend(app1(&exif(6)));
    out.extend(&bytes[2..]);
    out
}

/// A TIFF/EXIF block: orientation, the maker "PhoneMaker" and GPS latitude N 37° 46′ 29″.
fn exif(orientation: u16) -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value);
    };
    // IFD0 at 8: three entries, then the next-IFD offset.
    let gps = 8 + 2 + 3 * 12 + 4;
    let maker = gps + 2 + 2 * 12 + 4;
    let rationals = maker + 12;
    t.extend(3u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x010F, 2, 11, (maker as u32).to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, (gps as u32).to_le_bytes());
    t.extend(0u32.to_le_bytes());
    // The GPS IFD.
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, (rationals as u32).to_le_bytes());
    t.extend(0u32.to_le_bytes());
    t.extend(b"PhoneMaker\0\0");
    for value in [37u32, 46, 29] {
        t.extend(value.to_le_bytes());
        t.extend(1u32.to_le_bytes());
    }
    t
}

fn app1(tiff: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(tiff);
    segment
}

/// A 300 × 200 PNG, transparent on its left half.
fn transparent_png() -> Vec<u8> {
    let picture = image::RgbaImage::from_fn(300, 200, |x, _| {
        if x < 150 { image::Rgba([0, 0, 0, 0]) } else { image::Rgba([40, 160, 60, 255]) }
    });
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// A 320 × 240 CMYK JPEG (Adobe's inverted CMYK, as Photoshop writes it).
fn cmyk_jpeg() -> Vec<u8> {
    let (width, height) = (320u16, 240u16);
    let mut pixels = Vec::new();
    for _ in 0..u32::from(width) * u32::from(height) {
        // Cyan-free, magenta-free, full yellow: yellow.
        pixels.extend([0u8, 0, 255, 0]);
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90).encode(&pixels, width, height, jpeg_encoder::ColorType::Cmyk).unwrap();
    out
}

fn post(front: &str, body: &str) -> String {
    format!("---\ntitle: Desk tour\ndate: 2025-03-02\nsummary: My desk.\n{front}---\n{body}\n")
}

/// A site with one post: a phone photo as its cover, and in its body a
/// transparent PNG, a WebP, a CMYK JPEG, an SVG and a GIF.
fn photo_site() -> SiteTest {
    let webp = {
        let picture = image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 80]));
        let mut bytes = Cursor::new(Vec::new());
        picture.write_to(&mut bytes, image::ImageFormat::WebP).unwrap();
        bytes.into_inner()
    };
    let gif = {
        let picture = image::RgbaImage::from_pixel(10, 10, image::Rgba([200, 0, 0, 255]));
        let mut bytes = Cursor::new(Vec::new());
        picture.write_to(&mut bytes, image::ImageFormat::Gif).unwrap();
        bytes.into_inner()
    };
    SiteTest::new()
        .file("static/images/desk.jpg", phone_photo())
        .file("static/images/logo.png", transparent_png())
        .file("static/images/lamp.webp", webp)
        .file("static/images/print.jpg", cmyk_jpeg())
        .file("static/images/badge.gif", gif)
        .file("static/images/sketch.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"/>")
        .file("static/images/unused.jpg", phone_photo())
        .file(
            "content/posts/desk.md",
            post(
                "cover: /images/desk.jpg\n",
                "![Our logo](/images/logo.png)\n\n![A lamp](/images/lamp.webp)\n\n![A print](/images/print.jpg)\n\n![A sketch](/images/sketch.svg)\n\n![A badge](/images/badge.gif)\n",
            ),
        )
}

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("a published image decodes")
}

/// Every `<img>` of `page` inside a `<picture>`: (its img, its WebP source).
fn pictures(built: &Built, page: &str) -> Vec<(scraper::ElementRef<'static>, String)> {
    let html: &'static scraper::Html = Box::leak(Box::new(scraper::Html::parse_document(&built.text(page))));
    let selector = Box::leak(Box::new(scraper::Selector::parse("picture").unwrap()));
    let img = Box::leak(Box::new(scraper::Selector::parse("img").unwrap()));
    let source = Box::leak(Box::new(scraper::Selector::parse("source[type='image/webp']").unwrap()));
    html.select(selector)
        .map(|picture| {
            let webp = picture.select(source).next().and_then(|s| s.attr("srcset")).unwrap_or_default().to_owned();
            (picture.select(img).next().expect("an img in every picture"), webp)
        })
        .collect()
}

/// `(url, width)` of each candidate of a `srcset`.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, width) = c.rsplit_once(' ').unwrap();
            (url.to_owned(), width.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

#[test]
fn photos_are_published_at_their_slots_widths_as_webp_with_a_fallback() {
    let built = photo_site().build().ok();
    let all = pictures(&built, "posts/desk/index.html");
    let hero = all.iter().find(|(img, _)| img.attr("class") == Some("hero")).expect("the cover is a picture");
    // Upright, the 600 × 400 photo is 400 × 600: no width above it, never upscaled.
    let webp = candidates(&hero.1);
    assert_eq!(webp.iter().map(|c| c.1).collect::<Vec<_>>(), [400], "{webp:?}");
    let fallback = candidates(hero.0.attr("srcset").unwrap());
    assert_eq!(fallback.iter().map(|c| c.1).collect::<Vec<_>>(), [400]);
    assert!(hero.0.attr("sizes").is_some_and(|s| s.contains("100vw")));
    // The template's display width, with the photo's own proportions: no layout shift.
    assert_eq!((hero.0.attr("width"), hero.0.attr("height")), (Some("1200"), Some("1800")));
    assert_eq!(hero.0.attr("fetchpriority"), Some("high"));
    assert_eq!(hero.0.attr("loading"), None, "the largest paint is not lazy");
    for (url, width) in webp.iter().chain(&fallback) {
        let file = url.trim_start_matches('/');
        let image = decode(&built.bytes(file));
        assert_eq!(image.dimensions(), (*width, width * 3 / 2), "{url}");
    }
    assert!(webp[0].0.ends_with(".webp") && fallback[0].0.ends_with(".jpg"));
    assert!(built.bytes(webp[0].0.trim_start_matches('/')).starts_with(b"RIFF"));

    // Body images: lazy, sizes of the body, the transparent PNG falls back to PNG.
    let body: Vec<_> = all.iter().filter(|(img, _)| img.attr("class").is_none()).collect();
    assert_eq!(body.len(), 3, "png, webp and cmyk jpeg; svg and gif are left as they are");
    for (img, webp) in &body {
        assert_eq!(img.attr("loading"), Some("lazy"));
        assert!(!webp.is_empty());
    }
    let logo = body.iter().find(|(img, _)| img.attr("alt") == Some("Our logo")).unwrap();
    assert!(logo.0.attr("src").unwrap().ends_with(".png"), "{:?}", logo.0.attr("src"));
    assert_eq!((logo.0.attr("width"), logo.0.attr("height")), (Some("300"), Some("200")));
    let lamp = body.iter().find(|(img, _)| img.attr("alt") == Some("A lamp")).unwrap();
    assert_eq!(candidates(&lamp.1).iter().map(|c| c.1).collect::<Vec<_>>(), [640, 800], "body widths up to its own");
    // A CMYK JPEG comes out as ordinary RGB, still yellow.
    let print = body.iter().find(|(img, _)| img.attr("alt") == Some("A print")).unwrap();
    let yellow = decode(&built.bytes(print.0.attr("src").unwrap().trim_start_matches('/'))).to_rgb8();
    let [r, g, b] = yellow.get_pixel(10, 10).0;
    assert!(r > 200 && g > 200 && b < 80, "CMYK yellow came out as {r},{g},{b}");

    // SVG and GIF as written, byte for byte; so is an image no page shows.
    let page = built.text("posts/desk/index.html");
    assert!(page.contains("src=\"/images/sketch.svg\"") && page.contains("src=\"/images/badge.gif\""));
    let site = photo_site();
    for file in ["images/badge.gif", "images/sketch.svg", "images/unused.jpg"] {
        assert_eq!(built.bytes(file), std::fs::read(site.root().join("static").join(file)).unwrap(), "{file}");
    }
}

/// An AVIF's container as far as its size goes: `ftyp`, then `meta` with the
/// image's spatial extent (`ispe`) and, if given, its rotation (`irot`, in
/// quarter turns anticlockwise). No browser draws it; shopfront only reads it.
fn avif_header(width: u32, height: u32, quarter_turns: Option<u8>) -> Vec<u8> {
    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut bytes = u32::try_from(body.len() + 8).unwrap().to_be_bytes().to_vec();
        bytes.extend_from_slice(kind);
        bytes.extend_from_slice(body);
        bytes
    }
    let mut ispe = vec![0; 4];
    ispe.extend_from_slice(&width.to_be_bytes());
    ispe.extend_from_slice(&height.to_be_bytes());
    let mut properties = boxed(b"ispe", &ispe);
    if let Some(turns) = quarter_turns {
        properties.extend(boxed(b"irot", &[turns]));
    }
    let mut meta = vec![0; 4];
    meta.extend(boxed(b"iprp", &boxed(b"ipco", &properties)));
    let mut bytes = boxed(b"ftyp", b"avif\0\0\0\0mif1avif");
    bytes.extend(boxed(b"meta", &meta));
    bytes
}

#[test]
fn images_published_as_they_are_keep_their_place_while_they_load() {
    let gif = {
        let picture = image::RgbaImage::from_pixel(320, 240, image::Rgba([0, 120, 200, 255]));
        let mut bytes = Cursor::new(Vec::new());
        picture.write_to(&mut bytes, image::ImageFormat::Gif).unwrap();
        bytes.into_inner()
    };
    let svg = |size: &str| format!("<svg xmlns=\"http://www.w3.org/2000/svg\" {size} viewBox=\"0 0 8 4\"/>");
    let site = SiteTest::new()
        .file("static/images/dance.gif", gif.clone())
        .file("static/images/shelf.avif", avif_header(1600, 900, None))
        .file("static/images/portrait.avif", avif_header(400, 300, Some(1)))
        .file("static/images/pixels.svg", svg("width=\"40\" height=\"30px\""))
        .file("static/images/print.svg", svg("width=\"2in\" height=\"1in\""))
        .file("static/images/fluid.svg", svg("width=\"100%\""))
        .file("static/images/broken.gif", "GIF89a\x40")
        .file("static/images/lamp.webp", {
            let picture = image::RgbImage::from_pixel(800, 600, image::Rgb([90, 90, 90]));
            let mut bytes = Cursor::new(Vec::new());
            picture.write_to(&mut bytes, image::ImageFormat::WebP).unwrap();
            bytes.into_inner()
        })
        .file(
            "content/posts/desk.md",
            post(
                "cover: /images/dance.gif\n",
                "![Dancing](/images/dance.gif)\n\n![Shelf](/images/shelf.avif)\n\n![Turned](/images/portrait.avif)\n\n\
                 ![Pixels](/images/pixels.svg)\n\n![Print](/images/print.svg)\n\n![Fluid](/images/fluid.svg)\n\n\
                 <img src=\"/images/shelf.avif\" width=\"800\" alt=\"Half\">\n\n\
                 <img src=\"/images/lamp.webp\" height=\"300\" alt=\"Short\">\n\n![Broken](/images/broken.gif)\n",
            ),
        )
        .file("content/posts/shelf.md", "---\ntitle: Shelf\ndate: 2025-01-01\ncover: /images/shelf.avif\n---\nText.\n");
    let built = site.build().ok();
    let page = built.html("posts/desk/index.html");
    let size = |alt: &str| {
        let selector = format!("img[alt='{alt}']");
        (page.attr(&selector, "width"), page.attr(&selector, "height"), page.attr(&selector, "loading"))
    };
    let lazy = || "lazy".to_owned();
    assert_eq!(size("Dancing"), ("320".to_owned(), "240".to_owned(), lazy()));
    assert_eq!(size("Shelf"), ("1600".to_owned(), "900".to_owned(), lazy()));
    assert_eq!(size("Turned"), ("300".to_owned(), "400".to_owned(), lazy()), "a quarter turn swaps the sides");
    assert_eq!(size("Pixels"), ("40".to_owned(), "30".to_owned(), lazy()));
    assert_eq!(size("Print"), ("192".to_owned(), "96".to_owned(), lazy()), "inches at 96 px each");
    assert_eq!(size("Half"), ("800".to_owned(), "450".to_owned(), lazy()), "the asked width, in proportion");
    assert_eq!(size("Short"), ("400".to_owned(), "300".to_owned(), lazy()), "the asked height, in proportion");
    // An SVG sized by its place has no size of its own to reserve.
    assert_eq!(page.attrs("img[alt='Fluid']", "width"), Vec::<String>::new());
    assert_eq!(page.attr("img[alt='Fluid']", "loading"), "lazy");
    assert_eq!(page.attr("img[alt='Dancing']", "decoding"), "async");
    // One whose size cannot be read is published all the same, and named.
    assert_eq!(page.attrs("img[alt='Broken']", "width"), Vec::<String>::new());
    assert_eq!(built.bytes("images/broken.gif"), b"GIF89a\x40");
    let warnings: Vec<String> =
        built.warnings().iter().map(|w| w.render(false)).filter(|w| w.contains("image")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("static/images/broken.gif")
            && warnings[0].contains("cut short")
            && warnings[0].contains("/posts/desk/"),
        "{}",
        warnings[0]
    );
    // Published byte for byte, not as a <picture>: an animation stays one.
    for alt in ["Dancing", "Shelf", "Pixels"] {
        assert!(!page.has(&format!("picture img[alt='{alt}']")), "{alt}");
    }
    assert_eq!(built.bytes("images/dance.gif"), gif);
    assert_eq!(built.bytes("images/shelf.avif"), avif_header(1600, 900, None));
    // A GIF cover's link preview is its first frame, cropped; an AVIF
    // cover's is the page's card.
    let preview = |page: &str| built.html(page).attr("meta[property='og:image']", "content");
    let gif_preview = preview("posts/desk/index.html");
    let file = gif_preview.strip_prefix("https://example.com/").unwrap();
    assert!(file.starts_with("_img/dance-") && file.ends_with(".jpg"), "{gif_preview}");
    let frame = decode(&built.bytes(file)).to_rgb8();
    assert_eq!(frame.dimensions(), (1200, 630));
    let [r, g, b] = frame.get_pixel(600, 300).0;
    assert!(r < 30 && (100..140).contains(&g) && b > 180, "the GIF's blue, not {r},{g},{b}");
    assert!(preview("posts/shelf/index.html").contains("/_img/card-"), "{}", preview("posts/shelf/index.html"));
}

#[test]
fn an_image_tag_in_capitals_is_made_responsive_on_a_page_without_a_link_preview() {
    // Old blogs' raw HTML, in a site template with no Open Graph tags.
    let built = SiteTest::new()
        .file("static/images/desk.jpg", phone_photo())
        .file("content/posts/desk.md", post("", "<IMG SRC=\"/images/desk.jpg\" ALT=\"My desk\">"))
        .file("templates/post.html", "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head><body>{{ page.content | safe }}</body></html>")
        .build()
        .ok();
    let page = built.html("posts/desk/index.html");
    let srcset = page.attr("picture img", "srcset");
    assert!(candidates(&srcset).iter().all(|(url, _)| url.starts_with("/_img/desk-")), "{srcset}");
    assert!(page.attr("picture source[type=\"image/webp\"]", "srcset").contains(".webp"));
    assert!(page.attr("picture img", "src").starts_with("/_img/desk-"));
    assert_eq!(page.attr("picture img", "alt"), "My desk");
}

#[test]
fn published_photos_are_upright_and_carry_no_metadata() {
    let built = photo_site().build().ok();
    let mut files: Vec<String> = walkdir::WalkDir::new(&built.dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().strip_prefix(&built.dir).unwrap().to_string_lossy().into_owned())
        .filter(|p| p.starts_with("_img/") || p == "images/desk.jpg")
        .collect();
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    for file in &files {
        let bytes = built.bytes(file);
        assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "{file} carries EXIF");
        assert!(!bytes.windows(10).any(|w| w == b"PhoneMaker"), "{file} carries the camera maker");
        let mut decoder = ImageReader::new(Cursor::new(&bytes)).with_guessed_format().unwrap().into_decoder().unwrap();
        assert_eq!(decoder.exif_metadata().unwrap(), None, "{file}");
        assert_eq!(decoder.icc_profile().unwrap(), None, "{file}");
    }
    // The original a page shows is replaced by a clean copy at its own address.
    let original = decode(&built.bytes("images/desk.jpg"));
    assert_eq!(original.dimensions(), (400, 600), "turned upright");
    // The red corner, top left as stored, is top right once turned clockwise.
    let upright = original.to_rgb8();
    let [r, _, b] = upright.get_pixel(395, 5).0;
    assert!(r > 150 && b < 100, "top right is {:?}", upright.get_pixel(395, 5));
    let [r, _, b] = upright.get_pixel(5, 5).0;
    assert!(r < 100 && b > 150, "top left is {:?}", upright.get_pixel(5, 5));
}

#[test]
fn every_page_has_a_raster_link_preview() {
    let built = photo_site()
        .file("content/posts/plain.md", "---\ntitle: A post with no picture\ndate: 2025-01-01\n---\nText.\n")
        .file("content/pages/about.md", "---\ntitle: About me\n---\nHello.\n")
        .build()
        .ok();
    let pages = built.html_files();
    assert!(pages.len() > 8, "{pages:?}");
    let mut previews = std::collections::BTreeSet::new();
    for page in &pages {
        let html = built.html(page);
        let og = html.attr("meta[property='og:image']", "content");
        assert_eq!(html.attr("meta[name='twitter:image']", "content"), og, "{page}");
        let file = og.strip_prefix("https://example.com/").unwrap_or_else(|| panic!("{page}: {og}"));
        assert!(file.ends_with(".jpg") || file.ends_with(".png"), "{page}: {og}");
        let image = decode(&built.bytes(file));
        assert_eq!(image.dimensions(), (1200, 630), "{page}: {og}");
        previews.insert(file.to_owned());
    }
    // The cover, a card for each picture-less post and page, and one for the lists.
    let desk = built.html("posts/desk/index.html").attr("meta[property='og:image']", "content");
    assert!(desk.contains("/_img/desk-1200x630."), "{desk}");
    let plain = built.html("posts/plain/index.html").attr("meta[property='og:image']", "content");
    let about = built.html("about/index.html").attr("meta[property='og:image']", "content");
    assert!(plain.contains("/_img/card-") && about.contains("/_img/card-") && plain != about);
    assert_eq!(
        built.html("index.html").attr("meta[property='og:image']", "content"),
        "https://example.com/_img/card.png"
    );
    assert_eq!(previews.len(), 4, "{previews:?}");
}

#[test]
fn the_cache_makes_a_rebuild_free_and_follows_changes() {
    let site = photo_site();
    let first = site.build().ok();
    let report = first.result.as_ref().unwrap();
    assert!(report.images_made > 10, "made {}", report.images_made);
    let page = first.text("posts/desk/index.html");

    // Nothing changed: nothing is made, and the output is the same.
    let index = site.root().join(".shopfront/cache/images/index.json");
    let indexed = std::fs::metadata(&index).unwrap().modified().unwrap();
    let second = site.build().ok();
    let report = second.result.as_ref().unwrap();
    assert_eq!(report.images_made, 0);
    assert!(report.images_reused > 10);
    assert_eq!(second.text("posts/desk/index.html"), page);
    // Nor is the cache walked or written again.
    assert_eq!(std::fs::metadata(&index).unwrap().modified().unwrap(), indexed, "the cache's index was rewritten");

    // Another output folder: everything comes from the cache.
    let elsewhere = site.build_with(|o| o.output = Some(site.root().join("elsewhere"))).ok();
    assert_eq!(elsewhere.result.as_ref().unwrap().images_made, 0);

    // A damaged cache entry is made again, never published.
    let cache = site.root().join(".shopfront/cache/images");
    for entry in walkdir::WalkDir::new(&cache).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        if entry.file_name() != "index.json" {
            std::fs::write(entry.path(), b"garbage").unwrap();
        }
    }
    let repaired = site.build_with(|o| o.output = Some(site.root().join("third"))).ok();
    assert!(repaired.result.as_ref().unwrap().images_made > 10);
    let hero =
        pictures(&repaired, "posts/desk/index.html").into_iter().find(|(img, _)| img.attr("class") == Some("hero"));
    let src = hero.unwrap().0.attr("src").unwrap().trim_start_matches('/').to_owned();
    assert_eq!(decode(&repaired.bytes(&src)).dimensions(), (400, 600));

    // A changed photo gets new files under new names.
    let site = site.file("static/images/desk.jpg", jpeg(900, 600));
    let changed = site.build().ok();
    assert!(changed.result.as_ref().unwrap().images_made >= 2);
    let after = changed.text("posts/desk/index.html");
    assert_ne!(after, page);
    let hero =
        pictures(&changed, "posts/desk/index.html").into_iter().find(|(img, _)| img.attr("class") == Some("hero"));
    let webp = candidates(&hero.unwrap().1);
    assert_eq!(webp.iter().map(|c| c.1).collect::<Vec<_>>(), [640, 900]);
}

#[test]
fn a_published_image_replaced_by_hand_with_its_old_timestamp_is_put_right() {
    let site = photo_site();
    let first = site.build().ok();
    let hero = pictures(&first, "posts/desk/index.html").into_iter().find(|(img, _)| img.attr("class") == Some("hero"));
    let variant = site.root().join("public").join(candidates(&hero.unwrap().1)[0].0.trim_start_matches('/'));
    let published = std::fs::read(&variant).unwrap();
    // Past the clock tick of the commit, so that only the file's status
    // tells the change apart, not its contents.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let before = std::fs::metadata(&variant).unwrap().modified().unwrap();
    std::fs::write(&variant, vec![b'x'; published.len()]).unwrap();
    std::fs::File::options().write(true).open(&variant).unwrap().set_modified(before).unwrap();
    let second = site.build().ok();
    assert_eq!(second.result.as_ref().unwrap().images_made, 0, "taken from the cache, not made again");
    assert_eq!(std::fs::read(&variant).unwrap(), published);
}

#[test]
#[cfg(unix)]
fn an_image_replaced_by_one_of_the_same_size_and_timestamp_is_read_again() {
    // The `<img>` of the sketch, as the post shows it.
    fn sketch(built: &Built) -> String {
        let page = built.text("posts/desk/index.html");
        let at = page.find(r#"src="/images/sketch.svg""#).unwrap();
        let start = page[..at].rfind('<').unwrap();
        page[start..start + page[start..].find('>').unwrap()].to_owned()
    }
    let site = photo_site();
    let first = sketch(&site.build().ok());
    assert!(first.contains(r#"width="40""#) && first.contains(r#"height="30""#), "{first}");
    // Only touched: read again, but no page changes, so none is rendered.
    let file = site.root().join("static/images/sketch.svg");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(before + std::time::Duration::from_secs(60))
        .unwrap();
    let touched = site.build().ok();
    assert_eq!(touched.result.as_ref().unwrap().rendered.rendered, 0);
    // Other bytes of the same length, with the old modification time put
    // back, as `cp -p`, `rsync -a` and `touch -r` leave a file.
    let site =
        site.file("static/images/sketch.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"40\"/>");
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(before).unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 64);
    let second = sketch(&site.build().ok());
    assert!(second.contains(r#"width="30""#) && second.contains(r#"height="40""#), "{second}");
    // The cache's index keeps only what it knows of the latest version.
    let index = std::fs::read(site.root().join(".shopfront/cache/images/index.json")).unwrap();
    let index = String::from_utf8_lossy(&index);
    assert_eq!(index.matches("sketch.svg|").count(), 1, "{index}");
}

#[test]
fn a_broken_image_is_an_error_naming_the_file_and_the_page() {
    let whole = jpeg(400, 300);
    // A frame header that says 30,000 × 30,000 pixels: 2.7 GB decoded.
    let mut huge = jpeg(16, 16);
    let frame = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    huge[frame + 5..frame + 9].copy_from_slice(&[0x75, 0x30, 0x75, 0x30]);
    let site = SiteTest::new()
        .edit("profile.toml", |p| p.replace("https://example.com", "https://mia.test"))
        .file("static/images/cut.jpg", &whole[..whole.len() / 2])
        .file("static/images/fake.png", "not a picture")
        .file("static/images/huge.jpg", &huge)
        .file("static/images/empty.jpg", "")
        .file(
            "content/posts/desk.md",
            post(
                "cover: /images/cut.jpg\n",
                "![A fake](/images/fake.png)\n\n![Big](/images/huge.jpg) ![](/images/empty.jpg)\n",
            ),
        );
    let built = site.build();
    let errors: Vec<String> = built.errors().iter().map(|d| d.render(false)).collect();
    let cut = errors.iter().find(|e| e.contains("static/images/cut.jpg")).unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(cut.contains("truncated") && cut.contains("/posts/desk/"), "{cut}");
    let fake = errors.iter().find(|e| e.contains("static/images/fake.png")).unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(fake.contains("cannot read this image") && fake.contains("/posts/desk/"), "{fake}");
    // A picture too large to decode is refused from its header, saying how large it is.
    let huge = errors.iter().find(|e| e.contains("static/images/huge.jpg")).unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(huge.contains("30000 × 30000 pixels (900 megapixels)") && huge.contains("smaller copy"), "{huge}");
    let empty = errors.iter().find(|e| e.contains("static/images/empty.jpg")).unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(empty.contains("the file is empty"), "{empty}");
    // `check` finds it too.
    let findings = site.check_json().findings;
    assert!(findings.iter().any(|f| f["code"] == "image" && f["file"] == "static/images/cut.jpg"), "{findings:#?}");
}

/// A phone's HEIC photo, a scanner's TIFF or a camera's RAW file shows as
/// a broken picture in Chrome and Firefox (Safari shows some): each place
/// that shows one is a warning that says how to fix it, and a plain link to
/// the file is fine. The site still builds, with the file as it is.
#[test]
fn a_photo_browsers_cannot_show_is_named_where_it_is_shown() {
    let site = SiteTest::new()
        .file("static/images/IMG_0042.HEIC", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic")
        .file("static/images/scan.tiff", b"II*\0")
        .file("static/images/me.heic", b"\0\0\0\x18ftypheic")
        .file("static/images/desk.jpg", jpeg(400, 300))
        .edit("profile.toml", |p| p.replacen("\n\n[site]", "\navatar = \"images/me.heic\"\n\n[site]", 1))
        .file(
            "content/posts/desk.md",
            post(
                "cover: /images/IMG_0042.HEIC\n",
                "![Scanned](/images/scan.tiff)\n\n<img src=\"/images/IMG_0042.HEIC\" alt=\"desk\">\n\n\
[The original photo](/images/IMG_0042.HEIC), and ![a JPEG](/images/desk.jpg)\n",
            ),
        );
    let built = site.build().ok();
    assert!(built.exists("images/IMG_0042.HEIC"));
    // A link preview never is one: the page's card stands in.
    let preview = built.html("posts/desk/index.html").attr("meta[property='og:image']", "content");
    assert!(preview.contains("/_img/card-") && preview.ends_with(".jpg"), "{preview}");
    let warnings: Vec<(String, Option<usize>, String)> = built
        .warnings()
        .iter()
        .filter(|d| d.code == shopfront::diagnostics::Code::Image)
        .map(|d| (d.path.as_ref().map_or(String::new(), |p| p.display().to_string()), d.line, d.render(false)))
        .collect();
    let at = |file: &str, line: usize, what: &str| {
        assert!(
            warnings.iter().any(|(f, l, text)| f == file
                && *l == Some(line)
                && text.contains(what)
                && text.contains("which most browsers cannot show")
                && text.contains("export it as JPEG")),
            "no warning about {what} at {file}:{line} in {warnings:#?}"
        );
    };
    at("content/posts/desk.md", 5, "HEIC photo");
    at("content/posts/desk.md", 7, "TIFF image");
    at("content/posts/desk.md", 9, "HEIC photo");
    let avatar_line = std::fs::read_to_string(site.root().join("profile.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("avatar"))
        .unwrap();
    at("profile.toml", avatar_line + 1, "the avatar");
    assert_eq!(warnings.len(), 4, "the link to the photo and the JPEG are fine: {warnings:#?}");
}

#[test]
fn remote_images_stay_remote_and_large_originals_are_named() {
    let site = SiteTest::new().file("static/images/wide.jpg", jpeg(8_200, 8)).file(
        "content/posts/desk.md",
        post("", "![Wide](/images/wide.jpg)\n\n![Remote](https://images.example.org/a.jpg)\n\n![](/images/wide.jpg)\n"),
    );
    let built = site.build().ok();
    let page = built.text("posts/desk/index.html");
    assert!(page.contains("src=\"https://images.example.org/a.jpg\""), "a remote image is never fetched");
    let warnings: Vec<String> = built.warnings().iter().map(|d| d.render(false)).collect();
    assert!(
        warnings.iter().any(|w| w.contains("static/images/wide.jpg") && w.contains("very large") && w.contains("8200")),
        "{warnings:#?}"
    );
    let no_alt =
        built.warnings().iter().find(|d| d.code == shopfront::diagnostics::Code::NoAlt).expect("no-alt warning");
    assert_eq!((no_alt.line, no_alt.column), (Some(10), Some(1)), "{no_alt:?}");
}

#[test]
fn a_theme_gives_its_slots_other_widths() {
    let built = photo_site()
        .file("themes/mine/theme.toml", "name = \"mine\"\n[images.hero]\nwidths = [200, 300]\nsizes = \"50vw\"\n")
        .file("themes/mine/static/style.css", "body { margin: 0 }\n")
        .edit("profile.toml", |p| p.replace("[site]\n", "[site]\ntheme = \"mine\"\n"))
        .build()
        .ok();
    let hero = pictures(&built, "posts/desk/index.html").into_iter().find(|(img, _)| img.attr("class") == Some("hero"));
    let (img, webp) = hero.expect("base's post template shows the cover");
    assert_eq!(candidates(&webp).iter().map(|c| c.1).collect::<Vec<_>>(), [200, 300]);
    assert_eq!(img.attr("sizes"), Some("50vw"));
}
