//! The `Content-Range` header of a `206 Partial Content` answer (RFC 9110
//! section 14.4, formerly RFC 7233 section 4.2): `bytes first-last/complete`,
//! where `complete` may be `*` when the server does not know it.

/// One parsed `Content-Range: bytes first-last/complete` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContentRange {
    /// First byte sent (inclusive).
    pub first: u64,
    /// Last byte sent (inclusive).
    pub last: u64,
    /// Length of the whole resource, `None` for `*`.
    pub complete: Option<u64>,
}

impl ContentRange {
    /// Parses a header value; `None` for anything that is not a satisfied
    /// byte range (including the `bytes */len` form of a 416 answer).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix("bytes")?;
        // RFC 9110 allows no space here, but be lenient about extra spaces.
        let rest = rest.strip_prefix(' ')?.trim_start();
        let (range, complete) = rest.split_once('/')?;
        let (first, last) = range.split_once('-')?;
        let first = digits(first)?;
        let last = digits(last)?;
        let complete = match complete.trim() {
            "*" => None,
            n => Some(digits(n)?),
        };
        let valid = first <= last && complete.is_none_or(|c| last < c);
        valid.then_some(Self {
            first,
            last,
            complete,
        })
    }
}

/// A non-empty run of ASCII digits (no sign, no spaces inside), as `u64`.
fn digits(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cr(first: u64, last: u64, complete: Option<u64>) -> Option<ContentRange> {
        Some(ContentRange {
            first,
            last,
            complete,
        })
    }

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(
            ContentRange::parse("bytes 0-499/1234"),
            cr(0, 499, Some(1234))
        );
        assert_eq!(ContentRange::parse("bytes 500-999/*"), cr(500, 999, None));
        assert_eq!(ContentRange::parse(" bytes  7-7/8 "), cr(7, 7, Some(8)));
    }

    #[test]
    fn rejects_malformed_and_unsatisfied_values() {
        for bad in [
            "",
            "bytes",
            "bytes */1234",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes -1-5/10",
            "bytes +1-5/10",
            "bytes 1-5",
            "bytes 1-/10",
            "items 0-1/2",
            "bytes=0-1/2",
            "bytes 0-1/2x",
            "bytes 0-99999999999999999999/*",
        ] {
            assert_eq!(ContentRange::parse(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trips_any_valid_range(first in 0u64..u64::MAX / 2, span in 0u64..1 << 40, extra in 1u64..1 << 20) {
            let last = first + span;
            let total = last + extra;
            let parsed = ContentRange::parse(&format!("bytes {first}-{last}/{total}"));
            proptest::prop_assert_eq!(parsed, cr(first, last, Some(total)));
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = ContentRange::parse(&s);
        }
    }
}
