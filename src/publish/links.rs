//! Linked files: transcripts and chapters (in the media folder or at a
//! URL) present and of the type the feed declares, and every URL we
//! publish on `https`. Remote URLs are asked through [`crate::remote`] with
//! short timeouts, so an unreachable host is a finding, never a hang.

use std::io::Read;
use std::time::Duration;

use super::{Finding, Rule, Source, Subject};
use crate::remote::{RangeReader, RemoteOptions};

/// Bytes of a transcript or chapters file read to tell its type.
const SNIFF: usize = 64 * 1024;

/// The HTTP client of one gate run, with timeouts fit for a check.
pub(super) struct Remote(crate::remote::Remote);

impl Remote {
    /// `None` when the client cannot start (reported by the first use).
    pub(super) fn new() -> Option<Remote> {
        let opts = RemoteOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(20),
            ..RemoteOptions::default()
        };
        crate::remote::Remote::new(opts).ok().map(Remote)
    }

    /// Opens `url` (validated, `HEAD` sent); the error is one line naming it.
    pub(super) fn open(&self, url: &str) -> Result<RangeReader, String> {
        self.0.open(url).map_err(|e| e.to_string())
    }
}

/// An error when `url` is plain `http` to anywhere but this machine (a
/// loopback preview is fine): Apple and Spotify fetch only `https`.
pub(super) fn https_rule(subject: &Subject, field: &str, url: &str) -> Option<Finding> {
    const HTTPS: Rule = Rule::error("https", Source::Apple);
    let parsed = url::Url::parse(url).ok()?;
    if parsed.scheme() == "https" || crate::remote::is_loopback(&parsed) {
        return None;
    }
    let msg =
        format!("{url} is not https; Apple and Spotify fetch only https: serve it over https");
    Some(HTTPS.at(subject, field, msg))
}

/// What a linked file must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A transcript; its declared type follows its extension.
    Transcript,
    /// Podcasting 2.0 JSON chapters.
    Chapters,
}

/// The linked file `name` (media folder or URL) exists and is what the
/// feed says it is. A URL is fetched only with `remote`.
pub(super) fn check(
    config: &crate::config::Config,
    subject: &Subject,
    kind: Kind,
    name: &str,
    remote: Option<&Remote>,
) -> Vec<Finding> {
    const MISSING: Rule = Rule::error("link-missing", Source::PodcastIndex);
    let field = match kind {
        Kind::Transcript => "transcript",
        Kind::Chapters => "chapters",
    };
    let head = if super::local_name(name) {
        let path = super::media_path(config, name);
        std::fs::File::open(&path)
            .and_then(sniff)
            .map_err(|e| format!("{}: {e}", path.display()))
            .map(|bytes| (bytes, None))
    } else {
        let mut out: Vec<Finding> = https_rule(subject, field, name).into_iter().collect();
        let Some(remote) = remote else { return out };
        let fetched = remote.open(name).and_then(|r| {
            let ct = r.content_type().map(str::to_string);
            sniff(r)
                .map(|b| (b, ct))
                .map_err(|e| format!("{name}: {e}"))
        });
        match fetched {
            Ok(head) => out.extend(content_rules(
                subject,
                kind,
                name,
                &head.0,
                head.1.as_deref(),
            )),
            Err(e) => {
                out.push(MISSING.at(subject, field, format!("{e}: fix the link or the server")))
            }
        }
        return out;
    };
    match head {
        Ok((bytes, ct)) => content_rules(subject, kind, name, &bytes, ct),
        Err(e) => vec![MISSING.at(
            subject,
            field,
            format!("{e}: put the file in the media folder or fix `{field}`"),
        )],
    }
}

fn sniff(r: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(SNIFF.min(8192));
    r.take(SNIFF as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The declared type from the name, as the feed writes it, against the
/// content (and the server's `Content-Type`, for a URL).
fn content_rules(
    subject: &Subject,
    kind: Kind,
    name: &str,
    head: &[u8],
    content_type: Option<&str>,
) -> Vec<Finding> {
    const TYPE: Rule = Rule::error("link-type", Source::PodcastIndex);
    const SERVED: Rule = Rule::warning("link-content-type", Source::PodcastIndex);
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let path = name.split(['?', '#']).next().unwrap_or(name);
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (field, declared, ok) = match (kind, ext.as_str()) {
        (Kind::Chapters, _) => ("chapters", "application/json+chapters", is_json(head, true)),
        (Kind::Transcript, "vtt") => ("transcript", "text/vtt", text.starts_with("WEBVTT")),
        (Kind::Transcript, "srt") => ("transcript", "application/x-subrip", is_srt(text)),
        (Kind::Transcript, "json") => ("transcript", "application/json", is_json(head, false)),
        (Kind::Transcript, "html" | "htm") => ("transcript", "text/html", text.starts_with('<')),
        (Kind::Transcript, _) => (
            "transcript",
            "text/plain",
            std::str::from_utf8(head).is_ok(),
        ),
    };
    let mut out = Vec::new();
    if !ok {
        let msg = format!(
            "{name}: the feed declares it {declared}, but the content is not: fix the file or its name"
        );
        out.push(TYPE.at(subject, field, msg));
    }
    if let Some(ct) = content_type {
        let essence = crate::remote::mime_essence(ct);
        let fits = essence == declared
            || (kind == Kind::Chapters && essence == "application/json")
            || (declared == "application/x-subrip" && essence.contains("subrip"));
        if !fits {
            let msg = format!(
                "{name}: the server sends Content-Type {ct}, the feed declares {declared}: configure the server's type for it"
            );
            out.push(SERVED.at(subject, field, msg));
        }
    }
    out
}

/// JSON; with `chapters`, a Podcasting 2.0 chapters document: `version`
/// and a `chapters` array (podcast namespace, `chapters.md`). A file longer
/// than the sniffed part is judged by its start.
fn is_json(head: &[u8], chapters: bool) -> bool {
    match serde_json::from_slice::<serde_json::Value>(head) {
        Ok(v) if chapters => {
            v.get("version").is_some() && v.get("chapters").is_some_and(|c| c.is_array())
        }
        Ok(_) => true,
        Err(_) => head.len() == SNIFF && head.trim_ascii_start().starts_with(b"{"),
    }
}

/// SubRip: a cue number, then a `00:00:00,000 --> …` line.
fn is_srt(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let number = lines
        .next()
        .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    number && lines.next().is_some_and(|l| l.contains("-->"))
}
