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
        (Some(a), Some(b)) if !digits_less(last, first) => from_to(a, b, len),
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

/// Whether the digit run `x` is a smaller number than `y`, at any length:
/// [`number`] saturates, so two huge numbers would compare equal and a
/// reversed (invalid) range would look valid.
fn digits_less(x: &str, y: &str) -> bool {
    let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
    (x.len(), x) < (y.len(), y)
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

    /// The RFC 9110 §14.1.2 answer for one `bytes=` range spec, computed
    /// independently of [`parse`]: numbers as arbitrary-length digit strings
    /// compared as integers (`None` = larger than any file), no saturation.
    fn rfc_answer(first: &str, last: &str, len: u64) -> Ranged {
        let value = |s: &str| -> Option<u128> {
            let s = s.trim_start_matches('0');
            if s.len() > 30 {
                None
            } else {
                Some(s.parse().unwrap_or(0))
            }
        };
        let len = u128::from(len);
        let to_u64 = |v: u128| u64::try_from(v).expect("below len");
        match (first.is_empty(), last.is_empty()) {
            (true, true) => Full,
            // suffix-range: the last N bytes, the whole file when shorter.
            (true, false) => match value(last) {
                Some(0) => Unsatisfiable,
                _ if len == 0 => Unsatisfiable,
                n => Partial {
                    start: to_u64(len - n.unwrap_or(u128::MAX).min(len)),
                    end: to_u64(len - 1),
                },
            },
            (false, _) => {
                let (a, b) = (value(first), (!last.is_empty()).then(|| value(last)));
                // last-pos < first-pos: invalid, ignored (§14.1.1). Compared
                // as decimals of any length: pad to equal width, then as text.
                let width = first.len().max(last.len());
                let invalid =
                    !last.is_empty() && format!("{last:0>width$}") < format!("{first:0>width$}");
                match (invalid, a) {
                    (true, _) => Full,
                    (false, Some(a)) if a < len => Partial {
                        start: to_u64(a),
                        end: to_u64(b.flatten().unwrap_or(u128::MAX).min(len - 1)),
                    },
                    (false, _) => Unsatisfiable,
                }
            }
        }
    }

    /// A decimal number as a client might send it: small, near a file
    /// length, huge, or longer than any integer type, with leading zeros.
    fn digits() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (0u64..3000).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0u64..3000, 1usize..4).prop_map(|(n, z)| format!("{}{n}", "0".repeat(z))),
            "[1-9][0-9]{19,40}",
        ]
    }

    /// File lengths: empty, small, and near the top of `u64`.
    fn length() -> impl proptest::strategy::Strategy<Value = u64> {
        use proptest::prelude::*;
        prop_oneof![0u64..3000, Just(u64::MAX), (u64::MAX - 3000)..=u64::MAX]
    }

    #[test]
    fn huge_reversed_ranges_are_ignored_not_unsatisfiable() {
        // Both numbers saturated to u64::MAX once, which made `B < A`
        // look like `A <= B` and answered 416 for an invalid range.
        assert_eq!(
            parse("bytes=99999999999999999999999-99999999999999999999998", 10),
            Full
        );
        assert_eq!(
            parse("bytes=18446744073709551616-18446744073709551615", 10),
            Full
        );
    }

    proptest::proptest! {
        #[test]
        fn any_header_gives_a_reply_inside_the_file(
            header in proptest::prop_oneof![
                proptest::arbitrary::any::<String>(),
                "(bytes|Bytes|BYTES|items)? *=? *[ 0-9,\\-]{0,14}",
                "bytes=[0-9]{0,25}-[0-9]{0,25}(,[0-9]{0,3}-[0-9]{0,3})?",
            ],
            len in length(),
        ) {
            match parse(&header, len) {
                Partial { start, end } => {
                    proptest::prop_assert!(start <= end && end < len);
                    proptest::prop_assert!(end - start < len, "reply larger than the file");
                }
                Unsatisfiable => {
                    // Only a syntactically valid single range that no byte
                    // satisfies may be refused (RFC 9110 §14.1.1, §15.5.17).
                    let (_, set) = header.split_once('=').expect("a range set");
                    let spec = set.split(',').map(str::trim).find(|s| !s.is_empty()).expect("a spec");
                    let (a, b) = spec.split_once('-').expect("a dash");
                    proptest::prop_assert_eq!(rfc_answer(a.trim(), b.trim(), len), Unsatisfiable, "{:?}", header);
                }
                Full => {}
            }
        }

        #[test]
        fn single_ranges_get_the_rfc_answer(
            unit in "bytes|Bytes|BYTES|bYtEs",
            form in 0u8..3,
            a in digits(),
            b in digits(),
            // §5.6.1: recipients accept empty list elements and OWS around commas.
            pre in "(,? ?){0,2}",
            post in "( ?,?){0,2}",
            len in length(),
        ) {
            let (first, last) = match form {
                0 => (a.as_str(), b.as_str()),
                1 => (a.as_str(), ""),
                _ => ("", b.as_str()),
            };
            let header = format!("{unit}={pre}{first}-{last}{post}");
            proptest::prop_assert_eq!(parse(&header, len), rfc_answer(first, last, len), "{:?}", header);
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
