//! Artwork as Apple checks it: a JPEG or PNG, square, 1400 to 3000 pixels,
//! RGB, no alpha channel, named for what it is, and small enough for phones.
//!
//! Only the header is read (PNG's `IHDR`, a JPEG's start-of-frame), never
//! the pixels: a 10,000-pixel image or a decompression bomb costs the same
//! few bytes as any other, and a file's name is never trusted for its type.

use std::io::{self, Read, Seek, SeekFrom};

use super::{Finding, Rule, Source, Subject};

/// The image formats the gate tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG (baseline or progressive).
    Jpeg,
    /// Anything else Apple refuses, named for the message (`GIF`, `WebP`).
    Other(&'static str),
}

/// How an image stores colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Three channels: RGB (or a JPEG's YCbCr, which decodes to RGB).
    Rgb,
    /// RGB with an alpha channel.
    RgbAlpha,
    /// A palette of RGB colours (PNG colour type 3).
    Palette,
    /// One grey channel, with or without alpha.
    Grey,
    /// Four ink channels (a JPEG made for print).
    Cmyk,
}

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The real format, from the content.
    pub format: ImageFormat,
    /// Width in pixels (0 for formats the gate does not read further).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The colour model, where the format says.
    pub colour: Option<Colour>,
}

/// Apple's range for show and episode artwork, in pixels per side.
const SIDES: std::ops::RangeInclusive<u32> = 1400..=3000;
/// Above this, directories and hosts ask for compression (Apple: "compress
/// your image files"; hosts cite 512 KB).
const SIZE_GUIDANCE: u64 = 512 * 1024;
/// JPEG segments walked before giving up on finding the frame header.
const MAX_SEGMENTS: usize = 256;

/// Reads the format, size and colour model from the start of `r`.
pub fn read_image_header<R: Read + Seek>(r: &mut R) -> io::Result<ImageInfo> {
    let mut magic = [0u8; 12];
    let n = read_up_to(r, &mut magic)?;
    let magic = &magic[..n];
    if magic.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(r)
    } else if magic.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg(r)
    } else {
        let other = if magic.starts_with(b"GIF8") {
            "GIF"
        } else if magic.starts_with(b"RIFF") && magic.get(8..12) == Some(b"WEBP") {
            "WebP"
        } else if magic.get(4..8) == Some(b"ftyp") {
            "HEIF/AVIF"
        } else {
            return Err(invalid("neither a PNG nor a JPEG file (unknown content)"));
        };
        Ok(ImageInfo {
            format: ImageFormat::Other(other),
            width: 0,
            height: 0,
            colour: None,
        })
    }
}

fn png<R: Read + Seek>(r: &mut R) -> io::Result<ImageInfo> {
    // Signature (8), then the IHDR chunk: length (4), "IHDR", width,
    // height, bit depth, colour type (PNG spec, 11.2.2).
    r.seek(SeekFrom::Start(8))?;
    let mut head = [0u8; 18];
    r.read_exact(&mut head)
        .map_err(|_| invalid("PNG ends inside its header"))?;
    if &head[4..8] != b"IHDR" {
        return Err(invalid("PNG without an IHDR header chunk"));
    }
    let colour = match head[17] {
        0 | 4 => Colour::Grey,
        2 => Colour::Rgb,
        3 => Colour::Palette,
        6 => Colour::RgbAlpha,
        t => return Err(invalid(&format!("PNG with unknown colour type {t}"))),
    };
    Ok(ImageInfo {
        format: ImageFormat::Png,
        width: u32::from_be_bytes([head[8], head[9], head[10], head[11]]),
        height: u32::from_be_bytes([head[12], head[13], head[14], head[15]]),
        colour: Some(colour),
    })
}

fn jpeg<R: Read + Seek>(r: &mut R) -> io::Result<ImageInfo> {
    // Walk the marker segments after SOI until a start-of-frame (ITU T.81,
    // B.2.2): each segment says its own length, so large EXIF or ICC
    // segments are skipped with a seek, not read.
    let mut pos = 2u64;
    for _ in 0..MAX_SEGMENTS {
        r.seek(SeekFrom::Start(pos))?;
        let mut marker = [0u8; 4];
        r.read_exact(&mut marker)
            .map_err(|_| invalid("JPEG ends before its frame header"))?;
        if marker[0] != 0xFF {
            return Err(invalid("JPEG segment does not start with a marker"));
        }
        let kind = marker[1];
        let len = u64::from(u16::from_be_bytes([marker[2], marker[3]]));
        let is_frame = matches!(kind, 0xC0..=0xCF) && !matches!(kind, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let mut frame = [0u8; 6];
            r.read_exact(&mut frame)
                .map_err(|_| invalid("JPEG ends inside its frame header"))?;
            let colour = match frame[5] {
                1 => Colour::Grey,
                3 => Colour::Rgb,
                4 => Colour::Cmyk,
                c => return Err(invalid(&format!("JPEG with {c} colour components"))),
            };
            return Ok(ImageInfo {
                format: ImageFormat::Jpeg,
                height: u32::from(u16::from_be_bytes([frame[1], frame[2]])),
                width: u32::from(u16::from_be_bytes([frame[3], frame[4]])),
                colour: Some(colour),
            });
        }
        if kind == 0xD9 || len < 2 {
            break;
        }
        pos += 2 + len;
    }
    Err(invalid("JPEG without a frame header"))
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// The artwork rules for `info` read from `name` (a file or URL) of `bytes`.
pub(super) fn rules(
    subject: &Subject,
    field: &str,
    name: &str,
    info: &ImageInfo,
    bytes: Option<u64>,
) -> Vec<Finding> {
    const FORMAT: Rule = Rule::error("artwork-format", Source::AppleArtwork);
    const NAME: Rule = Rule::error("artwork-extension", Source::AppleArtwork);
    const SQUARE: Rule = Rule::error("artwork-square", Source::AppleArtwork);
    const SIZE: Rule = Rule::error("artwork-size", Source::AppleArtwork);
    const RGB: Rule = Rule::error("artwork-rgb", Source::AppleArtwork);
    const ALPHA: Rule = Rule::warning("artwork-alpha", Source::AppleArtwork);
    const WEIGHT: Rule = Rule::warning("artwork-file-size", Source::AppleArtwork);
    let mut out = Vec::new();
    let expected_ext: &[&str] = match info.format {
        ImageFormat::Png => &["png"],
        ImageFormat::Jpeg => &["jpg", "jpeg"],
        ImageFormat::Other(kind) => {
            let msg =
                format!("{name} is a {kind} image; Apple takes only JPEG or PNG: export it as one");
            return vec![FORMAT.at(subject, field, msg)];
        }
    };
    let path = name.split(['?', '#']).next().unwrap_or(name);
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.as_deref().is_some_and(|e| expected_ext.contains(&e)) {
        let kind = if info.format == ImageFormat::Png {
            "PNG"
        } else {
            "JPEG"
        };
        let msg = format!(
            "{name} is a {kind} file but is not named .{}: apps and servers go by the name; rename it",
            expected_ext[0]
        );
        out.push(NAME.at(subject, field, msg));
    }
    let (w, h) = (info.width, info.height);
    if w != h {
        let msg = format!("{name} is {w}×{h} pixels; it must be square (e.g. 3000×3000)");
        out.push(SQUARE.at(subject, field, msg));
    }
    if !SIDES.contains(&w) || !SIDES.contains(&h) {
        let msg = format!(
            "{name} is {w}×{h} pixels; Apple takes 1400×1400 to 3000×3000 (3000×3000 preferred): resize it"
        );
        out.push(SIZE.at(subject, field, msg));
    }
    match info.colour {
        Some(Colour::Grey) | Some(Colour::Cmyk) => {
            let model = if info.colour == Some(Colour::Grey) {
                "greyscale"
            } else {
                "CMYK"
            };
            let msg = format!(
                "{name} is {model}; Apple takes artwork in the RGB colour space: convert it to RGB"
            );
            out.push(RGB.at(subject, field, msg));
        }
        Some(Colour::RgbAlpha) => {
            let msg = format!(
                "{name} has an alpha channel; Apple's show cover should have none: flatten it"
            );
            out.push(ALPHA.at(subject, field, msg));
        }
        Some(Colour::Palette) => {
            let msg = format!(
                "{name} is an indexed-colour PNG; save it as a true-colour (RGB) PNG or a JPEG"
            );
            out.push(RGB.at(subject, field, msg).downgraded());
        }
        Some(Colour::Rgb) | None => {}
    }
    if let Some(bytes) = bytes.filter(|b| *b > SIZE_GUIDANCE) {
        let msg = format!(
            "{name} is {} KB; apps load it on every phone: compress it to under {} KB",
            bytes / 1024,
            SIZE_GUIDANCE / 1024
        );
        out.push(WEIGHT.at(subject, field, msg));
    }
    out
}

impl Finding {
    /// The same finding as a warning.
    fn downgraded(mut self) -> Finding {
        self.level = super::Level::Warning;
        self
    }
}

#[cfg(test)]
mod tests;

/// Every artwork rule for the image `name` (a file in the media folder or
/// a URL) that `field` names. A URL is read only with `remote` (full depth).
pub(super) fn check(
    config: &crate::config::Config,
    subject: &Subject,
    field: &str,
    name: &str,
    remote: Option<&super::links::Remote>,
) -> Vec<Finding> {
    const MISSING: Rule = Rule::error("artwork-missing", Source::AppleArtwork);
    const UNREADABLE: Rule = Rule::error("artwork-unreadable", Source::AppleArtwork);
    if !super::local_name(name) {
        let mut out: Vec<Finding> = super::links::https_rule(subject, field, name)
            .into_iter()
            .collect();
        if let Some(remote) = remote {
            match remote.open(name).and_then(|mut r| {
                let len = r.len();
                read_image_header(&mut r)
                    .map(|info| (info, len))
                    .map_err(|e| format!("{name}: {e}"))
            }) {
                Ok((info, len)) => out.extend(rules(subject, field, name, &info, Some(len))),
                Err(e) => out.push(UNREADABLE.at(subject, field, e)),
            }
        }
        return out;
    }
    let path = super::media_path(config, name);
    let file = std::fs::File::open(&path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    let (mut file, len) = match file {
        Ok(found) => found,
        Err(e) => {
            let msg = format!(
                "{}: {e}: put the artwork in the media folder or fix `{field}`",
                path.display()
            );
            return vec![MISSING.at(subject, field, msg)];
        }
    };
    match read_image_header(&mut std::io::BufReader::new(&mut file)) {
        Ok(info) => rules(subject, field, name, &info, Some(len)),
        Err(e) => {
            let msg = format!("{}: not a readable image: {e}", path.display());
            vec![UNREADABLE.at(subject, field, msg)]
        }
    }
}
