//! The looser date shapes Hexo (moment) and Jekyll (Ruby's `Time.parse`)
//! accept: `2018-7-24 23:31:06`, `2013/7/13 20:46:25`, `2016-03-03 3:00`,
//! `March 4, 2021`, `2016-03-21 12:00 EDT`, `2018-12-01 0314 +0000`, and
//! `Time#to_s` with the year repeated, `2023-01-29 18:30:22 2023 -0800`.
//!
//! A date is read word by word: one calendar date (numeric, or with a month
//! name), at most one time of day, an optional `am`/`pm`, and an optional
//! offset or zone abbreviation. Anything else means the text is not one of
//! these shapes, and the caller explains it as before. jiff does the
//! calendar: an impossible day is an error naming why.

use jiff::civil::{Date, Time};
use jiff::tz::Offset;

use super::DateInput;

/// `Ok(None)`: not a shape read here. `Err`: the shape, but no such date or time.
pub(super) fn parse(text: &str) -> Result<Option<DateInput>, String> {
    let Some(words) = Words::read(text) else { return Ok(None) };
    let date = Date::new(words.year, words.month, words.day).map_err(|err| reason(&err))?;
    let (hour, minute, second, nanos) = words.time.unwrap_or_default();
    let hour = match words.meridiem {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return Err(format!("{hour} is not an hour of am or pm")),
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    let time = Time::new(hour, minute, second, nanos).map_err(|err| reason(&err))?;
    let datetime = date.to_datetime(time);
    match words.offset {
        Some(offset) => DateInput::at_offset(text, datetime, offset).map(Some),
        None => Ok(Some(DateInput::Civil(datetime))),
    }
}

/// jiff's own words, e.g. "parameter 'day' with value 30 is not in the required range of 1..=28".
fn reason(err: &jiff::Error) -> String {
    let err = err.to_string();
    err.rsplit(": ").next().unwrap_or(&err).to_owned()
}

/// What the words of a date said.
#[derive(Debug, Default, PartialEq, Eq)]
struct Words {
    year: i16,
    month: i8,
    day: i8,
    time: Option<(i8, i8, i8, i32)>,
    meridiem: Option<bool>,
    offset: Option<Offset>,
}

impl Words {
    fn read(text: &str) -> Option<Self> {
        let mut out = Self::default();
        let (mut year, mut month, mut day) = (None, None, None);
        let mut words = text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).peekable();
        while let Some(word) = words.next() {
            if let Some((y, m, d, rest)) = numeric_date(word) {
                if year.is_some() {
                    return None;
                }
                (year, month, day) = (Some(y), Some(m), Some(d));
                if let Some(rest) = rest {
                    out.read_time(rest)?;
                }
            } else if let Some(m) = month_name(word) {
                if month.is_some() {
                    return None;
                }
                month = Some(m);
            } else if weekday_name(word) {
            } else if word.starts_with('(') && word.ends_with(')') && year.is_some() {
                // A remark after the date, `(optional)`: Ruby's parser passes over it.
            } else if word.bytes().all(|b| b.is_ascii_digit()) {
                let n: i32 = word.parse().ok()?;
                match word.len() {
                    // `March 4 2021` or `4 March 2021`.
                    1 | 2 if month.is_some() && year.is_none() && day.is_none() => day = Some(n as i8),
                    1 | 2
                        if year.is_none() && day.is_none() && words.peek().is_some_and(|w| month_name(w).is_some()) =>
                    {
                        day = Some(n as i8);
                    }
                    4 if year.is_none() && month.is_some() => year = Some(n as i16),
                    // `0314`: a time without its colon.
                    4 if year.is_some() && out.time.is_none() => {
                        out.read_time(&format!("{}:{}", &word[..2], &word[2..]))?
                    }
                    // `Time#to_s` repeats the year after the time.
                    4 if out.time.is_some() && year == Some(n as i16) => {}
                    _ => return None,
                }
            } else if word.as_bytes()[0].is_ascii_digit() {
                out.read_time(word)?;
            } else if let Some(pm) = meridiem(word) {
                if out.meridiem.replace(pm).is_some() || out.time.is_none() {
                    return None;
                }
            } else {
                out.read_offset(word)?;
            }
        }
        (out.year, out.month, out.day) = (year?, month?, day?);
        Some(out)
    }

    /// `3:00`, `23:31:06`, `11:35:44.5`, with an offset attached (`12:00Z`, `12:00+02:00`).
    fn read_time(&mut self, word: &str) -> Option<()> {
        if self.time.is_some() {
            return None;
        }
        let end = word.find(|c: char| !c.is_ascii_digit() && c != ':' && c != '.').unwrap_or(word.len());
        let (clock, zone) = word.split_at(end);
        let mut parts = clock.split(':');
        let hour = small_number(parts.next()?, 1)?;
        let minute = small_number(parts.next()?, 2)?;
        let (second, nanos) = match parts.next() {
            None => (0, 0),
            Some(seconds) => {
                let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
                if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let nanos = if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse().ok()? };
                (small_number(whole, 2)?, nanos)
            }
        };
        if parts.next().is_some() {
            return None;
        }
        self.time = Some((hour, minute, second, nanos));
        if zone.is_empty() { Some(()) } else { self.read_offset(zone) }
    }

    /// `Z`, `UTC`, `+0200`, `-08:00`, `+05`, or a zone abbreviation such as `EDT`.
    fn read_offset(&mut self, word: &str) -> Option<()> {
        if self.offset.is_some() {
            return None;
        }
        let offset = match word.as_bytes()[0] {
            b'+' | b'-' => {
                let digits: String = word[1..].chars().filter(|c| *c != ':').collect();
                if !(1..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // `-400` is no offset to Ruby's `Time.parse`: the time stays in the site's zone.
                if digits.len() == 3 {
                    return Some(());
                }
                let hour_digits = digits.len().min(2);
                let hours: i32 = digits[..hour_digits].parse().ok()?;
                let minutes: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
                if minutes >= 60 {
                    return None;
                }
                let seconds = (hours * 60 + minutes) * 60;
                Offset::from_seconds(if word.starts_with('-') { -seconds } else { seconds }).ok()?
            }
            _ => zone_abbreviation(word)?,
        };
        self.offset = Some(offset);
        Some(())
    }
}

/// `2018-7-24`, `2013/7/13`, `2019.12.3`; and what follows a `T`.
fn numeric_date(word: &str) -> Option<(i16, i8, i8, Option<&str>)> {
    let (date, time) = match word.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (word, None),
    };
    let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = date.split(separator);
    let year = parts.next().filter(|y| y.len() == 4)?;
    let year: i16 = year.parse().ok().filter(|_| year.bytes().all(|b| b.is_ascii_digit()))?;
    let month = small_number(parts.next()?, 1)?;
    let day = small_number(parts.next()?, 1)?;
    if parts.next().is_some() || time == Some("") {
        return None;
    }
    Some((year, month, day, time))
}

/// One or two digits (at least `min`).
fn small_number(text: &str, min: usize) -> Option<i8> {
    let ok = (min..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    if ok { text.parse().ok() } else { None }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `March`, `mar`, `Sept.`: 1 to 12.
fn month_name(word: &str) -> Option<i8> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    let found = MONTHS.iter().position(|m| *m == word || word.len() == 3 && m.starts_with(&word) || word == "sept");
    found.map(|i| i as i8 + 1)
}

fn weekday_name(word: &str) -> bool {
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    word.len() >= 3 && DAYS.iter().any(|d| *d == word || d.starts_with(&word) && word.len() == 3)
}

/// `am` is false, `pm` true.
fn meridiem(word: &str) -> Option<bool> {
    match word.to_ascii_lowercase().replace('.', "").as_str() {
        "am" => Some(false),
        "pm" => Some(true),
        _ => None,
    }
}

/// The abbreviations Ruby's `Time.parse` knows that blogs write, as offsets.
fn zone_abbreviation(word: &str) -> Option<Offset> {
    const ZONES: [(&str, i32); 27] = [
        ("z", 0),
        ("ut", 0),
        ("utc", 0),
        ("gmt", 0),
        ("wet", 0),
        ("west", 60),
        ("bst", 60),
        ("cet", 60),
        ("cest", 120),
        ("eet", 120),
        ("eest", 180),
        ("msk", 180),
        ("ist", 330),
        ("sgt", 480),
        ("jst", 540),
        ("kst", 540),
        ("aest", 600),
        ("aedt", 660),
        ("est", -300),
        ("edt", -240),
        ("cst", -360),
        ("cdt", -300),
        ("mst", -420),
        ("mdt", -360),
        ("pst", -480),
        ("pdt", -420),
        ("hst", -600),
    ];
    let word = word.to_ascii_lowercase();
    let minutes = ZONES.iter().find(|(name, _)| *name == word)?.1;
    Offset::from_seconds(minutes * 60).ok()
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;

    /// Each shape in UTC, read in New York where no zone is written.
    #[test]
    fn shapes_hexo_and_jekyll_read() {
        let cases = [
            ("2018-7-24 23:31:06", "2018-07-25T03:31:06Z"),
            ("2016-03-03 3:00", "2016-03-03T08:00:00Z"),
            ("2019-12-3", "2019-12-03T05:00:00Z"),
            ("2013/7/13 20:46:25", "2013-07-14T00:46:25Z"),
            ("March 4, 2021", "2021-03-04T05:00:00Z"),
            ("4 Mar 2021 10:00", "2021-03-04T15:00:00Z"),
            ("Sun, Mar 7, 2021 1:30 pm", "2021-03-07T18:30:00Z"),
            ("2016-03-21 12:00 EDT", "2016-03-21T16:00:00Z"),
            ("2018-12-01 0314 +0000", "2018-12-01T03:14:00Z"),
            ("2016-06-17 12:00-400", "2016-06-17T16:00:00Z"),
            ("2016-06-17 12:00 +05", "2016-06-17T07:00:00Z"),
            ("2016-06-17 12:00 -4", "2016-06-17T16:00:00Z"),
            ("2016-07-19 (optional)", "2016-07-19T04:00:00Z"),
            ("2023-01-29 18:30:22 2023 -0800", "2023-01-30T02:30:22Z"),
            ("2015-1-2T3:04:05Z", "2015-01-02T03:04:05Z"),
            ("2015-01-02 03:04:05.25 +05", "2015-01-01T22:04:05.25Z"),
            ("2015-01-02 12:00 am", "2015-01-02T05:00:00Z"),
        ];
        let tz = TimeZone::get("America/New_York").unwrap();
        for (input, expected) in cases {
            let date = parse(input).unwrap_or_else(|e| panic!("{input}: {e}")).unwrap_or_else(|| panic!("{input}"));
            let utc = date.resolve(&tz).unwrap().timestamp().to_string();
            assert_eq!(utc, expected, "{input}");
        }
    }

    #[test]
    fn other_text_is_not_a_shape_read_here() {
        for input in [
            "last tuesday",
            "2018-7",
            "March 2021",
            "2018-07-24 25",
            "2018-07-24 10:00 Mars",
            "2018-07-24 10:00 2019",
            "18-07-24",
            "2018-07-24 10:00 10:00",
            "pm 2018-07-24",
        ] {
            assert_eq!(parse(input), Ok(None), "{input}");
        }
    }

    #[test]
    fn impossible_dates_and_times_say_why() {
        assert!(parse("2018-2-30").unwrap_err().contains("day"));
        assert!(parse("2018-7-24 24:30").unwrap_err().contains("hour"));
        assert!(parse("2018-7-24 13:30 pm").unwrap_err().contains("am or pm"));
    }
}
