//! Which format a file is, from its first bytes, and what a non-audio file
//! looks like so the error can say so.
//!
//! Follows the WHATWG MIME Sniffing standard's idea (magic numbers first,
//! never the extension) with the signatures of each container: `ID3`, MPEG
//! and ADTS sync words, `RIFF`/`RF64`+`WAVE`, `fLaC`, `OggS`, ISO BMFF
//! `ftyp`. The extension is only compared afterwards, to warn when it lies.
//! Does not measure anything (see the format modules).

use super::id3;

/// A container the probe knows how to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// MPEG audio, possibly after an ID3v2 tag, or an unknown start (the MP3
    /// walk searches for a frame, then ADTS is tried).
    MpegOrAdts,
    /// RIFF/RF64 WAVE.
    Wav,
    /// Native FLAC.
    Flac,
    /// Ogg (Vorbis or Opus inside).
    Ogg,
    /// ISO base media (M4A, M4B, MP4).
    Mp4,
}

/// Picks the container from the first bytes of the file.
pub(crate) fn kind(head: &[u8]) -> Kind {
    let at = |r: std::ops::Range<usize>| head.get(r).unwrap_or(&[]);
    if (at(0..4) == b"RIFF" || at(0..4) == b"RF64") && at(8..12) == b"WAVE" {
        Kind::Wav
    } else if at(0..4) == b"fLaC" {
        Kind::Flac
    } else if at(0..4) == b"OggS" {
        Kind::Ogg
    } else if at(4..8) == b"ftyp" {
        Kind::Mp4
    } else {
        Kind::MpegOrAdts
    }
}

/// Describes a file that is not audio, for the error message.
pub(crate) fn describe_non_audio(head: &[u8]) -> String {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let trimmed: Vec<u8> = text
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    if trimmed.starts_with(b"<!doctype html")
        || trimmed.starts_with(b"<html")
        || trimmed.starts_with(b"<head")
    {
        return "an HTML page, not audio (a saved error or login page?)".into();
    }
    if trimmed.starts_with(b"<?xml") || trimmed.starts_with(b"<rss") {
        return "an XML document, not audio".into();
    }
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        return "JSON or text, not audio".into();
    }
    if id3::v2_size(head).is_some() {
        return "an ID3 tag with no MPEG audio frames after it".into();
    }
    if std::str::from_utf8(text)
        .is_ok_and(|s| s.chars().all(|c| !c.is_control() || c.is_whitespace()))
    {
        return "a text file, not audio".into();
    }
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!(
        "no audio format recognised (first bytes: {})",
        hex.join(" ")
    )
}

/// The MIME types an extension promises, for the mismatch warning; `None`
/// for extensions we have no opinion on.
pub(crate) fn mime_for_extension(name: &str) -> Option<&'static [&'static str]> {
    let ext = std::path::Path::new(name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp3" | "mp2" | "mpga" => &["audio/mpeg"],
        "m4a" | "m4b" | "mp4" | "m4v" => &["audio/mp4"],
        "aac" => &["audio/aac", "audio/mp4"],
        "ogg" | "oga" | "opus" => &["audio/ogg"],
        "flac" => &["audio/flac"],
        "wav" | "wave" => &["audio/wav"],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_decide() {
        assert_eq!(kind(b"RIFF\0\0\0\0WAVEfmt "), Kind::Wav);
        assert_eq!(kind(b"\0\0\0\x20ftypM4A "), Kind::Mp4);
        assert_eq!(kind(b"OggS\0\x02"), Kind::Ogg);
        assert_eq!(kind(b"ID3\x04"), Kind::MpegOrAdts);
        assert_eq!(kind(b""), Kind::MpegOrAdts);
    }

    #[test]
    fn non_audio_is_described() {
        assert!(describe_non_audio(b"\n  <!DOCTYPE HTML><html>").contains("HTML"));
        assert!(describe_non_audio(b"hello\nworld\n").contains("text file"));
        assert!(describe_non_audio(&[0x00, 0x9F, 0x92, 0x96]).contains("first bytes: 00 9f"));
    }

    #[test]
    fn extensions_map_to_mime() {
        assert_eq!(mime_for_extension("a/b.MP3"), Some(&["audio/mpeg"][..]));
        assert_eq!(mime_for_extension("noext"), None);
    }
}
