//! The human-editable episode files in `episodes/`: one TOML file per
//! episode, parsed into a [`Draft`] and written back from an [`Episode`].
//!
//! Parsing is pure (text in, draft or error out) and checks everything that
//! can be checked without the disk or the database: syntax, unknown fields
//! (with a did-you-mean), dates, roles, themes against the vocabulary. The
//! audio is only *named* here; the caller probes it.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::dates::{format_published, parse_published};
use super::model::{AudioSource, Credit, Episode, EpisodeData, EpisodeType, Role};
use crate::config::{Config, describe_toml_error, line_of};
use crate::slug::slugify;

/// A problem in one episode file, with the line and field when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {}{}{reason}", line.map(|l| format!("line {l}: ")).unwrap_or_default(), field.as_ref().map(|f| format!("`{f}`: ")).unwrap_or_default())]
pub struct FileError {
    /// The file.
    pub path: String,
    /// 1-based line, when the problem sits on one.
    pub line: Option<usize>,
    /// The field, when one is at fault.
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub reason: String,
}

/// Where a draft's audio is, as the file names it, before probing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioRef {
    /// A file name under the media directory.
    File(String),
    /// A remote URL, with whatever facts the file states (else probed).
    Url {
        /// The URL.
        url: String,
        /// Stated byte length.
        bytes: Option<u64>,
        /// Stated MIME type.
        mime: Option<String>,
        /// Stated duration.
        duration_ms: Option<u64>,
    },
}

/// An episode as a file describes it. `data.audio` holds only the source
/// until the caller probes `audio` and fills in the measured facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The file's guid; `None` for a new episode whose guid is still to be minted.
    pub guid: Option<String>,
    /// The audio as named in the file.
    pub audio: AudioRef,
    /// Every other field, validated.
    pub data: EpisodeData,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEpisode {
    #[serde(skip_serializing_if = "Option::is_none")]
    guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    season: Option<u32>,
    #[serde(rename = "type", default = "full")]
    episode_type: Spanned<String>,
    title: Spanned<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    published: Spanned<toml::Value>,
    #[serde(default, skip_serializing_if = "is_false")]
    date_approximate: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    explicit: bool,
    #[serde(default)]
    themes: Vec<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio: Option<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_url: Option<Spanned<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_mime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audio_duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transcript: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chapters: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    people: Vec<RawCredit>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawCredit {
    name: Spanned<String>,
    role: Spanned<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

fn full() -> Spanned<String> {
    Spanned::new(0..0, "full".to_string())
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Reads episode-file bytes: refuses non-UTF-8 with the line of the first bad byte.
pub fn decode(bytes: Vec<u8>, path: &str) -> Result<String, FileError> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        FileError {
            path: path.into(),
            line: Some(line),
            field: None,
            reason: format!("not UTF-8 (bad byte at offset {at}); save the file as UTF-8"),
        }
    })
}

/// Deserialises TOML, turning syntax and shape errors into a [`FileError`]
/// whose reason carries the line.
fn from_toml<T: serde::de::DeserializeOwned>(text: &str, path: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| FileError {
        path: path.into(),
        line: None,
        field: None,
        reason: describe_toml_error(&e, text),
    })
}

/// Parses and validates one episode file.
pub fn parse(text: &str, path: &str, config: &Config) -> Result<Draft, FileError> {
    // A file saved on Windows ends its lines in CRLF; TOML keeps a raw CR
    // inside a multi-line string, where it would reach the catalogue and
    // the feed. A CR is never content there (it would be written `\r`).
    let text = &text.replace("\r\n", "\n");
    let raw: RawEpisode = from_toml(text, path)?;
    Checker { text, path, config }.draft(raw)
}

struct Checker<'a> {
    text: &'a str,
    path: &'a str,
    config: &'a Config,
}

impl Checker<'_> {
    fn err<T>(&self, field: &str, at: &Spanned<T>, reason: String) -> FileError {
        let line = (at.span() != (0..0)).then(|| line_of(self.text, at.span().start));
        FileError {
            path: self.path.into(),
            line,
            field: Some(field.into()),
            reason,
        }
    }

    fn draft(&self, raw: RawEpisode) -> Result<Draft, FileError> {
        let title = raw.title.get_ref().trim().to_string();
        if title.is_empty() {
            return Err(self.err("title", &raw.title, "must not be empty".into()));
        }
        let episode_type = EpisodeType::parse(raw.episode_type.get_ref()).ok_or_else(|| {
            let reason = format!(
                "`{}` is not one of full, trailer, bonus",
                raw.episode_type.get_ref()
            );
            self.err("type", &raw.episode_type, reason)
        })?;
        let slug = self.slug(&raw, &title)?;
        let published_at = self.published(&raw.published)?;
        let audio = self.audio(&raw)?;
        let data = EpisodeData {
            number: raw.number,
            season: raw.season,
            episode_type,
            title,
            slug,
            summary: raw
                .summary
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            description: raw.description.trim().to_string(),
            published_at,
            date_approximate: raw.date_approximate,
            explicit: raw.explicit,
            audio: pending_audio(&audio),
            image: raw.image,
            transcript: raw.transcript,
            chapters: raw.chapters,
            credits: self.credits(raw.people)?,
            themes: self.themes(raw.themes)?,
        };
        Ok(Draft {
            guid: raw.guid,
            audio,
            data,
        })
    }

    fn slug(&self, raw: &RawEpisode, title: &str) -> Result<String, FileError> {
        match &raw.slug {
            Some(s) if slugify(s.get_ref()) != *s.get_ref() || s.get_ref().is_empty() => {
                let reason = format!(
                    "`{}` is not a slug: use lowercase a-z, 0-9 and `-`",
                    s.get_ref()
                );
                Err(self.err("slug", s, reason))
            }
            Some(s) => Ok(s.get_ref().clone()),
            None => Ok(default_slug(raw.number, title)),
        }
    }

    fn published(
        &self,
        value: &Spanned<toml::Value>,
    ) -> Result<chrono::DateTime<chrono::FixedOffset>, FileError> {
        let text = match value.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            other => other.to_string(),
        };
        parse_published(&text).map_err(|reason| self.err("published", value, reason))
    }

    fn audio(&self, raw: &RawEpisode) -> Result<AudioRef, FileError> {
        match (&raw.audio, &raw.audio_url) {
            (Some(file), None) => {
                let name = file.get_ref().trim();
                if name.is_empty() || name.contains(['/', '\\', ':']) || name.starts_with('.') {
                    let reason = format!("`{name}` must be a plain file name inside the media folder");
                    return Err(self.err("audio", file, reason));
                }
                Ok(AudioRef::File(name.to_string()))
            }
            (None, Some(url)) => {
                // Which hosts may be fetched is the remote module's rule; here
                // only the shape: an absolute web address.
                let shape_ok = url::Url::parse(url.get_ref())
                    .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
                if !shape_ok {
                    let reason = format!("`{}` must be an https:// URL", url.get_ref());
                    return Err(self.err("audio_url", url, reason));
                }
                Ok(AudioRef::Url {
                    url: url.get_ref().clone(),
                    bytes: raw.audio_bytes,
                    mime: raw.audio_mime.clone(),
                    duration_ms: raw.audio_duration_ms,
                })
            }
            (Some(_), Some(url)) => Err(self.err("audio_url", url, "give either `audio` or `audio_url`, not both".into())),
            (None, None) => Err(FileError {
                path: self.path.into(),
                line: None,
                field: Some("audio".into()),
                reason: "missing: name the audio file in the media folder (`audio = \"…\"`) or give `audio_url`".into(),
            }),
        }
    }

    fn credits(&self, raw: Vec<RawCredit>) -> Result<Vec<Credit>, FileError> {
        let mut out = Vec::new();
        for c in raw {
            let name = c.name.get_ref().trim();
            if name.is_empty() {
                return Err(self.err("people.name", &c.name, "must not be empty".into()));
            }
            let role = Role::parse(c.role.get_ref()).map_err(|hint| {
                let hint = hint.map(|h| format!(" (did you mean `{h}`?)")).unwrap_or_default();
                let reason = format!("unknown role `{}`{hint}; use a Podcasting 2.0 taxonomy role such as host, guest, producer", c.role.get_ref());
                self.err("people.role", &c.role, reason)
            })?;
            out.push(Credit {
                name: name.to_string(),
                slug: String::new(),
                role,
                affiliation: c
                    .title
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
            });
        }
        Ok(out)
    }

    fn themes(&self, raw: Vec<Spanned<String>>) -> Result<Vec<String>, FileError> {
        let mut out: Vec<String> = Vec::new();
        for t in raw {
            let slug = t.get_ref().trim();
            if self.config.theme(slug).is_none() {
                let hint = self
                    .config
                    .closest_theme(slug)
                    .map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default();
                let reason = format!(
                    "unknown theme `{slug}`{hint}; themes are declared in feed-config.toml"
                );
                return Err(self.err("themes", &t, reason));
            }
            if out.iter().any(|o| o == slug) {
                return Err(self.err("themes", &t, format!("theme `{slug}` is listed twice")));
            }
            out.push(slug.to_string());
        }
        Ok(out)
    }
}

/// `85-internationellt-ledarprogram-for-kvinnor`, or the title alone when unnumbered.
pub fn default_slug(number: Option<u32>, title: &str) -> String {
    match number {
        Some(n) => format!("{n}-{}", slugify(title)),
        None => slugify(title),
    }
}

/// The audio of a draft before probing: the source, no measurements yet.
fn pending_audio(audio: &AudioRef) -> super::Audio {
    let (source, bytes, mime, duration_ms) = match audio {
        AudioRef::File(f) => (AudioSource::File(f.clone()), 0, String::new(), 0),
        AudioRef::Url {
            url,
            bytes,
            mime,
            duration_ms,
        } => (
            AudioSource::Url(url.clone()),
            bytes.unwrap_or(0),
            mime.clone().unwrap_or_default(),
            duration_ms.unwrap_or(0),
        ),
    };
    super::Audio {
        source,
        bytes,
        mime,
        duration_ms,
        sha256: None,
    }
}

/// The file name an episode is exported to: `085-title-slug.toml`.
pub fn file_name(ep: &EpisodeData) -> String {
    match ep.number {
        Some(n) => format!("{n:03}-{}.toml", slugify(&ep.title)),
        None => format!("{}.toml", ep.slug),
    }
}

/// Writes an episode as the TOML a producer would have written; parsing
/// the result gives the same episode back.
pub fn render(ep: &Episode) -> String {
    let d = &ep.data;
    let at = |s: String| Spanned::new(0..0, s);
    let (audio, audio_url, bytes, mime, duration) = match &d.audio.source {
        AudioSource::File(f) => (Some(at(f.clone())), None, None, None, None),
        AudioSource::Url(u) => (
            None,
            Some(at(u.clone())),
            Some(d.audio.bytes),
            Some(d.audio.mime.clone()),
            Some(d.audio.duration_ms),
        ),
    };
    let published = format_published(&d.published_at);
    let published = published
        .parse::<toml::value::Datetime>()
        .map_or(toml::Value::String(published), toml::Value::Datetime);
    let raw = RawEpisode {
        guid: Some(ep.guid.clone()),
        number: d.number,
        season: d.season,
        episode_type: at(d.episode_type.as_str().into()),
        slug: (d.slug != default_slug(d.number, &d.title)).then(|| at(d.slug.clone())),
        title: at(d.title.clone()),
        summary: d.summary.clone(),
        published: Spanned::new(0..0, published),
        date_approximate: d.date_approximate,
        explicit: d.explicit,
        themes: d.themes.iter().cloned().map(at).collect(),
        audio,
        audio_url,
        audio_bytes: bytes,
        audio_mime: mime,
        audio_duration_ms: duration,
        image: d.image.clone(),
        transcript: d.transcript.clone(),
        chapters: d.chapters.clone(),
        description: d.description.clone(),
        people: d
            .credits
            .iter()
            .map(|c| RawCredit {
                name: at(c.name.clone()),
                role: at(c.role.as_str().into()),
                title: c.affiliation.clone(),
            })
            .collect(),
    };
    toml::to_string(&raw).unwrap_or_default()
}

/// `people.toml` beside the episode files: what is known about a person
/// beyond their name, above all other spellings of it.
#[derive(Debug, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPeople {
    #[serde(default)]
    person: Vec<RawPerson>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
}

/// The name of the people file inside an episodes folder.
pub const PEOPLE_FILE: &str = "people.toml";

/// Parses `people.toml`.
pub fn parse_people(text: &str, path: &str) -> Result<Vec<super::people::PersonInfo>, FileError> {
    let raw: RawPeople = from_toml(text, path)?;
    Ok(raw
        .person
        .into_iter()
        .map(|p| super::people::PersonInfo {
            name: p.name.trim().to_string(),
            aliases: p.aliases,
            href: p.href,
            image: p.image,
        })
        .collect())
}

/// Writes `people.toml` for the people who have anything beyond a name.
pub fn render_people(people: &[super::people::PersonSummary]) -> Option<String> {
    let person: Vec<RawPerson> = people
        .iter()
        .filter(|p| !p.aliases.is_empty() || p.href.is_some() || p.image.is_some())
        .map(|p| RawPerson {
            name: p.name.clone(),
            aliases: p.aliases.clone(),
            href: p.href.clone(),
            image: p.image.clone(),
        })
        .collect();
    (!person.is_empty()).then(|| toml::to_string(&RawPeople { person }).unwrap_or_default())
}

#[cfg(test)]
mod tests;
