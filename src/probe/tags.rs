//! Tag helpers shared by the formats, and the Vorbis comment block.
//!
//! Vorbis comments (xiph.org, "Ogg Vorbis I format specification: comment
//! field and header specification") are used by Ogg Vorbis, Ogg Opus
//! (`OpusTags`, RFC 7845 §5.2) and FLAC (`VORBIS_COMMENT`); cover art there
//! is a `METADATA_BLOCK_PICTURE` comment or a FLAC `PICTURE` block. ID3 lives
//! in `id3`, MP4 atoms in `mp4`.

pub(crate) use super::Tags;
use super::source::le32;

/// Sets `slot` to `value` unless it already holds something or `value` is blank.
pub(crate) fn set_once(slot: &mut Option<String>, value: String) {
    if slot.is_none() && !value.trim().is_empty() {
        *slot = Some(value.trim().to_owned());
    }
}

/// Reads a Vorbis comment block (vendor string, count, `KEY=value` entries)
/// into `tags`. A block cut short (e.g. by a read cap) yields what it holds.
pub(crate) fn read_vorbis_comments(block: &[u8], tags: &mut Tags) {
    let vendor = le32(block, 0) as usize;
    let mut pos = 4usize.saturating_add(vendor);
    let count = le32(block, pos);
    pos += 4;
    for _ in 0..count {
        let len = le32(block, pos) as usize;
        pos += 4;
        let Some(entry) = block.get(pos..pos.saturating_add(len)) else {
            // Only the key matters for a cover that runs past our read cap.
            note_key(block.get(pos..).unwrap_or(&[]), tags);
            return;
        };
        pos += len;
        let entry = String::from_utf8_lossy(entry);
        let Some((key, value)) = entry.split_once('=') else {
            continue;
        };
        if tags.chapters.vorbis_comment(key, value) {
            continue;
        }
        match key.to_ascii_uppercase().as_str() {
            "TITLE" => set_once(&mut tags.title, value.to_owned()),
            "ARTIST" => set_once(&mut tags.artist, value.to_owned()),
            "ALBUM" => set_once(&mut tags.album, value.to_owned()),
            "METADATA_BLOCK_PICTURE" | "COVERART" => tags.has_cover = true,
            _ => {}
        }
    }
}

/// Marks a cover when a truncated entry is a picture.
fn note_key(partial: &[u8], tags: &mut Tags) {
    let upper = partial
        .iter()
        .take(32)
        .map(u8::to_ascii_uppercase)
        .collect::<Vec<_>>();
    if upper.starts_with(b"METADATA_BLOCK_PICTURE=") || upper.starts_with(b"COVERART=") {
        tags.has_cover = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(entries: &[&str]) -> Vec<u8> {
        let mut v = 3u32.to_le_bytes().to_vec();
        v.extend(b"abc");
        v.extend((entries.len() as u32).to_le_bytes());
        for e in entries {
            v.extend((e.len() as u32).to_le_bytes());
            v.extend(e.as_bytes());
        }
        v
    }

    #[test]
    fn reads_keys_case_insensitively() {
        let mut tags = Tags::default();
        read_vorbis_comments(
            &block(&["title=Å", "ARTIST=B", "metadata_block_picture=xx"]),
            &mut tags,
        );
        assert_eq!(tags.title.as_deref(), Some("Å"));
        assert_eq!(tags.artist.as_deref(), Some("B"));
        assert!(tags.has_cover);
    }

    #[test]
    fn survives_lying_lengths() {
        let mut tags = Tags::default();
        let mut b = block(&["TITLE=x"]);
        b[11] = 0xFF;
        read_vorbis_comments(&b, &mut tags);
        read_vorbis_comments(&[0xFF, 0xFF, 0xFF, 0xFF], &mut tags);
        assert_eq!(tags.title, None);
    }
}
