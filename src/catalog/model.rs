//! The catalogue's values: what an episode is, who takes part and how.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

pub use crate::roles::{Role, SWEDISH_ROLES};

/// `itunes:episodeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EpisodeType {
    /// A regular episode.
    Full,
    /// A short promotional episode.
    Trailer,
    /// Extra material outside the numbered run.
    Bonus,
}

impl EpisodeType {
    /// The value stored in the database and written to the feed.
    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeType::Full => "full",
            EpisodeType::Trailer => "trailer",
            EpisodeType::Bonus => "bonus",
        }
    }

    /// Parses the stored/feed spelling.
    pub fn parse(s: &str) -> Option<EpisodeType> {
        match s {
            "full" => Some(EpisodeType::Full),
            "trailer" => Some(EpisodeType::Trailer),
            "bonus" => Some(EpisodeType::Bonus),
            _ => None,
        }
    }
}

/// One person's part in one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credit {
    /// The person's canonical name.
    pub name: String,
    /// The person's slug (filled in by the catalogue; empty in drafts).
    pub slug: String,
    /// What they did.
    pub role: Role,
    /// Their title and affiliation at the time of the episode.
    pub affiliation: Option<String>,
}

/// Where an episode's audio lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AudioSource {
    /// A file name under the media directory.
    File(String),
    /// An https URL elsewhere (a CDN).
    Url(String),
}

/// An episode's audio, with the facts the probe measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audio {
    /// Where it is.
    pub source: AudioSource,
    /// Exact byte length (`enclosure length`).
    pub bytes: u64,
    /// MIME type sniffed from the content.
    pub mime: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
    /// SHA-256 of the content, hex; `None` for remote audio.
    pub sha256: Option<String>,
}

/// What decoding an audio file found, stored per content hash (see
/// `catalog::analysis`): its loudness and its own chapter marks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AudioAnalysis {
    /// Integrated loudness, LUFS (EBU R128); `None` when silent or not measured.
    pub lufs: Option<f64>,
    /// Loudness range, LU.
    pub lra: Option<f64>,
    /// Highest true peak of any channel, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Why loudness was not measured, e.g. "not measured: no decoder for Opus".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loudness_error: Option<String>,
    /// Damage met while decoding, and findings about the chapters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The chapters embedded in the file, in start order (empty when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chapters: Vec<crate::probe::chapters::Chapter>,
}

/// Everything a producer decides about an episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeData {
    /// Episode number; none for bonus and unnumbered episodes.
    pub number: Option<u32>,
    /// Season number, when the show uses seasons.
    pub season: Option<u32>,
    /// full / trailer / bonus.
    pub episode_type: EpisodeType,
    /// Title, without number or show name (Apple's rule).
    pub title: String,
    /// URL slug, unique.
    pub slug: String,
    /// One-sentence summary.
    pub summary: Option<String>,
    /// Show notes, Markdown.
    pub description: String,
    /// Publication time with its Stockholm offset.
    pub published_at: DateTime<FixedOffset>,
    /// Whether only the period of publication is known.
    pub date_approximate: bool,
    /// `itunes:explicit`.
    pub explicit: bool,
    /// The audio.
    pub audio: Audio,
    /// Episode artwork under media/, if any.
    pub image: Option<String>,
    /// Transcript (WebVTT or SRT) under media/, if any.
    pub transcript: Option<String>,
    /// Podcasting 2.0 JSON chapters under media/, if any.
    pub chapters: Option<String>,
    /// People in order of appearance.
    pub credits: Vec<Credit>,
    /// Theme slugs.
    pub themes: Vec<String>,
}

/// A stored episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Episode {
    /// Database id.
    pub id: i64,
    /// Minted once at creation; never changes (`<guid isPermaLink="false">`).
    pub guid: String,
    /// The producer's fields.
    #[serde(flatten)]
    pub data: EpisodeData,
    /// When the episode entered the catalogue (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// What decoding its audio file found; `None` for remote audio and
    /// files not analysed yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AudioAnalysis>,
}
