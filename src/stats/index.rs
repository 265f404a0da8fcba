//! Which episode a request is for: every episode's audio by its file name
//! (the last segment of its path or URL), as the server's `/media/…` paths
//! and a CDN's or nginx's log lines name it.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::window::Media;
use crate::catalog::{AudioSource, Episode};

/// Episodes' audio by file name.
#[derive(Debug, Default, Clone)]
pub struct MediaIndex {
    by_name: HashMap<String, Media>,
}

impl MediaIndex {
    /// The index of `episodes`; local files' ID3 tags are measured in
    /// `media_dir` (a tag is not audio, so it does not count to a minute).
    pub fn new(episodes: &[Episode], media_dir: &Path) -> MediaIndex {
        let by_name = episodes
            .iter()
            .map(|ep| {
                let a = &ep.data.audio;
                let (name, tag_bytes) = match &a.source {
                    AudioSource::File(f) => (file_name(f), tag_len(&media_dir.join(f))),
                    AudioSource::Url(u) => (file_name(u.split(['?', '#']).next().unwrap_or(u)), 0),
                };
                let media = Media {
                    guid: Arc::from(ep.guid.as_str()),
                    bytes: a.bytes,
                    tag_bytes,
                    duration_ms: a.duration_ms,
                };
                (name, media)
            })
            .collect();
        MediaIndex { by_name }
    }

    /// The episode whose audio `path` names (`/media/86-kvinnofrid.mp3`,
    /// percent-encoded or not, with or without a query).
    pub fn find(&self, path: &str) -> Option<&Media> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let last = path.rsplit('/').next().unwrap_or(path);
        let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
        self.by_name.get(decoded.as_ref())
    }

    /// How many episodes it knows.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

fn file_name(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or(path);
    percent_encoding::percent_decode_str(last)
        .decode_utf8_lossy()
        .into_owned()
}

/// Length of the ID3v2 tag at the start of `path`, 0 if none or unreadable.
fn tag_len(path: &Path) -> u64 {
    let mut head = [0u8; 10];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .ok()
        .and_then(|()| crate::probe::id3v2_size(&head))
        .unwrap_or(0)
}
