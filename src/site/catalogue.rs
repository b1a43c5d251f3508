//! The product catalogue: products defined once in `data/products.toml`
//! (`[[products]]` tables), `data/products.yaml` (a `products:` list, or a
//! list) or `data/products.csv` (a header row of the same keys; `pros` and
//! `cons` split at `|`), each with an `id` and the keys a front-matter
//! product has. Posts and collections name them by id (`products: [k669b]`,
//! or `{ id: k669b, badge: "Best budget pick" }` to change a key for one
//! post; `{{ product("k669b") }}` works without listing it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::products::{self, Product, ProductContext};
use crate::content::front_matter::{ProductInput, StringList, Text};
use crate::content::{Document, Kind, SourceFile};
use crate::diagnostics::{Code, Diagnostic, FileFindings};
use crate::links::LinkPolicy;

/// Where the catalogue lives, inside the site.
pub const DATA_DIR: &str = "data";
/// The catalogue's file names, one of which a site may have.
const FILES: [&str; 4] = ["products.toml", "products.yaml", "products.yml", "products.csv"];

/// The site's catalogue (empty when it has none).
#[derive(Debug, Default)]
pub struct Catalogue {
    /// Each product as written (images made site-absolute), for posts that
    /// change some of its keys.
    inputs: Vec<ProductInput>,
    /// Each product, checked and resolved.
    pub products: Vec<Arc<Product>>,
    /// Index into both by id.
    index: FxHashMap<String, usize>,
    /// Index into both by ASIN (upper case), for a post that names a
    /// catalogue product by its ASIN.
    by_asin: FxHashMap<String, usize>,
    /// See [`Catalogue::fingerprint`].
    fingerprint: u64,
    /// Whether the file had errors: a product a post names may be one of
    /// those, already reported.
    pub failed: bool,
}

impl Catalogue {
    /// The product a post names `wanted`: by id, else by ASIN.
    pub fn find(&self, wanted: &str) -> Option<usize> {
        let wanted = wanted.trim();
        self.index.get(wanted).or_else(|| self.by_asin.get(&wanted.to_ascii_uppercase())).copied()
    }

    /// The catalogue's entry `i` as written.
    pub fn input(&self, i: usize) -> &ProductInput {
        &self.inputs[i]
    }

    /// A hash of what was read, so that a change to the file is a change to every post.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Whether there are no products.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// The catalogue files a site has (more than one is an error).
    pub fn file(root: &Path) -> Vec<PathBuf> {
        FILES.iter().map(|name| root.join(DATA_DIR).join(name)).filter(|p| p.exists()).collect()
    }
}

/// Reads and checks the site's catalogue: its images are found as a page at
/// the site's root finds them (`static_files` as in [`super::Inputs`]).
pub fn load(
    root: &Path,
    links: &LinkPolicy,
    marketplace: &str,
    static_files: &std::collections::HashSet<String>,
    static_complete: bool,
) -> (Catalogue, Vec<Diagnostic>) {
    let mut catalogue = Catalogue::default();
    let files = Catalogue::file(root);
    let Some(path) = files.first() else { return (catalogue, Vec::new()) };
    let display = crate::diagnostics::display_path(root, path);
    if files.len() > 1 {
        let names: Vec<String> =
            files.iter().map(|f| crate::diagnostics::display_path(root, f).display().to_string()).collect();
        let error =
            Diagnostic::error(Code::Product, format!("the catalogue is in {}: keep one of them", names.join(" and ")))
                .at(&display);
        catalogue.failed = true;
        return (catalogue, vec![error]);
    }
    let read = crate::fs::SiteRoot::new(root).read(path, crate::fs::MAX_FILE_BYTES).and_then(|bytes| {
        String::from_utf8(bytes).map_err(|_| Box::new(Diagnostic::error(Code::Read, "not UTF-8 text").at(&display)))
    });
    let text = match read {
        Ok(text) => text.replace("\r\n", "\n"),
        Err(error) => {
            catalogue.failed = true;
            return (catalogue, vec![*error]);
        }
    };
    catalogue.fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        hasher.finish()
    };
    let parsed = match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => parse_toml(&text),
        Some("csv") => parse_csv(&text),
        _ => parse_yaml(&text),
    };
    let inputs = match parsed {
        Ok(inputs) => inputs,
        Err((message, offset)) => {
            catalogue.failed = true;
            let hint = crate::diagnostics::unknown_field_hint(&message);
            let error = Diagnostic::error(Code::Product, message).at(&display);
            let error = match hint {
                Some(hint) => error.with_hint(hint),
                None => error,
            };
            let error = match offset {
                Some(offset) => error.with_offset(&text, offset),
                None => error,
            };
            return (catalogue, vec![error]);
        }
    };
    // The file as a document all of whose text is "front matter", so that a
    // product's problems point at its line as a post's do.
    let document = Document {
        source: SourceFile { path: path.clone(), display: display.clone(), kind: Kind::Page, bundle: None },
        body_offset: text.len(),
        text,
        front_matter: Default::default(),
        has_front_matter: true,
        front_matter_line: 1,
        lines: Default::default(),
    };
    let unviewable = super::Unviewable::default();
    let resolve = |reference: &str| {
        let at_root = if reference.contains("://") {
            reference.to_owned()
        } else {
            format!("/{}", reference.trim_start_matches('/'))
        };
        super::resolve_asset(&at_root, &document, "/", links, static_files, static_complete)
            .inspect(|_| unviewable.note(reference))
    };
    let cx = ProductContext { document: &document, links, marketplace, resolve_image: &resolve };
    let mut findings = FileFindings::new(Some(display));
    for mut input in inputs {
        let id = input.id.as_ref().map(|id| id.0.trim().to_owned()).unwrap_or_default();
        if id.is_empty() {
            let name = input.name.0.clone();
            findings.push(document.at_front_matter(
                Diagnostic::error(
                    Code::Product,
                    format!("catalogue product `{name}` needs an `id` for posts to name it by"),
                ),
                if name.is_empty() { "name" } else { &name },
            ));
            continue;
        }
        if catalogue.index.contains_key(&id) {
            // At the second product's id: the next mention after the first product's.
            let first = document.text.find(&id).unwrap_or(0);
            let second = document.text[first + id.len()..].find(&id).map_or(first, |at| first + id.len() + at);
            let error = Diagnostic::error(Code::Product, format!("two catalogue products have the id `{id}`"))
                .at(&document.source.display)
                .with_offset(&document.text, second);
            findings.push(error.with_hint("give each product its own id"));
            continue;
        }
        // A post at any address shows the picture the catalogue names.
        if let Some(image) = &mut input.image
            && !image.0.contains("://")
            && !image.0.starts_with('/')
        {
            image.0 = format!("/{}", image.0.trim());
        }
        let Some(product) = products::resolve(&input, &cx, &mut findings) else { continue };
        let at = catalogue.inputs.len();
        catalogue.index.insert(id, at);
        if let Some(asin) = &product.asin {
            catalogue.by_asin.entry(asin.clone()).or_insert(at);
        }
        catalogue.inputs.push(input);
        catalogue.products.push(Arc::new(product));
    }
    for warning in unviewable.warnings(&document) {
        findings.push(warning);
    }
    let findings = findings.into_vec();
    catalogue.failed |= findings.iter().any(Diagnostic::is_error);
    (catalogue, findings)
}

/// `[[products]]` tables.
fn parse_toml(text: &str) -> Result<Vec<ProductInput>, (String, Option<usize>)> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        products: Vec<ProductInput>,
    }
    toml::from_str::<File>(text)
        .map(|file| file.products)
        .map_err(|err| (err.message().to_owned(), err.span().map(|span| span.start)))
}

/// A `products:` list, or a list.
fn parse_yaml(text: &str) -> Result<Vec<ProductInput>, (String, Option<usize>)> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        products: Vec<ProductInput>,
    }
    let options = || serde_saphyr::options! { strict_booleans: true };
    // A top-level list, else a `products:` list; a mistake is reported as
    // the form the file starts with reads it.
    let is_list =
        text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).is_some_and(|l| l.starts_with('-'));
    let read = if is_list {
        serde_saphyr::from_str_with_options::<Vec<ProductInput>>(text, options())
    } else {
        serde_saphyr::from_str_with_options::<File>(text, options()).map(|file| file.products)
    };
    read.map_err(|err| {
        let offset = err.location().map(|l| {
            let line =
                text.split_inclusive('\n').take((l.line() as usize).saturating_sub(1)).map(str::len).sum::<usize>();
            line + (l.column() as usize).saturating_sub(1)
        });
        (crate::content::front_matter::yaml_message(&err), offset)
    })
}

/// A header row of product keys, then one product a row.
fn parse_csv(text: &str) -> Result<Vec<ProductInput>, (String, Option<usize>)> {
    const KEYS: [&str; 13] = [
        "id",
        "name",
        "asin",
        "marketplace",
        "url",
        "image",
        "badge",
        "rating",
        "pros",
        "cons",
        "note",
        "price",
        "brand",
    ];
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|err| (format!("cannot read the header row: {err}"), Some(0)))?.clone();
    for header in &headers {
        if !KEYS.contains(&header) {
            let hint = crate::diagnostics::closest(header, KEYS)
                .map_or_else(|| format!("the columns are {}", KEYS.join(", ")), |k| format!("did you mean `{k}`?"));
            return Err((format!("unknown column `{header}` ({hint})"), Some(0)));
        }
    }
    let mut products = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| {
            let offset = err.position().map(|p| p.byte() as usize);
            (format!("cannot read this row: {err}"), offset)
        })?;
        let offset = record.position().map(|p| p.byte() as usize);
        let get = |key: &str| {
            headers
                .iter()
                .position(|h| h == key)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let text = |key: &str| get(key).map(Text);
        let list = |key: &str| {
            StringList::from_vec(
                get(key)
                    .map(|v| v.split('|').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                    .unwrap_or_default(),
            )
        };
        let rating = match get("rating") {
            Some(value) => Some(
                value
                    .parse::<f64>()
                    .map_err(|_| (format!("`rating` `{value}` is not a number (your own score, 0–5)"), offset))?,
            ),
            None => None,
        };
        products.push(ProductInput {
            name: text("name").unwrap_or_default(),
            id: text("id"),
            asin: text("asin"),
            marketplace: text("marketplace"),
            url: text("url"),
            image: text("image"),
            badge: text("badge"),
            rating,
            pros: list("pros"),
            cons: list("cons"),
            note: text("note"),
            price: text("price"),
            brand: text("brand"),
            ..ProductInput::default()
        });
    }
    Ok(products)
}
