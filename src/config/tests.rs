//! `Config::parse` on the shipped file and on one mistake at a time: each
//! error names the file, the key and the line a producer has to fix.

use super::*;

const SHIPPED: &str = include_str!("../../feed-config.toml");

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, "feed-config.toml")
}

/// The shipped file with `from` replaced by `to` (which must be there).
fn with(from: &str, to: &str) -> String {
    assert!(SHIPPED.contains(from), "the shipped config has no {from:?}");
    SHIPPED.replacen(from, to, 1)
}

/// The message of the error `text` gives.
fn error(text: &str) -> String {
    parse(text).expect_err("must be refused").to_string()
}

/// 1-based line of `needle` in `text`.
fn line_of_text(text: &str, needle: &str) -> usize {
    line_of(text, text.find(needle).expect("needle"))
}

#[test]
fn the_shipped_config_gives_typed_values() {
    let c = parse(SHIPPED).expect("valid");
    assert_eq!(c.channel.title, "Demokratiresan");
    assert_eq!(c.channel.language, "sv");
    assert_eq!(c.channel.base_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(c.channel.configured_base_url, c.channel.base_url);
    assert_eq!(c.channel.kind, ShowType::Episodic);
    assert!(c.channel.locked && !c.channel.explicit);
    assert_eq!(c.channel.categories.len(), 2);
    assert_eq!(
        c.channel.owner.as_ref().map(|o| o.email.as_str()),
        Some("podcast@example.org")
    );
    assert!(c.theme("medborgardialog").is_some());
    assert_eq!(c.closest_theme("medborgardialg"), Some("medborgardialog"));
    // Paths stay as written until `Config::load` resolves them.
    assert!(c.server.database.is_relative());
    assert_eq!(c.server.feed_path, "feed.xml");
}

/// A file saved by a Windows editor: no `\r` may reach the feed from a
/// multi-line string (TOML keeps a raw CR there).
#[test]
fn crlf_line_endings_read_as_the_same_config() {
    let lf = with(
        "copyright = \"© Sveriges Kommuner och Regioner\"",
        "copyright = \"\"\"\nRad ett\nRad två\"\"\"",
    );
    let want = parse(&lf).expect("valid");
    assert_eq!(want.channel.copyright, "Rad ett\nRad två");
    let crlf = lf.replace('\n', "\r\n");
    assert_eq!(parse(&crlf).expect("valid"), want);
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_the_closest_key() {
    let text = with("explicit = false", "explicit = false\nlanguge = \"sv\"");
    let e = error(&text);
    let line = line_of_text(&text, "languge");
    assert!(e.starts_with("feed-config.toml: "), "{e}");
    assert!(e.contains(&format!("line {line}")), "{e}");
    assert!(
        e.contains("`languge`") && e.contains("did you mean `language`?"),
        "{e}"
    );
}

#[test]
fn a_base_url_that_is_not_a_web_address_is_refused() {
    for bad in ["not a url", "ftp://example.org/", "mailto:a@b.se"] {
        let text = with(
            "base_url = \"http://127.0.0.1:8080/\"",
            &format!("base_url = \"{bad}\""),
        );
        let e = error(&text);
        let line = line_of_text(&text, "base_url = ");
        assert!(
            e.starts_with(&format!(
                "feed-config.toml: line {line}: `channel.base_url`: "
            )),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_category_apple_does_not_list_is_refused() {
    let text = with("\"Government\"", "\"Goverment\"");
    let e = error(&text);
    assert!(e.contains("`channel.categories`"), "{e}");
    assert!(e.contains("Goverment"), "{e}");
}

#[test]
fn other_bad_values_name_their_key() {
    for (from, to, key) in [
        (
            "language = \"sv\"",
            "language = \"svenska\"",
            "channel.language",
        ),
        (
            "email = \"podcast@example.org\"",
            "email = \"nobody\"",
            "channel.owner.email",
        ),
        (
            "title = \"Demokratiresan\"",
            "title = \"\"",
            "channel.title",
        ),
        (
            "slug = \"medborgardialog\"",
            "slug = \"Medborgar dialog\"",
            "themes.slug",
        ),
    ] {
        let e = error(&with(from, to));
        assert!(e.contains(&format!("`{key}`")), "{to}: {e}");
    }
}

#[test]
fn a_feed_path_where_the_server_serves_pages_is_refused() {
    let text = with("feed_path = \"feed.xml\"", "feed_path = \"media/feed.xml\"");
    let e = error(&text);
    assert!(e.contains("`server.feed_path`"), "{e}");
}

#[test]
fn malformed_toml_is_a_syntax_error_with_a_line() {
    let e = error(&with("type = \"episodic\"", "type = episodic"));
    assert!(e.starts_with("feed-config.toml: line "), "{e}");
}
