//! Keeps the search index's copy of each episode's transcript in step with
//! the transcript file in the media folder. A transcript that is missing or
//! unreadable is logged and left out of search; it does not stop an import
//! (the episode page links the file either way).

use std::path::{Component, Path};

use rusqlite::Connection;

use crate::catalog::{self, CatalogError, EpisodeData};
use crate::config::Config;

/// Transcripts larger than this are not indexed.
const MAX_BYTES: u64 = 5 * 1024 * 1024;

/// Indexes the transcript of the stored episode `guid` (or clears it).
pub(super) fn index(
    conn: &Connection,
    config: &Config,
    guid: &str,
    data: &EpisodeData,
) -> Result<(), CatalogError> {
    let Some(episode) = catalog::episodes::by_guid(conn, guid)? else {
        return Ok(());
    };
    let text = data
        .transcript
        .as_deref()
        .and_then(|name| read(&config.server.media_dir, name))
        .map(|t| catalog::transcript::plain_text(&t))
        .filter(|t| !t.is_empty());
    catalog::transcript::set_text(conn, episode.id, text.as_deref())?;
    Ok(())
}

fn read(media: &Path, name: &str) -> Option<String> {
    let rel = Path::new(name);
    if name.contains("://") || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = media.join(rel);
    let result = std::fs::metadata(&path).and_then(|m| {
        if m.len() > MAX_BYTES {
            Err(std::io::Error::other("larger than 5 MB"))
        } else {
            std::fs::read_to_string(&path)
        }
    });
    match result {
        Ok(text) => Some(text),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "transcript not indexed for search");
            None
        }
    }
}
