//! Loudness in the catalogue: measured at import and add, once per file
//! content, reported by `show` and `list --json`, held to `[loudness]` by
//! `check --publish`.

use super::sine;
use crate::common::{Project, episode};

/// Runs SQL on the project's catalogue.
fn sql(p: &Project, statement: &str) {
    let conn = rusqlite::Connection::open(p.path("podcatalog.db")).expect("open db");
    conn.execute_batch(statement).expect("sql");
}

fn count_rows(p: &Project) -> i64 {
    let conn = rusqlite::Connection::open(p.path("podcatalog.db")).expect("open db");
    conn.query_row("SELECT count(*) FROM audio_analysis", [], |r| r.get(0))
        .expect("count")
}

/// The `check --publish --json` findings whose rule starts with `loudness`,
/// as `rule@episode`.
fn loudness_findings(p: &Project) -> Vec<String> {
    let r = p.run(&["check", "--publish", "--json", "--offline"]);
    r.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("loudness"))
        })
        .map(|f| format!("{}@{}", f["rule"].as_str().unwrap_or(""), f["episode"]))
        .collect()
}

#[test]
fn import_measures_every_file_once_and_list_and_show_report_it() {
    let p = Project::initialised();
    let list = p.list();
    for e in &list {
        let lufs = e["lufs"].as_f64().unwrap_or_else(|| panic!("lufs in {e}"));
        // espeak-ng speech encoded by lame: quiet, but speech.
        assert!((-30.0..-12.0).contains(&lufs), "{e}");
        assert!(
            e["true_peak_dbtp"].as_f64().is_some_and(|tp| tp < 0.0),
            "{e}"
        );
        assert!(e["lra"].is_number(), "{e}");
    }
    assert_eq!(count_rows(&p), list.len() as i64);
    let show = p.run(&["show", "85"]);
    assert!(
        show.ok && show.stdout.contains("LUFS integrated"),
        "{}",
        show.stdout
    );
    let json = p.run(&["show", "85", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("show --json");
    assert_eq!(v["analysis"]["lufs"], episode(&list, 85)["lufs"]);

    // A stored measurement is trusted: a re-import does not decode again...
    sql(&p, "UPDATE audio_analysis SET lufs = -42.5");
    let r = p.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(episode(&p.list(), 85)["lufs"], -42.5);
    // ...unless an older analyser wrote it.
    sql(&p, "UPDATE audio_analysis SET analyser = 0");
    assert!(p.run(&["import"]).ok);
    assert_ne!(episode(&p.list(), 85)["lufs"], -42.5);
}

#[test]
fn the_same_file_added_twice_is_measured_once_and_a_loud_one_breaks_the_target() {
    let p = Project::initialised();
    let loud = p.path("loud.wav");
    sine(&loud, 1000, -0.3, 2, 5);
    let mp3 = p.path("loud.mp3");
    super::encode(&loud, &mp3, &[]);
    let before = count_rows(&p);
    for (n, slug) in [("90", "hogt-a"), ("91", "hogt-b")] {
        let r = p.run(&[
            "add",
            "--number",
            n,
            "--title",
            slug,
            "--slug",
            slug,
            "--published",
            "2023-01-10",
            "--theme",
            "medborgardialog",
            "--audio",
            mp3.to_str().expect("utf-8"),
        ]);
        assert!(r.ok, "{}", r.stderr);
    }
    assert_eq!(count_rows(&p), before + 1, "one row for one file content");
    let e90 = episode(&p.list(), 90).clone();
    let lufs = e90["lufs"].as_f64().expect("lufs");
    assert!(lufs > -5.0, "a near full-scale sine is loud: {lufs}");
    let found = loudness_findings(&p);
    for rule in [
        "loudness-integrated@90",
        "loudness-true-peak@90",
        "loudness-integrated@85",
    ] {
        assert!(found.contains(&rule.to_string()), "{rule} in {found:?}");
    }

    // A target the stand-in speech meets, and a peak the sine does not break.
    let config = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    p.write(
        "feed-config.toml",
        &format!(
            "{config}\n[loudness]\ntarget_lufs = -21\ntolerance_lu = 2.5\nmax_true_peak_dbtp = 0\n"
        ),
    );
    let found = loudness_findings(&p);
    assert!(!found.iter().any(|f| f.ends_with("@85")), "{found:?}");
    assert!(
        found.contains(&"loudness-integrated@90".to_string()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"loudness-true-peak@90".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_loudness_target_out_of_range_names_the_key_and_line() {
    let p = Project::shipped();
    let config = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    let lines = config.lines().count();
    p.write(
        "feed-config.toml",
        &format!("{config}\n[loudness]\ntarget_lufs = 16\n"),
    );
    let r = p.run(&["list"]);
    assert!(!r.ok);
    let expected = format!("line {}: `loudness.target_lufs`: 16 is outside", lines + 3);
    assert!(r.stderr.contains(&expected), "{expected} in {}", r.stderr);
    assert!(!p.path("podcatalog.db").exists(), "nothing written");
    p.write(
        "feed-config.toml",
        &format!("{config}\n[loudness]\ntarget = -16\n"),
    );
    let r = p.run(&["list"]);
    assert!(
        !r.ok && r.stderr.contains("unknown field `target`"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_opus_episode_is_stored_as_not_measured_and_left_to_the_format_rule() {
    let p = Project::initialised();
    let opus = crate::probe::fixture_dir().join("opus.opus");
    let r = p.run(&[
        "add",
        "--number",
        "90",
        "--title",
        "Opus",
        "--published",
        "2023-01-10",
        "--theme",
        "medborgardialog",
        "--audio",
        opus.to_str().expect("utf-8"),
    ]);
    assert!(r.ok, "{}", r.stderr);
    let show = p.run(&["show", "90"]);
    assert!(
        show.stdout
            .contains("loudness:   not measured: no decoder for Opus"),
        "{}",
        show.stdout
    );
    assert!(episode(&p.list(), 90)["lufs"].is_null());
    assert!(!loudness_findings(&p).iter().any(|f| f.ends_with("@90")));
}
