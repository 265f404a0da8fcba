//! Files that are not audio, or not files: every one must give a clear
//! error naming the path, a non-zero exit, and never a panic or a hang.

use super::{fixture_dir, probe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Probes `path` (with `--json`) and returns its error message; fails if
/// the binary takes more than ten seconds.
fn error_for(path: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["probe", "--json"])
        .arg(path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("{}: probe hung", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert_eq!(out.status.code(), Some(1), "{}", path.display());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["path"], path.display().to_string());
    let error = line["error"].as_str().expect("error field").to_owned();
    assert!(
        error.starts_with(&path.display().to_string()),
        "error names the file: {error}"
    );
    error
}

/// Writes `bytes` to `name` in `dir`.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn non_audio_files_get_errors_that_say_what_they_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let html = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n";
    let cases = [
        (write(d, "empty.mp3", b""), "empty file"),
        (
            write(
                d,
                "noise.mp3",
                &crate::common::Rng::new(0x9E37_79B9_7F4A_7C15).bytes(200_000),
            ),
            "no audio format recognised",
        ),
        (write(d, "error-page.mp3", html), "HTML page"),
        (
            write(d, "notes.txt", b"Show notes\nEpisode 1: hello\n"),
            "text file",
        ),
        (
            write(
                d,
                "only-tag.mp3",
                b"ID3\x03\0\0\0\0\0\x0ATIT2\0\0\0\x02\0\0\0x",
            ),
            "ID3 tag with no MPEG audio",
        ),
        (d.join("does-not-exist.mp3"), "cannot read"),
        (d.to_path_buf(), "not a regular file (a directory)"),
    ];
    for (path, reason) in cases {
        let error = error_for(&path);
        assert!(error.contains(reason), "{}: {error}", path.display());
    }
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("still-writing.mp3");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(made.success());
    assert!(error_for(&fifo).contains("not a regular file (a pipe"));
}

/// Permission bits and symlinks as Unix has them.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_io_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "locked.mp3", &super::fixture("cbr.mp3"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::File::open(&path).is_ok() {
        // Root ignores permissions; a dangling symlink is the unreadable case left.
        eprintln!(
            "note: running as root, chmod 000 does not block reads; testing a dangling symlink instead"
        );
        let link = dir.path().join("dangling.mp3");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).expect("symlink");
        assert!(error_for(&link).contains("cannot read"));
        return;
    }
    assert!(error_for(&path).contains("Permission denied"));
}

#[test]
fn one_failure_fails_the_run_but_good_files_are_still_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(dir.path(), "empty.m4a", b"");
    let good = fixture_dir().join("cbr.mp3");
    let run = probe(&[&good, &bad], false);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("cbr.mp3"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("error: {}: empty file", bad.display())),
        "{}",
        run.stderr
    );
}
