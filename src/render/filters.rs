//! The filters and functions templates get besides Tera's own: `affiliate`
//! and `link_rel` (every link through the site's link policy), `url` (a
//! path under the site's sub-path) and `date`.

use tera::{Kwargs, State, Tera};

use crate::site::Site;

/// Registers them on `tera` for `site`.
pub(super) fn register(tera: &mut Tera, site: &Site) {
    let policy = site.links.clone();
    tera.register_filter("affiliate", move |value: &str, _: Kwargs, _: &State| -> tera::TeraResult<String> {
        match policy.route(value) {
            Ok(link) => Ok(link.href.into_owned()),
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
