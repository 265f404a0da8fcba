//! Property tests of the episode file: `render` then `parse` gives any valid
//! episode back (what `export` then `import` relies on), and no input, valid
//! UTF-8 or not, panics or yields an error that does not say where.

use super::*;
use crate::catalog::model::SWEDISH_ROLES;
use crate::catalog::{Audio, parse_published};
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use std::sync::LazyLock;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::parse(
        include_str!("../../../feed-config.toml"),
        "feed-config.toml",
    )
    .expect("config")
});

/// Text a producer might paste: any characters, line breaks of every kind,
/// TOML's own delimiters, Swedish letters and emoji. Short, because TOML
/// parsing in a debug build is slow and length adds little once every kind
/// of character has appeared.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,16}",
        "(.|\n|\r\n|\r|\t|\"|'|\"\"\"|'''|\\\\|#|=|\\[|\\]|å|ä|ö|🎙️|\u{0}|\u{7f}|\u{feff}|\u{2028}){0,16}",
    ]
}

/// Text as `parse` leaves it: trimmed, and non-empty when it must be.
fn trimmed(non_empty: bool) -> impl Strategy<Value = String> {
    text()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", move |s| !non_empty || !s.is_empty())
}

/// A publication time as `parse_published` produces it: a bare date's
/// 06:00 Swedish time, or any second between 1900 and 9999 with the
/// Stockholm offset of that instant.
fn published() -> impl Strategy<Value = DateTime<chrono::FixedOffset>> {
    let first = Utc
        .with_ymd_and_hms(1900, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let last = Utc
        .with_ymd_and_hms(9999, 12, 30, 0, 0, 0)
        .unwrap()
        .timestamp();
    prop_oneof![
        (first..last).prop_map(|s| {
            crate::catalog::dates::in_stockholm(Utc.timestamp_opt(s, 0).unwrap().fixed_offset())
        }),
        (1900i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| {
            parse_published(&format!("{y:04}-{m:02}-{d:02}")).expect("a real date")
        }),
    ]
}

fn audio() -> impl Strategy<Value = Audio> {
    let file = "[A-Za-z0-9åäö_][A-Za-z0-9åäö _.()-]{0,30}\\.mp3".prop_map(|f| Audio {
        source: AudioSource::File(f),
        bytes: 0,
        mime: String::new(),
        duration_ms: 0,
        sha256: None,
    });
    let url = (
        "https?://[a-z]{1,10}\\.example\\.se/[A-Za-z0-9%._~/-]{0,30}",
        0..=i64::MAX as u64,
        "(audio/[a-z0-9.+-]{1,10})?",
        0..=i64::MAX as u64,
    )
        .prop_map(|(url, bytes, mime, duration_ms)| Audio {
            source: AudioSource::Url(url),
            bytes,
            mime,
            duration_ms,
            sha256: None,
        });
    prop_oneof![file, url]
}

fn credit() -> impl Strategy<Value = Credit> {
    (
        trimmed(true),
        proptest::sample::select(SWEDISH_ROLES),
        proptest::option::of(trimmed(true)),
    )
        .prop_map(|(name, (role, _), affiliation)| Credit {
            name,
            slug: String::new(),
            role: Role::parse(role).expect("a taxonomy role"),
            affiliation,
        })
}

fn themes() -> impl Strategy<Value = Vec<String>> {
    let all: Vec<String> = CONFIG.themes.iter().map(|t| t.slug.clone()).collect();
    proptest::sample::subsequence(all.clone(), 0..=all.len()).prop_shuffle()
}

/// Any episode a producer could have written (or `add`/`edit` stored).
fn episode() -> impl Strategy<Value = Episode> {
    let head = (
        ".{0,16}",
        proptest::option::of(any::<u32>()),
        proptest::option::of(1..=u32::MAX),
        proptest::sample::select(vec![
            EpisodeType::Full,
            EpisodeType::Trailer,
            EpisodeType::Bonus,
        ]),
        trimmed(true),
        proptest::option::of("[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}"),
        proptest::option::of(trimmed(true)),
        trimmed(false),
    );
    let tail = (
        published(),
        any::<(bool, bool)>(),
        audio(),
        proptest::array::uniform3(proptest::option::of(text())),
        proptest::collection::vec(credit(), 0..3),
        themes(),
    );
    (head, tail).prop_map(
        |(
            (guid, number, season, episode_type, title, slug, summary, description),
            (
                published_at,
                (date_approximate, explicit),
                audio,
                [image, transcript, chapters],
                credits,
                themes,
            ),
        )| {
            let slug = slug.unwrap_or_else(|| default_slug(number, &title));
            Episode {
                id: 1,
                guid,
                data: EpisodeData {
                    number,
                    season,
                    episode_type,
                    title,
                    slug,
                    summary,
                    description,
                    published_at,
                    date_approximate,
                    explicit,
                    audio,
                    image,
                    transcript,
                    chapters,
                    credits,
                    themes,
                },
                created_at: String::new(),
                updated_at: String::new(),
                analysis: None,
            }
        },
    )
}

/// The error says where: a line, a field, or both.
fn says_where(e: &FileError) -> bool {
    e.line.is_some() || e.field.is_some() || e.reason.starts_with("line ")
}

/// Decodes and parses bytes as `import` does.
fn import(bytes: Vec<u8>) -> Result<Draft, FileError> {
    let text = decode(bytes, "episodes/x.toml")?;
    parse(&text, "episodes/x.toml", &CONFIG)
}

proptest! {
    #[test]
    fn render_then_parse_gives_the_episode_back(ep in episode()) {
        let text = render(&ep);
        let draft = parse(&text, "x.toml", &CONFIG)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(draft.guid.as_deref(), Some(ep.guid.as_str()), "{}", text);
        prop_assert_eq!(&draft.data, &ep.data, "{}", text);
    }

    /// A file saved by a Windows editor (CRLF line endings) reads as the
    /// same episode: no `\r` reaches the catalogue or the feed.
    #[test]
    fn crlf_line_endings_give_the_same_episode(ep in episode()) {
        let text = render(&ep).replace('\n', "\r\n");
        let draft = parse(&text, "x.toml", &CONFIG)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&draft.data, &ep.data, "{}", text);
    }

    #[test]
    fn any_bytes_give_a_draft_or_an_error_that_says_where(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            text().prop_map(String::into_bytes),
        ],
    ) {
        if let Err(e) = import(bytes) {
            prop_assert!(says_where(&e), "{}", e);
            prop_assert!(e.to_string().starts_with("episodes/x.toml: "), "{}", e);
        }
    }

    #[test]
    fn damaged_episode_files_give_an_error_that_says_where(
        ep in episode(),
        at in any::<proptest::sample::Index>(),
        cut in 0usize..40,
        insert in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        let mut bytes = render(&ep).into_bytes();
        let from = at.index(bytes.len() + 1);
        let to = (from + cut).min(bytes.len());
        bytes.splice(from..to, insert);
        if let Err(e) = import(bytes) {
            prop_assert!(says_where(&e), "{}", e);
        }
    }
}

/// An audio name is a file name in the media folder and nothing more:
/// no folder of either system's kind, and no Windows drive (`C:x.mp3` is
/// relative to drive C's current folder there).
#[test]
fn audio_names_with_a_folder_or_a_drive_are_refused() {
    let shipped =
        include_str!("../../../episodes/009-agenda-2030-fran-det-lokala-till-det-globala.toml");
    let line = "audio = \"9-agenda-2030-fran-det-lokala-till-det-globala.mp3\"";
    assert!(shipped.contains(line));
    parse(shipped, "x.toml", &CONFIG).expect("the shipped file is valid");
    for name in [
        "a/b.mp3",
        "..\\\\b.mp3",
        "C:b.mp3",
        "C:\\\\media\\\\b.mp3",
        ".hidden.mp3",
    ] {
        let text = shipped.replace(line, &format!("audio = \"{name}\""));
        let e = parse(&text, "x.toml", &CONFIG).expect_err(name);
        assert_eq!(e.field.as_deref(), Some("audio"), "{name}: {e}");
    }
}
