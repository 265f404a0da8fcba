//! A temporary copy of the shipped project (config, episodes, media) and
//! helpers to run the real binary in it and to fingerprint its state.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// The repository root (where the shipped project lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A throwaway project folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

/// What a command printed and how it ended.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
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
        Project { dir }
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
