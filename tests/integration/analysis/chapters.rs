//! Chapters embedded by independent tools (ffmpeg from an FFMETADATA file
//! for MP3 and M4A, mutagen for ID3 CHAP/CTOC and Vorbis comments) as the
//! probe reads them, and as the feed, the page, `/kapitel/…` and `build`
//! publish them; hostile chapter tables give findings, not errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{ffmpeg, sine};
use crate::common::Project;

/// Three chapters, the middle one with Swedish letters and a dash.
const FFMETADATA: &str = ";FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=3000
title=Inledning
[CHAPTER]
TIMEBASE=1/1000
START=3000
END=7000
title=Samtal om medborgardialog – å ä ö
[CHAPTER]
TIMEBASE=1/1000
START=7000
END=10000
title=Avslutning
";

/// A 10 s tone encoded to `name` with the FFMETADATA chapters (`extra`
/// ffmpeg options before the output).
fn with_ffmpeg_chapters(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let wav = dir.join("tone.wav");
    if !wav.exists() {
        sine(&wav, 440, -20.0, 2, 10);
    }
    let meta = dir.join("chapters.txt");
    std::fs::write(&meta, FFMETADATA).expect("write");
    let out = dir.join(name);
    let mut args = vec![
        "-i",
        wav.to_str().expect("utf-8"),
        "-i",
        meta.to_str().expect("utf-8"),
    ];
    args.extend(["-map", "0:a", "-map_chapters", "1"]);
    args.extend(extra);
    args.push(out.to_str().expect("utf-8"));
    ffmpeg(&args);
    out
}

/// Runs a Python script with mutagen on `path` (`sys.argv[1]`).
fn mutagen(script: &str, path: &Path) {
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 is needed: run scripts/test.sh");
    assert!(
        out.status.success(),
        "mutagen (scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `probe --json` on one file.
fn probe(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["probe", "--json"])
        .arg(path)
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

/// (start ms, title) of each chapter the probe reports.
fn marks(v: &Value) -> Vec<(u64, String)> {
    v["chapters"]
        .as_array()
        .unwrap_or_else(|| panic!("no chapters in {v}"))
        .iter()
        .map(|c| {
            (
                c["start_ms"].as_u64().expect("start"),
                c["title"].as_str().expect("title").to_owned(),
            )
        })
        .collect()
}

fn expected() -> Vec<(u64, String)> {
    vec![
        (0, "Inledning".into()),
        (3000, "Samtal om medborgardialog – å ä ö".into()),
        (7000, "Avslutning".into()),
    ]
}

#[test]
fn ffmpeg_chapters_in_mp3_and_in_both_m4a_forms_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp3 = with_ffmpeg_chapters(dir.path(), "ch.mp3", &[]);
    assert_eq!(marks(&probe(&mp3)), expected());
    assert_eq!(probe(&mp3)["chapters"][1]["end_ms"], 7000);
    // ffmpeg writes an M4A's chapters twice: a QuickTime chapter track and
    // Nero's chpl. Each alone must be enough.
    let both = with_ffmpeg_chapters(dir.path(), "ch.m4a", &[]);
    assert_eq!(marks(&probe(&both)), expected());
    let qt_only = with_ffmpeg_chapters(dir.path(), "qt.m4a", &["-movflags", "disable_chpl"]);
    assert_eq!(marks(&probe(&qt_only)), expected());
    let mut bytes = std::fs::read(&both).expect("read");
    let tref = bytes
        .windows(4)
        .position(|w| w == b"tref")
        .expect("a chapter track");
    let chap = tref
        + bytes[tref..]
            .windows(4)
            .position(|w| w == b"chap")
            .expect("tref/chap");
    bytes[chap..chap + 4].copy_from_slice(b"xxxx");
    let chpl_only = dir.path().join("chpl.m4a");
    std::fs::write(&chpl_only, bytes).expect("write");
    assert_eq!(marks(&probe(&chpl_only)), expected());
}

/// An ID3 table of contents over chapters with a link and an image, as
/// mutagen writes it.
const MUTAGEN_ID3: &str = r#"
import sys
from mutagen.id3 import ID3, CHAP, CTOC, CTOCFlags, TIT2, WXXX, APIC
tags = ID3(sys.argv[1])
for cid, s, e, title in [("c0", 0, 4000, "Början"), ("c1", 4000, 8000, "Mitten"), ("c2", 8000, 10000, "Slut")]:
    sub = [TIT2(encoding=1, text=[title])]
    if cid == "c1":
        sub.append(WXXX(encoding=3, desc="länk", url="https://skr.se/demokrati"))
        sub.append(APIC(encoding=0, mime="image/png", type=3, desc="", data=b"\x89PNG" + bytes(4000)))
    tags.add(CHAP(element_id=cid, start_time=s, end_time=e, sub_frames=sub))
tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
              child_element_ids=["c0", "c1", "c2"], sub_frames=[TIT2(text=["Kapitel"])]))
tags.save(sys.argv[1])
"#;

#[test]
fn mutagen_id3_and_vorbis_chapters_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("tone.wav");
    sine(&wav, 440, -20.0, 2, 10);
    let mp3 = dir.path().join("id3.mp3");
    super::encode(&wav, &mp3, &[]);
    mutagen(MUTAGEN_ID3, &mp3);
    let v = probe(&mp3);
    assert_eq!(
        marks(&v).iter().map(|m| m.1.as_str()).collect::<Vec<_>>(),
        ["Början", "Mitten", "Slut"]
    );
    assert_eq!(v["chapters"][1]["url"], "https://skr.se/demokrati");
    let image = &v["chapters"][1]["image"];
    assert_eq!(image["mime"], "image/png", "{v}");
    assert_eq!(image["bytes"], 4004);
    let offset = image["offset"].as_u64().expect("offset") as usize;
    let bytes = std::fs::read(&mp3).expect("read");
    assert_eq!(&bytes[offset..offset + 4], b"\x89PNG");
    assert!(v["chapters"][0].get("image").is_none());
    assert_eq!(v["warnings"], serde_json::json!([]), "{v}");
    for (name, class) in [("v.flac", "FLAC"), ("v.ogg", "OggVorbis")] {
        let path = dir.path().join(name);
        super::encode(&wav, &path, &[]);
        let script = format!(
            "import sys\nfrom mutagen.{} import {class}\nf = {class}(sys.argv[1])\n\
             f['CHAPTER001'] = '00:00:00.000'\nf['CHAPTER001NAME'] = 'Första'\n\
             f['CHAPTER002'] = '00:00:05.500'\nf['CHAPTER002NAME'] = 'Andra'\n\
             f['CHAPTER002URL'] = 'https://skr.se/'\nf.save()\n",
            if class == "FLAC" { "flac" } else { "oggvorbis" }
        );
        mutagen(&script, &path);
        let v = probe(&path);
        assert_eq!(
            marks(&v),
            [(0, "Första".to_string()), (5500, "Andra".to_string())],
            "{name}"
        );
        assert_eq!(v["chapters"][1]["url"], "https://skr.se/", "{name}");
    }
}

/// Chapters past the end, overlapping, a table of contents that loops,
/// and ten thousand chapters.
const MUTAGEN_HOSTILE: &str = r#"
import sys
from mutagen.id3 import ID3, CHAP, CTOC, CTOCFlags, TIT2
tags = ID3(sys.argv[1])
if sys.argv[2:] == ["many"]:
    for i in range(10000):
        tags.add(CHAP(element_id="c%d" % i, start_time=i, end_time=i + 1, sub_frames=[TIT2(text=["k%d" % i])]))
else:
    tags.add(CHAP(element_id="a", start_time=0, end_time=6000, sub_frames=[TIT2(text=["A"])]))
    tags.add(CHAP(element_id="b", start_time=5000, end_time=9000, sub_frames=[TIT2(text=["B"])]))
    tags.add(CHAP(element_id="late", start_time=3600000, end_time=3700000, sub_frames=[TIT2(text=["Sen"])]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["a", "sub"], sub_frames=[]))
    tags.add(CTOC(element_id="sub", flags=0, child_element_ids=["b", "toc"], sub_frames=[]))
tags.save(sys.argv[1])
"#;

#[test]
fn hostile_chapter_tables_give_findings_and_bounded_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("tone.wav");
    sine(&wav, 440, -20.0, 1, 10);
    for kind in ["odd", "many"] {
        let mp3 = dir.path().join(format!("{kind}.mp3"));
        super::encode(&wav, &mp3, &[]);
        let out = Command::new("python3")
            .args(["-c", MUTAGEN_HOSTILE])
            .arg(&mp3)
            .arg(kind)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = probe(&mp3);
        let warnings = v["warnings"].to_string();
        if kind == "many" {
            assert_eq!(
                v["chapters"].as_array().map(Vec::len),
                Some(500),
                "{warnings}"
            );
            assert!(
                warnings.contains("10000 chapters; only the first 500 are kept"),
                "{warnings}"
            );
        } else {
            assert_eq!(marks(&v), [(0, "A".to_string()), (5000, "B".to_string())]);
            assert!(v["chapters"][0].get("end_ms").is_none(), "{v}");
            assert!(
                warnings.contains("start after the end of the audio"),
                "{warnings}"
            );
            assert!(
                warnings.contains("\\\"A\\\" ends at 0:00:06 but \\\"B\\\" starts at 0:00:05"),
                "{warnings}"
            );
            let looped = [
                "`toc` contains itself (through `sub`)",
                "`sub` contains itself (through `toc`)",
            ];
            assert!(looped.iter().any(|l| warnings.contains(l)), "{warnings}");
        }
    }
}

/// The episode file `episodes/090.toml` for `kap.mp3`, with `extra` lines.
fn episode_file(p: &Project, extra: &str) {
    p.write(
        "episodes/090.toml",
        &format!(
            "number = 90\ntitle = \"Kapitel\"\npublished = 2023-01-10\nthemes = [\"medborgardialog\"]\n\
             audio = \"kap.mp3\"\n{extra}"
        ),
    );
    let r = p.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
}

#[tokio::test]
async fn embedded_chapters_reach_feed_page_json_and_build_unless_the_episode_names_its_own() {
    let p = Project::initialised();
    let dir = tempfile::tempdir().expect("tempdir");
    let mp3 = with_ffmpeg_chapters(dir.path(), "ch.mp3", &[]);
    std::fs::copy(&mp3, p.path("media/kap.mp3")).expect("copy");
    episode_file(&p, "");
    let show = p.run(&["show", "90"]);
    assert!(
        show.stdout.contains("chapters:   3 from the audio file"),
        "{}",
        show.stdout
    );

    let config = podcatalog::config::Config::load(&p.path("feed-config.toml")).expect("config");
    let conn = podcatalog::catalog::open(&p.path("podcatalog.db")).expect("db");
    let server = crate::server::start_with(config, conn).await;
    let client = crate::server::client();
    let get = |path: &str| client.get(server.url(path)).send();
    let feed = get("feed.xml")
        .await
        .expect("feed")
        .text()
        .await
        .expect("text");
    let json_url = server.url("kapitel/90-kapitel.json");
    assert!(
        feed.contains(&format!(
            r#"<podcast:chapters url="{json_url}" type="application/json+chapters"/>"#
        )),
        "{feed}"
    );
    let r = get("kapitel/90-kapitel.json").await.expect("json");
    assert_eq!(
        crate::server::header(r.headers(), reqwest::header::CONTENT_TYPE),
        "application/json+chapters"
    );
    let doc: Value = serde_json::from_str(&r.text().await.expect("text")).expect("json");
    assert_eq!(doc["version"], "1.2.0");
    assert_eq!(doc["chapters"][1]["startTime"], 3.0);
    assert_eq!(
        doc["chapters"][1]["title"],
        "Samtal om medborgardialog – å ä ö"
    );
    let page = get("avsnitt/90-kapitel").await.expect("page");
    let status = page.status();
    let page = page.text().await.expect("text");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(r#"data-start="3.000""#) && page.contains("Samtal om medborgardialog"),
        "{page}"
    );
    assert_eq!(
        get("kapitel/85-internationellt-ledarprogram-for-kvinnor.json")
            .await
            .expect("r")
            .status(),
        404
    );
    server.shutdown().await;

    let out = p.path("out");
    assert!(p.run(&["build", out.to_str().expect("utf-8")]).ok);
    let built: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("kapitel/90-kapitel.json")).expect("built"),
    )
    .expect("json");
    assert_eq!(built, doc);

    // The episode file's own chapters win, and `show` says so.
    p.write(
        "media/own.json",
        r#"{"version":"1.2.0","chapters":[{"startTime":1,"title":"Eget"}]}"#,
    );
    episode_file(&p, "chapters = \"own.json\"\n");
    let show = p.run(&["show", "90"]);
    assert!(
        show.stdout.contains(
            "own.json (the episode file's own; the 3 chapters in the audio file are not published)"
        ),
        "{}",
        show.stdout
    );
    let feed = p.run(&["feed"]).stdout;
    assert!(
        feed.contains("/media/own.json") && !feed.contains("/kapitel/"),
        "{feed}"
    );
    let out = p.path("out2");
    assert!(p.run(&["build", out.to_str().expect("utf-8")]).ok);
    assert!(!out.join("kapitel/90-kapitel.json").exists());
    let page = std::fs::read_to_string(out.join("avsnitt/90-kapitel.html")).expect("page");
    assert!(
        page.contains("Eget") && !page.contains("Avslutning"),
        "{page}"
    );
}

#[tokio::test]
async fn chapter_images_are_served_and_built_from_the_audio_file() {
    let p = Project::initialised();
    let wav = p.path("tone.wav");
    sine(&wav, 440, -20.0, 2, 10);
    let mp3 = p.path("media/bild.mp3");
    super::encode(&wav, &mp3, &[]);
    mutagen(MUTAGEN_ID3, &mp3);
    p.write(
        "episodes/090.toml",
        "number = 90\ntitle = \"Bild\"\npublished = 2023-01-10\nthemes = [\"medborgardialog\"]\naudio = \"bild.mp3\"\n",
    );
    assert!(p.run(&["import"]).ok);
    let png = [b"\x89PNG".as_slice(), &[0u8; 4000]].concat();

    let config = podcatalog::config::Config::load(&p.path("feed-config.toml")).expect("config");
    let conn = podcatalog::catalog::open(&p.path("podcatalog.db")).expect("db");
    let server = crate::server::start_with(config, conn).await;
    let client = crate::server::client();
    let json = client
        .get(server.url("kapitel/90-bild.json"))
        .send()
        .await
        .expect("json");
    let doc: Value = serde_json::from_str(&json.text().await.expect("text")).expect("json");
    assert_eq!(
        doc["chapters"][1]["img"],
        server.url("kapitel/90-bild/2.png")
    );
    let r = client
        .get(server.url("kapitel/90-bild/2.png"))
        .send()
        .await
        .expect("png");
    assert_eq!(r.status(), 200);
    assert_eq!(
        crate::server::header(r.headers(), reqwest::header::CONTENT_TYPE),
        "image/png"
    );
    assert_eq!(r.bytes().await.expect("body").as_ref(), png.as_slice());
    for missing in [
        "kapitel/90-bild/1.png",
        "kapitel/90-bild/2.jpg",
        "kapitel/90-bild/9.png",
    ] {
        let r = client.get(server.url(missing)).send().await.expect("get");
        assert_eq!(r.status(), 404, "{missing}");
    }
    server.shutdown().await;

    let out = p.path("out");
    assert!(p.run(&["build", out.to_str().expect("utf-8")]).ok);
    assert_eq!(
        std::fs::read(out.join("kapitel/90-bild/2.png")).expect("built"),
        png
    );
}
