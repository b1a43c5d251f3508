//! Other affiliate programs, from `[[affiliate.programs]]`: a link whose
//! host belongs to a program either gets the program's query parameters
//! (existing ones of the same name replaced, everything else kept, fragment
//! included) or is wrapped in the program's template URL.

use std::borrow::Cow;

use url::Url;

use super::outcome::{LinkKind, Rewrite};
use super::query;
use super::rules::{ProgramAction, ProgramRule};

/// The first program with a host matching `host`: equal ignoring ASCII
/// case, a trailing root `.` and a leading `www.` on either side.
pub(super) fn find<'r>(host: &str, programs: &'r [ProgramRule]) -> Option<&'r ProgramRule> {
    let host = bare(host);
    programs.iter().find(|program| program.hosts.iter().any(|h| bare(h).eq_ignore_ascii_case(host)))
}

/// Applies `program` to `url`; `original` is the absolute URL as the creator
/// wrote it, which a template wraps.
pub(super) fn apply(original: &str, mut url: Url, program: &ProgramRule) -> Rewrite<'static> {
    let href = match &program.action {
        ProgramAction::Params(params) => {
            let mut query = String::new();
            for param in query::params(url.query().unwrap_or("")) {
                if !params.iter().any(|(name, _)| *name == param.key) {
                    query.push_str(param.raw);
                    query.push('&');
                }
            }
            for (name, value) in params {
                query::push_encoded(&mut query, name);
                query.push('=');
                query::push_encoded(&mut query, value);
                query.push('&');
            }
            query.pop();
            url.set_query((!query.is_empty()).then_some(query.as_str()));
            String::from(url)
        }
        ProgramAction::Template(template) => {
            let mut encoded = String::with_capacity(original.len() * 2);
            query::push_encoded(&mut encoded, original);
            template.replace("{url}", &encoded)
        }
    };
    Rewrite { href: Cow::Owned(href), kind: LinkKind::Program { name: program.name.clone() }, warnings: Vec::new() }
}

fn bare(host: &str) -> &str {
    let host = host.strip_suffix('.').unwrap_or(host);
    match host.get(..4) {
        Some(www) if www.eq_ignore_ascii_case("www.") => &host[4..],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(hosts: &[&str], action: ProgramAction) -> ProgramRule {
        ProgramRule {
            name: "P".to_owned(),
            hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            action,
            statement: None,
        }
    }

    #[test]
    fn host_matching() {
        let programs = [program(&["shop.example.com", "www.other.example"], ProgramAction::Params(vec![]))];
        let rows: &[(&str, bool)] = &[
            ("shop.example.com", true),
            ("SHOP.Example.COM", true),
            ("www.shop.example.com", true),
            ("shop.example.com.", true),
            ("other.example", true),
            ("www.other.example", true),
            ("blog.shop.example.com", false),
            ("example.com", false),
            ("shop.example.com.evil.example", false),
            ("www.", false),
            ("", false),
        ];
        for (host, want) in rows {
            assert_eq!(find(host, &programs).is_some(), *want, "{host}");
        }
    }

    #[test]
    fn params_without_query_and_empty_params() {
        let empty = program(&["a.example"], ProgramAction::Params(vec![]));
        let url = Url::parse("https://a.example/p?").ok();
        let got = url.map(|u| apply("", u, &empty).href.into_owned());
        assert_eq!(got.as_deref(), Some("https://a.example/p"));
    }

    #[test]
    fn template_replaces_every_placeholder() {
        let twice = program(&["a.example"], ProgramAction::Template("https://t.example/{url}?again={url}".to_owned()));
        let url = Url::parse("https://a.example/?q=1").ok();
        let got = url.map(|u| apply("https://a.example/?q=1", u, &twice).href.into_owned());
        assert_eq!(
            got.as_deref(),
            Some("https://t.example/https%3A%2F%2Fa.example%2F%3Fq%3D1?again=https%3A%2F%2Fa.example%2F%3Fq%3D1")
        );
    }
}
