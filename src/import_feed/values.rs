//! Scalar values as real feeds write them: `pubDate` in RFC 2822 and its
//! broken variants, `itunes:duration` in every form, booleans.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// A publication date in any form seen in the wild: RFC 2822 with or without
/// the weekday, two-digit years (RFC 2822 section 4.3: below 50 is 20xx),
/// `GMT`/`UT`/`Z`/named US zones, full month names, no seconds; ISO 8601 /
/// RFC 3339 with or without a zone; a bare date. No zone means UTC (what
/// podcast apps assume). `Err` says what was wrong.
pub fn parse_date(raw: &str) -> Result<DateTime<FixedOffset>, String> {
    let t = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
        return Ok(dt);
    }
    iso(t).or_else(|| loose_rfc2822(t)).ok_or_else(|| {
        format!("`{t}` is not a date (RFC 2822 such as `Mon, 07 Nov 2022 06:00:00 +0100`)")
    })
}

fn iso(t: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt);
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(utc(n));
        }
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    Some(utc(date.and_time(NaiveTime::MIN)))
}

fn utc(n: NaiveDateTime) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(0)
        .and_then(|z| z.from_local_datetime(&n).single())
        .unwrap_or_else(|| n.and_utc().fixed_offset())
}

/// `[Weekday,] D Month YY[YY] H:M[:S] [zone]`, tolerating case and commas.
fn loose_rfc2822(t: &str) -> Option<DateTime<FixedOffset>> {
    let cleaned = t.replace(',', " ");
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| w.chars().all(char::is_alphabetic))
    {
        words.remove(0); // the weekday, right or wrong
    }
    let [day, month, year, time, rest @ ..] = words.as_slice() else {
        return None;
    };
    let day: u32 = day.parse().ok()?;
    let month = month_number(month)?;
    let year: i32 = match year.parse::<i32>().ok()? {
        y @ 0..=49 if year.len() <= 2 => 2000 + y,
        y @ 50..=99 if year.len() <= 2 => 1900 + y,
        y => y,
    };
    let mut hms = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m) = (hms.next()??, hms.next()??);
    let s = hms.next().flatten().unwrap_or(0);
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, s)?;
    let offset = match rest.first() {
        Some(zone) => zone_offset(zone)?,
        None => 0,
    };
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&naive)
        .single()
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = word.to_ascii_lowercase();
    let prefix = w.get(..3)?;
    // Swedish `maj`/`okt` appear in hand-written feeds.
    let prefix = match prefix {
        "maj" => "may",
        "okt" => "oct",
        p => p,
    };
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

/// Seconds east of UTC for `+0100`, `-05:00`, `GMT`, `UT`, `Z`, US zones.
fn zone_offset(zone: &str) -> Option<i32> {
    let z = zone.trim_matches(|c| c == '(' || c == ')');
    if let Some(sign) = z.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
            _ => return None,
        };
        let secs = h * 3600 + m * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let hours = match z.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "CET" => 1,
        "CEST" => 2,
        "BST" => 1,
        _ => return None,
    };
    Some(hours * 3600)
}

/// `itunes:duration` in milliseconds: seconds (`3723`, `3723.5`), `MM:SS`,
/// `HH:MM:SS`, each with an optional fraction. `None` when it is none of those.
pub fn parse_duration(raw: &str) -> Option<u64> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let (last, whole) = parts.split_last()?;
    let mut secs: u64 = 0;
    for p in whole {
        secs = secs
            .checked_mul(60)?
            .checked_add(p.trim().parse::<u64>().ok()?)?;
    }
    let last: f64 = last.trim().parse().ok()?;
    if !last.is_finite() || last < 0.0 {
        return None;
    }
    let ms = secs.checked_mul(60u64.pow(u32::from(!whole.is_empty())))?;
    let ms = ms.checked_mul(1000)?;
    ms.checked_add((last * 1000.0).round() as u64)
}

/// `itunes:explicit`: `true`/`yes`/`explicit` or `false`/`no`/`clean`.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "explicit" => Some(true),
        "false" | "no" | "clean" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> String {
        parse_date(raw)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn dates_in_the_forms_feeds_use() {
        let cases = [
            (
                "Mon, 07 Nov 2022 06:00:00 +0100",
                "2022-11-07T06:00:00+01:00",
            ),
            ("07 Nov 2022 06:00:00 +0100", "2022-11-07T06:00:00+01:00"),
            ("Mon, 7 Nov 22 06:00:00 GMT", "2022-11-07T06:00:00+00:00"),
            ("Tue, 07 Nov 2022 06:00:00 GMT", "2022-11-07T06:00:00+00:00"),
            ("Mon, 07 Nov 2022 06:00:00 UT", "2022-11-07T06:00:00+00:00"),
            ("Mon, 07 Nov 2022 06:00:00 EST", "2022-11-07T06:00:00-05:00"),
            ("Mon, 07 Nov 2022 06:00:00 PDT", "2022-11-07T06:00:00-07:00"),
            (
                "Monday, 07 November 2022 06:00 +01:00",
                "2022-11-07T06:00:00+01:00",
            ),
            ("Mon, 07 Nov 2022 06:00:00", "2022-11-07T06:00:00+00:00"),
            ("2022-11-07T06:00:00+01:00", "2022-11-07T06:00:00+01:00"),
            ("2022-11-07T06:00:00Z", "2022-11-07T06:00:00+00:00"),
            ("2022-11-07 06:00:00", "2022-11-07T06:00:00+00:00"),
            ("2022-11-07", "2022-11-07T00:00:00+00:00"),
            (
                "  Mon, 07 Nov 99 06:00:00 +0000 ",
                "1999-11-07T06:00:00+00:00",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(at(raw), want, "{raw}");
        }
        for bad in [
            "",
            "yesterday",
            "32 Nov 2022 06:00:00 GMT",
            "Mon, 07 Nov 2022 25:00 GMT",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_in_every_form() {
        assert_eq!(parse_duration("3723"), Some(3_723_000));
        assert_eq!(parse_duration("3723.5"), Some(3_723_500));
        assert_eq!(parse_duration("62:03"), Some(3_723_000));
        assert_eq!(parse_duration("1:02:03"), Some(3_723_000));
        assert_eq!(parse_duration("01:02:03.250"), Some(3_723_250));
        assert_eq!(parse_duration(" 0:45 "), Some(45_000));
        for bad in ["", "abc", "1:2:3:4", "-5", "1:-2", "NaN"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn booleans_as_apple_and_older_feeds_spell_them() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("clean"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
