//! Which elements a site's own stylesheets hide: the selectors of every
//! rule that sets `display: none`, `visibility: hidden`, `font-size: 0`,
//! `opacity: 0` or a clip to nothing, read with a real CSS parser
//! (cssparser, the one browsers' Servo and lol_html use). Rules inside
//! `@media` count unless they are for print only; a selector the streaming
//! scan cannot match (`:hover`, `+`) is left out.

use cssparser::{
    AtRuleParser, CowRcStr, DeclarationParser, ParseError, Parser, ParserInput, ParserState, QualifiedRuleParser,
    RuleBodyItemParser, RuleBodyParser, StyleSheetParser,
};

use super::visible::declaration_hides;

/// The hiding rules of each stylesheet a site publishes, by output path,
/// parsed for the scan.
#[derive(Default)]
pub struct Hiding {
    by_path: std::collections::HashMap<String, Vec<lol_html::Selector>>,
}

impl Hiding {
    /// From the site's stylesheets: output path (`style.css`) and text.
    pub fn from_stylesheets<'a>(sheets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let by_path = sheets.into_iter().map(|(path, css)| (path.to_owned(), selectors_of(css))).collect();
        Self { by_path }
    }

    /// The hiding selectors of the stylesheets a page links: `<link
    /// rel="stylesheet" href>`, relative to the page at `page_path` or the
    /// site's root under `base_path`.
    pub fn for_page(&self, html: &str, page_path: &str, base_path: &str) -> Vec<&lol_html::Selector> {
        let mut selectors = Vec::new();
        if self.by_path.is_empty() {
            return selectors;
        }
        for href in linked_stylesheets(html) {
            let href = href.split(['?', '#']).next().unwrap_or_default();
            let path = match href.strip_prefix('/') {
                Some(absolute) => absolute.strip_prefix(base_path.trim_start_matches('/')).unwrap_or(absolute),
                None => &format!("{}{href}", page_path.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned() + "/"),
            };
            let path = crate::fs::normalise_path(path);
            if let Some(found) = self.by_path.get(&path) {
                selectors.extend(found);
            }
        }
        selectors
    }
}

/// The parsed hiding selectors of one stylesheet.
pub fn selectors_of(css: &str) -> Vec<lol_html::Selector> {
    hiding_selectors(css)
        .iter()
        .flat_map(|prelude| split_selector_list(prelude).into_iter().filter_map(|s| s.parse().ok()).collect::<Vec<_>>())
        .collect()
}

/// The `href` of every `<link rel="stylesheet">` in a page.
fn linked_stylesheets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in crate::html::positions_ignoring_case(html, "<link") {
        let end = html[start..].find('>').map_or(html.len(), |e| start + e);
        let tag = &html[start..end];
        if crate::html::positions_ignoring_case(tag, "stylesheet").next().is_some()
            && let Some(href) = attribute(tag, "href")
        {
            found.push(crate::html::decode_entities(href));
        }
    }
    found
}

/// The value of `name` (lower-case) in a start tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    for start in crate::html::positions_ignoring_case(tag, name) {
        let before_ok = start > 0 && tag.as_bytes()[start - 1].is_ascii_whitespace();
        let after = tag[start + name.len()..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
        });
    }
    None
}

/// The selector lists (as written) of the rules in `css` that hide what they select.
pub fn hiding_selectors(css: &str) -> Vec<String> {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut rules = Rules::default();
    for _ in StyleSheetParser::new(&mut parser, &mut rules) {}
    rules.found
}

/// `a, b:is(c, d)` split at its top-level commas.
fn split_selector_list(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Everything left in `input`, as written.
fn rest<'i>(input: &mut Parser<'i, '_>) -> &'i str {
    let start = input.position();
    while input.next().is_ok() {}
    input.slice_from(start)
}

#[derive(Default)]
struct Rules {
    found: Vec<String>,
}

impl<'i> QualifiedRuleParser<'i> for Rules {
    type Prelude = String;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude<'t>(&mut self, input: &mut Parser<'i, 't>) -> Result<String, ParseError<'i, ()>> {
        Ok(rest(input).trim().to_owned())
    }

    fn parse_block<'t>(
        &mut self,
        prelude: String,
        _start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<(), ParseError<'i, ()>> {
        let mut declarations = Declarations;
        let hides = RuleBodyParser::new(input, &mut declarations).filter_map(Result::ok).any(|hides| hides);
        if hides {
            self.found.push(prelude);
        }
        Ok(())
    }
}

impl<'i> AtRuleParser<'i> for Rules {
    /// Whether the block's rules apply on screens.
    type Prelude = bool;
    type AtRule = ();
    type Error = ();

    fn parse_prelude<'t>(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i, 't>,
    ) -> Result<bool, ParseError<'i, ()>> {
        let condition = rest(input).to_ascii_lowercase();
        Ok(match name.to_ascii_lowercase().as_str() {
            "media" => !condition.contains("print") || condition.contains("screen"),
            "supports" | "layer" | "container" | "scope" => true,
            _ => false,
        })
    }

    fn parse_block<'t>(
        &mut self,
        screens: bool,
        _start: &ParserState,
        input: &mut Parser<'i, 't>,
    ) -> Result<(), ParseError<'i, ()>> {
        if screens {
            let mut nested = Rules::default();
            for _ in StyleSheetParser::new(input, &mut nested) {}
            self.found.extend(nested.found);
        } else {
            rest(input);
        }
        Ok(())
    }
}

/// Reads a rule's declarations: whether each hides.
struct Declarations;

impl<'i> DeclarationParser<'i> for Declarations {
    type Declaration = bool;
    type Error = ();

    fn parse_value<'t>(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i, 't>,
        _start: &ParserState,
    ) -> Result<bool, ParseError<'i, ()>> {
        let value = rest(input).trim().to_ascii_lowercase();
        Ok(declaration_hides(&name.to_ascii_lowercase(), &value))
    }
}

impl<'i> AtRuleParser<'i> for Declarations {
    type Prelude = ();
    type AtRule = bool;
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for Declarations {
    type Prelude = ();
    type QualifiedRule = bool;
    type Error = ();
}

impl<'i> RuleBodyItemParser<'i, bool, ()> for Declarations {
    fn parse_declarations(&self) -> bool {
        true
    }

    fn parse_qualified(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_that_hide_are_found_with_a_real_parser() {
        let css = "/* .x { display: none } */ .note, #d > p { display : NONE !important } a { color: red }\n\
                   .gone{visibility:hidden} .tiny { font-size: 0px; } @media (max-width: 600px) { .disclosure { opacity: 0 } }\n\
                   @media print { .banner { display: none } } .s { content: \"{ display: none }\" }";
        assert_eq!(hiding_selectors(css), [".note, #d > p", ".gone", ".tiny", ".disclosure"]);
        // `:hover` and `+` cannot be matched while streaming; the rest can.
        assert_eq!(selectors_of(css).len(), 5);
        assert!(selectors_of("p:hover, .x + .y { display: none }").is_empty());
    }

    #[test]
    fn a_page_uses_the_stylesheets_it_links() {
        let hiding =
            Hiding::from_stylesheets([("style.css", ".a { display: none }"), ("extra/b.css", ".b, .c { opacity: 0 }")]);
        let page = "<link rel=\"stylesheet\" href=\"/shop/style.css?v=2\"><LINK REL=stylesheet HREF=../extra/b.css>";
        // From posts/x/, ../extra/b.css is posts/extra/b.css, which the site does not publish.
        assert_eq!(hiding.for_page(page, "posts/x/", "/shop").len(), 1);
        assert_eq!(hiding.for_page(page, "posts/", "/shop").len(), 3);
        assert!(hiding.for_page("<link rel=icon href=/style.css>", "", "").is_empty());
    }
}
