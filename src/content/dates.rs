//! Front-matter dates as creators write them.
//!
//! Hexo and Jekyll write `2025-09-25 11:35:44`, often with no offset; others
//! write RFC 3339, a bare `2025-09-25`, or Jekyll's `2025-09-25 11:35:44
//! +0200`. A date without an offset is read in the profile's time zone, so
//! [`DateInput`] keeps the civil form until the zone is known. A date with an
//! RFC 9557 time-zone annotation (`2024-06-01T10:00:00[America/New_York]`)
//! is read in that zone; an offset that contradicts the zone is an error,
//! as jiff rejects it.
//!
//! Every date ends up in `<time datetime>`, the feed and the sitemap, which
//! can only write the years 0000 to 9999 (RFC 3339), so a date outside them
//! is an error here rather than a malformed file later.

mod lenient;

use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::temporal::{Pieces, TimeZoneAnnotation, TimeZoneAnnotationKind};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

/// A date as written, not yet placed in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInput {
    /// It carried an offset, `Z` or a time-zone annotation.
    Instant(Timestamp),
    /// Date and time without offset.
    Civil(DateTime),
}

/// The years RFC 3339 can write.
const YEARS: std::ops::RangeInclusive<i16> = 0..=9999;

impl DateInput {
    /// Parses the forms listed in the module documentation.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the date is empty".to_owned());
        }
        let normalised = normalise(text);
        let pieces = match Pieces::parse(normalised.as_str()) {
            Ok(pieces) => pieces,
            // Not RFC 3339 / RFC 9557: the looser shapes Hexo and Jekyll read.
            Err(err) => {
                return match lenient::parse(text) {
                    Ok(Some(date)) => Ok(date),
                    Ok(None) => Err(explain(text, &err.to_string())),
                    Err(reason) => Err(format!("`{text}` is not a valid date ({reason})")),
                };
            }
        };
        check_year(text, pieces.date().year())?;
        let datetime = pieces.date().to_datetime(pieces.time().unwrap_or(Time::midnight()));
        if let Some(annotation) = pieces.time_zone_annotation() {
            return parse_zoned(text, &normalised, datetime, pieces.to_numeric_offset(), annotation).map(Self::Instant);
        }
        match pieces.to_numeric_offset() {
            Some(offset) => Self::at_offset(text, datetime, offset),
            None => Ok(Self::Civil(datetime)),
        }
    }

    /// `datetime` at `offset`; `written` is the date as written, for messages.
    fn at_offset(written: &str, datetime: DateTime, offset: Offset) -> Result<Self, String> {
        let timestamp = offset.to_timestamp(datetime).map_err(|_| too_late(&format!("`{written}`")))?;
        check_instant(written, timestamp).map(Self::Instant)
    }

    /// The instant, reading a civil date in `tz`.
    pub fn resolve(self, tz: &TimeZone) -> Result<Zoned, String> {
        let zoned = match self {
            Self::Instant(timestamp) => timestamp.to_zoned(tz.clone()),
            // A civil time in a gap or fold is placed the way RFC 9557 and
            // jiff do by default, so only the ends of time can fail here.
            Self::Civil(datetime) => datetime.to_zoned(tz.clone()).map_err(|_| {
                let zone = tz.iana_name().unwrap_or("UTC");
                too_late(&format!("`{datetime}` in the site's time zone `{zone}`"))
            })?,
        };
        let utc_year = zoned.timestamp().to_zoned(TimeZone::UTC).year();
        if !YEARS.contains(&zoned.year()) || !YEARS.contains(&utc_year) {
            let year = if YEARS.contains(&zoned.year()) { utc_year } else { zoned.year() };
            let zone = if YEARS.contains(&zoned.year()) { "UTC" } else { "the site's time zone" };
            return Err(format!(
                "`{}` falls in the year {year} in {zone}; dates must fall in the years 0000 to 9999, the only ones feeds and sitemaps can write",
                self.as_written()
            ));
        }
        Ok(zoned)
    }

    /// The date of a Jekyll/Hexo file name, `2024-06-30-title`: that day at
    /// midnight in the site's time zone.
    pub fn from_file_stem(stem: &str) -> Option<Self> {
        let ((year, month, day), _) = super::slugs::date_prefix(stem)?;
        let date = Date::new(year, month, day).ok()?;
        Some(Self::Civil(date.to_datetime(Time::midnight())))
    }

    fn as_written(self) -> String {
        match self {
            Self::Instant(timestamp) => timestamp.to_string(),
            Self::Civil(datetime) => datetime.to_string(),
        }
    }
}

/// `2024-06-01T10:00:00[America/New_York]`, with or without an offset: jiff
/// reads it (rejecting an offset the zone does not have at that time); this
/// says why when it cannot.
fn parse_zoned(
    text: &str,
    normalised: &str,
    datetime: DateTime,
    offset: Option<Offset>,
    annotation: &TimeZoneAnnotation<'_>,
) -> Result<Timestamp, String> {
    let tz = annotation.to_time_zone().map_err(|_| {
        let name = match annotation.kind() {
            TimeZoneAnnotationKind::Named(name) => name.as_str().to_owned(),
            other => format!("{other:?}"),
        };
        format!(
            "`{text}` names the time zone `{name}`, which is not in the time zone database (use an IANA name such as `America/New_York`)"
        )
    })?;
    if let Ok(zoned) = normalised.parse::<Zoned>() {
        return check_instant(text, zoned.timestamp());
    }
    // The date and the zone are fine, so an offset contradicts the zone or
    // the instant is past the end of time.
    match (offset.map(|o| o.to_timestamp(datetime)), datetime.to_zoned(tz)) {
        (Some(Ok(_)), Ok(expected)) => Err(format!(
            "`{text}`: its offset contradicts the time zone in brackets, which is at {} on that date; correct the offset or leave it out",
            expected.strftime("%:z")
        )),
        _ => Err(too_late(&format!("`{text}`"))),
    }
}

fn check_year(text: &str, year: i16) -> Result<(), String> {
    if YEARS.contains(&year) { Ok(()) } else { Err(year_out_of_range(text)) }
}

/// An instant must fall in the years 0000–9999 in UTC.
fn check_instant(text: &str, timestamp: Timestamp) -> Result<Timestamp, String> {
    check_year(text, timestamp.to_zoned(TimeZone::UTC).year()).map(|()| timestamp)
}

fn year_out_of_range(text: &str) -> String {
    format!(
        "`{text}` is outside the years 0000 to 9999, the only ones `<time>` tags, feeds and sitemaps (RFC 3339) can write"
    )
}

/// `what` is the date, quoted, and where it was read.
fn too_late(what: &str) -> String {
    format!(
        "{what} is too late: the last instant shopfront can handle is {} (UTC); choose an earlier date",
        Timestamp::MAX.strftime("%Y-%m-%d %H:%M")
    )
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
    // A signed year (`-0100-06-01`) or one of five digits (`10000-01-01`).
    let unsigned = text.trim_start_matches(['+', '-']);
    let year_digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    if year_digits >= 4 && unsigned[year_digits..].starts_with('-') && (year_digits > 4 || unsigned.len() < text.len())
    {
        return year_out_of_range(text);
    }
    let looks_like_date = text.len() >= 8 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if looks_like_date {
        // jiff says e.g. "parameter 'day' with value 30 is not in the required range of 1..=28".
        let reason = err.rsplit(": ").next().unwrap_or(err);
        format!("`{text}` is not a valid date ({reason})")
    } else {
        format!("`{text}` is not a date; write it as 2025-09-25, 2025-09-25 11:35:44 or 2025-09-25T11:35:44+02:00")
    }
}

/// RFC 3339 with the offset. Offsets with seconds (local mean time, before
/// time zones were standardised) cannot be written in RFC 3339, so such a
/// date is written in UTC. This module keeps years within 0000–9999.
pub fn rfc3339(date: &Zoned) -> String {
    if date.offset().seconds() % 60 != 0 {
        return date.with_time_zone(TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    }
    date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
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
    fn errors_quote_the_date_as_written() {
        let err = DateInput::parse("2025/02/30 10:00").unwrap_err();
        assert!(err.starts_with("`2025/02/30 10:00` is not a valid date"), "{err}");
        let err = DateInput::parse("2023-01-29 18:30:22 2024 -0800").unwrap_err();
        assert!(err.starts_with("`2023-01-29 18:30:22 2024 -0800` is not a"), "{err}");
    }

    #[test]
    fn a_file_name_gives_the_day() {
        let date = DateInput::from_file_stem("2024-06-30-newer").unwrap();
        assert_eq!(date, DateInput::Civil(jiff::civil::date(2024, 6, 30).to_datetime(Time::midnight())));
        // Jekyll reads one-digit months and days too.
        let short = DateInput::from_file_stem("2019-12-3-long-term-teams").unwrap();
        assert_eq!(short, DateInput::Civil(jiff::civil::date(2019, 12, 3).to_datetime(Time::midnight())));
        for stem in ["2024-06-30", "newer", "24-6-30-newer", "2024-02-30-x", "2024-06-30x-newer"] {
            assert_eq!(DateInput::from_file_stem(stem), None, "{stem}");
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

    fn utc_of(input: &str, tz: &TimeZone) -> Result<String, String> {
        DateInput::parse(input)?.resolve(tz).map(|z| z.timestamp().to_string())
    }

    #[test]
    fn a_zone_annotation_places_the_date_in_that_zone() {
        let cases = [
            ("2024-06-01T10:00:00[America/New_York]", "2024-06-01T14:00:00Z"),
            ("2024-06-01T10:00:00-04:00[America/New_York]", "2024-06-01T14:00:00Z"),
            ("2024-06-01T10:00:00-04:00[!America/New_York]", "2024-06-01T14:00:00Z"),
            ("2024-06-01T10:00:00Z[America/New_York]", "2024-06-01T10:00:00Z"),
            ("2024-06-01 10:00[America/New_York]", "2024-06-01T14:00:00Z"),
            ("2024-06-01[America/New_York]", "2024-06-01T04:00:00Z"),
            ("2024-01-15T10:00:00[Europe/Paris]", "2024-01-15T09:00:00Z"),
            ("2024-06-01T10:00:00[+02:00]", "2024-06-01T08:00:00Z"),
            ("2024-06-01T10:00:00[America/New_York][u-ca=iso8601]", "2024-06-01T14:00:00Z"),
            // An annotation that names no zone leaves the site's zone in charge.
            ("2024-06-01T10:00:00[u-ca=gregory]", "2024-06-01T17:00:00Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(utc_of(input, &la()).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn a_zone_annotation_that_cannot_hold_is_an_error() {
        let cases = [
            (
                "2024-06-01T10:00:00+02:00[America/New_York]",
                "contradicts the time zone in brackets, which is at -04:00 on",
            ),
            ("2024-06-01T10:00:00+02:00[+03:00]", "contradicts the time zone in brackets, which is at +03:00 on"),
            ("2024-06-01T10:00:00[Mars/Base]", "`Mars/Base`, which is not in the time zone database"),
            ("2024-06-01T10:00:00-04:00[Mars/Base]", "not in the time zone database"),
            ("2024-06-01T10:00:00[]", "not a valid date"),
            ("2024-02-30T10:00:00[America/New_York]", "not a valid date"),
            ("9999-12-31T10:00:00[America/New_York]", "too late"),
        ];
        for (input, expected) in cases {
            let err = DateInput::parse(input).unwrap_err();
            assert!(err.contains(expected), "{input}: {err}");
            assert!(!err.contains("does not exist"), "{input}: {err}");
        }
    }

    #[test]
    fn years_outside_0000_to_9999_are_errors() {
        for input in [
            "-0100-06-01",
            "-000100-06-01",
            "-000001-12-31T23:00:00",
            "-000001-12-31T23:00:00Z",
            "+010000-01-01",
            "10000-01-01",
            "12345-06-01 10:00",
            "-000100-06-01T00:00[UTC]",
        ] {
            let err = DateInput::parse(input).unwrap_err();
            assert!(err.contains("outside the years 0000 to 9999"), "{input}: {err}");
        }
        // Accepted at the edges; `+002024` is the expanded form of 2024.
        for input in ["0000-01-01", "9999-12-30", "+002024-06-01"] {
            assert!(DateInput::parse(input).is_ok(), "{input}");
        }
    }

    #[test]
    fn the_end_of_time_is_explained_not_called_a_missing_date() {
        let err = DateInput::parse("9999-12-31").unwrap().resolve(&TimeZone::UTC).unwrap_err();
        assert!(err.contains("too late") && err.contains("9999-12-30"), "{err}");
        assert!(!err.contains("does not exist"), "{err}");
        // Where the last day still maps to an instant, it is accepted.
        let kiritimati = TimeZone::get("Pacific/Kiritimati").unwrap();
        assert!(DateInput::parse("9999-12-31").unwrap().resolve(&kiritimati).is_ok());
        let err = DateInput::parse("9999-12-31T23:59:59Z").unwrap_err();
        assert!(err.contains("too late") || err.contains("outside the years"), "{err}");
        // Year 0000 in a zone ahead of UTC is the year -1 in UTC.
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let err = DateInput::parse("0000-01-01").unwrap().resolve(&tokyo).unwrap_err();
        assert!(err.contains("year -1"), "{err}");
    }

    /// `date-time` of RFC 3339 section 5.6, with the seconds we write.
    fn is_rfc3339(text: &str) -> bool {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| range.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
        b.len() == 25
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && matches!(b[19], b'+' | b'-')
            && digits(20..22)
            && b[22] == b':'
            && digits(23..25)
    }

    #[test]
    fn every_accepted_date_is_written_as_rfc3339() {
        let zones =
            ["UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata"];
        let inputs = [
            "0000-01-01",
            "0000-01-01T12:00:00Z",
            "0001-06-01",
            "1800-01-01",
            "1883-11-18 12:00",
            "1900-01-01T00:00:00[Europe/Amsterdam]",
            "2024-06-01T10:00:00[America/New_York]",
            "9999-12-30",
            "9999-12-30T20:00:00Z",
            "9999-12-31",
        ];
        for zone in zones {
            let tz = TimeZone::get(zone).unwrap();
            for input in inputs {
                let Ok(zoned) = DateInput::parse(input).and_then(|d| d.resolve(&tz)) else { continue };
                let written = rfc3339(&zoned);
                assert!(is_rfc3339(&written), "{input} in {zone}: {written}");
                let back: Timestamp = written.parse().unwrap();
                assert_eq!(back, zoned.timestamp().round(jiff::Unit::Second).unwrap(), "{input} in {zone}");
            }
        }
    }
}
