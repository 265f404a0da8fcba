//! `Range: bytes=…` for one file (RFC 9110 §14.1–14.2): a single range is
//! served as `206`; several ranges, other units and malformed headers are
//! ignored (the full file, `200`), which the RFC allows; a range no byte
//! satisfies is `416`.

/// What to send for a `Range` header and a file of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// The whole file (no header, or one we ignore).
    Full,
    /// Bytes `start..=end`, both within the file.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// No byte of the file is in the range.
    Unsatisfiable,
}

/// Interprets `header` for a file of `len` bytes.
pub fn parse(header: &str, len: u64) -> Ranged {
    let Some((unit, set)) = header.trim().split_once('=') else {
        return Ranged::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Ranged::Full;
    }
    let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return Ranged::Full;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Ranged::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    match (number(first), number(last)) {
        // bytes=-N: the last N bytes.
        (None, Some(n)) if first.is_empty() => {
            if n == 0 || len == 0 {
                Ranged::Unsatisfiable
            } else {
                Ranged::Partial {
                    start: len.saturating_sub(n),
                    end: len - 1,
                }
            }
        }
        // bytes=A- : from A to the end.
        (Some(a), None) if last.is_empty() => from_to(a, u64::MAX, len),
        // bytes=A-B, with B clamped to the end; B < A is invalid, so ignored.
        (Some(a), Some(b)) if a <= b => from_to(a, b, len),
        _ => Ranged::Full,
    }
}

fn from_to(start: u64, end: u64, len: u64) -> Ranged {
    if start >= len {
        Ranged::Unsatisfiable
    } else {
        Ranged::Partial {
            start,
            end: end.min(len - 1),
        }
    }
}

/// A run of ASCII digits as a number; too many digits saturate, which keeps
/// the meaning (a huge first byte is past the end, a huge last byte is the end).
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::Ranged::{Full, Partial, Unsatisfiable};
    use super::*;

    #[test]
    fn single_ranges_in_every_form() {
        assert_eq!(parse("bytes=0-99", 1000), Partial { start: 0, end: 99 });
        assert_eq!(
            parse("bytes=900-", 1000),
            Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            parse("bytes=-100", 1000),
            Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(parse("bytes=-5000", 1000), Partial { start: 0, end: 999 });
        assert_eq!(
            parse("bytes=990-5000", 1000),
            Partial {
                start: 990,
                end: 999
            }
        );
        assert_eq!(parse("Bytes = 1-1 ", 1000), Partial { start: 1, end: 1 });
        assert_eq!(
            parse("bytes=0-99999999999999999999999", 10),
            Partial { start: 0, end: 9 }
        );
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(parse("bytes=1000-", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=1000-2000", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=-0", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=0-", 0), Unsatisfiable);
        assert_eq!(parse("bytes=-1", 0), Unsatisfiable);
        assert_eq!(parse("bytes=99999999999999999999999-", 10), Unsatisfiable);
    }

    #[test]
    fn malformed_multiple_and_foreign_ranges_are_ignored() {
        for h in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=+1-2",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=0x1-2",
            "bytes=1--2",
            "bytes 0-1",
        ] {
            assert_eq!(parse(h, 1000), Full, "{h:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn a_partial_range_always_lies_inside_the_file(header in "(bytes|Bytes|items)?=?[ 0-9,-]{0,14}", len in 0u64..5000) {
            if let Partial { start, end } = parse(&header, len) {
                proptest::prop_assert!(start <= end && end < len);
            }
        }

        #[test]
        fn well_formed_ranges_mean_what_they_say(a in 0u64..3000, b in 0u64..3000, len in 0u64..3000) {
            let got = parse(&format!("bytes={a}-{b}"), len);
            let want = if a > b { Full } else if a >= len { Unsatisfiable } else {
                Partial { start: a, end: b.min(len - 1) }
            };
            proptest::prop_assert_eq!(got, want);
        }
    }
}
