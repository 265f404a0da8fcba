//! Checks of chapter marks against each other and the audio's length.

use super::*;

fn mark(start_ms: u64, end_ms: Option<u64>, title: &str) -> Chapter {
    Chapter {
        start_ms,
        end_ms,
        title: title.into(),
        url: None,
        image: None,
    }
}

#[test]
fn chapters_past_the_end_are_dropped_and_overlaps_named() {
    let mut f = Found::default();
    f.push(Some("b".into()), mark(5_000, Some(12_000), "B"));
    f.push(Some("a".into()), mark(0, Some(6_000), "A"));
    f.push(Some("c".into()), mark(61_000, None, "C"));
    let out = f.finish(60_000);
    let starts: Vec<_> = out.chapters.iter().map(|c| c.start_ms).collect();
    assert_eq!(starts, [0, 5_000]);
    assert_eq!(
        out.chapters[0].end_ms, None,
        "an overlapping end is not published"
    );
    assert_eq!(out.chapters[1].end_ms, Some(12_000));
    let all = out.findings.join("\n");
    assert!(all.contains("1 chapter(s) start after the end"), "{all}");
    assert!(
        all.contains("\"A\" ends at 0:00:06 but \"B\" starts at 0:00:05"),
        "{all}"
    );
}

#[test]
fn ten_thousand_chapters_keep_the_first_few_hundred() {
    let mut f = Found::default();
    for i in 0..10_000 {
        f.push(Some(format!("ch{i}")), mark(i * 100, None, "x"));
    }
    let out = f.finish(10_000_000);
    assert_eq!(out.chapters.len(), MAX_CHAPTERS);
    assert!(
        out.findings[0].contains("10000 chapters; only the first 500"),
        "{:?}",
        out.findings
    );
}

#[test]
fn a_table_of_contents_that_loops_is_named_once_and_ends() {
    let mut f = Found::default();
    f.push(Some("ch1".into()), mark(0, None, "Ett"));
    f.toc("toc".into(), vec!["ch1".into(), "sub".into()]);
    f.toc("sub".into(), vec!["toc".into(), "gone".into()]);
    let out = f.finish(10_000);
    assert_eq!(out.chapters.len(), 1);
    let all = out.findings.join("\n");
    assert!(
        all.contains("`toc` contains itself (through `sub`)"),
        "{all}"
    );
    assert!(
        all.contains("`sub` lists `gone`, which is no chapter"),
        "{all}"
    );
    let mut own = Found::default();
    own.toc("self".into(), vec!["self".into()]);
    assert!(own.finish(1).findings[0].contains("`self` contains itself"));
}
