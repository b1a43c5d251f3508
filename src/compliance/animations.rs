//! Where CSS animations leave what they animate. An animation that keeps
//! its last keyframe (`animation: in .4s forwards`) decides how an element
//! looks once it has played: a banner faded in from `opacity: 0` is shown,
//! one faded out to `opacity: 0` is hidden. [`settle`] puts the keyframe an
//! element is left at in place of the declarations it overrides, so the
//! rest of the check reads the element as a reader sees it a moment after
//! the page loads.
//!
//! Read from one rule's declarations: the `animation` shorthand and its
//! longhands (`animation-name`, `-fill-mode`, `-direction`,
//! `-iteration-count`, `-play-state`), with or without `-webkit-`. An
//! animation that repeats forever, stops part-way through an iteration or
//! keeps nothing once it ends (`fill-mode: none` or `backwards`) leaves the
//! element as its rule has it; a paused one leaves it at its first keyframe.
//! `display`, which not every browser animates, counts only when a keyframe
//! hides with it.

use std::collections::BTreeMap;

/// The keyframes of one `@keyframes` rule that an element can be left at:
/// its first (`from`, `0%`) and its last (`to`, `100%`), each as the
/// declarations (property and value, lower-case) of the blocks for it, in
/// their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Frames {
    /// `from`, `0%`.
    pub(super) first: Vec<(String, String)>,
    /// `to`, `100%`.
    pub(super) last: Vec<(String, String)>,
}

impl Frames {
    /// Adds a keyframe block: `selectors` (its prelude, `from`, `50%, to`…)
    /// with `declarations`.
    pub(super) fn add(&mut self, selectors: &str, declarations: &[(String, String)]) {
        // A keyframe ignores `!important`.
        let kept = declarations.iter().filter(|(_, value)| !is_important(value)).cloned();
        let kept: Vec<(String, String)> = kept.collect();
        for selector in selectors.split(',').map(|s| s.trim().to_ascii_lowercase()) {
            match selector.as_str() {
                "from" => self.first.extend(kept.iter().cloned()),
                "to" => self.last.extend(kept.iter().cloned()),
                percent => match percent.strip_suffix('%').and_then(|p| p.trim().parse::<f64>().ok()) {
                    Some(0.0) => self.first.extend(kept.iter().cloned()),
                    Some(100.0) => self.last.extend(kept.iter().cloned()),
                    _ => {}
                },
            }
        }
    }
}

/// The `@keyframes` rules a page's stylesheets define, by name (lower-case).
pub(super) type Keyframes = BTreeMap<String, Frames>;

/// Whether `name` (lower-case) names a `@keyframes` at-rule, prefixed or not.
pub(super) fn is_keyframes_rule(name: &str) -> bool {
    unprefixed(name) == "keyframes"
}

/// Whether `css` may hold an animation that keeps a keyframe: a cheap test
/// before reading every stylesheet for its `@keyframes`.
pub(super) fn may_animate(css: &str) -> bool {
    crate::html::positions_ignoring_case(css, "keyframes").next().is_some()
        && crate::html::positions_ignoring_case(css, "animation").next().is_some()
}

/// Whether `declarations` give their element an animation.
pub(super) fn animates(declarations: &[(String, String)]) -> bool {
    declarations.iter().any(|(property, _)| unprefixed(property).starts_with("animation"))
}

/// A declaration, and how a message writes it if not as it is.
pub(super) type Settled = ((String, String), Option<String>);

/// `declarations` (one rule's, in order) with each keyframe its animations
/// leave the element at in place of the declarations of the same
/// properties (save `!important` ones, which win over animations). Each
/// declaration comes with how a message writes it: the keyframe's say
/// which animation gives them (`animation: out 1s forwards /* ends with
/// opacity: 0 */`). None when no animation of `keyframes` (several
/// stylesheets', a later one's winning) changes anything.
pub(super) fn settle(declarations: &[(String, String)], keyframes: &[&Keyframes]) -> Option<Vec<Settled>> {
    if keyframes.iter().all(|k| k.is_empty()) || !animates(declarations) {
        return None;
    }
    let mut settled: Vec<Settled> = declarations.iter().map(|declaration| (declaration.clone(), None)).collect();
    let mut changed = false;
    for (animation, frame) in left_at(declarations, keyframes) {
        for (property, value) in frame {
            let important = declarations.iter().any(|(p, v)| p == property && is_important(v));
            // Not every browser animates `display`: a keyframe shows with it
            // nothing its rule hides, and hides with `none`.
            if important || (property == "display" && value != "none") {
                continue;
            }
            settled.retain(|((p, _), _)| p != property);
            let written = format!("{animation} /* ends with {property}: {value} */");
            settled.push(((property.clone(), value.clone()), Some(written)));
            changed = true;
        }
    }
    changed.then_some(settled)
}

/// Each animation of a rule that leaves its element at a keyframe of
/// `keyframes`: the animation as written (`animation: in .4s forwards`)
/// and that keyframe's declarations, in the order the animations are
/// listed (a later one wins).
fn left_at<'k>(
    declarations: &[(String, String)],
    keyframes: &[&'k Keyframes],
) -> Vec<(String, &'k [(String, String)])> {
    let mut animations: Vec<Animation> = Vec::new();
    let mut written = String::new();
    for (property, value) in declarations {
        let property = unprefixed(property);
        let values = || crate::compliance::css::split_outside_brackets(value, &[',']).into_iter().map(str::trim);
        match property {
            "animation" => {
                animations = values().map(Animation::parse).collect();
                written = format!("{property}: {value}");
            }
            "animation-name" => {
                let names: Vec<&str> = values().collect();
                animations.resize_with(names.len(), Animation::default);
                for (animation, name) in animations.iter_mut().zip(names) {
                    animation.name = named(name);
                }
                written = format!("{property}: {value}");
            }
            "animation-fill-mode" => {
                each(&mut animations, values(), |a, v| a.keeps_end = matches!(v, "forwards" | "both"))
            }
            "animation-direction" => each(&mut animations, values(), |a, v| a.direction = direction(v)),
            "animation-iteration-count" => each(&mut animations, values(), |a, v| a.count = count(v)),
            "animation-play-state" => each(&mut animations, values(), |a, v| a.paused = v == "paused"),
            _ => {}
        }
    }
    animations
        .iter()
        .filter_map(|animation| {
            let name = animation.name.as_deref()?;
            let frames = keyframes.iter().rev().find_map(|sheet| sheet.get(name))?;
            let at_first = animation.ends_at_first()?;
            let frame = if at_first { &frames.first } else { &frames.last };
            (!frame.is_empty()).then(|| (written.clone(), frame.as_slice()))
        })
        .collect()
}

/// One animation of an element, as far as where it leaves it goes.
#[derive(Debug, Clone, PartialEq)]
struct Animation {
    name: Option<String>,
    /// `fill-mode: forwards` or `both`.
    keeps_end: bool,
    /// Which way its iterations run.
    direction: Direction,
    /// `iteration-count`: None for `infinite`; 1 unless given.
    count: Option<f64>,
    paused: bool,
}

impl Default for Animation {
    fn default() -> Self {
        Animation { name: None, keeps_end: false, direction: Direction::Normal, count: Some(1.0), paused: false }
    }
}

/// An animation's `direction`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Direction {
    #[default]
    Normal,
    Reverse,
    Alternate,
    AlternateReverse,
}

impl Animation {
    /// One animation of an `animation` shorthand (`in .4s ease-out 2 forwards`).
    fn parse(value: &str) -> Animation {
        let mut animation = Animation::default();
        for word in crate::compliance::css::split_outside_brackets(value, &[' ']) {
            match word.trim() {
                "" | "none" | "initial" | "inherit" | "unset" | "revert" | "normal" | "running" => {}
                "forwards" | "both" => animation.keeps_end = true,
                "backwards" => {}
                "paused" => animation.paused = true,
                "infinite" => animation.count = None,
                "reverse" => animation.direction = Direction::Reverse,
                "alternate" => animation.direction = Direction::Alternate,
                "alternate-reverse" => animation.direction = Direction::AlternateReverse,
                "linear" | "ease" | "ease-in" | "ease-out" | "ease-in-out" | "step-start" | "step-end" => {}
                word if word.contains('(') => {}
                word if is_time(word) => {}
                word if word.parse::<f64>().is_ok() => animation.count = word.parse().ok(),
                word => animation.name = named(word),
            }
        }
        animation
    }

    /// Whether the animation leaves its element at its first keyframe
    /// (`Some(true)`) or its last (`Some(false)`), or at neither.
    fn ends_at_first(&self) -> Option<bool> {
        // Paused: held where it begins.
        let starts_backwards = matches!(self.direction, Direction::Reverse | Direction::AlternateReverse);
        if self.paused {
            return Some(!starts_backwards);
        }
        let count = self.count?;
        if !self.keeps_end || count.fract() != 0.0 || count < 0.0 {
            return None;
        }
        if count == 0.0 {
            return Some(!starts_backwards);
        }
        // The direction of the last iteration: alternating flips every other one.
        let odd = count % 2.0 == 1.0;
        let last_backwards = match self.direction {
            Direction::Normal => false,
            Direction::Reverse => true,
            Direction::Alternate => !odd,
            Direction::AlternateReverse => odd,
        };
        Some(last_backwards)
    }
}

/// `value` for each animation in turn (a shorter list repeats).
fn each<'v>(animations: &mut [Animation], values: impl Iterator<Item = &'v str>, set: impl Fn(&mut Animation, &str)) {
    let values: Vec<&str> = values.collect();
    if values.is_empty() {
        return;
    }
    for (i, animation) in animations.iter_mut().enumerate() {
        set(animation, values[i % values.len()]);
    }
}

fn direction(value: &str) -> Direction {
    match value {
        "reverse" => Direction::Reverse,
        "alternate" => Direction::Alternate,
        "alternate-reverse" => Direction::AlternateReverse,
        _ => Direction::Normal,
    }
}

fn count(value: &str) -> Option<f64> {
    if value == "infinite" { None } else { Some(value.parse().unwrap_or(1.0)) }
}

/// An animation's name as written: an identifier or a string; `none` is no animation.
fn named(word: &str) -> Option<String> {
    let name = word.trim().trim_matches(['"', '\'']);
    (!name.is_empty() && name != "none").then(|| name.to_owned())
}

/// `.4s`, `200ms`.
fn is_time(word: &str) -> bool {
    let number = word.strip_suffix("ms").or_else(|| word.strip_suffix('s'));
    number.is_some_and(|n| n.parse::<f64>().is_ok())
}

fn is_important(value: &str) -> bool {
    value.rsplit_once('!').is_some_and(|(_, flag)| flag.trim() == "important")
}

/// A property or at-rule name without its vendor prefix.
fn unprefixed(name: &str) -> &str {
    ["-webkit-", "-moz-", "-o-", "-ms-"].iter().find_map(|prefix| name.strip_prefix(prefix)).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declarations(css: &str) -> Vec<(String, String)> {
        css.split(';')
            .filter_map(|d| d.split_once(':'))
            .map(|(p, v)| (p.trim().to_owned(), v.trim().to_owned()))
            .collect()
    }

    fn keyframes(name: &str, first: &str, last: &str) -> Keyframes {
        let mut frames = Frames::default();
        frames.add("from", &declarations(first));
        frames.add("to", &declarations(last));
        Keyframes::from([(name.to_owned(), frames)])
    }

    fn settled(css: &str, keyframes: &Keyframes) -> Option<Vec<(String, String)>> {
        settle(&declarations(css), &[keyframes]).map(|all| all.into_iter().map(|(d, _)| d).collect())
    }

    #[test]
    fn an_animation_that_keeps_its_end_leaves_the_element_at_its_last_keyframe() {
        let fade_in = keyframes("in", "opacity: 0", "opacity: 1");
        let shown = settled("opacity: 0; animation: in .4s ease-out forwards", &fade_in).unwrap();
        assert_eq!(shown, declarations("animation: in .4s ease-out forwards; opacity: 1"));
        // The longhands, prefixed or not, and `both`.
        let shown = settled("opacity: 0; -webkit-animation-name: in; animation-fill-mode: both", &fade_in).unwrap();
        assert!(shown.contains(&("opacity".into(), "1".into())) && !shown.contains(&("opacity".into(), "0".into())));
        let fade_out = keyframes("out", "opacity: 1", "opacity: 0");
        let hidden = settle(&declarations("animation: 1s out 2s forwards"), &[&fade_out]).unwrap();
        assert_eq!(hidden[1].0, ("opacity".into(), "0".into()));
        assert_eq!(hidden[1].1.as_deref(), Some("animation: 1s out 2s forwards /* ends with opacity: 0 */"));
    }

    #[test]
    fn an_animation_that_keeps_nothing_or_never_ends_leaves_the_rule_as_it_is() {
        let fade_in = keyframes("in", "opacity: 0", "opacity: 1");
        for css in [
            "opacity: 0; animation: in 1s",
            "opacity: 0; animation: in 1s backwards",
            "opacity: 0; animation: in 1s infinite forwards",
            "opacity: 0; animation: in 1s 1.5 forwards",
            "opacity: 0; animation: other 1s forwards",
            "opacity: 0 !important; animation: in 1s forwards",
            "opacity: 0; animation: in 1s forwards; animation-name: none",
        ] {
            let unchanged = settled(css, &fade_in).unwrap_or_else(|| declarations(css));
            assert!(unchanged.iter().any(|(p, v)| p == "opacity" && v.starts_with('0')), "{css}");
        }
    }

    #[test]
    fn direction_count_and_pausing_pick_the_keyframe() {
        let fade_in = keyframes("in", "opacity: 0", "opacity: 1");
        let opacity = |css: &str| {
            let all = settled(css, &fade_in).unwrap_or_else(|| declarations(css));
            all.into_iter().find(|(p, _)| p == "opacity").map(|(_, v)| v).unwrap()
        };
        assert_eq!(opacity("opacity: .5; animation: in 1s reverse forwards"), "0");
        assert_eq!(opacity("opacity: .5; animation: in 1s alternate 2 forwards"), "0");
        assert_eq!(opacity("opacity: .5; animation: in 1s alternate 3 forwards"), "1");
        assert_eq!(opacity("opacity: .5; animation: in 1s alternate-reverse 2 forwards"), "1");
        assert_eq!(opacity("opacity: .5; animation: in 1s infinite paused"), "0");
        // The last of several animations of the same property wins.
        let mut both = fade_in.clone();
        both.insert("out".into(), Frames { first: declarations("opacity: 1"), last: declarations("opacity: 0") });
        let all = settled("animation: in 1s forwards, out 1s 1s forwards", &both).unwrap();
        assert_eq!(all.iter().filter(|(p, _)| p == "opacity").collect::<Vec<_>>(), [&("opacity".into(), "0".into())]);
        // Curves with commas in them are one animation.
        assert_eq!(opacity("opacity: 0; animation: cubic-bezier(0.1, 0.7, 1, 0.1) 1s in forwards"), "1");
    }

    #[test]
    fn keyframes_are_known_by_their_selectors() {
        let mut frames = Frames::default();
        frames.add("0%, 50%", &declarations("opacity: 0"));
        frames.add(" TO ", &declarations("opacity: 1; color: red !important"));
        frames.add("100.0%", &declarations("transform: none"));
        assert_eq!(frames.first, declarations("opacity: 0"));
        assert_eq!(frames.last, declarations("opacity: 1; transform: none"));
        assert!(is_keyframes_rule("-webkit-keyframes") && !is_keyframes_rule("media"));
        assert!(may_animate("@KEYFRAMES x{} .a{animation:x 1s}") && !may_animate(".a{animation:x 1s}"));
    }
}
