//! An episode's rules: its audio is there and is what the feed says, its
//! title and notes fit Apple's rules, and what we publish about it is known
//! (date, people) and accessible (a transcript).

use super::links::{self, Kind, Remote, https_rule};
use super::{Depth, Finding, Rule, Source, Subject, artwork};
use crate::catalog::{Audio, AudioSource, Episode};
use crate::config::Config;

/// Apple shows at most this much of an episode's `description`.
const DESCRIPTION_BYTES: usize = 4000;

/// Every rule for `ep`.
pub(super) fn check(
    config: &Config,
    ep: &Episode,
    depth: Depth,
    remote: Option<&Remote>,
) -> Vec<Finding> {
    let at = Subject::of(ep);
    let d = &ep.data;
    let mut out = audio(config, &at, &d.audio, depth, remote);
    out.extend(title(config, &at, ep));
    let notes = crate::feed::item_description(d);
    if notes.len() > DESCRIPTION_BYTES {
        const LONG: Rule = Rule::warning("description-length", Source::Apple);
        let msg = format!(
            "the show notes are {} bytes as HTML; Apple shows at most {DESCRIPTION_BYTES}: shorten them or link to the episode page",
            notes.len()
        );
        out.push(LONG.at(&at, "description", msg));
    }
    if let Some(image) = &d.image {
        out.extend(artwork::check(config, &at, "image", image, remote));
    }
    match &d.transcript {
        Some(t) => out.extend(links::check(config, &at, Kind::Transcript, t, remote)),
        None => {
            const TRANSCRIPT: Rule = Rule::warning("transcript-missing", Source::Accessibility);
            let msg = "no transcript: a Swedish public body must offer a text alternative to recorded audio. \
                       Add a WebVTT file (`transcript = \"….vtt\"`)";
            out.push(TRANSCRIPT.at(&at, "transcript", msg.into()));
        }
    }
    if let Some(c) = &d.chapters {
        out.extend(links::check(config, &at, Kind::Chapters, c, remote));
    }
    out.extend(known(&at, ep));
    out.extend(super::loudness::check(&config.loudness, &at, ep));
    out
}

/// Audio figures copied from an old feed without measuring the audio:
/// feeds in the wild often state wrong lengths and durations.
pub(super) fn unverified(ep: &Episode) -> Finding {
    const UNVERIFIED: Rule = Rule::warning("audio-unverified", Source::Podcatalog);
    let msg = "the enclosure length and duration are the imported feed's, never measured: \
               run `podcatalog import-feed` again without --no-probe to measure them";
    UNVERIFIED.at(&Subject::of(ep), "audio", msg.into())
}

/// What the sources leave open: the day of publication, the people.
fn known(at: &Subject, ep: &Episode) -> Vec<Finding> {
    const APPROXIMATE: Rule = Rule::warning("date-approximate", Source::Podcatalog);
    const PEOPLE: Rule = Rule::warning("people-none", Source::Podcatalog);
    let d = &ep.data;
    let mut out = Vec::new();
    if d.date_approximate {
        let month = crate::catalog::known_published(&d.published_at, true);
        let msg = format!(
            "only the month ({month}) is known; RSS needs a full date, so the feed says {}. \
             Set the real date when you learn it",
            crate::feed::rfc2822(&d.published_at)
        );
        out.push(APPROXIMATE.at(at, "published", msg));
    }
    if d.credits.is_empty() {
        let msg = "no people are credited, so apps show no host or guests: add them if the sources name them".into();
        out.push(PEOPLE.at(at, "people", msg));
    }
    out
}

/// Apple: a title without the show's name or the episode's number (those
/// have tags of their own), and every episode with a duration.
fn title(config: &Config, at: &Subject, ep: &Episode) -> Vec<Finding> {
    const SHOW: Rule = Rule::warning("title-show-name", Source::Apple);
    const NUMBER: Rule = Rule::warning("title-number", Source::Apple);
    let d = &ep.data;
    let mut out = Vec::new();
    let lower = d.title.to_lowercase();
    let show = config.channel.title.to_lowercase();
    if !show.trim().is_empty() && lower.contains(show.trim()) {
        let msg = format!(
            "the title repeats the show's name \"{}\"; apps show it already: remove it",
            config.channel.title
        );
        out.push(SHOW.at(at, "title", msg));
    }
    if let Some(n) = d.number.filter(|n| names_number(&lower, *n)) {
        let msg = format!(
            "the title repeats the episode number {n}; it belongs in itunes:episode only: remove it"
        );
        out.push(NUMBER.at(at, "title", msg));
    }
    out
}

/// `#85`, `avsnitt 85`, `ep. 85`, `episode 85`, `del 85`, or a title that
/// starts with `85.`, `85:` or `85 -`.
fn names_number(lower_title: &str, n: u32) -> bool {
    let n = n.to_string();
    let words: Vec<&str> = lower_title
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '|' | '–' | '—'))
        .filter(|w| !w.is_empty())
        .collect();
    let bare = |w: &str| w.trim_end_matches(['.', ':', '-']) == n;
    let labels = [
        "avsnitt", "avsnitt:", "ep", "ep.", "episode", "episod", "del", "nr", "nr.", "no.",
    ];
    let leading = match words.as_slice() {
        [first, second, ..] if *first == n => *second == "-",
        [first, ..] => first.len() > n.len() && bare(first),
        [] => false,
    };
    leading
        || words.iter().any(|w| w.strip_prefix('#').is_some_and(bare))
        || words
            .windows(2)
            .any(|p| labels.contains(&p[0]) && bare(p[1]))
}

/// The audio is there, is what was probed, and is served on `https`.
fn audio(
    config: &Config,
    at: &Subject,
    stored: &Audio,
    depth: Depth,
    remote: Option<&Remote>,
) -> Vec<Finding> {
    const DURATION: Rule = Rule::error("duration", Source::Apple);
    let mut out = Vec::new();
    if stored.duration_ms == 0 {
        let msg =
            "the episode has no duration: probe its audio again (`podcatalog edit N --audio FILE`)"
                .into();
        out.push(DURATION.at(at, "duration", msg));
    }
    if !matches!(
        stored.mime.as_str(),
        "audio/mpeg" | "audio/mp4" | "audio/x-m4a" | "audio/aac"
    ) {
        // Apple plays M4A/AAC and MP3 (and video/PDF, not podcast audio
        // we probe); Spotify ingests MP3 and AAC.
        const FORMAT: Rule = Rule::error("audio-format", Source::Apple);
        let msg = format!(
            "the audio is {}; Apple Podcasts and Spotify play only MP3 and AAC (M4A): publish an MP3 or M4A encoding",
            stored.mime
        );
        out.push(FORMAT.at(at, "audio", msg));
    }
    match &stored.source {
        AudioSource::File(name) => out.extend(local_audio(config, at, name, stored, depth)),
        AudioSource::Url(url) => {
            out.extend(https_rule(at, "audio_url", url));
            if let Some(remote) = remote {
                out.extend(remote_audio(at, url, stored, remote));
            }
        }
    }
    out
}

/// A file in the media folder: present with the recorded size (always),
/// the same content, type and duration (full depth: probed and hashed).
fn local_audio(
    config: &Config,
    at: &Subject,
    name: &str,
    stored: &Audio,
    depth: Depth,
) -> Vec<Finding> {
    const MISSING: Rule = Rule::error("audio-missing", Source::Apple);
    const CHANGED: Rule = Rule::error("audio-changed", Source::Apple);
    let path = super::media_path(config, name);
    let len = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) | Err(_) => {
            let msg = format!(
                "{}: the audio file is missing: put it back or re-add the episode's audio",
                path.display()
            );
            return vec![MISSING.at(at, "audio", msg)];
        }
    };
    if depth == Depth::Quick || len != stored.bytes {
        return (len != stored.bytes)
            .then(|| {
                let msg = format!(
                    "{name}: {len} bytes on disk, {} in the feed's enclosure length: the file changed since it was probed; \
                     run `podcatalog edit N --audio {name}` to probe it again",
                    stored.bytes
                );
                CHANGED.at(at, "audio", msg)
            })
            .into_iter()
            .collect();
    }
    match crate::ingest::audio::measure_file(&config.server.media_dir, name) {
        Err(e) => vec![MISSING.at(at, "audio", format!("{e}"))],
        Ok(now) => changes(stored, &now)
            .into_iter()
            .map(|what| CHANGED.at(at, "audio", format!("{name}: {what} since it was probed: probe it again with `podcatalog edit N --audio {name}`")))
            .collect(),
    }
}

/// What differs between the stored and the measured audio.
pub(crate) fn changes(stored: &Audio, now: &Audio) -> Vec<String> {
    let mut out = Vec::new();
    if now.sha256.is_some() && stored.sha256.is_some() && now.sha256 != stored.sha256 {
        out.push("the content changed".to_string());
    }
    if now.mime != stored.mime {
        out.push(format!(
            "its type is {} now, {} in the feed",
            now.mime, stored.mime
        ));
    }
    if now.duration_ms != stored.duration_ms {
        out.push(format!(
            "its duration is {} ms now, {} ms in the feed",
            now.duration_ms, stored.duration_ms
        ));
    }
    out
}

/// Remote audio: the server's length and type agree with the enclosure.
fn remote_audio(at: &Subject, url: &str, stored: &Audio, remote: &Remote) -> Vec<Finding> {
    const UNREACHABLE: Rule = Rule::error("audio-missing", Source::Apple);
    // Spotify's spec (section 5.17) and Apple both need the true byte length.
    const LENGTH: Rule = Rule::error("enclosure-length", Source::Spotify);
    const TYPE: Rule = Rule::warning("enclosure-type", Source::Apple);
    let reader = match remote.open(url) {
        Ok(r) => r,
        Err(e) => return vec![UNREACHABLE.at(at, "audio_url", e)],
    };
    let mut out = Vec::new();
    if reader.len() != stored.bytes {
        let msg = format!(
            "{url}: the server says {} bytes, the enclosure length says {}: probe it again (`podcatalog edit N --audio-url {url}`)",
            reader.len(),
            stored.bytes
        );
        out.push(LENGTH.at(at, "audio_url", msg));
    }
    if let Some(ct) = reader.content_type() {
        let essence = crate::remote::mime_essence(ct);
        if essence != stored.mime {
            let msg = format!(
                "{url}: the server sends Content-Type {ct}, the enclosure says {}: some apps refuse a mismatch",
                stored.mime
            );
            out.push(TYPE.at(at, "audio_url", msg));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::names_number;
    use crate::feed::synthetic;
    use crate::publish::{Depth, check};

    fn rules_of(ep: crate::catalog::Episode) -> Vec<&'static str> {
        let config = crate::config::Config::parse(include_str!("../../feed-config.toml"), "c")
            .expect("config");
        check(
            &config,
            &[ep],
            &std::collections::HashSet::new(),
            Depth::Quick,
        )
        .into_iter()
        .filter(|f| f.subject != crate::publish::Subject::Channel)
        .map(|f| f.rule)
        .collect()
    }

    const FROM_THE_CATALOGUE: [&str; 5] = [
        "duration",
        "audio-format",
        "people-none",
        "date-approximate",
        "transcript-missing",
    ];

    #[test]
    fn duration_format_people_and_date_rules_read_the_episode() {
        let plain = rules_of(synthetic::episode(1));
        for rule in FROM_THE_CATALOGUE {
            assert!(!plain.contains(&rule), "{rule}: {plain:?}");
        }
        let mut ep = synthetic::episode(1);
        ep.data.audio.duration_ms = 0;
        ep.data.audio.mime = "audio/ogg".into();
        ep.data.credits.clear();
        ep.data.date_approximate = true;
        ep.data.transcript = None;
        let found = rules_of(ep);
        for rule in FROM_THE_CATALOGUE {
            assert!(found.contains(&rule), "{rule}: {found:?}");
        }
    }

    #[test]
    fn episode_numbers_in_titles_are_found_and_other_numbers_are_not() {
        for t in [
            "#85 ledarskap",
            "avsnitt 85: ledarskap",
            "85. ledarskap",
            "85: ledarskap",
            "85 - ledarskap",
            "ledarskap (ep. 85)",
        ] {
            assert!(names_number(t, 85), "{t}");
        }
        for t in [
            "85 kommuner svarar",
            "agenda 2030",
            "ledarskap",
            "#850 ledarskap",
            "avsnitt 86",
        ] {
            assert!(!names_number(t, 85), "{t}");
        }
    }
}
