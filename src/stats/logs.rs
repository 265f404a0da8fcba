//! Access-log lines: nginx's and Apache's "combined" format, and the W3C
//! extended format with a `#Fields:` header (CloudFront, S3, IIS). Parsed
//! by hand, without allocating for a plain line: a million lines is the
//! usual month of a small show.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// One request from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    /// When it was made (UTC).
    pub at: DateTime<Utc>,
    /// The client's address.
    pub ip: IpAddr,
    /// `GET`, `HEAD`, …
    pub method: &'a str,
    /// The path asked for, without the query.
    pub path: &'a str,
    /// The answer's status.
    pub status: u16,
    /// Body bytes sent.
    pub bytes: u64,
    /// The `User-Agent`, decoded.
    pub user_agent: Cow<'a, str>,
}

/// Why a line was not understood.
pub type Malformed = &'static str;

/// Which layout the lines of a file have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Format {
    /// `ip - user [time] "request" status bytes "referer" "agent"`.
    #[default]
    Combined,
    /// Fields as a `#Fields:` header named them.
    W3c(W3cFields),
}

/// Positions of the W3C fields we read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct W3cFields {
    date: usize,
    time: usize,
    ip: usize,
    method: usize,
    path: usize,
    status: usize,
    bytes: usize,
    agent: usize,
}

impl W3cFields {
    /// Reads a `#Fields:` line; `Err` names a field we need that is missing.
    pub fn parse(header: &str) -> Result<W3cFields, String> {
        let names: Vec<&str> = header
            .trim_start_matches("#Fields:")
            .split_whitespace()
            .collect();
        let find = |name: &str| {
            names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("#Fields has no `{name}`"))
        };
        Ok(W3cFields {
            date: find("date")?,
            time: find("time")?,
            ip: find("c-ip")?,
            method: find("cs-method")?,
            path: find("cs-uri-stem")?,
            status: find("sc-status")?,
            bytes: find("sc-bytes")?,
            agent: find("cs(User-Agent)")?,
        })
    }
}

impl Format {
    /// Parses one line in this format.
    pub fn parse<'a>(&self, line: &'a str) -> Result<Line<'a>, Malformed> {
        match self {
            Format::Combined => combined(line),
            Format::W3c(fields) => w3c(fields, line),
        }
    }
}

/// One line of the combined format.
pub fn combined(line: &str) -> Result<Line<'_>, Malformed> {
    let (ip, rest) = line.split_once(' ').ok_or("no client address")?;
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| "the client address is not an IP address")?;
    let open = rest.find('[').ok_or("no [time]")?;
    let close = open + rest[open..].find(']').ok_or("no [time]")?;
    let at =
        clf_time(&rest[open + 1..close]).ok_or("the time is not dd/Mon/yyyy:HH:MM:SS +zzzz")?;
    let rest = rest[close + 1..].trim_start();
    let rest = rest.strip_prefix('"').ok_or("no \"request\"")?;
    // The request ends at the quote before the status; nginx escapes
    // quotes inside it as \x22, Apache as \".
    let end = rest.find("\" ").ok_or("no end of \"request\"")?;
    let request = &rest[..end];
    let mut words = request.split(' ');
    let method = words
        .next()
        .filter(|m| !m.is_empty())
        .ok_or("empty request")?;
    let target = words.next().ok_or("no path in the request")?;
    let path = target.split('?').next().unwrap_or(target);
    let mut fields = rest[end + 2..].splitn(3, ' ');
    let status = fields
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("no status")?;
    let bytes = match fields.next().ok_or("no byte count")? {
        "-" => 0,
        b => b.parse().map_err(|_| "the byte count is not a number")?,
    };
    let quoted = fields.next().unwrap_or("");
    let user_agent = second_quoted(quoted).unwrap_or("");
    Ok(Line {
        at,
        ip,
        method,
        path,
        status,
        bytes,
        user_agent: Cow::Borrowed(user_agent),
    })
}

/// The second `"…"` of `"referer" "agent" …`.
fn second_quoted(text: &str) -> Option<&str> {
    let after_referer = text.strip_prefix('"')?;
    let referer_end = after_referer.find("\" \"")?;
    let agent = &after_referer[referer_end + 3..];
    let end = agent.rfind('"')?;
    // Extra fields after the agent (`"agent" rt=0.1`): stop at its quote.
    let end = agent.find("\" ").map_or(end, |e| e.min(end));
    Some(&agent[..end])
}

/// `07/Dec/2026:10:00:00 +0100`.
fn clf_time(t: &str) -> Option<DateTime<Utc>> {
    let b = t.as_bytes();
    if b.len() < 26 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<u32>().ok();
    let month = match &t[3..6] {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(7..11)?).ok()?, month, num(0..2)?)?;
    let local = date.and_hms_opt(num(12..14)?, num(15..17)?, num(18..20)?)?;
    let sign: i32 = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * i32::try_from(num(22..24)? * 3600 + num(24..26)? * 60).ok()?;
    let zone = chrono::FixedOffset::east_opt(offset)?;
    Some(
        zone.from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

/// One line of the W3C format (tab- or space-separated).
fn w3c<'a>(f: &W3cFields, line: &'a str) -> Result<Line<'a>, Malformed> {
    let cols: Vec<&str> = if line.contains('\t') {
        line.split('\t').collect()
    } else {
        line.split(' ').collect()
    };
    let col = |i: usize| {
        cols.get(i)
            .copied()
            .ok_or("fewer fields than #Fields names")
    };
    let date = NaiveDate::parse_from_str(col(f.date)?, "%Y-%m-%d").map_err(|_| "bad date")?;
    let time =
        chrono::NaiveTime::parse_from_str(col(f.time)?, "%H:%M:%S").map_err(|_| "bad time")?;
    let ip = col(f.ip)?
        .parse()
        .map_err(|_| "c-ip is not an IP address")?;
    let status = col(f.status)?.parse().map_err(|_| "bad sc-status")?;
    let bytes = match col(f.bytes)? {
        "-" => 0,
        b => b.parse().map_err(|_| "bad sc-bytes")?,
    };
    let agent = col(f.agent)?;
    // CloudFront percent-encodes the agent (twice for `%`); IIS writes `+`
    // for spaces.
    let user_agent = if agent.contains('%') || agent.contains('+') {
        let spaced = agent.replace('+', " ");
        let once = percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy();
        let twice = percent_encoding::percent_decode_str(&once).decode_utf8_lossy();
        Cow::Owned(twice.into_owned())
    } else {
        Cow::Borrowed(agent)
    };
    Ok(Line {
        at: Utc.from_utc_datetime(&date.and_time(time)),
        ip,
        method: col(f.method)?,
        path: col(f.path)?,
        status,
        bytes,
        user_agent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_lines_are_read_as_nginx_and_apache_write_them() {
        let l = combined(
            r#"2001:db8::1 - - [07/Dec/2026:10:00:00 +0100] "GET /media/86-kvinnofrid.mp3?x=1 HTTP/1.1" 206 1048576 "-" "AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)""#,
        )
        .expect("line");
        assert_eq!(l.at.to_rfc3339(), "2026-12-07T09:00:00+00:00");
        assert_eq!(
            (l.method, l.path, l.status, l.bytes),
            ("GET", "/media/86-kvinnofrid.mp3", 206, 1_048_576)
        );
        assert!(l.user_agent.starts_with("AppleCoreMedia/"));
        let l = combined(r#"192.0.2.1 - bob [31/Jan/2026:23:59:59 -0500] "HEAD /feed.xml HTTP/1.0" 200 - "https://x.se/a b" "Overcast/3.0" rt=0.001"#)
            .expect("line");
        assert_eq!((l.bytes, &*l.user_agent), (0, "Overcast/3.0"));
        assert_eq!(l.at.to_rfc3339(), "2026-02-01T04:59:59+00:00");
        for bad in [
            "",
            "nonsense",
            "192.0.2.1 - - [07/Dec/2026] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"",
            "x - - [07/Dec/2026:10:00:00 +0100] \"GET / HTTP/1.1\" 200 1",
        ] {
            assert!(combined(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn w3c_lines_follow_their_fields_header() {
        let f = W3cFields::parse("#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent)")
            .expect("fields");
        let line = "2026-12-07\t10:00:00\tARN1\t2000000\t192.0.2.1\tGET\td.cloudfront.net\t/ep/86.mp3\t200\t-\tPocket%2520Casts/7.0";
        let l = Format::W3c(f).parse(line).expect("line");
        assert_eq!(
            (l.path, l.bytes, &*l.user_agent),
            ("/ep/86.mp3", 2_000_000, "Pocket Casts/7.0")
        );
        assert!(W3cFields::parse("#Fields: date time").is_err());
    }
}
