//! The affiliate link rule engine: one URL in, the URL to write into the
//! page plus facts about it out. Pure: no I/O, no clock, no global state;
//! the same input always gives the same output.
//!
//! Everything that writes a link (Markdown links and autolinks, `<a href>` in
//! raw HTML, product-card buttons, the templates' `affiliate` filter) calls
//! [`rewrite`](fn@rewrite) with the creator's [`Rules`]. For each link:
//!
//! 1. **Trim and classify.** Surrounding whitespace and control characters
//!    go. The scheme is read the way a browser would, only more suspiciously:
//!    case-folded, with tabs, newlines and other control characters ignored,
//!    so `JaVa\tScRiPt:` is seen for what it is. HTML entities are the
//!    caller's job: it passes the decoded attribute value.
//! 2. **Internal links** (relative, `/root-relative`, `#fragment`, `?query`,
//!    empty) and `mailto:`/`tel:` come back untouched. Every other scheme
//!    except `http(s)` is [`LinkKind::Unsafe`]; the caller reports it as an
//!    error and the returned href is a harmless `#`.
//! 3. **Web links** (`http(s)://…` and protocol-relative `//…`, read as
//!    https): the host is picked out cheaply first; a host that is plainly no
//!    affiliate's comes back byte for byte, without parsing or allocating.
//!    Anything else is parsed with `url` (WHATWG rules: userinfo, `\`,
//!    IDNA, percent-encoded hosts), so `https://amazon.com@evil.example/`
//!    is `evil.example`, as in a browser.
//! 4. **Amazon** store hosts get the marketplace's own tag on a canonical URL
//!    (the `amazon` module documents the exact shapes); Amazon's short links
//!    are kept and flagged. **Programs** get their parameters or template;
//!    an affiliate network's tracking link (`hosts::affiliate_network`) is
//!    kept as written and is a program link too, so it is disclosed.
//!    Amazon is tried first, so a program listing an Amazon host cannot wrap
//!    Amazon links (Amazon forbids redirects). An Amazon link that cannot be
//!    tagged (no tag for its marketplace) is left exactly as written.
//!    Without `[affiliate.amazon]` at all, an untagged Amazon link is a plain
//!    [`LinkKind::External`] link; one that already carries a `tag=` is kept
//!    and still counted as affiliate, so it gets disclosed.
//!
//! Findings a creator should act on come back as [`LinkWarning`]s on every
//! link they concern; de-duplicating them across a site (the spec's "warned
//! about once per site" for short links) is the caller's job.
//!
//! On top of the pure engine, [`LinkPolicy`] is what the rest of shopfront
//! calls: it carries the site's rules and its sub-path, turns unsafe
//! schemes into errors, and gives root-relative links the sub-path.

mod amazon;
mod hosts;
mod outcome;
mod policy;
mod programs;
mod query;
mod rewrite;
mod rules;

pub use amazon::{is_sample_asin, product_url, sample_asin_in};
pub use hosts::{
    Redirector, expected_tag_suffix, is_amazon_ad_host, is_amazon_ad_url, is_amazon_host, is_amazon_image,
    marketplace_of_host, marketplaces, on_domain, redirector, short_link_host, web_host,
};
pub use outcome::{LinkKind, LinkWarning, Rewrite};
pub use policy::{AFFILIATE_REL, Link, LinkPolicy, PLAIN_REL, UnsafeLink, under_base_path};
pub use rewrite::rewrite;
pub use rules::{AmazonRules, ProgramAction, ProgramRule, Rules, Statement, Statements};
