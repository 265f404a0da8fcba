//! Helpers for the data-safety tests: the real binary as a child process
//! (with extra environment, killed at chosen moments, or as the server),
//! and a big valid MP3 made at test time.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Project, Run};

/// `podcatalog ARGS` in the project folder, not yet started.
pub fn command(p: &Project, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podcatalog"));
    cmd.args(args)
        .current_dir(p.dir.path())
        .env_remove("PODCATALOG_CONFIG")
        .env_remove("PODCATALOG_BUSY_TIMEOUT_MS")
        .env_remove(podcatalog::web::PORTABLE_IO_ENV)
        .env_remove("RUST_LOG");
    cmd
}

/// Runs a prepared command to its end.
pub fn output(mut cmd: Command) -> Run {
    cmd.output().expect("run podcatalog").into()
}

/// The non-empty lines a command wrote to stderr.
pub fn lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// Writes an MP3 of about `bytes` bytes: the frames of a real CBR fixture
/// (without its first, Info, frame, whose frame count would then lie)
/// repeated back to back. Made at test time so no big file is committed.
pub fn big_mp3(path: &Path, bytes: usize) {
    let fixture = crate::common::repo().join("tests/fixtures/audio/cbr.mp3");
    let data = std::fs::read(fixture).expect("read cbr.mp3");
    // MPEG-1 layer III header: bitrate index in the high nibble of byte 2,
    // sample-rate index in bits 2-3, padding in bit 1.
    let kbps = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    let rates = [44_100, 48_000, 32_000];
    let b = data[2];
    let first = 144_000 * kbps[usize::from(b >> 4)] / rates[usize::from((b >> 2) & 3)]
        + usize::from((b >> 1) & 1);
    let frames = &data[first..];
    let mut out = Vec::with_capacity(bytes + frames.len());
    while out.len() < bytes {
        out.extend_from_slice(frames);
    }
    std::fs::write(path, out).expect("write big mp3");
}

/// The temporary files in `media`.
pub fn temp_files(media: &Path) -> Vec<PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(media)
        .expect("read media")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".podcatalog-tmp-")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// `PRAGMA integrity_check` of the project's catalogue.
pub fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open db");
    podcatalog::catalog::backup::integrity(&conn).expect("integrity_check")
}

/// `podcatalog serve` as a process on a free loopback port.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts the server in `p` and waits for its "serving on" line.
    pub fn start(p: &Project) -> Server {
        Server::spawn(command(p, &["serve", "--addr", "127.0.0.1:0"]))
    }

    /// Starts a prepared `serve` command and waits for its "serving on" line.
    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("serving on ") {
                    let base = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(base);
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server announced its address");
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `cond` holds, up to `limit`; returns whether it did.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}
