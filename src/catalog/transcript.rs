//! Transcripts: WebVTT or SRT text (the formats `podcast:transcript`
//! names) read as timed cues, and the `episode_transcript` table that keeps
//! their plain text for search. The files themselves live in the media
//! folder; callers read them and hand the text in.

use rusqlite::{Connection, OptionalExtension, params};

use super::{CatalogError, bump_revision};

/// One timed piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Start in milliseconds.
    pub start_ms: u64,
    /// Plain text (markup stripped, entities decoded).
    pub text: String,
}

/// The cues of a WebVTT or SRT document, in file order. Lines may end in
/// CRLF (Windows editors), LF or a lone CR, as WebVTT allows.
pub fn cues(text: &str) -> Vec<Cue> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut cues = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines().skip_while(|l| !l.contains("-->"));
        let Some(timing) = lines.next() else { continue };
        let Some(start_ms) = timing.split("-->").next().and_then(timestamp) else {
            continue;
        };
        let words: Vec<String> = lines.map(strip_markup).filter(|l| !l.is_empty()).collect();
        if !words.is_empty() {
            cues.push(Cue {
                start_ms,
                text: words.join(" "),
            });
        }
    }
    cues
}

/// The words of a transcript without times, for the search index.
pub fn plain_text(text: &str) -> String {
    cues(text)
        .into_iter()
        .map(|c| c.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stores the plain text of episode `episode_id`'s transcript (`None`: it
/// has none) and re-indexes the episode when it changed. Returns whether it did.
pub fn set_text(
    conn: &Connection,
    episode_id: i64,
    text: Option<&str>,
) -> Result<bool, CatalogError> {
    let old: Option<String> = conn
        .query_row(
            "SELECT text FROM episode_transcript WHERE episode_id = ?1",
            [episode_id],
            |r| r.get(0),
        )
        .optional()?;
    if old.as_deref() == text {
        return Ok(false);
    }
    match text {
        Some(t) => conn.execute(
            "INSERT OR REPLACE INTO episode_transcript (episode_id, text) VALUES (?1, ?2)",
            params![episode_id, t],
        )?,
        None => conn.execute(
            "DELETE FROM episode_transcript WHERE episode_id = ?1",
            [episode_id],
        )?,
    };
    super::search_index::reindex(conn, episode_id)?;
    bump_revision(conn)?;
    Ok(true)
}

/// `hh:mm:ss.ttt`, `mm:ss.ttt` or SRT's `hh:mm:ss,ttt`, in milliseconds.
fn timestamp(s: &str) -> Option<u64> {
    let s = s.trim().replace(',', ".");
    let (clock, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut secs = 0u64;
    for part in clock.split(':') {
        secs = secs
            .checked_mul(60)?
            .checked_add(part.parse::<u64>().ok()?)?;
    }
    let ms: u64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
    secs.checked_mul(1000)?.checked_add(ms)
}

/// Cue text without tags; a voice tag `<v Anna>` becomes "Anna: ".
fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = &rest[open + 1..open + close];
        // `<v Name>` or `<v.class Name>`: the speaker's name.
        let voice = match tag.strip_prefix("v.") {
            Some(classed) => classed.split_once(' ').map(|(_, n)| n),
            None => tag.strip_prefix("v "),
        };
        if let Some(name) = voice.map(str::trim).filter(|n| !n.is_empty()) {
            out.push_str(name);
            out.push_str(": ");
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webvtt_and_srt_cues() {
        let vtt = "WEBVTT\n\nNOTE hi\n\n1\n00:00.000 --> 00:01.500\n<v Anna Hed>Hej &amp; <i>välkommen</i>\nrad två\n\n01:02:03.250 --> 01:02:04.000 align:start\nSlut\n";
        assert_eq!(
            cues(vtt),
            vec![
                Cue {
                    start_ms: 0,
                    text: "Anna Hed: Hej & välkommen rad två".into()
                },
                Cue {
                    start_ms: 3_723_250,
                    text: "Slut".into()
                },
            ]
        );
        let srt = "1\r\n00:00:02,5 --> 00:00:03,000\r\nHej\r\n";
        assert_eq!(cues(srt)[0].start_ms, 2_500);
        let old_mac = "WEBVTT\r\r00:00:01.000 --> 00:00:02.000\rHej\r\r00:00:03.000 --> x\rDå\r";
        let got: Vec<_> = cues(old_mac).into_iter().map(|c| c.text).collect();
        assert_eq!(got, ["Hej", "Då"], "lone CRs end lines too");
        assert_eq!(plain_text(vtt), "Anna Hed: Hej & välkommen rad två Slut");
        assert!(cues("99999999999999999999:00.000 --> x\nt\n").is_empty());
    }
}
