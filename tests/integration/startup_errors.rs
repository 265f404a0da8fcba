//! Start-up failures get one clear line on stderr naming the address, file
//! or folder and the reason, a non-zero exit, and change nothing: a port in
//! use, an unreadable config, a read-only or unreadable media folder.
//!
//! Permission cases need permission bits to apply. Tests often run as
//! root, where `chmod 000` stops nothing; then the command runs as
//! `nobody` (uid 65534) on a project handed to that user, instead of the
//! case being skipped.

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::Command;

use crate::common::{Project, Run};
use crate::process::{Server, command, lines, output};

const NOBODY: u32 = 65_534;

/// Whether this process reads files whatever their mode (root).
fn privileged() -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"x").expect("write");
    set_mode(&probe, 0o000);
    std::fs::read(&probe).is_ok()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Runs `cmd` where mode bits apply (see [`unprivileged`]).
fn run_unprivileged(p: &Project, cmd: Command) -> Run {
    output(unprivileged(p, cmd))
}

/// `cmd` as `nobody`, owning the project, when this process is
/// privileged; as it is otherwise.
fn unprivileged(p: &Project, mut cmd: Command) -> Command {
    if privileged() {
        give_to_nobody(p.dir.path());
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd
}

fn give_to_nobody(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
    if path.is_dir() && !path.is_symlink() {
        for e in std::fs::read_dir(path).expect("read dir").flatten() {
            give_to_nobody(&e.path());
        }
    }
}

/// Exactly one line on stderr, containing every one of `words`.
fn one_clear_line(r: &Run, words: &[&str]) {
    assert!(!r.ok, "succeeded: {}", r.stdout);
    let said = lines(&r.stderr);
    assert_eq!(said.len(), 1, "one line: {}", r.stderr);
    for w in words {
        assert!(said[0].contains(w), "`{w}` missing: {}", r.stderr);
    }
}

#[test]
fn a_second_server_on_a_port_in_use_says_so_and_changes_nothing() {
    let p = Project::initialised();
    let first = Server::start(&p);
    let addr = first
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let before = p.fingerprint();
    let r = p.run(&["serve", "--addr", &addr]);
    one_clear_line(&r, &[&addr, "in use"]);
    assert_eq!(p.fingerprint(), before);
    drop(first);

    // On a fresh project the catalogue must not be created either.
    let fresh = Project::shipped();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let r = fresh.run(&["serve", "--addr", &addr]);
    one_clear_line(&r, &[&addr, "in use"]);
    assert!(!fresh.path("podcatalog.db").exists(), "catalogue created");
}

#[test]
fn an_unreadable_config_is_one_line_naming_it() {
    // A folder where the file should be: unreadable even for root.
    let p = Project::shipped();
    std::fs::remove_file(p.path("feed-config.toml")).expect("rm");
    std::fs::create_dir(p.path("feed-config.toml")).expect("mkdir");
    let r = p.run(&["list"]);
    one_clear_line(&r, &["feed-config.toml", "cannot read", "Is a directory"]);
    assert!(!p.path("podcatalog.db").exists());

    // A file nobody may read.
    let p = Project::shipped();
    set_mode(&p.path("feed-config.toml"), 0o000);
    let r = run_unprivileged(&p, command(&p, &["serve", "--addr", "127.0.0.1:0"]));
    one_clear_line(
        &r,
        &["feed-config.toml", "cannot read", "Permission denied"],
    );
    assert!(!p.path("podcatalog.db").exists());
}

#[test]
fn add_into_a_read_only_media_folder_is_one_line_and_changes_nothing() {
    let p = Project::initialised();
    std::fs::copy(p.path("media/86-kvinnofrid.mp3"), p.path("new.mp3")).expect("copy");
    let before = p.fingerprint();
    set_mode(&p.path("media"), 0o555);
    let args = [
        "add",
        "--number",
        "90",
        "--title",
        "Ny",
        "--published",
        "2023-01-10",
        "--audio",
        "new.mp3",
    ];
    let r = run_unprivileged(&p, command(&p, &args));
    set_mode(&p.path("media"), 0o755);
    one_clear_line(
        &r,
        &[
            "media",
            "cannot write into this folder",
            "Permission denied",
        ],
    );
    assert_eq!(p.fingerprint(), before);
}

#[test]
fn serve_with_an_unreadable_media_folder_is_one_line_and_creates_nothing() {
    let p = Project::shipped();
    set_mode(&p.path("media"), 0o000);
    let r = run_unprivileged(&p, command(&p, &["serve", "--addr", "127.0.0.1:0"]));
    set_mode(&p.path("media"), 0o755);
    one_clear_line(
        &r,
        &["media", "cannot read the media folder", "Permission denied"],
    );
    assert!(!p.path("podcatalog.db").exists(), "catalogue created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_a_read_only_media_folder_still_serves() {
    // The server and its first import only read media/: not an error.
    let p = Project::shipped();
    set_mode(&p.path("media"), 0o555);
    let cmd = unprivileged(&p, command(&p, &["serve", "--addr", "127.0.0.1:0"]));
    let server = tokio::task::spawn_blocking(move || Server::spawn(cmd))
        .await
        .expect("start");
    let http = crate::server::client();
    for path in ["feed.xml", "media/86-kvinnofrid.mp3"] {
        let res = http.get(server.url(path)).send().await.expect("get");
        assert_eq!(res.status(), 200, "{path}");
    }
    drop(server);
    set_mode(&p.path("media"), 0o755);
}
