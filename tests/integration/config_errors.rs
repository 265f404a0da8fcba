//! A broken feed-config.toml is named with its key and line; nothing is created.

use crate::common::Project;

fn with_config(edit: impl Fn(&str) -> String) -> (Project, crate::common::Run) {
    let p = Project::shipped();
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("read");
    p.write("feed-config.toml", &edit(&text));
    let r = p.run(&["list"]);
    (p, r)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_a_suggestion() {
    let (p, r) = with_config(|t| t.replace("copyright =", "copyrigth ="));
    assert!(!r.ok);
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("read");
    let line = line_of(&text, "copyrigth");
    assert!(
        r.stderr.contains(&format!("feed-config.toml: line {line}")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `copyright`?"),
        "{}",
        r.stderr
    );
    assert!(
        !p.path("podcatalog.db").exists(),
        "nothing may be created on a bad config"
    );
}

#[test]
fn invalid_values_are_refused_at_load() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "language = \"sv\"",
            "language = \"svenska\"",
            "channel.language",
        ),
        (
            "\"Government\"",
            "\"Goverment\"",
            "did you mean `Government`?",
        ),
        (
            "base_url = \"http://127.0.0.1:8080/\"",
            "base_url = \"/podd/\"",
            "channel.base_url",
        ),
        (
            "email = \"podcast@example.org\"",
            "email = \"nobody\"",
            "channel.owner.email",
        ),
        (
            "# spotify_url = \"https://open.spotify.com/show/…\"",
            "spotify_url = \"javascript:alert(1)\"",
            "channel.spotify_url",
        ),
    ];
    for (from, to, expected) in cases {
        let (p, r) = with_config(|t| t.replace(from, to));
        assert!(!r.ok, "{to} accepted");
        assert!(r.stderr.contains(expected), "{to}: {}", r.stderr);
        assert!(r.stderr.contains("line "), "{to}: {}", r.stderr);
        assert!(!p.path("podcatalog.db").exists());
    }
}

#[test]
fn a_missing_required_key_is_named() {
    let (_p, r) = with_config(|t| t.replace("author = \"Sveriges Kommuner och Regioner\"\n", ""));
    assert!(!r.ok);
    assert!(r.stderr.contains("missing field `author`"), "{}", r.stderr);
}

#[test]
fn a_missing_config_file_is_named() {
    let p = Project::shipped();
    let r = p.run(&["--config", "nowhere.toml", "list"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("nowhere.toml: cannot read"),
        "{}",
        r.stderr
    );
}

#[test]
fn podcast_guid_must_be_a_uuid_and_is_used_when_set() {
    let from = "# podcast_guid = \"…\"";
    let (p, r) = with_config(|t| t.replace(from, "podcast_guid = \"not-a-uuid\""));
    assert!(!r.ok, "a bad guid accepted");
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("read");
    let line = line_of(&text, "not-a-uuid");
    let want = format!("feed-config.toml: line {line}: `channel.podcast_guid`");
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    assert!(!p.path("podcatalog.db").exists());

    let guid = "9b024349-ccf0-5f69-a609-6b82873eab3c";
    let (p, r) = with_config(|t| t.replace(from, &format!("podcast_guid = \"{guid}\"")));
    assert!(r.ok, "{}", r.stderr);
    let feed = p.run(&["feed"]);
    assert!(
        feed.stdout
            .contains(&format!("<podcast:guid>{guid}</podcast:guid>")),
        "{}",
        feed.stdout
    );
}
