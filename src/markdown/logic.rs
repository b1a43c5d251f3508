//! Liquid logic in posts written for Jekyll: `{% assign %}`, `{% capture %}`,
//! `{% if %}`, `{% unless %}`, `{% case %}`, `{% for %}`, `{% tablerow %}`
//! and `{% comment %}`, run with the `liquid` crate before the tag pass
//! reads the rest of the post, as Jekyll runs Liquid before Markdown.
//!
//! Each stretch of logic (a top-level block with everything inside it, an
//! `assign`, or `{{ x }}` of an assigned `x`) is run on its own, with `site` and `page` as the tag pass
//! knows them and the `assign`s and `capture`s before it, and its output
//! takes its place. A stretch Liquid cannot run (a tag or filter it does
//! not know inside, a variable the post does not have) stays as written,
//! and the tag pass shows its tags with a warning, as before. Fenced code
//! and `{% raw %}` are left alone. Positions in the output map back to the
//! start of the stretch they came from ([`Ran::original`]).

use std::cell::Cell;
use std::sync::{Once, OnceLock};

use liquid_core::model::ScalarCow;
use liquid_core::{Display_filter, Filter, FilterReflection, ParseFilter, Runtime, Value, ValueView};

use super::shortcodes::fence_marker;
use super::tags::Variables;

/// Blocks that open a stretch of logic, each closed by `end` + its name.
const BLOCKS: [&str; 7] = ["if", "unless", "case", "for", "tablerow", "capture", "comment"];
/// Tags that are a stretch on their own.
const SINGLES: [&str; 3] = ["assign", "increment", "decrement"];

/// A body with its logic run.
#[derive(Debug)]
pub(super) struct Ran {
    /// The body, each stretch of logic replaced by its output.
    pub(super) text: String,
    /// Where each piece of `text` starts, where it comes from in the body,
    /// and whether it is a stretch's output (every position in it maps to
    /// the stretch's start).
    pieces: Vec<(usize, usize, bool)>,
}

impl Ran {
    /// The offset in the body as written of `at` in [`Ran::text`].
    pub(super) fn original(&self, at: usize) -> usize {
        let piece = self.pieces.partition_point(|&(start, _, _)| start <= at).saturating_sub(1);
        match self.pieces.get(piece) {
            Some(&(start, from, false)) => from + (at - start),
            Some(&(_, from, true)) => from,
            None => at,
        }
    }
}

thread_local! {
    /// Whether this thread is inside [`quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// `run()`, or `None` if it panics, without the panic's message: a post
/// Liquid's parser cannot take is the creator's to fix, reported as a
/// warning at its line, not a program's crash printed in the terminal. Any
/// other panic, on any thread, is reported as before.
fn quietly<T>(run: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A panic while the thread's locals are dropped is reported too.
            if !QUIET.try_with(Cell::get).unwrap_or(false) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|quiet| quiet.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
    QUIET.with(|quiet| quiet.set(was));
    result.ok()
}

/// Runs the logic of `body`; `None` when it has none that could be run.
pub(super) fn run(body: &str, variables: &Variables) -> Option<Ran> {
    if !has_logic(body) {
        return None;
    }
    let stretches = stretches(body);
    if stretches.is_empty() {
        return None;
    }
    let parser = parser()?;
    let globals = {
        let value = serde_json::json!({ "site": variables.site, "page": variables.page });
        liquid::to_object(&value).ok()?
    };
    let mut ran = Ran { text: String::with_capacity(body.len()), pieces: Vec::new() };
    let mut prelude = String::new();
    let mut copied = 0;
    for (start, end, name) in stretches.into_iter().take(MAX_STRETCHES) {
        let source = &body[start..end];
        if !ranges_are_small(source) {
            continue;
        }
        if prelude.len() > MAX_PRELUDE {
            // Each stretch runs after every `assign` before it: past this,
            // the rest of a post of thousands stays as written.
            break;
        }
        let mut output = Capped(Vec::new());
        // Liquid's parser panics on some broken tags (`{% comment %}{%{% raw %}`):
        // such a stretch stays as written, like any Liquid cannot run.
        let ran_ok = quietly(|| {
            parser
                .parse(&format!("{prelude}{source}"))
                .and_then(|template| template.render_to(&mut output, &globals))
                .is_ok()
        })
        .unwrap_or(false);
        let Some(output) = ran_ok.then(|| String::from_utf8(output.0).ok()).flatten() else { continue };
        if matches!(name, "assign" | "capture") {
            prelude.push_str(source);
        }
        ran.pieces.push((ran.text.len(), copied, false));
        ran.text.push_str(&body[copied..start]);
        ran.pieces.push((ran.text.len(), start, true));
        ran.text.push_str(&output);
        copied = end;
    }
    if copied == 0 {
        return None;
    }
    ran.pieces.push((ran.text.len(), copied, false));
    ran.text.push_str(&body[copied..]);
    Some(ran)
}

/// The most a stretch may write, and the most numbers a range may count:
/// a loop that would write more is a mistake, and stays as written.
const MAX_OUTPUT: usize = 1 << 20;
const MAX_RANGE: i64 = 10_000;
/// The most stretches run in one post, and the most text of `assign`s and
/// `capture`s each one runs after: what a post of thousands of them costs
/// stays in proportion to its length.
const MAX_STRETCHES: usize = 200;
const MAX_PRELUDE: usize = 16 * 1024;

/// A stretch's output, refused past [`MAX_OUTPUT`] bytes.
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + bytes.len() > MAX_OUTPUT {
            return Err(std::io::Error::other("a stretch of Liquid writes too much"));
        }
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether every range `(a..b)` of `source` counts numbers written in it,
/// at most [`MAX_RANGE`] of them: Liquid makes a list of a range's numbers
/// before it loops, so `(1..n)` of an unknown `n` could take all memory.
/// Their counts multiplied stay under it too, as loops inside loops run.
fn ranges_are_small(source: &str) -> bool {
    let boundary = |mut at: usize| {
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let mut product: i64 = 1;
    source.match_indices("..").all(|(at, _)| {
        // A range's bounds are short: look a little way either side.
        let before = &source[boundary(at.saturating_sub(64))..at];
        let Some(open) = before.rfind('(').map(|o| at - before.len() + o) else {
            return true;
        };
        let after = &source[at..boundary((at + 128).min(source.len()))];
        let Some(close) = after.find(')').map(|c| at + c) else {
            return false;
        };
        let bound = |text: &str| text.trim().parse::<i64>().ok();
        let (Some(from), Some(to)) = (bound(&source[open + 1..at]), bound(&source[at + 2..close])) else {
            return false;
        };
        product = product.saturating_mul(to.saturating_sub(from).saturating_add(1).max(1));
        product <= MAX_RANGE
    })
}

/// Whether `body` has a tag that opens logic (a quick look).
fn has_logic(body: &str) -> bool {
    body.match_indices("{%").any(|(at, _)| {
        let name = tag_name(&body[at + 2..]);
        BLOCKS.contains(&name) || SINGLES.contains(&name)
    })
}

/// The name of the tag whose text (after `{%`) is `inner`.
fn tag_name(inner: &str) -> &str {
    let inner = inner.strip_prefix('-').unwrap_or(inner).trim_start();
    let end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    &inner[..end]
}

/// Each stretch of logic outside fenced code and `{% raw %}`: its start,
/// end and opening tag's name (`output` for `{{ x }}` of an assigned `x`).
/// Stops at a block that never closes or closes out of turn.
fn stretches(body: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    let mut skip_to = 0;
    // Names the logic so far gives a value.
    let mut assigned: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut unclosed_output = false;
    let mut output_close: Option<usize> = None;
    for line in body.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed = line.trim();
        // Fences count only between stretches: inside one, Liquid runs on everything.
        if open.is_empty() && line_start >= skip_to {
            if let Some((c, n)) = fence {
                let closes = fence_marker(trimmed).is_some_and(|(d, m)| d == c && m >= n)
                    && trimmed.trim_start_matches(c).trim().is_empty();
                if closes {
                    fence = None;
                }
                continue;
            }
            if let Some(marker) = fence_marker(trimmed).filter(|_| line.len() - line.trim_start().len() < 4) {
                fence = Some(marker);
                continue;
            }
        }
        let opens = line.match_indices("{%").chain(line.match_indices("{{"));
        let mut opens: Vec<(usize, &str)> = opens.map(|(at, o)| (line_start + at, o)).collect();
        opens.sort_unstable();
        for (at, opening) in opens {
            if at < skip_to {
                continue;
            }
            if opening == "{{" {
                // `{{ name }}` of a name the logic assigned is the logic's to print.
                if !open.is_empty() || assigned.is_empty() || unclosed_output {
                    continue;
                }
                // The first `}}` after an earlier `{{` is this one's too, if it is further on.
                let close = match output_close {
                    Some(close) if close > at + 2 => close,
                    _ => match body[at..].find("}}") {
                        Some(e) => at + e + 2,
                        None => {
                            // None closes further on either.
                            unclosed_output = true;
                            continue;
                        }
                    },
                };
                output_close = Some(close);
                if assigned.contains(tag_name(&body[at + 2..])) {
                    found.push((at, close, "output"));
                    skip_to = close;
                }
                continue;
            }
            let Some(close) = body[at..].find("%}").map(|e| at + e + 2) else {
                return found;
            };
            let name = tag_name(&body[at + 2..]);
            skip_to = close;
            if name == "raw" {
                let Some(end) =
                    body[close..].find("endraw").and_then(|e| body[close + e..].find("%}").map(|f| close + e + f + 2))
                else {
                    return found;
                };
                skip_to = end;
                continue;
            }
            if matches!(name, "assign" | "capture" | "increment" | "decrement") {
                let after = body[at + 2..close].trim_start_matches('-').trim_start()[name.len()..].trim_start();
                assigned.insert(tag_name(after));
            }
            if open.is_empty() {
                if SINGLES.contains(&name) {
                    found.push((at, close, name));
                } else if BLOCKS.contains(&name) {
                    start = at;
                    open.push(name);
                }
            } else if let Some(closed) = name.strip_prefix("end").filter(|n| BLOCKS.contains(n)) {
                if open.pop() != Some(closed) {
                    return found;
                }
                if open.is_empty() {
                    let opening = tag_name(&body[start + 2..]);
                    found.push((start, close, opening));
                }
            } else if BLOCKS.contains(&name) {
                open.push(name);
            }
        }
    }
    found
}

/// Jekyll's `relative_url`, reading `site.baseurl` as the post sees it.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "relative_url", description = "A path under the site's baseurl.", parsed(RelativeUrlFilter))]
struct RelativeUrl;

#[derive(Debug, Default, Display_filter)]
#[name = "relative_url"]
struct RelativeUrlFilter;

impl Filter for RelativeUrlFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        Ok(Value::scalar(super::tags::relative_url(input.to_kstr().into_string(), &site(runtime, "baseurl"))))
    }
}

/// Jekyll's `absolute_url`, reading `site.url` and `site.baseurl`.
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "absolute_url", description = "A path as a whole URL of the site.", parsed(AbsoluteUrlFilter))]
struct AbsoluteUrl;

#[derive(Debug, Default, Display_filter)]
#[name = "absolute_url"]
struct AbsoluteUrlFilter;

impl Filter for AbsoluteUrlFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let (url, baseurl) = (site(runtime, "url"), site(runtime, "baseurl"));
        Ok(Value::scalar(super::tags::absolute_url(input.to_kstr().into_string(), &url, &baseurl)))
    }
}

/// `site.KEY` as text, empty when the site has none.
fn site(runtime: &dyn Runtime, key: &str) -> String {
    let path = [ScalarCow::new("site"), ScalarCow::new(key.to_owned())];
    runtime.try_get(&path).map(|value| value.to_kstr().into_string()).unwrap_or_default()
}

/// One parser for every post: Liquid's own tags and filters, Jekyll's
/// array and slug filters, and its `relative_url` and `absolute_url`.
/// `None` if it cannot be built.
fn parser() -> Option<&'static liquid::Parser> {
    static PARSER: OnceLock<Option<liquid::Parser>> = OnceLock::new();
    PARSER
        .get_or_init(|| {
            liquid::ParserBuilder::with_stdlib()
                .filter(liquid_lib::jekyll::Slugify)
                .filter(liquid_lib::jekyll::Sort)
                .filter(liquid_lib::jekyll::Push)
                .filter(liquid_lib::jekyll::Pop)
                .filter(liquid_lib::jekyll::Shift)
                .filter(liquid_lib::jekyll::Unshift)
                .filter(liquid_lib::jekyll::ArrayToSentenceString)
                .filter(RelativeUrl)
                .filter(AbsoluteUrl)
                .build()
                .ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let mut variables = Variables::default();
        variables.site.insert("title".to_owned(), "Notes".to_owned());
        variables.site.insert("baseurl".to_owned(), "/blog".to_owned());
        variables.site.insert("url".to_owned(), "https://n.example".to_owned());
        variables.page.insert("title".to_owned(), serde_json::json!("Hello"));
        variables.page.insert("tags".to_owned(), serde_json::json!(["a", "b"]));
        variables
    }

    #[test]
    fn logic_runs_as_jekyll_runs_it() {
        let body = "Intro.\n{% assign ids = \"1|2\" | split: \"|\" %}\n{% for id in ids %}\n- [#{{ id }}](/i/{{ id }})\n{% endfor %}\n{% if page.tags contains \"a\" %}{{ site.title }}{% else %}no{% endif %}\nEnd.\n";
        let ran = run(body, &vars()).unwrap();
        assert_eq!(ran.text, "Intro.\n\n\n- [#1](/i/1)\n\n- [#2](/i/2)\n\nNotes\nEnd.\n");
        // Text keeps its place; a stretch's output stands at the stretch.
        assert_eq!(ran.original(ran.text.find("End").unwrap()), body.find("End").unwrap());
        assert_eq!(ran.original(ran.text.find("[#2]").unwrap()), body.find("{% for").unwrap());
        assert_eq!(ran.original(ran.text.find("Notes").unwrap()), body.find("{% if").unwrap());
    }

    #[test]
    fn jekyll_url_filters_read_the_site() {
        let body = "{% for t in page.tags %}[{{ t }}]({{ t | prepend: '/tags/' | relative_url }}) {% endfor %}\n{% assign home = '/' | absolute_url %}{{ home }}";
        let ran = run(body, &vars()).unwrap();
        assert_eq!(ran.text, "[a](/blog/tags/a) [b](/blog/tags/b) \nhttps://n.example/blog/");
    }

    #[test]
    fn what_liquid_cannot_run_stays_as_written() {
        // An unknown tag inside, an unknown variable, code and raw.
        for body in [
            "{% if page.title %}{% post_url a %}{% endif %}\n",
            "{% for x in site.missing %}{{ x }}{% endfor %}\n",
            "```\n{% if x %}y{% endif %}\n```\n",
            "{% raw %}{% if x %}y{% endif %}{% endraw %}\n",
            "{% if x %}never closed\n",
            "{% if x %}{% endfor %}\n",
            // Loops that would take all memory or write without end.
            "{% for i in (1..2000000000) %}{% endfor %}\n",
            "{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}\n",
        ] {
            assert!(run(body, &vars()).is_none(), "{body}");
        }
        // A range of a value Liquid would count only when it runs, and
        // loops that would write megabytes: the `assign` runs, the loop stays.
        let long = format!("\"{}\"", "x".repeat(64));
        for (assign, the_loop) in [
            ("{% assign n = 5 %}".to_owned(), "{% for i in (1..n) %}{{ i }}{% endfor %}\n"),
            (
                format!("{{% assign s = {long} %}}"),
                "{% for i in (1..9000) %}{% for j in (1..9) %}{{ s }}{% endfor %}{% endfor %}\n",
            ),
        ] {
            let ran = run(&format!("{assign}{the_loop}"), &vars());
            assert_eq!(ran.unwrap().text, the_loop);
        }
        // A post of thousands of stretches runs the first few hundred.
        let body = "{% assign a = 1 %}{{ a }}\n".repeat(1_000);
        let ran = run(&body, &vars()).unwrap();
        assert_eq!(ran.text.matches("{% assign").count(), 1_000 - MAX_STRETCHES / 2);
        // The stretch that can run does, the other stays.
        let ran = run("{% if page.title %}{% post_url a %}{% endif %} {% if page.title %}yes{% endif %}\n", &vars());
        assert_eq!(ran.unwrap().text, "{% if page.title %}{% post_url a %}{% endif %} yes\n");
    }
}
