//! Helpers every integration test shares: a temporary project folder (a
//! copy of the shipped project, or `fixture`'s hostile one) with its config
//! loaded, the real binary run in it, a fingerprint of its state, and a
//! seeded random source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use podcatalog::catalog;
use podcatalog::config::Config;
use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;

/// The repository root (where the shipped project lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A throwaway project folder, removed on drop.
pub struct Project {
    pub dir: tempfile::TempDir,
    /// Its config as loaded when the project was made (paths resolved into
    /// `dir`); a test that rewrites the file loads it again itself.
    pub config: Config,
}

/// What a command printed and how it ended.
pub struct Run {
    pub ok: bool,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            ok: o.status.success(),
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The lines of stdout, each parsed as JSON (`--json` output).
    pub fn json(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
            .collect()
    }
}

impl Project {
    /// A copy of the shipped config, episodes and media; no database yet.
    pub fn shipped() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(
            repo().join("feed-config.toml"),
            dir.path().join("feed-config.toml"),
        )
        .expect("copy config");
        for sub in ["episodes", "media"] {
            copy_dir(&repo().join(sub), &dir.path().join(sub));
        }
        Project::in_dir(dir)
    }

    /// An empty folder (no config, no catalogue), as a new producer has:
    /// `config` holds the shipped settings with paths into it, unwritten.
    pub fn empty() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = std::fs::read_to_string(repo().join("feed-config.toml")).expect("config");
        let mut config = Config::parse(&text, "feed-config.toml").expect("shipped config");
        for p in [
            &mut config.server.database,
            &mut config.server.media_dir,
            &mut config.server.episodes_dir,
        ] {
            *p = dir.path().join(&*p);
        }
        Project { dir, config }
    }

    /// The project in `dir`, whose `feed-config.toml` is written.
    pub fn in_dir(dir: tempfile::TempDir) -> Project {
        let config = Config::load(&dir.path().join("feed-config.toml")).expect("load config");
        Project { dir, config }
    }

    /// The media folder.
    pub fn media(&self) -> PathBuf {
        self.config.server.media_dir.clone()
    }

    /// Opens another connection to the catalogue (as the CLI would).
    pub fn connect(&self) -> Connection {
        catalog::open(&self.config.server.database).expect("open catalogue")
    }

    /// The shipped project with its database created (first command imports).
    pub fn initialised() -> Project {
        let p = Project::shipped();
        let r = p.run(&["list"]);
        assert!(r.ok, "first run failed: {}", r.stderr);
        p
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `podcatalog ARGS` in the project folder.
    pub fn run(&self, args: &[&str]) -> Run {
        Command::new(env!("CARGO_BIN_EXE_podcatalog"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("PODCATALOG_CONFIG")
            .output()
            .expect("run podcatalog")
            .into()
    }

    /// `list --json` parsed.
    pub fn list(&self) -> Vec<serde_json::Value> {
        let r = self.run(&["list", "--json"]);
        assert!(r.ok, "list failed: {}", r.stderr);
        serde_json::from_str(&r.stdout).expect("list --json is a JSON array")
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write");
    }

    /// Hashes of every file in the database and the media folder, after
    /// checkpointing the WAL so the database file alone holds the data.
    pub fn fingerprint(&self) -> BTreeMap<String, String> {
        let db = self.path("podcatalog.db");
        if db.exists() {
            let conn = rusqlite::Connection::open(&db).expect("open db");
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .expect("checkpoint");
        }
        let mut out = BTreeMap::new();
        for rel in ["podcatalog.db", "media"] {
            hash_tree(&self.path(rel), &mut out);
        }
        out
    }
}

fn hash_tree(path: &Path, out: &mut BTreeMap<String, String>) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).expect("read dir").flatten() {
            hash_tree(&e.path(), out);
        }
    } else if path.is_file() {
        let bytes = std::fs::read(path).expect("read");
        out.insert(
            path.display().to_string(),
            hex::encode(Sha256::digest(&bytes)),
        );
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

/// The episode with `number` in a `list --json` array.
pub fn episode(list: &[serde_json::Value], number: u64) -> &serde_json::Value {
    list.iter()
        .find(|e| e["number"] == number)
        .unwrap_or_else(|| panic!("episode {number} listed"))
}

/// The status code of a raw HTTP/1.1 response (0 when there is none), for
/// tests that talk to the server over a bare socket.
pub fn http_status(response: &[u8]) -> u16 {
    String::from_utf8_lossy(response)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A seeded random source for noise and random moments: proptest's
/// ChaCha, so no test carries a generator of its own. `from_env` takes the
/// seed from `PODCATALOG_TEST_SEED` or the clock, and failure messages
/// report it so a failing run can be repeated exactly.
pub struct Rng {
    pub seed: u64,
    inner: TestRng,
}

impl Rng {
    /// The same sequence for the same `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_mut(8) {
            chunk.copy_from_slice(&seed.to_le_bytes());
        }
        Rng {
            seed,
            inner: TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
        }
    }

    /// Seeded from `PODCATALOG_TEST_SEED`, else from the clock.
    pub fn from_env() -> Rng {
        let seed = std::env::var("PODCATALOG_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        Rng::new(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A number in `[0, n)` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A duration in `[0, max)`, in whole milliseconds.
    pub fn duration_below(&mut self, max: std::time::Duration) -> std::time::Duration {
        let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        std::time::Duration::from_millis(self.below(ms))
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        self.inner.fill_bytes(&mut out);
        out
    }
}

/// `GET path` through the router in process: status, headers, body text.
pub async fn get(app: &Router, path: &str) -> (StatusCode, HeaderMap, String) {
    get_with(app, path, &[]).await
}

/// [`get`] with request headers.
pub async fn get_with(
    app: &Router,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 10_000_000)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8(bytes.to_vec()).expect("utf-8"),
    )
}

/// `GET /api/search?query` in process: a `200` with JSON, parsed.
pub async fn api(app: &Router, query: &str) -> serde_json::Value {
    let (status, headers, body) = get(app, &format!("/api/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{query}");
    serde_json::from_str(&body).expect("json")
}
