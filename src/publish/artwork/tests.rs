use std::io::Cursor;

use super::*;

/// A PNG signature and IHDR of `w`×`h` with colour type `colour`: all the
/// header reader may look at (the pixels are never read).
fn png(w: u32, h: u32, colour: u8) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    v.extend(w.to_be_bytes());
    v.extend(h.to_be_bytes());
    v.extend([8, colour, 0, 0, 0]);
    v
}

/// A JPEG with a large APP1 segment before its SOF0 frame header.
fn jpeg(w: u16, h: u16, components: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF];
    v.extend(std::iter::repeat_n(0u8, 0xFFFF - 2));
    v.extend([0xFF, 0xC0, 0x00, 0x11, 8]);
    v.extend(h.to_be_bytes());
    v.extend(w.to_be_bytes());
    v.push(components);
    v
}

fn read(bytes: Vec<u8>) -> ImageInfo {
    read_image_header(&mut Cursor::new(bytes)).expect("header")
}

fn rules_for(name: &str, info: ImageInfo, bytes: u64) -> Vec<&'static str> {
    rules(&Subject::Channel, "channel.image", name, &info, Some(bytes))
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn a_square_rgb_png_or_jpeg_in_range_passes() {
    assert!(rules_for("a.png", read(png(1400, 1400, 2)), 40_000).is_empty());
    assert!(rules_for("a.jpg", read(jpeg(3000, 3000, 3)), 400_000).is_empty());
    assert!(rules_for("a.JPEG", read(jpeg(2000, 2000, 3)), 400_000).is_empty());
}

#[test]
fn size_shape_and_colour_come_from_the_header() {
    assert_eq!(
        rules_for("a.png", read(png(1400, 1000, 2)), 1),
        ["artwork-square", "artwork-size"]
    );
    assert_eq!(
        rules_for("a.png", read(png(1000, 1000, 2)), 1),
        ["artwork-size"]
    );
    // A 10,000-pixel image: only its header is read.
    assert_eq!(
        rules_for("a.png", read(png(10_000, 10_000, 2)), 1),
        ["artwork-size"]
    );
    assert_eq!(
        rules_for("a.png", read(png(1400, 1400, 0)), 1),
        ["artwork-rgb"]
    );
    assert_eq!(
        rules_for("a.png", read(png(1400, 1400, 6)), 1),
        ["artwork-alpha"]
    );
    assert_eq!(
        rules_for("a.jpg", read(jpeg(1400, 1400, 4)), 1),
        ["artwork-rgb"]
    );
    assert_eq!(
        rules_for("a.jpg", read(jpeg(1400, 1400, 1)), 1),
        ["artwork-rgb"]
    );
    assert_eq!(
        rules_for("a.png", read(png(1400, 1400, 2)), 600 * 1024),
        ["artwork-file-size"]
    );
}

#[test]
fn a_jpeg_named_png_is_caught_by_its_content() {
    assert_eq!(
        rules_for("cover.png", read(jpeg(1400, 1400, 3)), 1),
        ["artwork-extension"]
    );
    assert_eq!(
        rules_for("cover.jpg", read(png(1400, 1400, 2)), 1),
        ["artwork-extension"]
    );
}

#[test]
fn other_formats_and_garbage_are_told_apart() {
    let gif = read(b"GIF89a\x01\x00\x01\x00".to_vec());
    assert_eq!(gif.format, ImageFormat::Other("GIF"));
    assert_eq!(rules_for("a.gif", gif, 1), ["artwork-format"]);
    for bad in [
        Vec::new(),
        b"hello".to_vec(),
        png(1, 1, 2)[..20].to_vec(),
        jpeg(1, 1, 3)[..100].to_vec(),
    ] {
        assert!(read_image_header(&mut Cursor::new(bad)).is_err());
    }
}
