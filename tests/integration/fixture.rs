//! A tiny, hostile project for feed and server tests: a config, a media
//! folder with real bytes, and a catalogue written directly through
//! `catalog::episodes::save` with hand-stated audio facts (no probing), so
//! these tests do not depend on the audio probe.

use std::path::Path;

use podcatalog::catalog::{
    self, Audio, AudioSource, Credit, EpisodeData, EpisodeType, Role, parse_published,
};

pub use crate::common::Project;

/// Fixed guids, so snapshots and guid-stability checks are exact.
pub const GUIDS: [&str; 4] = [
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
    "00000000-0000-4000-8000-000000000003",
    "00000000-0000-4000-8000-000000000004",
];

/// The hostile title of episode 1.
pub const HOSTILE_TITLE: &str = "<item> ]]> & \"quotes\"";

const CONFIG: &str = r#"
[channel]
title = "Fixturpodden & <vänner>"
description = "En podd för tester: \"citat\", å ä ö och 🎙️."
language = "sv"
author = "Testredaktionen"
base_url = "http://127.0.0.1:8080/"
image = "cover.png"
categories = ["Government", "Society & Culture > Documentary"]
explicit = false
type = "episodic"
copyright = "© Testredaktionen"
locked = true

[channel.owner]
name = "Testredaktionen"
email = "podd@example.org"

[[themes]]
slug = "demokrati"
name = "Demokrati & dialog"
description = "Om demokrati."

[[themes]]
slug = "jamstalldhet"
name = "Jämställdhet"
description = "Om jämställdhet."
"#;

/// Size of `big.mp3`, enough for ranges across several read chunks.
pub const BIG_LEN: usize = 300_000;

/// Creates the project: config, media files, a secret next to the media
/// folder (traversal target), and the catalogue.
pub fn project() -> Project {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("feed-config.toml"), CONFIG).expect("config");
    std::fs::write(root.join("secret.txt"), "TOP SECRET").expect("secret");
    let media = root.join("media");
    std::fs::create_dir_all(media.join("sub")).expect("media");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("media/86-kvinnofrid.mp3"),
        media.join("1-item.mp3"),
    )
    .expect("mp3");
    std::fs::copy(
        repo.join("media/demokratiresan.png"),
        media.join("cover.png"),
    )
    .expect("png");
    let big: Vec<u8> = (0..BIG_LEN).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(media.join("sub/två spår.mp3"), &big).expect("big");
    std::fs::write(
        media.join("1.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:01.000\nHej\n",
    )
    .expect("vtt");
    std::fs::write(media.join("1.json"), r#"{"version":"1.2.0","chapters":[]}"#).expect("json");
    std::fs::write(media.join(".hidden"), "hidden").expect("hidden");
    let project = Project::in_dir(dir);
    let mut conn = project.connect();
    let tx = conn.transaction().expect("tx");
    catalog::themes::sync(&tx, &project.config.themes).expect("themes");
    for (guid, data) in GUIDS.iter().zip(episodes(&project)) {
        catalog::episodes::save(&tx, guid, &data, "2024-01-01T00:00:00Z").expect("save");
    }
    tx.commit().expect("commit");
    project
}

fn credit(name: &str, role: &str) -> Credit {
    Credit {
        name: name.into(),
        slug: String::new(),
        role: Role::parse(role).expect("role"),
        affiliation: None,
    }
}

fn file_audio(project: &Project, name: &str, duration_ms: u64) -> Audio {
    let bytes = std::fs::metadata(project.media().join(name))
        .expect("media file")
        .len();
    Audio {
        source: AudioSource::File(name.into()),
        bytes,
        mime: "audio/mpeg".into(),
        duration_ms,
        sha256: None,
    }
}

/// The four episodes: hostile texts, winter and summer dates, a remote
/// bonus episode without number, and one in the future.
pub fn episodes(project: &Project) -> Vec<EpisodeData> {
    let base = |number, title: &str, slug: &str, date: &str, audio| EpisodeData {
        number,
        season: None,
        episode_type: EpisodeType::Full,
        title: title.into(),
        slug: slug.into(),
        summary: None,
        description: String::new(),
        published_at: parse_published(date).expect("date"),
        date_approximate: false,
        explicit: false,
        audio,
        image: None,
        transcript: None,
        chapters: None,
        credits: vec![credit("Nils Munthe", "host")],
        themes: Vec::new(),
    };
    let mut one = base(
        Some(1),
        HOSTILE_TITLE,
        "item-quotes",
        "2022-11-21",
        file_audio(project, "1-item.mp3", 2_499),
    );
    one.description = "Show notes with **bold**, <script>, & an ampersand.\n\n\
        <div>Raw HTML with ]]> inside</div>\n"
        .into();
    one.credits.push(credit("Åsa Öberg", "guest"));
    one.themes = vec!["demokrati".into(), "jamstalldhet".into()];
    one.transcript = Some("1.vtt".into());
    one.chapters = Some("1.json".into());
    let mut two = base(
        Some(2),
        "Åäö – emoji 🎙️ och en \u{b}vertikal tab",
        "aao-emoji",
        "2023-06-21T14:30",
        file_audio(project, "sub/två spår.mp3", 1_800_500),
    );
    two.description = "Anteckningar med å ä ö och 🎙️.\u{b}\n".into();
    two.credits.push(credit("Karin Krantz", "co-host"));
    two.themes = vec!["demokrati".into()];
    let mut three = base(
        None,
        "Bonus: ett extra samtal",
        "bonus",
        "2024-03-31T03:00",
        Audio {
            source: AudioSource::Url("https://cdn.example.org/bonus.mp3".into()),
            bytes: 1_234_567,
            mime: "audio/mpeg".into(),
            duration_ms: 600_000,
            sha256: None,
        },
    );
    three.episode_type = EpisodeType::Bonus;
    three.explicit = true;
    let four = base(
        Some(3),
        "Framtiden",
        "framtiden",
        "2099-01-01",
        file_audio(project, "1-item.mp3", 2_499),
    );
    vec![one, two, three, four]
}
