//! Every kind of bad input gets one clear message naming the file, line and
//! field, a non-zero exit, and leaves the database and media/ byte-for-byte
//! as they were.

use crate::common::Project;

const GOOD: &str = r#"guid = "0f6f1f6e-2b8e-4a53-9d3c-6b0c1c7b1a01"
number = 99
title = "Ett testavsnitt"
published = 2023-03-01
themes = ["medborgardialog"]
audio = "86-kvinnofrid.mp3"

[[people]]
name = "Nils Munthe"
role = "host"
"#;

/// Adds `episodes/099-test.toml` with `text` (bytes) to an initialised
/// project, runs `import`, and checks that it failed without changing anything.
fn import_fails(bytes: &[u8]) -> String {
    let p = Project::initialised();
    let before = p.fingerprint();
    std::fs::write(p.path("episodes/099-test.toml"), bytes).expect("write");
    let r = p.run(&["import"]);
    assert!(
        !r.ok,
        "import accepted bad input:\n{}",
        String::from_utf8_lossy(bytes)
    );
    assert_eq!(
        p.fingerprint(),
        before,
        "database or media changed:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("099-test.toml"),
        "file not named: {}",
        r.stderr
    );
    r.stderr
}

fn line(text: &str, needle: &str) -> String {
    format!(
        "line {}",
        text.lines()
            .position(|l| l.contains(needle))
            .expect("needle")
            + 1
    )
}

#[test]
fn the_good_file_is_accepted() {
    let p = Project::initialised();
    p.write("episodes/099-test.toml", GOOD);
    let r = p.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains("1 added"), "{}", r.stdout);
}

#[test]
fn malformed_toml() {
    let err = import_fails(b"title = \"unterminated\nnumber = 5\n");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn unknown_field_with_did_you_mean() {
    let text = GOOD.replace("title =", "titel =");
    let err = import_fails(text.as_bytes());
    assert!(err.contains("unknown field `titel`"), "{err}");
    assert!(err.contains("did you mean `title`?"), "{err}");
    assert!(err.contains(&line(&text, "titel")), "{err}");
}

#[test]
fn duplicate_episode_number() {
    let err = import_fails(GOOD.replace("number = 99", "number = 85").as_bytes());
    assert!(err.contains("episode number 85"), "{err}");
    assert!(
        err.contains("085-internationellt-ledarprogram-for-kvinnor.toml"),
        "{err}"
    );
}

#[test]
fn unknown_theme_suggests_the_closest() {
    let text = GOOD.replace("\"medborgardialog\"", "\"medborgardialg\"");
    let err = import_fails(text.as_bytes());
    assert!(
        err.contains("`themes`: unknown theme `medborgardialg` (did you mean `medborgardialog`?)"),
        "{err}"
    );
    assert!(err.contains(&line(&text, "medborgardialg")), "{err}");
}

#[test]
fn unknown_role() {
    let text = GOOD.replace("role = \"host\"", "role = \"gust\"");
    let err = import_fails(text.as_bytes());
    assert!(
        err.contains("`people.role`: unknown role `gust` (did you mean `guest`?)"),
        "{err}"
    );
    assert!(err.contains(&line(&text, "gust")), "{err}");
}

#[test]
fn missing_audio_file() {
    let err = import_fails(
        GOOD.replace("86-kvinnofrid.mp3", "no-such-file.mp3")
            .as_bytes(),
    );
    assert!(err.contains("`audio`"), "{err}");
    assert!(err.contains("no-such-file.mp3"), "{err}");
}

#[test]
fn audio_that_is_a_folder() {
    let p = Project::initialised();
    std::fs::create_dir(p.path("media/folder.mp3")).expect("mkdir");
    let before = p.fingerprint();
    p.write(
        "episodes/099-test.toml",
        &GOOD.replace("86-kvinnofrid.mp3", "folder.mp3"),
    );
    let r = p.run(&["import"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("folder.mp3: is not a regular file"),
        "{}",
        r.stderr
    );
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn corrupt_audio_file() {
    let p = Project::initialised();
    let noise: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(p.path("media/noise.mp3"), &noise).expect("write");
    let before = p.fingerprint();
    p.write(
        "episodes/099-test.toml",
        &GOOD.replace("86-kvinnofrid.mp3", "noise.mp3"),
    );
    let r = p.run(&["import"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("099-test.toml") && r.stderr.contains("noise.mp3"),
        "{}",
        r.stderr
    );
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn a_date_that_does_not_parse() {
    let text = GOOD.replace("published = 2023-03-01", "published = \"1 mars 2023\"");
    let err = import_fails(text.as_bytes());
    assert!(
        err.contains("`published`: `1 mars 2023` is not a date"),
        "{err}"
    );
    assert!(err.contains(&line(&text, "1 mars")), "{err}");
}

#[test]
fn a_file_that_is_not_utf8() {
    let mut bytes = GOOD.replace("Ett testavsnitt", "R").into_bytes();
    let at = bytes.iter().position(|&b| b == b'R').expect("R");
    bytes.splice(at..at + 1, [b'R', 0xE4, b't', b't']); // "Rätt" in Latin-1
    let err = import_fails(&bytes);
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn every_bad_file_is_reported_in_one_run() {
    let p = Project::initialised();
    let before = p.fingerprint();
    p.write(
        "episodes/099-test.toml",
        &GOOD.replace("role = \"host\"", "role = \"gust\""),
    );
    p.write(
        "episodes/100-test.toml",
        &GOOD
            .replace("number = 99", "number = 100")
            .replace("2023-03-01", "soon"),
    );
    let r = p.run(&["import"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("2 problems, nothing was changed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("099-test.toml") && r.stderr.contains("100-test.toml"),
        "{}",
        r.stderr
    );
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn add_with_corrupt_audio_changes_nothing() {
    let p = Project::initialised();
    p.write("noise.mp3", "<html><body>404 Not Found</body></html>");
    let before = p.fingerprint();
    let r = p.run(&[
        "add",
        "--number",
        "99",
        "--title",
        "X",
        "--published",
        "2023-01-01",
        "--audio",
        "noise.mp3",
    ]);
    assert!(!r.ok);
    assert!(r.stderr.contains("noise.mp3"), "{}", r.stderr);
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn add_with_a_taken_number_leaves_media_unchanged() {
    let p = Project::initialised();
    std::fs::copy(p.path("media/86-kvinnofrid.mp3"), p.path("new.mp3")).expect("copy");
    let before = p.fingerprint();
    let r = p.run(&[
        "add",
        "--number",
        "85",
        "--title",
        "X",
        "--published",
        "2023-01-01",
        "--audio",
        "new.mp3",
    ]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("episode number 85 is already taken"),
        "{}",
        r.stderr
    );
    assert_eq!(
        p.fingerprint(),
        before,
        "the copied audio must be removed again"
    );
}

#[test]
fn an_unknown_episode_is_named() {
    let p = Project::initialised();
    let r = p.run(&["show", "404"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("no episode `404`"), "{}", r.stderr);
}
