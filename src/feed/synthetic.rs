//! A synthetic catalogue for benchmarks and load tests: any number of
//! plausible episodes (Swedish titles, a page of Markdown notes, a host and
//! two guests, themes), deterministic so runs compare. Not used by the
//! product itself.

use chrono::{Duration, TimeZone};

use chrono_tz::Europe::Stockholm;

use crate::catalog::{Audio, AudioSource, Credit, Episode, EpisodeData, EpisodeType, Role};

const THEMES: &[&str] = &[
    "medborgardialog",
    "medborgarbudget",
    "fortroendevalda",
    "lokalt-sjalvstyre",
    "agenda-2030",
    "manskliga-rattigheter",
];

const NOTES: &str = "I det här avsnittet samtalar vi om **medborgardialog** i kommuner och \
regioner: hur invånare kan vara med och påverka, vad förtroendevalda lär sig och vad \
som händer efteråt.\n\n## Medverkande\n\n- En programledare från SKR\n- Två gäster med \
erfarenhet av arbetet\n\nLäs mer på [skr.se](https://skr.se/) & i rapporten \"Dialog för \
demokrati\" <2022>.\n";

/// `n` episodes, numbered 1..=n, one a day from 1990 (newest first), so
/// even 10,000 of them are all in the past.
pub fn episodes(n: usize) -> Vec<Episode> {
    let mut out: Vec<Episode> = (1..=n).map(episode).collect();
    out.reverse();
    out
}

/// Episode number `i` of the synthetic catalogue.
pub fn episode(i: usize) -> Episode {
    let start = chrono::Utc
        .with_ymd_and_hms(1990, 1, 1, 5, 0, 0)
        .single()
        .unwrap_or_default();
    let published = (start + Duration::days(i as i64))
        .with_timezone(&Stockholm)
        .fixed_offset();
    let credit = |name: &str, role: Role| Credit {
        name: name.to_string(),
        slug: crate::slug::slugify(name),
        role,
        affiliation: None,
    };
    let guest = |role: &str| Role::parse(role).unwrap_or_else(|_| Role::host());
    Episode {
        id: i as i64,
        guid: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &i.to_le_bytes()).to_string(),
        data: EpisodeData {
            number: Some(i as u32),
            season: None,
            episode_type: EpisodeType::Full,
            title: format!("Samtal nummer {i} om demokrati på lokal nivå"),
            slug: format!("samtal-{i}"),
            summary: Some("Ett samtal om lokal demokrati.".into()),
            description: NOTES.to_string(),
            published_at: published,
            date_approximate: false,
            explicit: false,
            audio: Audio {
                source: AudioSource::File(format!("{i}-samtal.mp3")),
                bytes: 20_000_000 + i as u64,
                mime: "audio/mpeg".into(),
                duration_ms: 1_800_000 + i as u64 * 1000,
                sha256: None,
            },
            image: None,
            transcript: Some(format!("{i}-samtal.vtt")),
            chapters: None,
            credits: vec![
                credit("Nils Munthe", Role::host()),
                credit(&format!("Gäst {}", i % 97), guest("guest")),
                credit(&format!("Gäst {}", i % 89 + 100), guest("guest")),
            ],
            themes: vec![
                THEMES[i % THEMES.len()].to_string(),
                THEMES[(i + 2) % THEMES.len()].to_string(),
            ],
        },
        created_at: "2024-01-01T00:00:00Z".into(),
        updated_at: "2024-01-01T00:00:00Z".into(),
        analysis: None,
    }
}
