//! Front-matter dates as creators write them.
//!
//! Hexo and Jekyll write `2025-09-25 11:35:44`, often with no offset; others
//! write RFC 3339, a bare `2025-09-25`, or Jekyll's `2025-09-25 11:35:44
//! +0200`. A date without an offset is read in the profile's time zone, so
//! [`DateInput`] keeps the civil form until the zone is known.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// A date as written, not yet placed in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInput {
    /// It carried an offset or `Z`.
    Instant(Timestamp),
    /// Date and time without offset.
    Civil(DateTime),
}

impl DateInput {
    /// Parses the forms listed in the module documentation.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the date is empty".to_owned());
        }
        let normalised = normalise(text);
        let text = normalised.as_str();
        if let Ok(timestamp) = text.parse::<Timestamp>() {
            return Ok(Self::Instant(timestamp));
        }
        if let Ok(datetime) = text.parse::<DateTime>() {
            return Ok(Self::Civil(datetime));
        }
        match text.parse::<Date>() {
            Ok(date) => Ok(Self::Civil(date.to_datetime(jiff::civil::Time::midnight()))),
            Err(err) => Err(explain(text, &err.to_string())),
        }
    }

    /// The instant, reading a civil date in `tz`.
    pub fn resolve(self, tz: &TimeZone) -> Result<jiff::Zoned, String> {
        match self {
            Self::Instant(timestamp) => Ok(timestamp.to_zoned(tz.clone())),
            Self::Civil(datetime) => datetime
                .to_zoned(tz.clone())
                .map_err(|e| format!("`{datetime}` does not exist in the site's time zone: {e}")),
        }
    }
}

/// `2025/09/25` → `2025-09-25`; `… 11:35:44 +0200` → `…T11:35:44+02:00`.
fn normalise(text: &str) -> String {
    let mut out = text.to_owned();
    if out.len() >= 10 && out.as_bytes()[4] == b'/' && out.as_bytes()[7] == b'/' {
        out.replace_range(4..5, "-");
        out.replace_range(7..8, "-");
    }
    // Jekyll: a space, then an offset as the last word.
    if let Some((head, offset)) = out.rsplit_once(' ')
        && head.contains(':')
        && let Some(offset) = parse_offset(offset)
    {
        let head = head.replacen(' ', "T", 1);
        return format!("{head}{offset}");
    }
    out
}

fn parse_offset(word: &str) -> Option<String> {
    let (sign, digits) = word.split_at_checked(1)?;
    if sign != "+" && sign != "-" {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{sign}{}:{}", &digits[..2], &digits[2..]))
}

fn explain(text: &str, err: &str) -> String {
    let looks_like_date = text.len() >= 8 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if looks_like_date {
        // jiff says e.g. "parameter 'day' with value 30 is not in the required range of 1..=28".
        let reason = err.rsplit(": ").next().unwrap_or(err);
        format!("`{text}` is not a valid date ({reason})")
    } else {
        format!("`{text}` is not a date; write it as 2025-09-25, 2025-09-25 11:35:44 or 2025-09-25T11:35:44+02:00")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    #[test]
    fn forms_creators_write() {
        let cases = [
            ("2025-09-25 11:35:44", "2025-09-25T11:35:44-07:00"),
            ("2025-09-25T11:35:44", "2025-09-25T11:35:44-07:00"),
            ("2025-09-25", "2025-09-25T00:00:00-07:00"),
            ("2025-12-25", "2025-12-25T00:00:00-08:00"),
            ("2025/09/25 08:00", "2025-09-25T08:00:00-07:00"),
            ("2025-09-25T11:35:44Z", "2025-09-25T04:35:44-07:00"),
            ("2025-09-25T11:35:44+02:00", "2025-09-25T02:35:44-07:00"),
            ("2025-09-25 11:35:44 +0200", "2025-09-25T02:35:44-07:00"),
            ("2025-09-25 11:35:44 -07:00", "2025-09-25T11:35:44-07:00"),
        ];
        for (input, expected) in cases {
            let zoned = DateInput::parse(input).unwrap().resolve(&la()).unwrap();
            let got = zoned.timestamp().to_zoned(la().clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn without_offset_uses_the_given_zone() {
        let utc = DateInput::parse("2025-01-01 12:00").unwrap().resolve(&TimeZone::UTC).unwrap();
        assert_eq!(utc.timestamp().to_string(), "2025-01-01T12:00:00Z");
    }

    #[test]
    fn impossible_dates_are_explained() {
        let err = DateInput::parse("2025-02-30").unwrap_err();
        assert!(err.contains("`2025-02-30` is not a valid date"), "{err}");
        let err = DateInput::parse("2025-13-01 10:00").unwrap_err();
        assert!(err.contains("not a valid date"), "{err}");
        let err = DateInput::parse("last tuesday").unwrap_err();
        assert!(err.contains("is not a date"), "{err}");
    }
}
