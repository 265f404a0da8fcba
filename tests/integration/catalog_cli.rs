//! The producer's CLI on the shipped Demokratiresan catalogue.

use crate::common::{Project, episode};

#[test]
fn first_list_creates_the_catalogue_with_the_real_episodes() {
    let p = Project::shipped();
    assert!(!p.path("podcatalog.db").exists());
    let list = p.list();
    assert!(p.path("podcatalog.db").exists());
    assert_eq!(list.len(), 9, "nine episodes are named in the newsletters");
    let numbers: Vec<_> = list.iter().map(|e| e["number"].clone()).collect();
    for n in [9, 31, 32, 85, 86, 87, 88, 89] {
        assert!(numbers.contains(&n.into()), "episode {n} missing");
    }
    let e85 = episode(&list, 85);
    assert_eq!(e85["title"], "Internationellt ledarprogram för kvinnor");
    let people = e85["people"].as_array().expect("people");
    assert_eq!(people[0]["name"], "Nils Munthe");
    assert_eq!(people[0]["role"], "host");
    let anna = people
        .iter()
        .find(|p| p["name"] == "Anna Hed")
        .expect("Anna Hed");
    assert_eq!(anna["role"], "guest");
    assert_eq!(anna["title"], "Kommunstyrelsens ordförande, Mora kommun");
    assert_eq!(
        e85["themes"],
        serde_json::json!(["ledarskap", "jamstalldhet", "internationellt"])
    );
    let wetterberg = list
        .iter()
        .find(|e| e["number"].is_null())
        .expect("the unnumbered episode");
    assert_eq!(wetterberg["people"][0]["name"], "Gunnar Wetterberg");
    // Newest first.
    let dates: Vec<&str> = list
        .iter()
        .map(|e| e["published_at"].as_str().expect("date"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn human_list_shows_guests_host_and_themes() {
    let p = Project::shipped();
    let r = p.run(&["list"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Internationellt ledarprogram för kvinnor")
    );
    assert!(
        r.stdout
            .contains("guest: Marie Oudin (Kommunstyrelsens ordförande, Kristinehamns kommun)")
    );
    assert!(r.stdout.contains("host: Nils Munthe"));
    assert!(r.stdout.contains("themes: agenda-2030, medborgardialog"));
}

#[test]
fn a_bare_date_is_six_in_the_morning_stockholm_time() {
    let p = Project::shipped();
    let e9 = p.list().into_iter().find(|e| e["number"] == 9).expect("#9");
    assert_eq!(e9["published_at"], "2019-09-01T06:00:00+02:00");
    assert_eq!(e9["date_approximate"], true);
}

#[test]
fn re_import_changes_nothing() {
    let p = Project::initialised();
    let before = p.list();
    let r = p.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("0 added, 0 updated, 9 unchanged"),
        "{}",
        r.stdout
    );
    assert_eq!(p.list(), before);
}

#[test]
fn a_changed_file_updates_its_episode_and_keeps_its_guid() {
    let p = Project::initialised();
    let guid_before = p.run(&["show", "85", "--json"]).stdout;
    let guid_before: serde_json::Value = serde_json::from_str(&guid_before).expect("json");
    let path = "episodes/085-internationellt-ledarprogram-for-kvinnor.toml";
    let text = std::fs::read_to_string(p.path(path)).expect("read");
    p.write(
        path,
        &text.replace(
            "title = \"Internationellt ledarprogram för kvinnor\"",
            "title = \"Ledarprogram för kvinnor\"",
        ),
    );
    let r = p.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("0 added, 1 updated, 8 unchanged"),
        "{}",
        r.stdout
    );
    let after: serde_json::Value =
        serde_json::from_str(&p.run(&["show", "85", "--json"]).stdout).expect("json");
    assert_eq!(after["title"], "Ledarprogram för kvinnor");
    assert_eq!(after["guid"], guid_before["guid"]);
    assert_eq!(after["slug"], "85-ledarprogram-for-kvinnor");
    // The old slug still finds the episode (old links keep working).
    let old = p.run(&[
        "show",
        "85-internationellt-ledarprogram-for-kvinnor",
        "--json",
    ]);
    assert!(old.ok, "{}", old.stderr);
}

#[test]
fn export_then_import_round_trips_exactly() {
    let p = Project::initialised();
    let out_a = p.path("export-a");
    assert!(p.run(&["export", out_a.to_str().expect("utf8")]).ok);
    // A fresh project whose episodes folder is the export.
    let q = Project::shipped();
    std::fs::remove_dir_all(q.path("episodes")).expect("rm");
    crate::common::copy_dir(&out_a, &q.path("episodes"));
    assert_eq!(q.list(), p.list());
    let out_b = q.path("export-b");
    assert!(q.run(&["export", out_b.to_str().expect("utf8")]).ok);
    let mut names: Vec<_> = std::fs::read_dir(&out_a)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "nine episodes and people.toml");
    for name in names {
        let a = std::fs::read_to_string(out_a.join(&name)).expect("a");
        let b = std::fs::read_to_string(out_b.join(&name)).expect("b");
        assert_eq!(a, b, "{name:?} differs after a round trip");
    }
}

#[test]
fn an_alias_spelling_resolves_to_the_same_person() {
    let p = Project::initialised();
    let path = "episodes/009-agenda-2030-fran-det-lokala-till-det-globala.toml";
    let text = std::fs::read_to_string(p.path(path)).expect("read");
    p.write(
        path,
        &text.replace("name = \"Nils Munthe\"", "name = \"Nils Munte\""),
    );
    assert!(p.run(&["import"]).ok);
    let people: Vec<serde_json::Value> =
        serde_json::from_str(&p.run(&["people", "--json"]).stdout).expect("people json");
    let nils: Vec<_> = people
        .iter()
        .filter(|x| {
            x["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Nils Munt"))
        })
        .collect();
    assert_eq!(nils.len(), 1, "{people:?}");
    assert_eq!(nils[0]["slug"], "nils-munthe");
    assert_eq!(nils[0]["episodes"], 2);
    assert_eq!(nils[0]["aliases"], serde_json::json!(["Nils Munte"]));
}

#[test]
fn add_probes_and_copies_audio_under_a_content_hashed_name() {
    let p = Project::initialised();
    let src = p.path("media/86-kvinnofrid.mp3");
    let r = p.run(&[
        "add",
        "--number",
        "90",
        "--title",
        "Ett nytt avsnitt",
        "--published",
        "2023-01-10",
        "--theme",
        "medborgardialog",
        "--host",
        "Nils Munthe",
        "--guest",
        "Anna Hed:Kommunstyrelsens ordförande, Mora kommun",
        "--audio",
        src.to_str().expect("utf8"),
    ]);
    assert!(r.ok, "{}", r.stderr);
    let list = p.list();
    let e90 = episode(&list, 90);
    assert_eq!(
        e90["people"][1]["title"],
        "Kommunstyrelsens ordförande, Mora kommun"
    );
    let shown: serde_json::Value =
        serde_json::from_str(&p.run(&["show", "90", "--json"]).stdout).expect("json");
    let file = shown["audio"]["source"]["file"]
        .as_str()
        .expect("audio file");
    assert!(
        file.starts_with("90-ett-nytt-avsnitt-") && file.ends_with(".mp3"),
        "{file}"
    );
    let copied = std::fs::read(p.path(&format!("media/{file}"))).expect("copied file");
    assert_eq!(copied, std::fs::read(&src).expect("source"));
    assert_eq!(shown["audio"]["bytes"], copied.len());
    assert!(shown["audio"]["duration_ms"].as_u64().expect("duration") > 1000);
    let leftovers: Vec<_> = std::fs::read_dir(p.path("media"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn edit_changes_fields_but_never_the_guid() {
    let p = Project::initialised();
    let before: serde_json::Value =
        serde_json::from_str(&p.run(&["show", "31", "--json"]).stdout).expect("json");
    let r = p.run(&[
        "edit",
        "31",
        "--title",
        "Vilka är de förtroendevalda?",
        "--theme",
        "fortroendevalda",
        "--theme",
        "medborgardialog",
    ]);
    assert!(r.ok, "{}", r.stderr);
    let after: serde_json::Value =
        serde_json::from_str(&p.run(&["show", "31", "--json"]).stdout).expect("json");
    assert_eq!(after["guid"], before["guid"]);
    assert_eq!(after["title"], "Vilka är de förtroendevalda?");
    assert_eq!(
        after["themes"],
        serde_json::json!(["fortroendevalda", "medborgardialog"])
    );
    assert_eq!(after["description"], before["description"]);
    assert_eq!(after["audio"], before["audio"]);
}

#[test]
fn remove_asks_for_yes_and_keeps_the_audio_unless_told() {
    let p = Project::initialised();
    let before = p.fingerprint();
    let r = p.run(&["remove", "88"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    assert_eq!(p.fingerprint(), before);
    let r = p.run(&["remove", "88", "--yes"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(p.list().len(), 8);
    assert!(
        p.path("media/88-en-god-och-rattssaker-forvaltning.mp3")
            .exists()
    );
}

#[test]
fn check_passes_on_the_shipped_catalogue_and_catches_a_changed_file() {
    let p = Project::initialised();
    let r = p.run(&["check"]);
    assert!(r.ok, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("9 episodes checked: all in order"),
        "{}",
        r.stdout
    );
    let media = p.path("media/32-medborgarbudget-pa-landsbygden.mp3");
    let bytes = std::fs::read(&media).expect("read");
    std::fs::write(&media, &bytes[..bytes.len() / 2]).expect("truncate");
    let r = p.run(&["check"]);
    assert!(!r.ok);
    assert!(r.stdout.contains("#32"), "{}", r.stdout);
    assert!(r.stdout.contains("bytes on disk"), "{}", r.stdout);
    assert!(r.stdout.contains("duration"), "{}", r.stdout);
}

#[test]
fn themes_and_people_list_counts() {
    let p = Project::initialised();
    let themes: Vec<serde_json::Value> =
        serde_json::from_str(&p.run(&["themes", "--json"]).stdout).expect("json");
    let mr = themes
        .iter()
        .find(|t| t["slug"] == "manskliga-rattigheter")
        .expect("theme");
    assert_eq!(mr["episodes"], 4);
    assert_eq!(mr["name"], "Mänskliga rättigheter");
}
