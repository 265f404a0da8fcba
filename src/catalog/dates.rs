//! Publication times. Producers write a bare date (`2022-11-21`), a local
//! time or a full timestamp; the catalogue keeps an instant with its
//! Europe/Stockholm offset, so the feed's RFC 2822 `pubDate` says `+0100` in
//! winter and `+0200` in summer.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Europe::Stockholm;

/// The hour a bare date stands for: early morning, Swedish time, so the
/// episode is out before the listener's commute on the stated day.
pub const DEFAULT_HOUR: u32 = 6;

/// Years a publication time may have: four digits, because RFC 3339 (what
/// `export` writes) and RFC 2822 (the feed's `pubDate`) have no other form.
/// chrono alone reads `+12345-01-01` and `0-1-1`.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Parses `2022-11-21`, `2022-11-21T14:30[:00]` (Stockholm time) or an RFC
/// 3339 timestamp with offset; the result carries the Stockholm offset.
pub fn parse_published(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let dt = parse_any(text)?;
    if !YEARS.contains(&chrono::Datelike::year(&dt)) {
        return Err(format!(
            "`{}`: the year must have four digits (1000-9999 in Swedish time)",
            text.trim()
        ));
    }
    Ok(dt)
}

fn parse_any(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(in_stockholm(dt));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let time = NaiveTime::from_hms_opt(DEFAULT_HOUR, 0, 0).unwrap_or_default();
        return local(d.and_time(time), t);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return local(naive, t);
        }
    }
    Err(format!(
        "`{t}` is not a date; write 2022-11-21 (06:00 Swedish time), 2022-11-21T14:30 or 2022-11-21T14:30:00+01:00"
    ))
}

fn local(naive: NaiveDateTime, original: &str) -> Result<DateTime<FixedOffset>, String> {
    // In the autumn hour that occurs twice, take the first; the spring hour
    // that never occurs is an error rather than a silent shift.
    match Stockholm.from_local_datetime(&naive).earliest() {
        Some(dt) => Ok(dt.fixed_offset()),
        None => Err(format!(
            "`{original}` does not exist in Swedish time (clocks skip that hour)"
        )),
    }
}

/// The same instant expressed with Stockholm's offset at that time.
pub fn in_stockholm(dt: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let local = dt.with_timezone(&Stockholm);
    local.with_timezone(&local.offset().fix())
}

/// The shortest text that parses back to `dt`: a bare date when it is
/// 06:00 Swedish time, otherwise the full timestamp.
pub fn format_published(dt: &DateTime<FixedOffset>) -> String {
    let local = dt.with_timezone(&Stockholm);
    if local.time() == NaiveTime::from_hms_opt(DEFAULT_HOUR, 0, 0).unwrap_or_default() {
        local.format("%Y-%m-%d").to_string()
    } else {
        dt.to_rfc3339()
    }
}

/// What is known of a publication time, in ISO 8601 for machine-readable
/// places (HTML `<time datetime>`, JSON-LD `datePublished`): the month
/// (`2022-11`) when only the period is known, else the full timestamp. An
/// RSS `pubDate` has no such form; the feed keeps the stored first of the
/// month at 06:00 there.
pub fn known_published(dt: &DateTime<FixedOffset>, approximate: bool) -> String {
    if approximate {
        dt.with_timezone(&Stockholm).format("%Y-%m").to_string()
    } else {
        dt.to_rfc3339()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approximate_date_is_published_as_its_month() {
        let dt = parse_published("2022-11-01").expect("date");
        assert_eq!(known_published(&dt, true), "2022-11");
        assert_eq!(known_published(&dt, false), "2022-11-01T06:00:00+01:00");
    }

    #[test]
    fn a_bare_date_means_six_in_the_morning_swedish_time() {
        assert_eq!(
            parse_published("2022-11-21").map(|d| d.to_rfc3339()),
            Ok("2022-11-21T06:00:00+01:00".into())
        );
        assert_eq!(
            parse_published("2022-06-21").map(|d| d.to_rfc3339()),
            Ok("2022-06-21T06:00:00+02:00".into())
        );
    }

    #[test]
    fn timestamps_keep_their_instant_with_the_stockholm_offset() {
        let dt = parse_published("2022-11-21T12:00:00Z").expect("parses");
        assert_eq!(dt.to_rfc3339(), "2022-11-21T13:00:00+01:00");
        assert_eq!(format_published(&dt), "2022-11-21T13:00:00+01:00");
    }

    #[test]
    fn format_round_trips() {
        for t in [
            "2019-09-01",
            "2020-03-29T01:30:00+01:00",
            "2021-10-31T02:30",
        ] {
            let dt = parse_published(t).expect("parses");
            assert_eq!(parse_published(&format_published(&dt)), Ok(dt));
        }
    }

    #[test]
    fn nonsense_and_skipped_hours_are_refused() {
        assert!(parse_published("21/11/2022").is_err());
        assert!(parse_published("2022-02-30").is_err());
        assert!(
            parse_published("2022-03-27T02:30").is_err(),
            "02:30 does not exist on the spring-forward day"
        );
    }

    #[test]
    fn years_beyond_four_digits_are_refused() {
        // chrono reads a signed year of any length; RFC 3339 (the export)
        // and RFC 2822 (the feed's pubDate) cannot write one, so such a
        // date imported, then exported, did not import again.
        for t in ["+12345-01-01", "+12345-01-01 14:30", "-0001-01-01", "0-1-1"] {
            assert!(parse_published(t).is_err(), "{t}");
        }
        assert!(parse_published("0999-01-01").is_err());
        assert!(parse_published("9999-12-31T23:59").is_ok());
    }

    proptest::proptest! {
        #[test]
        fn what_parses_formats_back_to_itself(
            text in "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        ) {
            if let Ok(dt) = parse_published(&text) {
                let formatted = format_published(&dt);
                proptest::prop_assert_eq!(parse_published(&formatted), Ok(dt), "{} -> {}", text, formatted);
                // The feed's RFC 2822 pubDate needs a four-digit year.
                proptest::prop_assert!((1000..=9999).contains(&chrono::Datelike::year(&dt)), "{}", text);
            }
        }
    }
}
