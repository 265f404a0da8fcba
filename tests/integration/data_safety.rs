//! Data safety with the real binary: SIGKILL in the middle of `add` and
//! `import`, the file-size limit hit while copying audio, the catalogue
//! locked by another writer (CLI and running server), and `backup` while
//! the server serves and a writer writes.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Project;
use crate::common::Rng;
use crate::process::{self, Server, command, integrity, lines, output, temp_files};

/// Big enough that the copy takes a while in a debug build, small enough
/// for a quick test (~1 s per `add`).
const BIG: usize = 12 * 1024 * 1024;

const ADD: [&str; 7] = [
    "add",
    "--number",
    "90",
    "--title",
    "Stor inspelning",
    "--published",
    "2023-01-10",
];

fn add_big(p: &Project) -> std::process::Command {
    let mut args = ADD.to_vec();
    args.extend(["--audio", "big.mp3"]);
    command(p, &args)
}

/// Episode 90's audio file name, if the episode exists.
fn episode_90(db: &Path) -> Option<(String, i64)> {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row(
        "SELECT audio_file, audio_bytes FROM episode WHERE number = 90",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// After a kill: the database is intact and episode 90 is either absent or
/// complete with its media file. Returns whether it is there.
fn check_after_kill(p: &Project, what: &str) -> bool {
    assert_eq!(integrity(&p.path("podcatalog.db")), "ok", "{what}");
    match episode_90(&p.path("podcatalog.db")) {
        None => false,
        Some((file, bytes)) => {
            let on_disk = std::fs::metadata(p.path("media").join(&file))
                .unwrap_or_else(|e| panic!("{what}: episode 90 without its audio {file}: {e}"));
            assert_eq!(on_disk.len() as i64, bytes, "{what}: {file} is incomplete");
            true
        }
    }
}

#[test]
fn sigkill_during_add_leaves_nothing_half_done() {
    let p = Project::initialised();
    process::big_mp3(&p.path("big.mp3"), BIG);
    let mut rng = Rng::from_env();
    let media = p.path("media");
    for attempt in 0..6 {
        let old = temp_files(&media);
        let mut child = add_big(&p)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn add");
        // Even attempts aim inside the copy: wait for its temp file, then
        // a random while; odd ones at any point from the start.
        let (aim, delay) = if attempt % 2 == 0 {
            let started = process::wait_until(Duration::from_secs(20), || {
                temp_files(&media).iter().any(|t| !old.contains(t))
                    || matches!(child.try_wait(), Ok(Some(_)))
            });
            assert!(started, "seed {}: the copy never started", rng.seed);
            (
                "after the copy started",
                rng.duration_below(Duration::from_millis(900)),
            )
        } else {
            (
                "after spawning",
                rng.duration_below(Duration::from_millis(1800)),
            )
        };
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let what = format!(
            "seed {} (PODCATALOG_TEST_SEED), attempt {attempt}: killed {delay:?} {aim}",
            rng.seed
        );
        let present = check_after_kill(&p, &what);
        // The next run (any command) removes the dead copy's temp file.
        let r = p.run(&["list"]);
        assert!(r.ok, "{what}: {}", r.stderr);
        assert_eq!(
            temp_files(&media),
            Vec::<std::path::PathBuf>::new(),
            "{what}"
        );
        if present {
            let r = p.run(&["remove", "90", "--yes", "--delete-audio"]);
            assert!(r.ok, "{what}: {}", r.stderr);
        }
    }
    let r = output(add_big(&p));
    assert!(r.ok, "seed {}: add after the kills: {}", rng.seed, r.stderr);
    assert!(check_after_kill(&p, "the final add"));
    assert!(temp_files(&media).is_empty());
}

/// A folder of `n` episode files (numbers 100…), each naming shipped audio.
fn episode_folder(p: &Project, n: usize) {
    let dir = p.path("more");
    std::fs::create_dir(&dir).expect("mkdir");
    for i in 0..n {
        let text = format!(
            "number = {}\ntitle = \"Avsnitt {i}\"\npublished = 2023-02-01\n\
             themes = [\"medborgardialog\"]\naudio = \"86-kvinnofrid.mp3\"\n\
             description = \"\"\"{}\"\"\"\n",
            100 + i,
            "Medborgardialog i kommunen. ".repeat(40)
        );
        std::fs::write(dir.join(format!("{}.toml", 100 + i)), text).expect("write");
    }
}

fn imported(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row(
        "SELECT count(*) FROM episode WHERE number >= 100",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

#[test]
fn sigkill_during_import_is_all_or_nothing() {
    const N: usize = 150;
    // How long an import takes here, so the kills spread over all of it.
    let timing = Project::initialised();
    episode_folder(&timing, N);
    let started = Instant::now();
    let r = timing.run(&["import", "more"]);
    assert!(r.ok, "{}", r.stderr);
    let full = started.elapsed();

    let p = Project::initialised();
    episode_folder(&p, N);
    let mut rng = Rng::from_env();
    let wal = p.path("podcatalog.db-wal");
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    for attempt in 0..6 {
        let before = wal_len();
        let mut child = command(&p, &["import", "more"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn import");
        // Even attempts aim at the commit: the moment the write-ahead log
        // starts to grow, plus a few milliseconds. Odd ones anywhere.
        let (aim, delay) = if attempt % 2 == 0 {
            process::wait_until(full * 3, || {
                wal_len() > before || matches!(child.try_wait(), Ok(Some(_)))
            });
            (
                "after the commit began",
                rng.duration_below(Duration::from_millis(40)),
            )
        } else {
            ("after spawning", rng.duration_below(full.mul_f32(1.1)))
        };
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let what = format!(
            "seed {} (PODCATALOG_TEST_SEED), attempt {attempt}: killed {delay:?} {aim} (import takes ~{full:?})",
            rng.seed
        );
        assert_eq!(integrity(&p.path("podcatalog.db")), "ok", "{what}");
        let n = imported(&p.path("podcatalog.db"));
        assert!(n == 0 || n == N as i64, "{what}: {n} of {N} episodes");
    }
    let r = p.run(&["import", "more"]);
    assert!(
        r.ok,
        "seed {}: import after the kills: {}",
        rng.seed, r.stderr
    );
    assert_eq!(imported(&p.path("podcatalog.db")), N as i64);
}

#[test]
fn the_file_size_limit_while_copying_audio_is_a_clear_error() {
    let p = Project::initialised();
    process::big_mp3(&p.path("big.mp3"), 4 * 1024 * 1024);
    let before = p.fingerprint();
    // 1,024 blocks: 512 KiB (dash counts 512-byte blocks) or 1 MiB (bash);
    // the catalogue is smaller, the audio far bigger.
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -f 1024 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_podcatalog"))
        .args(ADD)
        .args(["--audio", "big.mp3"])
        .current_dir(p.dir.path())
        .env_remove("PODCATALOG_CONFIG");
    let r = output(sh);
    assert!(!r.ok, "add passed the file-size limit");
    let said = lines(&r.stderr);
    assert_eq!(said.len(), 1, "one line: {}", r.stderr);
    for words in ["media", "big.mp3", "file too large", "nothing was changed"] {
        assert!(said[0].contains(words), "`{words}` missing: {}", r.stderr);
    }
    assert_eq!(p.fingerprint(), before, "half-written file or row left");
}

/// Holds the catalogue's write lock like another writer mid-transaction.
fn lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.execute_batch("BEGIN EXCLUSIVE; UPDATE revision SET value = value + 1000 WHERE id = 1;")
        .expect("take the write lock");
    conn
}

#[test]
fn a_locked_catalogue_makes_the_cli_wait_then_fail_clearly() {
    let p = Project::initialised();
    process::big_mp3(&p.path("new.mp3"), 64 * 1024);
    let before = p.fingerprint();
    let locker = lock(&p.path("podcatalog.db"));
    let edit = ["edit", "85", "--title", "Ny titel"];
    let add = [&ADD[..], &["--audio", "new.mp3"]].concat();
    for args in [&edit[..], &add[..]] {
        let mut cmd = command(&p, args);
        cmd.env("PODCATALOG_BUSY_TIMEOUT_MS", "400");
        let started = Instant::now();
        let r = output(cmd);
        let took = started.elapsed();
        assert!(!r.ok, "{args:?} wrote past the lock");
        assert!(
            took >= Duration::from_millis(400),
            "{args:?} did not wait: {took:?}"
        );
        let said = lines(&r.stderr);
        assert_eq!(said.len(), 1, "one line: {}", r.stderr);
        for words in [
            "locked by another writer",
            "400 ms",
            "PODCATALOG_BUSY_TIMEOUT_MS",
        ] {
            assert!(said[0].contains(words), "`{words}` missing: {}", r.stderr);
        }
    }
    locker.execute_batch("ROLLBACK").expect("rollback");
    drop(locker);
    assert_eq!(p.fingerprint(), before, "a failed write changed something");
    let r = p.run(&edit);
    assert!(r.ok, "after the lock: {}", r.stderr);
}

async fn feed(http: &reqwest::Client, server: &Server) -> (reqwest::StatusCode, String) {
    let res = http.get(server.url("feed.xml")).send().await.expect("get");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_catalogue_leaves_the_server_serving_the_last_good_feed() {
    let p = Project::initialised();
    let server = Server::start(&p);
    let http = crate::server::client();
    let (status, good) = feed(&http, &server).await;
    assert_eq!(status, 200);
    // A change the server has not rendered yet, then the lock: the next
    // request must render from the last committed state.
    let r = p.run(&["edit", "86", "--title", "Före låset"]);
    assert!(r.ok, "{}", r.stderr);
    tokio::time::sleep(web_poll() * 2).await;
    let locker = lock(&p.path("podcatalog.db"));
    let (status, during) = feed(&http, &server).await;
    assert_eq!(status, 200);
    assert!(during.contains("Före låset"), "last committed state served");
    assert_ne!(during, good);
    for _ in 0..5 {
        tokio::time::sleep(web_poll()).await;
        let (status, again) = feed(&http, &server).await;
        assert_eq!((status, &again), (reqwest::StatusCode::OK, &during));
    }
    locker.execute_batch("ROLLBACK").expect("rollback");
    drop(locker);
    let r = p.run(&["edit", "86", "--title", "Efter låset"]);
    assert!(r.ok, "{}", r.stderr);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, now) = feed(&http, &server).await;
        assert_eq!(status, 200);
        if now.contains("Efter låset") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "change after the lock not picked up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn web_poll() -> Duration {
    podcatalog::web::POLL_INTERVAL
}

#[test]
fn backup_while_serving_and_writing_is_consistent() {
    let p = Project::initialised();
    let _server = Server::start(&p);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = std::sync::Arc::clone(&stop);
        let dir = p.dir.path().to_path_buf();
        std::thread::spawn(move || {
            let mut added = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let file = dir.join(format!("{}.toml", 100 + added));
                let text = format!(
                    "number = {n}\ntitle = \"Avsnitt {n}\"\npublished = 2023-02-01\n\
                     audio = \"86-kvinnofrid.mp3\"\n",
                    n = 100 + added
                );
                std::fs::write(&file, text).expect("write episode file");
                let r: crate::common::Run =
                    std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
                        .arg("add")
                        .arg("--file")
                        .arg(&file)
                        .current_dir(&dir)
                        .env_remove("PODCATALOG_CONFIG")
                        .output()
                        .expect("run add")
                        .into();
                assert!(r.ok, "writer: {}", r.stderr);
                added += 1;
            }
            added
        })
    };
    let mut counts = Vec::new();
    for i in 0..4 {
        let file = p.path(&format!("backup-{i}.db"));
        let r = p.run(&["backup", file.to_str().expect("utf-8 path")]);
        assert!(r.ok, "backup {i}: {}", r.stderr);
        assert!(r.stdout.contains("integrity ok"), "{}", r.stdout);
        counts.push(check_copy(&file));
        std::thread::sleep(Duration::from_millis(150));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let added = writer.join().expect("writer");
    assert!(added > 0, "the writer wrote during the backups");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");

    // Refuses to overwrite, unless --force; a failed backup leaves nothing.
    let first = p.path("backup-0.db");
    let bytes = std::fs::read(&first).expect("read");
    let r = p.run(&["backup", "backup-0.db"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("backup-0.db: exists already"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&first).expect("read"), bytes);
    let r = p.run(&["backup", "backup-0.db", "--force"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(check_copy(&first), 9 + added as i64);
    let r = p.run(&["backup", "podcatalog.db", "--force"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("is the catalogue itself"), "{}", r.stderr);
    let r = p.run(&["backup", "no/such/folder/x.db"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("no/such/folder"), "{}", r.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(p.dir.path())
        .expect("read dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".podcatalog-backup-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Opens a backup on its own (it must be one self-contained file), checks
/// it and returns its episode count (all nine shipped ones at least).
fn check_copy(file: &Path) -> i64 {
    let alone = tempfile::tempdir().expect("tempdir");
    let copy = alone.path().join("copy.db");
    std::fs::copy(file, &copy).expect("copy");
    assert_eq!(integrity(&copy), "ok");
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM episode", [], |r| r.get(0))
        .expect("count");
    assert!(count >= 9, "{count} episodes in the copy");
    let missing: i64 = conn
        .query_row(
            "SELECT count(*) FROM episode WHERE number >= 100 AND title != 'Avsnitt ' || number",
            [],
            |r| r.get(0),
        )
        .expect("check titles");
    assert_eq!(missing, 0, "an episode copied half-way");
    count
}

#[test]
fn a_backup_restores_by_the_readme_steps() {
    let p = Project::initialised();
    let r = p.run(&["edit", "85", "--title", "Före backupen"]);
    assert!(r.ok, "{}", r.stderr);
    let r = p.run(&["backup", "saved.db"]);
    assert!(r.ok, "{}", r.stderr);
    let r = p.run(&["edit", "85", "--title", "Efter backupen"]);
    assert!(r.ok, "{}", r.stderr);
    // Steps 2 and 3: the catalogue aside with its -wal and -shm, the copy in.
    std::fs::create_dir(p.path("old")).expect("mkdir");
    for name in ["podcatalog.db", "podcatalog.db-wal", "podcatalog.db-shm"] {
        if p.path(name).exists() {
            std::fs::rename(p.path(name), p.path("old").join(name)).expect("move aside");
        }
    }
    std::fs::copy(p.path("saved.db"), p.path("podcatalog.db")).expect("copy into place");
    // Step 4.
    let r = p.run(&["check"]);
    assert!(r.ok, "check after restore: {}{}", r.stdout, r.stderr);
    let list = p.list();
    assert_eq!(list.len(), 9);
    assert_eq!(crate::common::episode(&list, 85)["title"], "Före backupen");
}
