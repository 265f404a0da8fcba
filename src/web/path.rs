//! Turning the raw path after `/media/` into a file under the media folder,
//! or refusing. Works on the path exactly as the client sent it
//! (percent-encoded), one segment at a time, so an encoded separator or dot
//! (`%2f`, `%2e%2e`) cannot become structure after decoding.
//!
//! Refused: empty paths and segments (`a//b`, a trailing `/`, so no
//! directory listing), `.` and `..`, hidden names (`.x`: also the temp files
//! a copy in progress leaves), `/`, `\`, `:` or control characters (NUL…)
//! inside a segment, bad percent escapes and non-UTF-8. What passes is a
//! relative path of plain names; the caller still checks that the file,
//! with symlinks resolved, lies inside the folder.

use std::path::{Path, PathBuf};

/// Why a path was refused (for logs and tests; clients just see 404).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused media path: {0}")]
pub struct Refused(pub &'static str);

/// The file `raw` names under `root`, or why not.
pub fn resolve(root: &Path, raw: &str) -> Result<PathBuf, Refused> {
    if raw.is_empty() {
        return Err(Refused("empty path"));
    }
    let mut out = root.to_path_buf();
    for seg in raw.split('/') {
        let name = decode(seg)?;
        check_segment(&name)?;
        out.push(name);
    }
    Ok(out)
}

fn check_segment(name: &str) -> Result<(), Refused> {
    if name.is_empty() {
        return Err(Refused("empty segment"));
    }
    if name.starts_with('.') {
        return Err(Refused("dot segment or hidden file"));
    }
    if name.contains(['/', '\\', ':']) {
        return Err(Refused("separator inside a segment"));
    }
    if name.chars().any(char::is_control) {
        return Err(Refused("control character"));
    }
    Ok(())
}

/// Percent-decodes one segment (RFC 3986 §2.1) into UTF-8 text.
pub fn decode(seg: &str) -> Result<String, Refused> {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or(Refused("bad percent escape"))?;
            let text = std::str::from_utf8(hex).map_err(|_| Refused("bad percent escape"))?;
            let byte = u8::from_str_radix(text, 16).map_err(|_| Refused("bad percent escape"))?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Refused("not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_encoded_names_resolve_under_the_root() {
        let root = Path::new("/srv/media");
        assert_eq!(
            resolve(root, "86-kvinnofrid.mp3"),
            Ok(PathBuf::from("/srv/media/86-kvinnofrid.mp3"))
        );
        assert_eq!(
            resolve(root, "sub/%C3%A5%20b.mp3"),
            Ok(PathBuf::from("/srv/media/sub/å b.mp3"))
        );
    }

    #[test]
    fn traversal_attempts_are_refused() {
        let root = Path::new("/srv/media");
        for raw in [
            "",
            "..",
            "../feed-config.toml",
            "a/../../etc/passwd",
            "%2e%2e/x",
            "%2E%2E%2Fetc%2Fpasswd",
            "..%2fx",
            "a%2fb",
            "a%5c..%5cb",
            "..\\x",
            "C:%5cWindows",
            "/etc/passwd",
            "a//b",
            "dir/",
            "x%00.mp3",
            "x\0.mp3",
            ".hidden",
            ".podcatalog-tmp-1",
            "%",
            "%zz",
            "%ff%fe",
        ] {
            assert!(resolve(root, raw).is_err(), "{raw:?} must be refused");
        }
    }

    /// Pieces a traversal attempt is made of: dots and separators, raw
    /// and percent-encoded in both cases, NUL and controls, bad escapes,
    /// overlong/invalid UTF-8 escapes, and harmless names.
    fn hostile_piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let fixed: Vec<&'static str> = vec![
            "..",
            ".",
            "%2e",
            "%2E",
            "%2e%2e",
            "%2E%2e",
            ".%2e",
            "%2f",
            "%2F",
            "%5c",
            "%5C",
            "/",
            "\\",
            "\0",
            "%00",
            "%0a",
            "%7f",
            "%",
            "%z",
            "%zz",
            "%2",
            "%ff",
            "%c0%af",
            "%e0%80%ae",
            "%c3%a5",
            "%C3",
            "%3a",
            ":",
            "C:",
            "~",
            "a",
            "b.mp3",
            "%252e",
            "%25",
            "\u{202e}",
            "å",
            "🎙",
        ];
        prop_oneof![
            3 => proptest::sample::select(fixed).prop_map(String::from),
            1 => "[\\x00-\\x7f]{1,3}",
            1 => any::<u8>().prop_map(|b| format!("%{b:02x}")),
        ]
    }

    /// A plain file name: what `add --audio` writes and a feed links to.
    fn safe_name() -> impl proptest::strategy::Strategy<Value = String> {
        "[A-Za-z0-9åäöÅÄÖ_~-][A-Za-z0-9åäöÅÄÖ _.~()+,;=@-]{0,30}"
    }

    /// Lexically normalises `path` (what a file system does with `..`).
    fn normalise(path: &Path) -> PathBuf {
        let mut out = PathBuf::new();
        for c in path.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn whatever_resolves_stays_under_the_root(
            raw in proptest::prop_oneof![
                "[a-z./\\\\%2eEfF5cC0:]{0,16}",
                proptest::collection::vec(hostile_piece(), 0..8).prop_map(|v| v.concat()),
                proptest::arbitrary::any::<String>(),
            ],
        ) {
            use proptest::prelude::*;
            let root = Path::new("/srv/media");
            if let Ok(path) = resolve(root, &raw) {
                prop_assert!(path.starts_with(root));
                prop_assert!(normalise(&path).starts_with(root), "{:?}", path);
                let rel = path.strip_prefix(root).expect("under root");
                prop_assert!(rel.components().count() >= 1);
                for c in rel.components() {
                    let std::path::Component::Normal(name) = c else {
                        return Err(TestCaseError::fail(format!("{c:?} in {path:?}")));
                    };
                    let name = name.to_str().expect("UTF-8");
                    prop_assert!(!name.starts_with('.'), "{:?}", name);
                    prop_assert!(!name.contains(['\\', ':', '\0']), "{:?}", name);
                    prop_assert!(!name.chars().any(char::is_control), "{:?}", name);
                }
            }
        }

        #[test]
        fn plain_names_round_trip_encoded_or_not(names in proptest::collection::vec(safe_name(), 1..4)) {
            use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
            let root = Path::new("/srv/media");
            let want: PathBuf = names.iter().fold(root.to_path_buf(), |p, n| p.join(n));
            let plain = names.join("/");
            let encoded: Vec<String> = names
                .iter()
                .map(|n| utf8_percent_encode(n, NON_ALPHANUMERIC).to_string())
                .collect();
            proptest::prop_assert_eq!(resolve(root, &plain), Ok(want.clone()));
            proptest::prop_assert_eq!(resolve(root, &encoded.join("/")), Ok(want));
        }
    }
}
