//! The filters and functions templates get besides Tera's own: `affiliate`
//! and `link_rel` (every link through the site's link policy), `url` (a
//! path under the site's sub-path) and `date`.

use std::cell::RefCell;

use tera::{Kwargs, State, Tera};

use crate::links::Statements;
use crate::site::Site;

/// What the `affiliate` filter wrote into the page a thread is rendering.
#[derive(Default)]
struct Filtered {
    /// Whether it wrote an affiliate link.
    affiliate: bool,
    /// The statements of their programs.
    statements: Statements,
}

thread_local! {
    /// What the `affiliate` filter wrote into the page this thread is
    /// rendering, when one is ([`watching`]).
    static FILTERED: RefCell<Option<Filtered>> = const { RefCell::new(None) };
}

/// Runs `render` and returns, with what it returns, the statements of the
/// affiliate links the `affiliate` filter wrote while it ran, if it wrote
/// any: a template that writes one needs the disclosure even on a page
/// whose data has none.
pub(super) fn watching<T>(render: impl FnOnce() -> T) -> (T, Option<Statements>) {
    FILTERED.with(|f| *f.borrow_mut() = Some(Filtered::default()));
    let rendered = render();
    let filtered = FILTERED.with(|f| f.borrow_mut().take()).unwrap_or_default();
    (rendered, filtered.affiliate.then_some(filtered.statements))
}

/// Registers them on `tera` for `site`.
pub(super) fn register(tera: &mut Tera, site: &Site) {
    let policy = site.links.clone();
    tera.register_filter("affiliate", move |value: &str, _: Kwargs, _: &State| -> tera::TeraResult<String> {
        match policy.route(value) {
            Ok(link) => {
                if link.is_affiliate() {
                    FILTERED.with(|f| {
                        if let Some(found) = f.borrow_mut().as_mut() {
                            found.affiliate = true;
                            found.statements.extend(link.statement.clone());
                        }
                    });
                }
                Ok(link.href.into_owned())
            }
            Err(err) => Err(tera::Error::message(err.to_string())),
        }
    });
    let policy = site.links.clone();
    tera.register_filter("link_rel", move |value: &str, _: Kwargs, _: &State| -> String {
        policy.route(value).ok().and_then(|link| link.rel()).unwrap_or(crate::links::PLAIN_REL).to_owned()
    });
    let base_path = site.settings.base_path.clone();
    tera.register_function("url", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let path: String = kwargs.must_get("path")?;
        let href = format!("/{}", path.trim_start_matches('/'));
        Ok(match crate::links::under_base_path(&base_path, &href) {
            std::borrow::Cow::Borrowed(_) => href,
            std::borrow::Cow::Owned(prefixed) => prefixed,
        })
    });
    tera.register_filter("date", |value: &str, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let format: String = kwargs.get("format")?.unwrap_or_else(|| "%Y-%m-%d".to_owned());
        // The local date and time as written; the offset does not move the day shown.
        let local = value.get(..19).unwrap_or(value).replace(' ', "T");
        let parsed: jiff::civil::DateTime = local
            .parse()
            .or_else(|_| value.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
            .map_err(|e| tera::Error::message(format!("`{value}` is not a date: {e}")))?;
        Ok(parsed.strftime(&format).to_string())
    });
}
